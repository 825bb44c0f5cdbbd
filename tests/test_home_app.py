"""The home screen and what hangs off it (issues 18, 22-24): the explicit filter, the title
column and the width, damage found at unlock, who is due next and low pulses, search marking
private matches, and the question bank.

Pilot tests on a real (fast-KDF) vault with an injected clock."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from textual import events

from guides.loader import builtin_guides
from store.vault import open_vault
from tui.screens.home import HomeScreen, column_widths, damage_text
from apptools import make_app, settle as settle_app

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str = "one-on-one") -> dict:
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


def seed(store, clock) -> dict:
    jonas = store.add_person("Jonas Keller", cadence="weekly")
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    gus = store.add_person("Gus Fring")
    s1 = store.start_session(ada.id, plan(), title="Quarterly review")
    store.end_session(s1.id)
    clock.advance(3600)
    s2 = store.start_session(jonas.id, plan("feedback"))  # no title: the guide says what
    store.end_session(s2.id)
    clock.advance(3600)
    s3 = store.start_session(gus.id, plan(), title="Kitchen budget")
    store.end_session(s3.id)
    return {"jonas": jonas.id, "ada": ada.id, "gus": gus.id, "s1": s1.id, "s2": s2.id,
            "s3": s3.id}


async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


async def home(app, pilot, store) -> HomeScreen:
    app.unlocked(store)
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    return app.screen


def keys_of(table) -> list[str]:
    return [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]


def column(table, index: int) -> list[str]:
    return [getattr(c, "plain", str(c)) for c in
            (table.get_row_at(r)[index] for r in range(table.row_count))]


# ---------------------------------------------------------------------- the filter
async def test_the_filter_is_explicit_and_a_fast_slash_jo_lands_in_it(store, vault_path, clock):
    """The filter takes what is typed after / (fast too), f filters, Esc clears; p on a row
    the filter left prepares for that session's person, and Esc comes back to the list as
    filtered; s searches."""
    ids = seed(store, clock)
    store.add_talking_point(ids["ada"], "The conference budget", owner="theirs")
    clock.advance(3600)
    open_gus = store.start_session(ids["gus"], plan())  # left open, not ended
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await home(app, pilot, store)
        table, field = screen.table, screen.filter_field
        assert table.has_focus
        # typed fast (in one burst, as a person types "/jo"): every letter after / is the filter's
        for key, char in (("slash", "/"), ("j", "j"), ("o", "o")):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert field.has_focus and field.value == "jo"
        assert keys_of(table) == [ids["s2"]]
        # the sessions active among those shown: none (it said "1 active (listed first...)")
        assert str(screen.status_line.render()) == "1 of 4 sessions matching “jo”"
        await pilot.press("f", "s")  # in the filter, f and s type (no filter key, no search)
        assert field.value == "jofs" and isinstance(app.screen, HomeScreen)
        await pilot.press("backspace", "backspace", "down")  # down: back to the list, kept
        await pilot.pause()
        assert table.has_focus and field.value == "jo"
        await pilot.press("j", "k", "g")  # in the list, the letters move (they never type)
        assert field.value == "jo"
        await pilot.press("escape")  # clears
        await pilot.pause()
        assert field.value == "" and table.row_count == 4
        await pilot.press("f", "g", "u", "s", "enter")  # f filters too; Enter goes back
        await pilot.pause()
        assert table.has_focus and keys_of(table) == [open_gus.id, ids["s3"]]
        assert str(screen.status_line.render()) == (
            "2 of 4 sessions matching “gus” · 1 active (listed first, ⏎ to resume)")
        await pilot.press("escape", "escape")
        # p prepares for the highlighted session's person
        await pilot.press("slash", "a", "d", "a", "enter", "p")
        await settle(pilot)
        from tui.screens.prepare import PrepareScreen

        prepare = app.screen
        assert isinstance(prepare, PrepareScreen) and prepare.person_id == ids["ada"]
        points = str(prepare.query_one("#since-points").render())
        assert "theirs" in points and "The conference budget" in points
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.filter_field.value == "ada"
        await pilot.press("escape", "escape")
        await pilot.press("s")  # s searches
        await settle(pilot)
        from tui.screens.search import SearchScreen

        assert isinstance(app.screen, SearchScreen)
        app.store = None


# ---------------------------------------------------------------------- the width
def test_column_widths_use_the_width_and_give_the_title_the_rest():
    narrow, wide = column_widths(80), column_widths(160)
    assert list(narrow) == ["date", "person", "title", "spent", "status", "open"]
    assert list(wide) == ["date", "person", "title", "guide", "spent", "status", "open"]
    for size, widths in ((80, narrow), (160, wide)):  # cell padding and the scrollbar: all used
        assert sum(widths.values()) + 2 * len(widths) + 2 == size
    assert wide["title"] > 2 * narrow["title"] and narrow["person"] >= 14


async def test_home_shows_titles_at_both_sizes(store, vault_path, clock, hurried_pauses):
    """At 160x48, then (a resize, as a terminal made smaller) at 80x24: one app run. Each pause
    returns early, as on a loaded machine: settle still waits for the list, read once the home
    is painted, and for the resize, which reaches the screen after a timer."""
    ids = seed(store, clock)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await home(app, pilot, store)
        table = screen.table
        for size in ((160, 48), (80, 24)):
            if size != app.size:
                await pilot.resize_terminal(*size)
                await settle(pilot)
            labels = [str(c.label) for c in table.columns.values()]
            rows = dict(zip(keys_of(table), range(table.row_count)))
            titles = column(table, 2)
            assert titles[rows[ids["s3"]]] == "Kitchen budget", size
            if size[0] >= 110:
                assert labels == ["Date", "Participant", "Title", "Guide", "Spent", "Status",
                                  "Open"], size
                assert titles[rows[ids["s2"]]] == "", size
                assert column(table, 3)[rows[ids["s2"]]] == "Feedback session", size
            else:  # no guide column: a session without a title shows its guide, dim
                assert labels == ["Date", "Participant", "Title", "Spent", "Status", "Open"]
                assert titles[rows[ids["s2"]]] == "Feedback session", size
                assert table.get_row_at(rows[ids["s2"]])[2].style == "dim", size
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= size[0]
        await pilot.press("slash", *"budget")  # the filter searches titles, which are shown
        await pilot.pause()
        assert keys_of(table) == [ids["s3"]]
        app.store = None


# ---------------------------------------------------------------------- damage at unlock
async def test_rows_deleted_outside_rapport_are_named_on_the_home_screen(
        store, vault_path, passphrase, clock):
    ids = seed(store, clock)
    store.add_jot(ids["ada"], "one")
    store.add_jot(ids["ada"], "two")
    store.close()
    with sqlite3.connect(vault_path) as conn:
        conn.execute("DELETE FROM jots")
    conn.close()
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    assert reopened.damage
    app = make_app(vault_path, clock)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await home(app, pilot, reopened)
            banner = screen.query_one("#home-damage")
            text = str(banner.render())
            assert banner.display and "jots: 2 of 2 jots deleted outside rapport" in text
            assert "rapport verify" in text
            assert screen.table.row_count == 3  # the list is not hidden
            app.store = None
    finally:
        reopened.close()


def test_the_damage_banner_lists_each_problem_then_says_what_to_run():
    problems = ["record sessions/ab failed authentication (meta); run 'rapport verify'",
                "jots: 2 of 2 jots deleted outside rapport",
                "the vault file is damaged (items: malformed); run 'rapport verify' (the Open "
                "column is blank)"]
    text = damage_text(problems, room=2)
    lines = text.splitlines()
    assert lines[1] == "  • record sessions/ab failed authentication (meta)"
    assert lines[2] == "  • jots: 2 of 2 jots deleted outside rapport"
    assert lines[3] == "  • and 1 more"
    assert text.count("rapport verify") == 1 and "every session that still reads" in text
    assert "(the Open column is blank)" in damage_text(problems, room=6)


# ---------------------------------------------------------------------- due and low pulses
async def test_home_says_how_many_action_items_are_due(store, vault_path, clock):
    """Between conversations the home screen says what is due to follow through on, and the key
    of the items screen (hidden from the 80-column footer)."""
    ids = seed(store, clock)
    today = clock().date()
    s = store.start_session(ids["gus"], plan())
    late = store.add_item(s.id, "action", "Send the notes", owner="me",
                          due=today - timedelta(days=1))
    store.add_item(s.id, "action", "Book the room", owner="them", due=today)
    store.add_item(s.id, "action", "Later on", owner="them", due=today + timedelta(days=3))
    store.end_session(s.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(app, pilot, store)
        flags = screen.query_one("#home-flags")
        assert flags.display
        assert str(flags.render()) == "2 action items due or overdue  ·  f3 items"
        store.update_item(late.id, status="done")
        screen.reload()
        await settle(pilot)
        assert str(flags.render()) == "1 action item due or overdue  ·  f3 items"
        await pilot.press("f3")
        await settle(pilot)
        assert type(app.screen).__name__ == "ItemsScreen"
        app.store = None


async def test_home_says_who_is_due_next_and_whose_pulse_is_low_and_search_marks_private(
        store, vault_path, clock):
    """Who is due next and whose pulse is low, on home; then search from there marks the
    matches in private notes."""
    ids = seed(store, clock)
    store.save_note(ids["s1"], "check-in", "the budget is tight")
    store.save_note(ids["s1"], "reflection", "my worry: the budget", private=True)
    today = clock().date()
    store.set_next_meeting(ids["gus"], today + timedelta(days=1), time="14:00")
    for score in (2, 1, 2):
        s = store.start_session(ids["ada"], plan())
        store.set_pulse(s.id, score, "tired")
        store.end_session(s.id)
        clock.advance(3600)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await home(app, pilot, store)
        due = str(screen.query_one("#home-due").render())
        # Ada, weekly, had a 1-on-1 today: next week; Gus: set for tomorrow at 14:00; Jonas,
        # weekly, had only a feedback session today: not the 1-on-1 due, which is due today
        assert f"Gus Fring ({(today + timedelta(days=1)).isoformat()} 14:00)" in due
        assert "Ada" not in due and "Jonas Keller (today)" in due
        flags = screen.query_one("#home-flags")
        assert flags.display and "Low pulse" in str(flags.render())
        assert "Ada Lovelace" in str(flags.render())
        clock.advance(8 * 86400)  # a week on: both weekly people are overdue
        screen.reload()
        await settle(pilot)
        due = str(screen.query_one("#home-due").render())
        assert "Ada Lovelace (overdue since" in due and "Jonas Keller (today)" in due  # no 1-on-1
        await pilot.resize_terminal(50, 24)  # narrow: two lines at most, then how many more
        await settle(pilot)
        due = str(screen.query_one("#home-due").render())
        assert due.startswith("Next: Gus Fring (overdue since") and "and 2 more" in due
        await pilot.resize_terminal(120, 30)
        await settle(pilot)

        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#search-query").value = "budget"
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#search-results")
        stages = column(table, 2)
        hits = {r.hit.snippet: stages[i] for i, r in enumerate(app.screen.results)}
        assert hits["my worry: the budget"].startswith("🔒 ")
        assert not hits["the budget is tight"].startswith("🔒")
        assert [h.private for h in store.search("my worry")] == [True]
        app.store = None


# ---------------------------------------------------------------------- question bank
async def test_the_question_bank_is_browsed_added_to_edited_and_pruned(store, vault_path, clock):
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.questions import QuestionBankScreen, QuestionDialog

    seed(store, clock)
    store.add_question("feedback", "feedback", "What did you notice?")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await home(app, pilot, store)
        await pilot.press("f5")
        await settle(pilot)
        bank = app.screen
        assert isinstance(bank, QuestionBankScreen)
        table = bank.query_one("#question-bank-table")
        assert column(table, 2) == ["What did you notice?"]
        assert column(table, 0) == ["Feedback session"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, QuestionDialog)
        dialog.query_one("#question-text").value = "What gave you energy this week?"
        guides = dialog.query_one("#question-guide")
        guides.highlighted = [g.id for g in app.catalog.guides].index("one-on-one")
        await pilot.pause()
        dialog.query_one("#question-stage").highlighted = 0  # check-in
        await pilot.press("enter")
        await settle(pilot)
        [added] = store.questions("one-on-one", "check-in")
        assert added.text == "What gave you energy this week?"
        assert "What gave you energy this week?" in column(table, 2)
        table.move_cursor(row=column(table, 2).index("What did you notice?"))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#question-text").value = "What did you notice first?"
        await pilot.press("enter")
        await settle(pilot)
        assert [q.text for q in store.questions("feedback")] == ["What did you notice first?"]
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert store.questions("feedback") == []
        assert column(table, 2) == ["What gave you energy this week?"]
        # cut to the width, and cut again for another width: widened, a long question is whole
        long = ("What would you like to be doing in two years that you are not doing now, "
                "and what would help you get there?")
        store.add_question("one-on-one", "check-in", long)
        bank.load()
        await settle(pilot)
        assert column(table, 2)[1].endswith("…")
        await pilot.resize_terminal(160, 30)
        await settle(pilot)
        assert column(table, 2)[1] == long
        app.store = None


async def test_the_cursor_stays_on_a_session_the_list_moves(store, vault_path, clock):
    """Ended, a session goes below the active ones: back on home the cursor is still on it,
    so Enter does not open the session now in its place, someone else's."""
    from tui.screens.session import SessionScreen

    started = {}
    for name in ("Ada Lovelace", "Bo Chen", "Gus Fring"):  # active, newest first: Gus, Bo, Ada
        started[name] = store.start_session(store.add_person(name).id, plan())
        clock.advance(3600)
    bo = started["Bo Chen"]
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await home(app, pilot, store)
        table = screen.table
        assert keys_of(table)[1] == bo.id
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        store.end_session(bo.id)  # as the review does
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert keys_of(table)[1] != bo.id  # it moved below Ada's, still active
        assert table.selected_key() == bo.id
        table.move_cursor(row=0)
        await pilot.press("ctrl+n", *"Dee", "enter")  # started here: back, the cursor is on it
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        dee = app.screen.session
        store.end_session(dee.id)
        await pilot.press("escape")
        await settle(pilot)
        assert table.selected_key() == dee.id and keys_of(table)[0] != dee.id
        # started from Prepare (it gives way to the session): back, the cursor is on it, not
        # on the row highlighted before (Enter opened that older session, maybe someone else's)
        table.move_cursor(row=keys_of(table).index(started["Gus Fring"].id))
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+n", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        again = app.screen.session
        store.end_session(again.id)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and table.selected_key() == again.id
        # a filter that hides the session left is cleared (said), the cursor on it
        await pilot.press("slash", *"Ada", "enter", "ctrl+n", *"Eve", "enter")
        await settle(pilot)
        eve = app.screen.session
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filter_field.value == "" and table.selected_key() == eve.id
        app.store = None


# ---------------------------------------------------------------------- a new vault
async def test_a_new_vault_says_where_to_begin_on_home_and_people(store, vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(app, pilot, store)
        status = str(screen.status_line.render())
        assert status == ("No sessions yet: ^n starts a conversation, f2 adds the "
                          "people you meet.")
        assert len(status) <= 78  # whole at 80 columns, inside the line's padding
        await pilot.press("f2")  # the people screen, empty too
        await settle(pilot)
        status = str(app.screen.query_one("#people-status").render())
        assert status == ("No one yet: ^n adds someone; a session started with a new name "
                          "adds them too.")
        assert app.screen.query_one("#people-status").size.height == 1
        await pilot.press("escape")
        await settle(pilot)
        person = store.add_person("Ada Lovelace")
        store.end_session(store.start_session(person.id, plan()).id)
        screen.reload()
        await settle(pilot)
        assert str(screen.status_line.render()) == "1 of 1 session"
        app.store = None


# ---------------------------------------------------------------------- items (f3)
async def test_short_names_leave_the_items_text_the_room_at_80_columns(store, vault_path, clock):
    """The Person column is as wide as the longest name shown (at most 14 at 80 columns):
    with short names an item's text gets the rest, whole, and the table still fits."""
    ana = store.add_person("Ana Silva")
    session = store.start_session(ana.id, plan())
    text = "Draft the Q3 planning outline"  # 29 cells: cut when names took 14
    store.add_item(session.id, "action", text, owner="me")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(app, pilot, store)
        await pilot.press("f3")
        await settle(pilot)
        actions = app.screen.query_one("#items-actions")
        assert column(actions, 4) == [text]
        assert actions.virtual_size.width <= actions.size.width
        app.store = None
