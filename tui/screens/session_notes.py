"""The notes of a live session: a shared and a private note per stage, as typed and as saved.

:class:`NoteBook` is the session screen's memory of its notes, apart from the screen (no Textual
here): two *slots* per stage, ``(stage, False)`` the shared note and ``(stage, True)`` the private
one. F3 changes which slot the notes pane shows; what was typed stays in the slot it was typed
into (the store keeps them as two records too: ``save_note(..., private=)``). Nothing here ever
copies text from one slot to the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # pragma: no cover
    from store import Note

Slot = tuple[str, bool]  # (stage key, private)


class NoteBook:
    def __init__(self) -> None:
        self.texts: dict[Slot, str] = {}
        self.saved: dict[Slot, str] = {}

    def load(self, notes: Iterable["Note"]) -> None:
        """The notes as the vault has them (both slots of each stage)."""
        for note in notes:
            slot = (note.stage, bool(note.private))
            self.texts[slot] = self.saved[slot] = note.text

    def text(self, stage: str, private: bool) -> str:
        return self.texts.get((stage, private), "")

    def set(self, stage: str, private: bool, text: str) -> bool:
        """Keeps what the slot holds now; True when that differs from what was saved."""
        slot = (stage, private)
        self.texts[slot] = text
        return text != self.saved.get(slot, "")

    def unsaved(self) -> Iterator[tuple[str, bool, str]]:
        """(stage, private, text) of every slot whose text differs from the last save."""
        for (stage, private), text in list(self.texts.items()):
            if text != self.saved.get((stage, private), ""):
                yield stage, private, text

    def mark_saved(self, stage: str, private: bool, text: str) -> None:
        self.saved[(stage, private)] = text

    def words(self, stage: str, private: bool) -> int:
        return len(self.text(stage, private).split())

    def stage_text(self, stage: str) -> str:
        """Both notes of a stage (shared first), for counting or searching, never for saving."""
        return "\n".join(t for t in (self.text(stage, False), self.text(stage, True)) if t)
