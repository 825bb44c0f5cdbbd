"""Start a session: pick a guide (with its description and length), the participant, a title,
and the slot (minutes; the guide's stage timeboxes scale to fit it). A participant with a
default guide (``Person.guide_id``) gets it chosen, and the line under the fields says so, until
a guide is picked: by the list's keys, or by the caller (a programme, Prepare). A picked guide is
never changed by a name typed."""

from __future__ import annotations

from typing import Mapping

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widget import Widget
from textual.widgets.option_list import Option

from store import RapportError
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.dialog import Dialog

#: the keys that move the guide list's highlight: a guide picked by them is kept
LIST_MOVES = frozenset({"up", "down", "home", "end", "pageup", "pagedown"})


class CompletingInput(Input):
    """An Input where Tab (and a first Enter) accepts the completion it shows: the first of
    ``names`` that starts with what is typed (case-insensitive), as its suggester shows it."""

    BINDINGS = [Binding("tab", "complete", "Complete", id="complete", show=False)]
    #: the dialog's Tab leaves this field's own to it (:meth:`tui.screens.dialog.Dialog.
    #: action_next_field`)
    TAKES_TAB = True

    def __init__(self, names: list[str], *, placeholder: str = "", id: str | None = None,
                 forms: Mapping[str, str] | None = None) -> None:
        """``forms``: folded name -> the name it is a form of (``names`` may hold two forms of
        one name: fmt.typed_forms); one typed whole completes to no other form of itself."""
        # not selected on focus: a name typed on the guide list lands here letter by letter
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False,
                         suggester=SuggestFromList(names, case_sensitive=False))
        self.names = names
        self.forms = forms or {}
        self.accepted: str | None = None  # the name a completion gave, until edited

    @property
    def completion(self) -> str | None:
        """The longer name what is typed completes to; none once a completion was accepted
        (an Enter right after Tab starts the session, it does not complete "Sam Rivera" on to
        "Sam Rivera-Lee")."""
        typed = self.value.casefold()
        if not typed or self.value == self.accepted:
            return None
        found = next((n for n in self.names if n.casefold().startswith(typed)), None)
        if found is None or len(found) <= len(self.value):
            return None
        whole = self.forms.get(" ".join(typed.split()))
        return None if whole is not None and self.forms.get(found.casefold()) == whole else found

    def action_complete(self) -> None:
        completion = self.completion
        if completion:
            self.value = self.accepted = completion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


class NewSessionScreen(Dialog[str | None]):
    """Returns the new session's id, or None when cancelled. Enter starts it from any field,
    except that the first Enter in the name accepts the completion shown. With a session still
    open with the participant (said under the fields), ctrl+r returns that one's id instead.

    A lock, a signal or a crash does not keep what was typed here: a name, a title and a slot,
    typed again in seconds, and nothing said in a conversation (a session kept from them would
    be a meeting that did not happen)."""

    AUTO_FOCUS = "#guide-list"
    SAVE_VERB = "starts"
    BINDINGS = [Binding("ctrl+r", "resume_open", "Resume", id="resume-open", show=False)]

    def __init__(self, *, programme_id: str | None = None, guide_id: str | None = None,
                 participant: str = "") -> None:
        super().__init__()
        self.programme_id = programme_id
        self.preselect = guide_id
        self.participant = participant  # filled in (Prepare: the person being prepared for)
        #: the name as filled in: while it stands untouched, a name typed replaces it
        self.suggested = fmt.editable(participant) if participant else ""
        self.default_minutes = ""  # the highlighted guide's own length, shown until edited
        self.guide_picked = guide_id is not None  # by the caller, or on the list: kept
        #: the guide highlighted when the dialog opened: chosen again when the name typed has
        #: no usual guide ("Sam" chose Sam's, and "Sam Rossi" kept it, without a word)
        self.base_guide: str | None = None
        self.usual: dict[str, str] = {}  # folded name -> that person's default guide
        #: folded name -> their session still open: its id, and how it is said
        self.open: dict[str, tuple[str, str]] = {}
        #: folded name -> the name stored: everyone met, each name in every form it is typed
        #: (a control in it as the lists show it, BEL as ␇, or left out: fmt.name_forms)
        self.known: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        store = self.app.store
        people = store.people() if store else []
        names = [form for p in people for form in fmt.typed_forms(p.name)]
        forms = {p.id: [f.casefold() for f in fmt.name_forms(p.name)] for p in people}
        for p in people:
            for form in forms[p.id]:
                self.known.setdefault(form, p.name)
                if p.guide_id:
                    self.usual.setdefault(form, p.guide_id)
        # open with them: a 1-on-1 before another; in a programme, an interview of it (an open
        # 1-on-1 was said before an interview, with "esc, then resume it", as if the same)
        for active in store.sessions(status="active") if store else []:
            if active.programme_id == self.programme_id and active.person_id in forms:
                for form in forms[active.person_id]:
                    self.open.setdefault(form, (active.id, f"{active.guide_name}, "
                                                f"{fmt.when(active.started_at)}"))
        catalog = self.app.catalog
        with Vertical(id="start-dialog", classes="dialog"):
            yield Static(self.keys_hint("New session  ·  ↑↓ picks the guide"),
                         classes="dialog-title", markup=False)
            yield OptionList(*[Option(f"{g.name}  ·  {g.planned_minutes} min", id=g.id)
                               for g in catalog.guides], id="guide-list", markup=False)
            yield Static("", id="guide-stages", classes="hint", markup=False)
            yield Static("", id="guide-description", markup=False)
            with Horizontal(classes="start-row"):
                yield Label("Participant", classes="label")
                yield CompletingInput(names, placeholder=with_keys(
                    self.app, "name ({complete} completes someone you have met)",
                    CompletingInput), id="person", forms=self.known)
            with Horizontal(classes="start-row"):
                yield Label("Title", classes="label")
                yield Input(placeholder="optional, e.g. quarterly check-in", id="title")
                yield Label("Minutes", classes="label")
                yield Input(placeholder="30", id="minutes", type="integer",
                            tooltip="The slot: stage timeboxes scale to fit it")
            yield Label("", id="start-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start", classes="save")
                yield Button("Cancel", id="cancel", classes="cancel")

    def on_resize(self) -> None:
        self.set_class(self.app.size.height >= 36 and self.app.size.width >= 100, "-tall")

    def on_mount(self) -> None:
        self.on_resize()
        guides = self.app.catalog.guides
        wanted = self.preselect or self.app.config.default_guide
        index = next((i for i, g in enumerate(guides) if g.id == wanted), 0)
        options = self.query_one("#guide-list", OptionList)
        if guides:
            self.base_guide = guides[index].id
            options.highlighted = index
        if self.participant:
            self.query_one("#person", Input).value = self.suggested

    @on(OptionList.OptionHighlighted, "#guide-list")
    def describe(self, event: OptionList.OptionHighlighted) -> None:
        guide = self.app.catalog.get(event.option.id or "")
        if guide:
            stages = " → ".join(s.title for s in guide.stages)
            self.query_one("#guide-stages", Static).update(
                f"{len(guide.stages)} stages: {stages}")
            self.query_one("#guide-description", Static).update(guide.description)
            minutes = self.query_one("#minutes", Input)
            if minutes.value in ("", self.default_minutes):  # not edited: follow the guide
                minutes.value = self.default_minutes = str(guide.planned_minutes)

    @on(Input.Changed, "#person")
    def offer_usual_guide(self, event: Input.Changed) -> None:
        """A participant with a default guide: it is chosen, and said so, unless a guide was
        picked; a name without one goes back to the guide the dialog opened with."""
        folded = " ".join(event.value.split()).casefold()
        usual = self.usual.get(folded)
        guide = self.app.catalog.get(usual) if usual else None
        # said as chosen when it is: Enter never starts a guide the facilitator did not see
        said = [f"{event.value.strip()}'s usual guide"
                f"{'' if self.guide_picked else ' chosen'}: {guide.name}"] if guide else []
        if folded in self.open:  # back-to-back: the last one with them may not be ended
            # resumed from here: "esc, then resume it" left Prepare, which has no key for it,
            # and Home, where the row to resume had to be found
            said.append(with_keys(self.app, "still open with them: {open} ({resume-open} "
                                  "resumes it)", self, open=self.open[folded][1]))
        person = self.query_one("#person", CompletingInput)
        if folded and folded not in self.known and not person.completion:
            # a title typed on after Tab accepted a name ("Priya ParkQ1 review") started a
            # session with someone new, without a word
            said.append("someone new: starting adds them to your people")
        line = self.query_one("#start-error", Label)
        line.update(" · ".join(said))
        line.set_class(False, "error")
        line.display = bool(said)
        if self.guide_picked:
            return  # a guide picked (by the caller or on the list) is kept
        wanted = guide.id if guide else self.base_guide
        index = next((i for i, g in enumerate(self.app.catalog.guides) if g.id == wanted),
                     None)
        options = self.query_one("#guide-list", OptionList)
        if index is not None and options.highlighted != index:
            options.highlighted = index

    @on(OptionList.OptionSelected, "#guide-list")
    def guide_clicked(self) -> None:
        self.guide_picked = True  # Enter on it (or a click): this one, whoever is typed
        person = self.query_one("#person", Input)
        person.focus()
        if self.untouched():  # Enter starts with them; a name typed replaces theirs
            person.select_all()

    def untouched(self) -> bool:
        """The participant filled in (the next on a programme's roster) stands as it was."""
        return bool(self.suggested) and self.query_one("#person", Input).value == self.suggested

    def on_key(self, event: events.Key) -> None:
        """A name typed while the guide list has the focus goes into the name: the list takes
        only arrows and Enter, and the letters were lost. A space too, once a name is begun:
        typed fast, the letters after the first reach the list before the focus has moved, and
        the list took the space as its own ("Ben Okafor" became someone new, "BenOkafor").
        A name filled in and untouched is replaced by the one typed ("Kim OduyaSam")."""
        guides = self.query_one("#guide-list", OptionList)
        person = self.query_one("#person", Input)
        if self.focused is guides and event.key in LIST_MOVES:
            self.guide_picked = True  # the list moved by hand: kept, whoever is typed
        untouched = self.untouched()
        if self.focused is guides and event.is_printable and event.character \
                and (not event.character.isspace() or person.value and not untouched):
            event.stop()
            event.prevent_default()
            person.focus()
            if untouched:
                person.value = ""
            person.insert_text_at_cursor(event.character)

    def draft(self) -> tuple[str, ...]:
        """What was typed: the name and title, and the slot once edited (it follows the
        highlighted guide until then)."""
        minutes = self.query_one("#minutes", Input).value
        return (self.query_one("#person", Input).value, self.query_one("#title", Input).value,
                "" if minutes == self.default_minutes else minutes)

    def save_from(self, focused: Widget | None) -> None:
        if focused is self.query_one("#guide-list"):
            self.guide_picked = True  # Enter on it, even before a name: this guide, kept
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
        typed = self.query_one("#person", Input).value.strip()
        # someone met, however their name was typed (␇, or its control left out)
        name = self.known.get(" ".join(typed.split()).casefold(), typed)
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

    def action_resume_open(self) -> None:
        """The session still open with the participant typed, resumed instead of a new one
        (the dialog returns its id, as it does a new session's)."""
        typed = " ".join(self.query_one("#person", Input).value.split()).casefold()
        if typed in self.open:
            self.dismiss(self.open[typed][0])
        else:
            self.error("No session is still open with them.")

    def error(self, text: str) -> None:
        line = self.query_one("#start-error", Label)
        line.update(text)
        line.set_class(True, "error")
        line.display = bool(text)
