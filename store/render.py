"""Markdown and self-contained HTML from a list of blocks: shared by exports and syntheses.

Pure functions, no state. A block is a tuple:

* ``("h", level, text)`` a heading; ``("p", text)`` a paragraph; ``("label", text)`` a bold line
* ``("meta", [(label, value)])`` label/value pairs; ``("list", [text])`` a bulleted list
* ``("table", headers, rows)`` a table of single-line cells
* ``("text", text, private)`` a note body, kept as written (its line breaks too)
* ``("pair", (title, [text]), (title, [text]))`` two titled lists side by side

Every text is plain text. This module is the one Markdown escaper (exports, syntheses, the
session record of ``rapport show`` and the detail screen): a line of text (:func:`md_inline`)
has its Markdown punctuation escaped; a note's body (:func:`md_block`) keeps its own light
Markdown (lists, emphasis) but can never become a heading, a table, a fence or raw HTML. Both,
and HTML, show terminal controls as visible stand-ins first (:func:`store.text.visible`).
"""

from __future__ import annotations

import html as _html
import re
from typing import Any, Callable, Iterable

from .text import visible

#: ``("h", level, text)``, ``("p", text)``, ...: see the module's docstring.
Block = tuple[Any, ...]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
#: what would make a line (after its indent) a heading, table, quote, fence or rule
BLOCK_STARTS = ("#", "|", ">", "```", "~~~", "---", "===", "***", "___")


def md_inline(text: Any, *, start: bool = False) -> str:
    """One line: whitespace collapsed, Markdown punctuation escaped. ``start``: the text begins a
    paragraph or list item, so a leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is escaped too."""
    line = _MD_SPECIAL.sub(r"\\\1", " ".join(visible(text).split()))
    if start:
        if line[:1] in ("+", "-", "="):
            line = "\\" + line
        else:
            line = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", line)
    return line


def md_block(text: Any) -> str:
    """A note body: its own light Markdown kept (lists, emphasis, line breaks), line endings
    normalised; a line never starts a heading, table, quote, fence or rule (:data:`BLOCK_STARTS`
    after its indent gets a backslash), and no ``<`` opens raw HTML."""
    out = []
    for line in _lines(text):
        line = line.replace("<", "\\<")
        rest = line.lstrip()
        if rest.startswith(BLOCK_STARTS):
            line = line[:len(line) - len(rest)] + "\\" + rest
        out.append(line)
    return "\n".join(out)


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
            body.append(f'<div class="{cls}">{_e(plain_block(block[1]))}</div>')
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
