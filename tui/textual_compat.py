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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:  # pragma: no cover
    from asyncio.subprocess import Process

    from rich.console import RenderableType
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
