"""How things look: small display helpers shared by the screens, and the commands' one way out.

Every line a command prints for a person to read goes through :func:`out` (tables through
:func:`table`, which ends in :func:`out`), and every ``--json`` document through :func:`out_json`,
which writes the ``{"version": 1, KEY: records}`` object of ``docs/json.md``.
:func:`out` passes its text through :func:`store.text.visible`, so a name, title or note that
holds terminal escapes (an imported ``"\\x1b]0;pwned\\x07"``) is shown, never acted on, whatever
the command; :func:`out_json` writes :func:`store.text.json_text`, which escapes C1 and bidi
controls too. Commands never call ``click.echo`` or ``print`` themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import click

from store import CONTROLS, json_text, visible


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def editable(stored: str) -> str:
    """What an Input editing a stored name or text starts with: as the lists show it
    (:func:`store.text.visible`, BEL as ␇). An Input given the control itself draws nothing for
    it (Rich drops it) yet counts it, so it was lost from sight and the cursor sat a cell off.
    :func:`as_edited` reads the field back."""
    return visible(stored)


def as_edited(typed: str, stored: str) -> str:
    """What an Input filled with ``editable(stored)`` holds: ``stored`` itself while it reads
    as it was (opened and saved, nothing changes), else what was typed (a stand-in kept in an
    edited text stays the picture, ␇, not the control)."""
    return stored if typed == visible(stored) else typed


def typed_forms(stored: str) -> tuple[str, ...]:
    """How a stored name can be typed, spaces collapsed: as the lists show it (a control as its
    stand-in, BEL as ␇) and with its controls left out (no key types BEL); one form for a name
    with no control. What a name field suggests and completes."""
    return tuple(dict.fromkeys(" ".join(form.split())
                               for form in (visible(stored), CONTROLS.sub("", stored))))


def name_forms(stored: str) -> tuple[str, ...]:
    """Every form a field holding ``stored`` is taken as ``stored``: it itself (spaces
    collapsed) and :func:`typed_forms`."""
    return tuple(dict.fromkeys((" ".join(stored.split()), *typed_forms(stored))))


def name_matches(typed: str, stored: str, *, start: bool = False) -> bool:
    """``typed`` (any case, spaces collapsed) is one of :func:`name_forms` of ``stored``;
    ``start``: or begins one. The erase dialog (which also asks for the case), the tagging
    dialog's "About" and a new session's participant match a name so."""
    folded = " ".join(typed.split()).casefold()
    return any(form.casefold() == folded or start and form.casefold().startswith(folded)
               for form in name_forms(stored))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 item``, ``2 items`` (``nouns``: an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def records(counts: Mapping[str, int], *, leave_out: str = "") -> str:
    """``{"sessions": 3, "notes": 1, "tags": 2}`` as "3 sessions, 1 note and 2 tags" (the table
    ``leave_out``, the record itself, not said); "" for none."""
    from store import TABLES

    parts = [plural(n, TABLES[t].noun, TABLES[t].nouns)
             for t, n in counts.items() if t != leave_out]
    return " and ".join(parts) if len(parts) < 3 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return value.isoformat()


def meeting_label(upcoming: Any, today: date | None = None) -> str:
    """When a next meeting is (:class:`store.Upcoming`): ``overdue since 2025-03-01``,
    ``today 14:00``, ``2025-03-05 10:00``; with ``today``, short and relative (``3d overdue``,
    ``in 2d``) for narrow columns."""
    time = f" {upcoming.time}" if upcoming.time else ""
    if today is not None:
        days = (upcoming.day - today).days
        if days < 0:
            return f"{-days}d overdue"
        return f"today{time}" if days == 0 else f"in {days}d{time}"
    if upcoming.state == "overdue":
        return f"overdue since {day(upcoming.day)}"
    if upcoming.state == "today":
        return f"today{time}"
    return f"{day(upcoming.day)}{time}"


OWNER_LABEL = {"me": "me", "them": "them"}
KIND_MARK = {"action": "▸", "decision": "◆", "agreement": "≡", "goal": "★"}
#: After "Last met" (the people list, ``rapport people``) when a session with them was started
#: and never ended (Prepare's "still open"): the date is the last ended one's, as Prepare says.
OPEN_MARK = "●"


# ---------------------------------------------------------------------- the commands' output
class Emphasis(NamedTuple):
    """A part of a line :func:`out` shows in bold reverse (a search match); escaped like the rest,
    and plain when the output is not a terminal."""

    text: str


def out(*parts: str | Emphasis, err: bool = False, nl: bool = True) -> None:
    """Writes ``parts`` as one line (to stderr with ``err``), each passed through
    :func:`store.text.visible` first: no text from a record reaches the terminal as a control."""
    line = "".join(click.style(visible(p.text), bold=True, reverse=True)
                   if isinstance(p, Emphasis) else visible(p) for p in parts)
    click.echo(line, err=err, nl=nl)


def out_wrapped(text: str, *, indent: int, width: int | None = None) -> None:
    """Writes ``text`` as :func:`out` does; in a terminal narrower than it (``width``, by
    default the terminal's when standard output is one), broken at spaces into lines that fit,
    each after the first indented by ``indent`` (under the text its first line leads with), so
    the terminal never breaks a word. Output to a pipe or a file is one line, as it was."""
    shown = visible(text)
    width = width or terminal_width()
    if not width:
        out(shown)
        return
    for n, line in enumerate(wrap_cells(shown, width, rest=width - indent, keep_spaces=True)):
        out(" " * indent + line if n else line)


#: The version of a ``--json`` document's shape, written beside its records (docs/json.md).
#: It changes when a field is removed, renamed or changes its type or meaning; new fields may
#: appear without it changing.
JSON_VERSION = 1


def out_json(key: str, records: Any, *, version: int = JSON_VERSION) -> None:
    """Writes a command's ``--json`` document, ``{"version": 1, key: records}``, indented, with
    every control escaped (:func:`store.text.json_text`). ``key`` names what the records are
    (``"sessions"``, ``"session"``, ``"people"``): each command's document is described in
    ``docs/json.md``, whose test checks the real output against it."""
    click.echo(json_text({"version": version, key: records}, indent=2))


#: Narrower than this, a table's last column of free text (an item's text, a title) is not
#: worth cutting: with ``last_below`` it goes on its own lines under its row instead.
BELOW_UNDER = 30
#: How far those lines are indented.
BELOW_INDENT = 4


def table(header: Sequence[str], rows: Iterable[Sequence[str]], *,
          right: Sequence[int] = (), free: Sequence[int] = (),
          width: int | None = None, last_below: bool = False) -> None:
    """Columns padded to their widest cell (``right``: the columns aligned right); each cell on
    one line (runs of whitespace become one space) and escaped before it is measured, in
    terminal cells (a CJK character takes two); the last column is never padded.

    ``free``: the columns of free text (names, titles, an item's text) that may be cut to fit
    ``width``, by default the terminal's when standard output is one; ids, dates and counts
    never are, and output to a file or a pipe never is. The widest free column gives way first
    (see :func:`fit`); a cut cell ends in "…". Too narrow even then, the terminal wraps.

    ``last_below``: the last column is the one to read (an item's text, a title). When fitting
    would cut it under :data:`BELOW_UNDER` cells, it goes whole under its row instead,
    indented and wrapped at word breaks, and the other columns share the width."""
    from rich.cells import cell_len, set_cell_size

    lines = _lines(header, rows)
    widths = _widths(lines)
    if width is None and free:
        width = terminal_width()
    below = False
    if width:
        floors = [min(w, max(cell_len(header[i]), 6)) if i in free else w
                  for i, w in enumerate(widths)]
        fitted = fit(widths, floors, width - 2 * (len(widths) - 1))
        last = len(widths) - 1
        below = (last_below and last > 0 and last in free
                 and fitted[last] < min(widths[last], BELOW_UNDER))
        widths = fit(widths[:-1], floors[:-1], width - 2 * (last - 1)) if below else fitted

    def cell(text: str, size: int, i: int) -> str:
        if cell_len(text) > size:
            text = set_cell_size(text, size - 1).rstrip() + "…"
        pad = " " * (size - cell_len(text))
        return pad + text if i in right else text + pad

    for n, line in enumerate(lines):
        cells = [cell(text, size, i) for i, (text, size) in enumerate(zip(line, widths))]
        out("  ".join(cells).rstrip())
        if below and n and line[-1]:
            for part in wrap_cells(line[-1], max(1, (width or 0) - BELOW_INDENT)):
                out(" " * BELOW_INDENT + part)


def wrap_cells(text: str, width: int, *, rest: int | None = None,
               keep_spaces: bool = False) -> list[str]:
    """``text`` (one line) wrapped at spaces into lines of at most ``width`` terminal cells
    (``rest``: the width of the lines after the first); a word wider than its line is broken.
    ``keep_spaces``: runs of spaces inside a line stay as they were (else one space)."""
    import re

    from rich.cells import cell_len, chop_cells

    wrapped: list[str] = []
    lead = text[:len(text) - len(text.lstrip(" "))] if keep_spaces else ""
    lead = lead if len(lead) < width else ""
    current = ""
    room = width - len(lead)
    tokens = re.split(r"( +)", text.strip()) if keep_spaces else text.split()
    gap = " "
    for token in tokens:
        if keep_spaces and token.startswith(" "):
            gap = token
            continue
        if not token:
            continue
        if current and cell_len(current) + cell_len(gap) + cell_len(token) <= room:
            current += gap + token
            continue
        if current:
            wrapped.append(current)
            room = rest if rest is not None else width
        *whole, current = chop_cells(token, max(1, min(room, rest or width)))
        for piece in whole:
            wrapped.append(piece)
            room = rest if rest is not None else width
    if current:
        wrapped.append(current)
    if lead and wrapped:
        wrapped[0] = lead + wrapped[0]
    return wrapped


def _lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[list[str]]:
    """Every cell as :func:`table` shows it: escaped, on one line."""
    return [[" ".join(visible(cell).split()) for cell in row] for row in (header, *rows)]


def _widths(lines: list[list[str]]) -> list[int]:
    from rich.cells import cell_len

    return [max(cell_len(line[i]) for line in lines) for i in range(len(lines[0]))]


def table_width(header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """How wide :func:`table` would print ``rows`` uncut, in terminal cells: a command with a
    narrower layout for a narrow terminal asks this first."""
    widths = _widths(_lines(header, rows))
    return sum(widths) + 2 * (len(widths) - 1)


def fit(widths: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """``widths`` made to add up to ``room`` or less: the widest column that is still above its
    floor loses a cell, again and again (so two long columns end up sharing what is left);
    columns at their floor stay as they are, even if the sum is still over."""
    widths = list(widths)
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def terminal_width() -> int | None:
    """The terminal's width when standard output is one, else None (output to a file or a
    pipe is never cut)."""
    import shutil
    import sys

    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def out_document(data: bytes, fmt: str) -> None:
    """Writes an exported document (UTF-8) to standard output through :func:`out`, like every
    other text. JSON reads back the same: it holds no raw C0 control (``json.dumps`` escapes them),
    and DEL, C1 and bidi controls can only sit inside its strings, where the stand-in
    :func:`store.text.visible` shows for C1 and bidi (``\\u009b``) is their JSON escape; DEL
    gets its own. Written as bytes: when nothing needed a stand-in (every renderer shows controls
    already), the very bytes rendered, not a second encoding of 20 MB through the text stream."""
    rendered = data.decode("utf-8")
    text = visible(rendered.replace("\x7f", "\\u007f") if fmt == "json" else rendered)
    click.echo(data if text == rendered else text.encode("utf-8"), nl=False)
