"""store.render: a note body in Markdown keeps its light Markdown but never becomes a heading,
table, quote, fence, rule or raw HTML; in plain text it keeps its lines."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from store.render import BLOCK_STARTS, md_block, plain_block
from store.text import CONTROLS, visible

#: The rule as one pattern (how it read before it was applied line by line): a line's indent,
#: then what would start a block.
BLOCK_START = re.compile(r"^([^\S\n]*)(#|\||>|```|~~~|---|===|\*\*\*|___)", re.M)

#: text a note may hold: Markdown punctuation, every kind of line break and space, controls
NOTE = st.lists(st.sampled_from(
    [*"#|>`~-=*_<\\ab1. ", *BLOCK_STARTS, "\n", "\r", "\r\n", "\t", "\u00a0", "\u2003", "\x0b",
     "\x1b", "\x85", "\u2028", "\u202e", "é", "👍"])).map("".join)


@given(NOTE)
def test_md_block_is_the_rule_applied_to_every_line(text):
    plain = visible(text.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    plain = "\n".join(line.rstrip() for line in plain.split("\n"))
    assert plain_block(text) == plain
    assert md_block(text) == BLOCK_START.sub(r"\1\\\2", plain.replace("<", "\\<"))


@given(NOTE)
def test_no_line_of_a_note_starts_a_block_or_opens_html(text):
    out = md_block(text)
    for line in out.split("\n"):
        assert not line.lstrip().startswith(BLOCK_STARTS)
    assert "<" not in out.replace("\\<", "")
    assert not CONTROLS.search(out)
    assert out.count("\n") == plain_block(text).count("\n")


def test_examples():
    assert md_block("# Title\n  > quote\n---\n<b>x</b>  \n- a list\n**bold**") == (
        "\\# Title\n  \\> quote\n\\---\n\\<b>x\\</b>\n- a list\n**bold**")
    for start in BLOCK_STARTS:
        assert md_block(f"{start} x\n \t{start}") == f"\\{start} x\n \t\\{start}"
    assert plain_block("\r\n\none\r\ntwo  \rthree\x1b\n\n") == "one\ntwo\nthree␛"
