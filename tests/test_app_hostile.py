"""Hostile text (terminal escapes in a name, a title, a note) is shown, never obeyed: every line
the app draws passes through ShowControls on its way to the terminal."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from rich.segment import Segment
from textual.widgets import Input

from guides.loader import builtin_guides
from store import CONTROLS, visible
from tui import format as fmt
from tui.app import ShowControls
from tui.screens.session import SessionScreen
from apptools import make_app, settle, until

pytestmark = pytest.mark.usefixtures("utc_zone")

HOSTILE = "Eve\x1b]2;pwned\x1b\\\x1b[31mRED\x07\x9b2J\u202e"


def test_the_filter_shows_controls_and_keeps_the_width():
    line = [Segment("ab"), Segment(HOSTILE), Segment("cd")]
    width = Segment.get_line_length(line)
    shown = ShowControls().apply(line, None)  # type: ignore[arg-type]
    text = "".join(s.text for s in shown)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert text.startswith("abEve␛]2;pwned") and Segment.get_line_length(shown) == width
    plain = [Segment("plain text")]
    assert ShowControls().apply(plain, None) is plain  # type: ignore[arg-type]


@given(st.text())
def test_a_text_opened_in_an_input_shows_all_of_itself_and_saves_as_it_was(text):
    """A name, title or item opened to edit: every control shown (an Input draws no BEL, yet
    counts it), and saved untouched the stored text stays exactly as it was."""
    shown = fmt.editable(text)
    assert not CONTROLS.search(shown)
    assert fmt.as_edited(shown, text) == text
    assert fmt.as_edited(shown + "x", text) == shown + "x"


@given(st.text())
def test_a_name_is_matched_as_stored_as_shown_or_with_its_controls_left_out(text):
    """What a name field offers (its suggestions) holds no control, and each form of the name
    is taken as it, in any case, and so is its start: BEL typed as ␇, or left out."""
    assert not any(CONTROLS.search(form) for form in fmt.typed_forms(text))
    for form in fmt.name_forms(text):
        assert fmt.name_matches(form, text) and fmt.name_matches(form[:2], text, start=True)
    bel = "Ann\x07 Lee"
    assert fmt.typed_forms(bel) == ("Ann␇ Lee", "Ann Lee")
    assert fmt.name_matches("ann lee", bel) and fmt.name_matches("ANN␇  Lee", bel)
    assert not fmt.name_matches("Ann", bel) and fmt.name_matches("ann l", bel, start=True)


async def test_a_hostile_name_title_and_note_reach_the_screen_as_stand_ins(store, vault_path,
                                                                         clock):
    from tui.screens.capture import CaptureScreen
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.jot import JotScreen
    from tui.screens.person import PersonScreen
    from tui.screens.person_dialogs import EraseDialog
    from tui.screens.prepare import PrepareScreen
    from tui.screens.programme import ProgrammeScreen
    from tui.screens.pulse import PulseDialog

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    eve = store.add_person(HOSTILE)
    session = store.start_session(eve.id, plan, title=HOSTILE)
    store.save_note(session.id, plan["stages"][0]["key"], f"note {HOSTILE}")
    programme = store.add_programme(HOSTILE)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.notify(f"saved for {HOSTILE}")
        await pilot.pause()
        shots = [app.export_screenshot()]
        app.push_screen(SessionScreen(session.id))
        await pilot.pause()
        shots.append(app.export_screenshot())
        # the headers that name them show it as the lists do: BEL as ␇ (Rich dropped it)
        headers = [str(app.screen.query_one("#session-header").render())]
        for screen, header in ((PersonScreen(eve.id), "#person-header"),
                               (PrepareScreen(eve.id), "#prepare-header"),
                               (SessionDetailScreen(session.id), "#detail-status"),
                               (ProgrammeScreen(programme.id), "#programme-header")):
            app.push_screen(screen)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shots.append(app.export_screenshot())
            headers.append(str(app.screen.query_one(header).render()))
            if header == "#person-header":  # their name edited: shown as the lists show it
                await pilot.press("e")
                await pilot.pause()
                name = app.screen.query_one("#person-name", Input)
                assert name.value == visible(HOSTILE)  # nothing hidden (a BEL took no cell)
                assert visible(HOSTILE) in str(app.screen.query_one(".dialog-title").render())
                await pilot.press("enter")  # saved as it is: the name stays as stored
                await settle(app, pilot)
                assert store.person(eve.id).name == HOSTILE
                toasts = [n.message for n in app._notifications]
                assert f"{visible(HOSTILE)} saved" in toasts[-1]  # one wording, no "(was ...)"
                shots.append(app.export_screenshot())
                # dialogs that name them: a confirm, a dialog's title, a choice, a label
                for dialog in (ConfirmScreen(f"Merge {HOSTILE}?", f"{HOSTILE} goes."),
                               JotScreen(HOSTILE), CaptureScreen(participant=HOSTILE),
                               PulseDialog(HOSTILE), EraseDialog(HOSTILE, "all of it")):
                    erased: list[object] = []
                    app.push_screen(dialog, erased.append)
                    await pilot.pause()
                    drawn = " ".join(str(w.render()) for w in dialog.query("Static, Label"))
                    assert visible(HOSTILE) in drawn, type(dialog).__name__
                    if isinstance(dialog, EraseDialog):  # typed as shown, or without the
                        dialog.query_one(Input).value = CONTROLS.sub("", HOSTILE)  # controls
                        dialog.save()
                        await pilot.pause()
                        assert erased == [True]
                        app.push_screen(EraseDialog(HOSTILE, "all of it"), erased.append)
                        await pilot.pause()
                        app.screen.query_one(Input).value = visible(HOSTILE)
                        await pilot.press("enter")
                        await pilot.pause()
                        assert erased == [True, True]
                    else:
                        app.pop_screen()
                    await pilot.pause()
        app.store = None
    for header in headers:
        assert visible(HOSTILE) in header, header
    assert "RED␇" in shots[0]  # the toast quotes it as the lists do (BEL was dropped)
    for shot in shots:
        assert "\x1b" not in shot and "\x9b" not in shot and "\u202e" not in shot
        assert "\x07" not in shot and "Eve␛]2;pwned" in shot


MARKUP = "Mallory [/] [red]loud[/red] [bold"


async def test_markup_in_a_name_a_title_and_a_note_is_shown_as_written(store, vault_path,
                                                                         clock):
    """Square brackets in a record are text: no style applied, no MarkupError (a crash)."""
    from textual.widgets import TextArea

    from tui.screens.capture import CaptureScreen
    from tui.screens.leader_picker import LeaderPicker
    from tui.screens.person import PersonScreen
    from tui.screens.person_dialogs import MeetingDialog
    from tui.screens.programmes import ProgrammesScreen
    from tui.screens.tagging import TagDialog

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    mallory = store.add_person(MARKUP)
    session = store.start_session(mallory.id, plan, title=MARKUP)
    store.save_note(session.id, plan["stages"][0]["key"], f"said {MARKUP}")
    store.add_jot(mallory.id, MARKUP)
    store.add_programme(MARKUP, purpose=MARKUP)  # the programmes list: a table of names
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        # each shot waits for what it shows (a pause alone returns early on a loaded machine)
        def rows(table: str) -> int:
            return sum(t.row_count for t in app.screen.query(table))

        app.unlocked(store)
        await until(app, pilot, lambda: rows("#sessions") == 1, "the home list's row")
        app.screen.notify("screen [red]toast[/red] [/]")
        app.notify("app [b]toast[/b] [/]")
        await until(app, pilot, lambda: len([t for t in app.screen.query("Toast")
                                             if t.is_mounted]) == 2, "two toasts")
        shots = [app.export_screenshot()]
        shown = shots[0].replace("&#160;", " ")
        assert "screen [red]toast[/red] [/]" in shown and "app [b]toast[/b] [/]" in shown
        await app.push_screen(PersonScreen(mallory.id))
        await until(app, pilot, lambda: app.screen.sub_title == MARKUP, "the person read")
        shots.append(app.export_screenshot())
        await app.pop_screen()
        await app.push_screen(SessionScreen(session.id))
        notes = app.screen.query_one(TextArea)
        await until(app, pilot, lambda: MARKUP in notes.text, "the notes")
        notes.select_all()
        await app.push_screen(TagDialog(notes.text, ["trust"], [(mallory.id, MARKUP)]))
        await pilot.pause()
        shots.append(app.export_screenshot())
        assert f"said {MARKUP}" in shots[-1].replace("&#160;", " ")  # the passage, as written
        await app.pop_screen()
        await app.push_screen(CaptureScreen(participant=MARKUP))  # "Whose is it?" names them
        await pilot.pause()
        shots.append(app.export_screenshot())
        await app.pop_screen()
        await app.push_screen(LeaderPicker([(mallory.id, MARKUP)]))  # an option list of names
        await pilot.pause()
        shots.append(app.export_screenshot())
        await app.pop_screen()
        await app.push_screen(ProgrammesScreen())
        await until(app, pilot, lambda: rows("#programme-list") == 1, "the programmes list")
        shots.append(app.export_screenshot())
        await app.pop_screen()
        # a title made of a name and keys: "{quit}" in a name is the name, not ctrl+q
        await app.push_screen(MeetingDialog("Mallory {quit}", clock.now().date()))
        await pilot.pause()
        braced = app.export_screenshot().replace("&#160;", " ")
        assert "Next meeting with Mallory {quit}  ·  Tab moves" in braced
        app.store = None
    for shot in shots:
        assert MARKUP in shot.replace("&#160;", " ")


async def test_a_hostile_name_keeps_its_row_to_the_columns(store, vault_path, clock):
    """The stand-in of ``ESC`` takes a cell where ``ESC`` took none: a table cell shows the
    stand-ins before the row is laid out, so the columns after the name line up with the
    other rows' (they were pushed right, and the row's end cut off)."""
    from rich.cells import cell_len

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    for name in ("Eve \x1b]0;pwned\x07Park", "Ann Lee"):
        store.start_session(store.add_person(name).id, plan, title="Weekly")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        offsets, shown = [], []
        for y in (1, 2):  # the two rows, under the header
            line = ShowControls().apply(list(table.render_line(y)), None)  # type: ignore[arg-type]
            text = "".join(s.text for s in line)
            offsets.append(cell_len(text[:text.index("Weekly")]))
            assert "\x1b" not in text
            shown.append(text)
        assert offsets[0] == offsets[1]
        assert "Eve ␛]0;pwned␇Park" in shown[0]  # BEL shown too, not dropped
        app.store = None
