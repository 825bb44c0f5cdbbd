"""People: who the conversations are with (a name, a cadence, a role; all sealed)."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .errors import Ambiguous, NotFound, RapportError
from .models import CADENCES, Person
from .rows import Rows, clean

TABLE = "people"


def check_cadence(cadence: str | None) -> None:
    if cadence is not None and cadence not in CADENCES:
        raise RapportError(f"unknown cadence {cadence!r} (one of {', '.join(CADENCES)})")


def person_of(plain: dict[str, Any], secret: dict[str, Any]) -> Person:
    data = secret["data"]
    return Person(id=plain["id"], name=data["name"], cadence=data.get("cadence"),
                  role=data.get("role", ""), guide_id=data.get("guide_id"), rev=plain["rev"],
                  created_at=parse_stamp(plain["created_at"]),
                  updated_at=parse_stamp(plain["updated_at"]))


class People:
    """Everyone, decrypted once per unlock and kept in step with every write."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self._by_id: dict[str, Person] | None = None

    def forget(self) -> None:
        """Drops what is held decrypted (after an import, on lock)."""
        with self.rows.mutex:
            self._by_id = None

    def by_id(self) -> dict[str, Person]:
        with self.rows.mutex:
            if self._by_id is None:
                self._by_id = {p.id: p for p in self.rows.select(TABLE, convert=person_of)}
            return self._by_id

    def all(self) -> list[Person]:
        return sorted(self.by_id().values(), key=lambda p: p.name.casefold())

    def get(self, person_id: str) -> Person:
        try:
            return self.by_id()[person_id]
        except KeyError:
            raise NotFound(f"no person with id {person_id}") from None

    def find(self, name: str) -> Person:
        """Exact (case-insensitive) name, else a unique prefix; NotFound/Ambiguous otherwise."""
        wanted = clean(name).strip().casefold()
        people = self.all()
        exact = [p for p in people if p.name.casefold() == wanted]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise Ambiguous(f"{len(exact)} people are called {name!r}; use the person's id")
        starts = [p for p in people if p.name.casefold().startswith(wanted)] if wanted else []
        if len(starts) == 1:
            return starts[0]
        if starts:
            names = ", ".join(p.name for p in starts[:5])
            raise Ambiguous(f"{name!r} matches several people: {names}")
        raise NotFound(f"no person called {name!r}")

    def add(self, name: str, *, cadence: str | None = None, role: str = "",
            guide_id: str | None = None) -> Person:
        name = clean(name).strip()
        if not name:
            raise RapportError("a person needs a name")
        check_cadence(cadence)
        data = {"name": name, "cadence": cadence, "role": role, "guide_id": guide_id or None}
        with self.rows.write():
            plain = self.rows.insert(TABLE, {"data": data})
        return self._keep(person_of(plain, {"data": data}))

    def get_or_add(self, name: str) -> Person:
        wanted = clean(name).strip().casefold()
        found = next((p for p in self.all() if p.name.casefold() == wanted), None)
        return found or self.add(name)

    def update(self, person_id: str, **changes: Any) -> Person:
        current = self.get(person_id)
        if "cadence" in changes:
            check_cadence(changes["cadence"])
        data: dict[str, Any] = {"name": current.name, "cadence": current.cadence,
                                "role": current.role, "guide_id": current.guide_id}
        for key, value in changes.items():
            if key not in data:
                raise RapportError(f"people have no field {key!r}")
            data[key] = value
        data["name"] = clean(data["name"]).strip()
        if not data["name"]:
            raise RapportError("a person needs a name")
        data["guide_id"] = data["guide_id"] or None
        with self.rows.write():
            plain, secret = self.rows.update(TABLE, person_id, {"data": data})
        return self._keep(person_of(plain, secret))

    def drop(self, person_id: str) -> None:
        """Forgets a deleted person (the row is deleted by the caller's write)."""
        with self.rows.mutex:
            if self._by_id is not None:
                self._by_id.pop(person_id, None)

    def _keep(self, person: Person) -> Person:
        with self.rows.mutex:
            if self._by_id is not None:
                self._by_id[person.id] = person
        return person
