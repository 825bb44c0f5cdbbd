"""What is done to a whole vault: check it, copy it, change its passphrase, replace its key.

* :func:`verify`: SQLite's integrity check (one line per damaged structure, not SQLite's hundred),
  every sealed field opened, every table's rows against the row summary;
* :func:`backup`: a consistent copy (SQLite's backup API), 0600, never over a file, verified;
* :func:`change_passphrase`: the data key re-wrapped under a new passphrase, one transaction;
* :func:`rotate_key`: a new data key, every row re-sealed under it, one transaction.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from . import crypto, keyslot
from .crypto import FieldCipher, KdfParams
from .db import (DAMAGE_ERRORS, REFUSED, checkpoint, one_line, primary_code, refusal,
                 storage_error)
from .errors import Damaged, FileExists, StorageError, VaultExists, WrongPassphrase
from .files import create_new, tighten
from .header import check_header
from .keyslot import KeySlot
from .models import Damage
from .rows import Rows, aad
from .summary import RowSummary
from .tables import TABLES

_NAMED = re.compile(r"\b(?:index|table) (\w+)")
_TREE = re.compile(r"^(?:Tree|On tree page) (\d+)")


def integrity(conn: sqlite3.Connection) -> list[Damage]:
    """SQLite's integrity check, one line per damaged table or index (or the file's free pages):
    how many problems SQLite found there, and the first of them."""
    try:
        lines = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(1000)").fetchall()]
    except DAMAGE_ERRORS as exc:
        return [Damage("sqlite", "-", "-", f"the file cannot be checked: {one_line(exc)}")]
    if lines == ["ok"]:
        return []
    try:
        roots = {int(page): str(name) for name, page in conn.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0")}
    except DAMAGE_ERRORS:
        roots = {}
    groups: dict[str, list[str]] = {}
    for line in lines:
        line = one_line(line)
        named, tree = _NAMED.search(line), _TREE.match(line)
        where = named.group(1) if named else roots.get(int(tree.group(1)), "the file") \
            if tree else "the file"
        groups.setdefault(where, []).append(line)
    return [Damage("sqlite", where, "-",
                   f"{len(found)} problem{'s' if len(found) > 1 else ''} (first: {found[0]})")
            for where, found in groups.items()]


def open_every_field(conn: sqlite3.Connection, cipher: FieldCipher) -> list[Damage]:
    damage = []
    for spec in TABLES.values():
        try:  # a damaged page or schema is reported, never raised
            for row in conn.execute(f"SELECT {', '.join(spec.columns)} FROM {spec.name}"):
                values, n = list(row[:len(spec.plain)]), len(spec.plain)
                for i, column in enumerate(spec.sealed):
                    try:
                        cipher.open(row[n + i], aad(spec.name, column, values))
                    except (ValueError, TypeError):
                        damage.append(Damage(spec.name, str(row[0]), column,
                                             "failed authentication"))
        except DAMAGE_ERRORS as exc:
            damage.append(Damage(spec.name, "-", "-", f"unreadable: {one_line(exc)}"))
    return damage


def check_connection(conn: sqlite3.Connection, cipher: FieldCipher,
                     summary: RowSummary | None, vault_id: str) -> list[Damage]:
    """Everything :func:`verify` checks, on any connection (a backup's too). ``summary``: the
    one to hold the rows against (None: the one stored in the file)."""
    damage = integrity(conn) + open_every_field(conn, cipher)
    if summary is None:
        try:
            summary = RowSummary.load(conn, cipher, vault_id)
        except ValueError:
            return damage + [Damage("row_summary", "-", "-", "failed authentication", rows=True)]
        except DAMAGE_ERRORS as exc:
            return damage + [Damage("row_summary", "-", "-", f"unreadable: {one_line(exc)}")]
        if summary is None:
            return damage + [Damage("row_summary", "-", "-", "missing", rows=True)]
    try:
        return damage + summary.full_damage(conn)
    except DAMAGE_ERRORS:
        return damage  # (each unreadable table is reported above)


def verify(rows: Rows, vault_id: str) -> list[Damage]:
    with rows.reading() as conn:
        stored: RowSummary | None = None if rows.summary_frozen else rows.summary
        return check_connection(conn, rows.cipher(), stored, vault_id)


def backup(rows: Rows, vault_id: str, destination: Path) -> int:
    """A consistent copy at ``destination``: 0600, never overwriting, then verified (its own
    stored row summary included). Returns the number of records checked."""
    destination = Path(destination)
    try:
        os.close(create_new(destination))
    except FileExists as exc:
        raise VaultExists(str(exc)) from None
    try:
        with rows.reading() as conn:
            cipher = rows.cipher()
            try:
                target = sqlite3.connect(os.fspath(destination), isolation_level=None)
                try:
                    conn.backup(target)
                    target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    target.close()
            except sqlite3.Error as exc:  # the copy's disk refused it: the vault is fine
                if primary_code(exc) not in REFUSED:
                    raise
                raise StorageError(f"cannot write the backup {destination}: {refusal(exc)}; "
                                   "nothing was left there, and the vault is as it was") from None
            tighten(destination)
            check_header(destination)
            check = sqlite3.connect(os.fspath(destination), isolation_level=None)
            try:
                damage = check_connection(check, cipher, None, vault_id)
                count = sum(check.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                            for t in TABLES)
            finally:
                check.close()
            tighten(destination)
        if damage:
            raise Damaged(f"the backup at {destination} failed verification")
    except sqlite3.Error as exc:
        destination.unlink(missing_ok=True)
        raise storage_error(exc) from None
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return int(count)


def change_passphrase(rows: Rows, slot: KeySlot, dek: bytes, new_passphrase: str, *,
                      kdf: KdfParams | None = None, allow_weak: bool = False) -> KeySlot:
    """The data key re-wrapped under ``new_passphrase`` (a new salt), in one transaction."""
    if not new_passphrase:
        raise WrongPassphrase("the new passphrase must not be empty")
    params = kdf or slot.params
    salt = os.urandom(16)
    kek = crypto.derive_kek(new_passphrase, salt, params, allow_weak=allow_weak)
    new = slot.rewrapped(kek, dek, salt=salt, params=params)
    with rows.write():
        keyslot.write(rows.connection(), new, rows.now())
    with rows.reading() as conn:
        checkpoint(conn)
    return new


def rotate_key(rows: Rows, slot: KeySlot, passphrase: str, *, vault_id: str,
               allow_weak: bool = False) -> tuple[KeySlot, bytes, int]:
    """A new data key: every sealed field re-sealed under it and the key re-wrapped, in one
    transaction. Needs the passphrase (proved before any work). Refuses a vault whose rows
    disagree with the row summary: rotating would make that damage unrecoverable to see.
    Returns the new slot, the new data key and how many rows were re-sealed."""
    kek, _ = slot.unlock(passphrase, allow_weak=allow_weak)
    with rows.reading() as conn:
        damage = [] if rows.summary_frozen else rows.summary.full_damage(conn)
    if rows.summary_frozen or damage:
        raise Damaged("the vault's rows disagree with its row summary; run 'rapport verify' "
                      "before rotating the key")
    dek = crypto.new_key()
    cipher = FieldCipher(dek)
    new_slot = slot.rewrapped(kek, dek)
    with rows.write():
        count = rows.rekey(cipher)
        conn = rows.connection()
        summary = RowSummary.compute(conn, cipher, vault_id)
        summary.write(conn)
        conn.execute("DELETE FROM search_cache")  # sealed under the old key
        keyslot.write(conn, new_slot, rows.now())
    rows.use(cipher, summary)
    with rows.reading() as conn:
        checkpoint(conn)
    return new_slot, dek, count

