"""What a conversation guide is: plain, frozen data.

A :class:`Guide` is an ordered tuple of :class:`Stage` objects. Nothing here reads files or
validates user input; :mod:`guides.loader` turns TOML into these objects and refuses anything it
cannot fully check. Snapshots (:meth:`Guide.to_snapshot`) are what a session stores, so the notes
of an old conversation keep showing the guide exactly as it was used, even after the guide file
changes. :meth:`Guide.scaled` fits a guide's plan to the slot the conversation has.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

ITEM_KINDS = ("action", "decision", "agreement", "goal")
GUIDE_KINDS = ("interview", "feedback", "one-on-one", "custom")
#: What a stage's notes can also be recorded as (hooks for the pulse and the feedback log).
RECORDS = ("pulse", "feedback", "feedback-response", "feedback-next-step", "consent")
MAX_SLOT = 600  # minutes: a slot longer than ten hours is a typo
MINUTES_PER_CORE_QUESTION = 3  # the floor a stage keeps per core question when a slot is short


@dataclass(frozen=True)
class Question:
    """A suggested question.

    ``core`` marks one of the one or two questions the stage exists for (shown first; the rest
    are probes); ``deliberate`` marks a closed question asked on purpose (the lint lets it be).
    """

    text: str
    deliberate: bool = False
    core: bool = False


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
    source: tuple[str, ...] = ()  # trace ids, e.g. ("step-1",), ("tip-3",), ("sbi",)
    optional: bool = False  # skipped most times; may shrink to 1 minute when the slot is short
    records: str | None = None  # one of RECORDS: what the stage's notes also fill in
    #: the programme theme a passage tagged in this stage is most likely about (the tag dialog
    #: opens on it); None: the dialog guesses from the key
    theme: str | None = None

    @property
    def floor(self) -> int:
        """The fewest minutes scaling leaves this stage: 3 per core question (a real answer takes
        3-5 minutes), never more than its plan; 1 for an optional stage or one without core
        questions."""
        if self.optional:
            return 1
        core = sum(1 for q in self.questions if q.core)
        return max(1, min(self.minutes, MINUTES_PER_CORE_QUESTION * core))

    def to_snapshot(self) -> dict[str, Any]:
        """A plain dict; ``theme`` only when set, so the plan of a stage without one is as it
        was before themes could be named (in the vault and in a full JSON export)."""
        snapshot: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "purpose": self.purpose,
            "minutes": self.minutes,
            "cues": list(self.cues),
            "avoid": list(self.avoid),
            "phrases": list(self.phrases),
            "questions": [{"text": q.text, "deliberate": q.deliberate, "core": q.core}
                          for q in self.questions],
            "prompts": list(self.prompts),
            "item_kinds": list(self.item_kinds),
            "private": self.private,
            "followup": self.followup,
            "source": list(self.source),
            "optional": self.optional,
            "records": self.records,
        }
        if self.theme is not None:
            snapshot["theme"] = self.theme
        return snapshot

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
            optional=_bool(data, "optional"),
            records=_opt_str(data, "records"),
            theme=_opt_str(data, "theme"),
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
    # guide-wide: behaviours for the whole conversation (listening, empathy), and their trace
    cues: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    #: every passage is about one person (a stakeholder interview's leader): the tag dialog's
    #: "About" carries on from stage to stage (else it is kept within a stage only)
    one_subject: bool = False

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

    def scaled(self, minutes: int) -> "Guide":
        """This guide with its stage timeboxes fitted to a ``minutes``-long slot.

        Every stage scales in proportion; when the slot is shorter than the plan, no stage goes
        below its :attr:`Stage.floor` (3 minutes per core question; 1 for an optional stage). If even the
        floors do not fit, the floors themselves shrink in proportion, at least 1 minute each.
        The result's :attr:`planned_minutes` is exactly ``minutes``. Raises ``ValueError`` for a
        slot shorter than one minute per stage or longer than :data:`MAX_SLOT`.
        """
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValueError("the slot must be a whole number of minutes")
        count = len(self.stages)
        if minutes < max(1, count):
            raise ValueError(f"{minutes} minutes is too short for {count} stages "
                             f"(at least {max(1, count)})")
        if minutes > MAX_SLOT:
            raise ValueError(f"a slot is at most {MAX_SLOT} minutes, not {minutes}")
        if minutes == self.planned_minutes:
            return self
        plan = scale_minutes([s.minutes for s in self.stages], [s.floor for s in self.stages],
                             minutes)
        stages = tuple(dataclasses.replace(s, minutes=m) for s, m in zip(self.stages, plan))
        return dataclasses.replace(self, stages=stages)

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable plain dict of the whole guide; :meth:`from_snapshot` inverts it.
        ``one_subject`` only when set: the plans of every other guide (in the vault, and in a
        full JSON export) stay as they were before it existed."""
        snapshot = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "version": self.version,
            "origin": self.origin,
            "cues": list(self.cues),
            "avoid": list(self.avoid),
            "phrases": list(self.phrases),
            "source": list(self.source),
            "stages": [stage.to_snapshot() for stage in self.stages],
        }
        if self.one_subject:
            snapshot["one_subject"] = True
        return snapshot

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
            cues=_strs(data, "cues"),
            avoid=_strs(data, "avoid"),
            phrases=_strs(data, "phrases"),
            source=_strs(data, "source"),
            one_subject=_bool(data, "one_subject"),
        )


def scale_minutes(planned: list[int], floors: list[int], total: int) -> list[int]:
    """Whole minutes summing to ``total``, in proportion to ``planned``, none below its floor.

    Stages whose share would fall below their floor are pinned there and the rest is shared
    again among the others (water-filling); whole minutes are handed out by largest remainder.
    When the floors alone exceed ``total``, the floors are scaled instead, with a floor of 1.
    """
    count = len(planned)
    if count == 0:
        return []
    floors = [max(1, min(f, p)) if total < sum(planned) else 1 for f, p in zip(floors, planned)]
    if sum(floors) > total:
        return scale_minutes(floors, [1] * count, total)
    pinned: dict[int, int] = {}
    while True:
        free = [i for i in range(count) if i not in pinned]
        budget = total - sum(pinned.values())
        weight = sum(planned[i] for i in free)
        shares = {i: Fraction(budget * planned[i], weight) for i in free}
        low = [i for i in free if shares[i] < floors[i]]
        if not low:
            break
        for i in low:
            pinned[i] = floors[i]
    whole = {i: math.floor(share) for i, share in shares.items()}  # exact: no float drift
    left = budget - sum(whole.values())
    for i in sorted(free, key=lambda i: (whole[i] - shares[i], i))[:left]:
        whole[i] += 1
    return [pinned[i] if i in pinned else whole[i] for i in range(count)]


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


def _opt_str(data: Any, key: str) -> str | None:
    if isinstance(data, dict) and data.get(key) is None:
        return None
    return _str(data, key)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"snapshot: {where} must be a dict")
    return value


def _question(value: Any) -> Question:
    if isinstance(value, str):  # tolerate the short form
        return Question(value)
    return Question(text=_str(value, "text"), deliberate=_bool(value, "deliberate"),
                    core=_bool(value, "core"))
