"""The passages behind one cell of a programme's matrix, and how passages are shown."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import Passage, md_inline
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.base import RapportModal
from tui.screens.confirm import ConfirmScreen
from tui.widgets.browse import clip


def passage_markdown(passages: Sequence[Passage], *, empty: str = "Nothing here.") -> str:
    """The facilitator's view of passages: text, then who, when, stage, subject, private."""
    if not passages:
        return f"*{md_inline(empty, start=True)}*"
    lines = []
    for p in sorted(passages, key=lambda p: (p.day or date.min, p.interviewee.casefold())):
        lines.append(f"- {md_inline(p.text, start=True)}  \n"
                     f"  *{md_inline(passage_meta(p), start=True)}*")
    return "\n".join(lines)


def passage_meta(p: Passage) -> str:
    """Who said it, when, in which stage, about whom, and whether it is private."""
    meta = [p.interviewee, fmt.day(p.day), p.stage_title]
    if p.subject:
        meta.append("own view" if p.own_view else f"about {p.subject}")
    if p.private:
        meta.append("🔒 private, never exported")
    return " · ".join(m for m in meta if m)


def passage_prompt(p: Passage) -> Text:
    """One passage as the drill-down lists it: its text, then who, when, stage, subject."""
    text = Text(" ".join(p.text.split()))
    text.append("\n")
    text.append(passage_meta(p), style="italic dim")
    return text


class PassagesScreen(RapportModal[str | None]):
    """The passages behind one cell of the matrix. ``d`` removes the highlighted passage's tag
    (after a confirmation; the note itself stays): the screen is dismissed with that tag's id,
    for the programme screen to remove."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="close"),
                Binding("d,delete", "untag", "Remove tag", id="untag")]
    AUTO_FOCUS = "#passages-list"

    def __init__(self, title: str, passages: Sequence[Passage]) -> None:
        super().__init__()
        self.title_text = title
        self.passages = sorted(passages, key=lambda p: (p.day or date.min,
                                                        p.interviewee.casefold()))

    def compose(self) -> ComposeResult:
        with Vertical(id="passages-dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.passages:
                yield OptionList(*(Option(passage_prompt(p), id=p.tag_id) for p in self.passages),
                                 id="passages-list", markup=False)
                yield Static(with_keys(self.app, "{untag} removes the highlighted passage's tag "
                                       "(the note stays) · {close} closes", self),
                             classes="hint", markup=False)
            else:
                yield Static(Text("Nothing here.", style="italic"), id="passages-list")
                yield Static(with_keys(self.app, "{close} closes", self), classes="hint",
                             markup=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_untag(self) -> None:
        if not self.passages:
            return
        highlighted = self.query_one("#passages-list", OptionList).highlighted
        if highlighted is None:
            return
        passage = self.passages[highlighted]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(passage.tag_id)

        self.app.push_screen(ConfirmScreen(
            "Remove this tag?",
            f"“{clip(passage.text, 60)}” ({passage.interviewee}) will no longer be tagged "
            f"{passage.theme}. The note itself stays as it is.", confirm="Remove"), confirmed)
