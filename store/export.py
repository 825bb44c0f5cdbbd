"""Exports: what leaves the vault, rendered exactly as it will be written.

Three steps, kept apart so the app's export dialog can preview the very bytes that will be written:

1. :func:`collect` reads the records in a :class:`Scope` from an unlocked :class:`~store.vault.Store`
   into one plain dict, the *full document* (the version-1 JSON schema of ``docs/export-format.md``).
2. :func:`render_document` turns that dict into Markdown, HTML or JSON text, as a *summary* (what
   may be shared with the participant) or the *full* record. It is pure: the same document and
   options always give the same text, and it never touches the vault.
3. :func:`write_export` writes the bytes (a new 0600 file, never over an existing one, or stdout)
   and records the export, encrypted, in the vault.

:func:`render` does steps 1 and 2 and returns an :class:`ExportDoc`; ``doc.data`` is what
:func:`write_export` should be given (or its age encryption, see :mod:`store.transfer`).

Privacy rule, in one place (:func:`_shared_note`, :func:`_shared_item`): a summary carries only
notes that are not private and not in a private stage (the reflection), action items, decisions,
agreements and goals that are not from a private stage, and each session's date and length. It
never carries jots, facilitator cues, questions, timings per stage or tags. ``include_private``
adds the private notes (and private-stage items) to a summary, marked as private.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import unicodedata
from collections import abc
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator, Mapping

from . import export_cache
from .db import in_clause, no_gc_cycles
from .errors import NotFound, RapportError, StorageError, VaultExists
from .render import html as html_page, markdown, md_inline, stylesheet

if TYPE_CHECKING:  # pragma: no cover
    from .models import ExportRecord
    from .vault import Store

FORMAT_NAME = "rapport-export"
FORMAT_VERSION = 1
FORMATS = ("md", "json", "html")
KINDS = ("summary", "full")
EXTENSIONS = {"md": "md", "json": "json", "html": "html"}
ITEM_SECTIONS = (("action", "Action items"), ("decision", "Decisions"),
                 ("agreement", "Agreements"), ("goal", "Goals"))
FILE_MODE = 0o600
UTC = timezone.utc


class ExportExists(VaultExists):
    """The destination of an export already exists; exports never overwrite."""


@dataclass(frozen=True)
class Scope:
    """Which sessions to export. Filters combine (all must hold); ``everything`` stands alone.

    ``session_ids`` are full ids (resolve prefixes with :meth:`Store.resolve_session` first).
    ``since``/``until`` compare the date a session started (in the export's time zone), inclusive.
    """

    session_ids: tuple[str, ...] = ()
    person_id: str | None = None
    since: date | None = None
    until: date | None = None
    everything: bool = False

    @classmethod
    def sessions(cls, *session_ids: str) -> "Scope":
        return cls(session_ids=tuple(session_ids))

    @classmethod
    def person(cls, person_id: str, *, since: date | None = None,
               until: date | None = None) -> "Scope":
        return cls(person_id=person_id, since=since, until=until)

    @classmethod
    def all(cls) -> "Scope":
        return cls(everything=True)

    def check(self) -> None:
        """Raises :class:`RapportError` when the scope selects nothing or contradicts itself."""
        if self.everything and (self.session_ids or self.person_id or self.since or self.until):
            raise RapportError("'everything' cannot be combined with ids, a person or dates")
        if not (self.everything or self.session_ids or self.person_id or self.since or self.until):
            raise RapportError("nothing to export: give session ids, a person, dates or everything")
        if self.since and self.until and self.since > self.until:
            raise RapportError(f"the range is empty: {self.since} is after {self.until}")

    def to_dict(self) -> dict[str, Any]:
        return {"all": self.everything, "session_ids": list(self.session_ids),
                "person_id": self.person_id,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}


@dataclass(frozen=True)
class ExportDoc:
    """One rendered export: ``data`` is exactly what gets written (before any encryption)."""

    data: bytes  # UTF-8
    filename_hint: str
    count: int  # sessions
    scope_label: str
    fmt: str
    kind: str
    include_private: bool
    records: int = 0  # every record in the scope (people, sessions, notes, items, jots...)
    #: saves the sessions' texts into the render cache (:func:`write_export` calls it)
    save_cache: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @property
    def has_private(self) -> bool:
        """Whether private material (private notes, reflection, jots, cues) may be in it."""
        return self.kind == "full" or self.include_private


# ================================================================== collect (reads the vault)


def stamp(moment: datetime | None) -> str | None:
    """The vault's timestamp form: UTC, ISO 8601, microseconds (same as :func:`store.vault.stamp`)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def plain(value: Any) -> Any:
    """Deep copy into JSON types: mappings to dicts, tuples to lists."""
    cls = type(value)  # exact types first: isinstance() against an ABC is slow on this hot path
    if cls in _SCALARS:
        return value
    if cls is dict or cls is MappingProxyType:
        return {str(k): plain(v) for k, v in value.items()}
    if cls is list or cls is tuple:
        return [plain(v) for v in value]
    if isinstance(value, abc.Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _key(created: str | None, ident: str) -> tuple[str, str]:
    return (created or "", ident)


#: Sessions read (and decrypted, with their notes, items and tags) at a time: a large vault's
#: records are never all decrypted at once (each session carries its guide's snapshot).
BATCH = 400


@dataclass
class _Selection:
    """What a scope selects, from the plaintext columns only (nothing decrypted but people)."""

    scope: Scope
    rows: list[dict[str, Any]]  # the chosen sessions' ids, people, programmes, start, in order
    all_people: dict[str, Any]  # id -> Person, everyone
    person_ids: set[str]  # whose records are in scope
    people: list[Any]  # the people in the export, sorted by name
    label: str


def _select_scope(store: "Store", scope: Scope, tz: tzinfo | None) -> _Selection:
    scope.check()
    if scope.session_ids:
        wanted = list(dict.fromkeys(scope.session_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH):
            part = tuple(wanted[start:start + BATCH])
            found.update((r["id"], r) for r in _session_rows(store, in_clause("id", part), part))
        for sid in wanted:
            if sid not in found:
                raise NotFound(f"no session with id {sid}")
        rows = [found[sid] for sid in wanted]
        if scope.person_id:
            store.person(scope.person_id)
            rows = [r for r in rows if r["person_id"] == scope.person_id]
    elif scope.person_id:
        store.person(scope.person_id)
        rows = _session_rows(store, "person_id = ?", (scope.person_id,))
    else:
        rows = _session_rows(store)
    if scope.since or scope.until:
        rows = [r for r in rows if _in_range(parse_stamp(r["started_at"]), scope, tz)]
    for r in rows:
        r["started_at"] = _ts(r["started_at"])  # the vault's form: sorts as the moments do
    rows.sort(key=lambda r: (r["started_at"], r["id"]))

    all_people = {p.id: p for p in store.people()}
    if scope.everything:
        person_ids = set(all_people)
    else:
        person_ids = {r["person_id"] for r in rows}
        if scope.person_id:
            person_ids.add(scope.person_id)
    people = sorted((all_people[pid] for pid in person_ids if pid in all_people),
                    key=lambda p: (p.name.casefold(), p.id))
    return _Selection(scope, rows, all_people, person_ids, people,
                      _scope_label(scope, rows, all_people))


def _session_rows(store: "Store", where: str = "", params: tuple = ()) -> list[dict[str, Any]]:
    """The plaintext columns of sessions an export chooses by, in export order (an index scan:
    ``sessions_export``, migration 0005). Not authenticated: see :meth:`Store.plain_rows`."""
    sql = ("SELECT id, person_id, programme_id, started_at FROM sessions"
           + (f" WHERE {where}" if where else "") + " ORDER BY started_at, id")
    with store._reading("sessions"):
        cursor = store._conn.cursor()
        cursor.row_factory = None
        return [{"id": i, "person_id": p, "programme_id": g, "started_at": t}
                for i, p, g, t in cursor.execute(sql, params)]


def parse_stamp(value: str | None) -> datetime | None:
    """A stored timestamp as read by the store (same as :func:`store.vault.parse_stamp`)."""
    return datetime.fromisoformat(value) if value else None


def collect(store: "Store", scope: Scope, *, tz: tzinfo | None = UTC) -> dict[str, Any]:
    """The full version-1 document of everything in ``scope`` (see ``docs/export-format.md``).

    ``tz`` decides which calendar day a session started on for ``since``/``until`` (``None``: the
    system's local time). Raises :class:`~store.errors.NotFound` for an unknown session or person.
    """
    with no_gc_cycles():
        sel = _select_scope(store, scope, tz)
        doc = _head(store, sel)
        doc["programmes"] = [_programme_doc(store, p, strategy=scope.everything)
                             for p in _programmes(store, sel)]
        doc["sessions"] = [s for s, _ in _session_docs(store, sel.rows)]
        doc["jots"] = [{"id": j.id, "person_id": j.person_id, "text": j.text,
                        "created_at": stamp(j.created_at), "updated_at": stamp(j.updated_at)}
                       for j in _jots(store, sel, tz)]
        return {k: doc[k] for k in _DOC_KEYS}


_DOC_KEYS = ("format", "version", "kind", "exported_at", "scope", "people", "programmes",
             "sessions", "jots")


def _head(store: "Store", sel: _Selection) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": "full",
            "exported_at": stamp(store.clock()),
            "scope": {**sel.scope.to_dict(), "label": sel.label},
            "people": [_person_doc(p) for p in sel.people]}


def _programmes(store: "Store", sel: _Selection) -> list:
    if sel.scope.everything:
        programmes = store.programmes()
    else:
        wanted = {r["programme_id"] for r in sel.rows if r["programme_id"]}
        programmes = [p for p in store.programmes() if p.id in wanted] if wanted else []
    programmes.sort(key=lambda p: (p.name.casefold(), p.id))
    return programmes


def _jots(store: "Store", sel: _Selection, tz: tzinfo | None) -> list:
    scope = sel.scope
    if scope.session_ids:
        return []
    jots = [j for j in store.jots() if j.person_id in sel.person_ids
            and (scope.everything or _in_range(j.created_at, scope, tz))]
    jots.sort(key=lambda j: _key(stamp(j.created_at), j.id))
    return jots


def _uncounted_records(store: "Store", sel: _Selection, tz: tzinfo | None) -> int:
    """Programmes (with their strategy) and jots in scope, counted from plaintext columns only:
    what a Markdown or HTML export counts in its records without showing them."""
    scope = sel.scope
    programmes = {r["id"] for r in store.plain_rows("programmes")}
    if not scope.everything:
        programmes &= {r["programme_id"] for r in sel.rows if r["programme_id"]}
    count = len(programmes)
    if scope.everything and programmes:
        count += sum(r["programme_id"] in programmes for r in store.plain_rows("strategy"))
    if not scope.session_ids:
        count += sum(1 for r in store.plain_rows("jots") if r["person_id"] in sel.person_ids
                     and (scope.everything
                          or _in_range(parse_stamp(r["created_at"]), scope, tz)))
    return count


def _in_range(moment: datetime | None, scope: Scope, tz: tzinfo | None) -> bool:
    if not (scope.since or scope.until):
        return True
    if moment is None:
        return False
    day = moment.astimezone(tz).date()
    return (scope.since is None or day >= scope.since) and (scope.until is None or day <= scope.until)


def _person_doc(p) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "role": p.role, "cadence": p.cadence,
            "created_at": stamp(p.created_at), "updated_at": stamp(p.updated_at)}


def _programme_doc(store: "Store", p, *, strategy: bool) -> dict[str, Any]:
    items = store.strategy_items(p.id) if strategy else []
    return {
        "id": p.id, "name": p.name, "purpose": p.purpose, "guide_id": p.guide_id,
        "themes": list(p.themes), "created_at": stamp(p.created_at), "updated_at": stamp(p.updated_at),
        "strategy": [{"id": s.id, "text": s.text, "gaps": list(s.gaps), "tag_ids": list(s.tag_ids),
                      "created_at": stamp(s.created_at), "updated_at": stamp(s.updated_at)}
                     for s in sorted(items, key=lambda s: _key(stamp(s.created_at), s.id))],
    }


def _session_docs(store: "Store", rows: list[dict[str, Any]], *, tags: bool = True
                  ) -> Iterator[tuple[dict[str, Any], int]]:
    """Each chosen session's document, in ``rows`` order, with the number of tags it has (its
    ``tags`` stay empty when ``tags`` is false: a summary never shows them, it only counts them).

    Reads a batch of sessions at a time, and each batch's notes, items and tags with one query
    per table (not one per session).
    """
    plans: dict = {}  # sessions run with one guide share its plan: decoded once, only read
    for start in range(0, len(rows), BATCH):
        ids = tuple(r["id"] for r in rows[start:start + BATCH])
        where = in_clause("session_id", ids)
        sessions = {p["id"]: (p, s) for p, s in store._select("sessions", in_clause("id", ids), ids,
                                                              shared={"plan": plans})}
        notes = _by_session(store._select("notes", where, ids), _note_doc, "body")
        items = _by_session(store._select("items", where, ids), _item_doc, "data")
        if tags:
            found = _by_session(store._select("tags", where, ids), _tag_doc, "data")
            counts = {sid: len(v) for sid, v in found.items()}
        else:
            found, counts = {}, {}
            for r in store.plain_rows("tags", where, ids):
                counts[r["session_id"]] = counts.get(r["session_id"], 0) + 1
        for sid in ids:
            if sid in sessions:  # (deleted meanwhile: not exported)
                doc = _session_doc(*sessions[sid])
                doc["notes"] = _by_created(notes.get(sid, []))
                doc["items"] = _by_created(items.get(sid, []))
                doc["tags"] = _by_created(found.get(sid, []))
                yield doc, counts.get(sid, 0)


# The documents below are made from the decrypted rows as the store's models would read them
# (Store._session, _note, _item, _tag: the same defaults), without building the models.

def _ts(value: str | None) -> str | None:
    """A stored timestamp in the vault's form (as ``stamp(parse_stamp(value))``, faster: stored
    timestamps are in that form already and come back as they are, once checked)."""
    if not value:
        return None
    if (len(value) == 32 and value[10] == "T" and value[19] == "." and value[4] == value[7] == "-"
            and value[13] == value[16] == ":" and value.endswith("+00:00")):
        datetime.fromisoformat(value)  # raises as stamp(parse_stamp(...)) would
        return value
    return stamp(datetime.fromisoformat(value))


def _by_session(rows: Iterable[tuple[dict, dict]], make, column: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for plain_cols, secret in rows:
        out.setdefault(plain_cols["session_id"], []).append(make(plain_cols, secret[column]))
    return out


def _by_created(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(docs) > 1:
        docs.sort(key=lambda d: (d["created_at"] or "", d["id"]))
    return docs


def _session_doc(p: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
    meta, state = secret["meta"], secret["state"]
    return {
        "id": p["id"], "person_id": p["person_id"], "programme_id": p["programme_id"],
        "title": meta.get("title", ""), "guide_id": meta.get("guide_id", ""),
        "guide_name": meta.get("guide_name", ""),
        "started_at": _ts(p["started_at"]), "ended_at": _ts(p["ended_at"]),
        "amended_at": _ts(p["amended_at"]), "created_at": _ts(p["created_at"]),
        "updated_at": _ts(p["updated_at"]),
        # shared with the other sessions run with the same guide: only ever read
        "plan": secret["plan"] or {},
        "state": {"stage_index": int(state.get("stage_index", 0)),
                  "spent": plain(dict(state.get("spent") or {})),
                  "visited": list(state.get("visited", ())),
                  "asked": {str(k): plain(tuple(v))
                            for k, v in (state.get("asked") or {}).items()}},
    }


def _note_doc(p: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "stage": body.get("stage", ""), "text": body.get("text", ""),
            "private": bool(body.get("private")), "created_at": _ts(p["created_at"]),
            "updated_at": _ts(p["updated_at"])}


def _item_doc(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    due = data.get("due")
    return {"id": p["id"], "kind": data["kind"], "text": data.get("text", ""),
            "owner": data.get("owner", "me"), "due": date.fromisoformat(due).isoformat() if due else None,
            "status": data.get("status", "open"), "stage": data.get("stage", ""),
            "done_at": _ts(data.get("done_at")), "carried_from": data.get("carried_from"),
            "created_at": _ts(p["created_at"]), "updated_at": _ts(p["updated_at"])}


def _tag_doc(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "stage": data.get("stage", ""), "theme": data["theme"],
            "passage": data.get("passage", ""), "subject_id": data.get("subject_id"),
            "created_at": _ts(p["created_at"]), "updated_at": _ts(p["updated_at"])}


def _scope_label(scope: Scope, chosen: list, people: Mapping[str, Any]) -> str:
    def name(pid: str) -> str:
        return people[pid].name if pid in people else "unknown person"

    if scope.everything:
        return "everything"
    parts = []
    if scope.session_ids:
        if len(scope.session_ids) == 1:
            parts.append(f"session {scope.session_ids[0][:8]}")
        else:
            parts.append(f"{len(scope.session_ids)} sessions")
    if scope.person_id:
        parts.append(f"sessions with {name(scope.person_id)}")
    if scope.since and scope.until:
        parts.append(f"from {scope.since} to {scope.until}")
    elif scope.since:
        parts.append(f"since {scope.since}")
    elif scope.until:
        parts.append(f"until {scope.until}")
    return ", ".join(parts)


# ================================================================== render (pure)


def render(store: "Store", scope: Scope, fmt: str = "md", kind: str = "summary",
           include_private: bool = False, *, tz: tzinfo | None = UTC,
           facilitator: str = "Facilitator") -> ExportDoc:
    """Reads ``scope`` from the vault and renders it. ``ExportDoc.data`` is exactly what is written.

    ``tz``: the time zone for the dates and times shown in Markdown and HTML, and for the
    ``since``/``until`` days (``None``: the system's local time; JSON always carries UTC).
    ``facilitator``: how the facilitator is named as an owner (the participant by their name).

    The text is the same as ``render_document(collect(...))``; Markdown and HTML are rendered a
    batch of sessions at a time instead, so the full document is never held whole.
    """
    _check_options(fmt, kind)
    save_cache = None
    with no_gc_cycles():
        if fmt == "json":
            doc = collect(store, scope, tz=tz)
            data = render_document(doc, fmt, kind, include_private, tz=tz,
                                   facilitator=facilitator).encode("utf-8")
            records = count_records(doc)
        else:
            doc, data, records, save_cache = _render_page(store, scope, fmt, kind,
                                                          include_private, tz, facilitator)
    return ExportDoc(data=data, filename_hint=filename_hint(doc, fmt, kind, tz=tz),
                     count=len(doc["sessions"]), scope_label=doc["scope"]["label"], fmt=fmt,
                     kind=kind, include_private=include_private and kind == "summary",
                     records=records, save_cache=save_cache)


def _render_page(store: "Store", scope: Scope, fmt: str, kind: str, include_private: bool,
                 tz: tzinfo | None, facilitator: str
                 ) -> tuple[dict[str, Any], bytes, int, Callable[[], bool] | None]:
    """Markdown or HTML, each session's text made as soon as it is read (and its document
    dropped): the same text as ``_page(_blocks(collect(...)))``, UTF-8. Returns the document's
    head (its ``sessions`` cut down to ids, people and start times), the text, the number of
    records (as :func:`count_records` would count the full document) and what saves the
    sessions' texts in the render cache, when there is something to save.

    Sessions whose text is in the render cache (:mod:`store.export_cache`: same records, same
    rendering) are not read at all.
    """
    full = kind == "full"
    sep = b"\n\n" if fmt == "md" else b"\n"
    sel = _select_scope(store, scope, tz)
    doc = _head(store, sel)
    people = {p["id"]: p for p in doc["people"]}
    cache = export_cache.Cache(store, export_cache.variant(fmt, kind, include_private, tz,
                                                           facilitator), sep)
    found = cache.lookup(sel.rows, {p.id: p.rev for p in sel.all_people.values()},
                         everything=scope.everything)
    sessions = [{"id": r["id"], "person_id": r["person_id"], "started_at": r["started_at"]}
                for r in sel.rows]
    order: list[tuple[str, str, bytes]] = []  # id, fingerprint, text: as the cache keeps them
    if found.whole is None:
        texts, fingerprints = found.texts, found.fingerprints
        missing = [r for r in sel.rows if r["id"] not in texts]
        rendered = iter(_session_docs(store, missing, tags=full))
        pending = next(rendered, None)
        inline = _memo_inline()
        kept = []
        for r, entry in zip(sel.rows, sessions):
            sid = r["id"]
            text = texts.get(sid)
            if text is None:
                if pending is None or pending[0]["id"] != sid:
                    continue  # deleted meanwhile: not exported
                s = pending[0]
                pending = next(rendered, None)
                text = _part(_session_blocks(s, _participant(people, s), kind, include_private,
                                             tz, facilitator), fmt, inline).encode("utf-8")
            kept.append(entry)
            order.append((sid, fingerprints[sid], text))
        sessions = kept
    records = cache.child_records(sel.rows, everything=scope.everything)
    doc["sessions"] = sessions
    doc["jots"] = [{"id": j.id, "person_id": j.person_id, "text": j.text,
                    "created_at": stamp(j.created_at)} for j in _jots(store, sel, tz)] if full else []
    records += len(doc["people"]) + len(sessions) + _uncounted_records(store, sel, tz)
    head = _head_blocks(doc, people, kind, include_private, tz)
    jots = _jot_blocks(doc, people, kind, tz)
    # the page, in pieces joined once: its frame (HTML), its head, the sessions, the jots
    pieces = [_part(head, fmt).encode("utf-8")]
    if found.whole is not None:
        pieces += [sep, *found.whole]
    else:
        for _, _, text in order:
            pieces += [sep, text]
    if jots:
        pieces += [sep, _part(jots, fmt).encode("utf-8")]
    if fmt == "md":
        pieces.append(b"\n")
    else:
        page = html_page(head[0][2], [_SLOT], css=_css())  # the frame, titled as _page titles it
        at = page.index(_SLOT_HTML)
        pieces = [page[:at].encode("utf-8"), *pieces, page[at + len(_SLOT_HTML):].encode("utf-8")]
    save = None
    if scope.everything and order and len(order) == len(sel.rows):  # every session's text
        save = functools.partial(cache.save, order)
    return doc, b"".join(pieces), records, save


def _memo_inline() -> Callable[..., str]:
    """:func:`md_inline`, remembering its answers: labels, names, guides and stage titles come
    back in every session (four calls in five, in a large export)."""
    seen: dict[tuple[str, bool], str] = {}

    def inline(text: Any, *, start: bool = False) -> str:
        if type(text) is not str:
            return md_inline(text, start=start)
        line = seen.get((text, start))
        if line is None:
            line = seen[(text, start)] = md_inline(text, start=start)
        return line

    return inline


# Rendering pieces of a page that are joined later relies on how store.render joins blocks: in
# Markdown, one or more paragraphs a block, joined by blank lines, a newline at the end; in HTML,
# one element a block, joined by newlines, inside a fixed frame (here cut off by a slot block).
_SLOT = ("p", "\x00")
_SLOT_HTML = "<p>\x00</p>"


def _part(blocks: list[tuple], fmt: str, inline: Callable[..., str] = md_inline) -> str:
    """Some of a page's blocks, as they read inside the page (never empty: blocks never are)."""
    if fmt == "md":
        return markdown(blocks, inline=inline)[:-1]
    page = html_page("", [_SLOT, *blocks, _SLOT], css="")
    return page[page.index(_SLOT_HTML) + len(_SLOT_HTML) + 1:page.rindex(_SLOT_HTML) - 1]


def _check_options(fmt: str, kind: str) -> None:
    if fmt not in FORMATS:
        raise RapportError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if kind not in KINDS:
        raise RapportError(f"unknown export kind {kind!r} (summary or full)")


def count_records(doc: Mapping[str, Any]) -> int:
    sessions = doc.get("sessions", [])
    return (len(doc.get("people", [])) + len(doc.get("jots", [])) + len(sessions)
            + sum(1 + len(p.get("strategy", [])) for p in doc.get("programmes", []))
            + sum(len(s.get("notes", [])) + len(s.get("items", [])) + len(s.get("tags", []))
                  for s in sessions))


def render_document(doc: Mapping[str, Any], fmt: str, kind: str = "summary",
                    include_private: bool = False, *, tz: tzinfo | None = UTC,
                    facilitator: str = "Facilitator") -> str:
    """Pure: a full document (from :func:`collect` or an import) to the text of an export."""
    _check_options(fmt, kind)
    if fmt == "json":
        if kind == "full":
            return dump_json(doc)
        return dump_json(summary_json(doc, include_private, facilitator=facilitator))
    return _page(_blocks(doc, kind, include_private, tz, facilitator), fmt)


def dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def filename_hint(doc: Mapping[str, Any], fmt: str, kind: str, *, tz: tzinfo | None = UTC) -> str:
    """A suggested file name, e.g. ``rapport-summary-ana-silva-2025-03-03.md``."""
    scope = doc["scope"]
    people = {p["id"]: p["name"] for p in doc["people"]}
    sessions = doc["sessions"]
    exported = _when(doc["exported_at"], tz).date().isoformat()
    if scope.get("all"):
        middle = f"all-{exported}"
    elif len(scope.get("session_ids") or ()) == 1 and len(sessions) == 1:
        s = sessions[0]
        middle = f"{_slug(people.get(s['person_id'], 'session'))}-" \
                 f"{_when(s['started_at'], tz).date().isoformat()}"
    elif scope.get("person_id"):
        middle = _slug(people.get(scope["person_id"], "person"))
        if scope.get("since") or scope.get("until"):
            middle += f"-{scope.get('since') or 'start'}-to-{scope.get('until') or exported}"
    elif scope.get("session_ids"):
        middle = f"{len(sessions)}-sessions-{exported}"
    else:
        middle = f"{scope.get('since') or 'start'}-to-{scope.get('until') or exported}"
    return f"rapport-{kind}-{middle}.{EXTENSIONS[fmt]}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return slug or "person"


# ------------------------------------------------------------------ privacy and shared helpers


def _stages(session: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    stages = session.get("plan", {}).get("stages") or []
    return [s for s in stages if type(s) is dict or isinstance(s, abc.Mapping)]


def _private_stages(session: Mapping[str, Any],
                    stages: list[Mapping[str, Any]] | None = None) -> set[str]:
    return {s.get("key") for s in (_stages(session) if stages is None else stages)
            if s.get("private") is True}


def _shared_note(note: Mapping[str, Any], private_stages: set[str]) -> bool:
    """A note a summary may carry without ``include_private``."""
    return not note.get("private") and note.get("stage") not in private_stages


def _shared_item(item: Mapping[str, Any], private_stages: set[str]) -> bool:
    return item.get("stage") not in private_stages


def _is_private_note(note: Mapping[str, Any], private_stages: set[str]) -> bool:
    return not _shared_note(note, private_stages)


def _summary_notes(session: Mapping[str, Any], include_private: bool,
                   private: set[str] | None = None) -> list[Mapping[str, Any]]:
    if private is None:
        private = _private_stages(session)
    return [n for n in session.get("notes", []) if (n.get("text") or "").strip()
            and (include_private or _shared_note(n, private))]


def _summary_items(session: Mapping[str, Any], include_private: bool,
                   private: set[str] | None = None) -> list[Mapping[str, Any]]:
    if private is None:
        private = _private_stages(session)
    return [i for i in session.get("items", []) if include_private or _shared_item(i, private)]


def _owner_name(owner: str, participant: str, facilitator: str) -> str:
    return participant if owner == "them" else facilitator


MAX_WALL_LENGTH = 8 * 3600  # longer than this, an ended session was resumed later


def _spent_seconds(session: Mapping[str, Any]) -> float:
    return sum(float(v) for v in (session.get("state", {}).get("spent") or {}).values())


def _length_seconds(session: Mapping[str, Any]) -> float | None:
    """How long an ended session took: start to end, or, when that is implausibly long (it was
    reopened and continued another day), the time the stage timers ran. ``None`` while active."""
    if not session.get("ended_at"):
        return None
    wall = (datetime.fromisoformat(session["ended_at"])
            - datetime.fromisoformat(session["started_at"])).total_seconds()
    if 0 <= wall <= MAX_WALL_LENGTH:
        return wall
    spent = _spent_seconds(session)
    return spent if spent > 0 else max(0.0, wall)


def summary_json(doc: Mapping[str, Any], include_private: bool = False, *,
                 facilitator: str = "Facilitator") -> dict[str, Any]:
    """The summary projection of a full document (also version 1; not importable)."""
    people = {p["id"]: p for p in doc["people"]}
    sessions = []
    for s in doc["sessions"]:
        private = _private_stages(s)
        titles = {st.get("key"): st.get("title") or st.get("key") for st in _stages(s)}
        participant = people.get(s["person_id"], {}).get("name", "participant")
        length = _length_seconds(s)
        sessions.append({
            "id": s["id"], "person_id": s["person_id"], "title": s["title"],
            "guide_name": s["guide_name"], "started_at": s["started_at"], "ended_at": s["ended_at"],
            "length_minutes": None if length is None else round(length / 60),
            "notes": [{"stage": n["stage"], "stage_title": titles.get(n["stage"], n["stage"]),
                       "text": n["text"], "private": _is_private_note(n, private)}
                      for n in _summary_notes(s, include_private)],
            "items": [{"kind": i["kind"], "text": i["text"], "owner": i["owner"],
                       "owner_name": _owner_name(i["owner"], participant, facilitator),
                       "due": i["due"], "status": i["status"]}
                      for i in _summary_items(s, include_private)],
        })
    wanted = {s["person_id"] for s in doc["sessions"]}
    return {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": "summary",
        "include_private": bool(include_private), "exported_at": doc["exported_at"],
        "scope": dict(doc["scope"]),
        "people": [{"id": p["id"], "name": p["name"]} for p in doc["people"] if p["id"] in wanted],
        "sessions": sessions,
        "jots": [],
    }


# ------------------------------------------------------------------ document blocks

# Blocks for store.render: ("h", level, text) | ("p", text) | ("meta", [(label, value)])
# | ("list", [text]) | ("table", headers, rows) | ("text", text, private) | ("label", text)


def _when(value: str, tz: tzinfo | None) -> datetime:
    return datetime.fromisoformat(value).astimezone(tz)


def _clock(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"  # strftime("%H:%M"), faster


def _zone(moment: datetime) -> str:
    name = moment.tzname() or moment.strftime("%z")
    return "UTC" if name in ("UTC", "+0000", "UTC+00:00") else name


def _fmt_length(seconds: float | None, session: Mapping[str, Any]) -> str:
    if seconds is None:
        spent = _spent_seconds(session)
        return f"{_fmt_minutes(spent)} so far (not ended)" if spent > 0 else "not ended"
    return _fmt_minutes(seconds)


def _fmt_minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes == 0:
        return "under a minute" if seconds > 0 else "0 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _fmt_spent(seconds: float) -> str:
    total = round(seconds)
    if total <= 0:
        return "—"
    minutes, secs = divmod(total, 60)
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"


def _date_line(session: Mapping[str, Any], tz: tzinfo | None,
               start: datetime | None = None) -> str:
    if start is None:
        start = _when(session["started_at"], tz)
    text = f"{start.date().isoformat()}, {_clock(start)}"
    if session.get("ended_at"):
        end = _when(session["ended_at"], tz)
        text += f"–{_clock(end)}" if end.date() == start.date() \
            else f" – {end.date().isoformat()}, {_clock(end)}"
        return f"{text} {_zone(start)}"
    return f"{text} {_zone(start)} (not ended)"


def _blocks(doc: Mapping[str, Any], kind: str, include_private: bool, tz: tzinfo | None,
            facilitator: str) -> list[tuple]:
    people = {p["id"]: p for p in doc["people"]}
    blocks = _head_blocks(doc, people, kind, include_private, tz)
    for s in doc["sessions"]:
        blocks += _session_blocks(s, _participant(people, s), kind, include_private, tz, facilitator)
    return blocks + _jot_blocks(doc, people, kind, tz)


def _participant(people: Mapping[str, Any], session: Mapping[str, Any]) -> str:
    return people.get(session["person_id"], {}).get("name", "participant")


def _page(blocks: list[tuple], fmt: str) -> str:
    if fmt == "md":
        return markdown(blocks)
    return html_page(blocks[0][2], blocks, css=_css())  # the first heading's text is the title


def _css() -> str:
    return stylesheet(width="46rem", rules=_CSS_RULES, print_rules=_CSS_PRINT)


def _head_blocks(doc: Mapping[str, Any], people: Mapping[str, Any], kind: str,
                 include_private: bool, tz: tzinfo | None) -> list[tuple]:
    """The title and what the export is; only the sessions' people and count are used."""
    sessions = doc["sessions"]
    noun = "Conversation summary" if kind == "summary" else "Conversation record"
    names = list(dict.fromkeys(people[s["person_id"]]["name"] for s in sessions
                               if s["person_id"] in people))
    if doc["scope"].get("person_id") in people and not names:
        names = [people[doc["scope"]["person_id"]]["name"]]
    title = f"{noun}: {names[0]}" if len(names) == 1 else noun
    exported = _when(doc["exported_at"], tz)
    count = f"{len(sessions)} session" + ("" if len(sessions) == 1 else "s")
    if kind == "full":
        what = "full record, including private notes"
    elif include_private:
        what = "summary, including private notes"
    else:
        what = "summary of what was shared"
    blocks: list[tuple] = [
        ("h", 1, title),
        ("p", f"Exported from Rapport on {exported.date().isoformat()} at {_clock(exported)} "
              f"{_zone(exported)} · {count} · {what}"),
    ]
    if kind == "full":
        blocks.append(("p", f"Scope: {doc['scope'].get('label', '')}"))
    if not sessions:
        blocks.append(("p", "No sessions."))
    return blocks


def _jot_blocks(doc: Mapping[str, Any], people: Mapping[str, Any], kind: str,
                tz: tzinfo | None) -> list[tuple]:
    blocks: list[tuple] = []
    if kind == "full" and doc.get("jots"):
        blocks.append(("h", 2, "Jots"))
        for j in doc["jots"]:
            who = people.get(j["person_id"], {}).get("name", "unknown person")
            blocks.append(("label", f"{_when(j['created_at'], tz).date().isoformat()} · {who}"))
            blocks.append(("text", j["text"], True))
    return blocks


def _session_blocks(s: Mapping[str, Any], participant: str, kind: str, include_private: bool,
                    tz: tzinfo | None, facilitator: str) -> list[tuple]:
    full = kind == "full"
    start = _when(s["started_at"], tz)
    heading = s["title"] or s["guide_name"] or "Conversation"
    blocks: list[tuple] = [("h", 2, f"{heading} — {start.date().isoformat()}")]
    stages = _stages(s)
    length = _fmt_length(_length_seconds(s), s)
    planned = sum(_minutes(st) for st in stages) if full else 0
    if planned:
        length += f" (planned {planned} min)"
    meta = [("Date", _date_line(s, tz, start)), ("Length", length), ("With", participant)]
    if s["guide_name"]:
        meta.append(("Guide", s["guide_name"]))
    if full:
        meta.append(("Status", "ended" if s.get("ended_at") else "in progress"))
        if s.get("amended_at"):
            meta.append(("Amended", _when(s["amended_at"], tz).date().isoformat()))
        meta.append(("Session id", s["id"]))
    blocks.append(("meta", meta))

    titles = {st.get("key"): st.get("title") or st.get("key") for st in stages}
    private = _private_stages(s, stages)
    if full:
        blocks += _full_stage_blocks(s, stages, private)
    else:
        notes = _summary_notes(s, include_private, private)
        if notes:
            blocks.append(("h", 3, "Notes"))
            for n in _in_stage_order(notes, stages):
                mark = _is_private_note(n, private)
                label = titles.get(n["stage"]) or n["stage"] or "General"
                blocks.append(("h", 4, f"{label} (private)" if mark else label))
                blocks.append(("text", n["text"], mark))
    items = s.get("items", []) if full else _summary_items(s, include_private, private)
    for kind_key, section in ITEM_SECTIONS:
        chosen = [i for i in items if i["kind"] == kind_key]
        if chosen:
            blocks.append(("h", 3, section))
            blocks.append(("list", [_item_line(i, participant, facilitator,
                                               not _shared_item(i, private)) for i in chosen]))
    if full and s.get("tags"):
        blocks.append(("h", 3, "Tagged passages"))
        blocks.append(("list", [f"{t['theme']}: {t['passage']}"
                                + (f" ({titles.get(t['stage'], t['stage'])})" if t["stage"] else "")
                                for t in s["tags"]]))
    return blocks


def _minutes(stage: Mapping[str, Any]) -> int:
    value = stage.get("minutes", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _in_stage_order(notes: Iterable[Mapping[str, Any]], stages: list[Mapping[str, Any]]) -> list:
    order = {st.get("key"): i for i, st in enumerate(stages)}
    notes = list(notes)
    return sorted(notes, key=lambda n: (order.get(n["stage"], len(order)), notes.index(n)))


def _item_line(item: Mapping[str, Any], participant: str, facilitator: str,
               private: bool) -> str:
    parts = [f"owner: {_owner_name(item['owner'], participant, facilitator)}"]
    if item.get("due"):
        parts.append(f"due {item['due']}")
    if item.get("status") and item["status"] != "open":
        parts.append(item["status"])
    if private:
        parts.append("private")
    return f"{item['text']} — " + " · ".join(parts)


def _full_stage_blocks(s: Mapping[str, Any], stages: list[Mapping[str, Any]],
                       private: set[str]) -> list[tuple]:
    state = s.get("state", {})
    spent = state.get("spent") or {}
    asked = state.get("asked") or {}
    notes_by_stage: dict[str, list] = {}
    for n in s.get("notes", []):
        if (n.get("text") or "").strip():
            notes_by_stage.setdefault(n["stage"], []).append(n)
    used = set(state.get("visited") or ()) | {k for k, v in spent.items() if float(v) > 0}
    used |= set(notes_by_stage) | {k for k, v in asked.items() if v}
    used |= {i.get("stage") for i in s.get("items", []) if i.get("stage")}

    blocks: list[tuple] = []
    if stages:
        rows = [[st.get("title") or st.get("key", ""), f"{_minutes(st)} min",
                 _fmt_spent(float(spent.get(st.get("key"), 0)))] for st in stages]
        total = sum(float(v) for v in spent.values())
        rows.append(["Total", f"{sum(_minutes(st) for st in stages)} min", _fmt_spent(total)])
        blocks += [("h", 3, "Timings"), ("table", ["Stage", "Planned", "Spent"], rows)]
    shown = set()
    stage_blocks: list[tuple] = []
    for number, st in enumerate(stages, 1):
        key = st.get("key")
        if key not in used:
            continue
        shown.add(key)
        title = st.get("title") or key
        stage_blocks.append(("h", 4, f"{number}. {title}" + (" (private)" if key in private else "")))
        if st.get("purpose"):
            stage_blocks.append(("p", f"Purpose: {st['purpose']}"))
        for name, label in (("cues", "Cues"), ("avoid", "Avoid")):
            values = [v for v in st.get(name) or () if isinstance(v, str)]
            if values:
                stage_blocks += [("label", label), ("list", values)]
        questions = _asked_questions(st, asked.get(key) or ())
        if questions:
            stage_blocks += [("label", "Questions asked"), ("list", questions)]
        for n in notes_by_stage.get(key, []):
            mark = _is_private_note(n, private)
            stage_blocks += [("label", "Notes (private)" if mark else "Notes"), ("text", n["text"], mark)]
    for key, notes in notes_by_stage.items():
        if key in shown:
            continue
        stage_blocks.append(("h", 4, f"Other notes: {key}" if key else "Other notes"))
        for n in notes:
            mark = _is_private_note(n, private)
            stage_blocks += [("label", "Notes (private)" if mark else "Notes"), ("text", n["text"], mark)]
    if stage_blocks:
        blocks += [("h", 3, "Stages"), *stage_blocks]
    return blocks


def _asked_questions(stage: Mapping[str, Any], indices: Iterable[Any]) -> list[str]:
    questions = stage.get("questions") or []
    out = []
    for index in indices:
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(questions):
            q = questions[index]
            text = q.get("text") if type(q) is dict or isinstance(q, abc.Mapping) else q
            if isinstance(text, str) and text:
                out.append(text)
    return out


# ------------------------------------------------------------------ rendering (store.render)

_md_inline = md_inline  # how an export escapes one line of Markdown (the tests use it)

# This page's rules in the base stylesheet: between its headings and lists, and for print.
_CSS_RULES = """\
h4{font-size:1rem;margin:1rem 0 .3rem}
p{margin:.4rem 0}
.note{white-space:pre-wrap;margin:.3rem 0 .8rem;padding:.4rem .7rem;border-left:3px solid #9ab}
.private{border-left-color:#c55;background:#fdf3f3}
.label{font-weight:600;margin-top:.6rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid #bbb;padding:.2rem .6rem;text-align:left}"""
_CSS_PRINT = ("h2{break-before:auto;break-after:avoid}h3,h4{break-after:avoid}"
              ".note,li,tr{break-inside:avoid}")


# ================================================================== write


def write_export(destination: str | os.PathLike, data: bytes, *, store: "Store", doc: ExportDoc,
                 encrypted: bool = False, stdout: BinaryIO | None = None) -> "ExportRecord":
    """Writes ``data`` and records the export (kind, format, destination, scope, count) in the vault.

    ``destination`` ``"-"`` writes to ``stdout`` (default: the process's standard output). A path
    is created new with mode 0600 (``O_EXCL``: an existing file or link is never overwritten, see
    :class:`ExportExists`). If recording fails, the file just written is removed again, so nothing
    leaves the vault unrecorded. Then the sessions' texts that had to be rendered are sealed into
    the render cache (:mod:`store.export_cache`) for the next export.
    """
    fmt = doc.fmt + ("+age" if encrypted else "")
    if os.fspath(destination) == "-":
        if stdout is not None:
            stdout.write(data)
            stdout.flush()
        else:
            sys.stdout.flush()
            stream = getattr(sys.stdout, "buffer", None)
            if stream is None:  # a text-only stream (an IDE console): the text is UTF-8 anyway
                sys.stdout.write(data.decode("utf-8"))
                sys.stdout.flush()
            else:
                stream.write(data)
                stream.flush()
        record = store.record_export(kind=doc.kind, format=fmt, destination="-",
                                     scope=doc.scope_label, count=doc.count)
    else:
        path = Path(destination)
        write_new_file(path, data)
        try:
            record = store.record_export(kind=doc.kind, format=fmt,
                                         destination=str(path.absolute()),
                                         scope=doc.scope_label, count=doc.count)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    if doc.save_cache is not None:  # for the next export (only a cache: never fails)
        doc.save_cache()
    return record


def write_new_file(path: str | os.PathLike, data: bytes) -> None:
    """Creates ``path`` with mode 0600 and exactly ``data``; never follows or replaces anything."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except FileExistsError:
        raise ExportExists(f"{path} already exists; not overwriting it") from None
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}; nothing was left there") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
