"""Small display helpers shared by screens."""

from __future__ import annotations

from datetime import date, datetime


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def minutes(seconds: float) -> str:
    return f"{round(seconds / 60)}m"


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return value.isoformat()


OWNER_LABEL = {"me": "me", "them": "them"}
KIND_MARK = {"action": "▸", "decision": "◆", "agreement": "≡", "goal": "★"}
