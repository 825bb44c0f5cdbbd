"""Interview programmes (several leadership interviews read together) and their strategy items."""

from __future__ import annotations

from typing import Any, Iterable

from .clock import parse_stamp
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
                     updated_at=parse_stamp(plain["updated_at"]))


def strategy_of(plain: dict[str, Any], secret: dict[str, Any]) -> StrategyItem:
    data = secret["data"]
    return StrategyItem(id=plain["id"], programme_id=plain["programme_id"], text=data["text"],
                        gaps=tuple(data.get("gaps", ())), tag_ids=tuple(data.get("tag_ids", ())),
                        rev=plain["rev"], created_at=parse_stamp(plain["created_at"]),
                        updated_at=parse_stamp(plain["updated_at"]))


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
            plain = self.rows.insert(TABLE, {"data": data})
        return programme_of(plain, {"data": data})

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
            data: dict[str, Any] = {"name": current.name, "purpose": current.purpose,
                                    "guide_id": current.guide_id, "themes": list(current.themes)}
            for key, value in changes.items():
                if key not in data:
                    raise RapportError(f"programmes have no field {key!r}")
                if key in ("name", "purpose"):  # as add() takes them
                    value = clean(value).strip() if key == "name" else clean(value)
                    if key == "name" and not value:
                        raise RapportError("a programme needs a name")
                data[key] = list(dict.fromkeys(value)) if key == "themes" else value
            return programme_of(*self.rows.update(TABLE, programme_id, {"data": data}))

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
