"""One search, straight from the vault: what ``rapport search`` runs.

The app keeps an in-memory index (:class:`store.search.SearchIndex`: every searchable field
decrypted, casefolded and kept) because it searches again and again. A command searches once:
building that index first would keep a casefolded copy of every note only to read it once. Here
each row is decrypted, casefolded and tested, and only the matches are kept, in an index of their
own that answers the query. The hits and their order are the full index's: the rows are read in
the order its build reads them, and the index's own query applies the filters, sorts and cuts the
snippets. Filters that rule out whole tables or other people's rows (``kind``, ``person_id``) are
applied while reading, so those rows are not decrypted at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable

from .db import no_gc_cycles
from .search import Hit, SearchIndex, _SessionInfo

if TYPE_CHECKING:  # pragma: no cover
    from .vault import Store

#: Record kinds of the index that are not item kinds (an item's kind is one of ITEM_KINDS).
_NOT_ITEMS = ("name", "title", "note", "jot")


def search(store: "Store", query: str, *, person_id: str | None = None,
           guide_id: str | None = None, since: date | None = None, until: date | None = None,
           status: str | None = None, kind: str | None = None, limit: int = 500) -> list[Hit]:
    """Exactly ``store.search(query, ...)`` (same hits, same order), without building the index."""
    needle = query.strip().casefold()
    if not needle:
        return []
    wants = (lambda k: not kind or kind == k)
    by_session = bool(guide_id or since or until or status)  # names and jots have no session
    index = SearchIndex()
    with no_gc_cycles():
        if wants("name") and not by_session:
            for person in store.people():
                if (not person_id or person.id == person_id) and needle in person.name.casefold():
                    index.put_person(person)
        _sessions(store, index, needle, person_id, titles=wants("title"), guides=bool(guide_id))
        if wants("note"):
            where, params = ("", ())
            if person_id:
                where, params = ("session_id IN (SELECT id FROM sessions WHERE person_id = ?)",
                                 (person_id,))
            for plain, secret in _rows(store, "notes", where, params):
                body = secret["body"]
                text = body.get("text", "")
                if needle in text.casefold():
                    sid = plain["session_id"]
                    info = index.sessions.get(sid)
                    index._put(("note", plain["id"]), "note", text,
                               info.person_id if info else "", sid, body.get("stage", ""),
                               private=bool(body.get("private")))
        if not kind or kind not in _NOT_ITEMS:
            where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
            for plain, secret in _rows(store, "items", where, params):
                data = secret["data"]
                text = data.get("text", "")
                if needle in text.casefold():
                    index._put(("item", plain["id"]), "item", text, plain["person_id"],
                               plain["session_id"], data.get("stage", ""), data.get("kind", ""))
        if wants("jot") and not by_session:
            for jot in store.jots():  # (the index's order: by creation, as it reads them)
                if (not person_id or jot.person_id == person_id) and needle in jot.text.casefold():
                    index.put_jot(jot)
    return index.search(query, person_id=person_id, guide_id=guide_id, since=since, until=until,
                        status=status, kind=kind, limit=limit)


def _sessions(store: "Store", index: SearchIndex, needle: str, person_id: str | None, *,
              titles: bool, guides: bool) -> None:
    """Every session's facts for the filters and the order (a note or an item may point to any
    session), and the titles that match."""
    every_meta = guides or (titles and not person_id)
    if not every_meta:  # the plaintext columns are enough: nothing to decrypt
        for plain in store.plain_rows("sessions"):
            index.sessions[plain["id"]] = _info(plain, "")
        if not titles:
            return
    where, params = ("", ()) if every_meta else ("person_id = ?", (person_id,))
    for plain, secret in _rows(store, "sessions", where, params, columns=("meta",)):
        meta = secret["meta"]
        sid = plain["id"]
        index.sessions[sid] = _info(plain, meta.get("guide_id", ""))
        title = meta.get("title")
        if titles and title and needle in title.casefold():
            index._put(("title", sid), "title", title, plain["person_id"], sid)


def _info(plain: dict[str, Any], guide_id: str) -> _SessionInfo:
    return _SessionInfo(plain["person_id"], guide_id, datetime.fromisoformat(plain["started_at"]),
                        "ended" if plain["ended_at"] else "active")


def _rows(store: "Store", table: str, where: str, params: tuple,
          columns: Iterable[str] | None = None) -> list[tuple[dict, dict]]:
    # Unfiltered, the very query the index's build runs (table order); filtered, the same order.
    return store._select(table, where, params, order="rowid" if where else "", columns=columns)


def session_plans(store: "Store", session_ids: Iterable[str]) -> dict[str, Any]:
    """The guide snapshots (plans) of these sessions, read in a few queries; unknown ids are
    left out."""
    ids = list(dict.fromkeys(session_ids))
    plans: dict[str, Any] = {}
    for start in range(0, len(ids), 400):
        part = tuple(ids[start:start + 400])
        for plain, secret in store._select("sessions", f"id IN ({','.join('?' * len(part))})",
                                           part, columns=("plan",)):
            plans[plain["id"]] = secret["plan"] or {}
    return plans


