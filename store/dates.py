"""Parsing the due dates people type: ISO dates, today/tomorrow, +3d/+2w, weekday names."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DateError(ValueError):
    pass


def date_example(today: date) -> str:
    """The date shown as an example of one to type (placeholders, messages): a week after
    ``today`` (the injected clock's), so it always reads as a plausible date to come."""
    return (today + timedelta(days=7)).isoformat()


def parse_due(text: str, today: date) -> date | None:
    """``""`` → None. Raises DateError with a plain message for anything unreadable."""
    value = text.strip().casefold()
    if not value:
        return None
    if value in ("today", "tod"):
        return today
    if value in ("tomorrow", "tom"):
        return today + timedelta(days=1)
    m = re.fullmatch(r"\+?(\d{1,3})\s*([dw])", value)
    if m:
        n = int(m.group(1))
        return today + timedelta(days=n * (7 if m.group(2) == "w" else 1))
    days = [i for i, name in enumerate(WEEKDAYS) if len(value) >= 3 and name.startswith(value)]
    if days:  # the next such weekday, never today
        ahead = (days[0] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DateError(f"can't read {text.strip()!r} as a date "
                        f"(try {date_example(today)}, tomorrow, +3d, fri)") from None
