"""A synthesis document (:mod:`store.synthesis_report`) as Markdown, HTML or JSON, its file name
and scope, and writing it (a new 0600 file or stdout) with its export recorded in the vault.

Pure rendering up to :func:`write_report`: the app previews exactly the bytes it writes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, BinaryIO, Mapping, Sequence

from .errors import RapportError
from .export import slug, write_out
from .render import Block, html, markdown, stylesheet
from .text import json_text

if TYPE_CHECKING:  # pragma: no cover
    from .models import ExportRecord
    from .store import Store

FORMATS = ("md", "html", "json")


def passage_count(doc: Mapping[str, Any]) -> int:
    """How many passages a document quotes (what an export record counts)."""
    total = sum(len(t["passages"]) for t in doc.get("themes", ()))
    total += sum(len(a["current"]) + len(a["future"]) for a in doc.get("areas", ()))
    return total


def render(doc: Mapping[str, Any], fmt: str) -> str:
    """A document from :func:`~store.synthesis_report.programme_report` or ``leader_report`` as md,
    html or json."""
    if fmt not in FORMATS:
        raise RapportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "json":
        return json_text(doc, indent=2, allow_nan=False) + "\n"
    blocks = _blocks(doc)
    if fmt == "md":
        return markdown(blocks)
    css = stylesheet(width="52rem", rules=_CSS_RULES, print_rules=_CSS_PRINT)
    return html(blocks[0][2], blocks, css=css)


def title_of(doc: Mapping[str, Any]) -> str:
    name = doc["programme"]["name"]
    if doc["kind"] == "leader":
        return f"Leadership feedback for {doc['leader']}: {name}"
    return f"Programme synthesis: {name}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _agree(n: int, one: str, many: str) -> str:
    """The verb that agrees with ``n``: ``_agree(1, "appears", "appear")``."""
    return one if n == 1 else many


def _withheld(doc: Mapping[str, Any]) -> str:
    return (f"Withheld: fewer than {_count(doc['min_interviewees'], 'interviewee')} said "
            "something here.")


def _passage_lines(passages: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    for p in passages:
        if "interviewee" not in p:
            out.append(p["text"])
            continue
        who = [p["interviewee"]]
        if p.get("date"):
            who.append(p["date"])
        if p.get("stage"):
            who.append(p["stage"])
        if p.get("subject"):
            who.append(f"about {p['subject']}")
        if p.get("own_view"):
            who.append("own view")
        if p.get("private"):
            who.append("PRIVATE")
        out.append(f"{p['text']} ({', '.join(who)})")
    return out


def _blocks(doc: Mapping[str, Any]) -> list[Block]:
    """A block: ("h", level, text) | ("p", text) | ("list", [text]) | ("table", headers, rows)
    | ("pair", (title, [text]), (title, [text]))."""
    named = not doc["anonymised"]
    minimum = doc["min_interviewees"]
    interviews = doc["interviews"]
    blocks: list[Block] = [("h", 1, title_of(doc))]
    if doc["programme"]["purpose"].strip():
        blocks.append(("p", doc["programme"]["purpose"]))
    blocks.append(("p", f"{_count(interviews['sessions'], 'interview')} with "
                        f"{_count(interviews['interviewees'], 'interviewee')}."))
    if named:
        blocks.append(("p", "Facilitator's record: names interviewees and includes private "
                            "passages. Keep it to yourself; do not share it."))
    else:
        what = ("what was said about this leader by others" if doc["kind"] == "leader"
                else "what was said about the team and the organisation")
        blocks.append(("p", f"Anonymised: {what}. A theme is shown only where at least "
                            f"{_count(minimum, 'different interviewee')} said something under "
                            "it. The passages name nobody and carry no date; they are in "
                            "alphabetical order."))
    if named and "matrix" in doc:
        names = doc["matrix"]["interviewees"]
        blocks.append(("h", 2, "Who said what (passages per theme)"))
        blocks.append(("table", ["Theme", *names, "All"],
                       [[r["theme"], *[str(c) for c in r["counts"]], str(sum(r["counts"]))]
                        for r in doc["matrix"]["rows"]]))

    matrix = doc.get("leader_matrix")
    if matrix and matrix["leaders"] and matrix["rows"]:
        blocks.append(("h", 2, "Leaders and themes"))
        if named:
            blocks.append(("p", "Passages about each leader per theme (different interviewees "
                                "in brackets); what a leader said of themselves is left out."))
            cells = [[f"{n} ({k})" if n else "" for n, k in zip(r["passages"], r["interviewees"])]
                     for r in matrix["rows"]]
        else:
            blocks.append(("p", f"How many different interviewees spoke of each leader under "
                                f"each theme, where at least {minimum} did; leaders are "
                                "numbered, not named."))
            cells = [[str(k) if k else f"<{minimum}" for k in r["interviewees"]]
                     for r in matrix["rows"]]
        blocks.append(("table", ["Theme", *matrix["leaders"]],
                       [[r["theme"], *c] for r, c in zip(matrix["rows"], cells)]))

    themes = [t for t in doc["themes"] if t["status"] != "empty"]
    blocks.append(("h", 2, "Themes"))
    if not themes:  # a 360's passages are all about its leader: tagged, but not here
        about_only = doc["kind"] == "programme" and doc.get("about_leaders")
        blocks.append(("p", "Nothing about the team or the organisation yet." if about_only
                       else "Nothing tagged yet."))
    else:
        rows = []
        for t in themes:
            if t["status"] == "shown":
                rows.append([t["theme"], str(t["interviewees"]), str(len(t["passages"]))])
            else:
                rows.append([t["theme"], f"fewer than {minimum}", "withheld"])
        blocks.append(("table", ["Theme", "Interviewees", "Passages"], rows))
    for t in themes:
        blocks.append(("h", 3, t["theme"]))
        if t["status"] == "shown":
            blocks.append(("list", _passage_lines(t["passages"])))
        else:
            blocks.append(("p", _withheld(doc)))
    if doc["kind"] == "programme" and doc.get("about_leaders"):
        about = doc["about_leaders"]
        blocks.append(("p", f"{_count(about, 'passage')} about individual leaders "
                            f"{_agree(about, 'appears', 'appear')} only in their own reports."))

    blocks.append(("h", 2, "Current state and future state"))
    if not doc["areas"]:
        blocks.append(("p", "No current-state or future-state passages yet."))
    for a in doc["areas"]:
        blocks.append(("h", 3, a["area"] + (" (gap)" if a["gap"] else "")))
        if a["status"] == "withheld":
            blocks.append(("p", _withheld(doc)))
            continue
        blocks.append(("pair", ("Current state", _passage_lines(a["current"]) or ["—"]),
                       ("Future state", _passage_lines(a["future"]) or ["—"])))
    gaps = [a for a in doc["areas"] if a["gap"]]
    blocks.append(("h", 2, "Gaps"))
    shown = [a for a in gaps if a["status"] == "shown"]
    if shown:
        blocks.append(("list", [f"{a['area']}: {_count(len(a['current']), 'current-state passage')},"
                                f" {_count(len(a['future']), 'future-state passage')}"
                                for a in shown]))
    hidden = len(gaps) - len(shown)
    if hidden:
        blocks.append(("p", f"{_count(hidden, 'further gap')} withheld (fewer than "
                            f"{_count(minimum, 'interviewee')})."))
    if doc["kind"] == "programme" and doc.get("leader_gaps"):
        gaps_about = doc["leader_gaps"]
        blocks.append(("p", f"{_count(gaps_about, 'gap')} about individual leaders "
                            f"{_agree(gaps_about, 'appears', 'appear')} only in their own "
                            "reports."))
    if not gaps and not doc.get("leader_gaps"):
        blocks.append(("p", "No gaps: no future-state passages yet."))

    blocks.append(("h", 2, "Strategy"))
    if not doc["strategy"]:
        blocks.append(("p", "No strategy items yet."))
    for number, s in enumerate(doc["strategy"], 1):
        blocks.append(("h", 3, f"{number}. {s['text']}"))
        if s["gaps"]:
            blocks.append(("p", "Addresses: " + "; ".join(s["gaps"])))
        if s["supporting_passages"]:
            quoted = len(s["quoted"])
            line = f"Supported by {_count(s['supporting_passages'], 'tagged passage')}"
            if quoted < s["supporting_passages"]:
                line += f" ({quoted} quoted here)"
            blocks.append(("p", line + ("." if not quoted else ":")))
            if quoted:
                blocks.append(("list", _passage_lines(s["quoted"])))
    return blocks


# This page's rules in the base stylesheet: between its headings and lists, and for print.
_CSS_RULES = """\
p{margin:.4rem 0}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid #bbb;padding:.2rem .6rem;text-align:left;vertical-align:top}
table.pair{width:100%;table-layout:fixed}"""
_CSS_PRINT = "h2,h3{break-after:avoid}li,tr{break-inside:avoid}"


# ================================================================== write


def filename_hint(doc: Mapping[str, Any], fmt: str) -> str:
    """``rapport-synthesis-<programme>.md`` or ``rapport-report-<leader>-<programme>.md``."""
    name = slug(doc["programme"]["name"], "programme")
    named = "-named" if not doc["anonymised"] else ""
    if doc["kind"] == "leader":
        return f"rapport-report-{slug(doc['leader'], 'programme')}-{name}{named}.{fmt}"
    return f"rapport-synthesis-{name}{named}.{fmt}"


def scope_label(doc: Mapping[str, Any]) -> str:
    what = f"programme {doc['programme']['name']}"
    if doc["kind"] == "leader":
        what += f", report on {doc['leader']}"
    how = (f"anonymised ({doc['min_interviewees']}+ interviewees)" if doc["anonymised"]
           else "named facilitator's record")
    return f"{what}, {how}"


def write_report(store: Store, destination: str | os.PathLike[str], doc: Mapping[str, Any],
                 fmt: str, *, text: str | None = None,
                 stdout: BinaryIO | None = None) -> ExportRecord:
    """Writes the rendered ``doc`` and records the export in the vault.

    ``destination`` ``"-"`` writes to ``stdout``. A path is created new with mode 0600 (never
    over an existing file or link); if the record cannot be saved the file is removed again.
    ``text``: the already rendered text (what the preview showed); it must equal
    ``render(doc, fmt)``.
    """
    rendered = render(doc, fmt)
    if text is not None and text != rendered:
        raise RapportError("the preview is out of date; nothing was written")
    kind = "synthesis" if doc["kind"] == "programme" else "leader-report"
    return write_out(store, destination, rendered.encode("utf-8"), kind=kind, format=fmt,
                     scope=scope_label(doc), count=passage_count(doc), stdout=stdout)
