"""Follow-through across everyone: open action items (overdue first) and goals with their status."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from store import RapportError
from store import GOAL_STATUSES, Item
from tui import format as fmt
from tui.record import CLOSED_GOAL, goal_order, is_overdue, item_order, whose
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.base import RapportScreen
from tui.screens.session import SessionScreen
from tui.widgets.browse import BrowseTable, clip, due_cell, theme_style

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

FILTERS = {"all": "everyone's", "mine": "mine", "theirs": "theirs"}


def toggle_done(screen: RapportScreen[Any], item: Item | None) -> Item | None:
    """Marks ``item`` done, or open again when it already is done."""
    if item is None:
        screen.notify("nothing selected", timeout=2)
        return None
    reopen = item.status == "done"
    changes = {"status": "open", "done_at": None} if reopen else {"status": "done"}
    try:
        updated = screen.store.update_item(item.id, **changes)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return None
    again = with_keys(screen.app, "marked done ({done} again reopens it)", screen)
    screen.notify("open again" if reopen else again, timeout=2)
    return updated


def cycle_goal(screen: RapportScreen[Any], item: Item | None) -> Item | None:
    """Moves a goal to its next status: open, on-track, at-risk, done, dropped."""
    if item is None or item.kind != "goal":
        screen.notify("choose a goal first", timeout=2)
        return None
    statuses = list(GOAL_STATUSES)
    status = (statuses[(statuses.index(item.status) + 1) % len(statuses)]
              if item.status in statuses else statuses[0])
    changes: dict[str, Any] = {"status": status}
    if status != "done":
        changes["done_at"] = None
    try:
        updated = screen.store.update_item(item.id, **changes)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return None
    screen.notify(f"goal: {status}", timeout=2)
    return updated


def status_text(app, item: Item) -> Text:
    text = Text(item.status)
    if item.status == "at-risk":
        text.stylize(theme_style(app, "warning"))
    elif item.status in ("done", "dropped"):
        text.stylize("dim")
    return text


class ItemsRead(NamedTuple):
    actions: list[Item]  # open, overdue first
    goals: list[Item]  # not closed, at risk first
    names: dict[str, str]  # person id -> name
    sessions: dict[str, tuple[str, datetime]]  # session id -> (status, started)
    today: date


def read_items(store: "Store", today: date) -> ItemsRead:
    items = store.items()
    names = {p.id: p.name for p in store.people()}
    sessions = {sid: ("ended" if ended else "active", started)
                for sid, (started, ended) in store.session_times().items()}
    actions = sorted((i for i in items if i.kind == "action" and i.is_open),
                     key=lambda i: item_order(i, today))
    goals = sorted((i for i in items if i.kind == "goal" and i.status not in CLOSED_GOAL),
                   key=goal_order)
    return ItemsRead(actions, goals, names, sessions, today)


class ItemsScreen(RapportScreen[None]):
    TITLE = "Items"
    AUTO_FOCUS = "#items-actions"
    HELP = ("Every open action item across people, overdue first, then by due date; below, the "
            "goals and their status. **{mine}** shows mine (what I promised), **{theirs}** "
            "theirs, **{all}** all. **{done}** marks an item done (again: open), **{goal-status}** "
            "moves a goal through open, on-track, at-risk, done and dropped. **⏎** opens the "
            "session the item came from. Done items leave the list the next time it is opened.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m", "show('mine')", "Mine", id="mine"),
        Binding("t", "show('theirs')", "Theirs", id="theirs"),
        Binding("a", "show('all')", "All", id="all"),
        Binding("d", "done", "Done", id="done"),
        Binding("s", "goal_status", "Goal status", id="goal-status"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[Item] = []
        self.goals: list[Item] = []
        self.names: dict[str, str] = {}
        self.sessions: dict[str, tuple[str, datetime]] = {}  # id -> (status, started_at)
        self.whose = "all"
        self.today: date | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="items-screen"):
            yield Static("Loading…", id="items-status", markup=False)
            yield Static(with_keys(self.app, "Action items  ·  ⏎ opens the session  ·  {done} "
                                   "done", self), classes="pane-title", markup=False)
            yield BrowseTable(id="items-actions")
            yield Static(with_keys(self.app, "Goals  ·  {goal-status} status", self),
                         classes="pane-title", markup=False)
            goals = BrowseTable(id="items-goals")
            yield goals
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.today is not None:
            self.load()

    def on_resize(self) -> None:
        if self.today is not None:
            self.refresh_tables()

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_items(store, today), self.set_items,
                             group="items-load")

    def set_items(self, read: "ItemsRead") -> None:
        self.actions, self.goals, self.names, self.sessions, self.today = read
        self.refresh_tables()

    def shown(self, items: list[Item]) -> list[Item]:
        return items if self.whose == "all" else [i for i in items if whose(i) == self.whose]

    def refresh_tables(self) -> None:
        today = self.today
        if today is None:
            return  # not read yet
        width = max(60, self.size.width or 80)
        actions = self.shown(self.actions)
        table = self.query_one("#items-actions", BrowseTable)
        current = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Due", "Person", "Whose", "From", "Item")
        room = width - 12 - 14 - 6 - 10 - 10 - 2
        for item in actions:
            started = self.sessions.get(item.session_id, ("", None))[1]
            table.add_row(due_cell(self.app, item.due, is_overdue(item, today)),
                          Text(clip(self.names.get(item.person_id, "?"), 14)), whose(item),
                          fmt.day(started),
                          Text(clip(item.text, room), style="" if item.is_open else "dim strike"),
                          key=item.id)
        if table.row_count:
            table.move_cursor(row=min(current, table.row_count - 1))
        goals = self.shown(self.goals)
        gtable = self.query_one("#items-goals", BrowseTable)
        gcurrent = gtable.cursor_row
        gtable.clear(columns=True)
        gtable.add_columns("Status", "Person", "Whose", "Due", "Goal")
        room = width - 8 - 14 - 6 - 10 - 10 - 2
        for goal in goals:
            gtable.add_row(status_text(self.app, goal),
                           Text(clip(self.names.get(goal.person_id, "?"), 14)), whose(goal),
                           fmt.day(goal.due), Text(clip(goal.text, room)), key=goal.id)
        if gtable.row_count:
            gtable.move_cursor(row=min(gcurrent, gtable.row_count - 1))
        open_now = [i for i in actions if i.is_open]
        overdue = sum(1 for i in open_now if is_overdue(i, today))
        status = Text(f"Open action items, {FILTERS[self.whose]}: {len(open_now)}")
        if overdue:
            status.append(f" · {overdue} overdue", style=theme_style(self.app, "error"))
        status.append(f" · {len(goals)} goals")
        status.append("   ! = overdue", style="dim")
        self.query_one("#items-status", Static).update(status)
        if not actions and not goals:
            self.query_one("#items-status", Static).update(
                Text(with_keys(self.app, f"Nothing open ({FILTERS[self.whose]}). Items come from "
                               "sessions: {capture} in a session captures one.   {mine} mine · "
                               "{theirs} theirs · {all} all", self, SessionScreen)))

    # ------------------------------------------------------------------ actions
    def focused_item(self) -> Item | None:
        """The highlighted item of whichever table has the focus (actions when neither)."""
        table_id = "#items-goals" if self.focused is self.query_one("#items-goals") \
            else "#items-actions"
        key = self.query_one(table_id, BrowseTable).selected_key()
        pool = self.goals if table_id == "#items-goals" else self.actions
        return next((i for i in pool if i.id == key), None)

    def replace(self, updated: Item) -> None:
        self.actions = [updated if i.id == updated.id else i for i in self.actions]
        self.goals = [updated if i.id == updated.id else i for i in self.goals]
        self.refresh_tables()

    def action_show(self, which: str) -> None:
        self.whose = which
        self.refresh_tables()

    def action_done(self) -> None:
        updated = toggle_done(self, self.focused_item())
        if updated is not None:
            self.replace(updated)

    def action_goal_status(self) -> None:
        goal_table = self.query_one("#items-goals", BrowseTable)
        key = goal_table.selected_key()
        item = next((i for i in self.goals if i.id == key), None)
        if self.focused is not goal_table and item is not None:
            goal_table.focus()  # s works from anywhere on the highlighted goal
        updated = cycle_goal(self, item)
        if updated is not None:
            self.replace(updated)

    @on(DataTable.RowSelected)
    def open_item(self, event: DataTable.RowSelected) -> None:
        item = self.focused_item()
        if item is None:
            return
        from tui.screens.detail import open_session

        status = self.sessions.get(item.session_id, ("ended", None))[0]
        open_session(self.app, item.session_id, active=status == "active", stage=item.stage)

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> list[Command]:
        return [
            Command("Show my items", "What I promised", lambda: self.action_show("mine"), "mine"),
            Command("Show their items", "What they promised", lambda: self.action_show("theirs"),
                    "theirs"),
            Command("Show all items", "Mine and theirs", lambda: self.action_show("all"), "all"),
            Command("Mark item done", "The highlighted item", self.action_done, "done"),
            Command("Cycle goal status", "Open, on-track, at-risk, done, dropped",
                    self.action_goal_status, "goal-status"),
        ]
