"""Unlock -> home hand-over (performance goal G2): the home screen is built, empty, while the
passphrase is typed (RapportApp.prepare_home registers it with Textual ahead of showing it, a
Textual internal: these tests fail if that stops working), unlocking fills in its first rows and
switches to that very screen; locking drops it with its rows."""

from __future__ import annotations

import pytest

from store.models import SessionSummary
from tui.screens.home import HomeScreen, SessionTable
from tui.screens.unlock import UnlockScreen
from apptools import make_app

pytestmark = pytest.mark.usefixtures("utc_zone")

SIZE = (100, 30)


def seed(store, sessions: int = 3) -> None:
    from guides.loader import builtin_guides

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    for i in range(sessions):
        person = store.add_person(f"Person {i}")
        store.end_session(store.start_session(person.id, plan, title=f"Talk {i}").id)


async def built_ahead(app, pilot) -> HomeScreen:
    """Waits for the unlock screen's preload, after which the home screen is built."""
    for _ in range(100):
        await pilot.pause(0.02)
        if app._home_ahead is not None and app._home_ahead.query(SessionTable):
            break
    home = app._home_ahead
    assert isinstance(home, HomeScreen), "the home screen is not built while the passphrase is typed"
    await pilot.pause(0.05)
    return home


def at_first_home_frame(app, look) -> list:
    """A list that gets what ``look(home screen)`` returns at the first frame the app writes
    for the home screen (the hook is the app's ``_display``, as the bench's)."""
    seen: list = []
    original = app._display

    def display(screen, renderable):  # noqa: ANN001 - Textual's
        if isinstance(screen, HomeScreen) and renderable is not None and not seen:
            seen.append(look(screen))
        return original(screen, renderable)

    app._display = display
    return seen


async def unlock(app, pilot, passphrase: str) -> None:
    """Types the passphrase once the home screen is built ahead, and waits for the unlock."""
    await built_ahead(app, pilot)
    await pilot.press(*passphrase, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_screen_is_built_while_typing_and_is_the_one_shown(store, vault_path, clock,
                                                                      passphrase):
    seed(store)
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await built_ahead(app, pilot)
        table = home.query_one(SessionTable)
        assert isinstance(app.screen, UnlockScreen)  # built off the stack, not shown
        assert home.is_running and home not in app.screen_stack
        assert table.row_count == 0 and home.rows == [] and not home.first_rows  # nothing yet
        assert len(table.columns) == 6
        # the unlock screen keeps the focus: typing goes to the passphrase
        assert app.focused is app.screen.query_one("#passphrase")
        await pilot.press(*passphrase)
        assert app.screen.query_one("#passphrase").value == passphrase
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home  # the very screen built ahead, not a new one
        assert home.query_one(SessionTable) is table  # not composed again
        assert app._home_ahead is None
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert home.loaded_all and table.row_count == 3
        assert app.focused is table
        app.store.close()
        app.store = None


async def test_first_rows_are_in_the_first_frame_of_the_home_screen(store, vault_path, clock,
                                                                    passphrase):
    """The frame that first shows the home screen already shows the unlock screen's rows
    (not an empty table filled in a frame later)."""
    seed(store, 5)
    store.close()
    app = make_app(vault_path, clock)

    def measured(home: HomeScreen) -> tuple[int, int]:
        table = home.query_one(SessionTable)
        return table.row_count, table.virtual_size.height

    seen = at_first_home_frame(app, measured)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot, passphrase)
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.store.close()
        app.store = None
    assert seen and seen[0][0] == 5 and seen[0][1] == 5 + 1  # 5 rows (and the header) measured


async def home_built_after_unlock(store, vault_path, clock, theme: str | None = None) -> str:
    """A screenshot of the home screen as the app shows it when handed an unlocked store (no
    screen built ahead); ``store`` is closed after."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        if theme:
            app.theme = theme
            await pilot.pause()
        app.unlocked(store)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        shot = app.export_screenshot()
        app.store = None
    store.close()
    return shot


async def unlock_and_screenshot(app, pilot, passphrase: str) -> str:
    """Types the passphrase, waits for the home list, and returns its screenshot."""
    await pilot.press(*passphrase, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)
    assert isinstance(app.screen, HomeScreen)
    shot = app.export_screenshot()
    app.store.close()
    app.store = None
    return shot


async def test_handed_over_home_looks_like_a_home_built_after_unlock(store, vault_path, clock,
                                                                     passphrase):
    seed(store, 4)
    expected = await home_built_after_unlock(store, vault_path, clock)
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await built_ahead(app, pilot)
        assert await unlock_and_screenshot(app, pilot, passphrase) == expected


async def test_wrong_passphrase_leaves_the_built_home_empty_and_reuses_it(store, vault_path,
                                                                        clock, passphrase):
    seed(store)
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await built_ahead(app, pilot)
        await pilot.press(*"wrong passphrase", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and app.store is None
        assert app._home_ahead is home and home.query_one(SessionTable).row_count == 0
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home
        app.store.close()
        app.store = None


async def test_lock_drops_the_home_screen_and_its_rows(store, vault_path, clock, passphrase):
    seed(store)
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await built_ahead(app, pilot)
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home and home.query_one(SessionTable).row_count == 3
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and app.store is None
        assert not home.is_running and not home.is_attached
        assert app._home_ahead is None
        assert not any(isinstance(node, HomeScreen) for node in app._registry)
        # unlocking again builds a new, empty home screen (during the key derivation)
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        again = app.screen
        assert isinstance(again, HomeScreen) and again is not home
        assert again.query_one(SessionTable).row_count == 3
        app.store.close()
        app.store = None


def test_first_page_is_one_screen_of_rows(store):
    seed(store, 12)
    from tui.screens.home import first_page

    rows = first_page(store, 10)
    assert len(rows) == 10 and all(isinstance(r.summary, SessionSummary) for r in rows)


def open_items_seeded(store) -> dict[str, int]:
    """Three sessions; open actions 2, 1 and none, with a done action and an open decision
    that the Open column does not count. Returns session title -> what it should show."""
    seed(store, 3)
    by_title = {s.title: s for s in store.sessions()}
    for title, opened in (("Talk 0", 2), ("Talk 1", 1)):
        for n in range(opened):
            store.add_item(by_title[title].id, "action", f"follow up {n}")
    done = store.add_item(by_title["Talk 2"].id, "action", "done already")
    store.update_item(done.id, status="done")
    store.add_item(by_title["Talk 2"].id, "decision", "agreed, not an action")
    return {"Talk 0": 2, "Talk 1": 1, "Talk 2": 0}


def open_column(home: HomeScreen) -> dict[str, str]:
    table = home.query_one(SessionTable)
    return {row.summary.title: str(table.get_cell(row.summary.id, "open"))
            for row in home.rows}


async def test_first_frame_counts_open_actions(store, vault_path, clock, passphrase):
    """The first frame of the home screen shows each session's open actions (read with the
    first page), not blanks filled in once the whole list is read; and so does the home screen
    shown again after another screen."""
    expected = {title: str(n or "") for title, n in open_items_seeded(store).items()}
    store.close()
    app = make_app(vault_path, clock)
    seen = at_first_home_frame(app, open_column)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot, passphrase)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.loaded_all
        assert open_column(home) == expected  # the whole list agrees
        shown_again: list[tuple[bool, dict[str, str]]] = []
        set_rows = home.set_rows

        def record(rows, complete, *args):  # noqa: ANN001, ANN002
            set_rows(rows, complete, *args)
            shown_again.append((complete, open_column(home)))

        home.set_rows = record
        await pilot.press("f3")  # another screen, and back: the list is read again
        await pilot.pause()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home
        assert shown_again == [(False, expected), (True, expected)]  # first page, then the rest
        app.store.close()
        app.store = None
    assert seen == [expected]


async def test_unlocking_while_the_home_is_still_being_composed(store, vault_path, clock):
    """The key can be derived before the home screen built ahead has mounted (a fast KDF, or a
    passphrase typed ahead): its first rows are then shown on its mount."""
    from tui.screens.home import first_page

    seed(store, 4)
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await built_ahead(app, pilot)
        app._home_ahead = None  # (left registered: this test only)
        app.prepare_home()  # and unlocked in the same turn of the loop:
        home = app._home_ahead
        assert not home.mounted and not home.is_running  # registered, its messages not started
        app.unlocked(store, first_page(store, SIZE[1]))
        await pilot.pause()
        assert app.screen is home and home.query_one(SessionTable).row_count == 4
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert home.loaded_all
        app.store = None


async def test_built_ahead_home_is_not_restyled_when_shown(store, vault_path, clock, passphrase):
    """Styled while it was built: Textual's restyling of a resumed screen is skipped (the
    flag on the ScreenResume event, set by the home screen's handler before Screen's own)."""
    seed(store)
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await built_ahead(app, pilot)
        restyled = []
        original = home.update_node_styles
        home.update_node_styles = lambda *a, **k: (restyled.append(1), original(*a, **k))[1]
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home and home.styled_as is None
        assert restyled == []
        app.store.close()
        app.store = None


async def test_theme_changed_while_typing_restyles_the_built_home(store, vault_path, clock,
                                                                  passphrase):
    seed(store, 2)
    expected = await home_built_after_unlock(store, vault_path, clock, theme="textual-light")
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await built_ahead(app, pilot)
        app.theme = "textual-light"  # (the command palette offers it on the unlock screen)
        await pilot.pause()
        assert home.styled_as != home.style_state()
        shot = await unlock_and_screenshot(app, pilot, passphrase)
        assert app.screen is home
    assert shot == expected


async def test_unlock_footer_is_not_composed_again_while_the_key_is_derived(store, vault_path,
                                                                             clock, passphrase):
    from tui.screens.unlock import UnlockFooter

    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await built_ahead(app, pilot)
        footer = app.screen.query_one(UnlockFooter)
        keys = [str(k.render()) for k in footer.children]
        assert keys and footer.keys_shown() == footer._keys_shown
        recomposed = []
        original = footer.recompose
        footer.recompose = lambda: (recomposed.append(1), original())[1]
        await pilot.press(*passphrase)
        app.screen.set_busy(True)  # what Enter does, without unlocking
        await pilot.pause(0.1)
        assert app.screen.query_one("#passphrase").disabled
        assert recomposed == [] and [str(k.render()) for k in footer.children] == keys
        app.screen.set_busy(False)
        await pilot.pause(0.1)
        assert recomposed == []
