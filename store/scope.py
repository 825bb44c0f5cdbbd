"""Which sessions an export (or ``rapport show``) is about, chosen from plaintext columns only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Mapping

from .db import in_clause
from .errors import NotFound, RapportError
from .models import Person

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

#: Sessions read (and decrypted, with their notes, items and tags) at a time: a large vault's
#: records are never all decrypted at once.
BATCH = 400


@dataclass(frozen=True)
class Scope:
    """Which sessions to export. Filters combine (all must hold); ``everything`` stands alone.

    ``session_ids`` are full ids (resolve prefixes with :meth:`Store.resolve_session` first).
    ``since``/``until`` compare the date a session started (in the export's time zone), inclusive.
    """

    session_ids: tuple[str, ...] = ()
    person_id: str | None = None
    since: date | None = None
    until: date | None = None
    everything: bool = False

    @classmethod
    def sessions(cls, *session_ids: str) -> Scope:
        return cls(session_ids=tuple(session_ids))

    @classmethod
    def person(cls, person_id: str, *, since: date | None = None,
               until: date | None = None) -> Scope:
        return cls(person_id=person_id, since=since, until=until)

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def check(self) -> None:
        """Raises :class:`RapportError` when the scope selects nothing or contradicts itself."""
        if self.everything and (self.session_ids or self.person_id or self.since or self.until):
            raise RapportError("'everything' cannot be combined with ids, a person or dates")
        if not (self.everything or self.session_ids or self.person_id or self.since or self.until):
            raise RapportError("nothing to export: give session ids, a person, dates or everything")
        if self.since and self.until and self.since > self.until:
            raise RapportError(f"the range is empty: {self.since} is after {self.until}")

    def to_dict(self) -> dict[str, Any]:
        return {"all": self.everything, "session_ids": list(self.session_ids),
                "person_id": self.person_id,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}

    def holds(self, moment: datetime | None, tz: tzinfo | None) -> bool:
        """Whether ``moment`` falls on a day in ``since``..``until`` (in ``tz``)."""
        if not (self.since or self.until):
            return True
        if moment is None:
            return False
        day = moment.astimezone(tz).date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass
class Selection:
    """What a scope selects: the sessions' plaintext columns in export order, and the people."""

    scope: Scope
    rows: list[dict[str, Any]]  # id, person_id, programme_id, started_at: by start, then id
    all_people: dict[str, Person]
    person_ids: set[str]  # whose records are in scope
    people: list[Person]  # the people in the export, by name
    label: str


def select(store: Store, scope: Scope, tz: tzinfo | None) -> Selection:
    """The sessions ``scope`` chooses (``NotFound`` for an unknown session or person)."""
    scope.check()
    if scope.session_ids:
        wanted = list(dict.fromkeys(scope.session_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH):
            part = tuple(wanted[start:start + BATCH])
            found.update((r["id"], r) for r in _session_rows(store, in_clause("id", part), part))
        for sid in wanted:
            if sid not in found:
                raise NotFound(f"no session with id {sid}")
        rows = [found[sid] for sid in wanted]
        if scope.person_id:
            store.person(scope.person_id)
            rows = [r for r in rows if r["person_id"] == scope.person_id]
    elif scope.person_id:
        store.person(scope.person_id)
        rows = _session_rows(store, "person_id = ?", (scope.person_id,))
    else:
        rows = _session_rows(store)
    if scope.since or scope.until:
        rows = [r for r in rows if scope.holds(datetime.fromisoformat(r["started_at"]), tz)]
    rows.sort(key=lambda r: (r["started_at"], r["id"]))
    all_people = {p.id: p for p in store.people()}
    if scope.everything:
        person_ids = set(all_people)
    else:
        person_ids = {r["person_id"] for r in rows}
        if scope.person_id:
            person_ids.add(scope.person_id)
    people = sorted((all_people[pid] for pid in person_ids if pid in all_people),
                    key=lambda p: (p.name.casefold(), p.id))
    return Selection(scope, rows, all_people, person_ids, people,
                     label(scope, all_people))


def _session_rows(store: Store, where: str = "", params: tuple[Any, ...] = ()
                  ) -> list[dict[str, Any]]:
    """Plaintext columns, not authenticated: for choosing; the rows are read (and
    authenticated) afterwards."""
    return store.engine.plain("sessions", where, params, order="started_at, id",
                              columns=("id", "person_id", "programme_id", "started_at"))


def label(scope: Scope, people: Mapping[str, Person]) -> str:
    """What the scope is, in words (the export record, the file's head)."""
    def name(pid: str) -> str:
        return people[pid].name if pid in people else "unknown person"

    if scope.everything:
        return "everything"
    parts = []
    if scope.session_ids:
        if len(scope.session_ids) == 1:
            parts.append(f"session {scope.session_ids[0][:8]}")
        else:
            parts.append(f"{len(scope.session_ids)} sessions")
    if scope.person_id:
        parts.append(f"sessions with {name(scope.person_id)}")
    if scope.since and scope.until:
        parts.append(f"from {scope.since} to {scope.until}")
    elif scope.since:
        parts.append(f"since {scope.since}")
    elif scope.until:
        parts.append(f"until {scope.until}")
    return ", ".join(parts)
