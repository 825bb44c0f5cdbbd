"""Who is due a 1-on-1: each person's cadence against the last time you met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from .models import CADENCES, Person


@dataclass(frozen=True)
class Due:
    person: Person
    last_met: date | None
    next_due: date
    state: str  # "overdue", "due" (today or within 2 days), "later"


def due_people(people: Iterable[Person], last_met: Mapping[str, date], today: date,
               *, soon_days: int = 2) -> list[Due]:
    """People with a cadence, most overdue first. Never met = due today."""
    out = []
    for person in people:
        if not person.cadence or person.cadence not in CADENCES:
            continue
        met = last_met.get(person.id)
        next_due = met + timedelta(days=CADENCES[person.cadence]) if met else today
        if next_due < today:
            state = "overdue"
        elif next_due <= today + timedelta(days=soon_days):
            state = "due"
        else:
            state = "later"
        out.append(Due(person, met, next_due, state))
    out.sort(key=lambda d: (d.next_due, d.person.name.casefold()))
    return out
