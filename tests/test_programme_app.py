"""Programmes in the app, driven by Pilot on a real vault: create, interview, tag, synthesise
(the drill-down, untagging, the leader's report and the exports). The tag dialog's own tests are
in test_tag_dialog, the strategy items' in test_strategy_app."""

from __future__ import annotations

import os
import stat

import pytest
from textual.coordinate import Coordinate
from textual.widgets import (
    DataTable, Input, Markdown, OptionList, RadioButton, SelectionList, Static, TextArea,
)
from textual.widgets.text_area import Selection

from guides.loader import builtin_guides
from store.models import DEFAULT_THEMES
from store.synthesis import build
from store.synthesis_render import render
from store.synthesis_report import programme_report
from tui.screens.confirm import ConfirmScreen
from tui.screens.home import HomeScreen
from tui.screens.export import ExportScreen
from tui.screens.new_programme import NewProgrammeDialog
from tui.screens.passages import PassagesScreen
from tui.screens.programme import ProgrammeScreen
from tui.screens.programmes import ProgrammesScreen
from tui.screens.report import ReportScreen
from tui.screens.strategy import StrategyDialog
from tui.screens.session import SessionScreen
from tui.screens.start import NewSessionScreen
from tui.screens.tagging import TagDialog
from tui.widgets.options import WrappingOptionList
from tui.widgets.session import NotesArea
from apptools import enter_text, led_programme, make_app, settle, show_programme, unlock_with


pytestmark = pytest.mark.usefixtures("utc_zone")


def plan() -> dict:
    return next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()


async def type_text(pilot, text: str) -> None:
    """Into the focused field (the typing itself is tested in test_app_dialogs)."""
    await enter_text(pilot, text)


async def interview(app, pilot, name: str) -> SessionScreen:
    """From the programme screen: i, keep the preselected guide, type the participant."""
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, NewSessionScreen)
    await pilot.press("enter")  # the programme's guide is highlighted; Enter asks for a name
    await type_text(pilot, name)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, SessionScreen)
    assert isinstance(app.focused, NotesArea)
    return app.screen


async def tag(app, pilot, *keys: str) -> None:
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, TagDialog)
    await pilot.press(*keys)
    await pilot.pause()
    assert isinstance(app.screen, SessionScreen)
    assert isinstance(app.focused, NotesArea)  # the notes have the focus back at once


async def test_create_programme_run_two_interviews_and_tag(store, vault_path, clock, passphrase):
    ana = store.add_person("Ana Silva")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f4")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammesScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NewProgrammeDialog)
        await type_text(pilot, "L25")
        await pilot.press("tab")
        await type_text(pilot, "Review")
        await pilot.press("tab")
        await type_text(pilot, "trust, pace")
        await pilot.press("enter")  # Enter creates it from any field
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammeScreen)
        [programme] = store.programmes()
        assert programme.themes == (*DEFAULT_THEMES, "trust", "pace")
        assert programme.purpose == "Review"

        # Interview 1: three tags - the current line with a subject, a digit, a selection.
        session = await interview(app, pilot, "Ben")
        assert session.session.programme_id == programme.id
        assert session.session.guide_id == "leadership-interview"
        await type_text(pilot, "Slow\nAna fair")
        await pilot.press("f4")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TagDialog) and dialog.passage == "Ana fair"
        await pilot.press("tab")
        await type_text(pilot, "ana")
        await pilot.press("enter")  # the first theme (perception), about Ana Silva
        await pilot.pause()
        assert isinstance(app.focused, NotesArea)
        await pilot.press("up")
        await tag(app, pilot, "4")  # current state, the line under the cursor, about Ana still
        notes = session.query_one(NotesArea)
        notes.selection = Selection((0, 0), (0, 3))
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#tag-subject").value = ""  # about no one this time
        await pilot.press("8")  # trust, the selected letters
        await pilot.pause()
        tags = store.tags(session_id=session.session.id)
        assert [(t.theme, t.passage, t.subject_id, t.stage) for t in tags] == [
            ("perception", "Ana fair", ana.id, "welcome"),
            ("current state", "Slow", ana.id, "welcome"),
            ("trust", "Slo", None, "welcome"),
        ]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammeScreen)

        # Interview 2: the same line tagged twice makes a gap under 'pace'.
        session = await interview(app, pilot, "Cara")
        await type_text(pilot, "Fast")
        await tag(app, pilot, "5")
        await tag(app, pilot, "9")
        # someone walks in: locked and unlocked, the interview is back over its programme
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        await unlock_with(pilot, passphrase)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen) and app.screen is not session
        await pilot.press("escape")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProgrammeScreen)
        syn = screen.syn
        assert syn.sessions == 2 and [p.name for p in syn.interviewees] == ["Ben", "Cara"]
        assert [a.key for a in syn.gaps] == ["pace"]
        table = screen.query_one("#matrix", DataTable)
        assert table.row_count == len(programme.themes)
        assert [str(c) for c in table.get_row_at(3)] == ["current state", "1", "·", "1"]
        assert [str(c) for c in table.get_row_at(8)] == ["pace", "·", "1", "1"]

        # a 360: its interviews' guide chosen with it (a leadership interview programme
        # otherwise, and the stakeholder guide picked again at every interview)
        await pilot.press("escape")
        await settle(app, pilot)
        # its interviews have started: e names its guide and says why it stays
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NewProgrammeDialog) and not app.screen.query(
            "#programme-guide")
        assert "Leadership interview (it stays: an interview of the programme has started" in \
            str(app.screen.query_one("#programme-guide-fixed", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "360 for Ana")
        await pilot.press("tab", "tab", "tab", "right", "enter")
        await settle(app, pilot)
        assert app.store.find_programme("360 for Ana").guide_id == "stakeholder-interview"
        await pilot.press("i")
        await pilot.pause()
        guides = app.screen.query_one("#guide-list")
        assert guides.get_option_at_index(guides.highlighted).id == "stakeholder-interview"
        # every passage of it is about the leader: About carries on from stage to stage (it
        # began blank at each, and a passage tagged with a digit reached no report)
        await pilot.press("enter")
        await type_text(pilot, "Dev")
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "Ana listens")
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "ana")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await type_text(pilot, "Ana asks for examples")
        await tag(app, pilot, "2")
        assert [t.subject_id for t in app.store.tags(session_id=app.screen.session.id)] == [
            ana.id, ana.id]
        # the next interview of the 360 starts About with its leader (blank, a passage tagged
        # with a digit at once reached no report)
        await pilot.press("escape")
        await settle(app, pilot)
        await interview(app, pilot, "Eve")
        await type_text(pilot, "Calm under pressure")
        await tag(app, pilot, "2")
        assert [t.subject_id for t in app.store.tags(session_id=app.screen.session.id)] == [
            ana.id]


@pytest.fixture
def programme_with_data(store, clock):
    return led_programme(store, clock)


def passages_shown(screen: PassagesScreen) -> str:
    options = screen.query_one("#passages-list", OptionList)
    return "\n".join(str(options.get_option_at_index(i).prompt)
                     for i in range(options.option_count))


async def test_a_passage_can_be_untagged_from_the_drill_down(store, vault_path, clock,
                                                            programme_with_data):
    """d on a passage, confirmed, removes that tag only: the note stays, the matrix recounts; n
    keeps it."""
    programme, ana = programme_with_data
    ben = store.find_person("Ben")
    (ben_session,) = [s for s in store.sessions() if s.person_id == ben.id]
    before = {t.id for t in store.tags(programme_id=programme.id)}
    (fair_tag,) = [t for t in store.tags(programme_id=programme.id) if t.passage == "Ana is fair"]
    store.add_strategy_item(programme.id, "Coach on fairness", tag_ids=[fair_tag.id])
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        table = app.screen.query_one("#matrix", DataTable)
        table.cursor_coordinate = Coordinate(0, 1)  # perception x Ben: two passages
        await pilot.press("enter")
        await pilot.pause()
        passages = app.screen
        assert isinstance(passages, PassagesScreen) and len(passages.passages) == 2
        fair = next(p for p in passages.passages if p.text == "Ana is fair")
        passages.query_one("#passages-list", OptionList).highlighted = \
            passages.passages.index(fair)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # not now: nothing changes
        await pilot.pause()
        assert app.screen is passages
        assert {t.id for t in store.tags(programme_id=programme.id)} == before
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammeScreen)
        assert {t.id for t in store.tags(programme_id=programme.id)} == before - {fair.tag_id}
        assert "Ana is fair" in store.notes(ben_session.id)[0].text  # the note stays
        table.cursor_coordinate = Coordinate(0, 1)
        await pilot.press("enter")
        await pilot.pause()
        assert "Ana is fair" not in passages_shown(app.screen)
        assert "SECRET about Ben" in passages_shown(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        # the strategy item that rested on it no longer counts that passage
        strategy = app.screen.query_one("#strategy", DataTable)
        assert strategy.get_row_at(0)[3] == "0"


async def test_synthesis_drill_down_strategy_report_and_export(store, vault_path, clock,
                                                              programme_with_data, tmp_path):
    programme, ana = programme_with_data
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        screen = app.screen
        table = screen.query_one("#matrix", DataTable)
        assert isinstance(app.focused, DataTable)
        # Drill down: perception (row 0) x Ben (column 1).
        table.cursor_coordinate = Coordinate(0, 1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        shown = passages_shown(app.screen)
        assert "Ana is fair" in shown and "SECRET about Ben" in shown
        assert "Ana listens" not in shown
        await pilot.press("escape")
        await pilot.pause()

        # Current -> future: the gap is listed and its passages shown side by side.
        screen.query_one("#programme-tabs").active = "tab-areas"
        await pilot.pause()
        areas = screen.query_one("#areas", OptionList)
        # refilled while shown: its wrapped options are measured again when a scrollbar comes
        assert isinstance(areas, WrappingOptionList)
        assert areas.option_count == 1 and "decision making" in str(
            areas.get_option_at_index(0).prompt)
        assert "Teams decide" in screen.query_one("#future-md", Markdown).source

        # Draft a strategy item linked to the highlighted gap (preselected) and one passage.
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StrategyDialog)
        await type_text(pilot, "Charter")
        await pilot.press("tab")
        links = app.screen.query_one(SelectionList)
        assert app.focused is links and links.selected == ["gap:decision making"]
        await pilot.press("down", "space", "enter")  # Enter saves, even from the list
        await settle(app, pilot)
        [item] = store.strategy_items(programme.id)
        assert item.text == "Charter" and item.gaps == ("decision making",)
        assert len(item.tag_ids) == 1
        assert screen.query_one("#strategy", DataTable).row_count == 1

        # A leader's report: anonymised, no private text, then exported after a preview. One
        # leader (a 360's): no "which leader?" first
        await pilot.press("r")
        await settle(app, pilot)
        report = app.screen
        assert isinstance(report, ReportScreen) and report.leader_id == ana.id
        text = report.query_one(Markdown).source
        assert "Ana is fair" in text and "SECRET" not in text and "Ben" not in text
        await pilot.press("x")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert not dialog.query("#export-kind") and not dialog.query("#export-private")
        preview = dialog.query_one("#export-preview", TextArea).text
        assert preview == render(report.doc, "md") and "Ana is fair" in preview
        assert f"{len(preview.encode())} bytes" in str(dialog.query_one("#export-size").render())
        assert "Plaintext" in str(dialog.query_one("#export-warning").render())
        target = tmp_path / "ana.md"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is report
        assert target.read_text() == preview
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        [record] = store.exports()
        assert record.kind == "leader-report" and record.destination == str(target)

        # Exporting again to the same path is refused in the dialog; nothing is overwritten.
        await pilot.press("x")
        await settle(app, pilot)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+e")  # writes even from the path field (where ctrl+e is "end")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "already exists" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")  # a typed destination: asks before dropping it
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        # The programme synthesis: HTML chosen in the dialog, written, the same bytes.
        await pilot.press("x")
        await settle(app, pilot)
        dialog = app.screen
        html_button = next(b for b in dialog.query(RadioButton) if b.name == "html")
        await pilot.click(html_button)
        await settle(app, pilot)
        assert dialog.query_one("#export-path", Input).value.endswith(
            "rapport-synthesis-leaders.html")
        html = render(programme_report(build(store, programme.id)), "html")
        assert dialog.query_one("#export-preview", TextArea).text == html
        target = tmp_path / "synthesis.html"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-write")
        await settle(app, pilot)
        assert target.read_text() == html
        assert "SECRET" not in target.read_text() and "Okafor" not in target.read_text()


async def test_markup_in_a_name_a_theme_and_an_item_is_text_in_the_programme_tables(
        store, vault_path, clock):
    """The matrix's interviewee columns and theme rows, the leaders' columns and the strategy
    table hold what was typed: a DataTable reads a str as markup ("[/]" stopped the screen)."""
    programme = store.add_programme("Leaders", themes=(*DEFAULT_THEMES, "[b]x[/b] [/]"))
    ana = store.add_person("[/]Ana")
    mal = store.add_person("[/]Mal")
    session = store.start_session(mal.id, plan(), programme_id=programme.id)
    store.save_note(session.id, "perception", "Ana shouts")
    store.add_tag(session.id, "[b]x[/b] [/]", "Ana shouts", stage="perception", subject_id=ana.id)
    store.add_strategy_item(programme.id, "Coach [red]x[/red] [/]")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        shown = [app.export_screenshot()]
        for tab in ("3", "5"):  # the strategy, then the leaders
            await pilot.press(tab)
            await settle(app, pilot)
            shown.append(app.export_screenshot())
    shown = [s.replace("&#160;", " ") for s in shown]
    assert "[/]Mal" in shown[0] and "[b]x[/b] [/]" in shown[0]
    assert "Coach [red]x[/red] [/]" in shown[1]
    assert "[/]Ana" in shown[2]  # its column (a theme shows there from 3 interviewees)
