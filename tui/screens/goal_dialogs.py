"""Checking in on a goal (the ``s`` key wherever goals are listed): its status, its progress
(or each key result's), a new key result, and a note; every change is kept as its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from store import GOAL_STATUSES, RapportError
from tui.screens.base import RapportScreen
from tui.screens.dialog import Dialog, Keeper
from tui.widgets.browse import clip
from tui.widgets.choice import ChoiceSet
from tui.widgets.prepare import progress_bar

if TYPE_CHECKING:  # pragma: no cover
    from store import Goal, Item, Store


@dataclass(frozen=True)
class CheckInChoice:
    status: str
    progress: int | None = None  # the goal's own (a goal without key results)
    key_results: Mapping[str, int] = field(default_factory=dict)  # id -> progress, changed
    new_key_result: str = ""
    note: str = ""


def read_percent(text: str, what: str) -> int | None:
    """``"40"``, ``"40%"`` -> 40; ``""`` -> None. Raises ValueError with a plain message."""
    value = text.strip().removesuffix("%").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise ValueError(f"{what}: a whole number from 0 to 100.")
    return int(value)


class CheckInDialog(Dialog[CheckInChoice | None]):
    """A goal's new status, progress and a note. A goal with key results takes its progress
    from them: each has its own field."""

    AUTO_FOCUS = "#checkin-status"

    def __init__(self, goal: "Goal") -> None:
        super().__init__()
        self.goal = goal

    def compose(self) -> ComposeResult:
        goal = self.goal
        with Vertical(id="checkin-dialog", classes="dialog"):
            yield Static(Text(self.keys_hint("Check in on the goal  ·  Tab moves")),
                         classes="dialog-title")
            yield Static(Text(f"★ {goal.text}  ·  {progress_bar(goal.progress)}"),
                         id="checkin-goal")
            yield Label("Status")
            with ChoiceSet(id="checkin-status"):
                for status in GOAL_STATUSES:
                    yield RadioButton(status, value=status == goal.status, name=status)
            with Vertical(id="checkin-fields"):  # scrolls, not a Tab stop of its own
                if goal.key_results:
                    yield Label("Key results: progress (%)")
                    for number, kr in enumerate(goal.key_results):
                        with Horizontal(classes="checkin-kr"):
                            yield Static(Text(clip(kr.text, 44)), classes="checkin-kr-text")
                            yield Input(str(kr.progress), id=f"checkin-kr-{number}",
                                        classes="checkin-kr-progress")
                else:
                    yield Label("Progress (%)")
                    yield Input(str(goal.progress), placeholder="0-100", id="checkin-progress")
                yield Label("New key result (optional)")
                yield Input(placeholder="a measurable step, e.g. beta with 5 teams",
                            id="checkin-new-kr")
                yield Label("Note (what moved, or why not)")
                yield Input(placeholder="optional", id="checkin-note")
            yield Label("", id="checkin-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="checkin-save", classes="save")
                yield Button("Cancel", id="checkin-cancel", classes="cancel")

    def draft(self) -> tuple[object, ...]:
        return (*super().draft(), self.status())

    def status(self) -> str:
        pressed = self.query_one("#checkin-status", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else self.goal.status

    def save(self) -> None:
        error = self.query_one("#checkin-error", Label)
        goal = self.goal
        try:
            progress = None
            changed: dict[str, int] = {}
            if goal.key_results:
                for number, kr in enumerate(goal.key_results):
                    value = read_percent(self.query_one(f"#checkin-kr-{number}", Input).value,
                                         clip(kr.text, 30))
                    if value is not None and value != kr.progress:
                        changed[kr.id] = value
            else:
                progress = read_percent(self.query_one("#checkin-progress", Input).value,
                                        "Progress")
        except ValueError as exc:
            error.update(str(exc))
            return
        choice = CheckInChoice(
            self.status(), progress if progress != goal.progress else None, changed,
            self.query_one("#checkin-new-kr", Input).value.strip(),
            self.query_one("#checkin-note", Input).value.strip())
        if choice.status == goal.status and choice.progress is None and not changed \
                and not choice.new_key_result and not choice.note:
            error.update("Nothing changed: change the status or the progress, or add a note.")
            return
        self.dismiss(choice)


def apply_check_in(store: "Store", goal: "Goal", choice: CheckInChoice,
                   session_id: str | None = None, stage: str = "") -> None:
    """Writes a check-in, each change dated in the goal's history: the goal's status, progress
    and note, then its key results' progress, then a new key result (from then on the goal's
    progress is its key results')."""
    note = choice.note
    status = choice.status if choice.status != goal.status else None
    if status is not None or choice.progress is not None or (note and not choice.key_results):
        store.check_in_goal(goal.id, status=status, progress=choice.progress, note=note,
                            session_id=session_id, stage=stage)
        note = ""  # said once
    for kr_id, progress in choice.key_results.items():
        store.update_key_result(kr_id, progress=progress, note=note, session_id=session_id,
                                stage=stage)
        note = ""
    if choice.new_key_result:
        store.add_key_result(goal.id, choice.new_key_result)


def ask_check_in(screen: RapportScreen[Any], item: "Item | None",
                 saved: Callable[[], object] | None = None, *,
                 session_id: str | None = None, stage: str = "") -> None:
    """Opens the check-in dialog for the goal ``item`` and writes what comes back (dated in
    the session ``session_id`` and its ``stage`` when it is made in one)."""
    if item is None or item.kind != "goal":
        screen.notify("choose a goal first", timeout=2)
        return
    try:
        goal = screen.store.goal(item.id)
        person = screen.store.person(item.person_id)
        keeper = Keeper.jot(person.id, person.name)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return

    def done(choice: CheckInChoice | None) -> None:
        if choice is None:
            return
        try:
            apply_check_in(screen.store, goal, choice, session_id, stage)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(f"goal checked in: {choice.status}", timeout=2)
        if saved is not None:
            saved()

    dialog = CheckInDialog(goal)
    dialog.keeper = keeper
    screen.app.push_screen(dialog, done)
