"""Create-vault and unlock: passphrase hidden, key derivation in a worker with a visible busy state."""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

MIN_LENGTH = 8


class UnlockFooter(Footer):
    """Textual's footer, not composed again while the key is derived. Like Textual's own, it is
    empty in the screen's first frame and fills in with the first bindings change, a refresh
    later (composing its keys with the screen would cost the first frame ~40 ms)."""

    def __init__(self) -> None:
        super().__init__()
        self._keys_shown: tuple | None = None

    def keys_shown(self) -> tuple:
        """What the footer shows of the screen's bindings (the command palette's key aside)."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple((key, binding.action, binding.description, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                     if binding.show or key == palette)

    def compose(self):  # noqa: ANN201 - Textual's
        if self._bindings_ready:  # Textual 8's flag: the keys are composed (else none yet)
            self._keys_shown = self.keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        """Textual composes the footer again on every change of bindings; the passphrase field
        being disabled while the key is derived changes none of the keys shown (its own keys
        are not shown), and composing again would take the UI thread from Argon2id."""
        if screen is self.screen and self.is_attached and self._keys_shown is not None \
                and self.keys_shown() == self._keys_shown:
            return
        super().bindings_changed(screen)


class UnlockScreen(Screen[None]):
    AUTO_FOCUS = "#passphrase"

    def __init__(self, *, create: bool, message: str = "") -> None:
        super().__init__()
        self.create = create
        self.message = message

    def footer_filled(self) -> bool:
        """Whether the footer shows its keys yet (see UnlockFooter); False while the screen is
        still being composed or already being taken down."""
        footer = self.query(UnlockFooter)
        return bool(footer) and bool(footer.first().children)

    def compose(self) -> ComposeResult:
        with Center(id="unlock-box"):
            with Vertical(id="unlock-panel"):
                yield Static("Rapport", id="unlock-title")
                if self.create:
                    yield Static(
                        "No vault yet. Choose a passphrase: it encrypts everything you record and "
                        "cannot be recovered if forgotten.", classes="hint")
                else:
                    yield Static("Enter your passphrase to unlock the vault.", classes="hint")
                yield Input(password=True, placeholder="passphrase", id="passphrase")
                if self.create:
                    yield Input(password=True, placeholder="repeat the passphrase", id="confirm")
                # not markup: the messages quote errors, which may hold brackets
                yield Static(self.message, id="unlock-message", markup=False)
                # #unlock-busy, a LoadingIndicator, is mounted here when first needed (set_busy)
                yield Static(str(self.app.paths.vault), id="unlock-path", classes="hint")
        yield UnlockFooter()

    @work(thread=True, group="preload")
    def preload(self) -> None:
        """Import the crypto and database libraries, and read the guides, while the passphrase
        is being typed. At start-up the app calls it once this screen's first frame is on the
        terminal (RapportApp.first_frame_shown), so nothing competes with that frame."""
        import cryptography.hazmat.primitives.ciphers.aead  # noqa: F401
        import cryptography.hazmat.primitives.kdf.argon2  # noqa: F401
        import sqlite_utils  # noqa: F401

        import tui.screens.home  # noqa: F401 - built next, on the UI thread (preloaded)

        self.app.catalog  # noqa: B018 - parsed here, off the UI thread

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Once the preload is done, the home screen is built (RapportApp.prepare_home) while the
        passphrase is typed: the UI thread is idle then, while during the key derivation it
        would take CPU from Argon2id (which uses more than one core)."""
        if event.worker.group == "preload" and event.state == WorkerState.SUCCESS \
                and self.is_current:
            self.app.prepare_home()

    def on_key(self, event: events.Key) -> None:
        """Keys typed while the app was still starting reach the screen before the passphrase
        field has focus: they are typed into the field instead of being lost."""
        field = self.focused
        if not isinstance(field, Input) or field.disabled:
            return
        if event.is_printable and event.character:
            field.insert_text_at_cursor(event.character)
            event.stop()
        elif event.key in ("enter", "ctrl+j"):  # typed before raw mode, Enter arrives as \n
            self.call_later(field.action_submit)  # (a coroutine: run by the message loop)
            event.stop()

    def say(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#unlock-message", Static)
        label.update(text)
        label.set_class(error, "error")

    def set_busy(self, busy: bool) -> None:
        indicator = self.query("#unlock-busy")
        if indicator:
            indicator.first().display = busy
        elif busy:
            self.query_one("#unlock-panel").mount(LoadingIndicator(id="unlock-busy"),
                                                  before="#unlock-path")
        for field in self.query(Input):
            field.disabled = busy
        if not busy:
            self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def submitted_passphrase(self) -> None:
        if self.create:
            self.query_one("#confirm", Input).focus()
        else:
            self.begin()

    @on(Input.Submitted, "#confirm")
    def submitted_confirm(self) -> None:
        self.begin()

    def begin(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            self.say("The passphrase must not be empty.", error=True)
            return
        if self.create:
            confirm = self.query_one("#confirm", Input).value
            if len(passphrase) < MIN_LENGTH:
                self.say(f"Use at least {MIN_LENGTH} characters.", error=True)
                return
            if passphrase != confirm:
                self.say("The two passphrases differ. Type them again.", error=True)
                self.query_one("#confirm", Input).value = ""
                return
        # first: the key derivation runs while the busy state is shown
        self.derive(passphrase)
        for field in self.query(Input):  # the worker has it: the screen keeps no copy
            field.value = ""
        self.say("Deriving the key…")
        self.set_busy(True)
        # the home screen, if it is not built yet (unlocking again after a lock, or a
        # passphrase typed ahead), is built once the busy state is on screen
        self.call_after_refresh(self.app.prepare_home)

    @work(thread=True, exclusive=True, group="unlock")
    def derive(self, passphrase: str) -> None:
        from store import PRODUCTION
        from store import RapportError
        from store import create_vault, open_vault

        app = self.app
        try:
            if self.create:
                store = create_vault(app.paths.vault, passphrase, kdf=app.kdf or PRODUCTION,
                                     allow_weak=app.allow_weak, clock=app.clock)
            else:
                store = open_vault(app.paths.vault, passphrase, allow_weak=app.allow_weak,
                                   clock=app.clock)
        except RapportError as exc:
            hook = getattr(app, "unlock_failed", None)  # rapport serve's pause (tui/serve/child.py)
            if hook is not None:
                hook(exc)  # here, on the worker: the busy state stays on while it waits
            app.call_from_thread(self.failed, str(exc))
            return
        from tui.screens.home import first_page

        # The home list's first rows, read here while the home screen is being built (a screen
        # of rows; the home screen reads the rest).
        app.call_from_thread(app.unlocked, store, first_page(store, app.size.height))

    def failed(self, message: str) -> None:
        self.set_busy(False)
        self.query_one("#passphrase", Input).value = ""
        self.say(f"{message[:1].upper()}{message[1:]}. Try again.", error=True)
