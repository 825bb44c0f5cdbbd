"""The domain model the store returns: frozen dataclasses, never raw rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Mapping

ITEM_KINDS = ("action", "decision", "agreement", "goal")
OWNERS = ("me", "them")  # me: the facilitator; them: the participant
ITEM_STATUSES = ("open", "done", "carried", "dropped")
GOAL_STATUSES = ("open", "on-track", "at-risk", "done", "dropped")
CADENCES = {"weekly": 7, "fortnightly": 14, "monthly": 30}
DEFAULT_THEMES = ("perception", "strength", "concern", "current state", "future state",
                  "organisation needs", "suggestion")


def frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    cadence: str | None = None
    role: str = ""
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    person_id: str
    title: str
    guide_id: str
    guide_name: str
    plan: Mapping[str, Any]  # the guide snapshot as used (stages, minutes, questions...)
    started_at: datetime
    ended_at: datetime | None = None
    amended_at: datetime | None = None
    programme_id: str | None = None
    stage_index: int = 0
    spent: Mapping[str, float] = field(default_factory=dict)  # seconds per stage key
    visited: tuple[str, ...] = ()
    asked: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    rev: int = 0
    updated_at: datetime | None = None

    @property
    def status(self) -> str:
        return "ended" if self.ended_at else "active"

    @property
    def stages(self) -> list[Mapping[str, Any]]:
        return list(self.plan.get("stages", ()))

    @property
    def planned_minutes(self) -> int:
        return sum(int(s.get("minutes", 0)) for s in self.stages)

    @property
    def spent_seconds(self) -> float:
        return float(sum(self.spent.values()))


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """What the home list needs: decrypted from the session's ``meta`` column only."""

    id: str
    person_id: str
    person_name: str
    title: str
    guide_id: str
    guide_name: str
    started_at: datetime
    ended_at: datetime | None
    spent_seconds: float
    programme_id: str | None = None

    @property
    def status(self) -> str:
        return "ended" if self.ended_at else "active"


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    session_id: str
    stage: str
    text: str
    private: bool = False
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    session_id: str
    person_id: str
    kind: str
    text: str
    owner: str = "me"
    due: date | None = None
    status: str = "open"
    stage: str = ""
    done_at: datetime | None = None
    carried_from: str | None = None
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in ("done", "dropped", "carried")


@dataclass(frozen=True, slots=True)
class Jot:
    id: str
    person_id: str
    text: str
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Programme:
    id: str
    name: str
    purpose: str = ""
    guide_id: str = "leadership-interview"
    themes: tuple[str, ...] = DEFAULT_THEMES
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    session_id: str
    stage: str
    theme: str
    passage: str
    subject_id: str | None = None  # the leader the passage is about
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StrategyItem:
    id: str
    programme_id: str
    text: str
    gaps: tuple[str, ...] = ()  # themes whose current/future gap it addresses
    tag_ids: tuple[str, ...] = ()
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExportRecord:
    id: str
    kind: str
    format: str
    destination: str
    scope: str
    count: int
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Damage:
    """One problem ``verify`` (or the cheap check at ``open``) found. ``id`` and ``column`` are
    ``"-"`` when the problem is the table's (rows deleted or added) or the file's."""
    table: str
    id: str
    column: str
    reason: str

    def __str__(self) -> str:
        """One line naming the place: ``items: 1 of 3 items deleted outside rapport``,
        ``notes/1f2e.. text: failed authentication``."""
        place = self.table if self.id == "-" else f"{self.table}/{self.id}"
        if self.column != "-":
            place += f" {self.column}"
        return f"{place}: {self.reason}"
