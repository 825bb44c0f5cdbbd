"""The app as ``rapport serve`` runs it (:class:`tui.serve.child.ServedApp`), through Pilot on a
real vault: wrong passphrases slow down, the server's "quit" saves, a vanished server ends it."""

from __future__ import annotations

import os

import pytest
from textual import events, messages
from textual.widgets import Input

from guides.loader import builtin_guides
from store import crypto
from store.paths import Paths
from store.vault import open_vault
from tui.screens.home import HomeScreen
from tui.screens.unlock import UnlockScreen
from tui.serve.child import MAX_DELAY, ServedApp, failure_delay
from apptools import enter_text, open_session

pytestmark = pytest.mark.usefixtures("utc_zone")


def served_app(vault_path, clock, **kw) -> ServedApp:
    return ServedApp(paths=Paths.resolve(vault_path.parent), kdf=crypto.FAST_FOR_TESTS,
                     allow_weak=True, clock=clock, **kw)


def test_the_delay_doubles_up_to_a_ceiling():
    assert [failure_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, MAX_DELAY, MAX_DELAY]
    assert failure_delay(100) == MAX_DELAY


async def test_each_wrong_passphrase_waits_longer_with_the_busy_state_on(store, vault_path,
                                                                        clock, passphrase):
    store.close()
    pauses: list[tuple[float, bool]] = []
    app = served_app(vault_path, clock,
                     pause=lambda s: pauses.append((s, app.query_one("#passphrase").disabled)))
    async with app.run_test(size=(100, 30)) as pilot:
        for attempt in range(3):
            await pilot.press(*f"wrong {attempt}", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Wrong passphrase" in str(app.screen.query_one("#unlock-message").render())
            assert app.screen.query_one("#passphrase", Input).value == ""
        assert pauses == [(1, True), (2, True), (4, True)]  # the field stays off while it waits
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(pauses) == 3  # the right passphrase waits for nothing
        await pilot.press("ctrl+q")


async def test_the_terminal_app_does_not_pause(store, vault_path, clock, monkeypatch):
    """The hook is rapport serve's: the app in a terminal answers a wrong passphrase at once."""
    from apptools import make_app

    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wrong", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Wrong passphrase" in str(app.screen.query_one("#unlock-message").render())
    assert slept == []


async def open_session_with_unsaved_notes(app, pilot, store, text: str) -> int:
    person = store.add_person("Ada")
    session = store.start_session(person.id, builtin_guides()[0].to_snapshot())
    await open_session(app, pilot, store, session.id)
    await enter_text(pilot, text)  # not yet autosaved (the clock stands still)
    app.clock.advance(10)
    app.screen.tick()  # 10 s on the timer, not yet saved (it saves every 15 s, and on leaving)
    return session.id


def assert_saved(vault_path, clock, passphrase, session_id, text: str) -> None:
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as reopened:
        assert [n.text for n in reopened.notes(session_id)] == [text]
        assert sum(reopened.session(session_id).spent.values()) == pytest.approx(10)


async def test_the_servers_quit_saves_the_notes_first(store, vault_path, clock, passphrase):
    """Textual's web driver turns the server's "quit" (the browser left, or Ctrl+C on the
    server) into ExitApp, which ends an app without its quit action."""
    app = served_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        session_id = await open_session_with_unsaved_notes(app, pilot, store, "said in the room")
        app.post_message(messages.ExitApp())
        await pilot.pause()
    store.close()
    assert_saved(vault_path, clock, passphrase, session_id, "said in the room")


async def test_a_vanished_server_ends_the_app_saving_first(store, vault_path, clock, passphrase,
                                                          monkeypatch):
    app = served_app(vault_path, clock, server_pid=os.getppid())
    async with app.run_test(size=(100, 30)) as pilot:
        session_id = await open_session_with_unsaved_notes(app, pilot, store, "not lost")
        await app.check_server()
        assert app.is_running  # the server is there: nothing happens
        monkeypatch.setattr(os, "getppid", lambda: 1)  # the server died: adopted by init
        await app.check_server()
        await pilot.pause()
        assert not store.is_open  # quit: saved, then the vault locked
    assert_saved(vault_path, clock, passphrase, session_id, "not lost")


async def test_the_page_taking_focus_focuses_a_new_screens_field(store, vault_path, clock):
    """Textual's web driver starts the app blurred; a screen shown while the page has no focus
    (the first one, or an idle lock's unlock screen) focuses nothing, and would take no keys once
    the page has the focus again."""
    from tui.screens.start import NewSessionScreen

    app = served_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        app.post_message(events.AppBlur())  # the facilitator switched to another tab
        await pilot.pause()
        await app.push_screen(NewSessionScreen())  # a new screen while the page is blurred
        await pilot.pause()
        assert isinstance(app.screen, NewSessionScreen) and app.focused is None
        app.post_message(events.AppFocus())  # back to the page
        await pilot.pause()
        assert app.focused is app.screen.query_one("#guide-list")
        await pilot.press("enter", *"typed")
        assert app.screen.query_one("#person", Input).value == "typed"


async def test_a_page_focused_before_the_driver_blurs_the_app_keeps_the_focus(store, vault_path,
                                                                             clock):
    """The page sends "focus" as it connects; Textual's web driver blurs the app as it starts,
    and that blur can come second. The page has the keyboard: the app must take keys."""
    store.close()
    app = served_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(events.AppFocus())  # the page's, first
        app.post_message(events.AppBlur())  # the driver's, as it starts
        await pilot.pause()
        assert app.app_focus
        await pilot.press(*"typed")
        assert app.screen.query_one("#passphrase", Input).value == "typed"
        app.post_message(events.AppBlur())  # the page's own blur, later, is one
        await pilot.pause()
        assert not app.app_focus
