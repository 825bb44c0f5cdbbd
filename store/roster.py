"""A programme's roster: who is to be interviewed (planned, scheduled, done, declined), and the
consent each gave, recorded at the interview.

Ending an interview marks its person's place done when it still says planned or scheduled
(:meth:`Roster.interviewed`), in a running programme only; the place remembers that interview
(``done_by``) and what it said before (``before``), sealed with it, and deleting the interview
takes it back (:meth:`Roster.take_back`) unless another ended interview with them in the
programme still says they were interviewed, or the place was set by hand since.

Consent recorded at an interview by someone not on the roster puts them on it, as done, and the
place remembers that interview (``added_by``): deleting the interview takes the place off the
roster, unless another interview of theirs in the programme holds it (the place is then that
one's), it holds a refusal (it stays, declined), a note or a consent recorded by hand (it stays,
planned), or its status was set by hand since. A consent given at a deleted interview goes with
it (no interview kept vouches for it: recorded again at the next); a refusal stays, its link to
the interview dropped (deleting the interview is often what a refusal asks for, and the roster
must keep saying no). A closed programme's roster is the round's record: deleting moves nothing.

Retention (:meth:`Roster.retained`) is not a deletion of what happened: the interviews were held,
only their notes go. Anyone interviewed whose place still says planned or scheduled is marked
done, every place keeps its status and consent, and its links to those interviews are dropped.
A place read whose interview no longer exists (a vault whose retention ran before it dropped
them) is read without the link (``session_id`` None).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Collection

from .clock import parse_stamp
from .db import in_clause
from .errors import NotFound, RapportError
from .models import CONSENTS, ROSTER_STATUSES, ROSTER_TO_GO, RosterPlace
from .people import People
from .programmes import programme_of
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


#: what a place marked done by an interview's end keeps of it (:meth:`Roster.take_back`)
ENDED_BY = ("done_by", "before")
#: what a place keeps of the interviews that set it: a status set by hand drops them
HELD_BY = (*ENDED_BY, "added_by")


class Roster:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def all(self, programme_id: str) -> list[RosterPlace]:
        """In the order they were added."""
        found: list[RosterPlace] = self.rows.select(
            TABLE, "programme_id = ?", (programme_id,), order="created_at", convert=place_of)
        return self._linked(found)

    def place(self, programme_id: str, person_id: str) -> RosterPlace:
        return self._found(programme_id, person_id)[0]

    def _linked(self, places: list[RosterPlace]) -> list[RosterPlace]:
        """``places`` with a link to an interview that no longer exists dropped (see the
        module): nothing reads a deleted session through it."""
        ids = tuple({p.session_id for p in places if p.session_id})
        if not ids:
            return places
        live = {r["id"] for r in self.rows.plain("sessions", in_clause("id", ids), ids,
                                                 columns=("id",))}
        return [p if p.session_id in live or p.session_id is None
                else replace(p, session_id=None) for p in places]

    def _sealed(self, programme_id: str, person_id: str
                ) -> tuple[RosterPlace, dict[str, Any]] | None:
        """Their place and its sealed data as written (``done_by`` and ``before`` too)."""
        found = self.rows.select(TABLE, "programme_id = ? AND person_id = ?",
                                 (programme_id, person_id))
        return (place_of(*found[0]), dict(found[0][1]["data"])) if found else None

    def _found(self, programme_id: str, person_id: str) -> tuple[RosterPlace, dict[str, Any]]:
        found = self._sealed(programme_id, person_id)
        if found is None:
            raise NotFound(f"{self.people.get(person_id).name} is not on the roster")
        return found

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
        """``status`` or ``note``. A status changed by hand is the facilitator's word: an
        interview's deletion no longer takes it back."""
        with self.rows.write():
            place, data = self._found(programme_id, person_id)
            for key, value in changes.items():
                if key not in ("status", "note"):
                    raise RapportError(f"a roster place has no field {key!r}")
                data[key] = clean(value).strip() if key == "note" else value
            if data["status"] not in ROSTER_STATUSES:
                raise RapportError(f"unknown roster status {data['status']!r} "
                                   f"(one of {', '.join(ROSTER_STATUSES)})")
            if data["status"] != place.status:
                for key in HELD_BY:
                    data.pop(key, None)
            return place_of(*self.rows.update(TABLE, place.id, {"data": data}))

    def consent(self, programme_id: str, person_id: str, consent: str | None, *,
                session_id: str | None = None) -> RosterPlace:
        """Records their consent ("given" or "refused"; None clears it), at the interview
        ``session_id`` when there is one, now. Given at an interview by someone not on the
        roster yet, it puts them on it, as done, in the same transaction."""
        if consent is not None and consent not in CONSENTS:
            raise RapportError(f"unknown consent {consent!r} (given or refused)")
        with self.rows.write():
            found = self._sealed(programme_id, person_id)
            if found is None:
                if session_id is None:
                    raise NotFound(f"{self.people.get(person_id).name} is not on the roster")
                self.add(programme_id, person_id, status="done")
                place, data = self._found(programme_id, person_id)
                data["added_by"] = session_id  # deleting that interview takes the place back
                found = place, data
            place, data = found
            if (session_id is not None
                    and session_row(self.rows, session_id)["person_id"] != person_id):
                raise RapportError("that interview is not with this person")
            data.update(consent=consent, session_id=session_id,
                        consent_at=self.rows.now() if consent else None)
            return place_of(*self.rows.update(TABLE, place.id, {"data": data}))

    def remove(self, programme_id: str, person_id: str) -> None:
        with self.rows.write():
            place = self.place(programme_id, person_id)
            self.rows.delete(TABLE, "id = ?", (place.id,))

    def retained(self, programme_id: str, interviews: Collection[str],
                 interviewed: Collection[str]) -> None:
        """Inside a write, as retention deletes the programme's ``interviews`` (session ids) with
        the people ``interviewed``: their places marked done if they still say planned or
        scheduled (nothing else would say they were interviewed), each place's links to those
        interviews dropped; its status, consent and its date stay (they were given)."""
        for plain, secret in self.rows.select(TABLE, "programme_id = ?", (programme_id,)):
            data = dict(secret["data"])
            before = dict(data)
            if data.get("status") in ROSTER_TO_GO and plain["person_id"] in interviewed:
                data["status"] = "done"
            if data.get("done_by") in interviews:  # with what it said before that end
                for key in ENDED_BY:
                    data.pop(key, None)
            if data.get("added_by") in interviews:
                data.pop("added_by")
            if data.get("session_id") in interviews:
                data["session_id"] = None
            if data != before:
                self.rows.update(TABLE, plain["id"], {"data": data})

    # ------------------------------------------------------------------ an interview's end
    def _interview(self, session_id: str) -> tuple[str, str] | None:
        """(programme id, person id) of an interview in a running programme (None: not in a
        programme, or in a closed one, whose roster is the round's record)."""
        row = session_row(self.rows, session_id)
        programme_id = row["programme_id"]
        if programme_id is None:
            return None
        if programme_of(*self.rows.get("programmes", programme_id)).closed_at is not None:
            return None
        return programme_id, row["person_id"]

    def interviewed(self, session_id: str) -> RosterPlace | None:
        """Inside a write, as the interview ``session_id`` ends: its person's place marked
        done if it says planned or scheduled (:data:`ROSTER_TO_GO`), remembering the interview
        and what it said. None: nothing changed (not in a running programme, not on its
        roster, or done or declined already)."""
        interview = self._interview(session_id)
        found = self._sealed(*interview) if interview else None
        if found is None or found[0].status not in ROSTER_TO_GO:
            return None
        place, data = found
        data.update(status="done", done_by=session_id, before=place.status)
        return place_of(*self.rows.update(TABLE, place.id, {"data": data}))

    def _back(self, session_id: str
              ) -> tuple[RosterPlace, dict[str, Any] | None, str | None, str | None] | None:
        """What deleting the interview ``session_id`` does to its person's place (see the
        module): (the place, its data after (None: the place goes), the status it goes back
        to ("off": off the roster; None: it stays), the consent that goes ("given"; None)).
        None: nothing changes (not on the roster of a running programme, or nothing of the
        place is that interview's)."""
        interview = self._interview(session_id)
        found = self._sealed(*interview) if interview else None
        if interview is None or found is None:
            return None
        place, data = found
        before = dict(data)
        programme_id, person_id = interview
        status: str | None = None
        consent: str | None = None
        if data.get("session_id") == session_id:  # consent recorded at it
            if data.get("consent") == "given":
                consent = "given"
                data.update(consent=None, consent_at=None)
            data["session_id"] = None
        if place.status == "done" and data.get("done_by") == session_id:
            others = self.rows.plain(
                "sessions",
                "programme_id = ? AND person_id = ? AND id != ? AND ended_at IS NOT NULL",
                (programme_id, person_id, session_id), order="ended_at DESC", columns=("id",))
            if others:
                data["done_by"] = others[0]["id"]
            else:
                status = data["status"] = data.get("before") \
                    if data.get("before") in ROSTER_TO_GO else "planned"
                for key in ENDED_BY:
                    data.pop(key, None)
        elif data.get("added_by") == session_id:
            others = self.rows.plain(
                "sessions", "programme_id = ? AND person_id = ? AND id != ?",
                (programme_id, person_id, session_id), order="started_at DESC", columns=("id",))
            if others:
                data["added_by"] = others[0]["id"]
            elif data.get("consent") or data.get("note"):  # a refusal, a word of yours
                status = data["status"] = \
                    "declined" if data.get("consent") == "refused" else "planned"
                data.pop("added_by")
            else:
                return place, None, "off", None
        if data == before:
            return None
        return place, data, status, consent

    def taking_back(self, session_id: str) -> tuple[str | None, str | None]:
        """What deleting the interview ``session_id`` would do to its person's place, read
        only: (the status it goes back to, "off" for off the roster; the consent that goes)
        (:meth:`take_back` would do it)."""
        back = self._back(session_id)
        return (back[2], back[3]) if back is not None else (None, None)

    def take_back(self, session_id: str) -> tuple[str | None, str | None]:
        """Inside a write, before the interview ``session_id`` is deleted: what its end or its
        consent did to its person's place taken back (see the module). What it did, as
        :meth:`taking_back`."""
        back = self._back(session_id)
        if back is None:
            return None, None
        place, data, status, consent = back
        if data is None:
            self.rows.delete(TABLE, "id = ?", (place.id,))
        else:
            self.rows.update(TABLE, place.id, {"data": data})
        return status, consent
