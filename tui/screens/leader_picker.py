"""Which leader a report is on."""

from __future__ import annotations

from typing import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.keys import with_keys
from tui.screens.base import RapportModal


class LeaderPicker(RapportModal[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]
    AUTO_FOCUS = "#leader-list"

    def __init__(self, leaders: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.leaders = list(leaders)

    def compose(self) -> ComposeResult:
        with Vertical(id="leader-dialog", classes="dialog"):
            yield Static("Report on which leader?", classes="dialog-title")
            yield OptionList(*[Option(name, id=pid) for pid, name in self.leaders],
                             id="leader-list", markup=False)
            yield Static(with_keys(self.app, "Enter opens the anonymised report · {cancel} cancels",
                                   self), classes="hint", markup=False)

    @on(OptionList.OptionSelected, "#leader-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
