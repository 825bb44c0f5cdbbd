"""The ``rapport`` command.

Only the full-screen path imports Textual; the other subcommands import what they need inside
their own body, so ``rapport jot`` or ``rapport search`` start fast and never load the UI.

A bare ``rapport`` (options ``--home`` and ``--passphrase-file`` at most) starts the app without
importing click: :func:`bare_app_args` reads that command line, and anything else goes to the click
group in :mod:`tui.cli_root`, whose names (``cli``, ``fail``, ``pass_env``, ``build_cli``, ...) are
also reachable here.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from store.paths import Paths

if TYPE_CHECKING:  # pragma: no cover
    from store.crypto import KdfParams
    from store.vault import Store


#: The exit status of a command whose standard output was closed by its reader (128 + SIGPIPE).
PIPE_CLOSED = 141


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

    def open_store(self, *, preload: tuple[str, ...] = ()) -> "Store":
        """Unlocks the vault. ``preload``: modules the command needs next, imported on another
        thread while the key is derived (Argon2id releases the GIL: on a second core the
        imports cost no time)."""
        from store.vault import open_vault, utc_now

        passphrase = self.passphrase()
        if preload:
            import threading

            threading.Thread(target=_import_all, args=(preload,), name="rapport-preload",
                             daemon=True).start()
        return open_vault(self.paths.vault, passphrase, allow_weak=self.allow_weak,
                          clock=self.clock or utc_now)


def _import_all(modules: tuple[str, ...]) -> None:
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # imported again where it is used, and fails there if it must
            pass


def read_passphrase(path: Path | None, prompt: str, *, confirm: bool = False,
                    env: str | None = "RAPPORT_PASSPHRASE") -> str:
    """From a file (one trailing newline stripped), then ``$RAPPORT_PASSPHRASE``, then a hidden
    prompt on the terminal."""
    from tui.cli_root import fail

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
    import click

    value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    if not value:
        raise fail("the passphrase must not be empty")
    return value


#: The root group's options: option -> (environment variable, must be a directory).
BARE_OPTIONS = {"--home": ("RAPPORT_HOME", True),
                "--passphrase-file": ("RAPPORT_PASSPHRASE_FILE", False)}


def bare_app_args(args: list[str]) -> dict[str, Path | None] | None:
    """``{"home": ..., "passphrase_file": ...}`` when ``args`` is a bare ``rapport`` that click
    would run without a word: no command, only ``--home``/``--passphrase-file`` (each at most
    once, ``--opt VALUE`` or ``--opt=VALUE``), and every value (the environment's included) a path
    click accepts as it is. Otherwise None, and click decides (help, errors, commands)."""
    if any(name.startswith("_RAPPORT_COMPLETE") for name in os.environ):
        return None  # shell completion is click's
    given: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        option, eq, value = arg.partition("=")
        if option not in BARE_OPTIONS or option in given:
            return None
        if not eq:
            value = next(rest, None)
            if value is None:
                return None
        given[option] = value
    values: dict[str, Path | None] = {}
    for option, (envvar, is_dir) in BARE_OPTIONS.items():
        value = given[option] if option in given else (os.environ.get(envvar) or None)
        if value is not None and not _plain_path(value, is_dir=is_dir):
            return None
        values[option[2:].replace("-", "_")] = Path(value) if value is not None else None
    return values


def _plain_path(value: str, *, is_dir: bool) -> bool:
    """A value that ``click.Path(file_okay=not is_dir, dir_okay=is_dir)`` takes without a message
    (a missing path, or a readable directory or non-directory); odd ones are left to click."""
    if not value or value.startswith("-"):
        return False
    try:
        mode = os.stat(value).st_mode
    except OSError:
        return True  # click accepts a path that does not exist
    return stat.S_ISDIR(mode) == is_dir and os.access(value, os.R_OK)


def main(argv: list[str] | None = None) -> None:
    bare = bare_app_args(sys.argv[1:] if argv is None else list(argv))
    if bare is None:
        from tui.cli_root import main as click_main

        try:
            click_main(argv)
        except SystemExit as exc:
            _leave(exc.code)
        _leave(0)
    # What the root group's callback does, minus click: about 10 ms less before the first frame.
    from tui.launch import run_app

    try:
        run_app(Env(paths=Paths.resolve(bare["home"]), passphrase_file=bare["passphrase_file"]))
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported as click would, one line
        from tui.cli_root import exit_for

        exit_for(exc)


def _leave(code: object) -> None:
    """Ends a command that has finished (its vault closed, its output written): the streams are
    flushed, then the process leaves without tearing the interpreter down module by module,
    which costs a command 30-50 ms (click, sqlite-utils, cryptography, decrypted records)."""
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            if stream is sys.stdout and not code:
                code = PIPE_CLOSED
    os._exit(code)


def __getattr__(name: str) -> Any:
    """The click side (``cli``, ``fail``, ``pass_env``, ``build_cli``, ...), imported on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    import tui.cli_root

    try:
        return getattr(tui.cli_root, name)
    except AttributeError:
        raise AttributeError(f"module 'tui.cli' has no attribute {name!r}") from None
