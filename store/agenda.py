"""What is coming: each person's next meeting (set, else from the cadence) and what is due.

Pure functions over records already read (:meth:`store.store.Store.upcoming` reads them).
A meeting set with ``rapport schedule`` (or at the end of a session) overrides the day the
cadence computes, until a session with that person starts on or after its day; then the
cadence counts from that session again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Sequence

from .models import CADENCES, Meeting, Person, Session, Upcoming

SOON_DAYS = 2


def state_of(day: date, today: date, soon_days: int = SOON_DAYS) -> str:
    if day < today:
        return "overdue"
    if day == today:
        return "today"
    return "soon" if day <= today + timedelta(days=soon_days) else "later"


def upcoming(people: Iterable[Person], last_met: Mapping[str, datetime],
             meetings: Mapping[str, Meeting], today: date) -> list[Upcoming]:
    """Everyone with a set meeting or a cadence, soonest (most overdue) first. ``last_met``:
    person id -> when their latest regular 1-on-1 started (local time is taken from it;
    :meth:`store.sessions.Sessions.last_regular`): praise or an interview between does not
    stand in for a 1-on-1 due, nor a set one missed."""
    out = []
    for person in people:
        met = last_met.get(person.id)
        met_day = met.astimezone().date() if met else None
        meeting = meetings.get(person.id)
        if meeting is not None and (met_day is None or met_day < meeting.day):
            out.append(Upcoming(person, meeting.day, meeting.time, meeting.minutes,
                                person.cadence, "set", state_of(meeting.day, today), met_day))
        elif person.cadence in CADENCES:
            day = met_day + timedelta(days=CADENCES[person.cadence]) if met_day else today
            out.append(Upcoming(person, day, None, None, person.cadence, "cadence",
                                state_of(day, today), met_day))
    out.sort(key=lambda u: (u.day, u.time or "", u.person.name.casefold()))
    return out


def suggestion(cadence: str | None, last_start: datetime | None, today: date,
               minutes: int | None = None, meeting: Meeting | None = None
               ) -> tuple[date, str | None, int | None]:
    """The next meeting to offer at the end of a session: the cadence (a week without one)
    after the last meeting's day, at its time of day (local), for ``minutes``; never before
    tomorrow. ``meeting``, the one set: still to come after the last one's day, it is offered
    as set (a feedback session between two 1-on-1s does not move the next one); set for that
    day (the slot the last one held), its time and length are the slot's, recurring."""
    days = CADENCES.get(cadence or "", 7)
    if last_start is None:
        return today + timedelta(days=days), None, minutes
    local = last_start.astimezone()
    if meeting is not None and meeting.day > local.date():
        return meeting.day, meeting.time, meeting.minutes or minutes
    time = f"{local.hour:02d}:{local.minute:02d}"
    if meeting is not None and meeting.day == local.date():
        time, minutes = meeting.time or time, meeting.minutes or minutes
    day = max(local.date() + timedelta(days=days), today + timedelta(days=1))
    return day, time, minutes


def regular_minutes(sessions: Sequence[Session], usual_guide: str | None,
                    usual_minutes: int | None = None) -> int | None:
    """How long the next meeting is: a regular one, not as long as the last one when that was
    a one-off (a first 1-on-1, a feedback session, praise). ``sessions`` newest first;
    ``usual_guide``: the guide their meetings start from. The length of the latest session
    run from it (as planned then: a slot they shortened stays short), else ``usual_minutes``
    (that guide's own length), else the last session's; None without any."""
    if usual_guide is not None:
        for session in sessions:
            if session.guide_id == usual_guide and session.planned_minutes:
                return session.planned_minutes
    if usual_minutes:
        return usual_minutes
    return sessions[0].planned_minutes or None if sessions else None
