"""The ``rapport`` command.

Only the full-screen path imports Textual; the other subcommands import what they need inside
their own body, so ``rapport jot`` or ``rapport search`` start fast and never load the UI.

A bare ``rapport`` (options ``--home`` and ``--passphrase-file`` at most) starts the app without
importing click: :func:`bare_app_args` reads that command line, and anything else goes to the click
group in :mod:`tui.cli_root`, whose names (``cli``, ``fail``, ``pass_env``, ``build_cli``, ``Env``,
...) are also reachable here.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


#: The exit status of a command whose standard output was closed by its reader (128 + SIGPIPE).
PIPE_CLOSED = 141


def passphrase_in(raw: bytes) -> str:
    """A passphrase file's passphrase: UTF-8 (or UnicodeDecodeError), one trailing newline off."""
    text = raw.decode("utf-8")
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


#: The root group's options: option -> (environment variable, must be a directory).
BARE_OPTIONS = {"--home": ("RAPPORT_HOME", True),
                "--passphrase-file": ("RAPPORT_PASSPHRASE_FILE", False)}


def _root_options(args: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """The root group's options at the head of ``args`` (each at most once, ``--opt VALUE`` or
    ``--opt=VALUE``) and the rest from the first word that is not an option; None for anything
    else (help, version, an unknown option, a missing value, shell completion)."""
    if any(name.startswith("_RAPPORT_COMPLETE") for name in os.environ):
        return None  # shell completion is click's
    given: dict[str, str] = {}
    at = 0
    while at < len(args):
        if not args[at].startswith("-"):
            return given, args[at:]
        option, eq, value = args[at].partition("=")
        if option not in BARE_OPTIONS or option in given:
            return None
        if not eq:
            at += 1
            if at == len(args):
                return None
            value = args[at]
        given[option] = value
        at += 1
    return given, []


def _root_value(given: dict[str, str], option: str) -> str | None:
    """An option's value as click sees it: given, else its environment variable (empty = unset)."""
    return given[option] if option in given else (os.environ.get(BARE_OPTIONS[option][0]) or None)


def bare_app_args(args: list[str]) -> dict[str, Path | None] | None:
    """``{"home": ..., "passphrase_file": ...}`` when ``args`` is a bare ``rapport`` that click
    would run without a word: no command, only ``--home``/``--passphrase-file`` (each at most
    once, ``--opt VALUE`` or ``--opt=VALUE``), and every value (the environment's included) a path
    click accepts as it is. Otherwise None, and click decides (help, errors, commands)."""
    read = _root_options(args)
    if read is None or read[1]:
        return None
    from pathlib import Path

    values: dict[str, Path | None] = {}
    for option, (_envvar, is_dir) in BARE_OPTIONS.items():
        value = _root_value(read[0], option)
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
    args = sys.argv[1:] if argv is None else list(argv)
    bare = bare_app_args(args)
    if bare is None:
        from tui.cli_root import main as click_main

        try:
            click_main(argv)
        except SystemExit as exc:
            _leave(exc.code)
        _leave(0)
    # What the root group's callback does, minus click: about 10 ms less before the first frame.
    from store import Paths
    from tui.env import Env
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
