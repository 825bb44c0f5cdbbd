"""What every command gets (:class:`Env`), how it finds the passphrase, and how it reads the files
it is given: bounded, and only the kinds of file that can end."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from store import Paths

if TYPE_CHECKING:  # pragma: no cover
    from store import KdfParams
    from store import Store
    from tui.config import Config

#: The most a passphrase file may hold (a passphrase is a line; anything bigger is the wrong file).
PASSPHRASE_LIMIT = 4096
#: What ``init`` says before it asks for the passphrase.
NO_RECOVERY = "A forgotten passphrase cannot be recovered: nothing opens the vault without it."


@dataclass
class Env:
    """What every command gets: where the vault and settings are, how to find the passphrase, and
    seams for tests.

    The root group builds it from its options; the same options given after a command's name
    (``rapport init --home DIR``) set it again before the command runs (:mod:`tui.cli`).
    ``kdf``/``allow_weak``/``clock`` are reachable only from Python (``main(argv, obj={...})``),
    never from the command line or the environment.
    """

    home: Path | None = None
    passphrase_file: Path | None = None
    kdf: "KdfParams | None" = None
    allow_weak: bool = False
    clock: Callable[[], datetime] | None = None
    #: Whether the damage unlocking found was said already (once per command).
    warned: bool = field(default=False, init=False, repr=False)

    @property
    def paths(self) -> Paths:
        return Paths.resolve(self.home)

    def today(self) -> date:
        """Today's date here, by the injected clock when there is one."""
        from store import utc_now

        return (self.clock or utc_now)().astimezone().date()

    def given_passphrase(self) -> str | None:
        """The passphrase from ``--passphrase-file`` or ``$RAPPORT_PASSPHRASE``; None if it
        would have to be asked for."""
        return given_passphrase(self.passphrase_file)

    def passphrase(self, prompt: str = "Passphrase", *, confirm: bool = False) -> str:
        return read_passphrase(self.passphrase_file, prompt, confirm=confirm)

    def config(self) -> "Config":
        """The settings in ``config.toml`` that a command uses (``[keys]`` unchecked: commands
        bind no keys); a broken file or setting is one ``rapport: warning:`` line on stderr, and
        its default."""
        from tui.config import load_config
        from tui.format import out

        config, warning = load_config(self.paths.config_file, check_keys=False)
        if warning:
            out(f"rapport: warning: {warning}", err=True)
        return config

    def open_store(self, passphrase: str | None = None, *, warn: bool = True) -> "Store":
        """Unlocks the vault (one ``rapport: error:`` line for anything wrong), with
        ``passphrase`` or the one :meth:`passphrase` finds.

        What unlocking found wrong (``store.damage``: rows deleted outside rapport) is shown,
        never hidden: one ``rapport: warning:`` line per problem on stderr, once per command,
        leaving its output and exit status alone. ``warn=False`` for ``rapport verify``, which
        reports the same problems itself."""
        from store import open_vault, utc_now
        from tui.format import out

        store = open_vault(self.paths.vault, passphrase or self.passphrase(),
                           allow_weak=self.allow_weak, clock=self.clock or utc_now)
        if warn and not self.warned:
            for problem in store.damage:
                out(f"rapport: warning: {problem}; run 'rapport verify'", err=True)
            self.warned = True
        return store


def read_input(path: Path, limit: int, *, what: str, pipe_ok: bool = False) -> bytes:
    """The bytes of the file at ``path``: a regular file (or, with ``pipe_ok``, a pipe such as
    ``<(pass show rapport)``) of at most ``limit`` bytes. Anything else (a device such as
    ``/dev/zero``, a directory, a socket, a FIFO where a file is expected, too much data) is one
    error line naming ``what``; at most ``limit + 1`` bytes are ever read, and a FIFO where none
    is wanted is refused without waiting for a writer (:func:`store.read_regular`)."""
    from store import NotRegularFile, read_regular
    from tui.cli import fail

    try:
        data = read_regular(path, limit + 1, pipe_ok=pipe_ok)
    except (NotRegularFile, IsADirectoryError):
        kinds = "a regular file or a pipe" if pipe_ok else "a regular file"
        raise fail(f"{what} {path} is not {kinds}") from None
    except OSError as exc:
        raise fail(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise fail(f"{what} {path} is larger than {limit} bytes")
    return data


def passphrase_in(raw: bytes) -> str:
    """A passphrase file's passphrase: UTF-8 (or UnicodeDecodeError), one trailing newline off."""
    text = raw.decode("utf-8")
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def passphrase_file(path: Path) -> str:
    """The passphrase in the file (or pipe) at ``path``, or one error line."""
    from tui.cli import fail

    raw = read_input(path, PASSPHRASE_LIMIT, what="the passphrase file", pipe_ok=True)
    try:
        text = passphrase_in(raw)
    except UnicodeDecodeError:
        raise fail(f"the passphrase file {path} is not UTF-8") from None
    if not text:
        raise fail(f"the passphrase file {path} is empty")
    return text


def given_passphrase(path: Path | None, env: str | None = "RAPPORT_PASSPHRASE") -> str | None:
    """From the file at ``path``, then the environment variable ``env``; None if neither."""
    if path is not None:
        return passphrase_file(path)
    return os.environ.get(env) or None if env else None


def read_passphrase(path: Path | None, prompt: str, *, confirm: bool = False,
                    env: str | None = "RAPPORT_PASSPHRASE") -> str:
    """From a file (one trailing newline stripped), then ``$RAPPORT_PASSPHRASE``, then a hidden
    prompt on the terminal."""
    from tui.cli import Terminated, fail

    given = given_passphrase(path, env)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise fail("no passphrase: use --passphrase-file PATH, RAPPORT_PASSPHRASE_FILE or a terminal")
    import click

    try:
        value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    except Terminated:  # end the prompt's line, as click does after Ctrl+C (if it is still there)
        with contextlib.suppress(OSError, ValueError):
            click.echo(err=True)
        raise
    if not value:
        raise fail("the passphrase must not be empty")
    return value
