"""The live session: stage, open questions, timer and autosaved notes on one screen.

Typing goes straight into the notes; every other action uses keys that do not type text.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Static

from store import RapportError
from store import Item, Session
from tui import format as fmt
from tui.commands import Command
from tui.keys import with_keys
from tui.screens.base import RapportScreen
from tui.widgets.session import (
    FollowThrough, ItemsPanel, NotesArea, QuestionList, SessionTimer, StageCard, StageOutline,
)

AUTOSAVE_SECONDS = 1.0
PERSIST_TIMER_EVERY = 15.0

HELP = """\
**Session keys.** The notes pane keeps the focus, so typing always goes into the notes of the
current stage. Stages: **{next-stage}** next, **{previous-stage}** previous, **{stages}** picks
any stage from the outline (arrows, Enter; or click a stage; the palette has "Go to stage …").
Questions: the core ones (◆) come first, above a line, then the probes (?);
**{next-question}** / **{previous-question}** move, **{mark-asked}** mark asked,
**{insert-question}** insert into the notes. The stage card ends with the guide's "Throughout"
cues, for the whole conversation. In the outline, ◦ marks an optional stage (skipped most times). **{capture}** captures an item, **{private}**
toggles private notes for this stage, **{tag}** tags the selected passage with a theme,
**{pause}** pauses the timer, **{end}** ends the session with a review, **{save}** saves now,
**{back}** goes back to the list (the session stays active and resumes where you left it).
In the follow-up list (Tab to it): **{done}** marks an earlier item done, **{carry}** carries it
forward.
"""


class SessionScreen(RapportScreen[None]):
    AUTO_FOCUS = "#notes"
    HELP = HELP
    BINDINGS = [
        Binding("f2", "capture", "Capture", id="capture"),
        Binding("ctrl+n,alt+right", "next_stage", "Next stage", id="next-stage"),
        Binding("alt+left", "previous_stage", "Prev stage", id="previous-stage", show=False),
        Binding("f3", "toggle_private", "Private", id="private"),
        Binding("f4", "tag", "Tag", id="tag", show=False),
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

    def __init__(self, session_id: str, *, stage: str | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        self.open_at = stage  # a stage key to open at (from search or the session detail)
        self.session: Session | None = None
        self.stages: list[Mapping[str, Any]] = []
        self.index = 0
        self.spent: dict[str, float] = {}
        self.visited: set[str] = set()
        self.asked: dict[str, set[int]] = {}
        self.texts: dict[str, str] = {}
        self.saved: dict[str, str] = {}
        self.private: dict[str, bool] = {}
        self.items: list[Item] = []
        self.paused = False
        self.status = "saved"
        self.autosave_timer: Timer | None = None
        self.changed_at: datetime | None = None  # the app's clock at the last unsaved edit
        self.last_tick: datetime | None = None
        self.last_persist: datetime | None = None
        self.state_dirty = False

    # ------------------------------------------------------------------ building
    def compose(self) -> ComposeResult:
        yield Static("", id="session-header")
        yield SessionTimer(id="timer")
        with Horizontal(id="session-body"):
            with Vertical(id="session-left"):
                yield StageOutline(id="outline")
                with VerticalScroll(id="card-scroll"):
                    yield StageCard(id="card")
                yield Static(self.keys("Questions  {next-question}/{previous-question} move · "
                                       "{mark-asked} asked · {insert-question} insert"),
                             classes="pane-title", markup=False)
                yield QuestionList(id="questions")
            with Vertical(id="session-right"):
                yield Static(self.keys("From earlier sessions  {done} done · {carry} carry "
                                       "forward"), id="followup-title", classes="pane-title",
                             markup=False)
                yield FollowThrough(id="followup")
                yield NotesArea(id="notes", soft_wrap=True, show_line_numbers=False,
                                tab_behavior="focus")
                yield Static("", id="note-status")
                yield ItemsPanel(id="items")
        yield Footer()

    def on_mount(self) -> None:
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
        for note in store.notes(session.id):
            self.texts[note.stage] = self.saved[note.stage] = note.text
            self.private[note.stage] = note.private
        self.items = store.items(session_id=session.id)
        self.person = store.person(session.person_id)
        self.earlier = [i for i in store.open_items_before(session.person_id, session)]
        last_start = max((started for sid, (started, _) in
                          store.session_times(session.person_id).items()
                          if sid != session.id and started < session.started_at), default=None)
        self.jots = [j for j in store.jots(session.person_id)
                     if last_start is None or j.created_at is None or j.created_at >= last_start]
        self.followup_index = next((i for i, s in enumerate(self.stages) if s.get("followup")), 0)
        now = self.app.clock()
        self.last_tick = self.last_persist = now
        self.show_stage()
        self.set_interval(1.0, self.tick, name="session-timer")

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

    def show_stage(self) -> None:
        stage = self.stage
        key = stage["key"]
        self.visited.add(key)
        session = self.live
        title = session.title or session.guide_name
        header = Text()
        header.append(f"{self.person.name}", style="bold")
        header.append(f"  ·  {title}  ·  stage {self.index + 1}/{len(self.stages)}: {stage['title']}")
        if session.ended_at:
            header.append("  ·  ended session: edits are recorded", style="italic")
        self.query_one("#session-header", Static).update(header)
        self.query_one(StageOutline).show(self.stages, self.index, self.visited, self.spent)
        self.query_one(StageCard).show(stage, self.session.plan if self.session else None)
        self.query_one("#card-scroll").scroll_home(animate=False)
        self.query_one(QuestionList).show(stage.get("questions") or [], self.asked.get(key, set()))
        notes = self.query_one(NotesArea)
        notes.load_text(self.texts.get(key, ""))
        notes.move_cursor(notes.document.end)
        prompts = stage.get("prompts") or []
        notes.placeholder = prompts[0] if prompts else "Notes for this stage…"
        if key not in self.private:
            self.private[key] = bool(stage.get("private"))
        self.show_followup()
        self.show_items()
        self.update_timer()
        self.show_status()

    def show_followup(self) -> None:
        here = self.index == self.followup_index and (self.earlier or self.jots)
        widget = self.query_one(FollowThrough)
        widget.display = bool(here)
        self.query_one("#followup-title").display = bool(here)
        if not here:
            return
        from textual.widgets.option_list import Option

        widget.clear_options()
        for item in self.earlier:
            who = "me" if item.owner == "me" else self.person.name
            due = f", due {fmt.day(item.due)}" if item.due else ""
            widget.add_option(Option(f"{fmt.KIND_MARK.get(item.kind, '-')} {item.text}  ({who}{due})",
                                     id=f"item:{item.id}"))
        for jot in self.jots:
            widget.add_option(Option(Text(f"✎ {fmt.day(jot.created_at)}: {jot.text}", style="italic"),
                                     id=f"jot:{jot.id}"))

    def show_items(self) -> None:
        self.query_one(ItemsPanel).show(self.items, {self.person.id: self.person.name},
                                        capture=self.keys("{capture}"), review=self.keys("{end}"))

    def show_status(self) -> None:
        key = self.stage["key"]
        text = Text()
        if self.status == "saved":
            text.append("✓ saved", style="bold")
        elif self.status == "unsaved":
            text.append("● unsaved", style="bold")
        else:
            text.append(f"⚠ {self.status}", style="bold reverse")
        if self.private.get(key):
            text.append(self.keys("   🔒 private notes ({private})"))
        else:
            text.append(self.keys("   shared notes ({private} for private)"), style="dim")
        status = self.query_one("#note-status", Static)
        status.update(text)
        status.set_class(self.status not in ("saved", "unsaved"), "-error")

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
        self.last_tick = now
        self.update_timer()
        if self.last_persist and (now - self.last_persist).total_seconds() >= PERSIST_TIMER_EVERY:
            self.persist_state()

    def action_pause(self) -> None:
        self.tick()
        self.paused = not self.paused
        self.update_timer()
        self.notify("timer paused" if self.paused else "timer running", timeout=2)

    # ------------------------------------------------------------------ saving
    @on(NotesArea.Changed, "#notes")
    def notes_changed(self) -> None:
        key = self.stage["key"]
        text = self.query_one(NotesArea).text
        self.texts[key] = text
        if text == self.saved.get(key, ""):
            return
        self.status = "unsaved"
        self.show_status()
        self.changed_at = self.app.clock()
        if self.autosave_timer is None:
            self.autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self.autosave,
                                                 name="autosave")

    def autosave(self) -> None:
        """Saves once the notes have been left alone for AUTOSAVE_SECONDS by the app's clock
        (the timer only wakes this up: tests move an injected clock instead of waiting)."""
        self.autosave_timer = None
        if self.changed_at is None or self.status != "unsaved":
            return
        still = (self.app.clock() - self.changed_at).total_seconds()
        if still >= AUTOSAVE_SECONDS:
            self.save_notes()
        else:
            self.autosave_timer = self.set_timer(AUTOSAVE_SECONDS - still, self.autosave,
                                                 name="autosave")

    def save_notes(self, force_key: str | None = None, *, quiet: bool = False) -> bool:
        """Saves every stage whose text differs from the last commit. True when all saved."""
        store = self.app.store
        if store is None or self.session is None:
            return False
        ok = True
        for key, text in list(self.texts.items()):
            if text == self.saved.get(key, "") and key != force_key:
                continue
            try:
                store.save_note(self.session.id, key, text, private=self.private.get(key, False))
            except RapportError as exc:
                self.status = str(exc)
                ok = False
                break
            self.saved[key] = text
        if ok:
            self.status = "saved"
        if not quiet:
            self.show_status()
        return ok

    def persist_state(self) -> None:
        store = self.app.store
        if store is None or self.session is None or not self.state_dirty:
            return
        try:
            self.session = store.save_session_state(
                self.session.id, stage_index=self.index, spent=self.spent,
                visited=sorted(self.visited), asked={k: sorted(v) for k, v in self.asked.items()})
        except RapportError as exc:
            self.status = str(exc)
            self.show_status()
            return
        self.state_dirty = False
        self.last_persist = self.app.clock()

    def flush(self) -> None:
        """Save everything now (stage change, leaving, lock, quit, crash)."""
        if self.session is None:
            return
        self.tick()
        for notes in self.query(NotesArea):  # what the pane holds, its Changed not seen yet
            self.texts[self.stage["key"]] = notes.text
        self.save_notes()
        self.persist_state()

    def action_save(self) -> None:
        self.flush()
        self.notify("saved", timeout=2)

    # ------------------------------------------------------------------ stages
    def go_to(self, index: int) -> None:
        if not 0 <= index < len(self.stages) or index == self.index:
            return
        self.tick()
        self.save_notes()
        self.index = index
        self.state_dirty = True
        self.show_stage()
        self.persist_state()
        self.query_one(NotesArea).focus()

    def action_next_stage(self) -> None:
        if self.index + 1 >= len(self.stages):
            self.notify(self.keys("last stage: {end} ends the session with a review"),
                        timeout=3)
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

    # ------------------------------------------------------------------ questions
    def action_question(self, step: int) -> None:
        questions = self.query_one(QuestionList)
        if questions.option_count:
            current = questions.highlighted or 0
            questions.highlighted = max(0, min(questions.option_count - 1, current + step))

    def highlighted_question(self) -> tuple[int, str] | None:
        index = self.query_one(QuestionList).question_index()
        if index is None:
            return None
        return index, (self.stage.get("questions") or [])[index]["text"]

    def action_mark_asked(self) -> None:
        found = self.highlighted_question()
        if found is None:
            return
        asked = self.asked.setdefault(self.stage["key"], set())
        asked.symmetric_difference_update({found[0]})
        self.query_one(QuestionList).show(self.stage.get("questions") or [], asked)
        self.state_dirty = True
        self.action_question(1)

    def action_insert_question(self) -> None:
        found = self.highlighted_question()
        if found is None:
            return
        notes = self.query_one(NotesArea)
        prefix = "" if not notes.text or notes.text.endswith("\n") else "\n"
        notes.move_cursor(notes.document.end)
        notes.insert(f"{prefix}Q: {found[1]}\n")
        self.asked.setdefault(self.stage["key"], set()).add(found[0])
        self.state_dirty = True
        self.query_one(QuestionList).show(self.stage.get("questions") or [],
                                          self.asked[self.stage["key"]])
        notes.focus()

    @on(QuestionList.OptionSelected, "#questions")
    def question_selected(self) -> None:
        self.action_insert_question()

    # ------------------------------------------------------------------ private, items
    def action_toggle_private(self) -> None:
        key = self.stage["key"]
        self.private[key] = not self.private.get(key, False)
        self.save_notes(force_key=key)
        self.notify("notes of this stage are private" if self.private[key]
                    else "notes of this stage are shared", timeout=2)

    def action_capture(self, kind: str = "action") -> None:
        from tui.screens.capture import Capture, CaptureScreen

        def captured(result: Capture | None) -> None:
            if result is None:
                self.query_one(NotesArea).focus()
                return
            try:
                item = self.store.add_item(self.live.id, result.kind, result.text,
                                           owner=result.owner, due=result.due,
                                           stage=self.stage["key"])
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.items.append(item)
            self.show_items()
            self.notify(f"{item.kind} saved", timeout=2)
            self.query_one(NotesArea).focus()

        self.app.push_screen(CaptureScreen(kind=kind, participant=self.person.name,
                                           today=self.app.clock().astimezone().date()), captured)

    @on(FollowThrough.Chosen)
    def follow_through(self, event: FollowThrough.Chosen) -> None:
        try:
            if event.action == "done":
                self.store.update_item(event.item_id, status="done")
                self.notify("marked done", timeout=2)
            else:
                item = self.store.carry_forward(event.item_id, self.live.id)
                self.items.append(item)
                self.show_items()
                self.notify("carried forward into this session", timeout=2)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return
        self.earlier = [i for i in self.earlier if i.id != event.item_id]
        self.show_followup()

    def action_tag(self) -> None:
        from tui.screens.tagging import tag_selection

        tag_selection(self)

    # ------------------------------------------------------------------ leaving, ending
    def action_leave(self) -> None:
        self.flush()
        self.app.pop_screen()

    def action_end(self) -> None:
        from tui.screens.review import EndReviewScreen

        self.flush()

        def decided(end: bool | None) -> None:
            if not end:
                self.query_one(NotesArea).focus()
                return
            self.flush()
            self.store.end_session(self.live.id)
            self.session = None
            self.app.pop_screen()
            self.app.notify("session ended", timeout=3)

        self.app.push_screen(EndReviewScreen(self.live, self.stages, self.spent, self.items,
                                             self.texts, self.private), decided)

    def on_unmount(self) -> None:
        if self.session is not None and self.app.store is not None:
            self.save_notes(quiet=True)

    def keys(self, text: str) -> str:
        """``text`` with its ``{binding-id}`` placeholders as the keys are bound now."""
        return with_keys(self.app, text, self, FollowThrough)

    def commands(self) -> list[Command]:
        found = [Command("Next stage", "Save and move on", self.action_next_stage, "next-stage"),
                 Command("Previous stage", "Save and go back", self.action_previous_stage,
                         "previous-stage")]
        for i, stage in enumerate(self.stages):
            found.append(Command(f"Go to stage {i + 1}: {stage['title']}", "Pick a stage",
                                 partial(self.go_to, i), "stages"))
        for kind in ("action", "decision", "agreement", "goal"):
            found.append(Command(f"Capture {kind}", f"A new {kind} of this session",
                                 partial(self.action_capture, kind), "capture"))
        found += [
            Command("Toggle private notes", "This stage's notes", self.action_toggle_private,
                    "private"),
            Command("Tag passage", "The selected passage, with a theme", self.action_tag, "tag"),
            Command("Pause or resume timer", "Time stops counting", self.action_pause, "pause"),
            Command("End session", "Review, then end", self.action_end, "end"),
            Command("Mark question asked", "The highlighted question", self.action_mark_asked,
                    "mark-asked"),
            Command("Insert question into notes", "The highlighted question",
                    self.action_insert_question, "insert-question"),
            Command("Save now", "Every stage's notes and the timer", self.action_save, "save"),
        ]
        return found
