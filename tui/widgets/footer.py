"""Textual's footer, recomposed only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` recomposes (a new key widget per binding, each styled
three times) every time its screen says the bindings changed, and a screen says so several times
in one step and on every return to it: when it is shown, when the focus moves, when a reactive
with ``bindings=True`` changes. Most of those change nothing the footer shows. This one skips a
recompose when the keys, their labels and their states are what it already shows (each
recompose reads the bindings as they are when it runs, so of several queued in one step the
first shows the last change and the rest are skipped). Reaching the home screen, going to People
and back built 85 key widgets; with this, 21.

Each key widget is also built in the style it ends up in. Textual's key widget starts compact,
is styled, then is told the footer's ``compact`` once mounted, and each change of its ``-compact``
class styled it again: two extra stylings of every key of every footer, ~5% of the CPU of
driving the app through its screens.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """A :class:`textual.widgets.Footer` that recomposes only for a change it would show."""

    _shown: tuple[Any, ...] | None = None

    def showing(self) -> tuple[Any, ...]:
        """What the footer draws from the screen's bindings: each shown key, its label and
        whether it is enabled (and the palette's key)."""
        return (self.show_command_palette, self.compact, tuple(
            (key, binding.action, binding.description, binding.key_display, binding.group,
             enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING))

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            compact = getattr(type(widget), "compact", None)
            if compact is not None:  # a key: bound to the footer's compact, or compact alone
                value = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(compact, value)
                widget.set_class(value, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        try:
            showing = self.showing()
        except NoScreen:  # its screen is being removed
            return
        if showing == self._shown:
            return
        self._shown = showing
        await super().recompose()
