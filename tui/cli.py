"""The ``rapport`` command.

Only the full-screen path imports Textual; the other subcommands import what they need inside
their own body, so ``rapport jot`` or ``rapport search`` start fast and never load the UI.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from store.paths import Paths

if TYPE_CHECKING:  # pragma: no cover
    from store.crypto import KdfParams
    from store.vault import Store


class CliError(click.ClickException):
    """A one-line ``rapport: error: ...`` with exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(f"rapport: error: {self.format_message()}", err=True, file=file)


def fail(message: str) -> CliError:
    return CliError(message)


@dataclass
class Env:
    """What every subcommand gets: resolved paths, how to find the passphrase, and seams for tests.

    ``kdf``/``allow_weak`` are reachable only from Python (tests pass ``obj={...}``), never from
    the command line or the environment.
    """

    paths: Paths
    passphrase_file: Path | None = None
    kdf: "KdfParams | None" = None
    allow_weak: bool = False
    clock: Callable | None = None

    def passphrase(self, prompt: str = "Passphrase", *, confirm: bool = False) -> str:
        return read_passphrase(self.passphrase_file, prompt, confirm=confirm)

    def open_store(self) -> "Store":
        from store.vault import open_vault, utc_now

        return open_vault(self.paths.vault, self.passphrase(), allow_weak=self.allow_weak,
                          clock=self.clock or utc_now)


def read_passphrase(path: Path | None, prompt: str, *, confirm: bool = False,
                    env: str | None = "RAPPORT_PASSPHRASE") -> str:
    """From a file (one trailing newline stripped), then ``$RAPPORT_PASSPHRASE``, then a hidden
    prompt on the terminal."""
    if path is not None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise fail(f"cannot read the passphrase file {path}: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise fail(f"the passphrase file {path} is not UTF-8") from None
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        if not text:
            raise fail(f"the passphrase file {path} is empty")
        return text
    if env and os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise fail("no passphrase: use --passphrase-file PATH, RAPPORT_PASSPHRASE_FILE or a terminal")
    value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    if not value:
        raise fail("the passphrase must not be empty")
    return value


class RapportGroup(click.Group):
    """Turns every store error into one line on stderr and exit status 1, never a traceback.

    Subcommands listed in ``LAZY_COMMANDS`` are imported only when they are used, so
    ``rapport jot`` does not pay for the modules of ``export`` or ``programme``.
    """

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in LAZY_COMMANDS:
            _load(self, LAZY_COMMANDS[name])
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(LAZY_COMMANDS.values()):
            _load(self, module)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        from store.errors import RapportError

        try:
            return super().invoke(ctx)
        except RapportError as exc:
            raise CliError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise CliError(f"{where}{exc.strerror or exc}") from None


@click.group(cls=RapportGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="RAPPORT_HOME",
              help="Keep the vault and config in DIR (env RAPPORT_HOME).")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="RAPPORT_PASSPHRASE_FILE",
              help="Read the passphrase from PATH (env RAPPORT_PASSPHRASE_FILE). "
                   "RAPPORT_PASSPHRASE also works but is less safe: other processes may see it.")
@click.version_option(package_name="rapport-tui", prog_name="rapport")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, passphrase_file: Path | None) -> None:
    """Rapport: run confidential conversations; keep their notes in an encrypted vault.

    With no command, starts the full-screen app.
    """
    overrides = ctx.obj if isinstance(ctx.obj, dict) else {}
    ctx.obj = Env(paths=Paths.resolve(home), passphrase_file=passphrase_file, **overrides)
    if ctx.invoked_subcommand is None:
        from tui.launch import run_app

        run_app(ctx.obj)


pass_env = click.make_pass_decorator(Env)


@cli.command()
@pass_env
def init(env: Env) -> None:
    """Create a new, empty vault (asks for a passphrase twice)."""
    from store.crypto import PRODUCTION
    from store.vault import create_vault

    if env.paths.vault.exists():
        raise fail(f"{env.paths.vault} already exists; not touching it")
    passphrase = env.passphrase("New passphrase", confirm=True)
    store = create_vault(env.paths.vault, passphrase, kdf=env.kdf or PRODUCTION,
                         allow_weak=env.allow_weak)
    store.close()
    click.echo(f"created {env.paths.vault}")


@cli.command()
@click.option("--new-passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the new passphrase from PATH instead of asking.")
@pass_env
def passwd(env: Env, new_passphrase_file: Path | None) -> None:
    """Change the passphrase (re-wraps the data key in one transaction)."""
    with env.open_store() as store:
        new = read_passphrase(new_passphrase_file, "New passphrase", confirm=True,
                              env=None) if new_passphrase_file or sys.stdin.isatty() else None
        if new is None:
            raise fail("no new passphrase: use --new-passphrase-file PATH or a terminal")
        store.change_passphrase(new)
    click.echo("passphrase changed")


@cli.command("rotate-key")
@pass_env
def rotate_key(env: Env) -> None:
    """Replace the data key and re-encrypt every record in one transaction."""
    passphrase = env.passphrase()
    from store.vault import open_vault

    with open_vault(env.paths.vault, passphrase, allow_weak=env.allow_weak) as store:
        count = store.rotate_key(passphrase)
    click.echo(f"data key rotated; {count} records re-encrypted")


@cli.command()
@pass_env
def verify(env: Env) -> None:
    """Check the database's integrity and decrypt every record; lists damaged ones."""
    with env.open_store() as store:
        damage = store.verify()
    if damage:
        for d in damage:
            click.echo(f"damaged: {d.table}/{d.id} {d.column}: {d.reason}", err=True)
        raise fail(f"{len(damage)} damaged record(s)")
    click.echo("ok: integrity check passed and every record decrypts")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def backup(env: Env, path: Path) -> None:
    """Write a consistent, verified copy of the vault to PATH (never overwrites)."""
    if path.exists():
        raise fail(f"{path} already exists; not overwriting it")
    with env.open_store() as store:
        count = store.backup(path)
    click.echo(f"backup written to {path} and verified ({count} records)")


@cli.command()
@pass_env
def locate(env: Env) -> None:
    """Print where the vault and the settings are."""
    click.echo(f"vault:  {env.paths.vault}")
    click.echo(f"config: {env.paths.config_file}")
    click.echo(f"guides: {env.paths.guides_dir}")


@cli.command()
@click.option("--guide", "guide_id", required=True, help="Guide id (see 'rapport guides list').")
@click.option("--with", "person", required=True, help="Participant's name (created if new).")
@click.option("--title", default="", help="Optional session title.")
@pass_env
def new(env: Env, guide_id: str, person: str, title: str) -> None:
    """Open the app straight into a new session after unlocking."""
    from guides.loader import load_catalog

    catalog = load_catalog(env.paths.guides_dir)
    if catalog.get(guide_id) is None:
        raise fail(f"no guide with id {guide_id!r} (see 'rapport guides list')")
    if not person.strip():
        raise fail("--with needs a name")
    from tui.launch import run_app

    run_app(env, start={"guide": guide_id, "person": person.strip(), "title": title})


#: Subcommands defined in other modules, imported only when that command runs (or for --help).
LAZY_COMMANDS = {
    "guides": "tui.cli_guides",
    "list": "tui.cli_browse", "show": "tui.cli_browse", "search": "tui.cli_browse",
    "people": "tui.cli_browse", "items": "tui.cli_browse", "jot": "tui.cli_browse",
    "export": "tui.cli_export", "import": "tui.cli_export",
    "programme": "tui.cli_programme", "synthesis": "tui.cli_programme",
}


def _load(group: click.Group, module: str) -> None:
    mod = __import__(module, fromlist=["register"])
    if hasattr(mod, "register"):
        mod.register(group)
    else:  # tui.cli_guides exposes its group directly
        group.add_command(mod.guides_group)


def build_cli() -> click.Group:
    """The root group; other modules' subcommands load on first use."""
    return cli


def main(argv: list[str] | None = None) -> None:
    build_cli()
    try:
        cli.main(args=argv, prog_name="rapport", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("rapport: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last resort: one line, no traceback, no locals
        click.echo(f"rapport: error: unexpected {type(exc).__name__}; nothing else was changed",
                   err=True)
        sys.exit(1)
