"""Editing an item where it is met: the items screen, a person's page, a session's detail and a
live session's list to go through, in the app (Pilot over the seeded world of
:mod:`browse_world`, an injected clock). The command line's ``items edit``: test_cli_browse.py."""

from __future__ import annotations

from datetime import date

from browse_world import (  # noqa: F401 (fixtures: tz_utc is autouse)
    PASSPHRASE, SIZE, cell_text, clock, row_keys, settle, tz_utc, unlocked, world,
)
from apptools import enter_text, unlock_with


def item_named(store, text):
    return next(i for i in store.items() if i.text == text)


def texts(table, column):
    return [cell_text(table, r, column) for r in range(table.row_count)]


async def edit_first_action(pilot, store):
    """Unlocked, the items screen (F3), i on its first action: the capture dialog."""
    from tui.screens.capture import CaptureScreen

    await unlocked(pilot, store)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaptureScreen)
    return pilot.app.screen


async def test_the_items_screen_edits_the_highlighted_item_in_place(world):
    app, store, ids = world
    from tui.screens.capture import CaptureScreen

    roadmap = item_named(store, "Send the roadmap draft")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await edit_first_action(pilot, store)  # the overdue roadmap draft
        # offered as it is: text, due date, whose; no goal among the kinds
        assert dialog.query_one("#capture-text").value == "Send the roadmap draft"
        assert dialog.query_one("#capture-due").value == "2025-02-20"
        assert dialog.query_one("#capture-owner").pressed_button.name == "them"
        assert [b.name for b in dialog.query("#capture-kind RadioButton")] == \
            ["action", "decision", "agreement"]
        assert "f2 changes the kind" in str(dialog.query_one(".dialog-title").render())
        # mended, not retyped: the cursor at the end, nothing selected (a first key would
        # replace the whole text)
        await pilot.press(*" +7d", "backspace", "backspace", "backspace", "backspace")
        assert dialog.query_one("#capture-text").value == "Send the roadmap draft"
        dialog.query_one("#capture-due").value = "2025-03-20"
        await pilot.press("tab", "left")  # whose: mine (the arrows choose)
        await pilot.press("enter")
        await settle(pilot)
        edited = store.item(roadmap.id)
        assert (edited.text, edited.due, edited.owner, edited.kind, edited.status,
                edited.session_id) == ("Send the roadmap draft", date(2025, 3, 20), "me",
                                       "action", "open", roadmap.session_id)
        actions = app.screen.query_one("#items-actions")
        assert texts(actions, 0)[-1] == "2025-03-20" and texts(actions, 2)[-1] == "mine"

        # the cursor went with it, down to its new place (it stayed on the first row, on
        # another item, which the next d or i took); the kind: a decision now, listed with
        # the decisions; nothing else changed
        assert actions.has_focus and actions.selected_key() == roadmap.id
        await pilot.press("i", "f2", "enter")
        await settle(pilot)
        assert store.item(roadmap.id).kind == "decision"
        assert store.item(roadmap.id).due == date(2025, 3, 20)
        assert roadmap.id in row_keys(app.screen.query_one("#items-agreed"))

        # emptied text is refused in the dialog: the item keeps its text
        await pilot.press("i")
        await pilot.pause()
        error = app.screen.query_one("#capture-error")
        assert error.styles.background.a == 0  # no red band while there is no error
        app.screen.query_one("#capture-text").value = "   "
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        assert "Type what it is" in str(error.render())
        muted = app.screen.query_one("#capture-dialog > Label").styles.color
        assert error.styles.color != muted  # in the theme's error colour, not a label's grey


async def test_a_person_s_item_and_goal_are_edited_from_their_page(world):
    app, store, ids = world
    from tui.screens.capture import CaptureScreen
    from tui.screens.person import PersonScreen

    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await app.push_screen(PersonScreen(ids["alice"]))
        await settle(pilot)
        await pilot.press("tab")  # the open action items
        items = app.screen.query_one("#person-items")
        assert items.has_focus
        roadmap = item_named(store, "Send the roadmap draft")
        items.move_cursor(row=row_keys(items).index(f"i:{roadmap.id}"))
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        app.screen.query_one("#capture-text").value = "Send the [b]roadmap[/b] \x1b[2Jdraft"
        await pilot.press("enter")
        await settle(pilot)
        assert store.item(roadmap.id).text == "Send the [b]roadmap[/b] \x1b[2Jdraft"
        assert any("[b]roadmap[/b]" in cell_text(items, r, 3) for r in range(items.row_count))

        await pilot.press("2")  # the goals tab: the goal is edited as a goal
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CaptureScreen)
        assert [b.name for b in dialog.query("#capture-kind RadioButton")] == ["goal"]
        assert "changes the kind" not in str(dialog.query_one(".dialog-title").render())
        assert dialog.query_one("#capture-text").value == "Lead the Q2 planning"
        await pilot.press("f2")  # no other kind to go to
        dialog.query_one("#capture-text").value = "Lead the Q2 planning offsite"
        await pilot.press("enter")
        await settle(pilot)
        goal = item_named(store, "Lead the Q2 planning offsite")
        assert goal.kind == "goal" and goal.status == "on-track"


async def test_a_session_s_detail_edits_one_of_its_items_picked_by_name(world):
    app, store, ids = world
    from tui.screens.capture import CaptureScreen
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.person_dialogs import Picker

    offsite = item_named(store, "Book the offsite")
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await app.push_screen(SessionDetailScreen(offsite.session_id))
        await settle(pilot)
        detail = app.screen
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, Picker)  # the session has several: which one?
        await pilot.press(*"offsite", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CaptureScreen)
        assert dialog.query_one("#capture-text").value == "Book the offsite"
        dialog.query_one("#capture-due").value = "+2w"
        store.update_item(offsite.id, status="done")  # meanwhile ('rapport items done')
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is detail
        assert store.item(offsite.id).due == date(2025, 3, 17)  # two weeks from the 3rd
        assert store.item(offsite.id).status == "done"  # only what was changed is saved
        assert "due 2025-03-17" in detail.query_one("#detail-items").source


async def test_a_lock_keeps_the_edit_beside_the_item_and_unlocking_goes_back(world):
    """An item's edit at a lock is kept as a jot beside the item, never over it. Unlocking goes
    back to where it was being made, the items screen with its filter, or the session's
    detail (not the home list)."""
    app, store, ids = world
    from tui.screens.capture import CaptureScreen
    from tui.screens.detail import SessionDetailScreen
    from tui.screens.items import ItemsScreen
    from tui.screens.unlock import UnlockScreen

    roadmap = item_named(store, "Send the roadmap draft")
    session_id = store.sessions(person_id=ids["alice"])[0].id
    async with app.run_test(size=SIZE) as pilot:
        await unlocked(pilot, store)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("t")  # theirs only
        await settle(pilot)
        await pilot.press("i")  # the first of theirs: the overdue roadmap draft
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        assert app.screen.query_one("#capture-text").value == "Send the roadmap draft"
        await pilot.press("end")
        await enter_text(pilot, " to the whole team")  # typing: test_app_dialogs
        app.run_worker(app.action_lock(), group="lock")  # as the idle lock does
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "in a jot about Alice Martin" in str(
            app.screen.query_one("#unlock-message").render()), "the edit kept as a jot"
        await unlock_with(pilot, PASSPHRASE)
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen) and app.screen.whose == "theirs"
        await pilot.resize_terminal(160, 48)  # texts wrapped again for another width only
        await settle(pilot)
        assert app.screen.filled_width == 160
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert app.screen.filled_width == SIZE[0]
        # the vault as the unlock opened it again from the disk
        again = app.store
        assert again.item(roadmap.id).text == "Send the roadmap draft", "the item as it was"
        assert [j.text for j in again.jots(ids["alice"]) if "whole team" in j.text] == \
            ["(kept when Rapport locked) Send the roadmap draft to the whole team"], \
            "the edit beside it, as a jot"

        await app.push_screen(SessionDetailScreen(session_id))
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await unlock_with(pilot, PASSPHRASE)
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        assert app.screen.session_id == session_id
        app.close_store()
