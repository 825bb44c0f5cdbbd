"""Retention for interview programmes: once the synthesis is out, the raw notes can go.

:func:`plan` says what would go (the programme's interviews: their notes, items, tagged passages,
pulses and feedback) and what stays (the programme, its roster and strategy items, and its
anonymised synthesis, kept sealed in the vault), and whether a synthesis was exported yet.
:func:`destroy_raw` does it, in one transaction, then wipes the free pages; it refuses until a
synthesis of the programme has been exported (the export log says so). :func:`kept` is then
the programme's synthesis: what ``rapport synthesis`` and the app's export give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .errors import RapportError
from .synthesis import build
from .synthesis_report import DEFAULT_MIN_INTERVIEWEES, programme_report

if TYPE_CHECKING:  # pragma: no cover
    from .models import Programme
    from .store import Store


@dataclass(frozen=True)
class RetentionPlan:
    programme: Programme
    exported: bool  # a synthesis of it was exported
    goes: Mapping[str, int]  # table -> records that would be deleted

    def describe(self) -> str:
        """One line: what goes and what stays."""
        from .tables import TABLES

        parts = [f"{n} {TABLES[t].noun if n == 1 else TABLES[t].nouns}"
                 for t, n in self.goes.items()]
        return (f"deletes {', '.join(parts) or 'nothing'} of {self.programme.name!r}; keeps the "
                "programme, its roster, its strategy items and its anonymised synthesis")


def plan(store: Store, programme_id: str) -> RetentionPlan:
    programme = store.programme(programme_id)
    ids = [s.id for s in store.sessions(programme_id=programme_id)]
    reach = store.engine.reach("sessions", ids) if ids else {}
    return RetentionPlan(programme, store.synthesis_exported(programme_id),
                         {t: len(v) for t, v in reach.items() if v})


def destroy_raw(store: Store, programme_id: str, *,
                min_interviewees: int = DEFAULT_MIN_INTERVIEWEES) -> RetentionPlan:
    """Keeps the anonymised synthesis (sealed) and deletes the programme's interviews (see the
    module's docstring). Returns what went."""
    found = plan(store, programme_id)
    if not found.goes:  # done already: a synthesis of nothing must not take the kept one's place
        raise RapportError(f"no interview notes of {found.programme.name!r} left to destroy; "
                           "nothing was changed")
    if not found.exported:
        raise RapportError(f"export the synthesis of {found.programme.name!r} first "
                           "(rapport synthesis); nothing was deleted")
    doc: dict[str, Any] = programme_report(build(store, programme_id),
                                           min_interviewees=min_interviewees)
    store.destroy_programme_sessions(programme_id, keep=doc)
    return found


def kept(store: Store, programme_id: str) -> dict[str, Any] | None:
    """The anonymised synthesis kept when the programme's raw notes were destroyed (the latest),
    while no interview has been held in it since; None otherwise (the synthesis is built from
    the interviews, as before)."""
    found = store.kept_syntheses(programme_id)
    if not found or store.sessions(programme_id=programme_id):
        return None
    return found[-1]
