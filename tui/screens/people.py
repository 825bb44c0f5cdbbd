"""People: everyone you meet, who is due, open follow-through; and one person's timeline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from store import RapportError
from store import Item, Jot, Person, SessionSummary
from tui import format as fmt
from tui.record import (
    CLOSED_GOAL, PersonOverview, due_of, goal_order, is_overdue, item_order, last_met,
    next_cadence, people_overview, whose,
)
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.base import RapportScreen
from tui.widgets.browse import BrowseTable, clip, due_cell, theme_style

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

COLUMNS = (("name", "Name"), ("sessions", "Sessions"), ("last", "Last met"),
           ("cadence", "Cadence"), ("due", "Next due"), ("theirs", "Theirs"), ("mine", "Mine"),
           ("goals", "Goals"))
#: Under this width "Theirs" and "Mine" share one "Open" column and next due is relative.
WIDE = 110
NARROW_COLUMNS = (("name", "Name"), ("sessions", "Sessions"), ("last", "Last met"),
                  ("cadence", "Cadence"), ("due", "Next due"), ("theirs", "Open"),
                  ("goals", "Goals"))
DESCENDING = ("sessions", "last", "theirs", "mine", "goals")


def relative_due(next_due: date, today: date) -> str:
    days = (next_due - today).days
    if days < 0:
        return f"{-days}d overdue"
    if days == 0:
        return "due today"
    return f"due in {days}d" if days <= 2 else f"in {days}d"


def due_text(app, next_due: date | None, state: str, today: date | None = None) -> Text:
    """The next due date (relative to ``today`` when given); overdue and due stand out."""
    if next_due is None:
        return Text("")
    if today is not None:
        label = relative_due(next_due, today)
    else:
        label = fmt.day(next_due) + {"overdue": " overdue", "due": " due"}.get(state, "")
    if state == "overdue":
        return Text(label, style=theme_style(app, "error"))
    if state == "due":
        return Text(label, style=theme_style(app, "warning"))
    return Text(label)


def ask_jot(screen: RapportScreen[Any], person: Person,
            saved: Callable[[], object] | None = None) -> None:
    """Opens the jot dialog for ``person`` and saves what comes back."""
    from tui.screens.jot import JotScreen

    def done(text: str | None) -> None:
        if not text:
            return
        try:
            screen.store.add_jot(person.id, text)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(f"jot saved for {person.name}", timeout=3, markup=False)
        if saved is not None:
            saved()

    screen.app.push_screen(JotScreen(person.name), done)


def set_cadence(screen: RapportScreen[Any], person: Person) -> Person | None:
    """Moves ``person`` to the next cadence (none, weekly, fortnightly, monthly)."""
    cadence = next_cadence(person.cadence)
    try:
        updated = screen.store.update_person(person.id, cadence=cadence)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return None
    screen.notify(f"{person.name}: {cadence or 'no'} cadence", timeout=2, markup=False)
    return updated


def read_person(store: "Store", person_id: str,
                ) -> tuple[Person, list[SessionSummary], list[Jot], list[Item]]:
    """One person, their sessions, jots, and open items and goals."""
    person = store.person(person_id)
    items = [i for i in store.items(person_id=person.id)
             if (i.kind == "action" and i.is_open)
             or (i.kind == "goal" and i.status not in CLOSED_GOAL)]
    return person, store.summaries(person_id=person.id), store.jots(person.id), items


class PeopleScreen(RapportScreen[None]):
    TITLE = "People"
    AUTO_FOCUS = "#people-table"
    HELP = ("Everyone you have met, with their cadence and what is open. **{open}** opens a "
            "person's timeline, **{jot}** writes a jot about them, **{cadence}** cycles their "
            "1-on-1 cadence (none, weekly, fortnightly, monthly). Overdue means the cadence has "
            "passed since you last met; someone with a cadence you have never met is due today. "
            "Click a column header (or **{sort}**) to sort.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("n", "jot", "New jot", id="jot"),
        Binding("c", "cadence", "Cadence", id="cadence"),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort", show=False),
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

    def sort_value(self, row: PersonOverview):
        return {"name": row.person.name.casefold(), "sessions": row.sessions,
                "last": row.last_met or date.min, "cadence": row.person.cadence or "~",
                "due": row.next_due or date.max, "theirs": row.open_theirs,
                "mine": row.open_mine, "goals": len(row.goals)}[self.sort_key]

    def refresh_table(self) -> None:
        table = self.query_one("#people-table", BrowseTable)
        current = table.selected_key()
        rows = sorted(self.rows, key=self.sort_value, reverse=self.sort_reverse)
        wide = self._wide = self.wide
        table.clear(columns=True)
        for key, label in (COLUMNS if wide else NARROW_COLUMNS):
            table.add_column(label, key=key)
        for row in rows:
            cells = [Text(row.person.name if wide else clip(row.person.name, 14)),
                     Text(str(row.sessions), justify="right"), fmt.day(row.last_met),
                     row.person.cadence or "—",
                     due_text(self.app, row.next_due, row.state, None if wide else self.today)]
            if wide:
                cells += [Text(str(row.open_theirs or ""), justify="right"),
                          Text(str(row.open_mine or ""), justify="right"),
                          Text(row.goal_summary())]
            else:
                both = f"{row.open_theirs} · {row.open_mine}" \
                    if row.open_theirs or row.open_mine else ""
                risky = any(g.status == "at-risk" for g in row.goals)
                cells += [Text(both, justify="center"),
                          Text(f"{len(row.goals) or ''}{' !' if risky else ''}")]
            table.add_row(*cells, key=row.person.id)
        if current is not None:
            index = next((i for i, r in enumerate(rows) if r.person.id == current), 0)
            table.move_cursor(row=index)
        overdue = sum(1 for r in rows if r.state == "overdue")
        due = sum(1 for r in rows if r.state == "due")
        status = Text(f"{len(rows)} people")
        if overdue:
            status.append(f" · {overdue} overdue", style=theme_style(self.app, "error"))
        if due:
            status.append(f" · {due} due", style=theme_style(self.app, "warning"))
        if not wide:
            status.append("   Open: theirs · mine; ! a goal at risk", style="dim")
        if not rows:
            status.append(" · people appear here when you start a session with them")
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
        keys = [k for k, _ in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = self.sort_key in DESCENDING
        self.refresh_table()
        self.notify(f"sorted by {dict(COLUMNS)[self.sort_key].lower()}", timeout=2)

    @on(DataTable.RowSelected, "#people-table")
    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.push_screen(PersonScreen(row.person.id))

    def action_jot(self) -> None:
        row = self.selected()
        if row is not None:
            ask_jot(self, row.person)

    def action_cadence(self) -> None:
        row = self.selected()
        if row is None or self.today is None:
            return
        updated = set_cadence(self, row.person)
        if updated is None:
            return
        row.person = updated
        row.next_due, row.state = due_of(updated, row.last_met, self.today)
        self.refresh_table()

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> list[Command]:
        return [
            Command("Open person", "Timeline, open items and goals", self.action_open, "open"),
            Command("New jot", "A note about the highlighted person", self.action_jot, "jot"),
            Command("Cycle cadence", "None, weekly, fortnightly, monthly", self.action_cadence,
                    "cadence"),
            Command("Sort people", "By the next column", self.action_cycle_sort, "sort"),
        ]


class PersonScreen(RapportScreen[None]):
    """One person: timeline of sessions and jots (newest first), open items and goals."""

    TITLE = "Person"
    AUTO_FOCUS = "#person-timeline"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    HELP = ("The timeline lists sessions and jots, newest first: **⏎** on a session opens it. "
            "**Tab** moves to the open items and goals: **{done}** marks an item done (again: "
            "open), **{goal-status}** moves a goal through open, on-track, at-risk, done and "
            "dropped, **⏎** opens the session it came from. **{jot}** writes a jot, **{cadence}** "
            "cycles the cadence, **{export}** exports this person's sessions.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("n", "jot", "New jot", id="jot"),
        Binding("c", "cadence", "Cadence", id="cadence"),
        Binding("d", "done", "Done", id="done"),
        Binding("s", "goal_status", "Goal status", id="goal-status"),
        Binding("x", "export", "Export", id="export", show=False),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.person: Person | None = None
        self.summaries: list[SessionSummary] = []
        self.jots: list[Jot] = []
        self.items: list[Item] = []
        self.today: date | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="person-header", markup=False)
        with Vertical(id="person-body"):
            with Vertical(id="person-timeline-pane"):
                yield Static("Timeline  ·  ⏎ opens a session", classes="pane-title")
                yield BrowseTable(id="person-timeline")
            with Vertical(id="person-items-pane"):
                yield Static(with_keys(self.app, "Open items and goals  ·  {done} done · "
                                       "{goal-status} goal status", self), classes="pane-title",
                             markup=False)
                yield BrowseTable(id="person-items")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.person is not None:
            self.load()

    def on_resize(self) -> None:
        if self.person is not None:
            self.call_after_refresh(self.show_timeline)
            self.call_after_refresh(self.show_items)

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_person(store, self.person_id),
                             lambda read: self.show(*read, today), group="person-load")

    def show_store_error(self, error: Exception) -> None:
        self.query_one("#person-header", Static).update(Text(str(error)))

    def show(self, person: Person, summaries: list[SessionSummary], jots: list[Jot],
             items: list[Item], today: date) -> None:
        self.person, self.summaries, self.jots, self.today = person, summaries, jots, today
        self.items = sorted((i for i in items if i.kind == "action"),
                            key=lambda i: item_order(i, today))
        self.items += sorted((i for i in items if i.kind == "goal"), key=goal_order)
        self.show_header()
        self.show_timeline()
        self.show_items()

    def show_header(self) -> None:
        person, today = self.person, self.today
        if person is None or today is None:
            return  # not read yet
        met = last_met(self.summaries).get(person.id)
        next_due, state = due_of(person, met, today)
        text = Text()
        text.append(person.name, style="bold")
        text.append(f"  ·  {len(self.summaries)} session{'s' if len(self.summaries) != 1 else ''}")
        text.append(f"  ·  last met {fmt.day(met)}" if met else "  ·  never met")
        none = with_keys(self.app, "none ({cadence} sets one)", self)
        text.append(f"  ·  cadence {person.cadence or none}")
        if next_due is not None:
            text.append("  ·  next due ")
            text.append_text(due_text(self.app, next_due, state))
        self.query_one("#person-header", Static).update(text)

    def show_timeline(self) -> None:
        table = self.query_one("#person-timeline", BrowseTable)
        current = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Date", "What", "")
        room = self.pane_width() - 16 - 18 - 6 - 2
        open_counts: dict[str, int] = {}
        for item in self.items:
            if item.kind == "action":
                open_counts[item.session_id] = open_counts.get(item.session_id, 0) + 1
        entries: list[tuple] = [(s.started_at, "s", s) for s in self.summaries]
        entries += [(j.created_at, "j", j) for j in self.jots]
        entries.sort(key=lambda e: e[0], reverse=True)
        for moment, kind, entry in entries:
            if kind == "s":
                what = Text(clip(("● " if entry.status == "active" else "") + entry.guide_name,
                                 18))
                detail = Text(clip(entry.title, room - 16) + "  " if entry.title else "")
                detail.append(f"{fmt.minutes(entry.spent_seconds)}", style="dim")
                if open_counts.get(entry.id):
                    detail.append(f" · {open_counts[entry.id]} open", style="dim")
                table.add_row(fmt.when(moment), what, detail, key=f"s:{entry.id}")
            else:
                table.add_row(fmt.when(moment), Text("✎ jot", style="italic"),
                              Text(clip(entry.text, room), style="italic"),
                              key=f"j:{entry.id}")
        if not entries:
            table.add_row("", Text(with_keys(self.app, "No sessions or jots yet ({jot} writes a "
                                             "jot).", self), style="dim"), "",
                          key="empty")
        if table.row_count:
            table.move_cursor(row=min(current, table.row_count - 1))

    def show_items(self) -> None:
        table = self.query_one("#person-items", BrowseTable)
        current = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Kind", "Whose", "Due", "Status", "Item")
        room = self.pane_width() - 9 - 6 - 12 - 8 - 10 - 2
        for item in self.items:
            table.add_row(*self.item_cells(item, room), key=f"i:{item.id}")
        if not self.items:
            table.add_row("", "", "", "", Text("Nothing open.", style="dim"), key="empty")
        if table.row_count:
            table.move_cursor(row=min(current, table.row_count - 1))

    def pane_width(self) -> int:
        width = max(60, self.size.width or 80)
        return width // 2 if "-wide" in self.classes else width

    def item_cells(self, item: Item, room: int) -> tuple:
        closed = not item.is_open or item.status in ("done", "dropped")
        status = Text(item.status)
        if item.status == "at-risk":
            status.stylize(theme_style(self.app, "warning"))
        overdue = self.today is not None and is_overdue(item, self.today)
        return (f"{fmt.KIND_MARK.get(item.kind, '-')} {item.kind}", whose(item),
                due_cell(self.app, item.due, overdue), status,
                Text(clip(item.text, room), style="dim strike" if closed else ""))

    # ------------------------------------------------------------------ actions
    def row_key(self, table_id: str) -> str | None:
        return self.query_one(table_id, BrowseTable).selected_key()

    @on(DataTable.RowSelected, "#person-timeline")
    def timeline_selected(self) -> None:
        key = self.row_key("#person-timeline")
        if not key or not key.startswith("s:"):
            return
        summary = next((s for s in self.summaries if s.id == key[2:]), None)
        if summary is not None:
            from tui.screens.detail import open_session

            open_session(self.app, summary.id, active=summary.status == "active")

    @on(DataTable.RowSelected, "#person-items")
    def item_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        summary = next((s for s in self.summaries if s.id == item.session_id), None)
        from tui.screens.detail import open_session

        open_session(self.app, item.session_id, active=bool(summary and summary.status == "active"),
                     stage=item.stage)

    def selected_item(self) -> Item | None:
        key = self.row_key("#person-items")
        if not key or not key.startswith("i:"):
            return None
        return next((i for i in self.items if i.id == key[2:]), None)

    def replace_item(self, updated: Item) -> None:
        self.items = [updated if i.id == updated.id else i for i in self.items]
        self.show_items()

    def action_done(self) -> None:
        from tui.screens.items import toggle_done

        updated = toggle_done(self, self.selected_item())
        if updated is not None:
            self.replace_item(updated)

    def action_goal_status(self) -> None:
        from tui.screens.items import cycle_goal

        updated = cycle_goal(self, self.selected_item())
        if updated is not None:
            self.replace_item(updated)

    def action_jot(self) -> None:
        if self.person is not None:
            ask_jot(self, self.person, saved=self.load)

    def action_cadence(self) -> None:
        if self.person is None:
            return
        updated = set_cadence(self, self.person)
        if updated is not None:
            self.person = updated
            self.show_header()

    def action_export(self) -> None:
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(person_id=self.person_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> list[Command]:
        return [
            Command("Export this person's sessions", "A summary or record", self.action_export,
                    "export"),
            Command("New jot", "A note to raise next time", self.action_jot, "jot"),
            Command("Cycle cadence", "None, weekly, fortnightly, monthly", self.action_cadence,
                    "cadence"),
            Command("Mark item done", "The highlighted open item", self.action_done, "done"),
            Command("Cycle goal status", "Open, on-track, at-risk, done, dropped",
                    self.action_goal_status, "goal-status"),
        ]
