"""store.text: the one escaper for human output and exports, and the JSON one."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from store.text import CONTROLS, json_text, visible

HOSTILE = "\x1b]0;pwned\x07\x1b[31mRED\b\r\x00\x7f\x9b\u202e\u2066"


def test_hostile_name_is_shown_not_acted_on():
    shown = visible(HOSTILE)
    assert shown == "␛]0;pwned␇␛[31mRED␈␍␀␡\\u009b\\u202e\\u2066"
    assert not CONTROLS.search(shown)


def test_tab_newline_and_ordinary_text_are_kept():
    text = "Sam Rivera\tça va?\n日本語 — ok 👍"
    assert visible(text) is not None and visible(text) == text


def test_json_escapes_c1_and_bidi_and_still_reads_back():
    out = json_text({"name": HOSTILE, "accent": "é"})
    assert "\\u009b" in out and "\\u202e" in out and "\\u007f" in out and "\\u001b" in out
    assert "é" in out  # ensure_ascii stays off: names read as written
    assert not CONTROLS.search(out)
    assert json.loads(out) == {"name": HOSTILE, "accent": "é"}


@given(st.text())
def test_visible_never_lets_a_control_through(text):
    shown = visible(text)
    assert not CONTROLS.search(shown)
    assert shown.count("\n") == text.count("\n")


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_text_round_trips_and_hides_controls(value):
    out = json_text(value)
    assert json.loads(out) == value
    assert not CONTROLS.search(out)
