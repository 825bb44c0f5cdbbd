"""F1 help (keys of the screen underneath plus how Rapport works) and the privacy screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

ABOUT = """\
## How Rapport works

* Everything you type is **saved about a second after you stop typing**, when you change stage,
  lock or quit, encrypted in your vault. The status line says *saved* or *unsaved*.
* The **timer** counts only while the app is open and not paused: time while Rapport was closed
  is not counted when you resume a session.
* **Idle lock**: after a few idle minutes (setting `idle_lock_minutes`), Rapport saves, forgets its
  keys and asks for the passphrase again.
* **F12** hides everything behind a blank screen until you press it again.
* **ctrl+p** opens the command palette: every action is there too.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="close"),
                Binding("f1", "dismiss", "Close", id="help")]  # the help key closes it too

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        lines = [f"# Keys: {self.under.title or type(self.under).__name__.removesuffix('Screen')}", ""]
        lines.append("| Key | Action |")
        lines.append("|---|---|")
        seen = set()
        for bindings in (getattr(self.under, "BINDINGS", []), self.app.BINDINGS):
            for b in bindings:
                if not hasattr(b, "key") or not b.description or b.action in seen:
                    continue
                seen.add(b.action)
                keys = ", ".join(k.strip() for k in b.key.split(","))
                lines.append(f"| `{keys}` | {b.description} |")
        extra = getattr(self.under, "HELP", None)
        text = "\n".join(lines) + "\n\n" + (extra + "\n\n" if extra else "") + ABOUT
        with VerticalScroll(id="help-body"):
            yield Markdown(text)


class PrivacyScreen(ModalScreen[None]):
    """Covers everything. Only the privacy key (F12 by default) brings the screen back."""

    BINDINGS = [Binding("f12", "app.privacy", "Show", id="privacy", priority=True)]

    def compose(self) -> ComposeResult:
        with Center(id="privacy-box"):
            yield Static("·", id="privacy-mark")
