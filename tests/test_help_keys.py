"""F1's table of keys, read as a facilitator reads it: what this screen does first (Enter
included, though a list's own key carries it), then moving in the list, then the app's keys."""

from __future__ import annotations

from apptools import make_app
from tui.screens.help import HelpScreen


async def test_the_home_help_lists_its_own_keys_first_and_enter_opens(store, vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows()
        actions = [action for _, action in rows]
        assert rows[:3] == [("^n", "New"), ("⏎", "Open"), ("/ or f", "Filter")]
        assert actions.index("Clear filter") < actions.index("Down") < actions.index("Quit")
        assert actions[-4:] == ["Quit", "Help", "Hide", "Lock"]
        app.store = None
