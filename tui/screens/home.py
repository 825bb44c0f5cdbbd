"""Home: sessions newest first (active ones first, to resume), who is due, type to filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Static

from store import Damaged, RapportError
from store import SessionSummary
from tui import format as fmt
from tui.commands import Command
from tui.keys import key_label
from tui.screens.base import RapportScreen
from tui.widgets.browse import BrowseTable

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

FIRST_PAGE = 200
PAGE = 200
COLUMNS = (("date", "Date"), ("person", "Participant"), ("guide", "Guide"),
           ("length", "Length"), ("status", "Status"), ("open", "Open"))


@dataclass
class Row:
    summary: SessionSummary
    open_items: int
    haystack: str


@dataclass
class HomeData:
    """What the home screen reads: its rows, who is due, and what could not be read."""

    rows: list[Row]
    due: list[Any]
    problems: list[str] = field(default_factory=list)


def first_page(store: "Store", height: int) -> list[Row]:
    """The rows the first paint shows: a screen's height of sessions, with their open actions
    counted. Read by the unlock worker; a failure here leaves the first paint empty, and the
    home screen's full read (:func:`read_home`) reports it."""
    try:
        summaries = store.summaries(limit=max(10, height))
        counts = store.open_actions(session_ids=[s.id for s in summaries])
    except RapportError:
        return []
    return [make_row(s, counts) for s in summaries]


def make_row(s: SessionSummary, counts: dict[str, int]) -> Row:
    hay = " ".join((s.person_name, s.title, s.guide_name, fmt.when(s.started_at), s.status))
    return Row(s, counts.get(s.id, 0), hay.casefold())


def readable_summaries(store: "Store", page: int = PAGE) -> tuple[list[SessionSummary], list[str]]:
    """Every session summary that still reads, and one line per one that does not (a page that
    fails is halved until the damaged rows are alone)."""
    total = store.session_count()
    found: list[SessionSummary] = []
    problems: list[str] = []

    def read(offset: int, limit: int) -> None:
        try:
            found.extend(store.summaries(limit=limit, offset=offset))
        except Damaged as exc:
            if limit == 1:
                problems.append(str(exc))
                return
            half = limit // 2
            read(offset, half)
            read(offset + half, limit - half)

    for offset in range(0, total, page):
        read(offset, min(page, total - offset))
    return found, problems


def read_home(store: "Store", today: date) -> HomeData:
    """The whole list, its Open counts and who is due. Damage is reported, never hidden: the
    sessions that still read are listed, and every part that failed is named."""
    problems: list[str] = []
    try:
        summaries = store.summaries()
    except Damaged:
        summaries, problems = readable_summaries(store)
    try:
        counts = store.open_actions()
    except Damaged as exc:
        counts = {}
        problems.append(f"{exc} (the Open column is blank)")
    try:
        due = compute_due(store, summaries, today)
    except Damaged as exc:
        due = []
        problems.append(f"{exc} (who is due is not shown)")
    return HomeData([make_row(s, counts) for s in summaries], due, problems)


def compute_due(store: "Store", summaries: list[SessionSummary], today: date) -> list[Any]:
    from store import due_people

    last: dict[str, date] = {}
    for s in summaries:
        d = s.started_at.astimezone().date()
        if s.person_id not in last or d > last[s.person_id]:
            last[s.person_id] = d
    return [d for d in due_people(store.people(), last, today) if d.state != "later"]


class SessionTable(BrowseTable):
    """The sessions list (j/k/g/G on top of DataTable's own keys)."""


class HomeScreen(RapportScreen[None]):
    TITLE = "Sessions"
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        Binding("ctrl+n", "new_session", "New session", id="new-session"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("slash", "search", "Search", id="search"),
        Binding("f2", "people", "People", id="people"),
        Binding("f3", "items", "Items", id="items"),
        Binding("f4", "programmes", "Programmes", id="programmes"),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="clear-filter", show=False),
    ]
    HELP = ("Type letters to filter the list ({list-down}, {list-up}, {list-first}, {list-last} "
            "move; **{search}** searches every note; **{clear-filter}** clears the filter). "
            "**{open}** opens a session: an active one resumes, an ended one shows its record. "
            "Click a column header (or **{sort}**) to sort.")

    def __init__(self, first_rows: list[Row] | None = None) -> None:
        super().__init__()
        self.first_rows = first_rows  # read by the unlock screen, shown before the first frame
        self.rows: list[Row] = []
        self.view: list[Row] = []
        self.shown = 0
        self.sort_key: str | None = None
        self.sort_reverse = False
        self.loaded_all = False

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            self.damage_line = Static("", id="home-damage", markup=False)  # shown: -shown
            yield self.damage_line
            yield Static("", id="home-due")
            with Horizontal(id="home-filter-bar"):
                yield Static("Filter", classes="label")
                # typed letters add up, never replace
                self.filter_field = Input(placeholder="type to filter by name, title, guide or date",
                                          id="filter", select_on_focus=False)
                yield self.filter_field
            # kept, not queried: refilter runs on every keystroke and before the first frame
            self.table = table = SessionTable(id="sessions")
            for key, label in COLUMNS:
                table.add_column(label, key=key)
            yield table
            self.status_line = Static("", id="home-status")
            yield self.status_line
        yield Footer()

    def on_mount(self) -> None:
        rows, self.first_rows = self.first_rows, None
        if rows:
            self.set_rows(rows, False)

    def on_screen_resume(self) -> None:
        """Shown (first, or again after another screen): (re)read the list once the screen is
        painted (the first page, if any, is in that frame)."""
        self.call_after_refresh(self.reload)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_home(store, today), self.show_data,
                             group="home-load")

    def show_data(self, data: HomeData) -> None:
        self.set_rows(data.rows, True, data.due)
        self.show_problems(data.problems)
        self.app.session_loaded()

    def show_problems(self, problems: list[str]) -> None:
        banner = self.damage_line
        banner.set_class(bool(problems), "-shown")
        if problems:
            first = problems[0].rstrip(".")
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            verify = "" if "rapport verify" in first else " Run 'rapport verify' to see all."
            banner.update(f"⚠ The vault is damaged: {first}{more}.{verify} Listed below: every "
                          "session that still reads.")

    def show_store_error(self, error: Exception) -> None:
        self.show_problems([str(error)])

    def show_due(self, due: list) -> None:
        from tui.widgets.browse import theme_style

        widget = self.query_one("#home-due", Static)
        if not due:
            widget.update("No one is due a 1-on-1.")
            return
        text = Text("Due: ", style="bold")
        for i, d in enumerate(due[:6]):
            if i:
                text.append(", ")
            overdue = d.state == "overdue"
            style = theme_style(self.app, "error" if overdue else "warning")
            text.append(d.person.name, style=style)
            text.append(f" ({'overdue since' if overdue else 'due'} {fmt.day(d.next_due)})")
        if len(due) > 6:
            text.append(f" and {len(due) - 6} more")
        text.append(f"  ·  {key_label(self.app, 'people', self)} people", style="dim")
        widget.update(text)

    def set_rows(self, rows: list[Row], complete: bool, due: list[Any] | None = None) -> None:
        self.rows = rows
        self.loaded_all = complete
        self.refilter()
        if due is not None:
            self.show_due(due)

    # ------------------------------------------------------------------ view
    def refilter(self) -> None:
        needle = self.filter_field.value.strip().casefold()
        view = [r for r in self.rows if needle in r.haystack] if needle else list(self.rows)
        if self.sort_key:
            view.sort(key=self.sort_value, reverse=self.sort_reverse)
        self.view = view
        table = self.table
        current = table.cursor_row
        table.clear()
        self.shown = 0
        self.show_more(max(FIRST_PAGE, current + 1))
        if view:
            table.move_cursor(row=min(current, table.row_count - 1))
        active = sum(1 for r in self.rows if r.summary.status == "active")
        total = len(self.rows) if self.loaded_all else f"{len(self.rows)}+"
        status = f"{len(view)} of {total} sessions"
        if active:
            status += f" · {active} active (listed first, {key_label(self.app, 'open', self)} " \
                "to resume)"
        self.status_line.update(status)

    def sort_value(self, row: Row) -> Any:
        s = row.summary
        values: dict[str, Any] = {"date": s.started_at, "person": s.person_name.casefold(),
                                  "guide": s.guide_name.casefold(), "length": s.spent_seconds,
                                  "status": s.status, "open": row.open_items}
        return values[self.sort_key or "date"]

    def show_more(self, count: int = PAGE) -> None:
        table = self.table
        batch = self.view[self.shown:self.shown + count]
        for row in batch:
            s = row.summary
            status = "● active" if s.status == "active" else "ended"
            # Text, not str: a "[" in a name is not markup, and no cell is parsed for markup
            table.add_row(Text(fmt.when(s.started_at)), Text(s.person_name), Text(s.guide_name),
                          Text(fmt.minutes(s.spent_seconds)), Text(status),
                          Text(str(row.open_items or "")), key=s.id)
        self.shown += len(batch)

    @on(DataTable.RowHighlighted, "#sessions")
    def maybe_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.shown - 20 and self.shown < len(self.view):
            self.show_more()

    @on(DataTable.HeaderSelected, "#sessions")
    def header_sort(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if self.sort_key == key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, key in ("date", "length", "open")
        self.refilter()

    def action_cycle_sort(self) -> None:
        keys = [k for k, _ in COLUMNS]
        nxt = keys[(keys.index(self.sort_key) + 1) % len(keys)] if self.sort_key else keys[0]
        self.sort_key, self.sort_reverse = nxt, nxt in ("date", "length", "open")
        self.refilter()
        self.notify(f"sorted by {dict(COLUMNS)[nxt].lower()}", timeout=2)

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(SessionTable).focus()

    def on_key(self, event) -> None:
        table = self.query_one(SessionTable)
        if self.focused is table and event.character and event.is_printable \
                and event.character not in "jkgG/" and not event.character.isspace():
            field = self.query_one("#filter", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.value:
            field.value = ""
        self.query_one(SessionTable).focus()

    # ------------------------------------------------------------------ actions
    def selected_id(self) -> str | None:
        return self.query_one(SessionTable).selected_key()

    @on(DataTable.RowSelected, "#sessions")
    def action_open(self) -> None:
        session_id = self.selected_id()
        if session_id is None:
            return
        row = next((r for r in self.view if r.summary.id == session_id), None)
        if row and row.summary.status == "active":
            from tui.screens.session import SessionScreen

            self.app.push_screen(SessionScreen(session_id))
        else:
            self.open_detail(session_id)

    def open_detail(self, session_id: str) -> None:
        from tui.screens.detail import SessionDetailScreen

        self.app.push_screen(SessionDetailScreen(session_id))

    def action_new_session(self) -> None:
        from tui.screens.start import NewSessionScreen

        def started(result) -> None:
            if result:
                from tui.screens.session import SessionScreen

                self.app.push_screen(SessionScreen(result))

        self.app.push_screen(NewSessionScreen(), started)

    def _push_lazily(self, module: str, name: str) -> None:
        """Screens imported when first opened, so the home screen starts light."""
        mod = __import__(module, fromlist=[name])
        self.app.push_screen(getattr(mod, name)())

    def action_search(self) -> None:
        self._push_lazily("tui.screens.search", "SearchScreen")

    def action_people(self) -> None:
        self._push_lazily("tui.screens.people", "PeopleScreen")

    def action_items(self) -> None:
        self._push_lazily("tui.screens.items", "ItemsScreen")

    def action_programmes(self) -> None:
        self._push_lazily("tui.screens.programmes", "ProgrammesScreen")

    def commands(self) -> list[Command]:
        return [
            Command("New session", "Start a conversation with a guide", self.action_new_session,
                    "new-session"),
            Command("Search", "Search every note, item and jot", self.action_search, "search"),
            Command("People", "Everyone you meet, who is due", self.action_people, "people"),
            Command("Items", "Open action items and goals", self.action_items, "items"),
            Command("Programmes", "Leadership interview programmes", self.action_programmes,
                    "programmes"),
            Command("Sort sessions", "By the next column", self.action_cycle_sort, "sort"),
        ]
