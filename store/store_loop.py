"""The loop between conversations, part of :class:`~store.store.Store`: jots, talking points,
the next meeting and what is due, the question bank, pulses, feedback and goals. It reads people,
sessions and items (:class:`~store.store_people.PeopleFace`,
:class:`~store.store_sessions.SessionsFace`)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from types import EllipsisType
from typing import Any, Iterator

from . import agenda
from .models import (
    CADENCES, Ended, Feedback, Goal, Item, Jot, KeyResult, Meeting, Person, Pulse, Question,
    Session, TalkingPoint, Upcoming,
)
from .pulses import low_run
from .search_index import POINTS, quarter
from .store_people import PeopleFace
from .store_sessions import SessionsFace


class LoopFace(PeopleFace, SessionsFace):
    """Between conversations (see the module)."""

    # ------------------------------------------------------------------ jots
    def add_jot(self, person_id: str, text: str) -> Jot:
        return self._jots.add(person_id, text)

    def jots(self, person_id: str | None = None) -> list[Jot]:
        return self._jots.all(person_id)

    # ------------------------------------------------------------------ talking points
    def add_talking_point(self, person_id: str, text: str, *, owner: str = "mine"
                          ) -> TalkingPoint:
        """``owner``: "mine" (to raise) or "theirs" (they asked to discuss it)."""
        return self._points.add(person_id, text, owner=owner)

    def talking_points(self, person_id: str | None = None, *, open_only: bool = False
                       ) -> list[TalkingPoint]:
        return self._points.all(person_id, open_only=open_only)

    def update_talking_point(self, point_id: str, **changes: Any) -> TalkingPoint:
        """``text``, ``owner``, ``status`` ("open" again, "dropped")."""
        return self._points.update(point_id, **changes)

    def cover_talking_point(self, point_id: str, session_id: str) -> TalkingPoint:
        return self._points.cover(point_id, session_id)

    def carry_talking_points(self, session_id: str) -> list[TalkingPoint]:
        """At the end of a 1-on-1: the points not covered carry to the next one (another kind
        of session carries none: :attr:`Session.carries_points`)."""
        if not self._sessions.get(session_id).carries_points:
            return []
        return self._points.carry(session_id)

    def delete_talking_point(self, point_id: str) -> None:
        """The point, and the sealed copy of the search index's shard of points (its text must
        not outlive it), in one transaction; sealed again at once from the index in memory."""
        with self.engine.write():
            self._points.delete(point_id)
            self._search.drop_sealed(shard=POINTS)
        self._search.reseal()

    # ------------------------------------------------------------------ the next meeting
    def next_meeting(self, person_id: str) -> Meeting | None:
        """The next meeting as set (None: the cadence decides)."""
        return self._meetings.get(person_id)

    def set_next_meeting(self, person_id: str, day: date, *, time: str | None = None,
                         minutes: int | None = None,
                         cadence: str | None | EllipsisType = ...) -> Meeting:
        """Overrides the day the cadence computes; ``time`` "HH:MM" local (None: all day).
        ``cadence``: how it recurs, set on the person in the same transaction (None: none;
        left out: unchanged): both change, or neither."""
        with self._agreeing(person_id, cadence):
            return self._meetings.set(person_id, day, time=time, minutes=minutes)

    def clear_next_meeting(self, person_id: str, *,
                           cadence: str | None | EllipsisType = ...) -> bool:
        """The cadence decides again; ``cadence`` as :meth:`set_next_meeting`'s."""
        with self._agreeing(person_id, cadence):
            return self._meetings.clear(person_id)

    @contextmanager
    def _agreeing(self, person_id: str, cadence: str | None | EllipsisType) -> Iterator[None]:
        """One transaction: the ``cadence`` agreed set on the person (``...``: left as it is),
        then what the block writes; a failure anywhere leaves the cadence as it was."""
        try:
            with self.engine.write():
                if not isinstance(cadence, EllipsisType):
                    self._people.update(person_id, cadence=cadence)
                yield
        except BaseException:
            self._people.forget()  # the cadence held decrypted may be one rolled back
            raise

    def today(self) -> date:
        return self.clock().astimezone().date()

    def upcoming(self, today: date | None = None, *,
                 person_id: str | None = None) -> list[Upcoming]:
        """Everyone's next meeting, soonest first (:mod:`store.agenda`); ``person_id``: theirs
        alone (none, without a meeting set or a cadence), read for them only."""
        people = self.people() if person_id is None else [self.person(person_id)]
        return agenda.upcoming(people, self._sessions.last_regular(person_id),
                               self._meetings.all(), today or self.today())

    def suggest_next_meeting(self, person_id: str, *, usual_guide: str | None = None,
                             usual_minutes: int | None = None
                             ) -> tuple[date, str | None, int | None]:
        """What the end-of-session review offers (day, "HH:MM" or None, minutes): the meeting
        already set if it is still to come, else the cadence after the last meeting's day, at
        its time of day (the set slot's, if it held one), as long as a regular meeting with
        them (:func:`store.agenda.regular_minutes`): their default guide (``usual_guide`` when
        they have none: the app's) and ``usual_minutes``, that guide's own length (the guide
        catalog knows it; the store does not read guides)."""
        options = self.suggest_next_meetings(person_id, usual_guide=usual_guide,
                                             usual_minutes=usual_minutes)
        return options.get(self.person(person_id).cadence, options[None])

    def suggest_next_meetings(self, person_id: str, *, usual_guide: str | None = None,
                              usual_minutes: int | None = None
                              ) -> dict[str | None, tuple[date, str | None, int | None]]:
        """:meth:`suggest_next_meeting` for each cadence the review can agree (None: none, a
        week on), read once: a first 1-on-1's review offers the date of the cadence chosen."""
        person = self.person(person_id)
        sessions = self.sessions(person_id=person_id)
        last = sessions[0].started_at if sessions else None
        minutes = agenda.regular_minutes(sessions, person.guide_id or usual_guide,
                                         usual_minutes)
        meeting, today = self._meetings.get(person_id), self.today()
        return {cadence: agenda.suggestion(cadence, last, today, minutes, meeting)
                for cadence in (None, *CADENCES)}

    def end_reviewed(self, session_id: str, *,
                     next_meeting: tuple[date, str | None, int | None] | None | EllipsisType = ...,
                     cadence: str | None | EllipsisType = ...
                     ) -> Ended:
        """The end of a session as its review decided, in one transaction (all of it, or
        nothing): the talking points not covered carried to the next session, the ``cadence``
        agreed set on the person (None: none; left out: unchanged), the ``next_meeting`` (day,
        "HH:MM" or None, minutes) set (None: the one set unset, the cadence decides again; left
        out: unchanged; one set here goes with the session if it is deleted:
        :meth:`delete_session`), a programme interview's person marked done on its roster if
        their place says planned or scheduled (a running programme's only; taken back with the
        session too: :mod:`store.roster`), the session ended. Returns it, the points carried
        (a 1-on-1's only: :attr:`Session.carries_points`) and the place marked done, if one
        was (the review's toast says it): :class:`Ended`."""
        session = self._sessions.get(session_id)
        person_id = session.person_id
        with self._agreeing(person_id, cadence):
            carried = self._points.carry(session_id) if session.carries_points else []
            marked = (self._roster.interviewed(session_id) if session.programme_id is not None
                      else None)
            if next_meeting is None:
                self._meetings.clear(person_id)
            elif not isinstance(next_meeting, EllipsisType):
                day, time, minutes = next_meeting
                self._meetings.set(person_id, day, time=time, minutes=minutes, by=session_id)
            ended = self._sessions.end(session_id)
        return Ended(ended, carried, marked)

    def due(self, today: date | None = None) -> tuple[list[Upcoming], list[Item]]:
        """Meetings due today or overdue, and open action items due today or overdue (mine and
        theirs, oldest due first)."""
        today = today or self.today()
        meetings = [u for u in self.upcoming(today) if u.state in ("overdue", "today")]
        items = [i for i in self.items(open_only=True)
                 if i.kind == "action" and i.due is not None and i.due <= today]
        items.sort(key=lambda i: (i.due or today, i.created_at or datetime.min))
        return meetings, items

    # ------------------------------------------------------------------ question bank
    def add_question(self, guide_id: str, stage: str, text: str) -> Question:
        return self._questions.add(guide_id, stage, text)

    def questions(self, guide_id: str | None = None, stage: str | None = None) -> list[Question]:
        return self._questions.all(guide_id, stage)

    def update_question(self, question_id: str, text: str) -> Question:
        return self._questions.update(question_id, text)

    def delete_question(self, question_id: str) -> None:
        self._questions.delete(question_id)

    # ------------------------------------------------------------------ pulses
    def set_pulse(self, session_id: str, score: int, word: str = "") -> Pulse:
        """The session's pulse, 1-5 and a word (recorded again: replaced)."""
        return self._pulses.set(session_id, score, word)

    def pulse(self, session_id: str) -> Pulse | None:
        return self._pulses.of_session(session_id)

    def clear_pulse(self, session_id: str) -> bool:
        return self._pulses.clear(session_id)

    def pulses(self, person_id: str | None = None) -> list[Pulse]:
        """Oldest first: the trend (``[p.score for p in ...]`` is what the pulse chart draws)."""
        return self._pulses.all(person_id)

    def low_run(self, person_id: str) -> bool:
        """Whether their last 3 pulses are all 2 or lower (:data:`store.models.LOW_RUN`)."""
        return low_run(self._pulses.all(person_id))

    def low_runs(self) -> list[Person]:
        """Everyone whose recent pulses are a run of low scores (the home screen's flag)."""
        by_person: dict[str, list[Pulse]] = {}
        for p in self._pulses.all():
            by_person.setdefault(p.person_id, []).append(p)
        return [person for person in self.people() if low_run(by_person.get(person.id, []))]

    # ------------------------------------------------------------------ feedback
    def add_feedback(self, person_id: str, *, session_id: str | None = None,
                     **fields: Any) -> Feedback:
        """``fields``: direction (given, received), kind (praise, developmental), situation,
        behaviour, impact, response, next_step, item_id."""
        return self._feedback.add(person_id, session_id=session_id, **fields)

    def feedback(self, person_id: str | None = None) -> list[Feedback]:
        return self._feedback.all(person_id)

    def session_feedback(self, session_id: str) -> Feedback | None:
        return self._feedback.of_session(session_id)

    def fill_feedback(self, session_id: str, *, action_stage: str | None = None,
                      **fields: Any) -> Feedback:
        """What a feedback guide's stage fills in of its session's entry (made on first use):
        :data:`store.models.FEEDBACK_STAGE_FIELDS` names each stage's fields. ``action_stage``:
        the agreed next step also becomes an action of theirs, captured at that stage and
        linked (``item_id``), in the same transaction: both, or neither."""
        with self.engine.write():
            if action_stage is not None:
                action = self.add_item(session_id, "action", str(fields.get("next_step") or ""),
                                       owner="them", stage=action_stage)
                fields = {**fields, "item_id": action.id}
            return self._feedback.fill(session_id, **fields)

    def update_feedback(self, entry_id: str, **changes: Any) -> Feedback:
        return self._feedback.update(entry_id, **changes)

    def delete_feedback(self, entry_id: str) -> None:
        """The entry, and the sealed copy of the search index's shard that held its text (its
        session's quarter, else the shard of what belongs to no session), in one transaction;
        sealed again at once from the index in memory."""
        with self.engine.write():
            session_id = self._feedback.get(entry_id).session_id
            started = self.engine.plain("sessions", "id = ?", (session_id,),
                                        columns=("started_at",)) if session_id else []
            self._feedback.delete(entry_id)
            self._search.drop_sealed(shard=quarter(started[0]["started_at"] if started else None))
        self._search.reseal()

    # ------------------------------------------------------------------ goals
    def goals(self, person_id: str | None = None, *, open_only: bool = False) -> list[Goal]:
        """Goals with their progress, key results, check-ins (history) and linked actions."""
        return self._goals.goals(person_id, open_only=open_only)

    def goal(self, goal_id: str) -> Goal:
        return self._goals.goal(goal_id)

    def check_in_goal(self, goal_id: str, *, status: str | None = None,
                      progress: int | None = None, note: str = "",
                      session_id: str | None = None, stage: str = "") -> Goal:
        """``session_id``, ``stage``: the session (and its stage) it is made in, if any."""
        return self._goals.check_in(goal_id, status=status, progress=progress, note=note,
                                    session_id=session_id, stage=stage)

    def add_key_result(self, goal_id: str, text: str, *, progress: int = 0) -> KeyResult:
        return self._goals.add_key_result(goal_id, text, progress=progress)

    def update_key_result(self, key_result_id: str, *, text: str | None = None,
                          progress: int | None = None, note: str = "",
                          session_id: str | None = None, stage: str = "") -> KeyResult:
        return self._goals.update_key_result(key_result_id, text=text, progress=progress,
                                             note=note, session_id=session_id, stage=stage)

    def delete_key_result(self, key_result_id: str) -> None:
        self._goals.delete_key_result(key_result_id)

    def link_to_goal(self, goal_id: str, item_id: str) -> None:
        self._goals.link(goal_id, item_id)

    def unlink_from_goal(self, goal_id: str, item_id: str) -> None:
        self._goals.unlink(goal_id, item_id)
