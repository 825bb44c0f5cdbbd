"""Interview programmes: the list, one programme's synthesis, leader reports and their exports.

* :class:`ProgrammesScreen` - every programme; ``ctrl+n`` creates one, Enter opens it.
* :class:`ProgrammeScreen` - tabs: the theme × interviewee matrix (Enter on a cell drills down),
  current vs future state side by side per area with the gaps, and the strategy items. Keys:
  ``i`` new interview, ``s`` draft a strategy item, ``r`` a leader's report, ``x`` export; in the
  Strategy tab ``e`` (or Enter) edits the highlighted item and ``d`` deletes it (confirmed);
  ``1``/``2``/``3`` switch tabs.
* :class:`ReportScreen` - one leader's anonymised report, exactly as it would be exported.
* :func:`export_dialog` - the export dialog of :mod:`tui.screens.export` for a synthesis or a
  report: preview of the very bytes, destination, plaintext warning; writes a new 0600 file
  (never over an existing one) and records the export.

The screens read through :mod:`store.synthesis` in worker threads; the facilitator sees everything
(names, dates, private passages marked); exports are anonymised.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button, DataTable, Footer, Input, Label, Markdown, OptionList, SelectionList, Static,
    TabbedContent, TabPane,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from store import RapportError
from store import DEFAULT_THEMES, Programme, StrategyItem
from store import Area, Passage, Synthesis, md_inline
from tui import format as fmt
from tui.screens.detail import ConfirmScreen

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

NAME_WIDTH = 12


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def passage_markdown(passages: Sequence[Passage], *, empty: str = "Nothing here.") -> str:
    """The facilitator's view of passages: text, then who, when, stage, subject, private."""
    if not passages:
        return f"*{md_inline(empty, start=True)}*"
    lines = []
    for p in sorted(passages, key=lambda p: (p.day or date.min, p.interviewee.casefold())):
        lines.append(f"- {md_inline(p.text, start=True)}  \n"
                     f"  *{md_inline(passage_meta(p), start=True)}*")
    return "\n".join(lines)


def passage_meta(p: Passage) -> str:
    """Who said it, when, in which stage, about whom, and whether it is private."""
    meta = [p.interviewee, fmt.day(p.day), p.stage_title]
    if p.subject:
        meta.append("own view" if p.own_view else f"about {p.subject}")
    if p.private:
        meta.append("🔒 private, never exported")
    return " · ".join(m for m in meta if m)


# ====================================================================== the list


class ProgrammesScreen(Screen[None]):
    TITLE = "Programmes"
    AUTO_FOCUS = "#programme-list"
    BINDINGS = [
        Binding("ctrl+n", "new_programme", "New programme", id="new-programme"),
        Binding("enter", "open", "Open", show=False),
        Binding("escape", "back", "Back", id="back"),
    ]
    HELP = ("A programme groups leadership interviews: its themes, tagged passages, synthesis, "
            "strategy and per-leader reports. **ctrl+n** creates one, **Enter** opens it.")

    def compose(self) -> ComposeResult:
        with Vertical(id="programmes"):
            yield Static("Programmes: leadership interviews and their synthesis",
                         classes="pane-title")
            table = DataTable(id="programme-list", cursor_type="row", zebra_stripes=True)
            for key, label in (("name", "Name"), ("interviews", "Interviews"), ("tags", "Tags"),
                               ("strategy", "Strategy"), ("purpose", "Purpose")):
                table.add_column(label, key=key)
            yield table
            yield Static("", id="programmes-status")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="programmes-load")
    def reload(self) -> None:
        store = self.app.store
        if store is None:
            return
        rows = []
        for p in store.programmes():
            sessions = store.summaries(programme_id=p.id)
            rows.append((p, len(sessions), len(store.tags(programme_id=p.id)),
                         len(store.strategy_items(p.id))))
        self.app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: list[tuple[Programme, int, int, int]]) -> None:
        table = self.query_one("#programme-list", DataTable)
        keep = table.cursor_row
        table.clear()
        for p, sessions, tags, items in rows:
            table.add_row(p.name, str(sessions), str(tags), str(items), _clip(p.purpose, 40),
                          key=p.id)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        status = f"{len(rows)} programme{'s' if len(rows) != 1 else ''}" if rows else \
            "No programmes yet: ctrl+n creates one."
        self.query_one("#programmes-status", Static).update(status)

    @on(DataTable.RowSelected, "#programme-list")
    def action_open(self) -> None:
        table = self.query_one("#programme-list", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(ProgrammeScreen(key))

    def action_new_programme(self) -> None:
        store = self.app.store
        names = [p.name for p in store.programmes()] if store else []

        def created(values: dict[str, Any] | None) -> None:
            if not values:
                return
            guide = "leadership-interview"
            if self.app.catalog.get(guide) is None:
                guide = self.app.config.default_guide
            try:
                programme = self.app.store.add_programme(
                    values["name"], purpose=values["purpose"], guide_id=guide,
                    themes=(*DEFAULT_THEMES, *values["themes"]))
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"programme {programme.name} created", timeout=2)
            self.app.push_screen(ProgrammeScreen(programme.id))

        self.app.push_screen(NewProgrammeDialog(names), created)

    def action_back(self) -> None:
        self.app.pop_screen()


class NewProgrammeDialog(ModalScreen[dict | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#programme-name"

    def __init__(self, existing: Sequence[str] = ()) -> None:
        super().__init__()
        self.existing = {n.casefold() for n in existing}

    def compose(self) -> ComposeResult:
        with Vertical(id="programme-dialog", classes="dialog"):
            yield Static("New programme", classes="dialog-title")
            yield Label("Name")
            yield Input(placeholder="e.g. Leadership team 2025", id="programme-name")
            yield Label("Purpose (optional)")
            yield Input(placeholder="what the interviews are for", id="programme-purpose")
            yield Label("More themes (optional, comma-separated)")
            yield Input(placeholder="e.g. decision making, trust", id="programme-themes")
            yield Static("Always included: " + ", ".join(DEFAULT_THEMES), classes="hint")
            yield Label("", id="programme-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Create", variant="primary", id="programme-create")
                yield Button("Cancel", id="programme-cancel")

    @on(Input.Submitted, "#programme-name")
    def name_done(self) -> None:
        self.query_one("#programme-purpose", Input).focus()

    @on(Input.Submitted, "#programme-purpose")
    def purpose_done(self) -> None:
        self.query_one("#programme-themes", Input).focus()

    @on(Input.Submitted, "#programme-themes")
    @on(Button.Pressed, "#programme-create")
    def create(self) -> None:
        name = " ".join(self.query_one("#programme-name", Input).value.split())
        if not name:
            self.error("Give the programme a name.")
            self.query_one("#programme-name", Input).focus()
            return
        if name.casefold() in self.existing:
            self.error(f"There is already a programme called {name!r}.")
            self.query_one("#programme-name", Input).focus()
            return
        raw = self.query_one("#programme-themes", Input).value
        themes = [" ".join(t.split()) for t in raw.split(",") if t.strip()]
        self.dismiss({"name": name, "purpose": self.query_one("#programme-purpose", Input).value.strip(),
                      "themes": themes})

    def error(self, text: str) -> None:
        self.query_one("#programme-error", Label).update(text)

    @on(Button.Pressed, "#programme-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# ====================================================================== one programme


class ProgrammeScreen(Screen[None]):
    AUTO_FOCUS = "#matrix"
    BINDINGS = [
        Binding("i", "interview", "Interview", id="programme-interview"),
        Binding("s", "strategy", "Strategy item", id="programme-strategy"),
        Binding("r", "report", "Leader report", id="programme-report"),
        Binding("x", "export", "Export", id="programme-export"),
        # Strategy tab only (elsewhere they just say so); its hint line shows them, not the footer
        Binding("e", "edit_strategy", "Edit strategy item", id="programme-strategy-edit",
                show=False),
        Binding("d,delete", "delete_strategy", "Delete strategy item",
                id="programme-strategy-delete", show=False),
        Binding("1", "show_tab('tab-matrix')", "Matrix", show=False),
        Binding("2", "show_tab('tab-areas')", "Current → future", show=False),
        Binding("3", "show_tab('tab-strategy')", "Strategy", show=False),
        Binding("escape", "back", "Back", id="back"),
    ]
    HELP = ("**1**, **2**, **3** switch to the Matrix, Current → future and Strategy tabs. "
            "**Matrix**: passages per theme (rows) and interviewee (columns); **Enter** on a cell "
            "lists its passages (**d** there removes a passage's tag). **Current → future**: per area, what is said about today and "
            "about where the team should be; an area with future-state passages is a *gap*. "
            "**Strategy**: items you draft, linked to gaps and passages; there **e** (or "
            "**Enter**) edits the highlighted item and **d** deletes it, after a confirmation. "
            "Keys: **i** new interview in this programme, **s** draft a strategy item, **r** a "
            "leader's report (anonymised), **x** export the synthesis. Tag passages in an "
            "interview with **F4**.")

    def __init__(self, programme_id: str) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.syn: Synthesis | None = None
        self.generation = -1  # the store's write counter when ``syn`` was read

    def compose(self) -> ComposeResult:
        yield Static("", id="programme-header")
        with TabbedContent(id="programme-tabs"):
            with TabPane("Matrix", id="tab-matrix"):
                yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True)
                yield Static("Enter on a cell lists its passages · i interviews someone · "
                             "F4 in an interview tags · 1 2 3 tabs", id="matrix-hint",
                             classes="hint")
            with TabPane("Current → future", id="tab-areas"):
                with Horizontal(id="areas-body"):
                    yield OptionList(id="areas")
                    with VerticalScroll(classes="state-pane"):
                        yield Static("Current state", classes="pane-title")
                        yield Markdown("", id="current-md")
                    with VerticalScroll(classes="state-pane"):
                        yield Static("Future state", classes="pane-title")
                        yield Markdown("", id="future-md")
                yield Static("", id="gaps-line", classes="hint")
            with TabPane("Strategy", id="tab-strategy"):
                table = DataTable(id="strategy", cursor_type="row", zebra_stripes=True)
                table.add_column("#", key="n")
                table.add_column("Strategy item", key="text")
                table.add_column("Gaps", key="gaps")
                table.add_column("Passages", key="passages")
                yield table
                with VerticalScroll(id="strategy-scroll"):
                    yield Markdown("", id="strategy-md")
                yield Static("e or Enter edits the highlighted item · d deletes it · "
                             "s drafts a new one", id="strategy-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        store = self.app.store
        if self.syn is not None and store is not None and store.generation != self.generation:
            self.reload()  # something was written (an interview, a tag) since the last load

    @work(thread=True, exclusive=True, group="programme-load")
    def reload(self) -> None:
        from store import build_synthesis as build

        store = self.app.store
        if store is None:
            return
        generation = store.generation
        try:
            syn = build(store, self.programme_id)
        except RapportError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, syn, generation)

    # ------------------------------------------------------------------ rendering
    def show(self, syn: Synthesis, generation: int = -1) -> None:
        self.syn = syn
        self.generation = generation
        p = syn.programme
        header = Text()
        header.append(p.name, style="bold")
        header.append(f"  ·  {syn.sessions} interview{'s' if syn.sessions != 1 else ''}, "
                      f"{len(syn.passages)} passages, {len(syn.gaps)} gap"
                      f"{'s' if len(syn.gaps) != 1 else ''}")
        if p.purpose:
            header.append(f"  ·  {p.purpose}", style="dim")
        self.query_one("#programme-header", Static).update(header)
        self.show_matrix(syn)
        self.show_areas(syn)
        self.show_strategy(syn)

    def show_matrix(self, syn: Synthesis) -> None:
        table = self.query_one("#matrix", DataTable)
        keep = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column("Theme", key="theme")
        for person in syn.interviewees:
            table.add_column(_clip(person.name, NAME_WIDTH), key=person.id)
        table.add_column("All", key="all")
        for index, (theme, counts) in enumerate(syn.matrix()):
            cells = [str(c) if c else "·" for c in counts]
            table.add_row(theme, *cells, str(sum(counts) or "·"), key=str(index))
        if table.row_count:
            table.cursor_coordinate = keep if keep.row < table.row_count \
                and keep.column < len(table.columns) else table.cursor_coordinate
        hint = self.query_one("#matrix-hint", Static)
        if not syn.sessions:
            hint.update("No interviews yet: press i to interview someone in this programme.")
        elif not syn.passages:
            hint.update("Nothing tagged yet: in an interview, F4 tags the selected passage.")

    def action_show_tab(self, pane_id: str) -> None:
        """The tab's own list gets the focus (``tab_activated``), as when it is clicked."""
        self.query_one("#programme-tabs", TabbedContent).active = pane_id

    @on(TabbedContent.TabActivated, "#programme-tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        target = {"tab-matrix": "#matrix", "tab-areas": "#areas", "tab-strategy": "#strategy"}
        wanted = target.get(event.pane.id or "")
        if wanted and self.is_current:
            self.query_one(wanted).focus()

    @on(DataTable.CellSelected, "#matrix")
    def drill_down(self, event: DataTable.CellSelected) -> None:
        syn = self.syn
        if syn is None:
            return
        theme = syn.themes[int(event.cell_key.row_key.value)]
        column = event.cell_key.column_key.value
        person = syn.people.get(column) if column not in ("theme", "all") else None
        passages = syn.cell(theme, person.id if person else None)
        title = f"{theme} · {person.name}" if person else f"{theme} · everyone"
        self.app.push_screen(PassagesScreen(title, passages), self.untag)

    def untag(self, tag_id: str | None) -> None:
        """Removes a tag the passages screen was closed with (the note itself stays)."""
        if not tag_id:
            return
        try:
            self.app.store.delete_tag(tag_id)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify("tag removed; the note is unchanged", timeout=3)
        self.reload()

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
        line = (f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''} (◆: future-state passages "
                "exist): " + ", ".join(a.label for a in gaps)) if gaps else \
            "No gaps yet: tag passages 'current state' / 'future state' and with a second theme."
        self.query_one("#gaps-line", Static).update(line)

    @on(OptionList.OptionHighlighted, "#areas")
    def area_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.syn is not None:
            self.show_area(self.syn.area(event.option.id))

    def show_area(self, area: Area | None) -> None:
        if area is None:
            current = future = "*No current-state or future-state passages yet.*"
        else:
            current = passage_markdown(area.current, empty="Nothing said about today.")
            future = passage_markdown(area.future, empty="Nothing said about the future: "
                                                          "not a gap.")
        self.query_one("#current-md", Markdown).update(current)
        self.query_one("#future-md", Markdown).update(future)

    def show_strategy(self, syn: Synthesis) -> None:
        table = self.query_one("#strategy", DataTable)
        keep = table.cursor_row
        table.clear()
        for number, item in enumerate(syn.strategy, 1):
            table.add_row(str(number), _clip(item.text, 40),
                          _clip(", ".join(syn.gap_label(k) for k in item.gaps) or "—", 24),
                          str(sum(syn.passage(t) is not None for t in item.tag_ids)),
                          key=item.id)  # (a passage untagged since no longer counts)
        if syn.strategy:
            table.move_cursor(row=min(keep, len(syn.strategy) - 1))
        else:
            self.query_one("#strategy-md", Markdown).update(
                "*No strategy items yet: press **s** to draft one from the gaps and passages.*")

    @on(DataTable.RowHighlighted, "#strategy")
    def strategy_highlighted(self, event: DataTable.RowHighlighted) -> None:
        syn = self.syn
        if syn is None or event.row_key is None:
            return
        item = next((s for s in syn.strategy if s.id == event.row_key.value), None)
        if item is None:
            return
        parts = [f"**{md_inline(item.text, start=True)}**"]
        if item.gaps:
            parts.append("Addresses: " + md_inline("; ".join(syn.gap_label(k) for k in item.gaps),
                                                   start=True))
        linked = [p for p in (syn.passage(t) for t in item.tag_ids) if p is not None]
        if linked:
            parts.append(passage_markdown(linked))
        self.query_one("#strategy-md", Markdown).update("\n\n".join(parts))

    # ------------------------------------------------------------------ actions
    def action_interview(self) -> None:
        from tui.screens.start import NewSessionScreen

        syn = self.syn
        guide = syn.programme.guide_id if syn else None

        def started(session_id: str | None) -> None:
            if session_id:
                from tui.screens.session import SessionScreen

                self.app.push_screen(SessionScreen(session_id))

        self.app.push_screen(NewSessionScreen(programme_id=self.programme_id, guide_id=guide),
                             started)

    def action_strategy(self) -> None:
        syn = self.syn
        if syn is None:
            return
        preselect: set[str] = set()
        tabs = self.query_one("#programme-tabs", TabbedContent)
        if tabs.active == "tab-areas":
            areas = self.query_one("#areas", OptionList)
            if areas.highlighted is not None:
                area = syn.areas[areas.highlighted]
                if area.is_gap:
                    preselect.add(f"gap:{area.key}")

        def drafted(result: tuple[str, list[str], list[str]] | None) -> None:
            if result is not None:
                text, gaps, tag_ids = result
                self.change_strategy(lambda store: store.add_strategy_item(
                    self.programme_id, text, gaps=gaps, tag_ids=tag_ids),
                    "strategy item saved: see the Strategy tab")

        self.app.push_screen(StrategyDialog(syn, preselect), drafted)

    def highlighted_strategy(self) -> StrategyItem | None:
        """The strategy item under the cursor, when the Strategy tab is the one shown."""
        syn = self.syn
        if syn is None or self.query_one("#programme-tabs", TabbedContent).active != "tab-strategy":
            return None
        table = self.query_one("#strategy", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in syn.strategy if s.id == key), None)

    def change_strategy(self, change: Callable[["Store"], object], done: str) -> None:
        """Adds, edits or deletes a strategy item through ``change(store)``, says so and shows
        the synthesis again; a refusal from the store is shown and changes nothing."""
        try:
            change(self.app.store)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(done, timeout=3)
        self.reload()

    def no_strategy_item(self) -> None:
        self.notify("highlight a strategy item in the Strategy tab first", timeout=3)

    @on(DataTable.RowSelected, "#strategy")
    def action_edit_strategy(self) -> None:
        item = self.highlighted_strategy()
        if item is None:
            self.no_strategy_item()
            return

        def edited(result: tuple[str, list[str], list[str]] | None) -> None:
            if result is not None:
                text, gaps, tag_ids = result
                self.change_strategy(lambda store: store.update_strategy_item(
                    item.id, text, gaps=gaps, tag_ids=tag_ids), "strategy item updated")

        self.app.push_screen(StrategyDialog(self.syn, item=item), edited)

    def action_delete_strategy(self) -> None:
        item = self.highlighted_strategy()
        if item is None:
            self.no_strategy_item()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change_strategy(lambda store: store.delete_strategy_item(item.id),
                                     "strategy item deleted")

        self.app.push_screen(ConfirmScreen(
            "Delete this strategy item?",
            f"“{_clip(item.text, 60)}” will be removed from the programme. The gaps and "
            "passages it rests on stay as they are.", confirm="Delete"), confirmed)

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

        self.app.push_screen(LeaderPicker([(p.id, p.name) for p in leaders]), picked)

    def action_export(self) -> None:
        if self.syn is None:
            return
        from store import programme_report

        self.app.push_screen(export_dialog(programme_report(self.syn)))

    def action_back(self) -> None:
        self.app.pop_screen()


class PassagesScreen(ModalScreen["str | None"]):
    """The passages behind one cell of the matrix. ``d`` removes the highlighted passage's tag
    (after a confirmation; the note itself stays): the screen is dismissed with that tag's id,
    for the programme screen to remove."""

    BINDINGS = [Binding("escape,q", "close", "Close"),
                Binding("d,delete", "untag", "Remove tag", id="untag")]
    AUTO_FOCUS = "#passages-list"

    def __init__(self, title: str, passages: Sequence[Passage]) -> None:
        super().__init__()
        self.title_text = title
        self.passages = sorted(passages, key=lambda p: (p.day or date.min,
                                                        p.interviewee.casefold()))

    def compose(self) -> ComposeResult:
        with Vertical(id="passages-dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.passages:
                yield OptionList(*(Option(passage_prompt(p), id=p.tag_id) for p in self.passages),
                                 id="passages-list")
                yield Static("d removes the highlighted passage's tag (the note stays) · "
                             "Esc closes", classes="hint")
            else:
                yield Static(Text("Nothing here.", style="italic"), id="passages-list")
                yield Static("Esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_untag(self) -> None:
        if not self.passages:
            return
        highlighted = self.query_one("#passages-list", OptionList).highlighted
        if highlighted is None:
            return
        passage = self.passages[highlighted]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(passage.tag_id)

        self.app.push_screen(ConfirmScreen(
            "Remove this tag?",
            f"“{_clip(passage.text, 60)}” ({passage.interviewee}) will no longer be tagged "
            f"{passage.theme}. The note itself stays as it is.", confirm="Remove"), confirmed)


def passage_prompt(p: Passage) -> Text:
    """One passage as the drill-down lists it: its text, then who, when, stage, subject."""
    text = Text(" ".join(p.text.split()))
    text.append("\n")
    text.append(passage_meta(p), style="italic dim")
    return text


class StrategyDialog(ModalScreen[tuple[str, list[str], list[str]] | None]):
    """Text of a strategy item and the gaps and passages it rests on (space toggles).

    With ``item``: that item's text and links, to edit. A gap it addresses that is no longer a gap
    is still offered (selected); a passage whose tag was removed since is not, and is dropped when
    saved (it no longer counts anywhere)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    AUTO_FOCUS = "#strategy-text"

    def __init__(self, syn: Synthesis, preselect: set[str] = frozenset(), *,
                 item: StrategyItem | None = None) -> None:
        super().__init__()
        self.syn = syn
        self.item = item
        self.preselect = set(preselect)
        if item is not None:
            self.preselect |= {f"gap:{k}" for k in item.gaps} | {f"tag:{t}" for t in item.tag_ids}

    def compose(self) -> ComposeResult:
        syn = self.syn
        selections: list[Selection] = []
        for area in syn.gaps:
            value = f"gap:{area.key}"
            selections.append(Selection(f"◆ gap: {area.label}", value, value in self.preselect))
        gaps = {a.key for a in syn.gaps}
        for key in self.item.gaps if self.item else ():
            if key not in gaps:
                selections.append(Selection(f"◇ {syn.gap_label(key)} (no longer a gap)",
                                            f"gap:{key}", True))
        for p in sorted(syn.passages, key=lambda p: (p.theme.casefold(), p.text.casefold())):
            value = f"tag:{p.tag_id}"
            label = f"“{_clip(p.text, 48)}” {p.theme}" + (" 🔒" if p.private else "")
            selections.append(Selection(label, value, value in self.preselect))
        with Vertical(id="strategy-dialog", classes="dialog"):
            yield Static("Edit the strategy item" if self.item else "Draft a strategy item",
                         classes="dialog-title")
            yield Input(self.item.text if self.item else "", select_on_focus=False,
                        placeholder="what the leadership team will do", id="strategy-text")
            yield Label("Rests on (space toggles; gaps first, then passages)")
            yield SelectionList(*selections, id="strategy-links")
            yield Label("", id="strategy-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="strategy-save")
                yield Button("Cancel", id="strategy-cancel")

    @on(Input.Submitted, "#strategy-text")
    def text_done(self) -> None:
        links = self.query_one("#strategy-links", SelectionList)
        if links.option_count:
            links.focus()
        else:
            self.action_save()

    @on(Button.Pressed, "#strategy-save")
    def action_save(self) -> None:
        text = self.query_one("#strategy-text", Input).value.strip()
        if not text:
            self.query_one("#strategy-error", Label).update("Write the strategy item first.")
            self.query_one("#strategy-text", Input).focus()
            return
        chosen = list(self.query_one("#strategy-links", SelectionList).selected)
        gaps = [v[4:] for v in chosen if v.startswith("gap:")]
        tags = [v[4:] for v in chosen if v.startswith("tag:")]
        self.dismiss((text, gaps, tags))

    @on(Button.Pressed, "#strategy-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class LeaderPicker(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#leader-list"

    def __init__(self, leaders: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.leaders = list(leaders)

    def compose(self) -> ComposeResult:
        with Vertical(id="leader-dialog", classes="dialog"):
            yield Static("Report on which leader?", classes="dialog-title")
            yield OptionList(*[Option(name, id=pid) for pid, name in self.leaders],
                             id="leader-list")
            yield Static("Enter opens the anonymised report · Esc cancels", classes="hint")

    @on(OptionList.OptionSelected, "#leader-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# ====================================================================== leader report


class ReportScreen(Screen[None]):
    """One leader's anonymised report, rendered from exactly the Markdown an export writes."""

    AUTO_FOCUS = "#report-scroll"
    BINDINGS = [
        Binding("x", "export", "Export", id="report-export"),
        Binding("escape", "back", "Back", id="back"),
    ]
    HELP = ("The anonymised report on one leader: only themes where enough different "
            "interviewees said something, no names, no dates, no private passages, nothing "
            "the leader said about themselves. **x** exports it.")

    def __init__(self, programme_id: str, leader_id: str) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.leader_id = leader_id
        self.doc: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Anonymised report · exactly what an export would contain",
                     id="report-header")
        with VerticalScroll(id="report-scroll"):
            yield Markdown("*Loading…*", id="report-md")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="report-load")
    def load(self) -> None:
        from store import build_synthesis as build, leader_report, render_report as render

        store = self.app.store
        if store is None:
            return
        try:
            doc = leader_report(build(store, self.programme_id), self.leader_id)
        except RapportError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, doc, render(doc, "md"))

    def show(self, doc: dict[str, Any], text: str) -> None:
        self.doc = doc
        self.query_one("#report-md", Markdown).update(text)

    def action_export(self) -> None:
        if self.doc is not None:
            self.app.push_screen(export_dialog(self.doc))

    def action_back(self) -> None:
        self.app.pop_screen()


# ====================================================================== export


def export_dialog(doc: Mapping[str, Any], *, directory: Path | None = None,
                  fmt: str = "md") -> ModalScreen[str | None]:
    """The export dialog for a programme synthesis or a leader report (format is the one option).

    Renders with :func:`store.synthesis.render` and writes with
    :func:`store.synthesis.write_report`, which checks the text is still what was previewed.
    """
    from tui.screens.export import ExportOptions, ExportScreen, Preview

    what = "leader report" if doc["kind"] == "leader" else "programme synthesis"
    warning = ("⚠ Plaintext, outside the vault. Named: it identifies interviewees."
               if not doc["anonymised"] else
               "⚠ Plaintext, outside the vault: anyone who gets the file can read it.")

    def render(store: Any, options: ExportOptions) -> Preview:
        from store import render_report as render, report_filename as filename_hint

        return Preview(render(doc, options.fmt), filename_hint(doc, options.fmt), warning)

    def write(store: Any, path: Path, options: ExportOptions, preview: Preview) -> None:
        from store import write_report

        write_report(store, path, doc, options.fmt, text=preview.text)

    return ExportScreen(render, write, title=f"Export the {what}", directory=directory, fmt=fmt)
