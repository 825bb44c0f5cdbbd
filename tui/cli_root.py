"""The click side of the ``rapport`` command: the root group, the vault commands, and the
subcommands of other modules registered on first use.

A bare ``rapport`` (the full-screen app) does not come through here: :func:`tui.cli.main` starts
it without importing click (see :func:`tui.cli.bare_app_args`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from store import Paths
from tui.cli import PIPE_CLOSED
from tui.env import Env, read_passphrase


class CliError(click.ClickException):
    """A one-line ``rapport: error: ...`` with exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(f"rapport: error: {self.format_message()}", err=True, file=file)


class CliUsageError(CliError):
    """The same one line, for a command given wrongly (a bad option value): exit status 2, as
    click's own usage errors."""

    exit_code = 2


def fail(message: str) -> CliError:
    return CliError(message)


def bad_usage(message: str) -> CliUsageError:
    return CliUsageError(message)


def cli_error_for(exc: BaseException) -> BaseException:
    """A store error or an OS error as the one-line ``CliError``; anything else unchanged."""
    from store import RapportError

    if isinstance(exc, RapportError):
        return CliError(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return CliError(f"{where}{exc.strerror or exc}")
    return exc


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
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader left (rapport list | head): quietly, as SIGPIPE would
            raise click.exceptions.Exit(PIPE_CLOSED) from None
        except Exception as exc:  # noqa: BLE001 - store and OS errors become one line
            error = cli_error_for(exc)
            if error is exc:
                raise
            raise error from None


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
    from store import PRODUCTION
    from store import create_vault

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
    from store import open_vault

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


def main(argv: list[str] | None = None, obj: dict | None = None) -> None:
    """The whole command line through click (``tui.cli.main`` for everything but a bare app);
    ``obj``: fields of the :class:`Env` the root group builds."""
    build_cli()
    try:
        cli.main(args=argv, prog_name="rapport", standalone_mode=True, obj=obj)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("rapport: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last resort: one line, no traceback, no locals
        click.echo(f"rapport: error: unexpected {type(exc).__name__}; nothing else was changed",
                   err=True)
        sys.exit(1)


def exit_for(exc: BaseException) -> NoReturn:
    """Reports ``exc`` and exits as :func:`main` would if the root command's callback had raised
    it (the bare app's fast path in :func:`tui.cli.main` runs that callback without click)."""
    exc = cli_error_for(exc)
    if isinstance(exc, click.ClickException):
        exc.show()
        sys.exit(exc.exit_code)
    if isinstance(exc, click.exceptions.Exit):
        sys.exit(exc.exit_code)
    if isinstance(exc, (click.Abort, EOFError, KeyboardInterrupt)):
        if not isinstance(exc, click.Abort):
            click.echo(err=True)  # as click does: a blank line closes the terminal's ^C echo
        click.echo("Aborted!", err=True)
        sys.exit(1)
    click.echo(f"rapport: error: unexpected {type(exc).__name__}; nothing else was changed",
               err=True)
    sys.exit(1)
