"""Home: sessions newest first (active ones first, to resume), who is due, type to filter."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from store import RapportError
from store import SessionSummary
from tui import format as fmt
from tui.widgets.browse import BrowseTable

FIRST_PAGE = 200
PAGE = 200
COLUMNS = (("date", "Date"), ("person", "Participant"), ("guide", "Guide"),
           ("length", "Length"), ("status", "Status"), ("open", "Open"))


def first_page(store, height: int) -> list[Row]:
    """The rows the first paint shows: a screen's height of sessions, as many as the table can
    show (every row a DataTable adds is decrypted, added and measured before that paint), with
    their open actions counted (their items only: the whole list's are read after)."""
    try:
        summaries = store.summaries(limit=max(10, height))
        counts = store.open_actions(session_ids=[s.id for s in summaries])
    except RapportError:
        return []
    return [HomeScreen.make_row(s, counts) for s in summaries]


@dataclass
class Row:
    summary: SessionSummary
    open_items: int
    haystack: str


class SessionTable(BrowseTable):
    """The sessions list (j/k/g/G on top of DataTable's own keys)."""


class HomeScreen(Screen[None]):
    TITLE = "Sessions"
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        Binding("ctrl+n", "new_session", "New session", id="new-session"),
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "search", "Search", id="search"),
        Binding("f2", "people", "People", id="people"),
        Binding("f3", "items", "Items", id="items"),
        Binding("f4", "programmes", "Programmes", id="programmes"),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    HELP = ("Type letters to filter the list (j, k, g, G move; / searches every note). "
            "Click a column header to sort by it.")

    def __init__(self, first_rows: list[Row] | None = None) -> None:
        super().__init__()
        self.first_rows = first_rows  # read by the unlock screen, shown on mount (or show_first)
        self.rows: list[Row] = []
        self.view: list[Row] = []
        self.shown = 0
        self.sort_key: str | None = None
        self.sort_reverse = False
        self.loaded_all = False
        self.mounted = False
        self.styled_as: tuple | None = None  # see built_ahead

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
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
        self.mounted = True
        if self.app.store is not None:  # else built ahead, before unlocking: see show_first
            self.show_first(self.first_rows)

    def show_first(self, rows: list[Row] | None) -> None:
        """Shows the rows the unlock screen read (first_page), before the first frame. Called on
        mount, or by the app on a home screen it built ahead (RapportApp.prepare_home): if that
        one is still being composed, its on_mount shows them."""
        self.first_rows = rows
        if rows and self.mounted:
            self.set_rows(rows, False)

    def style_state(self) -> tuple:
        """What this screen's styles depend on beyond its own nodes: the app's CSS (Textual counts
        its updates: theme, variables, stylesheet), focus, classes and pseudo-classes."""
        app = self.app
        return (app._css_update_count, app.app_focus, app.theme, frozenset(app.classes),
                frozenset(app.get_pseudo_classes()))

    def built_ahead(self) -> None:
        """Called by RapportApp.prepare_home: the screen is styled while it is composed, ahead
        of being shown."""
        self.styled_as = self.style_state()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown (first, or again after another screen): (re)load the list."""
        styled_as, self.styled_as = self.styled_as, None
        if styled_as is not None and styled_as == self.style_state():
            # Textual restyles every node of a screen it resumes: this one was styled when it
            # was built ahead, and nothing they depend on changed since (this handler runs
            # before Screen's own, which reads the flag).
            event.refresh_styles = False
        if self.app.store is not None:
            self.reload()

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="home-load")
    def reload(self) -> None:
        store = self.app.store
        if store is None:
            return
        try:
            self.load(store)
        except RapportError:  # locked (idle lock, ctrl+l) while loading: nothing to show
            return

    def load(self, store) -> None:
        painted = threading.Event()
        if self.first_rows:  # already shown (read by the unlock screen)
            self.first_rows = None
            self.app.call_from_thread(self.call_after_refresh, painted.set)
        else:
            self.app.call_from_thread(self.set_rows, first_page(store, self.app.size.height),
                                      False, painted.set)
        # The rest waits for the first page to be on screen: decrypting thousands of rows on
        # this thread would take the GIL from the UI thread while it paints.
        painted.wait(timeout=1.0)
        open_counts = store.open_actions()
        rest = store.summaries()
        rows = [self.make_row(s, open_counts) for s in rest]
        due = self.compute_due(store, rest)
        self.app.call_from_thread(self.set_rows, rows, True, None, due)

    @staticmethod
    def make_row(s: SessionSummary, counts: dict[str, int]) -> Row:
        hay = " ".join((s.person_name, s.title, s.guide_name, fmt.when(s.started_at), s.status))
        return Row(s, counts.get(s.id, 0), hay.casefold())

    def compute_due(self, store, summaries: list[SessionSummary]) -> list:
        from store import due_people

        last: dict = {}
        for s in summaries:
            d = s.started_at.astimezone().date()
            if s.person_id not in last or d > last[s.person_id]:
                last[s.person_id] = d
        today = self.app.clock().astimezone().date()
        return [d for d in due_people(store.people(), last, today) if d.state != "later"]

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
        text.append("  ·  F2 people", style="dim")
        widget.update(text)

    def set_rows(self, rows: list[Row], complete: bool, painted=None, due=None) -> None:
        if not self.is_attached:  # the app is closing: nothing to show
            return
        self.rows = rows
        self.loaded_all = complete
        self.refilter()
        if due is not None:
            self.show_due(due)
        if painted is not None:
            self.call_after_refresh(painted)

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
            status += f" · {active} active (listed first, Enter to resume)"
        self.status_line.update(status)

    def sort_value(self, row: Row):
        s = row.summary
        return {"date": s.started_at, "person": s.person_name.casefold(),
                "guide": s.guide_name.casefold(), "length": s.spent_seconds,
                "status": s.status, "open": row.open_items}[self.sort_key]

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

    def commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("New session", "Start a conversation with a guide (ctrl+n)",
                            self.action_new_session)
        yield SystemCommand("Search", "Search every note, item and jot (/)", self.action_search)
        yield SystemCommand("People", "Everyone you meet, who is due (F2)", self.action_people)
        yield SystemCommand("Items", "Open action items and goals (F3)", self.action_items)
        yield SystemCommand("Programmes", "Leadership interview programmes (F4)",
                            self.action_programmes)
