"""A programme's Strategy tab: the items drafted from its gaps and passages, listed, shown (the
highlighted one's text, the gaps it addresses, its passages), drafted, edited and deleted.

The programme screen keeps its bindings and handlers and calls these (:func:`show_strategy`,
:func:`show_strategy_item`, :func:`draft_strategy`, :func:`edit_strategy`,
:func:`delete_strategy`); the writes go through the store and the screen reads the synthesis
again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual.widgets import DataTable, Markdown, OptionList, TabbedContent

from store import md_inline
from tui.screens.confirm import ConfirmScreen
from tui.screens.passages import passage_markdown
from tui.screens.person_actions import write_change
from tui.screens.strategy import StrategyDialog
from tui.widgets.browse import clip

if TYPE_CHECKING:  # pragma: no cover
    from store import Store, StrategyItem, Synthesis
    from tui.screens.programme import ProgrammeScreen

Drafted = tuple[str, list[str], list[str]]  # (text, gap keys, tag ids): what the dialog returns


def show_strategy(screen: "ProgrammeScreen", syn: "Synthesis") -> None:
    """The items in the table, the cursor kept where it was (or a line on how to draft one)."""
    table = screen.query_one("#strategy", DataTable)
    keep = table.cursor_row
    table.clear()
    for number, item in enumerate(syn.strategy, 1):
        table.add_row(str(number), Text(clip(item.text, 40)),  # Text: never read as markup
                      Text(clip(", ".join(syn.gap_label(k) for k in item.gaps) or "—", 24)),
                      str(sum(syn.passage(t) is not None for t in item.tag_ids)),
                      key=item.id)  # (a passage untagged since no longer counts)
    if syn.strategy:
        table.move_cursor(row=min(keep, len(syn.strategy) - 1))
    else:
        screen.query_one("#strategy-md", Markdown).update(
            screen.keys("*No strategy items yet: press **{programme-strategy}** to draft one "
                        "from the gaps and passages.*"))


def show_strategy_item(screen: "ProgrammeScreen", syn: "Synthesis", item_id: str) -> None:
    """The highlighted item below the table: its text, the gaps it addresses, its passages."""
    item = next((s for s in syn.strategy if s.id == item_id), None)
    if item is None:
        return
    parts = [f"**{md_inline(item.text, start=True)}**"]
    if item.gaps:
        parts.append("Addresses: " + md_inline("; ".join(syn.gap_label(k) for k in item.gaps),
                                               start=True))
    linked = [p for p in (syn.passage(t) for t in item.tag_ids) if p is not None]
    if linked:
        parts.append(passage_markdown(linked))
    screen.query_one("#strategy-md", Markdown).update("\n\n".join(parts))


def change_strategy(screen: "ProgrammeScreen", change: Callable[["Store"], object],
                    done: str) -> None:
    """Adds, edits or deletes a strategy item through ``change(store)``, says so and shows
    the synthesis again; a refusal from the store is shown and changes nothing."""
    write_change(screen, change, done, screen.reload)


def draft_strategy(screen: "ProgrammeScreen", syn: "Synthesis") -> None:
    """The dialog for a new item; from the Current → future tab, the highlighted gap ticked."""
    preselect: set[str] = set()
    if screen.query_one("#programme-tabs", TabbedContent).active == "tab-areas":
        areas = screen.query_one("#areas", OptionList)
        if areas.highlighted is not None:
            area = syn.areas[areas.highlighted]
            if area.is_gap:
                preselect.add(f"gap:{area.key}")

    def drafted(result: Drafted | None) -> None:
        if result is not None:
            text, gaps, tag_ids = result
            change_strategy(screen, lambda store: store.add_strategy_item(
                screen.programme_id, text, gaps=gaps, tag_ids=tag_ids),
                "strategy item saved: see the Strategy tab")

    screen.app.push_screen(StrategyDialog(syn, preselect), drafted)


def highlighted_strategy(screen: "ProgrammeScreen") -> "StrategyItem | None":
    """The strategy item under the cursor, when the Strategy tab is the one shown (else it is
    said how to pick one)."""
    syn = screen.syn
    item = None
    if syn is not None and \
            screen.query_one("#programme-tabs", TabbedContent).active == "tab-strategy":
        table = screen.query_one("#strategy", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            item = next((s for s in syn.strategy if s.id == key), None)
    if item is None:
        screen.notify("highlight a strategy item in the Strategy tab first", timeout=3)
    return item


def edit_strategy(screen: "ProgrammeScreen") -> None:
    item = highlighted_strategy(screen)
    if item is None or screen.syn is None:
        return

    def edited(result: Drafted | None) -> None:
        if result is not None:
            text, gaps, tag_ids = result
            change_strategy(screen, lambda store: store.update_strategy_item(
                item.id, text, gaps=gaps, tag_ids=tag_ids), "strategy item updated")

    screen.app.push_screen(StrategyDialog(screen.syn, item=item), edited)


def delete_strategy(screen: "ProgrammeScreen") -> None:
    """After a confirmation that says what stays (the gaps and passages)."""
    item = highlighted_strategy(screen)
    if item is None:
        return

    def confirmed(yes: bool | None) -> None:
        if yes:
            change_strategy(screen, lambda store: store.delete_strategy_item(item.id),
                            "strategy item deleted")

    screen.app.push_screen(ConfirmScreen(
        "Delete this strategy item?",
        f"“{clip(item.text, 60)}” will be removed from the programme. The gaps and "
        "passages it rests on stay as they are.", confirm="Delete"), confirmed)
