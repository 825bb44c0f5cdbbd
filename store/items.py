"""Items: action items, decisions, agreements and goals captured in a session."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from .clock import parse_stamp, stamp
from .db import in_clause
from .errors import RapportError
from .models import GOAL_STATUSES, ITEM_KINDS, ITEM_STATUSES, OWNERS, Item, Session
from .rows import Rows, clean
from .sessions import Sessions

TABLE = "items"
FIELDS = ("kind", "text", "owner", "due", "status", "stage", "done_at", "carried_from")


def iso_date(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(value).isoformat()


def item_of(plain: dict[str, Any], secret: dict[str, Any]) -> Item:
    data = secret["data"]
    due = data.get("due")
    return Item(id=plain["id"], session_id=plain["session_id"], person_id=plain["person_id"],
                kind=data["kind"], text=data.get("text", ""), owner=data.get("owner", "me"),
                due=date.fromisoformat(due) if due else None, status=data.get("status", "open"),
                stage=data.get("stage", ""), done_at=parse_stamp(data.get("done_at")),
                carried_from=data.get("carried_from"), rev=plain["rev"],
                created_at=parse_stamp(plain["created_at"]),
                updated_at=parse_stamp(plain["updated_at"]))


def _check(kind: str, owner: str) -> None:
    if kind not in ITEM_KINDS:
        raise RapportError(f"unknown item kind {kind!r} (one of {', '.join(ITEM_KINDS)})")
    if owner not in OWNERS:
        raise RapportError(f"unknown owner {owner!r} (me or them)")


def _check_edit(current: Item, data: dict[str, Any]) -> None:
    """A goal has a history of its own (check-ins, key results, linked actions): it stays a
    goal, and nothing else becomes one by an edit (captured as a goal, it starts its history).
    The status must be one of the kind's."""
    if (current.kind == "goal") != (data["kind"] == "goal"):
        raise RapportError("a goal stays a goal (and an item does not become one): "
                           "capture a new one instead")
    statuses = GOAL_STATUSES if data["kind"] == "goal" else ITEM_STATUSES
    if data["status"] not in statuses:
        raise RapportError(f"unknown status {data['status']!r} for a {data['kind']} "
                           f"(one of {', '.join(statuses)})")


class Items:
    def __init__(self, rows: Rows, sessions: Sessions) -> None:
        self.rows = rows
        self.sessions = sessions

    def add(self, session_id: str, kind: str, text: str, *, owner: str = "me",
            due: date | str | None = None, stage: str = "", status: str | None = None,
            carried_from: str | None = None) -> tuple[Item, Session]:
        """The new item, and its session (for the search index)."""
        _check(kind, owner)
        text = clean(text).strip()
        if not text:
            raise RapportError("an item needs some text")
        data = {"kind": kind, "text": text, "owner": owner, "due": iso_date(due),
                "status": status or "open", "stage": stage, "done_at": None,
                "carried_from": carried_from}
        with self.rows.write():
            session = self.sessions.get(session_id)
            plain = self.rows.insert(TABLE, {"data": data}, session_id=session_id,
                                     person_id=session.person_id)
        return item_of(plain, {"data": data}), session

    def all(self, *, session_id: str | None = None, person_id: str | None = None,
             open_only: bool = False, session_ids: Iterable[str] | None = None) -> list[Item]:
        """Oldest first. ``session_ids``: only those sessions' items, in one query."""
        clauses: list[str] = []
        params: list[Any] = []
        if session_id:
            clauses.append("session_id = ?")
            params.append(session_id)
        if session_ids is not None:
            wanted = tuple(dict.fromkeys(session_ids))
            if not wanted:
                return []
            clauses.append(in_clause("session_id", wanted))
            params.extend(wanted)
        if person_id:
            clauses.append("person_id = ?")
            params.append(person_id)
        items: list[Item] = self.rows.select(TABLE, " AND ".join(clauses), tuple(params),
                                             order="created_at, rowid", convert=item_of)
        return [i for i in items if i.is_open] if open_only else items

    def open_actions(self, *, session_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Session id -> how many of its action items are open (sessions with none left out)."""
        counts: dict[str, int] = {}
        for item in self.all(open_only=True, session_ids=session_ids):
            if item.kind == "action":
                counts[item.session_id] = counts.get(item.session_id, 0) + 1
        return counts

    def get(self, item_id: str) -> Item:
        return item_of(*self.rows.get(TABLE, item_id))

    def update(self, item_id: str, **changes: Any) -> Item:
        with self.rows.write():
            current = self.get(item_id)
            data: dict[str, Any] = {
                "kind": current.kind, "text": current.text, "owner": current.owner,
                "due": iso_date(current.due), "status": current.status, "stage": current.stage,
                "done_at": stamp(current.done_at) if current.done_at else None,
                "carried_from": current.carried_from}
            for key, value in changes.items():
                if key not in data:
                    raise RapportError(f"items have no field {key!r}")
                data[key] = iso_date(value) if key == "due" else value
            if "text" in changes:
                data["text"] = clean(str(data["text"] or "")).strip()
                if not data["text"]:
                    raise RapportError("an item needs some text")
            if changes.get("status") == "done" and not data["done_at"]:
                data["done_at"] = self.rows.now()
            _check(data["kind"], data["owner"])
            _check_edit(current, data)
            return item_of(*self.rows.update(TABLE, item_id, {"data": data}))

    def carry_forward(self, item_id: str, session_id: str) -> tuple[Item, Item, Session]:
        """Copies an open item into ``session_id`` and marks the original as carried, in one
        transaction. Returns (the copy, the original, the copy's session)."""
        with self.rows.write():
            old = self.get(item_id)
            if old.kind == "goal":
                raise RapportError("a goal is kept across sessions: check in on it instead of "
                                   "carrying it")
            new, session = self.add(session_id, old.kind, old.text, owner=old.owner, due=old.due,
                                    stage=old.stage, carried_from=old.id)
            carried = self.update(item_id, status="carried")
        return new, carried, session

    def open_before(self, person_id: str, session: Session) -> list[Item]:
        """The person's open items from sessions before ``session`` (follow-through); goals
        are not among them: they are followed through by check-ins (:mod:`store.goals`)."""
        earlier = {r["id"] for r in self.rows.plain(
            "sessions", "started_at <= ? AND id != ?", (stamp(session.started_at), session.id),
            columns=("id",))}
        return [i for i in self.all(person_id=person_id, open_only=True)
                if i.session_id in earlier and i.kind != "goal"]
