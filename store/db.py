"""The SQLite file: header check, connection, pragmas, schema migrations, file modes.

All schema changes go through sqlite-utils ``Migrations``; all writes through ``Database.atomic()``.
Only ids, foreign ids, revisions and timestamps are stored in the clear; every other column is a
sealed blob (see :mod:`store.crypto`).

:func:`check_header` is the one piece a command needs before it starts deriving the key
(:mod:`store.prefetch`), so the module imports nothing that is not loaded by then anyway
(:mod:`pathlib` only where a path is made).
"""

from __future__ import annotations

import fcntl
import gc
import os
import sqlite3
import stat
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from .errors import NotAVault, StorageError, VaultBusy, VaultMissing

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

APPLICATION_ID = 0x52415050  # "RAPP", in the SQLite header at offset 68
SQLITE_MAGIC = b"SQLite format 3\x00"
FILE_MODE = 0o600
DIR_MODE = 0o700


def check_header(path: Path) -> None:
    """Refuse anything that is not a Rapport vault, reading raw bytes only (never opening SQLite)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        raise VaultMissing(f"no vault at {path} (create one with 'rapport init')") from None
    except IsADirectoryError:
        raise NotAVault(f"{path} is a directory, not a Rapport vault") from None
    except OSError as exc:
        raise NotAVault(f"cannot read {path}: {exc.strerror}") from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAVault(f"{path} is not a Rapport vault (left untouched)")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise NotAVault(f"{path} is an SQLite file but not a Rapport vault (left untouched)")


def one_line(exc: BaseException | str) -> str:
    """SQLite quotes schema text (with its newlines) in some messages; errors are one line."""
    return " ".join(str(exc).split())


@contextmanager
def no_gc_cycles() -> Iterator[None]:
    """For bulk reads: decrypting makes many small objects and no reference cycles, so the cyclic
    collector would only scan them again and again. Paused meanwhile; reference counting frees
    them."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def in_clause(column: str, values: tuple) -> str:
    """``column IN (?, ?, ...)``, one placeholder per value."""
    return f"{column} IN ({','.join('?' * len(values))})"


def lock_path(vault: Path) -> Path:
    from pathlib import Path

    return Path(f"{vault}.lock")


def probe(path: Path) -> None:
    """Raises unless ``path`` is a Rapport vault that no other process holds. Writes nothing.

    Lives here (not in :mod:`store.vault`) so the app can check before its first frame cheaply.
    """
    check_header(path)
    lp = lock_path(path)
    if not lp.exists():
        return
    try:
        fd = os.open(lp, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise VaultBusy("the vault is already open in another rapport; close that one first") from None
    finally:
        os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    """Opens the vault read-write with the pragmas every connection needs."""
    conn = None
    try:
        conn = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False,
                               timeout=5.0)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # garbled schema text
        if conn is not None:  # a half-open connection would leave -wal/-shm behind
            conn.close()
        raise NotAVault(f"cannot open {path}: {one_line(exc)}") from None
    return conn


def import_writer() -> None:
    import importlib

    importlib.import_module("sqlite_utils")


def wrap_db(conn: sqlite3.Connection):
    """A sqlite-utils Database over our connection, without the plugin scan."""
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Moves the WAL into the main file and truncates it to zero bytes."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass


def tighten(path: Path) -> None:
    """0600 for the vault and its companions that exist now."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = f"{path}{suffix}"
        try:
            if stat.S_IMODE(os.stat(p).st_mode) != FILE_MODE:
                os.chmod(p, FILE_MODE)
        except FileNotFoundError:
            pass


def ensure_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if stat.S_IMODE(directory.stat().st_mode) != DIR_MODE:
        os.chmod(directory, DIR_MODE)


def storage_error(exc: sqlite3.Error) -> StorageError:
    text = one_line(exc)
    if "full" in text:
        return StorageError("the disk is full: nothing was saved (free some space and save again)")
    if "readonly" in text or "read-only" in text:
        return StorageError("the vault is read-only: nothing was saved")
    return StorageError(f"the vault could not be written ({text}): nothing was saved")


def build_migrations():
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("rapport")

    @migrations(name="0001_initial")
    def initial(db) -> None:
        common = "id TEXT PRIMARY KEY, rev INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL"
        db.execute(
            "CREATE TABLE keyslot (id INTEGER PRIMARY KEY CHECK (id = 1), vault_id TEXT NOT NULL,"
            " format INTEGER NOT NULL, kdf TEXT NOT NULL, salt BLOB NOT NULL, wrapped BLOB NOT NULL,"
            " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        db.execute(f"CREATE TABLE people ({common}, data BLOB NOT NULL)")
        db.execute(f"CREATE TABLE programmes ({common}, data BLOB NOT NULL)")
        db.execute(
            f"CREATE TABLE sessions ({common}, person_id TEXT NOT NULL REFERENCES people(id),"
            " programme_id TEXT REFERENCES programmes(id), started_at TEXT NOT NULL,"
            " ended_at TEXT, amended_at TEXT, meta BLOB NOT NULL, plan BLOB NOT NULL, state BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX sessions_started ON sessions(started_at)")
        db.execute("CREATE INDEX sessions_person ON sessions(person_id)")
        db.execute(
            f"CREATE TABLE notes ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, body BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX notes_session ON notes(session_id)")
        db.execute(
            f"CREATE TABLE items ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, person_id TEXT NOT NULL REFERENCES people(id), data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX items_session ON items(session_id)")
        db.execute("CREATE INDEX items_person ON items(person_id)")
        db.execute(
            f"CREATE TABLE jots ({common}, person_id TEXT NOT NULL REFERENCES people(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX jots_person ON jots(person_id)")
        db.execute(
            f"CREATE TABLE tags ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX tags_session ON tags(session_id)")
        db.execute(
            f"CREATE TABLE strategy ({common}, programme_id TEXT NOT NULL REFERENCES programmes(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute(f"CREATE TABLE exports ({common}, data BLOB NOT NULL)")

    @migrations(name="0002_home_order")
    def home_order(db) -> None:
        # The home list: active sessions first, then newest; its first page needs no sort.
        db.execute("CREATE INDEX sessions_home ON sessions((ended_at IS NOT NULL), started_at DESC)")

    @migrations(name="0003_search_cache")
    def search_cache(db) -> None:
        # The sealed search index (store.search): parts of one snapshot, AES-GCM like every field.
        db.execute("CREATE TABLE search_cache (snapshot TEXT NOT NULL, part INTEGER NOT NULL,"
                   " count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (snapshot, part))")

    @migrations(name="0004_revisions")
    def revisions(db) -> None:
        # Covering indexes for the (id, rev) manifest the search index compares on unlock: a scan
        # of a few hundred index pages, not of every row (sessions hold 13 KB plans).
        for table in ("people", "sessions", "notes", "items", "jots"):
            db.execute(f"CREATE INDEX {table}_rev ON {table}(id, rev)")

    @migrations(name="0005_render_cache")
    def render_cache(db) -> None:
        # The sessions' texts from the last export of everything, sealed (store.export_cache):
        # the body in parts, and its index with the records' state it was written at (row
        # counts and revision totals, plus the deletes the triggers count). A delete empties it.
        db.execute("CREATE TABLE render_cache (snapshot TEXT NOT NULL, part INTEGER NOT NULL,"
                   " data BLOB NOT NULL, PRIMARY KEY (snapshot, part))")
        db.execute("CREATE TABLE render_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
                   " deletes INTEGER NOT NULL, fingerprint TEXT, data BLOB)")
        db.execute("INSERT INTO render_state (id, deletes) VALUES (1, 0)")
        # Exports choose and order sessions from these columns alone: an index-only scan.
        db.execute("CREATE INDEX sessions_export ON sessions(started_at, id, person_id, programme_id)")
        for table in ("people", "sessions", "notes", "items", "tags"):
            db.execute(f"CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} BEGIN"
                       " DELETE FROM render_cache;"
                       " UPDATE render_state SET deletes = deletes + 1, fingerprint = NULL,"
                       " data = NULL; END")

    return migrations


#: The names build_migrations() registers, in order (a test keeps them equal): enough to tell
#: whether a vault needs migrating without importing sqlite-utils on every open.
MIGRATIONS = ("0001_initial", "0002_home_order", "0003_search_cache", "0004_revisions",
              "0005_render_cache")


def needs_migrating(conn: sqlite3.Connection) -> bool:
    try:
        applied = [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'rapport' ORDER BY rowid")]
    except sqlite3.OperationalError:  # no table yet
        return True
    return tuple(applied) != MIGRATIONS
