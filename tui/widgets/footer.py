"""Textual's footer, recomposed only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` recomposes (a new key widget per binding, each styled
three times) every time its screen says the bindings changed, and a screen says so several times
in one step and on every return to it: when it is shown, when the focus moves, when a reactive
with ``bindings=True`` changes. Most of those change nothing the footer shows. This one skips a
recompose when the keys, their labels and their states are what it already shows (each
recompose reads the bindings as they are when it runs, so of several queued in one step the
first shows the last change and the rest are skipped). Reaching the home screen, going to People
and back built 85 key widgets; with this, 21.

Every key it shows is shown whole: the command palette's key, docked on the right, covered the
last of the screen's keys when they needed its room ("f12 Hide" on a programme at 80 columns,
and on Home). The footer leaves it out then (ctrl+p still opens the palette; F1 says so), and
shows it again when the terminal is wide enough, whatever the screen's labels: the room each key
takes is worked out from its text as Textual lays it out (:func:`key_width`), before it is
built, so the footer is never drawn twice.

Each key widget is also built in the style it ends up in. Textual's key widget starts compact,
is styled, then is told the footer's ``compact`` once mounted, and each change of its ``-compact``
class styled it again: two extra stylings of every key of every footer, ~5% of the CPU of
driving the app through its screens.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import NoScreen
from textual.widgets import Footer as TextualFooter


def key_width(key_display: str, description: str, *, compact: bool) -> int:
    """The columns a key takes in Textual's footer: " f1 " and "Help " (compact: "f1 Help" and a
    column after it); a key without a description, its display alone."""
    if not description:
        return cell_len(key_display) + compact
    return cell_len(key_display) + cell_len(description) + (2 if compact else 3)


def palette_width(key_display: str, description: str, *, compact: bool) -> int:
    """The palette's key: its left border, "^p palette" and, unless the footer is compact, a
    column after it."""
    return 1 + cell_len(key_display) + 1 + cell_len(description) + (not compact)


class Footer(TextualFooter):
    """A :class:`textual.widgets.Footer` that recomposes only for a change it would show."""

    _shown: tuple[Any, ...] | None = None

    def showing(self) -> tuple[Any, ...]:
        """What the footer draws from the screen's bindings: each shown key, its label and
        whether it is enabled (and the palette's key)."""
        return (self.show_command_palette and self.palette_fits(), self.compact, tuple(
            (key, binding.action, binding.description, binding.key_display, binding.group,
             enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING))

    def palette_fits(self) -> bool:
        """Whether the palette's key leaves every other key whole at the terminal's width (a
        key per action, as Textual's footer shows them)."""
        app, bindings = self.app, self.screen.active_bindings
        shown: dict[str, Binding] = {}
        for _, binding, _, _ in bindings.values():
            if binding.show:
                shown.setdefault(binding.action, binding)
        used = sum(key_width(app.get_key_display(b), b.description, compact=self.compact)
                   for b in shown.values())
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        if palette is None:
            return True
        return used + palette_width(app.get_key_display(palette.binding),
                                    palette.binding.description,
                                    compact=self.compact) <= app.size.width

    def on_resize(self) -> None:
        """The terminal resized: the palette's key in or out as the room allows."""
        self.refresh(recompose=True)  # (nothing is rebuilt when what it shows is the same)

    def compose(self) -> ComposeResult:
        palette = self.show_command_palette and self.palette_fits()
        for widget in super().compose():
            if widget.has_class("-command-palette") and not palette:
                continue  # it would cover the last of the screen's keys
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
