"""``rapport restore``: a backup put in the vault's place, after it proved itself.

1. The backup is copied beside the vault (a new 0600 file) and unlocked there with *its*
   passphrase, migrated if it is older, and verified (every field opened, the row summary
   checked): a wrong passphrase or a damaged backup stops here, the vault untouched.
2. The vault (its WAL folded in) is copied to ``VAULT.before-restore`` (0600, never over a
   file), under its writer lock: nobody else is using it.
3. The checked copy replaces the vault in one ``rename`` (atomic: a crash leaves one or the other).

The copy of the old vault stays until the next successful unlock, which removes it
(:func:`store.vault.open_vault`).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

from .clock import Clock, utc_now
from .db import REFUSED, checkpoint, connect, one_line, primary_code, read_only, refusal
from .errors import Damaged, FileExists, NotAVault, StorageError, WrongPassphrase
from .files import COMPANIONS, create_new, fsync_dir, tighten
from .header import check_header
from .lock import WriterLock
from .vault import KEPT_SUFFIX, open_vault


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the database ``source`` reads, at ``target`` (a new 0600 file).
    Nothing is left at ``target`` when the copy fails (a full disk, say)."""
    os.close(create_new(target))
    try:
        dest = sqlite3.connect(os.fspath(target), isolation_level=None)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
            dest.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dest.close()
        tighten(target)
    except BaseException:
        for suffix in ("", *COMPANIONS):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise


def _refused(exc: sqlite3.Error) -> StorageError:
    return StorageError(f"cannot restore: {refusal(exc)}; the vault was not touched")


def restore(vault: Path, backup: Path, passphrase: str, *, allow_weak: bool = False,
            clock: Clock = utc_now) -> Path | None:
    """Replaces ``vault`` by ``backup`` (see the module's docstring). Returns where the old
    vault was kept (None when there was none)."""
    vault, backup = Path(vault), Path(backup)
    check_header(backup)
    kept = Path(f"{vault}{KEPT_SUFFIX}")
    if os.path.lexists(kept):
        raise FileExists(f"{kept} is still there from an earlier restore; unlock the vault once "
                         "(which removes it) or move it away first")
    lock = WriterLock(vault) if vault.exists() else None
    if lock is not None:
        lock.acquire()
    scratch = vault.parent / f".{vault.name}.{secrets.token_hex(6)}.restoring"
    try:
        try:
            with read_only(backup) as source:
                _copy(source, scratch)
        except sqlite3.Error as exc:  # the disk refused the copy, or the backup will not read
            if primary_code(exc) in REFUSED:
                raise _refused(exc) from None
            raise Damaged(f"the backup {backup} is damaged ({one_line(exc)}); the vault was not "
                          "touched") from None
        try:
            with open_vault(scratch, passphrase, allow_weak=allow_weak, clock=clock) as checked:
                damage = checked.verify()
        except (Damaged, NotAVault):  # their words name the copy, and 'rapport verify' for it
            raise Damaged(f"the backup {backup} is damaged: it does not open; the vault was not "
                          "touched") from None
        except WrongPassphrase:  # whose: the backup keeps the passphrase it was made with
            raise WrongPassphrase(f"wrong passphrase for the backup {backup} (the one the vault "
                                  "had when it was made); the vault was not touched") from None
        if damage:
            raise Damaged(f"the backup {backup} failed verification ({len(damage)} problems); "
                          "the vault was not touched")
        if lock is not None:
            try:
                with read_only(vault) as current:
                    _copy(current, kept)
            except sqlite3.Error as exc:  # the disk refused the copy of the vault
                raise _refused(exc) from None
            conn = connect(vault)  # the old WAL folded in and emptied: it must not outlive it
            checkpoint(conn)
            conn.close()
        os.replace(scratch, vault)
        for suffix in COMPANIONS:
            Path(f"{vault}{suffix}").unlink(missing_ok=True)
        fsync_dir(vault.parent)
        tighten(vault)
    finally:
        for suffix in ("", *COMPANIONS):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        if lock is not None:
            lock.release()
    return kept if lock is not None else None
