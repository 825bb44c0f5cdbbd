"""An option list whose options keep their whole text when a scrollbar comes or goes."""

from __future__ import annotations

from textual.widgets import OptionList

from tui.textual_compat import measure_options_again


class WrappingOptionList(OptionList):
    """An ``OptionList`` refilled while it is shown (a stage's questions, what to go through, a
    filtered list): its options are measured again when its vertical scrollbar appears or goes,
    so a wrapped option keeps every line (see :func:`tui.textual_compat.measure_options_again`)."""

    def watch_show_vertical_scrollbar(self) -> None:
        measure_options_again(self)
