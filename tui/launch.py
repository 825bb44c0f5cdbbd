"""Composition root of the full-screen app: build everything here and hand it in.

:func:`make_app` is the one factory of :class:`tui.app.RapportApp`: the launcher
(:func:`run_app`), the tests (``tests/apptools.py``) and the bench build the app through it.
"""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, NoReturn

if TYPE_CHECKING:  # pragma: no cover
    from store import KdfParams
    from store import Paths
    from tui.app import RapportApp
    from tui.config import Config
    from tui.env import Env


class Heap:
    """The app's only gc calls, made by the launcher's app (docs/performance.md names the rows).

    Before ``app.run`` (:meth:`started`): what the imports and the app's construction made lives
    for the process. Frozen, the collections that start-up triggers skip it; left in view, one
    full collection walked it between ``App.run`` and the unlock screen's first frame (75-93 ms
    from run to that frame, 53-60 ms frozen: R1 cold start).

    Once the home list is loaded (:meth:`settled`), the decrypted heap lives for the session:
    frozen, it leaves the collector's view. Left in it, the first full collection after the load
    walks it all (60-130 ms with 10,000 sessions) inside whatever runs then: a key press in the
    list (page down: 2.5-4x a 200-row DataTable instead of 0.8x). Locking (:meth:`released`)
    lets it go again: unfrozen, what the closed vault left behind is collected as usual. When the
    app has run, what is left lives until the process ends: frozen again, the interpreter's last
    collection skips it (quit: 1.2x the minimal app from the unlock screen, 1.5x from a
    10,000-session home without it, 0.8x with it)."""

    def started(self) -> None:
        gc.freeze()

    def settled(self) -> None:
        gc.freeze()

    def released(self) -> None:
        gc.unfreeze()


class Refused(Exception):
    """The app will not start in this environment; ``str()`` is the one line that says why."""


def make_app(paths: "Paths", *, config: "Config | None" = None, start: dict[str, Any] | None = None,
             kdf: "KdfParams | None" = None, allow_weak: bool = False,
             clock: Callable[[], datetime] | None = None,
             heap: Heap | None = None) -> "RapportApp":
    """The app for ``paths``: settings read from the config file unless ``config`` is given;
    ``heap``: the launcher's :class:`Heap` (tests leave the collector alone). Raises
    :class:`Refused` when Textual's developer tools (or its log file) are on."""
    from tui.app import RapportApp
    from tui.config import load_config
    from tui.state import load_state, state_path

    warning = None
    if config is None:
        config, warning = load_config(paths.config_file)
    app = RapportApp(paths=paths, config=config, config_warning=warning, start=start, kdf=kdf,
                     allow_weak=allow_weak, clock=clock, heap=heap,
                     state=load_state(state_path(paths.config_dir)))
    if app.refused:
        raise Refused(app.refused)
    return app


def refuse(message: str) -> NoReturn:
    """One line on standard error, exit status 1."""
    from store import visible

    print(f"rapport: error: {visible(message)}", file=sys.stderr)
    raise SystemExit(1)


def run_app(env: "Env", start: dict[str, Any] | None = None) -> None:
    """Runs the app until it quits; exits non-zero after a crash, a refusal or a signal
    (129 for SIGHUP, 143 for SIGTERM: notes saved and the vault closed first)."""
    from store import probe
    from store import RapportError, VaultMissing

    try:
        probe(env.paths.vault)
    except VaultMissing:
        pass  # the app offers to create one
    except RapportError as exc:
        refuse(str(exc))
    app_heap = Heap()
    try:
        app = make_app(env.paths, start=start, kdf=env.kdf, allow_weak=env.allow_weak,
                       clock=env.clock, heap=app_heap)
    except Refused as exc:
        refuse(str(exc))
    app_heap.started()
    app.run()
    app.close_store()  # after a crash: the screens saved what they held; lock the vault
    app_heap.settled()
    code = app.signalled or app.return_code or 0
    if code and code not in SIGNAL_CODES:
        print("rapport: error: the app stopped unexpectedly; notes were saved up to the last "
              "autosave", file=sys.stderr)
    if code:
        raise SystemExit(code)


#: Exit statuses after a signal (128 + its number): the app saved, closed and left cleanly.
SIGNAL_CODES = (129, 143)
