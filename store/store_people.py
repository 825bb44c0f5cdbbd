"""The people part of :class:`~store.store.Store`: people, and erasing or merging one with
everything about them (:mod:`store.people`; the deletes and relinks are the engine's)."""

from __future__ import annotations

from typing import Any

from .errors import RapportError
from .models import Person
from .store_base import StoreBase


class PeopleFace(StoreBase):
    """People (see the module)."""

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
