"""Read conversation guides from TOML, check them thoroughly, and gather them into a catalog.

Every way in (:func:`parse_guide`, :func:`load_guide_file`) either returns a complete, valid
:class:`~guides.model.Guide` or raises :class:`GuideError` listing every problem found, each with
where it is (a line and/or a field path) and a plain message. Nothing is read at import time: the
built-in guides are read lazily from the package the first time they are asked for.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from . import lint, schema
from .model import Guide, Question, Stage

MAX_BYTES = 1_000_000  # a guide is a page or two of text; anything bigger is a mistake
MAX_STAGES = 50
MAX_LIST_ITEMS = 100
MAX_SHORT = 120  # names, titles, keys
MAX_LONG = 4000  # descriptions, purposes, cues, questions...
MAX_MINUTES = 240
MAX_PROBLEMS = 50  # enough to fix a file; stops a huge broken file from taking long to report
MAX_KEY_PARTS = 32  # tomllib is quadratic in the parts of a dotted key; guides need two at most
BUILTIN_IDS = ("leadership-interview", "feedback", "one-on-one", "praise", "first-one-on-one",
               "career-conversation", "stay-interview", "skip-level", "stakeholder-interview")

_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_SLUG_MAX = 64


def is_slug(value: str) -> bool:
    """Lowercase letters and digits, joined by single hyphens or underscores; at most 64."""
    return len(value) <= _SLUG_MAX and _SLUG.fullmatch(value) is not None


@dataclass(frozen=True)
class Problem:
    where: str  # "line 12, stages[2].minutes", "line 3, column 7", "stages[0]", "file"
    message: str  # plain words, one line
    line: int | None = None  # 1-based, when known

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class GuideError(Exception):
    """A guide could not be used. ``str(e)`` is one line: ``<source>: <first problem> (+N more)``."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems) or (Problem("", "unknown problem"),)
        super().__init__(f"{source}: {self.summary}")

    @property
    def summary(self) -> str:
        """The first problem, and how many more there are; one line, without the source."""
        more = len(self.problems) - 1
        first = _one_line(str(self.problems[0]))
        return f"{first} (+{more} more)" if more else first


# --- entry points ----------------------------------------------------------------------------


def parse_guide(data: bytes | str, source: str = "<string>", origin: str = "builtin", *,
                check: bool = True) -> Guide:
    """Parse and validate a guide; raise :class:`GuideError` (only) on any problem.

    ``check=False`` is for the built-in guides only: they ship with Rapport and the test suite
    checks each against the schema (tests/test_guides_builtin.py); checking them again at every
    start took ~0.13 s, and loading jsonschema ~0.05 s, of each command that lists guides and of
    the first session the app opens."""
    text, problem = _decode(data)
    if problem is not None:
        raise GuideError(source, [problem])
    deep = _DEEP_KEY.search(text)
    if deep is not None:
        line = text.count("\n", 0, deep.start()) + 1
        message = f"a dotted key has too many parts (the limit is {MAX_KEY_PARTS})"
        raise GuideError(source, [Problem(f"line {line}", message, line)])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuideError(source, [_toml_problem(exc)]) from None
    except RecursionError:
        raise GuideError(source, [Problem("file", "values are nested too deeply")]) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise GuideError(source, [Problem("file", f"invalid TOML: {_clip(str(exc), 120)}")]) from None
    stages = raw.get("stages")
    lines = _Lines(text, len(stages) if isinstance(stages, list) else -1)
    problems = _check(raw, lines) if check else []
    if problems:
        # in file order; problems without a line (a missing top-level key) last
        problems.sort(key=lambda p: (p.line is None, p.line or 0, p.where == "file"))
        raise GuideError(source, problems)
    guide = _build(raw, origin)
    return guide


def load_guide_file(path: Path | str) -> Guide:
    """Read and parse one guide file; raise :class:`GuideError` (only), unreadable files too."""
    return parse_guide(read_guide_file(path), source=str(path), origin=str(path))


def read_guide_file(path: Path | str) -> bytes:
    """The bytes of a guide file; :class:`GuideError` if it is missing, special or too big."""
    path = Path(path)
    source = str(path)

    def fail(message: str) -> GuideError:
        return GuideError(source, [Problem("file", message)])

    try:
        # O_NONBLOCK: opening a FIFO (or something swapped in for the file) must not hang
        flags = os.O_RDONLY
        for name in ("O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):  # where the platform has them
            flags |= getattr(os, name, 0)
        fd = os.open(path, flags)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise fail("not a regular file")
            if info.st_size > MAX_BYTES:
                raise fail(f"file is too large ({info.st_size:,} bytes; the limit is {MAX_BYTES:,})")
            chunks, size = [], 0
            while size <= MAX_BYTES:
                chunk = os.read(fd, MAX_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            data = b"".join(chunks)
        finally:
            os.close(fd)
    except GuideError:
        raise
    except FileNotFoundError:
        raise fail("file not found") from None
    except PermissionError:
        raise fail("permission denied") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise fail(f"could not read the file ({reason})") from None
    return data


def validate_file(path: Path | str) -> list[Problem]:
    """Every problem in a guide file; ``[]`` when it is valid."""
    try:
        load_guide_file(path)
    except GuideError as exc:
        return list(exc.problems)
    return []


@dataclass(frozen=True)
class Report:
    """What ``rapport guides validate`` says about one guide: problems make it unusable,
    warnings are what the question lint (:mod:`guides.lint`) would change."""

    source: str
    guide: Guide | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


def check_guide(data: bytes | str, source: str = "<string>", origin: str = "builtin") -> Report:
    """Parse ``data`` and, when it is valid, lint its questions; never raises."""
    try:
        guide = parse_guide(data, source=source, origin=origin)
    except GuideError as exc:
        return Report(source, None, exc.problems)
    lines = _Lines(_decode(data)[0], len(guide.stages))
    warnings = []
    for finding in lint.lint(guide):
        spot = lines.where(finding.path, text=finding.text)
        warnings.append(Problem(spot.where, finding.message, spot.line))
    return Report(source, guide, (), tuple(warnings))


def check_file(path: Path | str) -> Report:
    """:func:`check_guide` for a file; an unreadable file is a report with one problem."""
    try:
        data = read_guide_file(path)
    except GuideError as exc:
        return Report(exc.source, None, exc.problems)
    return check_guide(data, source=str(path), origin=str(path))


def builtin_source(guide_id: str) -> bytes:
    """The TOML text of a built-in guide, as shipped."""
    if guide_id not in BUILTIN_IDS:
        raise KeyError(guide_id)
    return (resources.files("guides") / "builtin" / f"{guide_id}.toml").read_bytes()


def builtin_guides() -> list[Guide]:
    """The guides shipped with Rapport, in their fixed order."""
    return list(_builtin_guides())


@functools.cache
def _builtin_guides() -> tuple[Guide, ...]:
    guides = []
    for guide_id in BUILTIN_IDS:
        name = f"{guide_id}.toml"
        guide = parse_guide(builtin_source(guide_id), source=f"guides/builtin/{name}", check=False)
        if guide.id != guide_id:
            raise GuideError(f"guides/builtin/{name}", [Problem("id", f"expected id {guide_id!r}")])
        guides.append(guide)
    return tuple(guides)


@dataclass(frozen=True)
class Catalog:
    """The guides on offer: built-ins first (in order), then the user's own, sorted by id."""

    guides: tuple[Guide, ...]
    broken: tuple[tuple[str, str], ...] = ()  # (file path, one-line reason)

    def get(self, guide_id: str) -> Guide | None:
        for guide in self.guides:
            if guide.id == guide_id:
                return guide
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(guide.id for guide in self.guides)

    @property
    def interviews(self) -> tuple[Guide, ...]:
        """The guides a programme's interviews can use (kind ``interview``): the one list the
        app's programme dialogs offer and ``rapport programme new|edit --guide`` accept."""
        return tuple(guide for guide in self.guides if guide.kind == "interview")


def load_catalog(user_dir: Path | str | None) -> Catalog:
    """Built-ins plus every ``*.toml`` in ``user_dir``; never raises for a broken user file.

    A user guide whose id matches a built-in replaces that built-in in place. A broken file, or a
    second file using an id already taken by another user file, is listed in ``broken``.
    """
    builtins = builtin_guides()
    if user_dir is None:
        return Catalog(tuple(builtins))
    user_dir = Path(user_dir)
    broken: list[tuple[str, str]] = []
    try:
        files = sorted(
            p for p in user_dir.iterdir() if p.name.endswith(".toml") and not p.name.startswith(".")
        )
    except FileNotFoundError:
        files = []
    except NotADirectoryError:
        files = []
        broken.append((str(user_dir), "the guides folder is not a folder"))
    except OSError as exc:
        files = []
        broken.append((str(user_dir), f"could not read the guides folder ({exc.strerror or exc})"))

    mine: dict[str, Guide] = {}
    for path in files:
        try:
            guide = load_guide_file(path)
        except GuideError as exc:
            broken.append((str(path), exc.summary))
            continue
        if guide.id in mine:
            other = Path(mine[guide.id].origin).name
            broken.append((str(path), f"the id {guide.id!r} is already used by {other}"))
            continue
        mine[guide.id] = guide

    guides = [mine.pop(guide.id, guide) for guide in builtins]
    guides.extend(sorted(mine.values(), key=lambda g: g.id))
    return Catalog(tuple(guides), tuple(broken))


# --- decoding --------------------------------------------------------------------------------


def _decode(data: bytes | str) -> tuple[str, Problem | None]:
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            return "", Problem("file", f"guide is too large (the limit is {MAX_BYTES:,} characters)")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return "", Problem("file", "the text contains characters that are not valid Unicode")
        return data.removeprefix("\ufeff"), None
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return "", Problem("file", "a guide must be text")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        return "", Problem("file", f"file is too large ({len(data):,} bytes; the limit is {MAX_BYTES:,})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", Problem(f"line {line}", "the file is not valid UTF-8 text", line)
    return text.removeprefix("\ufeff"), None


_KEY_PART = r"""[ \t]*(?:[A-Za-z0-9_-]+|"[^"\\\n]*"|'[^'\n]*')[ \t]*"""
_DEEP_KEY = re.compile(r"(?:\." + _KEY_PART + r"){%d}" % MAX_KEY_PARTS)
_TOML_COORD = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_TOML_PLAIN = {
    "Cannot overwrite a value": "this key or table is set twice",
    "Invalid statement": "expected 'key = value' or a [table] header on this line",
    "Invalid value": "a value is missing or malformed (text needs quotes)",
    "Unterminated string": "a string is not closed (missing quote)",
    "Unclosed array": "a list is not closed (missing ']')",
    "Unclosed inline table": "an inline table is not closed (missing '}')",
    "Expected '=' after a key in a key/value pair": "expected '=' after the key",
    "Invalid initial character for a key part": "expected a key (letters, digits, '-', '_', or quoted)",
}


def _toml_problem(exc: Exception) -> Problem:
    message = str(exc)
    match = _TOML_COORD.search(message)
    where, line = "file", None
    if match:
        message = message[: match.start()]
        if match.group(1):
            line = int(match.group(1))
            where = f"line {line}, column {match.group(2)}"
        else:
            where = "end of file"
    if message.startswith("Cannot declare") or message.startswith("Duplicate inline table key"):
        message = f"this key or table is set twice ({message})"
    if message == "Illegal character '\\n'":
        message = "a string is not closed before the end of the line (missing quote)"
    message = _TOML_PLAIN.get(message, message)
    return Problem(where, f"invalid TOML: {_clip(message)}", line)


# --- validation ------------------------------------------------------------------------------

_SCHEMA_TOP = ("id", "name", "kind", "description", "version", "cues", "avoid", "phrases",
               "source", "one_subject", "stages")
_TOP_KEYS = _SCHEMA_TOP  # every key a guide may have (the schema is the authority: a test checks)
_STAGE_KEYS = ("key", "title", "purpose", "minutes", "cues", "avoid", "phrases", "questions",
               "prompts", "item_kinds", "private", "followup", "optional", "records", "source",
               "theme")
_QUESTION_KEYS = ("text", "core", "deliberate")

Path_ = tuple[Any, ...]  # ("stages", 2, "questions", 0)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _fmt_path(path: Path_) -> str:
    """``stages[2].questions[0]``; odd keys quoted and escaped: ``stages[0]["a b"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += "[" + json.dumps(part if len(part) <= 40 else part[:39] + "…") + "]"
    return out


_LINE_KEY = re.compile(r"""[ \t]*(?:\[{1,2}[ \t]*)?["']?([^"'=\[\].\s]+)["']?[ \t]*[=.\]]""")


class _Lines:
    """Where things are in a guide's text: the line of a field path, as near as it can tell."""

    def __init__(self, text: str, stage_count: int) -> None:
        self.lines = text.split("\n")  # as tomllib counts lines (not str.splitlines)
        self._first_table = next(
            (i for i, line in enumerate(self.lines) if line.lstrip().startswith("[")), len(self.lines)
        )
        header = re.compile(r"[ \t]*\[\[[ \t]*\"?stages\"?[ \t]*\]\]")
        self._stage_headers = [i for i, line in enumerate(self.lines) if header.match(line)]
        self._stage_count = stage_count
        # every line that starts with a key or a [table] header, by key: for line numbers
        self._key_lines: dict[str, list[int]] = {}
        for i, line in enumerate(self.lines):
            match = _LINE_KEY.match(line)
            if match:
                self._key_lines.setdefault(match.group(1), []).append(i)

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        """1-based number of the first line in [start, end) that sets ``key``, if any."""
        found = self._key_lines.get(key)
        if not found:
            return None
        i = bisect.bisect_left(found, start)
        return found[i] + 1 if i < len(found) and found[i] < end else None

    def _find_text(self, text: str, start: int, end: int) -> int | None:
        """1-based number of the first line in [start, end) holding the start of ``text``."""
        words = " ".join(text.split()[:4])
        if not words:
            return None
        for i in range(start, min(end, len(self.lines))):
            if words in " ".join(self.lines[i].split()):
                return i + 1
        return None

    def line_of(self, path: Path_, text: str | None = None) -> int | None:
        """The line of ``path``; with ``text``, the line holding that list entry if it can."""
        if not path:
            return None
        if path[0] == "stages" and len(path) >= 2 and isinstance(path[1], int):
            if len(self._stage_headers) != self._stage_count:
                return self._find_key("stages", 0, self._first_table)
            index = path[1]
            start = self._stage_headers[index]
            end = self._stage_headers[index + 1] if index + 1 < len(self._stage_headers) else len(self.lines)
            if len(path) >= 3 and isinstance(path[2], str):
                line = self._find_key(path[2], start + 1, end) or start + 1
                if text is not None:
                    return self._find_text(text, line - 1, end) or line
                return line
            return start + 1
        if isinstance(path[0], str):
            found = self._find_key(path[0], 0, self._first_table) or self._find_key(
                path[0], 0, len(self.lines)
            )
            if found is not None and text is not None:  # an entry of a guide-wide list
                return self._find_text(text, found - 1, self._first_table) or found
            return found
        return None

    def where(self, path: Path_, line_of: Path_ | None = None, text: str | None = None) -> Problem:
        """A :class:`Problem` for ``path`` with no message yet (``where`` and ``line`` set)."""
        where = _fmt_path(path)
        line = self.line_of(path if line_of is None else line_of, text)
        if line is not None:
            where = f"line {line}, {where}" if where else f"line {line}"
        return Problem(where or "file", "", line)


def _check(raw: dict[str, Any], lines: _Lines) -> list[Problem]:
    problems: list[Problem] = []
    for path, message, line_of in schema.check(raw):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem("file", f"stopped checking after {MAX_PROBLEMS} problems"))
            break
        spot = lines.where(path, line_of)
        problems.append(Problem(spot.where, message, spot.line))
    return problems


def _build(raw: dict[str, Any], origin: str) -> Guide:
    """The :class:`Guide` of a document the schema accepted (texts trimmed)."""

    def texts(table: dict[str, Any], key: str) -> tuple[str, ...]:
        return tuple(str(t).strip() for t in table.get(key, []))

    def question(value: Any) -> Question:
        if isinstance(value, str):
            return Question(value.strip())
        return Question(str(value["text"]).strip(), bool(value.get("deliberate", False)),
                        bool(value.get("core", False)))

    stages = tuple(
        Stage(key=st["key"], title=st["title"].strip(), purpose=st["purpose"].strip(),
              minutes=st["minutes"], cues=texts(st, "cues"), avoid=texts(st, "avoid"),
              phrases=texts(st, "phrases"),
              questions=tuple(question(q) for q in st.get("questions", [])),
              prompts=texts(st, "prompts"), item_kinds=tuple(st.get("item_kinds", [])),
              private=st.get("private", False), followup=st.get("followup", False),
              source=tuple(st.get("source", [])), optional=st.get("optional", False),
              records=st.get("records"), theme=_theme(st.get("theme")))
        for st in raw["stages"]
    )
    return Guide(id=raw["id"], name=raw["name"].strip(), kind=raw["kind"],
                 description=raw["description"].strip(), version=raw["version"], stages=stages,
                 origin=origin, cues=texts(raw, "cues"), avoid=texts(raw, "avoid"),
                 phrases=texts(raw, "phrases"), source=tuple(raw.get("source", [])),
                 one_subject=raw.get("one_subject", False))


def _theme(value: str | None) -> str | None:
    """A stage's theme as a programme's themes are kept: its words joined by single spaces."""
    return None if value is None else _one_line(value)


def _clip(text: str, limit: int = 200) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- template --------------------------------------------------------------------------------


def template(guide_id: str) -> str:
    """A commented TOML guide to start from; it validates as it is.

    Raises ``ValueError`` if ``guide_id`` is not a valid guide id.
    """
    if not is_slug(guide_id):
        raise ValueError(f"{guide_id!r} is not a valid guide id")
    name = guide_id.replace("-", " ").replace("_", " ").capitalize()
    text = resources.files("guides").joinpath("template.toml").read_text(encoding="utf-8")
    return text.replace("{{id}}", guide_id).replace("{{name}}", name)


__all__ = [
    "BUILTIN_IDS",
    "MAX_BYTES",
    "Catalog",
    "GuideError",
    "Problem",
    "Report",
    "builtin_guides",
    "builtin_source",
    "check_file",
    "check_guide",
    "is_slug",
    "load_catalog",
    "load_guide_file",
    "parse_guide",
    "read_guide_file",
    "template",
    "validate_file",
]
