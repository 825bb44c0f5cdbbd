"""Creating and unlocking a vault; what :class:`~store.store.Store` starts from.

Unlocking writes nothing until the passphrase is proved:

1. the writer lock is taken on the vault file itself (:mod:`store.lock`: a read-only descriptor,
   nothing created);
2. the key slot is read through a connection that writes nothing, the WAL a crash left included
   (:func:`store.db.read_only`);
3. the key is derived and the data key unwrapped: a wrong passphrase stops here, every file byte
   for byte as it was;
4. only then is the vault opened for writing (SQLite may now fold a left-over WAL in), migrated
   if it is older, and its row summary checked against the row counts (:mod:`store.summary`).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

from . import crypto, keyslot, migrations, upgrades
from .clock import Clock, new_id, stamp, utc_now
from .crypto import FieldCipher, KdfParams
from .db import DAMAGE_ERRORS, checkpoint, connect, one_line, read_only, refusal, remove_scratch
from .errors import Damaged, RapportError, StorageError, VaultExists, WrongPassphrase
from .files import FILE_MODE, ensure_dir, fsync_dir, tighten
from .header import APPLICATION_ID, check_header
from .lock import WriterLock, probe
from .models import Damage
from .rows import Rows
from .store import Store
from .summary import RowSummary

__all__ = ["create_vault", "open_vault", "probe"]

#: Where ``rapport restore`` keeps the vault it replaced, until the next successful unlock.
KEPT_SUFFIX = ".before-restore"


def create_vault(path: Path, passphrase: str, *, kdf: KdfParams = crypto.PRODUCTION,
                 allow_weak: bool = False, clock: Clock = utc_now) -> Store:
    """Creates a new vault at ``path`` (never over an existing file) and returns it unlocked.
    The directories made above it are 0700."""
    path = Path(path)
    if os.path.lexists(path):
        raise VaultExists(f"{path} already exists; not touching it")
    if not passphrase:
        raise WrongPassphrase("the passphrase must not be empty")
    kdf.check(allow_weak=allow_weak)
    ensure_dir(path.parent)
    slot, dek = keyslot.new_slot(new_id(), passphrase, kdf, allow_weak=allow_weak)
    del passphrase
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.creating")
    os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE))
    try:
        conn = connect(tmp)
        try:
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute("PRAGMA journal_mode=WAL")
            migrations.migrate(conn)
            cipher = FieldCipher(dek)
            conn.execute("BEGIN IMMEDIATE")
            keyslot.write(conn, slot, stamp(clock()), first=True)
            RowSummary.compute(conn, cipher, slot.vault_id).write(conn)
            conn.execute("COMMIT")
            checkpoint(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise VaultExists(f"{path} already exists; not touching it") from None
    except sqlite3.Error as exc:  # a full disk, say: the new file is removed below
        raise StorageError(f"cannot create {path}: {refusal(exc)}; no vault was made") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    fsync_dir(path.parent)
    lock = WriterLock(path)
    lock.acquire()
    return _unlocked(path, lock, slot, dek, None, clock=clock, allow_weak=allow_weak)


def open_vault(path: Path, passphrase: str, *, allow_weak: bool = False,
               clock: Clock = utc_now) -> Store:
    """Unlocks the vault. A wrong passphrase costs a full key derivation and writes nothing."""
    path = Path(path)
    lock = WriterLock(path)
    lock.acquire()
    try:
        check_header(path)
        try:
            with read_only(path) as conn:
                slot = keyslot.read(conn, path)
        except DAMAGE_ERRORS as exc:
            raise Damaged(f"{path} is damaged ({one_line(exc)}); run 'rapport verify'") from None
        kek, dek = slot.unlock(passphrase, allow_weak=allow_weak)
        del passphrase  # what the vault needs of it is derived
        store = _unlocked(path, lock, slot, dek, kek, clock=clock, allow_weak=allow_weak)
    except BaseException:
        lock.release()
        raise
    try:  # a restore kept the vault it replaced until now: this one unlocks, so it goes
        Path(f"{path}{KEPT_SUFFIX}").unlink(missing_ok=True)
    except OSError:
        pass
    return store


def _unlocked(path: Path, lock: WriterLock, slot: keyslot.KeySlot, dek: bytes,
              kek: bytes | None, *, clock: Clock, allow_weak: bool) -> Store:
    """The vault opened for writing, once the key is known (the lock held)."""
    conn = connect(path)
    try:
        remove_scratch(path.parent)
        migrations.migrate(conn)
        if keyslot.read(conn, path) != slot:
            raise Damaged(f"{path}: the key slot changed while unlocking; try again")
        cipher = FieldCipher(dek)
        damage: list[Damage] = []
        frozen = False
        if slot.format == 1:  # an older vault: its row summary is written now, and the slot
            if kek is None:   # moved to format 2 in the same transaction (never back)
                raise RapportError("an older vault needs its passphrase to be upgraded")
            summary = RowSummary.compute(conn, cipher, slot.vault_id)
            slot = slot.rewrapped(kek, dek, format=crypto.SLOT_FORMAT)
            conn.execute("BEGIN IMMEDIATE")
            summary.write(conn)
            keyslot.write(conn, slot, stamp(clock()))
            conn.execute("COMMIT")
        else:
            summary, damage, frozen = _stored_summary(conn, cipher, slot.vault_id)
        tighten(path)
    except DAMAGE_ERRORS as exc:  # a damaged schema: a clean error, not a traceback
        conn.close()
        raise Damaged(f"{path} is damaged ({one_line(exc)}); run 'rapport verify'") from None
    except BaseException:
        conn.close()
        raise
    engine = Rows(path, conn, lock, cipher, summary, clock=clock)
    engine.summary_frozen = frozen
    try:
        upgrades.apply(engine)
    except DAMAGE_ERRORS as exc:
        engine.close()
        raise Damaged(f"{path} is damaged ({one_line(exc)}); run 'rapport verify'") from None
    except BaseException:
        engine.close()
        raise
    return Store(engine, slot, dek, allow_weak=allow_weak, damage=damage)


def _stored_summary(conn: sqlite3.Connection, cipher: FieldCipher,
                    vault_id: str) -> tuple[RowSummary, list[Damage], bool]:
    """The row summary to go on from, what the cheap check (row counts) found, and whether the
    stored one must stay as it is (missing or not authentic: it is not replaced silently)."""
    try:
        stored = RowSummary.load(conn, cipher, vault_id)
    except ValueError:
        return (RowSummary.compute(conn, cipher, vault_id),
                [Damage("row_summary", "-", "-", "failed authentication", rows=True)], True)
    if stored is None:
        return (RowSummary.compute(conn, cipher, vault_id),
                [Damage("row_summary", "-", "-", "missing", rows=True)], True)
    return stored, stored.count_damage(conn), False
