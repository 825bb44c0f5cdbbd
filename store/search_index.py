"""The search index: an in-memory SQLite database of casefolded text, queried with SQL.

One row in ``docs`` per searchable field of a record (a person's name, a session's title, a note,
an item, a jot), holding its casefolded text and what the filters need (person, session, stage,
item kind); one row in ``sessions`` per session (its person, guide, start and status: a
session's documents are its person's). A query is a substring of the casefolded text:

* with FTS5's trigram tokenizer (SQLite 3.34+, ``detail=none``: it lists which documents hold
  each trigram, not where), the documents holding every trigram of the query are found in the
  index, then ``instr`` keeps those that hold the query itself;
* without it (an SQLite built without FTS5), or for a query of one or two characters, ``instr``
  scans every document.
Filters and the order (newest session first) are SQL; a document carries its session's person and
start (filled in by :meth:`SearchIndex.settle`), so the common query needs no join. A first build
fills ``docs`` and then builds the FTS5 index once (``rebuild``); later changes keep it in step
one document at a time. Nothing here knows the vault: the index is filled and read by
:mod:`store.search`, and its bytes (:meth:`SearchIndex.image`) are what that module seals.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

#: The layout of the database; another one is rebuilt, never read.
SCHEMA_VERSION = 2
KINDS = ("name", "title", "note", "item", "jot")

_SCHEMA = """
CREATE TABLE docs (
  docid INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL, rev INTEGER NOT NULL,
  person_id TEXT NOT NULL, session_id TEXT, stage TEXT NOT NULL, item_kind TEXT NOT NULL,
  private INTEGER NOT NULL, created_at TEXT NOT NULL, started TEXT, folded TEXT NOT NULL,
  UNIQUE (kind, record_id));
CREATE INDEX docs_session ON docs(session_id);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY, rev INTEGER NOT NULL, person_id TEXT NOT NULL, guide_id TEXT NOT NULL,
  started_at TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# FTS5 over docs.folded (external content: the text is not held twice).
_FTS = """
CREATE VIRTUAL TABLE fts USING fts5(folded, content='docs', content_rowid='docid',
  detail=none, tokenize='trigram case_sensitive 1');
"""
_COLUMNS = ("kind, record_id, rev, person_id, session_id, stage, item_kind, private, created_at,"
            " started, folded")


def fold(text: str) -> str:
    return text.casefold()


@dataclass(frozen=True)
class Found:
    """One document holding the query: where it is, and the character offset of the match in
    its casefolded text."""

    kind: str
    record_id: str
    person_id: str
    session_id: str | None
    stage: str
    item_kind: str
    started_at: str | None
    at: int


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
        return bool(self.guide_id or self.since or self.until or self.status)

    def sql(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.person_id:
            clauses.append("d.person_id = ?")
            params.append(self.person_id)
        if self.kind:
            clauses.append("(d.kind = ? OR d.item_kind = ?)")
            params += [self.kind, self.kind]
        if self.guide_id:
            clauses.append("s.guide_id = ?")
            params.append(self.guide_id)
        if self.status:
            clauses.append("s.status = ?")
            params.append(self.status)
        if self.since:  # started_at is UTC ISO text: the day it starts on is compared
            clauses.append("substr(s.started_at, 1, 10) >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append("substr(s.started_at, 1, 10) <= ?")
            params.append(self.until.isoformat())
        return " AND ".join(clauses), params


class SearchIndex:
    """The index. Thread-safe (its own lock): queries run in workers while writes add to it."""

    def __init__(self, image: bytes | bytearray | None = None) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._rebuild = False  # a first build's FTS5 index is still to be made (settle)
        self._unsettled = False  # documents were put since the last settle
        if image is not None:
            self._conn.deserialize(image)
            if self.get_state("schema") != str(SCHEMA_VERSION):
                raise ValueError("an index of another layout")
        else:
            self._conn.executescript(_SCHEMA)
            try:
                self._conn.executescript(_FTS)
            except sqlite3.OperationalError:  # no FTS5 or no trigram tokenizer: instr alone
                pass
            self.set_state("schema", str(SCHEMA_VERSION))
        self._conn.execute("PRAGMA secure_delete=ON")  # freed pages hold no text
        try:
            self._conn.execute("SELECT rowid FROM fts LIMIT 0")
            self.fts = True
        except sqlite3.OperationalError:  # none made, or an image from an SQLite with FTS5
            self.fts = False              # read by one without it (then rebuilt)
            if image is not None and self._conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'fts'").fetchone():
                raise ValueError("an index this SQLite cannot read") from None

    # -- state the owner keeps with the index (what it was built from)
    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                               (key, value))

    # -- what it holds
    def revisions(self, kind: str) -> dict[str, int]:
        """record id -> revision of the documents of ``kind`` (``"session"``: the sessions)."""
        with self._lock:
            if kind == "session":
                rows = self._conn.execute("SELECT id, rev FROM sessions")
            else:
                rows = self._conn.execute("SELECT record_id, rev FROM docs WHERE kind = ?", (kind,))
            return dict(rows.fetchall())

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    # -- changes
    def put(self, kind: str, record_id: str, rev: int, text: str, *, person_id: str,
            session_id: str | None = None, stage: str = "", item_kind: str = "",
            private: bool = False, created_at: str = "", started: str | None = None) -> None:
        """A document added, or replaced (its FTS5 entry with it)."""
        self.put_many([(kind, record_id, rev, person_id, session_id, stage, item_kind, private,
                        created_at, started, text)])

    def put_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Documents, as (kind, record_id, rev, person_id, session_id, stage, item_kind, private,
        created_at, started, text) tuples. Into an empty index (a first build, until
        :meth:`settle`) they go in one statement and FTS5 indexes them all at :meth:`settle`;
        else one at a time, FTS5 kept in step."""
        marks = ", ".join("?" * 11)
        with self._lock:
            self._unsettled = True
            self._conn.execute("BEGIN")
            if self._rebuild or not self._conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone():
                self._conn.executemany(f"INSERT OR REPLACE INTO docs ({_COLUMNS}) VALUES ({marks})",
                                       ((*row[:10], fold(row[10])) for row in rows))
                self._rebuild = self.fts
            else:
                for row in rows:
                    self._drop(row[0], row[1])
                    cursor = self._conn.execute(f"INSERT INTO docs ({_COLUMNS}) VALUES ({marks})",
                                                (*row[:10], fold(row[10])))
                    if self.fts and not self._rebuild:
                        self._conn.execute("INSERT INTO fts (rowid, folded) VALUES (?, ?)",
                                           (cursor.lastrowid, fold(row[10])))
            self._conn.execute("COMMIT")

    def _drop(self, kind: str, record_id: str) -> None:
        found = self._conn.execute("SELECT docid, folded FROM docs WHERE kind = ? AND record_id = ?",
                                   (kind, record_id)).fetchone()
        if found is not None:
            if self.fts and not self._rebuild:
                self._conn.execute("INSERT INTO fts (fts, rowid, folded) VALUES ('delete', ?, ?)",
                                   found)
            self._conn.execute("DELETE FROM docs WHERE docid = ?", (found[0],))

    def drop(self, kind: str, record_id: str) -> None:
        with self._lock:
            self._drop(kind, record_id)

    def put_sessions(self, rows: Iterable[tuple[str, int, str, str, str, str]]) -> None:
        """Sessions, as (id, rev, person_id, guide_id, started_at, status) tuples."""
        with self._lock:
            self._unsettled = True
            self._conn.executemany(
                "INSERT OR REPLACE INTO sessions (id, rev, person_id, guide_id, started_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?)", rows)

    def drop_session(self, session_id: str) -> None:
        """The session and every document of it."""
        with self._lock:
            for kind, record_id in self._conn.execute(
                    "SELECT kind, record_id FROM docs WHERE session_id = ?", (session_id,)
                    ).fetchall():
                self._drop(kind, record_id)
            self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def settle(self) -> None:
        """After changes: each document of a session carries its person and start, and a first
        build's FTS5 index is made (once, from every document)."""
        with self._lock:
            if not self._unsettled:
                return
            self._unsettled = False
            self._conn.execute(
                "UPDATE docs SET person_id = (SELECT person_id FROM sessions s WHERE s.id ="
                " docs.session_id), started = (SELECT started_at FROM sessions s WHERE s.id ="
                " docs.session_id) WHERE session_id IS NOT NULL AND (started IS NULL OR"
                " person_id = '') AND session_id IN (SELECT id FROM sessions)")
            if self._rebuild:
                self._conn.execute("INSERT INTO fts (fts) VALUES ('rebuild')")
                self._rebuild = False

    # -- queries
    def find(self, query: str, filters: Filters = Filters(), limit: int = 500) -> list[Found]:
        """Documents whose casefolded text holds ``query`` casefolded: newest session first,
        documents of no session last; within a session, in the order they were written."""
        needle = fold(query.strip())
        if not needle or limit <= 0:
            return []
        where, params = filters.sql()
        clauses = ["instr(d.folded, ?) > 0"] + ([where] if where else [])
        args: list[Any] = [needle, needle, *params]
        source = "docs d"
        if self.fts and len(needle) >= 3:
            source = "fts JOIN docs d ON d.docid = fts.rowid"
            clauses.insert(0, "fts MATCH ?")
            args.insert(1, _trigrams(needle))
        if filters.sessions:
            source += " JOIN sessions s ON s.id = d.session_id"
        sql = (f"SELECT d.kind, d.record_id, d.person_id, d.session_id, d.stage, d.item_kind,"
               f" d.started, instr(d.folded, ?) - 1 FROM {source}"
               f" WHERE {' AND '.join(clauses)}"
               f" ORDER BY d.started IS NULL, d.started DESC, d.created_at, d.docid LIMIT ?")
        with self._lock:
            rows = self._conn.execute(sql, (*args, int(limit))).fetchall()
        return [Found(*row) for row in rows]

    def folded(self, kind: str, record_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT folded FROM docs WHERE kind = ? AND record_id = ?",
                                     (kind, record_id)).fetchone()
        return None if row is None else str(row[0])

    # -- its bytes
    def image(self, *, compact: bool = False) -> bytes:
        """The database as bytes (``serialize()``). ``compact``: FTS5's segments merged and the
        file vacuumed first, so nothing deleted from it is left in them."""
        with self._lock:
            if compact:
                if self.fts:
                    self._conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
                self._conn.execute("VACUUM")
            return self._conn.serialize()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _trigrams(needle: str) -> str:
    """An FTS5 query for documents holding every trigram of ``needle`` (``detail=none`` finds
    documents, not places: ``instr`` then checks the text)."""
    grams = dict.fromkeys(needle[i:i + 3] for i in range(len(needle) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
