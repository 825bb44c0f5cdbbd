"""Composition root of the full-screen app: build everything here and hand it in."""

from __future__ import annotations

import gc
import os
import sys

from tui.env import Env


def run_app(env: Env, start: dict | None = None) -> None:
    # No cyclic collections while Textual is imported and the first screen laid out (tens of
    # passes over objects that all live for the session): RapportApp.end_startup resumes them.
    gc_paused = gc.isenabled()
    gc.disable()
    from store import probe
    from store import RapportError, VaultMissing

    try:
        probe(env.paths.vault)
    except VaultMissing:
        pass  # the app offers to create one
    except RapportError as exc:
        if gc_paused:
            gc.enable()
        from tui.cli import fail

        raise fail(str(exc)) from None
    from tui.config import load_config

    config, warning = load_config(env.paths.config_file)
    from tui.app import RapportApp

    app = RapportApp(paths=env.paths, config=config, config_warning=warning, start=start,
                     kdf=env.kdf, allow_weak=env.allow_weak, clock=env.clock,
                     gc_paused=gc_paused)
    app.run()
    if app.store is not None:  # a crash: the screens flushed what they held; lock the vault
        app.store.close()
    if app.return_code:
        print("rapport: error: the app stopped unexpectedly; notes were saved up to the last "
              "autosave", file=sys.stderr)
    # Everything is saved and the vault closed: skip tearing down the decrypted heap object by
    # object (tens of ms with a large vault) and leave now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(app.return_code or 0)
