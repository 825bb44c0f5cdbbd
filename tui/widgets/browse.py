"""Dumb widgets of the browse screens: tables with vim keys. They post messages; screens act."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator

from rich.cells import cell_len, chop_cells
from rich.console import Console
from rich.text import Text
from textual.binding import Binding
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType

from store import CONTROLS, visible
from tui.format import meeting_label


class BrowseTable(DataTable[Any]):
    """A row-cursor DataTable with j/k/g/G on top of DataTable's own keys; Home and End go to
    the first and last row too (DataTable's own scroll sideways, which a list of rows never
    needs: they did nothing)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", id="list-down", show=False),
        Binding("k", "cursor_up", "Up", id="list-up", show=False),
        Binding("g,home", "scroll_top", "First", id="list-first", show=False),
        Binding("G,end", "scroll_bottom", "Last", id="list-last", show=False),
    ]

    def __init__(self, *, id: str | None = None, cursor_type: CursorType = "row",
                 zebra_stripes: bool = True) -> None:
        super().__init__(id=id, cursor_type=cursor_type, zebra_stripes=zebra_stripes)

    @contextmanager
    def refilled(self, *columns: str) -> Iterator["BrowseTable"]:
        """Empties the table and sets its ``columns`` for the rows added in the ``with`` block;
        then the cursor is back on the same row number (the last row, when there are fewer)."""
        current = self.cursor_row
        self.clear(columns=True)
        self.add_columns(*columns)
        yield self
        self.measure_columns()
        if self.row_count:
            self.move_cursor(row=min(current, self.row_count - 1))

    def measure_columns(self) -> None:
        """Each column as wide as its widest cell now, not at the table's next idle: a row
        drawn before then (a resize refills the tables and draws them at once) was cut to the
        column labels' widths ("at-ris  Jordan") and stayed so, the table keeping the line
        drawn until its cursor moved. (DataTable measures the same at idle: nothing changes.)"""
        console = self.app.console
        for key, column in self.columns.items():
            widest = max((measure(console, cell, 1) for cell in self.get_column(key)),
                         default=0)
            column.content_width = max(column.content_width, widest)

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None,
                label: Any = None) -> Any:
        """DataTable's, with any control character in a cell shown as its stand-in first
        (:func:`store.text.visible`): a name imported with ``ESC ] 0 ;`` is measured as it is
        drawn, so its row keeps to the columns (the app's line filter would show the stand-ins,
        but after the row was laid out with them zero cells wide)."""
        return super().add_row(*map(shown, cells), height=height, key=key, label=label)

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


def shown(cell: Any) -> Any:
    """A table cell with its control characters as stand-ins (a Text keeps its style and
    justification; its spans only when there was nothing to replace); a str as a Text, as
    written (a DataTable reads a str cell as markup: "[red]" in a name would style it)."""
    if isinstance(cell, str):
        return Text(visible(cell))
    if isinstance(cell, Text) and CONTROLS.search(cell.plain):
        return Text(visible(cell.plain), style=cell.style, justify=cell.justify)
    return cell


def theme_style(app, variable: str, extra: str = "bold") -> str:
    """A Rich style in the current theme's text colour for ``variable`` (error, warning,
    success...): ``$text-error``, which reads at AA (tui/contrast.py), not ``$error``."""
    variables = getattr(app, "theme_variables", {})
    color = variables.get(f"text-{variable}") or variables.get(variable)
    return f"{extra} {color}".strip() if color else (extra or "bold")


def due_cell(app, due, overdue: bool) -> "Text":
    """An item's due date; an overdue one marked with ``!`` in the theme's error colour."""
    from rich.text import Text

    from tui import format as fmt

    if due is None:
        return Text("")
    if overdue:
        return Text(f"{fmt.day(due)} !", style=theme_style(app, "error"))
    return Text(fmt.day(due))


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells, an ellipsis when cut. Cells, not
    characters: a name in CJK or with an emoji takes two a character, and cut by count it
    overflowed its column."""
    if cell_len(text) <= width:
        return text
    if width < 2:
        return "…"[:max(0, width)]
    return chop_cells(text, width - 1)[0] + "…"


def cut_left(text: str, width: int) -> str:
    """:func:`cut` from the start: the end of ``text`` in at most ``width`` cells, an ellipsis
    before it when cut (a search result's text before its match)."""
    if cell_len(text) <= width:
        return text
    if width < 2:
        return "…"[:max(0, width)]
    kept, cells = len(text), 0
    while kept > 0 and cells + cell_len(text[kept - 1]) <= width - 1:
        kept -= 1
        cells += cell_len(text[kept])
    return "…" + text[kept:]


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` terminal cells (:func:`cut`), an ellipsis when cut;
    control characters as their stand-ins (``BEL`` as ``␇``: a Rich Text would drop it
    without a trace)."""
    return cut(" ".join(visible(text).split()), width)


def wrapped(console: Console, text: str, width: int, most: int = 4, style: str = "") -> Text:
    """``text`` on at most ``most`` lines of ``width`` cells (``console``'s measure), an
    ellipsis when cut: in a table row as high as its lines, an item is read whole where one
    line cut it (at 80 columns, to 26 characters)."""
    lines = [piece.plain.strip() for piece in
             Text(" ".join(visible(text).split())).wrap(console, max(1, width))]
    if len(lines) > most:
        lines = [*lines[:most - 1], clip(" ".join(lines[most - 1:]), width)]
    return Text("\n".join(lines), style=style)


MEETING_STYLE = {"overdue": "error", "today": "warning"}


def meeting_text(app: Any, upcoming: Any, today: date | None = None) -> "Text":
    """:func:`meeting_label` in the theme's style for its state: overdue in the error colour,
    today in the warning colour."""
    from rich.text import Text

    if upcoming is None:
        return Text("")
    style = MEETING_STYLE.get(upcoming.state)
    return Text(meeting_label(upcoming, today), style=theme_style(app, style) if style else "")
