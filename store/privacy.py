"""The one rule for what a summary may carry (exports, the participant's summary).

A summary carries the notes that are not private and not in a private stage (the reflection),
the action items, decisions, agreements and goals not from a private stage, the goals checked in
(a check-in made in a private stage, or of a goal captured in one, is private), and each
session's date and length. Never jots, facilitator cues, questions, timings per stage or tags.
``include_private`` adds the private notes (and private-stage items), marked as private.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Doc = Mapping[str, Any]


def stages(session: Doc) -> list[Doc]:
    """The stages of a session document's plan (or outline)."""
    found = (session.get("plan") or {}).get("stages") or []
    return [s for s in found if isinstance(s, dict)]


def private_stages(session: Doc, stages_: list[Doc] | None = None) -> set[str]:
    return {s.get("key", "") for s in (stages(session) if stages_ is None else stages_)
            if s.get("private") is True}


def shared_note(note: Doc, private: set[str]) -> bool:
    """A note a summary may carry without ``include_private``."""
    return not note.get("private") and note.get("stage") not in private


def shared_item(item: Doc, private: set[str]) -> bool:
    return item.get("stage") not in private


def shared_checkin(checkin: Doc, private: set[str]) -> bool:
    """A goal check-in a summary may carry: as an item, unless it was made in a private stage
    of its session, or its goal was captured in a private stage of its own."""
    return not checkin.get("goal_private") and checkin.get("stage") not in private


def summary_checkins(session: Doc, include_private: bool,
                     private: set[str] | None = None) -> list[Doc]:
    if private is None:
        private = private_stages(session)
    return [c for c in session.get("goals", ()) if include_private or shared_checkin(c, private)]


def summary_notes(session: Doc, include_private: bool,
                  private: set[str] | None = None) -> list[Doc]:
    if private is None:
        private = private_stages(session)
    return [n for n in session.get("notes", []) if has_text(n)
            and (include_private or shared_note(n, private))]


def has_text(note: Doc) -> bool:
    """Whether a note holds more than whitespace (an empty note is never shown)."""
    text = note.get("text") or ""
    return not text.isspace() and bool(text)


def summary_items(session: Doc, include_private: bool,
                  private: set[str] | None = None) -> list[Doc]:
    if private is None:
        private = private_stages(session)
    return [i for i in session.get("items", []) if include_private or shared_item(i, private)]
