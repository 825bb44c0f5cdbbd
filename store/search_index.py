"""The search index: in-memory SQLite databases that find which records hold a piece of text.

One row in ``docs`` per searchable field of a record (a person's name, a session's title, a note,
an item, a jot, a talking point, a feedback entry's texts): which record it is and what the
filters need (person, session, stage, item kind, its session's start; a talking point keeps its
status in ``stage`` and its owner, mine or theirs, in ``item_kind``; a feedback entry, given or
received and praise or developmental); one row in ``sessions`` per session (person, guide,
start, status). The
text itself is not kept: FTS5's trigram tokenizer (SQLite 3.34+; ``content=''``, ``detail=none``)
indexes which documents hold each trigram of their casefolded text, and a query's *candidates*
are the documents holding every trigram of it, newest session first. :mod:`store.search` then
reads each candidate's text from the vault (decrypted), keeps those that hold the query and cuts
their snippets, until it has enough. Without FTS5, or for a query of one or two characters, every
document is a candidate.

FTS5 keeps no text either, so it cannot forget a document by itself: a document changed or
dropped leaves its old trigrams behind (its candidates are only checked against the current
text). Before a shard is sealed, its FTS5 index is made again from its documents' current text
(:meth:`Shard.refill`), so nothing of a deleted or older text is ever sealed.

The index is cut into *shards*, one SQLite database each: one per quarter of a year (the sessions
that started in it, with their documents), one for talking points, and one for what else belongs
to no session (names, jots, and the index's own state). Candidates come from talking points first
(few, and what to raise next: never cut off by a query's limit), then the newest quarter first,
then names and jots, so a query stops when it has enough; a change touches one shard; the vault
seals each shard apart, so a shard is sealed, read back or dropped without the others, and never
the whole index at once. Talking points have their own shard because one can be deleted on its
own: its sealed copy goes in the same transaction, as a deleted session's quarter does, and only
the points are read again (not every name and jot).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

#: The layout of a shard; another one is rebuilt, never read (7: feedback entries, a kind a
#: Rapport from before cannot read back).
SCHEMA_VERSION = 7
UNDATED = "-"  # the shard of names, jots and the index's state
POINTS = "points"  # the shard of talking points

# Ids are kept as their 16 bytes, times as microseconds since 1970 (UTC): a third of the room.
_SCHEMA = """
CREATE TABLE docs (
  docid INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id BLOB NOT NULL, rev INTEGER NOT NULL,
  person_id BLOB NOT NULL, session_id BLOB, stage TEXT NOT NULL, item_kind TEXT NOT NULL,
  private INTEGER NOT NULL, created_at INTEGER NOT NULL, started INTEGER,
  UNIQUE (kind, record_id));
CREATE INDEX docs_session ON docs(session_id);
CREATE INDEX docs_order ON docs(started DESC, created_at, docid);
CREATE TABLE sessions (
  id BLOB PRIMARY KEY, rev INTEGER NOT NULL, person_id BLOB NOT NULL, guide_id TEXT NOT NULL,
  started_at TEXT NOT NULL, status TEXT NOT NULL, started INTEGER NOT NULL);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# FTS5 over the documents' casefolded text, holding none of it (see the module's docstring).
_FTS = """
CREATE VIRTUAL TABLE fts USING fts5(folded, content='', detail=none,
  tokenize='trigram case_sensitive 1');
"""
_COLUMNS = ("kind, record_id, rev, person_id, session_id, stage, item_kind, private, created_at,"
            " started")
_MARKS = ", ".join("?" * 10)


def fold(text: str) -> str:
    return text.casefold()


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def micros(stamp: str) -> int:
    """A stored timestamp as microseconds since 1970 (exactly)."""
    return (datetime.fromisoformat(stamp) - _EPOCH) // _MICRO


def moment(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + value * _MICRO


def _midnight(day: date) -> int:
    """The start of ``day`` (UTC) in microseconds since 1970."""
    return (datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - _EPOCH) // _MICRO


def _id(value: str | None) -> bytes | None:
    """A record id (32 hex digits) as its 16 bytes ("" stays empty: not known yet)."""
    return None if value is None else bytes.fromhex(value)


def _row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A document as put (ids as text, times as stamps; its text last) as a ``docs`` row."""
    kind, record_id, rev, person, session, stage, item_kind, private, created, started, _ = row
    return (kind, _id(record_id), rev, _id(person), _id(session), stage, item_kind, private,
            micros(created), None if started is None else micros(started))


def quarter(started_at: str | None) -> str:
    """The shard of a session that started at ``started_at`` (ISO, UTC)."""
    if not started_at:
        return UNDATED
    return f"{started_at[:4]}Q{(int(started_at[5:7]) - 1) // 3 + 1}"


@dataclass(frozen=True)
class Candidate:
    """A document that may hold the query (it holds every trigram of it): which record, and what
    a hit shows of where it is."""

    kind: str
    record_id: str
    person_id: str
    session_id: str | None
    stage: str
    item_kind: str
    started_at: datetime | None
    private: bool = False  # a private note
    created_at: datetime | None = None  # when the record was written


#: Documents that a date filter reads by the day they were written (of no session; a feedback
#: entry's is its session's day when it has one).
WRITTEN = ("jot", "point", "feedback")


@dataclass(frozen=True)
class Filters:
    person_id: str | None = None
    guide_id: str | None = None
    since: date | None = None
    until: date | None = None
    status: str | None = None
    kind: str | None = None

    @property
    def sessions(self) -> bool:
        """Whether the filters read the session (so documents of no session are left out)."""
        return bool(self.guide_id or self.status)

    @property
    def dates(self) -> bool:
        """Whether the filters read a day: a session's start, or the day a jot or a talking
        point was written (names stay out)."""
        return bool(self.since or self.until)

    def sql(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.person_id:
            clauses.append("d.person_id = ?")
            params.append(_id(self.person_id))
        if self.kind:  # a record's kind, or an item's (a point's item_kind is its owner)
            clauses.append("(d.kind = ? OR (d.kind = 'item' AND d.item_kind = ?))")
            params += [self.kind, self.kind]
        if self.guide_id:
            clauses.append("s.guide_id = ?")
            params.append(self.guide_id)
        if self.status:
            clauses.append("s.status = ?")
            params.append(self.status)
        # A session's start (UTC ISO text): the day it starts on; a jot's or a talking point's
        # created_at (microseconds since 1970, UTC): the same day's bounds.
        undated = f"d.kind IN ({', '.join(repr(kind) for kind in WRITTEN)})"
        if self.since:
            clauses.append(f"(CASE WHEN {undated} THEN d.created_at >= ?"
                           " ELSE substr(s.started_at, 1, 10) >= ? END)")
            params += [_midnight(self.since), self.since.isoformat()]
        if self.until:
            clauses.append(f"(CASE WHEN {undated} THEN d.created_at < ?"
                           " ELSE substr(s.started_at, 1, 10) <= ? END)")
            params += [_midnight(self.until + timedelta(days=1)), self.until.isoformat()]
        return " AND ".join(clauses), params


class Shard:
    """One database of the index (see the module's docstring). Not thread-safe: the index's lock
    guards it."""

    def __init__(self, image: bytes | None = None) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        if image is not None:
            self.conn.deserialize(image)
            if self.get("schema") != str(SCHEMA_VERSION):
                raise ValueError("a shard of another layout")
        else:
            self.conn.executescript(_SCHEMA)
            try:
                self.conn.executescript(_FTS)
            except sqlite3.OperationalError:  # no FTS5 or no trigram tokenizer: instr alone
                pass
            self.set("schema", str(SCHEMA_VERSION))
        self.conn.execute("PRAGMA secure_delete=ON")  # freed pages hold no text
        try:
            self.conn.execute("SELECT rowid FROM fts LIMIT 0")
            self.fts = True
        except sqlite3.OperationalError:
            self.fts = False  # (an image made where FTS5 was, read where it is not: rebuilt)
            if image is not None and self.conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'fts'").fetchone():
                raise ValueError("a shard this SQLite cannot read") from None
        self.unsettled = False  # documents were put since the last settle
        #: documents were dropped or replaced since its FTS5 index was last made whole: their
        #: old trigrams linger in it (see refill)
        self.stale = False
        self.dirty = image is None  # changed since it was sealed (or never sealed)

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    def put_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Documents (see :meth:`SearchIndex.put_many`); one already here is replaced."""
        self.dirty = self.unsettled = True
        self.conn.execute("BEGIN")
        for row in rows:
            self.drop(row[0], row[1])
            cursor = self.conn.execute(f"INSERT INTO docs ({_COLUMNS}) VALUES ({_MARKS})",
                                       _row(row))
            if self.fts:
                self.conn.execute("INSERT INTO fts (rowid, folded) VALUES (?, ?)",
                                  (cursor.lastrowid, fold(row[10])))
        self.conn.execute("COMMIT")

    def drop(self, kind: str, record_id: str) -> bool:
        cursor = self.conn.execute("DELETE FROM docs WHERE kind = ? AND record_id = ?",
                                   (kind, _id(record_id)))
        if not cursor.rowcount:
            return False
        self.dirty = self.stale = True
        return True

    def documents(self) -> list[tuple[int, str, str]]:
        """(docid, kind, record id) of every document."""
        return [(docid, kind, rid.hex()) for docid, kind, rid in
                self.conn.execute("SELECT docid, kind, record_id FROM docs")]

    def refill(self, texts: Iterable[tuple[int, str]]) -> None:
        """Its FTS5 index made again from (docid, text) of every document: the trigrams of
        texts dropped or replaced since are gone, and so are the pages that held them."""
        self.conn.execute("BEGIN")
        if self.fts:
            self.conn.execute("INSERT INTO fts (fts) VALUES ('delete-all')")
            self.conn.executemany("INSERT INTO fts (rowid, folded) VALUES (?, ?)",
                                  ((docid, fold(text)) for docid, text in texts))
        self.conn.execute("COMMIT")
        if self.fts:
            self.conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        self.conn.execute("VACUUM")
        self.stale = False

    def settle(self) -> None:
        """Each document of a session carries its person and start."""
        if not self.unsettled:
            return
        self.unsettled = False
        self.conn.execute(
            "UPDATE docs SET person_id = (SELECT person_id FROM sessions s WHERE s.id ="
            " docs.session_id), started = (SELECT started FROM sessions s WHERE s.id ="
            " docs.session_id) WHERE session_id IS NOT NULL AND (started IS NULL OR"
            " person_id = x'') AND session_id IN (SELECT id FROM sessions)")

    def candidates(self, needle: str, filters: Filters) -> Iterator[Candidate]:
        """The documents that may hold ``needle`` (every one, without FTS5 or for fewer than
        three characters), in query order: the caller reads on until it has enough."""
        where, params = filters.sql()
        clauses = [where] if where else []
        args: list[Any] = list(params)
        if self.fts and len(needle) >= 3:
            clauses.insert(0, "d.docid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            args.insert(0, _trigrams(needle))
        source = "docs d INDEXED BY docs_order"  # query order: no sort, and it can stop early
        if filters.sessions:  # (documents of no session are left out)
            source += " JOIN sessions s ON s.id = d.session_id"
        elif filters.dates:  # (a jot's or a point's own day is read)
            source += " LEFT JOIN sessions s ON s.id = d.session_id"
        sql = (f"SELECT d.kind, d.record_id, d.person_id, d.session_id, d.stage, d.item_kind,"
               f" d.started, d.private, d.created_at FROM {source}"
               + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
               + " ORDER BY d.started DESC, d.created_at, d.docid")
        for kind, rid, person, session, stage, item_kind, started, private, created in \
                self.conn.execute(sql, args):
            yield Candidate(kind, rid.hex(), person.hex(), session.hex() if session else None,
                            stage, item_kind, moment(started), bool(private), moment(created))

    def image(self) -> bytes:
        """Its bytes (see :meth:`refill`: a stale shard is made whole before it is sealed)."""
        self.settle()
        return self.conn.serialize()


class SearchIndex:
    """The shards. Thread-safe (its own lock): queries run in workers while writes add to it."""

    def __init__(self, shards: Iterable[tuple[str, Shard]] = ()) -> None:
        self._lock = threading.RLock()
        self.shards: dict[str, Shard] = dict(shards)
        self.shards.setdefault(UNDATED, Shard())
        #: session id -> its shard (names and jots are in UNDATED, talking points in POINTS)
        self._home: dict[str, str] = {}
        for key, shard in self.shards.items():
            self._home.update((sid.hex(), key)
                              for (sid,) in shard.conn.execute("SELECT id FROM sessions"))

    @property
    def head(self) -> Shard:
        return self.shards[UNDATED]

    def get_state(self, key: str) -> str | None:
        with self._lock:
            return self.head.get(key)

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self.head.set(key, value)

    def revisions(self, kind: str) -> dict[str, int]:
        """record id -> revision of the documents of ``kind`` (``"session"``: the sessions)."""
        out: dict[str, int] = {}
        with self._lock:
            for shard in self.shards.values():
                if kind == "session":
                    rows = shard.conn.execute("SELECT id, rev FROM sessions")
                else:
                    rows = shard.conn.execute("SELECT record_id, rev FROM docs WHERE kind = ?",
                                              (kind,))
                out.update((rid.hex(), rev) for rid, rev in rows)
        return out

    def _shard(self, key: str) -> Shard:
        if key not in self.shards:
            self.shards[key] = Shard()
        return self.shards[key]

    def put_sessions(self, rows: Iterable[tuple[str, int, str, str, str, str]]) -> None:
        """Sessions, as (id, rev, person_id, guide_id, started_at, status) tuples."""
        with self._lock:
            for row in rows:
                key = quarter(row[4])
                old = self._home.get(row[0])
                if old is not None and old != key:  # (a session's start changed: it moves)
                    self.drop_session(row[0])
                shard = self._shard(key)
                shard.dirty = shard.unsettled = True
                sid, rev, person, guide, started, status = row
                shard.conn.execute("INSERT OR REPLACE INTO sessions (id, rev, person_id, guide_id,"
                                   " started_at, status, started) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   (_id(sid), rev, _id(person), guide, started, status,
                                    micros(started)))
                self._home[row[0]] = key

    def put_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Documents, as (kind, record_id, rev, person_id, session_id, stage, item_kind, private,
        created_at, started, text) tuples, each into the shard of its session (a talking point:
        POINTS)."""
        routed: dict[str, list[tuple[Any, ...]]] = {}
        with self._lock:
            for row in rows:
                key = POINTS if row[0] == "point" else \
                    self._home.get(row[4], UNDATED) if row[4] else UNDATED
                routed.setdefault(key, []).append(row)
            for key, part in routed.items():
                self._shard(key).put_many(part)

    def drop(self, kind: str, record_id: str) -> None:
        with self._lock:
            for shard in self.shards.values():
                if shard.drop(kind, record_id):
                    return

    def drop_session(self, session_id: str) -> None:
        """The session and every document of it."""
        with self._lock:
            key = self._home.pop(session_id, None)
            shard = self.shards.get(key) if key else None
            if shard is None:
                return
            for kind, record_id in shard.conn.execute(
                    "SELECT kind, record_id FROM docs WHERE session_id = ?", (_id(session_id),)
                    ).fetchall():
                shard.drop(kind, record_id.hex())
            shard.conn.execute("DELETE FROM sessions WHERE id = ?", (_id(session_id),))
            shard.dirty = shard.stale = True

    def settle(self) -> None:
        with self._lock:
            for shard in self.shards.values():
                shard.settle()

    def candidates(self, needle: str, filters: Filters = Filters()) -> Iterator[Candidate]:
        """The documents that may hold ``needle`` (casefolded): talking points first, then
        newest session first, names and jots last; within a session (or the points), in the
        order they were written."""
        with self._lock:
            order = [POINTS] + sorted((k for k in self.shards if k not in (UNDATED, POINTS)),
                                      reverse=True) + [UNDATED]
        for key in order:
            with self._lock:
                shard = self.shards.get(key)
                found = list(shard.candidates(needle, filters)) if shard is not None else []
            yield from found

    def dirty(self) -> list[str]:
        """The shards changed since they were sealed."""
        with self._lock:
            return [key for key, shard in self.shards.items() if shard.dirty]

    def images(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(key, bytes) of these shards (each made when the one before is used), marking each
        clean. A stale shard must have been refilled first."""
        for key in keys:
            with self._lock:
                shard = self.shards.get(key)
                if shard is None:
                    continue
                if shard.stale:
                    raise ValueError(f"shard {key} holds the trigrams of dropped documents")
                image = shard.image()
                shard.dirty = False
            yield key, image

    def mark_dirty(self, key: str | None = None) -> None:
        """The sealed copy of shard ``key`` (of every shard: None) is gone: sealed again next."""
        with self._lock:
            for name, shard in self.shards.items():
                if key is None or name == key:
                    shard.dirty = True


    def close(self) -> None:
        with self._lock:
            for shard in self.shards.values():
                shard.conn.close()


def _trigrams(needle: str) -> str:
    """An FTS5 query for documents holding every trigram of ``needle`` (``detail=none`` finds
    documents, not places: ``instr`` then checks the text)."""
    grams = dict.fromkeys(needle[i:i + 3] for i in range(len(needle) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
