"""One session's whole record: stages with notes, items by kind, time per stage planned vs spent.

From here a session is opened to edit (an ended session stays ended and the edit is recorded),
reopened to continue, deleted (after a confirmation) or exported.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, Static

from store import RapportError, TakenBack, visible
from tui import format as fmt
from tui.widgets.footer import Footer
from tui.widgets.note_markdown import NoteMarkdown
from tui.record import (
    SessionRecord, items_markdown, listed_items, load_record, record_header, recorded_markdown,
    stage_markdown,
)
from tui.record import stage_times
from tui.commands import Command
from tui.screens.confirm import ConfirmScreen
from tui.screens.sections import SEARCH, SECTION_KEYS, SectionScreen

HELP = """\
**Session detail.** The whole record of one session. **{detail-next-stage}** and
**{detail-previous-stage}** move between stages (the highlighted stage is where **{edit}** opens
the session). **{edit}** edits: an ended session stays ended and every change to it is recorded
as an edit. **{reopen}** reopens an ended session to continue it, after you confirm (it becomes
active again; ending it again records a new end).
**{edit-item}** corrects one of its items (its text, kind, whose, due date).
**{delete}** removes the session, its notes and items for good, after you confirm. **{export}**
exports it; **{share}** copies the participant's summary to the clipboard (after you confirm; it
is recorded as an export). **{back}** goes back.
"""


class SessionDetailScreen(SectionScreen):
    TITLE = "Session"
    AUTO_FOCUS = "#detail-scroll"
    HELP = HELP
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("e,ctrl+e", "edit", "Edit", id="edit"),
        Binding("r", "reopen", "Reopen", id="reopen"),
        Binding("delete,ctrl+d", "delete", "Delete", id="delete"),
        Binding("x", "export", "Export", id="export"),
        Binding("i", "edit_item", "Edit item", id="edit-item", show=False),
        Binding("ctrl+y", "share", "Copy summary", id="share", show=False),  # F1 stays in the footer
        Binding("n", "stage(1)", "Next stage", id="detail-next-stage", show=False),
        Binding("p", "stage(-1)", "Prev stage", id="detail-previous-stage", show=False),
        Binding("j", "scroll(1)", "Scroll down", id="list-down", show=False),
        Binding("k", "scroll(-1)", "Scroll up", id="list-up", show=False),
        Binding("g,home", "scroll_home", "Top", id="list-first", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="list-last", show=False),
        SEARCH,
        *SECTION_KEYS,
    ]

    def __init__(self, session_id: str, *, stage: str | None = None,
                 recorded: bool = False, item: str | None = None) -> None:
        """``stage``: the stage highlighted at first, in view; ``recorded``: what the session
        recorded (its feedback form, its pulse) in view instead, that stage still highlighted
        (a feedback hit: its words are in the form, not in its stage's notes); ``item``: that
        item in view instead, in the items listed at the bottom (an item hit, an item opened)."""
        super().__init__()
        self.session_id = session_id
        self.target = stage
        self.recorded = recorded
        self.item = item
        self.record: SessionRecord | None = None
        self.cursor: int | None = None
        self._loaded_once = False

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="detail-status", markup=False)
        yield VerticalScroll(id="detail-scroll")
        yield Footer()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (an item's correction was kept as a jot)."""
        session_id = self.session_id
        return lambda: SessionDetailScreen(session_id)

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self._loaded_once:
            self.load()  # the session may have been edited meanwhile

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        self.load_from_store(lambda store: load_record(store, store.session(self.session_id)),
                             self.show_record, group="detail-load")

    def show_store_error(self, error: Exception) -> None:
        self.query_one("#detail-status", Static).update(Text(str(error)))

    async def show_record(self, record: SessionRecord) -> None:
        if record == self.record:
            return  # back from somewhere that changed nothing: keep the view as it is
        self.record = record
        self._loaded_once = True
        s = record.session
        status = "active" if s.ended_at is None else (
            "ended, edited afterwards" if s.amended_at else "ended")
        line = Text()
        line.append(visible(record.person.name), style="bold")  # BEL as ␇, as the lists
        line.append(f"  ·  {fmt.day(s.started_at)}  ·  {status}  ·  {len(record.stages)} stages"
                    f"  ·  {fmt.plural(len(record.items), 'item')}")
        self.query_one("#detail-status", Static).update(line)
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        keep = scroll.scroll_y
        await scroll.remove_children()
        blocks = [NoteMarkdown(record_header(record, table=False),
                           id="detail-header"), self.time_table(record)]
        for stage in record.stages:
            blocks.append(NoteMarkdown(stage_markdown(stage),
                                   id=f"detail-stage-{stage.index}", classes="detail-stage"))
        recorded = recorded_markdown(record)  # the pulse, the feedback form
        if recorded:
            blocks.append(NoteMarkdown(recorded, id="detail-recorded"))
        blocks.append(NoteMarkdown(items_markdown(record), id="detail-items"))
        await scroll.mount_all(blocks)
        if self.cursor is None and (self.target is not None or self.recorded or self.item):
            self.cursor = next((st.index for st in record.stages if st.key == self.target), None)
            self.call_after_refresh(
                self.scroll_to_recorded if recorded and self.recorded else self.scroll_to_item
                if any(i.id == self.item for i in record.items) else self.scroll_to_cursor)
        else:
            self.call_after_refresh(scroll.scroll_to, y=keep, animate=False)
        self.show_cursor()
        self.refresh_bindings()  # r Reopen only on an ended session

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An active session has nothing to reopen: no r Reopen in the footer (e edits it)."""
        if action == "reopen":
            return not self.active
        return True

    @property
    def active(self) -> bool:
        """Known to be active (not while loading: the footer keeps its r Reopen then)."""
        return self.record is not None and self.record.session.ended_at is None

    @staticmethod
    def time_table(record: SessionRecord) -> DataTable[Any]:
        """Time per stage, planned vs spent (compact: a Markdown table takes 3 lines a row)."""
        table: DataTable[Any] = DataTable(id="detail-times", cursor_type="none",
                                          zebra_stripes=True)
        table.add_columns("Stage", "Planned", "Spent", "Notes")
        *rows, (planned, spent) = stage_times(record)
        for st, (stage_planned, stage_spent) in zip(record.stages, rows):
            table.add_row(Text(f"{st.index + 1}. {st.title}"), stage_planned, stage_spent,
                          f"{st.words} words" + (" 🔒" if st.private or st.private_note else ""))
        table.add_row(Text("Total", style="bold"), planned, spent, "")
        return table

    # ------------------------------------------------------------------ stage cursor
    def show_cursor(self) -> None:
        for block in self.query(".detail-stage"):
            block.set_class(block.id == f"detail-stage-{self.cursor}", "-cursor")

    def scroll_to_cursor(self) -> None:
        if self.cursor is None:
            return
        block = self.query_one(f"#detail-stage-{self.cursor}")
        self.query_one("#detail-scroll").scroll_to_widget(block, top=True, animate=False)

    def scroll_to_recorded(self) -> None:
        self.query_one("#detail-scroll").scroll_to_widget(self.query_one("#detail-recorded"),
                                                          top=True, animate=False)

    def scroll_to_item(self) -> None:
        """The items from their heading, on to the item (when the list is longer than the
        screen): its line is the n-th paragraph of the lists (goals checked in come after)."""
        scroll, items = self.query_one("#detail-scroll"), self.query_one("#detail-items")
        # immediate: the second scroll goes on from the first (deferred, both started from
        # where the view was, and the heading was left out of sight)
        scroll.scroll_to_widget(items, top=True, animate=False, immediate=True)
        order = [i.id for i in listed_items(self.record)] if self.record else []
        lines = items.query("MarkdownBulletList MarkdownParagraph")  # a "- " line's text
        if self.item in order and order.index(self.item) < len(lines):
            scroll.scroll_to_widget(lines[order.index(self.item)], animate=False, immediate=True)

    def action_stage(self, step: int) -> None:
        if not self.record or not self.record.stages:
            return
        count = len(self.record.stages)
        if self.cursor is None:
            self.cursor = 0 if step > 0 else count - 1
        else:
            self.cursor = max(0, min(count - 1, self.cursor + step))
        self.show_cursor()
        self.scroll_to_cursor()

    def action_scroll(self, step: int) -> None:
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        scroll.scroll_relative(y=step * 2, animate=False)

    def action_scroll_home(self) -> None:
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#detail-scroll", VerticalScroll).scroll_end(animate=False)

    # ------------------------------------------------------------------ actions
    def cursor_stage(self) -> str | None:
        if self.record is None or self.cursor is None or self.cursor >= len(self.record.stages):
            return None
        return self.record.stages[self.cursor].key

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        if self.record is None:
            return
        from tui.screens.session import SessionScreen

        self.app.push_screen(SessionScreen(self.session_id, stage=self.cursor_stage()))

    def action_reopen(self) -> None:
        """After asking (a stray ``r`` would drop the end from the record): the session is
        active again, opened to continue."""
        record = self.record
        if record is None:
            return
        ended = record.session.ended_at
        if ended is None:
            return  # nothing to reopen (the key is not offered: check_action)

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.reopen_session(self.session_id)
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify("reopened: the session is active again", timeout=3)
            self.action_edit()

        self.app.push_screen(ConfirmScreen(
            "Reopen this session?",
            f"It becomes active again: its end ({fmt.when(ended)}) is dropped, and ending it "
            "again records a new end.", confirm="Reopen"), decided)

    def action_delete(self) -> None:
        record = self.record
        if record is None:
            return
        when = fmt.when(record.session.started_at)
        name = record.person.name
        items = f" and {fmt.plural(len(record.items), 'item')}" if record.items else ""
        message = (f"The session with {name} on {when} and its notes{items} will be removed "
                   "for good.")  # "and 0 items" said of a session that holds none
        try:  # said before the yes: what else deleting changes (a review's meeting, a roster)
            also = taken_back_text(self.store.taken_back_by_deleting(self.session_id), name)
        except RapportError:
            also = ""
        if also:
            message += f"\nAlso taken back: {also}."

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            try:
                taken = self.store.delete_session(self.session_id)
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.pop_screen()
            done = taken_back_text(taken, name)
            self.app.notify("session deleted" + (f"; taken back: {done}" if done else ""),
                            timeout=3)

        self.app.push_screen(ConfirmScreen("Delete this session?", message), decided)

    def action_export(self) -> None:
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(session_ids=[self.session_id]))

    def action_edit_item(self) -> None:
        from tui.screens.item_edit import pick_and_edit

        record = self.record
        if record is not None:
            pick_and_edit(self, record.items, saved=lambda _: self.load(),
                          participant=record.person.name)

    def action_share(self) -> None:
        from tui.screens.share import share_summary

        share_summary(self, self.session_id)

    def own_commands(self) -> list[Command]:
        return [
            Command("Edit session", "Open it to edit notes and items", self.action_edit, "edit"),
            *([] if self.active else [
                Command("Reopen session", "Make an ended session active again, after asking",
                        self.action_reopen, "reopen")]),
            Command("Delete session", "Remove it for good, after confirming", self.action_delete,
                    "delete"),
            Command("Export session", "Write a summary or record", self.action_export, "export"),
            Command("Edit item", "Correct one of its items: text, kind, whose, due date",
                    self.action_edit_item, "edit-item"),
            Command("Copy summary", "The participant's summary, to the clipboard",
                    self.action_share, "share"),
            Command("Next stage", "Highlight the next stage", lambda: self.action_stage(1),
                    "detail-next-stage"),
            Command("Previous stage", "Highlight the previous stage",
                    lambda: self.action_stage(-1), "detail-previous-stage"),
        ]


def open_session(app, session_id: str, *, active: bool, stage: str | None = None,
                 recorded: bool = False, item: str | None = None) -> None:
    """An active session opens live (at ``stage``); an ended one opens in the detail view
    (``recorded``: at what it recorded, its feedback form, rather than at the stage; ``item``:
    at that item, listed below the stages)."""
    if active:
        from tui.screens.session import SessionScreen

        app.push_screen(SessionScreen(session_id, stage=stage or None))
    else:
        app.push_screen(SessionDetailScreen(session_id, stage=stage or None, recorded=recorded,
                                            item=item))


def taken_back_text(taken: TakenBack, name: str) -> str:
    """What deleting a session takes back besides its records, in a few words ("" for
    nothing): in the question before it, and in the toast after."""
    said = []
    if taken.meeting:
        said.append("the next meeting its review set")
    if taken.roster == "off":  # their consent at it put them on the roster
        said.append(f"{name}'s place on the roster")
    elif taken.roster == "declined":  # ... and they refused: the refusal stays
        said.append(f"{name} declined on the roster (the refusal stays)")
    elif taken.roster is not None:
        said.append(f"{name} {taken.roster} again on the roster")
    if taken.consent is not None:
        said.append(f"the consent {taken.consent} at it")
    return "; ".join(said)
