"""Browsing past sessions and people in the app: home, search, session detail, people, items.

Pilot tests drive the real screens over a real (fast-KDF) vault with an injected clock; snapshot
tests pin what the views look like at 100×30. People, a person and items: test_people_tui.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import visible

from browse_world import (  # noqa: F401 (fixtures: tz_utc is autouse)
    SIZE, TODAY, Clock, cell_text, clock, make_world, row_keys, settle, tz_utc, unlocked, world,
)


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
        await pilot.press("end")  # as G and g: DataTable's own scroll sideways, to nothing
        assert table.cursor_row == 3
        await pilot.press("home")
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
        assert "Bo Chen (today)" in due  # a feedback session is not the monthly 1-on-1


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


async def test_search_shows_dates_filters_and_says_no_results(world):
    """One search screen: the results (date, person, stage, the match highlighted); the filters
    by person, status, kind and dates, ctrl+r clearing them; no results; a bad date."""
    app, store, ids = world
    from rich.cells import cell_len
    from textual.widgets import Input, Select

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await search_for(pilot, "budget", typed=True)
        screen = app.screen
        table = screen.query_one("#search-results")
        assert table.row_count == 3
        rows = [[cell_text(table, r, c) for c in range(4)] for r in range(3)]
        # cut to the column (14 and 20 cells at 100 wide) with "…", as home cuts a title
        assert rows[0][:3] == ["2025-03-01", "Chidi [ops] O…", "Their agenda"]
        assert rows[1][:3] == ["2025-02-25", "Bo Chen", "Situation, behaviou…"]
        assert rows[2][:3] == ["2025-02-10", "Alice Martin", "Check-in"]
        snippet = table.get_row_at(2)[3]
        marked = [snippet.plain[s.start:s.end] for s in snippet.spans if "reverse" in str(s.style)]
        assert marked == ["budget"]
        assert "3 results" in str(screen.query_one("#search-line").render())
        assert table.has_focus  # Enter in the query moves to the results

        screen.query_one("#search-query").focus()
        await search_for(pilot, "e")  # matches almost everything
        everything = table.row_count
        for size in ((80, 24), SIZE):  # cut again to the new width, "…" in the column
            await pilot.resize_terminal(*size)
            await settle(pilot)
            width = table.columns["match"].width
            assert width == screen.widths()[2] and table.row_count == everything
            cells = [table.get_row_at(r)[3].plain for r in range(everything)]
            assert max(map(cell_len, cells)) <= width and any(c.endswith("…") for c in cells)

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
        assert {cell_text(table, r, 1) for r in range(table.row_count)} == {"Chidi [ops] O…"}
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

        await pilot.press("ctrl+r")
        screen.query_one("#search-query").focus()
        await search_for(pilot, "quokka")
        empty = screen.query_one("#search-empty")
        assert empty.display and "No results for “quokka”" in str(empty.render())
        assert not screen.query_one("#search-results").display
        screen.query_one("#search-query").value = "budget"
        screen.query_one("#search-since").value = "March"
        screen.start_search()
        await settle(pilot)
        assert "since: can't read 'March'" in str(screen.query_one("#search-line").render())


async def test_search_enter_opens_an_ended_session_s_detail_a_person_and_a_live_session(world):
    """Enter on a result: an ended session's detail at the stage that matched (Esc back to
    the results), a jot's person, an open talking point's preparation, an active session at the
    stage that matched."""
    app, store, ids = world
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.person import PersonScreen
    from tui.screens.prepare import PrepareScreen
    from tui.screens.search import point_label
    from tui.screens.session import SessionScreen

    point = store.add_talking_point(ids["alice"], "Ask about the on-call rota", owner="theirs")
    store.add_feedback(ids["alice"], situation="the quetzal launch")  # an older entry first
    said = store.add_feedback(ids["alice"], kind="praise", situation="At the quetzal demo",
                              behaviour="you took every question")  # of no session
    store.fill_feedback(ids["b1"], impact="Bo hurried the handover")
    store.add_item(ids["b1"], "action", "Rewrite the zanzibar checklist", owner="them",
                   stage="feedback")  # at the second stage of seven: its items far below
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

        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "coach the new hire")
        table = app.screen.query_one("#search-results")
        assert cell_text(table, 0, 2) == "✎ jot"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == ids["alice"]
        await pilot.press("escape")
        await settle(pilot)

        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "rota")
        table = app.screen.query_one("#search-results")
        assert table.row_count == 1
        assert [cell_text(table, 0, c) for c in range(3)] == [  # the day it was written
            point.created_at.astimezone().date().isoformat(), "Alice Martin", "point · theirs"]
        hit = app.screen.results[0].hit
        assert point_label(hit, 30) == "point · theirs · open"
        assert point_label(replace(hit, stage="covered"), 16) == "point · theirs ✓"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PrepareScreen)
        assert app.screen.person_id == ids["alice"]
        await pilot.press("escape")
        await settle(pilot)

        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "every question")  # the feedback log is searched too
        table = app.screen.query_one("#search-results")
        assert [cell_text(table, 0, c) for c in range(1, 4)] == [
            "Alice Martin", "feedback · praise", "At the quetzal demo you took every question"]
        await pilot.press("enter")  # of no session: the person's feedback log, on that entry
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.query_one("#person-tabs").active == "tab-pulse"
        assert app.screen.query_one("#person-feedback").selected_key() == f"f:{said.id}"
        await pilot.press("escape")
        await settle(pilot)
        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "hurried the handover")  # of a session: at its form's stage
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.session_id == ids["b1"]
        assert app.screen.cursor_stage() == "feedback"
        # in view: the form it was found in ("Recorded"), not the stage's "No notes."
        scroll, recorded = (app.screen.query_one(f"#detail-{n}") for n in ("scroll", "recorded"))
        assert scroll.content_region.contains_region(recorded.region), recorded.region
        last = app.screen.query(".detail-stage").last()  # a blank line after its "No notes."
        assert recorded.region.y == last.region.bottom + 1
        await pilot.press("escape")
        await settle(pilot)
        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "zanzibar checklist")  # an item: in the items, not the stage
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.session_id == ids["b1"] and app.screen.cursor_stage() == "feedback"
        scroll, items = (app.screen.query_one(f"#detail-{n}") for n in ("scroll", "items"))
        [action, *_] = items.query("MarkdownBulletList MarkdownParagraph")  # actions first
        assert "zanzibar" in str(action.render())
        assert scroll.content_region.contains_region(action.region), action.region
        await pilot.press("escape")
        await settle(pilot)

        app.screen.query_one("#search-query").focus()
        await search_for(pilot, "blocked on the budget")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.stage["key"] == "agenda"  # not stage 2, where it was left
        assert "blocked on the budget" in app.screen.query_one("#notes").text


# ---------------------------------------------------------------------- session detail
async def open_detail(pilot, session_id: str, stage: str | None = None):
    from tui.screens.detail import SessionDetailScreen

    await pilot.app.push_screen(SessionDetailScreen(session_id, stage=stage))
    await settle(pilot)
    return pilot.app.screen


async def test_detail_renders_the_whole_record_deletes_after_asking_edits_and_reopens(world):
    """One app run over the world (it was three): a session's whole record and its export
    dialog; deleting another asks first; editing one keeps it ended, reopening it does not."""
    app, store, ids = world
    from textual.widgets import Markdown

    from store.errors import NotFound
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.export import ExportScreen
    from tui.screens.home import HomeScreen
    from tui.screens.session import SessionScreen

    store.reopen_session(ids["b1"])  # its review set Bo's next meeting: it goes with it
    store.end_reviewed(ids["b1"], next_meeting=(TODAY.date(), "10:00", 30))
    store.set_pulse(ids["a2"], 4, "busy [b]week[/b]")  # what the session recorded: said too
    store.add_feedback(ids["alice"], session_id=ids["a2"], kind="praise",
                       situation="The roadmap review", behaviour="led it\x07 calmly")
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        # the whole record
        screen = await open_detail(pilot, ids["a2"])
        text = "\n".join(m.source for m in screen.query(Markdown))
        assert screen.query_one("#detail-recorded").source == (  # before the items
            "## Recorded\n\n- Pulse: 4/5 (busy \\[b\\]week\\[/b\\])\n"
            "- Feedback (praise, given)\n  - Situation: The roadmap review\n"
            "  - Behaviour: led it␇ calmly")
        assert text.index("## Recorded") < text.index("## Items")
        assert "# Alice Martin · 1-on-1" in text
        assert "Alice mentioned the budget freeze worries her team." in text
        assert "## 7. Private reflection 🔒 private" in text
        assert "### Action items" in text and "### Decisions" in text and "### Goals" in text
        assert "Send the roadmap draft — owner Alice Martin · due 2025-02-20 · open" in text
        assert "Book the offsite — owner me · due 2025-03-10 · open" in text
        times = screen.query_one("#detail-times")
        assert times.row_count == 8  # seven stages and the total
        assert [cell_text(times, 5, c) for c in range(3)] == \
            ["6. Commitments", "2 min", "7 min"]  # the export's words for time
        await pilot.press("x")  # the export dialog, for this session
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.session_ids == [ids["a2"]]
        await pilot.press("escape", "escape")  # nothing typed: closed at once; then home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        home = app.screen
        await pilot.press("j", "x")  # from the list too: the highlighted session's
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.session_ids == [home.selected_row().summary.id]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home

        # deleting asks first
        await open_detail(pilot, ids["b1"])
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # and says what else goes, before
        assert str(app.screen.query_one("#confirm-message").render()).endswith(
            "\nAlso taken back: the next meeting its review set.")
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
        assert store.next_meeting(ids["bo"]) is None
        assert [n.message for n in app._notifications][-1] == (
            "session deleted; taken back: the next meeting its review set")
        assert isinstance(app.screen, HomeScreen)
        assert ids["b1"] not in row_keys(app.screen.query_one("#sessions"))

        # edit, then reopen
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

        def offered() -> tuple[set[str], set[str]]:  # the footer's ids, the palette's titles
            return ({b.binding.id for b in screen.active_bindings.values() if b.binding.show},
                    {c.title for c in screen.commands()})

        footer, palette = offered()  # ended: r Reopen offered
        assert "reopen" in footer and "Reopen session" in palette
        await pilot.press("r")  # asks first: a stray r would drop its end from the record
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "ending it again records a new end" in str(
            app.screen.query_one("#confirm-message").render())
        await pilot.press("n")
        await pilot.pause()
        assert store.session(ids["a2"]).ended_at is not None
        await pilot.press("r", "y")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        reopened = store.session(ids["a2"])
        assert reopened.ended_at is None and reopened.amended_at is not None
        await pilot.press("escape")  # back on its detail, now active: nothing to reopen
        await settle(pilot)
        assert app.screen is screen
        footer, palette = offered()
        assert "reopen" not in footer and "Reopen session" not in palette
        assert "edit" in footer and "Edit session" in palette


def test_the_delete_question_names_each_thing_deleting_takes_back():
    """One phrase per thing, only those that apply (the question before, the toast after)."""
    from store import TakenBack
    from tui.screens.detail import taken_back_text

    assert taken_back_text(TakenBack(), "Sam") == ""
    assert taken_back_text(TakenBack(roster="off"), "Sam") == "Sam's place on the roster"
    assert taken_back_text(TakenBack(roster="declined"), "Sam") == (
        "Sam declined on the roster (the refusal stays)")
    assert taken_back_text(TakenBack(meeting=True, roster="planned", consent="given"), "Sam") == (
        "the next meeting its review set; Sam planned again on the roster; the consent given at it")


# ---------------------------------------------------------------------- snapshots
def snapshot_app(tmp_path):
    return make_world(tmp_path, Clock(TODAY))


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


def test_an_item_wraps_in_its_column_cut_only_past_its_lines():
    """Items' text column (F3): wrapped to the column, by cells (wide characters take two),
    an ellipsis only past the lines it may take."""
    from rich.console import Console

    from tui.widgets.browse import wrapped

    console = Console()
    assert wrapped(console, "Write up the migration plan for the billing system", 20,
                   most=2).plain == "Write up the\nmigration plan for …"
    assert wrapped(console, "日本語のタイトル", 10).plain == "日本語のタ\nイトル"
    assert wrapped(console, "Send\tthe FAQ", 20).plain == "Send the FAQ"


@given(st.text(), st.integers(min_value=1, max_value=40))
def test_a_clipped_text_fits_its_cells_and_one_that_fits_is_unchanged(text, width):
    """Names and titles in the lists (:func:`clip`): measured and cut by terminal cells, as a
    table column is drawn (a CJK character or an emoji takes two: cut by count, a name
    overflowed its column); an ellipsis when cut, the text as it was when it fits."""
    from rich.cells import cell_len

    from tui.widgets.browse import clip

    line = " ".join(visible(text).split())
    clipped = clip(text, width)
    assert cell_len(clipped) <= width
    if cell_len(line) <= width:
        assert clipped == line
    else:
        assert clipped.endswith("…")
        assert line.startswith(clipped.removesuffix("…"))


def test_a_table_cell_typed_as_a_str_is_text_not_markup():
    """Every list's table cell (BrowseTable): a str is shown as written, where a DataTable
    would read it as markup ("[/]" in a name raised, "[red]" styled the row)."""
    from rich.text import Text

    from tui.widgets.browse import shown

    for typed in ("[/]Ana", "Coach [red]x[/red]", "Eve\x07"):
        cell = shown(typed)
        assert isinstance(cell, Text) and cell.plain == visible(typed) and not cell.spans


def test_the_reviews_feedback_block_shows_a_control_as_the_lists_do():
    """The end review's feedback log block quotes what was typed in the form: a BEL in it is
    shown as ␇ (a Rich Text drops it without a trace)."""
    from store import Feedback
    from tui.screens.review_records import feedback_text

    entry = Feedback(id="f", person_id="p", session_id="s", direction="given",
                     kind="developmental", situation="Stand\x07up", behaviour="", impact="",
                     response="", next_step="", item_id=None, rev=1)
    text = feedback_text(entry, ["feedback"], lambda hint: hint).plain
    assert "Situation  Stand␇up" in text


def test_a_wide_name_is_cut_to_its_column():
    from tui.widgets.browse import clip

    assert clip("日本語のタイトル", 16) == "日本語のタイトル"  # 8 characters, 16 cells
    assert clip("日本語のタイトル", 10) == "日本語の…"  # was 8 characters of 10: 16 cells
    assert clip("Zoë 👩‍💻 Okafor", 6) == "Zoë …"


@given(st.text(alphabet="ab 🙂日\t…", max_size=60), st.text(alphabet="Ab🙂", min_size=1,
                                                           max_size=14),
       st.text(alphabet="ab 🙂日\t…", max_size=60), st.integers(min_value=10, max_value=60))
def test_a_search_result_fits_its_match_column_and_says_where_it_is_cut(
        before, match, after, width):
    """Search's Match column (:func:`snippet_text`): measured by cells, as the table draws it
    (an emoji took two, and the table cut the row's end, "…" and all, at the scrollbar); cut
    with "…" on the side it is cut, the match whole when it fits, else cut with "…" too."""
    from datetime import datetime

    from rich.cells import cell_len

    from store import Hit
    from tui.screens.search import MATCH_STYLE, snippet_text

    hit = Hit("note", "p", "s", "check-in", "", before + match + after, len(before),
              len(before) + len(match), datetime(2025, 1, 1))
    text = snippet_text(hit, width)
    shown = text.plain
    assert cell_len(shown) <= width
    before, after = before.replace("\t", " "), after.replace("\t", " ")
    [span] = [s for s in text.spans if s.style == MATCH_STYLE]
    marked = shown[span.start:span.end]
    if cell_len(match) >= width:
        assert shown == marked and (marked == match or marked.endswith("…") and
                                    match.startswith(marked.removesuffix("…")))
        return
    head, tail = shown[:span.start], shown[span.end:]
    assert marked == match
    assert head == before or head.startswith("…") and before.endswith(head[1:])
    assert tail == after or tail.endswith("…") and after.startswith(tail[:-1]) or (
        not tail and cell_len(head + match) == width)  # no cell left for it
    if cell_len(before + match + after) <= width:
        assert shown == before + match + after
