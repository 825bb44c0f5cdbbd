"""The participant's summary to the clipboard, from the end review and the session detail.

Textual copies with OSC 52: the text passes through the terminal (and anything in between, such
as tmux or an SSH session), so it is treated as an export: confirmed first, then recorded in the
export log (``store.share_summary``, kind "clipboard"). The text is exactly what ``rapport export
ID`` writes: the summary, never a private note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store import RapportError, Store
from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.base import RapportModal, RapportScreen

PASSAGE = ("It goes to the clipboard through the terminal (OSC 52), so any program that reads "
           "the clipboard can read it; it is recorded as an export.")


def what_is_copied(store: Store, session_id: str) -> str:
    """The confirmation's text: which session, what of it goes (and what never does)."""
    session = store.session(session_id)
    name = store.person(session.person_id).name
    items = len(store.items(session_id=session_id))
    private = sum(1 for n in store.notes(session_id) if n.private and n.text.strip())
    what = f"“{session.title}” with {name}" if session.title else f"The session with {name}"
    left_out = f" ({fmt.plural(private, 'private note')} left out)" if private else ""
    listed = f"the {fmt.plural(items, 'item')}" if items else "no items"
    return (f"{what}, {fmt.day(session.started_at)}: the participant's summary, as 'rapport "
            f"export' writes it: the shared notes and {listed}, never a private note"
            f"{left_out}. {PASSAGE}")


def share_summary(screen: "RapportScreen[Any] | RapportModal[Any]", session_id: str) -> None:
    """Asks (saying what goes), then copies the summary of ``session_id`` and says so. What the
    confirmation counts and the summary itself are read in workers (the UI never waits on the
    vault)."""
    from tui.screens.confirm import ConfirmScreen

    app = screen.app

    def ask() -> None:
        store = app.store
        try:
            if store is None:
                raise RapportError("the vault is locked")
            message = what_is_copied(store, session_id)
        except RapportError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(app.push_screen, ConfirmScreen(
            "Copy the summary to the clipboard?", message, confirm="Copy"), decided)

    def copy() -> None:
        from store import share_summary as summary_text

        store = app.store
        try:
            if store is None:
                raise RapportError("the vault is locked")
            text = summary_text(store, session_id, facilitator=app.config.facilitator_name)
        except RapportError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(copied, text)

    def copied(text: str) -> None:
        app.copy_to_clipboard(text)
        lines = text.count("\n") + 1
        app.notify(f"summary copied to the clipboard ({lines} lines; recorded as an export)",
                   timeout=4, markup=False)

    def decided(yes: bool | None) -> None:
        if yes:
            screen.run_worker(copy, thread=True, exclusive=True, group="share",
                              description="share")

    if app.store is not None:
        screen.run_worker(ask, thread=True, exclusive=True, group="share",
                          description="share: what goes")
