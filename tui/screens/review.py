"""End of session: time per stage planned vs spent, items captured, notes; then end it."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from store import ITEM_KINDS, Item, Session
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.base import RapportModal


class EndReviewScreen(RapportModal[bool]):
    BINDINGS = [Binding("escape", "back", "Back to the session", id="back"),
                Binding("ctrl+e,f10", "end", "End session", id="review-end")]
    AUTO_FOCUS = "#review-end"

    def __init__(self, session: Session, stages: Sequence[Mapping[str, Any]],
                 spent: Mapping[str, float], items: Sequence[Item], texts: Mapping[str, str],
                 private: Mapping[str, bool]) -> None:
        super().__init__()
        self.session, self.stages, self.spent = session, stages, spent
        self.items, self.texts, self.private = items, texts, private

    def compose(self) -> ComposeResult:
        with Vertical(id="review-dialog", classes="dialog"):
            yield Static(with_keys(self.app, "Review before ending  ·  {review-end} ends · "
                                   "{back} back", self),
                         classes="dialog-title", markup=False)
            table: DataTable[str] = DataTable(id="review-table", cursor_type="row")
            table.add_columns("Stage", "Planned", "Spent", "Notes")
            total_planned = total_spent = 0.0
            for stage in self.stages:
                planned = float(stage.get("minutes", 0)) * 60
                spent = self.spent.get(stage["key"], 0.0)
                total_planned += planned
                total_spent += spent
                words = len(self.texts.get(stage["key"], "").split())
                lock = " 🔒" if self.private.get(stage["key"], stage.get("private")) else ""
                table.add_row(stage["title"], fmt.duration(planned), fmt.duration(spent),
                              f"{words} words{lock}")
            table.add_row("Total", fmt.duration(total_planned), fmt.duration(total_spent), "")
            yield table
            counts = Counter(i.kind for i in self.items)
            summary = ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}"
                                for k in ITEM_KINDS if counts[k]) or "no items"
            yield Static(f"Captured: {summary}.", id="review-items")
            with Horizontal(classes="buttons"):
                yield Button("End session", variant="primary", id="review-end")
                yield Button("Back", id="review-back")

    @on(Button.Pressed, "#review-end")
    def action_end(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#review-back")
    def action_back(self) -> None:
        self.dismiss(False)
