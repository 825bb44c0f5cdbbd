"""Goals that move: progress, key results, dated check-ins and the action items linked to them.

A goal is an item of kind "goal" (its text, owner, due date and status stay there). Around it:

* **check-ins** (``checkins``): every change of its status or progress, or of a key result's
  progress, dated, with a note: its history. A goal's first check-in is made with it; an older
  vault's goals got one when it was upgraded (:mod:`store.upgrades`).
* **key results** (``key_results``): optional, each with its own progress (0-100).
* **links** (``goal_links``): action items of the same person that serve the goal.

A goal's **progress** is the mean of its key results' when it has any, else the last progress
checked in for it, else 100 when it is done and 0 otherwise.
"""

from __future__ import annotations

from typing import Any, Iterable

from .clock import parse_stamp
from .errors import NotFound, RapportError
from .items import Items
from .models import GOAL_STATUSES, CheckIn, Goal, Item, KeyResult
from .rows import Rows, clean

CHECKINS = "checkins"
KEY_RESULTS = "key_results"
LINKS = "goal_links"


def checkin_of(plain: dict[str, Any], secret: dict[str, Any]) -> CheckIn:
    data = secret["data"]
    return CheckIn(id=plain["id"], goal_id=plain["goal_id"], status=data.get("status"),
                   progress=data.get("progress"), key_result=data.get("key_result"),
                   note=data.get("note", ""), session_id=data.get("session_id"),
                   created_at=parse_stamp(plain["created_at"]))


def key_result_of(plain: dict[str, Any], secret: dict[str, Any]) -> KeyResult:
    data = secret["data"]
    return KeyResult(id=plain["id"], goal_id=plain["goal_id"], text=data["text"],
                     progress=int(data.get("progress", 0)), rev=plain["rev"],
                     created_at=parse_stamp(plain["created_at"]),
                     updated_at=parse_stamp(plain["updated_at"]))


def check_progress(progress: Any) -> int:
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise RapportError("progress is a whole number from 0 to 100 (%)")
    return progress


def progress_of(item: Item, key_results: Iterable[KeyResult],
                checkins: Iterable[CheckIn]) -> int:
    """See the module's docstring."""
    results = list(key_results)
    if results:
        return round(sum(k.progress for k in results) / len(results))
    own = [c.progress for c in checkins if c.key_result is None and c.progress is not None]
    if own:
        return int(own[-1])
    return 100 if item.status == "done" else 0


class Goals:
    def __init__(self, rows: Rows, items: Items) -> None:
        self.rows = rows
        self.items = items

    # ------------------------------------------------------------------ reading
    def goal_item(self, goal_id: str) -> Item:
        item = self.items.get(goal_id)
        if item.kind != "goal":
            raise RapportError("that item is not a goal")
        return item

    def goal(self, goal_id: str) -> Goal:
        found = self.goals(goal_ids=[goal_id])
        if not found:
            raise NotFound(f"no goal with id {goal_id}")
        return found[0]

    def goals(self, person_id: str | None = None, *, open_only: bool = False,
              goal_ids: Iterable[str] | None = None) -> list[Goal]:
        """Each goal (oldest first) with its progress, key results, check-ins and actions.
        ``open_only``: not done or dropped."""
        items = self.items.all(person_id=person_id)
        wanted = None if goal_ids is None else set(goal_ids)
        goals = [i for i in items if i.kind == "goal" and (wanted is None or i.id in wanted)
                 and not (open_only and i.status in ("done", "dropped"))]
        if not goals:
            return []
        where, params = ("person_id = ?", (person_id,)) if person_id else ("", ())
        checkins: dict[str, list[CheckIn]] = {}
        for c in self.rows.select(CHECKINS, where, params, order="created_at",
                                  convert=checkin_of):
            checkins.setdefault(c.goal_id, []).append(c)
        results: dict[str, list[KeyResult]] = {}
        for k in self.rows.select(KEY_RESULTS, where, params, order="created_at",
                                  convert=key_result_of):
            results.setdefault(k.goal_id, []).append(k)
        by_id = {i.id: i for i in items} if person_id else None
        linked: dict[str, list[Item]] = {}
        for plain in self.rows.plain(LINKS, where, params, order="created_at"):
            item = by_id.get(plain["item_id"]) if by_id is not None else None
            if item is None:
                try:
                    item = self.items.get(plain["item_id"])
                except NotFound:
                    continue
            linked.setdefault(plain["goal_id"], []).append(item)
        return [Goal(item=g, progress=progress_of(g, results.get(g.id, ()),
                                                  checkins.get(g.id, ())),
                     key_results=tuple(results.get(g.id, ())),
                     checkins=tuple(checkins.get(g.id, ())),
                     actions=tuple(linked.get(g.id, ()))) for g in goals]

    # ------------------------------------------------------------------ writing
    def log(self, goal: Item, *, status: str | None = None, progress: int | None = None,
            key_result: str | None = None, note: str = "",
            session_id: str | None = None, stage: str = "") -> CheckIn:
        """Inside a write: one check-in of ``goal`` (``stage``: the stage of the session it
        was made in: a check-in in a private stage is private, as an item captured there)."""
        data = {"status": status, "progress": progress, "key_result": key_result,
                "note": clean(note).strip(), "session_id": session_id}
        if session_id and stage:
            data["stage"] = stage
        plain = self.rows.insert(CHECKINS, {"data": data}, person_id=goal.person_id,
                                 goal_id=goal.id)
        return checkin_of(plain, {"data": data})

    def check_in(self, goal_id: str, *, status: str | None = None, progress: int | None = None,
                 note: str = "", session_id: str | None = None, stage: str = "") -> Goal:
        """A dated check-in: the goal's new status and/or progress, and a note. The goal's
        status is changed too. A goal with key results takes its progress from them."""
        if status is not None and status not in GOAL_STATUSES:
            raise RapportError(f"unknown goal status {status!r} (one of {', '.join(GOAL_STATUSES)})")
        if progress is not None:
            check_progress(progress)
        if status is None and progress is None and not clean(note).strip():
            raise RapportError("a check-in needs a status, a progress or a note")
        with self.rows.write():
            goal = self.goal_item(goal_id)
            if progress is not None and self.rows.count(KEY_RESULTS, "goal_id = ?", (goal_id,)):
                raise RapportError("this goal's progress comes from its key results; "
                                   "check in on them")
            if status is not None and status != goal.status:
                changes: dict[str, Any] = {"status": status}
                if status != "done":
                    changes["done_at"] = None
                goal = self.items.update(goal_id, **changes)
            self.log(goal, status=status, progress=progress, note=note, session_id=session_id,
                     stage=stage)
        return self.goal(goal_id)

    def add_key_result(self, goal_id: str, text: str, *, progress: int = 0) -> KeyResult:
        text = clean(text).strip()
        if not text:
            raise RapportError("a key result needs some text")
        data = {"text": text, "progress": check_progress(progress)}
        with self.rows.write():
            goal = self.goal_item(goal_id)
            plain = self.rows.insert(KEY_RESULTS, {"data": data}, person_id=goal.person_id,
                                     goal_id=goal_id)
        return key_result_of(plain, {"data": data})

    def key_result(self, key_result_id: str) -> KeyResult:
        return key_result_of(*self.rows.get(KEY_RESULTS, key_result_id))

    def update_key_result(self, key_result_id: str, *, text: str | None = None,
                          progress: int | None = None, note: str = "",
                          session_id: str | None = None, stage: str = "") -> KeyResult:
        """A new text and/or progress; a change of progress is a check-in of the goal."""
        with self.rows.write():
            current = self.key_result(key_result_id)
            data: dict[str, Any] = {"text": current.text, "progress": current.progress}
            if text is not None:
                data["text"] = clean(text).strip()
                if not data["text"]:
                    raise RapportError("a key result needs some text")
            if progress is not None:
                data["progress"] = check_progress(progress)
            updated = key_result_of(*self.rows.update(KEY_RESULTS, key_result_id,
                                                      {"data": data}))
            if (progress is not None and progress != current.progress) or note.strip():
                self.log(self.goal_item(current.goal_id), progress=data["progress"],
                         key_result=key_result_id, note=note, session_id=session_id,
                         stage=stage)
        return updated

    def delete_key_result(self, key_result_id: str) -> None:
        with self.rows.write():
            if not self.rows.delete(KEY_RESULTS, "id = ?", (key_result_id,)):
                raise NotFound(f"no key result with id {key_result_id}")

    def link(self, goal_id: str, item_id: str) -> None:
        """Links an action item (of the same person) to the goal it serves."""
        with self.rows.write():
            goal = self.goal_item(goal_id)
            item = self.items.get(item_id)
            if item.kind != "action":
                raise RapportError("only action items can be linked to a goal")
            if item.person_id != goal.person_id:
                raise RapportError("that action item is someone else's")
            if not self.rows.count(LINKS, "goal_id = ? AND item_id = ?", (goal_id, item_id)):
                self.rows.insert(LINKS, {"data": {}}, person_id=goal.person_id,
                                 goal_id=goal_id, item_id=item_id)

    def unlink(self, goal_id: str, item_id: str) -> None:
        with self.rows.write():
            self.rows.delete(LINKS, "goal_id = ? AND item_id = ?", (goal_id, item_id))
