"""Home: sessions newest first (active ones first, to resume), what is coming, an explicit filter.

The list has the focus; **/** (or **f**) moves to the filter, where every key types (a name
starting with j, k, g or G too); **Esc** clears it, **Enter** or **↓** goes back to the list with
the filter kept. Keys of the list are letters that never type: **s** search, **p** prepare.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from store import minutes_text
from tui import format as fmt
from tui.commands import Command
from tui.keys import current_keys, key_label, with_keys
from tui.screens.home_data import (
    Agenda, HomeData, Row, first_page, read_agenda, read_home, readable_summaries,
)
from tui.screens.sections import SECTION_KEYS, SectionScreen
from tui.widgets.browse import BrowseTable, clip, theme_style
from tui.widgets.footer import Footer

__all__ = ["HomeScreen", "Row", "SessionTable", "first_page", "readable_summaries"]

FIRST_PAGE = 200
PAGE = 200
#: From this width the guide has a column of its own; under it the title column shows the
#: guide when a session has no title.
WIDE = 110
DATE, SPENT, STATUS, OPEN = 16, 5, 8, 4
LABELS = {"date": "Date", "person": "Participant", "title": "Title", "guide": "Guide",
          "spent": "Spent", "status": "Status", "open": "Open"}
DESCENDING = ("date", "spent", "open")
#: The store's own "run 'rapport verify'" in a problem: the banner says it once.
VERIFY_TAIL = re.compile(r"[;,]? *run 'rapport verify'\.?")


def column_widths(width: int) -> dict[str, int]:
    """Each column's width for a screen ``width`` wide: fixed ones for dates and counts, the rest
    shared by the participant, the title and (when wide) the guide, the title taking most."""
    wide = width >= WIDE
    keys = ["date", "person", "title", *(["guide"] if wide else []), "spent", "status", "open"]
    rest = width - 2 * len(keys) - 2 - DATE - SPENT - STATUS - OPEN  # cell padding, scrollbar
    person = max(12, min(24, rest * 3 // 10 if wide else rest // 2))
    guide = max(12, min(22, rest // 4)) if wide else 0
    widths = {"date": DATE, "person": person, "title": max(8, rest - person - guide),
              "spent": SPENT, "status": STATUS, "open": OPEN}
    if wide:
        widths["guide"] = guide
    return {key: widths[key] for key in keys}


def damage_text(problems: list[str], room: int) -> str:
    """The home screen's damage banner: each problem on its line (at most ``room``, then how
    many more), then what to do."""
    lines = ["⚠ The vault is damaged. What failed:"]
    lines += [f"  • {VERIFY_TAIL.sub('', p).rstrip('.')}" for p in problems[:room]]
    if len(problems) > room:
        lines.append(f"  • and {len(problems) - room} more")
    lines.append("Run 'rapport verify' to check everything and list each problem. Below: every "
                 "session that still reads.")
    return "\n".join(lines)


class SessionTable(BrowseTable):
    """The sessions list (j/k/g/G on top of DataTable's own keys)."""


class HomeScreen(SectionScreen):
    TITLE = "Sessions"
    FLOOR = True
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        # the footer at 80 columns: these five, then quit and help (f3, f4, f5: F1 and ^p)
        Binding("ctrl+n", "new_session", "New", id="new-session"),
        Binding("enter", "open", "Open", id="open", show=False),
        # priority: handled as it arrives, so the letters typed right after it (a fast "/jo")
        # go to the filter; in the filter it is not a key (check_action) and types itself
        Binding("slash,f", "focus_filter", "Filter", id="filter", priority=True),
        Binding("s", "section('search')", "Search", id="search"),
        Binding("p", "prepare", "Prepare", id="prepare"),
        # the sections' keys (tui/screens/sections.py), shown here: F2 in the footer
        Binding("f2", "section('people')", "People", id="people"),
        *SECTION_KEYS[1:],
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort", show=False),
        Binding("x", "export", "Export", id="export", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="clear-filter", show=False),
    ]
    HELP = ("**{filter}** moves to the filter (name, title, guide or date): there every key "
            "types, so a name starting with j, k, g or G filters too; **⏎** or **↓** goes back "
            "to the list with the filter kept, **{clear-filter}** clears it. In the list, "
            "{list-down}, {list-up}, {list-first} and {list-last} move and **{open}** opens a "
            "session: an active one resumes, an ended one shows its record. **{search}** "
            "searches every note, **{prepare}** prepares the next talk with the highlighted "
            "session's person (what is open, since last time), **{export}** exports the "
            "highlighted session (a summary to share or the full record). The line above the list says "
            "who is due next (overdue first) and whose pulse has been low. Click a column header "
            "(or **{sort}**) to sort.")

    def __init__(self, first_rows: list[Row] | None = None) -> None:
        super().__init__()
        self.first_rows = first_rows  # read by the unlock screen, shown before the first frame
        self.rows: list[Row] = []
        self.view: list[Row] = []
        self.shown = 0
        self.sort_key: str | None = None
        self.sort_reverse = False
        self.loaded_all = False
        self.problems: list[str] = []  # what the list's read found damaged
        self.agenda_problems: list[str] = []
        self.agenda: tuple[Agenda, date] | None = None  # as last read: redrawn on a resize
        self.due_items = 0  # action items due today or before (read with the list)
        self.widths: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            self.damage_line = Static("", id="home-damage", markup=False)  # shown: -shown
            yield self.damage_line
            yield Static("", id="home-due")
            yield Static("", id="home-flags")
            with Horizontal(id="home-filter-bar"):
                yield Static("Filter", classes="label")
                # typed letters add up, never replace
                self.filter_field = Input(placeholder=self.filter_hint(), id="filter",
                                          select_on_focus=False)
                yield self.filter_field
            # kept, not queried: refilter runs on every keystroke and before the first frame
            self.table = SessionTable(id="sessions")
            self.set_columns(self.app.size.width)
            yield self.table
            self.status_line = Static("", id="home-status")
            yield self.status_line
        yield Footer()

    def filter_hint(self) -> str:
        keys = " or ".join(self.app.get_key_display(Binding(key, ""))
                           for key in current_keys(self.app, "filter", self))
        return f"{keys}: filter by name, title, guide or date"

    def on_mount(self) -> None:
        rows, self.first_rows = self.first_rows, None
        if rows:
            self.set_rows(rows, False)

    def on_screen_resume(self) -> None:
        """Shown (first, or again after another screen): (re)read the list once the screen is
        painted (the first page, if any, is in that frame)."""
        self.call_after_refresh(self.reload)

    def on_resize(self) -> None:
        if column_widths(self.size.width) != self.widths:
            self.set_columns(self.size.width)
            self.refilter()
        if self.agenda is not None:  # who is due, in the lines the width gives
            self.query_one("#home-due", Static).update(self.due_text(*self.agenda))

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_home(store, today), self.show_data,
                             group="home-load")

    def show_data(self, data: HomeData) -> None:
        # back from a session, however it was opened (Prepare, People, ^n): the cursor on it
        left, self.app.left_session = self.app.left_session, None
        self.set_rows(data.rows, True, left)
        self.problems = data.problems
        self.due_items = data.due_items
        self.show_problems()
        self.app.session_loaded()
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_agenda(store, today),
                             lambda agenda: self.show_agenda(agenda, today), group="home-agenda")

    def show_problems(self) -> None:
        """Damage as damage: what failed, one line each (as many as the height allows), what
        to run, and that the list below is every session that still reads."""
        problems = self.problems + self.agenda_problems
        banner = self.damage_line
        banner.set_class(bool(problems), "-shown")
        if problems:
            banner.update(damage_text(problems, room=2 if self.app.size.height < 40 else 6))

    def show_store_error(self, error: Exception) -> None:
        self.problems = [str(error)]
        self.show_problems()

    def show_agenda(self, agenda: Agenda, today: date) -> None:
        self.agenda_problems = agenda.problems
        self.agenda = (agenda, today)
        self.show_problems()
        self.query_one("#home-due", Static).update(self.due_text(agenda, today))
        flags = self.query_one("#home-flags", Static)
        flags.display = bool(agenda.low or self.due_items)
        text = Text()
        if self.due_items:  # between conversations: what to follow through on
            text.append(f"{fmt.plural(self.due_items, 'action item')} due or overdue",
                        style=theme_style(self.app, "warning"))
            text.append(f"  ·  {key_label(self.app, 'items', self)} items", style="dim")
        if agenda.low:
            text.append("\n" if text.plain else "")
            text.append("⚠ Low pulse, the last 3 at 2 or lower: ",
                        style=theme_style(self.app, "warning"))
            text.append(", ".join(p.name for p in agenda.low))
            text.append(f"  ·  {key_label(self.app, 'people', self)} people", style="dim")
        flags.update(text)

    def due_text(self, agenda: Agenda, today: date) -> Text:
        """Who is due next: overdue, today and the next two days; else the next one coming."""
        near = [u for u in agenda.upcoming if u.state != "later"]
        shown = near or agenda.upcoming[:1]
        if not shown:
            return Text(with_keys(self.app, "No meeting coming: {people} sets cadences and "
                                  "dates.", self))
        text = Text.assemble(("Next: " if near else "Next meeting: ", "bold"))
        people = f"  ·  {key_label(self.app, 'people', self)} people"
        room = 2 * max(self.size.width - 2, 40) - 4  # two lines (words wrap: a few cells spare)
        for i, u in enumerate(shown):
            entry = f"{', ' if i else ''}{u.person.name} ({fmt.meeting_label(u)})"
            more = f" and {len(shown) - i - 1} more" if i < len(shown) - 1 else ""
            if i and text.cell_len + cell_len(entry) + len(more) + len(people) > room:
                text.append(f" and {len(shown) - i} more")
                break
            style = {"overdue": "error", "today": "warning"}.get(u.state)
            if i:
                text.append(", ")
            text.append(u.person.name, style=theme_style(self.app, style) if style else "")
            text.append(f" ({fmt.meeting_label(u)})")
        text.append(people, style="dim")
        return text

    def set_rows(self, rows: list[Row], complete: bool, left: str | None = None) -> None:
        """``left``: the session just left or ended, to put the cursor on; a filter that hides
        it is cleared (said), so the cursor is never left on someone else's session."""
        self.rows = rows
        self.loaded_all = complete
        if left is not None and self.filter_field.value.strip() \
                and any(r.summary.id == left for r in rows):
            needle = self.filter_field.value.strip().casefold()
            if not any(r.summary.id == left and needle in r.haystack for r in rows):
                self.notify(f"filter “{self.filter_field.value.strip()}” cleared to show the "
                            "session you left", timeout=4, markup=False)
                with self.prevent(Input.Changed):
                    self.filter_field.value = ""
        self.refilter(left)

    # ------------------------------------------------------------------ view
    def set_columns(self, width: int) -> None:
        self.widths = column_widths(width)
        table = self.table
        table.clear(columns=True)
        self.shown = 0
        for key, size in self.widths.items():
            table.add_column(LABELS[key], key=key, width=size)

    def refilter(self, left: str | None = None) -> None:
        needle = self.filter_field.value.strip().casefold()
        view = [r for r in self.rows if needle in r.haystack] if needle else list(self.rows)
        if self.sort_key:
            view.sort(key=self.sort_value, reverse=self.sort_reverse)
        self.view = view
        table = self.table
        # the cursor stays on its session where the list moved it (a session just ended goes
        # below the active ones: Enter must not open the next person's), else on its row;
        # back from a session (``left``), on it, however it was started, so Enter opens its
        # record (it stayed on the row highlighted before: Enter opened someone else's)
        selected = left if any(r.summary.id == left for r in view) else table.selected_key()
        row = next((i for i, r in enumerate(view) if r.summary.id == selected),
                   table.cursor_row) if selected else table.cursor_row
        table.clear()
        self.shown = 0
        self.show_more(max(FIRST_PAGE, row + 1))
        if view:
            table.move_cursor(row=min(row, table.row_count - 1))
        # those shown: a filter that leaves none active said "6 active (listed first...)"
        active = sum(1 for r in view if r.summary.status == "active")
        total = len(self.rows) if self.loaded_all else f"{len(self.rows)}+"
        noun = "session" if len(self.rows) == 1 and self.loaded_all else "sessions"
        status = f"{len(view)} of {total} {noun}"
        if not self.rows and self.loaded_all:  # a new vault: say where to begin
            status = with_keys(self.app, "No sessions yet: {new-session} starts a "
                               "conversation, {people} adds the people you meet.", self)
        elif needle:
            status += f" matching “{self.filter_field.value.strip()}”"
        if active:
            status += f" · {active} active (listed first, {key_label(self.app, 'open', self)} " \
                "to resume)"
        self.status_line.update(status)

    def sort_value(self, row: Row) -> Any:
        s = row.summary
        values: dict[str, Any] = {"date": s.started_at, "person": s.person_name.casefold(),
                                  "title": (s.title or s.guide_name).casefold(),
                                  "guide": s.guide_name.casefold(), "spent": s.spent_seconds,
                                  "status": s.status, "open": row.open_items}
        return values[self.sort_key or "date"]

    def cells(self, row: Row) -> list[Text]:
        """One row's cells, each cut to its column (Text, not str: a "[" in a name is not
        markup, and no cell is parsed for markup)."""
        s, widths = row.summary, self.widths
        if s.title or "guide" in widths:
            title = Text(clip(s.title, widths["title"]))
        else:  # no title, no guide column: the guide says what it was
            title = Text(clip(s.guide_name, widths["title"]), style="dim")
        cells = [Text(fmt.when(s.started_at)), Text(clip(s.person_name, widths["person"])), title]
        if "guide" in widths:
            cells.append(Text(clip(s.guide_name, widths["guide"])))
        cells += [Text(minutes_text(s.spent_seconds, short=True), justify="right"),
                  Text("● active" if s.status == "active" else "ended"),
                  Text(str(row.open_items or ""), justify="right")]
        return cells

    def show_more(self, count: int = PAGE) -> None:
        table = self.table
        batch = self.view[self.shown:self.shown + count]
        for row in batch:
            table.add_row(*self.cells(row), key=row.summary.id)
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
            self.sort_key, self.sort_reverse = key, key in DESCENDING
        self.refilter()

    def action_cycle_sort(self) -> None:
        keys = list(self.widths)
        nxt = keys[(keys.index(self.sort_key) + 1) % len(keys)] \
            if self.sort_key in keys else keys[0]
        self.sort_key, self.sort_reverse = nxt, nxt in DESCENDING
        self.refilter()
        self.notify(f"sorted by {LABELS[nxt].lower()}", timeout=2)

    # ------------------------------------------------------------------ the filter
    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.set_focus(self.table)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the filter, its keys type (a name with an f in it)."""
        return not (action == "focus_filter" and self.focused is self.filter_field)

    def action_focus_filter(self) -> None:
        self.set_focus(self.filter_field)  # now, not after the keys already queued

    def on_key(self, event: Any) -> None:
        if event.key == "down" and self.focused is self.filter_field:
            self.set_focus(self.table)
            event.stop()

    def action_clear_filter(self) -> None:
        if self.filter_field.value:
            self.filter_field.value = ""
        self.set_focus(self.table)

    # ------------------------------------------------------------------ actions
    def selected_row(self) -> Row | None:
        session_id = self.table.selected_key()
        return next((r for r in self.view if r.summary.id == session_id), None)

    @on(DataTable.RowSelected, "#sessions")
    def action_open(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.summary.status == "active":
            from tui.screens.session import SessionScreen

            self.app.push_screen(SessionScreen(row.summary.id))
        else:
            self.open_detail(row.summary.id)

    def open_detail(self, session_id: str) -> None:
        from tui.screens.detail import SessionDetailScreen

        self.app.push_screen(SessionDetailScreen(session_id))

    def action_prepare(self) -> None:
        row = self.selected_row()
        if row is None:
            self.notify("no session highlighted: prepare from the people screen", timeout=3)
            return
        from tui.screens.prepare import PrepareScreen

        self.app.push_screen(PrepareScreen(row.summary.person_id))

    def action_export(self) -> None:
        row = self.selected_row()
        if row is None:
            self.notify("no session highlighted", timeout=3)
            return
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(session_ids=[row.summary.id]))

    def action_new_session(self) -> None:
        from tui.screens.start import NewSessionScreen

        def started(result: str | None) -> None:
            if result:
                from tui.screens.session import SessionScreen

                self.app.push_screen(SessionScreen(result))

        self.app.push_screen(NewSessionScreen(), started)

    def own_commands(self) -> list[Command]:
        return [
            Command("New session", "Start a conversation with a guide", self.action_new_session,
                    "new-session"),
            Command("Filter sessions", "By name, title, guide or date", self.action_focus_filter,
                    "filter"),
            Command("Prepare", "The highlighted session's person: since last time",
                    self.action_prepare, "prepare"),
            Command("Sort sessions", "By the next column", self.action_cycle_sort, "sort"),
            Command("Export session", "The highlighted one: a summary to share or the record",
                    self.action_export, "export"),
        ]
