"""``rapport calendar``: the meetings to come as an iCalendar file (RFC 5545, by ``icalendar``).

One event per person with a next meeting (:meth:`store.store.Store.upcoming`): on its set day
and time (local, "floating": it stays at that time of day wherever the calendar is), or all day
when no time is set or it comes from the cadence; an overdue one is put on today. A cadence
recurs (``RRULE``: weekly, every 2 weeks, monthly), and each event has a reminder (``VALARM``:
15 minutes before, or 09:00 the day before an all-day one). The file holds names, so it is
written like an export: a new 0600 file, never over one, recorded in the export log;
``names=False`` writes initials instead.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable

from .export import write_out
from .models import Upcoming

if TYPE_CHECKING:  # pragma: no cover
    from .models import ExportRecord
    from .store import Store

PRODID = "-//Rapport//rapport calendar//EN"
RRULES: dict[str, dict[str, Any]] = {"weekly": {"freq": "weekly"},
                                     "fortnightly": {"freq": "weekly", "interval": 2},
                                     "monthly": {"freq": "monthly"}}
DEFAULT_MINUTES = 30
REMIND_BEFORE = timedelta(minutes=15)
REMIND_ALL_DAY = timedelta(hours=-15)  # 09:00 the day before


def initials(name: str) -> str:
    """``"Sam Rivera"`` -> ``"S. R."``."""
    parts = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return " ".join(f"{w[0].upper()}." for w in parts) or "?"


def calendar_bytes(meetings: Iterable[Upcoming], *, today: date, stamp: datetime,
                   names: bool = True) -> bytes:
    """The ``.ics`` text of ``meetings`` (see the module's docstring)."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Rapport: next meetings")
    for meeting in meetings:
        who = meeting.person.name if names else initials(meeting.person.name)
        day = max(meeting.day, today)
        event = Event()
        event.add("uid", f"{meeting.person.id}@rapport")
        event.add("dtstamp", stamp)
        event.add("summary", f"1-on-1 with {who}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"1-on-1 with {who}")
        if meeting.time:
            hour, minute = (int(x) for x in meeting.time.split(":"))
            start = datetime.combine(day, time(hour, minute))  # floating local time
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=meeting.minutes or DEFAULT_MINUTES))
            alarm.add("trigger", -REMIND_BEFORE)
        else:
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            alarm.add("trigger", REMIND_ALL_DAY)
        if meeting.every in RRULES:
            event.add("rrule", RRULES[meeting.every])
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def write_calendar(store: Store, destination: str | os.PathLike[str], *, names: bool = True,
                   today: date | None = None, stdout: BinaryIO | None = None
                   ) -> tuple[ExportRecord, int]:
    """Writes the upcoming meetings (``"-"``: standard output) and records it as an export of
    kind ``calendar``. Returns the record and the number of meetings."""
    today = today or store.today()
    meetings = store.upcoming(today)
    data = calendar_bytes(meetings, today=today, stamp=store.clock(), names=names)
    scope = "upcoming meetings" + ("" if names else ", initials only")
    record = write_out(store, destination, data, kind="calendar", format="ics", scope=scope,
                       count=len(meetings), stdout=stdout)
    return record, len(meetings)
