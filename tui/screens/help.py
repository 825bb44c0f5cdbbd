"""F1 help (the keys active on the screen underneath, as bound now, and how Rapport works) and the
privacy screen."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Markdown, Static

from tui.keys import bindings_of, current_keys, with_keys
from tui.screens.base import RapportModal

ABOUT = """\
## How Rapport works

* Everything you type is **saved about a second after you stop typing**, when you change stage,
  lock or quit, encrypted in your vault. The status line says *saved* or *unsaved*.
* The **timer** counts only while the app is open and not paused: time while Rapport was closed
  is not counted when you resume a session.
* **Idle lock**: after a few idle minutes (setting `idle_lock_minutes`), Rapport saves, forgets its
  keys and asks for the passphrase again. **{lock}** locks at once.
* **{privacy}** hides everything behind a blank screen until you press it again.
* **{palette}** opens the command palette: every action is there too.
* Keys can be changed in `config.toml` (`[keys]`, by the ids in `docs/keys.md`).
"""


def keys_table(under: Screen[Any]) -> list[tuple[str, str]]:
    """The keys active on ``under`` (its focused widget's, its own and the app's), as they are
    bound now: one row (keys, action) per binding id, its keys joined by "or" ("/ or f": a "/"
    between them would read as one more key). The screen's own keys come first, in the order
    it declares them, then the focused widget's (moving in a list), then the app's.

    Enter on a list is DataTable's own key (no id): it selects the row, and the screen opens
    it. The screen's binding for Enter is listed in its place, so the table says what Enter
    does there."""
    app = under.app
    rows: dict[str, tuple[list[str], Binding]] = {}
    held_by_widget = set()
    for key, active in under.active_bindings.items():
        binding = active.binding
        if not binding.id or not binding.description:
            held_by_widget.add(key)
            continue  # Textual's own widget keys (cursor moves and the like)
        keys, _ = rows.setdefault(binding.id, ([], binding))
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    own = [b for b in bindings_of(under) if b.id and b.description]
    for binding in own:
        assert binding.id is not None
        if (binding.id not in rows and "enter" in held_by_widget
                and "enter" in current_keys(app, binding.id, under)):
            rows[binding.id] = ([app.get_key_display(Binding("enter", ""))], binding)
    order = {b.id: i for i, b in reversed(list(enumerate(own)))}
    app_ids = {b.id for b in bindings_of(app)}
    ranked = sorted(rows.items(), key=lambda item: (
        0 if item[0] in order else 2 if item[0] in app_ids else 1, order.get(item[0], 0)))
    return [(" or ".join(keys), binding.description) for _, (keys, binding) in ranked]


class HelpScreen(RapportModal[None]):
    """The keys as a table (one widget: a Markdown table is a widget a cell, ~150 ms of CPU to
    open F1 mid-conversation), then the screen's help and how Rapport works, as Markdown."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="close"),
                Binding("f1", "dismiss", "Close", id="help")]  # the help key closes it too

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        app = self.app
        name = self.under.title or type(self.under).__name__.removesuffix("Screen")
        table: DataTable[Text] = DataTable(id="help-keys", cursor_type="none",
                                           zebra_stripes=True)
        table.can_focus = False  # the page scrolls, not the table
        table.add_columns("Key", "Action")
        table.add_rows([(Text(keys, style="bold"), Text(action))
                        for keys, action in keys_table(self.under)])
        prose = []
        extra = getattr(self.under, "HELP", None)
        if extra:
            prose.append(with_keys(app, extra, self.under))
        palette = app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, ""))
        prose.append(with_keys(app, ABOUT.replace("{palette}", palette), self.under))
        with VerticalScroll(id="help-body"):
            yield Static(Text(f"Keys: {name}"), id="help-title")
            yield table
            yield Markdown("\n\n".join(prose), id="help-text")

    def rows(self) -> list[tuple[str, str]]:
        """The table as shown: (keys, action) a row."""
        table = self.query_one("#help-keys", DataTable)
        return [(str(keys), str(action)) for keys, action in
                (table.get_row_at(index) for index in range(table.row_count))]


class PrivacyScreen(RapportModal[None]):
    """Covers everything. Only the privacy key (F12 by default) brings the screen back."""

    BINDINGS = [Binding("f12", "app.privacy", "Show", id="privacy", priority=True)]

    def compose(self) -> ComposeResult:
        with Center(id="privacy-box"):
            yield Static("·", id="privacy-mark")
