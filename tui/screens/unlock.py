"""Create-vault and unlock: passphrase hidden, key derivation in a worker with a visible busy state.

The app's default screen (the bottom of the screen stack): unlocking pushes the home screen over
it, locking pops back down to it (:meth:`UnlockScreen.locked`). The passphrase leaves the fields
as soon as Enter is pressed, and the worker that derives the key is named without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Input, LoadingIndicator, Static

from tui.screens.base import RapportScreen
from tui.widgets.footer import Footer

if TYPE_CHECKING:  # pragma: no cover
    from store import Store
    from tui.screens.home import Row

MIN_LENGTH = 8


def held_while_opening(key: str) -> bool:
    """A key pressed as the vault opens (with the passphrase typed, or after Enter) that is kept
    for the screen that comes next: an F-key, ctrl+ or alt+ a key (ctrl+n for a new session, F2
    to capture in the session a lock left). Not a letter (it could be the passphrase again),
    nor Enter, Tab or Escape (a second Enter would open the home list's first session, an
    Escape would leave the session), nor a key that edits text (ctrl+u meant for the passphrase
    would delete a line of notes)."""
    from textual.widgets import TextArea

    if not (key.startswith(("ctrl+", "alt+")) or (key[:1] == "f" and key[1:].isdigit())):
        return False
    editing = {part.strip() for widget in (Input, TextArea) for binding in widget.BINDINGS
               for part in (binding.key if isinstance(binding, Binding) else binding[0]
                            ).split(",")}
    return key not in editing


class UnlockScreen(RapportScreen[None]):
    AUTO_FOCUS = "#passphrase"

    def __init__(self, *, create: bool, message: str = "") -> None:
        super().__init__()
        self.create = create
        self.message = message
        self.opening = False  # the key is being derived: the fields are disabled
        self.held: list[str] = []  # keys pressed meanwhile, pressed again once it is open

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
                yield Static(str(self.app.paths.vault), id="unlock-path", classes="hint",
                             markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.preload)

    @work(thread=True, group="preload", description="preload")
    def preload(self) -> None:
        """Imports the crypto and database libraries and reads the guides while the passphrase
        is typed, after the screen's first frame (nothing competes with that frame)."""
        import cryptography.hazmat.primitives.ciphers.aead  # noqa: F401
        import cryptography.hazmat.primitives.kdf.argon2  # noqa: F401
        import sqlite_utils  # noqa: F401

        import tui.screens.home  # noqa: F401 - shown next

        self.app.catalog  # noqa: B018 - parsed here, off the UI thread
        self.app.check_keymap()

    def on_key(self, event: events.Key) -> None:
        """Keys typed while the app was still starting reach the screen before the passphrase
        field has focus: they are typed into the field instead of being lost."""
        if self.opening or self.query_one("#passphrase", Input).value:
            # a fast ctrl+n after the passphrase arrives before Enter is handled, or while the
            # key is derived: it is for the screen unlocking leads to
            if held_while_opening(event.key) and event.key not in self.app.active_bindings:
                self.held.append(event.key)
                event.stop()
            if self.opening:
                return
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
        self.opening = busy
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
        field = self.query_one("#passphrase", Input)
        passphrase = field.value
        if not passphrase:
            self.say("The passphrase must not be empty.", error=True)
            return
        if self.create:
            confirm = self.query_one("#confirm", Input)
            if len(passphrase) < MIN_LENGTH:
                self.say(f"Use at least {MIN_LENGTH} characters.", error=True)
                return
            if passphrase != confirm.value:
                self.say("The two passphrases differ. Type them again.", error=True)
                confirm.value = ""
                return
            confirm.value = ""
        field.value = ""  # the worker holds the only reference, until the key is derived
        self.derive(passphrase)
        self.say("Deriving the key…")
        self.set_busy(True)

    @work(thread=True, exclusive=True, group="unlock", description="unlock")
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

        # The home list's first rows, read here (a screen of rows; the home screen reads the
        # rest), so the home screen's first frame shows them.
        app.call_from_thread(self.unlocked, store, first_page(store, app.size.height))

    def unlocked(self, store: "Store", first_rows: "list[Row]") -> None:
        self.set_busy(False)
        self.say("")
        self.app.unlocked(store, first_rows)
        held, self.held = self.held, []
        if held:  # after the screen unlocking leads to (the home, or where a lock left)
            self.app.call_after_refresh(self.press_again, held)

    def press_again(self, keys: list[str]) -> None:
        for key in keys:
            self.app.simulate_key(key)

    def failed(self, message: str) -> None:
        self.held = []
        self.set_busy(False)
        self.say(f"{message[:1].upper()}{message[1:]}. Try again.", error=True)

    async def locked(self, reason: str) -> None:
        """Shown again after the vault was locked: a vault created in this run is now one to
        unlock (a single passphrase field)."""
        self.held = []
        if self.create:
            self.create = False
            await self.recompose()
        self.say(reason)
        self.query_one("#passphrase", Input).focus()
