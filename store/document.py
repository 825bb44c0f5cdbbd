"""The export document: a vault's records as one plain, JSON-ready dict (format version 1).

``docs/export-format.md`` describes it; :mod:`store.transfer` checks it against the same schema
when it is imported. The document of one session (:func:`session_document`) is what ``rapport
show --json`` prints, what the session's detail screen and ``rapport show`` lay out, and what
exports render: one shape for all of them.

Sessions are read a batch at a time (their notes, items and tags with one query per table per
batch), so a large vault's records are never all decrypted at once.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from .clock import stamp, stamp_or_none
from .db import in_clause
from .models import Person, Programme, sets_goal
from .scope import BATCH, Scope, Selection, select
from .sessions import outline
from .tables import TABLES, Table, later_families

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

#: A session that ended longer than this after it started was reopened and continued later: its
#: length is the time its stage timers ran, not start to end.
LONG_SESSION = 8 * 3600
FORMAT_NAME = "rapport-export"
#: Version 2 added each session's ``goals`` (the goal check-ins dated in it). An import reads
#: both (:data:`READS`): ``goals`` is read from the check-ins, never imported.
FORMAT_VERSION = 2
READS = (1, 2)
KEYS = ("format", "version", "kind", "exported_at", "scope", "people", "programmes", "sessions",
        "jots")


def collect(store: Store, scope: Scope, *, tz: tzinfo | None = None) -> dict[str, Any]:
    """The full document of everything in ``scope``. ``tz`` decides which calendar day a session
    started on for ``since``/``until`` (``None``: local time)."""
    sel = select(store, scope, tz)
    doc = head(store, sel)
    doc["programmes"] = [programme_doc(store, p, strategy=scope.everything)
                         for p in programmes(store, sel)]
    doc["sessions"] = list(session_docs(store, sel.rows))
    doc["jots"] = jot_docs(store, sel, tz)
    for table in later_families():
        doc[table.name] = family_docs(store, sel, table)
    return doc


def session_document(store: Store, session_id: str) -> dict[str, Any]:
    """The full document of one session (its person, plan, notes, items, tags and times)."""
    return collect(store, Scope.sessions(session_id))


def head(store: Store, sel: Selection) -> dict[str, Any]:
    """The document without its programmes, sessions and jots."""
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": "full",
            "exported_at": stamp(store.clock()), "scope": {**sel.scope.to_dict(), "label": sel.label},
            "people": [person_doc(p) for p in sel.people], "programmes": [], "sessions": [],
            "jots": []}


def person_doc(p: Person) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "role": p.role, "cadence": p.cadence,
            "guide_id": p.guide_id,
            "created_at": stamp_or_none(p.created_at), "updated_at": stamp_or_none(p.updated_at)}


def programmes(store: Store, sel: Selection) -> list[Programme]:
    """The programmes in scope: all of them for everything, else those of the sessions."""
    found = store.programmes()
    if not sel.scope.everything:
        wanted = {r["programme_id"] for r in sel.rows if r["programme_id"]}
        found = [p for p in found if p.id in wanted]
    return sorted(found, key=lambda p: (p.name.casefold(), p.id))


def programme_doc(store: Store, p: Programme, *, strategy: bool) -> dict[str, Any]:
    items = store.strategy_items(p.id) if strategy else []
    return {
        "id": p.id, "name": p.name, "purpose": p.purpose, "guide_id": p.guide_id,
        "themes": list(p.themes), "created_at": stamp_or_none(p.created_at),
        "updated_at": stamp_or_none(p.updated_at),
        **({"closed_at": stamp_or_none(p.closed_at)} if p.closed_at else {}),
        "strategy": [{"id": s.id, "text": s.text, "gaps": list(s.gaps), "tag_ids": list(s.tag_ids),
                      "created_at": stamp_or_none(s.created_at),
                      "updated_at": stamp_or_none(s.updated_at)}
                     for s in items]  # as stored: created, then captured first,
    }


def family_docs(store: Store, sel: Selection, table: Table) -> list[dict[str, Any]]:
    """The records of a family added after version 1 that belong to the scope. Everything:
    all of them. Otherwise a record goes when every record it points at (:attr:`Table.refs`)
    is in the export (a person: when they are in scope; an item: when its session is), and it
    is tied to a session in the export, or, for a scope not of chosen sessions, it was made
    within its dates (as jots are). Each is its id, timestamps, links and sealed columns."""
    engine, scope = store.engine, sel.scope
    if scope.everything:
        found = engine.select(table.name)
    else:
        links = dict(table.refs)
        present = _Present(store, sel)
        key = next((k for k in ("person_id", "programme_id", "session_id") if k in links), "")
        if not key:
            return []
        wanted = sorted(present.ids(links[key]))
        found = []
        for start in range(0, len(wanted), BATCH):
            part = tuple(wanted[start:start + BATCH])
            for plain, secret in engine.select(table.name, in_clause(key, part), part):
                values = {link: plain[link] for link in links if plain[link] is not None}
                if not all(v in present.ids(links[link]) for link, v in values.items()):
                    continue
                tied = any(links[link] in ("sessions", "items") for link in values)
                if tied or (not scope.session_ids and scope.holds(
                        datetime.fromisoformat(plain["created_at"]), None)):
                    found.append((plain, secret))
    docs = [{"id": p["id"], "created_at": p["created_at"], "updated_at": p["updated_at"],
             **{link: p[link] for link in table.links}, **secret} for p, secret in found]
    return _by_created(docs)


class _Present:
    """The ids of the records an export holds, per table, read when first asked (plaintext
    columns only)."""

    def __init__(self, store: Store, sel: Selection) -> None:
        self.store, self.sel = store, sel
        self._ids: dict[str, set[str]] = {}

    def ids(self, table: str) -> set[str]:
        if table not in self._ids:
            sessions = [r["id"] for r in self.sel.rows]
            found: set[str] = set()
            if table == "people":
                found = set(self.sel.person_ids)
            elif table == "sessions":
                found = set(sessions)
            elif table == "programmes":
                found = {p.id for p in programmes(self.store, self.sel)}
            elif table == "items":
                for start in range(0, len(sessions), BATCH):
                    part = tuple(sessions[start:start + BATCH])
                    found |= {r["id"] for r in self.store.engine.plain(
                        "items", in_clause("session_id", part), part, columns=("id",))}
            self._ids[table] = found
        return self._ids[table]


def jot_docs(store: Store, sel: Selection, tz: tzinfo | None) -> list[dict[str, Any]]:
    """The jots of the people in scope (none for a scope of chosen sessions)."""
    scope = sel.scope
    if scope.session_ids:
        return []
    jots = [j for j in store.jots() if j.person_id in sel.person_ids
            and (scope.everything or scope.holds(j.created_at, tz))]
    return [{"id": j.id, "person_id": j.person_id, "text": j.text,
             "created_at": stamp_or_none(j.created_at), "updated_at": stamp_or_none(j.updated_at)}
            for j in jots]  # as stored: created, then written first


def session_docs(store: Store, rows: list[dict[str, Any]], *, plan: bool = True,
                 tags: bool = True) -> Iterator[dict[str, Any]]:
    """Each chosen session's document, in ``rows`` order (sessions deleted meanwhile are left
    out). ``plan=False``, for a summary: the plan is only its outline (each stage's key, title,
    minutes and privacy: all a summary shows of it), so the 13 KB snapshot is not opened, and
    the state (timers) only where the length shown needs it (see :func:`needs_timers`).
    ``tags=False``: no tags (a summary never shows them)."""
    engine = store.engine
    checkins = _CheckIns(store)
    for start in range(0, len(rows), BATCH):
        ids = tuple(r["id"] for r in rows[start:start + BATCH])
        columns = ("meta", "state", "plan") if plan else ("meta",)
        sessions = {p["id"]: (p, s) for p, s in engine.select("sessions", in_clause("id", ids), ids,
                                                              columns=columns)}
        if not plan:
            _summary_parts(store, sessions)
        checked = checkins.batch(sessions)
        notes = _by_session(store, "notes", ids, note_doc)
        items = _by_session(store, "items", ids, item_doc)
        found = _by_session(store, "tags", ids, tag_doc) if tags else {}
        for sid in ids:
            if sid in sessions:
                doc = session_doc(*sessions[sid])
                doc["notes"] = notes.get(sid, [])
                doc["items"] = items.get(sid, [])
                doc["tags"] = found.get(sid, [])
                doc["goals"] = checked.get(sid, [])
                yield doc


def needs_timers(plain: Mapping[str, Any]) -> bool:
    """Whether a session's length is read from its stage timers: while it is active, or when
    it ended more than :data:`LONG_SESSION` after it started (it was reopened another day)."""
    if not plain["ended_at"]:
        return True
    wall = (datetime.fromisoformat(plain["ended_at"])
            - datetime.fromisoformat(plain["started_at"])).total_seconds()
    return not 0 <= wall <= LONG_SESSION


def _summary_parts(store: Store, sessions: dict[str, tuple[dict[str, Any], dict[str, Any]]]
                   ) -> None:
    """What a summary reads besides each session's meta: the timers where the length needs
    them, and the plan of a session started before outlines were kept."""
    timed = tuple(sid for sid, (p, _) in sessions.items() if needs_timers(p))
    for start in range(0, len(timed), BATCH):
        part = timed[start:start + BATCH]
        for p, s in store.engine.select("sessions", in_clause("id", part), part,
                                        columns=("state",)):
            sessions[p["id"]][1]["state"] = s["state"]
    missing = tuple(sid for sid, (_, s) in sessions.items() if "outline" not in s["meta"])
    if missing:
        for sid, full in store.session_plans(missing).items():
            sessions[sid][1]["meta"]["outline"] = outline(full)


def _by_session(store: Store, table: str, ids: tuple[str, ...],
                make: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
                ) -> dict[str, list[dict[str, Any]]]:
    """Session id -> the documents ``make(plain, value)`` of its records in ``table`` (one
    sealed column), each made as its row is opened, in the order they are listed: captured
    first, first."""
    (column,) = TABLES[table].sealed

    def doc(plain: dict[str, Any], secret: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return plain["session_id"], make(plain, secret[column])

    out: dict[str, list[dict[str, Any]]] = {}
    for sid, made in store.engine.select(table, in_clause("session_id", ids), ids,
                                         order="created_at, rowid", convert=doc):
        out.setdefault(sid, []).append(made)
    return out


class _CheckIns:
    """The goal check-ins dated in each session (its ``goals``), for one run of
    :func:`session_docs`. A check-in's session is sealed, so each person's check-ins are read
    (one query per batch, for the people not read yet) and kept, with each goal's history:
    what a check-in left unsaid (a status, a progress) is what the goal had then (a goal's
    first one, made with it, is its setting: an item of the session, not a check-in). The goals
    (and key results) of a batch's check-ins are read with one query each, when there are any.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.read: set[str] = set()  # the people whose check-ins are read
        self.history: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
        self.dated: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}

    def batch(self, sessions: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]
              ) -> dict[str, list[dict[str, Any]]]:
        engine = self.store.engine
        people = tuple(sorted({p["person_id"] for p, _ in sessions.values()} - self.read))
        self.read.update(people)
        for start in range(0, len(people), BATCH):
            part = people[start:start + BATCH]
            for plain, secret in engine.select("checkins", in_clause("person_id", part), part,
                                               order="created_at, rowid"):
                data = secret["data"]
                history = self.history.setdefault(plain["goal_id"], [])
                history.append((plain, data))
                setting = sets_goal(len(history) - 1, data.get("note"))
                if data.get("session_id") and not setting:
                    self.dated.setdefault(data["session_id"], []).append((plain, data))
        found = {sid: self.dated.pop(sid) for sid in sessions if sid in self.dated}
        if not found:
            return {}
        goals = self._select("items", {p["goal_id"] for c in found.values() for p, _ in c})
        results = self._select("key_results", {d["key_result"] for c in found.values()
                                               for _, d in c if d.get("key_result")})
        private = self._private_goals(goals, sessions)
        return {sid: [self._doc(plain, data, goals[plain["goal_id"]][1]["data"],
                                results, plain["goal_id"] in private)
                      for plain, data in these if plain["goal_id"] in goals]
                for sid, these in found.items()}

    def _select(self, table: str, ids: set[str]
                ) -> dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]]:
        wanted, out = tuple(sorted(ids)), {}
        for start in range(0, len(wanted), BATCH):
            part = wanted[start:start + BATCH]
            out.update({p["id"]: (p, s) for p, s in self.store.engine.select(
                table, in_clause("id", part), part)})
        return out

    def _private_goals(self, goals: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]],
                       sessions: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]
                       ) -> set[str]:
        """The goals captured in a private stage of their session (their check-ins are as
        private as they are)."""
        outlines = {sid: _stages_of(secret) for sid, (_, secret) in sessions.items()}
        missing = tuple(sorted({p["session_id"] for p, _ in goals.values()} - set(outlines)))
        if missing:
            for p, s in self.store.engine.select("sessions", in_clause("id", missing), missing,
                                                 columns=("meta",)):
                outlines[p["id"]] = s["meta"].get("outline")
            lacking = tuple(sid for sid in missing if outlines.get(sid) is None)
            for sid, full in (self.store.session_plans(lacking) if lacking else {}).items():
                outlines[sid] = outline(full)
        return {gid for gid, (p, s) in goals.items()
                if s["data"].get("stage") in {st.get("key") for st in outlines.get(
                    p["session_id"]) or () if isinstance(st, dict) and st.get("private") is True}}

    def _doc(self, plain: Mapping[str, Any], data: Mapping[str, Any], goal: Mapping[str, Any],
             results: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]],
             goal_private: bool) -> dict[str, Any]:
        """One check-in: the goal's text, and its progress and status as they then stood."""
        history = self.history.get(plain["goal_id"], [])
        at = next((i for i, (p, _) in enumerate(history) if p["id"] == plain["id"]), 0)
        before, after = [d for _, d in history[:at]], [d for _, d in history[at + 1:]]
        status = data.get("status") or next(
            (d["status"] for d in reversed(before) if d.get("status")),
            None if any(d.get("status") for d in after) else goal.get("status"))
        progress = data.get("progress")
        if progress is None and not data.get("key_result"):
            progress = next((d["progress"] for d in reversed(before)
                             if d.get("progress") is not None and not d.get("key_result")), None)
        result = results.get(data.get("key_result") or "")
        return {"id": plain["id"], "goal_id": plain["goal_id"], "text": goal.get("text", ""),
                "key_result": result[1]["data"].get("text", "") if result else None,
                "progress": progress, "status": status, "note": data.get("note", ""),
                "stage": data.get("stage", ""), "goal_private": goal_private,
                "created_at": plain["created_at"]}


def _stages_of(secret: Mapping[str, Any]) -> Any:
    """A session's stages (or their outline), as read for its document."""
    if "plan" in secret:
        return (secret["plan"] or {}).get("stages") or []
    return secret["meta"].get("outline")


def _by_created(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    docs.sort(key=lambda d: (d["created_at"] or "", d["id"]))
    return docs


def session_doc(p: Mapping[str, Any], secret: Mapping[str, Any]) -> dict[str, Any]:
    meta, state = secret["meta"], secret.get("state") or {}
    plan = secret["plan"] if "plan" in secret else {"stages": meta.get("outline", [])}
    return {
        "id": p["id"], "person_id": p["person_id"], "programme_id": p["programme_id"],
        "title": meta.get("title", ""), "guide_id": meta.get("guide_id", ""),
        "guide_name": meta.get("guide_name", ""), "started_at": p["started_at"],
        "ended_at": p["ended_at"], "amended_at": p["amended_at"], "created_at": p["created_at"],
        "updated_at": p["updated_at"], "plan": plan or {},
        "state": {"stage_index": int(state.get("stage_index", 0)),
                  "spent": dict(state.get("spent") or {}),
                  "visited": list(state.get("visited", ())),
                  "asked": {str(k): list(v) for k, v in (state.get("asked") or {}).items()}},
    }


def note_doc(p: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "stage": body.get("stage", ""), "text": body.get("text", ""),
            "private": bool(body.get("private")), "created_at": p["created_at"],
            "updated_at": p["updated_at"]}


def item_doc(p: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "kind": data["kind"], "text": data.get("text", ""),
            "owner": data.get("owner", "me"), "due": data.get("due") or None,
            "status": data.get("status", "open"), "stage": data.get("stage", ""),
            "done_at": data.get("done_at"), "carried_from": data.get("carried_from"),
            "created_at": p["created_at"], "updated_at": p["updated_at"]}


def tag_doc(p: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "stage": data.get("stage", ""), "theme": data["theme"],
            "passage": data.get("passage", ""), "subject_id": data.get("subject_id"),
            "created_at": p["created_at"], "updated_at": p["updated_at"]}


def count_records(doc: Mapping[str, Any]) -> int:
    """Every record a document holds (people, programmes and strategy, sessions, notes, items,
    tags, jots)."""
    sessions = doc.get("sessions", [])
    later = sum(len(doc.get(t.name, [])) for t in later_families())
    return (later + len(doc.get("people", [])) + len(doc.get("jots", [])) + len(sessions)
            + sum(1 + len(p.get("strategy", [])) for p in doc.get("programmes", []))
            + sum(len(s.get("notes", [])) + len(s.get("items", [])) + len(s.get("tags", []))
                  for s in sessions))
