"""Creating, unlocking and changing the vault; the :class:`Store` that reads and writes records.

A ``Store`` is what the app and the commands hold after unlocking. It keeps the data key in memory
until :meth:`Store.close` (which is also what locking does), serialises access with a lock so workers
can use it, and returns frozen dataclasses from :mod:`store.models`.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from . import crypto, db
from .crypto import FieldCipher, KdfParams
from .errors import (
    Ambiguous, Damaged, Locked, NotAVault, NotFound, RapportError, StorageError, UnsafeParameters,
    VaultBusy, VaultExists, WrongPassphrase,
)
from .models import (
    CADENCES, DEFAULT_THEMES, ITEM_KINDS, OWNERS, Damage, ExportRecord, Item, Jot, Note, Person,
    Programme, Session, SessionSummary, StrategyItem, Tag, frozen_map,
)

if TYPE_CHECKING:  # pragma: no cover
    from .prefetch import KeyPrefetch

Clock = Callable[[], datetime]

#: What reading a damaged file raises (a bad page, a garbled schema, undecodable text): reported
#: as damage, never as a traceback.
_DAMAGE_ERRORS = (sqlite3.DatabaseError, IndexError, KeyError, UnicodeDecodeError)

_BASE = ("id", "rev", "created_at", "updated_at")
#: What one row of a table is called in messages, where it is not the table's name less its "s".
_RECORD_NAMES = {"people": "person", "strategy": "strategy item"}
#: table -> (plaintext columns, sealed columns). The AAD of a sealed column names the table, the
#: column and every plaintext column of its row, so it cannot be moved, swapped or rolled back alone.
SCHEMA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "people": (_BASE, ("data",)),
    "programmes": (_BASE, ("data",)),
    "sessions": (_BASE + ("person_id", "programme_id", "started_at", "ended_at", "amended_at"),
                 ("meta", "plan", "state")),
    "notes": (_BASE + ("session_id",), ("body",)),
    "items": (_BASE + ("session_id", "person_id"), ("data",)),
    "jots": (_BASE + ("person_id",), ("data",)),
    "tags": (_BASE + ("session_id",), ("data",)),
    "strategy": (_BASE + ("programme_id",), ("data",)),
    "exports": (_BASE, ("data",)),
}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def new_id() -> str:
    return uuid.uuid4().hex


_compact_json = json.JSONEncoder(separators=(",", ":")).encode
_quote = json.encoder.encode_basestring_ascii  # the C encoder the compact JSON uses for strings


def _aad_json(values: Iterable[Any]) -> str:
    """``_compact_json(list(values))``, faster for the str/int/None of plaintext columns."""
    return "[" + ",".join([
        _quote(v) if v.__class__ is str else "null" if v is None
        else str(v) if v.__class__ is int else _compact_json(v)
        for v in values]) + "]"


def aad_for(table: str, column: str, plain: dict[str, Any]) -> bytes:
    bound = _aad_json([plain.get(c) for c in SCHEMA[table][0]])
    return f"rapport/v{crypto.FORMAT}|{table}|{column}|{bound}".encode()


class _Superseded(Exception):
    """A sealed index being written went stale (records deleted, or the vault locked)."""


def _search_aad(part: int, snapshot: str, count: int) -> bytes:
    return f"rapport/v{crypto.FORMAT}|search_cache|{snapshot}|{part}|{count}".encode()


lock_path = db.lock_path


class _FileLock:
    """One writer per vault: an exclusive, non-blocking flock on ``<vault>.lock``."""

    def __init__(self, vault: Path) -> None:
        self.path = lock_path(vault)
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, db.FILE_MODE)
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            os.fchmod(fd, db.FILE_MODE)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise VaultBusy(
                "the vault is already open in another rapport; close that one first"
            ) from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


probe = db.probe  # kept here too: the vault's public entry points live in this module


def create_vault(path: Path, passphrase: str, *, kdf: KdfParams = crypto.PRODUCTION,
                 allow_weak: bool = False, clock: Clock = utc_now) -> "Store":
    """Creates a new vault at ``path`` (never over an existing file) and returns it unlocked."""
    path = Path(path)
    if os.path.lexists(path):
        raise VaultExists(f"{path} already exists; not touching it")
    if not passphrase:
        raise WrongPassphrase("the passphrase must not be empty")
    kdf.check(allow_weak=allow_weak)
    db.ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.creating")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, db.FILE_MODE)
    os.close(fd)
    try:
        conn = db.connect(tmp)
        try:
            conn.execute(f"PRAGMA application_id={db.APPLICATION_ID}")
            conn.execute("PRAGMA journal_mode=WAL")
            database = db.wrap_db(conn)
            db.build_migrations().apply(database)
            vault_id = new_id()
            salt = os.urandom(16)
            kek = crypto.derive_kek(passphrase, salt, kdf, allow_weak=allow_weak)
            dek = crypto.new_key()
            wrapped = crypto.wrap_key(kek, dek, crypto.keyslot_aad(vault_id, kdf, salt))
            now = stamp(clock())
            with database.atomic():
                conn.execute(
                    "INSERT INTO keyslot (id, vault_id, format, kdf, salt, wrapped, created_at, updated_at)"
                    " VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                    (vault_id, crypto.FORMAT, json.dumps(kdf.to_dict()), salt, wrapped, now, now),
                )
            db.checkpoint(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise VaultExists(f"{path} already exists; not touching it") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{tmp}{suffix}")
            except FileNotFoundError:
                pass
    _fsync_dir(path.parent)
    return open_vault(path, passphrase, allow_weak=allow_weak, clock=clock)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_keyslot(conn: sqlite3.Connection, path: Path) -> sqlite3.Row:
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM keyslot WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        raise NotAVault(f"{path} is not a Rapport vault (no key slot)") from None
    if row is None:
        raise NotAVault(f"{path} is not a Rapport vault (empty key slot)")
    return row


def _unwrap(row: sqlite3.Row, passphrase: str, allow_weak: bool,
            prefetched: Callable[[bytes, KdfParams], bytes | None] | None = None) -> bytes:
    try:
        params = KdfParams.from_dict(json.loads(row["kdf"]))
    except (ValueError, TypeError):
        raise UnsafeParameters("the vault's key-derivation parameters are unreadable") from None
    if int(row["format"]) != crypto.FORMAT:
        raise NotAVault(f"unsupported vault format {row['format']}")
    salt = bytes(row["salt"])
    kek = prefetched(salt, params) if prefetched is not None else None
    if kek is None:
        kek = crypto.derive_kek(passphrase, salt, params, allow_weak=allow_weak)
    return crypto.unwrap_key(kek, bytes(row["wrapped"]),
                             crypto.keyslot_aad(row["vault_id"], params, salt))


def _import_writer_meanwhile() -> None:
    """sqlite-utils (whose atomic() every write uses) is imported on another thread while the
    key is derived: Argon2id releases the GIL, so on a second core the import is free, and a
    command that writes once (``rapport jot``) does not wait for it after the derivation."""
    import sys

    if "sqlite_utils" not in sys.modules:
        threading.Thread(target=db.import_writer, name="rapport-import", daemon=True).start()


def open_vault(path: Path, passphrase: str, *, allow_weak: bool = False,
               clock: Clock = utc_now, prefetch: "KeyPrefetch | None" = None) -> "Store":
    """Unlocks the vault. A wrong passphrase costs a full key derivation and writes nothing.

    ``prefetch``: a key derivation started earlier (:mod:`store.prefetch`); its key is used only
    if it was derived from this passphrase and the salt and parameters of the slot read here."""
    path = Path(path)
    db.check_header(path)
    lock = _FileLock(path)
    lock.acquire()
    conn = None
    try:
        conn = db.connect(path)
        row = _read_keyslot(conn, path)
        _import_writer_meanwhile()
        if prefetch is not None:  # the key is being derived on another thread meanwhile
            crypto.load_ciphers()
        dek = _unwrap(row, passphrase, allow_weak, prefetched=None if prefetch is None else
                      lambda salt, params: prefetch.take(path, passphrase, salt, params))
        if db.needs_migrating(conn):
            db.build_migrations().apply(db.wrap_db(conn))
        db.tighten(path)
        return Store(path, conn, lock, dek, row["vault_id"], clock=clock, allow_weak=allow_weak)
    except _DAMAGE_ERRORS as exc:  # a damaged schema: a clean error, not a traceback
        if conn is not None:
            conn.close()
        lock.release()
        raise Damaged(f"{path} is damaged ({db.one_line(exc)}); run 'rapport verify'") from None
    except BaseException:
        if conn is not None:
            conn.close()
        lock.release()
        raise


def _strategy_data(text: str, gaps: Iterable[str], tag_ids: Iterable[str]) -> dict[str, Any]:
    """A strategy item's sealed fields: its text (cleaned, required) and what it rests on."""
    text = _clean(text).strip()
    if not text:
        raise RapportError("a strategy item needs some text")
    return {"text": text, "gaps": list(gaps), "tag_ids": list(tag_ids)}


def _iso_date(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(value).isoformat()


class Store:
    """The unlocked vault. All methods are thread-safe; every write is one transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: _FileLock, dek: bytes,
                 vault_id: str, *, clock: Clock = utc_now, allow_weak: bool = False) -> None:
        self.path = path
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self._database = None  # sqlite-utils, for atomic(): imported on the first write
        self._lock = lock
        self._cipher: FieldCipher | None = FieldCipher(dek)
        self._dek: bytes | None = dek
        self.vault_id = vault_id
        self.clock = clock
        self._allow_weak = allow_weak
        self._mutex = threading.RLock()
        self._people: dict[str, Person] | None = None
        self._search = None  # store.search.SearchIndex, built on first use
        self._has_sealed_index = False  # whether the vault holds a sealed copy of it
        self._sealed_drops = 0  # times records were deleted (and the sealed index with them)
        self._note_ids: dict[tuple[str, str], str] = {}  # (session, stage) -> note id
        self.generation = 0  # bumps on every write; caches compare against it

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_open(self) -> bool:
        return self._cipher is not None

    def close(self) -> None:
        """Checkpoints the WAL (TRUNCATE), drops the keys and every decrypted cache."""
        with self._mutex:
            if self._cipher is None:
                return
            self._cipher = None
            self._dek = None
            self._people = None
            self._search = None
            self._note_ids = {}
            db.checkpoint(self._conn)
            self._conn.close()
            db.tighten(self.path)
            self._lock.release()

    lock = close

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _require(self) -> FieldCipher:
        if self._cipher is None:
            raise Locked("the vault is locked")
        return self._cipher

    @property
    def _db(self):
        if self._database is None:
            self._database = db.wrap_db(self._conn)
        return self._database

    @contextmanager
    def _write(self, *, data: bool = True) -> Iterator[None]:
        """One transaction. ``data=False``: no record changed (the sealed search index)."""
        with self._mutex:
            self._require()
            try:
                with self._db.atomic():
                    yield
            except sqlite3.Error as exc:
                raise db.storage_error(exc) from None
            if data:
                self.generation += 1
            db.tighten(self.path)

    def _now(self) -> str:
        return stamp(self.clock())

    # ------------------------------------------------------------------ sealed rows
    def _seal(self, table: str, plain: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
        cipher = self._require()
        row = dict(plain)
        for column in SCHEMA[table][1]:
            row[column] = cipher.seal(_clean(secret[column]), aad_for(table, column, plain))
        return row

    def _open(self, table: str, row: sqlite3.Row, columns: Iterable[str] | None = None
              ) -> tuple[dict[str, Any], dict[str, Any]]:
        sealed = tuple(columns or SCHEMA[table][1])
        values = tuple(row[c] for c in SCHEMA[table][0] + sealed)
        return self._open_rows(table, sealed, [values])[0]

    def _open_rows(self, table: str, sealed: tuple[str, ...], rows: Iterable[tuple],
                   shared: dict[str, dict] | None = None,
                   convert: Callable[[dict, dict], Any] | None = None) -> list:
        """Opens rows read as tuples: the table's plaintext columns, then ``sealed``.

        The bulk path (lists, search, exports): the AAD's bound part is encoded once per row,
        not once per sealed column. ``shared``: column -> memo of decoded values (see
        :meth:`FieldCipher.open`), for read-only callers. ``convert(plain, secret)``: what to
        keep of each row, made as it is opened (the decoded JSON of a large list is never all
        alive at once).
        """
        open_ = self._require().open
        plain_cols = SCHEMA[table][0]
        n = len(plain_cols)
        shared = shared or {}
        parts = [(n + i, column, f"rapport/v{crypto.FORMAT}|{table}|{column}|", shared.get(column))
                 for i, column in enumerate(sealed)]
        out = []
        for row in rows:
            bound = _aad_json(row[:n])
            secret = {}
            for i, column, prefix, memo in parts:
                try:
                    secret[column] = open_(row[i], (prefix + bound).encode(), memo)
                except (ValueError, TypeError):  # TypeError: a plaintext column of the wrong type
                    raise Damaged(
                        f"record {table}/{row[0]} failed authentication ({column}); "
                        "run 'rapport verify'"
                    ) from None
            plain = dict(zip(plain_cols, row))
            out.append(convert(plain, secret) if convert else (plain, secret))
        return out

    def _insert(self, table: str, secret: dict[str, Any], record_id: str | None = None,
                **plain_extra: Any) -> dict[str, Any]:
        now = self._now()
        plain = {c: None for c in SCHEMA[table][0]}
        plain.update(id=record_id or new_id(), rev=1, created_at=now, updated_at=now)
        plain.update(plain_extra)
        row = self._seal(table, plain, secret)
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        try:
            self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
        except sqlite3.IntegrityError as exc:
            raise RapportError(f"cannot add {table} record: {exc}") from None
        return plain

    def _update(self, table: str, record_id: str, secret: dict[str, Any] | None = None,
                **plain_changes: Any) -> dict[str, Any]:
        """Re-seals every sealed column at revision + 1 (the caller's view is re-read first)."""
        current = self._conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        if current is None:
            raise NotFound(f"no {_RECORD_NAMES.get(table, table[:-1])} with id {record_id}")
        sealed = SCHEMA[table][1]
        if secret is not None and all(c in secret for c in sealed):
            plain, old_secret = {c: current[c] for c in SCHEMA[table][0]}, {}
        else:  # keep the columns not given: open them (which also authenticates them)
            plain, old_secret = self._open(table, current)
        merged = {**old_secret, **(secret or {})}
        plain.update(plain_changes)
        plain.update(rev=int(current["rev"]) + 1, updated_at=self._now())
        row = self._seal(table, plain, merged)
        sets = ", ".join(f"{c} = ?" for c in row if c != "id")
        values = [v for c, v in row.items() if c != "id"]
        cur = self._conn.execute(f"UPDATE {table} SET {sets} WHERE id = ? AND rev = ?",
                                 (*values, record_id, current["rev"]))
        if cur.rowcount != 1:  # pragma: no cover - guarded by the single-writer lock
            raise RapportError(f"{table}/{record_id} changed underneath; nothing saved")
        return {**plain, "_secret": merged}

    @contextmanager
    def _reading(self, table: str) -> Iterator[None]:
        """Holds the lock for a read of ``table``; a damaged file is reported as damage, not
        raised as a bug."""
        with self._mutex:
            self._require()
            try:
                yield
            except _DAMAGE_ERRORS as exc:
                raise Damaged(f"the vault file is damaged ({table}: {db.one_line(exc)}); "
                              "run 'rapport verify'") from None

    def _select(self, table: str, where: str = "", params: tuple = (), order: str = "",
                columns: Iterable[str] | None = None, shared: dict[str, dict] | None = None,
                convert: Callable[[dict, dict], Any] | None = None) -> list:
        wanted = SCHEMA[table][0] + tuple(columns or SCHEMA[table][1])
        sql = f"SELECT {', '.join(wanted)} FROM {table}"
        if where:
            sql += f" WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        with self._reading(table):
            cursor = self._conn.cursor()
            cursor.row_factory = None  # plain tuples: no sqlite3.Row per row
            rows = cursor.execute(sql, params).fetchall()
            return self._open_rows(table, tuple(columns or SCHEMA[table][1]), rows, shared,
                                   convert)

    # ------------------------------------------------------------------ people
    def _person(self, plain: dict, data: dict) -> Person:
        return Person(id=plain["id"], name=data["name"], cadence=data.get("cadence"),
                      role=data.get("role", ""), rev=plain["rev"],
                      created_at=parse_stamp(plain["created_at"]),
                      updated_at=parse_stamp(plain["updated_at"]))

    def _people_map(self) -> dict[str, Person]:
        with self._mutex:
            if self._people is None:
                self._people = {
                    p["id"]: self._person(p, s["data"]) for p, s in self._select("people")
                }
            return self._people

    def people(self) -> list[Person]:
        return sorted(self._people_map().values(), key=lambda p: p.name.casefold())

    def person(self, person_id: str) -> Person:
        try:
            return self._people_map()[person_id]
        except KeyError:
            raise NotFound(f"no person with id {person_id}") from None

    def find_person(self, name: str) -> Person:
        """Exact (case-insensitive) name, else a unique prefix; NotFound/Ambiguous otherwise."""
        wanted = _clean(name).strip().casefold()
        people = self.people()
        exact = [p for p in people if p.name.casefold() == wanted]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise Ambiguous(f"{len(exact)} people are called {name!r}; use the person's id")
        starts = [p for p in people if p.name.casefold().startswith(wanted)] if wanted else []
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            names = ", ".join(p.name for p in starts[:5])
            raise Ambiguous(f"{name!r} matches several people: {names}")
        raise NotFound(f"no person called {name!r}")

    def add_person(self, name: str, *, cadence: str | None = None, role: str = "") -> Person:
        name = _clean(name).strip()
        if not name:
            raise RapportError("a person needs a name")
        _check_cadence(cadence)
        with self._write():
            plain = self._insert("people", {"data": {"name": name, "cadence": cadence, "role": role}})
        return self._remember(Person(id=plain["id"], name=name, cadence=cadence, role=role, rev=1,
                                     created_at=parse_stamp(plain["created_at"]),
                                     updated_at=parse_stamp(plain["updated_at"])))

    def _remember(self, person: Person) -> Person:
        """Keeps the decrypted people cache and the search index in step with a write."""
        with self._mutex:
            if self._people is not None:
                self._people[person.id] = person
            if self._search is not None:
                self._search.put_person(person)
        return person

    def get_or_add_person(self, name: str) -> Person:
        wanted = _clean(name).strip().casefold()
        for p in self.people():
            if p.name.casefold() == wanted:
                return p
        return self.add_person(name)

    def update_person(self, person_id: str, **changes: Any) -> Person:
        current = self.person(person_id)
        if "cadence" in changes:
            _check_cadence(changes["cadence"])
        data = {"name": current.name, "cadence": current.cadence, "role": current.role}
        data.update({k: v for k, v in changes.items() if k in data})
        with self._write():
            plain = self._update("people", person_id, {"data": data})
        return self._remember(self._person(plain, data))

    # ------------------------------------------------------------------ sessions
    def _session(self, plain: dict, secret: dict) -> Session:
        meta, state = secret["meta"], secret["state"]
        return Session(
            id=plain["id"], person_id=plain["person_id"], programme_id=plain["programme_id"],
            title=meta.get("title", ""), guide_id=meta.get("guide_id", ""),
            guide_name=meta.get("guide_name", ""), plan=frozen_map(secret["plan"]),
            started_at=parse_stamp(plain["started_at"]), ended_at=parse_stamp(plain["ended_at"]),
            amended_at=parse_stamp(plain["amended_at"]),
            stage_index=int(state.get("stage_index", 0)),
            spent=frozen_map(state.get("spent")), visited=tuple(state.get("visited", ())),
            asked=frozen_map({k: tuple(v) for k, v in (state.get("asked") or {}).items()}),
            rev=plain["rev"], updated_at=parse_stamp(plain["updated_at"]),
        )

    def start_session(self, person_id: str, plan: dict, *, title: str = "",
                      programme_id: str | None = None, started_at: datetime | None = None) -> Session:
        """``plan`` is the guide snapshot (``Guide.to_snapshot()``): id, name and stages."""
        self.person(person_id)
        if programme_id:
            self.programme(programme_id)
        started = stamp(started_at or self.clock())
        first = plan.get("stages", [{}])[0].get("key", "") if plan.get("stages") else ""
        meta = {"title": _clean(title).strip(), "guide_id": plan.get("id", ""),
                "guide_name": plan.get("name", "")}
        state = {"stage_index": 0, "spent": {}, "visited": [first] if first else [], "asked": {}}
        with self._write():
            plain = self._insert("sessions", {"meta": meta, "plan": plan, "state": state},
                                 person_id=person_id, programme_id=programme_id, started_at=started)
        session = self._session(plain, {"meta": meta, "plan": plan, "state": state})
        self._index_session(session)
        return session

    def session(self, session_id: str) -> Session:
        rows = self._select("sessions", "id = ?", (session_id,))
        if not rows:
            raise NotFound(f"no session with id {session_id}")
        return self._session(*rows[0])

    def resolve_session(self, ref: str) -> Session:
        """A full id or a unique prefix of at least 4 characters."""
        ref = ref.strip().lower()
        if len(ref) < 4 or not all(c in "0123456789abcdef" for c in ref):
            raise NotFound(f"no session with id {ref!r}")
        with self._mutex:
            self._require()
            ids = [r[0] for r in self._conn.execute(
                "SELECT id FROM sessions WHERE id >= ? AND id < ? LIMIT 2", (ref, ref + "g"))]
        if not ids:
            raise NotFound(f"no session with id {ref!r}")
        if len(ids) > 1:
            raise Ambiguous(f"{ref!r} matches more than one session; give more of the id")
        return self.session(ids[0])

    def sessions(self, *, person_id: str | None = None, status: str | None = None,
                 programme_id: str | None = None) -> list[Session]:
        where, params = _session_filter(person_id, status, programme_id)
        return [self._session(*r) for r in
                self._select("sessions", where, params, order="started_at DESC")]

    def session_times(self, person_id: str | None = None) -> dict[str, tuple[datetime, datetime | None]]:
        """id -> (started_at, ended_at) of every session (of one person): plaintext columns,
        nothing decrypted (for lists that need only when and whether it ended)."""
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        return {r["id"]: (parse_stamp(r["started_at"]), parse_stamp(r["ended_at"]))
                for r in self.plain_rows("sessions", where, params)}

    def session_count(self) -> int:
        with self._mutex:
            self._require()
            return self._conn.execute("SELECT count(*) FROM sessions").fetchone()[0]

    def summaries(self, *, limit: int | None = None, offset: int = 0,
                  person_id: str | None = None, status: str | None = None,
                  programme_id: str | None = None) -> list[SessionSummary]:
        """Newest first; decrypts only the ``meta`` and ``state`` columns (not the plan)."""
        where, params = _session_filter(person_id, status, programme_id)
        order = "ended_at IS NOT NULL, started_at DESC" if status is None else "started_at DESC"
        if limit is not None:
            order += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        people = self._people_map()

        def summary(plain: dict, secret: dict) -> SessionSummary:
            meta, state = secret["meta"], secret["state"]
            person = people.get(plain["person_id"])
            return SessionSummary(
                id=plain["id"], person_id=plain["person_id"],
                person_name=person.name if person else "?", title=meta.get("title", ""),
                guide_id=meta.get("guide_id", ""), guide_name=meta.get("guide_name", ""),
                started_at=parse_stamp(plain["started_at"]), ended_at=parse_stamp(plain["ended_at"]),
                spent_seconds=float(sum((state.get("spent") or {}).values())),
                programme_id=plain["programme_id"],
            )

        return self._select("sessions", where, params, order=order, columns=("meta", "state"),
                            convert=summary)

    def save_session_state(self, session_id: str, *, stage_index: int | None = None,
                           spent: dict[str, float] | None = None,
                           visited: Iterable[str] | None = None,
                           asked: dict[str, Iterable[int]] | None = None,
                           title: str | None = None) -> Session:
        current = self.session(session_id)
        state = {
            "stage_index": current.stage_index if stage_index is None else int(stage_index),
            "spent": dict(current.spent if spent is None else spent),
            "visited": list(current.visited if visited is None else visited),
            "asked": {k: sorted(set(v)) for k, v in (current.asked if asked is None else asked).items()},
        }
        secret: dict[str, Any] = {"state": state}
        if title is not None:
            secret["meta"] = {"title": _clean(title).strip(), "guide_id": current.guide_id,
                              "guide_name": current.guide_name}
        changes = {}
        if current.ended_at is not None:
            changes["amended_at"] = self._now()
        with self._write():
            plain = self._update("sessions", session_id, secret, **changes)
        session = self._session(plain, plain["_secret"])
        if title is not None:
            self._index_session(session)
        return session

    def end_session(self, session_id: str, *, ended_at: datetime | None = None) -> Session:
        self.session(session_id)
        with self._write():
            plain = self._update("sessions", session_id, None,
                                 ended_at=stamp(ended_at or self.clock()))
        return self._session(plain, plain["_secret"])

    def reopen_session(self, session_id: str) -> Session:
        """An ended session opened to continue: active again, recorded as amended."""
        with self._write():
            plain = self._update("sessions", session_id, None, ended_at=None, amended_at=self._now())
        return self._session(plain, plain["_secret"])

    def delete_session(self, session_id: str) -> None:
        self.session(session_id)
        with self._write():
            self._conn.execute("DELETE FROM items WHERE session_id = ?", (session_id,))
            self._conn.execute("DELETE FROM notes WHERE session_id = ?", (session_id,))
            self._conn.execute("DELETE FROM tags WHERE session_id = ?", (session_id,))
            self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            self._drop_sealed_index()
        with self._mutex:
            self._note_ids = {k: v for k, v in self._note_ids.items() if k[0] != session_id}
            if self._search is not None:
                self._search.drop_session(session_id)

    # ------------------------------------------------------------------ notes
    def _note(self, plain: dict, body: dict) -> Note:
        return Note(id=plain["id"], session_id=plain["session_id"], stage=body.get("stage", ""),
                    text=body.get("text", ""), private=bool(body.get("private")), rev=plain["rev"],
                    created_at=parse_stamp(plain["created_at"]),
                    updated_at=parse_stamp(plain["updated_at"]))

    def notes(self, session_id: str) -> list[Note]:
        rows = self._select("notes", "session_id = ?", (session_id,), order="created_at")
        notes = [self._note(p, s["body"]) for p, s in rows]
        with self._mutex:
            for note in notes:
                self._note_ids.setdefault((session_id, note.stage), note.id)
        return notes

    def save_note(self, session_id: str, stage: str, text: str, *, private: bool = False) -> Note:
        """Saves the note of ``stage`` at revision + 1; returns only after the commit."""
        text, stage = _clean(text), _clean(stage)  # a raw stage would never match the stored one
        body = {"stage": stage, "text": text, "private": bool(private)}
        with self._mutex:
            self._require()
            row = self._conn.execute("SELECT person_id, ended_at FROM sessions WHERE id = ?",
                                     (session_id,)).fetchone()
            if row is None:
                raise NotFound(f"no session with id {session_id}")
            note_id = self._note_ids.get((session_id, stage))
            if note_id is None:
                note_id = next((n.id for n in self.notes(session_id) if n.stage == stage), None)
            with self._write():
                if note_id is not None:
                    plain = self._update("notes", note_id, {"body": body})
                else:
                    plain = self._insert("notes", {"body": body}, session_id=session_id)
                if row["ended_at"] is not None:
                    self._update("sessions", session_id, None, amended_at=self._now())
            self._note_ids[(session_id, stage)] = plain["id"]
            note = self._note(plain, body)
            if self._search is not None:
                self._search.put_note(note, row["person_id"])
            return note

    # ------------------------------------------------------------------ items
    def _item(self, plain: dict, data: dict) -> Item:
        due = data.get("due")
        return Item(id=plain["id"], session_id=plain["session_id"], person_id=plain["person_id"],
                    kind=data["kind"], text=data.get("text", ""), owner=data.get("owner", "me"),
                    due=date.fromisoformat(due) if due else None, status=data.get("status", "open"),
                    stage=data.get("stage", ""), done_at=parse_stamp(data.get("done_at")),
                    carried_from=data.get("carried_from"), rev=plain["rev"],
                    created_at=parse_stamp(plain["created_at"]),
                    updated_at=parse_stamp(plain["updated_at"]))

    def add_item(self, session_id: str, kind: str, text: str, *, owner: str = "me",
                 due: date | str | None = None, stage: str = "", status: str | None = None,
                 carried_from: str | None = None) -> Item:
        if kind not in ITEM_KINDS:
            raise RapportError(f"unknown item kind {kind!r} (one of {', '.join(ITEM_KINDS)})")
        if owner not in OWNERS:
            raise RapportError(f"unknown owner {owner!r} (me or them)")
        text = _clean(text).strip()
        if not text:
            raise RapportError("an item needs some text")
        session = self.session(session_id)
        data = {"kind": kind, "text": text, "owner": owner, "due": _iso_date(due),
                "status": status or "open", "stage": stage, "done_at": None,
                "carried_from": carried_from}
        with self._write():
            plain = self._insert("items", {"data": data}, session_id=session_id,
                                 person_id=session.person_id)
        item = self._item(plain, data)
        with self._mutex:
            if self._search is not None:
                self._search.put_item(item, session)
        return item

    def items(self, *, session_id: str | None = None, person_id: str | None = None,
              open_only: bool = False, session_ids: Iterable[str] | None = None) -> list[Item]:
        """Oldest first. ``session_ids``: only those sessions' items, in one query (a page of
        sessions: one SQL parameter each)."""
        clauses, params = [], []
        if session_id:
            clauses.append("session_id = ?")
            params.append(session_id)
        if session_ids is not None:
            wanted = tuple(dict.fromkeys(session_ids))
            if not wanted:
                return []
            clauses.append(db.in_clause("session_id", wanted))
            params.extend(wanted)
        if person_id:
            clauses.append("person_id = ?")
            params.append(person_id)
        items = self._select("items", " AND ".join(clauses), tuple(params), order="created_at",
                             convert=lambda p, s: self._item(p, s["data"]))
        return [i for i in items if i.is_open] if open_only else items

    def open_actions(self, *, session_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Session id -> how many of its action items are open (sessions with none left out):
        the Open column of the session lists. ``session_ids``: as for :meth:`items`."""
        counts: dict[str, int] = {}
        for item in self.items(open_only=True, session_ids=session_ids):
            if item.kind == "action":
                counts[item.session_id] = counts.get(item.session_id, 0) + 1
        return counts

    def item(self, item_id: str) -> Item:
        rows = self._select("items", "id = ?", (item_id,))
        if not rows:
            raise NotFound(f"no item with id {item_id}")
        return self._item(*[rows[0][0], rows[0][1]["data"]])

    def update_item(self, item_id: str, **changes: Any) -> Item:
        current = self.item(item_id)
        data = {"kind": current.kind, "text": current.text, "owner": current.owner,
                "due": _iso_date(current.due), "status": current.status, "stage": current.stage,
                "done_at": stamp(current.done_at) if current.done_at else None,
                "carried_from": current.carried_from}
        for key, value in changes.items():
            if key not in data:
                raise RapportError(f"items have no field {key!r}")
            data[key] = _iso_date(value) if key == "due" else value
        if changes.get("status") == "done" and not data["done_at"]:
            data["done_at"] = self._now()
        if data["kind"] not in ITEM_KINDS or data["owner"] not in OWNERS:
            raise RapportError("invalid item kind or owner")
        with self._write():
            plain = self._update("items", item_id, {"data": data})
        item = self._item(plain, data)
        with self._mutex:
            if self._search is not None:
                self._search.put_item(item, self.session(item.session_id))
        return item

    def carry_forward(self, item_id: str, session_id: str) -> Item:
        """Copies an open item into ``session_id`` and marks the original as carried."""
        old = self.item(item_id)
        with self._mutex, self._write():  # one transaction: never a copy without the mark
            new = self.add_item(session_id, old.kind, old.text, owner=old.owner, due=old.due,
                                stage=old.stage, carried_from=old.id)
            self.update_item(item_id, status="carried")
        return new

    def open_items_before(self, person_id: str, session: Session) -> list[Item]:
        """The person's open items from sessions before ``session`` (follow-through)."""
        with self._mutex:
            self._require()
            earlier = {r[0] for r in self._conn.execute(
                "SELECT id FROM sessions WHERE started_at <= ? AND id != ?",
                (stamp(session.started_at), session.id))}
        return [i for i in self.items(person_id=person_id, open_only=True)
                if i.session_id in earlier]

    # ------------------------------------------------------------------ jots
    def add_jot(self, person_id: str, text: str) -> Jot:
        self.person(person_id)
        text = _clean(text).strip()
        if not text:
            raise RapportError("a jot needs some text")
        with self._write():
            plain = self._insert("jots", {"data": {"text": text}}, person_id=person_id)
        jot = Jot(id=plain["id"], person_id=person_id, text=text, rev=1,
                  created_at=parse_stamp(plain["created_at"]),
                  updated_at=parse_stamp(plain["updated_at"]))
        with self._mutex:
            if self._search is not None:
                self._search.put_jot(jot)
        return jot

    def jots(self, person_id: str | None = None) -> list[Jot]:
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        return [Jot(id=p["id"], person_id=p["person_id"], text=s["data"]["text"], rev=p["rev"],
                    created_at=parse_stamp(p["created_at"]), updated_at=parse_stamp(p["updated_at"]))
                for p, s in self._select("jots", where, params, order="created_at")]

    # ------------------------------------------------------------------ programmes, tags, strategy
    def _programme(self, plain: dict, data: dict) -> Programme:
        return Programme(id=plain["id"], name=data["name"], purpose=data.get("purpose", ""),
                         guide_id=data.get("guide_id", "leadership-interview"),
                         themes=tuple(data.get("themes", DEFAULT_THEMES)), rev=plain["rev"],
                         created_at=parse_stamp(plain["created_at"]),
                         updated_at=parse_stamp(plain["updated_at"]))

    def add_programme(self, name: str, *, purpose: str = "", guide_id: str = "leadership-interview",
                      themes: Iterable[str] = DEFAULT_THEMES) -> Programme:
        name = _clean(name).strip()
        if not name:
            raise RapportError("a programme needs a name")
        data = {"name": name, "purpose": _clean(purpose), "guide_id": guide_id,
                "themes": list(dict.fromkeys(themes))}
        with self._write():
            plain = self._insert("programmes", {"data": data})
        return self._programme(plain, data)

    def programmes(self) -> list[Programme]:
        return sorted((self._programme(p, s["data"]) for p, s in self._select("programmes")),
                      key=lambda p: p.name.casefold())

    def programme(self, programme_id: str) -> Programme:
        rows = self._select("programmes", "id = ?", (programme_id,))
        if not rows:
            raise NotFound(f"no programme with id {programme_id}")
        return self._programme(rows[0][0], rows[0][1]["data"])

    def find_programme(self, ref: str) -> Programme:
        wanted = ref.strip().casefold()
        found = [p for p in self.programmes() if p.id == ref or p.name.casefold() == wanted]
        if not found:
            found = [p for p in self.programmes() if p.name.casefold().startswith(wanted) or p.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if found:
            raise Ambiguous(f"{ref!r} matches several programmes")
        raise NotFound(f"no programme called {ref!r}")

    def update_programme(self, programme_id: str, **changes: Any) -> Programme:
        current = self.programme(programme_id)
        data = {"name": current.name, "purpose": current.purpose, "guide_id": current.guide_id,
                "themes": list(current.themes)}
        for key, value in changes.items():
            if key not in data:
                raise RapportError(f"programmes have no field {key!r}")
            data[key] = list(dict.fromkeys(value)) if key == "themes" else value
        with self._write():
            plain = self._update("programmes", programme_id, {"data": data})
        return self._programme(plain, data)

    def _tag(self, plain: dict, data: dict) -> Tag:
        return Tag(id=plain["id"], session_id=plain["session_id"], stage=data.get("stage", ""),
                   theme=data["theme"], passage=data.get("passage", ""),
                   subject_id=data.get("subject_id"), rev=plain["rev"],
                   created_at=parse_stamp(plain["created_at"]),
                   updated_at=parse_stamp(plain["updated_at"]))

    def add_tag(self, session_id: str, theme: str, passage: str, *, stage: str = "",
                subject_id: str | None = None) -> Tag:
        self.session(session_id)
        if subject_id:
            self.person(subject_id)
        theme, passage = _clean(theme).strip(), _clean(passage).strip()
        if not theme or not passage:
            raise RapportError("a tag needs a theme and a passage")
        data = {"stage": stage, "theme": theme, "passage": passage, "subject_id": subject_id}
        with self._write():
            plain = self._insert("tags", {"data": data}, session_id=session_id)
        return self._tag(plain, data)

    def tags(self, *, session_id: str | None = None, programme_id: str | None = None) -> list[Tag]:
        if session_id:
            rows = self._select("tags", "session_id = ?", (session_id,), order="created_at")
        elif programme_id:
            rows = self._select("tags", "session_id IN (SELECT id FROM sessions WHERE programme_id = ?)",
                                (programme_id,), order="created_at")
        else:
            rows = self._select("tags", order="created_at")
        return [self._tag(p, s["data"]) for p, s in rows]

    def delete_tag(self, tag_id: str) -> None:
        with self._write():
            self._conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))

    def _strategy(self, plain: dict, data: dict) -> StrategyItem:
        return StrategyItem(id=plain["id"], programme_id=plain["programme_id"], text=data["text"],
                            gaps=tuple(data.get("gaps", ())), tag_ids=tuple(data.get("tag_ids", ())),
                            rev=plain["rev"], created_at=parse_stamp(plain["created_at"]),
                            updated_at=parse_stamp(plain["updated_at"]))

    def add_strategy_item(self, programme_id: str, text: str, *, gaps: Iterable[str] = (),
                          tag_ids: Iterable[str] = ()) -> StrategyItem:
        self.programme(programme_id)
        data = _strategy_data(text, gaps, tag_ids)
        with self._write():
            plain = self._insert("strategy", {"data": data}, programme_id=programme_id)
        return self._strategy(plain, data)

    def strategy_items(self, programme_id: str) -> list[StrategyItem]:
        return [self._strategy(p, s["data"]) for p, s in
                self._select("strategy", "programme_id = ?", (programme_id,), order="created_at")]

    def strategy_item(self, item_id: str) -> StrategyItem:
        rows = self._select("strategy", "id = ?", (item_id,))
        if not rows:
            raise NotFound(f"no strategy item with id {item_id}")
        return self._strategy(rows[0][0], rows[0][1]["data"])

    def update_strategy_item(self, item_id: str, text: str, *, gaps: Iterable[str] = (),
                             tag_ids: Iterable[str] = ()) -> StrategyItem:
        """Replaces the item's text and links, at revision + 1 (re-sealed: the AAD binds it)."""
        self.strategy_item(item_id)
        data = _strategy_data(text, gaps, tag_ids)
        with self._write():
            plain = self._update("strategy", item_id, {"data": data})
        return self._strategy(plain, data)

    def delete_strategy_item(self, item_id: str) -> None:
        with self._write():
            if not self._conn.execute("DELETE FROM strategy WHERE id = ?", (item_id,)).rowcount:
                raise NotFound(f"no strategy item with id {item_id}")

    # ------------------------------------------------------------------ exports
    def record_export(self, *, kind: str, format: str, destination: str, scope: str,
                      count: int) -> ExportRecord:
        data = {"kind": kind, "format": format, "destination": destination, "scope": scope,
                "count": count}
        with self._write():
            plain = self._insert("exports", {"data": data})
        return ExportRecord(id=plain["id"], created_at=parse_stamp(plain["created_at"]), **data)

    def exports(self) -> list[ExportRecord]:
        return [ExportRecord(id=p["id"], created_at=parse_stamp(p["created_at"]), **s["data"])
                for p, s in self._select("exports", order="created_at")]

    # ------------------------------------------------------------------ raw import (store.transfer)
    def import_rows(self, rows: dict[str, list[tuple[dict, dict]]]) -> dict[str, int]:
        """Inserts records with their own ids and timestamps, all or nothing; skips ids present.

        ``rows`` maps table -> list of (plaintext columns, secret columns). Returns counts added.
        """
        added = {t: 0 for t in rows}
        with self._write():
            for table in ("people", "programmes", "sessions", "notes", "items", "jots", "tags",
                          "strategy"):
                for plain, secret in rows.get(table, ()):
                    if self._conn.execute(f"SELECT 1 FROM {table} WHERE id = ?",
                                          (plain["id"],)).fetchone():
                        continue
                    full = {c: plain.get(c) for c in SCHEMA[table][0]}
                    row = self._seal(table, full, secret)
                    cols = ", ".join(row)
                    self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})",
                                       tuple(row.values()))
                    added[table] += 1
        with self._mutex:
            self._people = None
            self._search = None
        return added

    # ------------------------------------------------------------------ search
    def _index_session(self, session: Session) -> None:
        with self._mutex:
            if self._search is not None:
                self._search.put_session(session)

    def search_index(self):
        """The in-memory search index: the sealed one from the vault, brought level with the
        rows (only what changed since is decrypted), or built from every row."""
        # Built without holding the store's lock for the whole decrypt (the reads take it a chunk
        # at a time), so autosaves from the UI are not held up; what they write meanwhile is
        # caught by the refresh under the lock.
        with self._mutex:
            if self._search is not None:
                return self._search
            generation = self.generation
        index = self._sealed_index()
        index.refresh(self)
        with self._mutex:
            if self._search is None:
                if generation != self.generation:
                    index.refresh(self)
                self._search = index
            return self._search

    def _sealed_index(self):
        """The index sealed in the vault (``search_cache``), or an empty one."""
        from .search import SearchIndex

        self._has_sealed_index = False
        with self._mutex:
            cipher = self._require()
            try:  # the newest snapshot with every part (one being written may be unfinished)
                head = self._conn.execute(
                    "SELECT snapshot, max(count) FROM search_cache GROUP BY snapshot"
                    " HAVING count(*) = max(count) AND min(count) = max(count)"
                    " AND min(part) = 0 AND max(part) = max(count) - 1"
                    " ORDER BY max(rowid) DESC LIMIT 1").fetchone()
            except sqlite3.DatabaseError:
                head = None
            if head is None:
                return SearchIndex()
            snapshot, count = head

            def parts() -> Iterator[bytes]:  # a part at a time: never every blob at once
                cursor = self._conn.cursor()
                cursor.row_factory = None
                rows = cursor.execute("SELECT part, data FROM search_cache WHERE snapshot = ?"
                                      " ORDER BY part", (snapshot,))
                for expected, (part, data) in enumerate(rows):
                    if part != expected:
                        raise ValueError("a part missing")
                    yield cipher.open_bytes(data, _search_aad(part, snapshot, count))

            try:
                index = SearchIndex.from_snapshot(parts())
            except (ValueError, TypeError, EOFError, sqlite3.DatabaseError):
                return SearchIndex()  # damaged or foreign: rebuilt from the rows
        if index is None:
            return SearchIndex()
        self._has_sealed_index = True
        return index

    def save_search_index(self, *, min_changes: int = 256) -> bool:
        """Seals the in-memory index into the vault when it differs from the sealed one by at
        least ``min_changes`` rows (or there is none): the next unlock then decrypts only what
        changed after. Returns whether it wrote.

        The index is copied under the store's lock (quickly); then each part is serialised and
        sealed without it, and written in a short transaction of its own; a last one drops the
        previous snapshot. Readers take only a snapshot with every part. Records deleted
        meanwhile stop it (their text must not be written back).
        """
        from .search import snapshot, snapshot_count

        with self._mutex:
            index = self._search
            if index is None or (self._has_sealed_index and (
                    not index.unsaved or index.unsaved < min_changes)):
                return False
            cipher = self._require()
            state = index.copy_state()
            unsaved, index.unsaved = index.unsaved, 0
            drops = self._sealed_drops
        sealed_id, count = new_id(), snapshot_count(state)

        def still_current() -> bool:
            return self._search is index and self._sealed_drops == drops

        try:
            for part, data in enumerate(snapshot(state)):
                blob = cipher.seal_bytes(data, _search_aad(part, sealed_id, count))
                del data
                with self._write(data=False):
                    if not still_current():
                        raise _Superseded
                    self._conn.execute(
                        "INSERT INTO search_cache (snapshot, part, count, data) VALUES (?, ?, ?, ?)",
                        (sealed_id, part, count, blob))
                del blob
            with self._write(data=False):
                if not still_current():
                    raise _Superseded
                self._conn.execute("DELETE FROM search_cache WHERE snapshot != ?", (sealed_id,))
                self._has_sealed_index = True
        except _Superseded:
            with self._mutex:
                if self.is_open:
                    with self._write(data=False):
                        self._conn.execute("DELETE FROM search_cache WHERE snapshot = ?",
                                           (sealed_id,))
                index.unsaved += unsaved
            return False
        except BaseException:
            index.unsaved += unsaved
            raise
        return True

    def _drop_sealed_index(self) -> None:
        """Inside a write that deletes records: their text must not outlive them in the sealed
        index (it is written again from the in-memory one, or rebuilt)."""
        self._conn.execute("DELETE FROM search_cache")
        self._has_sealed_index = False
        self._sealed_drops += 1

    def row_fingerprint(self, table: str) -> tuple[int, int]:
        """(rows, total of their revisions) of ``table``: plaintext, an index scan."""
        with self._reading(table):
            count, total = self._conn.execute(f"SELECT count(*), total(rev) FROM {table}").fetchone()
            return count, int(total)

    def row_revisions(self, table: str) -> dict[str, int]:
        """id -> revision of every row of ``table`` (plaintext columns: nothing decrypted)."""
        with self._reading(table):
            cursor = self._conn.cursor()
            cursor.row_factory = None
            return dict(cursor.execute(f"SELECT id, rev FROM {table}"))

    def rows_by_id(self, table: str, ids: Iterable[str], column: str
                   ) -> Iterator[tuple[dict, dict]]:
        """The rows with these ids, ``column`` decrypted, a chunk at a time: the store's lock is
        free between chunks."""
        wanted = set(ids)
        if len(wanted) > 2000:  # many: read the table in file order, 500 rows at a time
            with self._reading(table):
                rowids = [r[0] for r in self._conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
            for start in range(0, len(rowids), 500):
                rows = self._select(table, "rowid BETWEEN ? AND ?",
                                    (rowids[start], rowids[min(start + 499, len(rowids) - 1)]),
                                    columns=(column,))
                yield from (r for r in rows if r[0]["id"] in wanted)
            return
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            part = tuple(ordered[start:start + 500])
            yield from self._select(table, db.in_clause("id", part), part,
                                    columns=(column,))

    def _texts(self, keys: list) -> dict:
        """The original texts of search documents ((kind, id) keys), for their snippets."""
        from .search import SOURCES, TABLE_OF

        wanted: dict[str, list[str]] = {}
        for kind, rid in keys:
            wanted.setdefault(TABLE_OF[kind], []).append(rid)
        texts = {}
        for table, ids in wanted.items():
            kind, column, field = SOURCES[table]
            for plain, secret in self.rows_by_id(table, ids, column):
                texts[(kind, plain["id"])] = secret[column].get(field, "")
        return texts

    def search(self, query: str, **filters: Any):
        return self.search_index().search(query, self._texts, **filters)

    def session_plans(self, session_ids: Iterable[str]) -> dict[str, Any]:
        """The guide snapshots (plans) of these sessions; unknown ids are left out."""
        return {plain["id"]: secret["plan"] or {}
                for plain, secret in self.rows_by_id("sessions", session_ids, "plan")}

    def iter_records(self, table: str) -> Iterator[tuple[dict, dict]]:
        """Every decrypted row of ``table`` (plaintext columns, secret columns)."""
        yield from self._select(table, order="created_at")

    # ------------------------------------------------------------------ keys
    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wraps the data key under a new passphrase in one transaction."""
        if not new_passphrase:
            raise WrongPassphrase("the new passphrase must not be empty")
        with self._mutex:
            self._require()
            row = self._conn.execute("SELECT * FROM keyslot WHERE id = 1").fetchone()
            params = kdf or KdfParams.from_dict(json.loads(row["kdf"]))
            salt = os.urandom(16)
            kek = crypto.derive_kek(new_passphrase, salt, params, allow_weak=self._allow_weak)
            wrapped = crypto.wrap_key(kek, self._dek, crypto.keyslot_aad(self.vault_id, params, salt))
            with self._write():
                self._conn.execute(
                    "UPDATE keyslot SET kdf = ?, salt = ?, wrapped = ?, updated_at = ? WHERE id = 1",
                    (json.dumps(params.to_dict()), salt, wrapped, self._now()))
            db.checkpoint(self._conn)

    def rotate_key(self, passphrase: str) -> int:
        """A new data key: every sealed field re-encrypted, the key re-wrapped, one transaction.

        Needs the passphrase again to re-wrap the new key. Returns the number of rows re-sealed.
        """
        with self._mutex:
            self._require()
            row = self._conn.execute("SELECT * FROM keyslot WHERE id = 1").fetchone()
            _unwrap(row, passphrase, self._allow_weak)  # proves the passphrase before any work
            params = KdfParams.from_dict(json.loads(row["kdf"]))
            new_dek = crypto.new_key()
            salt = os.urandom(16)
            kek = crypto.derive_kek(passphrase, salt, params, allow_weak=self._allow_weak)
            new_cipher = FieldCipher(new_dek)
            count = 0
            with self._write():
                for table, (plain_cols, sealed) in SCHEMA.items():
                    for r in self._conn.execute(f"SELECT * FROM {table}").fetchall():
                        plain, secret = self._open(table, r)
                        sets = ", ".join(f"{c} = ?" for c in sealed)
                        values = [new_cipher.seal(secret[c], aad_for(table, c, plain)) for c in sealed]
                        self._conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values, plain["id"]))
                        count += 1
                self._drop_sealed_index()  # sealed under the old key
                from .export_cache import drop as drop_render_cache

                drop_render_cache(self._conn)  # likewise
                self._conn.execute(
                    "UPDATE keyslot SET salt = ?, wrapped = ?, updated_at = ? WHERE id = 1",
                    (salt, crypto.wrap_key(kek, new_dek, crypto.keyslot_aad(self.vault_id, params, salt)),
                     self._now()))
            self._cipher = new_cipher
            self._dek = new_dek
            db.checkpoint(self._conn)
            return count

    # ------------------------------------------------------------------ verify, backup
    def verify(self) -> list[Damage]:
        """SQLite's integrity check plus opening every sealed field. Returns what is damaged."""
        with self._mutex:
            cipher = self._require()
            return verify_connection(self._conn, cipher)

    def backup(self, destination: Path) -> int:
        """A consistent copy (SQLite backup API) at ``destination``: 0600, never overwriting,
        then verified. Returns the number of records checked."""
        destination = Path(destination)
        try:
            fd = os.open(destination, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, db.FILE_MODE)
        except FileExistsError:
            raise VaultExists(f"{destination} already exists; not overwriting it") from None
        except OSError as exc:
            raise StorageError(f"cannot write {destination}: {exc.strerror}") from None
        os.close(fd)
        try:
            with self._mutex:
                cipher = self._require()
                target = sqlite3.connect(os.fspath(destination), isolation_level=None)
                try:
                    self._conn.backup(target)
                    target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    target.close()
                db.tighten(destination)
                db.check_header(destination)
                check = sqlite3.connect(os.fspath(destination), isolation_level=None)
                try:
                    damage = verify_connection(check, cipher)
                    count = sum(check.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SCHEMA)
                finally:
                    check.close()
                db.tighten(destination)
            if damage:
                raise Damaged(f"the backup at {destination} failed verification")
        except sqlite3.Error as exc:
            destination.unlink(missing_ok=True)
            raise db.storage_error(exc) from None
        except BaseException:
            destination.unlink(missing_ok=True)
            raise
        return count

    # ------------------------------------------------------------------ bulk readers (exports, scans)
    def plain_rows(self, table: str, where: str = "", params: tuple = ()) -> list[dict[str, Any]]:
        """The plaintext columns (ids, links, timestamps) of ``table``'s rows, in no set order.

        Nothing is decrypted, so nothing is authenticated either: for choosing which rows to read
        (and in what order) before reading them with :meth:`_select`, which authenticates them.
        """
        cols = SCHEMA[table][0]
        sql = f"SELECT {', '.join(cols)} FROM {table}" + (f" WHERE {where}" if where else "")
        with self._reading(table):
            return [dict(zip(cols, row)) for row in self._conn.execute(sql, params)]


def verify_connection(conn: sqlite3.Connection, cipher: FieldCipher) -> list[Damage]:
    conn.row_factory = sqlite3.Row
    damage: list[Damage] = []
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except _DAMAGE_ERRORS as exc:
        result = [db.one_line(exc)]
    if result != ["ok"]:
        damage.append(Damage("sqlite", "-", "-", "; ".join(result[:3])))
    for table, (plain_cols, sealed) in SCHEMA.items():
        try:  # a damaged page or schema is reported, never raised
            for row in conn.execute(f"SELECT * FROM {table}"):
                plain = {c: row[c] for c in plain_cols}
                for column in sealed:
                    try:
                        cipher.open(row[column], aad_for(table, column, plain))
                    except (ValueError, TypeError):
                        damage.append(Damage(table, plain["id"], column, "failed authentication"))
        except _DAMAGE_ERRORS as exc:
            damage.append(Damage(table, "-", "-", f"unreadable: {db.one_line(exc)}"))
    return damage


def _session_filter(person_id: str | None, status: str | None,
                    programme_id: str | None) -> tuple[str, tuple]:
    clauses, params = [], []
    if person_id:
        clauses.append("person_id = ?")
        params.append(person_id)
    if status == "active":
        clauses.append("ended_at IS NULL")
    elif status == "ended":
        clauses.append("ended_at IS NOT NULL")
    elif status is not None:
        raise RapportError(f"unknown status {status!r} (active or ended)")
    if programme_id:
        clauses.append("programme_id = ?")
        params.append(programme_id)
    return " AND ".join(clauses), tuple(params)


def _check_cadence(cadence: str | None) -> None:
    if cadence is not None and cadence not in CADENCES:
        raise RapportError(f"unknown cadence {cadence!r} (one of {', '.join(CADENCES)})")


def _clean(value: Any) -> Any:
    """Recursively replaces lone surrogates in strings (a broken paste must never crash a save)."""
    if isinstance(value, str):
        return crypto.clean_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value
