"""The base of every dialog that holds typed text: nothing typed is lost by a stray key.

* **Enter saves from any field** (a priority binding, ``dialog-save``): in a list it does not
  toggle or pick, in a field it does not just move on. On a focused button it presses that
  button, so Tab to Cancel and Enter still cancels.
* **Escape or Cancel with unsaved text asks first** (:class:`tui.screens.confirm.ConfirmScreen`);
  with nothing typed they close at once.
* **The save key is shown in the dialog**: :meth:`Dialog.keys_hint` says it, with the live keymap.

* **A lock, a signal or a crash keeps what was typed**: over a live session it goes into the
  stage's private note; a dialog about someone (a jot, a talking point, a goal's check-in) has
  a :class:`Keeper` that keeps it as a jot about them (:meth:`tui.app.RapportApp.keep_dialog_text`).

A dialog implements :meth:`Dialog.save` (check, then ``self.dismiss(result)``) and, when what
counts as typed is more than its text fields, :meth:`Dialog.draft`. Buttons with the class
``save`` or ``cancel`` do what the keys do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from textual import on
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Button, Input, TextArea

from tui.keys import with_keys
from tui.screens.base import RapportModal, ScreenResultType

if TYPE_CHECKING:  # pragma: no cover
    from store import Person, Store


@dataclass(frozen=True)
class Keeper:
    """Where a dialog's typed text goes when a lock, a signal or a crash closes it unsaved:
    ``keep(store, text)`` writes it, ``where`` says where ("in a jot about Ana Silva")."""

    where: str
    keep: Callable[["Store", str], object]

    @classmethod
    def jot(cls, person: "Person") -> "Keeper":
        """Kept as a jot about ``person``: private, dated, on their page and in Prepare."""
        person_id = person.id
        return cls(f"in a jot about {person.name}",
                   lambda store, text: store.add_jot(person_id, text))


def kept_text(typed: list[str], when: str) -> str:
    """What a dialog's typed text is kept as: ``(kept when Rapport locked) Ana to send the
    budget · 2025-03-05``."""
    return f"(kept {when}) " + " · ".join(typed)


class Dialog(RapportModal[ScreenResultType]):
    BINDINGS = [
        Binding("enter", "save", "Save", id="dialog-save", priority=True),
        Binding("ctrl+s", "save", "Save", id="save", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]
    #: What the save key does, as the hint says it ("saves", "writes", "starts"...).
    SAVE_VERB = "saves"

    def __init__(self) -> None:
        super().__init__()
        self.initial_draft: Any = None
        self.initial_texts: tuple[str, ...] = ()
        self.keeper: Keeper | None = None  # set by the flow that opens a dialog about someone

    def on_mount(self) -> None:
        # runs after the subclass's own on_mount (Textual calls each class's handler, the
        # subclass first): fields it fills in there are part of the starting point
        self.initial_draft = self.draft()
        self.initial_texts = self.texts()

    # ------------------------------------------------------------------ what was typed
    def draft(self) -> Any:
        """What the user has typed, to compare with the starting point: every text field."""
        return self.texts()

    def texts(self) -> tuple[str, ...]:
        """Every text field's value (never a password's)."""
        values: list[str] = []
        for widget in self.query("Input, TextArea"):
            if isinstance(widget, Input) and not widget.password:
                values.append(widget.value)
            elif isinstance(widget, TextArea) and not widget.read_only:
                values.append(widget.text)
        return tuple(values)

    def typed_text(self) -> list[str]:
        """The text fields typed into since the dialog opened, not blank: what a lock or a
        signal would otherwise lose (:meth:`tui.app.RapportApp.keep_dialog_text`)."""
        return [now.strip() for now, before in zip(self.texts(), self.initial_texts)
                if now.strip() and now != before]

    def has_unsaved_text(self) -> bool:
        return self.initial_draft is not None and self.draft() != self.initial_draft

    def keys_hint(self, more: str = "") -> str:
        """``"{more} · Enter saves · Esc cancels"`` with the keys as they are bound now."""
        parts = [more] if more else []
        parts.append(f"{{dialog-save}} {self.SAVE_VERB}")
        parts.append("{cancel} cancels")
        return with_keys(self.app, " · ".join(parts), self)

    # ------------------------------------------------------------------ keys and buttons
    def save(self) -> None:
        """Checks what was typed and dismisses with the result (or says what is missing)."""
        raise NotImplementedError

    def action_save(self) -> None:
        """Enter is a priority binding: the save waits for the keys typed before it
        (:meth:`tui.app.RapportApp.after_typing`), then saves as Enter in the field it came
        from asks."""
        focused = self.focused
        self.app.after_typing(lambda: self.save_from(focused))

    def save_from(self, focused: Widget | None) -> None:
        """Saves, as Enter in ``focused`` asks (on a button: presses it)."""
        if not self.is_current:
            return  # closed meanwhile (a second Enter)
        if isinstance(focused, Button):
            focused.press()
            return
        self.save()

    @on(Button.Pressed, ".save")
    def save_pressed(self) -> None:
        self.save()

    @on(Button.Pressed, ".cancel")
    def action_cancel(self) -> None:
        if not self.has_unsaved_text():
            self.dismiss(None)
            return
        from tui.screens.confirm import ConfirmScreen

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(
            "Discard what you typed?", "Nothing of it has been saved.", confirm="Discard"),
            decided)
