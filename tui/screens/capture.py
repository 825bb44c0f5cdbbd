"""Quick capture of an action item, decision, agreement or goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from store import DateError, date_example, parse_due
from store import ITEM_KINDS, visible
from tui import format as fmt
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet


@dataclass(frozen=True)
class Capture:
    kind: str
    text: str
    owner: str
    due: date | None


class CaptureScreen(Dialog[Capture | None]):
    BINDINGS = [Binding("f2", "cycle_kind", "Change kind", id="capture-kind")]
    AUTO_FOCUS = "#capture-text"

    def __init__(self, *, kind: str = "action", participant: str = "them",
                 today: date | None = None, title: str = "Capture", text: str = "",
                 owner: str | None = None, due: date | None = None,
                 kinds: tuple[str, ...] = ITEM_KINDS) -> None:
        """``title``, ``text``, ``owner`` ("me", "them") and ``due``: an item being carried
        forward or edited is offered as it was. ``kinds``: the kinds it may take (an edited
        goal stays a goal)."""
        super().__init__()
        self.kinds = tuple(k for k in ITEM_KINDS if k in kinds) or ITEM_KINDS
        self.kind = kind if kind in self.kinds else self.kinds[0]
        self.due = due
        self.participant = participant
        self.today = today or date.today()
        self.title = title
        self.text = text
        self.owner = owner

    def compose(self) -> ComposeResult:
        with Vertical(id="capture-dialog", classes="dialog"):
            kind_key = "{capture-kind} changes the kind · " if len(self.kinds) > 1 else ""
            yield Static(self.keys_hint(f"{{title}}  ·  {kind_key}Tab moves",
                                        title=self.title or "Capture"),
                         classes="dialog-title", markup=False)
            with ChoiceSet(id="capture-kind"):
                for kind in self.kinds:
                    yield RadioButton(kind.capitalize(), value=kind == self.kind, name=kind)
            # an item offered as it was (edited, carried) is mended, not retyped: the cursor
            # at its end, nothing selected, so a first key never replaces it all (a due date
            # is replaced whole: Tab to it selects it)
            yield Input(fmt.editable(self.text), id="capture-text",
                        placeholder="what was decided, agreed or promised",
                        select_on_focus=not self.text)
            yield Label("Whose is it?")
            # a goal is theirs (a career goal set together), anything else mine, until chosen
            theirs = self.owner == "them" if self.owner else self.kind == "goal"
            with ChoiceSet(id="capture-owner"):
                yield RadioButton("Mine", value=not theirs, name="me")
                yield RadioButton(Text(visible(self.participant)), value=theirs, name="them")
            yield Label("Due (optional)")
            yield Input(self.due.isoformat() if self.due else "",
                        placeholder=f"{date_example(self.today)}, tomorrow, +3d, fri",
                        id="capture-due")
            yield Label("", id="capture-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="capture-save", classes="save")
                yield Button("Cancel", id="capture-cancel", classes="cancel")

    def action_cycle_kind(self) -> None:
        buttons = list(self.query_one("#capture-kind", RadioSet).query(RadioButton))
        current = next((i for i, b in enumerate(buttons) if b.value), 0)
        buttons[(current + 1) % len(buttons)].value = True

    def save(self) -> None:
        text = fmt.as_edited(self.query_one("#capture-text", Input).value, self.text).strip()
        if not text:
            self.query_one("#capture-error", Label).update("Type what it is first.")
            self.query_one("#capture-text", Input).focus()
            return
        try:
            due = parse_due(self.query_one("#capture-due", Input).value, self.today)
        except DateError as exc:
            self.query_one("#capture-error", Label).update(str(exc))
            return
        kind = self.query_one("#capture-kind", RadioSet).pressed_button
        owner = self.query_one("#capture-owner", RadioSet).pressed_button
        self.dismiss(Capture(kind.name if kind and kind.name else self.kind, text,
                             owner.name if owner and owner.name else "me", due))
