"""Textual's private names: used in ``tui/textual_compat.py`` alone, and each one still there and
shaped as that module relies on (these fail when an upgrade of Textual changes one)."""

from __future__ import annotations

import ast
import gc
import inspect
import re
from pathlib import Path

import pytest
import textual
import textual_serve
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import OptionList, Static, TextArea
from textual_serve.app_service import AppService

from tui import textual_compat
from tui.widgets.options import WrappingOptionList
from apptools import held_by

TUI = Path(__file__).resolve().parent.parent / "tui"
DEFINED = re.compile(r"(?:def\s+|self\.|^\s+)(_[a-z]\w*)\s*(?:\(|:|=)", re.MULTILINE)


def textual_private_names() -> set[str]:
    """Every ``_name`` Textual defines (methods, attributes set on self, class attributes)."""
    names: set[str] = set()
    for package in (textual, textual_serve):
        for path in Path(package.__file__).parent.rglob("*.py"):
            names.update(DEFINED.findall(path.read_text(encoding="utf-8")))
    return names


def uses(tree: ast.AST) -> set[str]:
    """``_names`` a module reads or writes as attributes (of anything but an imported module),
    or defines as methods of a class."""
    modules = {(alias.asname or alias.name).split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id in modules):  # os._exit
                found.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            found.update(item.name for item in node.body
                         if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return {name for name in found if name.startswith("_") and not name.startswith("__")}


def test_only_the_compat_module_touches_textual_private_names():
    private = textual_private_names()
    assert {"_fatal_error", "_display", "_register", "_render_cell"} <= private  # it finds them
    offenders = {}
    for path in sorted(TUI.rglob("*.py")):
        if path.name == "textual_compat.py":
            continue
        touched = uses(ast.parse(path.read_text(encoding="utf-8"))) & private
        if touched:
            offenders[str(path.relative_to(TUI.parent))] = sorted(touched)
    assert offenders == {}


def test_the_serve_private_name_is_still_the_app_process():
    for name, _why in textual_compat.SERVE_PRIVATE_NAMES:
        assert f"self.{name} = process = await asyncio.create_subprocess" in \
            inspect.getsource(AppService._open_app_process), name
    service = AppService("true", write_bytes=None, write_str=None, close=None,
                         download_manager=None)  # type: ignore[arg-type]
    assert textual_compat.served_app_process(service) is None


def test_every_private_name_listed_is_one_textual_still_has():
    app = App()
    for name, _why in textual_compat.PRIVATE_NAMES:
        assert hasattr(app, name), name
    assert isinstance(app._exit_renderables, list)
    assert list(inspect.signature(App._fatal_error).parameters) == ["self"]
    assert list(inspect.signature(App._close_messages_no_wait).parameters) == ["self"]
    # the crash path still goes through the method the mixin replaces
    assert "self._fatal_error()" in inspect.getsource(App._handle_exception)


def test_the_mixin_uses_no_private_name_it_does_not_list():
    source = inspect.getsource(textual_compat.QuietCrash)
    used = uses(ast.parse(source)) & textual_private_names()
    assert used == {name for name, _ in textual_compat.PRIVATE_NAMES}


def drawn(text: str) -> int:
    """How many lines Textual drew that hold ``text`` are still alive, after a full collection."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Strip) and text in thing.text)


async def test_forget_removed_widgets_lets_go_of_what_a_closed_screen_drew_and_held():
    """Textual keeps the lines a popped screen drew (an ``lru_cache`` on a method) and its text
    areas (the app's theme watchers): these assertions fail once Textual stops doing either
    (then that half of the function, and of this test, can go). The function lets them go."""
    from textual._styles_cache import StylesCache

    names = [name for name, _ in textual_compat.FORGET_PRIVATE_NAMES]
    assert names[0] == f"{StylesCache.__module__}.StylesCache.get_inner_outer"
    assert callable(StylesCache.get_inner_outer.cache_clear)

    class Shown(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("a line only this screen draws")
            yield TextArea("a note only this screen holds")

    app = App()
    async with app.run_test(size=(40, 8)) as pilot:
        await app.push_screen(Shown())
        await pilot.pause()
        watchers = getattr(app, names[1])["theme"]
        assert [type(node) for node, _callback in watchers] == [TextArea]
        assert drawn("only this screen draws") and held_by(app, (TextArea,))
        await app.pop_screen()
        await pilot.pause()
        assert getattr(watchers[0][0], names[2]) is True  # closed, still watching
        assert drawn("only this screen draws"), "Textual no longer keeps them: drop the clear"
        assert held_by(app, (TextArea,)), "Textual no longer keeps it: drop the pruning"
        textual_compat.forget_removed_widgets(app)
        assert not drawn("only this screen draws") and not held_by(app, (TextArea,))
        assert watchers == []


async def test_a_refilled_option_list_keeps_each_option_whole_beside_its_new_scrollbar():
    """Textual measures an option's height at the width the list had when it was added: refilled
    with more than fits, the scrollbar that appears takes two columns, and an option that took
    one line without it is drawn cut (the first assertion fails once Textual measures again by
    itself: then the shim can go). Measured again, it keeps its second line."""
    [(name, _why)] = textual_compat.OPTIONS_PRIVATE_NAMES
    assert list(inspect.signature(getattr(OptionList, name)).parameters) == ["self"]
    whole = "x" * 40  # one line of a 42-column list, two beside a scrollbar

    class Lists(App[None]):
        CSS = "OptionList { width: 44; height: auto; max-height: 5; }"

        def compose(self) -> ComposeResult:
            yield OptionList("short", id="plain")
            yield WrappingOptionList("short", id="wrapping")

    app = Lists()
    async with app.run_test(size=(90, 12)) as pilot:
        shown = {}
        for fill in ([whole, "a", "b", "c"], [whole, "a", "b", "c", "d", "e"]):  # then it scrolls
            for options in app.query(OptionList):
                options.clear_options()
                options.add_options(fill)
            await pilot.pause()
        await pilot.pause()
        for options in app.query(OptionList):
            assert options.show_vertical_scrollbar
            shown[options.id] = [options.render_line(y).text.strip() for y in range(3)]
    assert shown["plain"] == ["x" * 38, "a", "b"], "Textual measures again now: drop the shim"
    assert shown["wrapping"] == ["x" * 38, "xx", "a"]


def test_a_css_source_is_parsed_once_for_a_theme_s_variables_whatever_the_stylesheet():
    """Shared (the suite shares them: tests/conftest.py), two stylesheets with the same variables
    get the one parse of a source; other variables parse it again, as they resolve it; CSS that
    does not parse fails for each stylesheet that asks."""
    from textual.css.stylesheet import Stylesheet
    from textual.css.tokenizer import TokenError

    names = [name for name, _ in textual_compat.CSS_PRIVATE_NAMES]
    textual_compat.share_parsed_css()
    textual_compat.share_parsed_css()  # once is enough: not wrapped twice
    parse = getattr(Stylesheet, names[0])
    assert list(inspect.signature(parse).parameters) == [
        "self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]
    css, where = "Static { color: $accent; }", ("test_textual_compat.py", "shared")

    def rules(accent: str):
        sheet = Stylesheet(variables={"accent": accent})
        assert getattr(sheet, names[1]) == {"accent": accent}
        return parse(sheet, css, read_from=where)

    red = rules("#ff0000")
    assert rules("#ff0000") is red
    blue = rules("#0000ff")
    assert blue is not red
    assert [r.styles.color.hex for r in (*red, *blue)] == ["#FF0000", "#0000FF"]
    for _ in range(2):
        with pytest.raises(TokenError):
            parse(Stylesheet(), "Static { color: $nowhere; }", read_from=where)
