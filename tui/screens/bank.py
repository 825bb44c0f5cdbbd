"""A question of your own, saved to your question bank for this guide and stage (a session key).

The bank's questions show in later sessions beside the guide's, marked as yours. A lock, a
signal or a crash keeps a question typed here in the bank, for this guide and stage, marked as
kept (the :class:`~tui.screens.dialog.Keeper` :func:`tui.screens.session_loop.bank_question`
gives it), not in the stage's private note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from tui.screens.dialog import Dialog


class BankDialog(Dialog[str | None]):
    AUTO_FOCUS = "#bank-text"

    def __init__(self, guide: str, stage: str, text: str = "") -> None:
        """``text``: what to start from (the question under the cursor, if any)."""
        super().__init__()
        self.guide, self.stage_title, self.text = guide, stage, text

    def compose(self) -> ComposeResult:
        with Vertical(id="bank-dialog", classes="dialog"):
            yield Static(self.keys_hint("Save a question of your own"), classes="dialog-title",
                         markup=False)
            yield Static(f"For {self.guide} · {self.stage_title}: shown in later sessions "
                         "beside the guide's, marked ✦ yours", markup=False)  # wraps
            yield Input(self.text, placeholder="e.g. What gave you energy this week?",
                        id="bank-text")
            yield Label("", id="bank-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="bank-save", classes="save")
                yield Button("Cancel", id="bank-cancel", classes="cancel")

    def save(self) -> None:
        text = " ".join(self.query_one("#bank-text", Input).value.split())
        if not text:
            self.query_one("#bank-error", Label).update("Type the question first.")
            return
        self.dismiss(text)
