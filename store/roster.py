"""A programme's roster: who is to be interviewed (planned, scheduled, done, declined), and the
consent each gave, recorded at the interview."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import NotFound, RapportError
from .models import CONSENTS, ROSTER_STATUSES, RosterPlace
from .people import People
from .rows import Rows, clean
from .sessions import session_row

TABLE = "roster"


def place_of(plain: dict[str, Any], secret: dict[str, Any]) -> RosterPlace:
    data = secret["data"]
    return RosterPlace(id=plain["id"], programme_id=plain["programme_id"],
                       person_id=plain["person_id"], status=data.get("status", "planned"),
                       consent=data.get("consent"),
                       consent_at=parse_stamp(data.get("consent_at")),
                       session_id=data.get("session_id"), note=data.get("note", ""),
                       rev=plain["rev"], created_at=parse_stamp(plain["created_at"]),
                       updated_at=parse_stamp(plain["updated_at"]))


def _data(place: RosterPlace) -> dict[str, Any]:
    return {"status": place.status, "consent": place.consent,
            "consent_at": place.consent_at.isoformat() if place.consent_at else None,
            "session_id": place.session_id, "note": place.note}


class Roster:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def all(self, programme_id: str) -> list[RosterPlace]:
        """In the order they were added."""
        found: list[RosterPlace] = self.rows.select(
            TABLE, "programme_id = ?", (programme_id,), order="created_at", convert=place_of)
        return found

    def place(self, programme_id: str, person_id: str) -> RosterPlace:
        found: list[RosterPlace] = self.rows.select(
            TABLE, "programme_id = ? AND person_id = ?", (programme_id, person_id),
            convert=place_of)
        if not found:
            raise NotFound(f"{self.people.get(person_id).name} is not on the roster")
        return found[0]

    def add(self, programme_id: str, person_id: str, *, status: str = "planned",
            note: str = "") -> RosterPlace:
        if status not in ROSTER_STATUSES:
            raise RapportError(f"unknown roster status {status!r} "
                               f"(one of {', '.join(ROSTER_STATUSES)})")
        person = self.people.get(person_id)
        data = {"status": status, "consent": None, "consent_at": None, "session_id": None,
                "note": clean(note).strip()}
        with self.rows.write():
            self.rows.get("programmes", programme_id, columns=())
            if self.rows.count(TABLE, "programme_id = ? AND person_id = ?",
                               (programme_id, person_id)):
                raise RapportError(f"{person.name} is on the roster already")
            plain = self.rows.insert(TABLE, {"data": data}, programme_id=programme_id,
                                     person_id=person_id)
        return place_of(plain, {"data": data})

    def update(self, programme_id: str, person_id: str, **changes: Any) -> RosterPlace:
        """``status`` or ``note``."""
        with self.rows.write():
            place = self.place(programme_id, person_id)
            data = _data(place)
            for key, value in changes.items():
                if key not in ("status", "note"):
                    raise RapportError(f"a roster place has no field {key!r}")
                data[key] = clean(value).strip() if key == "note" else value
            if data["status"] not in ROSTER_STATUSES:
                raise RapportError(f"unknown roster status {data['status']!r} "
                                   f"(one of {', '.join(ROSTER_STATUSES)})")
            return place_of(*self.rows.update(TABLE, place.id, {"data": data}))

    def consent(self, programme_id: str, person_id: str, consent: str | None, *,
                session_id: str | None = None) -> RosterPlace:
        """Records their consent ("given" or "refused"; None clears it), at the interview
        ``session_id`` when there is one, now. Given at an interview by someone not on the
        roster yet, it puts them on it, as done, in the same transaction."""
        if consent is not None and consent not in CONSENTS:
            raise RapportError(f"unknown consent {consent!r} (given or refused)")
        with self.rows.write():
            try:
                place = self.place(programme_id, person_id)
            except NotFound:
                if session_id is None:
                    raise
                place = self.add(programme_id, person_id, status="done")
            if (session_id is not None
                    and session_row(self.rows, session_id)["person_id"] != person_id):
                raise RapportError("that interview is not with this person")
            data = {**_data(place), "consent": consent, "session_id": session_id,
                    "consent_at": self.rows.now() if consent else None}
            return place_of(*self.rows.update(TABLE, place.id, {"data": data}))

    def remove(self, programme_id: str, person_id: str) -> None:
        with self.rows.write():
            place = self.place(programme_id, person_id)
            self.rows.delete(TABLE, "id = ?", (place.id,))
