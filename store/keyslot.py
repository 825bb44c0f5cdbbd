"""The key slot: the data key, wrapped under a key derived from the passphrase.

One row (``keyslot``, id 1): the vault's id, the slot's format, the Argon2id parameters, the salt
and the wrapped key, all bound into the wrap's associated data. No passphrase hash is stored: the
wrap's tag is the check, so a guess costs a full derivation.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, replace

from . import crypto
from .crypto import KdfParams
from .errors import NotAVault, UnsafeParameters


@dataclass(frozen=True)
class KeySlot:
    vault_id: str
    format: int
    params: KdfParams
    salt: bytes
    wrapped: bytes

    def aad(self) -> bytes:
        return crypto.keyslot_aad(self.vault_id, self.params, self.salt, self.format)

    def unlock(self, passphrase: str, *, allow_weak: bool = False) -> tuple[bytes, bytes]:
        """(KEK, data key) for ``passphrase``; :class:`~store.errors.WrongPassphrase` otherwise.
        The parameters are checked against the floor and ceiling before anything is derived."""
        self.params.check(allow_weak=allow_weak)
        kek = crypto.derive_kek(passphrase, self.salt, self.params, allow_weak=allow_weak)
        dek = crypto.unwrap_key(kek, self.wrapped, self.aad(),
                                default_params=self.params == crypto.PRODUCTION)
        return kek, dek

    def rewrapped(self, kek: bytes, dek: bytes, *, salt: bytes | None = None,
                  params: KdfParams | None = None, format: int | None = None) -> KeySlot:
        slot = replace(self, salt=self.salt if salt is None else salt,
                       params=params or self.params,
                       format=self.format if format is None else format, wrapped=b"")
        return replace(slot, wrapped=crypto.wrap_key(kek, dek, slot.aad()))


def new_slot(vault_id: str, passphrase: str, params: KdfParams, *,
             allow_weak: bool = False) -> tuple[KeySlot, bytes]:
    """A slot for a new vault, and its new data key."""
    salt = os.urandom(16)
    kek = crypto.derive_kek(passphrase, salt, params, allow_weak=allow_weak)
    slot = KeySlot(vault_id, crypto.SLOT_FORMAT, params, salt, b"")
    dek = crypto.new_key()
    return slot.rewrapped(kek, dek), dek


def read(conn: sqlite3.Connection, where: object) -> KeySlot:
    """The slot of the vault on ``conn`` (``where``: its path, for messages)."""
    try:
        row = conn.execute(
            "SELECT vault_id, format, kdf, salt, wrapped FROM keyslot WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        raise NotAVault(f"{where} is not a Rapport vault (no key slot)") from None
    if row is None:
        raise NotAVault(f"{where} is not a Rapport vault (empty key slot)")
    vault_id, format_, kdf, salt, wrapped = row
    try:
        format_ = int(format_)
        params = KdfParams.from_dict(json.loads(kdf))
    except (TypeError, ValueError):
        raise UnsafeParameters("the vault's key-derivation parameters are unreadable") from None
    if format_ not in crypto.SLOT_FORMATS:
        raise NotAVault(f"unsupported vault format {format_}")
    if not isinstance(salt, bytes) or not isinstance(wrapped, bytes) or not isinstance(vault_id, str):
        raise NotAVault(f"{where} has a damaged key slot")
    return KeySlot(vault_id, format_, params, salt, wrapped)


def write(conn: sqlite3.Connection, slot: KeySlot, now: str, *, first: bool = False) -> None:
    """Stores ``slot`` (inside a transaction)."""
    values = (slot.vault_id, slot.format, json.dumps(slot.params.to_dict()), slot.salt,
              slot.wrapped, now)
    if first:
        conn.execute("INSERT INTO keyslot (id, vault_id, format, kdf, salt, wrapped, created_at,"
                     " updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)", (*values, now))
    else:
        conn.execute("UPDATE keyslot SET vault_id = ?, format = ?, kdf = ?, salt = ?, wrapped = ?,"
                     " updated_at = ? WHERE id = 1", values)
