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
#: the note of a goal's first check-in, made with it: its setting, not a check-in on it
GOAL_SET = "goal set"


def sets_goal(position: int, note: str | None) -> bool:
    """Whether a goal's check-in at ``position`` (0: its first) with ``note`` is the goal's
    setting, made with it, rather than a check-in on it."""
    return position == 0 and note == GOAL_SET
CADENCES = {"weekly": 7, "fortnightly": 14, "monthly": 30}
POINT_OWNERS = ("mine", "theirs")  # mine: to raise; theirs: they asked to discuss it
POINT_STATUSES = ("open", "covered", "dropped")
FEEDBACK_DIRECTIONS = ("given", "received")
FEEDBACK_KINDS = ("praise", "developmental")


def feedback_kind(guide_id: str) -> str:
    """The kind a session's feedback entry starts as: praise in the praise guide, else
    developmental (the facilitator may change it)."""
    return "praise" if guide_id == "praise" else "developmental"


#: What a guide's stage with ``records = ...`` fills in of the session's feedback entry.
FEEDBACK_STAGE_FIELDS = {"feedback": ("situation", "behaviour", "impact"),
                         "feedback-response": ("response",),
                         "feedback-next-step": ("next_step", "item_id")}
FEEDBACK_TEXTS = ("situation", "behaviour", "impact", "response", "next_step")
#: Each text of a feedback entry with its label, as the record and the full export say them.
FEEDBACK_PARTS = (("situation", "Situation"), ("behaviour", "Behaviour"), ("impact", "Impact"),
                  ("response", "Their response"), ("next_step", "Next step"))
ROSTER_STATUSES = ("planned", "scheduled", "done", "declined")
#: a roster place still to be interviewed (not in a closed programme: its round is over)
ROSTER_TO_GO = ("planned", "scheduled")
CONSENTS = ("given", "refused")
PULSE_SCORES = (1, 2, 3, 4, 5)
#: A run of low scores: the last LOW_RUN pulses all at or below LOW_SCORE.
LOW_SCORE = 2
LOW_RUN = 3
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
    guide_id: str | None = None  # the default guide for a new session with them
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
    paused: bool = False  # the timer was paused when the session was last left
    rev: int = 0
    updated_at: datetime | None = None

    @property
    def status(self) -> str:
        return "ended" if self.ended_at else "active"

    @property
    def stages(self) -> list[Mapping[str, Any]]:
        return list(self.plan.get("stages", ()))

    @property
    def kind(self) -> str:
        """Its guide's kind: one-on-one, feedback, interview or custom (a plan without one,
        from before kinds: a 1-on-1)."""
        return str(self.plan.get("kind") or "one-on-one")

    @property
    def carries_points(self) -> bool:
        """Talking points are carried from 1-on-1 to 1-on-1: ending one carries the person's
        points not covered to the next; a feedback session, praise, a guide of your own or an
        interview leaves them as they are (open: the next 1-on-1 lists them)."""
        return self.kind == "one-on-one" and self.programme_id is None

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
    #: when its round was closed (None: running); a closed one takes no new interview
    closed_at: datetime | None = None


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
    ``"-"`` when the problem is the table's (rows deleted or added) or the file's. ``rows``: the
    problem is the set of rows (deleted, added or replaced outside rapport, or the row summary
    missing or not authentic), which :meth:`store.Store.accept_rows` settles once the loss is
    known; a damaged field or page it does not."""
    table: str
    id: str
    column: str
    reason: str
    rows: bool = False

    def __str__(self) -> str:
        """One line naming the place: ``items: 1 of 3 items deleted outside rapport``,
        ``notes/1f2e.. text: failed authentication``."""
        place = self.table if self.id == "-" else f"{self.table}/{self.id}"
        if self.column != "-":
            place += f" {self.column}"
        return f"{place}: {self.reason}"

# ---------------------------------------------------------------------- between sessions


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    """Something to raise next time (``owner`` "mine") or that they asked to discuss
    ("theirs"). Open until covered in a session; ``carried``: sessions it was open in and not
    covered (it carries to the next one)."""

    id: str
    person_id: str
    text: str
    owner: str = "mine"
    status: str = "open"
    session_id: str | None = None  # where it was covered
    covered_at: datetime | None = None
    carried: tuple[str, ...] = ()
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class Meeting:
    """The next meeting with someone, as set (it overrides the one the cadence computes)."""

    id: str
    person_id: str
    day: date
    time: str | None = None  # "HH:MM", local; None: all day
    minutes: int | None = None
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A meeting to come: set (``Meeting``) or computed from the cadence and the last one."""

    person: Person
    day: date
    time: str | None
    minutes: int | None
    every: str | None  # the cadence: how it recurs
    source: str  # "set" or "cadence"
    state: str  # "overdue", "today", "soon" (within 2 days), "later"
    last_met: date | None = None  # the last regular 1-on-1 (not praise, feedback, interviews)


@dataclass(frozen=True, slots=True)
class Question:
    """One of your own questions, for a guide's stage (the question bank)."""

    id: str
    guide_id: str
    stage: str
    text: str
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Pulse:
    """How they are, at a 1-on-1's check-in: 1 (low) to 5, and a word."""

    id: str
    person_id: str
    session_id: str | None
    score: int
    word: str = ""
    day: date | None = None  # the session's day (local), else when it was recorded
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback given or received: situation, behaviour, impact, their response and the agreed
    next step (``item_id``: the action item it became, when there is one)."""

    id: str
    person_id: str
    session_id: str | None
    direction: str = "given"
    kind: str = "developmental"
    situation: str = ""
    behaviour: str = ""
    impact: str = ""
    response: str = ""
    next_step: str = ""
    item_id: str | None = None
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    goal_id: str
    text: str
    progress: int = 0
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One change of a goal (or of one of its key results), dated, with a note."""

    id: str
    goal_id: str
    status: str | None
    progress: int | None
    key_result: str | None = None  # the key result's id, when it was one of them
    note: str = ""
    session_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """A goal (an item of kind "goal") with where it stands: its progress (the mean of its key
    results' when it has any, else the last one checked in), its key results, its check-ins
    (oldest first) and the action items linked to it."""

    item: Item
    progress: int
    key_results: tuple[KeyResult, ...] = ()
    checkins: tuple[CheckIn, ...] = ()
    actions: tuple[Item, ...] = ()

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def text(self) -> str:
        return self.item.text

    @property
    def status(self) -> str:
        return self.item.status

    def checked_in(self, session_id: str) -> bool:
        """Whether it was checked in on in that session (its first check-in, made with it, is
        its setting, not a check-in: as the session's document counts them)."""
        return any(c.session_id == session_id and not sets_goal(i, c.note)
                   for i, c in enumerate(self.checkins))


@dataclass(frozen=True, slots=True)
class RosterPlace:
    """Someone on a programme's roster: to be interviewed, and whether they consented."""

    id: str
    programme_id: str
    person_id: str
    status: str = "planned"
    consent: str | None = None  # "given", "refused", None: not recorded yet
    consent_at: datetime | None = None
    session_id: str | None = None  # the interview where consent was recorded
    note: str = ""
    rev: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    """What :meth:`Store.end_reviewed` did: the session as ended, the talking points it carried
    to the next one, and its person's roster place if its end marked it done (None: it did not,
    the place said done or declined already, or it is no programme's interview)."""

    session: Session
    carried: list[TalkingPoint]
    marked: RosterPlace | None = None


@dataclass(frozen=True, slots=True)
class TakenBack:
    """What deleting a session also takes back, beyond its own records
    (:meth:`Store.taken_back_by_deleting` before, :meth:`Store.delete_session` after)."""

    meeting: bool = False  # the next meeting its end review set (the one it replaced is back)
    #: its person's roster place, back to this status (planned, scheduled; declined: a place
    #: its consent added holds their refusal), or "off" (the place its consent added goes)
    roster: str | None = None
    consent: str | None = None  # "given": the consent given at it, cleared (a refusal stays)

    def __bool__(self) -> bool:
        return self.meeting or self.roster is not None or self.consent is not None


@dataclass(frozen=True, slots=True)
class SinceLastTime:
    """What the "since last time" panel shows for a person (:meth:`Store.since_last_time`)."""

    person: Person
    last_session: SessionSummary | None
    last_summary: str  # the participant's summary of the last ended session (Markdown), or ""
    theirs: tuple[Item, ...]  # open action items they own, overdue first
    mine: tuple[Item, ...]  # open action items I own, overdue first
    overdue: frozenset[str]  # ids of the items above that are overdue
    jots: tuple[Jot, ...]  # written since the last session
    goals: tuple[Goal, ...]  # open goals
    points: tuple[TalkingPoint, ...]  # open talking points, theirs first
    pulses: tuple[Pulse, ...]  # the recent ones, oldest first
    low_run: bool  # the last pulses are a run of low scores
    next_meeting: Upcoming | None
    done: tuple[Item, ...] = ()  # action items closed since the last session ended, oldest first
    #: the newest session with them started and never ended (not the one being opened): left
    #: open by mistake, it is not "last time", yet they met
    still_open: SessionSummary | None = None
