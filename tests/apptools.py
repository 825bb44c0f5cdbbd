"""Helpers the Pilot-driven app tests share (importable: ``tests/`` is on pytest's pythonpath).

* ``make_app(vault_path, clock, **kw)``: the real app around a test vault, on the fast KDF, built
  by :func:`tui.launch.make_app` as the launcher builds it (settings: ``config=``, else none).
* ``open_session(app, pilot, store, session_id)``: hand the app an unlocked store and open a
  session screen, as unlocking and resuming would; returns the screen.
"""

from __future__ import annotations

from store import crypto
from store.paths import Paths
from tui import launch
from tui.app import RapportApp
from tui.config import Config


def make_app(vault_path, clock, *, config: Config | None = None, **kw) -> RapportApp:
    return launch.make_app(Paths.resolve(vault_path.parent), config=config or Config(),
                           kdf=crypto.FAST_FOR_TESTS, allow_weak=True, clock=clock, **kw)


async def open_session(app, pilot, store, session_id):
    from tui.screens.session import SessionScreen

    app.unlocked(store)
    await pilot.pause()
    app.push_screen(SessionScreen(session_id))
    await pilot.pause()
    return app.screen
