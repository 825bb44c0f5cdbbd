"""Contrast (issue 25): every text the app draws reads at WCAG AA (4.5:1), in every theme it offers.

Three views of it, each computed here from Textual's ``Color`` with this file's own WCAG formula
(not :mod:`tui.contrast`'s):

* the text roles (body text, hints, placeholders, footer keys and descriptions, overdue and
  warning, error labels, disabled text, titles, a table's cursor row), each a theme variable as
  ``app.get_css_variables()`` resolves it, on the backgrounds it is drawn on;
* every ``color:`` rule of ``rapport.tcss``, as Textual parsed it for the theme;
* the screens as drawn (``textual-light`` and ``textual-dark``): every segment of text every
  widget renders, after the line filters (Rich's ``dim`` included), against its own background.

``ansi-dark`` and ``ansi-light`` draw in the terminal's own colours: there is nothing to compute, so
they are left out (and said so).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st
from textual.color import Color
from textual.geometry import Region
from textual.widgets import Checkbox, Input, RadioButton

from apptools import make_app
from guides.loader import builtin_guides
from tui.config import Config

AA = 4.5

pytestmark = pytest.mark.usefixtures("utc_zone")


def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(foreground: Color, background: Color) -> float:
    """WCAG 2: ``foreground`` (with its alpha, or ``auto``, as Textual draws it) over the opaque
    ``background``."""
    if foreground.auto:
        foreground = background.get_contrast_text(foreground.a)
    a, b = luminance(background + foreground), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def colour(variables: dict[str, str], expression: str) -> Color:
    """``"name"`` or ``"name N%"``: a theme variable (itself ``#hex``, ``auto N%`` or ``$other``)."""
    name, _, part = expression.partition(" ")
    value, _, own = variables[name].partition(" ")
    alpha = (float(part[:-1]) / 100 if part else 1) * (float(own[:-1]) / 100 if own else 1)
    if value == "auto":
        return Color.automatic(alpha * 100)
    base = colour(variables, value[1:]) if value.startswith("$") else Color.parse(value)
    return base.multiply_alpha(alpha)


def ground(variables: dict[str, str], *layers: str) -> Color:
    """The opaque colour of ``layers`` (bottom first) drawn one over the other."""
    result = Color(0, 0, 0)
    for layer in layers:
        result = result + colour(variables, layer)
    return result


# The backgrounds: the screen, a dialog or input (surface), a panel, highlighted rows ($boost),
# and a focused input, list or table (Textual tints it 5% towards the foreground).
SCREEN, DIALOG, PANEL = ("background",), ("surface",), ("panel",)
BOOSTED = (("background", "boost"), ("surface", "boost"))
FOCUSED = ("surface", "foreground 5%")
HEADER = ("panel", "foreground 5%")  # a focused table's header
FOOTER = ("background", "footer-background")
# a dialog's focused input
TYPING = (("surface", "primary 20%", "foreground 5%"),)

#: role -> (its text colour, the backgrounds it is drawn on)
ROLES = {
    "body text": ("text", (SCREEN, DIALOG, PANEL, *BOOSTED, *TYPING)),
    "tables, lists, inputs and notes": ("foreground", (
        DIALOG, FOCUSED, HEADER, ("surface", "block-cursor-blurred-background"), *TYPING)),
    "hints, labels and status lines": ("text-muted", (SCREEN, DIALOG, PANEL, *BOOSTED)),
    "placeholders": ("text-disabled", (DIALOG, FOCUSED, *TYPING)),
    "disabled text (a paused timer)": ("text-disabled", (SCREEN, ("background", "boost"))),
    "footer keys": ("footer-key-foreground", (FOOTER,)),
    "footer descriptions": ("footer-description-foreground", (FOOTER,)),
    "overdue": ("text-error", (SCREEN, DIALOG, FOCUSED, ("background", "boost"))),
    "due soon, at risk, warnings": ("text-warning", (SCREEN, DIALOG, FOCUSED,
                                                     ("background", "boost"))),
    "error labels": ("text-error", (DIALOG, ("surface", "error-muted"))),
    "titles": ("text-primary", (SCREEN, DIALOG)),
    "selected text": ("input-selection-foreground", tuple(
        (*layers, "primary 25%") for layers in (DIALOG, FOCUSED, *TYPING))),
    "a table's cursor row": ("block-cursor-foreground", (("surface", "block-cursor-background"),)),
    "a primary button": ("button-color-foreground", (("surface", "primary"),)),
}


def offered_themes(app) -> list[str]:
    names = [name for name, theme in app.available_themes.items() if not theme.ansi]
    assert {"textual-dark", "textual-light"} <= set(names)
    assert set(app.available_themes) - set(names) == {"ansi-dark", "ansi-light"}  # the terminal's
    return names


def left_as_made(app, name: str) -> None:
    """Only what falls short is raised: textual-dark's hints stay ``auto 60%``, its footer keys
    its accent; textual-light's footer keys (the accent, 2.9:1) and placeholders (2.6:1) move."""
    from textual.theme import BUILTIN_THEMES

    made = BUILTIN_THEMES[name].to_color_system().generate()
    variables = app.get_css_variables()
    if name == "textual-dark":
        for variable in ("text", "text-muted", "footer-key-foreground", "text-warning"):
            assert variables[variable] == made[variable], variable
    elif name == "textual-light":
        for variable in ("text", "text-muted", "text-error"):
            assert variables[variable] == made[variable], variable
        for variable in ("footer-key-foreground", "text-disabled", "text-warning"):
            assert variables[variable] != made[variable], variable
    assert app.theme_variables is variables  # what theme_style() reads (overdue names)


def roles_and_rules(app, name: str) -> tuple[list[str], list[str], int]:
    """In the theme the app is in (``name``), what falls short of AA among:

    * every text role, a theme variable as ``app.get_css_variables()`` resolves it, on each
      background it is drawn on;
    * every ``color:`` of rapport.tcss, as Textual parsed it for the theme, on the screen, a
      dialog and a panel (or on the background the rule sets itself);

    and how many rules were checked."""
    roles, failures, checked = [], [], 0
    variables = app.get_css_variables()
    for role, (text, backgrounds) in ROLES.items():
        for layers in backgrounds:
            value = ratio(colour(variables, text), ground(variables, *layers))
            if value < AA:
                roles.append(f"{name}: {role} (${text} on {' + '.join(layers)}) {value:.2f}:1")
    for rule in app.stylesheet.rules:
        styles = rule.styles
        if rule.is_default_rules or not styles.has_rule("color"):
            continue
        text = styles.color
        if styles.has_rule("auto_color") and styles.auto_color:
            text = Color.automatic(text.a * 100)
        bases = [ground(variables, *layers) for layers in (SCREEN, DIALOG, PANEL)]
        if styles.has_rule("background"):
            bases = [base + styles.background for base in bases[:2]]
        for base in bases:
            checked += 1
            if ratio(text, base) < AA:
                failures.append(f"{name}: {rule.selectors} {ratio(text, base):.2f}:1")
    return roles, failures, checked


@given(st.tuples(*[st.integers(0, 255)] * 3), st.tuples(*[st.integers(0, 255)] * 3),
       st.integers(10, 100))
def test_readable_raises_a_colour_just_enough(text, background, percent):
    """Any colour on any one background: raised to AA, and one that reads is kept as it is."""
    from tui.contrast import readable

    base = Color(*background)
    for candidate in (Color(*text).with_alpha(percent / 100), Color.automatic(percent)):
        better = readable(candidate, [base])
        assert ratio(better, base) >= AA
        if ratio(candidate, base) >= AA:
            assert better == candidate


# ---------------------------------------------------------------------- the screens as drawn
def seeded(store, clock):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    grace = store.add_person("Grace Hopper", cadence="monthly")
    store.add_person("Katherine Johnson", cadence="weekly")
    old = store.start_session(grace.id, plan, title="Roadmap")
    store.save_note(old.id, plan["stages"][0]["key"], "Talked about the *compiler*.\n- one\n- two")
    store.add_item(old.id, "action", "Share the compiler notes", owner="them",
                   due=date(2025, 3, 10))
    store.add_item(old.id, "goal", "Ship the compiler", owner="them", status="at-risk")
    store.end_session(old.id)
    clock.advance(86400 * 40)
    return ada, plan


def low_contrast(app) -> tuple[int, list[str]]:
    """Every run of letters or digits drawn on the current screen below AA, and how many runs
    were looked at."""
    found, checked = set(), 0
    for widget in app.screen.query("*"):
        if not widget.display or not widget.region.area:
            continue
        for strip in widget.render_lines(Region(0, 0, *widget.region.size)):
            for segment in strip:
                style = segment.style
                if style is None or not any(c.isalnum() for c in segment.text):
                    continue
                if isinstance(widget, (Checkbox, RadioButton)) and segment.text == widget.BUTTON_INNER:
                    continue  # a checkbox's mark: drawn in the box's colour when unchecked
                assert style.color and style.bgcolor and style.color.triplet \
                    and style.bgcolor.triplet, f"{widget!r}: {segment.text!r} has no colour"
                fg, bg = Color(*style.color.triplet), Color(*style.bgcolor.triplet)
                checked += 1
                if ratio(fg, bg) < AA:
                    found.add(f"{type(app.screen).__name__} {type(widget).__name__}"
                              f"#{widget.id}: {segment.text.strip()[:30]!r} {ratio(fg, bg):.2f}:1")
    return checked, sorted(found)


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
async def test_the_screens_as_drawn_read_at_aa(store, vault_path, clock, theme):
    """Unlock, home (due and overdue people, the cursor row), people, items, search, a session's
    detail and its export dialog, a live session (timer near, over and paused; capture), help."""
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.session import SessionScreen

    ada, plan = seeded(store, clock)
    app = make_app(vault_path, clock, config=Config(theme=theme))
    problems, total, seen = [], 0, []

    async def look() -> None:
        nonlocal total
        for _ in range(2):
            await pilot.pause()
            await app.workers.wait_for_complete()
        checked, found = low_contrast(app)
        assert checked, type(app.screen).__name__
        total += checked
        seen.append(type(app.screen).__name__)
        problems.extend(found)

    async with app.run_test(size=(120, 36)) as pilot:
        await look()  # unlock
        await pilot.press("x", "enter")  # not the passphrase
        await look()  # the error under it
        app.unlocked(store)
        await look()  # home
        for key in ("f2", "f3"):  # people, items
            await pilot.press(key)
            await look()
            await pilot.press("escape")
        await pilot.press("s")  # search (/ is the filter)
        app.screen.query_one("#search-query", Input).value = "compiler"
        await pilot.press("enter")
        await look()  # search, a highlighted match
        await pilot.press("escape", "escape")
        old = store.sessions(status="ended")[0]
        await app.push_screen(SessionDetailScreen(old.id))
        await look()
        await pilot.press("x")
        await look()  # export dialog
        await pilot.press("escape", "escape")
        session = store.start_session(ada.id, plan, title="Weekly")
        await app.push_screen(SessionScreen(session.id))
        await look()
        for seconds in (plan["stages"][0]["minutes"] * 60 - 20, 120):  # near the end, over
            clock.advance(seconds)
            app.screen.tick()
            await look()
        await pilot.press("f9")  # paused
        await look()
        await pilot.press("f2")  # capture
        await look()
        await pilot.press("escape", "f1")  # help
        await look()
    assert seen == ["UnlockScreen", "UnlockScreen", "HomeScreen", "PeopleScreen", "ItemsScreen",
                    "SearchScreen", "SessionDetailScreen", "ExportScreen", *["SessionScreen"] * 4,
                    "CaptureScreen", "HelpScreen"]
    assert total > 300
    assert not problems, "\n".join(problems)


async def test_every_offered_theme_as_drawn_and_its_roles_and_rules_read_at_aa(
        store, vault_path, clock):
    """In every offered theme (one switch each, as it is the switch that costs): what already
    reads left as the theme made it (:func:`left_as_made`), the text roles and the stylesheet's
    colours (:func:`roles_and_rules`: what the theme resolves, whatever screen is up), then a live session (the notes' placeholder under the cursor, the outline,
    questions, timer, footer) and a dialog's focused input with its text selected, over it.
    (Names coloured in Python, overdue ones, keep the colours of the theme they were drawn in
    until their screen reloads: those are checked above, in the theme the app starts with.)

    A theme switch restyles every screen on the stack, and re-parses the stylesheet: one switch
    a theme, with the session in place of home (the unlock screen beneath it); the export
    dialog, installed, is pushed over it after the switch (restyled as it resumes, as a dialog
    opened after a switch is) and popped before the next."""
    from tui.screens.export import ExportScreen
    from tui.screens.session import SessionScreen

    ada, plan = seeded(store, clock)
    app = make_app(vault_path, clock)
    problems, seen, looked = [], 0, []
    roles, rules, checked, left = [], [], 0, []

    def look(name: str) -> None:
        nonlocal seen
        checked, found = low_contrast(app)
        assert checked, (name, type(app.screen).__name__)
        seen += checked
        looked.append(type(app.screen).__name__)
        problems.extend(f"{name}: {line}" for line in found)

    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await app.switch_screen(SessionScreen(store.start_session(ada.id, plan).id))
        await pilot.pause()
        session = app.screen
        assert len(app.screen_stack) == 2 and isinstance(session, SessionScreen)
        session.query_one("#notes").cursor_blink = False  # the cursor drawn, on the placeholder
        # the dialog the detail's x opens, kept between its looks
        app.install_screen(ExportScreen(session_ids=[store.sessions(status="ended")[0].id]),
                           "export")
        themes = offered_themes(app)
        for name in themes:
            app.theme = name
            await pilot.pause()
            if name in ("textual-dark", "textual-light"):
                left_as_made(app, name)
                left.append(name)
            short_roles, short_rules, count = roles_and_rules(app, name)
            roles.extend(short_roles)
            rules.extend(short_rules)
            checked += count
            assert app.screen is session and app.focused is session.query_one("#notes")
            look(name)
            await app.push_screen("export")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query_one("#export-path", Input).selected_text
            look(name)
            await app.pop_screen()
    assert sorted(left) == ["textual-dark", "textual-light"]
    assert not roles, "the text roles:\n" + "\n".join(roles)
    assert checked > 100
    assert not rules, "the stylesheet's rules:\n" + "\n".join(sorted(set(rules)))
    assert looked == ["SessionScreen", "ExportScreen"] * len(themes)
    assert seen > 1000
    assert not problems, "\n".join(sorted(set(problems)))


def test_dim_text_stays_readable():
    """Rich's ``dim`` (hints in status lines) is dimmed, but never below AA."""
    from rich.segment import Segment
    from rich.style import Style

    from tui.contrast import ReadableDim

    for back, text in (("#f0f0f0", "#595959"), ("#121212", "#a0a0a0"), ("#ffffff", "#000000")):
        background = Color.parse(back)
        style = Style(color=Color.parse(text).rich_color, bgcolor=background.rich_color, dim=True)
        (segment,) = ReadableDim().apply([Segment("hint", style)], background)
        assert not segment.style.dim
        drawn = Color(*segment.style.color.triplet)
        assert ratio(drawn, background) >= AA
        if back == "#ffffff":  # black on white has room to dim, and is dimmed
            assert drawn != Color.parse(text)
