"""Start-up of the full-screen app (performance goal G1): what waits for the unlock screen's first
frame, and that it does happen after that frame."""

from __future__ import annotations

import gc

from textual.screen import Screen

from store.paths import Paths
from tui.app import DEFERRED_CSS_MARK, STYLESHEET, RapportApp, split_stylesheet


def test_stylesheet_split_keeps_every_unlock_rule_first_and_line_numbers():
    text = STYLESHEET.read_text(encoding="utf-8")
    assert DEFERRED_CSS_MARK in text, "without the mark the whole stylesheet is parsed up front"
    first, rest = split_stylesheet(text)
    assert "#unlock-panel" in first and "#unlock-" not in rest
    assert rest.strip().startswith(DEFERRED_CSS_MARK)
    assert rest.count("\n") == text.count("\n")  # the rest's lines keep their numbers
    assert first + rest.lstrip("\n") == text
    assert split_stylesheet("A { color: red; }") == ("A { color: red; }", "")


def test_deferred_rules_load_before_any_other_screen(tmp_path):
    app = RapportApp(paths=Paths.resolve(tmp_path))
    assert app._deferred_css
    app._before_showing(Screen())
    assert not app._deferred_css
    assert any("after-unlock" in str(where) for where in app.stylesheet.source)


async def test_first_frame_ends_startup_gc_css_preload(tmp_path):
    was_enabled = gc.isenabled()
    gc.disable()  # what run_app does before importing Textual
    try:
        app = RapportApp(paths=Paths.resolve(tmp_path), gc_paused=True)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(40):  # well before the 3 s fallback timer
                await pilot.pause(0.05)
                if gc.isenabled() and app._catalog is not None:
                    break
            assert type(app.screen).__name__ == "UnlockScreen"
            assert gc.isenabled()
            assert not app._deferred_css
            assert app._catalog is not None  # the preload ran after the first frame
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()


async def test_startup_ends_with_the_frame_that_shows_the_footer_keys(tmp_path, monkeypatch):
    """Textual's footer is empty in a screen's first frame and fills in a refresh later: start-up
    work (deferred CSS, the preload) waits for the frame with the keys, so it cannot delay it."""
    seen = []
    original = RapportApp.first_frame_shown

    def first_frame_shown(self, screen):
        seen.append([str(key.render()) for key in screen.query_one("UnlockFooter").children])
        original(self, screen)

    monkeypatch.setattr(RapportApp, "first_frame_shown", first_frame_shown)
    app = RapportApp(paths=Paths.resolve(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if seen:
                break
        assert not app._starting
    assert len(seen) == 1 and any("quit" in key.casefold() for key in seen[0]), seen


async def test_startup_timeout_ends_a_startup_no_frame_ended(tmp_path, monkeypatch):
    """The fallback for a terminal where the frame with the footer keys never comes: the timer
    ends start-up and starts the unlock screen's preload all the same."""
    from tui.screens.unlock import UnlockScreen

    monkeypatch.setattr(UnlockScreen, "footer_filled", lambda self: False)
    app = RapportApp(paths=Paths.resolve(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert app._starting and app._catalog is None and app._deferred_css  # no frame ended it
        app.startup_timeout()
        assert not app._starting and not app._deferred_css
        for _ in range(40):
            await pilot.pause(0.05)
            if app._catalog is not None:
                break
        assert app._catalog is not None  # the preload ran
