"""Consent (the stage-form key at an interview's consent stage): the answer to the consent
question, recorded on the programme's roster at this interview."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from store import CONSENTS, visible
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet

#: the choice that clears a consent recorded by mistake
NOT_RECORDED = "not recorded"


class ConsentDialog(Dialog["str | None"]):
    """Returns "given", "refused" or :data:`NOT_RECORDED`; None when cancelled."""

    AUTO_FOCUS = "#consent-choice"

    def __init__(self, name: str, programme: str, current: str | None) -> None:
        super().__init__()
        self.name_shown = name
        self.programme = programme
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="consent-dialog", classes="dialog"):
            yield Static(self.keys_hint("Consent  ·  ←→ picks"), classes="dialog-title",
                         markup=False)
            yield Label(f"Is {visible(self.name_shown)} comfortable going ahead, on the terms "
                        "you gave?",
                        markup=False)
            with ChoiceSet(id="consent-choice"):
                # "not recorded" first, as on the roster: the choice shown at first is the
                # leftmost, and one Right gives "given" (one Left from the right end recorded
                # "refused")
                yield RadioButton(NOT_RECORDED, value=self.current is None, name=NOT_RECORDED)
                for consent in CONSENTS:
                    yield RadioButton(consent, value=self.current == consent, name=consent)
            yield Label(f"Kept on the roster of {self.programme}, with this interview. Refused: "
                        "end here, and delete the session if nothing of it is to be kept.",
                        classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="consent-save", classes="save")
                yield Button("Cancel", id="consent-cancel", classes="cancel")

    def draft(self) -> tuple[object, ...]:
        return (self.choice(),)

    def choice(self) -> str:
        pressed = self.query_one("#consent-choice", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else NOT_RECORDED

    def save(self) -> None:
        self.dismiss(self.choice())
