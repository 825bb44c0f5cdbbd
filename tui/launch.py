"""Composition root of the full-screen app: build everything here and hand it in.

:func:`make_app` is the one factory of :class:`tui.app.RapportApp`: the launcher
(:func:`run_app`), the tests (``tests/apptools.py``) and the bench build the app through it.
"""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Callable, NoReturn

if TYPE_CHECKING:  # pragma: no cover
    from store.crypto import KdfParams
    from store.paths import Paths
    from tui.app import RapportApp
    from tui.config import Config
    from tui.env import Env


class Refused(Exception):
    """The app will not start in this environment; ``str()`` is the one line that says why."""


def make_app(paths: "Paths", *, config: "Config | None" = None, start: dict[str, str] | None = None,
             kdf: "KdfParams | None" = None, allow_weak: bool = False,
             clock: Callable[[], datetime] | None = None) -> "RapportApp":
    """The app for ``paths``: settings read from the config file unless ``config`` is given.
    Raises :class:`Refused` when Textual's developer tools (or its log file) are on."""
    from tui.app import RapportApp
    from tui.config import load_config

    warning = None
    if config is None:
        config, warning = load_config(paths.config_file)
    app = RapportApp(paths=paths, config=config, config_warning=warning, start=start, kdf=kdf,
                     allow_weak=allow_weak, clock=clock)
    if app.refused:
        raise Refused(app.refused)
    return app


def refuse(message: str) -> NoReturn:
    """One line on standard error, exit status 1."""
    print(f"rapport: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def run_app(env: "Env", start: dict[str, str] | None = None) -> None:
    """Runs the app until it quits; exits non-zero after a crash, a refusal or a signal
    (129 for SIGHUP, 143 for SIGTERM: notes saved and the vault closed first)."""
    from store.db import probe
    from store.errors import RapportError, VaultMissing

    try:
        probe(env.paths.vault)
    except VaultMissing:
        pass  # the app offers to create one
    except RapportError as exc:
        refuse(str(exc))
    try:
        app = make_app(env.paths, start=start, kdf=env.kdf, allow_weak=env.allow_weak,
                       clock=env.clock)
    except Refused as exc:
        refuse(str(exc))
    app.run()
    app.close_store()  # after a crash: the screens saved what they held; lock the vault
    # What is left lives until the process ends: moved out of the collector's view, the
    # interpreter's last collection skips it (quitting from a 10,000-session home: about
    # 1.5x the minimal app's quit without this, 0.9x with it; docs/performance.md, G8).
    gc.freeze()
    code = app.signalled or app.return_code or 0
    if code and code not in SIGNAL_CODES:
        print("rapport: error: the app stopped unexpectedly; notes were saved up to the last "
              "autosave", file=sys.stderr)
    if code:
        raise SystemExit(code)


#: Exit statuses after a signal (128 + its number): the app saved, closed and left cleanly.
SIGNAL_CODES = (129, 143)
