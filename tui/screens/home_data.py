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
    """What the home screen reads: its rows, how many action items are due (today or before,
    both ways: what to follow through on), and what could not be read."""

    rows: list[Row]
    problems: list[str] = field(default_factory=list)
    due_items: int = 0


@dataclass
class Agenda:
    """Read after the list: the meetings to come (overdue first) and who has had a run of low
    pulses."""

    upcoming: list["Upcoming"]
    low: list["Person"]
    problems: list[str] = field(default_factory=list)


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


def read_home(store: "Store", today: date) -> HomeData:
    """The whole list, its Open counts and the action items due by ``today``, from one read of
    the open items (each decrypted once). Damage is reported, never hidden: what unlocking
    found (rows deleted outside rapport: ``store.damage``) first, then every part that failed
    to read; the sessions that still read are listed."""
    problems = [str(d) for d in store.damage]
    try:
        summaries = store.summaries()
    except Damaged:
        summaries, unread = readable_summaries(store)
        problems += unread
    try:
        actions = [i for i in store.items(open_only=True) if i.kind == "action"]
    except Damaged as exc:
        actions = []
        problems.append(f"{exc} (the Open column is blank, items due are not counted)")
    counts: dict[str, int] = {}
    for item in actions:  # as store.open_actions counts them
        counts[item.session_id] = counts.get(item.session_id, 0) + 1
    due = sum(1 for i in actions if i.due is not None and i.due <= today)
    return HomeData([make_row(s, counts) for s in summaries], problems, due)


def read_agenda(store: "Store", today: date) -> Agenda:
    """The next meetings (set, else from the cadence) and the people with a run of low pulses;
    a part that fails to read is named, the other is shown."""
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
    return Agenda(upcoming, low, problems)
