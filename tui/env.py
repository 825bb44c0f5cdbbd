"""What every subcommand gets (:class:`Env`) and how it reads the passphrase.

Kept out of :mod:`tui.cli`, the entry point, which starts deriving the key before this module
(and :mod:`dataclasses`, :mod:`pathlib`) is imported.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from store import Paths
from tui.cli import passphrase_in

if TYPE_CHECKING:  # pragma: no cover
    from store import KdfParams
    from store import Store


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
        from store import open_vault, utc_now

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
            text = passphrase_in(raw)
        except UnicodeDecodeError:
            raise fail(f"the passphrase file {path} is not UTF-8") from None
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
