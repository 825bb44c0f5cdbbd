"""The programmes part of :class:`~store.store.Store`: leadership-interview programmes, their
rosters, tags and strategy, and destroying their interviews once synthesised
(:mod:`store.programmes`, :mod:`store.roster`, :mod:`store.tags`; :mod:`store.retention`)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .errors import RapportError
from .models import DEFAULT_THEMES, ROSTER_TO_GO, Programme, RosterPlace, StrategyItem, Tag
from .store_base import StoreBase


class ProgrammesFace(StoreBase):
    """Programmes (see the module)."""

    def destroy_programme_sessions(self, programme_id: str, *, keep: Mapping[str, Any]
                                   ) -> None:
        """The programme's interviews and everything in them go, ``keep`` (its anonymised
        synthesis document) is sealed in their place, in one transaction; then the free pages
        are wiped. Someone interviewed whose roster place still says planned or scheduled is
        marked done (with the interviews gone, nothing else would say they were interviewed),
        and no place keeps a link to them, its status and consent kept (:meth:`Roster.retained`:
        they were held, not taken back as deleting one is).
        (:func:`store.retention.destroy_raw` is the way in.)"""
        with self.engine.write():
            self.programme(programme_id)
            interviews = self._sessions.all(programme_id=programme_id)
            self._roster.retained(programme_id, {s.id for s in interviews},
                                  {s.person_id for s in interviews})
            self.engine.insert("kept_syntheses", {"data": {"synthesis": dict(keep)}},
                               programme_id=programme_id)
            self.engine.delete("sessions", "programme_id = ?", (programme_id,))
            self._search.drop_sealed()
        self._forget_all()
        self.engine.vacuum()

    def synthesis_exported(self, programme_id: str) -> bool:
        """Whether a synthesis of the programme has been exported (the export log says so):
        what retention and deleting the programme wait for."""
        name = self.programme(programme_id).name
        return any(r.kind == "synthesis" and r.scope.startswith(f"programme {name},")
                   for r in self._exports.all())

    def about_programme(self, programme_id: str) -> dict[str, int]:
        """What deleting the programme would delete: table -> how many records (tables with
        none left out), the programme itself included."""
        self.programme(programme_id)
        reach = self.engine.reach("programmes", (programme_id,))
        return {table: len(ids) for table, ids in reach.items() if ids}

    def delete_programme(self, programme_id: str) -> dict[str, int]:
        """The programme, when its 360 is over, with everything in it (:meth:`about_programme`:
        its interviews and their notes, items and passages, its roster, strategy items and kept
        syntheses), the sealed search index with them, in one transaction; then the free pages
        are wiped. The people interviewed stay. Refused while it holds interviews or strategy
        items no exported synthesis has carried out (an empty programme goes at once). Returns
        what went."""
        with self.engine.write():
            gone = self.about_programme(programme_id)
            said = gone.keys() & {"sessions", "strategy"}
            if said and not self.synthesis_exported(programme_id):
                name = self.programme(programme_id).name
                raise RapportError(f"export the synthesis of {name!r} first (rapport synthesis);"
                                   " nothing was deleted")
            self.engine.delete("programmes", "id = ?", (programme_id,))
            self._search.drop_sealed()
        self._forget_all()
        self.engine.vacuum()
        return gone

    def kept_syntheses(self, programme_id: str) -> list[dict[str, Any]]:
        """The syntheses kept when the programme's interviews were destroyed, oldest first."""
        return [secret["data"]["synthesis"] for _, secret in self.engine.select(
            "kept_syntheses", "programme_id = ?", (programme_id,), order="created_at")]

    # ------------------------------------------------------------------ rosters
    def roster(self, programme_id: str) -> list[RosterPlace]:
        return self._roster.all(programme_id)

    def add_to_roster(self, programme_id: str, person_id: str, *, status: str = "planned",
                      note: str = "") -> RosterPlace:
        """Refused in a closed programme: its round is over, nobody new is to be interviewed
        in it (an interview held in it still records its consent: :meth:`record_consent`)."""
        with self.engine.write():
            programme = self.programme(programme_id)
            if programme.closed_at is not None:
                raise RapportError(f"the programme {programme.name!r} is closed: nobody new "
                                   "goes on its roster (reopen it first)")
            return self._roster.add(programme_id, person_id, status=status, note=note)

    def update_roster(self, programme_id: str, person_id: str, **changes: Any) -> RosterPlace:
        """``status`` (planned, scheduled, done, declined) or ``note``. In a closed programme a
        place is still written as it turned out (done, declined, a note), never planned or
        scheduled anew: :data:`ROSTER_TO_GO` is for a round still running."""
        with self.engine.write():
            programme = self.programme(programme_id)
            if programme.closed_at is not None and changes.get("status") in ROSTER_TO_GO:
                place = self._roster.place(programme_id, person_id)
                if place.status != changes["status"]:
                    raise RapportError(
                        f"the programme {programme.name!r} is closed: nobody is "
                        f"{changes['status']} in it any more (reopen it first)")
            return self._roster.update(programme_id, person_id, **changes)

    def record_consent(self, programme_id: str, person_id: str, consent: str | None, *,
                       session_id: str | None = None) -> RosterPlace:
        """"given" or "refused" (None clears it), at the interview ``session_id`` (which puts
        someone not on the roster yet on it, as done)."""
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
        """Its name, purpose, themes or guide, in one transaction. The guide its interviews use
        changes only while none of them has started (:meth:`programme_started`): after that,
        its interviews and their passages were held with the old one."""
        with self.engine.write():
            guide = changes.get("guide_id")
            if guide is not None and guide != self.programme(programme_id).guide_id \
                    and self.programme_started(programme_id):
                raise RapportError("its guide stays: an interview of the programme has started "
                                   "with it")
            return self._programmes.update(programme_id, **changes)

    def programme_started(self, programme_id: str) -> bool:
        """Whether an interview of the programme has started (its guide is then fixed)."""
        return self.engine.count("sessions", "programme_id = ?", (programme_id,)) > 0

    def close_programme(self, programme_id: str) -> Programme:
        """Its 360 round is over: listed as closed, still read, exported and deleted as before;
        no new interview starts in it (:meth:`start_session` refuses) until it is reopened."""
        return self._programmes.close(programme_id)

    def reopen_programme(self, programme_id: str) -> Programme:
        return self._programmes.reopen(programme_id)

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
