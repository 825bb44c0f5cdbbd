"""The live session: stage, open questions, timer and autosaved notes on one screen.

Typing goes straight into the notes; every other action uses keys that do not type text (the
plan is in docs/keys.md). What this file holds: the stage shown, the timer, the notes (a shared
and a private note per stage: :mod:`tui.screens.session_notes`; saved, and the line that says
so: :mod:`tui.screens.session_saving`) and moving between stages. The
layout and the left pane (cues, questions, the since panel) are :mod:`tui.screens.session_left`;
the loop around the conversation (talking points, earlier items, captures, the pulse, feedback,
your question bank) is :mod:`tui.screens.session_loop`; tagging is :mod:`tui.screens.tagging`;
the end is :mod:`tui.screens.review`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from store import RapportError
from store import Feedback, Item, Pulse, Question, Session, TalkingPoint
from tui.commands import Command
from tui.keys import with_keys
from tui.screens import session_commands, session_left as left
from tui.screens import session_loop as loop, session_saving as saving
from tui.screens.base import RapportScreen
from tui.screens.session_notes import NoteBook
from tui.widgets.session import (
    FollowThrough, ItemsPanel, NotesArea, QuestionList, SessionTimer, StageCard, StageOutline,
)
from tui.widgets.prepare import SinceLastTimeView

PERSIST_TIMER_EVERY = 15.0

HELP = """\
**Session keys.** The notes pane keeps the focus, so typing always goes into the notes of the
current stage. Stages: **{next-stage}** next, **{previous-stage}** previous, **{stages}** picks
any stage from the outline (arrows, Enter; **{back}** or typing goes back to the notes; or
click; the command palette, **ctrl+p**, has "Go to stage …" and every action below: a narrow
footer leaves its key out). The left pane shows the questions or the stage's cues (Do, Avoid,
Say and the
"Throughout" ones): **{cues}** switches, and the tabs above it say which is showing; at a large
size both show. Questions: the core ones (◆) come first, above a line, then the probes (?), then
your own (✦, from your bank: **{bank-question}** saves one for this stage);
**{next-question}** / **{previous-question}** move (or scroll the cues and the panel),
**{mark-asked}** marks asked, **{insert-question}** inserts into the notes.

**Shared and private.** Each stage has a shared note and a private note: **{private}** switches
which one you type into. Nothing typed in one ever moves to the other; summaries never include
the private one.

**Since last time.** **{since}** shows or hides what happened since you last met (talking points,
open items both ways, jots, goals, the pulse, last time's summary); it opens by itself at the
start. It never takes the focus from the notes. **{agenda}** goes to the talking points and
earlier items (also Tab from the notes): **{done}** marks a point covered or an item done,
**{carry}** carries an item into this session, **{edit-item}** edits one, **{back}** goes back to
the notes. Points not covered are carried to the next 1-on-1 when a 1-on-1 ends (a feedback
session leaves them open, as they were).

**Records.** **{stage-form}** fills in what the stage records: the pulse at check-in (1-5 and a
word; the end review says it, and **{stage-form}** there records it), the feedback log at the
feedback guide's stages (the end review says what it holds, and **{stage-form}** there fills
in what is missing), consent at an interview's consent stage (or from the end review).
**{capture}** captures an item, **{tag}** tags the selected passage with a theme, **{pause}**
pauses the timer (kept across quit and resume), **{end}** ends the session with a review,
**{save}** saves now, **{back}** goes back to the list (the session stays active and resumes
where you left it).
"""


def note_placeholder(prompts: list[str], private: bool) -> str:
    """What an empty note shows: the stage's prompts, a line each, as labels to write after
    ("Situation: …"; the feedback form starts from a Prepare note written so), and for a
    private note first that only you see it."""
    lines = [f"{prompt}: …" for prompt in prompts] or ["Notes for this stage…"]
    return "\n".join(["Only you see this note.", *lines] if private else lines)


class SessionScreen(RapportScreen[None]):
    AUTO_FOCUS = "#notes"
    HELP = HELP
    BINDINGS = [
        Binding("f1", "app.help", "Help", id="help"),  # first: the footer never cuts it
        Binding("f2", "capture", "Capture", id="capture"),
        Binding("ctrl+n,alt+right", "next_stage", "Next", id="next-stage"),
        Binding("alt+left", "previous_stage", "Prev stage", id="previous-stage", show=False),
        Binding("f3", "toggle_private", "Private", id="private"),
        Binding("f4", "tag", "Tag", id="tag", show=False),
        Binding("f5", "since", "Last time", id="since", show=False),
        Binding("ctrl+g", "cues", "Cues", id="cues", show=False),
        Binding("ctrl+t", "agenda", "Points", id="agenda", show=False),
        Binding("ctrl+f", "stage_form", "Record", id="stage-form", show=False),
        Binding("shift+f2", "bank_question", "Save question", id="bank-question", show=False),
        Binding("f9", "pause", "Pause", id="pause"),
        Binding("f10", "end", "End", id="end"),
        Binding("ctrl+down", "question(1)", "Next question", id="next-question", show=False),
        Binding("ctrl+up", "question(-1)", "Prev question", id="previous-question", show=False),
        Binding("ctrl+r", "mark_asked", "Asked", id="mark-asked", show=False),
        Binding("ctrl+o", "insert_question", "Insert question", id="insert-question", show=False),
        Binding("ctrl+s", "save", "Save now", id="save", show=False),
        Binding("escape", "leave", "Back", id="back"),
        Binding("f8", "pick_stage", "Stages", id="stages", show=False),
    ]

    def __init__(self, session_id: str, *, stage: str | None = None,
                 left: str = "questions") -> None:
        super().__init__()
        self.session_id = session_id
        self.open_at = stage  # a stage key to open at (from search or the session detail)
        self.session: Session | None = None
        self.stages: list[Mapping[str, Any]] = []
        self.index = 0
        self.spent: dict[str, float] = {}
        self.visited: set[str] = set()
        self.asked: dict[str, set[int]] = {}
        self.notebook = NoteBook()
        self.private: dict[str, bool] = {}  # per stage: typing into its private note
        self.items: list[Item] = []
        self.paused = False
        self.status = "saved"
        self.failure: str | None = None  # the last save that did not happen, told in a toast
        self.flash = ""
        self.status_shown: Text | None = None  # the line under the notes as last drawn
        self.flash_timer: Timer | None = None
        self.fresh_item: str | None = None
        self.autosave_timer: Timer | None = None
        self.changed_at: datetime | None = None  # the app's clock at the last unsaved edit
        self.last_tick: datetime | None = None
        self.last_persist: datetime | None = None
        self.state_dirty = False
        # the left pane: "questions", "cues" or "since" (the since-last-time panel)
        self.left_mode = left
        self.since_opened_itself = False  # the panel shown at the start, not by its key
        # the loop (read in a worker once the screen shows: session_loop.load_context)
        self.context_loaded = False
        self.earlier: list[Item] = []
        self.points: list[TalkingPoint] = []
        self.jots: list[Any] = []
        self.overdue: frozenset[str] = frozenset()
        self.agenda_forced = False
        self.bank: list[Question] = []
        self.bank_asked: set[str] = set()
        self.pulse: Pulse | None = None
        self.feedback: Feedback | None = None
        self.consent: str | None = None  # a programme interview's, once the loop is read
        self.last_subject = ("", "")  # the tag dialog's "About" and the stage it was given at
        self.footer_shown: Mapping[str, bool] = {}  # session_left.footer_shows, as last shown

    # ------------------------------------------------------------------ building
    def compose(self) -> ComposeResult:
        footer = left.initial_layout(self)
        yield Static("", id="session-header")
        yield SessionTimer(id="timer")
        with Horizontal(id="session-body"):
            # three blocks: stacked when narrow; at a large size a grid with the card (or the
            # panel) in a column of its own beside the outline and the questions
            with Vertical(id="session-left"):
                with Vertical(id="left-head"):
                    yield StageOutline(id="outline")
                    yield Static("", id="left-tabs", classes="pane-title")
                with Vertical(id="left-main"):
                    with VerticalScroll(id="card-scroll"):
                        yield StageCard(id="card")
                    with Vertical(id="session-since"):  # the Prepare view's, beside the notes
                        yield Static("", id="since-head")
                        since = SinceLastTimeView(id="since-view")
                        since.can_focus = False  # typing stays in the notes; keys scroll it
                        yield since
                with Vertical(id="left-questions"):
                    yield QuestionList(id="questions")
                    yield Static("", id="throughout")
            with Vertical(id="session-right"):
                yield NotesArea(id="notes", soft_wrap=True, show_line_numbers=False,
                                tab_behavior="focus")
                yield FollowThrough(id="followup")
                yield Static("", id="note-status")
                yield ItemsPanel(id="items")
        yield footer

    def on_mount(self) -> None:
        self.app.clear_notifications()  # opens clean: the last session's toast stays behind
        store = self.store
        session = store.session(self.session_id)
        self.session = session
        self.stages = session.stages or [{"key": "notes", "title": "Notes", "minutes": 30}]
        self.index = min(session.stage_index, len(self.stages) - 1)
        if self.open_at:
            self.index = next((i for i, s in enumerate(self.stages) if s.get("key") == self.open_at),
                              self.index)
        self.spent = dict(session.spent)
        self.visited = set(session.visited)
        self.asked = {k: set(v) for k, v in session.asked.items()}
        self.paused = session.paused
        self.notebook.load(store.notes(session.id))
        self.items = store.items(session_id=session.id)
        self.person = store.person(session.person_id)
        self.bank = store.questions(session.guide_id)
        self.pulse = store.pulse(session.id)
        self.feedback = store.session_feedback(session.id)
        # the stage that goes through earlier items: none in a guide without one (a stay
        # interview, praise opened on seven overdue 1-on-1 actions; ctrl+t still lists them)
        self.followup_index: int | None = next(
            (i for i, s in enumerate(self.stages) if s.get("followup")), None)
        now = self.app.clock()
        self.last_tick = self.last_persist = now
        left.layout_for_size(self)
        self.show_stage()
        self.set_interval(1.0, self.tick, name="session-timer")
        loop.load_context(self)

    def on_resize(self) -> None:
        if self.session is not None:
            left.layout_for_size(self)
            self.show_header()
            self.show_card()

    def on_key(self, event: events.Key) -> None:
        left.typed_on_left(self, event)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, with the footer's keys for this kind of session (an interview's tag)."""
        return left.footer_bindings(self, super().active_bindings)

    @property
    def wide(self) -> bool:
        return self.has_class("-wide")

    # ------------------------------------------------------------------ rendering
    @property
    def stage(self) -> Mapping[str, Any]:
        return self.stages[self.index]

    @property
    def live(self) -> Session:
        """The session shown (None only once it has ended, as the screen closes)."""
        if self.session is None:
            raise RapportError("the session has ended")
        return self.session

    def private_stage(self) -> bool:
        """Whether this stage is private: a summary carries none of its notes, whichever
        slot they were typed in (:mod:`store.privacy`)."""
        return self.stage.get("private") is True

    def is_private(self, key: str | None = None) -> bool:
        """Whether typing goes into the private note of ``key`` (default: this stage)."""
        stage = self.stage if key is None else \
            next((s for s in self.stages if s["key"] == key), {"key": key})
        return self.private.get(stage["key"], bool(stage.get("private")))

    def show_stage(self) -> None:
        key = self.stage["key"]
        self.visited.add(key)
        self.show_header()
        self.query_one(StageOutline).show(self.stages, self.index, self.visited, self.spent)
        self.show_card()
        self.query_one("#card-scroll").scroll_home(animate=False)
        self.show_questions()
        self.load_notes()
        self.show_followup()
        self.show_items()
        self.update_timer()
        self.show_status()

    def show_header(self) -> None:
        left.show_header(self)

    def show_card(self) -> None:
        left.show_card(self)

    def show_questions(self) -> None:
        left.show_questions(self)

    def show_left(self) -> None:
        left.show_left(self)

    def load_notes(self) -> None:
        """The notes pane shows the slot typed into now (shared or private) of this stage."""
        key = self.stage["key"]
        private = self.is_private()
        kept = private or self.private_stage()  # a private stage's notes are never shared
        notes = self.query_one(NotesArea)
        notes.load_text(self.notebook.text(key, private))
        notes.move_cursor(notes.document.end)
        notes.placeholder = note_placeholder(self.stage.get("prompts") or [], kept)
        notes.border_title = "🔒 Private note" if kept else "Shared note"
        if not self.private_stage():
            notes.border_subtitle = self.keys("{private}: " + ("shared" if private else "private"))
        elif not private or self.notebook.text(key, False):  # typed in before this said so
            notes.border_subtitle = self.keys("private stage · {private}: its other note")
        else:
            notes.border_subtitle = "private stage"
        notes.set_class(kept, "-private")

    def show_followup(self) -> None:
        loop.show_followup(self)

    def show_items(self) -> None:
        self.query_one(ItemsPanel).show(self.items, {self.person.id: self.person.name},
                                        capture=self.keys("{capture}"), review=self.keys("{end}"),
                                        fresh=self.fresh_item)

    def show_status(self) -> None:
        saving.show_status(self)

    def say(self, message: str) -> None:
        """A confirmation in the status line under the notes (:func:`saving.say`)."""
        saving.say(self, message)

    def update_timer(self) -> None:
        timer = self.query_one(SessionTimer)
        key = self.stage["key"]
        timer.stage_spent = self.spent.get(key, 0.0)
        timer.stage_planned = float(self.stage.get("minutes", 0)) * 60
        timer.session_spent = sum(self.spent.values())
        timer.total_planned = sum(float(s.get("minutes", 0)) for s in self.stages) * 60
        timer.paused = self.paused

    # ------------------------------------------------------------------ time
    def tick(self) -> None:
        now = self.app.clock()
        counting = self.session is not None and self.session.ended_at is None
        if self.last_tick is not None and counting and not self.paused \
                and self.app.store is not None:
            delta = (now - self.last_tick).total_seconds()
            if delta > 0:
                key = self.stage["key"]
                self.spent[key] = self.spent.get(key, 0.0) + delta
                self.state_dirty = True
                self.query_one(StageOutline).show_time(self.spent)
        self.last_tick = now
        self.update_timer()
        if self.last_persist and (now - self.last_persist).total_seconds() >= PERSIST_TIMER_EVERY:
            self.persist_state()

    def action_pause(self) -> None:
        self.tick()
        self.paused = not self.paused
        self.state_dirty = True
        self.persist_state()  # a pause outlives a quit: kept with the session's state
        self.update_timer()
        self.say("‖ timer paused" if self.paused else "timer running")

    # ------------------------------------------------------------------ saving
    @on(NotesArea.Changed, "#notes")
    def notes_changed(self) -> None:
        saving.notes_changed(self)

    def autosave(self) -> None:
        saving.autosave(self)

    def capture_pane(self) -> None:
        saving.capture_pane(self)

    def save_notes(self, *, quiet: bool = False) -> bool:
        return saving.save_notes(self, quiet=quiet)

    def persist_state(self) -> None:
        saving.persist_state(self)

    def flush(self) -> None:
        """Save everything now (stage change, leaving, lock, quit, crash)."""
        if self.session is None:
            return
        self.tick()
        self.capture_pane()
        self.save_notes()
        self.persist_state()

    def action_save(self) -> None:
        self.flush()
        self.say("saved")

    # ------------------------------------------------------------------ stages
    def go_to(self, index: int) -> None:
        if 0 <= index < len(self.stages) and index != self.index:
            self.tick()
            self.capture_pane()
            self.save_notes()
            self.index = index
            self.state_dirty = True
            self.agenda_forced = False
            left.stage_changed(self)
            self.show_stage()
            self.persist_state()
        self.query_one(StageOutline).highlighted = self.index
        self.query_one(NotesArea).focus()

    def action_next_stage(self) -> None:
        if self.index + 1 >= len(self.stages):
            self.say(self.keys("last stage: {end} reviews and ends"))
            return
        self.go_to(self.index + 1)

    def action_previous_stage(self) -> None:
        self.go_to(self.index - 1)

    def action_jump(self, index: int) -> None:
        self.go_to(index)

    def action_pick_stage(self) -> None:
        self.query_one(StageOutline).focus()

    @on(StageOutline.OptionSelected, "#outline")
    def outline_selected(self, event: StageOutline.OptionSelected) -> None:
        self.go_to(event.option_index)

    # ------------------------------------------------------------------ the left pane
    def action_cues(self) -> None:
        left.toggle_cues(self)

    def action_since(self) -> None:
        left.toggle_since(self)

    def action_question(self, step: int) -> None:
        left.move_question(self, step)

    def action_mark_asked(self) -> None:
        left.mark_asked(self)

    def action_insert_question(self) -> None:
        left.insert_question(self)

    @on(QuestionList.OptionSelected, "#questions")
    def question_selected(self) -> None:
        left.insert_question(self)

    # ------------------------------------------------------------------ private, items, tags
    def action_toggle_private(self) -> None:
        """Switches which note of this stage the pane types into; what is typed stays where
        it was typed."""
        key = self.stage["key"]
        self.capture_pane()
        if self.private_stage() and self.is_private() and not self.notebook.text(key, False):
            self.say("private stage: never in a summary")  # nothing to switch to
            return
        self.save_notes(quiet=True)
        self.private[key] = not self.is_private()
        self.load_notes()
        if self.private_stage():
            self.say("its other note: private too")
        else:
            self.say("private note: never in a summary" if self.private[key]
                     else "typing into the shared note")

    def action_capture(self, kind: str | None = None) -> None:
        loop.capture(self, kind)

    def action_tag(self) -> None:
        from tui.screens.tagging import tag_selection

        tag_selection(self)

    # ------------------------------------------------------------------ the loop's keys
    def action_agenda(self) -> None:
        loop.focus_agenda(self)

    def action_stage_form(self) -> None:
        loop.stage_form(self)

    def action_bank_question(self) -> None:
        loop.bank_question(self)

    @on(FollowThrough.Chosen)
    def follow_through(self, event: FollowThrough.Chosen) -> None:
        loop.follow_through(self, event)

    # ------------------------------------------------------------------ leaving, ending
    def action_leave(self) -> None:
        """Esc: from the outline or a list, back to the notes; from the notes, to the list
        of sessions (the session stays active)."""
        if not isinstance(self.focused, NotesArea):
            self.agenda_forced = False
            self.show_followup()
            self.go_to(self.index)
            return
        self.flush()
        self.leave()

    def leave(self) -> None:
        """Back to the screen below, left or ended: the sessions list, shown next, has its
        cursor on this session (said before the pop: the list may read before this unmounts)."""
        self.app.left_session = self.session_id
        self.app.pop_screen()

    def action_end(self) -> None:
        from tui.screens.review import review_and_end

        self.flush()
        review_and_end(self)

    def reopener(self) -> Callable[[], Screen[Any]] | None:
        """How to come back here after a lock: this session, at this stage, the left pane as
        it was (the cues stay the cues)."""
        if self.session is None:
            return None
        session_id, stage, left = self.session_id, self.stage["key"], self.left_mode
        return lambda: SessionScreen(session_id, stage=stage, left=left)

    def on_unmount(self) -> None:
        if self.session is not None and self.app.store is not None:
            self.save_notes(quiet=True)

    def keys(self, text: str) -> str:
        """``text`` with its ``{binding-id}`` placeholders as the keys are bound now."""
        return with_keys(self.app, text, self, FollowThrough)

    def commands(self) -> list[Command]:
        return session_commands.commands(self)
