"""Jots: dated notes about a person, written between sessions (``rapport jot``)."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import RapportError
from .models import Jot
from .people import People
from .rows import Rows, clean

TABLE = "jots"


def jot_of(plain: dict[str, Any], secret: dict[str, Any]) -> Jot:
    return Jot(id=plain["id"], person_id=plain["person_id"], text=secret["data"]["text"],
               rev=plain["rev"], created_at=parse_stamp(plain["created_at"]),
               updated_at=parse_stamp(plain["updated_at"]))


class Jots:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def add(self, person_id: str, text: str) -> Jot:
        self.people.get(person_id)
        text = clean(text).strip()
        if not text:
            raise RapportError("a jot needs some text")
        data = {"text": text}
        with self.rows.write():
            plain = self.rows.insert(TABLE, {"data": data}, person_id=person_id)
        return jot_of(plain, {"data": data})

    def all(self, person_id: str | None = None) -> list[Jot]:
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        found: list[Jot] = self.rows.select(TABLE, where, params, order="created_at, rowid",
                                            convert=jot_of)
        return found
