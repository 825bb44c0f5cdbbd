"""Text that everyone can read: every text colour of every theme at WCAG AA (4.5:1) or better.

Textual builds a theme's colours (``$text-muted``, ``$text-error``, ``$footer-key-foreground``,
...) from a handful of base colours; some fall short of AA on the backgrounds they are drawn on
(``textual-light``: placeholders 2.6:1, footer keys 2.9:1, the error colour 3.5:1). The app's
:meth:`~tui.app.RapportApp.get_css_variables` passes the theme's variables through
:func:`readable_variables`: each text colour in :data:`ROLES` that falls short on one of its
backgrounds is raised just enough (a muted text's opacity first, then its colour, towards black
on light backgrounds and white on dark ones); one that already reads well is left as it is. So
every theme the palette offers reads at AA, ``rapport.tcss`` and Textual's own widgets alike.
(``ansi-dark`` and ``ansi-light`` draw in the terminal's own colours: nothing to compute.)

:class:`ReadableDim` does the same for text drawn ``dim`` (Rich's style: hints inside status
lines): dimmed as Textual dims it, but never below AA.

Ratios are WCAG 2's: ``(L1 + 0.05) / (L2 + 0.05)`` of the relative luminances.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterable, Mapping, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.color import BLACK, WHITE, Color, ColorParseError
from textual.constants import DIM_FACTOR
from textual.filter import LineFilter

#: WCAG 2 AA for normal text.
MINIMUM = 4.5
#: What the adjustments aim for: AA with room for rounding to 8-bit channels.
TARGET = 4.6

#: The backgrounds text is drawn on: the screen, dialogs and inputs (``$surface``), panels and
#: table headers (``$panel``), highlighted rows and headers (``$boost`` over the screen or a
#: dialog), and a focused input, list or table (Textual tints it 5% towards ``$foreground``). A
#: background is a list of layers, bottom first; ``"name N%"`` is part of one.
PLAIN = (("background",), ("surface",), ("panel",), ("background", "boost"), ("surface", "boost"),
         ("surface", "foreground 5%"), ("panel", "foreground 5%"))
#: A list's or table's highlighted row while it is not focused (``$foreground`` on it).
BLURRED = (("surface", "block-cursor-blurred-background"),
           ("surface", "foreground 5%", "block-cursor-blurred-background"))
#: The focused input of a dialog or of the search bar (rapport.tcss), tinted as focused.
TYPING = (("surface", "primary 20%", "foreground 5%"),)

#: Selected text in an input or the notes (an input selects its text when focused).
SELECTED = tuple((*bg, "primary 25%")  # rapport.tcss
                 for bg in (("surface",), ("surface", "foreground 5%"), *TYPING))

#: Each text colour (a theme variable) and the backgrounds it must read on.
ROLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "text": PLAIN + TYPING,  # body text (``auto 87%``), what is typed
    "foreground": PLAIN + BLURRED + TYPING,  # tables, lists, inputs, text areas
    "text-muted": PLAIN,  # hints, labels, status lines
    "text-disabled": PLAIN + TYPING,  # placeholders, the paused timer
    "text-error": PLAIN + (("surface", "error-muted"),),  # overdue, errors (and their banner)
    "text-warning": PLAIN,  # due soon, at-risk goals, the timer near its end, warnings
    "text-success": PLAIN,
    "text-primary": PLAIN,  # titles
    "text-accent": PLAIN,
    "footer-foreground": (("background", "footer-background"),),
    "footer-key-foreground": (("background", "footer-background"),
                              ("background", "footer-background", "block-hover-background")),
    "footer-description-foreground": (("background", "footer-background"),),
    "input-selection-foreground": SELECTED,
    "block-cursor-foreground": (("surface", "block-cursor-background"),),  # a focused cursor row
    "block-cursor-blurred-foreground": BLURRED,
    "button-foreground": (("surface",), ("surface", "foreground 5%")),
    "button-color-foreground": (("surface", "primary"), ("surface", "error")),
    **{f"markdown-h{n}-color": PLAIN for n in range(1, 7)},  # the session record's headings
}


@lru_cache(maxsize=4096)
def luminance(color: Color) -> float:
    """WCAG 2's relative luminance of an opaque colour."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@lru_cache(maxsize=4096)
def contrast(foreground: Color, background: Color) -> float:
    """The WCAG contrast ratio of ``foreground`` drawn over the opaque ``background`` (a
    foreground with alpha, or ``auto``, is blended over it as Textual draws it)."""
    if foreground.auto:
        foreground = background.get_contrast_text(foreground.a)
    lighter, darker = sorted((luminance(background + foreground), luminance(background)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def layers(variables: Mapping[str, str], names: Sequence[str]) -> Color | None:
    """The opaque colour of a background made of ``names`` (variables, ``"name N%"`` for part of
    one), bottom first; ``None`` when one is not a plain colour (an ANSI theme)."""
    result = BLACK
    for name in names:
        color = _value(variables, name)
        if color is None:
            return None
        result = result + color
    return result


def readable(color: Color, backgrounds: Iterable[Color], minimum: float = MINIMUM) -> Color:
    """``color`` if it reads at ``minimum`` on every background; otherwise the least change that
    does: more opaque first (a muted text), then towards black or white, whichever reads better
    on these backgrounds. (When nothing reaches it, the closest: black or white itself. Textual's
    ``auto`` black or white is kept, fully opaque, while it reads at AA.)"""
    grounds = list(backgrounds)

    def worst(candidate: Color) -> float:
        return min(contrast(candidate, bg) for bg in grounds)

    if not grounds or worst(color) >= minimum:
        return color
    if color.a < 1:  # more opaque: the least whole percent that reads (auto N%, as Textual writes)
        percent = _least(int(color.a * 100), 100, lambda p: worst(_with_alpha(color, p / 100)),
                         minimum)
        color = _with_alpha(color, percent / 100)
        if worst(color) >= minimum:
            return color
    target = max((BLACK, WHITE), key=worst)
    if color.auto:  # Textual's pick of black or white, fully opaque: the other one only when
        return color if worst(color) >= MINIMUM else target  # this one is below AA itself
    # towards the target: the first of 32 steps that reads (the way there may first get worse:
    # light text on a mid-tone only dark text reads on), then the least blend before it
    step = next(n for n in range(1, 33) if n == 32 or worst(color.blend(target, n / 32, 1.0))
                >= minimum)
    blend = _least((step - 1) * 8, step * 8, lambda n: worst(color.blend(target, n / 256, 1.0)),
                   minimum)
    return color.blend(target, blend / 256, 1.0)


def _least(low: int, high: int, reads: Callable[[int], float], minimum: float) -> int:
    """The least ``n`` in ``(low, high]`` with ``reads(n) >= minimum`` (it holds at ``high``, or
    nothing does and ``high`` it is), by halving."""
    while high - low > 1:
        middle = (low + high) // 2
        if reads(middle) >= minimum:
            high = middle
        else:
            low = middle
    return high


def _with_alpha(color: Color, alpha: float) -> Color:
    return Color.automatic(alpha * 100) if color.auto else color.with_alpha(alpha)


def readable_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The text colours of :data:`ROLES` that fall short of AA in ``variables`` (a theme's, as
    :meth:`App.get_css_variables` resolves them), raised to read at AA; the others are not in
    the result. Pure, and cached on the colours it reads."""
    names = sorted({n.split()[0] for grounds in ROLES.values() for bg in grounds for n in bg}
                   | set(ROLES))
    return dict(_readable(tuple((n, variables.get(n, "")) for n in names)))


@lru_cache(maxsize=32)
def _readable(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    variables = dict(pairs)
    changed: dict[str, str] = {}
    for _ in range(4):  # a raised colour can be part of another's background: until none moves
        moved = False
        for name, grounds in ROLES.items():
            color = _value(variables, name)
            backgrounds = [layers(variables, bg) for bg in grounds]
            if color is None or color.ansi is not None or None in backgrounds:
                continue
            better = readable(color, [bg for bg in backgrounds if bg is not None], TARGET)
            if better != color:
                variables[name] = changed[name] = _css(better)
                moved = True
        if not moved:
            break
    return tuple(changed.items())


def _value(variables: Mapping[str, str], expression: str) -> Color | None:
    """A variable's colour: ``"name"`` or ``"name N%"``; its value ``"#hex"``, ``"auto N%"``,
    ``"$other N%"`` or a named colour."""
    name, _, percent = expression.partition(" ")
    text = variables.get(name, "")
    alpha = float(percent.rstrip("%")) / 100 if percent else 1.0
    value, _, own = text.strip().partition(" ")
    if own.endswith("%"):
        alpha *= float(own.rstrip("%")) / 100
    try:
        if value == "auto":
            return Color.automatic(alpha * 100)
        if value.startswith("$"):
            base = _value(variables, value[1:])
            return None if base is None else base.multiply_alpha(alpha)
        color = Color.parse(value)
    except (ColorParseError, ValueError):
        return None
    return color if color.ansi is not None else color.multiply_alpha(alpha)


def _css(color: Color) -> str:
    if color.auto:
        return f"auto {round(color.a * 100)}%"
    return color.hex


class ReadableDim(LineFilter):
    """Text drawn ``dim`` blended towards its background as Textual dims it (by
    ``TEXTUAL_DIM_FACTOR``), but no further than AA allows: what is dimmed stays readable.

    Runs before Textual's own filters (which would dim it at the full factor)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(style is not None and style.dim for _, style, _ in segments):
            return segments
        return [Segment(text, _undimmed(style, background), control)
                if style is not None and style.dim and not control else Segment(text, style, control)
                for text, style, control in segments]


@lru_cache(maxsize=1024)
def _undimmed(style: Style, background: Color) -> Style:
    color, bgcolor = style.color, style.bgcolor
    if color is None or color.triplet is None:
        return style  # the terminal's own colour: leave dimming to it
    ground = background if bgcolor is None or bgcolor.triplet is None \
        else Color.from_rich_color(bgcolor)
    full = Color.from_rich_color(color)
    dimmed = ground.blend(full, DIM_FACTOR, 1.0)
    if contrast(dimmed, ground) < MINIMUM:  # the most dimming that still reads, else none
        percent = _least(int(DIM_FACTOR * 100), 100,
                         lambda p: contrast(ground.blend(full, p / 100, 1.0), ground), TARGET)
        dimmed = ground.blend(full, percent / 100, 1.0) if contrast(full, ground) >= MINIMUM \
            else full
    return style + Style(color=dimmed.rich_color, dim=False)
