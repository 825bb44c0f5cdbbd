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

from . import maintenance
from .clock import Clock
from .errors import RapportError
from .export_log import ExportLog
from .items import Items
from .jots import Jots
from .keyslot import KeySlot
from .models import (
    DEFAULT_THEMES, Damage, ExportRecord, Item, Jot, Note, Person, Programme, Session,
    SessionSummary, StrategyItem, Tag,
)
from .notes import Notes
from .people import People
from .programmes import Programmes
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

    def add_person(self, name: str, *, cadence: str | None = None, role: str = "") -> Person:
        return self._people.add(name, cadence=cadence, role=role)

    def get_or_add_person(self, name: str) -> Person:
        return self._people.get_or_add(name)

    def update_person(self, person_id: str, **changes: Any) -> Person:
        return self._people.update(person_id, **changes)

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
                           title: str | None = None) -> Session:
        return self._sessions.save_state(session_id, stage_index=stage_index, spent=spent,
                                         visited=visited, asked=asked, title=title)

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
        return self._items.add(session_id, kind, text, owner=owner, due=due, stage=stage,
                               status=status, carried_from=carried_from)[0]

    def items(self, *, session_id: str | None = None, person_id: str | None = None,
              open_only: bool = False, session_ids: Iterable[str] | None = None) -> list[Item]:
        return self._items.all(session_id=session_id, person_id=person_id,
                                open_only=open_only, session_ids=session_ids)

    def open_actions(self, *, session_ids: Iterable[str] | None = None) -> dict[str, int]:
        return self._items.open_actions(session_ids=session_ids)

    def item(self, item_id: str) -> Item:
        return self._items.get(item_id)

    def update_item(self, item_id: str, **changes: Any) -> Item:
        return self._items.update(item_id, **changes)

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
