"""Interview programmes as campaigns in the app (issues 23 and 24): the screen keeps up with
interviews without being reopened, the roster (status, consent at the interview, who is still
to go), the leader x theme matrix, and retention after the synthesis is exported."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input, Label, TextArea

from guides.loader import builtin_guides
from tui.screens.programme import ProgrammeScreen
from tui.screens.programmes import ProgrammesScreen
from tui.screens.start import NewSessionScreen
from apptools import enter_text, make_app, settle as settle_app, show_programme

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan() -> dict:
    return next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()


async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


async def programme_screen(app, pilot, store, programme_id: str) -> ProgrammeScreen:
    return await show_programme(app, pilot, store, programme_id)


def text_of(widget) -> str:
    return str(widget.render())


def footer_whole(screen, width: int = 80) -> list[str]:
    """The footer's keys, each asserted whole: on the screen and none covering another (the
    palette's key, docked on the right, covered "f12 Hide" at 80 columns)."""
    from textual.widgets import Footer

    keys = sorted(screen.query_one(Footer).query("FooterKey"), key=lambda k: k.region.x)
    for key, after in zip(keys, keys[1:]):
        assert key.region.right <= after.region.x, f"{key.key} is under {after.key}"
    assert keys and keys[0].region.x >= 0 and keys[-1].region.right <= width
    return [key.key for key in keys]


def widths(table) -> list[int]:
    return [c.width for c in table.columns.values()]


def rows(table) -> list[list[str]]:
    return [[getattr(c, "plain", str(c)) for c in table.get_row_at(r)]
            for r in range(table.row_count)]


async def test_the_screen_keeps_up_with_an_interview_without_being_reopened(
        store, vault_path, clock):
    from tui.screens.session import SessionScreen

    programme = store.add_programme("Leaders")
    ben = store.add_person("Ben Okafor")
    session = store.start_session(ben.id, plan(), programme_id=programme.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await programme_screen(app, pilot, store, programme.id)
        assert "Nothing tagged yet" in text_of(screen.query_one("#matrix-hint"))
        await app.push_screen(SessionScreen(session.id))  # the interview goes on
        await settle(pilot)
        store.add_tag(session.id, "strength", "Sign-off is quick", stage="perception")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        hint = text_of(screen.query_one("#matrix-hint"))
        assert "Nothing tagged yet" not in hint and "lists a cell's passages" in hint
        assert "1 interview, 1 passage, 0 gaps" in text_of(screen.query_one("#programme-header"))
        app.store = None


@pytest.fixture
def campaign(store, clock):
    programme = store.add_programme("Leaders")
    ana = store.add_person("Ana Silva")
    people = {name: store.add_person(name) for name in ("Ben Okafor", "Cara Lind", "Dev Patel",
                                                         "Eve Moss")}
    for name in ("Ben Okafor", "Cara Lind", "Dev Patel"):
        store.add_to_roster(programme.id, people[name].id)
    sessions = {}
    for name in ("Ben Okafor", "Cara Lind", "Dev Patel", "Eve Moss"):  # Eve: not on the roster
        session = store.start_session(people[name].id, plan(), programme_id=programme.id)
        store.add_tag(session.id, "strength", f"Ana listens ({name})", subject_id=ana.id)
        if name != "Dev Patel":
            store.add_tag(session.id, "concern", f"Ana is late ({name})", subject_id=ana.id)
        store.end_session(session.id)
        sessions[name] = session
        clock.advance(3600)
        if name == "Cara Lind":
            break  # Dev and Eve are not interviewed yet
    return programme, ana, people, sessions


async def test_the_roster_says_who_is_still_to_go_and_records_consent(
        store, vault_path, clock, campaign):
    from tui.screens.person_dialogs import Picker
    from tui.screens.programme_roster import RosterDialog

    programme, ana, people, sessions = campaign
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await programme_screen(app, pilot, store, programme.id)
        # at 80 columns every key of its footer is whole, running and closed (below)
        assert footer_whole(screen)[:2] == ["i", "s"] and "f12" in footer_whole(screen)
        # the matrix takes the room: names whole in columns as wide as the screen allows (at
        # most 24 cells each), the themes' column as wide as the longest; sized again when
        # the terminal is (below)
        matrix = screen.query_one("#matrix", DataTable)
        assert widths(matrix) == [len("organisation needs"), 24, 24, 3]
        assert matrix.fixed_columns == 1  # the themes stay when it scrolls sideways
        hint = screen.query_one("#matrix-hint")  # whole on its one line, its last word too
        assert text_of(hint).endswith("1-5 tabs")
        assert cell_len(text_of(hint)) <= hint.content_region.width
        assert [c.label.plain for c in matrix.columns.values()] == [
            "Theme", "Ben Okafor", "Cara Lind", "All"]
        # i on the Matrix tab: the next still to go on the roster (it was an empty name); a
        # name typed on the guide list replaces it ("Dev PatelE")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, NewSessionScreen)
        person = app.screen.query_one("#person", Input)
        assert person.value == "Dev Patel"
        await pilot.press("E")
        assert person.value == "E"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("4")
        await pilot.pause()
        roster = screen.query_one("#roster", DataTable)
        assert roster.has_focus
        assert [r[:2] for r in rows(roster)] == [["Ben Okafor", "planned"],
                                                 ["Cara Lind", "planned"],
                                                 ["Dev Patel", "planned"]]
        line = text_of(screen.query_one("#roster-line"))
        assert "3 on the roster: 2 interviewed, 1 planned; still to go: Dev Patel" in line
        assert "1 still to go" in text_of(screen.query_one("#programme-header"))
        # Enter on Ben: done, consent given (recorded at his interview)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RosterDialog)
        await pilot.press("right", "right", "tab", "right", "enter")
        await settle(pilot)
        [place] = [p for p in store.roster(programme.id) if p.person_id == people["Ben Okafor"].id]
        assert (place.status, place.consent) == ("done", "given")
        assert place.session_id == sessions["Ben Okafor"].id
        assert rows(roster)[0][:3] == ["Ben Okafor", "done", "✓ given"]
        assert "3 on the roster: 1 interviewed, 1 planned, 1 done;" in text_of(
            screen.query_one("#roster-line"))
        # a puts someone on the roster: Eve
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, Picker)
        await pilot.press(*"ben")  # on it already: said, beside "+ add ben, someone new"
        await pilot.pause()
        assert text_of(app.screen.query_one("#picker-none")) == "On the roster already: Ben Okafor"
        await pilot.press(*["backspace"] * 3)
        await pilot.press(*"eve", "enter")
        await settle(pilot)
        assert [r[0] for r in rows(roster)][-1] == "Eve Moss"
        assert "still to go: Dev Patel, Eve Moss" in text_of(screen.query_one("#roster-line"))
        # the round closed (c, here too): the roster is its record, nobody is to go any more
        await pilot.press("c")
        await settle(pilot)
        assert store.programme(programme.id).closed_at is not None
        header = text_of(screen.query_one("#programme-header"))  # closed first, none to go
        assert header.startswith("Leaders  ·  closed  ·  ") and "to go" not in header
        assert text_of(screen.query_one("#roster-line")).endswith(
            "; never interviewed: Dev Patel, Eve Moss")
        assert "Closed: ⏎ records how it went" in text_of(screen.query_one("#roster-hint"))
        # said with the key that undoes it; the matrix's hint says it first (a toast covers
        # the right half of its line at 80 columns), no more "i interviews someone"
        assert any(n.message == "Leaders closed: no new interviews (c reopens it)"
                   for n in app._notifications)
        assert text_of(screen.query_one("#matrix-hint")).startswith(
            "Round closed: c reopens it · ⏎ on a cell lists its passages")
        assert footer_whole(screen)[:2] == ["c", "s"] and "f12" in footer_whole(screen)
        await pilot.press("a")  # nobody new on it: said, nothing asked
        await pilot.pause()
        assert app.screen is screen and any(
            n.message == "the round is closed: nobody new goes on its roster (c reopens it)"
            for n in app._notifications)
        await pilot.press("i")  # no interview: said so, with the key that reopens it
        await pilot.pause()
        assert app.screen is screen and any(
            n.message == "Leaders is closed: no new interviews (c reopens it)"
            for n in app._notifications)
        await pilot.press("down", "down", "enter")  # Dev Patel, planned, never interviewed
        await pilot.pause()
        app.screen.query_one("#roster-note").value = "on leave"
        await pilot.press("right", "enter")  # scheduled: refused, the dialog still open
        await pilot.pause()
        assert "nobody is scheduled in it any more" in text_of(
            app.screen.query_one("#roster-error"))
        await pilot.press("right", "right", "enter")  # declined: saved, the note with it
        await settle(pilot)
        dev = next(p for p in store.roster(programme.id)
                   if p.person_id == people["Dev Patel"].id)
        assert (dev.status, dev.note) == ("declined", "on leave")
        await pilot.press("c")  # reopened from here: i Interview back in the footer
        await settle(pilot)
        assert store.programme(programme.id).closed_at is None
        shown = {b.binding.id for b in screen.active_bindings.values() if b.binding.show}
        assert "programme-interview" in shown and "reopen-programme" not in shown
        assert "closed" not in text_of(screen.query_one("#matrix-hint"))
        await pilot.resize_terminal(50, 24)  # less room: the themes' column a third of it
        await settle(pilot)
        assert widths(matrix) == [16, 10, 10, 3]
        assert rows(matrix)[5][0] == "organisation ne…"
        await pilot.resize_terminal(160, 48)  # room for the palette's key again
        await settle(pilot)
        assert footer_whole(screen, 160)[-1] == "ctrl+p"
        assert widths(matrix) == [len("organisation needs"), 24, 24, 3]
        app.store = None


async def test_someone_new_goes_on_the_roster_by_the_name_typed(store, vault_path, clock):
    from tui.screens.person_dialogs import Picker

    programme = store.add_programme("Leaders")
    store.add_person("Ben Okafor")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await programme_screen(app, pilot, store, programme.id)
        await pilot.press("4", "a")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, Picker)
        await enter_text(pilot, "Dana  Ruiz")  # at once (typed key by key: "ben" and "eve")
        await pilot.pause()
        options = picker.query_one("#picker-list")
        assert [str(o.prompt) for o in options.options] == ["+ add Dana Ruiz, someone new"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert [r[:2] for r in rows(screen.query_one("#roster", DataTable))] == [
            ["Dana Ruiz", "planned"]]
        assert [p.name for p in store.people()] == ["Ben Okafor", "Dana Ruiz"]
        # the name of someone known picks them, never a second person of that name
        await pilot.press("a")
        await pilot.pause()
        await enter_text(pilot, "ben okafor")
        await pilot.pause()
        assert [str(o.prompt) for o in app.screen.query_one("#picker-list").options] == [
            "Ben Okafor"]
        await pilot.press("enter")
        await settle(pilot)
        assert len(store.people()) == 2 and len(store.roster(programme.id)) == 2
        app.store = None


async def test_a_picker_without_someone_new_says_when_nothing_matches(
        store, vault_path, clock):
    from textual.widgets import Static

    from tui.screens.person_dialogs import Picker

    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await settle(pilot)
        picked = []
        app.push_screen(Picker("Which goal?", "", [("g1", "Lead the Q3 planning")]),
                        picked.append)
        await pilot.pause()
        await pilot.press(*"zebra", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Picker) and picked == []
        assert "Nothing matches “zebra”" in str(app.screen.query_one("#picker-none", Static)
                                                 .render())
        await pilot.press(*["backspace"] * 5, "enter")
        await pilot.pause()
        assert picked == ["g1"]
        app.store = None


def test_the_matrix_columns_share_the_room_then_scroll():
    """Names whole, up to 24 cells a column (or the longest name) where there is room; at
    least 9 (names clipped) where there is not, the themes' column staying as it scrolls."""
    from tui.screens.programme_matrix import Widths, fit

    themes = ["Theme", "perception", "organisation needs"]
    assert fit(158, themes, ["Ben Okafor", "Cara Lind"], ["1", "12"], ["All", "12"]) == \
        Widths(18, 24, 3)
    assert fit(158, themes, ["Maximiliane von Hohenberg-Ost"], ["1"]).names == 29
    many = [f"Colleague {n}" for n in range(8)]
    assert fit(78, themes, many, ["1"], ["All"]) == Widths(18, 9, 3)  # 8 x 11 > 78: scrolls
    assert fit(0, themes, many, ["1"], ["All"]) == Widths(18, 9, 3)  # not laid out yet


async def test_the_leader_matrix_applies_the_three_source_rule(
        store, vault_path, clock, campaign):
    from tui.screens.passages import PassagesScreen

    programme, ana, people, sessions = campaign
    third = store.start_session(people["Dev Patel"].id, plan(), programme_id=programme.id)
    store.add_tag(third.id, "strength", "Ana listens (Dev)", subject_id=ana.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await programme_screen(app, pilot, store, programme.id)
        await pilot.press("5")
        await pilot.pause()
        leaders = screen.query_one("#leaders", DataTable)
        assert [str(c.label) for c in leaders.columns.values()] == ["Theme", "Ana Silva"]
        cells = {str(row[0]): row[1] for row in (leaders.get_row_at(r)
                                                 for r in range(leaders.row_count))}
        assert cells["strength"].plain == "3 (3)" and cells["strength"].style == "bold"
        assert cells["concern"].plain == "2 (2)" and cells["concern"].style == "dim"
        leaders.move_cursor(row=list(cells).index("strength"), column=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert len(app.screen.passages) == 3
        app.store = None


async def test_retention_waits_for_an_export_then_says_what_goes(
        store, vault_path, clock, campaign):
    from tui.screens.confirm import ConfirmScreen

    programme, ana, people, sessions = campaign
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await programme_screen(app, pilot, store, programme.id)
        await pilot.press("R")
        await pilot.pause()
        assert app.screen is screen  # not exported yet: refused, nothing asked
        assert any("export the synthesis first" in n.message for n in app._notifications)
        assert len(store.sessions(programme_id=programme.id)) == 2
        store.record_export(kind="synthesis", format="md", destination="synthesis.md",
                            scope=f"programme {programme.name}, anonymised", count=1)
        await pilot.press("R")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        message = text_of(confirm.query_one("#confirm-message"))
        assert "deletes 2 sessions" in message and "keeps the programme" in message
        await pilot.press("y")
        await settle(pilot)
        assert store.sessions(programme_id=programme.id) == []
        assert len(store.kept_syntheses(programme.id)) == 1
        # what is left is the synthesis kept: said, and what x exports (not an empty one)
        assert "raw notes destroyed, synthesis kept" in \
            text_of(screen.query_one("#programme-header"))
        await pilot.press("4", "enter")  # interviewed, not "recorded at the interview: none yet"
        await pilot.pause()
        assert [str(label.render()) for label in app.screen.query(Label)
                if str(label.render()).startswith("Consent")] == ["Consent"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await settle(pilot)
        assert "2 interviews with 2 interviewees" in \
            app.screen.query_one("#export-preview", TextArea).text
        # the 360 over: on the programmes list, Delete takes it away (not one not exported)
        other = store.add_programme("Other")
        store.start_session(people["Eve Moss"].id, plan(), programme_id=other.id)
        await pilot.press("escape", "escape", "f4")
        await settle(pilot)
        listed = app.screen
        assert isinstance(listed, ProgrammesScreen)
        table = listed.query_one("#programme-list", DataTable)
        assert rows(table)[0][:2] == [
            "Leaders", "kept (2)"]  # its interviews' raw notes destroyed, not "0"
        # its round over: closed, listed after the running ones, the cursor still on it
        await pilot.press("c")
        await settle(pilot)
        assert [(r[0], r[4].split()[0]) for r in rows(table)] == [
            ("Other", "running"), ("Leaders", "closed")]
        assert table.cursor_row == 1 and store.programme(programme.id).closed_at is not None
        assert text_of(listed.query_one("#programmes-status")) == (
            "2 programmes, 1 closed  ·  c closes a finished round (or reopens it)")
        await pilot.press("enter")  # still opened as before, said closed; no interview in it
        await settle(pilot)
        closed = app.screen
        assert "closed" in text_of(closed.query_one("#programme-header"))

        def footer() -> set[str]:
            return {b.binding.id for b in closed.active_bindings.values() if b.binding.show}

        # what it can do is in the footer: c Reopen round, not i Interview (the roster:
        # test_the_roster_says_who_is_still_to_go_and_records_consent)
        assert "reopen-programme" in footer() and "programme-interview" not in footer()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listed
        await pilot.press("up", "delete")
        await pilot.pause()
        assert app.screen is listed and any(
            n.message == "export the synthesis of Other first (⏎ opens it, then x); nothing was "
            "deleted" for n in app._notifications)
        await pilot.press("down", "delete")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert text_of(confirm.query_one("#confirm-message")) == (
            "This deletes it with 3 roster places and 1 kept synthesis; the people stay. It "
            "cannot be undone.")
        await pilot.press("y")
        await settle(pilot)
        assert [p.name for p in store.programmes()] == ["Other"]
        assert rows(listed.query_one("#programme-list", DataTable))[0][0] == "Other"
        app.store = None
