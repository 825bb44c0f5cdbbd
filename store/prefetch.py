"""Deriving a vault's key-encryption key while the command is still starting.

A command such as ``rapport jot`` spends ~60-90 ms importing click, its own modules and the store
before it can unlock, and then ~250 ms in Argon2id. Nothing in the first part needs the key and
the key needs nothing from it, so the entry point starts a :class:`KeyPrefetch` as soon as it
knows the vault and the passphrase, and :func:`store.vault.open_vault` takes the key from it.

The prefetched key is used only when the key slot that :func:`open_vault` then reads, under the
vault's lock, has the same salt and parameters, and the passphrase is the same; otherwise the key
is derived again as usual. The prefetch reads the slot through an immutable read-only connection,
so it takes no lock and never creates or writes a file (no ``-wal``/``-shm``); whatever goes
wrong in it (no vault, a damaged or busy one, a crafted header) leaves it without a key and lets
:func:`open_vault` meet and report the problem itself. A wrong passphrase still costs one key
derivation, not two.

Everything up to the start of the derivation runs while the second core is idle, so this module
and what it imports (:mod:`store.crypto`, :mod:`store.db`) load neither :mod:`pathlib` nor
:mod:`dataclasses`: paths are strings here.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import TYPE_CHECKING

from . import crypto, db

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


def _sqlite_uri(path: str) -> str:
    """An SQLite ``file:`` URI for an absolute path: ``%`` escapes, ``?`` and ``#`` would end
    the path (SQLite's URI rules; the rest is taken as it is)."""
    return "file:" + path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def read_slot(path: str | Path) -> tuple[bytes, crypto.KdfParams]:
    """The salt and KDF parameters of the vault at ``path``, read without locking or writing.

    ``immutable=1``: SQLite neither locks nor looks for a WAL, so a slot changed since the last
    checkpoint may be read stale; the caller compares it with the slot read under the lock."""
    db.check_header(path)
    uri = _sqlite_uri(os.path.abspath(path)) + "?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        salt, kdf = conn.execute("SELECT salt, kdf FROM keyslot WHERE id = 1").fetchone()
    finally:
        conn.close()
    return bytes(salt), crypto.KdfParams.from_dict(json.loads(kdf))


class KeyPrefetch:
    """Derives the key-encryption key of the vault at ``path`` for ``passphrase`` on a thread."""

    def __init__(self, path: str | Path, passphrase: str, *, allow_weak: bool = False) -> None:
        self.path = os.path.abspath(path)
        self._passphrase = passphrase
        self._allow_weak = allow_weak
        self._derived: tuple[bytes, crypto.KdfParams, bytes] | None = None  # salt, params, key
        self._thread: threading.Thread | None = None

    def start(self, slot: tuple[bytes, crypto.KdfParams] | None = None) -> "KeyPrefetch":
        """Reads the slot (unless ``slot`` gives the salt and parameters read earlier: the
        unlock screen reads them while the passphrase is typed) and loads Argon2id here, then
        derives on a thread: the derivation releases the GIL, so the caller's work runs beside
        it; the reading and loading would only take turns with it. Returns once the thread is
        in the derivation: a thread started while its caller keeps the GIL busy would
        otherwise wait up to a switch interval (5 ms) to begin."""
        try:
            salt, params = read_slot(self.path) if slot is None else slot
            params.check(allow_weak=self._allow_weak)  # the ceiling, before any work
            crypto.load_kdf()
        except Exception:  # noqa: BLE001 - open_vault derives again and reports what is wrong
            return self
        begun = threading.Event()
        self._thread = threading.Thread(target=self._derive, args=(salt, params, begun),
                                        name="rapport-kdf", daemon=True)
        self._thread.start()
        begun.wait()  # releases the GIL: the thread runs on into Argon2id, which releases it
        return self

    def _derive(self, salt: bytes, params: crypto.KdfParams, begun: threading.Event) -> None:
        begun.set()
        try:
            key = crypto.derive_kek(self._passphrase, salt, params, allow_weak=self._allow_weak)
        except Exception:  # noqa: BLE001 - as above
            return
        self._derived = (salt, params, key)

    def take(self, path: str | Path, passphrase: str, salt: bytes,
             params: crypto.KdfParams) -> bytes | None:
        """The key, once, if it was derived from exactly these inputs; else None."""
        if self._thread is not None:
            self._thread.join()
        derived, self._derived = self._derived, None
        if derived is None or os.path.abspath(path) != self.path:
            return None
        import hmac  # here: the prefetch's start stays as light as it can be

        got_salt, got_params, key = derived
        same = hmac.compare_digest(crypto.normalise_passphrase(passphrase),
                                   crypto.normalise_passphrase(self._passphrase))
        return key if same and got_salt == salt and got_params == params else None
