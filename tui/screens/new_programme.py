"""The new-programme dialog: a name, a purpose and more themes than the default ones."""

from __future__ import annotations

from typing import Any, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from store import DEFAULT_THEMES
from tui.screens.dialog import Dialog


class NewProgrammeDialog(Dialog[dict[str, Any] | None]):
    AUTO_FOCUS = "#programme-name"
    SAVE_VERB = "creates it"

    def __init__(self, existing: Sequence[str] = ()) -> None:
        super().__init__()
        self.existing = {n.casefold() for n in existing}

    def compose(self) -> ComposeResult:
        with Vertical(id="programme-dialog", classes="dialog"):
            yield Static(self.keys_hint("New programme  ·  Tab moves"), classes="dialog-title",
                         markup=False)
            yield Label("Name")
            yield Input(placeholder="e.g. Leadership team 2025", id="programme-name")
            yield Label("Purpose (optional)")
            yield Input(placeholder="what the interviews are for", id="programme-purpose")
            yield Label("More themes (optional, comma-separated)")
            yield Input(placeholder="e.g. decision making, trust", id="programme-themes")
            yield Static("Always included: " + ", ".join(DEFAULT_THEMES), classes="hint")
            yield Label("", id="programme-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create", variant="primary", id="programme-create", classes="save")
                yield Button("Cancel", id="programme-cancel", classes="cancel")

    def save(self) -> None:
        name = " ".join(self.query_one("#programme-name", Input).value.split())
        if not name:
            self.error("Give the programme a name.")
            self.query_one("#programme-name", Input).focus()
            return
        if name.casefold() in self.existing:
            self.error(f"There is already a programme called {name!r}.")
            self.query_one("#programme-name", Input).focus()
            return
        raw = self.query_one("#programme-themes", Input).value
        themes = [" ".join(t.split()) for t in raw.split(",") if t.strip()]
        self.dismiss({"name": name, "purpose": self.query_one("#programme-purpose", Input).value.strip(),
                      "themes": themes})

    def error(self, text: str) -> None:
        self.query_one("#programme-error", Label).update(text)
