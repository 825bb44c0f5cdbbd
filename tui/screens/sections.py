"""The browsing screens' way between the app's sections: People, Items, Programmes, the question
bank and Search are reached from every browsing screen by the same keys as from Home (F2, F3,
F4, F5, and ``s`` where a screen has no ``s`` of its own; bound by id: docs/keys.md).

How the screen stack behaves (so switching never piles screens up): the sections are top-level
screens over Home. Going to a section that is already open below (People, under the person
you opened from it) goes back down to it, where you left it; going to one that is not closes
the browsing screens above Home (or above a live session, which stays) and opens it in their
place. Esc from a section is Home again. Only browsing screens are closed that way: a live
session below them is never closed by a switch.
"""

from __future__ import annotations

import importlib
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from tui.commands import Command
from tui.screens.base import RapportScreen

__all__ = ["SEARCH", "SECTION_KEYS", "SectionScreen"]

#: section name -> (module, screen class): imported when first opened, so Home starts light
SECTIONS = {
    "people": ("tui.screens.people", "PeopleScreen"),
    "items": ("tui.screens.items", "ItemsScreen"),
    "programmes": ("tui.screens.programmes", "ProgrammesScreen"),
    "questions": ("tui.screens.questions", "QuestionBankScreen"),
    "search": ("tui.screens.search", "SearchScreen"),
}
#: The sections' keys: each browsing screen puts them after its own (the footer and F1 list a
#: screen's own keys first; Home shows F2 in its footer).
SECTION_KEYS = (
    Binding("f2", "section('people')", "People", id="people", show=False),
    Binding("f3", "section('items')", "Items", id="items", show=False),
    Binding("f4", "section('programmes')", "Programmes", id="programmes", show=False),
    Binding("f5", "section('questions')", "Questions", id="question-bank", show=False),
)
#: Search's key, on the browsing screens where ``s`` is not theirs already (a person's page and
#: the items screen check in on a goal with it; a programme drafts a strategy item): those
#: reach Search from the palette.
SEARCH = Binding("s", "section('search')", "Search", id="search", show=False)


class SectionScreen(RapportScreen[None]):
    """A browsing screen: the section keys (its BINDINGS have :data:`SECTION_KEYS`) work here,
    and switching replaces (above)."""

    #: Home: the floor the sections open over, never closed by a switch
    FLOOR = False

    async def action_section(self, name: str) -> None:
        section = section_class(name)
        app = self.app
        above = browsing_above_floor(app.screen_stack)
        for depth, screen in enumerate(above):
            if type(screen) is section:
                for _ in range(depth):
                    await app.pop_screen()
                return
        for _ in range(len(above) - 1):
            await app.pop_screen()
        if above:
            await app.switch_screen(section())
        else:
            await app.push_screen(section())

    def commands(self) -> list[Command]:
        """The palette's entries here: the screen's own, then the sections'."""
        return [*self.own_commands(), *self.section_commands()]

    def own_commands(self) -> list[Command]:
        return []

    def section_commands(self) -> list[Command]:
        """The palette's entries for the other sections, each naming its key where this screen
        binds it (Search has none on a screen whose ``s`` is its own)."""
        mine = {b.id for klass in type(self).__mro__
                for b in vars(klass).get("BINDINGS", ()) if isinstance(b, Binding)}
        entries = [
            ("People", "Everyone you meet, who is due", "people", "people"),
            ("Items", "Open action items, decisions, agreements and goals", "items", "items"),
            ("Programmes", "Leadership interview programmes", "programmes", "programmes"),
            ("Question bank", "Your own questions, per guide and stage", "questions",
             "question-bank"),
            ("Search", "Search every name, title, note, item, jot and talking point", "search",
             "search"),
        ]
        return [Command(title, help, self.section_runner(name), key if key in mine else None)
                for title, help, name, key in entries if not isinstance(self, section_class(name))]

    def section_runner(self, name: str) -> Any:
        return lambda: self.run_action(f"section({name!r})")


def section_class(name: str) -> type:
    """The screen class of a section (its module imported on first use)."""
    module, class_name = SECTIONS[name]
    found: type = getattr(importlib.import_module(module), class_name)
    return found


def browsing_above_floor(stack: list[Screen[Any]]) -> list[Screen[Any]]:
    """The browsing screens on top of the stack, top first, down to (not with) the floor:
    Home, or the first screen that is not a browsing one (a live session, a dialog)."""
    above: list[Screen[Any]] = []
    for screen in reversed(stack):
        if not isinstance(screen, SectionScreen) or screen.FLOOR:
            break
        above.append(screen)
    return above
