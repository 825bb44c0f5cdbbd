"""The dialogs' choices: a RadioSet whose arrows choose, as radio buttons do elsewhere, and a
SelectionList whose Space marks the option it was pressed on."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.binding import Binding
from textual.widgets import RadioButton, RadioSet, SelectionList
from textual.widgets.selection_list import SelectionType


class ChoiceSet(RadioSet):
    """A RadioSet that chooses as it moves (a segmented control): ←/→ (and ↑/↓) choose the next
    or previous option itself, starting from the one already chosen (with none chosen yet, the
    first or the last). Textual's RadioSet only moves a highlight there and chooses on Space:
    Right then the dialog's Enter would save the old choice (an item saved as "mine" when
    "theirs" was shown highlighted).

    The choice is made by pressing the button (``RadioButton.value``), so RadioSet itself keeps
    one button pressed, moves its highlight there and posts ``RadioSet.Changed``. Nothing is
    chosen at mount: a set shown with no choice (a pulse's score) stays without one.

    An arrow at either end chooses nothing new (RadioSet's highlight wraps round): a row records
    something, and wrapping recorded its opposite (Left on consent "not recorded" chose
    "refused"; Right on a pulse of 5 chose 1)."""

    BINDINGS = [
        Binding("down,right", "choose(1)", "Next choice", id="choose-next", show=False),
        Binding("up,left", "choose(-1)", "Previous choice", id="choose-previous", show=False),
    ]

    def __init__(self, *buttons: RadioButton, **kwargs: Any) -> None:
        super().__init__(*buttons, **kwargs)
        #: the button the last arrow chose: RadioSet learns of it by a message, after the keys
        #: already queued (two arrows typed fast moved one choice, twice)
        self.last_chosen: RadioButton | None = None

    def on_focus(self) -> None:
        """The highlight starts on the choice (RadioSet's starts on the first option)."""
        pressed = self.pressed_button
        for _ in range(len(self.children)):
            if pressed is None or pressed.has_class("-selected"):
                return
            self.action_next_button()

    def action_choose(self, step: int) -> None:
        buttons = [b for b in self.query_children(RadioButton) if not b.disabled]
        if not buttons:
            return
        pressed = self.pressed_button
        if self.last_chosen in buttons and self.last_chosen is not None \
                and self.last_chosen.value:  # chosen by the last arrow, not clicked away since
            pressed = self.last_chosen
        if pressed is None or pressed not in buttons:
            chosen = buttons[0] if step > 0 else buttons[-1]
        else:
            at = buttons.index(pressed) + step  # stops at either end, as a segmented control does
            chosen = buttons[min(max(at, 0), len(buttons) - 1)]
        chosen.value = True
        self.last_chosen = chosen


class MarkList(SelectionList[SelectionType]):
    """A SelectionList whose Space, Up and Down act in its own queue, in the order typed.
    Textual's act once the key has bubbled up to the app, on what has the focus by then, and
    its Space posts a message that marks whatever is highlighted when it arrives: "Space Down
    Down Space" typed in one go (a quick hand, a terminal that sends them in one read) marked
    the third theme twice, so none; and with a Tab after them (a priority key, acted on as it
    arrives) they met the next field and were lost. The tag dialog then tagged one theme."""

    def key_space(self, event: events.Key) -> None:
        self.stop_key(event)
        self.action_select()

    def key_down(self, event: events.Key) -> None:
        self.stop_key(event)
        self.action_cursor_down()

    def key_up(self, event: events.Key) -> None:
        self.stop_key(event)
        self.action_cursor_up()

    @staticmethod
    def stop_key(event: events.Key) -> None:
        """Its binding, checked once the key reaches the app, is not run again."""
        event.stop()
        event.prevent_default()

    def action_select(self) -> None:
        """Marks (or unmarks) the highlighted option now (a click too)."""
        index = self.highlighted
        if index is not None and not self.get_option_at_index(index).disabled:
            self.toggle(self.get_option_at_index(index))
