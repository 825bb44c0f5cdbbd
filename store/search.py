"""In-memory search over decrypted text: built after unlock, dropped on lock.

The index holds the casefolded text of every searchable field (names, titles, notes, items,
jots) as UTF-8 bytes (half the memory of ``str`` for text with any non-Latin-1 character; a byte
substring of UTF-8 is a character substring), what the filters need, and the revision of every
row it read: its manifest. A query scans the folded texts newest first and stops at its limit;
only the hits kept are read back from the vault (decrypted) for their snippets, so the original
texts are not held twice.

The documents are held in *parts* (:class:`_Part`) of about 2,000, in query order: each part is
one byte string, its documents' folded texts joined by a byte UTF-8 never holds, after a small
header (kinds, ids, and the rest coded against a per-part vocabulary). A query runs ``bytes.find``
along a part from C, one call per hit rather than per document; the header is decoded only for
the hits. Changes are noted (``_pending``) and applied to the parts they touch before the next
query or seal: a part is never changed, but made again.

Between runs the index is kept *sealed* in the vault (table ``search_cache``, see
:meth:`store.vault.Store.save_search_index`): never as plaintext on disk. The sealed parts are the
in-memory parts' bytes as they are, so reading one back is a decryption and a small header (no
Python object per document); the manifest and the sessions are decoded only when needed.
Unlocking a vault and searching reads it back, compares its manifest with the rows' plaintext
``(id, rev)`` columns and decrypts only the rows added or changed since
(:meth:`SearchIndex.refresh`), instead of every field of the vault.
"""

from __future__ import annotations

import bisect
import heapq
import marshal
import struct
import sys
import threading
from array import array
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple

from .models import Item, Jot, Note, Person, Session

if TYPE_CHECKING:  # pragma: no cover
    from .vault import Store

SNIPPET = 60
#: Version of the sealed snapshot's layout (and of marshal's, and of the machine's array of
#: offsets): another one is simply rebuilt.
SNAPSHOT_FORMAT = (4, marshal.version, sys.byteorder, array("I").itemsize)
_MAGIC = b"rapport-search-index" + repr(SNAPSHOT_FORMAT).encode("ascii") + b"\x00"
_HEAD, _DOCS = _MAGIC + b"H", ord("D")
_SEP = b"\xff"  # between documents' folded texts: never in UTF-8, so never in a match

#: table -> (kind of its documents, the sealed column holding their text, the text's field)
SOURCES: dict[str, tuple[str, str, str]] = {
    "people": ("name", "data", "name"), "sessions": ("title", "meta", "title"),
    "notes": ("note", "body", "text"), "items": ("item", "data", "text"),
    "jots": ("jot", "data", "text"),
}
TABLE_OF = {kind: table for table, (kind, _, _) in SOURCES.items()}
_KINDS = tuple(kind for kind, _, _ in SOURCES.values())
_KIND_CODE = {kind: code for code, kind in enumerate(_KINDS)}

Key = tuple[str, str]  # (kind, record id): one document per searchable record field
#: What a document carries besides its text: (person id, session id, stage, item kind, private)
Meta = tuple[str, "str | None", str, str, bool]
#: A document as the parts are made of: its key, folded text, meta, its session's start (ISO, or
#: None) and its rank in the query order (see _rank)
Doc = tuple[Key, bytes, Meta, "str | None", float]
_NEVER = float("inf")  # the rank of documents without a session: after every session's
Part = "_Part | _LoosePart | _PatchedPart"


class State(NamedTuple):
    """What a sealed snapshot holds (:meth:`SearchIndex.copy_state`): taken under the store's
    lock, sealed by the store without it. The parts are never changed, so shared."""

    #: marshal: id -> (person id, guide id, started_at ISO, status) of every session
    sessions: bytes
    revs: dict[str, tuple[int, int, bytes]]  # table -> (rows, revision total, marshal: manifest)
    parts: list[Part]


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


class _SessionInfo:
    """A session as the filters and the order need it; ``iso`` and ``rank`` (its start as its
    documents carry it, and their place in the query order) are shared by its documents."""

    __slots__ = ("person_id", "guide_id", "started_at", "status", "iso", "rank")

    def __init__(self, person_id: str, guide_id: str, started_at: datetime, status: str,
                 iso: str | None = None) -> None:
        self.person_id, self.guide_id, self.started_at, self.status = \
            person_id, guide_id, started_at, status
        self.iso = started_at.isoformat() if iso is None else iso
        self.rank = _rank(started_at)


def _rank(started: datetime | None) -> float:
    """Ascending: newest session first, documents without one last."""
    return _NEVER if started is None else -started.timestamp()


class _Part:
    """Some documents, in query order, read straight out of one byte string: what is sealed as
    a part of a snapshot. Never changed (a change makes a new part), so a snapshot being written
    and a query running may share it.

    ``data``: magic, ``D``, the header's length (4 bytes), the header (marshal: the documents'
    kind codes, their ids (as one ASCII string of ids of one width, or marshal again: decoded
    when needed), the vocabulary, the columns of vocabulary codes: person, session, stage, item
    kind, session start; the private flags, the texts' offsets), then each document's folded
    text followed by ``_SEP``.
    """

    __slots__ = ("data", "n", "text_at", "starts", "kinds", "vocab", "cols", "private",
                 "_ids_raw", "_ids", "_ranks", "_slots")
    joined = True

    def __init__(self, data: bytes) -> None:
        at = len(_MAGIC) + 1
        if not data.startswith(_MAGIC) or data[at - 1] != _DOCS:
            raise ValueError("not a part of documents")
        try:
            (length,) = struct.unpack_from("<I", data, at)
        except struct.error as exc:
            raise ValueError("truncated part") from exc
        at += 4
        kinds, ids, vocab, cols, private, starts = marshal.loads(memoryview(data)[at:at + length])
        self.data, self.text_at, self.n = data, at + length, len(kinds)
        self.kinds, self.vocab, self.private, self._ids_raw = kinds, vocab, private, ids
        self.starts, self.cols = array("I"), array("I")
        self.starts.frombytes(starts)
        self.cols.frombytes(cols)
        if len(self.starts) != self.n + 1 or len(self.cols) != 5 * self.n or \
                len(private) != self.n or self.text_at + self.starts[-1] != len(data):
            raise ValueError("inconsistent part")
        self._ids: list[str] | None = None
        self._ranks: dict[int, float] | None = None
        self._slots: dict[Key, int] | None = None

    @classmethod
    def build(cls, docs: list[Doc]) -> "_Part":
        return cls(_serialised(docs))

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            width, ids = self._ids_raw
            self._ids = marshal.loads(ids) if not width else \
                [ids[at:at + width].decode("ascii") for at in range(0, len(ids), width)]
        return self._ids

    def key(self, slot: int) -> Key:
        if self._ids is None and self._ids_raw[0]:  # one id: no list of them all
            width, ids = self._ids_raw
            return _KINDS[self.kinds[slot]], ids[slot * width:(slot + 1) * width].decode("ascii")
        return _KINDS[self.kinds[slot]], self.ids[slot]

    def keys(self) -> Iterator[Key]:
        return zip([_KINDS[code] for code in self.kinds], self.ids)

    def meta(self, slot: int) -> Meta:
        vocab, cols, n = self.vocab, self.cols, self.n
        return (vocab[cols[slot]], vocab[cols[n + slot]], vocab[cols[2 * n + slot]],
                vocab[cols[3 * n + slot]], bool(self.private[slot]))

    def started(self, slot: int) -> str | None:
        return self.vocab[self.cols[4 * self.n + slot]]

    def folded(self, slot: int) -> bytes:
        at = self.text_at
        return self.data[at + self.starts[slot]:at + self.starts[slot + 1] - 1]

    def texts(self) -> list[bytes]:
        return self.data[self.text_at:-1].split(_SEP) if self.n else []

    def rank(self, slot: int) -> float:
        ranks = self._ranks
        if ranks is None:
            ranks = self._ranks = {}
        code = self.cols[4 * self.n + slot]
        found = ranks.get(code)
        if found is None:
            started = self.vocab[code]
            found = ranks[code] = _rank(None if started is None
                                        else datetime.fromisoformat(started))
        return found

    def docs(self) -> list[Doc]:
        return [(key, folded, self.meta(slot), self.started(slot), self.rank(slot))
                for slot, (key, folded) in enumerate(zip(self.keys(), self.texts()))]

    def slots_of_session(self, session_id: str) -> list[int]:
        try:
            code = self.vocab.index(session_id)
        except ValueError:
            return []
        n, cols = self.n, self.cols
        return [slot for slot in range(n) if cols[n + slot] == code]

    def slots(self) -> dict[Key, int]:
        """key -> slot of each document (made when first asked)."""
        if self._slots is None:
            self._slots = dict(zip(self.keys(), range(self.n)))
        return self._slots

    def first_rank(self) -> float:
        return self.rank(0)

    def last_rank(self) -> float:
        return self.rank(self.n - 1)

    def matches(self, pattern: bytes) -> Iterator[tuple[int, int]]:
        """(slot, byte offset in its text) of each document holding ``pattern``, in order."""
        data, at, starts = self.data, self.text_at, self.starts
        find, right = data.find, bisect.bisect_right
        pos = find(pattern, at)
        while pos >= 0:  # a match never spans two documents (_SEP is never in one)
            slot = right(starts, pos - at) - 1
            yield slot, pos - at - starts[slot]
            pos = find(pattern, at + starts[slot + 1])  # the next document on


class _DocFields:
    """The accessors of a part whose documents are :data:`Doc` tuples (or answer like them):
    each reads one field of the tuple through ``_field(slot, index)``."""

    __slots__ = ()

    def _field(self, slot: int, index: int) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def docs(self) -> list[Doc]:  # pragma: no cover - abstract
        raise NotImplementedError

    def key(self, slot: int) -> Key:
        return self._field(slot, 0)

    def folded(self, slot: int) -> bytes:
        return self._field(slot, 1)

    def meta(self, slot: int) -> Meta:
        return self._field(slot, 2)

    def started(self, slot: int) -> str | None:
        return self._field(slot, 3)

    def rank(self, slot: int) -> float:
        return self._field(slot, 4)

    def keys(self) -> list[Key]:
        return [doc[0] for doc in self.docs()]

    def texts(self) -> list[bytes]:
        return [doc[1] for doc in self.docs()]


#: the names of a Doc's fields, as :class:`_Part` answers them one by one
_DOC_FIELDS = ("key", "folded", "meta", "started", "rank")


class _LoosePart(_DocFields):
    """Documents in query order as a list (the texts as they were folded): what a first build
    makes, so its texts are not copied while held; sealed, it is read back as a :class:`_Part`.
    Never changed either."""

    __slots__ = ("_docs", "n", "_slots")
    joined = False

    def __init__(self, docs: list[Doc]) -> None:
        self._docs, self.n = docs, len(docs)
        self._slots: dict[Key, int] | None = None

    def slots(self) -> dict[Key, int]:
        if self._slots is None:
            self._slots = {doc[0]: slot for slot, doc in enumerate(self._docs)}
        return self._slots

    def first_rank(self) -> float:
        return self._docs[0][4]

    @property
    def data(self) -> bytes:
        return _serialised(self._docs)

    def _field(self, slot: int, index: int) -> object:
        return self._docs[slot][index]

    def docs(self) -> list[Doc]:
        return self._docs

    def slots_of_session(self, session_id: str) -> list[int]:
        return [slot for slot, doc in enumerate(self._docs) if doc[2][1] == session_id]

    def matches(self, pattern: bytes) -> list[tuple[int, int]]:
        return [(slot, pos) for slot, doc in enumerate(self._docs)
                if (pos := doc[1].find(pattern)) >= 0]

    def last_rank(self) -> float:
        return self._docs[-1][4]


#: where a document of a patched part goes among the others: its rank, then the slot of the
#: base's document it replaces (or the base's size: after those of its rank), then when it came
Place = tuple[float, int, int]


class _PatchedPart(_DocFields):
    """A joined part with some of its documents gone or replaced (``dead`` slots) and others
    put beside it (``extras``, loose, each with its place): so that a change to a sealed part
    does not copy or decode it. Joined again when the changes pile up; sealed, joined.
    Handles: the base's slots, then ``base.n + i`` for ``extras[i]``. Never changed either."""

    __slots__ = ("base", "dead", "extras", "n", "_slots")
    joined = True

    def __init__(self, base: _Part, dead: frozenset[int], extras: list[tuple[Place, Doc]]) -> None:
        self.base, self.dead, self.extras = base, dead, extras
        self.n = base.n - len(dead) + len(extras)
        self._slots: dict[Key, int] | None = None

    def slots(self) -> dict[Key, int]:
        if self._slots is None:
            dead, n = self.dead, self.base.n
            slots = {key: slot for key, slot in self.base.slots().items() if slot not in dead} \
                if dead else dict(self.base.slots())
            slots.update((doc[0], n + i) for i, (_, doc) in enumerate(self.extras))
            self._slots = slots
        return self._slots

    def _live_ranks(self, slots: Iterable[int]) -> list[float]:
        """The rank of the first of ``slots`` not dead (none: empty)."""
        slot = next((slot for slot in slots if slot not in self.dead), None)
        return [] if slot is None else [self.base.rank(slot)]

    def first_rank(self) -> float:
        ranks = self._live_ranks(range(self.base.n))
        if self.extras:
            ranks.append(self.extras[0][0][0])
        return min(ranks)

    def last_rank(self) -> float:
        ranks = self._live_ranks(range(self.base.n - 1, -1, -1))
        if self.extras:
            ranks.append(self.extras[-1][0][0])
        return max(ranks)

    @classmethod
    def of(cls, part: "_Part | _PatchedPart", change: dict[Key, Doc | None],
           new: list[Doc]) -> "_PatchedPart":
        if isinstance(part, _PatchedPart):
            base, dead, extras = part.base, set(part.dead), dict(
                (doc[0], (place, doc)) for place, doc in part.extras)
        else:
            base, dead, extras = part, set(), {}
        seq = max((place[2] for place, _ in extras.values()), default=0)
        slots = base.slots()
        for key, doc in change.items():
            held = extras.pop(key, None)
            if held is not None:
                place = held[0]
            else:
                slot = slots.get(key)
                if slot is None or slot in dead:
                    place = None
                else:
                    dead.add(slot)
                    place = (base.rank(slot), slot, 0)
            if doc is not None:
                if place is None or place[0] != doc[4]:  # (new here, or its rank changed)
                    seq += 1
                    place = (doc[4], base.n, seq)
                extras[key] = (place, doc)
        for doc in new:
            seq += 1
            extras[doc[0]] = ((doc[4], base.n, seq), doc)
        return cls(base, frozenset(dead), sorted(extras.values(), key=_first))

    def _order(self) -> list[tuple[Place, int]]:
        """(place, handle) of every document, in order."""
        base, dead = self.base, self.dead
        live = [((base.rank(slot), slot, 0), slot) for slot in range(base.n) if slot not in dead]
        n = base.n
        return list(heapq.merge(live, [(place, n + i) for i, (place, _) in enumerate(self.extras)],
                                key=_first))

    def docs(self) -> list[Doc]:
        return [self._doc(handle) for _, handle in self._order()]

    def _doc(self, handle: int) -> Doc:
        base = self.base
        if handle >= base.n:
            return self.extras[handle - base.n][1]
        return (base.key(handle), base.folded(handle), base.meta(handle),
                base.started(handle), base.rank(handle))

    @property
    def data(self) -> bytes:
        return _serialised(self.docs())

    def _field(self, handle: int, index: int) -> object:
        base = self.base
        if handle < base.n:
            return getattr(base, _DOC_FIELDS[index])(handle)
        return self.extras[handle - base.n][1][index]

    def slots_of_session(self, session_id: str) -> list[int]:
        n = self.base.n
        return [slot for slot in self.base.slots_of_session(session_id) if slot not in self.dead] \
            + [n + i for i, (_, doc) in enumerate(self.extras) if doc[2][1] == session_id]

    def matches(self, pattern: bytes) -> list[tuple[int, int]]:
        base, dead, n = self.base, self.dead, self.base.n
        found = [(slot, pos) for slot, pos in base.matches(pattern) if slot not in dead]
        extra = [((place, n + i), pos) for i, (place, doc) in enumerate(self.extras)
                 if (pos := doc[1].find(pattern)) >= 0]
        if not extra:
            return found
        placed = [(((base.rank(slot), slot, 0), slot), pos) for slot, pos in found] + extra
        placed.sort(key=_first)
        return [(handle, pos) for (_, handle), pos in placed]


def _first(pair: tuple) -> object:
    return pair[0]


def _serialised(docs: list[Doc]) -> bytes:
    """The bytes of a :class:`_Part` of these documents."""
    codes: dict = {None: 0}
    code = codes.setdefault  # a new value gets the next code
    cols = array("I", [code(d[2][0], len(codes)) for d in docs])
    cols.extend([code(d[2][1], len(codes)) for d in docs])
    cols.extend([code(d[2][2], len(codes)) for d in docs])
    cols.extend([code(d[2][3], len(codes)) for d in docs])
    cols.extend([code(d[3], len(codes)) for d in docs])
    starts = array("I", [0])
    total = 0
    for d in docs:
        total += len(d[1]) + 1
        starts.append(total)
    ids = "".join([d[0][1] for d in docs])
    width = len(docs[0][0][1]) if docs else 0
    if width and ids.isascii() and len(ids) == width * len(docs) and \
            all(len(d[0][1]) == width for d in docs):
        packed: tuple[int, bytes] = (width, ids.encode("ascii"))  # (uuid4().hex, as the store's)
    else:
        packed = (0, marshal.dumps([d[0][1] for d in docs]))
    header = marshal.dumps((
        bytes([_KIND_CODE[d[0][0]] for d in docs]), packed, list(codes), cols.tobytes(),
        bytes([1 if d[2][4] else 0 for d in docs]), starts.tobytes()))
    text = _SEP.join([d[1] for d in docs]) + _SEP if docs else b""
    return b"".join((_MAGIC, bytes((_DOCS,)), struct.pack("<I", len(header)), header, text))


_PART = 2000  # documents per part made at once (a part with more than twice as many is split)


def _made(docs: list[Doc], joined: bool) -> list:
    """Parts of these documents (in query order): joined into one byte string each, or loose."""
    make = _Part.build if joined else _LoosePart
    if len(docs) <= 2 * _PART:
        return [make(docs)] if docs else []
    return [make(docs[start:start + _PART]) for start in range(0, len(docs), _PART)]


class SearchIndex:
    def __init__(self) -> None:
        self.parts: list[Part] = []  # in query order
        #: documents put (a Doc) or dropped (their rank, or None) since the parts were last
        #: made: applied to them before the next query or seal (_settle)
        self._pending: dict[Key, Doc | float | None] = {}
        self._sessions: dict[str, _SessionInfo] | None = {}
        self._sessions_raw = b""  # the sealed sessions, until they are needed
        self._revs: dict[str, dict[str, int] | None] = {table: {} for table in SOURCES}
        self._revs_raw: dict[str, tuple[int, int, bytes]] = {}  # table -> (count, total, manifest)
        #: rows put or dropped since the index was last sealed (every put counts: a count, not a
        #: set of 50,000 row ids): whether sealing it again is worth it
        self.unsaved = 0
        #: one copy of each value documents repeat (person and session ids, stages, item kinds,
        #: guide ids): every decrypted row brings its own, 50,000 documents would hold them all
        self._shared: dict[str, str] = {}
        # Puts come under the store's lock, queries (which apply them) from other threads.
        self._lock = threading.RLock()

    # -- what is decoded only when needed
    @property
    def sessions(self) -> dict[str, _SessionInfo]:
        sessions = self._sessions
        if sessions is None:
            with self._lock:
                if self._sessions is None:
                    self._sessions = {
                        sid: _SessionInfo(person, guide, datetime.fromisoformat(started), status,
                                          started)
                        for sid, (person, guide, started, status)
                        in marshal.loads(self._sessions_raw).items()}
                    self._sessions_raw = b""
                sessions = self._sessions
        return sessions

    def _held(self, table: str) -> dict[str, int]:
        """The manifest of ``table``: row id -> revision."""
        held = self._revs[table]
        if held is None:
            with self._lock:
                held = self._revs[table]
                if held is None:
                    held = self._revs[table] = marshal.loads(self._revs_raw.pop(table)[2])
        return held

    def _fingerprint(self, table: str) -> tuple[int, int]:
        held = self._revs[table]
        if held is None:
            count, total, _ = self._revs_raw[table]
            return count, total
        return len(held), sum(held.values())

    # -- keeping up with the vault
    def refresh(self, store: "Store") -> int:
        """Brings the index level with the vault's rows: the gone are dropped, the new and changed
        (another revision) decrypted. Returns how many rows that was."""
        changed = 0
        for table, (kind, column, _) in SOURCES.items():
            # Every write bumps a revision, every insert the count, and a delete through the
            # store drops the sealed index: the same count and revision total is the same rows.
            # (A row deleted behind the store's back and replaced by one of equal revision would
            # pass: its hit is dropped when its text is read back, and the new one is missed.)
            if store.row_fingerprint(table) == self._fingerprint(table):
                continue
            held = self._held(table)
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
        self._held(table)[rid] = rev
        self.unsaved += 1

    def _drop(self, table: str, rid: str, rank: float | None = None) -> None:
        """``rank``: the document's, when known (it is looked for only where that rank is)."""
        self._held(table).pop(rid, None)
        self.unsaved += 1
        if table == "sessions":
            info = self.sessions.pop(rid, None)
            rank = info.rank if info else None
        self._unput((SOURCES[table][0], rid), rank)

    def _put(self, key: Key, text: str, meta: Meta) -> None:
        one = self._shared.setdefault
        person_id, sid, stage, kind, private = meta
        meta = (one(person_id, person_id), sid and one(sid, sid), one(stage, stage),
                one(kind, kind), private)
        info = self.sessions.get(sid) if sid else None
        doc = (key, _fold(text), meta, info.iso, info.rank) if info else \
            (key, _fold(text), meta, None, _NEVER)
        with self._lock:
            self._pending[key] = doc

    def _unput(self, key: Key, rank: float | None = None) -> None:
        with self._lock:
            self._pending[key] = rank  # a drop: the rank the document has, or None (unknown)

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
        one = self._shared.setdefault
        self.sessions[one(sid, sid)] = _SessionInfo(one(person_id, person_id),
                                                    one(guide_id, guide_id), started_at, status)
        if title:
            self._put(("title", sid), title, (person_id, sid, "", "", False))
        else:
            self._unput(("title", sid), self.sessions[sid].rank)

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
        with self._lock:
            self._drop("sessions", session_id)
            doomed = [(part.key(slot), part.rank(slot)) for part in self.parts
                      for slot in part.slots_of_session(session_id)]
            doomed += [(key, doc[4]) for key, doc in self._pending.items()
                       if doc.__class__ is tuple and doc[2][1] == session_id]
            for (kind, rid), rank in doomed:
                self._drop(TABLE_OF[kind], rid, rank)

    # -- applying the changes to the parts
    def _settle(self) -> list[Part]:
        """The parts, with the changes noted since they were made applied: only the parts a
        change touches are made again (a sealed one patched: see _PatchedPart), new documents
        in their places by rank; when much changed (a first build), every document is sorted
        and the parts made afresh."""
        with self._lock:
            pending = self._pending
            if not pending:
                return self.parts
            self._pending = {}
            if len(pending) > max(_PART, sum(part.n for part in self.parts) // 8):
                self._remake(pending)
                return self.parts
            changes: dict[Part, dict[Key, Doc | None]] = {}
            new: list[Doc] = []
            find = self._finder()
            for key, doc in pending.items():
                put = doc.__class__ is tuple
                part, rank = find(key, doc[4] if put else doc)  # type: ignore[index]
                if part is None:
                    if put:
                        new.append(doc)  # type: ignore[arg-type]
                elif put and rank != doc[4]:  # (its session's start changed): moved
                    changes.setdefault(part, {})[key] = None
                    new.append(doc)  # type: ignore[arg-type]
                else:
                    changes.setdefault(part, {})[key] = doc if put else None  # type: ignore
            del pending
            if not self.parts:
                self.parts = _made(sorted(new, key=_doc_rank), False)
                return self.parts
            into: dict[Part, list[Doc]] = {}
            if new:
                new.sort(key=_doc_rank)  # stable: in the order they were put
                lasts = [part.last_rank() for part in self.parts]
                for doc in new:  # after every document of the same rank (bisect_right)
                    at = min(bisect.bisect_right(lasts, doc[4]), len(self.parts) - 1)
                    into.setdefault(self.parts[at], []).append(doc)
            parts: list[Part] = []
            for part in self.parts:
                change, add = changes.get(part, {}), into.get(part, [])
                parts += self._changed(part, change, add) if change or add else [part]
            self.parts = parts
            return parts

    def _finder(self) -> Callable[[Key, float | None], tuple[Part | None, float]]:
        """(part, rank) of a document in the parts, looked for in the parts its rank may be in
        (and the last parts: a document put before its session was known has no rank), or in
        every part when its rank is not known; (None, 0) if it is in none."""
        parts = self.parts
        firsts = [part.first_rank() for part in parts]
        lasts = [part.last_rank() for part in parts]
        tail = parts[bisect.bisect_left(lasts, _NEVER):]

        def find(key: Key, rank: float | None) -> tuple[Part | None, float]:
            if rank is None:
                where: list = parts
            else:
                where = parts[bisect.bisect_left(lasts, rank):bisect.bisect_right(firsts, rank)]
                where += tail
            for part in where:
                slot = part.slots().get(key)
                if slot is not None:
                    return part, part.rank(slot)
            return None, 0.0

        return find

    def _changed(self, part: Part, change: dict[Key, Doc | None], add: list[Doc]) -> list[Part]:
        """What ``part`` becomes with ``change`` (key -> the document put, or None: dropped)
        and the new documents ``add`` (sorted)."""
        if not part.joined:  # loose: made again, the texts not copied
            docs, moved = [], []
            for doc in part.docs():
                put = change.get(doc[0], doc)
                if put is not None:
                    (docs if put[4] == doc[4] else moved).append(put)  # in its place
            if moved:
                add = sorted(add + moved, key=_doc_rank)
            return _made(list(heapq.merge(docs, add, key=_doc_rank)), False)
        patched = _PatchedPart.of(part, change, add)
        if not patched.n:
            return []
        if len(patched.extras) + len(patched.dead) > max(8, patched.base.n // 4) or \
                patched.n > 2 * _PART:  # joined again
            return _made(patched.docs(), True)
        return [patched]

    def _remake(self, pending: dict[Key, Doc | None]) -> None:
        """Every document sorted into new parts (the pending changes applied)."""
        docs = [doc for part in self.parts for doc in part.docs() if doc[0] not in pending]
        docs += [doc for doc in pending.values() if doc.__class__ is tuple]
        pending.clear()
        self.parts = []
        docs.sort(key=_doc_rank)  # stable: a session's documents in turn
        # Loose: a first build's texts are held as they were folded, not copied (the memory
        # they take would not come back); sealed, they are read back joined.
        self.parts = _made(docs, False)

    @property
    def folded(self) -> dict[Key, bytes]:
        """Every document's folded text, in query order (made for the asking: tests, benches)."""
        return {key: folded for part in self._settle()
                for key, folded in zip(part.keys(), part.texts())}

    # -- the sealed snapshot
    def copy_state(self) -> State:
        """What :func:`snapshot` needs, taken (quickly, under the store's lock) so that the
        snapshot can be made while writes go on: the parts are shared, never changed; the
        sessions and the manifest serialised (what was never decoded as it was read)."""
        with self._lock:
            parts = list(self._settle())
            if self._sessions is None:
                sessions = self._sessions_raw
            else:
                sessions = marshal.dumps({sid: (i.person_id, i.guide_id, i.iso, i.status)
                                          for sid, i in self._sessions.items()})
            revs = {table: self._revs_raw[table] if held is None else
                    (len(held), sum(held.values()), marshal.dumps(held))
                    for table, held in self._revs.items()}
        return State(sessions, revs, parts)

    @classmethod
    def from_snapshot(cls, parts: Iterable[bytes]) -> "SearchIndex | None":
        """The index a :func:`snapshot` held, or None when it is from another format."""
        index = cls()
        head = False
        for data in parts:
            if head:
                if not data.startswith(_MAGIC):
                    return None
                index.parts.append(_Part(data))
                continue
            magic, *body = marshal.loads(data)  # (an older format's head is a tuple too)
            if magic != _HEAD:
                return None
            sessions, revs = body
            if set(revs) != set(SOURCES) or not isinstance(sessions, bytes):
                raise ValueError("a foreign manifest")
            index._sessions, index._sessions_raw = None, sessions
            index._revs = dict.fromkeys(SOURCES)
            index._revs_raw = {table: tuple(revs[table]) for table in SOURCES}
            head = True
        if not head:
            raise ValueError("no head")
        return index

    # -- queries
    def search(self, query: str, texts: Callable[[list[Key]], dict[Key, str]], *,
               person_id: str | None = None, guide_id: str | None = None,
               since: date | None = None, until: date | None = None, status: str | None = None,
               kind: str | None = None, limit: int = 500) -> list[Hit]:
        """Hits newest first. ``texts`` reads the original texts of the documents kept (the
        store decrypts them) for the snippets."""
        needle = query.strip().casefold()
        if not needle or limit <= 0:
            return []
        pattern = _fold(needle)
        filtered = bool(person_id or kind or guide_id or since or until or status)
        kept: list[tuple[Part, int, int]] = []  # (part, slot, byte offset in its text)
        for part in self._settle():  # newest first: stop once enough are found
            for slot, pos in part.matches(pattern):
                if not filtered or self._passes(part, slot, person_id, kind, guide_id, since,
                                                until, status):
                    kept.append((part, slot, pos))
                    if len(kept) >= limit:
                        break
            if len(kept) >= limit:
                break
        originals = texts([part.key(slot) for part, slot, _ in kept])
        hits = []
        for part, slot, pos in kept:
            key = part.key(slot)
            text = originals.get(key)
            if text is not None:
                started = part.started(slot)
                hits.append(_hit(key[0], part.meta(slot), text, part.folded(slot), needle, pos,
                                 datetime.fromisoformat(started) if started else None))
        return hits

    def _passes(self, part: Part, slot: int, person_id, kind, guide_id, since, until,
                status) -> bool:
        m = part.meta(slot)
        if person_id and m[0] != person_id:
            return False
        if kind and kind != part.key(slot)[0] and kind != m[3]:
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


def _doc_rank(doc: Doc) -> float:
    return doc[4]


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
         started_at: datetime | None) -> Hit:
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
               started_at)


def snapshot_count(state: State) -> int:
    """How many byte strings :func:`snapshot` makes of ``state``."""
    return 1 + len(state.parts)


def snapshot(state: State) -> Iterator[bytes]:
    """The index (its :meth:`SearchIndex.copy_state`) as byte strings, one at a time, for the
    store to seal: a head (the sessions and the manifest; marshal: fast, and only ever read back
    after the blob's authentication), then each part's bytes (a loose part's made one at a
    time)."""
    yield marshal.dumps((_HEAD, state.sessions, state.revs))
    for part in state.parts:
        yield part.data
