"""Sessions: one conversation with one person, run from a snapshot of a guide (its *plan*).

Three sealed columns, read apart: ``meta`` (title, guide, and the plan's *outline*: each stage's
key, title, minutes and whether it is private), ``state`` (timers, stage, questions asked) and
``plan`` (the guide's whole snapshot, ~13 KB). Lists and summary exports read the first two;
only a session's own screen and full exports open the plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from .clock import parse_stamp, stamp
from .db import in_clause
from .errors import Ambiguous, Damaged, NotFound, RapportError
from .models import Session, SessionSummary, frozen_map
from .people import People
from .rows import Rows, clean

TABLE = "sessions"
CHILDREN = ("items", "notes", "tags")


def outline(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What a list or a summary needs of a plan: each stage's key, title, minutes, privacy."""
    stages = plan.get("stages") or []
    return [{"key": s.get("key", ""), "title": s.get("title") or s.get("key", ""),
             "minutes": s.get("minutes", 0), "private": s.get("private") is True}
            for s in stages if isinstance(s, Mapping)]


def session_meta(plan: Mapping[str, Any], title: str) -> dict[str, Any]:
    """A session's ``meta``: what lists read without the plan (its title, guide and outline;
    an older session's meta lacks the outline: readers fall back on the plan)."""
    return {"title": clean(title).strip(), "guide_id": plan.get("id", ""),
            "guide_name": plan.get("name", ""), "outline": outline(plan)}


def session_of(plain: dict[str, Any], secret: dict[str, Any]) -> Session:
    meta, state = secret["meta"], secret["state"]
    return Session(
        id=plain["id"], person_id=plain["person_id"], programme_id=plain["programme_id"],
        title=meta.get("title", ""), guide_id=meta.get("guide_id", ""),
        guide_name=meta.get("guide_name", ""), plan=frozen_map(secret["plan"]),
        started_at=datetime.fromisoformat(plain["started_at"]),
        ended_at=parse_stamp(plain["ended_at"]), amended_at=parse_stamp(plain["amended_at"]),
        stage_index=int(state.get("stage_index", 0)), spent=frozen_map(state.get("spent")),
        visited=tuple(state.get("visited", ())),
        asked=frozen_map({k: tuple(v) for k, v in (state.get("asked") or {}).items()}),
        paused=state.get("paused") is True, rev=plain["rev"], updated_at=parse_stamp(plain["updated_at"]))


def session_row(rows: Rows, session_id: str) -> dict[str, Any]:
    """``session_id``'s plaintext columns (``person_id``, ``started_at``, ...), nothing
    decrypted: for a record that belongs to a session, and so to its person. :class:`NotFound`
    when there is no such session."""
    found = rows.plain(TABLE, "id = ?", (session_id,))
    if not found:
        raise NotFound(f"no session with id {session_id}")
    return found[0]


def session_filter(person_id: str | None = None, status: str | None = None,
                   programme_id: str | None = None) -> tuple[str, tuple[Any, ...]]:
    clauses, params = [], []
    if person_id:
        clauses.append("person_id = ?")
        params.append(person_id)
    if status == "active":
        clauses.append("ended_at IS NULL")
    elif status == "ended":
        clauses.append("ended_at IS NOT NULL")
    elif status is not None:
        raise RapportError(f"unknown status {status!r} (active or ended)")
    if programme_id:
        clauses.append("programme_id = ?")
        params.append(programme_id)
    return " AND ".join(clauses), tuple(params)


class Sessions:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people
        #: session id -> (person id, whether it ended): what an autosave asks, every keystroke
        self._briefs: dict[str, tuple[str, bool]] = {}

    def brief(self, session_id: str) -> tuple[str, bool]:
        """(person id, ended) of a session (plaintext columns, kept while unlocked)."""
        with self.rows.mutex:
            found = self._briefs.get(session_id)
            if found is None:
                rows = self.rows.plain(TABLE, "id = ?", (session_id,),
                                       columns=("person_id", "ended_at"))
                if not rows:
                    raise NotFound(f"no session with id {session_id}")
                found = self._briefs[session_id] = (rows[0]["person_id"],
                                                    rows[0]["ended_at"] is not None)
            return found

    def _forget(self, session_id: str) -> None:
        with self.rows.mutex:
            self._briefs.pop(session_id, None)

    def start(self, person_id: str, plan: dict[str, Any], *, title: str = "",
              programme_id: str | None = None, started_at: datetime | None = None) -> Session:
        """``plan`` is the guide snapshot (``Guide.to_snapshot()``): id, name and stages."""
        self.people.get(person_id)
        if programme_id:
            self.rows.get("programmes", programme_id, columns=())
        stages = plan.get("stages") or []
        first = stages[0].get("key", "") if stages else ""
        meta = session_meta(plan, title)
        state = {"stage_index": 0, "spent": {}, "visited": [first] if first else [], "asked": {}}
        secret = {"meta": meta, "plan": plan, "state": state}
        with self.rows.write():
            plain = self.rows.insert(TABLE, secret, person_id=person_id,
                                     programme_id=programme_id,
                                     started_at=stamp(started_at or self.rows.clock()))
        return session_of(plain, secret)

    def get(self, session_id: str) -> Session:
        return session_of(*self.rows.get(TABLE, session_id))

    def resolve(self, ref: str) -> Session:
        """A full id or a unique prefix of at least 4 characters."""
        ref = ref.strip().lower()
        if len(ref) < 4 or not all(c in "0123456789abcdef" for c in ref):
            raise NotFound(f"no session with id {ref!r}")
        ids = self.rows.plain(TABLE, "id >= ? AND id < ?", (ref, ref + "g"), columns=("id",),
                              order="id LIMIT 2")
        if not ids:
            raise NotFound(f"no session with id {ref!r}")
        if len(ids) > 1:
            raise Ambiguous(f"{ref!r} matches more than one session; give more of the id")
        return self.get(ids[0]["id"])

    def all(self, *, person_id: str | None = None, status: str | None = None,
             programme_id: str | None = None) -> list[Session]:
        where, params = session_filter(person_id, status, programme_id)
        return self.rows.select(TABLE, where, params, order="started_at DESC", convert=session_of)

    def times(self, person_id: str | None = None) -> dict[str, tuple[datetime, datetime | None]]:
        """id -> (started_at, ended_at): plaintext columns, nothing decrypted."""
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        return {r["id"]: (datetime.fromisoformat(r["started_at"]), parse_stamp(r["ended_at"]))
                for r in self.rows.plain(TABLE, where, params,
                                         columns=("id", "started_at", "ended_at"))}

    def count(self) -> int:
        return self.rows.count(TABLE)

    def summaries(self, *, limit: int | None = None, offset: int = 0,
                  person_id: str | None = None, status: str | None = None,
                  programme_id: str | None = None) -> list[SessionSummary]:
        """Active first, then newest; opens only ``meta`` and ``state`` (never the plan)."""
        where, params = session_filter(person_id, status, programme_id)
        order = "ended_at IS NOT NULL, started_at DESC" if status is None else "started_at DESC"
        if limit is not None:
            order += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        people = self.people.by_id()

        def summary(plain: dict[str, Any], secret: dict[str, Any]) -> SessionSummary:
            meta, state = secret["meta"], secret["state"]
            person = people.get(plain["person_id"])
            return SessionSummary(
                id=plain["id"], person_id=plain["person_id"],
                person_name=person.name if person else "?", title=meta.get("title", ""),
                guide_id=meta.get("guide_id", ""), guide_name=meta.get("guide_name", ""),
                started_at=datetime.fromisoformat(plain["started_at"]),
                ended_at=parse_stamp(plain["ended_at"]),
                spent_seconds=float(sum((state.get("spent") or {}).values())),
                programme_id=plain["programme_id"])

        return self.rows.select(TABLE, where, params, order=order, columns=("meta", "state"),
                                convert=summary)

    def last_regular(self, person_id: str | None = None) -> dict[str, datetime]:
        """Person id -> when their latest regular 1-on-1 started: a session of a 1-on-1 guide
        outside a programme (:attr:`Session.carries_points`), what a cadence counts from.
        Praise, a feedback session, an interview or a guide of your own in between does not
        stand in for it. Read newest first, a round of one session per person at a time:
        most people's latest is one, so a round or two of plans. ``person_id``: theirs only."""
        where = "programme_id IS NULL" + ("" if person_id is None else " AND person_id = ?")
        params = () if person_id is None else (person_id,)
        queue: dict[str, list[tuple[str, str]]] = {}
        for r in self.rows.plain(TABLE, where, params, order="started_at DESC",
                                 columns=("id", "person_id", "started_at")):
            queue.setdefault(r["person_id"], []).append((r["id"], r["started_at"]))
        found: dict[str, datetime] = {}
        depth = 0
        while queue:
            heads = {rows[depth][0]: (person_id, rows[depth][1])
                     for person_id, rows in queue.items()}
            for session_id, kind in self.kinds(tuple(heads)).items():
                if kind == "one-on-one":
                    person_id, started = heads[session_id]
                    found[person_id] = datetime.fromisoformat(started)
                    del queue[person_id]
            depth += 1
            queue = {p: rows for p, rows in queue.items() if len(rows) > depth}
        return found

    def kinds(self, session_ids: tuple[str, ...]) -> dict[str, str]:
        """Session id -> its guide's kind (:attr:`Session.kind`, from its plan). One whose plan
        fails authentication reads as a 1-on-1 (as every session counted before kinds did):
        one damaged row does not hide everyone's next meeting."""
        def read(ids: tuple[str, ...]) -> dict[str, str]:
            return {plain["id"]: str((secret["plan"] or {}).get("kind") or "one-on-one")
                    for plain, secret in self.rows.select(TABLE, in_clause("id", ids), ids,
                                                          columns=("plan",))}

        out: dict[str, str] = {}
        for start in range(0, len(session_ids), 500):
            part = session_ids[start:start + 500]
            try:
                out.update(read(part))
            except Damaged:  # one at a time, then
                for sid in part:
                    try:
                        out.update(read((sid,)))
                    except Damaged:
                        out[sid] = "one-on-one"
        return out

    def plans(self, session_ids: Iterable[str]) -> dict[str, Any]:
        """The plans of these sessions; unknown ids are left out."""
        wanted = tuple(dict.fromkeys(session_ids))
        out: dict[str, Any] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            for plain, secret in self.rows.select(TABLE, in_clause("id", part), part,
                                                  columns=("plan",)):
                out[plain["id"]] = secret["plan"] or {}
        return out

    def save_state(self, session_id: str, *, stage_index: int | None = None,
                   spent: Mapping[str, float] | None = None, visited: Iterable[str] | None = None,
                   asked: Mapping[str, Iterable[int]] | None = None,
                   title: str | None = None, paused: bool | None = None) -> Session:
        with self.rows.write():
            current = self.get(session_id)
            state = {
                "stage_index": current.stage_index if stage_index is None else int(stage_index),
                "spent": dict(current.spent if spent is None else spent),
                "visited": list(current.visited if visited is None else visited),
                "asked": {k: sorted(set(v))
                          for k, v in (current.asked if asked is None else asked).items()},
            }
            if (current.paused if paused is None else paused):
                state["paused"] = True  # only when paused: other sessions' state is unchanged
            secret: dict[str, Any] = {"state": state}
            if title is not None:
                secret["meta"] = {**session_meta(current.plan, title),
                                  "guide_id": current.guide_id,
                                  "guide_name": current.guide_name}
            links: dict[str, Any] = {}
            if current.ended_at is not None:
                links["amended_at"] = self.rows.now()
            return session_of(*self.rows.update(TABLE, session_id, secret, **links))

    def end(self, session_id: str, *, ended_at: datetime | None = None) -> Session:
        self._forget(session_id)
        with self.rows.write():
            return session_of(*self.rows.update(
                TABLE, session_id, ended_at=stamp(ended_at or self.rows.clock())))

    def reopen(self, session_id: str) -> Session:
        """An ended session opened to continue: active again, recorded as amended."""
        self._forget(session_id)
        with self.rows.write():
            return session_of(*self.rows.update(TABLE, session_id, ended_at=None,
                                                 amended_at=self.rows.now()))

    def mark_amended(self, session_id: str) -> None:
        """Inside a write to one of its records: an ended session was edited."""
        self.rows.update(TABLE, session_id, amended_at=self.rows.now())

    def delete(self, session_id: str) -> str:
        """The session and its notes, items and tags, in one transaction. Returns when it had
        started (its place in the search index)."""
        self._forget(session_id)
        with self.rows.write():
            started = stamp(self.get(session_id).started_at)
            for table in CHILDREN:
                self.rows.delete(table, "session_id = ?", (session_id,))
            self.rows.delete(TABLE, "id = ?", (session_id,))
        return started
