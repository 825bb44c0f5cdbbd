"""One person over time: their timeline (sessions and jots) with what is open, their goals with
progress, key results and check-in history, and their pulse trend and feedback log.

Three tabs (**1** **2** **3**); the header says when you meet next. The person's own keys
(prepare, jot, talking point, meeting, cadence, edit, merge, erase) work from every tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from store import RapportError, minutes_text, visible
from tui import format as fmt
from tui.commands import Command
from tui.keys import with_keys
from tui.record import CLOSED_GOAL, goal_order, is_overdue, item_order, whose
from tui.screens.person_actions import (
    ask_erase, ask_jot, ask_meeting, ask_merge, ask_person, ask_point, set_cadence,
    start_session_with,
)
from tui.screens.person_history import feedback_detail, goal_detail, pulse_line
from tui.screens.sections import SECTION_KEYS, SectionScreen
from tui.widgets.browse import BrowseTable, clip, due_cell, meeting_text, theme_style
from tui.format import plural
from tui.widgets.footer import Footer
from tui.widgets.prepare import progress_bar, pulse_chart

if TYPE_CHECKING:  # pragma: no cover
    from store import (
        Feedback, Goal, Item, Jot, Person, Pulse, SessionSummary, Store, Upcoming,
    )


@dataclass
class PersonRead:
    person: "Person"
    summaries: list["SessionSummary"]
    jots: list["Jot"]
    items: list["Item"]  # open actions (marked done here: still listed, struck through)
    goals: list["Goal"]  # every goal, open ones first
    pulses: list["Pulse"]  # oldest first
    feedback: list["Feedback"]  # oldest first
    meeting: "Upcoming | None"
    low_run: bool


def read_person(store: "Store", person_id: str, today: date) -> PersonRead:
    """Everything the person's view shows, in one read."""
    person = store.person(person_id)
    items = [i for i in store.items(person_id=person.id) if i.kind == "action" and i.is_open]
    goals = sorted(store.goals(person.id), key=lambda g: goal_order(g.item))
    meeting = next(iter(store.upcoming(today, person_id=person.id)), None)
    return PersonRead(person, store.summaries(person_id=person.id), store.jots(person.id),
                      sorted(items, key=lambda i: item_order(i, today)), goals,
                      store.pulses(person.id), store.feedback(person.id), meeting,
                      store.low_run(person.id))


class PersonScreen(SectionScreen):
    """One person: timeline, goals, pulse and feedback."""

    TITLE = "Person"
    AUTO_FOCUS = "#person-timeline"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    HELP = ("**{person-tab-timeline}** Timeline: sessions and jots, newest first (**⏎** opens a "
            "session, or shows a jot whole), and the open action items: **{done}** marks one "
            "done (again: open), **{link-goal}** links it to a goal, **{edit-item}** edits it (a "
            "goal too, in its tab). **{person-tab-goals}** "
            "Goals: progress, key results and the history of check-ins; **{goal-status}** "
            "checks in (status, progress, a note). **{person-tab-pulse}** Pulse and feedback: "
            "the trend of their pulse and the feedback log. Anywhere: **{new-session}** starts "
            "a session with them, **{prepare}** prepares the next talk, **{jot}** a jot, "
            "**{talking-point}** a talking point, **{meeting}** the next meeting, **{cadence}** "
            "the cadence, **{edit}** name, cadence and default guide, **{merge}** merges a "
            "duplicate into someone, **{delete}** erases them, **{export}** exports their "
            "sessions.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("p", "prepare", "Prepare", id="prepare"),
        # not in the footer (80 columns): the timeline's title says it
        Binding("ctrl+n", "new_session", "New session", id="new-session", show=False),
        Binding("n", "jot", "Jot", id="jot"),
        Binding("r", "point", "Talking point", id="talking-point", show=False),
        Binding("m", "meeting", "Next meeting", id="meeting", show=False),
        Binding("c", "cadence", "Cadence", id="cadence", show=False),
        Binding("e,ctrl+e", "edit", "Edit", id="edit", show=False),
        Binding("d", "done", "Done", id="done", show=False),
        Binding("s", "check_in", "Check in", id="goal-status"),
        Binding("l", "link", "Link to goal", id="link-goal", show=False),
        Binding("i", "edit_item", "Edit item", id="edit-item", show=False),
        Binding("1", "show_tab('tab-timeline')", "Timeline", id="person-tab-timeline",
                show=False),
        Binding("2", "show_tab('tab-goals')", "Goals", id="person-tab-goals", show=False),
        Binding("3", "show_tab('tab-pulse')", "Pulse & feedback", id="person-tab-pulse",
                show=False),
        Binding("M", "merge", "Merge", id="merge", show=False),
        Binding("delete,ctrl+d", "erase", "Erase", id="delete", show=False),
        Binding("x", "export", "Export", id="export", show=False),
        *SECTION_KEYS,
    ]

    def __init__(self, person_id: str, *, feedback_id: str | None = None) -> None:
        super().__init__()
        self.person_id = person_id
        self.feedback_id = feedback_id  # opens on this entry of the feedback log (a search hit)
        self.read: PersonRead | None = None
        self.today: date | None = None

    @property
    def person(self) -> "Person | None":
        return self.read.person if self.read else None

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="person-header", markup=False)
        with TabbedContent(id="person-tabs"):
            with TabPane("1 Timeline", id="tab-timeline"):
                with Vertical(id="person-body"):
                    with Vertical(id="person-timeline-pane"):
                        yield Static(with_keys(self.app, "Timeline  ·  ⏎ opens a session or a "
                                               "jot  ·  {new-session} starts one", self),
                                     classes="pane-title", markup=False)
                        yield BrowseTable(id="person-timeline")
                    with Vertical(id="person-items-pane"):
                        yield Static(with_keys(self.app, "Open action items  ·  {done} done · "
                                               "{link-goal} link to a goal · {edit-item} edit",
                                               self),
                                     classes="pane-title", markup=False)
                        yield BrowseTable(id="person-items")
            with TabPane("2 Goals", id="tab-goals"):
                with Vertical(id="goals-body"):
                    yield BrowseTable(id="person-goals")
                    with VerticalScroll(id="goal-detail-scroll"):
                        yield Static("", id="goal-detail", markup=False)
            with TabPane("3 Pulse & feedback", id="tab-pulse"):
                with VerticalScroll(id="pulse-body"):
                    with Horizontal(id="pulse-row"):
                        yield Static("", id="pulse-chart", markup=False)
                        yield Static("", id="pulse-line", markup=False)
                    yield Static("Feedback, oldest first", classes="pane-title")
                    yield BrowseTable(id="person-feedback")
                    yield Static("", id="feedback-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.feedback_id is not None:
            self.action_show_tab("tab-pulse")
        self.load()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (a jot kept from a dialog about them shows here)."""
        person_id = self.person_id
        return lambda: PersonScreen(person_id)

    def on_screen_resume(self) -> None:
        if self.read is not None:
            self.load()

    def on_resize(self) -> None:
        if self.width_changed():  # cut again only for another width (-wide set by then)
            self.filled_width = self.size.width  # (a second resize to it before: no refill)
            self.call_after_refresh(self.show_all)

    def load(self) -> None:
        today = self.app.clock().astimezone().date()
        self.load_from_store(lambda store: read_person(store, self.person_id, today),
                             lambda read: self.show(read, today), group="person-load")

    def show_store_error(self, error: Exception) -> None:
        self.query_one("#person-header", Static).update(Text(str(error)))

    def show(self, read: PersonRead, today: date) -> None:
        self.read, self.today = read, today
        self.sub_title = read.person.name
        self.show_all()

    def show_all(self) -> None:
        self.filled_width = self.size.width
        self.show_header()
        self.show_timeline()
        self.show_items()
        self.show_goals()
        self.show_pulse()
        self.show_feedback()

    # ------------------------------------------------------------------ header, timeline
    def show_header(self) -> None:
        read = self.read
        if read is None:
            return
        person, sessions = read.person, read.summaries
        text = Text.assemble((visible(person.name), "bold"))  # BEL as ␇, as the lists
        text.append(f"  ·  {plural(len(sessions), 'session')}")
        # as Prepare's header and the people list say it: a session left open is not "last
        # time" (it has no summary yet); it is said apart, in the warning colour
        ended = [s.started_at for s in sessions if s.ended_at is not None]
        still_open = [s.started_at for s in sessions if s.ended_at is None]
        if ended:
            text.append(f"  ·  last met {fmt.day(max(ended))}")
        if still_open:
            text.append(f"  ·  still open: {fmt.day(max(still_open))}",
                        style=theme_style(self.app, "warning"))
        text.append("  ·  next 1-on-1 ")
        if read.meeting is not None:
            text.append_text(meeting_text(self.app, read.meeting))
        else:
            text.append(with_keys(self.app, "not set ({meeting} sets it)", self), style="dim")
        text.append(f"  ·  {person.cadence or 'no cadence'}")
        guide = self.app.catalog.get(person.guide_id) if person.guide_id else None
        if person.guide_id:
            text.append(f"  ·  guide {visible(guide.name if guide else person.guide_id)}",
                        style="dim")
        if read.low_run:
            text.append("  ·  ⚠ low pulse", style=theme_style(self.app, "warning"))
        self.query_one("#person-header", Static).update(text)

    def pane_width(self) -> int:
        width = max(60, self.size.width or 80)
        return width // 2 if "-wide" in self.classes else width

    def what_width(self, labels: Iterable[str]) -> int:
        """The timeline's What column: 18 cells, as at 80 columns; side by side with the items
        (``-wide``), as wide as its longest guide name, as far as the pane leaves the detail
        column 34 cells at least (a title of 18 and its time spent)."""
        if "-wide" not in self.classes:
            return 18
        widest = max((cell_len(clip(label, 200)) for label in labels), default=0)
        return max(18, min(widest, self.pane_width() - 16 - 6 - 2 - 34))

    def show_timeline(self) -> None:
        read = self.read
        if read is None:
            return
        table = self.query_one("#person-timeline", BrowseTable)
        labels = {s.id: ("● " if s.status == "active" else "") + s.guide_name
                  for s in read.summaries}
        what_width = self.what_width(labels.values())
        with table.refilled("Date", "What", ""):
            room = self.pane_width() - 16 - what_width - 6 - 2
            open_counts: dict[str, int] = {}
            for item in read.items:
                open_counts[item.session_id] = open_counts.get(item.session_id, 0) + 1
            entries: list[tuple[Any, str, Any]] = [(s.started_at, "s", s) for s in read.summaries]
            entries += [(j.created_at, "j", j) for j in read.jots]
            entries.sort(key=lambda e: e[0], reverse=True)
            for moment, kind, entry in entries:
                if kind == "s":
                    what = Text(clip(labels[entry.id], what_width))
                    tail = f"{minutes_text(entry.spent_seconds, short=True)} spent" + (
                        f" · {open_counts[entry.id]} open" if open_counts.get(entry.id) else "")
                    # the title has what its time (and open count) leaves: a fixed 16 for the
                    # tail let a title of 22 and "0m spent · 1 open" overflow 80 columns by one
                    title_room = room - cell_len(tail) - 2
                    detail = Text(clip(entry.title, title_room) + "  " if entry.title else "")
                    detail.append(tail, style="dim")
                    table.add_row(fmt.when(moment), what, detail, key=f"s:{entry.id}")
                else:
                    table.add_row(fmt.when(moment), Text("✎ jot", style="italic"),
                                  Text(clip(entry.text, room), style="italic"),
                                  key=f"j:{entry.id}")
            if not entries:
                empty = with_keys(self.app, "No sessions or jots yet ({new-session} starts a "
                                  "session, {jot} writes a jot).", self)
                table.add_row("", Text(empty, style="dim"), "", key="empty")

    def show_items(self) -> None:
        read, today = self.read, self.today
        if read is None or today is None:
            return
        table = self.query_one("#person-items", BrowseTable)
        with table.refilled("Whose", "Due", "Goal", "Item"):
            room = self.pane_width() - 6 - 12 - 14 - 8 - 2
            serves = {a.id: g for g in read.goals for a in g.actions}
            for item in read.items:
                goal = serves.get(item.id)
                table.add_row(whose(item), due_cell(self.app, item.due, is_overdue(item, today)),
                              Text(clip(goal.text, 14) if goal else "", style="dim"),
                              Text(clip(item.text, room),
                                   style="" if item.is_open else "dim strike"),
                              key=f"i:{item.id}")
            if not read.items:
                table.add_row("", "", "", Text("Nothing open.", style="dim"), key="empty")

    # ------------------------------------------------------------------ goals, pulse, feedback
    def show_goals(self) -> None:
        read = self.read
        if read is None:
            return
        table = self.query_one("#person-goals", BrowseTable)
        with table.refilled("Status", "Progress", "Due", "Goal"):
            room = max(20, (self.size.width or 80) - 9 - 15 - 10 - 10)
            for goal in read.goals:
                closed = goal.status in CLOSED_GOAL
                status = Text(goal.status, style=theme_style(self.app, "warning")
                              if goal.status == "at-risk" else "dim" if closed else "")
                table.add_row(status, progress_bar(goal.progress), fmt.day(goal.item.due),
                              Text(clip(goal.text, room), style="dim" if closed else ""),
                              key=f"g:{goal.id}")
            if not read.goals:
                table.add_row("", "", "", Text("No goals yet: capture one in a session.",
                                               style="dim"), key="empty")
        self.show_goal_detail()

    def show_goal_detail(self) -> None:
        goal = self.highlighted_goal()
        self.query_one("#goal-detail", Static).update(
            goal_detail(self.app, goal) if goal is not None else Text(""))

    def highlighted_goal(self) -> "Goal | None":
        key = self.query_one("#person-goals", BrowseTable).selected_key()
        read = self.read
        if read is None or not key or not key.startswith("g:"):
            return None
        return next((g for g in read.goals if g.id == key[2:]), None)

    @on(DataTable.RowHighlighted, "#person-goals")
    def goal_highlighted(self) -> None:
        self.show_goal_detail()

    def show_pulse(self) -> None:
        read = self.read
        if read is None:
            return
        chart = self.query_one("#pulse-chart", Static)
        chart.update(pulse_chart(self.app, [p.score for p in read.pulses]))
        chart.display = len(read.pulses) > 1
        self.query_one("#pulse-line", Static).update(
            pulse_line(self.app, read.pulses, read.low_run))

    def show_feedback(self) -> None:
        read = self.read
        if read is None:
            return
        table = self.query_one("#person-feedback", BrowseTable)
        with table.refilled("Date", "Way", "Kind", "Behaviour"):
            room = max(20, (self.size.width or 80) - 10 - 9 - 14 - 10)
            for entry in read.feedback:
                table.add_row(fmt.day(entry.created_at), entry.direction, entry.kind,
                              Text(clip(entry.behaviour or entry.situation or "—", room)),
                              key=f"f:{entry.id}")
            if not read.feedback:
                table.add_row("", "", "", Text("No feedback yet: a feedback session fills it in.",
                                               style="dim"), key="empty")
        if self.feedback_id is not None and f"f:{self.feedback_id}" in table.rows:
            table.move_cursor(row=table.get_row_index(f"f:{self.feedback_id}"))
        self.feedback_id = None  # once: a reload keeps the cursor where it is
        self.show_feedback_detail()

    @on(DataTable.RowHighlighted, "#person-feedback")
    def show_feedback_detail(self) -> None:
        key = self.query_one("#person-feedback", BrowseTable).selected_key()
        read = self.read
        entry = next((f for f in read.feedback if f"f:{f.id}" == key), None) if read else None
        self.query_one("#feedback-detail", Static).update(
            feedback_detail(entry) if entry is not None else Text(""))

    # ------------------------------------------------------------------ actions
    def action_show_tab(self, tab: str) -> None:
        self.query_one("#person-tabs", TabbedContent).active = tab
        focus = {"tab-timeline": "#person-timeline", "tab-goals": "#person-goals",
                 "tab-pulse": "#person-feedback"}[tab]
        self.query_one(focus).focus()

    def row_key(self, table_id: str) -> str | None:
        return self.query_one(table_id, BrowseTable).selected_key()

    @on(DataTable.RowSelected, "#person-timeline")
    def timeline_selected(self) -> None:
        key = self.row_key("#person-timeline")
        read = self.read
        if read is None or not key:
            return
        if key.startswith("j:"):
            jot = next((j for j in read.jots if j.id == key[2:]), None)
            if jot is not None:
                from tui.screens.jot import JotView

                self.app.push_screen(JotView(read.person.name, fmt.when(jot.created_at),
                                             jot.text))
            return
        if not key.startswith("s:"):
            return
        summary = next((s for s in read.summaries if s.id == key[2:]), None)
        if summary is not None:
            from tui.screens.detail import open_session

            open_session(self.app, summary.id, active=summary.status == "active")

    @on(DataTable.RowSelected, "#person-items")
    def item_selected(self) -> None:
        item = self.selected_item()
        read = self.read
        if item is None or read is None:
            return
        summary = next((s for s in read.summaries if s.id == item.session_id), None)
        from tui.screens.detail import open_session

        open_session(self.app, item.session_id, active=bool(summary and summary.status == "active"),
                     stage=item.stage, item=item.id)

    def selected_item(self) -> "Item | None":
        key = self.row_key("#person-items")
        read = self.read
        if read is None or not key or not key.startswith("i:"):
            return None
        return next((i for i in read.items if i.id == key[2:]), None)

    def action_done(self) -> None:
        """Done (again: open); it stays listed, struck through, until the view is read again."""
        from tui.screens.items import toggle_done

        updated, read = toggle_done(self, self.selected_item()), self.read
        if updated is not None and read is not None:
            read.items = [updated if i.id == updated.id else i for i in read.items]
            self.show_items()

    def action_edit_item(self) -> None:
        """The highlighted action item (Timeline) or goal (Goals), in the capture dialog."""
        from tui.screens.item_edit import edit_item

        goals = self.query_one("#person-tabs", TabbedContent).active == "tab-goals"
        goal = self.highlighted_goal() if goals else None
        edit_item(self, goal.item if goal else self.selected_item(), saved=lambda _: self.load(),
                  participant=self.person.name if self.person else None)

    def action_check_in(self) -> None:
        from tui.screens.goal_dialogs import ask_check_in

        tabs = self.query_one("#person-tabs", TabbedContent)
        if tabs.active != "tab-goals":
            self.action_show_tab("tab-goals")
        goal = self.highlighted_goal()
        ask_check_in(self, goal.item if goal else None, saved=self.load)

    def action_link(self) -> None:
        item, read = self.selected_item(), self.read
        if item is None or read is None:
            self.notify("highlight an open action item in the Timeline tab first", timeout=3)
            return
        goals = [(g.id, g.text) for g in read.goals if g.status not in CLOSED_GOAL]
        if not goals:
            self.notify("no open goal to link it to", timeout=3)
            return
        from tui.screens.person_dialogs import Picker

        def picked(goal_id: str | None) -> None:
            if goal_id:
                try:
                    self.store.link_to_goal(goal_id, item.id)
                except RapportError as exc:
                    self.notify(str(exc), severity="error")
                    return
                self.notify("linked to the goal", timeout=2)
                self.load()

        self.app.push_screen(Picker("Which goal does it serve?", clip(item.text, 60), goals),
                             picked)

    def action_prepare(self) -> None:
        from tui.screens.prepare import PrepareScreen

        self.app.push_screen(PrepareScreen(self.person_id))

    def action_new_session(self) -> None:
        if self.person is not None:
            start_session_with(self, self.person)

    def action_jot(self) -> None:
        if self.person is not None:
            ask_jot(self, self.person, saved=self.load)

    def action_point(self) -> None:
        if self.person is not None:
            ask_point(self, self.person)

    def action_meeting(self) -> None:
        if self.person is not None:
            ask_meeting(self, self.person, saved=self.load)

    def action_cadence(self) -> None:
        if self.person is not None and set_cadence(self, self.person) is not None:
            self.load()

    def action_edit(self) -> None:
        if self.person is not None:
            ask_person(self, self.person, saved=self.load)

    def action_merge(self) -> None:
        if self.person is not None:
            ask_merge(self, self.person, merged=self.app.pop_screen)

    def action_erase(self) -> None:
        if self.person is not None:
            ask_erase(self, self.person, erased=self.app.pop_screen)

    def action_export(self) -> None:
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(person_id=self.person_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [
            Command("Prepare", "Since last time", self.action_prepare, "prepare"),
            Command("Start a session", "With them, from their default guide",
                    self.action_new_session, "new-session"),
            Command("Check in on a goal", "Status, progress, a note", self.action_check_in,
                    "goal-status"),
            Command("Link to a goal", "The highlighted action item serves a goal",
                    self.action_link, "link-goal"),
            Command("Mark item done", "The highlighted open item", self.action_done, "done"),
            Command("Edit item", "The highlighted item or goal: text, kind, whose, due date",
                    self.action_edit_item, "edit-item"),
            Command("New jot", "A note to raise next time", self.action_jot, "jot"),
            Command("Talking point", "To raise next time, or theirs", self.action_point,
                    "talking-point"),
            Command("Next meeting", "Set or clear the date", self.action_meeting, "meeting"),
            Command("Cycle cadence", "None, weekly, fortnightly, monthly", self.action_cadence,
                    "cadence"),
            Command("Edit person", "Name, cadence, default guide", self.action_edit, "edit"),
            Command("Merge into someone", "This record is a duplicate", self.action_merge,
                    "merge"),
            Command("Erase person", "Them and everything about them, for good",
                    self.action_erase, "delete"),
            Command("Export this person's sessions", "A summary or record", self.action_export,
                    "export"),
        ]
