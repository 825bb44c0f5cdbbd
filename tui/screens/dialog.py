"""The base of every dialog that holds typed text: nothing typed is lost by a stray key.

* **Enter saves from any field** (a priority binding, ``dialog-save``): in a list it does not
  toggle or pick, in a field it does not just move on. On a focused button it presses that
  button, so Tab to Cancel and Enter still cancels.
* **Escape or Cancel with unsaved text asks first** (:class:`tui.screens.confirm.ConfirmScreen`);
  with nothing typed they close at once.
* **Tab moves on at once** (a priority binding too): what is typed right after it goes into the
  next field, not the one it left.
* **Typing on a button types into the text field**: a letter typed while a button has the focus
  (one Tab too far from the field, a file path half typed) goes into the text field before the
  button (:meth:`Dialog.typed_on_button`, run by the app as the key arrives, so the keys after
  it follow it there in order): at its end, or in place of a text the dialog put there and that
  typing would replace on focus (the export's suggested path). It did nothing, and Enter then
  pressed the button: the export wrote a plaintext file where the person had not chosen.
* **The save key is shown in the dialog**: :meth:`Dialog.keys_hint` says it, with the live keymap.

* **A lock, a signal or a crash keeps what was typed** (:meth:`tui.app.RapportApp.
  keep_dialog_text`), where the facilitator was writing it, marked "(kept when Rapport
  locked)", and the unlock screen says where. A dialog's :class:`Keeper` (:meth:`Dialog.
  keeper_now`) decides; with none, a live session beneath keeps it in the stage's private note.

  - about someone (a jot, a talking point, a goal's check-in, a roster note): a jot about them;
  - a question of your own (the bank, or saved from a session): a question in the bank for the
    guide and stage it was for;
  - a strategy item: a strategy item of that programme, resting on the links chosen;
  - a new programme: a programme, its name marked as kept;
  - an edit of a question or a strategy item: a new one beside it (never the half-typed text
    over the one saved).

  Not kept, as no conversation is written there: the new-session dialog (a name and a title,
  typed again in seconds; a session kept would be a meeting that did not happen), adding or
  editing a person (a name: a half-typed one kept would be a wrong record), the next meeting (a
  date), erasing someone (their name, typed to confirm) and the export dialog (a file path).

A dialog implements :meth:`Dialog.save` (check, then ``self.dismiss(result)``) and, when what
counts as typed is more than its text fields, :meth:`Dialog.draft`. Buttons with the class
``save`` or ``cancel`` do what the keys do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from textual import events, on
from textual.actions import SkipAction
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Button, Input, TextArea

from store import visible
from tui.keys import with_keys
from tui.screens.base import RapportModal, ScreenResultType

if TYPE_CHECKING:  # pragma: no cover
    from store import Store


@dataclass(frozen=True)
class Keeper:
    """Where a dialog's typed text goes when a lock, a signal or a crash closes it unsaved:
    ``keep(store, text, when)`` writes it (``text``: the fields typed, marked as kept, as
    :func:`kept_text` says; ``when``: "when Rapport locked", for a keeper that marks a field of
    its own), ``where`` says where ("in a jot about Ana Silva")."""

    where: str
    keep: Callable[["Store", str, str], object]

    @classmethod
    def jot(cls, person_id: str, name: str, *, note: str = "") -> "Keeper":
        """Kept as a jot about the person: private, dated, on their page and in Prepare.
        ``note``: said after where ("the item is as it was")."""
        return cls(f"in a jot about {name}" + (f" ({note})" if note else ""),
                   lambda store, text, when: store.add_jot(person_id, text))

    @classmethod
    def question(cls, guide_id: str, stage: str, label: str, *, beside: bool = False
                 ) -> "Keeper":
        """Kept as a question of your own for ``guide_id`` and ``stage`` (``label``: "One-on-one
        · Check-in"): in the bank, and offered in later sessions. ``beside``: an edit, kept as
        a new question beside the one being edited, which stays as it was saved."""
        where = f"in your question bank, for {label}"
        if beside:
            where += ", beside the question you were editing"
        return cls(where, lambda store, text, when: store.add_question(guide_id, stage, text))


#: the mark :func:`kept_text` puts first, as it reads at the start of a text kept before
KEPT_MARK = re.compile(r"^(\(kept when [^)]*\)\s*)+")


def kept_text(typed: list[str], when: str) -> str:
    """What a dialog's typed text is kept as: ``(kept when Rapport locked) Ana to send the
    budget · 2025-03-05``. A text kept before and edited when the next lock came is marked
    once, not twice."""
    return f"(kept {when}) " + " · ".join(KEPT_MARK.sub("", line) for line in typed)


class Dialog(RapportModal[ScreenResultType]):
    BINDINGS = [
        Binding("enter", "save", "Save", id="dialog-save", priority=True),
        Binding("ctrl+s", "save", "Save", id="save", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
        # priority, as Enter: the letters typed right after Tab go into the next field
        Binding("tab", "next_field", "Next field", id="dialog-next-field", show=False,
                priority=True),
        Binding("shift+tab", "previous_field", "Previous field", id="dialog-previous-field",
                show=False, priority=True),
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
        for field in self.query("Input, TextArea"):
            if isinstance(field, Input) and is_text_field(field):
                values.append(field.value)
            elif isinstance(field, TextArea) and is_text_field(field):
                values.append(field.text)
        return tuple(values)

    def typed_text(self) -> list[str]:
        """The text fields typed into since the dialog opened, not blank: what a lock or a
        signal would otherwise lose (:meth:`tui.app.RapportApp.keep_dialog_text`)."""
        return [now.strip() for now, before in zip(self.texts(), self.initial_texts)
                if now.strip() and now != before]

    def keeper_now(self) -> Keeper | None:
        """Where this dialog's typed text is kept if a lock, a signal or a crash closes it now:
        :attr:`keeper`, set by the flow that opened it; a dialog whose record depends on what is
        chosen in it (the guide and stage of a question) says so itself."""
        return self.keeper

    def has_unsaved_text(self) -> bool:
        return self.initial_draft is not None and self.draft() != self.initial_draft

    def keys_hint(self, more: str = "", **values: str) -> str:
        """``"{more} · Enter saves · Esc cancels"`` with the keys as they are bound now and
        ``values`` (names, titles: anything typed) put in their ``{name}`` places, as the lists
        show them (BEL as ␇: a Static drops it)."""
        parts = [more] if more else []
        parts.append(f"{{dialog-save}} {self.SAVE_VERB}")
        parts.append("{cancel} cancels")
        return visible(with_keys(self.app, " · ".join(parts), self, **values))

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

    def typed_on_button(self, event: events.Key) -> bool:
        """A printable key typed while one of this dialog's buttons has the focus goes into the
        dialog's text field (:func:`field_for_button`), which takes the focus: called by
        :meth:`tui.app.RapportApp.on_event` as the key arrives, ahead of the keys after it
        (they then reach the field itself). Moving the focus at once (not as Textual's
        ``focus()``, a callback later) and typing from the field's own queue, after the focus
        event in which an Input selects its whole text, keeps a fast "abc" whole: else the
        select-all came after the "a" and the "b" replaced it. True when it took the key."""
        button = self.focused
        if not (isinstance(button, Button) and event.is_printable and event.character) \
                or event.key in self.active_bindings:
            return False
        field = field_for_button(self, button)
        if field is None:
            return False
        replace = self.typing_replaces(field)
        self.set_focus(field)
        field.call_later(type_into, field, event.character, replace)
        return True

    def typing_replaces(self, field: Input | TextArea) -> bool:
        """Whether a letter typed on a button replaces ``field``'s text (as typing in an
        Input just focused does) rather than going at its end: only while it holds what the
        dialog put there, never what was typed."""
        return isinstance(field, Input) and field.select_on_focus \
            and field.value in self.initial_texts

    def action_next_field(self) -> None:
        """Tab moves on at once, ahead of the letters typed after it. A priority binding: the
        screen's own Tab (not one) moved on only once the focused field had handled what was
        queued behind it, so a name, Tab and a purpose typed in one go all went into the name.
        A field with a Tab of its own (``TAKES_TAB``: the participant's name completes) keeps it."""
        if getattr(self.focused, "TAKES_TAB", False):
            raise SkipAction()
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

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


def field_for_button(dialog: Dialog[Any], button: Button) -> Input | TextArea | None:
    """The text field letters typed on ``button`` go into: the nearest one before it in the
    focus order (the one Tab left), else the first after it; None in a dialog without one."""
    chain = dialog.focus_chain
    fields = [w for w in chain if is_text_field(w)]
    if button not in chain or not fields:
        return None
    before = [w for w in chain[:chain.index(button)] if is_text_field(w)]
    found = before[-1] if before else fields[0]
    assert isinstance(found, (Input, TextArea))
    return found


def is_text_field(widget: Widget) -> bool:
    if isinstance(widget, Input):
        return not widget.password
    return isinstance(widget, TextArea) and not widget.read_only


def type_into(field: Input | TextArea, character: str, replace: bool) -> None:
    """``character`` typed into ``field``: in place of its text (``replace``) or at its end."""
    if not field.is_attached:
        return
    if isinstance(field, Input):
        field.replace(character, 0 if replace else len(field.value), len(field.value))
    else:
        end = field.document.end
        field.insert(character, end)
        field.move_cursor(field.document.end)
