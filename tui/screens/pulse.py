"""The pulse (the stage-form key at a 1-on-1's check-in): how they are, 1-5, and a word."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from store import Pulse, visible
from tui import format as fmt
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet

SCORES = ((1, "1 low"), (2, "2"), (3, "3"), (4, "4"), (5, "5 great"))


@dataclass(frozen=True)
class PulseEntry:
    score: int
    word: str


class PulseDialog(Dialog[PulseEntry | None]):
    """A digit 1-5 picks the score (outside the word field); a letter typed there goes on to
    the word, so "4 steady Enter" records both, and so does "4 Tab steady Enter" (the digit
    used to move to the word itself, and that Tab then left it); Enter saves from any field."""

    AUTO_FOCUS = "#pulse-score"

    def __init__(self, name: str, current: Pulse | None = None) -> None:
        super().__init__()
        self.name_shown = name
        self.current = current

    def compose(self) -> ComposeResult:
        score = self.current.score if self.current else None
        with Vertical(id="pulse-dialog", classes="dialog"):
            yield Static(self.keys_hint("Pulse  ·  1-5 picks"), classes="dialog-title",
                         markup=False)
            yield Label(f"How is {visible(self.name_shown)}? 1 (low) to 5 (great)", markup=False)
            with ChoiceSet(id="pulse-score"):
                for value, label in SCORES:
                    yield RadioButton(label, value=value == score, name=str(value))
            yield Label("In a word (optional)")
            # not selected on focus: the letter that moved here must not be typed over
            yield Input(fmt.editable(self.current.word) if self.current else "",
                        select_on_focus=False,
                        placeholder="e.g. stretched, steady, energised", id="pulse-word")
            yield Label("", id="pulse-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="pulse-save", classes="save")
                yield Button("Cancel", id="pulse-cancel", classes="cancel")

    def typed_on_button(self, event: events.Key) -> bool:
        return False  # on_key: a digit on a button is a score, a letter starts the word

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.focused, Input) or not event.is_printable or event.character in (
                None, " "):
            return
        event.stop()
        event.prevent_default()
        if event.character in tuple("12345"):
            for button in self.query_one("#pulse-score", RadioSet).query(RadioButton):
                if button.name == event.character:
                    button.value = True
            return
        word = self.query_one("#pulse-word", Input)  # a letter starts the word afresh
        self.set_focus(word)
        word.value = event.character
        word.cursor_position = len(word.value)

    def score(self) -> int | None:
        pressed = self.query_one("#pulse-score", RadioSet).pressed_button
        return int(pressed.name) if pressed is not None and pressed.name else None

    def draft(self) -> tuple[object, ...]:
        return (self.score(), self.query_one("#pulse-word", Input).value)

    def save(self) -> None:
        score = self.score()
        if score is None:
            self.query_one("#pulse-error", Label).update("Pick a score: a digit 1-5.")
            return
        typed = self.query_one("#pulse-word", Input).value
        word = fmt.as_edited(typed, self.current.word) if self.current else typed
        self.dismiss(PulseEntry(score, " ".join(word.split())))
