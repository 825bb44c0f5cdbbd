"""The :class:`Store`: the unlocked vault as the app and the commands hold it.

A thin face: each method is one call to the repository of its record family (:mod:`store.people`,
:mod:`store.sessions`, :mod:`store.notes`, :mod:`store.items`, :mod:`store.jots`,
:mod:`store.programmes`, :mod:`store.tags`, :mod:`store.export_log`), to search
(:mod:`store.search`) or to the whole-vault operations (:mod:`store.maintenance`). All of them are
thread-safe; every write is one transaction; reads return frozen dataclasses (:mod:`store.models`).
Modules that read many rows at once (exports, syntheses, imports) use :attr:`Store.engine`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Iterable, Mapping

from . import agenda, maintenance
from .clock import Clock
from .errors import RapportError
from .export_log import ExportLog
from .feedback import Feedbacks
from .goals import Goals
from .items import Items
from .jots import Jots
from .keyslot import KeySlot
from .meetings import Meetings
from .models import (
    DEFAULT_THEMES, Damage, ExportRecord, Feedback, Goal, Item, Jot, KeyResult, Meeting,
    Note, Person, Programme, Pulse, Question, RosterPlace, Session, SessionSummary, StrategyItem,
    Tag, TalkingPoint, Upcoming,
)
from .notes import Notes
from .people import People
from .points import Points
from .programmes import Programmes
from .pulses import Pulses, low_run
from .questions import Questions
from .roster import Roster
from .rows import Record, Rows
from .search import Hit, Search
from .sessions import Sessions
from .summary import RowSummary
from .tags import Tags


class Store:
    """The unlocked vault (made by :func:`store.open_vault` or :func:`store.create_vault`)."""

    def __init__(self, engine: Rows, slot: KeySlot, dek: bytes, *, allow_weak: bool = False,
                 damage: Iterable[Damage] = ()) -> None:
        self.engine = engine
        self.path: Path = engine.path
        self.vault_id = slot.vault_id
        self.clock: Clock = engine.clock
        #: what opening found wrong with the rows (rows deleted outside rapport, a missing row
        #: summary); ``verify`` checks everything
        self.damage: tuple[Damage, ...] = tuple(damage)
        self._slot, self._dek, self._allow_weak = slot, dek, allow_weak
        self._people = People(engine)
        self._sessions = Sessions(engine, self._people)
        self._notes = Notes(engine, self._sessions)
        self._items = Items(engine, self._sessions)
        self._jots = Jots(engine, self._people)
        self._programmes = Programmes(engine)
        self._tags = Tags(engine, self._sessions, self._people)
        self._exports = ExportLog(engine)
        self._search = Search(engine)
        self._points = Points(engine, self._people)
        self._meetings = Meetings(engine, self._people)
        self._questions = Questions(engine)
        self._pulses = Pulses(engine)
        self._feedback = Feedbacks(engine, self._people)
        self._goals = Goals(engine, self._items)
        self._roster = Roster(engine, self._people)

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_open(self) -> bool:
        return self.engine.is_open

    @property
    def generation(self) -> int:
        """Bumps on every write of a record: caches compare against it."""
        return self.engine.generation

    def close(self) -> None:
        """Checkpoints the WAL (TRUNCATE), drops the keys and every decrypted cache."""
        with self.engine.mutex:
            self._search.forget()
            self._people.forget()
            self._notes.forget()
            self._dek = b""
            self.engine.close()

    lock = close

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ people
    def people(self) -> list[Person]:
        return self._people.all()

    def person(self, person_id: str) -> Person:
        return self._people.get(person_id)

    def find_person(self, name: str) -> Person:
        return self._people.find(name)

    def add_person(self, name: str, *, cadence: str | None = None, role: str = "",
                   guide_id: str | None = None) -> Person:
        """``guide_id``: the guide a new session with them starts from by default."""
        return self._people.add(name, cadence=cadence, role=role, guide_id=guide_id)

    def get_or_add_person(self, name: str) -> Person:
        return self._people.get_or_add(name)

    def update_person(self, person_id: str, **changes: Any) -> Person:
        """``name`` (a rename), ``cadence``, ``role`` or ``guide_id`` (None: no default)."""
        return self._people.update(person_id, **changes)

    def default_guide(self, name: str) -> str | None:
        """The default guide of the person called ``name`` (exactly, any case); None when
        there is no such person or they have none. For a new session started by name."""
        wanted = " ".join(name.split()).casefold()
        found = [p for p in self.people() if p.name.casefold() == wanted]
        return found[0].guide_id if len(found) == 1 else None

    def about(self, person_id: str) -> dict[str, int]:
        """What erasing the person would delete: table -> how many records (tables with none
        left out), the passages tagged as about them in others' interviews included."""
        self.person(person_id)
        reach = self.engine.reach("people", (person_id,))
        tags = [t.id for t in self._tags.all() if t.subject_id == person_id]
        reach.setdefault("tags", set()).update(tags)
        return {table: len(ids) for table, ids in reach.items() if ids}

    def erase_person(self, person_id: str) -> dict[str, int]:
        """Deletes the person and everything about them (:meth:`about`), the sealed search
        index with them, in one transaction; then the file is rebuilt without its free pages
        (VACUUM; ``secure_delete`` zeroed them). The question bank is not about anyone and
        stays. Returns what went, as :meth:`about`."""
        with self.engine.write():
            gone = self.about(person_id)
            about_them = [t.id for t in self._tags.all() if t.subject_id == person_id]
            for tag_id in about_them:
                self.engine.delete("tags", "id = ?", (tag_id,))
            self.engine.delete("people", "id = ?", (person_id,))
            self._search.drop_sealed()
        self._forget_all()
        self.engine.vacuum()
        return gone

    def merge_people(self, from_id: str, into_id: str) -> Person:
        """Two records of one person (a typo made two): everything of ``from_id`` moves to
        ``into_id``, and ``from_id`` goes, in one transaction. Where both have a set next
        meeting or a place on the same roster, ``into_id``'s is kept. Returns the person kept."""
        if from_id == into_id:
            raise RapportError("a person cannot be merged into themselves")
        with self.engine.write():
            self.person(from_id)
            kept = self.person(into_id)
            if self._meetings.get(into_id) is not None:
                self.engine.delete("meetings", "person_id = ?", (from_id,))
            theirs = {r["programme_id"] for r in self.engine.plain(
                "roster", "person_id = ?", (into_id,), columns=("programme_id",))}
            for programme_id in theirs:
                self.engine.delete("roster", "person_id = ? AND programme_id = ?",
                                   (from_id, programme_id))
            self.engine.relink("people", from_id, into_id)
            for tag in self._tags.all():
                if tag.subject_id == from_id:
                    self.engine.update("tags", tag.id, {"data": {
                        "stage": tag.stage, "theme": tag.theme, "passage": tag.passage,
                        "subject_id": into_id}})
            self.engine.delete("people", "id = ?", (from_id,))
            self._search.drop_sealed()
        self._forget_all()
        return kept

    def destroy_programme_sessions(self, programme_id: str, *, keep: Mapping[str, Any]
                                   ) -> None:
        """The programme's interviews and everything in them go, ``keep`` (its anonymised
        synthesis document) is sealed in their place, in one transaction; then the free pages
        are wiped. (:func:`store.retention.destroy_raw` is the way in.)"""
        with self.engine.write():
            self.programme(programme_id)
            self.engine.insert("kept_syntheses", {"data": {"synthesis": dict(keep)}},
                               programme_id=programme_id)
            self.engine.delete("sessions", "programme_id = ?", (programme_id,))
            self._search.drop_sealed()
        self._forget_all()
        self.engine.vacuum()

    def kept_syntheses(self, programme_id: str) -> list[dict[str, Any]]:
        """The syntheses kept when the programme's interviews were destroyed, oldest first."""
        return [secret["data"]["synthesis"] for _, secret in self.engine.select(
            "kept_syntheses", "programme_id = ?", (programme_id,), order="created_at")]

    def _forget_all(self) -> None:
        """After a delete or a merge: nothing decrypted is held for what went."""
        self._people.forget()
        self._notes.forget()
        self._search.forget()

    # ------------------------------------------------------------------ sessions
    def start_session(self, person_id: str, plan: dict[str, Any], *, title: str = "",
                      programme_id: str | None = None,
                      started_at: datetime | None = None) -> Session:
        return self._sessions.start(person_id, plan, title=title, programme_id=programme_id,
                                    started_at=started_at)

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

    def delete_session(self, session_id: str) -> None:
        """The session, its notes, items and tags, and the sealed search index (its text must
        not outlive it), in one transaction."""
        with self.engine.write():
            started = self._sessions.delete(session_id)
            self._search.drop_sealed(started)
        self._notes.forget(session_id)
        self._search.drop_session(session_id)
        try:  # sealed again at once from the index in memory (if a search made one): the next
            self._search.save(min_changes=0)  # unlock's first search need not start over
        except RapportError:
            pass  # (a full disk: only the speed-up is lost)

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
                self._goals.log(item, status=item.status, progress=None, note="goal set",
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
        """A goal's change of status is kept as a check-in (its history)."""
        with self.engine.write():
            before = self._items.get(item_id)
            after = self._items.update(item_id, **changes)
            if after.kind == "goal" and after.status != before.status:
                self._goals.log(after, status=after.status)
        return after

    def carry_forward(self, item_id: str, session_id: str) -> Item:
        """Copies an open item into ``session_id`` and marks the original as carried."""
        return self._items.carry_forward(item_id, session_id)[0]

    def open_items_before(self, person_id: str, session: Session) -> list[Item]:
        return self._items.open_before(person_id, session)

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
        """At the end of a session: the points not covered carry to the next one."""
        return self._points.carry(session_id)

    def delete_talking_point(self, point_id: str) -> None:
        self._points.delete(point_id)

    # ------------------------------------------------------------------ the next meeting
    def next_meeting(self, person_id: str) -> Meeting | None:
        """The next meeting as set (None: the cadence decides)."""
        return self._meetings.get(person_id)

    def set_next_meeting(self, person_id: str, day: date, *, time: str | None = None,
                         minutes: int | None = None) -> Meeting:
        """Overrides the day the cadence computes; ``time`` "HH:MM" local (None: all day)."""
        return self._meetings.set(person_id, day, time=time, minutes=minutes)

    def clear_next_meeting(self, person_id: str) -> bool:
        return self._meetings.clear(person_id)

    def today(self) -> date:
        return self.clock().astimezone().date()

    def upcoming(self, today: date | None = None) -> list[Upcoming]:
        """Everyone's next meeting, soonest first (:mod:`store.agenda`)."""
        last: dict[str, datetime] = {}
        for r in self.engine.plain("sessions", columns=("person_id", "started_at")):
            moment = datetime.fromisoformat(r["started_at"])
            if r["person_id"] not in last or moment > last[r["person_id"]]:
                last[r["person_id"]] = moment
        return agenda.upcoming(self.people(), last, self._meetings.all(), today or self.today())

    def suggest_next_meeting(self, person_id: str) -> tuple[date, str | None, int | None]:
        """What the end-of-session review offers: the cadence after the last meeting's day, at
        its time of day, as long as its guide planned (day, "HH:MM" or None, minutes)."""
        person = self.person(person_id)
        sessions = self.sessions(person_id=person_id)
        last = sessions[0] if sessions else None
        minutes = last.planned_minutes or None if last else None
        return agenda.suggestion(person.cadence, last.started_at if last else None,
                                 self.today(), minutes)

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
        """Oldest first: the trend (``[p.score for p in ...]`` is a Sparkline's data)."""
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

    def fill_feedback(self, session_id: str, **fields: Any) -> Feedback:
        """What a feedback guide's stage fills in of its session's entry (made on first use):
        :data:`store.models.FEEDBACK_STAGE_FIELDS` names each stage's fields."""
        return self._feedback.fill(session_id, **fields)

    def update_feedback(self, entry_id: str, **changes: Any) -> Feedback:
        return self._feedback.update(entry_id, **changes)

    def delete_feedback(self, entry_id: str) -> None:
        self._feedback.delete(entry_id)

    # ------------------------------------------------------------------ goals
    def goals(self, person_id: str | None = None, *, open_only: bool = False) -> list[Goal]:
        """Goals with their progress, key results, check-ins (history) and linked actions."""
        return self._goals.goals(person_id, open_only=open_only)

    def goal(self, goal_id: str) -> Goal:
        return self._goals.goal(goal_id)

    def check_in_goal(self, goal_id: str, *, status: str | None = None,
                      progress: int | None = None, note: str = "",
                      session_id: str | None = None) -> Goal:
        return self._goals.check_in(goal_id, status=status, progress=progress, note=note,
                                    session_id=session_id)

    def add_key_result(self, goal_id: str, text: str, *, progress: int = 0) -> KeyResult:
        return self._goals.add_key_result(goal_id, text, progress=progress)

    def update_key_result(self, key_result_id: str, *, text: str | None = None,
                          progress: int | None = None, note: str = "",
                          session_id: str | None = None) -> KeyResult:
        return self._goals.update_key_result(key_result_id, text=text, progress=progress,
                                             note=note, session_id=session_id)

    def delete_key_result(self, key_result_id: str) -> None:
        self._goals.delete_key_result(key_result_id)

    def link_to_goal(self, goal_id: str, item_id: str) -> None:
        self._goals.link(goal_id, item_id)

    def unlink_from_goal(self, goal_id: str, item_id: str) -> None:
        self._goals.unlink(goal_id, item_id)

    # ------------------------------------------------------------------ rosters
    def roster(self, programme_id: str) -> list[RosterPlace]:
        return self._roster.all(programme_id)

    def add_to_roster(self, programme_id: str, person_id: str, *, status: str = "planned",
                      note: str = "") -> RosterPlace:
        return self._roster.add(programme_id, person_id, status=status, note=note)

    def update_roster(self, programme_id: str, person_id: str, **changes: Any) -> RosterPlace:
        """``status`` (planned, scheduled, done, declined) or ``note``."""
        return self._roster.update(programme_id, person_id, **changes)

    def record_consent(self, programme_id: str, person_id: str, consent: str | None, *,
                       session_id: str | None = None) -> RosterPlace:
        """"given" or "refused" (None clears it), at the interview ``session_id``."""
        return self._roster.consent(programme_id, person_id, consent, session_id=session_id)

    def remove_from_roster(self, programme_id: str, person_id: str) -> None:
        self._roster.remove(programme_id, person_id)

    # ------------------------------------------------------------------ programmes, tags, strategy
    def add_programme(self, name: str, *, purpose: str = "", guide_id: str = "leadership-interview",
                      themes: Iterable[str] = DEFAULT_THEMES) -> Programme:
        return self._programmes.add(name, purpose=purpose, guide_id=guide_id, themes=themes)

    def programmes(self) -> list[Programme]:
        return self._programmes.all()

    def programme(self, programme_id: str) -> Programme:
        return self._programmes.get(programme_id)

    def find_programme(self, ref: str) -> Programme:
        return self._programmes.find(ref)

    def update_programme(self, programme_id: str, **changes: Any) -> Programme:
        return self._programmes.update(programme_id, **changes)

    def add_tag(self, session_id: str, theme: str, passage: str, *, stage: str = "",
                subject_id: str | None = None) -> Tag:
        return self._tags.add(session_id, theme, passage, stage=stage, subject_id=subject_id)

    def tags(self, *, session_id: str | None = None, programme_id: str | None = None) -> list[Tag]:
        return self._tags.all(session_id=session_id, programme_id=programme_id)

    def delete_tag(self, tag_id: str) -> None:
        self._tags.delete(tag_id)

    def add_strategy_item(self, programme_id: str, text: str, *, gaps: Iterable[str] = (),
                          tag_ids: Iterable[str] = ()) -> StrategyItem:
        return self._programmes.add_strategy(programme_id, text, gaps=gaps, tag_ids=tag_ids)

    def strategy_items(self, programme_id: str) -> list[StrategyItem]:
        return self._programmes.strategy(programme_id)

    def strategy_item(self, item_id: str) -> StrategyItem:
        return self._programmes.strategy_item(item_id)

    def update_strategy_item(self, item_id: str, text: str, *, gaps: Iterable[str] = (),
                             tag_ids: Iterable[str] = ()) -> StrategyItem:
        return self._programmes.update_strategy(item_id, text, gaps=gaps, tag_ids=tag_ids)

    def delete_strategy_item(self, item_id: str) -> None:
        self._programmes.delete_strategy(item_id)

    # ------------------------------------------------------------------ exports
    def record_export(self, *, kind: str, format: str, destination: str, scope: str,
                      count: int) -> ExportRecord:
        return self._exports.record(kind=kind, format=format, destination=destination,
                                    scope=scope, count=count)

    def exports(self) -> list[ExportRecord]:
        return self._exports.all()

    def import_rows(self, rows: Mapping[str, list[Record]]) -> dict[str, int]:
        """Inserts records with their own ids and timestamps, all or nothing, parents first;
        skips ids already present. ``rows``: table -> [(plain, secret)]. Returns counts added."""
        added = {table: 0 for table in rows}
        with self.engine.write():
            for table, records in rows.items():
                for plain, secret in records:
                    if self.engine.count(table, "id = ?", (plain["id"],)):
                        continue
                    self.engine.put(table, plain, secret)
                    added[table] += 1
        self._people.forget()
        return added

    # ------------------------------------------------------------------ search
    def search(self, query: str, **filters: Any) -> list[Hit]:
        return self._search.search(query, **filters)

    def save_search_index(self, *, min_changes: int = 256) -> bool:
        """Seals the search index into the vault when it changed enough (see
        :meth:`store.search.Search.save`)."""
        return self._search.save(min_changes=min_changes)

    # ------------------------------------------------------------------ the whole vault
    def verify(self) -> list[Damage]:
        """SQLite's integrity check, every sealed field opened, every table's rows against the
        row summary. Returns what is damaged."""
        return maintenance.verify(self.engine, self.vault_id)

    def accept_rows(self) -> None:
        """Takes the rows as they are now as the vault's rows (after ``verify`` reported rows
        deleted or added outside rapport, and the loss is known): the row summary is written
        again from them."""
        with self.engine.write():
            summary = RowSummary.compute(self.engine.connection(), self.engine.cipher(),
                                         self.vault_id)
            summary.write(self.engine.connection())
        self.engine.use(self.engine.cipher(), summary)
        self.engine.summary_frozen = False
        self.damage = ()

    def backup(self, destination: Path) -> int:
        """A consistent, verified copy at ``destination`` (0600, never overwriting). Returns the
        number of records checked."""
        return maintenance.backup(self.engine, self.vault_id, destination)

    def change_passphrase(self, new_passphrase: str, *, kdf: Any = None) -> None:
        """Re-wraps the data key under a new passphrase in one transaction."""
        self._slot = maintenance.change_passphrase(self.engine, self._slot, self._dek,
                                                   new_passphrase, kdf=kdf,
                                                   allow_weak=self._allow_weak)

    def rotate_key(self, passphrase: str) -> int:
        """A new data key: every record re-sealed, the key re-wrapped, one transaction. Needs
        the passphrase again. Returns the number of rows re-sealed."""
        with self.engine.mutex:
            self._slot, self._dek, count = maintenance.rotate_key(
                self.engine, self._slot, passphrase, vault_id=self.vault_id,
                allow_weak=self._allow_weak)
            self._search.unsealed()
        return count
