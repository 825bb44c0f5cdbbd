"""The stylesheet's shape, as Textual parses it (its colours: tests/test_contrast.py)."""

from __future__ import annotations

from textual.app import App
from textual.css.stylesheet import Stylesheet

from tui.app import RapportApp


def rules():
    stylesheet = Stylesheet(variables=App().get_css_variables())
    stylesheet.read(RapportApp.CSS_PATH)
    stylesheet.parse()
    return stylesheet.rules


def test_no_rule_is_tried_on_every_widget():
    """A rule that ends in ``*`` is a candidate for every widget each time any widget is styled,
    and one with ``:last-child`` made every widget restyle its children after each mount
    (``#detail-scroll Markdown > *:last-child``: 234 restyles to open a session instead of 88).
    Name the widgets a rule is for."""
    parsed = rules()
    assert len(parsed) > 200  # the whole stylesheet was read
    assert [rule.css.splitlines()[0] for rule in parsed if "*" in rule.selector_names] == []
