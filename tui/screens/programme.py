"""One interview programme: tabs for the theme x interviewee matrix (Enter on a cell drills down),
current vs future state side by side per area with the gaps, and the strategy items.

Keys: ``i`` new interview, ``s`` draft a strategy item, ``r`` a leader's report, ``x`` export; in
the Strategy tab ``e`` (or Enter) edits the highlighted item and ``d`` deletes it (confirmed);
``1``-``5`` switch tabs; ``c`` closes the round (then the footer shows ``c`` Reopen in place of
``i`` Interview, and the roster takes nobody new). The screen reads through
:mod:`store.synthesis` in a worker; the facilitator sees everything (names, dates, private
passages marked); exports are anonymised. The roster's reading and dialogs are
:mod:`tui.screens.programme_roster`, the Strategy tab's :mod:`tui.screens.programme_strategy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from store import RapportError, visible
from store import Area, Synthesis
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.export import export_dialog
from tui.screens.leader_picker import LeaderPicker
from tui.screens.passages import PassagesScreen, passage_markdown
from tui.screens.programme_matrix import fill_leaders, fill_matrix
from tui.screens.report import ReportScreen
from tui.screens.sections import SECTION_KEYS, SectionScreen
from tui.screens.session import SessionScreen
from tui.screens import programme_strategy as strategy
from tui.screens.programme_roster import (
    RosterRow, ask_retention, ask_roster_add, ask_roster_place, close_round, leader_cells,
    read_roster, roster_cells, roster_summary,
)
from tui.widgets.browse import BrowseTable
from tui.format import plural
from tui.widgets.footer import Footer
from tui.widgets.options import WrappingOptionList

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

ROSTER_HINT = ("{programme-roster-add} puts someone on the roster · ⏎ status, consent, note · "
               "{programme-interview} interviews someone")
# whole on its one line at 80 columns (it said "1-5 tabs" in the last columns, cut off)
MATRIX_HINT = ("⏎ lists a cell's passages · {programme-interview} interviews · {tag} tags in an "
               "interview · {programme-tab-matrix}-{programme-tab-leaders} tabs")


class ProgrammeScreen(SectionScreen):
    AUTO_FOCUS = "#matrix"
    BINDINGS = [
        # a closed programme hides i (check_action) and shows c Reopen in its place; at 80
        # columns every key is whole either way (the footer leaves the palette's key out when
        # the keys need its room: tests/test_programme_campaign.py's footer_whole)
        Binding("i", "interview", "Interview", id="programme-interview"),
        # closed: i says so and how to reopen it (it did nothing, after a c pressed by mistake)
        Binding("i", "closed_interview", "Interview", id="programme-interview-closed",
                show=False),
        Binding("c", "reopen", "Reopen it", id="reopen-programme"),
        Binding("c", "close_round", "Close round", id="close-programme", show=False),
        Binding("s", "strategy", "Strategy item", id="programme-strategy"),
        Binding("r", "report", "Leader report", id="programme-report", show=False),
        Binding("x", "export", "Export", id="export"),
        # Strategy tab only (elsewhere they just say so); its hint line shows them, not the footer
        Binding("e", "edit_strategy", "Edit strategy item", id="programme-strategy-edit",
                show=False),
        Binding("d,delete", "delete_strategy", "Delete strategy item",
                id="programme-strategy-delete", show=False),
        Binding("1", "show_tab('tab-matrix')", "Matrix", id="programme-tab-matrix", show=False),
        Binding("2", "show_tab('tab-areas')", "Current → future", id="programme-tab-areas",
                show=False),
        Binding("3", "show_tab('tab-strategy')", "Strategy", id="programme-tab-strategy",
                show=False),
        Binding("4", "show_tab('tab-roster')", "Roster", id="programme-tab-roster", show=False),
        Binding("5", "show_tab('tab-leaders')", "Leaders", id="programme-tab-leaders",
                show=False),
        Binding("a", "roster_add", "Add to roster", id="programme-roster-add", show=False),
        Binding("R", "retention", "Destroy raw notes", id="programme-retention", show=False),
        Binding("escape", "back", "Back", id="back"),
        *SECTION_KEYS,
    ]
    HELP = ("**{programme-tab-matrix}** to **{programme-tab-leaders}** switch to the Matrix, "
            "Current → future, Strategy, Roster and Leaders tabs. **Matrix**: passages per "
            "theme (rows) and interviewee (columns); **⏎** on a cell lists its passages "
            "(**{untag}** there removes a passage's tag). **Current → future**: per area, what "
            "is said about today and about where the team should be; an area with future-state "
            "passages is a *gap*. **Strategy**: items you draft, linked to gaps and passages; "
            "there **{programme-strategy-edit}** (or **⏎**) edits the highlighted item and "
            "**{programme-strategy-delete}** deletes it, after a confirmation. **Roster**: who is "
            "to be interviewed, their status and consent, and who is still to go; "
            "**{programme-roster-add}** puts someone on it, **⏎** changes a place (status, "
            "consent, note). **Leaders**: passages about each leader per theme, n (k): k "
            "different interviewees; bold where at least the anonymised reports' minimum did "
            "(**⏎** lists the passages). **{programme-retention}**: once the synthesis is "
            "exported, destroy the interviews' raw notes and passages (the synthesis is kept). "
            "Keys: "
            "**{programme-interview}** new interview in this programme, **{programme-strategy}** "
            "draft a strategy item, **{programme-report}** a leader's report (anonymised), "
            "**{export}** export the synthesis, **{close-programme}** close its round when the "
            "interviews are over (no new interview; the roster takes nobody new, and keeps "
            "what happened: done, declined, consent, notes), **{reopen-programme}** reopen it. "
            "Tag passages in an interview with **{tag}**.")

    def keys(self, text: str, **values: str) -> str:
        """``text`` with its ``{binding-id}`` placeholders as the keys are bound now, and
        ``values`` in their places (:func:`tui.keys.with_keys`)."""
        return with_keys(self.app, text, self, PassagesScreen, SessionScreen, **values)

    def own_commands(self) -> list[Command]:
        return [
            Command("New interview", "In this programme", self.action_interview,
                    "programme-interview"),
            Command("Draft a strategy item", "From the gaps and passages", self.action_strategy,
                    "programme-strategy"),
            Command("Leader report", "One leader's anonymised report", self.action_report,
                    "programme-report"),
            Command("Export the synthesis", "Anonymised, after a preview", self.action_export,
                    "export"),
            Command("Matrix", "Passages per theme and interviewee",
                    lambda: self.action_show_tab("tab-matrix"), "programme-tab-matrix"),
            Command("Current → future", "What is said about today and tomorrow, per area",
                    lambda: self.action_show_tab("tab-areas"), "programme-tab-areas"),
            Command("Strategy", "The strategy items", lambda: self.action_show_tab("tab-strategy"),
                    "programme-tab-strategy"),
            Command("Roster", "Who is to be interviewed, consent, who is still to go",
                    lambda: self.action_show_tab("tab-roster"), "programme-tab-roster"),
            Command("Leaders", "Leader x theme, with the three-source rule",
                    lambda: self.action_show_tab("tab-leaders"), "programme-tab-leaders"),
            Command("Add to the roster", "Someone to interview", self.action_roster_add,
                    "programme-roster-add"),
            Command("Destroy the raw notes", "After the synthesis is exported: keep only it",
                    self.action_retention, "programme-retention"),
            Command("Reopen the programme", "Its round closed: interviews can start again",
                    self.action_reopen, "reopen-programme") if self.closed else
            Command("Close the programme's round", "The interviews over: none new in it",
                    self.action_close_round, "close-programme"),
        ]

    @property
    def closed(self) -> bool:
        return self.syn is not None and self.syn.programme.closed_at is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Closed: no i Interview in the footer, c Reopen in its place (c closes a running
        one, unshown: the Help says it)."""
        if action in ("interview", "close_round"):
            return not self.closed
        if action in ("reopen", "closed_interview"):
            return self.closed
        return True

    def __init__(self, programme_id: str, tab: str = "tab-matrix") -> None:
        """``tab``: the tab shown first (after a lock: the one shown then)."""
        super().__init__()
        self.programme_id = programme_id
        self.tab = tab
        self.syn: Synthesis | None = None
        #: the synthesis kept when the raw notes were destroyed: what x exports then
        self.kept: dict[str, Any] | None = None
        self.roster: list[RosterRow] = []
        self.generation = -1  # the store's write counter when ``syn`` was read

    def compose(self) -> ComposeResult:
        yield Static("", id="programme-header", markup=False)
        with TabbedContent(id="programme-tabs", initial=self.tab):
            with TabPane("Matrix", id="tab-matrix"):
                yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True)
                yield Static(self.keys(MATRIX_HINT), id="matrix-hint", classes="hint",
                             markup=False)
            with TabPane("Current → future", id="tab-areas"):
                with Horizontal(id="areas-body"):
                    yield WrappingOptionList(id="areas", markup=False)
                    with VerticalScroll(classes="state-pane"):
                        yield Static("Current state", classes="pane-title")
                        yield Markdown("", id="current-md")
                    with VerticalScroll(classes="state-pane"):
                        yield Static("Future state", classes="pane-title")
                        yield Markdown("", id="future-md")
                yield Static("", id="gaps-line", classes="hint", markup=False)
            with TabPane("Strategy", id="tab-strategy"):
                table: DataTable[str] = DataTable(id="strategy", cursor_type="row",
                                                  zebra_stripes=True)
                table.add_column("#", key="n")
                table.add_column("Strategy item", key="text")
                table.add_column("Gaps", key="gaps")
                table.add_column("Passages", key="passages")
                yield table
                with VerticalScroll(id="strategy-scroll"):
                    yield Markdown("", id="strategy-md")
                yield Static(self.keys(
                    "{programme-strategy-edit} or ⏎ edits the highlighted item · "
                    "{programme-strategy-delete} deletes it · {programme-strategy} drafts a new "
                    "one"), id="strategy-hint", classes="hint", markup=False)
            with TabPane("Roster", id="tab-roster"):
                yield Static("", id="roster-line", markup=False)
                yield BrowseTable(id="roster")
                yield Static(self.keys(ROSTER_HINT), id="roster-hint", classes="hint",
                             markup=False)
            with TabPane("Leaders", id="tab-leaders"):
                yield DataTable(id="leaders", cursor_type="cell", zebra_stripes=True)
                yield Static("", id="leaders-hint", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock: this programme, on the tab shown (where what a
        dialog kept shows: a strategy item on the Strategy tab)."""
        programme_id = self.programme_id
        tab = self.query_one("#programme-tabs", TabbedContent).active or "tab-matrix"
        return lambda: ProgrammeScreen(programme_id, tab)

    def on_screen_resume(self) -> None:
        store = self.app.store
        if self.syn is not None and store is not None and store.generation != self.generation:
            self.reload()  # something was written (an interview, a tag) since the last load

    def reload(self) -> None:
        def read(store: "Store") -> tuple[Synthesis, list[RosterRow], int, dict[str, Any] | None]:
            from store import build_synthesis as build, kept_synthesis

            generation = store.generation  # before reading: a write meanwhile reloads again
            return (build(store, self.programme_id), read_roster(store, self.programme_id),
                    generation, kept_synthesis(store, self.programme_id))

        self.load_from_store(read, lambda read: self.show(*read), group="programme-load")

    # ------------------------------------------------------------------ rendering
    def show(self, syn: Synthesis, roster: list[RosterRow] | None = None,
             generation: int = -1, kept: dict[str, Any] | None = None) -> None:
        self.syn = syn
        self.kept = kept
        self.roster = roster or []
        self.generation = generation
        p = syn.programme
        header = Text()
        header.append(visible(p.name), style="bold")  # BEL as ␇, as the lists
        if p.closed_at is not None:  # first: a long line is cut at its end, never this
            header.append("  ·  closed", style="bold")
        if self.kept is not None:  # short: the name and this fit 80 columns
            header.append("  ·  raw notes destroyed, synthesis kept")
        else:
            header.append(f"  ·  {plural(syn.sessions, 'interview')}, "
                          f"{plural(len(syn.passages), 'passage')}, "
                          f"{plural(len(syn.gaps), 'gap')}")
        to_go = sum(1 for r in self.roster if r.to_go)
        if to_go and p.closed_at is None:  # closed: nobody is to go any more
            header.append(f", {to_go} still to go")
        if p.purpose:
            header.append(f"  ·  {p.purpose}", style="dim")
        self.query_one("#programme-header", Static).update(header)
        self.show_matrix(syn)
        self.show_areas(syn)
        strategy.show_strategy(self, syn)
        self.show_roster()
        self.show_leaders(syn)
        self.refresh_bindings()  # closed or not: the footer's i Interview or c Reopen

    def show_matrix(self, syn: Synthesis) -> None:
        table = self.query_one("#matrix", DataTable)
        keep = table.cursor_coordinate
        fill_matrix(table, syn, self.table_width(table))
        if table.row_count:
            table.cursor_coordinate = keep if keep.row < table.row_count \
                and keep.column < len(table.columns) else table.cursor_coordinate
        hint = self.query_one("#matrix-hint", Static)
        if self.kept is not None:
            hint.update(self.keys("Raw notes destroyed: {export} exports the anonymised "
                                  "synthesis kept then."))
        elif not syn.sessions:
            hint.update(self.keys("No interviews, and the round is closed: {reopen-programme} "
                                  "reopens it." if self.closed else "No interviews yet: press "
                                  "{programme-interview} to interview someone in this "
                                  "programme."))
        elif self.closed:  # first, in the half of an 80-column line a toast leaves
            hint.update(self.keys("Round closed: {reopen-programme} reopens it · ⏎ on a cell "
                                  "lists its passages · {programme-tab-matrix}-"
                                  "{programme-tab-leaders} tabs"))
        elif not syn.passages:
            hint.update(self.keys("Nothing tagged yet: in an interview, {tag} tags the selected "
                                  "passage."))
        else:
            hint.update(self.keys(MATRIX_HINT))

    def table_width(self, table: DataTable[Any]) -> int:
        """The cells the Matrix and Leaders tables have, shown or not: the screen's width (the
        tabs add no padding) less a vertical scrollbar's; 0 before the screen is laid out."""
        width = self.size.width
        return max(0, width - table.styles.scrollbar_size_vertical) if width else 0

    def on_resize(self) -> None:
        """The count tables sized to the new width (their columns share the room)."""
        if self.syn is not None:
            self.show_matrix(self.syn)
            self.show_leaders(self.syn)

    def action_show_tab(self, pane_id: str) -> None:
        """The tab's own list gets the focus (``tab_activated``), as when it is clicked."""
        self.query_one("#programme-tabs", TabbedContent).active = pane_id

    @on(TabbedContent.TabActivated, "#programme-tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        target = {"tab-matrix": "#matrix", "tab-areas": "#areas", "tab-strategy": "#strategy",
                  "tab-roster": "#roster", "tab-leaders": "#leaders"}
        wanted = target.get(event.pane.id or "")
        if wanted and self.is_current:
            self.query_one(wanted).focus()

    @on(DataTable.CellSelected, "#matrix")
    def drill_down(self, event: DataTable.CellSelected) -> None:
        syn = self.syn
        if syn is None:
            return
        theme = syn.themes[int(event.cell_key.row_key.value or 0)]
        column = event.cell_key.column_key.value or "all"
        person = syn.people.get(column) if column not in ("theme", "all") else None
        passages = syn.cell(theme, person.id if person else None)
        title = f"{theme} · {person.name}" if person else f"{theme} · everyone"  # not markup
        self.app.push_screen(PassagesScreen(title, passages), self.untag)

    def untag(self, tag_id: str | None) -> None:
        """Removes a tag the passages screen was closed with (the note itself stays)."""
        if not tag_id:
            return
        try:
            self.store.delete_tag(tag_id)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify("tag removed; the note is unchanged", timeout=3)
        self.reload()

    def show_roster(self) -> None:
        table = self.query_one("#roster", BrowseTable)
        keep = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Name", "Status", "Consent", "Interviewed", "Note")
        for row in self.roster:
            table.add_row(*roster_cells(self.app, row), key=row.person.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.query_one("#roster-line", Static).update(roster_summary(self.roster,
                                                                     closed=self.closed))
        self.query_one("#roster-hint", Static).update(self.keys(
            "Closed: ⏎ records how it went (done, declined, consent, note) · "
            "{reopen-programme} reopens it" if self.closed else ROSTER_HINT))

    @on(DataTable.RowSelected, "#roster")
    def roster_selected(self) -> None:
        key = self.query_one("#roster", BrowseTable).selected_key()
        row = next((r for r in self.roster if r.person.id == key), None)
        if row is not None and not (row.place is None and self.refused_closed()):
            ask_roster_place(self, self.programme_id, row, self.reload, closed=self.closed)

    def refused_closed(self) -> bool:
        """Closed: nobody new goes on the roster (said, with the key that reopens it)."""
        if self.closed:
            self.notify(self.keys("the round is closed: nobody new goes on its roster "
                                  "({reopen-programme} reopens it)"), severity="warning",
                        timeout=5, markup=False)
        return self.closed

    def action_roster_add(self) -> None:
        self.action_show_tab("tab-roster")
        if self.refused_closed():
            return
        on_roster = {r.person.id for r in self.roster if r.place is not None}
        ask_roster_add(self, self.programme_id, on_roster, self.reload)

    def action_retention(self) -> None:
        ask_retention(self, self.programme_id, self.reload)

    def show_leaders(self, syn: Synthesis) -> None:
        from store import MIN_INTERVIEWEES

        table = self.query_one("#leaders", DataTable)
        keep = table.cursor_coordinate
        rows = leader_cells(syn, MIN_INTERVIEWEES)
        fill_leaders(table, syn, rows, self.table_width(table))
        if table.row_count and keep.row < table.row_count and keep.column < len(table.columns):
            table.cursor_coordinate = keep
        hint = self.query_one("#leaders-hint", Static)
        if not rows:
            hint.update("No passage is about a leader yet: when tagging, fill in 'About'.")
        else:
            hint.update(f"n (k): n passages from k different interviewees, what leaders said of "
                        f"themselves left out; bold: {MIN_INTERVIEWEES} or more (an anonymised "
                        "report shows it), dim: withheld · ⏎ lists the passages")

    @on(DataTable.CellSelected, "#leaders")
    def leader_drill_down(self, event: DataTable.CellSelected) -> None:
        syn = self.syn
        leader_id = event.cell_key.column_key.value
        theme = event.cell_key.row_key.value
        leader = syn.people.get(leader_id or "") if syn else None
        if syn is None or leader is None or theme is None:
            return
        passages = [p for p in syn.cell(theme) if p.subject_id == leader.id and not p.own_view]
        self.app.push_screen(PassagesScreen(f"{theme} · about {leader.name}", passages),
                             self.untag)

    def show_areas(self, syn: Synthesis) -> None:
        areas = self.query_one("#areas", OptionList)
        keep = areas.highlighted
        areas.clear_options()
        for area in syn.areas:
            mark = "◆" if area.is_gap else "·"
            areas.add_option(Option(f"{mark} {area.label}  {len(area.current)}→{len(area.future)}",
                                    id=area.key))
        if syn.areas:
            areas.highlighted = min(keep or 0, len(syn.areas) - 1)
        else:
            self.show_area(None)
        gaps = syn.gaps
        line = (f"{plural(len(gaps), 'gap')} (◆: future-state passages "
                "exist): " + ", ".join(a.label for a in gaps)) if gaps else \
            "No gaps yet: tag passages 'current state' / 'future state' and with a second theme."
        self.query_one("#gaps-line", Static).update(line)

    @on(OptionList.OptionHighlighted, "#areas")
    def area_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.syn is not None:
            self.show_area(self.syn.area(event.option.id or ""))

    def show_area(self, area: Area | None) -> None:
        if area is None:
            current = future = "*No current-state or future-state passages yet.*"
        else:
            current = passage_markdown(area.current, empty="Nothing said about today.")
            future = passage_markdown(area.future, empty="Nothing said about the future: "
                                                          "not a gap.")
        self.query_one("#current-md", Markdown).update(current)
        self.query_one("#future-md", Markdown).update(future)

    @on(DataTable.RowHighlighted, "#strategy")
    def strategy_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.syn is not None and event.row_key is not None:
            strategy.show_strategy_item(self, self.syn, event.row_key.value or "")


    # ------------------------------------------------------------------ actions
    def action_closed_interview(self) -> None:
        self.action_interview()  # closed: says so, and which key reopens it

    def action_interview(self) -> None:
        from tui.screens.start import NewSessionScreen

        syn = self.syn
        guide = syn.programme.guide_id if syn else None
        if syn is not None and self.closed:  # (the palette's, and i's then)
            self.notify(self.keys("{name} is closed: no new interviews ({reopen-programme} "
                                  "reopens it)", name=syn.programme.name), severity="warning",
                        timeout=5, markup=False)
            return

        def started(session_id: str | None) -> None:
            if session_id:
                from tui.screens.session import SessionScreen

                self.app.push_screen(SessionScreen(session_id))

        # the one highlighted on the Roster tab; elsewhere the next still to go (the Matrix's
        # i left the name empty, though the header said who was still to go)
        participant = next((r.person.name for r in self.roster if r.to_go), "")
        if self.query_one("#programme-tabs", TabbedContent).active == "tab-roster":
            key = self.query_one("#roster", BrowseTable).selected_key()
            participant = next((r.person.name for r in self.roster if r.person.id == key), "")
        self.app.push_screen(NewSessionScreen(programme_id=self.programme_id, guide_id=guide,
                                              participant=participant), started)

    def action_strategy(self) -> None:
        if self.syn is not None:
            strategy.draft_strategy(self, self.syn)

    @on(DataTable.RowSelected, "#strategy")
    def action_edit_strategy(self) -> None:
        strategy.edit_strategy(self)

    def action_delete_strategy(self) -> None:
        strategy.delete_strategy(self)

    def action_report(self) -> None:
        syn = self.syn
        if syn is None:
            return
        leaders = syn.subjects
        if not leaders:
            self.notify("no passage is about a leader yet: when tagging, fill in 'About'",
                        timeout=4)
            return

        def picked(leader_id: str | None) -> None:
            if leader_id:
                self.app.push_screen(ReportScreen(self.programme_id, leader_id))

        if len(leaders) == 1:  # a 360: one leader, no question ("which leader?" of one)
            picked(leaders[0].id)
            return
        self.app.push_screen(LeaderPicker([(p.id, p.name) for p in leaders]), picked)

    def action_export(self) -> None:
        if self.syn is None:
            return
        from store import programme_report

        self.app.push_screen(export_dialog(self.kept or programme_report(self.syn)))

    def action_close_round(self) -> None:
        close_round(self, self.programme_id, True, self.reload)

    def action_reopen(self) -> None:
        close_round(self, self.programme_id, False, self.reload)

    def action_back(self) -> None:
        self.app.pop_screen()
