"""The ``rapport`` command: one click group, its commands loaded when they are used.

Adding a command
    Write it as a click command (or group) in a ``tui/cli_*.py`` module, and add one line to
    :data:`COMMANDS`: ``"name": "module:attribute"``. The module is imported only when that
    command runs, or for ``--help``, completion and the man page (click's documented "lazy
    group"), so ``rapport jot`` never loads the modules of ``export`` or ``programme``, and no
    module does work when it is imported. A command that grows subcommands (``rapport people
    add``) becomes a click group with ``invoke_without_command=True`` whose callback does what
    the command did; its subcommands get the global options like every other command.

What every command gets
    * The global options, ``--home DIR`` and ``--passphrase-file FILE``, before the command's name
      or after it (``rapport --home D init`` and ``rapport init --home D``, as restic and borg
      users type them): :func:`adopt` adds them to every command and subcommand, and the value
      typed last wins. They fill the :class:`tui.env.Env` that ``@pass_env`` hands the command.
    * Output through :func:`tui.format.out`, :func:`tui.format.table` and
      :func:`tui.format.out_json` only: they escape terminal controls, so no record can drive
      the terminal, whatever the command prints. A ``--json`` option writes
      ``out_json("records", [...])``, which adds ``"version": 1``, and gets a section in
      ``docs/json.md`` (a test runs the command against it).
    * Its place in the man page: ``make man`` after adding or changing a command or an option
      (a test fails until ``docs/rapport.1`` matches).
    * Errors: ``raise fail("...")`` (exit 1) or ``raise bad_usage("...")`` (exit 2). A store or
      OS error raised by a command becomes the same one line; so do click's own usage errors.
      Every error is one ``rapport: error: ...`` line on stderr, never a traceback.
    * Shell completion (click's, ``_RAPPORT_COMPLETE``) of its Choice options by itself; an
      option or argument taking a guide id adds ``shell_complete=complete_guide_ids`` (a
      programme's guide: ``complete_interview_guide_ids``), one taking a path that is not a
      ``click.Path`` ``complete_path``. Nothing that needs the passphrase is ever completed
      (names, titles): completion must not open the vault.

How a command ends
    Normally: its vault closed by its ``with``, its output flushed, the interpreter torn down as
    usual. Exit 0; 1 for an error; 2 for a usage error; 130 after Ctrl+C (one line, no
    traceback); 141, quietly, when the reader of the output left (``rapport list | head``).
    SIGTERM (``kill``) and SIGHUP (the terminal closed) end a command as Ctrl+C does, with 143
    and 129: raised where the command is (:class:`Terminated`), so what it was writing is
    removed or rolled back on the way out (no half-written export or backup claiming to be
    whole), and the vault is closed.

The full-screen app
    A bare ``rapport`` (and ``rapport new``) starts the app through :func:`start_app`, which
    refuses in one line when standard input or output is not a terminal (from a script or cron
    the app would draw to nobody, forever). The one exception is Textual's web driver: when the
    ``TEXTUAL_DRIVER`` environment variable names :class:`textual.drivers.web_driver.WebDriver`
    (or a subclass), the app runs over pipes on purpose, as ``textual-serve`` starts it. A
    ``rapport serve`` that runs the app in its own process calls :func:`tui.launch.run_app`
    directly and is not checked.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol, TypeVar

import click

from tui.env import Env
from tui.format import out

if TYPE_CHECKING:  # pragma: no cover - click imports its completion module only to complete
    from click.shell_completion import CompletionItem

#: Every command: name -> "module:attribute" of its click command, imported on first use.
COMMANDS = {
    "init": "tui.cli_vault:init",
    "passwd": "tui.cli_vault:passwd",
    "rotate-key": "tui.cli_vault:rotate_key",
    "verify": "tui.cli_vault:verify",
    "backup": "tui.cli_vault:backup",
    "locate": "tui.cli_vault:locate",
    "new": "tui.cli_vault:new",
    "guides": "tui.cli_guides:guides_group",
    "list": "tui.cli_browse:list_sessions",
    "show": "tui.cli_browse:show_session",
    "search": "tui.cli_browse:search",
    "people": "tui.cli_people:people",
    "items": "tui.cli_browse:items",
    "jot": "tui.cli_browse:jot",
    "export": "tui.cli_export:export_command",
    "import": "tui.cli_export:import_command",
    "programme": "tui.cli_programme:programme_group",
    "synthesis": "tui.cli_programme:synthesis",
    "serve": "tui.serve.cli:serve",
    "schedule": "tui.cli_loop:schedule",
    "calendar": "tui.cli_loop:calendar",
    "due": "tui.cli_loop:due",
    "goals": "tui.cli_loop:goals",
    "questions": "tui.cli_questions:questions",
    "feedback": "tui.cli_loop:feedback",
    "restore": "tui.cli_loop:restore",
}
#: Commands that start the full-screen app (everything else works without a terminal).
APP_COMMANDS = frozenset({"new"})

#: Exit statuses besides 0, 1 (an error) and 2 (a usage error): 128 + the signal's number.
INTERRUPTED = 130
PIPE_CLOSED = 141
HUNG_UP = 128 + signal.SIGHUP
TERMINATED = 128 + signal.SIGTERM
#: The signals that end a command the way Ctrl+C does, and what is said for each.
ENDING_SIGNALS = {signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}


# ---------------------------------------------------------------------- errors
class CliError(click.ClickException):
    """A one-line ``rapport: error: ...`` with exit status 1."""

    exit_code = 1


def fail(message: str) -> CliError:
    return CliError(message)


def bad_usage(message: str) -> click.UsageError:
    """A command given wrongly (a bad option value): one line, exit status 2."""
    return click.UsageError(message, click.get_current_context(silent=True))


def cli_error_for(exc: BaseException) -> BaseException:
    """A store error or an OS error as the one-line ``CliError``; anything else unchanged."""
    from store import RapportError

    if isinstance(exc, RapportError):
        return CliError(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return CliError(f"{where}{exc.strerror or exc}")
    return exc


def error_line(message: str) -> None:
    out(f"rapport: error: {message}", err=True)


class HasId(Protocol):
    @property
    def id(self) -> str: ...


Record = TypeVar("Record", bound=HasId)


def by_id(records: Iterable[Record], ref: str, noun: str) -> Record:
    """The one of ``records`` whose id is ``ref`` or starts with it (at least 4 characters, as
    everywhere a command takes an id: docs/json.md), or one error line naming ``noun``."""
    ref = ref.strip().lower()
    if len(ref) < 4:
        raise fail(f"give at least 4 characters of the {noun}'s id (not {ref!r})")
    found = [r for r in records if r.id.startswith(ref)]
    if not found:
        raise fail(f"no {noun} with id {ref!r}")
    if len(found) > 1:
        raise fail(f"{ref!r} matches more than one {noun}; give more of the id")
    return found[0]


def refuse_existing(output: str) -> None:
    """``-o PATH``, checked before the vault is opened (nothing is asked for a write that cannot
    happen): a file or link already there is never overwritten. A folder is fine: see
    :func:`in_folder`; a path ending in "/" must be one (``-o reports/`` never writes a file
    called "reports")."""
    if output != "-" and os.path.lexists(output) and not os.path.isdir(output):
        raise fail(f"{output} already exists; not overwriting it")
    if output.endswith(("/", os.sep)) and not os.path.isdir(output):
        raise fail(f"there is no folder {output}; create it first, or give a file's name")


def in_folder(output: str, name: str) -> str:
    """Where ``-o PATH`` writes: PATH itself, or the suggested ``name`` inside it when PATH is
    a folder (``-o ~/Desktop``, as ``cp`` takes one), never over a file already there."""
    if output == "-" or not os.path.isdir(output):
        return output
    path = os.path.join(output, name)
    if os.path.lexists(path):
        raise fail(f"{path} already exists; not overwriting it")
    return path


# ---------------------------------------------------------------------- global options
#: The options every command takes: name -> (environment variable, metavar, help).
GLOBAL_OPTIONS = {
    "home": ("RAPPORT_HOME", "DIR", "Keep the vault and settings in DIR (env RAPPORT_HOME)."),
    "passphrase_file": ("RAPPORT_PASSPHRASE_FILE", "FILE",
                        "Read the passphrase from FILE, a file or a pipe such as "
                        "<(pass show rapport) (env RAPPORT_PASSPHRASE_FILE). RAPPORT_PASSPHRASE "
                        "also works but is less safe: other processes may see it."),
}


def _global_option(name: str, *, root: bool) -> click.Option:
    """``--home`` or ``--passphrase-file``. The root group's reads its environment variable and
    builds the :class:`Env`; a command's copy only sets the ``Env`` again when it is given."""
    envvar, metavar, help_text = GLOBAL_OPTIONS[name]
    kind = click.Path(file_okay=name != "home", path_type=Path)
    flag = "--" + name.replace("_", "-")
    if root:
        return click.Option([flag], type=kind, envvar=envvar, metavar=metavar, help=help_text)
    return click.Option([flag], type=kind, metavar=metavar, help=help_text, expose_value=False,
                        callback=_set_env)


def _set_env(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and param.name:
        ctx.meta[META + param.name] = value  # for shell completion, which builds no Env
        env = ctx.find_object(Env)
        if env is not None:
            setattr(env, param.name, value)
    return value


#: Where a global option typed after a command's name is kept in ``ctx.meta`` (shared by the
#: whole chain of contexts).
META = "rapport."


def typed_home(ctx: click.Context) -> str | None:
    """The ``--home`` in force while ``ctx`` is parsed, before any :class:`Env` exists (shell
    completion): typed after the command, else before it, else ``$RAPPORT_HOME``."""
    home = ctx.meta.get(META + "home") or ctx.find_root().params.get("home")
    return str(home) if home else os.environ.get("RAPPORT_HOME") or None


def adopt(command: click.Command) -> click.Command:
    """Gives ``command`` and its subcommands the global options (once), so they can be typed
    after the command's name too."""
    if not any(param.name in GLOBAL_OPTIONS for param in command.params):
        command.params.extend(_global_option(name, root=False) for name in GLOBAL_OPTIONS)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            adopt(sub)
    return command


# ---------------------------------------------------------------------- the group
class RapportGroup(click.Group):
    """The root group: commands from :data:`COMMANDS`, loaded on first use; every error one line.

    ``main`` is the whole program's life: exit statuses, the one-line errors (click's usage
    errors included), Ctrl+C and a closed pipe. It is what ``tui.cli.main`` runs and what
    ``click.testing.CliRunner`` invokes, so tests see what a person sees.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            import importlib

            module, _, attribute = COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
                raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return adopt(command) if command is not None else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader left (rapport list | head): quietly, as SIGPIPE would
            _discard_output()
            raise click.exceptions.Exit(PIPE_CLOSED) from None
        except Exception as exc:  # noqa: BLE001 - store and OS errors become one line
            error = cli_error_for(exc)
            if error is exc:
                raise
            raise error from None

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        code = _finish(lambda: super(RapportGroup, self).main(
            args, prog_name or "rapport", complete_var, standalone_mode=False, **extra))
        if standalone_mode:
            sys.exit(code)
        return code


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the command where it is, as Ctrl+C's ``KeyboardInterrupt``
    is, so every ``finally``, ``with`` and ``except BaseException`` that cleans up after Ctrl+C
    (a file being written removed, a transaction rolled back, the vault closed) does so for these
    too. Not a ``KeyboardInterrupt``: click would print an empty line for it (after a ``^C``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _ending_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Terminated` inside (the first one; later ones are
    ignored while the command cleans up); the previous handlers are back afterwards. Signal
    handlers belong to the main thread: elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        for number in ENDING_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise Terminated(signum)

    previous = {number: signal.signal(number, terminate) for number in ENDING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _discard_output() -> None:
    """Standard output to /dev/null, once its reader has left: the line that could not be
    written is still in Python's buffer, and flushing it again at exit would print "Exception
    ignored ... BrokenPipeError" and exit 120 (the recipe of Python's ``signal`` documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real standard output (a test's): nothing to flush later
        pass


def _finish(run: Callable[[], Any]) -> int:
    """Runs the command line; its exit status, with whatever went wrong said in one line."""
    try:
        try:
            with _ending_signals():
                result = run()
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            error_line(exc.format_message().rstrip(".") + hint)
            return 2
        except click.ClickException as exc:
            error_line(exc.format_message())
            return exc.exit_code
        except click.Abort as exc:  # click's word for Ctrl+C or Ctrl+D at a prompt or anywhere
            if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
                raise KeyboardInterrupt from None
            error_line("aborted: the input ended")
            return 1
        except Exception as exc:  # noqa: BLE001 - last resort: one line, no traceback, no locals
            error_line(f"unexpected {type(exc).__name__}; nothing else was changed")
            return 1
    except Terminated as exc:
        try:  # after SIGHUP the terminal may be gone: the status says it all
            out(f"rapport: {ENDING_SIGNALS[signal.Signals(exc.signum)]}", err=True)
        except (OSError, ValueError):
            pass
        return 128 + exc.signum
    except KeyboardInterrupt:
        out("rapport: interrupted", err=True)
        return INTERRUPTED
    return result if isinstance(result, int) else 0


@click.group("rapport", cls=RapportGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]},
             params=[_global_option(name, root=True) for name in GLOBAL_OPTIONS])
@click.version_option(package_name="rapport-tui", prog_name="rapport")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, passphrase_file: Path | None) -> None:
    """Rapport: run confidential conversations; keep their notes in an encrypted vault.

    With no command, starts the full-screen app, which asks for the passphrase itself
    (--passphrase-file is for commands). --home and --passphrase-file work before or after a
    command's name.
    """
    overrides = ctx.obj if isinstance(ctx.obj, dict) else {}
    ctx.obj = Env(home=home, passphrase_file=passphrase_file, **overrides)
    if ctx.invoked_subcommand is None:
        start_app(ctx.obj)


pass_env = click.make_pass_decorator(Env)


class DayType(click.ParamType[date, Any]):
    """A date given as YYYY-MM-DD."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD)", param, ctx)


DAY = DayType()


# ---------------------------------------------------------------------- shell completion
# click completes commands, options and every Choice by itself. Only what needs no passphrase
# is completed: guide ids (read from the guides folder, never the vault) and paths. Names are
# encrypted, so options that take one (--with, --person, --leader) complete to nothing; there
# is no plaintext cache of them to read, and completion never opens the vault.
def complete_guide_ids(ctx: click.Context, param: click.Parameter,
                       incomplete: str, *, interviews: bool = False) -> list[str]:
    """Shell completion for a guide id: the guides on offer (no passphrase needed)."""
    try:
        from guides.loader import load_catalog
        from store import Paths

        catalog = load_catalog(Paths.resolve(typed_home(ctx)).guides_dir)
        ids = [g.id for g in catalog.interviews] if interviews else catalog.ids
    except Exception:  # noqa: BLE001 - completion offers nothing rather than a traceback
        return []
    return [guide_id for guide_id in ids if guide_id.startswith(incomplete)]


def complete_interview_guide_ids(ctx: click.Context, param: click.Parameter,
                                 incomplete: str) -> list[str]:
    """Shell completion for a programme's guide: the interview guides only."""
    return complete_guide_ids(ctx, param, incomplete, interviews=True)


def complete_path(ctx: click.Context, param: click.Parameter,
                  incomplete: str) -> list["CompletionItem"]:
    """Shell completion for an option that takes a path or ``-`` (``-o``): the shell's own."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


# ---------------------------------------------------------------------- the app
def start_app(env: Env, start: dict[str, Any] | None = None) -> None:
    """Runs the full-screen app, or refuses in one line without a terminal (see the module's
    docstring for Textual's web driver)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not web_driver():
        usable = ", ".join(sorted(set(COMMANDS) - APP_COMMANDS))
        raise fail(f"the app needs a terminal; these commands work without one: {usable}")
    from tui.launch import run_app

    run_app(env, start=start)


def web_driver() -> bool:
    """Whether ``$TEXTUAL_DRIVER`` names Textual's web driver (or a subclass of it)."""
    name = os.environ.get("TEXTUAL_DRIVER")
    if not name:
        return False
    import importlib

    module, _, attribute = name.partition(":")
    try:
        from textual.drivers.web_driver import WebDriver

        driver = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(driver, type) and issubclass(driver, WebDriver)


def main(argv: list[str] | None = None, obj: dict[str, Any] | None = None) -> None:
    """The ``rapport`` command (``argv``: the arguments, else ``sys.argv[1:]``). ``obj``: fields
    of the :class:`Env`, for tests (``kdf``, ``allow_weak``, ``clock``). Exits with the status."""
    cli.main(args=argv, prog_name="rapport", obj=obj)
