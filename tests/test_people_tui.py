"""People, a person's timeline, the items screen and the palette, in the app: Pilot over the
shared seeded world (:mod:`browse_world`) with an injected clock."""

from __future__ import annotations

from browse_world import (  # noqa: F401 (fixtures: tz_utc is autouse)
    SIZE, cell_text, clock, row_keys, settle, tz_utc, unlocked, utc, world,
)


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
        assert rows["Bo Chen"][3:5] == ["monthly", "today"]  # feedback only: no 1-on-1 yet
        assert rows["Bo Chen"][7] == "1 (1 at risk)"
        assert rows["Dana Ruiz"][1:5] == ["0", "", "fortnightly", "today"]
        assert rows["Chidi [ops] Okafor"][3:5] == ["—", ""]
        assert "1 overdue · 2 today" in str(screen.query_one("#people-status").render())

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

        # four weeks later: the list reloads when it comes back; Bo, with a feedback session
        # and no 1-on-1 yet, is due (today) as Dana, who has never met
        app.clock.set(utc(2025, 3, 29, 9, 0))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        rows = people_rows(screen)
        assert rows["Bo Chen"][4] == "today"
        assert rows["Alice Martin"][4] == "overdue since 2025-02-17"
        assert rows["Dana Ruiz"][4] == "today"


async def test_people_narrow_terminal_uses_relative_dates_and_enter_shows_a_jot_whole(world):
    """At 80x24 the people list's dates are relative; "Last met" is the last ended session's,
    as Prepare says it, one still open marked (and sorted by). Then a person's timeline cuts a
    jot to one line of its column; Enter on it shows every line of it (it did nothing), markup
    as typed, and Escape comes back to the timeline. A person's page says "last met" so too."""
    app, store, ids = world
    from guides.loader import builtin_guides
    from tui.screens.jot import JotView
    from tui.screens.person import PersonScreen

    text = ("Asked about the [b]staff engineer[/b] path again: wants a sponsor, not a course."
            "\nFollow up with Dana about the architecture forum seat.")
    app.clock.set(utc(2025, 3, 3, 12, 0))  # the world's day, later on
    store.add_jot(ids["alice"], text)
    feedback = next(g for g in builtin_guides() if g.id == "feedback").to_snapshot()
    store.start_session(ids["bo"], feedback, started_at=utc(2025, 2, 20, 9, 0))  # never ended
    async with app.run_test(size=(80, 24)) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f2")
        await settle(pilot)
        table = app.screen.query_one("#people-table")
        assert [str(c.label) for c in table.columns.values()] == \
            ["Name", "Last met", "Cadence", "Next", "Open", "Goals", "Pulse"]
        rows = people_rows(app.screen)
        assert rows["Alice Martin"][3:] == ["14d overdue", "1 · 1", "1", ""]
        assert rows["Bo Chen"][3:] == ["today", "", "1 !", ""]  # feedback is not a 1-on-1
        assert rows["Dana Ruiz"][3] == "today"
        # Prepare's "last met 2025-02-25 · still open: 2025-02-20" and "no ended session yet
        # · still open: 2025-03-01", in a few cells; Dana has never met
        assert [rows[name][1] for name in ("Alice Martin", "Bo Chen", "Chidi [ops] Ok…",
                                           "Dana Ruiz")] == ["2025-02-10", "2025-02-25 ●", "●", ""]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 78
        # the counts and the legend of the narrow columns: wrapped on two lines, not cut
        status = app.screen.query_one("#people-status")
        assert "a run of low pulses; ● a session still open" in str(status.render())
        assert status.size.height == 2
        await pilot.press("ctrl+s")  # by last met, latest first; one still open after none
        await settle(pilot)
        assert row_keys(table) == [ids["bo"], ids["alice"], ids["chidi"], ids["dana"]]
        table.move_cursor(row=2)
        await pilot.press("enter")  # Chidi's page says it as Prepare does
        await settle(pilot)
        header = str(app.screen.query_one("#person-header").render())
        assert "1 session  ·  still open: 2025-03-01  ·  next" in header, header
        assert "last met" not in header
        await pilot.press("escape")
        await settle(pilot)

        await app.push_screen(PersonScreen(ids["alice"]))
        await settle(pilot)
        screen = app.screen
        timeline = screen.query_one("#person-timeline")
        cut = cell_text(timeline, 0, 2)
        assert cut.endswith("…")  # cut in the timeline
        # a resize that keeps the width refills nothing; another width cuts again
        clear, cleared = timeline.clear, []
        timeline.clear = lambda *a, **k: (cleared.append(1), clear(*a, **k))[1]
        await pilot.resize_terminal(80, 30)
        await settle(pilot)
        assert cleared == [] and screen.filled_width == 80
        await pilot.resize_terminal(120, 24)
        await settle(pilot)
        assert cleared == [1] and screen.filled_width == 120
        assert len(cell_text(timeline, 0, 2)) > len(cut) and cell_text(timeline, 0, 2) != cut
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert cell_text(timeline, 0, 2) == cut
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JotView)
        shown = app.screen.query_one("#jot-view-text Static").render()
        assert str(shown) == text
        assert "Jot about Alice Martin  ·  2025-03-03 12:00" in str(
            app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and timeline.has_focus


async def test_the_items_screen_shows_names_whole_when_wide(world):
    """At 80 columns a name gives way to the item's text (14 cells); at 160 there is room for
    both, and the name is whole (it was cut to 14 there too). At 80 the counts wrap rather than
    lose the goals. Their page's timeline: a long guide name cut at 80, whole at 160."""
    app, store, ids = world
    from tui.screens.person import PersonScreen

    name = "Maximiliane von Hohenberg"
    person = store.add_person(name)
    session = store.start_session(person.id, {"id": "g", "name": "Leadership interview",
                                              "stages": []}, title="Leadership interview, Max")
    store.add_item(session.id, "action", "Book the review", owner="them", due="2025-03-20")
    async with app.run_test(size=(160, 48)) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f3")
        await settle(pilot)
        actions = app.screen.query_one("#items-actions")
        names = [cell_text(actions, r, 1) for r in range(actions.row_count)]
        assert name in names and not any(n.endswith("…") for n in names)
        # tables refilled and drawn before their idle, as on a resize in a terminal: the rows
        # were cut to the column labels' widths ("at-ris  Bo Che") and kept so
        goals = app.screen.query_one("#items-goals")
        app.screen.refresh_tables()
        assert goals.render_line(1).text.startswith(" at-risk   Bo Chen  "), \
            goals.render_line(1).text
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        names = [cell_text(actions, r, 1) for r in range(actions.row_count)]
        assert "Maximiliane v…" in names
        # at 80 columns the counts wrap rather than lose the goals (was a test of its own, on
        # the same items screen started at 80x24)
        status = app.screen.query_one("#items-status")
        assert str(status.render()).endswith("2 goals") and len(str(status.render())) > 78
        assert status.size.height == 2, "the counts wrap at 80 columns"

        await app.push_screen(PersonScreen(person.id))
        await settle(pilot)
        timeline, items = (app.screen.query_one(f"#person-{n}") for n in ("timeline", "items"))
        assert cell_text(timeline, 0, 1) == "● Leadership inte…"  # 80 columns: as it was
        # a title over 22 cells and "1 open": the row was a cell wider than the pane at 80
        assert fits(timeline) and fits(items), (80, timeline.virtual_size,
                                                 timeline.scrollable_content_region)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert fits(timeline) and fits(items), (100, timeline.virtual_size,
                                                 timeline.scrollable_content_region)
        await pilot.resize_terminal(160, 48)  # beside the items, room for the whole name
        await settle(pilot)
        assert cell_text(timeline, 0, 1) == "● Leadership interview"
        # the title has what its time leaves: the row stays within the pane
        assert cell_text(timeline, 0, 2) == "Leadership int…  0m spent · 1 open"
        assert fits(timeline) and fits(items), (160, timeline.virtual_size,
                                                 timeline.scrollable_content_region)


def fits(table) -> bool:
    """Every row of ``table`` within its pane: no wider than where its rows are drawn (the
    region left of a vertical scrollbar), so no sideways scrollbar."""
    return (table.virtual_size.width <= table.scrollable_content_region.width
            and not table.show_horizontal_scrollbar)


async def test_person_timeline_items_done_goal_check_in_and_jot_in_next_follow_up(world):
    """Alice's page: the timeline and open items, n writing a jot, Enter opening a session; d
    marking an item done and open again, s checking in on a goal; then the next session's
    follow-up lists both jots."""
    app, store, ids = world
    from textual.widgets import TextArea

    from tui.screens.goal_dialogs import CheckInDialog
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

        # d marks the highlighted item done (and open again); s checks in on a goal
        await pilot.press("tab")
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

        # a binding's keys read "/ or f" ("/ / f" read as three keys), in the table of keys
        # and in the help's prose (was test_keys' test_a_slash_key_is_named_with_or_...)
        assert ("/ or f", "Filter") in app.screen.rows()
        shown = "\n".join(str(m.source) for m in app.screen.query(Markdown))
        assert "**/ or f** moves to the filter" in shown and "//f" not in shown
        from tui.keys import key_label

        assert key_label(app, "filter") == "/ or f"
        assert key_label(app, "filter", first=True) == "/"
        assert key_label(app, "new-session") == "^n"
        await pilot.press("escape")
        await pilot.pause()
        await app.push_screen(ItemsScreen())
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert ("d", "Done") in app.screen.rows()
        await pilot.press("escape")
        await pilot.pause()

        # the sections' keys work from every browsing screen, and switching replaces:
        # Home under one section at a time, a section already open below is gone back to
        def stack() -> list[str]:
            return [type(s).__name__ for s in app.screen_stack[1:]]  # above the unlock screen

        await pilot.press("f2")  # Items -> People, in its place
        await settle(pilot)
        assert stack() == ["HomeScreen", "PeopleScreen"]
        people = app.screen
        await pilot.press("enter")  # a person's page
        await settle(pilot)
        assert stack() == ["HomeScreen", "PeopleScreen", "PersonScreen"]
        await pilot.press("f2")  # People again: the one below, where it was left
        await settle(pilot)
        assert app.screen is people and len(stack()) == 2
        await pilot.press("s")  # search, from People
        await settle(pilot)
        assert stack() == ["HomeScreen", "SearchScreen"]
        await pilot.press("f4")  # a key that does not type: the query field has the focus
        await settle(pilot)
        assert stack() == ["HomeScreen", "ProgrammesScreen"]
        app.push_screen(SessionDetailScreen(ids["a1"]))
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert stack() == ["HomeScreen", "QuestionBankScreen"]
        # a remapped key works there too, the palette and F1 name it
        app.set_keymap({"items": "f7"})
        await pilot.press("f3")
        await settle(pilot)
        assert stack() == ["HomeScreen", "QuestionBankScreen"]
        assert "Items" in {c.title for c in app.screen.commands()}
        await pilot.press("f1")
        await pilot.pause()
        assert ("f7", "Items") in app.screen.rows()
        await pilot.press("escape", "f7")
        await settle(pilot)
        assert stack() == ["HomeScreen", "ItemsScreen"]
        await pilot.press("escape")  # back from a section: Home
        await settle(pilot)
        assert stack() == ["HomeScreen"]
