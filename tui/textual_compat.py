"""The one place where Rapport touches Textual's private names.

Textual offers no public hook for what the app does on an unhandled exception: its
``App._fatal_error`` renders a traceback **with local variables** (``show_locals=True``), and the
locals of a Rapport frame hold note text and, during unlocking, the passphrase. The mixin below
replaces that one method. Every private name it uses is listed in :data:`PRIVATE_NAMES`;
``tests/test_textual_compat.py`` fails when Textual renames or reshapes any of them, so an upgrade
says exactly what to re-check here.

textual-serve's ``AppService`` gives no public handle on the app's process either: its
``stop()`` returns when the app closes its output, which can be before the process has exited
(still closing the vault). :func:`served_app_process` is the one reach into it.

Textual keeps what removed widgets drew and held: its private ``StylesCache.get_inner_outer`` is
an ``lru_cache`` on a method, so the last 1,024 ``StylesCache`` objects it saw and every line they
drew stay reachable (Textual issue #6665); and the app's reactive watchers keep every
``TextArea`` ever mounted (its document: a note's text) until the theme next changes, when
Textual prunes closed widgets from them. :func:`forget_removed_widgets` clears the one and
prunes the other as Textual would; Rapport calls it when it locks, so nothing a closed screen
held or drew of the notes outlives the lock.

Textual's ``OptionList`` measures each option's height once, at the width it has then, and
measures again only on a resize: when its vertical scrollbar then appears (a list refilled
with more than fits), an option that took one line without the scrollbar is drawn cut to that
one line beside it, the end of its text lost (a question, an earlier item's due date).
:func:`measure_options_again` forgets those heights; :class:`tui.widgets.options.WrappingOptionList`
calls it whenever the scrollbar comes or goes.

Textual parses every CSS source (the stylesheet, each widget class's default CSS) once per app:
its parse cache belongs to the app's stylesheet. A process that runs hundreds of apps (the
tests) parsed the same sources hundreds of times. :func:`share_parsed_css` keeps what one parse
of a source made, for the theme's variables it was parsed with, for every later stylesheet in
the process; the app never calls it (it runs one app a process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

if TYPE_CHECKING:  # pragma: no cover
    from asyncio.subprocess import Process

    from rich.console import RenderableType
    from textual.widgets import OptionList
    from textual_serve.app_service import AppService

#: Textual's private names used below: (attribute of ``App``, what Rapport relies on).
PRIVATE_NAMES = (
    ("_fatal_error", "called with no argument on an unhandled exception; renders a traceback"),
    ("_exit_renderables", "a list; what is in it is printed once the terminal is restored"),
    ("_close_messages_no_wait", "stops the app at once, without processing the queue"),
)

#: textual-serve's private names used below, as above (attribute of ``AppService``).
SERVE_PRIVATE_NAMES = (
    ("_process", "the app's asyncio Process, set by start(); None before it"),
)


#: Textual's private names :func:`forget_removed_widgets` uses: (name, what Rapport relies on).
FORGET_PRIVATE_NAMES = (
    ("textual._styles_cache.StylesCache.get_inner_outer",
     "an lru_cache on a method: keeps each StylesCache (and its drawn lines) it saw"),
    ("__watchers", "an attribute of a reactable: {reactive name: [(watching node, callback)]}"),
    ("_closing", "True on a node that is closing or closed (Textual prunes watchers by it)"),
)


#: Textual's private name :func:`measure_options_again` uses, as above (of ``OptionList``).
OPTIONS_PRIVATE_NAMES = (
    ("_clear_caches", "forgets each option's measured height and drawn lines, and refreshes"),
)


#: Textual's private names :func:`share_parsed_css` uses, as above (of ``Stylesheet``).
CSS_PRIVATE_NAMES = (
    ("_parse_rules", "(css, read_from, is_default_rules, tie_breaker, scope): the rules of one "
                     "source, parsed with the stylesheet's variables; kept by each stylesheet and "
                     "reused by it (a parsed rule is not changed after)"),
    ("_variables", "the variables (name: value) the stylesheet parses with: a theme's"),
)

_shared_rules: "dict[tuple[Any, ...], Any]" = {}


def share_parsed_css() -> None:
    """From now on in this process, each CSS source is parsed once for a set of variables (a
    theme's), whatever stylesheet (whatever app) asks: what Textual's own cache does within one
    stylesheet. A source that fails to parse is not kept, so each asking fails as before."""
    from textual.css.stylesheet import Stylesheet

    parse = Stylesheet._parse_rules
    if getattr(parse, "shared", False):
        return

    def shared(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
               tie_breaker: int = 0, scope: str = "") -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               tuple(self._variables.items()))
        try:
            return _shared_rules[key]
        except KeyError:
            rules = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
            _shared_rules[key] = rules
            return rules

    shared.shared = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = shared  # type: ignore[method-assign]


def measure_options_again(options: "OptionList") -> None:
    """Makes ``options`` measure and draw its options again at its present width."""
    options._clear_caches()


def forget_drawn_lines() -> None:
    """Clears Textual's cache that keeps removed widgets' drawn lines reachable."""
    from textual._styles_cache import StylesCache

    StylesCache.get_inner_outer.cache_clear()


def forget_removed_widgets(app: "App[Any]") -> None:
    """Lets go of what removed widgets drew and held (note text among it) that Textual keeps
    reachable: the drawn-lines cache, and the app's watchers that name a closed widget (a
    ``TextArea`` watches the app's theme). Widgets still mounted keep theirs; the next
    collection frees the rest."""
    forget_drawn_lines()
    watchers: dict[str, list[tuple[object, object]]] = getattr(app, "__watchers", {})
    for name, watching in watchers.items():
        watching[:] = [(node, callback) for node, callback in watching
                       if not getattr(node, "_closing", False)]


def served_app_process(service: "AppService") -> "Process | None":
    """The process textual-serve started for the app (``None`` before ``start``), so that the
    server can wait until it has exited, not only closed its output."""
    return service._process


class QuietCrash(App[None]):
    """An App whose unhandled exceptions print :meth:`crash_message`, never a traceback."""

    def crash_message(self) -> "RenderableType":
        """What is printed on the terminal after a crash. Subclasses say it in their words."""
        return "error: the app stopped unexpectedly."

    def before_crash_exit(self) -> None:
        """Best-effort work before the app stops after a crash (saving, say). Must not raise."""

    def _fatal_error(self) -> None:
        """Textual's crash handler, without the traceback and its local variables."""
        try:
            self.before_crash_exit()
        except Exception:  # noqa: BLE001 - best effort while crashing; never a second traceback
            pass
        self.bell()
        self._exit_renderables.append(self.crash_message())
        self._close_messages_no_wait()
