"""Search over the vault: the index (:mod:`store.search_index`) kept level with the rows, sealed
between runs, and hits with snippets of the original text.

* **Level with the rows.** Before each query the index is compared with the vault, table by table,
  through the row summary (:mod:`store.summary`): a table whose count and hash of ``(id,
  revision)`` are those the index was last brought level with is skipped; another has its rows'
  ``(id, revision)`` compared with the index's (plaintext columns, nothing decrypted), and only
  the rows added or changed are decrypted. Writes need not tell the index anything.
* **Sealed between runs.** :meth:`Search.save` writes each changed shard's bytes
  (``serialize()``) into the vault (table ``search_cache``), sealed under the data key like every
  field: never plaintext on disk. The head shard names the sealed copy of every other one (an
  epoch each, bound into its associated data), so shards of different saves are never mixed.
  The next unlock's first search opens them instead of decrypting every note. Deleting a session
  deletes its shard's sealed copy in the same transaction (its text must not outlive it), and
  deleting a talking point the points' shard's; rotating the key deletes them all. A damaged or
  foreign shard is left out and its documents decrypted again.
* **Talking points** came later than the other kinds: an index sealed before them holds no
  ``tally:talking_points``, so its first refresh compares that table and puts every point in
  (nothing else is read again). The head names the points' shard apart from the quarters
  (``points-epoch``, not ``epochs``), so a Rapport from before points reads such an index
  without them instead of failing on a kind it does not know.
* **Snippets** are cut from the original text, read back (decrypted) for the hits only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from .crypto import FIELD_FORMAT, FieldCipher
from .db import in_clause
from .errors import RapportError
from .models import FEEDBACK_TEXTS
from .rows import Rows
from .search_index import POINTS, UNDATED, Candidate, Filters, SearchIndex, Shard, quarter

SNIPPET = 60
PART = 4 << 20  # bytes per sealed part of the index
CHUNK = 500  # rows decrypted at a time while the index is built (the lock is free between)
POINTS_EPOCH = "points-epoch"  # the head's state naming the sealed points shard

#: table -> (kind of its documents, the sealed column holding their text, the text's field;
#: "": the fields of :data:`FEEDBACK_TEXTS`, a line each). Sessions come before the tables whose
#: documents go into their session's shard.
SOURCES: dict[str, tuple[str, str, str]] = {
    "people": ("name", "data", "name"), "sessions": ("title", "meta", "title"),
    "notes": ("note", "body", "text"), "items": ("item", "data", "text"),
    "jots": ("jot", "data", "text"), "talking_points": ("point", "data", "text"),
    "feedback": ("feedback", "data", ""),
}
TABLE_OF = {kind: table for table, (kind, _, _) in SOURCES.items()}


def text_of(field: str, value: dict[str, Any]) -> str:
    """A document's text: its record's ``field``, or a feedback entry's situation, behaviour,
    impact, response and next step, those written, a line each."""
    if field:
        return str(value.get(field, ""))
    return "\n".join(str(value[name]) for name in FEEDBACK_TEXTS if value.get(name))


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
    private: bool = False  # the match is in a private note
    record_id: str = ""  # the note, item, jot, talking point... (a name's: the person's id)
    created_at: datetime | None = None  # when the record was written (a jot's or point's day)

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
        """The sealed copy is gone (the key was replaced): the next save writes it all."""
        with self.rows.mutex:
            self._sealed = False
            if self._index is not None:
                self._index.mark_dirty()

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
        """Hits newest first, each with a snippet of the original text: the index's candidates
        (see :mod:`store.search_index`), read from the vault a batch at a time and kept when
        their casefolded text holds the query, until ``limit``."""
        needle = query.strip().casefold()
        if not needle or limit <= 0:
            return []
        filters = Filters(person_id, guide_id, since, until, status, kind)
        size = max(64, limit + limit // 8)  # one batch, when most candidates hold it
        hits: list[Hit] = []
        batch: list[Candidate] = []
        for candidate in self.index().candidates(needle, filters):
            batch.append(candidate)
            if len(batch) == size:
                hits += self._holding(batch, needle, limit - len(hits))
                batch = []
                if len(hits) >= limit:
                    return hits
        return hits + self._holding(batch, needle, limit - len(hits))

    def _holding(self, batch: list[Candidate], needle: str, room: int) -> list[Hit]:
        """The hits among ``batch`` (in its order), at most ``room``."""
        texts = self._texts(batch)
        hits = []
        for candidate in batch:
            text = texts.get((candidate.kind, candidate.record_id))
            if text is None:  # (gone from the vault meanwhile)
                continue
            folded = text.casefold()
            at = folded.find(needle)
            if at >= 0:
                hits.append(_hit(candidate, text, len(folded) == len(text), at, len(needle)))
                if len(hits) >= room:
                    break
        return hits

    def _texts(self, docs: Iterable[Candidate | tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The original texts of these documents ((kind, record id) or candidates), decrypted."""
        wanted: dict[str, list[str]] = {}
        for doc in docs:
            kind, rid = (doc.kind, doc.record_id) if isinstance(doc, Candidate) else doc
            wanted.setdefault(TABLE_OF[kind], []).append(rid)
        texts = {}
        for table, ids in wanted.items():
            kind, column, field = SOURCES[table]
            for start in range(0, len(ids), CHUNK):
                part = tuple(ids[start:start + CHUNK])
                for plain, secret in self.rows.select(table, in_clause("id", part), part,
                                                      columns=(column,)):
                    texts[(kind, plain["id"])] = text_of(field, secret[column])
        return texts

    def _refill(self, index: SearchIndex, key: str) -> None:
        """Shard ``key``'s FTS5 index made again from its documents' current text (decrypted):
        before it is sealed, nothing of a dropped or older text may be left in it."""
        shard = index.shards[key]
        documents = shard.documents()
        texts = self._texts((kind, rid) for _, kind, rid in documents)
        shard.refill((docid, texts.get((kind, rid), "")) for docid, kind, rid in documents)

    # ------------------------------------------------------------------ the sealed copy
    def _read_sealed(self) -> SearchIndex | None:
        """The index sealed in the vault, shard by shard (never the whole at once); None when
        there is none, or its head is damaged or foreign. A shard missing or damaged is left
        out, and the index marked as level with nothing: the next refresh compares every table
        and decrypts what the lost shard held."""
        cipher = self.rows.cipher()
        with self.rows.reading("search_cache") as conn:
            try:
                snapshots = {snapshot: count for snapshot, count in conn.execute(
                    "SELECT snapshot, max(count) FROM search_cache GROUP BY snapshot HAVING"
                    " count(*) = max(count) AND min(part) = 0 AND max(part) = max(count) - 1")}
                heads = [s for s in snapshots if s.startswith(f"{UNDATED}:")]
                if len(heads) != 1:
                    return None
                head = Shard(self._opened(conn, cipher, heads[0], snapshots[heads[0]]))
                epochs = json.loads(head.get("epochs") or "{}")
                if head.get(POINTS_EPOCH):
                    epochs[POINTS] = head.get(POINTS_EPOCH)
                shards, lost = [(UNDATED, head)], False
                for key, epoch in epochs.items():
                    snapshot = f"{key}:{epoch}"
                    try:
                        shards.append((key, Shard(self._opened(conn, cipher, snapshot,
                                                               snapshots[snapshot]))))
                    except (KeyError, ValueError, sqlite3.DatabaseError):
                        lost = True
            except (ValueError, TypeError, sqlite3.DatabaseError):
                return None
        index = SearchIndex(shards)
        if lost:
            for table in SOURCES:
                index.set_state(f"tally:{table}", "")
        self._sealed = not lost
        return index

    @staticmethod
    def _opened(conn: sqlite3.Connection, cipher: FieldCipher, snapshot: str, count: int
                ) -> bytes:
        parts = conn.execute("SELECT part, data FROM search_cache WHERE snapshot = ?"
                             " ORDER BY part", (snapshot,)).fetchall()
        return b"".join(cipher.open_bytes(data, _part_aad(snapshot, part, count))
                        for part, data in parts)

    def save(self, *, min_changes: int = 256) -> bool:
        """Seals the shards changed since they were sealed, when the index changed by at least
        ``min_changes`` documents (or the vault holds none). One transaction; a shard at a
        time. Returns whether it wrote."""
        with self.rows.mutex:
            index = self._index
            if index is None:
                return False
            self._refresh(index)  # level with the rows (under the lock: nothing written meanwhile)
            if self._sealed and self.unsaved < min_changes:
                return False
            cipher = self.rows.cipher()
            epochs = json.loads(index.get_state("epochs") or "{}")
            changed = [key for key in index.dirty() if key != UNDATED]
            for key in changed + [UNDATED]:
                if index.shards[key].stale:
                    self._refill(index, key)
            with self.rows.write():
                for key, image in index.images(changed):
                    epoch = os.urandom(8).hex()
                    self._seal(cipher, key, epoch, image)
                    if key == POINTS:  # (apart: see the module's docstring)
                        index.set_state(POINTS_EPOCH, epoch)
                    else:
                        epochs[key] = epoch
                index.set_state("epochs", json.dumps(epochs, sort_keys=True))
                for key, image in index.images([UNDATED]):  # the head, last: it names every
                    self._seal(cipher, key, os.urandom(8).hex(), image)  # shard's epoch
            self._sealed, self.unsaved = True, 0
            return True

    def _seal(self, cipher: FieldCipher, key: str, epoch: str, image: bytes) -> None:
        """Inside a write: ``image`` sealed as the one copy of shard ``key``."""
        snapshot = f"{key}:{epoch}"
        count = max(1, -(-len(image) // PART))
        self.rows.execute("DELETE FROM search_cache WHERE snapshot LIKE ?", (f"{key}:%",))
        for part in range(count):
            blob = cipher.seal_bytes(image[part * PART:(part + 1) * PART],
                                     _part_aad(snapshot, part, count))
            self.rows.execute("INSERT INTO search_cache (snapshot, part, count, data)"
                              " VALUES (?, ?, ?, ?)", (snapshot, part, count, blob))

    def reseal(self) -> None:
        """After a write that dropped a sealed shard (:meth:`drop_sealed`): sealed again at once
        from the index in memory, if a search made one, so the next unlock's first search need
        not start over. A full disk loses only that speed-up."""
        try:
            self.save(min_changes=0)
        except RapportError:
            pass

    def drop_sealed(self, started_at: str | None = None, *, shard: str | None = None) -> None:
        """Inside a write that deletes records: the sealed shard that held them goes (the
        shard of sessions started in the quarter of ``started_at``, or ``shard``: POINTS for a
        talking point; every shard when neither is given, as when the key is replaced)."""
        key = shard if shard is not None else quarter(started_at) if started_at else None
        if key is None:
            self.rows.execute("DELETE FROM search_cache")
        else:
            self.rows.execute("DELETE FROM search_cache WHERE snapshot LIKE ?", (f"{key}:%",))
        self._sealed = False
        if self._index is not None:
            self._index.mark_dirty(key)

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
    if kind == "feedback":  # praise or developmental as the item kind; given or received
        return ("feedback", plain["id"], plain["rev"], plain["person_id"], plain["session_id"],
                str(value.get("direction", "given")), str(value.get("kind", "developmental")),
                False, created, None, text_of("", value))  # (as the stage)
    if kind == "point":  # its status as the stage, its owner as the item kind (a filter's words)
        return ("point", plain["id"], plain["rev"], plain["person_id"], None,
                str(value.get("status", "open")), str(value.get("owner", "mine")), False,
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


def _hit(candidate: Candidate, text: str, same: bool, at: int, length: int) -> Hit:
    """The hit of the match at ``at`` (``length`` long) of ``text.casefold()`` (``same``: as
    long as ``text``)."""
    if same:
        start, end = at, at + length
    else:  # casefolding changed lengths (e.g. ß -> ss): map folded offsets back to the original
        start, end = span(text, at, length)
    lo, hi = max(0, start - SNIPPET), min(len(text), end + SNIPPET)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    snippet = " ".join(text[lo:hi].split("\n"))
    return Hit(candidate.kind, candidate.person_id, candidate.session_id, candidate.stage,
               candidate.item_kind, prefix + snippet + suffix, len(prefix) + start - lo,
               len(prefix) + end - lo, candidate.started_at, candidate.private,
               candidate.record_id, candidate.created_at)
