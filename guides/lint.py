"""The question lint: what a coach would change in a guide's questions before running it.

A guide can be valid and still ask badly. The lint warns about:

* ``closed``: a question that can be answered "yes" or "no" (``Do you...``, ``Is it...``,
  ``Isn't...``, ``Any...?``, a trailing ``..., right?``);
* ``why``: "why" and "how come", which sound like blame (ask "what" instead);
* ``double``: two questions in one (two question marks, or a second question joined with
  "and"/"or");
* ``leading``: a question that suggests its answer or asks for a rating ("So you'd agree...",
  "How well do...", "Which parts match...", "On a scale of...");
* ``duplicate``: a near-duplicate of another question in the same stage (the same content words,
  whatever the order and the small words), or the same text elsewhere in the guide;
* ``shape``: a conversational stage with more than four questions, with no core question, or
  with more than two core ones (one or two core questions, the rest probes);
* ``keys``: a text for the facilitator that names a key (``F4``, ``ctrl+t``): keys can be
  remapped (docs/keys.md), so the text can be wrong; the footer and F1 show the keys as bound.

A question marked ``deliberate = true`` is exempt from the question rules. Private stages (the
facilitator's own reflection) are exempt from ``shape``. Nothing here reads files: :func:`lint`
takes a :class:`~guides.model.Guide` and returns findings with field paths; the loader adds
line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model import Guide

RULES = ("closed", "why", "double", "leading", "duplicate", "shape", "keys")
MAX_QUESTIONS = 4
MAX_CORE = 2

_AUX = ("do", "does", "did", "is", "are", "was", "were", "am", "can", "could", "will", "would",
        "have", "has", "had", "should", "shall", "may", "might", "must")
_NEGATED = ("isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "can't",
            "couldn't", "won't", "wouldn't", "haven't", "hasn't", "hadn't", "shouldn't", "mustn't")
_CLOSED_OPENERS = frozenset(_AUX + _NEGATED + ("any", "anything", "anyone", "anybody"))
# words that may open a question without being its verb: "So, is it...", "And do you..."
_FILLERS = frozenset(("so", "and", "but", "ok", "okay", "now", "then", "also", "well", "and",
                      "finally", "lastly", "first", "honestly", "quickly", "just"))
# an opening clause ending in a comma: "When you say that, do you mean..."
_LEAD_INS = frozenset(("when", "if", "looking", "thinking", "since", "as", "after", "before",
                       "in", "on", "for", "with", "given", "from", "over", "during", "compared",
                       "overall", "apart", "besides", "today", "this", "last", "next",
                       "between", "once", "while", "where", "at"))
_SUBJECTS = ("you", "i", "we", "they", "he", "she", "it", "there", "that", "this", "anyone",
             "anything", "someone", "something", "everyone")
_WH = ("what", "how", "why", "where", "when", "whom", "whose", "who", "which")
# after "and what", "and how": the start of a clause, not of a new question ("and what you need")
_CLAUSE_NEXT = frozenset(_SUBJECTS + ("your", "my", "our", "their", "his", "her", "its", "the",
                                      "a", "an", "these", "those", "people", "others", "to"))

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_TAG = re.compile(r",\s*(?:right|correct|ok|okay|yes|no|true|agreed|yeah)\s*\?\s*$|"
                  r",\s*(?:" + "|".join(_NEGATED) + r")\s+(?:" + "|".join(_SUBJECTS)
                  + r")\s*\?\s*$")
_WHY = re.compile(r"(?<!\bthe )\bwhy\b|\bhow come\b")
_JOINED_WH = re.compile(r"\b(and|or)\s+(?:(?:by|from|for|to|with|at|in|on)\s+)?("
                        + "|".join(_WH) + r")\b(?:('s|'re|'d|'ll)|\s+([a-z']+))?")
_JOINED_AUX = re.compile(r"\b(and|or)\s+(?:" + "|".join(_AUX + _NEGATED) + r")\s+(?:"
                         + "|".join(_SUBJECTS) + r")\b")
_SCALE = re.compile(r"\bhow (?:well|satisfied|happy|likely|confident|strongly|important|good|"
                    r"effective|successful|useful|valuable|helpful|fair|much do you (?:agree|"
                    r"like|enjoy|trust|value))\b|\bto what (?:extent|degree)\b|\bon a scale\b|"
                    r"\bout of (?:ten|10|five|5)\b|\bfrom (?:1|one) to (?:5|10|five|ten)\b|"
                    r"\bhow would you rate\b|\brate (?:yourself|it|this|that|them|him|her|your|"
                    r"the|how)\b")
_LEADING = re.compile(r"\byou(?:'d| would) agree\b|\bwouldn't you (?:say|agree)\b|"
                      r"\bdon't you (?:think|agree|feel)\b|\bisn't it (?:true|fair)\b|\bsurely\b|"
                      r"\bobviously\b|\bi'm sure you\b|\bpresumably\b|"
                      r"\bwhich (?:parts?|bits?) (?:of (?:this|that|it) )?(?:match|matches|"
                      r"rings? true)\b|^(?:so|and so),? you(?:'re|'d| are| would| think| feel| "
                      r"agree)\b")


@dataclass(frozen=True)
class Finding:
    """One thing the lint would change: where (a field path), which rule, and why."""

    path: tuple[Any, ...]  # ("stages", 2, "questions", 1)
    rule: str  # one of RULES
    message: str  # one line
    text: str | None = None  # the question, to find its line in the file


def _plain(text: str) -> str:
    """Lower case, curly quotes straightened, spaces collapsed."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def _opener(words: list[str]) -> str | None:
    for word in words:
        if word not in _FILLERS:
            return word
    return None


def check_question(text: str) -> list[tuple[str, str]]:
    """``(rule, message)`` for each question rule ``text`` breaks; ``[]`` for a good question."""
    plain = _plain(text)
    found: list[tuple[str, str]] = []
    words = _WORD.findall(plain)
    opener = _opener(words)
    closed = opener if opener in _CLOSED_OPENERS else None
    if closed is None and words and words[0] in _LEAD_INS and "," in plain:
        after = _opener(_WORD.findall(plain.split(",", 1)[1]))
        closed = after if after in _CLOSED_OPENERS else None
    if closed is not None:
        found.append(("closed", f'closed question: it can be answered "yes" or "no" (it opens '
                                f'with "{closed}"); open it with "what" or "how", or mark it '
                                "deliberate"))
    elif _TAG.search(plain):
        found.append(("closed", 'closed question: a tag such as ", right?" asks for a "yes"; '
                                "ask what they think, or mark it deliberate"))
    why = _WHY.search(plain)
    if why:
        found.append(("why", f'"{why.group(0)}" can sound like blame: ask "what" instead '
                             '(e.g. "What led to that?")'))
    if plain.count("?") >= 2:
        found.append(("double", "two questions in one (two question marks): ask them one at a "
                                "time"))
    else:
        joined = _joined(plain)
        if joined:
            found.append(("double", f'two questions in one (joined by "{joined}"): ask them one '
                                    "at a time"))
    scale = _SCALE.search(plain)
    leading = _LEADING.search(plain)
    if scale:
        found.append(("leading", f'a rating question ("{scale.group(0)}"): ask what happened or '
                                 "what it was like instead"))
    elif leading:
        found.append(("leading", f'a leading question ("{leading.group(0)}") suggests its answer: '
                                 "ask what they think"))
    return found


def _joined(plain: str) -> str | None:
    """The conjunction that starts a second question in ``plain``, if one does."""
    for match in _JOINED_WH.finditer(plain):
        contraction, following = match.group(3), match.group(4)
        if match.group(2) == "why" or contraction or following is None \
                or following.split("'")[0] not in _CLAUSE_NEXT:
            return f"{match.group(1)} {match.group(2)}"
    aux = _JOINED_AUX.search(plain)
    return " ".join(aux.group(0).split()[:2]) if aux else None


def lint(guide: Guide) -> list[Finding]:
    """Every finding in ``guide``, in stage and question order."""
    findings: list[Finding] = []
    seen: dict[str, tuple[Any, ...]] = {}  # normalised text -> the first question's path
    for s, stage in enumerate(guide.stages):
        where: tuple[Any, ...] = ("stages", s, "questions")
        questions = stage.questions
        if not stage.private and questions:
            core = sum(1 for q in questions if q.core)
            if len(questions) > MAX_QUESTIONS:
                findings.append(Finding(where, "shape", f"{len(questions)} questions: 2-4 work best "
                                        "(one or two core, the rest probes)"))
            if core == 0:
                findings.append(Finding(where, "shape", "no core question: mark the one or two the "
                                        "stage exists for with core = true"))
            elif core > MAX_CORE:
                findings.append(Finding(where, "shape", f"{core} core questions: keep one or two "
                                        "core and make the rest probes"))
        kept: list[tuple[int, str]] = []
        for q, question in enumerate(questions):
            path = where + (q,)
            if question.deliberate:
                continue
            for rule, message in check_question(question.text):
                findings.append(Finding(path, rule, message, question.text))
            key = " ".join(_WORD.findall(_plain(question.text)))[:300]
            earlier = seen.get(key)
            if earlier is not None:
                findings.append(Finding(path, "duplicate", f"the same question as "
                                        f"{_fmt(earlier)}", question.text))
            else:
                seen[key] = path
                similar = next((i for i, other in kept if _similar(key, other)), None)
                if similar is not None:
                    findings.append(Finding(path, "duplicate", "nearly the same as "
                                            f"{_fmt(where + (similar,))}: keep one",
                                            question.text))
            kept.append((q, key))
    return findings + named_keys(guide)


_KEY = re.compile(r"\b(?:f(?:[1-9]|1[0-9]|2[0-4])|(?:ctrl|cmd)\s*[-+]\s*\w+|"
                  r"(?:alt|shift|meta)\s*\+\s*\w+)\b", re.IGNORECASE)
#: The texts the facilitator reads (the questions are said to the participant).
_READ = ("description", "purpose", "cues", "avoid", "phrases", "prompts")


def named_keys(guide: Guide) -> list[Finding]:
    """A finding for each text that names a key: a remapped key makes it wrong."""
    findings: list[Finding] = []
    holders: list[tuple[tuple[Any, ...], Any]] = [((), guide)]
    holders += [(("stages", s), stage) for s, stage in enumerate(guide.stages)]
    for where, holder in holders:
        for field in _READ:
            value = getattr(holder, field, None)
            texts = [(where + (field,), value)] if isinstance(value, str) else \
                [(where + (field, i), text) for i, text in enumerate(value or ())]
            for path, text in texts:
                key = _KEY.search(text)
                if key:
                    findings.append(Finding(path, "keys", f'names a key ("{key.group(0)}"), '
                                            "which can be remapped: name the action (the "
                                            "footer and F1 show its key as bound)", text))
    return findings


_STOP = frozenset(_AUX + _WH + _SUBJECTS + (
    "a", "an", "the", "to", "of", "in", "on", "for", "with", "at", "by", "from", "about", "me",
    "my", "your", "our", "their", "his", "her", "its", "and", "or", "so", "been", "be", "being",
    "what's", "how's", "you're", "you've", "you'd", "i'd", "i'm", "it's", "that's", "there's",
    "really", "just", "most", "more", "some", "any", "all", "us", "them", "him", "yourself"))


def _similar(a: str, b: str) -> bool:
    """Nearly the same question: the same content words (order and small words aside)."""
    first = {w for w in a.split() if w not in _STOP}
    second = {w for w in b.split() if w not in _STOP}
    if not first or not second:
        return False
    return len(first & second) / len(first | second) >= 0.8


def _fmt(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                   for i, p in enumerate(path))
