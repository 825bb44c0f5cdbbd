"""Time and identity as the vault stores them: the one ``stamp``.

Every timestamp in the vault is UTC, ISO 8601 with microseconds (``2025-03-03T09:00:00.000000+00:00``):
it sorts as the moments do, and its text is part of each field's associated data, so it must be
written one way only. Record ids are random (``uuid4().hex``): they say nothing about the record.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable

#: What the store asks for the current time (tests inject a fake one).
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """The vault's form of a moment (an aware ``datetime``)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def stamp_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else stamp(moment)


def parse_stamp(value: str | None) -> datetime | None:
    """A stored timestamp read back (``None`` or ``""``: no moment)."""
    return datetime.fromisoformat(value) if value else None


def new_id() -> str:
    return uuid.uuid4().hex
