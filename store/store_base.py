"""What every part of :class:`~store.store.Store` stands on: the engine, the key slot and one
repository per record family (:mod:`store.people`, :mod:`store.sessions`, ...), made once when the
vault is opened. The parts (:mod:`store.store_people`, :mod:`store.store_sessions`,
:mod:`store.store_loop`, :mod:`store.store_programmes`) each add the methods of their records;
:class:`~store.store.Store` puts them together with the whole-vault operations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .clock import Clock
from .export_log import ExportLog
from .feedback import Feedbacks
from .goals import Goals
from .items import Items
from .jots import Jots
from .keyslot import KeySlot
from .meetings import Meetings
from .models import Damage
from .notes import Notes
from .people import People
from .points import Points
from .programmes import Programmes
from .pulses import Pulses
from .questions import Questions
from .roster import Roster
from .rows import Rows
from .search import Search
from .sessions import Sessions
from .tags import Tags

class StoreBase:
    """The engine and the repositories (see the module)."""

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

    def _forget_all(self) -> None:
        """After a delete or a merge: nothing decrypted is held for what went."""
        self._people.forget()
        self._notes.forget()
        self._search.forget()
