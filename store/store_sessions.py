"""The sessions part of :class:`~store.store.Store`: sessions, their notes and their items
(:mod:`store.sessions`, :mod:`store.notes`, :mod:`store.items`; a goal's check-ins,
:mod:`store.goals`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Mapping

from .models import GOAL_SET, Item, Note, Session, SessionSummary, TakenBack
from .store_base import StoreBase


class SessionsFace(StoreBase):
    """Sessions, notes and items (see the module)."""

    # ------------------------------------------------------------------ sessions
    def start_session(self, person_id: str, plan: dict[str, Any], *, title: str = "",
                      programme_id: str | None = None,
                      started_at: datetime | None = None) -> Session:
        """``programme_id``: an interview in that programme (refused when it is closed)."""
        with self.engine.write():
            if programme_id is not None:
                self._programmes.check_open(programme_id)
            return self._sessions.start(person_id, plan, title=title,
                                        programme_id=programme_id, started_at=started_at)

    def session(self, session_id: str) -> Session:
        return self._sessions.get(session_id)

    def resolve_session(self, ref: str) -> Session:
        return self._sessions.resolve(ref)

    def sessions(self, *, person_id: str | None = None, status: str | None = None,
                 programme_id: str | None = None) -> list[Session]:
        return self._sessions.all(person_id=person_id, status=status, programme_id=programme_id)

    def session_times(self, person_id: str | None = None
                      ) -> dict[str, tuple[datetime, datetime | None]]:
        return self._sessions.times(person_id)

    def session_count(self) -> int:
        return self._sessions.count()

    def summaries(self, *, limit: int | None = None, offset: int = 0,
                  person_id: str | None = None, status: str | None = None,
                  programme_id: str | None = None) -> list[SessionSummary]:
        return self._sessions.summaries(limit=limit, offset=offset, person_id=person_id,
                                        status=status, programme_id=programme_id)

    def session_plans(self, session_ids: Iterable[str]) -> dict[str, Any]:
        return self._sessions.plans(session_ids)

    def save_session_state(self, session_id: str, *, stage_index: int | None = None,
                           spent: Mapping[str, float] | None = None,
                           visited: Iterable[str] | None = None,
                           asked: Mapping[str, Iterable[int]] | None = None,
                           title: str | None = None, paused: bool | None = None) -> Session:
        """``paused``: the timer is paused (kept until resumed, across quit and resume)."""
        return self._sessions.save_state(session_id, stage_index=stage_index, spent=spent,
                                         visited=visited, asked=asked, title=title,
                                         paused=paused)

    def end_session(self, session_id: str, *, ended_at: datetime | None = None) -> Session:
        return self._sessions.end(session_id, ended_at=ended_at)

    def reopen_session(self, session_id: str) -> Session:
        return self._sessions.reopen(session_id)

    def delete_session(self, session_id: str) -> TakenBack:
        """The session, its notes, items and tags, the next meeting its end review set (the
        one it replaced set again, unless it was set again since: :mod:`store.meetings`), the
        roster place its end marked done (planned or scheduled again, unless another ended
        interview with them in the programme says done, or it was set by hand since) or its
        consent put on the roster, a consent given at it (:mod:`store.roster`), and the sealed
        search index (its text must not outlive it), in one transaction. What it took back
        besides its own records (as :meth:`taken_back_by_deleting` said it would)."""
        with self.engine.write():
            meeting = self._meetings.take_back(self._sessions.brief(session_id)[0], session_id)
            roster, consent = self._roster.take_back(session_id)
            started = self._sessions.delete(session_id)
            self._search.drop_sealed(started)
        self._notes.forget(session_id)
        self._search.drop_session(session_id)
        self._search.reseal()
        return TakenBack(meeting=meeting, roster=roster, consent=consent)

    def taken_back_by_deleting(self, session_id: str) -> TakenBack:
        """What :meth:`delete_session` would take back besides the session's own records (the
        next meeting its review set, its person's roster place, a consent given at it), read
        only: for the question asked before deleting."""
        person_id = self._sessions.brief(session_id)[0]
        roster, consent = self._roster.taking_back(session_id)
        return TakenBack(meeting=self._meetings.set_by(person_id, session_id), roster=roster,
                         consent=consent)

    # ------------------------------------------------------------------ notes
    def notes(self, session_id: str) -> list[Note]:
        return self._notes.of_session(session_id)

    def save_note(self, session_id: str, stage: str, text: str, *, private: bool = False) -> Note:
        """Saves the note of ``stage`` at revision + 1; returns only after the commit."""
        return self._notes.save(session_id, stage, text, private=private)[0]

    # ------------------------------------------------------------------ items
    def add_item(self, session_id: str, kind: str, text: str, *, owner: str = "me",
                 due: date | str | None = None, stage: str = "", status: str | None = None,
                 carried_from: str | None = None) -> Item:
        """A goal gets its first check-in with it (:mod:`store.goals`)."""
        with self.engine.write():
            item = self._items.add(session_id, kind, text, owner=owner, due=due, stage=stage,
                                   status=status, carried_from=carried_from)[0]
            if kind == "goal":
                self._goals.log(item, status=item.status, progress=None, note=GOAL_SET,
                                session_id=session_id)
        return item

    def items(self, *, session_id: str | None = None, person_id: str | None = None,
              open_only: bool = False, session_ids: Iterable[str] | None = None) -> list[Item]:
        return self._items.all(session_id=session_id, person_id=person_id,
                                open_only=open_only, session_ids=session_ids)

    def open_actions(self, *, session_ids: Iterable[str] | None = None) -> dict[str, int]:
        return self._items.open_actions(session_ids=session_ids)

    def item(self, item_id: str) -> Item:
        return self._items.get(item_id)

    def update_item(self, item_id: str, **changes: Any) -> Item:
        """Changes any of an item's fields (kind, text, owner, due, status...): the text is
        cleaned and never empty, a goal stays a goal, the status is one of its kind's. A goal's
        change of status is kept as a check-in (its history)."""
        with self.engine.write():
            before = self._items.get(item_id)
            after = self._items.update(item_id, **changes)
            if after.kind == "goal" and after.status != before.status:
                self._goals.log(after, status=after.status)
        return after

    def update_items(self, item_ids: Iterable[str], **changes: Any) -> list[Item]:
        """:meth:`update_item` on each of ``item_ids`` (``rapport items done A B``), in one
        transaction: all of them change, or, when one cannot, none does."""
        with self.engine.write():
            return [self.update_item(item_id, **changes) for item_id in item_ids]

    def carry_forward(self, item_id: str, session_id: str) -> Item:
        """Copies an open item into ``session_id`` and marks the original as carried."""
        return self._items.carry_forward(item_id, session_id)[0]

    def open_items_before(self, person_id: str, session: Session) -> list[Item]:
        return self._items.open_before(person_id, session)
