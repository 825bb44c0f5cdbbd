"""Search over the vault: the index (:mod:`store.search_index`) kept level with the rows, sealed
between runs, and hits with snippets of the original text.

* **Level with the rows.** Before each query the index is compared with the vault, table by table,
  through the row summary (:mod:`store.summary`): a table whose count and hash of ``(id,
  revision)`` are those the index was last brought level with is skipped; another has its rows'
  ``(id, revision)`` compared with the index's (plaintext columns, nothing decrypted), and only
  the rows added or changed are decrypted. Writes need not tell the index anything.
* **Sealed between runs.** :meth:`Search.save` writes the index's bytes (``serialize()``) into
  the vault (table ``search_cache``), sealed under the data key in parts like every field: never
  plaintext on disk. The next unlock's first search opens it instead of decrypting every note.
  Deleting a session deletes the sealed copy in the same transaction (its text must not outlive
  it); rotating the key does too. A damaged or foreign copy is ignored and the index rebuilt.
* **Snippets** are cut from the original text, read back (decrypted) for the hits only.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterator

from .crypto import FIELD_FORMAT
from .db import in_clause
from .errors import RapportError
from .rows import Rows
from .search_index import Filters, Found, SearchIndex

SNIPPET = 60
PART = 4 << 20  # bytes per sealed part of the index
CHUNK = 500  # rows decrypted at a time while the index is built (the lock is free between)

#: table -> (kind of its documents, the sealed column holding their text, the text's field)
SOURCES: dict[str, tuple[str, str, str]] = {
    "people": ("name", "data", "name"), "sessions": ("title", "meta", "title"),
    "notes": ("note", "body", "text"), "items": ("item", "data", "text"),
    "jots": ("jot", "data", "text"),
}
TABLE_OF = {kind: table for table, (kind, _, _) in SOURCES.items()}


@dataclass(frozen=True)
class Hit:
    kind: str
    person_id: str
    session_id: str | None
    stage: str
    item_kind: str
    snippet: str
    match_start: int  # offsets of the match inside ``snippet``
    match_end: int
    started_at: datetime | None

    @property
    def before(self) -> str:
        return self.snippet[:self.match_start]

    @property
    def match(self) -> str:
        return self.snippet[self.match_start:self.match_end]

    @property
    def after(self) -> str:
        return self.snippet[self.match_end:]


def _part_aad(snapshot: str, part: int, count: int) -> bytes:
    return f"rapport/v{FIELD_FORMAT}|search_cache|{snapshot}|{part}|{count}".encode()


class Search:
    """The unlocked vault's search. Thread-safe: it reads and writes under the rows' lock."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self._index: SearchIndex | None = None
        self._sealed = False  # whether the vault holds a sealed copy of this index
        self.unsaved = 0  # documents changed since it was read or sealed

    def unsealed(self) -> None:
        """The sealed copy is gone (the key was replaced): the next save writes one."""
        with self.rows.mutex:
            self._sealed = False

    def forget(self) -> None:
        with self.rows.mutex:
            if self._index is not None:
                self._index.close()
            self._index = None

    # ------------------------------------------------------------------ the index
    def index(self) -> SearchIndex:
        """The index, level with the rows: the sealed copy read back (or a new one) brought up
        to date, a chunk of rows at a time."""
        with self.rows.mutex:
            index = self._index
        if index is None:
            index = self._read_sealed()
            if index is None:
                index, self._sealed = SearchIndex(), False
        self._refresh(index)
        with self.rows.mutex:
            if self._index is None:
                self._index = index
            elif self._index is not index:
                index.close()
            self._refresh(self._index)  # what was written meanwhile, under the lock
            return self._index

    def _tally(self, table: str) -> str:
        tally = self.rows.summary.tallies[table]
        return f"{tally.count}:{tally.digest:x}"

    def _refresh(self, index: SearchIndex) -> None:
        for table, (kind, column, _) in SOURCES.items():
            with self.rows.mutex:
                tally = self._tally(table)
                if index.get_state(f"tally:{table}") == tally:
                    continue
                current = {r["id"]: r["rev"] for r in self.rows.plain(table, columns=("id", "rev"))}
            held = index.revisions("session" if table == "sessions" else kind)
            for gone in held.keys() - current.keys():
                if table == "sessions":
                    index.drop_session(gone)
                else:
                    index.drop(kind, gone)
            stale = [rid for rid, rev in current.items() if held.get(rid) != rev]
            self.unsaved += len(stale) + len(held.keys() - current.keys())
            for rows in self._changed_rows(table, column, stale, whole=len(stale) > len(held)):
                if table == "sessions":
                    _put_sessions(index, rows)
                else:
                    index.put_many(_doc(kind, plain, secret[column]) for plain, secret in rows)
            with self.rows.mutex:  # level with this tally, unless written meanwhile
                if not stale or tally == self._tally(table):
                    index.set_state(f"tally:{table}", tally)
        index.settle()

    def _changed_rows(self, table: str, column: str, stale: list[str], *, whole: bool
                      ) -> Iterator[list[tuple[dict[str, Any], dict[str, Any]]]]:
        """The rows with these ids, ``column`` opened, a chunk at a time (the lock is free
        between chunks). ``whole``: most of the table, read in file order instead of by id."""
        if not whole:
            for start in range(0, len(stale), CHUNK):
                part = tuple(stale[start:start + CHUNK])
                yield self.rows.select(table, in_clause("id", part), part, columns=(column,))
            return
        wanted = set(stale)
        rowids = [r["rowid"] for r in self.rows.plain(table, columns=("rowid",), order="rowid")]
        for start in range(0, len(rowids), CHUNK):
            span = (rowids[start], rowids[min(start + CHUNK, len(rowids)) - 1])
            yield [r for r in self.rows.select(table, "rowid BETWEEN ? AND ?", span,
                                               columns=(column,)) if r[0]["id"] in wanted]

    # ------------------------------------------------------------------ queries
    def search(self, query: str, *, person_id: str | None = None, guide_id: str | None = None,
               since: date | None = None, until: date | None = None, status: str | None = None,
               kind: str | None = None, limit: int = 500) -> list[Hit]:
        """Hits newest first (see :meth:`SearchIndex.find`), each with a snippet."""
        needle = query.strip().casefold()
        if not needle or limit <= 0:
            return []
        found = self.index().find(query, Filters(person_id, guide_id, since, until, status, kind),
                                  limit)
        texts = self._texts(found)
        hits = []
        for f in found:
            text = texts.get((f.kind, f.record_id))
            if text is not None:
                hits.append(_hit(f, text, len(needle)))
        return hits

    def _texts(self, found: list[Found]) -> dict[tuple[str, str], str]:
        """The original texts of the documents found (decrypted), for their snippets."""
        wanted: dict[str, list[str]] = {}
        for f in found:
            wanted.setdefault(TABLE_OF[f.kind], []).append(f.record_id)
        texts = {}
        for table, ids in wanted.items():
            kind, column, field = SOURCES[table]
            for start in range(0, len(ids), CHUNK):
                part = tuple(ids[start:start + CHUNK])
                for plain, secret in self.rows.select(table, in_clause("id", part), part,
                                                      columns=(column,)):
                    texts[(kind, plain["id"])] = str(secret[column].get(field, ""))
        return texts

    # ------------------------------------------------------------------ the sealed copy
    def _read_sealed(self) -> SearchIndex | None:
        """The index sealed in the vault, or None (none, damaged or foreign: rebuilt)."""
        cipher = self.rows.cipher()
        with self.rows.reading("search_cache") as conn:
            try:
                head = conn.execute(
                    "SELECT snapshot, max(count) FROM search_cache GROUP BY snapshot HAVING"
                    " count(*) = max(count) AND min(part) = 0 AND max(part) = max(count) - 1"
                    " ORDER BY max(rowid) DESC LIMIT 1").fetchone()
                if head is None:
                    return None
                snapshot, count = head
                image = bytearray()
                for part, data in conn.execute("SELECT part, data FROM search_cache WHERE"
                                               " snapshot = ? ORDER BY part", (snapshot,)):
                    image += cipher.open_bytes(data, _part_aad(snapshot, part, count))
            except (ValueError, sqlite3.DatabaseError):
                return None
        try:
            index = SearchIndex(image)
        except (ValueError, sqlite3.DatabaseError):
            return None
        self._sealed = True
        return index

    def save(self, *, min_changes: int = 256) -> bool:
        """Seals the index into the vault when it changed by at least ``min_changes`` documents
        since it was read or sealed (or the vault holds none). Returns whether it wrote."""
        with self.rows.mutex:
            index = self._index
            if index is None:
                return False
            self._refresh(index)  # level with the rows (under the lock: nothing written meanwhile)
            if self._sealed and self.unsaved < min_changes:
                return False
            image = index.image(compact=True)
            cipher = self.rows.cipher()
            snapshot = os.urandom(12).hex()
            count = max(1, -(-len(image) // PART))
            view = memoryview(image)
            try:
                with self.rows.write():
                    self.rows.execute("DELETE FROM search_cache")
                    for part in range(count):
                        blob = cipher.seal_bytes(bytes(view[part * PART:(part + 1) * PART]),
                                                 _part_aad(snapshot, part, count))
                        self.rows.execute("INSERT INTO search_cache (snapshot, part, count, data)"
                                          " VALUES (?, ?, ?, ?)", (snapshot, part, count, blob))
            finally:
                view.release()
            self._sealed, self.unsaved = True, 0
            return True

    def drop_sealed(self) -> None:
        """Inside a write that deletes records (or replaces the key): the sealed copy goes."""
        self.rows.execute("DELETE FROM search_cache")
        self._sealed = False

    def drop_session(self, session_id: str) -> None:
        """A deleted session's documents leave the index held in memory too."""
        with self.rows.mutex:
            if self._index is not None:
                self._index.drop_session(session_id)


def _doc(kind: str, plain: dict[str, Any], value: dict[str, Any]) -> tuple[Any, ...]:
    """A row of ``docs`` (see :meth:`SearchIndex.put_many`) from an opened record."""
    created = plain["created_at"]
    if kind == "name":
        return ("name", plain["id"], plain["rev"], plain["id"], None, "", "", False, created, None,
                str(value.get("name", "")))
    if kind == "note":  # its session's person and start: filled in by SearchIndex.settle()
        return ("note", plain["id"], plain["rev"], "", plain["session_id"],
                str(value.get("stage", "")), "", bool(value.get("private")), created, None,
                str(value.get("text", "")))
    if kind == "item":
        return ("item", plain["id"], plain["rev"], plain["person_id"], plain["session_id"],
                str(value.get("stage", "")), str(value.get("kind", "")), False, created, None,
                str(value.get("text", "")))
    if kind == "jot":
        return ("jot", plain["id"], plain["rev"], plain["person_id"], None, "", "", False,
                created, None, str(value.get("text", "")))
    raise RapportError(f"no documents of kind {kind!r}")


def _put_sessions(index: SearchIndex, rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Sessions (their plaintext columns and opened meta) and their titles."""
    index.put_sessions((p["id"], p["rev"], p["person_id"], str(s["meta"].get("guide_id", "")),
                        p["started_at"], "ended" if p["ended_at"] else "active") for p, s in rows)
    titled = [(p, str(s["meta"].get("title", ""))) for p, s in rows]
    index.put_many(("title", p["id"], p["rev"], p["person_id"], p["id"], "", "", False,
                    p["created_at"], p["started_at"], title) for p, title in titled if title)
    for p, title in titled:
        if not title:
            index.drop("title", p["id"])


def span(text: str, pos: int, length: int) -> tuple[int, int]:
    """Where the match at ``pos`` (``length`` long) of ``text.casefold()`` lies in ``text``.

    Casefolding never shortens a character and may lengthen one (ß -> ss): when nothing before
    the match lengthened, the match starts at the same offset; else the offset is walked to.
    """
    if len(text[:pos].casefold()) == pos:
        start = at = pos
    else:  # the longest prefix folding to at most ``pos`` characters (folded length only grows)
        lo, hi = 0, min(pos, len(text))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(text[:mid].casefold()) <= pos:
                lo = mid
            else:
                hi = mid - 1
        start, at = lo, len(text[:lo].casefold())
        if at + len(text[start:start + 1].casefold()) <= pos:  # pos is past the end
            start, at = len(text), len(text.casefold())
    end = start
    while end < len(text) and at < pos + length:
        at += len(text[end].casefold())
        end += 1
    return start, end


def _hit(found: Found, text: str, length: int) -> Hit:
    if len(text.casefold()) == len(text):
        start, end = found.at, found.at + length
    else:  # casefolding changed lengths (e.g. ß -> ss): map folded offsets back to the original
        start, end = span(text, found.at, length)
    lo, hi = max(0, start - SNIPPET), min(len(text), end + SNIPPET)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    snippet = " ".join(text[lo:hi].split("\n"))
    return Hit(found.kind, found.person_id, found.session_id, found.stage, found.item_kind,
               prefix + snippet + suffix, len(prefix) + start - lo, len(prefix) + end - lo,
               datetime.fromisoformat(found.started_at) if found.started_at else None)
