"""Keys acted on in the order they were typed.

Textual handles a priority key (Enter in a dialog, quit) as it arrives, and a key a text field
binds itself only once it has bubbled up to the app, behind the letters the field has queued
already: typed fast (or while the app was busy), keys came out of order. The app
(:class:`tui.app.RapportApp`) routes each key through :func:`routed` before Textual's own
handling, and waits for what was typed before it with :func:`after_typing`.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import events
from textual.app import App


async def routed(app: App[Any], event: events.Key) -> bool:
    """A key taken here (:func:`run_alt_binding`, :func:`run_field_key`,
    :func:`run_typed_on_button`) rather than by Textual as usual. True when it was."""
    return (await run_alt_binding(app, event) or run_field_key(app, event)
            or run_typed_on_button(app, event))


def run_field_key(app: App[Any], event: events.Key) -> bool:
    """A key the focused text field binds itself (backspace, delete, the arrows, Home, End)
    acts in its turn among the letters typed around it. Textual runs such a binding only
    once the key has bubbled up to the app, behind the letters the field already holds: typed
    in one go (fast, or while the app was busy), "abx", Backspace, "c" came out "abxc" less
    a letter, and End then " today" replaced a selected text. The binding runs from the
    field's own queue instead, after the keys before it, before those after it. Only the
    editing keys Textual's Input and TextArea declare: the rest (Down, which a screen may
    take to leave the field) goes as usual. A dialog's choice row (:class:`ChoiceSet`) runs
    its arrows so too: between two Tabs (a priority key, acted on as it arrives) Right met
    the next field, and the item stayed "mine". True when it does."""
    from textual.binding import Binding
    from textual.widgets import Input, TextArea

    from tui.widgets.choice import ChoiceSet

    field = app.focused
    if event.is_printable or not isinstance(field, (Input, TextArea, ChoiceSet)):
        return False
    active = app.screen.active_bindings.get(event.key)
    if active is None or active.node is not field or active.binding.priority \
            or not active.enabled:
        return False  # the screen's or the app's: as usual
    if isinstance(field, (Input, TextArea)):
        editing = Input.BINDINGS if isinstance(field, Input) else TextArea.BINDINGS
        if active.binding.action not in {b.action for b in editing
                                         if isinstance(b, Binding)}:
            return False
    return field.call_later(app.run_action, active.binding.action, field)


def run_typed_on_button(app: App[Any], event: events.Key) -> bool:
    """A letter typed on a dialog's button goes into its text field, decided here as the
    key arrives, so the letters after it go there too, in order
    (:meth:`tui.screens.dialog.Dialog.typed_on_button`). True when it did."""
    take = getattr(app.screen, "typed_on_button", None)
    return bool(take is not None and take(event))


async def run_alt_binding(app: App[Any], event: events.Key) -> bool:
    """An alt+letter bound on the screen (``private = "alt+p"``) is that key, also while a
    text field has the focus: Textual's Input and TextArea type the letter of any alt+letter
    (ESC p arrives as alt+p with the character p) before a binding that is not a priority
    one is looked at, so it typed "p" into the notes instead. An alt+letter bound to nothing
    still types its letter. True when it ran the binding."""
    from textual.widgets import Input, TextArea

    if not (event.key.startswith("alt+") and event.is_printable
            and isinstance(app.focused, (Input, TextArea))):
        return False
    active = app.screen.active_bindings.get(event.key)
    if active is None or active.binding.priority:
        return False  # a priority binding runs as usual, ahead of the field
    if active.enabled:
        await app.run_action(active.binding.action, active.node)
    return True


def after_typing(app: App[Any], callback: Callable[[], object]) -> None:
    """Runs ``callback`` once the keys typed before it have been handled. A priority key
    (Enter in a dialog, quit) or a signal is handled as it arrives, ahead of the keys queued
    before it (a fast typist's last letters, a paste, a Space marking a theme, a Tab
    completing a name). A letter is taken in the focused widget's queue, but a key bound
    there acts only once it has bubbled up to the app, through each queue in between: the
    callback follows it up through each, to the app, and back to the focused widget (where
    the bound action runs), then runs."""
    focused = app.focused
    path = [*focused.ancestors_with_self, focused] if focused is not None else []
    after_queues(path, callback)


def after_queues(path: list[Any], callback: Callable[[], object]) -> None:
    """Runs ``callback`` after what is queued now at each of ``path``'s nodes in turn."""
    if not path:
        callback()
        return
    if not path[0].call_later(after_queues, path[1:], callback):
        after_queues(path[1:], callback)  # closed: nothing queued there any more
