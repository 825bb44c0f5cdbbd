"""The next meeting with someone, as set: a day, an optional time and length.

A set meeting overrides the day the cadence computes (:mod:`store.agenda`); the person's cadence
is how it recurs. One per person: setting it again replaces it.

One set by a session's end review remembers that session (``by``) and the meeting it replaced
(``before``, sealed with it): deleting the session takes it back (:meth:`Meetings.take_back`),
the one replaced set again (or none), unless the meeting was set again since.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .clock import parse_stamp
from .errors import RapportError
from .models import Meeting
from .people import People
from .rows import Rows

TABLE = "meetings"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")


def parse_time(text: str | None) -> str | None:
    """``"9:30"``, ``"0930"``, ``"14.00"``, ``"14h00"`` -> ``"09:30"``/``"14:00"``; ``""`` -> None."""
    if text is None or not text.strip():
        return None
    match = _TIME.match(text.strip())
    if not match:
        raise RapportError(f"can't read {text.strip()!r} as a time (try 09:30 or 14:00)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def meeting_of(plain: dict[str, Any], secret: dict[str, Any]) -> Meeting:
    data = secret["data"]
    return Meeting(id=plain["id"], person_id=plain["person_id"],
                   day=date.fromisoformat(data["day"]), time=data.get("time"),
                   minutes=data.get("minutes"), rev=plain["rev"],
                   created_at=parse_stamp(plain["created_at"]),
                   updated_at=parse_stamp(plain["updated_at"]))


class Meetings:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def all(self) -> dict[str, Meeting]:
        """person id -> their next meeting, as set."""
        found: list[Meeting] = self.rows.select(TABLE, order="created_at", convert=meeting_of)
        return {m.person_id: m for m in found}

    def get(self, person_id: str) -> Meeting | None:
        found: list[Meeting] = self.rows.select(TABLE, "person_id = ?", (person_id,),
                                                convert=meeting_of)
        return found[0] if found else None

    def _row(self, person_id: str) -> tuple[str, dict[str, Any]] | None:
        """The person's meeting row: (id, its sealed data, ``by`` and ``before`` too)."""
        found = self.rows.select(TABLE, "person_id = ?", (person_id,))
        return (found[0][0]["id"], found[0][1]["data"]) if found else None

    def set(self, person_id: str, day: date, *, time: str | None = None,
            minutes: int | None = None, by: str | None = None) -> Meeting:
        """Replaces the person's next meeting. ``time``: "HH:MM" (local) or None (all day).
        ``by``: the session whose end review sets it (its deletion takes it back)."""
        self.people.get(person_id)
        if minutes is not None and (isinstance(minutes, bool) or not 1 <= int(minutes) <= 24 * 60):
            raise RapportError("a meeting's length is 1 to 1440 minutes")
        data: dict[str, Any] = {"day": day.isoformat(), "time": parse_time(time),
                                "minutes": None if minutes is None else int(minutes)}
        with self.rows.write():
            current = self._row(person_id)
            if by is not None:
                replaced = current[1] if current else None
                if replaced is not None and replaced.get("by") == by:  # reviewed again
                    replaced = replaced.get("before")
                data["by"] = by
                data["before"] = None if replaced is None else {
                    k: replaced[k] for k in ("day", "time", "minutes")}
            if current is None:
                plain = self.rows.insert(TABLE, {"data": data}, person_id=person_id)
                return meeting_of(plain, {"data": data})
            return meeting_of(*self.rows.update(TABLE, current[0], {"data": data}))

    def set_by(self, person_id: str, session_id: str) -> bool:
        """Whether the person's next meeting is the one ``session_id``'s end review set (its
        deletion would take it back), read only."""
        current = self._row(person_id)
        return current is not None and current[1].get("by") == session_id

    def take_back(self, person_id: str, session_id: str) -> bool:
        """Inside a write, as ``session_id`` is deleted: the meeting its end review set goes
        with it, the one it replaced set again (none: none), unless it was set again since.
        Whether it was taken back."""
        current = self._row(person_id)
        if current is None or current[1].get("by") != session_id:
            return False
        before = current[1].get("before")
        if before is None:
            self.rows.delete(TABLE, "id = ?", (current[0],))
        else:
            self.rows.update(TABLE, current[0], {"data": dict(before)})
        return True

    def clear(self, person_id: str) -> bool:
        """No set meeting any more (the cadence decides again). Whether there was one."""
        with self.rows.write():
            return bool(self.rows.delete(TABLE, "person_id = ?", (person_id,)))
