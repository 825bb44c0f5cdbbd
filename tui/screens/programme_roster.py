"""A programme as a campaign: its roster (who is to be interviewed: planned, scheduled, done,
declined, and the consent each gave at the interview) with who is still to go, and retention
(once the synthesis is exported, its interviews' raw notes and passages can go).

What the programme screen reads besides its synthesis (:class:`RosterRow`), the roster dialog,
and the flows the screen runs (:func:`ask_roster_add`, :func:`ask_roster_place`,
:func:`ask_retention`, :func:`close_round`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from store import CONSENTS, ROSTER_STATUSES, ROSTER_TO_GO, RapportError
from tui import format as fmt
from tui.screens.base import RapportScreen
from tui.screens.dialog import Dialog, Keeper
from tui.screens.person_actions import write_change
from tui.widgets.browse import theme_style
from tui.widgets.choice import ChoiceSet

if TYPE_CHECKING:  # pragma: no cover
    from store import Person, RosterPlace, Store, Synthesis

NOT_RECORDED = "-"


@dataclass(frozen=True)
class RosterRow:
    """One person of the roster (``place``), or someone interviewed who is not on it."""

    person: "Person"
    place: "RosterPlace | None"
    interviewed: datetime | None  # their latest interview in the programme
    session_id: str | None

    @property
    def status(self) -> str:
        return self.place.status if self.place else "not on the roster"

    @property
    def to_go(self) -> bool:
        return self.place is not None and self.status in ROSTER_TO_GO and self.interviewed is None


def read_roster(store: "Store", programme_id: str) -> list[RosterRow]:
    """The roster in the order people were added, then anyone interviewed who is not on it."""
    people = {p.id: p for p in store.people()}
    latest: dict[str, tuple[datetime, str]] = {}
    for s in store.summaries(programme_id=programme_id):
        if s.person_id not in latest or s.started_at > latest[s.person_id][0]:
            latest[s.person_id] = (s.started_at, s.id)
    rows = []
    for place in store.roster(programme_id):
        person = people.get(place.person_id)
        if person is not None:
            when, sid = latest.get(person.id, (None, None))
            rows.append(RosterRow(person, place, when, sid))
    placed = {r.person.id for r in rows}
    for person_id, (when, sid) in latest.items():
        if person_id not in placed and person_id in people:
            rows.append(RosterRow(people[person_id], None, when, sid))
    return rows


def roster_cells(app: Any, row: RosterRow) -> list[Text]:
    """Name, status, consent, interviewed, note: a row of the roster table."""
    status = Text(row.status, style="dim" if row.place is None else "")
    if row.to_go:
        status.stylize(theme_style(app, "warning"))
    consent = row.place.consent if row.place else None
    mark = {"given": Text("✓ given", style=theme_style(app, "success")),
            "refused": Text("✗ refused", style=theme_style(app, "error"))}.get(
        consent or "", Text("—" if row.interviewed else "", style="dim"))
    return [Text(row.person.name), status, mark, Text(fmt.day(row.interviewed)),
            Text(row.place.note if row.place else "", style="dim")]


def roster_summary(rows: Sequence[RosterRow], *, closed: bool = False) -> str:
    """``3 on the roster: 1 done, 1 declined; still to go: Ana, Ben`` (``closed``: its round
    over, ``never interviewed: Ana, Ben``). Someone still planned or scheduled who has been
    interviewed counts as interviewed: "2 planned; nobody still to go" was said after both
    interviews of a 360 (the status is the facilitator's to set; the Interviewed column says
    it too)."""
    placed = [r for r in rows if r.place is not None]
    if not placed:
        return "Nobody on the roster yet."

    def said(row: RosterRow) -> str:
        return "interviewed" if row.status in ROSTER_TO_GO and row.interviewed else row.status

    counts = {status: sum(1 for r in placed if said(r) == status)
              for status in ("interviewed", *ROSTER_STATUSES)}
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    line = f"{len(placed)} on the roster: {', '.join(parts)}"
    to_go = [r.person.name for r in placed if r.to_go]
    if closed:
        return line + (f"; never interviewed: {', '.join(to_go)}" if to_go else "")
    line += f"; still to go: {', '.join(to_go)}" if to_go else "; nobody still to go"
    return line


class RosterDialog(Dialog[tuple[str, str | None, str] | None]):
    """Someone's place on the roster: status, consent (recorded at their interview) and a
    note. Returns ``(status, consent or None, note)``. A note typed and not saved when a lock, a
    signal or a crash closes it is kept as a jot about them (the roster's note stays as saved).
    ``closed``: its programme's round is over: planned or scheduled anew is said, not saved
    (the dialog stays open, the note typed in it too)."""

    AUTO_FOCUS = "#roster-status"

    def __init__(self, person_name: str, place: "RosterPlace", interviewed: bool, *,
                 closed: bool = False) -> None:
        super().__init__()
        self.person_name = person_name
        self.place = place
        self.interviewed = interviewed
        self.closed = closed

    def compose(self) -> ComposeResult:
        place = self.place
        with Vertical(id="roster-dialog", classes="dialog"):
            yield Static(Text(self.keys_hint("{name} on the roster  ·  Tab moves",
                                             name=self.person_name)),
                         classes="dialog-title")
            yield Label("Status")
            with ChoiceSet(id="roster-status"):
                for status in ROSTER_STATUSES:
                    yield RadioButton(status, value=place.status == status, name=status)
            yield Label("Consent" + ("" if self.interviewed else
                                     " (recorded at the interview: none yet)"))
            with ChoiceSet(id="roster-consent"):
                yield RadioButton("not recorded", value=place.consent is None,
                                  name=NOT_RECORDED)
                for consent in CONSENTS:
                    yield RadioButton(consent, value=place.consent == consent, name=consent)
            yield Label("Note (optional)")
            yield Input(fmt.editable(place.note), placeholder="e.g. on leave until May",
                        id="roster-note")
            yield Label("", id="roster-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="roster-save", classes="save")
                yield Button("Cancel", id="roster-cancel", classes="cancel")

    def pressed(self, radio: str, default: str) -> str:
        button = self.query_one(radio, RadioSet).pressed_button
        return button.name if button is not None and button.name else default

    def draft(self) -> tuple[object, ...]:
        return (*super().draft(), self.pressed("#roster-status", ""),
                self.pressed("#roster-consent", ""))

    def save(self) -> None:
        consent = self.pressed("#roster-consent", NOT_RECORDED)
        status = self.pressed("#roster-status", self.place.status)
        if self.closed and status in ROSTER_TO_GO and status != self.place.status:
            self.query_one("#roster-error", Label).update(
                f"The round is closed: nobody is {status} in it any more (done or declined).")
            return
        self.dismiss((status,
                      None if consent == NOT_RECORDED else consent,
                      fmt.as_edited(self.query_one("#roster-note", Input).value,
                                    self.place.note).strip()))


def ask_roster_add(screen: RapportScreen[Any], programme_id: str, on_roster: set[str],
                   saved: Callable[[], object]) -> None:
    """Puts someone on the roster: picked from the people (typing narrows the list), or someone
    new, by the name typed (added to the people too)."""
    from tui.screens.person_dialogs import NewName, Picker

    try:
        everyone = screen.store.people()
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return

    def picked(choice: str | NewName | None) -> None:
        if isinstance(choice, NewName):
            def add_new(store: "Store") -> None:
                person = store.get_or_add_person(choice.name)
                store.add_to_roster(programme_id, person.id)

            write_change(screen, add_new, f"{choice.name} is on the roster (planned)", saved)
        elif choice:
            person_id = choice
            write_change(screen, lambda store: store.add_to_roster(programme_id, person_id),
                         f"{dict(people)[person_id]} is on the roster (planned)", saved)

    people = [(p.id, p.name) for p in everyone if p.id not in on_roster]
    screen.app.push_screen(Picker("Who is to be interviewed?",
                                  "" if people else "Everyone you know is on it: type a new name.",
                                  people, new="+ add {name}, someone new",
                                  taken=[p.name for p in everyone if p.id in on_roster],
                                  taken_said="On the roster already: {names}"), picked)


def ask_roster_place(screen: RapportScreen[Any], programme_id: str, row: RosterRow,
                     saved: Callable[[], object], *, closed: bool = False) -> None:
    """Changes someone's place: status, consent (at their latest interview), note
    (``closed``: never planned or scheduled anew, :class:`RosterDialog`)."""
    place = row.place
    if place is None:
        ask_roster_add_one(screen, programme_id, row, saved)
        return

    def done(result: tuple[str, str | None, str] | None) -> None:
        if result is None:
            return
        status, consent, note = result

        def write(store: "Store") -> None:
            if status != place.status or note != place.note:
                store.update_roster(programme_id, row.person.id, status=status, note=note)
            if consent != place.consent:
                store.record_consent(programme_id, row.person.id, consent,
                                     session_id=row.session_id if consent else None)

        write_change(screen, write, f"{row.person.name}: {status}", saved)

    # done: interviewed, though retention may have destroyed the interview ("none yet" was said)
    dialog = RosterDialog(row.person.name, place,
                          row.interviewed is not None or place.status == "done", closed=closed)
    dialog.keeper = Keeper.jot(row.person.id, row.person.name)  # a note about them, kept beside the roster's own
    screen.app.push_screen(dialog, done)


def ask_roster_add_one(screen: RapportScreen[Any], programme_id: str, row: RosterRow,
                       saved: Callable[[], object]) -> None:
    """Someone interviewed who is not on the roster: put them on it, as done."""
    from tui.screens.confirm import ConfirmScreen

    def confirmed(yes: bool | None) -> None:
        if yes:
            write_change(screen, lambda store: store.add_to_roster(programme_id, row.person.id,
                                                             status="done"),
                   f"{row.person.name} is on the roster (done)", saved)

    screen.app.push_screen(ConfirmScreen(
        f"Put {row.person.name} on the roster?", f"{row.person.name} was interviewed in this "
        "programme but is not on its roster. They go on it as done; then record their "
        "consent.", confirm="Add"), confirmed)


def ask_retention(screen: RapportScreen[Any], programme_id: str,
                  done: Callable[[], object]) -> None:
    """Once the synthesis is exported: destroy the interviews' raw notes and passages, after a
    confirmation that says what goes and what stays."""
    from store import destroy_raw, retention_plan
    from tui.screens.confirm import ConfirmScreen

    try:
        plan = retention_plan(screen.store, programme_id)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return
    if not plan.goes:
        screen.notify("no interview notes left to destroy", timeout=3)
        return
    if not plan.exported:
        screen.notify("export the synthesis first (its anonymised synthesis is what is kept); "
                      "nothing was deleted", severity="warning", timeout=6)
        return

    def confirmed(yes: bool | None) -> None:
        if not yes:
            return
        screen.notify("destroying the raw notes…", timeout=3)

        def destroyed(_: object) -> None:
            screen.notify("raw notes destroyed; the synthesis is kept, sealed", timeout=4)
            done()

        screen.load_from_store(lambda store: destroy_raw(store, programme_id), destroyed,
                               group="retention")

    what = plan.describe()
    screen.app.push_screen(ConfirmScreen(
        "Destroy this programme's raw notes?",
        f"This {what}. It cannot be undone.", confirm="Destroy"), confirmed)


def close_round(screen: RapportScreen[Any], programme_id: str, closed: bool,
                done: Callable[[], object]) -> None:
    """Closes the programme's round (``closed``) or reopens it, said with the key that undoes
    it: nothing is lost either way, so nothing is asked."""
    from tui.keys import with_keys

    try:
        programme = (screen.store.close_programme if closed
                     else screen.store.reopen_programme)(programme_id)
    except RapportError as exc:
        screen.notify(str(exc), severity="error", markup=False)
        return
    screen.notify(with_keys(screen.app, "{name} closed: no new interviews ({reopen-programme} "
                            "reopens it)", screen, name=programme.name) if closed else
                  f"{programme.name} reopened: interviews can start in it", timeout=4,
                  markup=False)
    done()


def leader_cells(syn: "Synthesis", minimum: int) -> list[tuple[str, list[Text]]]:
    """The leader x theme matrix, one row per theme with something in it: per leader "n (k)",
    n passages from k different interviewees; a cell with fewer than ``minimum`` interviewees
    is dim (an anonymised report withholds it), one with enough is bold."""
    rows = []
    for theme, cells in syn.leader_matrix():
        if not any(n for n, _ in cells):
            continue
        shown = [Text(f"{n} ({k})" if n else "·",
                      style="bold" if k >= minimum else "dim") for n, k in cells]
        rows.append((theme, shown))
    return rows
