"""The SQLite file: connections and their pragmas, how SQLite errors read.

Only ids, foreign ids, revisions and timestamps are stored in the clear; every other column is a
sealed blob (:mod:`store.crypto`). Two ways in:

* :func:`connect`, read-write, for the holder of the writer lock (:mod:`store.lock`);
* :func:`read_only`, which reads the vault as it stands (its WAL included) and writes nothing at
  all: no ``-shm``, no checkpoint, nothing removed. Unlocking reads the key slot through it, so a
  wrong passphrase leaves every file byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import NotAVault, RapportError, StorageError

#: What reading a damaged file raises (a bad page, a garbled schema, undecodable text): reported
#: as damage, never as a traceback.
DAMAGE_ERRORS = (sqlite3.DatabaseError, IndexError, KeyError, UnicodeDecodeError)


def one_line(exc: BaseException | str) -> str:
    """SQLite quotes schema text (with its newlines) in some messages; errors are one line."""
    return " ".join(str(exc).split())


def in_clause(column: str, values: tuple[object, ...]) -> str:
    """``column IN (?, ?, ...)``, one placeholder per value."""
    return f"{column} IN ({','.join('?' * len(values))})"


def connect(path: Path) -> sqlite3.Connection:
    """Opens the vault read-write with the pragmas every connection needs (autocommit: the row
    engine begins and ends each transaction itself)."""
    conn = None
    try:
        conn = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False,
                               timeout=5.0)
        for pragma in ("synchronous=FULL", "secure_delete=ON", "temp_store=MEMORY",
                       "foreign_keys=ON", "busy_timeout=5000"):
            conn.execute(f"PRAGMA {pragma}")
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # garbled schema text
        if conn is not None:  # a half-open connection would leave -wal/-shm behind
            conn.close()
        raise unopenable(path, exc) from None
    return conn


#: What SQLite says when the disk refuses it (a file it cannot create, a read-only file or
#: disk, an I/O error, a full disk), as opposed to a damaged file.
REFUSED = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
                     sqlite3.SQLITE_FULL})


def primary_code(exc: BaseException) -> int:
    """SQLite's primary result code of ``exc`` (``SQLITE_IOERR`` for ``SQLITE_IOERR_WRITE``);
    0 for anything that is not an SQLite error."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF


#: Less free space than this where opening the vault failed: the disk is full (SQLite's
#: ``-shm`` alone takes 32 KiB).
FULL_BELOW = 1 << 20


def refusal(exc: BaseException) -> str:
    """What the disk refused, in a message about a copy: "the disk is full", or SQLite's words."""
    return "the disk is full" if primary_code(exc) == sqlite3.SQLITE_FULL else one_line(exc)


def unopenable(path: Path, exc: BaseException) -> RapportError:
    """Why SQLite could not open the vault at ``path`` for writing, in words a facilitator
    knows, rather than SQLite's ("unable to open database file", "disk I/O error"): the disk
    it is on is read-only, or full, or its folder may not be written by this user. Anything
    else is :class:`NotAVault` with SQLite's words."""
    if primary_code(exc) in REFUSED:
        folder = Path(path).absolute().parent
        try:
            disk = os.statvfs(folder)
        except OSError:
            disk = None
        if disk is not None and disk.f_flag & os.ST_RDONLY:
            return StorageError(f"cannot open {path}: its disk is read-only, and rapport writes "
                                "beside the vault (mount it read-write, or copy the folder to a "
                                "writable disk)")
        if disk is not None and disk.f_bavail * disk.f_frsize < FULL_BELOW:
            return StorageError(f"cannot open {path}: the disk is full (free some space and "
                                "try again)")
        if not os.access(folder, os.W_OK | os.X_OK):
            return StorageError(f"cannot open {path}: you may not write in {folder}, and "
                                "rapport writes beside the vault (check the folder's owner and "
                                "permissions)")
    return NotAVault(f"cannot open {path}: {one_line(exc)}")


def _uri(path: Path, query: str) -> str:
    """An SQLite ``file:`` URI: ``%``, ``?`` and ``#`` escaped (SQLite's rules)."""
    text = os.path.abspath(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{text}?{query}"


SCRATCH = ".rapport-read-"


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that reads the vault, its WAL included, and writes nothing.

    * no WAL: the file is read as it is (``immutable``: no locks, no ``-shm``);
    * a WAL (a crash left it): SQLite would write its ``-shm`` and fold the WAL in. The file and
      its WAL are hard-linked into a private directory beside them instead and read from there
      (``mode=ro``: neither is written; SQLite rebuilds its ``-shm`` in that directory, which
      goes afterwards). Where links cannot be made, the vault's own ``-shm`` is read, never
      written (``readonly_shm``).
    The caller holds the writer lock, so nothing changes the files meanwhile.
    """
    path = Path(path)
    scratch = None
    try:
        wal = Path(f"{path}-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            uri = _uri(path, "mode=ro&immutable=1")
        else:
            scratch = Path(tempfile.mkdtemp(prefix=SCRATCH, dir=path.parent))
            try:
                os.link(path, scratch / "v.db")
                os.link(wal, scratch / "v.db-wal")
                uri = _uri(scratch / "v.db", "mode=ro")
            except OSError:  # no hard links here: the vault's own -shm, read only
                shutil.rmtree(scratch, ignore_errors=True)
                scratch = None
                uri = _uri(path, "mode=ro&readonly_shm=1")
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except BaseException as exc:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
        if isinstance(exc, (sqlite3.DatabaseError, UnicodeDecodeError)):
            raise NotAVault(f"cannot open {path}: {one_line(exc)}") from None
        raise
    try:
        yield conn
    finally:
        conn.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def remove_scratch(directory: Path) -> None:
    """What :func:`read_only` left behind when its process was killed (its links and -shm)."""
    for left in directory.glob(f"{SCRATCH}*"):
        shutil.rmtree(left, ignore_errors=True)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Moves the WAL into the main file and truncates it to zero bytes."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass


def storage_error(exc: sqlite3.Error) -> StorageError:
    text = one_line(exc)
    if "full" in text:
        return StorageError("the disk is full: nothing was saved (free some space and save again)",
                            refused="the disk is full")
    if "readonly" in text or "read-only" in text:
        return StorageError("the vault is read-only: nothing was saved",
                            refused="the vault is read-only")
    refused = f"the vault could not be written ({text})"
    return StorageError(f"{refused}: nothing was saved", refused=refused)
