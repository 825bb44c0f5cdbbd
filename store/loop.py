"""The loop between conversations: what to prepare from, and the summary shared afterwards.

* :func:`since_last_time` is everything the "since last time" panel (and the Prepare view)
  shows for a person, in one call: the UI only lays it out.
* :func:`share_summary` is the participant's summary for the clipboard: the same text as
  ``rapport export ID`` writes (never a private note), recorded in the export log like any
  export (kind ``clipboard``), since OSC 52 passes it through the terminal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from .export import render
from .models import Item, SinceLastTime
from .scope import Scope

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

#: How many recent pulses the panel shows.
RECENT_PULSES = 8


def since_last_time(store: Store, person_id: str, *, session_id: str | None = None,
                    today: date | None = None, facilitator: str = "Facilitator") -> SinceLastTime:
    """What happened with ``person_id`` since you last met. ``session_id``: the session being
    opened (it and later ones are not "last time"). ``today``: for what is overdue (default:
    the store's clock, local day). ``facilitator``: your name as the owner of your items in
    last time's summary (as in the exports). ``done``: the action items closed between the
    last session's end and now (from the items screen, a person's page, ``rapport items
    done``, or a later session), so that both can say what was followed through."""
    person = store.person(person_id)
    today = today or store.today()
    current = store.session(session_id) if session_id else None
    summaries = [s for s in store.summaries(person_id=person_id)
                 if current is None or (s.id != current.id
                                        and s.started_at <= current.started_at)]
    ended = [s for s in summaries if s.ended_at is not None]
    last = max(ended, key=lambda s: s.started_at) if ended else None
    still_open = max((s for s in summaries if s.ended_at is None), key=lambda s: s.started_at,
                     default=None)
    text = ""
    if last is not None:
        text = render(store, Scope.sessions(last.id), "md", "summary", tz=None,
                      facilitator=facilitator).text
    since = last.started_at if last is not None else None
    items = [i for i in store.items(person_id=person_id, open_only=True)
             if i.kind == "action" and (current is None or i.session_id != current.id)]
    overdue = frozenset(i.id for i in items if i.due is not None and i.due < today)

    def order(item: Item) -> tuple[bool, date, datetime]:
        return (item.id not in overdue, item.due or date.max, item.created_at or datetime.min)

    closed = last.ended_at if last is not None else None
    done = sorted((i for i in store.items(person_id=person_id)
                   if i.kind == "action" and i.status == "done" and closed is not None
                   and i.done_at is not None and i.done_at > closed),
                  key=lambda i: i.done_at or datetime.min)
    points = store.talking_points(person_id, open_only=True)
    points.sort(key=lambda p: (p.owner != "theirs", p.created_at or datetime.min))
    pulses = store.pulses(person_id)
    upcoming = next(iter(store.upcoming(today, person_id=person_id)), None)
    return SinceLastTime(
        person=person, last_session=last, last_summary=text,
        theirs=tuple(sorted((i for i in items if i.owner == "them"), key=order)),
        mine=tuple(sorted((i for i in items if i.owner == "me"), key=order)),
        overdue=overdue,
        jots=tuple(j for j in store.jots(person_id)
                   if since is None or (j.created_at is not None and j.created_at >= since)),
        goals=tuple(store.goals(person_id, open_only=True)), points=tuple(points),
        pulses=tuple(pulses[-RECENT_PULSES:]), low_run=store.low_run(person_id),
        next_meeting=upcoming, done=tuple(done), still_open=still_open)


def share_summary(store: Store, session_id: str, *, facilitator: str = "Facilitator") -> str:
    """The participant's summary of ``session_id`` (Markdown, local times: what ``rapport
    export ID`` writes, your items owned by ``facilitator``), recorded as an export of kind
    ``clipboard``. Copy what it returns."""
    doc = render(store, Scope.sessions(session_id), "md", "summary", tz=None,
                 facilitator=facilitator)
    store.record_export(kind="clipboard", format="md", destination="clipboard",
                        scope=doc.scope_label, count=doc.count)
    return doc.text
