"""The feedback log, filled in as the feedback guide's stages go (the stage-form key).

Each stage fills in its part of the session's entry (``store.FEEDBACK_STAGE_FIELDS``): the
situation, behaviour and impact (and whether it is praise or developmental, given or received),
then their response, then the agreed next step, linked to one of the session's actions when
there is one. The dialog returns only the fields it shows; ``store.fill_feedback`` keeps the rest.

The situation, behaviour and impact start from what the Prepare stage's notes wrote down
(``prepared``: :func:`store.prepared_feedback`) where the entry has none yet: shown, editable,
said in a line; saved only when the form is, as it then reads. Their response likewise starts
from the response stage's shared note ("Their view, in their words: ..."), and the next step
from the action captured at its stage, linked to it (``link``), while the entry has no step.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, OptionList, RadioButton, RadioSet, Static, TextArea
from textual.widgets.option_list import Option

from store import FEEDBACK_DIRECTIONS, FEEDBACK_KINDS, Feedback, Item, visible
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet

LABELS = {"situation": "Situation: when and where", "behaviour": "Behaviour: what they did",
          "impact": "Impact: what it led to", "response": "Their response",
          "next_step": "The agreed next step"}
TITLES = {"feedback": "Feedback: situation, behaviour, impact",
          "feedback-response": "Feedback: their response",
          "feedback-next-step": "Feedback: the next step"}
#: Said over fields that start from what was written down before the form (``prepared``).
STARTED = {"feedback": "Started from your Prepare notes: edit it to what was said.",
           "feedback-response": "Started from this stage's note: edit it to what they said.",
           "feedback-next-step": "Started from the action captured here: edit it to what was "
                                 "agreed."}
NO_ACTION = "-"
NEW_ACTION = "+"  # the next step becomes an action of theirs, linked (made by the screen)


class FeedbackDialog(Dialog[dict[str, Any] | None]):
    def __init__(self, records: str, name: str, current: Feedback | None,
                 actions: Sequence[Item] = (), *, kind: str = "developmental",
                 prepared: Mapping[str, str] | None = None, link: str | None = None) -> None:
        """``records``: the stage's ``records``; ``actions``: this session's action items,
        one of which the next step can be linked to; ``kind``: the kind shown chosen before
        the entry has one (praise in the praise guide), so what is saved is what shows;
        ``prepared``: field -> the text prepared for it, shown where the entry has none;
        ``link``: the action the next step starts linked to while the entry has no step
        and no link (the one its ``prepared`` text came from)."""
        super().__init__()
        self.records, self.name_shown, self.current = records, name, current
        self.prepared = {f: text for f, text in (prepared or {}).items()
                         if not (current and getattr(current, f))}
        self.link = link if "next_step" in self.prepared and not (current and current.item_id) \
            else None
        self.kind = kind
        self.actions = list(actions)
        from store import FEEDBACK_STAGE_FIELDS

        self.fields = [f for f in FEEDBACK_STAGE_FIELDS.get(records, ()) if f != "item_id"]
        self.links = "item_id" in FEEDBACK_STAGE_FIELDS.get(records, ())

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="feedback-dialog", classes="dialog"):
            yield Static(self.keys_hint(TITLES.get(self.records, "Feedback")),
                         classes="dialog-title", markup=False)
            if self.records == "feedback":
                with Horizontal(classes="feedback-row"):
                    with ChoiceSet(id="feedback-kind"):
                        kind = current.kind if current else self.kind
                        for value in FEEDBACK_KINDS:
                            yield RadioButton(value.capitalize(), name=value,
                                              value=value == kind)
                    with ChoiceSet(id="feedback-direction"):
                        direction = current.direction if current else "given"
                        for value in FEEDBACK_DIRECTIONS:
                            yield RadioButton(f"{value.capitalize()}", name=value,
                                              value=value == direction)
            if any(f in self.prepared for f in self.fields):
                yield Static(STARTED.get(self.records, STARTED["feedback"]),
                             id="feedback-prepared", classes="hint", markup=False)
            for field in self.fields:
                yield Label(LABELS[field])
                # wrapped: a behaviour said in a full sentence stays readable whole (a
                # one-line field scrolled its start out of sight); Enter still saves
                yield TextArea((getattr(current, field) if current else "")
                               or self.prepared.get(field, ""),
                               id=f"feedback-{field}", soft_wrap=True, tab_behavior="focus",
                               compact=True)
            if self.links:
                yield Label("Linked action (↑↓)")
                options = [Option("No action linked", id=NO_ACTION)]
                options += [Option(f"▸ {visible(a.text)}", id=a.id) for a in self.actions]
                options.append(Option(f"+ A new action for {visible(self.name_shown)}: the "
                                      "step above", id=NEW_ACTION))
                linked = OptionList(*options, id="feedback-item", markup=False)
                yield linked
                yield Label("", id="feedback-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="feedback-save", classes="save")
                yield Button("Cancel", id="feedback-cancel", classes="cancel")

    def on_mount(self) -> None:
        if self.fields:
            first = self.query_one(f"#feedback-{self.fields[0]}", TextArea)
            first.focus()
            first.move_cursor(first.document.end)
        if self.links:
            options = self.query_one("#feedback-item", OptionList)
            linked = (self.current.item_id if self.current else None) or self.link
            ids = [NO_ACTION, *(a.id for a in self.actions)]
            options.highlighted = ids.index(linked) if linked in ids else 0

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for control, field in (("#feedback-kind", "kind"), ("#feedback-direction", "direction")):
            for radio in self.query(control).results(RadioSet):
                pressed = radio.pressed_button
                if pressed is not None and pressed.name:
                    found[field] = pressed.name
        for field in self.fields:
            found[field] = " ".join(self.query_one(f"#feedback-{field}", TextArea).text.split())
        if self.links:
            options = self.query_one("#feedback-item", OptionList)
            if options.highlighted is not None:
                chosen = options.get_option_at_index(options.highlighted).id
                found["item_id"] = None if chosen == NO_ACTION else chosen
        return found

    def draft(self) -> tuple[object, ...]:
        return tuple(sorted(self.values().items()))

    def save(self) -> None:
        values = self.values()
        if values.get("item_id") == NEW_ACTION and not values.get("next_step"):
            self.query_one("#feedback-error", Label).update(
                "Type the next step first: it is the new action's text.")
            self.query_one("#feedback-next_step", TextArea).focus()
            return
        self.dismiss(values)
