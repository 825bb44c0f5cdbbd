"""Editing an item where it is met (the items screen, a person's page, a session's list to go
through, a live session's end review, a session's detail): the capture dialog, filled in with
the item as it is.

Only what was changed is saved (:meth:`store.Store.update_item`), so a status changed meanwhile
(done, carried) is never put back. A goal stays a goal (its check-ins are its history): its
dialog offers no other kind, and the others' no goal. A lock, a signal or a crash while the
dialog is open keeps what was typed as a jot about the person, beside the item: the item stays as
it was, never half-edited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from store import ITEM_KINDS, RapportError, visible
from tui.screens.dialog import Keeper

if TYPE_CHECKING:  # pragma: no cover
    from store import Item
    from tui.screens.base import RapportModal, RapportScreen
    from tui.screens.capture import Capture

FIELDS = ("kind", "text", "owner", "due")


def changes_of(item: "Item", result: "Capture") -> dict[str, Any]:
    """The fields the dialog changed, and only those."""
    return {field: getattr(result, field) for field in FIELDS
            if getattr(result, field) != getattr(item, field)}


def edit_item(screen: "RapportScreen[Any] | RapportModal[Any]", item: "Item | None",
              saved: Callable[["Item"], None], *, after: Callable[[], None] | None = None,
              participant: str | None = None, say: Callable[[str], None] | None = None) -> None:
    """Opens the capture dialog on ``item``; ``saved(updated)`` once the edit is saved.
    ``after``: called whenever the dialog closes (the session gives the notes the focus back).
    ``participant``: the person's name, when the screen has it (else read). ``say``: where
    "saved" is said (a live session: its status line, as a toast would cover its items)."""
    from tui.screens.capture import Capture, CaptureScreen

    if item is None:
        screen.notify("highlight an item first", timeout=2)
        return
    store = screen.store
    try:
        name = participant or store.person(item.person_id).name
    except RapportError as exc:
        screen.notify(str(exc), severity="error", markup=False)
        return
    kinds = ("goal",) if item.kind == "goal" else tuple(k for k in ITEM_KINDS if k != "goal")
    dialog = CaptureScreen(kind=item.kind, participant=name, title=f"Edit {item.kind}",
                           today=screen.app.clock().astimezone().date(), text=item.text,
                           owner=item.owner, due=item.due, kinds=kinds)
    dialog.keeper = Keeper.jot(item.person_id, name, note="the item is as it was")

    def told(said: str) -> None:
        if say is not None:
            say(said)
        else:
            screen.notify(said, timeout=2)

    def decided(result: Capture | None) -> None:
        if after is not None:
            after()
        if result is None:
            return
        changes = changes_of(item, result)
        if not changes:
            told("nothing changed")
            return
        try:
            updated = screen.store.update_item(item.id, **changes)
        except RapportError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        told(f"{updated.kind} saved")
        saved(updated)

    screen.app.push_screen(dialog, decided)


def pick_and_edit(screen: "RapportScreen[Any] | RapportModal[Any]", items: "list[Item]",
                  saved: Callable[["Item"], None], *, participant: str | None = None,
                  say: Callable[[str], None] | None = None) -> None:
    """Items listed without a cursor on them (a session's detail, a live session's panel):
    which one, from a list filtered as you type (one alone: that one), then the capture
    dialog."""
    from tui import format as fmt
    from tui.screens.person_dialogs import Picker

    if not items:
        screen.notify("no items in this session", timeout=2)
        return
    if len(items) == 1:
        edit_item(screen, items[0], saved, participant=participant, say=say)
        return
    by_id = {i.id: i for i in items}

    def label(item: "Item") -> str:
        due = f", due {fmt.day(item.due)}" if item.due else ""
        return visible(f"{fmt.KIND_MARK.get(item.kind, '-')} {item.text}  ({item.kind}{due}, "
                       f"{item.status})")

    def picked(item_id: object) -> None:
        if isinstance(item_id, str) and item_id in by_id:
            edit_item(screen, by_id[item_id], saved, participant=participant, say=say)

    screen.app.push_screen(Picker("Edit which item?", "", [(i.id, label(i)) for i in items]),
                           picked)
