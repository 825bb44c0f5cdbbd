"""Tags: a passage of a session's notes marked with a theme (for programmes' syntheses)."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import RapportError
from .models import Tag
from .people import People
from .rows import Rows, clean
from .sessions import Sessions

TABLE = "tags"


def tag_of(plain: dict[str, Any], secret: dict[str, Any]) -> Tag:
    data = secret["data"]
    return Tag(id=plain["id"], session_id=plain["session_id"], stage=data.get("stage", ""),
               theme=data["theme"], passage=data.get("passage", ""),
               subject_id=data.get("subject_id"), rev=plain["rev"],
               created_at=parse_stamp(plain["created_at"]),
               updated_at=parse_stamp(plain["updated_at"]))


class Tags:
    def __init__(self, rows: Rows, sessions: Sessions, people: People) -> None:
        self.rows = rows
        self.sessions = sessions
        self.people = people

    def add(self, session_id: str, theme: str, passage: str, *, stage: str = "",
            subject_id: str | None = None) -> Tag:
        theme, passage = clean(theme).strip(), clean(passage).strip()
        if not theme or not passage:
            raise RapportError("a tag needs a theme and a passage")
        data = {"stage": stage, "theme": theme, "passage": passage, "subject_id": subject_id}
        with self.rows.write():
            self.rows.get("sessions", session_id, columns=())
            if subject_id:
                self.people.get(subject_id)
            plain = self.rows.insert(TABLE, {"data": data}, session_id=session_id)
        return tag_of(plain, {"data": data})

    def all(self, *, session_id: str | None = None,
             programme_id: str | None = None) -> list[Tag]:
        params: tuple[str, ...] = ()
        if session_id:
            where, params = "session_id = ?", (session_id,)
        elif programme_id:
            where = "session_id IN (SELECT id FROM sessions WHERE programme_id = ?)"
            params = (programme_id,)
        else:
            where = ""
        found: list[Tag] = self.rows.select(TABLE, where, params, order="created_at, rowid",
                                            convert=tag_of)
        return found

    def delete(self, tag_id: str) -> None:
        with self.rows.write():
            self.rows.delete(TABLE, "id = ?", (tag_id,))
