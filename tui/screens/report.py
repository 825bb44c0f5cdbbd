"""One leader's anonymised report, rendered from exactly the Markdown an export writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tui.commands import Command
from tui.screens.base import RapportScreen
from tui.screens.export import export_dialog
from tui.widgets.footer import Footer

if TYPE_CHECKING:  # pragma: no cover
    from store import Store


class ReportScreen(RapportScreen[None]):
    """One leader's anonymised report, rendered from exactly the Markdown an export writes."""

    AUTO_FOCUS = "#report-scroll"
    BINDINGS = [
        Binding("x", "export", "Export", id="export"),
        Binding("escape", "back", "Back", id="back"),
    ]
    HELP = ("The anonymised report on one leader: only themes where enough different "
            "interviewees said something, no names, no dates, no private passages, nothing "
            "the leader said about themselves. **{export}** exports it.")

    def __init__(self, programme_id: str, leader_id: str) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.leader_id = leader_id
        self.doc: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Anonymised report · exactly what an export would contain",
                     id="report-header")
        with VerticalScroll(id="report-scroll"):
            yield Markdown("*Loading…*", id="report-md")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        def read(store: "Store") -> tuple[dict[str, Any], str]:
            from store import build_synthesis as build, leader_report, render_report as render

            doc = leader_report(build(store, self.programme_id), self.leader_id)
            return doc, render(doc, "md")

        self.load_from_store(read, lambda read: self.show(*read), group="report-load")

    def show(self, doc: dict[str, Any], text: str) -> None:
        self.doc = doc
        self.query_one("#report-md", Markdown).update(text)

    def action_export(self) -> None:
        if self.doc is not None:
            self.app.push_screen(export_dialog(self.doc))

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> list[Command]:
        return [Command("Export the report", "Exactly what is shown, after a preview",
                        self.action_export, "export")]
