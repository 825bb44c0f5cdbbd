"""Start a session: pick a guide (with its description and length), the participant, a title,
and the slot (minutes; the guide's stage timeboxes scale to fit it)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widget import Widget
from textual.widgets.option_list import Option

from store import RapportError
from tui.screens.dialog import Dialog


class CompletingInput(Input):
    """An Input where Tab (and a first Enter) accepts the completion it shows: the first of
    ``names`` that starts with what is typed (case-insensitive), as its suggester shows it."""

    BINDINGS = [Binding("tab", "complete", "Complete", id="complete", show=False)]

    def __init__(self, names: list[str], *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id,
                         suggester=SuggestFromList(names, case_sensitive=False))
        self.names = names

    @property
    def completion(self) -> str | None:
        typed = self.value.casefold()
        if not typed:
            return None
        found = next((n for n in self.names if n.casefold().startswith(typed)), None)
        return found if found and len(found) > len(self.value) else None

    def action_complete(self) -> None:
        if self.completion:
            self.value = self.completion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


class NewSessionScreen(Dialog[str | None]):
    """Returns the new session's id, or None when cancelled. Enter starts it from any field,
    except that the first Enter in the name accepts the completion shown."""

    AUTO_FOCUS = "#guide-list"
    SAVE_VERB = "starts"

    def __init__(self, *, programme_id: str | None = None, guide_id: str | None = None,
                 participant: str = "") -> None:
        super().__init__()
        self.programme_id = programme_id
        self.preselect = guide_id
        self.participant = participant  # filled in (Prepare: the person being prepared for)
        self.default_minutes = ""  # the highlighted guide's own length, shown until edited

    def compose(self) -> ComposeResult:
        store = self.app.store
        names = [p.name for p in store.people()] if store else []
        catalog = self.app.catalog
        with Vertical(id="start-dialog", classes="dialog"):
            yield Static(self.keys_hint("New session  ·  ↑↓ picks the guide"),
                         classes="dialog-title", markup=False)
            yield Label("Guide")
            yield OptionList(*[Option(f"{g.name}  ·  {g.planned_minutes} min", id=g.id)
                               for g in catalog.guides], id="guide-list")
            yield Static("", id="guide-description", classes="hint", markup=False)
            yield Label("Participant")
            yield CompletingInput(names, placeholder="name (Tab completes someone you have met)",
                                  id="person")
            with Horizontal(id="start-title-row"):
                with Vertical(id="start-title-box"):
                    yield Label("Title (optional)")
                    yield Input(placeholder="e.g. quarterly check-in", id="title")
                with Vertical(id="start-slot-box"):
                    yield Label("Minutes")
                    yield Input(placeholder="30, 45, 60…", id="minutes", type="integer",
                                tooltip="The slot: stage timeboxes scale to fit it")
            yield Label("", id="start-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start", classes="save")
                yield Button("Cancel", id="cancel", classes="cancel")

    def on_mount(self) -> None:
        guides = self.app.catalog.guides
        wanted = self.preselect or self.app.config.default_guide
        index = next((i for i, g in enumerate(guides) if g.id == wanted), 0)
        options = self.query_one("#guide-list", OptionList)
        if guides:
            options.highlighted = index
        if self.participant:
            self.query_one("#person", Input).value = self.participant

    @on(OptionList.OptionHighlighted, "#guide-list")
    def describe(self, event: OptionList.OptionHighlighted) -> None:
        guide = self.app.catalog.get(event.option.id or "")
        if guide:
            stages = " → ".join(s.title for s in guide.stages)
            self.query_one("#guide-description", Static).update(f"{stages}\n{guide.description}")
            minutes = self.query_one("#minutes", Input)
            if minutes.value in ("", self.default_minutes):  # not edited: follow the guide
                minutes.value = self.default_minutes = str(guide.planned_minutes)

    @on(OptionList.OptionSelected, "#guide-list")
    def guide_clicked(self) -> None:
        self.query_one("#person", Input).focus()

    def draft(self) -> tuple[str, ...]:
        """What was typed: the name and title, and the slot once edited (it follows the
        highlighted guide until then)."""
        minutes = self.query_one("#minutes", Input).value
        return (self.query_one("#person", Input).value, self.query_one("#title", Input).value,
                "" if minutes == self.default_minutes else minutes)

    def save_from(self, focused: Widget | None) -> None:
        person = self.query_one("#person", CompletingInput)
        if focused is person and person.completion:  # the first Enter accepts it
            person.action_complete()
            return
        super().save_from(focused)

    def save(self) -> None:
        options = self.query_one("#guide-list", OptionList)
        if options.highlighted is None:
            self.error("Choose a guide.")
            return
        guide = self.app.catalog.get(options.get_option_at_index(options.highlighted).id or "")
        if guide is None:
            self.error("Choose a guide.")
            return
        name = self.query_one("#person", Input).value.strip()
        if not name:
            self.error("Who are you meeting? Type their name.")
            self.query_one("#person", Input).focus()
            return
        slot = self.query_one("#minutes", Input).value.strip()
        if slot:
            try:
                guide = guide.scaled(int(slot) if slot.lstrip("-").isdigit() else 0)
            except ValueError as exc:
                self.error(f"Minutes: {exc}." if slot.lstrip("-").isdigit()
                           else "Minutes: a whole number, such as 45.")
                self.query_one("#minutes", Input).focus()
                return
        try:
            store = self.store
            person = store.get_or_add_person(name)
            session = store.start_session(person.id, guide.to_snapshot(),
                                          title=self.query_one("#title", Input).value,
                                          programme_id=self.programme_id)
        except RapportError as exc:
            self.error(str(exc))
            return
        self.dismiss(session.id)

    def error(self, text: str) -> None:
        self.query_one("#start-error", Label).update(text)
