"""BrowseTable renders one-line text cells itself (a shortcut past Rich's generic layers, for the
first paint of the home list): it must give exactly the segments Textual's DataTable gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.markup import escape
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.widgets.browse import BrowseTable

# letters of every width, markup brackets, spaces, and the characters that send a cell back to
# Textual's own renderer (tab, line break)
ALPHABET = st.sampled_from(list("ab Zé[]/=#") + ["陈", "美", "😀", "ß", "\t", "\n", "\u3000"])
STYLES = st.sampled_from(["", "bold", "italic red", "bold #ff0000", "on blue", "underline"])


@st.composite
def cells(draw):  # noqa: ANN001, ANN201 - a hypothesis strategy
    text = draw(st.text(ALPHABET, max_size=24))
    kind = draw(st.sampled_from(["str", "markup", "text", "spans", "none"]))
    if kind == "str":  # DataTable reads a string as markup
        return escape(text)
    if kind == "markup":
        return f"[b]{escape(text)}[/b] x"
    if kind == "none":
        return None
    cell = Text(text, style=draw(STYLES), end=draw(st.sampled_from(["", "\n"])),
                justify=draw(st.sampled_from([None, None, "left", "right"])))
    if kind == "spans" and text:
        start = draw(st.integers(0, len(text) - 1))
        cell.stylize(draw(STYLES) or "bold", start, draw(st.integers(start + 1, len(text))))
    return cell


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield BrowseTable(id="t")


async def test_text_cells_render_as_textual_renders_them() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 10)):
        table = app.query_one(BrowseTable)
        shortcut = []

        @settings(max_examples=300, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(row=st.lists(cells(), min_size=1, max_size=3), width=st.integers(1, 30),
               padding=st.integers(0, 2), cursor=st.booleans(), hover=st.booleans(),
               base=st.sampled_from([Style(), Style(bgcolor="red"), Style(bold=True, color="green")]))
        def same(row, width, padding, cursor, hover, base) -> None:  # noqa: ANN001
            table.clear(columns=True)
            table.cell_padding = padding
            for n in range(len(row)):
                table.add_column(f"c{n}")
            table.add_row(*row)
            for column in range(len(row)):
                args = (0, column, base, width, cursor, hover)
                table._cell_render_cache.clear()
                fast = table._render_text_cell(*args)
                mine = table._render_cell(*args)
                table._cell_render_cache.clear()
                textual = DataTable._render_cell(table, *args)
                assert mine == textual, (row[column], width, padding)
                if fast is not None:
                    shortcut.append(row[column])
                    assert mine is table._render_cell(*args) or mine == table._render_cell(*args)

        same()
        # the shortcut was taken, for plain and styled cells alike (else this compared nothing)
        assert any(isinstance(c, str) for c in shortcut)
        assert any(isinstance(c, Text) and c.spans for c in shortcut)
        assert any(isinstance(c, Text) and c.style and not c.spans for c in shortcut)


async def test_headers_and_tall_rows_are_left_to_textual() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 10)):
        table = app.query_one(BrowseTable)
        table.add_column("name")
        table.add_row("Zoë", height=2)
        assert table._render_text_cell(-1, 0, Style(), 10, False, False) is None  # header
        assert table._render_text_cell(0, 0, Style(), 10, False, False) is None  # two lines tall
        table.add_row("Łukasz")
        assert table._render_text_cell(1, 0, Style(), 10, False, False) is not None
