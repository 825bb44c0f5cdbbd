"""The app around a session: help and privacy, the palette, unlocking and creating a vault,
start requests, a new session from home, viewing an ended one, and quitting."""

from __future__ import annotations

import pytest

from guides.loader import BUILTIN_IDS
from store.vault import open_vault
from tui.config import Config
from tui.screens.capture import CaptureScreen
from tui.screens.help import HelpScreen, PrivacyScreen
from tui.screens.home import HomeScreen
from tui.screens.session import SessionScreen
from tui.screens.unlock import UnlockScreen
from tui.widgets.session import NotesArea
from apptools import ada_session, make_app, open_session


pytestmark = pytest.mark.usefixtures("utc_zone")


async def test_pick_stage_from_outline_then_privacy_screen_and_help(store, vault_path, clock):
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press("f8", "down", "down", "down", "enter")
        await pilot.pause()
        assert screen.index == 3
        assert isinstance(app.focused, NotesArea)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("a", "b")  # nothing typed reaches the notes underneath
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.query_one(NotesArea).text == ""
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_palette_offers_rapport_commands_with_live_keys_and_no_screenshot(
        store, vault_path, clock):
    from tui.commands import RapportCommands

    app = make_app(vault_path, clock, config=Config(keys={"lock": "f11", "people": "f6"}))
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        system = {c.title.lower(): c.help for c in app.get_system_commands(app.screen)}
        assert "theme" in system and not any("screenshot" in t for t in system)
        assert system["quit"] == "Save the notes and close Rapport (^q)"
        provider = RapportCommands(app.screen)
        found = {str(hit.text): hit.help async for hit in provider.discover()}
        assert found["Lock"].endswith("(f11)") and found["People"].endswith("(f6)")
        assert found["Help"].endswith("(f1)") and "New session" in found
        hits = [str(hit.text) async for hit in provider.search("peop")]
        assert hits == ["People"]


async def test_start_request_opens_session(store, vault_path, clock):
    app = make_app(vault_path, clock, start={"guide": "feedback", "person": "Grace", "title": "Q3"})
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session.guide_id == "feedback"
        assert store.find_person("Grace").id == app.screen.session.person_id


async def test_viewing_an_ended_session_is_not_an_edit(store, vault_path, clock):
    person, session = ada_session(store)
    store.end_session(session.id)
    ended = store.session(session.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        clock.advance(120)
        screen.tick()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)
        after = store.session(session.id)
        assert after.amended_at is None and after.rev == ended.rev and after.spent == ended.spent
        await app.push_screen(SessionScreen(session.id))  # opened again: something added
        await pilot.pause()
        await pilot.press(*"late addition")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)
    assert store.session(session.id).amended_at is not None


async def test_broken_user_guide_is_named_and_a_known_person_completed(store, vault_path,
                                                                         clock):
    """A broken guide of the user's own is named, and the built-ins still offered; the new
    session's name completes to someone known (Tab), and that person is the one it starts with."""
    store.add_person("Sam Rivera")
    guides_dir = vault_path.parent / "guides"
    guides_dir.mkdir()
    (guides_dir / "broken.toml").write_text("id = 'broken'\nstages = [\n")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        assert any("broken.toml" in n.message for n in app._notifications)
        await pilot.press("ctrl+n")
        await pilot.pause()
        options = app.screen.query_one("#guide-list")
        assert options.option_count == len(BUILTIN_IDS)  # the built-ins are still offered
        await pilot.press("enter", *"sam")
        await pilot.pause()
        await pilot.press("tab")
        assert app.screen.query_one("#person").value == "Sam Rivera"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert [p.name for p in store.people()] == ["Sam Rivera"]


async def test_passphrase_typed_before_the_field_has_focus_is_kept(store, vault_path, clock,
                                                                    passphrase):
    # Keys typed while the app starts reach the unlock screen itself (the field has no focus
    # yet), and an Enter typed before the terminal went raw arrives as ctrl+j: all of it counts.
    from textual import events

    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UnlockScreen)
        for char in passphrase:
            screen.post_message(events.Key(char, char))
        screen.post_message(events.Key("ctrl+j", "\n"))
        await app.workers.wait_for_complete()
        for _ in range(20):
            await pilot.pause(0.05)
            if app.store is not None:
                break
        assert app.store is not None and type(app.screen).__name__ == "HomeScreen"
        app.store.close()
        app.store = None


async def test_keys_typed_just_before_quit_are_saved(store, vault_path, clock, passphrase):
    """ctrl+q is a priority key, handled as it arrives: the notes typed just before it (still
    queued for the notes pane) are saved all the same."""
    from textual import events

    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        assert isinstance(app.focused, NotesArea)
        for char in "last words":
            app.post_message(events.Key("space" if char == " " else char, char))
        app.post_message(events.Key("ctrl+q", None))
        for _ in range(5):
            await pilot.pause()
    reopened = open_vault(vault_path, passphrase, allow_weak=True)
    try:
        assert [n.text for n in reopened.notes(session.id)] == ["last words"]
    finally:
        reopened.close()


async def test_quit_over_a_dialogs_typed_text_asks_first(store, vault_path, clock, passphrase):
    """ctrl+q with an item half typed in the capture dialog: it asks (the item was lost
    without a word); n goes back to the text, ctrl+q twice quits, the notes saved either way.
    An empty dialog does not hold the quit up."""
    from tui.screens.confirm import ConfirmScreen

    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press(*"in the notes", "f2")
        await pilot.pause()
        capture = app.screen
        assert isinstance(capture, CaptureScreen)
        await pilot.press(*"book the review", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is capture
        assert capture.query_one("#capture-text").value == "book the review"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        for _ in range(3):
            await pilot.pause()
    assert app.return_code == 0
    reopened = open_vault(vault_path, passphrase, allow_weak=True)
    try:
        assert [n.text for n in reopened.notes(session.id)] == ["in the notes"]
        assert reopened.items(session_id=session.id) == []
    finally:
        reopened.close()


async def test_quit_over_an_empty_dialog_does_not_ask(store, vault_path, clock):
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("ctrl+q")
        for _ in range(3):
            await pilot.pause()
        assert not app.is_running
