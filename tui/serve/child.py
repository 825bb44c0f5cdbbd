"""The app process of ``rapport serve``: one per browser connection, started by the server with
Textual's web driver (``TEXTUAL_DRIVER``, set by textual-serve's ``AppService``) over pipes.

It does not go through :func:`tui.cli.main`: ``python -P -c "from tui.serve.child import main;
main()" DATA_DIR CONFIG_DIR``, built by :func:`tui.serve.server.child_command`.

What the served app does beyond :class:`~tui.app.RapportApp`:

* a wrong passphrase is followed by a pause that doubles with each failure on this connection
  (:func:`failure_delay`), on the unlock worker's thread: the busy state stays up meanwhile;
* the server's "quit" (the browser left, or Ctrl+C on the server) saves every open screen first,
  as ctrl+q does;
* it quits (saving) when the server is gone, rather than holding the open vault with no one
  connected;
* the page's focus reaches the screen's field (see :meth:`ServedApp.on_app_focus`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from textual import events, messages

from store import Paths
from tui.app import RapportApp

#: Longest pause after a wrong passphrase, in seconds.
MAX_DELAY = 30.0


def failure_delay(failures: int) -> float:
    """Seconds to wait after the ``failures``-th wrong passphrase: 1, 2, 4, ... up to MAX_DELAY."""
    return min(2.0 ** (max(failures, 1) - 1), MAX_DELAY)


class ServedApp(RapportApp):
    """``pause``: how the unlock worker waits (tests record it); ``server_pid``: the parent to
    watch."""

    def __init__(self, *, server_pid: int | None = None,
                 pause: Callable[[float], None] = time.sleep, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failed_unlocks = 0
        self._page_has_focus = False
        self._driver_blurred = False
        self._pause = pause
        self._server_pid = server_pid

    def unlock_failed(self, error: Exception) -> None:
        """The unlock screen's hook, on its worker thread, after an unlock failed."""
        from store import WrongPassphrase

        if isinstance(error, WrongPassphrase):
            self.failed_unlocks += 1
            self._pause(failure_delay(self.failed_unlocks))

    def on_mount(self) -> None:  # RapportApp.on_mount runs too (Textual calls both)
        if self._server_pid is not None:
            self.set_interval(1.0, self.check_server, name="server-watch")

    async def check_server(self) -> None:
        if os.getppid() != self._server_pid:
            self._server_pid = None  # once
            await self.action_quit()

    def on_app_focus(self, _event: events.AppFocus) -> None:
        """The page took focus. Textual's web driver starts the app blurred, and a blurred app's
        new screen focuses nothing (Textual's auto focus waits for app focus, and focus comes
        back only to a widget of an earlier screen): the first screen, or the unlock screen of
        an idle lock, would take no keys. Once Textual has done its part, the screen's
        AUTO_FOCUS widget gets the focus when nothing has it."""
        self._page_has_focus = True
        self.call_later(self.focus_as_screen_would)

    def on_app_blur(self, _event: events.AppBlur) -> None:
        """The first blur is the web driver's own, as it starts: the page's "focus", sent as
        the page connects, can reach the app before it. A page that has the focus keeps it."""
        if self._driver_blurred:
            self._page_has_focus = False
            return
        self._driver_blurred = True
        if self._page_has_focus:
            self.post_message(events.AppFocus())

    def focus_as_screen_would(self) -> None:
        screen = self.screen
        selector = screen.AUTO_FOCUS if screen.AUTO_FOCUS is not None else self.AUTO_FOCUS
        if screen.focused is not None or not selector:
            return
        for widget in screen.query(selector):
            if widget.focusable:
                widget.focus()
                return

    def on_exit_app(self, _message: messages.ExitApp) -> None:
        """Textual's web driver turns the server's "quit" into ExitApp, which ends the app
        without its quit action: save first, as that action does (ctrl+q has saved already)."""
        if self.store is not None:
            self.flush_all()


def main(argv: list[str] | None = None) -> None:
    """The served app on the paths in ``argv`` (DATA_DIR CONFIG_DIR)."""
    import signal

    # Ctrl+C in the server's terminal reaches this process too: the server stops the app with
    # "quit" (and from its start on, Textual's web driver turns SIGINT into the same).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    args = sys.argv[1:] if argv is None else argv
    paths = Paths(data_dir=Path(args[0]), config_dir=Path(args[1]))
    from tui.config import load_config

    config, warning = load_config(paths.config_file)
    app = ServedApp(paths=paths, config=config, config_warning=warning,
                    server_pid=os.getppid())
    app.run()
    if app.store is not None:  # a crash: the screens flushed what they held; lock the vault
        app.store.close()
    sys.stdout.flush()
    os._exit(app.return_code or 0)
