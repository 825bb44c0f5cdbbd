"""Programme syntheses and leader reports: a :class:`~store.synthesis.Synthesis` projected into
a plain document (anonymised unless ``named``), rendered, written and recorded.

The rules (what is withheld, redacted, never shown) are in :mod:`store.synthesis`'s docstring and
``docs/programmes.md``.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Mapping, Sequence

from .errors import NotFound, RapportError
from .export import slug, write_out
from .models import StrategyItem
from .render import Block, html, markdown, stylesheet
from .text import json_text
from .synthesis import Area, Passage, Synthesis, norm

if TYPE_CHECKING:  # pragma: no cover
    from .models import ExportRecord
    from .store import Store

DEFAULT_MIN_INTERVIEWEES = 3
FORMATS = ("md", "html", "json")
FORMAT_NAME = "rapport-synthesis"
FORMAT_VERSION = 1
REDACTED = "[name]"
Clean = Callable[[str], str]


# ================================================================== project (anonymise)


class Redactor:
    """Replaces the names of the given people (full names and each name word) by ``[name]``.

    Full names match in any case; single name words match as written (capitalised), so that a
    person called "Will" does not turn every "will" into ``[name]``.
    """

    def __init__(self, names: Iterable[str], keep: Iterable[str] = ()) -> None:
        kept = {w.casefold() for n in keep for w in n.split()} | {n.casefold() for n in keep}
        fulls, words = set(), set()
        for name in names:
            name = " ".join(name.split())
            if not name or name.casefold() in kept:
                continue
            fulls.add(name)
            for word in re.split(r"[\s\-]+", name):
                word = word.strip(".,'’")
                if len(word) >= 2 and word.casefold() not in kept:
                    words.add(word)
        self._full = self._pattern(fulls, re.IGNORECASE)
        self._word = self._pattern(words, 0)

    @staticmethod
    def _pattern(values: set[str], flags: int) -> re.Pattern[str] | None:
        if not values:
            return None
        alternatives = "|".join(re.escape(v) for v in sorted(values, key=lambda v: (-len(v), v)))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)

    def __call__(self, text: str) -> str:
        for pattern in (self._full, self._word):
            if pattern is not None:
                text = pattern.sub(REDACTED, text)
        return text


def _identity(text: str) -> str:
    return text


def _passage_doc(p: Passage, named: bool, clean: Clean) -> dict[str, Any]:
    if not named:
        return {"text": clean(p.text)}
    return {"text": p.text, "interviewee": p.interviewee,
            "date": p.day.isoformat() if p.day else None, "stage": p.stage_title,
            "subject": p.subject, "private": p.private, "own_view": p.own_view}


def _passage_list(passages: Iterable[Passage], named: bool, clean: Clean) -> list[dict[str, Any]]:
    """Anonymised: de-duplicated and sorted by text. Named: sorted by interviewee, then text."""
    if named:
        ordered = sorted(passages, key=lambda p: (p.interviewee.casefold(), p.day or date.min,
                                                  norm(p.text), p.tag_id))
        return [_passage_doc(p, True, clean) for p in ordered]
    texts = {clean(p.text).strip() for p in passages}
    return [{"text": t} for t in sorted(texts, key=lambda t: (norm(t), t))]


def _sources(passages: Iterable[Passage]) -> int:
    return len({p.interviewee_id for p in passages})


def _section(passages: list[Passage], minimum: int, named: bool, clean: Clean) -> dict[str, Any]:
    """Status and passages of a theme or an area under the threshold rule."""
    sources = _sources(passages)
    if not passages:
        return {"status": "empty", "interviewees": 0, "passages": []}
    if not named and sources < minimum:
        return {"status": "withheld", "interviewees": None, "passages": []}
    return {"status": "shown", "interviewees": sources,
            "passages": _passage_list(passages, named, clean)}


def _check_minimum(minimum: int) -> None:
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 2:
        raise RapportError("the anonymity threshold must be a whole number of at least 2")


def _header(syn: Synthesis, kind: str, named: bool, minimum: int, clean: Clean) -> dict[str, Any]:
    # The programme's name and purpose are the facilitator's own words about the leaders it is
    # for ("360 for Priya Lee"): those leaders' names stay, anyone else's is redacted.
    own = _identity if named else Redactor(_people_names(syn), keep=[p.name for p in syn.subjects])
    return {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": kind,
        "anonymised": not named, "min_interviewees": minimum,
        "programme": {"name": own(syn.programme.name), "purpose": own(syn.programme.purpose),
                      "themes": [clean(t) for t in syn.themes]},
        "interviews": {"sessions": syn.sessions, "interviewees": len(syn.interviewees)},
    }


def _area_doc(area: Area, current: list[Passage], future: list[Passage], minimum: int,
              named: bool, clean: Clean, label: str) -> dict[str, Any]:
    both = current + future
    sources = _sources(both)
    shown = named or sources >= minimum
    return {
        "area": label, "theme": area.theme, "gap": bool(future),
        "status": "shown" if shown else "withheld",
        "interviewees": sources if shown else None,
        "current": _passage_list(current, named, clean) if shown else [],
        "future": _passage_list(future, named, clean) if shown else [],
    }


def _strategy_doc(syn: Synthesis, item: StrategyItem, quotable: set[str], named: bool,
                  clean: Clean, label: Clean) -> dict[str, Any]:
    linked = [p for p in (syn.passage(t) for t in item.tag_ids) if p is not None]
    quoted = [p for p in linked if named or p.tag_id in quotable]
    return {"text": clean(item.text), "gaps": [label(k) for k in item.gaps],
            "supporting_passages": len(linked),
            "quoted": _passage_list(quoted, named, clean)}


def _people_names(syn: Synthesis) -> list[str]:
    """Every person in the vault: a passage may name someone outside the programme too."""
    return [p.name for p in syn.people.values()]


def programme_report(syn: Synthesis, *, named: bool = False,
                     min_interviewees: int = DEFAULT_MIN_INTERVIEWEES) -> dict[str, Any]:
    """The programme synthesis as a plain document (see the module docstring for the rules).

    Anonymised (the default): team-level, non-private passages only, themes and areas under the
    threshold withheld, names redacted. ``named=True``: the facilitator's own record - everything,
    with interviewee names, dates, subjects and private passages marked.
    """
    _check_minimum(min_interviewees)
    clean = _identity if named else Redactor(_people_names(syn))
    doc = _header(syn, "programme", named, min_interviewees, clean)
    doc["leader_matrix"] = _leader_matrix(syn, named, min_interviewees, clean)
    if named:
        usable = list(syn.passages)
        doc["matrix"] = {"interviewees": [p.name for p in syn.interviewees],
                         "rows": [{"theme": t, "counts": c} for t, c in syn.matrix()]}
    else:
        usable = [p for p in syn.passages if not p.private and p.subject_id is None]
        doc["about_leaders"] = sum(1 for p in syn.passages if p.subject_id and not p.private)
    doc["themes"], quotable = _theme_sections(syn, usable, min_interviewees, named, clean)

    def area_label(area: Area) -> str:
        return area.label if named else clean(area.theme)

    areas = []
    usable_ids = {p.tag_id for p in usable}
    for area in syn.areas:
        if not named and area.subject_id is not None:
            continue
        current = [p for p in area.current if p.tag_id in usable_ids]
        future = [p for p in area.future if p.tag_id in usable_ids]
        if not current and not future:
            continue
        areas.append(_area_doc(area, current, future, min_interviewees, named, clean,
                               area_label(area)))
    doc["areas"] = areas
    if not named:
        doc["leader_gaps"] = sum(1 for a in syn.gaps if a.subject_id is not None)

    def label(key: str) -> str:
        area = syn.area(key)
        if named:
            return syn.gap_label(key)
        theme = area.theme if area else key.partition("|")[0]
        subject = area.subject_id if area else (key.partition("|")[2] or None)
        return clean(theme) + (" (in a leader's own report)" if subject else "")

    doc["strategy"] = [_strategy_doc(syn, s, quotable, named, clean, label) for s in syn.strategy]
    return doc


def _leader_matrix(syn: Synthesis, named: bool, minimum: int, clean: Clean) -> dict[str, Any]:
    """Leader x theme with the same rule as themes: a cell of an anonymised document shows how
    many different interviewees spoke of that leader under that theme only when at least
    ``minimum`` did (else ``None``: withheld), leaders are "Leader 1", "Leader 2"... in the order
    of their counts, and private passages do not count."""
    leaders = list(syn.subjects)
    order = {p.id: i for i, p in enumerate(syn.subjects)}
    table = syn.leader_matrix(with_private=named)
    if not named:  # by their column of counts: an order that says no more than the counts
        leaders.sort(key=lambda p: [-cells[order[p.id]][1] for _, cells in table])
    rows: list[dict[str, Any]] = []
    for theme, cells in table:
        ordered = [cells[order[p.id]] for p in leaders]
        if named:
            rows.append({"theme": theme, "passages": [n for n, _ in ordered],
                         "interviewees": [k for _, k in ordered]})
        else:
            rows.append({"theme": clean(theme), "passages": None,
                         "interviewees": [k if k >= minimum else None for _, k in ordered]})
    names = [p.name for p in leaders] if named else [f"Leader {i + 1}"
                                                     for i in range(len(leaders))]
    return {"leaders": names, "rows": [r for r in rows if any(r["interviewees"])]}


def _theme_sections(syn: Synthesis, usable: list[Passage], min_interviewees: int, named: bool,
                    clean: Clean) -> tuple[list[dict[str, Any]], set[str]]:
    """Each theme's section of a report (shown, or held back under the anonymity rules), and the
    tag ids of the passages shown: only those may be quoted under strategy items."""
    quotable: set[str] = set()
    themes = []
    for theme in syn.themes:
        chosen = [p for p in usable if p.theme == theme]
        section = _section(chosen, min_interviewees, named, clean)
        if section["status"] == "shown":
            quotable.update(p.tag_id for p in chosen)
        themes.append({"theme": clean(theme), **section})
    return themes, quotable


def leader_report(syn: Synthesis, leader_id: str, *, named: bool = False,
                  min_interviewees: int = DEFAULT_MIN_INTERVIEWEES) -> dict[str, Any]:
    """What was said about one leader, by theme, under the anonymity rules.

    Raises NotFound when no passage in the programme is about ``leader_id``.
    """
    _check_minimum(min_interviewees)
    leader = syn.people.get(leader_id)
    about = [p for p in syn.passages if p.subject_id == leader_id]
    if leader is None or not about:
        who = leader.name if leader else leader_id
        raise NotFound(f"no tagged passages about {who} in {syn.programme.name!r}")
    clean = _identity if named else Redactor(_people_names(syn), keep=[leader.name])
    doc = _header(syn, "leader", named, min_interviewees, clean)
    doc["leader"] = leader.name
    usable = about if named else [p for p in about if not p.private and not p.own_view]
    doc["themes"], quotable = _theme_sections(syn, usable, min_interviewees, named, clean)
    usable_ids = {p.tag_id for p in usable}
    keys = set()
    areas = []
    for area in syn.areas:
        if area.subject_id != leader_id:
            continue
        keys.add(area.key)
        current = [p for p in area.current if p.tag_id in usable_ids]
        future = [p for p in area.future if p.tag_id in usable_ids]
        if current or future:
            areas.append(_area_doc(area, current, future, min_interviewees, named, clean,
                                   clean(area.theme)))
    doc["areas"] = areas
    about_ids = {p.tag_id for p in usable}
    items = [s for s in syn.strategy
             if keys.intersection(s.gaps) or about_ids.intersection(s.tag_ids)]

    def label(key: str) -> str:
        if named:
            return syn.gap_label(key)
        theme, _, subject = key.partition("|")
        if subject and subject != leader_id:
            return clean(theme) + " (another leader)"
        return clean(theme)

    doc["strategy"] = [_strategy_doc(syn, s, quotable, named, clean, label) for s in items]
    return doc


def passage_count(doc: Mapping[str, Any]) -> int:
    """How many passages a document quotes (what an export record counts)."""
    total = sum(len(t["passages"]) for t in doc.get("themes", ()))
    total += sum(len(a["current"]) + len(a["future"]) for a in doc.get("areas", ()))
    return total


# ================================================================== render (pure)


def render(doc: Mapping[str, Any], fmt: str) -> str:
    """A document from :func:`programme_report` or :func:`leader_report` as md, html or json."""
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
