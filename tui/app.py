"""The Rapport app: one stylesheet, screens that own behaviour, a store handed in after unlock.

Built by :func:`tui.launch.make_app` (the launcher, the tests and the bench use that one factory).
The unlock screen is the app's default screen: unlocking pushes the home screen over it, locking
pops every screen back down to it. Each key goes through :mod:`tui.key_order` first, so keys are
acted on in the order they were typed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.segment import Segment
from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen

from store import Paths, visible
from tui import key_order
from tui.commands import Command, RapportCommands
from tui.config import Config
from tui.contrast import ReadableDim, readable_variables
from tui.state import State
from tui.textual_compat import QuietCrash, forget_removed_widgets

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType

    from guides.loader import Catalog
    from store import KdfParams
    from store import Store
    from tui.launch import Heap
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.home import Row

#: After SIGHUP or SIGTERM has closed the vault, how long Textual's shutdown may take before the
#: process ends without it (see :meth:`RapportApp.handle_signals`).
EXIT_GRACE = 3.0

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def refusal(features: frozenset[str] | set[str]) -> str | None:
    """Why the app must not start with these Textual features (or this environment), if so.

    Textual's developer tools see every message and log line, and ``TEXTUAL_LOG`` appends them
    to a file: both would carry the passphrase and the notes as they are typed."""
    from textual import constants

    if "devtools" in features:
        return ("Textual's developer tools are on (TEXTUAL=devtools, or 'textual run --dev'): "
                "they would show the passphrase and every note; start rapport without them")
    if constants.LOG_FILE:
        return ("TEXTUAL_LOG is set: Textual would write every key typed to that file; "
                "unset it to start rapport")
    return None


class ShowControls(LineFilter):
    """Shows control characters in whatever is drawn as visible stand-ins (``\x1b`` as ``␛``,
    :func:`store.text.visible`), each line cut back to its width.

    Textual writes the text of every widget to the terminal as it is: a name imported with
    ``\x1b]2;...`` would set the terminal's title, ``\x1b[31m`` its colours. Every line of every
    widget (notes, names, notifications, the palette) passes through here on its way out."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        from store import CONTROLS, visible

        if not any(CONTROLS.search(text) for text, _, control in segments if not control):
            return segments
        width = Segment.get_line_length(segments)
        shown = [Segment(visible(text), style) if not control and CONTROLS.search(text)
                 else Segment(text, style, control) for text, style, control in segments]
        return Segment.adjust_line_length(shown, width)


class RapportApp(QuietCrash):
    CSS_PATH = Path(__file__).parent / "rapport.tcss"  # absolute: subclasses live elsewhere
    TITLE = "Rapport"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = QuietCrash.COMMANDS | {RapportCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f12", "privacy", "Hide", id="privacy", priority=True),
        # priority: it locks over a dialog too (someone walks in while an item is half typed)
        Binding("ctrl+l", "lock", "Lock", id="lock", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, *, paths: Paths, config: Config | None = None,
                 config_warning: str | None = None, start: dict[str, Any] | None = None,
                 kdf: "KdfParams | None" = None, allow_weak: bool = False,
                 clock: Callable[[], datetime] | None = None, heap: "Heap | None" = None,
                 state: State | None = None) -> None:
        super().__init__()
        self.state = state or State()  # the theme chosen in the palette last time (tui.state)
        self.heap = heap
        self.paths = paths
        self.config = config or Config()
        self.config_warning = config_warning
        self.start_request = start
        self.kdf = kdf
        self.allow_weak = allow_weak
        self.clock: Callable[[], datetime] = clock or utc_now
        self.store: Store | None = None
        self._catalog: Catalog | None = None
        #: the session last open (left or ended), however it was reached (Prepare, People, a
        #: search): the sessions list puts its cursor on it when it is next shown (tui.screens.home)
        self.left_session: str | None = None
        #: what to reopen after the next unlock (the session a lock left), see action_lock
        self.reopen_after_unlock: Callable[[], object] | None = None
        #: the folder the last export went to, offered by the next (the app's default is the
        #: documents folder; `rapport export` writes to the current directory or stdout)
        self.export_directory: Path | None = None
        self.last_activity = self.clock()
        self.show_controls = ShowControls()
        self.readable_dim = ReadableDim()
        self.signalled = 0  # the exit status after SIGHUP or SIGTERM (see handle_signals)
        self.quit_question: "ConfirmScreen | None" = None  # asked on quit over typed text
        self.refused = refusal(self.features)
        if self.refused:
            self.devtools = None  # never connected, whoever runs this app (see make_app)

    def get_line_filters(self) -> "list[LineFilter]":
        # dim text first (Textual's own filters would dim it past AA), controls last
        return [self.readable_dim, *super().get_line_filters(), self.show_controls]

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, its text colours raised to WCAG AA where they fall short
        (:mod:`tui.contrast`): every theme reads at 4.5:1, Textual's widgets and ours."""
        variables = super().get_css_variables()
        variables.update(readable_variables(variables))
        self.theme_variables = variables
        return variables

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's notify, not read as markup unless asked (see RapportScreen.notify), and
        every toast's control characters shown as the lists show them (a name holding a BEL
        quoted as ␇: Rich dropped it): :func:`store.text.visible`, here, where every toast
        (a screen's, a widget's) passes."""
        super().notify(visible(message), title=visible(title), severity=severity,
                       timeout=timeout, markup=markup)

    # ------------------------------------------------------------------ startup
    def get_default_screen(self) -> Screen[Any]:
        from tui.screens.unlock import UnlockScreen

        return UnlockScreen(create=not self.paths.vault.exists())

    def on_mount(self) -> None:
        if self.refused:
            self.exit(return_code=1, message=f"rapport: error: {self.refused}")
            return
        warnings = [self.config_warning] if self.config_warning else []
        chosen = self.state.theme_for(self.config.theme)
        if chosen in self.available_themes:
            self.theme = chosen
        elif self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            warnings.append(f"no theme called {self.config.theme!r}; using {self.theme!r} "
                            "(the palette's Theme command lists them)")
        self.theme_changed_signal.subscribe(self, self.remember_theme)
        if self.config.keys:
            self.set_keymap(self.config.keys)
        for warning in warnings:
            self.notify(warning, title="Settings", severity="warning", timeout=10, markup=False)
        self.set_interval(5.0, self.check_idle_lock, name="idle-lock")
        if not self.is_headless:
            self.handle_signals()

    def check_keymap(self) -> None:
        """Called off the UI thread (the unlock screen's preload, while the passphrase is
        typed): with every screen and widget imported, a ``[keys]`` entry that gives a key two
        meanings on one screen is dropped, with one warning (:func:`tui.keys.keymap_clashes`),
        instead of leaving the other binding without a key."""
        if not self.config.keys:
            return
        import importlib
        import pkgutil

        import tui.screens
        import tui.widgets
        from tui.keys import binding_scopes, keymap_clashes

        for package in (tui.screens, tui.widgets):
            for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
                importlib.import_module(module.name)
        kept, problems = keymap_clashes(self.config.keys, binding_scopes(type(self)))
        if problems:
            self.call_from_thread(self.drop_clashing_keys, kept, problems)

    def drop_clashing_keys(self, kept: dict[str, str], problems: list[str]) -> None:
        from dataclasses import replace

        self.config = replace(self.config, keys=kept)  # the hints read it (tui.keys)
        self.set_keymap(kept)
        self.notify(f"{self.paths.config_file}: {'; '.join(problems)}", title="Settings",
                    severity="warning", timeout=10, markup=False)

    def remember_theme(self, theme: Any) -> None:
        """A theme chosen (in the palette) is kept for the next start, in the state file beside
        the config (tui.state), never in config.toml."""
        from tui.state import save_state, state_path

        if theme.name == self.state.theme_for(self.config.theme):
            return  # the one it started with
        self.state = State(theme.name, self.config.theme)
        try:
            save_state(state_path(self.paths.config_dir), self.state)
        except OSError as exc:
            self.notify(f"could not keep the theme for next time ({exc.strerror})",
                        severity="warning", timeout=5)

    # ------------------------------------------------------------------ signals
    def handle_signals(self) -> None:
        """SIGHUP (the terminal was closed) and SIGTERM (``kill``) end the app as quitting does:
        every screen saves what it holds, the vault is closed, Textual restores the terminal
        (alternate screen left, mouse reporting off); the exit status is 128 + the signal.

        The process ends even when the terminal has gone with the shell that started Rapport (a
        terminal window or a tmux pane closed): the shell dies of the same hang-up, Rapport's
        process group is left orphaned, and Textual's shutdown then waits for ever to write to
        a terminal that is no more (its writer thread's queue). Once the vault is closed, a
        watchdog ends the process :data:`EXIT_GRACE` seconds later if Textual has not."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(signum, self.terminate, signum, True)

    def terminate(self, signum: int, watchdog: bool = False) -> None:
        self.signalled = 128 + signum
        self.after_typing(lambda: self.terminate_now(watchdog))

    def terminate_now(self, watchdog: bool = False) -> None:
        try:
            self.keep_dialog_text("when Rapport was stopped")
            self.close_store()
        finally:
            if watchdog:  # the vault is closed: nothing is left that the process must finish
                timer = threading.Timer(EXIT_GRACE, os._exit, args=(self.signalled,))
                timer.daemon = True
                timer.start()
            self.exit(return_code=self.signalled)

    @property
    def catalog(self) -> "Catalog":
        if self._catalog is None:
            from guides.loader import load_catalog

            self._catalog = load_catalog(self.paths.guides_dir)
        return self._catalog

    def unlocked(self, store: "Store", first_rows: "list[Row] | None" = None) -> None:
        """Called by the unlock screen once the key is derived (with the home list's first
        rows, when it read them): the home screen goes over the unlock screen."""
        from tui.screens.home import HomeScreen

        self.store = store
        self.last_activity = self.clock()
        self.push_screen(HomeScreen(first_rows))
        for path, reason in self.catalog.broken:
            self.notify(f"{path}: {reason}", title="Guide not loaded", severity="warning",
                        timeout=10, markup=False)
        request, self.start_request = self.start_request, None
        reopen, self.reopen_after_unlock = self.reopen_after_unlock, None
        if request:
            self.call_after_refresh(self.start_session_from_request, request)
        elif reopen is not None:
            self.call_after_refresh(reopen)

    def start_session_from_request(self, request: dict[str, Any]) -> None:
        from tui.screens.session import SessionScreen

        if not request["guide"] and self.store is not None:  # rapport new --with NAME alone
            request = {**request, "guide": self.store.default_guide(request["person"]) or ""}
        guide = self.catalog.get(request["guide"])
        if guide is None or self.store is None:
            self.notify(f"no guide {request['guide']!r}", severity="error", markup=False)
            return
        if request.get("minutes"):  # the slot: rapport new --minutes N
            guide = guide.scaled(request["minutes"])
        person = self.store.get_or_add_person(request["person"])
        session = self.store.start_session(person.id, guide.to_snapshot(),
                                           title=request.get("title", ""))
        self.push_screen(SessionScreen(session.id))

    # ------------------------------------------------------------------ activity, idle lock
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self.last_activity = self.clock()
        if isinstance(event, events.Key) and not event.is_forwarded \
                and await key_order.routed(self, event):  # in the order typed
            return
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        minutes = self.config.idle_lock_minutes
        if self.store is None or not minutes:
            return
        idle = (self.clock() - self.last_activity).total_seconds()
        if idle >= minutes * 60:
            self.run_worker(self.action_lock(reason="locked after being idle"), exclusive=True,
                            group="lock", description="lock")

    def keep_dialog_text(self, when: str) -> list[str]:
        """A lock, a signal or a crash closes every screen without asking: text typed in a
        dialog and not saved is kept first, so nothing typed is lost. A dialog with a
        :class:`~tui.screens.dialog.Keeper` keeps it as that says (a jot about someone, a
        question in the bank, a strategy item, a programme: see :mod:`tui.screens.dialog`);
        over a live session the rest goes into the stage's private note (the close then saves
        it, sealed, with the notes). Returns where it went."""
        from store import RapportError
        from tui.screens.dialog import Dialog, kept_text
        from tui.screens.session import SessionScreen
        from tui.screens.session_loop import keep_typed

        kept: list[str] = []
        typed: list[str] = []
        for screen in reversed(self.screen_stack):
            if isinstance(screen, Dialog):
                lines = screen.typed_text()
                keeper = screen.keeper_now() if lines else None
                if keeper is not None and self.store is not None:
                    try:
                        keeper.keep(self.store, kept_text(lines, when), when)
                        kept.append(keeper.where)
                        continue
                    except RapportError:
                        pass  # a session beneath may still keep it
                typed = lines + typed
            elif isinstance(screen, SessionScreen) and screen.session is not None:
                if typed:
                    keep_typed(screen, kept_text(typed, when))
                    kept.append("in the stage's private note")
                typed = []
        return kept

    def flush_all(self) -> None:
        """Asks every open screen to save what it holds (notes, timer)."""
        for screen in reversed(self.screen_stack):
            flush = getattr(screen, "flush", None)
            if flush is not None:
                flush()

    def close_store(self) -> None:
        """Saves what every screen holds, then closes the vault (its keys are dropped)."""
        self.flush_all()
        store, self.store = self.store, None
        if store is not None:
            store.close()

    def session_loaded(self) -> None:
        """The home list is read whole: what the unlock decrypted lives until a lock."""
        if self.heap is not None:
            self.heap.settled()

    @property
    def exiting(self) -> bool:
        """The app is on its way out (quit, a signal, an error) or shutting down: its screens
        may be torn down under whatever still runs."""
        return self.return_code is not None or not self.is_running

    async def action_lock(self, reason: str = "locked") -> None:
        """Saves and closes the vault (before anything awaits: the notes are saved whatever
        happens next), then goes down to the unlock screen. The lock runs in a worker (the
        idle lock): when the app quits or is stopped meanwhile, its screens are torn down
        under it, and the unlock screen it meets has nothing left to say the reason in. That
        is no error: the vault is closed already, and the app was going anyway (it was
        reported as "an unexpected error stopped the app")."""
        if self.store is None:
            return
        self.reopen_after_unlock = self.what_to_reopen()
        kept = self.keep_dialog_text("when Rapport locked")
        if kept:
            reason += f"; what you were typing in a dialog is {' and '.join(kept)}"
        self.close_store()
        if self.heap is not None:
            self.heap.released()  # what the vault decrypted may be collected again
        try:
            await self.show_locked(reason)
        except Exception:
            if not self.exiting:
                raise

    async def show_locked(self, reason: str) -> None:
        """Every screen closed down to the unlock screen, which says ``reason``; nothing once
        the app is exiting."""
        from tui.screens.unlock import UnlockScreen

        while len(self.screen_stack) > 1 and not self.exiting:  # down to the unlock screen
            await self.pop_screen()
        forget_removed_widgets(self)  # what the closed screens held of the notes goes with them
        screen = self.screen
        if isinstance(screen, UnlockScreen) and not self.exiting:
            await screen.locked(reason)

    def what_to_reopen(self) -> Callable[[], object] | None:
        """The way back after a lock: every screen of the stack that has one (``reopener()``,
        which makes that screen again from ids: it never holds the screen, so nothing a locked
        app drew stays reachable), bottom up, so unlocking returns into the session you were
        in, not the home list, with what was under it (an interview over its programme: Esc and
        the end go back there)."""
        ways = []
        for screen in self.screen_stack:
            reopener = getattr(screen, "reopener", None)
            found = reopener() if reopener is not None else None
            if found is not None:
                ways.append(found)
        if not ways:
            return None

        def reopen() -> None:
            for make in ways:
                self.push_screen(make())

        return reopen

    def after_typing(self, callback: Callable[[], object]) -> None:
        """Runs ``callback`` once the keys typed before it have been handled
        (:func:`tui.key_order.after_typing`)."""
        key_order.after_typing(self, callback)

    async def action_quit(self) -> None:
        self.after_typing(self.quit_asking)

    def quit_asking(self) -> None:
        """Quits, unless a dialog holds text typed and not saved: then it asks first, as Esc in
        that dialog would (the notes are saved on the way out; a dialog's text is saved only by
        the dialog). The quit key again, or ``y``, quits; ``n`` or Esc goes back to the
        dialog. A signal quits without asking (see :meth:`terminate`)."""
        from tui.screens.confirm import ConfirmScreen
        from tui.screens.dialog import Dialog

        asking = self.quit_question
        if asking is not None and asking.is_current:
            self.quit_now()  # asked already: the quit key twice quits
            return
        if not any(isinstance(s, Dialog) and s.has_unsaved_text() for s in self.screen_stack):
            self.quit_now()
            return

        def decided(leave: bool | None) -> None:
            self.quit_question = None
            if leave:
                self.quit_now()

        self.quit_question = ConfirmScreen(
            "Quit and lose what you typed?",
            "The dialog's text has not been saved (the notes have).", confirm="Quit")
        self.push_screen(self.quit_question, decided)

    def quit_now(self) -> None:
        self.close_store()
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
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands (theme, keys...), less the screenshot: it would
        write the notes to disk in plaintext. Rapport's come from :class:`RapportCommands`."""
        from tui.keys import key_label

        for command in super().get_system_commands(screen):
            if "screenshot" in command.title.lower():
                continue
            if command.title == "Quit":  # Textual's "as soon as possible": Rapport saves first
                command = SystemCommand(command.title, "Save the notes and close Rapport "
                                        f"({key_label(self, 'quit')})", command.callback,
                                        command.discover)
            yield command

    def commands(self) -> list[Command]:
        """The app's own palette commands (tui.commands)."""
        found = [Command("Help", "Keys and how Rapport works", self.action_help, "help"),
                 Command("Privacy screen", "Hide everything until pressed again",
                         self.action_privacy, "privacy")]
        if self.store is not None:
            found.append(Command("Lock", "Save, drop the keys and go back to unlock",
                                 lambda: self.run_worker(self.action_lock(), description="lock"),
                                 "lock"))
        return found

    # ------------------------------------------------------------------ crashes
    def before_crash_exit(self) -> None:
        try:
            self.keep_dialog_text("when Rapport stopped on an error")
        finally:
            self.close_store()

    def crash_message(self) -> "RenderableType":
        from rich.text import Text

        return Text("rapport: error: an unexpected error stopped the app. Notes were saved up to "
                    "the last autosave; nothing else is shown here to keep them private.")

