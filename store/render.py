"""Markdown and self-contained HTML from a list of blocks: shared by exports and syntheses.

Pure functions, no state. A block is a tuple:

* ``("h", level, text)`` a heading; ``("p", text)`` a paragraph; ``("label", text)`` a bold line
* ``("meta", [(label, value)])`` label/value pairs; ``("list", [text])`` a bulleted list
* ``("table", headers, rows)`` a table of single-line cells
* ``("text", text, private)`` a note body: Markdown as typed (:func:`md_block`, :func:`note_html`)
* ``("pair", (title, [text]), (title, [text]))`` two titled lists side by side

Every text is plain text. This module is the one Markdown escaper (exports, syntheses, the
session record of ``rapport show`` and the detail screen): a line of text (:func:`md_inline`:
names, titles, items) has its Markdown punctuation escaped; a note's body (:func:`md_block`) is
Markdown as typed (paragraphs, lists, emphasis, headings under the page's own), but a link, an
image, raw HTML, an entity, a code span, a fence, a quote, a table or a rule in it stays text.
HTML shows a note as that Markdown rendered (:func:`note_html`, by markdown-it-py with raw HTML,
links and images off): both exports show the same lists and emphasis. Everything shows terminal
controls as visible stand-ins first (:func:`store.text.visible`).
"""

from __future__ import annotations

import functools
import html as _html
import re
from typing import Any, Callable, Iterable

from .text import visible

#: ``("h", level, text)``, ``("p", text)``, ...: see the module's docstring.
Block = tuple[Any, ...]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
#: ``&`` where it would begin a character reference (``&amp;``, ``&#27;``): shown as typed
_ENTITY = r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)"
#: in a note: an escape as typed (kept), or what would open raw HTML or an autolink, a link or
#: image (or its reference), a code span, a table cell or a character reference; the characters
#: any of them starts with (one scan of a line finds most lines need nothing)
_NOTE_INLINE = re.compile(r"\\[!-/:-@\[-`{-~]|[<\[\]`|]|" + _ENTITY)
_NOTE_INLINE_START = re.compile(r"[\\<\[\]`|&]")
#: the ``:`` of ``://`` and the ``.`` of ``www.``: where a viewer's own autolinking would start
_BARE_LINK = re.compile(r"(?<=[A-Za-z0-9]):(?=//)|(?<=\bwww)\.")
#: one list marker (``- ``, ``1. ``, ``2) ``) and the indentation before it: a line's
#: containers are a run of these, each nested in the last
_MARKER = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)")
#: what would start a rule (``---``, ``* * *``) or underline a heading (``===``, ``--``)
_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_UNDERLINE = re.compile(r"[ \t]*(?:=+|-+)[ \t]*$")
#: a heading's marks, and a quote or a ``~~~`` fence (backtick fences are escaped inline)
_HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
_QUOTE_OR_FENCE = re.compile(r">|~~~")
#: a note's heading ``#`` becomes ``#####`` and ``##`` (or deeper) ``######``: under the page's
#: own four levels (title, session, section, stage)
NOTE_HEADING = 5


def md_inline(text: Any, *, start: bool = False) -> str:
    """One line: whitespace collapsed, Markdown punctuation escaped. ``start``: the text begins a
    paragraph or list item, so a leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is escaped too."""
    line = _MD_SPECIAL.sub(r"\\\1", " ".join(visible(text).split()))
    line = re.sub(_ENTITY, r"\\&", line) if "&" in line else line
    if "://" in line or "www." in line:  # a bare address: text, in a viewer that links them too
        line = _BARE_LINK.sub(r"\\\g<0>", line)
    if start:
        if line[:1] in ("+", "-", "="):
            line = "\\" + line
        else:
            line = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", line)
    return line


def md_block(text: Any) -> str:
    """A note body as Markdown: as typed (paragraphs, line breaks, lists, emphasis), line endings
    normalised. A heading is moved under the page's own (``#`` -> ``#####``); a link, image,
    autolink, raw HTML, character reference, code span, fence, quote, table, rule or setext
    underline is escaped, so it shows as the text typed; so is a bare web address's ``://`` or
    ``www.`` (a viewer that links those on its own, as GitHub's does, leaves it as text)."""
    out = []
    after_text = False  # the line before holds text: a ``---`` under it would underline it
    for line in _lines(text):  # line by line: most lines need no more than the one scan
        if _NOTE_INLINE_START.search(line):
            line = _NOTE_INLINE.sub(_escape_inline, line)
        if "://" in line or "www." in line:
            line = _BARE_LINK.sub(r"\\\g<0>", line)
        first = line.lstrip()[:1]
        if first and first not in _PLAIN_START:
            line = _escape_line(line, after_text)
        out.append(line)
        after_text = bool(first)
    return "\n".join(out)


#: a line starting (after its indentation) with none of these is left as it is
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\"'(,.;:?!@$%^/\\")


def _escape_inline(match: re.Match[str]) -> str:
    found = match.group()
    return found if found[0] == "\\" else "\\" + found


def _escape_line(line: str, after_text: bool) -> str:
    """A note's line with its block-level Markdown tamed (see :func:`md_block`)."""
    if after_text and _UNDERLINE.match(line):
        return _escape_at(line, len(line) - len(line.lstrip()))
    start = 0
    while True:  # a rule wins over a list marker, at the line's start or inside a list item
        if _RULE.match(line, start):  # ("* * *", "- * * *": the item holds a rule)
            return _escape_at(line, start + len(line[start:]) - len(line[start:].lstrip()))
        marker = _MARKER.match(line, start)
        if marker is None or marker.end() == start:
            break
        start = marker.end()
    rest = line[start:].lstrip(" \t")  # the indentation after the last marker (or of the line)
    start = len(line) - len(rest)
    heading = _HEADING.match(rest)
    if heading:
        marks = "#" * (NOTE_HEADING if heading.end() == 1 else NOTE_HEADING + 1)
        return line[:start] + marks + rest[heading.end():]
    if _QUOTE_OR_FENCE.match(rest) or after_text and _UNDERLINE.match(rest):
        return _escape_at(line, start + len(rest) - len(rest.lstrip()))
    return line


def _escape_at(line: str, index: int) -> str:
    return line[:index] + "\\" + line[index:]


def note_html(text: Any) -> str:
    """A note body as HTML: its Markdown (:func:`md_block`) rendered by markdown-it-py, line
    breaks kept. Raw HTML, links, images, references, entities, code spans, fences, quotes and
    rules are off in the renderer too: what :func:`md_block` lets through is paragraphs, lists,
    emphasis and (demoted) headings, and markdown-it escapes every text in them."""
    source = md_block(text)
    simple = _simple_html(source)
    return simple if simple is not None else _note_renderer().render(source).rstrip("\n")


#: what a line of plain paragraph text may start with: nothing there opens a block
_TEXT_START = frozenset(_PLAIN_START - {"\\"})
#: what inline Markdown (an escape, emphasis) starts with, once :func:`md_block` has run
_INLINE_MARK = re.compile(r"[\\*_]")


def _simple_html(source: str) -> str | None:
    """The HTML markdown-it makes of a note that is only paragraphs of text (most notes), made
    without it (~50x faster); ``None`` when the note has anything more (a property test holds
    the two to the same output)."""
    if _INLINE_MARK.search(source):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in source.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
        elif line[0] in _TEXT_START:
            paragraphs[-1].append(_html.escape(line, quote=False).replace('"', "&quot;"))
        else:
            return None
    return "\n".join("<p>" + "<br>\n".join(p) + "</p>" for p in paragraphs if p)


@functools.cache
def _note_renderer() -> Any:  # markdown_it.MarkdownIt, imported when an HTML page needs it
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False}).disable([
        "link", "image", "autolink", "reference", "html_block", "html_inline", "entity",
        "backticks", "fence", "blockquote", "hr", "lheading"])


def plain_block(text: Any) -> str:
    """A note body as plain text (HTML, a terminal): line endings normalised, controls shown."""
    return "\n".join(_lines(text))


def _lines(text: Any) -> list[str]:
    """A note body's lines: line endings normalised, blank lines at either end dropped, trailing
    whitespace cut, controls shown (:func:`visible`, line by line: a whole note, with its line
    breaks, is never printable, so its check would scan every note)."""
    body = str(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return [visible(line).rstrip() for line in body.split("\n")]


def markdown(blocks: Iterable[Block], *, inline: Callable[..., str] = md_inline) -> str:
    """The blocks as a Markdown document (see :func:`markdown_part`)."""
    return markdown_part(blocks, inline=inline) + "\n"


def markdown_part(blocks: Iterable[Block], *, inline: Callable[..., str] = md_inline) -> str:
    """The blocks as Markdown, without the final newline: parts of one document are joined by a
    blank line. ``inline(text, start=...)`` escapes one line: ``start=True`` for a paragraph or
    list item, ``start=False`` for a heading; table cells, labels, meta and pair titles get
    ``inline(text)``, its own default."""
    out: list[str] = []
    for block in blocks:
        tag = block[0]
        if tag == "h":
            out.append("#" * block[1] + " " + inline(block[2], start=False))
        elif tag == "p":
            out.append(inline(block[1], start=True))
        elif tag == "label":
            out.append(f"**{inline(block[1])}**")
        elif tag == "meta":
            out.append("\n".join(f"- **{inline(k)}:** {inline(v)}" for k, v in block[1]))
        elif tag == "list":
            out.append("\n".join(f"- {inline(v, start=True)}" for v in block[1]))
        elif tag == "table":
            headers, rows = block[1], block[2]
            lines = ["| " + " | ".join(inline(h) for h in headers) + " |",
                     "|" + "|".join("---" for _ in headers) + "|"]
            lines += ["| " + " | ".join(inline(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif tag == "text":
            out.append(md_block(block[1]))
        elif tag == "pair":
            for title, items in block[1:]:
                out.append(f"**{inline(title)}**")
                out.append("\n".join(f"- {inline(v, start=True)}" for v in items))
    return "\n\n".join(out)


def stylesheet(*, width: str, rules: str, print_rules: str) -> str:
    """The base stylesheet: ``main`` at most ``width`` wide, the caller's ``rules`` (one a line)
    between the headings and the lists, ``print_rules`` inside ``@media print``."""
    return (
        'body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;'
        "background:#fff;margin:0}\n"
        f"main{{max-width:{width};margin:2rem auto;padding:0 1.25rem}}\n"
        "h1{font-size:1.6rem;margin:0 0 .25rem}\n"
        "h2{font-size:1.3rem;margin:2rem 0 .5rem;padding-top:.75rem;border-top:2px solid #ccc}\n"
        "h3{font-size:1.1rem;margin:1.25rem 0 .4rem}\n"
        f"{rules}\n"
        "ul{margin:.3rem 0;padding-left:1.4rem}\n"
        f"@media print{{body{{font-size:11pt}}main{{margin:0;max-width:none}}{print_rules}}}"
    )


def _e(text: Any) -> str:
    return _html.escape(visible(text), quote=True)


def _ul(items: Iterable[Any]) -> str:
    return "<ul>" + "".join(f"<li>{_e(v)}</li>" for v in items) + "</ul>"


def html(title: Any, blocks: Iterable[Block], *, css: str) -> str:
    """The blocks as one self-contained HTML page (see :func:`html_page`)."""
    return html_page(title, html_part(blocks), css=css)


def html_part(blocks: Iterable[Block]) -> str:
    """The blocks as HTML elements, one a line: parts of one page are joined by a newline."""
    body: list[str] = []
    for block in blocks:
        tag = block[0]
        if tag == "h":
            body.append(f"<h{block[1]}>{_e(block[2])}</h{block[1]}>")
        elif tag == "p":
            body.append(f"<p>{_e(block[1])}</p>")
        elif tag == "label":
            body.append(f'<p class="label">{_e(block[1])}</p>')
        elif tag == "meta":
            rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in block[1])
            body.append(f'<dl class="meta">{rows}</dl>')
        elif tag == "list":
            body.append(_ul(block[1]))
        elif tag == "table":
            head = "".join(f"<th>{_e(h)}</th>" for h in block[1])
            rows = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
                           for row in block[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif tag == "text":
            cls = "note private" if block[2] else "note"
            body.append(f'<div class="{cls}">\n{note_html(block[1])}\n</div>')
        elif tag == "pair":
            (left, litems), (right, ritems) = block[1], block[2]
            body.append(f'<table class="pair"><thead><tr><th>{_e(left)}</th><th>{_e(right)}</th>'
                        f"</tr></thead><tbody><tr><td>{_ul(litems)}</td><td>{_ul(ritems)}</td>"
                        "</tr></tbody></table>")
    return "\n".join(body)


def html_page(title: Any, body: str, *, css: str) -> str:
    """A self-contained HTML page around ``body`` (see :func:`html_frame`)."""
    head, tail = html_frame(title, css=css)
    return head + body + tail


def html_frame(title: Any, *, css: str) -> tuple[str, str]:
    """What goes before and after a page's body: inline ``css`` only, and a Content-Security-
    Policy that forbids anything else (no scripts, images, fonts or requests)."""
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n<main>\n"
    )
    return head, "\n</main>\n</body>\n</html>\n"
