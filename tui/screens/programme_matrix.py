"""The programme screen's two count tables, sized to the room the screen gives them: the theme x
interviewee matrix (Matrix tab) and the theme x leader table (Leaders tab).

With auto widths the matrix took a quarter of a 160-column terminal, its names clipped to 12
cells all the same: here the theme column is as wide as its longest theme (up to a third of the
width) and stays in place when the table scrolls sideways; the person columns share what is
left, names whole where they fit, counts centred under them, each at most :data:`WIDEST` cells
(or its longest name) wide. Where even names clipped to :data:`NAME_WIDTH` do not fit (many
interviewees at 80 columns) the columns keep that width and the table scrolls sideways. Only
Textual's public DataTable API: ``add_column(width=...)``, ``cell_padding``,
``fixed_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from store import Synthesis, visible
from tui.widgets.browse import clip

NAME_WIDTH = 9  # the least a name column is given before the table scrolls sideways ("Jordan S…")
WIDEST = 24  # the most: a count 70 cells from its theme (a 360's one leader) was hard to read
LABEL_SHARE = 3  # the theme column takes at most 1/LABEL_SHARE of the width


@dataclass(frozen=True)
class Widths:
    label: int  # the theme column
    names: int  # each person's column
    last: int  # the "All" column (0: none)


def fit(width: int, labels: Sequence[str], names: Sequence[str], cells: Sequence[str],
        last: Sequence[str] = (), *, padding: int = 1) -> Widths:
    """Content widths (padding aside) for a table ``width`` cells wide: the ``labels`` column
    (its heading among them), one column per name with ``cells`` in them, and a ``last`` column
    (its heading and cells; none if empty). The name columns share the room left, each at
    most :data:`WIDEST` cells or its longest name. ``width`` 0 (not known yet): as the content
    needs, names clipped to :data:`NAME_WIDTH`."""
    pad = 2 * padding
    widest = max((cell_len(c) for c in cells), default=1)
    label = max((cell_len(t) for t in labels), default=1)
    end = max((cell_len(t) for t in last), default=0)
    longest = max((cell_len(n) for n in names), default=0)
    least = max(widest, min(NAME_WIDTH, longest))
    if width <= 0:  # not laid out yet: as the content needs
        return Widths(label, least, end)
    label = min(label, max(NAME_WIDTH, width // LABEL_SHARE))
    if not names:
        return Widths(label, 0, end)
    room = width - label - pad - (end + pad if last else 0) - pad * len(names)
    each = room // len(names)
    if each < least:
        return Widths(label, least, end)
    return Widths(label, min(each, max(widest, longest, WIDEST)), end)


def fill_matrix(table: DataTable[object], syn: Synthesis, width: int) -> None:
    """The theme x interviewee counts, "·" for none, with an All column; ``width``: the cells
    the table has (0: not known yet, content widths)."""
    themes = [visible(t) for t in syn.themes]
    rows = syn.matrix()
    cells = [str(c) for _, counts in rows for c in (*counts, sum(counts))]
    names = [p.name for p in syn.interviewees]
    w = fit(width, ["Theme", *themes], names, cells, ["All", *cells],
            padding=table.cell_padding)
    table.clear(columns=True)
    table.fixed_columns = 1  # the themes stay when it scrolls sideways
    table.add_column("Theme", key="theme", width=w.label if width else None)
    for person in syn.interviewees:
        table.add_column(Text(clip(person.name, w.names), justify="center"), key=person.id,
                         width=w.names if width else None)  # a Text: not read as markup
    table.add_column(Text("All", justify="right"), key="all", width=w.last if width else None)
    for index, (theme, counts) in enumerate(rows):
        shown = [Text(str(c) if c else "·", justify="center") for c in counts]
        table.add_row(Text(clip(theme, w.label)), *shown,
                      Text(str(sum(counts) or "·"), justify="right"), key=str(index))


def fill_leaders(table: DataTable[object], syn: Synthesis, rows: list[tuple[str, list[Text]]],
                 width: int) -> None:
    """The theme x leader table of ``rows`` (:func:`tui.screens.programme_roster.leader_cells`)
    sized as the matrix."""
    leaders = syn.subjects
    w = fit(width, ["Theme", *(visible(t) for t, _ in rows)], [p.name for p in leaders],
            [c.plain for _, cells in rows for c in cells], padding=table.cell_padding)
    table.clear(columns=True)
    table.fixed_columns = 1
    table.add_column("Theme", key="theme", width=w.label if width else None)
    for leader in leaders:
        table.add_column(Text(clip(leader.name, w.names), justify="center"), key=leader.id,
                         width=w.names if width else None)
    for theme, cells in rows:
        for cell in cells:
            cell.justify = "center"
        table.add_row(Text(clip(theme, w.label)), *cells, key=theme)
