"""Unlock -> home hand-over: the unlock worker reads the first screen of rows, the home screen
shows them in its first frame and reads the rest after it; locking pops back to the unlock screen,
which holds no passphrase, and drops the home screen with its rows. A key pressed while the vault
opens is pressed again once it is open."""

from __future__ import annotations

import threading

import pytest
from textual.worker import Worker

import store as vault_api

from store.models import SessionSummary
from tui.screens.home import HomeScreen, SessionTable, first_page
from tui.screens.people import PeopleScreen
from tui.screens.person_dialogs import PersonDialog
from tui.screens.unlock import UnlockScreen
from apptools import make_app, settle, unlock_with

pytestmark = pytest.mark.usefixtures("utc_zone")

SIZE = (100, 30)


def seed(store, sessions: int = 3) -> None:
    from guides.loader import builtin_guides

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    for i in range(sessions):
        person = store.add_person(f"Person {i}")
        store.end_session(store.start_session(person.id, plan, title=f"Talk {i}").id)


async def unlock(app, pilot, passphrase: str) -> None:
    """Entered at once, then Enter (typed key by key, and fast: test_wrong_passphrase_then_right)."""
    await unlock_with(pilot, passphrase)
    await settle(app, pilot)


async def test_unlock_lock_and_unlock_again(store, vault_path, clock, passphrase):
    """One scenario (it was four tests building the same vault and unlocking it): the home goes
    over the unlock screen, with no passphrase left in a field and no worker named with it; the
    heap settles once the list is read; locking pops back to the unlock screen, drops the home
    and releases the heap; unlocking again is back where it was, over a new home."""
    seed(store)
    store.close()
    heap = RecordingHeap()
    seen: list[str] = []

    def hook(message) -> None:  # noqa: ANN001
        if isinstance(message, Worker.StateChanged):
            seen.append(f"{message.worker.name} {message.worker.description} {message.worker!r}")

    app = make_app(vault_path, clock, heap=heap)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        # unlocking shows the home over the unlock screen
        unlock_screen = app.screen
        assert isinstance(unlock_screen, UnlockScreen) and app.screen_stack == [unlock_screen]
        assert app.focused is unlock_screen.query_one("#passphrase")
        await unlock(app, pilot, passphrase)
        home = app.screen
        assert isinstance(home, HomeScreen) and app.screen_stack == [unlock_screen, home]
        assert home.loaded_all and home.query_one(SessionTable).row_count == 3
        assert app.focused is home.query_one(SessionTable)
        # the passphrase is in no field once the key is derived
        assert all(field.value == "" for field in unlock_screen.query("Input"))
        # the heap settles once the list is read
        assert heap.calls == ["settled"], "heap: settled once the list is read"

        # lock pops back to the unlock screen and drops the home
        await pilot.press("f2")  # a screen over the home screen: locking pops it too
        await settle(app, pilot)
        people = app.screen
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and len(app.screen_stack) == 1
        assert app.store is None and not home.is_attached
        assert "locked" in str(app.screen.query_one("#unlock-message").render())
        assert app.focused is app.screen.query_one("#passphrase")
        assert heap.calls == ["settled", "released"], "heap: released on lock"
        await unlock(app, pilot, passphrase)
        await settle(app, pilot)
        # back where it was: the people list, over a new home screen
        assert isinstance(app.screen, PeopleScreen) and app.screen is not people
        again = app.screen_stack[-2]
        assert isinstance(again, HomeScreen) and again is not home
        assert again.query_one(SessionTable).row_count == 3
        assert heap.calls == ["settled", "released", "settled"], "heap: settled again"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert heap.calls == ["settled", "released", "settled"]  # quitting keeps it frozen
    # no worker is named with the passphrase: Textual names a worker after its method and
    # arguments unless told otherwise (and shows that name in its developer tools)
    assert any("unlock" in line for line in seen)
    assert not any(passphrase in line for line in seen), seen


async def test_first_rows_are_shown_before_the_rest_is_read(store, vault_path, clock):
    """The rows the unlock worker read are in the home screen from its mount, before its first
    frame; the whole list is read after that frame."""
    seed(store, 12)
    rows = first_page(store, 10)
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        home = HomeScreen(rows)
        await app.push_screen(home)
        assert home.query_one(SessionTable).row_count == 10 and not home.loaded_all
        await settle(app, pilot)
        assert home.loaded_all and home.query_one(SessionTable).row_count == 12
        app.store = None


async def test_wrong_passphrase_then_right(store, vault_path, clock, passphrase, monkeypatch):
    """Keys pressed as the vault opens are pressed again once it is open (both were lost): F2
    typed fast after the passphrase reaches the screen before Enter is handled, ctrl+n right
    after Enter arrives while the key is derived. After a wrong passphrase they are dropped."""
    seed(store)
    store.close()
    opening = threading.Event()  # the vault opens once the test has pressed its keys
    real_open = vault_api.open_vault
    monkeypatch.setattr(vault_api, "open_vault",
                        lambda *a, **kw: opening.wait(10) and real_open(*a, **kw))
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"wrong passphrase", "f3", "enter", "f3")
        opening.set()
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and app.store is None
        assert screen.query_one("#passphrase").value == ""
        assert "Wrong passphrase" in str(screen.query_one("#unlock-message").render())
        opening.clear()
        await pilot.press(*passphrase, "f2", "enter", "ctrl+n")
        opening.set()
        await settle(app, pilot)
        # the people, then a new person: not the items the wrong passphrase's keys asked for
        assert [type(s) for s in app.screen_stack[1:]] == [HomeScreen, PeopleScreen,
                                                           PersonDialog]
        app.store.close()
        app.store = None


async def test_a_vault_created_in_this_run_asks_once_after_a_lock(tmp_path, clock):
    vault = tmp_path / "new" / "vault.db"
    app = make_app(vault, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.create
        # passphrases that do not match create nothing (was test_app_shell's own test)
        for typed in ("long enough 1", "long enough 2"):
            await unlock_with(pilot, typed)
        await pilot.pause()
        assert not vault.exists(), "created with passphrases that differ"
        confirm = app.screen.query_one("#confirm")  # typed again there, the first one kept
        assert app.focused is confirm and confirm.value == ""
        await unlock_with(pilot, "long enough 1")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert vault.exists()
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and not screen.create
        assert not screen.query("#confirm")
        await unlock(app, pilot, "long enough 1")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")


def test_first_page_is_one_screen_of_rows(store):
    seed(store, 12)
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


async def test_first_rows_count_open_actions(store, vault_path, clock, passphrase):
    """The first page counts each session's open actions (not blanks filled in once the whole
    list is read), and so does the whole list, read again when the home is shown again."""
    expected = {title: str(n or "") for title, n in open_items_seeded(store).items()}
    first = first_page(store, 10)
    assert {r.summary.title: str(r.open_items or "") for r in first} == expected
    store.close()
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot, passphrase)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.loaded_all
        assert open_column(home) == expected
        await pilot.press("f3")  # another screen, and back: the list is read again
        await settle(app, pilot)
        app.store.add_item(app.store.sessions()[0].id, "action", "one more")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is home
        assert sum(int(v or 0) for v in open_column(home).values()) == 4
        app.store.close()
        app.store = None


class RecordingHeap:
    """Stands in for the launcher's Heap (tui.launch): records when the app calls it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def settled(self) -> None:
        self.calls.append("settled")

    def released(self) -> None:
        self.calls.append("released")


def test_the_launcher_freezes_what_start_up_made_before_the_app_runs(tmp_path, monkeypatch):
    """R1: what the imports and the app's construction made is out of the collector's view by
    the time the app runs (a full collection of it landed before the first frame)."""
    import gc

    from store import crypto
    from tui import launch
    from tui.env import Env

    seen: list[int] = []

    class RunsAndLeaves:
        refused, signalled, return_code = None, 0, 0

        def run(self) -> None:
            seen.append(gc.get_freeze_count())

        def close_store(self) -> None:
            pass

    monkeypatch.setattr(launch, "make_app", lambda *args, **kwargs: RunsAndLeaves())
    unfrozen = [[] for _ in range(100)]  # tracked (lists are), made after the suite's freeze
    before = gc.get_freeze_count()
    launch.run_app(Env(home=tmp_path / "home", kdf=crypto.FAST_FOR_TESTS, allow_weak=True))
    assert seen and seen[0] >= before + len(unfrozen)
