"""The feedback log: feedback given and received, situation-behaviour-impact, a record of its own.

An entry holds the situation, the behaviour and its impact, their response and the agreed next
step (``item_id``: the action item it became, when there is one); whether it was praise or
developmental, given or received. A feedback guide's stages fill in their session's entry as the
conversation goes (:meth:`Feedbacks.fill`; a stage's ``records`` names its fields:
:data:`store.models.FEEDBACK_STAGE_FIELDS`). Entries can be written outside a session too.
"""

from __future__ import annotations

import re
from typing import Any

from .clock import parse_stamp
from .errors import NotFound, RapportError
from .models import FEEDBACK_DIRECTIONS, FEEDBACK_KINDS, FEEDBACK_TEXTS, Feedback, feedback_kind
from .people import People
from .rows import Rows, clean
from .sessions import session_row

TABLE = "feedback"
FIELDS = ("direction", "kind", *FEEDBACK_TEXTS, "item_id")

#: The words that label a field: the feedback guide's prompts (Prepare's "Situation",
#: "Behaviour", "Impact"; the their-side stage's "Their view, in their words" for the response).
_WORDS = (r"situation|behaviou?r|impact|"
          r"their\s+(?:view|response)(?:,?\s+in\s+their\s+(?:own\s+)?words)?|response")
#: A line that starts a field: "Situation: ...", "- **Behaviour** - ...", "## Impact".
_LABEL = re.compile(rf"^\s*(?:[-*•#>]+\s*)*(?:\*\*|__)?({_WORDS})"
                    r"(?:\*\*|__)?\s*(?:[:\-–—]+\s*|$)(.*)$", re.IGNORECASE)
#: A line that starts something else ("My one request: ...", "Where we agree and where we
#: don't: ..."): the field before it ends there.
_OTHER = re.compile(r"^\s*(?:[-*•#>]+\s*)*(?:\*\*|__)?[^\W\d][\w'’ ]{0,40}(?:\*\*|__)?:")
#: Where a sentence ends and the next label starts on the same line: "Situation: the review.
#: Behaviour: ..." is read as two lines.
_INLINE = re.compile(rf"(?<=[.;!?])\s+(?=(?:{_WORDS})\s*:)", re.IGNORECASE)


def _field(label: str) -> str:
    word = label.lower()
    if word.startswith("behav"):
        return "behaviour"
    return "response" if word.startswith(("their", "response")) else word


def prepared(text: str) -> dict[str, str]:
    """The situation, behaviour and impact written down in ``text`` (a Prepare stage's notes,
    as its prompts ask: "Situation: ..." or the word as a heading, then the lines under it up
    to a blank line or the next label, which may also follow a sentence on the same line), and
    their response (the their-side stage's note: "Their view, in their words: ...", "Their
    response: ..."): field -> text, one line each, only those found. The first one found of
    each wins."""
    found: dict[str, str] = {}
    field: str | None = None
    lines: list[str] = []

    def close() -> None:
        if field is not None and field not in found:
            said = " ".join(" ".join(lines).split())
            if said:
                found[field] = said

    for line in _INLINE.sub("\n", clean(text)).splitlines():
        label = _LABEL.match(line)
        if label is not None:
            close()
            field = _field(label.group(1))
            lines = [label.group(2)]
        elif field is not None and (_OTHER.match(line) or not line.strip() and "".join(lines)):
            close()
            field, lines = None, []
        elif field is not None:
            lines.append(re.sub(r"^\s*[-*•>]\s+", "", line))
    close()
    return found


def feedback_of(plain: dict[str, Any], secret: dict[str, Any]) -> Feedback:
    data = secret["data"]
    return Feedback(id=plain["id"], person_id=plain["person_id"], session_id=plain["session_id"],
                    direction=data.get("direction", "given"),
                    kind=data.get("kind", "developmental"),
                    **{name: data.get(name, "") for name in FEEDBACK_TEXTS},
                    item_id=data.get("item_id"), rev=plain["rev"],
                    created_at=parse_stamp(plain["created_at"]),
                    updated_at=parse_stamp(plain["updated_at"]))


def _data(entry: Feedback | None) -> dict[str, Any]:
    if entry is None:
        return {"direction": "given", "kind": "developmental",
                **{name: "" for name in FEEDBACK_TEXTS}, "item_id": None}
    return {name: getattr(entry, name) for name in FIELDS}


def _apply(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if key not in FIELDS:
            raise RapportError(f"feedback has no field {key!r}")
        data[key] = clean(value) if key in FEEDBACK_TEXTS else value
    if data["direction"] not in FEEDBACK_DIRECTIONS:
        raise RapportError(f"unknown feedback direction {data['direction']!r} (given or received)")
    if data["kind"] not in FEEDBACK_KINDS:
        raise RapportError(f"unknown feedback kind {data['kind']!r} (praise or developmental)")
    return data


class Feedbacks:
    def __init__(self, rows: Rows, people: People) -> None:
        self.rows = rows
        self.people = people

    def _check_item(self, data: dict[str, Any], person_id: str) -> None:
        if data["item_id"]:
            found = self.rows.plain("items", "id = ?", (data["item_id"],),
                                    columns=("person_id",))
            if not found or found[0]["person_id"] != person_id:
                raise RapportError("the next step's action item is not one of this person's")

    def add(self, person_id: str, *, session_id: str | None = None, **fields: Any) -> Feedback:
        """A new entry about ``person_id`` (``fields``: direction, kind, situation, behaviour,
        impact, response, next_step, item_id)."""
        self.people.get(person_id)
        data = _apply(_data(None), fields)
        with self.rows.write():
            if (session_id is not None
                    and session_row(self.rows, session_id)["person_id"] != person_id):
                raise RapportError("that session is not with this person")
            self._check_item(data, person_id)
            plain = self.rows.insert(TABLE, {"data": data}, person_id=person_id,
                                     session_id=session_id)
        return feedback_of(plain, {"data": data})

    def get(self, entry_id: str) -> Feedback:
        return feedback_of(*self.rows.get(TABLE, entry_id))

    def update(self, entry_id: str, **changes: Any) -> Feedback:
        with self.rows.write():
            current = self.get(entry_id)
            data = _apply(_data(current), changes)
            self._check_item(data, current.person_id)
            return feedback_of(*self.rows.update(TABLE, entry_id, {"data": data}))

    def of_session(self, session_id: str) -> Feedback | None:
        """The entry a session's stages fill in (the first, if several were written)."""
        found: list[Feedback] = self.rows.select(TABLE, "session_id = ?", (session_id,),
                                                 order="created_at", convert=feedback_of)
        return found[0] if found else None

    def fill(self, session_id: str, **fields: Any) -> Feedback:
        """Sets ``fields`` of the session's entry, making it on first use (given, and praise
        when the session's guide is the praise guide, else developmental)."""
        with self.rows.write():
            current = self.of_session(session_id)
            if current is not None:
                return self.update(current.id, **fields)
            found = self.rows.select("sessions", "id = ?", (session_id,), columns=("meta",))
            if not found:
                raise NotFound(f"no session with id {session_id}")
            plain, secret = found[0]
            kind = feedback_kind(secret["meta"].get("guide_id", ""))
            return self.add(plain["person_id"], session_id=session_id,
                            **{"kind": kind, **fields})

    def all(self, person_id: str | None = None) -> list[Feedback]:
        """Oldest first."""
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        found: list[Feedback] = self.rows.select(TABLE, where, params, order="created_at",
                                                 convert=feedback_of)
        return found

    def delete(self, entry_id: str) -> None:
        with self.rows.write():
            if not self.rows.delete(TABLE, "id = ?", (entry_id,)):
                raise NotFound(f"no feedback entry with id {entry_id}")
