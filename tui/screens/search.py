"""Search every name, title, note, item, jot and talking point, in memory (the index is sealed
in the vault between runs, never plaintext on disk).

Results show the session's date, the person, the stage and a snippet with the match highlighted;
Enter opens the session at that stage. A talking point shows whose it is and whether it is open;
Enter on an open one prepares the next talk (where open points are listed), on another one opens
the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import get_current_worker

from store import NotFound, RapportError, visible
from store import Hit
from tui import format as fmt
from tui.commands import Command
from tui.keys import with_keys
from tui.record import stage_titles
from tui.screens.sections import SECTION_KEYS, SectionScreen
from tui.widgets.browse import BrowseTable, clip, cut, cut_left
from tui.widgets.footer import Footer

DEBOUNCE = 0.2
LIMIT = 500
KINDS = (("Notes", "note"), ("Any item", "item"), ("Actions", "action"),
         ("Decisions", "decision"), ("Agreements", "agreement"), ("Goals", "goal"),
         ("Jots", "jot"), ("Points", "point"), ("Feedback", "feedback"), ("Titles", "title"),
         ("Names", "name"))
#: A talking point's status when the stage column is too narrow to say it in a word.
POINT_MARKS = {"open": "", "covered": " ✓", "dropped": " ✗"}
EMPTY = "Type to search names, titles, notes, items, jots, talking points and feedback."
MATCH_STYLE = "bold reverse"

HELP = """\
**Search.** Type in the query: every name, session title, note, item, jot, talking point and
feedback entry (situation, behaviour, impact, response, next step) is searched,
case-insensitively, in memory. **Tab** moves through the filters: person, guide, status
(active or ended), kind (notes, items, jots, points...), and a date range *since* and *until*
(YYYY-MM-DD): a session's day, or the day a jot, a talking point or a feedback entry was written
(guide and status are a session's: they leave out names, jots, talking points and feedback of no
session). **⏎** or **↓** moves to the
results; **⏎** on a result opens that session at the stage where the match is (an active session
opens live, an ended one in the detail view, an item or a feedback form in view there), a jot's or
a name's person (feedback of no session: on it, in their feedback log), or, for a talking point
(*point · mine*: yours to raise; *theirs*: they asked to discuss it; ✓ covered, ✗ dropped), the
preparation of your next talk while it is open (else the person). 🔒 marks a match in a private
note (never in a summary). **{query}** goes back to the query, **{clear-filters}** clears the
filters, **{back}** goes back.
"""


@dataclass(frozen=True)
class Result:
    hit: Hit
    person: str
    where: str
    day: str
    active: bool
    stage: str | None = None  # where Enter opens its session (feedback: the stage of its form)


def parse_day(text: str, label: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label}: can't read {value!r} as a date (YYYY-MM-DD)") from None


def snippet_text(hit: Hit, width: int) -> Text:
    """The snippet in ``width`` cells around the match, the match highlighted: cut by cells
    (an emoji takes two), with "…" where it is cut, as the lists cut (:func:`cut`); the
    table itself would cut it without a mark."""
    before, match, after = (visible(part).replace("\t", " ")
                            for part in (hit.before, hit.match, hit.after))
    width = max(10, width)
    if cell_len(match) >= width:
        return Text().append(cut(match, width), style=MATCH_STYLE)
    room = width - cell_len(match)
    head = cut_left(before, min(cell_len(before), max(1, room // 3, room - cell_len(after))))
    text = Text(head)
    text.append(match, style=MATCH_STYLE)
    text.append(cut(after, room - cell_len(head)))
    return text


def point_label(hit: Hit, width: int) -> str:
    """A talking point's place: whose (mine or theirs, as the index keeps it in the item kind)
    and its status (kept in the stage), in words when ``width`` has room, else a mark."""
    owner, status = hit.item_kind, hit.stage
    said = f"point · {owner} · {status}"
    return said if len(said) <= width else f"point · {owner}{POINT_MARKS.get(status, '')}"


class SearchScreen(SectionScreen):
    TITLE = "Search"
    AUTO_FOCUS = "#search-query"
    HELP = HELP
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "focus_query", "Query", id="query"),
        Binding("ctrl+r", "clear_filters", "Clear filters", id="clear-filters"),
        *SECTION_KEYS,
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.results: list[Result] = []
        self.shown_query = ""
        self.token = 0
        self._debounce: Timer | None = None
        #: id -> (stage titles, active, the stage its feedback form is filled in)
        self._sessions: dict[str, tuple[dict[str, str], bool, str | None]] = {}

    def compose(self) -> ComposeResult:
        store = self.app.store
        names = [p.name for p in store.people()] if store else []
        guides = [(g.name, g.id) for g in self.app.catalog.guides]
        with Vertical(id="search"):
            with Horizontal(id="search-bar"):
                yield Static("Search", classes="label")
                yield Input(value=self.initial, id="search-query", compact=True,
                            placeholder="names, titles, notes, items, jots, points, feedback")
            with Horizontal(classes="search-filters"):
                yield Static("Person", classes="label")
                yield Input(id="search-person", compact=True, placeholder="anyone",
                            suggester=SuggestFromList(names, case_sensitive=False))
                yield Static("Guide", classes="label")
                yield Select(guides, id="search-guide", prompt="any", compact=True)
                yield Static("Status", classes="label")
                yield Select([("active", "active"), ("ended", "ended")], id="search-status",
                             prompt="any", compact=True)
            with Horizontal(classes="search-filters"):
                yield Static("Kind", classes="label")
                yield Select(KINDS, id="search-kind", prompt="anything", compact=True)
                yield Static("Since", classes="label")
                yield Input(id="search-since", compact=True, placeholder="YYYY-MM-DD")
                yield Static("Until", classes="label")
                yield Input(id="search-until", compact=True, placeholder="YYYY-MM-DD")
            table = BrowseTable(id="search-results")
            yield table
            yield Static("", id="search-empty", markup=False)
            yield Static("", id="search-line", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_columns()
        self.show_state(EMPTY)
        if self.initial:
            self.start_search()

    def on_screen_resume(self) -> None:
        self._sessions.clear()  # sessions may have been edited, reopened or deleted
        if self.results or self.query_one("#search-query", Input).value.strip():
            self.start_search()

    # ------------------------------------------------------------------ layout
    def widths(self) -> tuple[int, int, int]:
        total = max(60, self.size.width or 80)
        extra = max(0, total - 80)
        person, stage = 12 + min(6, extra // 8), 16 + min(12, extra // 5)
        snippet = total - 10 - person - stage - 8 - 2  # cell padding and the scrollbar
        return person, stage, snippet

    def set_columns(self) -> None:
        table = self.query_one("#search-results", BrowseTable)
        person, stage, snippet = self.widths()
        table.clear(columns=True)
        table.add_column("Date", key="date", width=10)
        table.add_column("Person", key="person", width=person)
        table.add_column("Stage", key="stage", width=stage)
        table.add_column("Match", key="match", width=snippet)

    def show_state(self, message: str | Text, *, empty: str | Text = "") -> None:
        self.query_one("#search-line", Static).update(message)
        box = self.query_one("#search-empty", Static)
        box.update(empty)
        box.display = bool(empty)
        self.query_one("#search-results").display = not empty

    # ------------------------------------------------------------------ searching
    def filters(self) -> tuple[dict, str]:
        """The store's search filters and the person's name (resolved in the worker)."""
        out: dict = {}
        for field, key in (("#search-guide", "guide_id"), ("#search-status", "status"),
                           ("#search-kind", "kind")):
            value = self.query_one(field, Select).value
            if value is not Select.NULL:
                out[key] = value
        out["since"] = parse_day(self.query_one("#search-since", Input).value, "since")
        out["until"] = parse_day(self.query_one("#search-until", Input).value, "until")
        return {k: v for k, v in out.items() if v}, \
            self.query_one("#search-person", Input).value.strip()

    def has_filters(self) -> bool:
        return any(self.query_one(f, Input).value.strip()
                   for f in ("#search-person", "#search-since", "#search-until")) or any(
            self.query_one(f, Select).value is not Select.NULL
            for f in ("#search-guide", "#search-status", "#search-kind"))

    @on(Input.Changed)
    def typed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self.start_search, name="search-debounce")

    @on(Select.Changed)
    def chose(self) -> None:
        self.start_search()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.start_search()
        if event.input.id == "search-query":
            self.query_one("#search-results", BrowseTable).focus()

    def start_search(self) -> None:
        self.token += 1
        query = self.query_one("#search-query", Input).value
        try:
            filters, person = self.filters()
        except ValueError as exc:
            self.show_state(Text(str(exc)))
            return
        if not query.strip():
            self.results = []
            self.query_one("#search-results", BrowseTable).clear()
            self.show_state(EMPTY)
            return
        self.query_one("#search-line", Static).update("Searching…")
        self.run_search(self.token, query, filters, person)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, token: int, query: str, filters: dict, person: str) -> None:
        store = self.app.store
        if store is None:
            return
        worker = get_current_worker()
        try:
            if person:
                filters["person_id"] = store.find_person(person).id
            hits = store.search(query, limit=LIMIT, **filters)
            results = [self.describe(store, hit) for hit in hits if not worker.is_cancelled]
        except RapportError as exc:
            self.app.call_from_thread(self.search_failed, token, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_results, token, query, results)
        try:  # after the results are on screen: seal the index if enough changed since
            store.save_search_index()
        except RapportError:
            pass  # locked meanwhile, or the disk is full: the next unlock just reads more

    def describe(self, store, hit: Hit) -> Result:
        """Runs in the worker: person's name, stage title (plans cached per session)."""
        try:
            person = store.person(hit.person_id).name
        except NotFound:
            person = "?"
        feedback = f"feedback · {hit.item_kind}" + (", received" if hit.stage == "received"
                                                    else "")  # (given, mostly: not said)
        if hit.session_id is None:  # a jot, a point, feedback: the day it was written
            where = {"jot": "✎ jot", "point": "point", "feedback": feedback}.get(hit.kind,
                                                                                 "person")
            day = fmt.day(hit.created_at) if hit.kind in ("jot", "point", "feedback") else ""
            return Result(hit, person, where, day, False)
        info = self._sessions.get(hit.session_id)
        if info is None:
            try:
                session = store.session(hit.session_id)
                form = next((st.get("key", "") for st in session.stages
                             if st.get("records") == "feedback"), None)
                info = (stage_titles(session.plan), session.ended_at is None, form)
            except NotFound:
                info = ({}, False, None)
            self._sessions[hit.session_id] = info
        titles, active, form = info
        if hit.kind in ("title", "feedback"):
            where = "title" if hit.kind == "title" else feedback
        else:
            where = titles.get(hit.stage, hit.stage or "notes")
            if hit.kind == "item":
                where = f"{fmt.KIND_MARK.get(hit.item_kind, '-')} {where}"
        stage = form if hit.kind == "feedback" else hit.stage or None
        return Result(hit, person, where, fmt.day(hit.started_at), active, stage)

    def search_failed(self, token: int, message: str) -> None:
        if token == self.token:
            self.results = []
            self.query_one("#search-results", BrowseTable).clear()
            self.show_state(Text(message))

    def show_results(self, token: int, query: str, results: list[Result]) -> None:
        if token != self.token:
            return  # a newer search is under way
        same = query == self.shown_query
        self.results, self.shown_query = results, query
        table = self.query_one("#search-results", BrowseTable)
        self.fill(table.cursor_row if same else 0)
        if not results:
            hint = with_keys(self.app, " with these filters ({clear-filters} clears them)",
                             self) if self.has_filters() else ""
            empty = Text("No results for ")
            empty.append(f"“{query.strip()}”", style="bold")
            empty.append(f"{hint}.")
            self.show_state("0 results", empty=empty)
            return
        more = f" (the newest {LIMIT}; narrow the search)" if len(results) >= LIMIT else ""
        count = f"{fmt.plural(len(results), 'result')}{more}"
        self.show_state(f"{count}  ·  ⏎ opens the session at that stage")

    def fill(self, keep: int) -> None:
        """The results, cut to the columns as wide as the screen is now, the cursor on row
        ``keep``."""
        self.filled_width = self.size.width
        table = self.query_one("#search-results", BrowseTable)
        self.set_columns()
        person, stage, snippet = self.widths()
        for i, r in enumerate(self.results):
            where = point_label(r.hit, stage) if r.hit.kind == "point" else r.where
            if r.hit.private:  # as the record marks it: never in a summary or an export
                where = "🔒 " + clip(where, stage - cell_len("🔒 "))
            # cut with "…" as the home list cuts a title: the table itself cuts without a mark
            table.add_row(r.day, Text(clip(r.person, person)), Text(clip(where, stage)),
                          snippet_text(r.hit, snippet), key=str(i))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)

    def on_resize(self) -> None:
        if self.width_changed():  # cut again for another width: results cut to 160 columns
            # were cut again by the table at 80, without a "…"
            self.fill(self.query_one("#search-results", BrowseTable).cursor_row)

    # ------------------------------------------------------------------ keys
    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#search-query", Input):
            table = self.query_one("#search-results", BrowseTable)
            if table.row_count:
                table.focus()
                event.stop()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            for field in ("#search-person", "#search-since", "#search-until"):
                self.query_one(field, Input).value = ""
            for field in ("#search-guide", "#search-status", "#search-kind"):
                self.query_one(field, Select).clear()
        self.start_search()
        self.notify("filters cleared", timeout=2)

    @on(DataTable.RowSelected, "#search-results")
    def open_result(self) -> None:
        key = self.query_one("#search-results", BrowseTable).selected_key()
        if key is None or not key.isdigit() or int(key) >= len(self.results):
            return
        result = self.results[int(key)]
        hit = result.hit
        if hit.kind == "point" and hit.stage == "open":  # where open points are listed
            from tui.screens.prepare import PrepareScreen

            self.app.push_screen(PrepareScreen(hit.person_id))
            return
        if hit.session_id is None:
            from tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(
                hit.person_id, feedback_id=hit.record_id if hit.kind == "feedback" else None))
            return
        from tui.screens.detail import open_session

        # a feedback hit's words are in the detail's "Recorded" block, an item's in its items
        # below the stages: not in its stage's notes
        open_session(self.app, hit.session_id, active=result.active, stage=result.stage,
                     recorded=hit.kind == "feedback",
                     item=hit.record_id if hit.kind == "item" else None)

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [Command("Edit the query", "Back to the search field", self.action_focus_query,
                        "query"),
                Command("Clear search filters", "Person, guide, status, kind, dates",
                        self.action_clear_filters, "clear-filters")]
