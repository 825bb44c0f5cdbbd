"""The export dialog at 80x24 (the preview takes the screen; it says where the file goes, and the
next export, in this run or the next, offers the same folder) and sharing from a session's detail
(what goes is said first, never a private note; the lengths each export gives)."""

from __future__ import annotations

import json
import stat

import pytest
from textual import events
from textual.widgets import Button

from guides.loader import builtin_guides
from store import Scope, render_export
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SessionDetailScreen
from tui.screens.export import ExportScreen
from apptools import make_app, settle, show

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str = "leadership-interview"):
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


async def test_the_export_dialog_at_80x24_and_its_folder(store, vault_path, clock, tmp_path,
                                                         monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("tui.screens.export.default_directory", lambda: documents)
    session = store.start_session(store.add_person("Ada").id, plan("one-on-one"))
    store.save_note(session.id, "check-in", "\n".join(f"line {n}" for n in range(40)))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await show(app, pilot, store, ExportScreen(session_ids=[session.id]))
        assert dialog.has_class("-compact")
        preview = dialog.query_one("#export-preview")
        assert preview.region.height >= 10  # most of the screen (it was ~5 lines)
        assert dialog.query_one("#export-dialog").region.width == 80
        where = str(dialog.query_one("#export-where").render())
        assert f"In {documents}, the app's default · 'rapport export': the current folder" \
            == where
        path = dialog.query_one("#export-path")
        assert path.value.startswith(str(documents))
        # the path is wider than the field: its start (the folder) is what shows, all of it
        # selected so that typing replaces it
        assert len(path.value) > path.content_region.width
        assert (path.scroll_offset.x, path.cursor_position) == (0, 0)
        assert path.selected_text == path.value
        elsewhere = tmp_path / "shared"
        elsewhere.mkdir()
        # one Tab too far (onto Write file), then the path typed fast: it goes into the field,
        # in place of the suggested one, its first letter too; then Enter writes it there
        await pilot.press("tab")
        assert isinstance(dialog.focused, Button)
        for char in str(elsewhere / "ada"):
            app.post_message(events.Key(char, char))
        await pilot.pause()
        assert dialog.focused is path and path.value == str(elsewhere / "ada")
        await pilot.press("tab", *".md")  # again, a path half typed: added to
        assert path.value == str(elsewhere / "ada.md")
        assert str(dialog.query_one("#export-where").render()) == f"In {elsewhere}, as typed"
        await pilot.press("enter")
        await settle(app, pilot)
        assert (elsewhere / "ada.md").exists() and list(documents.iterdir()) == []
        app.push_screen(ExportScreen(session_ids=[session.id]))  # the next one: same folder
        await settle(app, pilot)
        assert app.screen.query_one("#export-path").value.startswith(str(elsewhere))
        where = str(app.screen.query_one("#export-where").render())
        assert f"In {elsewhere}, where the last export went" in where
        app.store = None


async def a_run_of_the_export_dialog(vault_path, clock, store, session_id, write_to=None):
    """One run of the app: opens the export dialog; returns (the path it offers, what it says
    about the folder), after writing to ``write_to`` if given."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await show(app, pilot, store, ExportScreen(session_ids=[session_id]))
        offered = (dialog.query_one("#export-path").value,
                   str(dialog.query_one("#export-where").render()))
        if write_to is not None:
            dialog.query_one("#export-path").value = str(write_to)
            await pilot.press("ctrl+e")
            await settle(app, pilot)
        app.store = None  # the fixture's store stays open for the next run
    return offered


async def test_the_next_run_offers_the_last_export_folder(store, vault_path, clock, tmp_path,
                                                          monkeypatch):
    """The folder is kept in state.json beside the config (0600), the theme's key kept."""
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("tui.screens.export.default_directory", lambda: documents)
    state = vault_path.parent / "state.json"
    state.write_text(json.dumps({"theme": "nord", "config_theme": "textual-dark"}))
    session = store.start_session(store.add_person("Ada").id, plan("one-on-one"))
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    await a_run_of_the_export_dialog(vault_path, clock, store, session.id, elsewhere / "ada.md")
    assert (elsewhere / "ada.md").exists()
    assert json.loads(state.read_text()) == {"theme": "nord", "config_theme": "textual-dark",
                                             "export_folder": str(elsewhere)}
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "ada" not in state.read_text().casefold()  # the folder only, never the file's name
    path, where = await a_run_of_the_export_dialog(vault_path, clock, store, session.id)
    assert path.startswith(str(elsewhere))
    assert f"In {elsewhere}, where the last export went" in where
    elsewhere.joinpath("ada.md").unlink()
    elsewhere.rmdir()  # gone: back to the default
    path, where = await a_run_of_the_export_dialog(vault_path, clock, store, session.id)
    assert path.startswith(str(documents)) and f"In {documents}, the app's default" in where


async def test_share_from_the_detail_says_what_goes_and_leaves_private_out(
        store, vault_path, clock):
    """Issue 22: the confirmation names the session and what of it goes; the clipboard gets
    the summary export's text, never a private passage; declining copies nothing.

    Then issue 24, in the same run: the lists show time spent (the stage timers), the export
    start to end: each says which it is, and the detail shows both."""
    guide = plan("one-on-one")
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    session = store.start_session(ada.id, guide, title="Weekly")
    first, second = guide["stages"][0]["key"], guide["stages"][2]["key"]
    store.save_note(session.id, first, "Back from leave; the demo went well.")
    store.save_note(session.id, first, "PRIVATE-PASSAGE: thinking of leaving", private=True)
    store.save_note(session.id, second, "Wants the on-call week swapped.")
    store.add_item(session.id, "action", "Swap the on-call week", owner="me")
    store.end_session(session.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(app, pilot, store, SessionDetailScreen(session.id))
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        said = " ".join(str(confirm.query_one("#confirm-message").render()).split())
        assert said.startswith("“Weekly” with Ada Lovelace, 2025-03-03: the participant's "
                               "summary")
        assert "the 1 item, never a private note (1 private note left out)" in said
        assert "OSC 52" in said and "recorded as an export" in said
        await pilot.press("n")
        await settle(app, pilot)
        assert app.clipboard == "" and store.exports() == []
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        await pilot.press("y")
        await settle(app, pilot)
        expected = render_export(store, Scope.sessions(session.id), "md", "summary",
                                 tz=None).text
        assert app.clipboard == expected
        assert "Wants the on-call week swapped." in app.clipboard
        assert "PRIVATE-PASSAGE" not in app.clipboard and "leaving" not in app.clipboard
        assert [e.kind for e in store.exports()] == ["clipboard"]
        assert isinstance(app.screen, SessionDetailScreen)

        # lengths, labelled: three sessions more (the clock moves on from here)
        met = one_session(store, clock, "Ada", spent=20 * 60, hours=2 / 3)
        reopened = one_session(store, clock, "Ben", spent=25 * 60, hours=26)
        active = one_session(store, clock, "Cy", spent=12 * 60, hours=None)

        def length(session) -> str:
            text = render_export(store, Scope.sessions(session.id), "md", "summary",
                                 tz=None).text
            return next(line for line in text.splitlines() if line.startswith("- **Length:**"))

        assert length(met) == "- **Length:** 40 min, start to end"
        assert length(reopened) == \
            "- **Length:** 25 min on the stage timers (continued another day)"
        assert length(active) == "- **Length:** 12 min so far on the stage timers (not ended)"
        app.push_screen(SessionDetailScreen(met.id))
        await settle(app, pilot)
        header = app.screen.query_one("#detail-header").source
        assert "40 min, start to end · 20 min spent on the stage timers of 30 min planned" \
            in header, \
            "the detail's lengths"
        app.store = None


def one_session(store, clock, name, *, spent, hours):
    guide = plan("one-on-one")
    session = store.start_session(store.add_person(name).id, guide)
    store.save_session_state(session.id, spent={guide["stages"][0]["key"]: spent})
    if hours is not None:
        clock.advance(hours * 3600)
        store.end_session(session.id)
    return session
