"""Prepare: before talking to someone, what happened since last time (the store's
:func:`store.since_last_time`, laid out by :class:`tui.widgets.prepare.SinceLastTimeView`).
Opened with **p** from the home list (the highlighted session's person), the people list and a
person's view."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from store import RapportError
from tui import format as fmt
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.person_actions import ask_jot, ask_meeting, ask_point, start_session_with
from tui.screens.sections import SEARCH, SECTION_KEYS, SectionScreen
from tui.widgets.footer import Footer
from tui.widgets.prepare import SinceLastTimeView, header_text

if TYPE_CHECKING:  # pragma: no cover
    from store import Item, SinceLastTime, Store


class PrepareScreen(SectionScreen):
    TITLE = "Prepare"
    AUTO_FOCUS = "#since"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "new_session", "New session", id="new-session"),
        Binding("n", "jot", "New jot", id="jot", show=False),  # the hint line says these
        Binding("r", "point", "Talking point", id="talking-point", show=False),
        Binding("m", "meeting", "Next meeting", id="meeting", show=False),
        Binding("d", "done", "Done", id="done", show=False),
        SEARCH,
        *SECTION_KEYS,
    ]
    HELP = ("What happened since you last met: talking points (theirs first), open action items "
            "both ways (overdue first), jots since, goals at a glance, the pulse and last time's "
            "summary. **{done}** marks an open action item done (pick it from the list: what "
            "they or you did before you meet), **{talking-point}** adds a talking point, "
            "**{jot}** a jot, **{meeting}** sets the next meeting, **{new-session}** starts the "
            "session with them.")

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.data: SinceLastTime | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="prepare-header", markup=False)
        yield SinceLastTimeView(id="since")
        yield Static(with_keys(self.app, "{done} item done · {talking-point} talking point · "
                               "{jot} jot · {meeting} next meeting · {new-session} start the "
                               "session", self),
                     id="prepare-hint", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        facilitator = self.app.config.facilitator_name

        def read(store: "Store") -> "SinceLastTime":
            from store import since_last_time

            return since_last_time(store, self.person_id, today=today, facilitator=facilitator)

        self.load_from_store(read, lambda data: self.show(data, today), group="prepare-load")

    def show(self, data: "SinceLastTime", today: date) -> None:
        self.data = data
        self.sub_title = data.person.name
        self.query_one("#prepare-header", Static).update(header_text(self.app, data))
        self.query_one(SinceLastTimeView).show(data, today)

    def show_store_error(self, error: Exception) -> None:
        self.query_one("#prepare-header", Static).update(Text(str(error)))

    # ------------------------------------------------------------------ actions
    def action_jot(self) -> None:
        if self.data is not None:
            ask_jot(self, self.data.person, saved=self.load)

    def action_point(self) -> None:
        if self.data is not None:
            ask_point(self, self.data.person, saved=self.load)

    def action_meeting(self) -> None:
        if self.data is not None:
            ask_meeting(self, self.data.person, saved=self.load)

    def action_done(self) -> None:
        """Which open action item is done (a manager preparing ticks off what already
        happened): picked from their items and mine, overdue first, then marked done through
        the store; it moves to "Done since" in the view."""
        data = self.data
        if data is None:
            return
        items = {i.id: i for i in (*data.theirs, *data.mine)}
        if not items:
            self.notify("no open action item, either way", timeout=3)
            return
        from tui.screens.person_dialogs import Picker

        def label(item: "Item") -> str:
            whose = "theirs" if item in data.theirs else "mine"
            due = f" · due {fmt.day(item.due)}" if item.due is not None else ""
            late = " overdue" if item.id in data.overdue else ""
            return f"{whose} · {' '.join(item.text.split())}{due}{late}"

        def picked(item_id: object) -> None:
            item = items.get(item_id) if isinstance(item_id, str) else None
            if item is None:
                return
            try:
                self.store.update_item(item.id, status="done")
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify("marked done: it is under Done now", timeout=2)
            self.load()

        self.app.push_screen(Picker("Which item is done?", "Open action items, theirs first",
                                    [(key, label(item)) for key, item in items.items()]),
                             picked)

    def action_new_session(self) -> None:
        if self.data is not None:
            start_session_with(self, self.data.person, replace=True)

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [
            Command("Talking point", "Something to raise, or that they asked for",
                    self.action_point, "talking-point"),
            Command("Item done", "Mark one of the open action items done", self.action_done,
                    "done"),
            Command("New jot", "A note about them", self.action_jot, "jot"),
            Command("Next meeting", "Set or clear the date", self.action_meeting, "meeting"),
            Command("Start the session", "With them, from their default guide",
                    self.action_new_session, "new-session"),
        ]
