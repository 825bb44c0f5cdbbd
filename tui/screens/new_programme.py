"""The new-programme dialog: a name, a purpose, more themes than the default ones and, with
more than one interview guide, the guide its interviews use (a 360's stakeholder interview;
the interview key highlights it); with a programme, its name, purpose and guide to edit (``e``
on the programmes list; the guide only while no interview of it has started, the dialog says
why otherwise).

A lock, a signal or a crash keeps what was typed for a new programme as a programme (the flow
that opens the dialog gives it its :class:`~tui.screens.dialog.Keeper`), its name marked "(kept
when Rapport locked)" so that it stands out in the list and never takes the name the facilitator
meant to give it; editing it offers the name without the mark. An edit is not kept: kept beside,
it would be a second, empty programme; the programme stays as it was saved."""

from __future__ import annotations

from typing import Any, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from store import DEFAULT_THEMES, Programme
from tui import format as fmt
from tui.screens.dialog import KEPT_MARK, Dialog, kept_text
from tui.widgets.choice import ChoiceSet


class NewProgrammeDialog(Dialog[dict[str, Any] | None]):
    AUTO_FOCUS = "#programme-name"
    SAVE_VERB = "creates it"

    def __init__(self, existing: Sequence[str] = (), programme: Programme | None = None, *,
                 guides: Sequence[tuple[str, str]] = (),
                 guide_id: str = "leadership-interview", started: bool = False) -> None:
        """``existing``: the other programmes' names (a name must be new); ``programme``: the
        one to edit (its name, purpose and guide; its themes stay as they are);
        ``guides``: the interview guides its interviews can use, (id, name), chosen
        from when there are two or more, ``guide_id`` first (a 360 was a leadership
        interview programme: its stakeholder guide picked again at each interview; an edited
        one's: its own); ``started``: an interview of the edited one has started, so its guide
        is only named, with why it stays."""
        super().__init__()
        self.existing = {n.casefold() for n in existing}
        self.programme = programme
        self.guide_id = programme.guide_id if programme else guide_id
        self.started = started and programme is not None
        self.guides = [] if self.started else list(guides)
        self.guide_name = next((n for g, n in guides if g == self.guide_id), self.guide_id)
        #: its name (a kept one's without its mark: saving makes it the one meant) and purpose
        self.stored = ((KEPT_MARK.sub("", programme.name), programme.purpose) if programme
                       else ("", ""))
        if programme is not None:
            self.SAVE_VERB = "saves"

    def compose(self) -> ComposeResult:
        programme = self.programme
        title = "Edit the programme" if programme else "New programme"
        with Vertical(id="programme-dialog", classes="dialog"):
            yield Static(self.keys_hint(f"{title}  ·  Tab moves"), classes="dialog-title",
                         markup=False)
            yield Label("Name")
            yield Input(fmt.editable(self.stored[0]), id="programme-name",
                        placeholder="e.g. Leadership team 2025", select_on_focus=False)
            yield Label("Purpose (optional)")
            yield Input(fmt.editable(self.stored[1]), id="programme-purpose",
                        placeholder="what the interviews are for", select_on_focus=False)
            if programme is None:
                yield Label("More themes (optional, comma-separated)")
                yield Input(placeholder="e.g. decision making, trust", id="programme-themes")
                yield Static("Always included: " + ", ".join(DEFAULT_THEMES), classes="hint")
            if self.started:
                yield Label("Its interviews' guide")
                yield Static(f"{self.guide_name} (it stays: an interview of the programme has "
                             "started with it)", id="programme-guide-fixed", classes="hint",
                             markup=False)
            if len(self.guides) > 1:
                yield Label("Its interviews' guide (←→ picks)")
                with ChoiceSet(id="programme-guide"):
                    for guide_id, name in self.guides:
                        yield RadioButton(name, value=guide_id == self.guide_id, name=guide_id)
            yield Label("", id="programme-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save" if programme else "Create", variant="primary",
                             id="programme-create", classes="save")
                yield Button("Cancel", id="programme-cancel", classes="cancel")

    def typed(self, field: str, stored: str) -> str:
        return fmt.as_edited(self.query_one(field, Input).value, stored)

    def save(self) -> None:
        name = " ".join(self.typed("#programme-name", self.stored[0]).split())
        if not name:
            self.error("Give the programme a name.")
            self.query_one("#programme-name", Input).focus()
            return
        if name.casefold() in self.existing:
            self.error(f"There is already a programme called {name!r}.")
            self.query_one("#programme-name", Input).focus()
            return
        self.dismiss(self.values())

    def values(self, *, kept: str = "") -> dict[str, Any]:
        """The name, purpose and themes typed; ``kept`` ("when Rapport locked"): the name
        marked as kept by then (and "a new programme" when none was typed)."""
        name = " ".join(self.typed("#programme-name", self.stored[0]).split())
        if kept:
            name = kept_text([name or "a new programme"], kept)
        raw = "" if self.programme else self.query_one("#programme-themes", Input).value
        return {"name": name, "purpose": self.typed("#programme-purpose", self.stored[1]).strip(),
                "themes": [" ".join(t.split()) for t in raw.split(",") if t.strip()],
                "guide_id": self.guide()}

    def guide(self) -> str | None:
        """The guide chosen for its interviews; None: none offered (the default stays)."""
        row = next(iter(self.query("#programme-guide").results(RadioSet)), None)
        pressed = row.pressed_button if row is not None else None
        return pressed.name if pressed is not None else None

    def error(self, text: str) -> None:
        self.query_one("#programme-error", Label).update(text)
