"""Notes: what the facilitator types during a session, saved as typed.

Each stage has two notes: the *shared* one and the *private* one (F3 switches which one is typed
into). They are two records: nothing typed in one ever moves to the other. Summaries never carry
a private note (:mod:`store.privacy`); the full record shows both, marked.
"""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .models import Note
from .rows import Rows, clean
from .sessions import Sessions

TABLE = "notes"


def note_of(plain: dict[str, Any], secret: dict[str, Any]) -> Note:
    body = secret["body"]
    return Note(id=plain["id"], session_id=plain["session_id"], stage=body.get("stage", ""),
                text=body.get("text", ""), private=bool(body.get("private")), rev=plain["rev"],
                created_at=parse_stamp(plain["created_at"]),
                updated_at=parse_stamp(plain["updated_at"]))


class Notes:
    def __init__(self, rows: Rows, sessions: Sessions) -> None:
        self.rows = rows
        self.sessions = sessions
        #: (session, stage, private) -> the note's id: an autosave finds its row without a scan
        self._ids: dict[tuple[str, str, bool], str] = {}
        #: the plaintext columns of each note as last saved here: an autosave does not read them
        self._written: dict[tuple[str, str, bool], dict[str, Any]] = {}

    def forget(self, session_id: str | None = None) -> None:
        with self.rows.mutex:
            self._ids = {} if session_id is None else \
                {k: v for k, v in self._ids.items() if k[0] != session_id}
            self._written = {} if session_id is None else \
                {k: v for k, v in self._written.items() if k[0] != session_id}

    def of_session(self, session_id: str) -> list[Note]:
        notes = self.rows.select(TABLE, "session_id = ?", (session_id,), order="created_at, rowid",
                                 convert=note_of)
        with self.rows.mutex:
            for note in notes:
                self._ids.setdefault((session_id, note.stage, note.private), note.id)
        return notes

    def save(self, session_id: str, stage: str, text: str, *,
             private: bool = False) -> tuple[Note, str]:
        """Saves the shared (or, with ``private``, the private) note of ``stage`` at revision
        + 1, returning after the commit: the note and its session's person (for the search
        index). The other note of the stage is never touched."""
        text, stage = clean(text), clean(stage)  # a raw stage would never match the stored one
        body = {"stage": stage, "text": text, "private": bool(private)}
        with self.rows.mutex:
            with self.rows.write():
                person_id, ended = self.sessions.brief(session_id)
                key = (session_id, stage, bool(private))
                note_id = self._ids.get(key)
                if note_id is None:
                    note_id = next((n.id for n in self.of_session(session_id)
                                    if n.stage == stage and n.private == bool(private)), None)
                if note_id is not None:
                    plain, _ = self.rows.update(TABLE, note_id, {"body": body},
                                                written=self._written.get(key))
                else:
                    plain = self.rows.insert(TABLE, {"body": body}, session_id=session_id)
                if ended:
                    self.sessions.mark_amended(session_id)
            self._ids[key] = plain["id"]  # once committed
            self._written[key] = plain
        return note_of(plain, {"body": body}), person_id
