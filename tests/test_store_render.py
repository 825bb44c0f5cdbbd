"""store.render: a note body is Markdown as typed (lists, emphasis, line breaks) in both the
Markdown and the HTML export, but it never forges the page's own headings, never makes a link,
an image or raw HTML, and never passes a terminal control; in plain text it keeps its lines."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from store.render import NOTE_HEADING, html_part, markdown, md_block, md_inline, note_html
from store.render import plain_block
from store.text import CONTROLS, visible

#: text a note may hold: Markdown punctuation and what opens links, images, HTML, headings,
#: rules and fences; every kind of line break and space; controls
NOTE = st.lists(st.sampled_from(
    [*"#|>`~-=*_<>[]()!&\\:ab1. ", "# ", "## ", "- ", "* ", "1. ", "2) ", "---", "===", "```",
     "~~~", "| a | b |\n|---|---|", "[x](http://e.test)", "![a](http://e.test/i.png)", "<http://e.test>", "<b>", "&amp;",
     "&#27;", "https://e.test", "www.e.test", "Session — 2025-01-01", "\n", "\n\n", "\r", "\r\n",
     "\t", "    ", "\u00a0", "\x0b", "\x1b", "\x85", "\u2028", "\u202e", "é", "👍"])).map("".join)

def example_each(texts):
    def add(test):
        for text in reversed(texts):
            test = example(text)(test)
        return test
    return add


#: the page around a note: its title, a session, a section and a stage, then the next session
PAGE = [("h", 1, "Record"), ("h", 2, "One — 2025-01-01"), ("h", 3, "Notes"), ("h", 4, "Stage")]
AFTER = [("h", 2, "Two — 2025-01-02"), ("h", 3, "Action items"), ("list", ["a thing"])]
COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # with GFM tables


def _headings(tokens) -> list[tuple[str, str]]:
    return [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens)
            if t.type == "heading_open"]


#: notes that would break the page if they passed as typed: each is tried every run
FORGERIES = ("## Two — 2025-01-02", "Two — 2025-01-02\n-", "x\n===", "| a | b |\n|---|---|",
             "a|b\n-|-", "[x](http://e.test)", "![a](i.png)", "<http://e.test>", "<div>\nx",
             "<b>x</b>", "> q", "```\ncode\n```", "~~~\nx", "***", "- x\n---", "[r]: http://e",
             "- * * *", "1. - - -", "  # x", "   > q")


@given(NOTE)
@example_each(FORGERIES)
def test_a_note_cannot_forge_the_pages_headings_or_make_a_link(text):
    """Parsed as CommonMark, the Markdown page around any note has its own headings and no
    other heading above the note's level, and nothing live: no link, image or raw HTML."""
    doc = markdown([*PAGE, ("text", text, False), *AFTER])
    tokens = COMMONMARK.parse(doc)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or ()]
    page = [h for h in _headings(tokens) if int(h[0][1]) < NOTE_HEADING]
    assert page == [("h1", "Record"), ("h2", "One — 2025-01-01"), ("h3", "Notes"),
                    ("h4", "Stage"), ("h2", "Two — 2025-01-02"), ("h3", "Action items")]
    assert not [t for t in tokens + inline if t.type in (
        "link_open", "image", "html_block", "html_inline", "hr", "blockquote_open", "fence",
        "table_open")]
    last = max(i for i, t in enumerate(tokens) if t.type == "heading_close")
    assert [t.type for t in tokens[last + 1:last + 3]] == ["bullet_list_open", "list_item_open"]
    assert tokens[last + 1].level == 0  # the page's own list after the note is its own
    out = md_block(text)
    assert not re.search(r"[A-Za-z0-9]://|\bwww\.", out)  # nor a bare address a viewer links
    assert not CONTROLS.search(out)


@given(NOTE)
def test_html_of_a_note_has_only_text_lists_emphasis_and_low_headings(text):
    out = html_part([("h", 2, "One"), ("text", text, True)])
    tags = set(re.findall(r"</?([a-z0-9]+)", out))
    assert tags <= {"h2", "div", "p", "br", "ul", "ol", "li", "em", "strong", "h5", "h6", "pre",
                    "code"}, tags
    assert out.count("<h2>") == 1 and "href" not in out and "src=" not in out
    assert not CONTROLS.search(out)


#: paragraphs of text, each line maybe indented or started by something other than a letter
PROSE = st.lists(st.tuples(
    st.sampled_from(["", "", " ", "   ", "\t", "é", "1", "(", "\u00a0", "\u2028", '"', "-"]),
    st.lists(st.sampled_from(["word", "Two", " ", ".", '"', "'", "&", "<", ">", "é", "\u00a0",
                              "\t", "x:", "1"])).map("".join),
    st.sampled_from(["\n", "\n\n", "\n \n", "\r\n"]))).map(lambda ls: "".join(map("".join, ls)))


@settings(max_examples=400)
@given(st.one_of(NOTE, PROSE))
def test_a_plain_note_skips_markdown_it_and_renders_the_same(text):
    """Most notes are paragraphs of text: their HTML is made without markdown-it, the same."""
    from store.render import _note_renderer

    assert note_html(text) == _note_renderer().render(md_block(text)).rstrip("\n")


@given(NOTE)
def test_a_note_keeps_its_lines(text):
    plain = visible(text.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    assert plain_block(text) == "\n".join(line.rstrip() for line in plain.split("\n"))
    assert md_block(text).count("\n") == plain_block(text).count("\n")


def test_lists_and_emphasis_show_as_typed():
    note = "Agreed:\n- *one* thing\n- **two** things\n  - nested\n\n1. first\n2. second"
    assert md_block(note) == note  # nothing escaped: no literal "\-" in the Markdown export
    assert note_html(note) == (
        "<p>Agreed:</p>\n<ul>\n<li><em>one</em> thing</li>\n<li><strong>two</strong> things\n"
        "<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>")
    assert note_html("line one\nline two") == "<p>line one<br>\nline two</p>"


def test_headings_sit_under_the_page_and_the_rest_shows_as_typed():
    assert md_block("# Next steps\n## Later\n- # in a list") == (
        "##### Next steps\n###### Later\n- ##### in a list")
    assert md_block("> quote\n~~~\n```\n---\n* * *\ntext\n===\n| a | b |") == (
        "\\> quote\n\\~~~\n\\`\\`\\`\n\\---\n\\* * *\ntext\n\\===\n\\| a \\| b \\|")
    assert md_block("[see](http://e.test) ![pic](x.png) <http://e.test> <b>&amp;</b> \\*") == (
        "\\[see\\](http\\://e.test) !\\[pic\\](x.png) \\<http\\://e.test> \\<b>\\&amp;\\</b> \\*")
    # links and images as text: the link's text and address, the image's alt text and address
    assert note_html("[see](http://e.test) ![pic](x.png)") == (
        "<p>[see](http://e.test) ![pic](x.png)</p>")
    assert note_html("<script>x</script> &lt;") == (
        "<p>&lt;script&gt;x&lt;/script&gt; &amp;lt;</p>")
    assert md_block("at https://e.test, www.e.test, awww.e") == (
        "at https\\://e.test, www\\.e.test, awww.e")
    assert plain_block("\r\n\none\r\ntwo  \rthree\x1b\n\n") == "one\ntwo\nthree␛"


def test_names_and_titles_stay_escaped():
    assert md_inline("- *A* [x](y) <b> &amp; # h", start=True) == (
        "\\- \\*A\\* \\[x\\](y) \\<b\\> \\&amp; \\# h")
    assert md_inline("Read https://e.test, www.e.test") == "Read https\\://e.test, www\\.e.test"
    html = html_part([("h", 2, "<b>*A*</b>"), ("list", ["[x](y) <i>"])])
    assert html == "<h2>&lt;b&gt;*A*&lt;/b&gt;</h2>\n<ul><li>[x](y) &lt;i&gt;</li></ul>"
