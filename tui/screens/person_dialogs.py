"""Dialogs about one person: add or edit (name, cadence, default guide), the next meeting,
erase (confirmed by typing the name) and merge (into whom). Each returns what was chosen; the
screen that opened it writes it (:mod:`tui.screens.person_actions`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from store import (
    CADENCES, DateError, RapportError, date_example, parse_due, parse_time, visible,
)
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.base import RapportModal
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet

if TYPE_CHECKING:  # pragma: no cover
    from store import Meeting, Person

NO_GUIDE = "-"


@dataclass(frozen=True)
class PersonChoice:
    name: str
    cadence: str | None
    guide_id: str | None


@dataclass(frozen=True)
class MeetingChoice:
    """A day (None: clear the set date, the cadence decides again), a time and a length."""

    day: date | None
    time: str | None = None
    minutes: int | None = None


class PersonDialog(Dialog[PersonChoice | None]):
    """Add someone (``person`` None) or edit them: name, cadence and the guide a new session
    with them starts from. ``taken``: the other people's names (a name must be new).

    A lock, a signal or a crash does not keep a name typed here: a half-typed name kept as a
    person (or over their name) would be a wrong record, and nothing said about them is written
    here (that is a jot)."""

    AUTO_FOCUS = "#person-name"

    def __init__(self, guides: Sequence[tuple[str, str]], taken: Sequence[str],
                 person: "Person | None" = None) -> None:
        super().__init__()
        self.guides = list(guides)  # (id, name)
        self.taken = {n.casefold() for n in taken}
        self.person = person

    def compose(self) -> ComposeResult:
        person = self.person
        title = f"Edit {visible(person.name)}" if person else "Add a person"
        with Vertical(id="person-dialog", classes="dialog"):
            yield Static(Text(self.keys_hint("{title}  ·  Tab moves", title=title)),
                         classes="dialog-title")
            yield Label("Name")
            yield Input(fmt.editable(person.name) if person else "", placeholder="their name",
                        id="person-name")
            yield Label("Cadence (how often you meet)")
            with ChoiceSet(id="person-cadence"):
                current = person.cadence if person else None
                yield RadioButton("None", value=current not in CADENCES, name=NO_GUIDE)
                for cadence in CADENCES:
                    yield RadioButton(cadence.capitalize(), value=current == cadence,
                                      name=cadence)
            yield Label("Default guide (a new session with them starts from it)")
            guide = person.guide_id if person else None
            options = [Option("None: the usual default", id=NO_GUIDE)]
            options += [Option(name, id=gid) for gid, name in self.guides]
            yield OptionList(*options, id="person-guide", markup=False)
            if guide and guide not in {g for g, _ in self.guides}:
                yield Static(f"(their guide {guide!r} is not installed)", classes="hint",
                             markup=False)
            yield Label("", id="person-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="person-save", classes="save")
                yield Button("Cancel", id="person-cancel", classes="cancel")

    def on_mount(self) -> None:
        guide = self.person.guide_id if self.person else None
        ids = [NO_GUIDE, *(g for g, _ in self.guides)]
        self.query_one("#person-guide", OptionList).highlighted = \
            ids.index(guide) if guide in ids else 0

    def draft(self) -> tuple[object, ...]:
        return (*super().draft(), self.cadence(), self.guide())

    def cadence(self) -> str | None:
        pressed = self.query_one("#person-cadence", RadioSet).pressed_button
        name = pressed.name if pressed is not None else None
        return name if name in CADENCES else None

    def guide(self) -> str | None:
        options = self.query_one("#person-guide", OptionList)
        if options.highlighted is None:
            return None
        chosen = options.get_option_at_index(options.highlighted).id
        return None if chosen in (None, NO_GUIDE) else chosen

    def save(self) -> None:
        typed = self.query_one("#person-name", Input).value
        name = " ".join((fmt.as_edited(typed, self.person.name) if self.person else typed).split())
        error = self.query_one("#person-error", Label)
        if not name:
            error.update("Type their name.")
            self.query_one("#person-name", Input).focus()
            return
        if name.casefold() in self.taken:
            error.update(f"There is already someone called {name}: to make two records one, "
                         "merge them from the people list.")
            self.query_one("#person-name", Input).focus()
            return
        self.dismiss(PersonChoice(name, self.cadence(), self.guide()))


class MeetingDialog(Dialog[MeetingChoice | None]):
    """The next meeting with someone: a day (as the capture dialog takes it), an optional time
    and length. An empty day clears a set date (the cadence decides again). Not kept on a lock
    (a date, not something said about them)."""

    AUTO_FOCUS = "#meeting-day"

    def __init__(self, person_name: str, today: date, current: "Meeting | None" = None,
                 suggested: date | None = None) -> None:
        super().__init__()
        self.person_name = person_name
        self.today = today
        self.current = current
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        current = self.current
        day = current.day.isoformat() if current else \
            self.suggested.isoformat() if self.suggested else ""
        with Vertical(id="meeting-dialog", classes="dialog"):
            yield Static(Text(self.keys_hint("Next meeting with {name}  ·  Tab moves",
                                             name=self.person_name)), classes="dialog-title")
            yield Static("A date set here overrides the one the cadence computes, until you "
                         "meet. Empty the day to clear it.", classes="hint")
            yield Label("Day")
            yield Input(day, placeholder=f"{date_example(self.today)}, tomorrow, +7d, fri",
                        id="meeting-day")
            with Horizontal(id="meeting-row"):
                with Vertical():
                    yield Label("Time (optional)")
                    yield Input((current.time or "") if current else "", placeholder="09:30",
                                id="meeting-time")
                with Vertical():
                    yield Label("Minutes (optional)")
                    yield Input(str(current.minutes or "") if current else "",
                                placeholder="30", id="meeting-minutes", type="integer")
            yield Label("", id="meeting-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="meeting-save", classes="save")
                yield Button("Cancel", id="meeting-cancel", classes="cancel")

    def save(self) -> None:
        error = self.query_one("#meeting-error", Label)
        try:
            day = parse_due(self.query_one("#meeting-day", Input).value, self.today)
            time = parse_time(self.query_one("#meeting-time", Input).value)
        except (DateError, RapportError) as exc:
            error.update(str(exc))
            return
        raw = self.query_one("#meeting-minutes", Input).value.strip()
        minutes = int(raw) if raw.isdigit() else None
        if raw and (minutes is None or not 1 <= minutes <= 24 * 60):
            error.update("Minutes: a whole number from 1 to 1440.")
            return
        if day is not None and day < self.today:
            error.update("That day has passed: pick today or later.")
            return
        self.dismiss(MeetingChoice(day, time if day else None, minutes if day else None))


class EraseDialog(Dialog[bool | None]):
    """Erasing someone for good: what goes, then their name typed exactly. Returns True. The
    name typed is a confirmation, not kept on a lock."""

    AUTO_FOCUS = "#erase-name"
    SAVE_VERB = "erases"

    def __init__(self, person_name: str, goes: str) -> None:
        super().__init__()
        self.person_name = person_name
        self.goes = goes

    def compose(self) -> ComposeResult:
        with Vertical(id="erase-dialog", classes="dialog"):
            shown = visible(self.person_name)  # BEL as ␇, as the lists: typed so, it matches
            yield Static(Text(f"Erase {shown}, for good?"), classes="dialog-title")
            yield Static(Text(f"This deletes {shown} and {self.goes}, and wipes the "
                              "file's free pages. It cannot be undone."), id="erase-what")
            yield Label("Type their name to erase them")
            yield Input(placeholder=shown, id="erase-name")
            yield Label("", id="erase-error", classes="error", markup=False)
            yield Static(self.keys_hint(), classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Erase", variant="error", id="erase-ok", classes="save")
                yield Button("Cancel", id="erase-cancel", classes="cancel")

    def save(self) -> None:
        typed = " ".join(self.query_one("#erase-name", Input).value.split())
        # a control in their name (BEL) is typed as shown (␇), or left out: no key types it
        if typed not in fmt.name_forms(self.person_name):
            self.query_one("#erase-error", Label).update(
                "That is not their name as written: nothing is erased.")
            self.query_one("#erase-name", Input).focus()
            return
        self.dismiss(True)


@dataclass(frozen=True)
class NewName:
    """What a :class:`Picker` that offers someone new returns for a name that matches nobody."""

    name: str


#: the option id of "someone new" (never a record's id)
_NEW = "\x00new"


class Picker(RapportModal["str | NewName | None"]):
    """One of a list, filtered as you type: whom to merge a duplicate into, which goal an
    action serves, whom to put on a roster. Returns the id picked, or None. ``new``: how the
    last option reads when the name typed matches nobody's exactly (``{name}`` in it), picked
    as :class:`NewName`; empty, none is offered and a name matching nothing is said so.
    ``taken``: names left out of the list (on the roster already), said under it when what is
    typed is in one, ``taken_said`` (``{names}`` in it): "priya" offered only "+ add Priya,
    someone new" with Priya Park on the roster, and Enter added a second Priya."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]
    AUTO_FOCUS = "#picker-filter"

    def __init__(self, title: str, hint: str, choices: Sequence[tuple[str, str]], *,
                 new: str = "", taken: Sequence[str] = (), taken_said: str = "") -> None:
        super().__init__()
        self.heading = title
        self.hint = hint
        self.choices = list(choices)  # (id, label)
        self.new = new
        self.taken, self.taken_said = list(taken), taken_said
        self.typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="dialog"):
            yield Static(Text(self.heading), classes="dialog-title")
            if self.hint:
                yield Static(Text(self.hint), classes="hint")
            yield Input(placeholder="type a new name or narrow the list" if self.new
                        else "type to narrow the list", id="picker-filter")
            yield OptionList(*self.options(""), id="picker-list", markup=False)
            yield Static("", id="picker-none", classes="hint", markup=False)
            yield Static(with_keys(self.app, "⏎ picks · ↓ moves to the list · {cancel} cancels",
                                   self), classes="hint", markup=False)

    def options(self, typed: str) -> list[Option]:
        needle = " ".join(typed.split()).casefold()
        found = [Option(Text(label), id=key) for key, label in self.choices
                 if needle in label.casefold()]
        if self.new and needle and not any(label.casefold() == needle
                                           for _, label in self.choices):
            found.append(Option(Text(self.new.format(name=" ".join(typed.split()))), id=_NEW))
        return found

    @on(Input.Changed, "#picker-filter")
    def narrow(self, event: Input.Changed) -> None:
        self.typed = event.value
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options(self.options(event.value))
        if options.option_count:
            options.highlighted = 0
        none = self.query_one("#picker-none", Static)
        needle = " ".join(event.value.split()).casefold()
        taken = [n for n in self.taken if needle and needle in n.casefold()]
        none.display = bool(taken) or not options.option_count and bool(needle)
        none.update(Text(self.taken_said.format(names=", ".join(taken[:3])) if taken
                         else f"Nothing matches “{' '.join(event.value.split())}”."))

    @on(Input.Submitted, "#picker-filter")
    def pick_first(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            self.pick(options.get_option_at_index(options.highlighted or 0).id)

    def on_key(self, event: events.Key) -> None:
        """↓ in the filter moves to the list, onto its first row. The list took that ↓ too
        once it had the focus (its binding is looked up after the key has bubbled here), so
        ↓ landed on the second row and ↓ ↓ ⏎ picked the first (the list wraps)."""
        if event.key == "down" and self.focused is self.query_one("#picker-filter"):
            event.stop()
            event.prevent_default()
            options = self.query_one("#picker-list", OptionList)
            if options.highlighted is None and options.option_count:
                options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#picker-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.pick(event.option.id)

    def pick(self, key: str | None) -> None:
        self.dismiss(NewName(" ".join(self.typed.split())) if key == _NEW else key)

    def action_cancel(self) -> None:
        self.dismiss(None)
