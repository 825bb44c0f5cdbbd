"""A jot: a dated note about a person between sessions, shown in their timeline and in the
follow-up of your next session with them. A talking point: something to raise next time, or
that they asked to discuss (``rapport jot --raise`` / ``--theirs``)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, TextArea

from store import visible
from tui.keys import with_keys
from tui.screens.base import RapportModal
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet


class JotScreen(Dialog[str | None]):
    """Returns the jot's text, or None when cancelled. Saving is the caller's job."""

    BINDINGS = [Binding("ctrl+j", "new_line", "New line", id="new-line")]
    AUTO_FOCUS = "#jot-text"

    def __init__(self, person_name: str) -> None:
        super().__init__()
        self.person_name = person_name

    def compose(self) -> ComposeResult:
        with Vertical(id="jot-dialog", classes="dialog"):
            yield Static(Text(f"Jot about {visible(self.person_name)}"), classes="dialog-title")
            yield Static("Something to raise next time: it shows in their timeline and in the "
                         "follow-up of your next session.", classes="hint")
            yield TextArea(id="jot-text", soft_wrap=True, tab_behavior="focus")
            yield Static(self.keys_hint("{new-line} starts a new line"), classes="hint")
            yield Label("", id="jot-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="jot-save", classes="save")
                yield Button("Cancel", id="jot-cancel", classes="cancel")

    def action_new_line(self) -> None:
        self.query_one("#jot-text", TextArea).insert("\n")

    def save(self) -> None:
        text = self.query_one("#jot-text", TextArea).text.strip()
        if not text:
            self.query_one("#jot-error", Label).update("Type the jot first.")
            self.query_one("#jot-text", TextArea).focus()
            return
        self.dismiss(text)


class JotView(RapportModal[None]):
    """One jot, whole (the timeline shows its first line, cut): who it is about, when it was
    written, every line of it. Read only; the close key closes it."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="close")]
    AUTO_FOCUS = "#jot-view-text"

    def __init__(self, person_name: str, written: str, text: str) -> None:
        super().__init__()
        self.person_name = person_name
        self.written = written
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="jot-view", classes="dialog"):
            yield Static(Text(f"Jot about {visible(self.person_name)}  ·  {self.written}"),
                         classes="dialog-title")
            with VerticalScroll(id="jot-view-text"):
                yield Static(Text(self.text), markup=False)
            yield Static(with_keys(self.app, "{close} closes", self), classes="hint",
                         markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class TalkingPointDialog(Dialog[tuple[str, str] | None]):
    """Returns ``(text, owner)``: owner ``"mine"`` (to raise) or ``"theirs"`` (they asked to
    discuss it); None when cancelled. Saving is the caller's job."""

    AUTO_FOCUS = "#point-text"

    def __init__(self, person_name: str) -> None:
        super().__init__()
        self.person_name = person_name

    def compose(self) -> ComposeResult:
        with Vertical(id="point-dialog", classes="dialog"):
            yield Static(Text(self.keys_hint("Talking point with {name}  ·  Tab moves",
                                             name=self.person_name)), classes="dialog-title")
            yield Static("Listed when your next session with them opens; marked covered "
                         "there, carried to the next 1-on-1 if not.", classes="hint")
            yield Input(placeholder="what to talk about", id="point-text")
            yield Label("Whose is it?")
            with ChoiceSet(id="point-owner"):
                yield RadioButton("Mine to raise", value=True, name="mine")
                yield RadioButton("They asked", name="theirs")
            yield Label("", id="point-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="point-save", classes="save")
                yield Button("Cancel", id="point-cancel", classes="cancel")

    def save(self) -> None:
        text = self.query_one("#point-text", Input).value.strip()
        if not text:
            self.query_one("#point-error", Label).update("Type the talking point first.")
            self.query_one("#point-text", Input).focus()
            return
        owner = self.query_one("#point-owner", RadioSet).pressed_button
        self.dismiss((text, owner.name if owner is not None and owner.name else "mine"))
