"""Browsing past sessions and people in the app: home, search, session detail, people, items.

Pilot tests drive the real screens over a real (fast-KDF) vault with an injected clock; snapshot
tests pin what the views look like at 100×30.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from guides.loader import builtin_guides
from store.crypto import FAST_FOR_TESTS
from store.vault import create_vault
from tui.config import Config
from apptools import make_app

SIZE = (100, 30)
PASSPHRASE = "pw-test-1234"


class Clock:
    """Stands still until told to move; aware UTC."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


TODAY = utc(2025, 3, 3, 9, 0)


@pytest.fixture(autouse=True)
def tz_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


def seed(store, clock: Clock) -> dict:
    """Four people, four sessions (one active), items of every kind, a jot. Returns ids."""
    guides = {g.id: g.to_snapshot() for g in builtin_guides()}
    alice = store.add_person("Alice Martin", cadence="weekly")
    bo = store.add_person("Bo Chen", cadence="monthly")
    chidi = store.add_person("Chidi [ops] Okafor")  # a "[" must never be read as markup
    dana = store.add_person("Dana Ruiz", cadence="fortnightly")

    clock.set(utc(2025, 1, 20, 10, 0))
    a1 = store.start_session(alice.id, guides["one-on-one"], title="Quarterly check-in",
                             started_at=clock())
    store.save_note(a1.id, "check-in", "New role feels big.\nSleeping better.")
    store.save_session_state(a1.id, spent={"check-in": 200, "follow-up": 300})
    store.end_session(a1.id, ended_at=utc(2025, 1, 20, 10, 35))

    clock.set(utc(2025, 2, 10, 10, 0))
    a2 = store.start_session(alice.id, guides["one-on-one"], started_at=clock())
    store.save_note(a2.id, "check-in", "Alice mentioned the budget freeze worries her team.")
    store.save_note(a2.id, "commitments", "Wants to lead planning.")
    store.save_note(a2.id, "reflection", "I interrupted twice.", private=True)
    store.add_item(a2.id, "action", "Send the roadmap draft", owner="them", due="2025-02-20",
                   stage="follow-up")
    store.add_item(a2.id, "action", "Book the offsite", owner="me", due="2025-03-10",
                   stage="follow-up")
    store.add_item(a2.id, "goal", "Lead the Q2 planning", owner="them", stage="commitments",
                   status="on-track")
    store.add_item(a2.id, "decision", "Weekly 1-on-1s from March", owner="me", stage="follow-up")
    store.save_session_state(a2.id, spent={"check-in": 180, "commitments": 420, "follow-up": 240})
    store.end_session(a2.id, ended_at=utc(2025, 2, 10, 10, 32))

    clock.set(utc(2025, 2, 25, 14, 0))
    b1 = store.start_session(bo.id, guides["feedback"], started_at=clock())
    store.save_note(b1.id, "feedback", "The release notes were late; the budget review slipped.")
    store.add_item(b1.id, "agreement", "Bo sends release notes by Thursday", owner="them",
                   stage="next-steps")
    store.add_item(b1.id, "goal", "Present at the all-hands", owner="them", stage="next-steps",
                   status="at-risk")
    store.save_session_state(b1.id, spent={"feedback": 600, "their-side": 500})
    store.end_session(b1.id, ended_at=utc(2025, 2, 25, 14, 30))

    clock.set(utc(2025, 3, 1, 9, 30))
    c1 = store.start_session(chidi.id, guides["one-on-one"], started_at=clock())
    store.save_note(c1.id, "agenda", "Chidi is blocked on the budget approval.")
    store.save_session_state(c1.id, stage_index=1, spent={"check-in": 120, "follow-up": 60})
    store.add_item(c1.id, "action", "Unblock the approval", owner="me", due="2025-03-02",
                   stage="agenda")

    clock.set(utc(2025, 3, 2, 18, 0))
    store.add_jot(alice.id, "Saw Alice coach the new hire on estimates.")
    clock.set(TODAY)
    return {"alice": alice.id, "bo": bo.id, "chidi": chidi.id, "dana": dana.id,
            "a1": a1.id, "a2": a2.id, "b1": b1.id, "c1": c1.id}


@pytest.fixture
def world(tmp_path, clock):
    store = create_vault(tmp_path / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    ids = seed(store, clock)
    app = make_app(tmp_path / "vault.db", clock,
                   config=Config(idle_lock_minutes=0))  # the clock jumps
    try:
        yield app, store, ids
    finally:
        store.close()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def unlocked(pilot, store) -> None:
    pilot.app.unlocked(store)
    await settle(pilot)


def row_keys(table) -> list[str]:
    return [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]


def cell_text(table, row: int, column: int) -> str:
    value = table.get_row_at(row)[column]
    return getattr(value, "plain", str(value))


# ---------------------------------------------------------------------- home
async def test_home_navigation_sort_and_filter(world):
    app, store, ids = world
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        table = app.screen.query_one("#sessions")
        # the active session first, then newest first
        assert row_keys(table) == [ids["c1"], ids["b1"], ids["a2"], ids["a1"]]
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 3
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("ctrl+s")  # sort by date, newest first (the active one loses its place)
        await pilot.pause()
        assert row_keys(table) == [ids["c1"], ids["b1"], ids["a2"], ids["a1"]]
        await pilot.press("ctrl+s")  # by participant
        await pilot.pause()
        assert row_keys(table)[:2] == [ids["a1"], ids["a2"]] or \
            row_keys(table)[:2] == [ids["a2"], ids["a1"]]
        await pilot.press("b", "o")  # letters in the list do not filter: the filter is explicit
        await pilot.pause()
        assert table.row_count == 4
        await pilot.press("slash", "b", "o")  # / moves to the filter
        await pilot.pause()
        assert row_keys(table) == [ids["b1"]]
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 4 and table.has_focus
        assert "[ops]" in cell_text(table, [*row_keys(table)].index(ids["c1"]), 1)
        due = str(app.screen.query_one("#home-due").render())
        assert "Alice Martin (overdue since 2025-02-17)" in due
        assert "Dana Ruiz (today)" in due
        assert "Bo Chen" not in due


async def test_home_enter_opens_detail_for_ended_and_live_screen_for_active(world):
    app, store, ids = world
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.session import SessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        assert app.screen.session_id == ids["b1"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("g", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session_id == ids["c1"]


# ---------------------------------------------------------------------- search
async def search_for(pilot, text: str, *, typed: bool = False) -> None:
    """``s`` from home, the query (typed key by key, or set at once: typing is slow), Enter."""
    from tui.screens.search import SearchScreen

    if not isinstance(pilot.app.screen, SearchScreen):
        await pilot.press("s")
        await settle(pilot)
    if typed:
        await pilot.press(*text)
    else:
        pilot.app.screen.query_one("#search-query").value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_search_shows_date_person_stage_and_highlighted_snippet(world):
    app, store, ids = world
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "budget", typed=True)
        screen = app.screen
        table = screen.query_one("#search-results")
        assert table.row_count == 3
        rows = [[cell_text(table, r, c) for c in range(4)] for r in range(3)]
        assert rows[0][:3] == ["2025-03-01", "Chidi [ops] Okafor", "Their agenda"]
        assert rows[1][:3] == ["2025-02-25", "Bo Chen", "Situation, behaviour, impact"]
        assert rows[2][:3] == ["2025-02-10", "Alice Martin", "Check-in"]
        snippet = table.get_row_at(2)[3]
        marked = [snippet.plain[s.start:s.end] for s in snippet.spans if "reverse" in str(s.style)]
        assert marked == ["budget"]
        assert "3 results" in str(screen.query_one("#search-line").render())
        assert table.has_focus  # Enter in the query moves to the results


async def test_search_no_results_and_bad_date(world):
    app, store, ids = world
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "quokka")
        screen = app.screen
        empty = screen.query_one("#search-empty")
        assert empty.display and "No results for “quokka”" in str(empty.render())
        assert not screen.query_one("#search-results").display
        screen.query_one("#search-query").value = "budget"
        screen.query_one("#search-since").value = "March"
        screen.start_search()
        await settle(pilot)
        assert "since: can't read 'March'" in str(screen.query_one("#search-line").render())


async def test_search_filters_by_person_status_kind_and_dates(world):
    app, store, ids = world
    from textual.widgets import Input, Select

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "e")  # matches almost everything
        screen = app.screen
        table = screen.query_one("#search-results")
        everything = table.row_count

        async def count(**values) -> int:
            for field, value in values.items():
                widget = screen.query_one(f"#search-{field}")
                if isinstance(widget, Select):
                    widget.value = value
                else:
                    widget.value = value
            screen.start_search()
            await settle(pilot)
            return table.row_count if table.display else 0

        people = await count(person="alice")
        assert 0 < people < everything
        assert {cell_text(table, r, 1) for r in range(table.row_count)} == {"Alice Martin"}
        assert await count(person="", status="active") > 0
        assert {cell_text(table, r, 1) for r in range(table.row_count)} == {"Chidi [ops] Okafor"}
        assert await count(kind="goal", status=Select.NULL) == 2  # Lead the Q2..., Present...
        assert await count(since="2025-02-20", until="2025-02-28") == 1  # Bo's goal only
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.row_count == everything
        assert screen.query_one("#search-person", Input).value == ""
        screen.query_one("#search-person", Input).value = "Nobody"
        screen.start_search()
        await settle(pilot)
        assert "no person called 'Nobody'" in str(screen.query_one("#search-line").render())


async def test_search_enter_opens_ended_session_detail_at_that_stage(world):
    app, store, ids = world
    from tui.screens.detail import SessionDetailScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "release notes were late")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SessionDetailScreen)
        assert screen.session_id == ids["b1"]
        assert screen.cursor_stage() == "feedback"
        target = screen.query_one("#detail-stage-1")
        assert target.has_class("-cursor")
        assert screen.query_one("#detail-scroll").scroll_y > 0  # scrolled to that stage
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search-results").row_count == 1


async def test_search_enter_opens_active_session_at_that_stage(world):
    app, store, ids = world
    from tui.screens.session import SessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "blocked on the budget")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.stage["key"] == "agenda"  # not stage 2, where it was left
        assert "blocked on the budget" in app.screen.query_one("#notes").text


async def test_search_name_and_jot_hits_open_the_person(world):
    app, store, ids = world
    from tui.screens.person import PersonScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "coach the new hire")
        table = app.screen.query_one("#search-results")
        assert cell_text(table, 0, 2) == "✎ jot"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == ids["alice"]


# ---------------------------------------------------------------------- session detail
async def open_detail(pilot, session_id: str, stage: str | None = None):
    from tui.screens.detail import SessionDetailScreen

    await pilot.app.push_screen(SessionDetailScreen(session_id, stage=stage))
    await settle(pilot)
    return pilot.app.screen


async def test_detail_renders_the_whole_record(world):
    app, store, ids = world
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        screen = await open_detail(pilot, ids["a2"])
        from textual.widgets import Markdown

        text = "\n".join(m.source for m in screen.query(Markdown))
        assert "# Alice Martin · 1-on-1" in text
        assert "Alice mentioned the budget freeze worries her team." in text
        assert "## 7. Private reflection 🔒 private" in text
        assert "### Action items" in text and "### Decisions" in text and "### Goals" in text
        assert "Send the roadmap draft — owner Alice Martin · due 2025-02-20 · open" in text
        assert "Book the offsite — owner me · due 2025-03-10 · open" in text
        times = screen.query_one("#detail-times")
        assert times.row_count == 8  # seven stages and the total
        assert [cell_text(times, 5, c) for c in range(3)] == \
            ["6. Commitments", "02:00", "07:00"]
        await pilot.press("x")  # the export dialog, for this session
        await settle(pilot)
        from tui.screens.export import ExportScreen

        assert isinstance(app.screen, ExportScreen)
        assert app.screen.session_ids == [ids["a2"]]


async def test_detail_delete_asks_first(world):
    app, store, ids = world
    from store.errors import NotFound
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.home import HomeScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await open_detail(pilot, ids["b1"])
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SessionDetailScreen)
        assert store.session(ids["b1"])
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("enter")  # the focused button is Cancel: Enter is safe
        await pilot.pause()
        assert store.session(ids["b1"])
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        with pytest.raises(NotFound):
            store.session(ids["b1"])
        assert store.items(session_id=ids["b1"]) == []
        assert isinstance(app.screen, HomeScreen)
        assert ids["b1"] not in row_keys(app.screen.query_one("#sessions"))


async def test_detail_edit_and_reopen(world):
    app, store, ids = world
    from tui.screens.session import SessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        screen = await open_detail(pilot, ids["a2"])
        await pilot.press("n", "n")  # the stage cursor: stage 2
        assert screen.cursor_stage() == "follow-up"
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.stage["key"] == "follow-up"
        assert store.session(ids["a2"]).ended_at is not None  # editing keeps it ended
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        reopened = store.session(ids["a2"])
        assert reopened.ended_at is None and reopened.amended_at is not None


# ---------------------------------------------------------------------- people and cadence
def people_rows(screen) -> dict[str, list[str]]:
    table = screen.query_one("#people-table")
    return {cell_text(table, r, 0): [cell_text(table, r, c) for c in range(len(table.columns))]
            for r in range(table.row_count)}


async def test_people_due_states_follow_the_clock_and_cadence(world):
    app, store, ids = world
    from tui.screens.people import PeopleScreen

    async with app.run_test(size=(120, 30)) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        rows = people_rows(screen)
        # name, sessions, last met, cadence, next meeting, theirs, mine, goals, pulse, guide
        assert rows["Alice Martin"] == ["Alice Martin", "2", "2025-02-10", "weekly",
                                        "overdue since 2025-02-17", "1", "1", "1", "", ""]
        assert rows["Bo Chen"][3:5] == ["monthly", "2025-03-27"]
        assert rows["Bo Chen"][7] == "1 (1 at risk)"
        assert rows["Dana Ruiz"][1:5] == ["0", "", "fortnightly", "today"]
        assert rows["Chidi [ops] Okafor"][3:5] == ["—", ""]
        assert "1 overdue · 1 today" in str(screen.query_one("#people-status").render())

        # c cycles the cadence of the highlighted person: none -> weekly -> ... -> none
        table = screen.query_one("#people-table")
        table.move_cursor(row=row_keys(table).index(ids["chidi"]))
        await pilot.press("c")
        await settle(pilot)
        assert store.person(ids["chidi"]).cadence == "weekly"
        assert people_rows(screen)["Chidi [ops] Okafor"][3:5] == ["weekly", "2025-03-08"]
        await pilot.press("c", "c", "c")
        await settle(pilot)
        assert store.person(ids["chidi"]).cadence is None

        # four weeks later Bo is overdue too; the list reloads when it comes back
        app.clock.set(utc(2025, 3, 29, 9, 0))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        rows = people_rows(screen)
        assert rows["Bo Chen"][4] == "overdue since 2025-03-27"
        assert rows["Dana Ruiz"][4] == "today"


async def test_people_narrow_terminal_uses_relative_dates(world):
    app, store, ids = world
    async with app.run_test(size=(80, 24)) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f2")
        await settle(pilot)
        table = app.screen.query_one("#people-table")
        assert [str(c.label) for c in table.columns.values()] == \
            ["Name", "Last met", "Cadence", "Next", "Open", "Goals", "Pulse"]
        rows = people_rows(app.screen)
        assert rows["Alice Martin"][3:] == ["14d overdue", "1 · 1", "1", ""]
        assert rows["Bo Chen"][3:] == ["in 24d", "", "1 !", ""]
        assert rows["Dana Ruiz"][3] == "today"
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 78


async def test_person_timeline_items_and_jot_in_next_follow_up(world):
    app, store, ids = world
    from textual.widgets import TextArea

    from tui.screens.jot import JotScreen
    from tui.screens.person import PersonScreen
    from tui.screens.session import SessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("enter")  # Alice, first by name
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen) and screen.person_id == ids["alice"]
        timeline = screen.query_one("#person-timeline")
        assert row_keys(timeline) == ["j:" + store.jots(ids["alice"])[0].id,
                                      f"s:{ids['a2']}", f"s:{ids['a1']}"]
        items = screen.query_one("#person-items")  # open action items (goals: their own tab)
        assert [cell_text(items, r, 3) for r in range(items.row_count)] == \
            ["Send the roadmap draft", "Book the offsite"]
        assert cell_text(items, 0, 1) == "2025-02-20 !"  # overdue

        # n writes a jot
        app.clock.set(utc(2025, 3, 3, 12, 0))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, JotScreen)
        app.screen.query_one(TextArea).insert("Raise the estimates training")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert [j.text for j in store.jots(ids["alice"])][-1] == "Raise the estimates training"
        assert timeline.row_count == 4
        assert cell_text(timeline, 0, 2) == "Raise the estimates training"

        # Enter on a session row opens it (ended: the detail)
        from tui.screens.detail import SessionDetailScreen

        timeline.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        assert app.screen.session_id == ids["a2"]
        await pilot.press("escape")
        await settle(pilot)

        # the next session with Alice lists both jots (since the last session) in its follow-up
        guide = app.catalog.get("one-on-one").to_snapshot()
        app.clock.set(utc(2025, 3, 4, 9, 0))
        session = store.start_session(ids["alice"], guide)
        await app.push_screen(SessionScreen(session.id, stage="follow-up"))
        await settle(pilot)
        follow = app.screen.query_one("#followup")
        labels = [str(follow.get_option_at_index(i).prompt) for i in range(follow.option_count)]
        assert any("Send the roadmap draft" in label for label in labels)
        assert any("Saw Alice coach the new hire on estimates." in label for label in labels)
        assert any("Raise the estimates training" in label for label in labels)


async def test_person_done_and_goal_check_in(world):
    app, store, ids = world
    from tui.screens.goal_dialogs import CheckInDialog
    from tui.screens.person import PersonScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await app.push_screen(PersonScreen(ids["alice"]))
        await settle(pilot)
        await pilot.press("tab")
        items = app.screen.query_one("#person-items")
        assert items.has_focus
        await pilot.press("d")  # the overdue roadmap draft
        await settle(pilot)
        roadmap = next(i for i in store.items(person_id=ids["alice"]) if "roadmap" in i.text)
        assert roadmap.status == "done" and roadmap.done_at is not None
        await pilot.press("d")  # d again: open again
        await settle(pilot)
        assert store.item(roadmap.id).status == "open"
        await pilot.press("s")  # s checks in on the highlighted goal (its tab opens)
        await pilot.pause()
        assert isinstance(app.screen, CheckInDialog)
        await pilot.press("right", "space")  # on-track -> at-risk
        app.screen.query_one("#checkin-note").value = "planning slipped"
        await pilot.press("enter")
        await settle(pilot)
        goal = next(g for g in store.goals(ids["alice"]))
        assert goal.status == "at-risk"
        assert (goal.checkins[-1].status, goal.checkins[-1].note) == \
            ("at-risk", "planning slipped")


# ---------------------------------------------------------------------- items
async def test_items_overdue_first_filters_done_and_goals(world):
    app, store, ids = world
    from tui.screens.items import ItemsScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ItemsScreen)
        actions = screen.query_one("#items-actions")
        texts = lambda t, c: [cell_text(t, r, c) for r in range(t.row_count)]  # noqa: E731
        assert texts(actions, 4) == ["Send the roadmap draft", "Unblock the approval",
                                     "Book the offsite"]
        assert texts(actions, 0) == ["2025-02-20 !", "2025-03-02 !", "2025-03-10"]
        assert "2 overdue (!)" in str(screen.query_one("#items-status").render())
        # open decisions and agreements, as `rapport items` lists them: newest first
        agreed = screen.query_one("#items-agreed")
        assert texts(agreed, 4) == ["Bo sends release notes by Thursday",
                                    "Weekly 1-on-1s from March"]
        assert texts(agreed, 0) == ["≡ agreement", "◆ decision"]
        await pilot.press("m")
        await pilot.pause()
        assert texts(actions, 4) == ["Unblock the approval", "Book the offsite"]
        assert texts(agreed, 4) == ["Weekly 1-on-1s from March"]
        assert "1 decision or agreement ·" in str(screen.query_one("#items-status").render())
        await pilot.press("t")
        await pilot.pause()
        assert texts(actions, 4) == ["Send the roadmap draft"]
        await pilot.press("a")
        await pilot.pause()
        assert actions.row_count == 3
        goals = screen.query_one("#items-goals")
        assert texts(goals, 0) == ["at-risk", "on-track"]
        assert texts(goals, 3 + 1) == ["Present at the all-hands", "Lead the Q2 planning"]

        await pilot.press("j", "d")  # Unblock the approval: done
        await pilot.pause()
        done = next(i for i in store.items() if i.text == "Unblock the approval")
        assert done.status == "done"
        await pilot.press("s")  # s checks in on the highlighted goal: at-risk -> done
        await pilot.pause()
        from tui.screens.goal_dialogs import CheckInDialog

        assert isinstance(app.screen, CheckInDialog)
        await pilot.press("right", "space", "enter")
        await settle(pilot)
        goal = next(i for i in store.items() if i.text == "Present at the all-hands")
        assert goal.status == "done"
        assert goals.has_focus
        # reopening the screen: done items have left the list
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert [cell_text(app.screen.query_one("#items-actions"), r, 4)
                for r in range(2)] == ["Send the roadmap draft", "Book the offsite"]


async def test_palette_commands_and_help(world):
    app, store, ids = world
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.help import HelpScreen
    from tui.screens.items import ItemsScreen
    from tui.screens.people import PeopleScreen
    from tui.screens.person import PersonScreen
    from tui.screens.search import SearchScreen

    for screen in (SearchScreen(), PeopleScreen(), PersonScreen(ids["alice"]), ItemsScreen(),
                   SessionDetailScreen(ids["a1"])):
        assert [c.title for c in screen.commands()]
        assert screen.HELP
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f1")
        await pilot.pause()
        from textual.widgets import Markdown

        # a binding's keys read "/ or f" ("/ / f" read as three keys)
        assert "| `/ or f` | Filter |" in app.screen.query_one(Markdown).source
        await pilot.press("escape")
        await pilot.pause()
        await app.push_screen(ItemsScreen())
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "| `d` | Done |" in app.screen.query_one(Markdown).source


# ---------------------------------------------------------------------- snapshots
def snapshot_app(tmp_path):
    clock = Clock(TODAY)
    store = create_vault(tmp_path / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    ids = seed(store, clock)
    app = make_app(tmp_path / "vault.db", clock,
                   config=Config(idle_lock_minutes=0))  # the clock jumps
    return app, store, ids


def run_snapshot(snap_compare, tmp_path, steps) -> bool:
    app, store, ids = snapshot_app(tmp_path)

    async def run_before(pilot) -> None:
        await unlocked(pilot, store)
        await steps(pilot, ids)
        await settle(pilot)

    try:
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        store.close()


def test_snapshot_person(snap_compare, tmp_path):
    async def steps(pilot, ids):
        from tui.screens.person import PersonScreen

        await pilot.app.push_screen(PersonScreen(ids["alice"]))

    assert run_snapshot(snap_compare, tmp_path, steps)
