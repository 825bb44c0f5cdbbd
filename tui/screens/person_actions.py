"""What the people list, a person's view and the Prepare view do about one person: a jot, a
talking point, the cadence, the next meeting, add or edit them, erase, merge. Each opens its
dialog, writes what comes back through the store and calls ``saved`` (to read again).

Erasing rewrites the file (VACUUM): it runs in a worker, the screen says so meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from store import RapportError
from tui.record import next_cadence
from tui.screens.base import RapportScreen
from tui.screens.dialog import Keeper
from tui.format import plural, records

if TYPE_CHECKING:  # pragma: no cover
    from store import Person, Store

Saved = Callable[[], object] | None


def write_change(screen: RapportScreen[Any], change: Callable[["Store"], object], done: str,
                 saved: Saved) -> bool:
    """``change(store)``, then ``done`` said and ``saved()`` called; a refusal is said."""
    try:
        change(screen.store)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return False
    screen.notify(done, timeout=3)
    if saved is not None:
        saved()
    return True


def start_session_with(screen: RapportScreen[Any], person: "Person", *,
                       replace: bool = False) -> None:
    """The new-session dialog with ``person`` and their default guide filled in; the session
    opens over ``screen`` (``replace``: in its place, as from Prepare, which led up to it)."""
    from tui.screens.session import SessionScreen
    from tui.screens.start import NewSessionScreen

    def started(session_id: str | None) -> None:
        if session_id:
            session = SessionScreen(session_id)
            if replace:
                screen.app.switch_screen(session)
            else:
                screen.app.push_screen(session)

    screen.app.push_screen(NewSessionScreen(guide_id=person.guide_id, participant=person.name),
                           started)


def ask_jot(screen: RapportScreen[Any], person: "Person", saved: Saved = None) -> None:
    """Opens the jot dialog for ``person`` and saves what comes back."""
    from tui.screens.jot import JotScreen

    def done(text: str | None) -> None:
        if text:
            write_change(screen, lambda store: store.add_jot(person.id, text),
                         f"jot saved for {person.name}", saved)

    dialog = JotScreen(person.name)
    dialog.keeper = Keeper.jot(person.id, person.name)
    screen.app.push_screen(dialog, done)


def ask_point(screen: RapportScreen[Any], person: "Person", saved: Saved = None) -> None:
    """A talking point for the next session with ``person``: to raise, or theirs."""
    from tui.screens.jot import TalkingPointDialog

    def done(result: tuple[str, str] | None) -> None:
        if result:
            text, owner = result
            write_change(screen,
                         lambda store: store.add_talking_point(person.id, text, owner=owner),
                         f"talking point saved for {person.name}", saved)

    dialog = TalkingPointDialog(person.name)
    dialog.keeper = Keeper.jot(person.id, person.name)
    screen.app.push_screen(dialog, done)


def set_cadence(screen: RapportScreen[Any], person: "Person") -> "Person | None":
    """Moves ``person`` to the next cadence (none, weekly, fortnightly, monthly)."""
    cadence = next_cadence(person.cadence)
    try:
        updated = screen.store.update_person(person.id, cadence=cadence)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return None
    screen.notify(f"{person.name}: {cadence or 'no'} cadence", timeout=2)
    return updated


def guide_choices(screen: RapportScreen[Any]) -> list[tuple[str, str]]:
    return [(g.id, g.name) for g in screen.app.catalog.guides]


def ask_person(screen: RapportScreen[Any], person: "Person | None" = None,
               saved: Saved = None) -> None:
    """Adds someone (``person`` None: name, cadence, default guide) or edits them (a new name
    is a rename)."""
    from tui.screens.person_dialogs import PersonChoice, PersonDialog

    try:
        taken = [p.name for p in screen.store.people() if person is None or p.id != person.id]
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return

    def done(choice: PersonChoice | None) -> None:
        if choice is None:
            return
        if person is None:
            write_change(screen, lambda store: store.add_person(
                choice.name, cadence=choice.cadence, guide_id=choice.guide_id),
                f"added {choice.name}", saved)
            return
        renamed = f" (was {person.name})" if choice.name != person.name else ""
        write_change(screen, lambda store: store.update_person(
            person.id, name=choice.name, cadence=choice.cadence, guide_id=choice.guide_id),
            f"{choice.name} saved{renamed}", saved)

    screen.app.push_screen(PersonDialog(guide_choices(screen), taken, person), done)


def ask_meeting(screen: RapportScreen[Any], person: "Person", saved: Saved = None) -> None:
    """Sets (or clears) the next meeting with ``person``: a set date overrides the cadence."""
    from tui.screens.person_dialogs import MeetingChoice, MeetingDialog

    try:
        store = screen.store
        current = store.next_meeting(person.id)
        suggested = None if current else store.suggest_next_meeting(person.id)[0]
        today = store.today()
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return

    def done(choice: MeetingChoice | None) -> None:
        if choice is None:
            return
        if choice.day is None:
            if current is not None:
                write_change(screen, lambda store: store.clear_next_meeting(person.id),
                             f"{person.name}: no set date, the cadence decides", saved)
            return
        day = choice.day
        when = day.isoformat() + (f" {choice.time}" if choice.time else "")
        write_change(screen, lambda store: store.set_next_meeting(
            person.id, day, time=choice.time, minutes=choice.minutes),
            f"next meeting with {person.name}: {when}", saved)

    screen.app.push_screen(MeetingDialog(person.name, today, current, suggested), done)


def what_goes(store: "Store", person_id: str) -> str:
    """What erasing someone deletes besides them, in words: ``3 sessions, 4 notes and 1 jot``."""
    return records(store.about(person_id), leave_out="people") or "no other record"


def ask_erase(screen: RapportScreen[Any], person: "Person", erased: Saved = None) -> None:
    """Erases ``person`` and everything about them, once their name is typed."""
    from tui.screens.person_dialogs import EraseDialog

    try:
        goes = what_goes(screen.store, person.id)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return

    def confirmed(yes: bool | None) -> None:
        if not yes:
            return
        screen.notify(f"erasing {person.name}…", timeout=3)

        def erase(store: "Store") -> dict[str, int]:
            return store.erase_person(person.id)

        def done(gone: dict[str, int]) -> None:
            others = plural(sum(gone.values()) - 1, "record")
            screen.notify(f"erased {person.name} and {others} about them", timeout=4)
            if erased is not None:
                erased()

        screen.load_from_store(erase, done, group="erase-person")

    screen.app.push_screen(EraseDialog(person.name, goes), confirmed)


def ask_merge(screen: RapportScreen[Any], person: "Person", merged: Saved = None) -> None:
    """Makes ``person`` (a duplicate) and someone picked one: everything moves to the one
    picked, after a confirmation."""
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.person_dialogs import Picker

    try:
        others = [(p.id, p.name) for p in screen.store.people() if p.id != person.id]
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return
    if not others:
        screen.notify("nobody else to merge with", timeout=3)
        return
    names = dict(others)

    def picked(into: str | None) -> None:
        if not into:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                write_change(screen, lambda store: store.merge_people(person.id, into),
                             f"merged {person.name} into {names[into]}", merged)

        screen.app.push_screen(ConfirmScreen(
            f"Merge {person.name} into {names[into]}?",
            f"Everything of {person.name} (sessions, notes, items, jots, goals, pulses, "
            f"feedback, talking points) moves to {names[into]}, and {person.name} goes. Where "
            f"both have a set next meeting or a place on the same roster, {names[into]}'s is "
            "kept.", confirm="Merge"), confirmed)

    screen.app.push_screen(Picker(
        f"Merge {person.name} into whom?",
        f"Everything of {person.name} (sessions, items, jots...) moves to the person you pick, "
        f"and {person.name} goes.", others), picked)
