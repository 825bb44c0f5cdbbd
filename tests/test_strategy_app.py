"""A programme's strategy items in the app, driven by Pilot on a real vault: edited in place (its
text and links, a former gap still on offer, a removed passage dropped) and deleted only once
confirmed. (In the store: test_strategy_edit.)"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Markdown, SelectionList

from tui.screens.confirm import ConfirmScreen
from tui.screens.strategy import StrategyDialog
from apptools import enter_text, led_programme, make_app, settle, show_programme

pytestmark = pytest.mark.usefixtures("utc_zone")


@pytest.fixture
def programme_with_data(store, clock):
    return led_programme(store, clock)


async def type_text(pilot, text: str) -> None:
    """Into the focused field (the typing itself is tested in test_app_dialogs)."""
    await enter_text(pilot, text)


async def show_strategy_tab(app, pilot) -> DataTable:
    await pilot.press("3")
    await pilot.pause()
    assert app.screen.query_one("#programme-tabs").active == "tab-strategy"
    table = app.screen.query_one("#strategy", DataTable)
    assert app.focused is table
    return table


def strategy_texts(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_a_strategy_item_can_be_edited(store, vault_path, clock, programme_with_data):
    """e (or Enter) on a strategy item: the dialog holds its text and links; saving updates it in
    place (a new revision), the table and the detail show the new text, the cursor stays."""
    programme, ana = programme_with_data
    (fair_tag,) = [t for t in store.tags(programme_id=programme.id) if t.passage == "Ana is fair"]
    first = store.add_strategy_item(programme.id, "Coach on fairness")
    item = store.add_strategy_item(programme.id, "Agree a charter tpyo",
                                   gaps=["decision making"], tag_ids=[fair_tag.id])
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await show_programme(app, pilot, store, programme.id)
        table = await show_strategy_tab(app, pilot)
        table.move_cursor(row=1)
        await pilot.pause()
        await pilot.press("enter")  # Enter opens it too; Escape changes nothing
        await pilot.pause()
        assert isinstance(app.screen, StrategyDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and store.strategy_items(programme.id) == [first, item]

        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StrategyDialog)
        text = dialog.query_one("#strategy-text", Input)
        assert app.focused is text and text.value == "Agree a charter tpyo"
        links = dialog.query_one(SelectionList)
        assert sorted(links.selected) == ["gap:decision making", f"tag:{fair_tag.id}"]
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, "typo fixed")
        await pilot.press("tab")  # to the links: the gap is first; space drops it
        assert app.focused is links
        await pilot.press("space", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert store.strategy_items(programme.id)[0] == first
        updated = store.strategy_items(programme.id)[1]
        assert (updated.id, updated.rev) == (item.id, item.rev + 1)
        assert updated.text == "Agree a charter typo fixed"
        assert updated.gaps == () and updated.tag_ids == (fair_tag.id,)
        assert strategy_texts(table) == ["Coach on fairness", "Agree a charter typo fixed"]
        assert table.cursor_row == 1
        detail = screen.query_one("#strategy-md", Markdown).source
        assert "Agree a charter typo fixed" in detail and "Addresses" not in detail

        # Elsewhere than the Strategy tab, e opens nothing.
        screen.query_one("#programme-tabs").active = "tab-matrix"
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen


async def test_editing_keeps_a_former_gap_on_offer_and_drops_a_removed_passage(
        store, vault_path, clock, programme_with_data):
    programme, ana = programme_with_data
    item = store.add_strategy_item(programme.id, "Speed up", gaps=["pace", "decision making"],
                                   tag_ids=["no-such-tag"])
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        await show_strategy_tab(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        links = app.screen.query_one(SelectionList)
        assert sorted(links.selected) == ["gap:decision making", "gap:pace"]
        labels = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
        assert labels[:2] == ["◆ gap: decision making", "◇ pace (no longer a gap)"]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [updated] = store.strategy_items(programme.id)
        assert updated.rev == item.rev + 1 and updated.text == "Speed up"
        assert updated.gaps == ("decision making", "pace") and updated.tag_ids == ()


async def test_a_strategy_item_is_deleted_only_when_confirmed(store, vault_path, clock,
                                                             programme_with_data):
    """d on a strategy item asks first: n keeps it, y deletes that item only; the cursor stays
    on the same row, now the next item, and the detail follows."""
    programme, ana = programme_with_data
    items = [store.add_strategy_item(programme.id, text)
             for text in ("Coach on fairness", "Drop this idea", "Agree a charter")]
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await show_programme(app, pilot, store, programme.id)
        await pilot.press("d")  # on the matrix: nothing to delete, nothing asked
        await pilot.pause()
        assert app.screen is screen
        tabs = screen.query_one("#programme-tabs")
        for key, pane, focused in (("2", "tab-areas", "areas"), ("1", "tab-matrix", "matrix")):
            await pilot.press(key)  # the digits switch tabs, focus on the tab's own list
            await pilot.pause()
            assert (tabs.active, app.focused.id) == (pane, focused)
        table = await show_strategy_tab(app, pilot)
        table.move_cursor(row=1)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Drop this idea" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is screen and store.strategy_items(programme.id) == items
        assert strategy_texts(table) == ["Coach on fairness", "Drop this idea", "Agree a charter"]

        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is screen
        assert store.strategy_items(programme.id) == [items[0], items[2]]
        assert strategy_texts(table) == ["Coach on fairness", "Agree a charter"]
        assert table.cursor_row == 1
        assert "Agree a charter" in screen.query_one("#strategy-md", Markdown).source
