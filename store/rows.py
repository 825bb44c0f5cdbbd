"""The row engine: sealed rows in, models out, one transaction at a time, one writer per vault.

:class:`Rows` is what every repository (:mod:`store.people`, :mod:`store.sessions`, ...) reads
and writes through. It owns

* the connection (read-write; the single-writer lock, :mod:`store.lock`, is held for its life),
* sealing and opening: each sealed column of a row is AES-GCM under the data key, its associated
  data (:func:`aad`) naming the table, the column and the row's plaintext columns, so a value
  cannot be moved to another row or column, or put back at an older revision,
* transactions (:meth:`Rows.write`: re-entrant, ``BEGIN IMMEDIATE`` ... ``COMMIT``, or nothing),
* the row summary (:mod:`store.summary`), changed in the same transaction as the rows.

Every public method is thread-safe (one re-entrant lock): the app reads from worker threads.
A record is read as a pair ``(plain, secret)``: dicts of its plaintext and its opened columns.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from .clock import Clock, new_id, stamp
from .crypto import FIELD_FORMAT, FieldCipher, clean_text
from .db import DAMAGE_ERRORS, checkpoint, in_clause, one_line, storage_error
from .errors import Damaged, Locked, NotFound, RapportError
from .files import tighten
from .lock import WriterLock
from .summary import RowSummary, Tally
from .tables import TABLES, Table, pointing_at

Record = tuple[dict[str, Any], dict[str, Any]]
T = TypeVar("T")


#: ``json.dumps(values, separators=(",", ":"))``, with one encoder for every call (a row's
#: plaintext values are a flat list: no cycle to look for)
bound_json = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def aad(table: str, column: str, plain: Iterable[Any]) -> bytes:
    """The associated data of ``column`` of a row whose plaintext columns hold ``plain`` (in
    :attr:`Table.plain` order): the compact JSON of those values, after the table and column."""
    return f"rapport/v{FIELD_FORMAT}|{table}|{column}|{bound_json(list(plain))}".encode()


def aad_for(table: str, column: str, plain: dict[str, Any]) -> bytes:
    return aad(table, column, [plain.get(c) for c in TABLES[table].plain])


def clean(value: Any) -> Any:
    """Recursively replaces lone surrogates in strings (a broken paste must never crash a save)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


@dataclass
class _Transaction:
    """What one write changed: the row summary's tallies, and whether any record did."""

    changes: dict[str, Tally] = field(default_factory=dict)
    records: bool = False

    def note(self, table: str, term: int, sign: int) -> None:
        self.changes.setdefault(table, Tally()).add(Tally(1, term), sign)
        self.records = True


class Rows:
    """The unlocked vault's rows. Made by :func:`store.vault.open_vault`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: WriterLock,
                 cipher: FieldCipher, summary: RowSummary, *, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self.mutex = threading.RLock()
        self._conn = conn
        self._lock = lock
        self._cipher: FieldCipher | None = cipher
        self.summary = summary
        #: the stored summary is not written while it disagrees with the rows in a way the
        #: holder has not accepted: the damage stays visible (see :mod:`store.vault`)
        self.summary_frozen = False
        self._tx: _Transaction | None = None
        self._tightened = False  # the -wal and -shm made 0600 (once: they stay while open)
        #: bumps on every write of a record; caches compare against it
        self.generation = 0
        conn.row_factory = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_open(self) -> bool:
        return self._cipher is not None

    def cipher(self) -> FieldCipher:
        """The field cipher; :class:`Locked` once the vault is closed."""
        if self._cipher is None:
            raise Locked("the vault is locked")
        return self._cipher

    def close(self) -> None:
        """Checkpoints the WAL (TRUNCATE), closes the file, drops the key and the lock."""
        with self.mutex:
            if self._cipher is None:
                return
            self._cipher = None
            checkpoint(self._conn)
            self._conn.close()
            tighten(self.path)
            self._lock.release()

    def now(self) -> str:
        return stamp(self.clock())

    # ------------------------------------------------------------------ reading
    @contextmanager
    def reading(self, what: str = "the vault") -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, for reads of plaintext columns; a damaged file is
        reported as :class:`Damaged`, never raised as a bug."""
        with self.mutex:
            self.cipher()
            try:
                yield self._conn
            except DAMAGE_ERRORS as exc:
                raise Damaged(f"the vault file is damaged ({what}: {one_line(exc)}); "
                              "run 'rapport verify'") from None

    def open_rows(self, table: Table, sealed: tuple[str, ...], rows: Iterable[tuple[Any, ...]],
                  convert: Callable[[dict[str, Any], dict[str, Any]], T]) -> list[T]:
        """Opens rows read as tuples (the table's plaintext columns, then ``sealed``), making
        ``convert(plain, secret)`` of each as it goes (a large list's decoded values are never
        all alive at once). :class:`Damaged` names the first row that fails."""
        open_ = self.cipher().open
        names = table.plain
        n = len(names)
        prefixes = [(n + i, column, f"rapport/v{FIELD_FORMAT}|{table.name}|{column}|".encode())
                    for i, column in enumerate(sealed)]
        out = []
        for row in rows:
            secret = {}
            bound = bound_json(list(row[:n])).encode() if prefixes else b""
            for i, column, prefix in prefixes:
                try:
                    secret[column] = open_(row[i], prefix + bound)
                except (ValueError, TypeError):  # TypeError: a plaintext column of a wrong type
                    raise Damaged(f"record {table.name}/{row[0]} failed authentication ({column});"
                                  " run 'rapport verify'") from None
            out.append(convert(dict(zip(names, row)), secret))
        return out

    def select(self, table: str, where: str = "", params: tuple[Any, ...] = (), *,
               order: str = "", columns: Iterable[str] | None = None,
               convert: Callable[[dict[str, Any], dict[str, Any]], T] | None = None) -> list[Any]:
        """The rows of ``table`` matching ``where`` (SQL over plaintext columns), opened:
        ``(plain, secret)`` pairs, or what ``convert`` makes of them. ``columns``: the sealed
        columns to open (default all)."""
        spec = TABLES[table]
        sealed = tuple(columns) if columns is not None else spec.sealed
        sql = f"SELECT {', '.join(spec.plain + sealed)} FROM {table}"
        if where:
            sql += f" WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        with self.reading(table) as conn:
            rows = conn.execute(sql, params).fetchall()
            return self.open_rows(spec, sealed, rows, convert or _pair)

    def get(self, table: str, record_id: str, columns: Iterable[str] | None = None) -> Record:
        rows = self.select(table, "id = ?", (record_id,), columns=columns)
        if not rows:
            raise NotFound(f"no {TABLES[table].noun} with id {record_id}")
        found: Record = rows[0]
        return found

    def plain(self, table: str, where: str = "", params: tuple[Any, ...] = (), *,
              order: str = "", columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Plaintext columns only: nothing decrypted, so nothing authenticated either (for
        choosing which rows to read before :meth:`select` reads and authenticates them)."""
        names = tuple(columns) if columns is not None else TABLES[table].plain
        sql = f"SELECT {', '.join(names)} FROM {table}" + (f" WHERE {where}" if where else "")
        if order:
            sql += f" ORDER BY {order}"
        with self.reading(table) as conn:
            return [dict(zip(names, row)) for row in conn.execute(sql, params)]

    def count(self, table: str, where: str = "", params: tuple[Any, ...] = ()) -> int:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        with self.reading(table) as conn:
            (n,) = conn.execute(sql, params).fetchone()
            return int(n)

    # ------------------------------------------------------------------ writing
    @contextmanager
    def write(self) -> Iterator[None]:
        """One transaction: every write inside it is committed together, or none is. Nested
        calls join the outer one. The row summary is sealed into the same transaction."""
        with self.mutex:
            self.cipher()
            if self._tx is not None:
                yield
                return
            self._lock.check()
            tx = self._tx = _Transaction()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    pending = self.summary.changed(tx.changes)
                    if tx.changes and not self.summary_frozen:
                        pending.write(self._conn)
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise storage_error(exc) from None
            finally:
                self._tx = None
            if tx.changes:
                self.summary = pending
            if tx.records:
                self.generation += 1
            if not self._tightened:  # the first write made the -wal and -shm files
                tighten(self.path)
                self._tightened = True

    def _transaction(self) -> _Transaction:
        if self._tx is None:
            raise RapportError("a write outside a transaction (use Rows.write())")
        return self._tx

    def seal(self, table: str, plain: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
        """The row to store: ``plain`` and each sealed column of ``secret``, sealed."""
        spec = TABLES[table]
        values = [plain.get(c) for c in spec.plain]
        row = {c: plain.get(c) for c in spec.plain}
        seal = self.cipher().seal
        for column in spec.sealed:
            row[column] = seal(clean(secret[column]), aad(table, column, values))
        return row

    def insert(self, table: str, secret: dict[str, Any], *, record_id: str | None = None,
               **links: Any) -> dict[str, Any]:
        """A new row at revision 1 (its id new unless given); returns its plaintext columns."""
        now = self.now()
        plain: dict[str, Any] = {c: None for c in TABLES[table].plain}
        plain.update(id=record_id or new_id(), rev=1, created_at=now, updated_at=now)
        plain.update(links)
        self.put(table, plain, secret)
        return plain

    def put(self, table: str, plain: dict[str, Any], secret: dict[str, Any]) -> None:
        """Inserts a row exactly as given (its own id, revision and timestamps: imports)."""
        tx = self._transaction()
        row = self.seal(table, plain, secret)
        try:
            self._conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES "
                               f"({', '.join('?' * len(row))})", tuple(row.values()))
        except sqlite3.IntegrityError as exc:
            raise RapportError(f"cannot add {TABLES[table].noun}: {exc}") from None
        tx.note(table, self.summary.term(table, row["id"], row["rev"]), +1)

    def update(self, table: str, record_id: str, secret: dict[str, Any] | None = None, *,
               written: dict[str, Any] | None = None, **links: Any) -> Record:
        """Re-seals the row at revision + 1 with ``secret`` (sealed columns not given are kept:
        opened, which also authenticates them) and ``links`` changed. Returns the new
        ``(plain, secret)``. ``written``: the row's plaintext columns as this process last wrote
        them, when ``secret`` gives every sealed column: the row is not read first (had it
        changed since, say a write rolled back, the revision check finds it and reads it)."""
        tx = self._transaction()
        spec = TABLES[table]
        given = secret or {}
        keep = tuple(c for c in spec.sealed if c not in given)
        if written is not None and not keep:
            plain, kept = dict(written), {}
        else:
            found = self.select(table, "id = ?", (record_id,), columns=keep)
            if not found:
                raise NotFound(f"no {spec.noun} with id {record_id}")
            plain, kept = found[0]
        merged = {**kept, **given}
        old_rev = int(plain["rev"])
        plain.update(links)
        plain.update(rev=old_rev + 1, updated_at=self.now())
        row = self.seal(table, plain, merged)
        sets = ", ".join(f"{c} = ?" for c in row if c != "id")
        cursor = self._conn.execute(f"UPDATE {table} SET {sets} WHERE id = ? AND rev = ?",
                                    (*[v for c, v in row.items() if c != "id"], record_id, old_rev))
        if cursor.rowcount != 1:
            if written is not None:  # what the caller kept is out of date: read the row
                return self.update(table, record_id, secret, **links)
            raise RapportError(f"{table}/{record_id} changed underneath; nothing saved")
        term = self.summary.term
        tx.note(table, term(table, record_id, old_rev), -1)
        tx.note(table, term(table, record_id, old_rev + 1), +1)
        return plain, merged

    def delete(self, table: str, where: str, params: tuple[Any, ...] = ()) -> list[str]:
        """Deletes the rows matching ``where`` and, first, every row that points at them
        (:attr:`Table.refs`, all the way down: a person's sessions, their notes...). Returns
        the ids of the rows of ``table`` deleted."""
        tx = self._transaction()
        doomed = self._conn.execute(f"SELECT id, rev FROM {table} WHERE {where}", params).fetchall()
        if doomed:
            ids = [record_id for record_id, _ in doomed]
            for child, link in pointing_at(table):
                for start in range(0, len(ids), 500):
                    part = tuple(ids[start:start + 500])
                    self.delete(child.name, in_clause(link, part), part)
            self._conn.execute(f"DELETE FROM {table} WHERE {where}", params)
            for record_id, rev in doomed:
                tx.note(table, self.summary.term(table, record_id, rev), -1)
        return [record_id for record_id, _ in doomed]

    def reach(self, table: str, ids: Iterable[str]) -> dict[str, set[str]]:
        """What deleting ``ids`` of ``table`` would delete: table -> ids, ``ids`` themselves
        included (plaintext links only: nothing is decrypted)."""
        found: dict[str, set[str]] = {table: set(ids)}
        pending = [(table, tuple(found[table]))]
        with self.reading(table) as conn:
            while pending:
                parent, parent_ids = pending.pop()
                for child, link in pointing_at(parent):
                    for start in range(0, len(parent_ids), 500):
                        part = parent_ids[start:start + 500]
                        new = {r for (r,) in conn.execute(
                            f"SELECT id FROM {child.name} WHERE {in_clause(link, part)}", part)}
                        new -= found.setdefault(child.name, set())
                        if new:
                            found[child.name] |= new
                            pending.append((child.name, tuple(new)))
        return found

    def relink(self, table: str, old_id: str, new_id: str) -> int:
        """Inside a write: every row that points at ``table``'s ``old_id`` points at ``new_id``
        instead (re-sealed: a link is part of each field's associated data). Returns how many
        rows moved."""
        self._transaction()
        moved = 0
        for child, link in pointing_at(table):
            for (record_id,) in self._conn.execute(
                    f"SELECT id FROM {child.name} WHERE {link} = ?", (old_id,)).fetchall():
                links: dict[str, Any] = {link: new_id}
                self.update(child.name, record_id, None, **links)
                moved += 1
        return moved

    def vacuum(self) -> None:
        """Outside a write: the file rebuilt without its free pages (after a delete that must
        leave nothing behind; ``secure_delete`` has zeroed them already), and the WAL emptied."""
        with self.mutex:
            self.cipher()
            self._lock.check()
            try:
                self._conn.execute("VACUUM")
            except sqlite3.Error as exc:
                raise storage_error(exc) from None
            checkpoint(self._conn)
            tighten(self.path)

    def rekey(self, cipher: FieldCipher) -> int:
        """Inside a write: every sealed column of every row re-sealed under ``cipher`` (a new
        data key), revisions unchanged, a few hundred rows at a time. The engine goes on using
        the old key until :meth:`use`. Returns the number of rows re-sealed."""
        self._transaction()
        count = 0
        for spec in TABLES.values():
            sets = ", ".join(f"{c} = ?" for c in spec.sealed)
            rowids = [r for (r,) in self._conn.execute(f"SELECT rowid FROM {spec.name}")]
            for start in range(0, len(rowids), 500):
                chunk = tuple(rowids[start:start + 500])
                for plain, secret in self.select(spec.name, in_clause("rowid", chunk), chunk):
                    values = [plain[c] for c in spec.plain]
                    sealed = [cipher.seal(secret[c], aad(spec.name, c, values))
                              for c in spec.sealed]
                    self._conn.execute(f"UPDATE {spec.name} SET {sets} WHERE id = ?",
                                       (*sealed, plain["id"]))
                    count += 1
        return count

    def use(self, cipher: FieldCipher, summary: RowSummary) -> None:
        """After :meth:`rekey` committed: the new key and its summary."""
        with self.mutex:
            self._cipher = cipher
            self.summary = summary

    def connection(self) -> sqlite3.Connection:
        """The connection, inside :meth:`write`, for the tables that hold no records (the key
        slot, the row summary, the sealed search index)."""
        self._transaction()
        return self._conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """A statement on a table that holds no records (the sealed search index), inside
        :meth:`write`."""
        self._transaction()
        return self._conn.execute(sql, params)


def _pair(plain: dict[str, Any], secret: dict[str, Any]) -> Record:
    return plain, secret
