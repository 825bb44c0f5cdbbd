"""Upgrades that need the data key: sealed values an older vault holds in an older shape.

A migration (:mod:`store.migrations`) changes tables and has no key; what must re-seal a value
or add a sealed row to an older vault is an *upgrade* here: a named function of the row engine,
applied once, after the first unlock that knows it, in one transaction with the record of its
name (table ``upgrades``). A new vault applies them all at once, finding nothing to change.

* ``0001_private_stage_notes`` (issue 23): a stage used to have one note, and F3 switched it
  (and what was already typed) to private; a stage that is private in its guide kept its notes
  private too. Now a stage has a shared note and a private note: a note marked private, or
  written in a private stage, becomes that stage's private note.
* ``0002_goal_checkins`` (issue 23): goals keep a history of check-ins; each goal made before
  gets a first one, dated when the goal last changed, holding the status it has.
"""

from __future__ import annotations

from typing import Any, Callable

from .clock import new_id
from .db import in_clause
from .rows import Rows
from .sessions import outline

Upgrade = Callable[[Rows], int]


def private_stage_notes(rows: Rows) -> int:
    """Every shared note in a stage that is private in its session's plan, made private."""
    doomed: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (plain, secret) for plain, secret in rows.select("notes")
        if not secret["body"].get("private")]
    sessions = tuple({plain["session_id"] for plain, _ in doomed})
    private: dict[str, set[str]] = {}
    for start in range(0, len(sessions), 400):
        part = sessions[start:start + 400]
        for plain, secret in rows.select("sessions", in_clause("id", part), part,
                                         columns=("meta", "plan")):
            stages = secret["meta"].get("outline") or outline(secret["plan"] or {})
            private[plain["id"]] = {s.get("key", "") for s in stages if s.get("private")}
    changed = 0
    for plain, secret in doomed:
        body = secret["body"]
        if body.get("stage", "") in private.get(plain["session_id"], set()):
            rows.update("notes", plain["id"], {"body": {**body, "private": True}})
            changed += 1
    return changed


def goal_checkins(rows: Rows) -> int:
    """A first check-in for each goal that has none: its status as it stands, dated when the
    goal last changed."""
    had = {r["goal_id"] for r in rows.plain("checkins", columns=("goal_id",))}
    added = 0
    for plain, secret in rows.select("items", order="created_at"):
        data = secret["data"]
        if data.get("kind") != "goal" or plain["id"] in had:
            continue
        status = data.get("status", "open")
        rows.put("checkins", {"id": new_id(), "rev": 1, "created_at": plain["updated_at"],
                              "updated_at": plain["updated_at"], "person_id": plain["person_id"],
                              "goal_id": plain["id"]},
                 {"data": {"status": status, "progress": 100 if status == "done" else 0,
                           "key_result": None, "note": "status before check-ins were kept",
                           "session_id": None}})
        added += 1
    return added


#: name -> upgrade, in the order they are applied.
UPGRADES: dict[str, Upgrade] = {
    "0001_private_stage_notes": private_stage_notes,
    "0002_goal_checkins": goal_checkins,
}


def apply(rows: Rows) -> dict[str, int]:
    """The upgrades the vault has not had, each in one transaction with its name; returns what
    each changed."""
    with rows.reading("upgrades") as conn:
        done = {name for (name,) in conn.execute("SELECT name FROM upgrades")}
    changed = {}
    for name, upgrade in UPGRADES.items():
        if name in done:
            continue
        with rows.write():
            changed[name] = upgrade(rows)
            rows.execute("INSERT INTO upgrades (name, applied_at) VALUES (?, ?)",
                         (name, rows.now()))
    return changed
