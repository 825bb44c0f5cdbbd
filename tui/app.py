"""The Rapport app: one stylesheet, screens that own behaviour, a store handed in after unlock."""

from __future__ import annotations

import gc
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from store import Paths
from tui.config import Config

if TYPE_CHECKING:  # pragma: no cover
    from guides.loader import Catalog
    from store import KdfParams
    from store import Store


STYLESHEET = Path(__file__).parent / "rapport.tcss"
#: Where the rules for the unlock screen end in ``rapport.tcss``: what follows styles only the other
#: screens and is parsed after the unlock screen's first frame (or when another screen is shown
#: first), so cold start does not pay for it. Without the mark the whole file is parsed up front.
DEFERRED_CSS_MARK = "/* ---- after unlock"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def split_stylesheet(text: str) -> tuple[str, str]:
    """The unlock screen's part of the stylesheet and the rest; the rest keeps its line numbers
    (blank lines stand in for the first part), so errors still name the file's lines."""
    at = text.find(DEFERRED_CSS_MARK)
    if at < 0:
        return text, ""
    return text[:at], "\n" * text.count("\n", 0, at) + text[at:]


class RapportApp(App[None]):
    # rapport.tcss is read in __init__ (in two parts, see DEFERRED_CSS_MARK), not through CSS_PATH.
    TITLE = "Rapport"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f12", "privacy", "Hide", id="privacy", priority=True),
        Binding("ctrl+l", "lock", "Lock", id="lock", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, *, paths: Paths, config: Config | None = None,
                 config_warning: str | None = None, start: dict | None = None,
                 kdf: "KdfParams | None" = None, allow_weak: bool = False,
                 clock: Callable[[], datetime] | None = None, gc_paused: bool = False) -> None:
        super().__init__()
        first, self._deferred_css = split_stylesheet(STYLESHEET.read_text(encoding="utf-8"))
        self.stylesheet.add_source(first, read_from=(str(STYLESHEET), ""))
        self._gc_paused = gc_paused
        self._starting = True  # until the unlock screen is drawn, footer keys and all
        self.paths = paths
        self.config = config or Config()
        self.config_warning = config_warning
        self.start_request = start
        self.kdf = kdf
        self.allow_weak = allow_weak
        self.clock: Callable[[], datetime] = clock or _utc_now
        self.store: Store | None = None
        self._catalog: Catalog | None = None
        self._last_activity = self.clock()
        self._privacy_on = False
        self._home_ahead: Screen | None = None  # see prepare_home

    # ------------------------------------------------------------------ startup
    def get_default_screen(self) -> Screen:
        """The unlock screen is the first screen itself, not pushed over a blank default one: a
        layout and a render fewer (the first of them thrown away in Textual's start-up batch)
        before its first frame. Unlocking switches it for the home screen."""
        from tui.screens.unlock import UnlockScreen

        screen = UnlockScreen(create=not self.paths.vault.exists())
        # Textual's switch_screen drops the result callback that push_screen gives a screen; the
        # default screen was never pushed, so it gets one here (else switching it raises).
        screen._push_result_callback(self, None)
        return screen

    def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)
        if self.config_warning:
            self.notify(self.config_warning, title="Settings", severity="warning", timeout=10)
        self.set_interval(5.0, self.check_idle_lock, name="idle-lock")
        self.set_timer(3.0, self.startup_timeout)

    def _display(self, screen: Screen, renderable) -> None:  # noqa: ANN001 - Textual's
        """Where Textual writes each frame (nothing while a batch update is open). Start-up ends
        with the unlock screen's first frame showing its footer keys: Textual's footer fills in
        a refresh after the screen's first frame, and the work left for after start-up would
        only delay it."""
        super()._display(screen, renderable)
        if self._starting and renderable is not None and not self._batch_count:
            from tui.screens.unlock import UnlockScreen

            if isinstance(screen, UnlockScreen) and screen.footer_filled():
                self._starting = False
                self.call_later(self.first_frame_shown, screen)

    def first_frame_shown(self, screen: Screen) -> None:
        """The unlock screen is on the terminal: now the work left out to get it there quickly,
        then the unlock screen's preload (crypto and database modules, guides)."""
        self.end_startup()
        preload = getattr(screen, "preload", None)
        if preload is not None and screen.is_current:
            preload()

    def startup_timeout(self) -> None:
        """In case no such frame is ever written (never seen): start-up ends anyway. (Once
        ``_starting`` is False, end_startup has run or is queued.)"""
        if self._starting:
            self.first_frame_shown(self.screen)

    def end_startup(self) -> None:
        """Resumes the cyclic GC (if run_app paused it) and loads the rest of the stylesheet.
        Idempotent; also reached by unlocking before any frame (tests) or startup_timeout."""
        self._starting = False
        if self._gc_paused:
            # Paused for start-up (imports, first layout): what exists now lives for the
            # session, so it leaves the collector's view before collection resumes.
            self._gc_paused = False
            gc.freeze()
            gc.enable()
        self.load_deferred_css()

    def load_deferred_css(self) -> None:
        """Adds the rules for the screens after unlock (see DEFERRED_CSS_MARK). Idempotent."""
        if not self._deferred_css:
            return
        css, self._deferred_css = self._deferred_css, ""
        self.stylesheet.add_source(css, read_from=(str(STYLESHEET), "after-unlock"))
        self.stylesheet.update(self)

    def _before_showing(self, screen: Screen | str) -> None:
        from tui.screens.unlock import UnlockScreen

        if not isinstance(screen, UnlockScreen):
            self.load_deferred_css()

    def push_screen(self, screen, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - Textual's
        self._before_showing(screen)
        return super().push_screen(screen, *args, **kwargs)

    def switch_screen(self, screen):  # noqa: ANN001 - Textual's signature
        self._before_showing(screen)
        return super().switch_screen(screen)

    @property
    def catalog(self) -> "Catalog":
        if self._catalog is None:
            from guides.loader import load_catalog

            self._catalog = load_catalog(self.paths.guides_dir)
        return self._catalog

    def prepare_home(self) -> None:
        """Builds the home screen (compose, mount, styles, footer) before unlocking: the unlock
        screen calls it once its preload is done, while the passphrase is typed (else when the
        key derivation starts). Unlocking then only fills in its first rows and shows it; it
        holds no data until then. Textual starts a screen when it is first pushed or switched
        to (App._get_screen registers it); this registers it ahead, off the screen stack, and
        switch_screen then finds it registered. Textual-internal (App._register): covered by
        tests/test_unlock_handover.py."""
        if self.store is not None or self._home_ahead is not None:
            return
        from tui.screens.home import HomeScreen

        self.load_deferred_css()
        screen = HomeScreen()
        self._register(self, screen)
        screen.built_ahead()
        self._home_ahead = screen

    def unlocked(self, store: "Store", first_rows: list | None = None) -> None:
        """Called by the unlock screen once the key is derived (with the home list's first
        rows, when it read them)."""
        self.store = store
        self._last_activity = self.clock()
        self.end_startup()
        gc.freeze()  # what exists now lives for the session: keep it out of every full collection
        from tui.screens.home import HomeScreen

        screen, self._home_ahead = self._home_ahead, None
        if isinstance(screen, HomeScreen) and screen.is_attached:
            screen.show_first(first_rows)  # (or on its mount, when it is still being composed)
        else:
            screen = HomeScreen(first_rows)
        self.switch_screen(screen)
        for path, reason in self.catalog.broken:
            self.notify(f"{path}: {reason}", title="Guide not loaded", severity="warning",
                        timeout=10)
        request, self.start_request = self.start_request, None
        if request:
            self.call_after_refresh(self.start_session_from_request, request)

    def start_session_from_request(self, request: dict) -> None:
        from tui.screens.session import SessionScreen

        if not request["guide"] and self.store is not None:  # rapport new --with NAME alone
            request = {**request, "guide": self.store.default_guide(request["person"]) or ""}
        guide = self.catalog.get(request["guide"])
        if guide is None or self.store is None:
            self.notify(f"no guide {request['guide']!r}", severity="error")
            return
        if request.get("minutes"):  # the slot: rapport new --minutes N
            guide = guide.scaled(request["minutes"])
        person = self.store.get_or_add_person(request["person"])
        session = self.store.start_session(person.id, guide.to_snapshot(), title=request.get("title", ""))
        self.push_screen(SessionScreen(session.id))

    # ------------------------------------------------------------------ activity, idle lock
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self._last_activity = self.clock()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        minutes = self.config.idle_lock_minutes
        if self.store is None or not minutes:
            return
        idle = (self.clock() - self._last_activity).total_seconds()
        if idle >= minutes * 60:
            self.run_worker(self.action_lock(reason="locked after being idle"), exclusive=True,
                            group="lock")

    def flush_all(self) -> None:
        """Asks every open screen to save what it holds (notes, timer)."""
        for screen in reversed(self.screen_stack):
            flush = getattr(screen, "flush", None)
            if flush is not None:
                flush()

    async def action_lock(self, reason: str = "locked") -> None:
        if self.store is None:
            return
        self.flush_all()
        store, self.store = self.store, None
        store.close()
        from tui.screens.unlock import UnlockScreen

        while len(self.screen_stack) > 1:  # down to the home screen, the bottom one
            await self.pop_screen()
        await self.switch_screen(UnlockScreen(create=False, message=reason))

    async def action_quit(self) -> None:
        self.flush_all()
        if self.store is not None:
            self.store.close()
            self.store = None
        self.exit()

    # ------------------------------------------------------------------ help, privacy
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_privacy(self) -> None:
        from tui.screens.help import PrivacyScreen

        if isinstance(self.screen, PrivacyScreen):
            self.pop_screen()
        else:
            self.push_screen(PrivacyScreen())

    # ------------------------------------------------------------------ command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title.lower() in {"screenshot", "save screenshot"}:
                continue  # a screenshot would write the notes to disk in plaintext
            yield command
        yield SystemCommand("Help", "Keys and how Rapport works (F1)", self.action_help)
        yield SystemCommand("Privacy screen", "Hide everything until pressed again (F12)",
                            self.action_privacy)
        if self.store is not None:
            yield SystemCommand("Lock", "Save, drop the keys and go back to unlock (ctrl+l)",
                                lambda: self.run_worker(self.action_lock()))
        extra = getattr(screen, "commands", None)
        if extra is not None:
            yield from extra()

    # ------------------------------------------------------------------ crashes
    def _fatal_error(self) -> None:
        """Never print a traceback with locals (they hold note text): one plain line instead."""
        from rich.text import Text

        try:
            self.flush_all()
        except Exception:  # noqa: BLE001 - saving is best effort while crashing
            pass
        self.bell()
        self._exit_renderables.append(Text(
            "rapport: error: an unexpected error stopped the app. Notes were saved up to the "
            "last autosave; nothing else is shown here to keep them private."))
        self._close_messages_no_wait()
