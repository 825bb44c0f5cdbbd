"""What a conversation guide is: plain, frozen data.

A :class:`Guide` is an ordered tuple of :class:`Stage` objects. Nothing here reads files or
validates user input; :mod:`guides.loader` turns TOML into these objects and refuses anything it
cannot fully check. Snapshots (:meth:`Guide.to_snapshot`) are what a session stores, so the notes
of an old conversation keep showing the guide exactly as it was used, even after the guide file
changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ITEM_KINDS = ("action", "decision", "agreement", "goal")
GUIDE_KINDS = ("interview", "feedback", "one-on-one", "custom")


@dataclass(frozen=True)
class Question:
    """A suggested question. ``deliberate`` marks a closed question asked on purpose."""

    text: str
    deliberate: bool = False


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    purpose: str
    minutes: int
    cues: tuple[str, ...]  # what to do
    avoid: tuple[str, ...]  # what to avoid
    phrases: tuple[str, ...]  # things to say
    questions: tuple[Question, ...]
    prompts: tuple[str, ...] = ()  # note prompts
    item_kinds: tuple[str, ...] = ()
    private: bool = False  # notes private by default
    followup: bool = False  # show the participant's open items from earlier sessions
    source: tuple[str, ...] = ()  # seed step/tip ids, e.g. ("step-1",) or ("tip-3",)

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "purpose": self.purpose,
            "minutes": self.minutes,
            "cues": list(self.cues),
            "avoid": list(self.avoid),
            "phrases": list(self.phrases),
            "questions": [{"text": q.text, "deliberate": q.deliberate} for q in self.questions],
            "prompts": list(self.prompts),
            "item_kinds": list(self.item_kinds),
            "private": self.private,
            "followup": self.followup,
            "source": list(self.source),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "Stage":
        return cls(
            key=_str(data, "key"),
            title=_str(data, "title"),
            purpose=_str(data, "purpose"),
            minutes=_int(data, "minutes"),
            cues=_strs(data, "cues"),
            avoid=_strs(data, "avoid"),
            phrases=_strs(data, "phrases"),
            questions=tuple(_question(q) for q in _list(data, "questions")),
            prompts=_strs(data, "prompts"),
            item_kinds=_strs(data, "item_kinds"),
            private=_bool(data, "private"),
            followup=_bool(data, "followup"),
            source=_strs(data, "source"),
        )


@dataclass(frozen=True)
class Guide:
    id: str
    name: str
    kind: str  # one of GUIDE_KINDS
    description: str
    version: int
    stages: tuple[Stage, ...]
    origin: str = "builtin"  # "builtin" or the path of the user's file

    @property
    def planned_minutes(self) -> int:
        return sum(stage.minutes for stage in self.stages)

    @property
    def is_builtin(self) -> bool:
        return self.origin == "builtin"

    def stage(self, key: str) -> Stage | None:
        for stage in self.stages:
            if stage.key == key:
                return stage
        return None

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable plain dict of the whole guide; :meth:`from_snapshot` inverts it."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "version": self.version,
            "origin": self.origin,
            "stages": [stage.to_snapshot() for stage in self.stages],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "Guide":
        """Rebuild a guide from :meth:`to_snapshot` output.

        Raises ``ValueError`` when ``data`` is not a snapshot. Keys it does not know are ignored,
        so snapshots written by a newer version still open.
        """
        if not isinstance(data, dict):
            raise ValueError("a guide snapshot must be a dict")
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            kind=_str(data, "kind"),
            description=_str(data, "description"),
            version=_int(data, "version"),
            stages=tuple(Stage.from_snapshot(_dict(s, "stages[]")) for s in _list(data, "stages")),
            origin=_str(data, "origin") if "origin" in data else "builtin",
        )


# --- snapshot helpers: strict, so a corrupted snapshot fails loudly instead of half-loading ----


def _get(data: Any, key: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"snapshot: expected a dict around {key!r}")
    if key not in data:
        raise ValueError(f"snapshot: missing {key!r}")
    return data[key]


def _str(data: Any, key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str):
        raise ValueError(f"snapshot: {key!r} must be a string")
    return value


def _int(data: Any, key: str) -> int:
    value = _get(data, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"snapshot: {key!r} must be an integer")
    return value


def _bool(data: Any, key: str) -> bool:
    if isinstance(data, dict) and key not in data:
        return False
    value = _get(data, key)
    if not isinstance(value, bool):
        raise ValueError(f"snapshot: {key!r} must be true or false")
    return value


def _list(data: Any, key: str) -> list[Any]:
    if isinstance(data, dict) and key not in data:
        return []
    value = _get(data, key)
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"snapshot: {key!r} must be a list")
    return list(value)


def _strs(data: Any, key: str) -> tuple[str, ...]:
    items = _list(data, key)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"snapshot: {key!r} must be a list of strings")
    return tuple(items)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"snapshot: {where} must be a dict")
    return value


def _question(value: Any) -> Question:
    if isinstance(value, str):  # tolerate the short form
        return Question(value)
    return Question(text=_str(value, "text"), deliberate=_bool(value, "deliberate"))
