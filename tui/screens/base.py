"""What every Rapport screen shares: ``self.app`` typed as :class:`tui.app.RapportApp`, and the one
way a screen reads the vault off the UI thread (:meth:`RapportScreen.load_from_store`).

Reading in a worker has one policy for everyone: no store (locked) reads nothing; a store locked
while reading drops the result; any other :class:`store.errors.RapportError` (damage, above all)
is shown by :meth:`RapportScreen.show_store_error`, never swallowed; a result reaches the screen
only while it is still attached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

from textual import getters
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.worker import Worker, get_current_worker

from tui.app import RapportApp

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

__all__ = ["RapportModal", "RapportScreen", "ScreenResultType"]

T = TypeVar("T")


if TYPE_CHECKING:  # pragma: no cover
    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object


class AppScreenMixin(_ScreenBase):
    """What a screen and a dialog of the app share. (A mixin, not a common Screen subclass: a
    dialog whose bases put a full screen's class before ModalScreen got an opaque background
    from Textual's CSS.)"""

    app = getters.app(RapportApp)  # Textual's typed app property

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's notify, not read as markup unless asked: a message quoting a name or a
        note ("[/]" in it) shows as written."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    @property
    def store(self) -> "Store":
        """The open vault: screens over the unlock screen exist only while it is open (a
        Locked error, a RapportError, if it was locked meanwhile)."""
        return open_store(self.app)


class RapportScreen(AppScreenMixin, Screen[ScreenResultType]):
    """A full screen of the app."""

    #: The screen's width when its tables' texts were last cut or wrapped to it (None: not
    #: filled yet). A screen that fills to its width sets it as it fills, and refills on a
    #: resize only when :meth:`width_changed`.
    filled_width: int | None = None

    def width_changed(self) -> bool:
        """Whether the screen is another width now than when its tables were filled (False
        before they were): a resize that keeps the width (the screen's first, just after the
        fill; a change of height) refilled every table for nothing, and a snapshot taken under
        load caught the tables before their columns were measured again."""
        return self.filled_width is not None and self.size.width != self.filled_width

    def load_from_store(self, read: Callable[["Store"], T], show: Callable[[T], object], *,
                        group: str) -> Worker[None]:
        """Runs ``read(store)`` in a thread worker (one at a time per ``group``: a newer call
        cancels the older) and ``show(result)`` on the UI thread."""
        return self.run_worker(lambda: read_then_show(self, read, show), thread=True,
                               exclusive=True, group=group, description=group)

    def show_store_error(self, error: Exception) -> None:
        """A read failed for another reason than the vault being locked. Screens with a status
        line show it there; this default says it in a notification that stays."""
        self.notify(str(error), title="Could not read the vault", severity="error",
                    timeout=30, markup=False)


class RapportModal(AppScreenMixin, ModalScreen[ScreenResultType]):
    """A dialog of the app."""


def open_store(app: RapportApp) -> "Store":
    if app.store is None:
        from store import Locked

        raise Locked("the vault is locked")
    return app.store


def read_then_show(screen: RapportScreen[Any], read: Callable[["Store"], T],
                   show: Callable[[T], object]) -> None:
    """The body of :meth:`RapportScreen.load_from_store`'s worker."""
    from store import Locked, RapportError

    app = screen.app
    store = app.store
    if store is None:
        return
    try:
        result = read(store)
    except Exception as exc:
        if app.store is not store or isinstance(exc, Locked):
            return  # locked while reading: there is nothing to show
        if not isinstance(exc, RapportError):
            raise
        app.call_from_thread(deliver, screen, screen.show_store_error, exc)
        return
    if not get_current_worker().is_cancelled:
        app.call_from_thread(deliver, screen, show, result)


def deliver(screen: RapportScreen[Any], show: Callable[[T], object], value: T) -> object:
    """``show(value)`` while the screen is attached and the app is not shutting down (what it
    returns is awaited, if it is)."""
    return show(value) if screen.is_attached and screen.app.is_running else None
