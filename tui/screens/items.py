"""Follow-through across everyone: open action items (overdue first), open decisions and
agreements, and goals with their status."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store import RapportError
from store import Item
from tui import format as fmt
from tui.record import CLOSED_GOAL, goal_order, is_overdue, item_order, whose
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.base import RapportScreen
from tui.screens.sections import SECTION_KEYS, SectionScreen
from tui.screens.session import SessionScreen
from tui.widgets.browse import BrowseTable, clip, due_cell, theme_style, wrapped
from tui.format import plural
from tui.widgets.footer import Footer

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

FILTERS = {"all": "everyone's", "mine": "mine", "theirs": "theirs"}
AGREED = ("decision", "agreement")
#: From this width, names are shown whole (up to 28 cells): the text has room enough.
WIDE = 120


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


def status_text(app, item: Item) -> Text:
    text = Text(item.status)
    if item.status == "at-risk":
        text.stylize(theme_style(app, "warning"))
    elif item.status in ("done", "dropped"):
        text.stylize("dim")
    return text


class ItemsRead(NamedTuple):
    actions: list[Item]  # open, overdue first
    agreed: list[Item]  # open decisions and agreements, newest first
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
    agreed = [i for i in items if i.kind in AGREED and i.is_open]
    agreed.sort(key=lambda i: sessions.get(i.session_id, ("", datetime.min.replace(
        tzinfo=timezone.utc)))[1], reverse=True)
    return ItemsRead(actions, agreed, goals, names, sessions, today)


TABLES = ("#items-actions", "#items-agreed", "#items-goals")


class ItemsScreen(SectionScreen):
    TITLE = "Items"
    AUTO_FOCUS = "#items-actions"
    HELP = ("Every open action item across people, overdue first, then by due date; below, the "
            "open decisions and agreements, newest first, and the goals with their status. "
            "**{mine}** shows mine (what I promised), **{theirs}** theirs, **{all}** all. "
            "**{done}** marks an item done (again: open), **{goal-status}** checks in on a goal "
            "(status, progress, a note), **{edit-item}** edits the highlighted item (its text, "
            "kind, whose, due date). **⏎** opens the session the item came from (an ended "
            "one's record with the item in view). Done items "
            "leave the list the next time it is opened.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m", "show('mine')", "Mine", id="mine"),
        Binding("t", "show('theirs')", "Theirs", id="theirs"),
        Binding("a", "show('all')", "All", id="all"),
        Binding("d", "done", "Done", id="done", show=False),  # the pane titles say these two
        Binding("s", "goal_status", "Check in", id="goal-status", show=False),
        Binding("i", "edit_item", "Edit item", id="edit-item", show=False),
        *SECTION_KEYS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[Item] = []
        self.agreed: list[Item] = []
        self.goals: list[Item] = []
        self.names: dict[str, str] = {}
        self.sessions: dict[str, tuple[str, datetime]] = {}  # id -> (status, started_at)
        self.whose = "all"
        self.today: date | None = None
        self.name_room = 14

    def compose(self) -> ComposeResult:
        with Vertical(id="items-screen"):
            yield Static("Loading…", id="items-status", markup=False)
            yield Static(with_keys(self.app, "Action items  ·  ⏎ opens the session  ·  {done} "
                                   "done  ·  {edit-item} edits", self), classes="pane-title",
                         markup=False)
            yield BrowseTable(id="items-actions")
            yield Static("Decisions and agreements", classes="pane-title")
            yield BrowseTable(id="items-agreed")
            yield Static(with_keys(self.app, "Goals  ·  {goal-status} checks in", self),
                         classes="pane-title", markup=False)
            yield BrowseTable(id="items-goals")
        yield Footer()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (an item's edit was kept as a jot), with the
        same whose-items filter."""
        whose = self.whose

        def reopen() -> ItemsScreen:
            screen = ItemsScreen()
            screen.whose = whose
            return screen

        return reopen

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.today is not None:
            self.load()

    def table_width(self) -> int:
        return max(60, self.size.width or 80)

    def on_resize(self) -> None:
        if self.width_changed():  # wrapped again only for another width
            self.refresh_tables()

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_items(store, today), self.set_items,
                             group="items-load")

    def set_items(self, read: "ItemsRead") -> None:
        self.actions, self.agreed, self.goals, self.names, self.sessions, self.today = read
        self.refresh_tables()

    def shown(self, items: list[Item]) -> list[Item]:
        return items if self.whose == "all" else [i for i in items if whose(i) == self.whose]

    def fill(self, table_id: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
             keys: list[str]) -> None:
        """Rows whose last cell is the item's text, wrapped: each row as high as its text. The
        cursor stays on its item where it is still listed (an item edited to a later due date
        moved down, and the cursor, left on its row, was on another item: d marked that one)."""
        table = self.query_one(table_id, BrowseTable)
        kept = table.selected_key()
        with table.refilled(*columns):
            for row, key in zip(rows, keys):
                table.add_row(*row, key=key, height=len(row[-1].plain.split("\n")))
        if kept in keys:
            table.move_cursor(row=keys.index(kept))

    def item_text(self, item: Item, room: int) -> Text:
        return wrapped(self.app.console, item.text, room,
                       style="" if item.is_open else "dim strike")

    def person_cell(self, item: Item) -> Text:
        return Text(clip(self.names.get(item.person_id, "?"), self.name_room))

    def refresh_tables(self) -> None:
        today = self.today
        if today is None:
            return  # not read yet
        self.filled_width = self.size.width
        width = self.table_width()
        actions, agreed, goals = self.shown(self.actions), self.shown(self.agreed), \
            self.shown(self.goals)
        # names cut to 14 where the item's text needs the room (80 columns), whole when wide;
        # no wider than the longest name shown: the rest goes to the item's text
        longest = max((cell_len(self.names.get(i.person_id, "?"))
                       for i in (*actions, *agreed, *goals)), default=0)
        self.name_room = max(len("Person"), min(14 if width < WIDE else 28, longest))
        room = width - 12 - self.name_room - 6 - 10 - 10 - 2
        self.fill("#items-actions", ("Due", "Person", "Whose", "From", "Item"), [
            (due_cell(self.app, i.due, is_overdue(i, today)), self.person_cell(i), whose(i),
             fmt.day(self.sessions.get(i.session_id, ("", None))[1]),
             self.item_text(i, room)) for i in actions], [i.id for i in actions])
        self.fill("#items-agreed", ("Kind", "Person", "Whose", "From", "Item"), [
            (f"{fmt.KIND_MARK.get(i.kind, '-')} {i.kind}", self.person_cell(i), whose(i),
             fmt.day(self.sessions.get(i.session_id, ("", None))[1]),
             self.item_text(i, room + 2)) for i in agreed], [i.id for i in agreed])
        room = width - 8 - self.name_room - 6 - 10 - 10 - 2
        self.fill("#items-goals", ("Status", "Person", "Whose", "Due", "Goal"), [
            (status_text(self.app, g), self.person_cell(g), whose(g), fmt.day(g.due),
             self.item_text(g, room)) for g in goals], [g.id for g in goals])
        self.show_status(actions, agreed, goals, today)

    def show_status(self, actions: list[Item], agreed: list[Item], goals: list[Item],
                    today: date) -> None:
        open_now = [i for i in actions if i.is_open]
        overdue = sum(1 for i in open_now if is_overdue(i, today))
        status = Text(f"{FILTERS[self.whose].capitalize()}: "
                      f"{plural(len(open_now), 'open action')}")
        if overdue:
            # the mark the Due column uses, said where it can't be cut off at 80 columns
            status.append(f", {overdue} overdue (!)", style=theme_style(self.app, "error"))
        agreed_count = plural(len(agreed), "decision or agreement", "decisions and agreements")
        status.append(f" · {agreed_count} · {plural(len(goals), 'goal')}")
        if not actions and not agreed and not goals:
            status = Text(with_keys(self.app, f"Nothing open ({FILTERS[self.whose]}). Items "
                                    "come from sessions: {capture} in a session captures one.   "
                                    "{mine} mine · {theirs} theirs · {all} all", self,
                                    SessionScreen))
        self.query_one("#items-status", Static).update(status)

    # ------------------------------------------------------------------ actions
    def focused_item(self) -> Item | None:
        """The highlighted item of whichever table has the focus (actions when none)."""
        table_id = next((t for t in TABLES if self.focused is self.query_one(t)), TABLES[0])
        key = self.query_one(table_id, BrowseTable).selected_key()
        pool = {TABLES[0]: self.actions, TABLES[1]: self.agreed, TABLES[2]: self.goals}[table_id]
        return next((i for i in pool if i.id == key), None)

    def replace(self, updated: Item) -> None:
        self.actions = [updated if i.id == updated.id else i for i in self.actions]
        self.agreed = [updated if i.id == updated.id else i for i in self.agreed]
        self.goals = [updated if i.id == updated.id else i for i in self.goals]
        self.refresh_tables()

    def action_show(self, which: str) -> None:
        self.whose = which
        self.refresh_tables()

    def action_done(self) -> None:
        updated = toggle_done(self, self.focused_item())
        if updated is not None:
            self.replace(updated)

    def action_edit_item(self) -> None:
        from tui.screens.item_edit import edit_item

        edit_item(self, self.focused_item(), saved=lambda updated: self.load())

    def action_goal_status(self) -> None:
        from tui.screens.goal_dialogs import ask_check_in

        goal_table = self.query_one("#items-goals", BrowseTable)
        key = goal_table.selected_key()
        item = next((i for i in self.goals if i.id == key), None)
        if self.focused is not goal_table and item is not None:
            goal_table.focus()  # s works from anywhere on the highlighted goal
        ask_check_in(self, item, saved=self.load)

    @on(DataTable.RowSelected)
    def open_item(self, event: DataTable.RowSelected) -> None:
        item = self.focused_item()
        if item is None:
            return
        from tui.screens.detail import open_session

        status = self.sessions.get(item.session_id, ("ended", None))[0]
        open_session(self.app, item.session_id, active=status == "active", stage=item.stage,
                     item=item.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [
            Command("Show my items", "What I promised", lambda: self.action_show("mine"), "mine"),
            Command("Show their items", "What they promised", lambda: self.action_show("theirs"),
                    "theirs"),
            Command("Show all items", "Mine and theirs", lambda: self.action_show("all"), "all"),
            Command("Mark item done", "The highlighted item", self.action_done, "done"),
            Command("Edit item", "Its text, kind, whose, due date", self.action_edit_item,
                    "edit-item"),
            Command("Check in on a goal", "Status, progress, a note", self.action_goal_status,
                    "goal-status"),
        ]
