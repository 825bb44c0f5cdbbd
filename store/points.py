"""Talking points: what to raise at the next session with someone, or what they asked to discuss.

A point is open until it is covered in a session. At the end of a session the ones still open
are *carried* (:meth:`Points.carry`): they stay open for the next session, which shows where
they have been carried from.
"""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import RapportError
from .models import POINT_OWNERS, POINT_STATUSES, TalkingPoint
from .people import People
from .rows import Rows, clean
from .sessions import session_row

TABLE = "talking_points"


def point_of(plain: dict[str, Any], secret: dict[str, Any]) -> TalkingPoint:
    data = secret["data"]
    return TalkingPoint(
        id=plain["id"], person_id=plain["person_id"], text=data["text"],
        owner=data.get("owner", "mine"), status=data.get("status", "open"),
        session_id=data.get("session_id"), covered_at=parse_stamp(data.get("covered_at")),
        carried=tuple(data.get("carried", ())), rev=plain["rev"],
        created_at=parse_stamp(plain["created_at"]), updated_at=parse_stamp(plain["updated_at"]))


def _data(point: TalkingPoint) -> dict[str, Any]:
    return {"text": point.text, "owner": point.owner, "status": point.status,
            "session_id": point.session_id,
            "covered_at": point.covered_at.isoformat() if point.covered_at else None,
            "carried": list(point.carried)}


class Points:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def add(self, person_id: str, text: str, *, owner: str = "mine") -> TalkingPoint:
        if owner not in POINT_OWNERS:
            raise RapportError(f"unknown talking point owner {owner!r} (mine or theirs)")
        self.people.get(person_id)
        text = clean(text).strip()
        if not text:
            raise RapportError("a talking point needs some text")
        data: dict[str, Any] = {"text": text, "owner": owner, "status": "open", "session_id": None,
                "covered_at": None, "carried": []}
        with self.rows.write():
            plain = self.rows.insert(TABLE, {"data": data}, person_id=person_id)
        return point_of(plain, {"data": data})

    def get(self, point_id: str) -> TalkingPoint:
        return point_of(*self.rows.get(TABLE, point_id))

    def all(self, person_id: str | None = None, *, open_only: bool = False
            ) -> list[TalkingPoint]:
        """Oldest first; ``open_only``: not covered or dropped."""
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        found: list[TalkingPoint] = self.rows.select(TABLE, where, params, order="created_at",
                                                     convert=point_of)
        return [p for p in found if p.is_open] if open_only else found

    def update(self, point_id: str, **changes: Any) -> TalkingPoint:
        """``text``, ``owner`` or ``status`` (open, covered, dropped)."""
        with self.rows.write():
            data = _data(self.get(point_id))
            for key, value in changes.items():
                if key not in ("text", "owner", "status"):
                    raise RapportError(f"talking points have no field {key!r}")
                data[key] = clean(value).strip() if key == "text" else value
            if not data["text"]:
                raise RapportError("a talking point needs some text")
            if data["owner"] not in POINT_OWNERS:
                raise RapportError(f"unknown talking point owner {data['owner']!r}")
            if data["status"] not in POINT_STATUSES:
                raise RapportError(f"unknown talking point status {data['status']!r} "
                                   f"(one of {', '.join(POINT_STATUSES)})")
            if data["status"] != "covered":
                data["session_id"] = data["covered_at"] = None
            return point_of(*self.rows.update(TABLE, point_id, {"data": data}))

    def cover(self, point_id: str, session_id: str) -> TalkingPoint:
        """Covered in ``session_id`` (a session with the point's person), now."""
        with self.rows.write():
            point = self.get(point_id)
            if session_row(self.rows, session_id)["person_id"] != point.person_id:
                raise RapportError("that session is with someone else")
            data = {**_data(point), "status": "covered", "session_id": session_id,
                    "covered_at": self.rows.now()}
            return point_of(*self.rows.update(TABLE, point_id, {"data": data}))

    def carry(self, session_id: str) -> list[TalkingPoint]:
        """At the end of ``session_id``: its person's points still open are carried to the next
        session (each remembers it was open in this one). Returns them."""
        with self.rows.write():
            carried = []
            for point in self.all(session_row(self.rows, session_id)["person_id"],
                                  open_only=True):
                if session_id not in point.carried:
                    data = {**_data(point), "carried": [*point.carried, session_id]}
                    point = point_of(*self.rows.update(TABLE, point.id, {"data": data}))
                carried.append(point)
            return carried

    def delete(self, point_id: str) -> None:
        with self.rows.write():
            if not self.rows.delete(TABLE, "id = ?", (point_id,)):
                raise RapportError(f"no talking point with id {point_id}")
