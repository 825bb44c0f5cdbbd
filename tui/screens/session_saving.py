"""Saving a live session, and the line under the notes that says so.

* :func:`notes_changed` / :func:`autosave`: the notes are saved once left alone for
  :data:`AUTOSAVE_SECONDS` by the app's clock (each slot, shared or private, into its own
  record: :func:`save_notes`); :func:`capture_pane` takes what the pane holds first.
* :func:`persist_state`: the session's state (stage, timer, questions asked, paused), every
  15 s of the timer and at each change.
* :func:`show_status` / :func:`say`: the status line under the notes, saved, unsaved or why
  not (:func:`not_saved`: the reason whole in a toast too, once), and short confirmations.

The session screen (:mod:`tui.screens.session`) keeps the state these read and write, and its
own methods of the same names call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from store import RapportError
from tui.widgets.session import NotesArea

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.session import SessionScreen

AUTOSAVE_SECONDS = 1.0
FLASH_SECONDS = 4.0


# ------------------------------------------------------------------ the notes
def notes_changed(screen: "SessionScreen") -> None:
    """A key in the notes: into its slot, "unsaved", the autosave woken if it sleeps."""
    text = screen.query_one(NotesArea).text
    if not screen.notebook.set(screen.stage["key"], screen.is_private(), text):
        return
    screen.status = "unsaved"
    screen.show_status()
    screen.changed_at = screen.app.clock()
    if screen.autosave_timer is None:
        screen.autosave_timer = screen.set_timer(AUTOSAVE_SECONDS, screen.autosave,
                                                 name="autosave")


def autosave(screen: "SessionScreen") -> None:
    """Saves once the notes have been left alone for AUTOSAVE_SECONDS by the app's clock
    (the timer only wakes this up: tests move an injected clock instead of waiting)."""
    screen.autosave_timer = None
    if screen.changed_at is None or screen.status != "unsaved":
        return
    still = (screen.app.clock() - screen.changed_at).total_seconds()
    if still >= AUTOSAVE_SECONDS:
        screen.save_notes()
    else:
        screen.autosave_timer = screen.set_timer(AUTOSAVE_SECONDS - still, screen.autosave,
                                                 name="autosave")


def capture_pane(screen: "SessionScreen") -> None:
    """What the notes pane holds now, into its slot (its Changed may not have arrived)."""
    for notes in screen.query(NotesArea):
        screen.notebook.set(screen.stage["key"], screen.is_private(), notes.text)


def save_notes(screen: "SessionScreen", *, quiet: bool = False) -> bool:
    """Saves every note (shared or private) whose text differs from the last commit, each
    into its own slot. True when all saved."""
    store = screen.app.store
    if store is None or screen.session is None:
        return False
    ok = True
    for key, private, text in screen.notebook.unsaved():
        try:
            store.save_note(screen.session.id, key, text, private=private)
        except RapportError as exc:
            not_saved(screen, exc)
            ok = False
            break
        screen.notebook.mark_saved(key, private, text)
    if ok:
        if screen.failure is not None:  # the toast that said why is still up: say it is over
            screen.notify("Everything typed is in the vault now.", title="Saved", timeout=5)
        screen.status, screen.failure = "saved", None
    if not quiet:
        screen.show_status()
    return ok


def not_saved(screen: "SessionScreen", exc: RapportError) -> None:
    """A save that did not happen (a full disk, a vault moved away): the status line under
    the notes says so while it lasts, but it is one line and cuts a long reason at 80
    columns, so the reason is also given whole in a toast: once, not at every autosave
    that meets it again. What was typed stays in the notes and is saved by the next try."""
    message = str(exc)
    screen.status = message
    if message != screen.failure:
        screen.failure = message
        screen.notify(message, title="Not saved", severity="error", timeout=15)


# ------------------------------------------------------------------ the session's state
def persist_state(screen: "SessionScreen") -> None:
    store = screen.app.store
    if store is None or screen.session is None or not screen.state_dirty:
        return
    try:
        screen.session = store.save_session_state(
            screen.session.id, stage_index=screen.index, spent=screen.spent,
            visited=sorted(screen.visited),
            asked={k: sorted(v) for k, v in screen.asked.items()}, paused=screen.paused)
    except RapportError as exc:
        not_saved(screen, exc)
        screen.show_status()
        return
    screen.state_dirty = False
    screen.last_persist = screen.app.clock()


# ------------------------------------------------------------------ the status line
def show_status(screen: "SessionScreen") -> None:
    key = screen.stage["key"]
    text = Text(no_wrap=True, overflow="ellipsis")
    if screen.status == "saved":  # a confirmation takes the whole line (80 columns cut it)
        text.append("" if screen.flash else "✓ saved", style="bold")
    elif screen.status == "unsaved":
        text.append("● unsaved", style="bold")
    else:
        text.append(f"⚠ {screen.status}", style="bold reverse")
    if screen.flash:
        text.append(f"   {screen.flash}" if text.plain else screen.flash, style="bold")
    else:
        private = screen.is_private()
        other = screen.notebook.words(key, not private)
        kept = private or screen.private_stage()
        text.append("   🔒 private note" if kept else "   shared note",
                    style="" if kept else "dim")
        if other:
            label = "other note" if screen.private_stage() else \
                "shared" if private else "private"
            text.append(f" · {label}: {other} words", style="dim")
    status = screen.query_one("#note-status", Static)
    status.set_class(screen.status not in ("saved", "unsaved"), "-error")
    if text != screen.status_shown:  # asked on every key: drawn when it changes, one row
        screen.status_shown = text  # high, never laid out (that was most of a key's cost)
        status.update(text, layout=False)


def say(screen: "SessionScreen", message: str) -> None:
    """A confirmation in the status line under the notes, where it covers nothing (a
    toast would sit on the items panel at 80x24)."""
    screen.flash = message
    screen.show_status()
    if screen.flash_timer is not None:
        screen.flash_timer.stop()
    screen.flash_timer = screen.set_timer(FLASH_SECONDS, lambda: end_flash(screen),
                                          name="flash")


def end_flash(screen: "SessionScreen") -> None:
    screen.flash, screen.flash_timer = "", None
    if screen.fresh_item is not None:
        screen.fresh_item = None
        screen.show_items()
    screen.show_status()
