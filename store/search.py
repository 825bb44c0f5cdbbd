"""In-memory search over decrypted text. Built after unlock, dropped on lock; never on disk."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from .models import Item, Jot, Note, Person, Session

if TYPE_CHECKING:  # pragma: no cover
    from .vault import Store

SNIPPET = 60


@dataclass
class Doc:
    key: tuple[str, str]  # (kind, record id) - one doc per searchable record field
    kind: str  # name, title, note, item, jot
    text: str
    folded: str
    person_id: str
    session_id: str | None = None
    stage: str = ""
    item_kind: str = ""
    private: bool = False


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
        self.docs: dict[tuple[str, str], Doc] = {}
        self.sessions: dict[str, _SessionInfo] = {}

    @classmethod
    def build(cls, store: "Store") -> "SearchIndex":
        index = cls()
        for person in store.people():
            index.put_person(person)
        for plain, secret in store._select("sessions", columns=("meta",)):
            meta = secret["meta"]
            index.sessions[plain["id"]] = _SessionInfo(
                plain["person_id"], meta.get("guide_id", ""),
                datetime.fromisoformat(plain["started_at"]),
                "ended" if plain["ended_at"] else "active")
            if meta.get("title"):
                index._put(("title", plain["id"]), "title", meta["title"], plain["person_id"], plain["id"])
        for plain, secret in store._select("notes"):
            body = secret["body"]
            sid = plain["session_id"]
            info = index.sessions.get(sid)
            index._put(("note", plain["id"]), "note", body.get("text", ""),
                       info.person_id if info else "", sid, body.get("stage", ""),
                       private=bool(body.get("private")))
        for plain, secret in store._select("items"):
            data = secret["data"]
            index._put(("item", plain["id"]), "item", data.get("text", ""), plain["person_id"],
                       plain["session_id"], data.get("stage", ""), data.get("kind", ""))
        for jot in store.jots():
            index.put_jot(jot)
        return index

    # -- updates, kept in step by the store's writes
    def _put(self, key, kind, text, person_id, session_id=None, stage="", item_kind="",
             private=False) -> None:
        self.docs[key] = Doc(key, kind, text, text.casefold(), person_id, session_id, stage,
                             item_kind, private)

    def put_person(self, person: Person) -> None:
        self._put(("name", person.id), "name", person.name, person.id)

    def put_session(self, session: Session) -> None:
        self.sessions[session.id] = _SessionInfo(session.person_id, session.guide_id,
                                                 session.started_at, session.status)
        self._put(("title", session.id), "title", session.title, session.person_id, session.id)

    def put_note(self, note: Note, person_id: str) -> None:
        self._put(("note", note.id), "note", note.text, person_id, note.session_id, note.stage,
                  private=note.private)

    def put_item(self, item: Item, session: Session) -> None:
        self._put(("item", item.id), "item", item.text, item.person_id, session.id, item.stage,
                  item.kind)

    def put_jot(self, jot: Jot) -> None:
        self._put(("jot", jot.id), "jot", jot.text, jot.person_id)

    def drop_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)
        for key in [k for k, d in self.docs.items() if d.session_id == session_id]:
            del self.docs[key]

    # -- queries
    def search(self, query: str, *, person_id: str | None = None, guide_id: str | None = None,
               since: date | None = None, until: date | None = None, status: str | None = None,
               kind: str | None = None, limit: int = 500) -> list[Hit]:
        needle = query.strip().casefold()
        if not needle:
            return []
        matches: list[tuple[Doc, int, _SessionInfo | None]] = []
        for doc in self.docs.values():
            pos = doc.folded.find(needle)
            if pos < 0:
                continue
            if person_id and doc.person_id != person_id:
                continue
            info = self.sessions.get(doc.session_id) if doc.session_id else None
            if guide_id or since or until or status:
                if info is None:
                    continue
                if guide_id and info.guide_id != guide_id:
                    continue
                if status and info.status != status:
                    continue
                day = info.started_at.date()
                if (since and day < since) or (until and day > until):
                    continue
            if kind and kind not in (doc.kind, doc.item_kind):
                continue
            matches.append((doc, pos, info))
        # Newest first; snippets are cut only for the hits kept. (Names and jots have no session:
        # they sort last. datetime.min.astimezone() raised "year 0 is out of range" for them.)
        oldest = datetime.min.replace(tzinfo=timezone.utc)
        kept = heapq.nlargest(limit, matches, key=lambda m: m[2].started_at if m[2] else oldest)
        return [_hit(doc, needle, pos, info) for doc, pos, info in kept]


def _hit(doc: Doc, needle: str, pos: int, info: _SessionInfo | None) -> Hit:
    text = doc.text
    if len(doc.folded) == len(text):
        start, end = pos, pos + len(needle)
    else:  # casefolding changed lengths (e.g. ß -> ss): map folded offsets back to the original
        # (re.IGNORECASE does not match "ss" to "ß", so the match used to come back empty)
        start, end, folded = 0, len(text), 0
        for index, char in enumerate(text):
            width = len(char.casefold())
            if folded <= pos < folded + width:
                start = index
            if folded < pos + len(needle) <= folded + width:
                end = index + 1
                break
            folded += width
    lo = max(0, start - SNIPPET)
    hi = min(len(text), end + SNIPPET)
    snippet = " ".join(text[lo:hi].split("\n"))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    return Hit(doc.kind, doc.person_id, doc.session_id, doc.stage, doc.item_kind,
               prefix + snippet + suffix, len(prefix) + start - lo, len(prefix) + end - lo,
               info.started_at if info else None)
