"""Nothing typed is lost in a dialog over no session: a lock, a signal or a crash keeps it where
it was being written (a question in the bank, a strategy item, a programme, a jot about someone
on a roster), marked as kept, and the unlock screen says where. An edit is kept beside the record
it edits, never over it.

The real app through Pilot on a real vault, the clock injected; the lock comes from the idle
check (as ``tests/test_app_session.py`` triggers it), the signal through ``app.terminate`` (as
``tui.launch`` hands SIGTERM over); the vault is reopened from disk afterwards."""

from __future__ import annotations

import pytest
from textual.widgets import Input, SelectionList

from guides.loader import builtin_guides
from store import RapportError
from store.models import DEFAULT_THEMES
from store.vault import open_vault
from tui.config import Config
from tui.screens.bank import BankDialog
from tui.screens.new_programme import NewProgrammeDialog
from tui.screens.programme import ProgrammeScreen
from tui.screens.programme_roster import RosterDialog
from tui.screens.programmes import ProgrammesScreen
from tui.screens.questions import QuestionBankScreen, QuestionDialog
from tui.screens.session import SessionScreen
from tui.screens.strategy import StrategyDialog
from tui.screens.unlock import UnlockScreen
from apptools import (
    ada_session, enter_text, make_app, settle, show, show_programme, unlock_with,
)

pytestmark = pytest.mark.usefixtures("utc_zone")

LOCKED = "(kept when Rapport locked) "


def locking_app(vault_path, clock):
    return make_app(vault_path, clock, config=Config(idle_lock_minutes=5), idle_lock=True)


async def lock(app, pilot, clock) -> str:
    """Idle past the lock: back on the unlock screen; returns what it says."""
    clock.advance(5 * 60 + 1)
    app.check_idle_lock()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, UnlockScreen)
    return str(app.screen.query_one("#unlock-message").render())


async def unlock(app, pilot, passphrase: str) -> None:
    """The passphrase entered on the unlock screen: the app goes back where it was."""
    await unlock_with(pilot, passphrase)
    await settle(app, pilot)


def reopened(vault_path, passphrase):
    return open_vault(vault_path, passphrase, allow_weak=True)


async def on_screen(app, pilot, store, key: str, kind: type):
    app.unlocked(store)
    await settle(app, pilot)
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, kind)
    return app.screen


# ---------------------------------------------------------------------- the question bank
async def test_a_lock_keeps_a_new_question_and_one_for_the_bank_in_the_bank(
        store, vault_path, clock, passphrase):
    """A new question in the bank's dialog at a lock: kept in the bank for its guide and stage,
    and unlocking goes back to the bank. Then a question for the bank typed in a live session
    (shift+F2) at the next lock: kept in the bank, not in the notes."""
    person, session = ada_session(store)
    app = locking_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(app, pilot, store, "f5", QuestionBankScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, QuestionDialog)
        await enter_text(pilot, "What gave you energy")  # typing: test_app_dialogs
        dialog.query_one("#question-guide").highlighted = \
            [g.id for g in app.catalog.guides].index("one-on-one")
        await pilot.pause()
        said = await lock(app, pilot, clock)
        assert "in your question bank, for 1-on-1 · Check-in" in said
        await unlock(app, pilot, passphrase)  # back in the bank, the question in it
        assert isinstance(app.screen, QuestionBankScreen)
        assert app.screen.questions[0].text == LOCKED + "What gave you energy"

        await app.push_screen(SessionScreen(session.id))
        await settle(app, pilot)
        await pilot.press("shift+f2")
        await pilot.pause()
        assert isinstance(app.screen, BankDialog)
        await enter_text(pilot, "Who helped you")
        said = await lock(app, pilot, clock)
        assert "in your question bank, for 1-on-1 · Check-in" in said
    with reopened(vault_path, passphrase) as vault:
        assert [q.text for q in vault.questions("one-on-one", "check-in")] == [
            LOCKED + "What gave you energy", LOCKED + "Who helped you"]
        assert vault.notes(session.id) == []


async def test_a_signal_keeps_a_questions_edit_beside_it(store, vault_path, clock, passphrase):
    saved = store.add_question("feedback", "feedback", "What did you notice?")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(app, pilot, store, "f5", QuestionBankScreen)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, QuestionDialog)
        await pilot.press("end", "backspace", *" first?")
        app.terminate(15)  # SIGTERM, as tui.launch hands it over
        await pilot.pause()
    assert app.signalled == 128 + 15
    with reopened(vault_path, passphrase) as vault:
        assert sorted(q.text for q in vault.questions("feedback", "feedback")) == [
            "(kept when Rapport was stopped) What did you notice first?", saved.text]


# ---------------------------------------------------------------------- programmes
async def test_a_lock_keeps_a_new_programme_marked_kept_and_it_is_renamed_as_meant(
        store, vault_path, clock, passphrase):
    """The new programme's dialog at a lock: kept as a programme, its name marked. Unlocked,
    e on the programmes list offers the name without the mark, and the purpose; saving
    renames it (the one kept, its themes too)."""
    app = locking_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(app, pilot, store, "f4", ProgrammesScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NewProgrammeDialog)
        for text in ("L25", "Why the board asked"):
            await enter_text(pilot, text)
            await pilot.press("tab")
        await enter_text(pilot, "trust")
        said = await lock(app, pilot, clock)
        assert "in a new programme, its name marked as kept" in said
        await unlock(app, pilot, passphrase)  # back on the list, the kept one in it
        assert isinstance(app.screen, ProgrammesScreen)
        assert app.screen.query_one("#programme-list").get_row_at(0)[0].plain == LOCKED + "L25"
        # what the vault holds: the unlock opened it again from the disk
        [kept] = app.store.programmes()
        assert kept.name == LOCKED + "L25", "kept at the lock"
        assert kept.purpose == "Why the board asked", "kept at the lock"
        assert kept.themes == (*DEFAULT_THEMES, "trust"), "kept at the lock"

        # e on the programmes list: the name without the mark, the purpose; saving renames it
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewProgrammeDialog)
        assert dialog.query_one("#programme-name", Input).value == "L25"
        # no interview of it yet: its guide changes too (the stakeholder one, a 360 after all)
        await pilot.press(*" board", "tab", "end", *" for it", "tab", "right", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammesScreen)
        [programme] = app.store.programmes()
        assert (programme.id, programme.name, programme.purpose, programme.guide_id) == (
            kept.id, "L25 board", "Why the board asked for it", "stakeholder-interview")
        assert programme.themes == kept.themes
        with pytest.raises(RapportError, match="^a programme needs a name$"):
            app.store.update_programme(kept.id, name=" \t ")
        app.close_store()


def leadership_plan() -> dict:
    return next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()


@pytest.fixture
def programme(store):
    """A programme with one interview and two passages tagged (one a gap's evidence)."""
    programme = store.add_programme("Leaders", themes=(*DEFAULT_THEMES, "decision making"))
    ben = store.add_person("Ben Okafor")
    session = store.start_session(ben.id, leadership_plan(), programme_id=programme.id)
    store.add_tag(session.id, "current state", "Sign-off takes weeks", stage="perception")
    store.add_tag(session.id, "decision making", "Sign-off takes weeks", stage="perception")
    store.add_to_roster(programme.id, ben.id)
    return programme


async def test_a_lock_keeps_a_strategy_item_on_its_links_and_a_roster_note_as_a_jot(
        store, vault_path, clock, passphrase, programme):
    """A strategy item at a lock: kept on the links chosen. Unlocked (back on the programme),
    a roster note at the next lock: kept as a jot about them, the roster's note left empty."""
    [place] = store.roster(programme.id)
    app = locking_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StrategyDialog)
        await enter_text(pilot, "Agree a decision charter")
        await pilot.press("tab", "space")
        chosen = sorted(dialog.query_one("#strategy-links", SelectionList).selected)
        assert len(chosen) == 1
        said = await lock(app, pilot, clock)
        assert "in a strategy item of Leaders" in said
        await unlock(app, pilot, passphrase)
        assert isinstance(app.screen, ProgrammeScreen)

        await pilot.press("4", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RosterDialog)
        dialog.query_one("#roster-note", Input).focus()
        await pilot.pause()
        await enter_text(pilot, "on leave until May")
        said = await lock(app, pilot, clock)
        assert "in a jot about Ben Okafor" in said, "the roster note"
    with reopened(vault_path, passphrase) as vault:
        assert [j.text for j in vault.jots(place.person_id)] == [
            LOCKED + "on leave until May"], "the roster note, a jot"
        assert vault.roster(programme.id)[0].note == "", "the roster note"
        [item] = vault.strategy_items(programme.id)
        assert item.text == LOCKED + "Agree a decision charter"
        assert sorted([*(f"gap:{g}" for g in item.gaps),
                       *(f"tag:{t}" for t in item.tag_ids)]) == chosen


async def test_a_lock_keeps_a_strategy_items_edit_beside_it(
        store, vault_path, clock, passphrase, programme):
    """An item kept at an earlier lock, edited: kept again, beside it, marked once."""
    saved = store.add_strategy_item(programme.id, LOCKED + "Agree a charter")
    app = locking_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_programme(app, pilot, store, programme.id)
        await pilot.press("3", "e")
        await pilot.pause()
        assert isinstance(app.screen, StrategyDialog)
        await pilot.press("end", *" by June")
        said = await lock(app, pilot, clock)
        assert "in a new strategy item of Leaders, beside the one you were editing" in said
        await unlock(app, pilot, passphrase)  # back on the Strategy tab, the kept item in it
        screen = app.screen
        assert isinstance(screen, ProgrammeScreen)
        assert screen.query_one("#programme-tabs").active == "tab-strategy"
        assert screen.query_one("#strategy").row_count == 2
        assert [s.text for s in screen.syn.strategy] == [
            LOCKED + "Agree a charter", LOCKED + "Agree a charter by June"]
        app.close_store()  # the vault reopened below
    with reopened(vault_path, passphrase) as vault:
        assert sorted(s.text for s in vault.strategy_items(programme.id)) == [
            LOCKED + "Agree a charter", LOCKED + "Agree a charter by June"]
        assert vault.strategy_item(saved.id) == saved  # the one saved, as it was


async def test_a_crash_keeps_a_new_programme_too(store, vault_path, clock, passphrase):
    app = make_app(vault_path, clock)

    def boom() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(app, pilot, store, "f4", ProgrammesScreen)
            await pilot.press("ctrl+n", *"L25")
            await pilot.pause()
            assert isinstance(app.screen, NewProgrammeDialog)
            app.call_later(boom)
            await pilot.pause()
    with reopened(vault_path, passphrase) as vault:
        assert [p.name for p in vault.programmes()] == [
            "(kept when Rapport stopped on an error) L25"]


async def test_a_lock_keeps_a_talking_point_on_their_page_and_unlocking_goes_back_there(
        store, vault_path, clock, passphrase):
    from tui.screens.jot import TalkingPointDialog
    from tui.screens.person import PersonScreen

    ana = store.add_person("Ana Silva")
    app = locking_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(app, pilot, store, PersonScreen(ana.id))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TalkingPointDialog)
        await enter_text(pilot, "Conference budget")
        assert "in a jot about Ana Silva" in await lock(app, pilot, clock)
        await unlock(app, pilot, passphrase)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == ana.id
        assert [j.text for j in app.screen.read.jots] == [LOCKED + "Conference budget"]
        app.close_store()
