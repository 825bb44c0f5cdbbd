"""Start-up of the full-screen app: one stylesheet, the unlock screen first, the preload after
its first frame."""

from __future__ import annotations

import re
from pathlib import Path

from tui.app import RapportApp
from tui.screens.unlock import UnlockScreen
from apptools import make_app


def test_one_stylesheet_named_by_css_path():
    assert RapportApp.CSS_PATH == Path(__file__).parent.parent / "tui" / "rapport.tcss"
    assert Path(RapportApp.CSS_PATH).is_file()
    # and no style anywhere else: no DEFAULT_CSS nor CSS in the app's own classes
    tui = Path(__file__).parent.parent / "tui"
    inline = [str(path.relative_to(tui)) for path in tui.rglob("*.py")
              if re.search(r"^\s+(DEFAULT_)?CSS\s*=", path.read_text(encoding="utf-8"), re.M)]
    assert inline == []


async def test_the_unlock_screen_is_the_first_screen_and_the_stylesheet_applies(vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and app.screen_stack == [screen]
        assert screen.create  # no vault yet
        panel = screen.query_one("#unlock-panel")
        assert panel.styles.width is not None and panel.styles.width.value == 60  # rapport.tcss
        await app.workers.wait_for_complete()
        assert app._catalog is not None  # the preload read the guides after the first frame
