"""A jot: a dated note about a person between sessions, shown in their timeline and in the
follow-up of your next session with them."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea


class JotScreen(ModalScreen[str | None]):
    """Returns the jot's text, or None when cancelled. Saving is the caller's job."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    AUTO_FOCUS = "#jot-text"

    def __init__(self, person_name: str) -> None:
        super().__init__()
        self.person_name = person_name

    def compose(self) -> ComposeResult:
        with Vertical(id="jot-dialog", classes="dialog"):
            yield Static(Text(f"Jot about {self.person_name}"), classes="dialog-title")
            yield Static("Something to raise next time: it shows in their timeline and in the "
                         "follow-up of your next session.", classes="hint")
            yield TextArea(id="jot-text", soft_wrap=True, tab_behavior="focus")
            yield Label("", id="jot-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="jot-save")
                yield Button("Cancel (esc)", id="jot-cancel")

    @on(Button.Pressed, "#jot-save")
    def action_save(self) -> None:
        text = self.query_one("#jot-text", TextArea).text.strip()
        if not text:
            self.query_one("#jot-error", Label).update("Type the jot first.")
            self.query_one("#jot-text", TextArea).focus()
            return
        self.dismiss(text)

    @on(Button.Pressed, "#jot-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
