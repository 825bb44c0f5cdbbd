"""Composition root of the full-screen app: build everything here and hand it in."""

from __future__ import annotations

import click

from tui.cli import Env, fail


def run_app(env: Env, start: dict | None = None) -> None:
    from store.errors import RapportError, VaultMissing
    from store.vault import probe

    try:
        probe(env.paths.vault)
    except VaultMissing:
        pass  # the app offers to create one
    except RapportError as exc:
        raise fail(str(exc)) from None
    from tui.config import load_config

    config, warning = load_config(env.paths.config_file)
    from tui.app import RapportApp

    app = RapportApp(paths=env.paths, config=config, config_warning=warning, start=start,
                     kdf=env.kdf, allow_weak=env.allow_weak, clock=env.clock)
    app.run()
    if app.return_code:
        click.echo("rapport: error: the app stopped unexpectedly; notes were saved up to the "
                   "last autosave", err=True)
        raise SystemExit(app.return_code)
