"""Interview programmes (several leadership interviews read together) and their strategy items."""

from __future__ import annotations

from typing import Any, Iterable

from .clock import parse_stamp, stamp
from .errors import Ambiguous, NotFound, RapportError
from .models import DEFAULT_THEMES, Programme, StrategyItem
from .rows import Rows, clean

TABLE = "programmes"
STRATEGY = "strategy"


def programme_of(plain: dict[str, Any], secret: dict[str, Any]) -> Programme:
    data = secret["data"]
    return Programme(id=plain["id"], name=data["name"], purpose=data.get("purpose", ""),
                     guide_id=data.get("guide_id", "leadership-interview"),
                     themes=tuple(data.get("themes", DEFAULT_THEMES)), rev=plain["rev"],
                     created_at=parse_stamp(plain["created_at"]),
                     updated_at=parse_stamp(plain["updated_at"]),
                     closed_at=parse_stamp(data.get("closed_at")))


def strategy_of(plain: dict[str, Any], secret: dict[str, Any]) -> StrategyItem:
    data = secret["data"]
    return StrategyItem(id=plain["id"], programme_id=plain["programme_id"], text=data["text"],
                        gaps=tuple(data.get("gaps", ())), tag_ids=tuple(data.get("tag_ids", ())),
                        rev=plain["rev"], created_at=parse_stamp(plain["created_at"]),
                        updated_at=parse_stamp(plain["updated_at"]))


def _data(programme: Programme, closed_at: str | None) -> dict[str, Any]:
    """A programme's sealed fields; ``closed_at`` only once closed (a running one's data is as
    it always was)."""
    data: dict[str, Any] = {"name": programme.name, "purpose": programme.purpose,
                            "guide_id": programme.guide_id, "themes": list(programme.themes)}
    if closed_at is not None:
        data["closed_at"] = closed_at
    return data


def _strategy_data(text: str, gaps: Iterable[str], tag_ids: Iterable[str]) -> dict[str, Any]:
    """A strategy item's sealed fields: its text (cleaned, required) and what it rests on."""
    text = clean(text).strip()
    if not text:
        raise RapportError("a strategy item needs some text")
    return {"text": text, "gaps": list(gaps), "tag_ids": list(tag_ids)}


class Programmes:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def add(self, name: str, *, purpose: str = "", guide_id: str = "leadership-interview",
            themes: Iterable[str] = DEFAULT_THEMES) -> Programme:
        name = clean(name).strip()
        if not name:
            raise RapportError("a programme needs a name")
        data = {"name": name, "purpose": clean(purpose), "guide_id": guide_id,
                "themes": list(dict.fromkeys(themes))}
        with self.rows.write():
            self._refuse_taken(name)
            plain = self.rows.insert(TABLE, {"data": data})
        return programme_of(plain, {"data": data})

    def _refuse_taken(self, name: str, programme_id: str | None = None) -> None:
        """A programme is found by its name (``rapport programme show NAME``): two may not
        share one, whatever the case."""
        if any(p.name.casefold() == name.casefold() for p in self.all() if p.id != programme_id):
            raise RapportError(f"there is already a programme called {name!r}")

    def all(self) -> list[Programme]:
        found: list[Programme] = self.rows.select(TABLE, convert=programme_of)
        return sorted(found, key=lambda p: p.name.casefold())

    def get(self, programme_id: str) -> Programme:
        return programme_of(*self.rows.get(TABLE, programme_id))

    def find(self, ref: str) -> Programme:
        wanted = ref.strip().casefold()
        programmes = self.all()
        found = [p for p in programmes if p.id == ref or p.name.casefold() == wanted]
        if not found:
            found = [p for p in programmes
                     if p.name.casefold().startswith(wanted) or p.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if found:
            raise Ambiguous(f"{ref!r} matches several programmes")
        raise NotFound(f"no programme called {ref!r}")

    def update(self, programme_id: str, **changes: Any) -> Programme:
        with self.rows.write():
            current = self.get(programme_id)
            data = _data(current, None if current.closed_at is None else stamp(current.closed_at))
            for key, value in changes.items():
                if key not in data:
                    raise RapportError(f"programmes have no field {key!r}")
                if key in ("name", "purpose"):  # as add() takes them
                    value = clean(value).strip() if key == "name" else clean(value)
                    if key == "name" and not value:
                        raise RapportError("a programme needs a name")
                    if key == "name":
                        self._refuse_taken(value, programme_id)
                data[key] = list(dict.fromkeys(value)) if key == "themes" else value
            return programme_of(*self.rows.update(TABLE, programme_id, {"data": data}))

    def close(self, programme_id: str) -> Programme:
        """Its round is over: closed now (it stays readable, exportable and deletable; no new
        interview starts in it until it is reopened)."""
        with self.rows.write():
            current = self.get(programme_id)
            if current.closed_at is not None:
                raise RapportError(f"the programme {current.name!r} is closed already")
            return self._set_closed(current, self.rows.now())

    def reopen(self, programme_id: str) -> Programme:
        with self.rows.write():
            current = self.get(programme_id)
            if current.closed_at is None:
                raise RapportError(f"the programme {current.name!r} is not closed")
            return self._set_closed(current, None)

    def _set_closed(self, current: Programme, when: str | None) -> Programme:
        return programme_of(*self.rows.update(TABLE, current.id, {"data": _data(current, when)}))

    def check_open(self, programme_id: str) -> Programme:
        """The programme, refused when closed (a new interview is about to start in it)."""
        programme = self.get(programme_id)
        if programme.closed_at is not None:
            raise RapportError(f"the programme {programme.name!r} is closed; reopen it to "
                               "start an interview in it")
        return programme

    # ------------------------------------------------------------------ strategy items
    def add_strategy(self, programme_id: str, text: str, *, gaps: Iterable[str] = (),
                     tag_ids: Iterable[str] = ()) -> StrategyItem:
        data = _strategy_data(text, gaps, tag_ids)
        with self.rows.write():
            self.get(programme_id)
            plain = self.rows.insert(STRATEGY, {"data": data}, programme_id=programme_id)
        return strategy_of(plain, {"data": data})

    def strategy(self, programme_id: str) -> list[StrategyItem]:
        found: list[StrategyItem] = self.rows.select(
            STRATEGY, "programme_id = ?", (programme_id,), order="created_at, rowid",
            convert=strategy_of)
        return found

    def strategy_item(self, item_id: str) -> StrategyItem:
        return strategy_of(*self.rows.get(STRATEGY, item_id))

    def update_strategy(self, item_id: str, text: str, *, gaps: Iterable[str] = (),
                        tag_ids: Iterable[str] = ()) -> StrategyItem:
        """Replaces the item's text and links, at revision + 1."""
        data = _strategy_data(text, gaps, tag_ids)
        with self.rows.write():
            return strategy_of(*self.rows.update(STRATEGY, item_id, {"data": data}))

    def delete_strategy(self, item_id: str) -> None:
        with self.rows.write():
            if not self.rows.delete(STRATEGY, "id = ?", (item_id,)):
                raise NotFound(f"no strategy item with id {item_id}")
