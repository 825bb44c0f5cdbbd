"""Pulses: how someone is at a 1-on-1's check-in, 1 (low) to 5, with an optional word.

One per session (recording it again replaces it). A *run of low scores* is the last
:data:`~store.models.LOW_RUN` pulses all at or below :data:`~store.models.LOW_SCORE`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from .clock import parse_stamp
from .errors import RapportError
from .models import LOW_RUN, LOW_SCORE, PULSE_SCORES, Pulse
from .rows import Rows, clean
from .sessions import session_row

TABLE = "pulses"


def pulse_of(plain: dict[str, Any], secret: dict[str, Any]) -> Pulse:
    data = secret["data"]
    day = data.get("day")
    created = parse_stamp(plain["created_at"])
    return Pulse(id=plain["id"], person_id=plain["person_id"], session_id=plain["session_id"],
                 score=int(data["score"]), word=data.get("word", ""),
                 day=datetime.fromisoformat(day).date() if day else
                 (created.astimezone().date() if created else None),
                 rev=plain["rev"], created_at=created,
                 updated_at=parse_stamp(plain["updated_at"]))


def low_run(pulses: Sequence[Pulse], *, run: int = LOW_RUN, low: int = LOW_SCORE) -> bool:
    """Whether the last ``run`` of ``pulses`` (oldest first) are all at or below ``low``."""
    return len(pulses) >= run and all(p.score <= low for p in pulses[-run:])


class Pulses:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def set(self, session_id: str, score: int, word: str = "") -> Pulse:
        """Records (or replaces) the session's pulse."""
        if isinstance(score, bool) or score not in PULSE_SCORES:
            raise RapportError("a pulse is a score from 1 to 5")
        word = " ".join(clean(word).split())[:80]
        with self.rows.write():
            session = session_row(self.rows, session_id)
            data = {"score": score, "word": word, "day": session["started_at"]}
            current = self.of_session(session_id)
            if current is None:
                plain = self.rows.insert(TABLE, {"data": data}, person_id=session["person_id"],
                                         session_id=session_id)
                return pulse_of(plain, {"data": data})
            return pulse_of(*self.rows.update(TABLE, current.id, {"data": data}))

    def of_session(self, session_id: str) -> Pulse | None:
        found: list[Pulse] = self.rows.select(TABLE, "session_id = ?", (session_id,),
                                              convert=pulse_of)
        return found[0] if found else None

    def clear(self, session_id: str) -> bool:
        with self.rows.write():
            return bool(self.rows.delete(TABLE, "session_id = ?", (session_id,)))

    def all(self, person_id: str | None = None) -> list[Pulse]:
        """Oldest first (by the session's day): the trend."""
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        found: list[Pulse] = self.rows.select(TABLE, where, params, convert=pulse_of)
        found.sort(key=lambda p: (p.day or datetime.min.date(), p.created_at or datetime.min))
        return found
