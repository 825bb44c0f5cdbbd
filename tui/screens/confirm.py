"""Yes or no, with the safe answer focused."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from store import visible
from tui.keys import key_label
from tui.screens.base import RapportModal


class ConfirmScreen(RapportModal[bool]):
    """Dismissed with True (``y``) or False (``n`` or Escape); Cancel has the focus."""

    BINDINGS = [Binding("escape,n", "cancel", "Cancel", id="confirm-no"),
                Binding("y", "confirm", "Confirm", id="confirm-yes")]
    AUTO_FOCUS = "#confirm-cancel"

    def __init__(self, title: str, message: str, confirm: str = "Delete") -> None:
        super().__init__()
        self.heading, self.message, self.confirm_label = title, message, confirm

    def compose(self) -> ComposeResult:
        yes = key_label(self.app, "confirm-yes", self, first=True)
        no = key_label(self.app, "confirm-no", self)
        with Vertical(id="confirm-dialog", classes="dialog"):
            # a name in it shows as the lists show it (BEL as ␇: a Static drops it)
            yield Static(Text(visible(self.heading)), classes="dialog-title")
            yield Static(Text(visible(self.message)), id="confirm-message")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.confirm_label} ({yes})", variant="error", id="confirm-ok")
                yield Button(f"Cancel ({no})", id="confirm-cancel")

    @on(Button.Pressed, "#confirm-ok")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
