"""The ``rapport`` command.

Only the full-screen path imports Textual; the other subcommands import what they need inside
their own body, so ``rapport jot`` or ``rapport search`` start fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from store.paths import Paths


class CliError(click.ClickException):
    """A one-line ``rapport: error: ...`` with exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(f"rapport: error: {self.format_message()}", err=True, file=file)


def fail(message: str) -> "CliError":
    return CliError(message)


@dataclass
class Env:
    """What every subcommand gets: resolved paths and how to find the passphrase."""

    paths: Paths
    passphrase_file: Path | None = None
    extras: dict = field(default_factory=dict)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="RAPPORT_HOME",
              help="Keep the vault and config in DIR (env RAPPORT_HOME).")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="RAPPORT_PASSPHRASE_FILE",
              help="Read the passphrase from PATH (env RAPPORT_PASSPHRASE_FILE).")
@click.version_option(package_name="rapport-tui", prog_name="rapport")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, passphrase_file: Path | None) -> None:
    """Rapport: run confidential conversations and keep their notes in an encrypted vault.

    With no command, starts the full-screen app.
    """
    ctx.obj = Env(paths=Paths.resolve(home), passphrase_file=passphrase_file)
    if ctx.invoked_subcommand is None:
        from tui.launch import run_app

        run_app(ctx.obj)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="rapport", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("rapport: interrupted", err=True)
        sys.exit(130)
