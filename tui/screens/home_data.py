"""What the home screen reads, in its workers: the sessions list (damage reported, never hidden)
and, after it, what is coming (next meetings) and who to look out for (a run of low pulses).

Plain Python: called from worker threads, nothing here touches a widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from store import Damaged, RapportError, SessionSummary
from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    from store import Person, Store, Upcoming

PAGE = 200


@dataclass
class Row:
    summary: SessionSummary
    open_items: int
    haystack: str


@dataclass
class HomeData:
    """What the home screen reads: its rows, and what could not be read."""

    rows: list[Row]
    problems: list[str] = field(default_factory=list)


@dataclass
class Agenda:
    """Read after the list: the meetings to come (overdue first), who has had a run of low
    pulses, and how many action items are due."""

    upcoming: list["Upcoming"]
    low: list["Person"]
    problems: list[str] = field(default_factory=list)
    due_items: int = 0  # open action items due today or overdue, both ways


def first_page(store: "Store", height: int) -> list[Row]:
    """The rows the first paint shows: a screen's height of sessions, with their open actions
    counted. Read by the unlock worker; a failure here leaves the first paint empty, and the
    home screen's full read (:func:`read_home`) reports it."""
    try:
        summaries = store.summaries(limit=max(10, height))
        counts = store.open_actions(session_ids=[s.id for s in summaries])
    except RapportError:
        return []
    return [make_row(s, counts) for s in summaries]


def make_row(s: SessionSummary, counts: dict[str, int]) -> Row:
    hay = " ".join((s.person_name, s.title, s.guide_name, fmt.when(s.started_at), s.status))
    return Row(s, counts.get(s.id, 0), hay.casefold())


def readable_summaries(store: "Store", page: int = PAGE) -> tuple[list[SessionSummary], list[str]]:
    """Every session summary that still reads, and one line per one that does not (a page that
    fails is halved until the damaged rows are alone)."""
    total = store.session_count()
    found: list[SessionSummary] = []
    problems: list[str] = []

    def read(offset: int, limit: int) -> None:
        try:
            found.extend(store.summaries(limit=limit, offset=offset))
        except Damaged as exc:
            if limit == 1:
                problems.append(str(exc))
                return
            half = limit // 2
            read(offset, half)
            read(offset + half, limit - half)

    for offset in range(0, total, page):
        read(offset, min(page, total - offset))
    return found, problems


def read_home(store: "Store") -> HomeData:
    """The whole list and its Open counts. Damage is reported, never hidden: what unlocking
    found (rows deleted outside rapport: ``store.damage``) first, then every part that failed
    to read; the sessions that still read are listed."""
    problems = [str(d) for d in store.damage]
    try:
        summaries = store.summaries()
    except Damaged:
        summaries, unread = readable_summaries(store)
        problems += unread
    try:
        counts = store.open_actions()
    except Damaged as exc:
        counts = {}
        problems.append(f"{exc} (the Open column is blank)")
    return HomeData([make_row(s, counts) for s in summaries], problems)


def read_agenda(store: "Store", today: date) -> Agenda:
    """The next meetings (set, else from the cadence), the people with a run of low pulses and
    the open action items due today or before; a part that fails to read is named, the others
    are shown."""
    problems: list[str] = []
    try:
        upcoming = store.upcoming(today)
    except Damaged as exc:
        upcoming = []
        problems.append(f"{exc} (the next meetings are not shown)")
    try:
        low = store.low_runs()
    except Damaged as exc:
        low = []
        problems.append(f"{exc} (low pulses are not flagged)")
    try:
        due_items = sum(1 for i in store.items(open_only=True)
                        if i.kind == "action" and i.due is not None and i.due <= today)
    except Damaged as exc:
        due_items = 0
        problems.append(f"{exc} (items due are not counted)")
    return Agenda(upcoming, low, problems, due_items)
