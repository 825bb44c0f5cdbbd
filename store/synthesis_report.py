"""Programme syntheses and leader reports: a :class:`~store.synthesis.Synthesis` projected into
a plain, JSON-ready document (anonymised unless ``named``); :mod:`store.synthesis_render` renders
it, writes it and records the export.

The rules (what is withheld, redacted, never shown) are in :mod:`store.synthesis`'s docstring and
``docs/programmes.md``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable

from .errors import NotFound, RapportError
from .models import StrategyItem
from .synthesis import Area, Passage, Synthesis, norm

DEFAULT_MIN_INTERVIEWEES = 3
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
