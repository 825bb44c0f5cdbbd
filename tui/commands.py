"""The command palette's Rapport commands: a :class:`textual.command.Provider`, as Posting's.

What it offers depends on the screen the palette was opened over: the app's own commands (help,
privacy, lock) and the screen's (``screen.commands()``, a list of :class:`Command`). A command
names the binding that does the same (``key``): the palette shows that binding's keys as they are
bound now, so a remapped key is named here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keys import key_label

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen

    from tui.app import RapportApp


@dataclass(frozen=True)
class Command:
    """One palette entry: ``"area: what it does"``, a line of help, what it runs, and the id of
    the binding that does the same (its keys are shown with the help), if any."""

    title: str
    help: str
    run: Callable[[], object]
    key: str | None = None


def help_line(app: "RapportApp", screen: "Screen[Any]", command: Command) -> str:
    if command.key is None:
        return command.help
    return f"{command.help} ({key_label(app, command.key, screen)})"


def commands_for(app: "RapportApp", screen: "Screen[Any]") -> Iterable[Command]:
    """The app's commands, then those of ``screen``."""
    yield from app.commands()
    extra = getattr(screen, "commands", None)
    if extra is not None:
        yield from extra()


class RapportCommands(Provider):
    """Rapport's commands for the screen under the palette, fuzzy-matched by title."""

    @property
    def rapport(self) -> "RapportApp":
        from tui.app import RapportApp

        app = self.app
        assert isinstance(app, RapportApp)
        return app

    def entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        app, screen = self.rapport, self.screen
        return [(c.title, help_line(app, screen, c), c.run) for c in commands_for(app, screen)]

    async def discover(self) -> Hits:
        for title, help, run in self.entries():
            yield DiscoveryHit(title, run, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help, run in self.entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help)
