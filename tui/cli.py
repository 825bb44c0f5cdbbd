"""The ``rapport`` command.

Only the full-screen path imports Textual; the other subcommands import what they need inside
their own body, so ``rapport jot`` or ``rapport search`` start fast and never load the UI.

A bare ``rapport`` (options ``--home`` and ``--passphrase-file`` at most) starts the app without
importing click: :func:`bare_app_args` reads that command line, and anything else goes to the click
group in :mod:`tui.cli_root`, whose names (``cli``, ``fail``, ``pass_env``, ``build_cli``, ``Env``,
...) are also reachable here.

A command that unlocks starts deriving its key (:func:`start_key_prefetch`) before anything else is
imported: this module imports only what that needs (no :mod:`dataclasses`, no :mod:`pathlib`).
"""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from store.prefetch import KeyPrefetch


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


#: Commands whose first act is to unlock the vault with the root passphrase (``Env.open_store``):
#: :func:`main` starts deriving their key while click and the command's modules load.
UNLOCKING_COMMANDS = frozenset({"list", "show", "search", "people", "items", "jot", "export",
                                "programme", "synthesis"})


def start_key_prefetch(args: list[str]) -> "KeyPrefetch | None":
    """A :class:`store.prefetch.KeyPrefetch` started for ``args`` when they run an unlocking
    command and the passphrase comes without asking (a regular file, or the environment);
    otherwise None. Nothing is reported here: click reads the same command line again and
    reports what is wrong with it."""
    read = _root_options(args)
    if read is None or not read[1] or read[1][0] not in UNLOCKING_COMMANDS or _asks_help(read[1]):
        return None
    given = read[0]
    passphrase = _quiet_passphrase(_root_value(given, "--passphrase-file"))
    if not passphrase:
        return None
    from store.paths import vault_file
    from store.prefetch import KeyPrefetch

    return KeyPrefetch(vault_file(_root_value(given, "--home")), passphrase).start()


def _asks_help(words: list[str]) -> bool:
    """Whether the command's words hold its help option (before any ``--``): it unlocks nothing."""
    for word in words[1:]:
        if word == "--":
            return False
        if word in ("-h", "--help"):
            return True
    return False


def _quiet_passphrase(path: str | None) -> str | None:
    """What :func:`read_passphrase` would return without a prompt, or None. Only a regular file
    is read: a pipe (``--passphrase-file <(pass show x)``) can be read once, by the command."""
    if path is None:
        return os.environ.get("RAPPORT_PASSPHRASE") or None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            return passphrase_in(fh.read())
    except (OSError, UnicodeDecodeError):
        return None


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
        prefetch = start_key_prefetch(args)
        from tui.cli_root import main as click_main

        try:
            click_main(argv, obj=None if prefetch is None else {"prefetch": prefetch})
        except SystemExit as exc:
            _leave(exc.code)
        _leave(0)
    # What the root group's callback does, minus click: about 10 ms less before the first frame.
    from store.paths import Paths
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
