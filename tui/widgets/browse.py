"""Dumb widgets of the browse screens: tables with vim keys. They post messages; screens act."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widgets import DataTable

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text


class BrowseTable(DataTable):
    """A row-cursor DataTable with j/k/g/G on top of DataTable's own keys."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First", show=False),
        Binding("G", "scroll_bottom", "Last", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    def _render_cell(self, row_index: int, column_index: int, base_style, width: int,  # noqa: ANN001
                     cursor: bool = False, hover: bool = False) -> list:
        """DataTable's cell renderer (Textual-internal, pinned), with a shortcut for the common
        cell: one line of text in a one-line row. Textual renders every cell through Rich's
        generic layers (Styled(Padding(Text)) -> render_lines: wrap, join, crop, pad, twice),
        ~2/3 of the home list's first paint; this builds the same segments directly: the text's
        segments, cropped or padded to the column, the cell padding, then the cell's styles,
        cached under Textual's own key. Anything else (headers, labels, tall rows, tabs, line
        breaks, justified text, other renderables) goes to Textual's renderer; both give the
        same segments (tests/test_browse_render.py)."""
        lines = self._render_text_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def _render_text_cell(self, row_index: int, column_index: int, base_style, width: int,  # noqa: ANN001
                          cursor: bool, hover: bool) -> list | None:
        from rich.segment import Segment
        from rich.style import Style
        from rich.text import Text

        if row_index < 0 or column_index < 0:
            return None
        row_key = self._row_locations.get_key(row_index)
        key = (row_key, self._column_locations.get_key(column_index), base_style, cursor, hover,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        padding = self.cell_padding
        if self.rows[row_key].height != 1 or width - 2 * padding < 1:
            return None
        cell = self._get_row_renderables(row_index).cells[column_index]
        if type(cell) is not Text or cell.justify not in (None, "default"):
            return None
        plain = cell.plain
        if "\n" in plain or "\t" in plain:
            return None
        console = self.app.console
        if cell.spans:  # Rich renders the text's own style as a span, as Text.__rich_console__
            segments = list(Text("\n").join([cell]).render(console))
        else:
            segments = [Segment(plain, console.get_style(cell.style) if cell.style else None)]
        line = Segment.adjust_line_length(segments, width - 2 * padding, pad=True)
        if padding:
            line = [Segment(" " * padding), *line, Segment(" " * padding)]
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        lines = [list(Segment.apply_style(line, pre_style + component_style, post_style))]
        cache[key] = lines
        return lines

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


def theme_style(app, variable: str, extra: str = "bold") -> str:
    """A Rich style from the current theme's ``$variable`` (error, warning, success...)."""
    color = getattr(app, "theme_variables", {}).get(variable)
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


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters, an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
