"""People: everyone you meet, when you meet them next, open follow-through, how they have been.
One person's view is :mod:`tui.screens.person`."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui import format as fmt
from tui.commands import Command
from tui.keys import with_keys
from tui.record import PersonOverview, people_overview
from tui.screens.person_actions import (
    ask_erase, ask_jot, ask_meeting, ask_merge, ask_person, ask_point, set_cadence,
)
from tui.screens.sections import SEARCH, SECTION_KEYS, SectionScreen
from tui.widgets.browse import BrowseTable, clip, meeting_text, theme_style
from tui.widgets.footer import Footer

#: From this width: sessions, theirs and mine apart, the default guide, absolute dates.
WIDE = 110
COLUMNS = (("name", "Name"), ("sessions", "Sessions"), ("last", "Last met"),
           ("cadence", "Cadence"), ("next", "Next meeting"), ("theirs", "Theirs"),
           ("mine", "Mine"), ("goals", "Goals"), ("pulse", "Pulse"), ("guide", "Guide"))
NARROW_COLUMNS = (("name", "Name"), ("last", "Last met"), ("cadence", "Cadence"),
                  ("next", "Next"), ("theirs", "Open"), ("goals", "Goals"), ("pulse", "Pulse"))
DESCENDING = ("sessions", "last", "theirs", "mine", "goals")
#: after "Last met" (tui.format), here and in ``rapport people``
OPEN_MARK = fmt.OPEN_MARK


def met_text(app: Any, row: PersonOverview) -> Text:
    """The last ended session's day, marked :data:`OPEN_MARK` in the warning colour when one
    is still open (a session left open is not "last time": it has no summary yet)."""
    text = Text(fmt.day(row.last_ended))
    if row.still_open is not None:
        text.append(f"{' ' if text else ''}{OPEN_MARK}", style=theme_style(app, "warning"))
    return text


def pulse_text(app: Any, row: PersonOverview) -> Text:
    """The last pulse's score; a run of low scores marked ``!`` in the warning colour."""
    if row.pulse is None:
        return Text("")
    if row.low_run:
        return Text(f"{row.pulse} !", style=theme_style(app, "warning"), justify="right")
    return Text(str(row.pulse), justify="right")


class PeopleScreen(SectionScreen):
    TITLE = "People"
    AUTO_FOCUS = "#people-table"
    HELP = ("Everyone you meet, with when you meet next (a date you set, else from the "
            "cadence; overdue stands out), the last session ended with them (● one still "
            "open, as Prepare says), what is open and their last pulse (! a run of low "
            "scores). **{open}** opens a person's view, **{prepare}** prepares your next talk, "
            "**{jot}** writes a jot, **{talking-point}** adds a talking point, **{meeting}** sets "
            "or clears the next meeting, **{cadence}** cycles the cadence (none, weekly, "
            "fortnightly, monthly). **{new-person}** adds someone, **{edit}** edits the "
            "highlighted person (name, cadence, default guide), **{merge}** merges a duplicate "
            "into someone, **{delete}** erases them and everything about them (after you type "
            "their name). Click a column header (or **{sort}**) to sort.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("p", "prepare", "Prepare", id="prepare"),
        Binding("n", "jot", "Jot", id="jot"),
        Binding("r", "point", "Talking point", id="talking-point", show=False),
        Binding("m", "meeting", "Next meeting", id="meeting", show=False),
        Binding("c", "cadence", "Cadence", id="cadence", show=False),
        Binding("ctrl+n", "add", "Add", id="new-person"),
        Binding("e,ctrl+e", "edit", "Edit", id="edit", show=False),
        Binding("M", "merge", "Merge", id="merge", show=False),
        Binding("delete,ctrl+d", "erase", "Erase", id="delete", show=False),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort", show=False),
        SEARCH,
        *SECTION_KEYS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[PersonOverview] = []
        self.sort_key = "name"
        self.sort_reverse = False
        self.today: date | None = None
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="people"):
            yield Static("Loading…", id="people-status", markup=False)
            yield BrowseTable(id="people-table")
        yield Footer()

    @property
    def wide(self) -> bool:
        return (self.size.width or 80) >= WIDE

    def on_resize(self) -> None:
        if self.today is not None and self.wide != self._wide:
            self.refresh_table()

    def on_mount(self) -> None:
        self.load()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (where a jot was being written)."""
        return PeopleScreen

    def on_screen_resume(self) -> None:
        if self.today is not None:
            self.load()

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: people_overview(store, today),
                             lambda rows: self.set_rows(rows, today), group="people-load")

    def set_rows(self, rows: list[PersonOverview], today: date) -> None:
        self.rows, self.today = rows, today
        self.refresh_table()

    def sort_value(self, row: PersonOverview) -> Any:
        meeting = row.meeting
        return {"name": row.person.name.casefold(), "sessions": row.sessions,
                "last": (row.last_ended or date.min, row.still_open or date.min),
                "cadence": row.person.cadence or "~",
                "next": (meeting.day, meeting.time or "") if meeting else (date.max, ""),
                "theirs": row.open_theirs, "mine": row.open_mine, "goals": len(row.goals),
                "pulse": row.pulse or 9, "guide": self.guide_name(row)}[self.sort_key]

    def guide_name(self, row: PersonOverview) -> str:
        guide = row.person.guide_id
        found = self.app.catalog.get(guide) if guide else None
        return found.name if found else guide or ""

    def refresh_table(self) -> None:
        table = self.query_one("#people-table", BrowseTable)
        current = table.selected_key()
        rows = sorted(self.rows, key=self.sort_value, reverse=self.sort_reverse)
        wide = self._wide = self.wide
        table.clear(columns=True)
        for key, label in (COLUMNS if wide else NARROW_COLUMNS):
            table.add_column(label, key=key)
        for row in rows:
            table.add_row(*(self.wide_cells(row) if wide else self.narrow_cells(row)),
                          key=row.person.id)
        if current is not None:
            index = next((i for i, r in enumerate(rows) if r.person.id == current), 0)
            table.move_cursor(row=index)
        self.show_status(rows, wide)

    def wide_cells(self, row: PersonOverview) -> list[Any]:
        return [Text(row.person.name), Text(str(row.sessions), justify="right"),
                met_text(self.app, row), row.person.cadence or "—",
                meeting_text(self.app, row.meeting),
                Text(str(row.open_theirs or ""), justify="right"),
                Text(str(row.open_mine or ""), justify="right"), Text(row.goal_summary()),
                pulse_text(self.app, row), Text(clip(self.guide_name(row), 22))]

    def narrow_cells(self, row: PersonOverview) -> list[Any]:
        both = f"{row.open_theirs} · {row.open_mine}" if row.open_theirs or row.open_mine else ""
        risky = any(g.status == "at-risk" for g in row.goals)
        return [Text(clip(row.person.name, 15)), met_text(self.app, row),
                row.person.cadence or "—", meeting_text(self.app, row.meeting, self.today),
                Text(both, justify="center"),
                Text(f"{len(row.goals) or ''}{' !' if risky else ''}"),
                pulse_text(self.app, row)]

    def show_status(self, rows: list[PersonOverview], wide: bool) -> None:
        states = [r.meeting.state for r in rows if r.meeting is not None]
        overdue, today = states.count("overdue"), states.count("today")
        status = Text(f"{len(rows)} {'person' if len(rows) == 1 else 'people'}")
        if overdue:
            status.append(f" · {overdue} overdue", style=theme_style(self.app, "error"))
        if today:
            status.append(f" · {today} today", style=theme_style(self.app, "warning"))
        if not rows:  # nothing to read the legend against: say how to begin
            status = Text(with_keys(self.app, "No one yet: {new-person} adds someone; a session "
                                    "started with a new name adds them too.", self))
        elif not wide:
            status.append("   Open: theirs · mine; ! a goal at risk, or a run of low pulses",
                          style="dim")
        if any(r.still_open for r in rows):  # what the mark after "Last met" says
            status.append(";" if not wide else "  ", style="dim")
            status.append(f" {OPEN_MARK}", style=theme_style(self.app, "warning"))
            status.append(" a session still open", style="dim")
        self.query_one("#people-status", Static).update(status)

    def selected(self) -> PersonOverview | None:
        key = self.query_one("#people-table", BrowseTable).selected_key()
        return next((r for r in self.rows if r.person.id == key), None)

    @on(DataTable.HeaderSelected, "#people-table")
    def header_sort(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value or "name"
        if self.sort_key == key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, key in DESCENDING
        self.refresh_table()

    def action_cycle_sort(self) -> None:
        keys = [k for k, _ in (COLUMNS if self.wide else NARROW_COLUMNS)]
        index = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.sort_key = keys[(index + 1) % len(keys)]
        self.sort_reverse = self.sort_key in DESCENDING
        self.refresh_table()
        self.notify(f"sorted by {dict(COLUMNS)[self.sort_key].lower()}", timeout=2)

    # ------------------------------------------------------------------ actions
    @on(DataTable.RowSelected, "#people-table")
    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            from tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(row.person.id))

    def action_prepare(self) -> None:
        row = self.selected()
        if row is not None:
            from tui.screens.prepare import PrepareScreen

            self.app.push_screen(PrepareScreen(row.person.id))

    def action_jot(self) -> None:
        row = self.selected()
        if row is not None:
            ask_jot(self, row.person)

    def action_point(self) -> None:
        row = self.selected()
        if row is not None:
            ask_point(self, row.person)

    def action_meeting(self) -> None:
        row = self.selected()
        if row is not None:
            ask_meeting(self, row.person, saved=self.load)

    def action_cadence(self) -> None:
        row = self.selected()
        if row is not None and set_cadence(self, row.person) is not None:
            self.load()

    def action_add(self) -> None:
        ask_person(self, saved=self.load)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            ask_person(self, row.person, saved=self.load)

    def action_merge(self) -> None:
        row = self.selected()
        if row is not None:
            ask_merge(self, row.person, merged=self.load)

    def action_erase(self) -> None:
        row = self.selected()
        if row is not None:
            ask_erase(self, row.person, erased=self.load)

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [
            Command("Open person", "Timeline, goals, pulse and feedback", self.action_open,
                    "open"),
            Command("Prepare", "Since last time, for the highlighted person",
                    self.action_prepare, "prepare"),
            Command("New jot", "A note about the highlighted person", self.action_jot, "jot"),
            Command("Talking point", "Something to raise next time, or theirs",
                    self.action_point, "talking-point"),
            Command("Next meeting", "Set or clear the highlighted person's next meeting",
                    self.action_meeting, "meeting"),
            Command("Cycle cadence", "None, weekly, fortnightly, monthly", self.action_cadence,
                    "cadence"),
            Command("Add a person", "Name, cadence and default guide", self.action_add,
                    "new-person"),
            Command("Edit person", "Name (rename), cadence, default guide", self.action_edit,
                    "edit"),
            Command("Merge people", "A duplicate into the right record", self.action_merge,
                    "merge"),
            Command("Erase person", "Them and everything about them, for good",
                    self.action_erase, "delete"),
            Command("Sort people", "By the next column", self.action_cycle_sort, "sort"),
        ]
