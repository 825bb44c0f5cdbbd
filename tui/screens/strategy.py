"""Draft or edit a strategy item: its text and the gaps and passages it rests on.

A lock, a signal or a crash keeps the text typed as a strategy item of the programme, marked as
kept, resting on the links chosen; an edit is kept as a new item beside the one edited, which
stays as it was saved. Links changed with no text typed are not kept (nothing was written)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from store import StrategyItem
from store import Synthesis
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.dialog import Dialog, Keeper
from tui.widgets.browse import clip
from tui.widgets.choice import MarkList


class StrategyDialog(Dialog[tuple[str, list[str], list[str]] | None]):
    """Text of a strategy item and the gaps and passages it rests on (space toggles).

    With ``item``: that item's text and links, to edit. A gap it addresses that is no longer a gap
    is still offered (selected); a passage whose tag was removed since is not, and is dropped when
    saved (it no longer counts anywhere)."""

    AUTO_FOCUS = "#strategy-text"

    def __init__(self, syn: Synthesis, preselect: set[str] | frozenset[str] = frozenset(), *,
                 item: StrategyItem | None = None) -> None:
        super().__init__()
        self.syn = syn
        self.item = item
        self.preselect = set(preselect)
        if item is not None:
            self.preselect |= {f"gap:{k}" for k in item.gaps} | {f"tag:{t}" for t in item.tag_ids}

    def compose(self) -> ComposeResult:
        syn = self.syn
        selections: list[Selection] = []
        for area in syn.gaps:
            value = f"gap:{area.key}"
            selections.append(Selection(f"◆ gap: {area.label}", value, value in self.preselect))
        gaps = {a.key for a in syn.gaps}
        for key in self.item.gaps if self.item else ():
            if key not in gaps:
                selections.append(Selection(f"◇ {syn.gap_label(key)} (no longer a gap)",
                                            f"gap:{key}", True))
        for p in sorted(syn.passages, key=lambda p: (p.theme.casefold(), p.text.casefold())):
            value = f"tag:{p.tag_id}"
            label = f"“{clip(p.text, 48)}” {p.theme}" + (" 🔒" if p.private else "")
            selections.append(Selection(label, value, value in self.preselect))
        with Vertical(id="strategy-dialog", classes="dialog"):
            title = "Edit the strategy item" if self.item else "Draft a strategy item"
            yield Static(self.keys_hint(f"{title}  ·  Tab moves"), classes="dialog-title",
                         markup=False)
            yield Input(fmt.editable(self.item.text) if self.item else "", select_on_focus=False,
                        placeholder="what the leadership team will do", id="strategy-text")
            yield Label(with_keys(self.app, "Rests on (space toggles, {dialog-save} saves; gaps "
                                  "first, then passages)", self), markup=False)
            yield MarkList(*selections, id="strategy-links")
            yield Label("", id="strategy-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="strategy-save", classes="save")
                yield Button("Cancel", id="strategy-cancel", classes="cancel")

    def draft(self) -> tuple[object, ...]:
        """The text and the links chosen: changing either is work to keep."""
        links = tuple(sorted(self.query_one("#strategy-links", SelectionList).selected))
        return (*super().draft(), links)

    def links(self) -> tuple[list[str], list[str]]:
        """The gaps and the passages (tag ids) chosen."""
        chosen = list(self.query_one("#strategy-links", SelectionList).selected)
        return ([v[4:] for v in chosen if v.startswith("gap:")],
                [v[4:] for v in chosen if v.startswith("tag:")])

    def keeper_now(self) -> Keeper:
        """A strategy item of this programme, on the links chosen (an edit: a new one beside)."""
        programme = self.syn.programme
        gaps, tag_ids = self.links()
        where = f"in a strategy item of {programme.name}"
        if self.item is not None:
            where = f"in a new strategy item of {programme.name}, beside the one you were editing"
        return Keeper(where, lambda store, text, when: store.add_strategy_item(
            programme.id, text, gaps=gaps, tag_ids=tag_ids))

    def save(self) -> None:
        text = self.query_one("#strategy-text", Input).value
        text = (fmt.as_edited(text, self.item.text) if self.item else text).strip()
        if not text:
            self.query_one("#strategy-error", Label).update("Write the strategy item first.")
            self.query_one("#strategy-text", Input).focus()
            return
        gaps, tags = self.links()
        self.dismiss((text, gaps, tags))
