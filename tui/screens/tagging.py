"""Tag a passage of the notes with themes (F4 in a session), without leaving the notes for long.

:func:`tag_selection` is what the session screen calls: it takes the selected text (or, with no
selection, the line under the cursor), opens :class:`TagDialog` and saves a tag per theme chosen.
In the dialog, Space marks a theme (several for one passage, in one go), Enter tags with the marked
ones (or the highlighted one), and a digit 1-9 tags at once with that theme and any marked. A new
theme typed with none marked is tagged together with the stage's own theme, if it has one. The
"About" leader typed last in this session is offered again, or the colleague a passage begins with
("Dana: he never…", :func:`named_at_start`); in a 360, the programme's leader to begin with
(:func:`programme_leader`). The notes get the focus back either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Iterable, Mapping, Sequence

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, SelectionList, Static

from store import RapportError
from store import DEFAULT_THEMES, visible
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.dialog import Dialog
from tui.widgets.choice import MarkList

if TYPE_CHECKING:  # pragma: no cover
    from store import Tag
    from tui.screens.session import SessionScreen

PREVIEW_CHARS = 160
#: a passage that begins with a name and a colon or a dash: "Dana: he never…", "- Dana Ruiz —
#: …" (a list item, the name in bold or not)
NAMED_HEAD = re.compile(r"\s*(?:[-*+•]\s+)?[*_]*(?P<name>[^:\n—–*_]{1,60}?)[*_]*"
                        r"\s*(?::|—|–|\s-\s)")


@dataclass(frozen=True)
class TagChoice:
    themes: tuple[str, ...]  # one tag per theme, the same passage
    new_themes: tuple[str, ...]  # those typed in the dialog, not yet the programme's themes
    subject_id: str | None  # a known person
    new_subject: str | None  # a name to add as a new person
    subject_name: str = ""  # the name as resolved (remembered for the next tag)

    @property
    def theme(self) -> str:
        return self.themes[0]

    @property
    def new_theme(self) -> bool:
        return bool(self.new_themes)


def passage_at_cursor(notes) -> str:
    """The selected text, or the whole line under the cursor when nothing is selected."""
    selected = notes.selected_text
    if selected.strip():
        return selected.strip()
    row = notes.cursor_location[0]
    if row >= notes.document.line_count:
        return ""
    return notes.document.get_line(row).strip()


def stage_theme(stage: Mapping[str, Any], themes: Sequence[str]) -> int | None:
    """The index of the stage's own theme: the one the guide names (``theme = "strength"``),
    else the one its key matches (``current-state`` -> ``current state``, ``needs`` ->
    ``organisation needs``: plans made before guides named their themes, and guides that do
    not), else None. Case and spacing aside."""

    def fold(text: str) -> str:
        return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()

    folded = [fold(theme) for theme in themes]
    named = stage.get("theme")
    if isinstance(named, str) and fold(named) in folded:
        return folded.index(fold(named))
    key = fold(str(stage.get("key", "")))
    for index, theme in enumerate(folded):
        if key and (theme == key or theme.endswith(" " + key)):
            return index
    return None


def named_at_start(passage: str, people: Sequence[tuple[str, str]],
                   close: Collection[str] = ()) -> str:
    """The name of the one of ``people`` (id, name) ``passage`` begins with, by their full or
    first name, before a colon or a dash (:data:`NAMED_HEAD`): in the peers stage, one colleague
    after another, "Dana: he never delegates". Those whose ids are in ``close`` (the programme's
    roster and interviewees) first; "" when nobody, or several, are called that."""
    match = NAMED_HEAD.match(passage)
    head = " ".join(match.group("name").split()).casefold() if match else ""
    if not head:
        return ""
    found = [(pid, name) for pid, name in people
             if fmt.name_matches(head, name) or head == " ".join(name.split()[:1]).casefold()]
    group = [p for p in found if p[0] in close] or found
    return group[0][1] if len(group) == 1 else ""


def programme_leader(name: str, tags: Iterable["Tag"], people: Sequence[tuple[str, str]]) -> str:
    """The leader a 360's passages are about: the one its passages (``tags``) name so far, else
    the one of ``people`` (id, name) whose full name its ``name`` holds ("360 for Lee Park");
    "" when none, or several."""
    named = dict(people)
    subjects = {t.subject_id for t in tags if t.subject_id in named}
    if subjects:
        return named[subjects.pop()] if len(subjects) == 1 else ""
    folded = " ".join(name.split()).casefold()
    found = {n for _, n in people for form in fmt.name_forms(n)
             if re.search(rf"(?<!\w){re.escape(form.casefold())}(?!\w)", folded)}
    return found.pop() if len(found) == 1 else ""


def tagged_message(themes: Sequence[str], about: str, private: bool, room: int) -> str:
    """The confirmation of a tag in ``room`` cells with its themes whole (at 80 columns they
    were cut: the part the confirmation is for). Who it is about (remembered for the next tag,
    so the part to check) and whether the note is private are shown as whole as they fit:
    the private mark shortened first, then the word "tagged" left out (the dialog has just
    closed), then the name shortened; the mark is left out last."""
    said = ", ".join(themes)
    marks = (" (private: kept out of reports)", " (private)") if private else ("",)

    def named(mark: str) -> list[str]:
        room_left = room - cell_len(f": {said}{mark}")
        if not about or room_left < 6:
            return []
        name = about if cell_len(about) <= room_left else \
            set_cell_size(about, room_left - 1).rstrip() + "…"
        return [f"{name}: {said}{mark}"]

    tries = [f"tagged about {about}: {said}{mark}" for mark in marks if about]
    tries += [t for mark in marks for t in named(mark)]
    tries += [f"tagged: {said}{mark}" for mark in marks]
    tries += [*named(""), f"tagged: {said}", said]
    return next((t for t in tries if cell_len(t) <= room), tries[-1])


def tag_selection(screen: "SessionScreen") -> None:
    """F4 in a session: tag the selected passage (or the current line) with a theme."""
    from tui.widgets.session import NotesArea

    notes = screen.query_one(NotesArea)
    passage = passage_at_cursor(notes)
    if not passage:
        screen.notify("select a passage or put the cursor on a line of notes first", timeout=3)
        notes.focus()
        return
    store = screen.app.store
    session = screen.session
    if store is None or session is None:
        return
    programme = store.programme(session.programme_id) if session.programme_id else None
    themes = list(programme.themes if programme else DEFAULT_THEMES)
    stage = screen.stage
    people = [(p.id, p.name) for p in store.people()]
    # "About" is remembered within a stage only: the peers stage takes one colleague after
    # another, but a passage of the next stage (the team today) tagged with a digit went to the
    # last colleague's anonymised report. A guide about one person (a stakeholder interview's
    # leader) carries it on: there, each stage began blank and its passages, tagged with a
    # digit, reached no report
    said_at, said = screen.last_subject
    one_subject = bool(session.plan.get("one_subject"))
    remembered = said if said_at == stage["key"] or one_subject else ""
    # a guide about one leader (a 360): the first passage of each interview began with About
    # empty, and one tagged with a digit reached no report; the programme's leader is offered
    if one_subject and not remembered and programme is not None:
        remembered = programme_leader(programme.name, store.tags(programme_id=programme.id),
                                      people)
    # a passage that begins with a colleague's name is about them ("Dana: he never…"), the
    # facilitator free to change it; in a guide about one leader, only while About is empty
    if not (one_subject and remembered) and NAMED_HEAD.match(passage):
        close = {place.person_id for place in store.roster(programme.id)} | {
            s.person_id for s in store.summaries(programme_id=programme.id)} if programme else ()
        remembered = named_at_start(passage, people, close) or remembered

    def chosen(choice: TagChoice | None) -> None:
        notes.focus()
        if choice is None:
            return
        app_store = screen.app.store
        if app_store is None:
            return
        try:
            subject_id = choice.subject_id
            if choice.new_subject:
                subject_id = app_store.add_person(choice.new_subject).id
            if choice.new_themes and programme is not None:
                current = app_store.programme(programme.id)
                app_store.update_programme(programme.id,
                                           themes=[*current.themes, *choice.new_themes])
            screen.save_notes()
            for theme in choice.themes:
                app_store.add_tag(session.id, theme, passage, stage=stage["key"],
                                  subject_id=subject_id)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.last_subject = (stage["key"], choice.subject_name)
        # the passage stays selected no longer: the next key typed would replace it
        selection = notes.selection
        notes.move_cursor(max(selection.start, selection.end))
        room = screen.query_one("#note-status").content_size.width  # saved: the whole line
        screen.say(tagged_message(choice.themes, visible(choice.subject_name), screen.is_private(),
                                  room))

    screen.app.push_screen(TagDialog(passage, themes, people,
                                     stage_theme=stage_theme(stage, themes),
                                     can_add_theme=programme is not None,
                                     subject=remembered), chosen)


class TagDialog(Dialog[TagChoice | None]):
    """Themes (Space marks several; 1-9 tags at once), or a new theme; optionally the leader
    the passage is about."""

    AUTO_FOCUS = "#tag-themes"
    SAVE_VERB = "tags"

    def __init__(self, passage: str, themes: Sequence[str], people: Sequence[tuple[str, str]],
                 *, stage_theme: int | None = None, can_add_theme: bool = True,
                 subject: str = "") -> None:
        """``subject``: the "About" to start from (the last one used in the session);
        ``stage_theme``: the index of the stage's own theme (:func:`stage_theme`), highlighted
        first (else the first theme) and tagged with a typed one when none is marked."""
        super().__init__()
        self.passage = passage
        self.themes = list(themes)
        self.people = list(people)
        self.stage_theme = stage_theme if stage_theme is not None and \
            0 <= stage_theme < len(self.themes) else None
        self.highlight = self.stage_theme or 0
        self.can_add_theme = can_add_theme
        self.subject = subject
        self.pending_new: str | None = None

    def compose(self) -> ComposeResult:
        preview = " ".join(self.passage.split())
        if len(preview) > PREVIEW_CHARS:
            preview = preview[:PREVIEW_CHARS - 1] + "…"
        with Vertical(id="tag-dialog", classes="dialog"):
            yield Static(self.keys_hint("Tag passage  ·  Space marks several · 1-9 tags now"),
                         classes="dialog-title", markup=False)
            yield Static(f"“{preview}”", id="tag-passage", classes="hint", markup=False)
            yield MarkList[int](*[(f"{i + 1 if i < 9 else ' '} {t}", i)
                                  for i, t in enumerate(self.themes)], id="tag-themes")
            with Horizontal(classes="tag-row"):
                yield Label("About", classes="label")
                # a name holding a control (BEL) as the lists show it (␇), or left out: the
                # Input would hold the control unseen, and no key types it
                yield Input(fmt.editable(self.subject),
                            placeholder="leader it is about (optional; → completes)",
                            suggester=SuggestFromList([f for _, n in self.people
                                                       for f in fmt.typed_forms(n)],
                                                      case_sensitive=False),
                            id="tag-subject")
            if self.can_add_theme:
                with Horizontal(classes="tag-row"):
                    yield Label("New theme", classes="label")
                    yield Input(placeholder=self.new_theme_hint(), id="tag-new")
            yield Label("", id="tag-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Tag", variant="primary", id="tag-save", classes="save")
                yield Button("Cancel", id="tag-cancel", classes="cancel")

    def new_theme_hint(self) -> str:
        if self.stage_theme is None:
            return "added to the programme's themes"
        return f"added to the themes, with {visible(self.themes[self.stage_theme])}"

    def on_mount(self) -> None:
        options = self.query_one("#tag-themes", SelectionList)
        if self.themes:
            options.highlighted = min(self.highlight, len(self.themes) - 1)

    def on_key(self, event) -> None:
        if event.character and event.character in "123456789" \
                and isinstance(self.focused, SelectionList):
            index = int(event.character) - 1
            event.stop()
            event.prevent_default()
            if index < len(self.themes):
                self.save(also=index)

    def draft(self) -> tuple[object, ...]:
        marked = tuple(self.query_one("#tag-themes", SelectionList).selected)
        return (*super().draft(), marked)

    def save(self, also: int | None = None) -> None:
        """Tags with the marked themes and the new one typed (and theme ``also``); with none of
        those, the highlighted theme. A theme typed with none marked goes with the stage's own
        theme: in "Where we are today", *current state* and *decision making* file the passage
        under that area (typed alone, it left the current state, and the gap, behind)."""
        options: SelectionList[int] = self.query_one("#tag-themes", SelectionList)
        picked = [self.themes[i] for i in sorted({*options.selected,
                                                  *([] if also is None else [also])})]
        new: list[str] = []
        typed = " ".join(self.query_one("#tag-new", Input).value.split()) \
            if self.can_add_theme else ""
        if typed:
            existing = next((t for t in self.themes if t.casefold() == typed.casefold()), None)
            if existing is None:
                new.append(typed)
            elif existing not in picked:
                picked.append(existing)
            if not options.selected and also is None and self.stage_theme is not None:
                own = self.themes[self.stage_theme]
                if own not in picked:
                    picked.insert(0, own)
        if not picked and not new:
            if options.highlighted is None:
                self.error("Pick a theme.")
                return
            picked = [self.themes[options.highlighted]]
        subject = self.resolve_subject()
        if subject is None:
            return
        subject_id, new_subject = subject
        name = new_subject or next((n for pid, n in self.people if pid == subject_id), "")
        self.dismiss(TagChoice(tuple(picked + new), tuple(new), subject_id, new_subject, name))

    def resolve_subject(self) -> tuple[str | None, str | None] | None:
        """(id, None) for a known person, (None, name) to add someone (asked once), or None
        (with the reason shown) when the name does not say who."""
        field = self.query_one("#tag-subject", Input)
        name = " ".join(field.value.split())
        if not name:
            return None, None
        folded = name.casefold()
        # as typed, as the lists show it (BEL as ␇) or with the control left out
        exact = [pid for pid, n in self.people if fmt.name_matches(name, n)]
        if len(exact) == 1:
            return exact[0], None
        starts = [(pid, n) for pid, n in self.people if fmt.name_matches(name, n, start=True)]
        if not exact and len(starts) == 1:
            return starts[0][0], None
        if len(exact) > 1 or len(starts) > 1:
            names = ", ".join(visible(n) for _, n in (starts or [])[:4])
            self.error(f"{name!r} matches several people ({names}); type more of the name.")
            field.focus()
            return None
        if self.pending_new != folded:
            self.pending_new = folded
            again = with_keys(self.app, "{dialog-save} again adds them", self)
            self.error(f"No one called {name!r} yet: {again}, or edit the name.")
            field.focus()
            return None
        return None, name

    def error(self, text: str) -> None:
        self.query_one("#tag-error", Label).update(text)
