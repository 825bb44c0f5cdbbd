"""In-memory search over decrypted text: built after unlock, dropped on lock.

The index holds the casefolded text of every searchable field (names, titles, notes, items,
jots) as UTF-8 bytes (half the memory of ``str`` for text with any non-Latin-1 character; a byte
substring of UTF-8 is a character substring), what the filters need, and the revision of every
row it read: its manifest. A query scans the folded texts newest first and stops at its limit;
only the hits kept are read back from the vault (decrypted) for their snippets, so the original
texts are not held twice.

Between runs the index is kept *sealed* in the vault (table ``search_cache``, see
:meth:`store.vault.Store.save_search_index`): never as plaintext on disk. Unlocking a vault and
searching reads it back, compares its manifest with the rows' plaintext ``(id, rev)`` columns
and decrypts only the rows added or changed since (:meth:`SearchIndex.refresh`), instead of
every field of the vault.
"""

from __future__ import annotations

import bisect
import marshal
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple

from .models import Item, Jot, Note, Person, Session

if TYPE_CHECKING:  # pragma: no cover
    from .vault import Store

SNIPPET = 60
#: Version of the sealed snapshot's layout (and of marshal's): another one is simply rebuilt.
SNAPSHOT_FORMAT = (2, marshal.version)

#: table -> (kind of its documents, the sealed column holding their text, the text's field)
SOURCES: dict[str, tuple[str, str, str]] = {
    "people": ("name", "data", "name"), "sessions": ("title", "meta", "title"),
    "notes": ("note", "body", "text"), "items": ("item", "data", "text"),
    "jots": ("jot", "data", "text"),
}
TABLE_OF = {kind: table for table, (kind, _, _) in SOURCES.items()}


class State(NamedTuple):
    """A copy of what a sealed snapshot holds (:meth:`SearchIndex.copy_state`), in query order."""

    sessions: dict[str, tuple]  # id -> (person id, guide id, started_at ISO, status)
    revs: dict[str, dict[str, int]]
    keys: list[Key]
    folded: list[bytes]
    meta: list[Meta]

Key = tuple[str, str]  # (kind, record id): one document per searchable record field
#: What a document carries besides its text: (person id, session id, stage, item kind, private)
Meta = tuple[str, "str | None", str, str, bool]


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


@dataclass
class _SessionInfo:
    person_id: str
    guide_id: str
    started_at: datetime
    status: str


class SearchIndex:
    def __init__(self) -> None:
        self.folded: dict[Key, bytes] = {}  # casefolded UTF-8
        self.meta: dict[Key, Meta] = {}
        self.sessions: dict[str, _SessionInfo] = {}
        self.revs: dict[str, dict[str, int]] = {table: {} for table in SOURCES}  # the manifest
        #: rows put or dropped since the index was last sealed (every put counts: a count, not a
        #: set of 50,000 row ids): whether sealing it again is worth it
        self.unsaved = 0
        self._pairs: list[tuple[Key, str]] | None = None  # see _ordered()
        self._slots: dict[Key, int] | None = None
        self._in_order = False  # folded's own order is the query order (see _ordered)
        self._fresh: list[Key] = []  # documents added to folded since it was in order

    # -- keeping up with the vault
    def refresh(self, store: "Store") -> int:
        """Brings the index level with the vault's rows: the gone are dropped, the new and changed
        (another revision) decrypted. Returns how many rows that was."""
        changed = 0
        for table, (kind, column, _) in SOURCES.items():
            held = self.revs[table]
            # Every write bumps a revision, every insert the count, and a delete through the
            # store drops the sealed index: the same count and revision total is the same rows.
            # (A row deleted behind the store's back and replaced by one of equal revision would
            # pass: its hit is dropped when its text is read back, and the new one is missed.)
            if store.row_fingerprint(table) == (len(held), sum(held.values())):
                continue
            current = store.row_revisions(table)
            gone = [rid for rid in held if rid not in current]
            for rid in gone:
                self._drop(table, rid)
            stale = [] if current == held else [
                rid for rid, rev in current.items() if held.get(rid) != rev]
            changed += len(gone) + len(stale)
            if stale:
                put = getattr(self, f"_put_{table}")
                for plain, secret in store.rows_by_id(table, stale, column):
                    put(plain, secret[column])
        return changed

    def _note_rev(self, table: str, rid: str, rev: int) -> None:
        self.revs[table][rid] = rev
        self.unsaved += 1

    def _drop(self, table: str, rid: str) -> None:
        self.revs[table].pop(rid, None)
        self.unsaved += 1
        self._unput((SOURCES[table][0], rid))
        if table == "sessions":
            self.sessions.pop(rid, None)

    def _put(self, key: Key, text: str, meta: Meta) -> None:
        if key not in self.folded:
            self._fresh.append(key)  # a new document: placed in the order before the next query
        folded = self.folded[key] = _fold(text)
        self.meta[key] = meta
        if self._pairs is None:
            return
        if self._slots is None:  # where each document is in _pairs: built on the first change
            self._slots = {k: i for i, (k, _) in enumerate(self._pairs)}
        slot = self._slots.get(key)
        if slot is None:
            self._pairs = None  # a new document: sorted in before the next query
        else:
            self._pairs[slot] = (key, folded)

    def _unput(self, key: Key) -> None:
        if self.folded.pop(key, None) is not None:
            self._pairs = None
        self.meta.pop(key, None)

    def _put_people(self, plain: dict, data: dict) -> None:
        self._note_rev("people", plain["id"], plain["rev"])
        self._put(("name", plain["id"]), data["name"], (plain["id"], None, "", "", False))

    def _put_sessions(self, plain: dict, meta: dict) -> None:
        self._put_session(plain["id"], plain["rev"], plain["person_id"], meta.get("guide_id", ""),
                          datetime.fromisoformat(plain["started_at"]),
                          "ended" if plain["ended_at"] else "active", meta.get("title", ""))

    def _put_session(self, sid: str, rev: int, person_id: str, guide_id: str,
                     started_at: datetime, status: str, title: str) -> None:
        self._note_rev("sessions", sid, rev)
        self.sessions[sid] = _SessionInfo(person_id, guide_id, started_at, status)
        if title:
            self._put(("title", sid), title, (person_id, sid, "", "", False))
        else:
            self._unput(("title", sid))

    def _put_notes(self, plain: dict, body: dict) -> None:
        self._note_rev("notes", plain["id"], plain["rev"])
        sid = plain["session_id"]
        info = self.sessions.get(sid)
        self._put(("note", plain["id"]), body.get("text", ""),
                  (info.person_id if info else "", sid, body.get("stage", ""), "",
                   bool(body.get("private"))))

    def _put_items(self, plain: dict, data: dict) -> None:
        self._note_rev("items", plain["id"], plain["rev"])
        self._put(("item", plain["id"]), data.get("text", ""),
                  (plain["person_id"], plain["session_id"], data.get("stage", ""),
                   data.get("kind", ""), False))

    def _put_jots(self, plain: dict, data: dict) -> None:
        self._note_rev("jots", plain["id"], plain["rev"])
        self._put(("jot", plain["id"]), data.get("text", ""), (plain["person_id"], None, "", "", False))

    # -- updates, kept in step by the store's writes
    def put_person(self, person: Person) -> None:
        self._put_people({"id": person.id, "rev": person.rev}, {"name": person.name})

    def put_session(self, session: Session) -> None:
        self._put_session(session.id, session.rev, session.person_id, session.guide_id,
                          session.started_at, session.status, session.title)

    def put_note(self, note: Note, person_id: str) -> None:
        self._note_rev("notes", note.id, note.rev)
        self._put(("note", note.id), note.text,
                  (person_id, note.session_id, note.stage, "", note.private))

    def put_item(self, item: Item, session: Session) -> None:
        self._note_rev("items", item.id, item.rev)
        self._put(("item", item.id), item.text,
                  (item.person_id, session.id, item.stage, item.kind, False))

    def put_jot(self, jot: Jot) -> None:
        self._put_jots({"id": jot.id, "rev": jot.rev, "person_id": jot.person_id},
                       {"text": jot.text})

    def drop_session(self, session_id: str) -> None:
        self._drop("sessions", session_id)
        for key in [k for k, m in self.meta.items() if m[1] == session_id]:
            self._drop(TABLE_OF[key[0]], key[1])

    # -- the sealed snapshot
    def copy_state(self) -> State:
        """What :func:`snapshot` needs, copied (quickly, under the store's lock) so that the
        snapshot can be made while writes go on."""
        sessions = {sid: (i.person_id, i.guide_id, i.started_at.isoformat(), i.status)
                    for sid, i in self.sessions.items()}
        pairs = self._ordered()  # in query order: read back, it needs no sorting
        return State(sessions, {t: dict(revs) for t, revs in self.revs.items()},
                     [key for key, _ in pairs], [folded for _, folded in pairs],
                     [self.meta[key] for key, _ in pairs])

    @classmethod
    def from_snapshot(cls, parts: Iterable[bytes]) -> "SearchIndex | None":
        """The index a :func:`snapshot` held, or None when it is from another format."""
        index = cls()
        for part in parts:
            fmt, what, *body = marshal.loads(part)
            if fmt != SNAPSHOT_FORMAT:
                return None
            if what == "head":
                sessions, index.revs = body
                index.sessions = {
                    sid: _SessionInfo(person, guide, datetime.fromisoformat(started), status)
                    for sid, (person, guide, started, status) in sessions.items()}
            else:
                keys, folded, meta = body
                index.folded.update(zip(keys, folded))
                index.meta.update(zip(keys, meta))
        index._in_order = True  # snapshots are written in query order
        return index

    # -- queries
    def _ordered(self) -> list[tuple[Key, bytes]]:
        """(key, folded text) newest session first (names and jots, which have none, last):
        the order hits are listed in, so a query can stop at its limit.

        ``folded`` itself is kept in that order (read back from a snapshot, or re-made after a
        full sort) except for the documents added since (``_fresh``, at its end): those few are
        put in their places by bisection, without a sort of every document."""
        if self._pairs is not None:
            return self._pairs
        folded, meta = self.folded, self.meta
        stamps = {sid: info.started_at.timestamp() for sid, info in self.sessions.items()}
        never = float("inf")

        def rank(pair: tuple[Key, bytes]) -> float:  # ascending: newest first, no session last
            stamp = stamps.get(meta[pair[0]][1])
            return never if stamp is None else -stamp

        fresh = [k for k in dict.fromkeys(self._fresh) if k in folded]
        if self._in_order and len(fresh) <= 512:
            skip = set(fresh)
            pairs = [p for p in folded.items() if p[0] not in skip] if skip else list(folded.items())
            for key in fresh:
                pair = (key, folded[key])
                pairs.insert(bisect.bisect_right(pairs, rank(pair), key=rank), pair)
        else:
            pairs = sorted(folded.items(), key=rank)  # stable: a session's documents in turn
            self.folded = dict(pairs)  # in order from now on
            self._in_order, self._fresh = True, []
        self._pairs, self._slots = pairs, None
        return pairs

    def search(self, query: str, texts: Callable[[list[Key]], dict[Key, str]], *,
               person_id: str | None = None, guide_id: str | None = None,
               since: date | None = None, until: date | None = None, status: str | None = None,
               kind: str | None = None, limit: int = 500) -> list[Hit]:
        """Hits newest first. ``texts`` reads the original texts of the documents kept (the
        store decrypts them) for the snippets."""
        needle = query.strip().casefold()
        if not needle:
            return []
        pattern = _fold(needle)
        pairs = self._ordered()
        meta, sessions = self.meta, self.sessions
        filtered = bool(person_id or kind or guide_id or since or until or status)
        kept: list[tuple[Key, int]] = []
        for start in range(0, len(pairs), _CHUNK):  # newest first: stop once enough are found
            found = [(key, pos) for key, folded in pairs[start:start + _CHUNK]
                     if (pos := folded.find(pattern)) >= 0]
            if filtered:
                found = [(key, pos) for key, pos in found
                         if self._passes(key, meta[key], person_id, kind, guide_id, since, until,
                                         status)]
            kept.extend(found)
            if len(kept) >= limit:
                del kept[limit:]
                break
        originals = texts([key for key, _ in kept])
        hits = []
        for key, pos in kept:
            text = originals.get(key)
            if text is not None:
                m = meta[key]
                hits.append(_hit(key[0], m, text, self.folded[key], needle, pos,
                                 sessions.get(m[1]) if m[1] else None))
        return hits

    def _passes(self, key: Key, m: Meta, person_id, kind, guide_id, since, until, status) -> bool:
        if person_id and m[0] != person_id:
            return False
        if kind and kind != key[0] and kind != m[3]:
            return False
        if guide_id or since or until or status:
            info = self.sessions.get(m[1]) if m[1] else None
            if info is None:
                return False
            if (guide_id and info.guide_id != guide_id) or (status and info.status != status):
                return False
            day = info.started_at.date()
            if (since and day < since) or (until and day > until):
                return False
        return True


_CHUNK = 4096
_PART = 2000  # documents per sealed part (each part's copies are alive at once when sealing)


def _span(text: str, pos: int, length: int) -> tuple[int, int]:
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


def _fold(text: str) -> bytes:
    return text.casefold().encode("utf-8", "surrogatepass")


def _hit(kind: str, meta: Meta, text: str, folded_utf8: bytes, needle: str, at: int,
         info: _SessionInfo | None) -> Hit:
    folded = folded_utf8.decode("utf-8", "surrogatepass")
    pos = len(folded_utf8[:at].decode("utf-8", "surrogatepass"))  # byte offset -> characters
    if len(folded) == len(text):
        start, end = pos, pos + len(needle)
    else:  # casefolding changed lengths (e.g. ß -> ss): map folded offsets back to the original
        start, end = _span(text, pos, len(needle))
    lo = max(0, start - SNIPPET)
    hi = min(len(text), end + SNIPPET)
    snippet = " ".join(text[lo:hi].split("\n"))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    person_id, session_id, stage, item_kind, _private = meta
    return Hit(kind, person_id, session_id, stage, item_kind,
               prefix + snippet + suffix, len(prefix) + start - lo, len(prefix) + end - lo,
               info.started_at if info else None)


def snapshot_count(state: State) -> int:
    """How many byte strings :func:`snapshot` makes of ``state``."""
    return 1 + -(-len(state.keys) // _PART)


def snapshot(state: State) -> Iterator[bytes]:
    """The index (its :meth:`SearchIndex.copy_state`) as a few byte strings, one at a time, for
    the store to seal: no one copy is as large as the whole. marshal: fast, and only ever read
    back after the blob's authentication."""
    sessions, revs, keys, folded, meta = state
    yield marshal.dumps((SNAPSHOT_FORMAT, "head", sessions, revs))
    for start in range(0, len(keys), _PART):
        end = start + _PART
        yield marshal.dumps((SNAPSHOT_FORMAT, "docs", keys[start:end], folded[start:end],
                             meta[start:end]))
