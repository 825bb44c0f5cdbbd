"""The live session screen, driven by Pilot with an injected clock and a real vault."""

from __future__ import annotations


import pytest
from click.testing import CliRunner
from textual.widgets import DataTable

from store import crypto, spent_text
from store.vault import open_vault
from tui.cli import cli
from tui.config import Config
from tui.screens.capture import CaptureScreen
from tui.screens.feedback_form import FeedbackDialog
from tui.screens.home import HomeScreen
from tui.screens.review import EndReviewScreen
from tui.screens.session import SessionScreen
from tui.screens.unlock import UnlockScreen
from tui.widgets.session import FollowThrough, NotesArea, SessionTimer
from apptools import (
    ada_session, enter_text, guide_plan, make_app, open_session, settle, until, unlock_with,
)


pytestmark = pytest.mark.usefixtures("utc_zone")


async def test_new_session_from_home_focuses_notes(store, vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("enter")  # the 1-on-1 is preselected; Enter asks for the name
        await pilot.pause()
        assert "Type their name" in str(app.screen.query_one("#start-error").render())
        assert app.focused is app.screen.query_one("#person")
        for ch in "Ada":
            await pilot.press(ch)
        await pilot.press("enter")  # Enter starts it from the name field (no title)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert isinstance(app.focused, NotesArea)
        await pilot.press(*"hello")
        assert app.focused.text == "hello"
        assert screen.session.guide_id == "one-on-one"
        assert store.person(screen.session.person_id).name == "Ada"


async def test_capture_then_stage_change_saves_then_questions_and_the_timer(
        store, vault_path, clock):
    """Ada's 1-on-1 at 100x30, in one run:

    * each of the four kinds is captured with a due date, back to the notes. A bad date keeps
      the dialog (nothing saved), F2 there changes the kind. Then right on "Whose is it?"
      chooses the participant there and then: Enter saves theirs (a RadioSet only moved a
      highlight there, and the item was saved as the facilitator's);
    * a stage change saves the notes and the stage at once (before the 1 s autosave), and
      alt+left brings the notes back. A question inserted (ctrl+o) is marked asked and the
      next one highlighted (ctrl+r marks it), saved with the session; the timer advances with
      the clock, near and over its stage's time, and stops counting while paused."""
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        for kind in ("action", "decision", "agreement", "goal"):
            screen.action_capture(kind)
            await pilot.pause()
            assert isinstance(app.screen, CaptureScreen)
            app.focused.value = f"the {kind}"
            await pilot.press("tab", "tab")  # past the owner, to the due field
            app.focused.value = "+3d"
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen
        items = store.items(session_id=session.id)
        assert sorted(i.kind for i in items) == ["action", "agreement", "decision", "goal"]
        assert all(i.due is not None and (i.due - clock().date()).days == 3 for i in items)
        assert isinstance(app.focused, NotesArea)

        def added() -> list:
            return [i for i in store.items(session_id=session.id) if i not in items]

        await pilot.press("f2")
        await pilot.pause()
        app.focused.value = "send notes"
        await pilot.press("tab", "tab")
        app.focused.value = "someday"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        assert added() == []
        await pilot.press("f2")  # F2 inside the dialog changes the kind
        app.screen.query_one("#capture-due").value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert [i.kind for i in added()] == ["decision"]
        await pilot.press("f2")
        await pilot.pause()
        app.focused.value = "book the design review"
        await pilot.press("tab", "right", "enter")
        await pilot.pause()
        item = next(i for i in added() if i.kind == "action")
        assert (item.text, item.owner) == ("book the design review", "them"), "right: theirs"

        # a stage change, questions and the timer
        assert screen.index == 0 and screen.query_one(NotesArea).text == ""
        first = screen.stage["key"]
        await enter_text(pilot, "quokka talk")
        await pilot.press("ctrl+n")  # before the 1 s autosave fires
        await pilot.pause()
        assert screen.index == 1
        notes = {n.stage: n.text for n in store.notes(session.id)}
        assert notes[first] == "quokka talk"
        assert store.session(session.id).stage_index == 1
        await pilot.press("alt+left")
        await pilot.pause()
        assert screen.query_one(NotesArea).text == "quokka talk"

        question = screen.stage["questions"][0]["text"]
        await pilot.press("ctrl+o")
        assert question in screen.query_one(NotesArea).text, "ctrl+o inserts the question"
        assert 0 in screen.asked[screen.stage["key"]], "an inserted question is asked"
        await pilot.press("ctrl+r")  # inserting moved on to the next question
        assert 1 in screen.asked[screen.stage["key"]], "ctrl+r marks the next one"
        screen.flush()
        assert 1 in store.session(session.id).asked[screen.stage["key"]], "asked, saved"

        timer = screen.query_one(SessionTimer)
        planned = timer.stage_planned
        assert planned > 0 and timer.state == "normal"
        clock.advance(planned * 0.85)
        screen.tick()
        assert timer.state == "near"
        assert timer.has_class("-near")
        clock.advance(planned * 0.3)
        screen.tick()
        assert timer.state == "over" and timer.has_class("-over")
        await pilot.press("f9")  # pause: time stops counting
        spent = timer.session_spent
        clock.advance(600)
        screen.tick()
        assert timer.session_spent == spent and timer.paused
        await pilot.press("f9")
        clock.advance(10)
        screen.tick()
        assert timer.session_spent == pytest.approx(spent + 10)


async def test_autosave_after_a_second_marks_saved_then_the_review_ends_it(store, vault_path,
                                                                          clock):
    """Autosave a second after the last key; then F10 opens the review (its times as the
    detail says them), Esc goes back to the session, and F10, Enter ends it (home)."""
    person, session = ada_session(store, "feedback")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press(*"typed")
        assert screen.status == "unsaved" and screen.autosave_timer is not None
        clock.advance(0.6)
        screen.autosave()  # what the timer calls: not yet a second since the last key
        assert screen.status == "unsaved" and store.notes(session.id) == []
        assert screen.autosave_timer is not None  # woken again for the rest of the second
        await pilot.press("!")
        clock.advance(0.6)
        screen.autosave()  # a key 0.6 s ago starts the second again
        assert screen.status == "unsaved" and store.notes(session.id) == []
        clock.advance(0.5)
        screen.autosave()
        assert screen.status == "saved"
        assert [n.text for n in store.notes(session.id)] == ["typed!"]

        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, EndReviewScreen)
        table = app.screen.query_one("#review-table", DataTable)  # the detail's and show's words
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][:3] == ["Prepare (private)", "5 min", "2 s"]  # not 05:00 / 00:02
        assert rows[1][1:3] == ["4 min", "—"]  # a stage never timed
        assert rows[-1][:3] == ["Total", "33 min", "2 s"]
        # a feedback session: what the feedback log will hold, and its form from here
        said = str(app.screen.query_one("#review-feedback").render())
        assert said == "Feedback log: nothing filled in, no entry is recorded  ·  ^f fills it in"
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackDialog) and app.screen.records == "feedback"
        app.focused.insert("Tuesday review")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EndReviewScreen)
        said = str(app.screen.query_one("#review-feedback").render())
        assert "^f fills in their response" in said and "Situation  Tuesday review" in said
        assert store.session_feedback(session.id).situation == "Tuesday review"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen), "Esc goes back from the review"
        await pilot.press("f10")
        await pilot.pause()
        clock.advance(9)  # the timer runs on while the review is open, and its table with it
        app.screen.show_spent()  # what its interval calls each second
        table = app.screen.query_one("#review-table", DataTable)
        total = table.get_row_at(table.row_count - 1)[2]
        assert total == "11 s"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "Enter on the review ends it"
    assert store.session(session.id).status == "ended"
    assert spent_text(sum(store.session(session.id).spent.values())) == total, "as shown"


async def test_a_full_disk_keeps_the_notes_and_says_why_once(store, vault_path, clock):
    """SQLite's own "database or disk is full" (the vault capped at its present size with
    max_page_count): the notes stay in the pane, the status line says nothing was saved, the
    whole reason comes once in a toast (the line cuts it at 80 columns), and the first save
    after space comes back writes everything typed."""
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    conn = store.engine._conn  # the test reaches in to cap the file, as a full disk would
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        text = "what was said\n" * 20_000  # 280 KB: pages the capped file cannot add (in lines:
        # one line as long would be wrapped and drawn whole at every frame)
        notes = screen.query_one(NotesArea)
        for more in ("", " and more"):
            notes.text = text + more
            await pilot.pause()
            clock.advance(5)
            screen.autosave()
            await pilot.pause()
            assert screen.status.startswith("the disk is full: nothing was saved")
            assert notes.text == text + more
        toasts = [n for n in app._notifications if n.title == "Not saved"]
        assert [n.message for n in toasts] == [
            "the disk is full: nothing was saved (free some space and save again)"]
        assert store.notes(session.id) == []
        conn.execute("PRAGMA max_page_count = 1073741823")
        await pilot.press("!")  # typed at the cursor (the start): a change to save
        clock.advance(5)
        screen.autosave()
        await pilot.pause()
        assert screen.status == "saved"
        assert [n.text for n in store.notes(session.id)] == ["!" + text + " and more"]
        assert [n.title for n in app._notifications][-1] == "Saved"  # the all-clear, once
        await pilot.press("?")
        clock.advance(5)
        screen.autosave()
        await pilot.pause()
        assert [n.title for n in app._notifications].count("Saved") == 1


async def test_follow_through_in_next_session(store, vault_path, clock):
    person = store.add_person("Ada")
    plan = guide_plan()
    first = store.start_session(person.id, plan)
    done = store.add_item(first.id, "action", "send the risk list", owner="them")
    carried = store.add_item(first.id, "agreement", "weekly demo")
    store.end_session(first.id)
    clock.advance(7 * 86400)
    store.add_jot(person.id, "raised the quokka budget in standup")
    second = store.start_session(person.id, plan)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        followup_index = next(i for i, s in enumerate(screen.stages) if s.get("followup"))
        screen.go_to(followup_index)
        await pilot.pause()
        widget = screen.query_one(FollowThrough)
        assert widget.display
        ids = [widget.get_option_at_index(i).id for i in range(widget.option_count)]
        assert f"item:{done.id}" in ids and f"item:{carried.id}" in ids
        assert any(i.startswith("jot:") for i in ids)
        widget.focus()
        widget.highlighted = ids.index(f"item:{done.id}")
        await pilot.press("d")
        await pilot.pause()
        assert store.item(done.id).status == "done"
        widget.highlighted = [widget.get_option_at_index(i).id
                              for i in range(widget.option_count)].index(f"item:{carried.id}")
        await pilot.press("c")
        await pilot.pause()
        assert store.item(carried.id).status == "carried"
        copies = store.items(session_id=second.id)
        assert [(i.text, i.carried_from) for i in copies] == [("weekly demo", carried.id)]


async def test_the_list_emptied_from_inside_stays_until_esc(store, vault_path, clock):
    """The last entry dealt with from inside the list: the list stays, saying it is empty, and
    the Esc its border offers goes back to the notes; hidden at once, it handed the focus to
    the notes unseen and that Esc left the session (showing the list of sessions)."""
    person = store.add_person("Ada")
    plan = guide_plan()
    first = store.start_session(person.id, plan)
    only = store.add_item(first.id, "action", "send the risk list")
    store.end_session(first.id)
    clock.advance(7 * 86400)
    second = store.start_session(person.id, plan)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        screen.go_to(next(i for i, s in enumerate(screen.stages) if s.get("followup")))
        await pilot.press("ctrl+t")
        await pilot.pause()
        widget = screen.query_one(FollowThrough)
        assert screen.focused is widget
        await pilot.press("d")
        await pilot.pause()
        assert store.item(only.id).status == "done"
        assert widget.display and screen.focused is widget
        [line] = [widget.get_option_at_index(i) for i in range(widget.option_count)]
        assert line.disabled and str(line.prompt) == "Nothing left · esc: back to the notes"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and isinstance(screen.focused, NotesArea)
        assert not widget.display
        await pilot.press("escape")  # from the notes, Esc leaves as before
        await pilot.pause()
        assert app.screen is not screen


async def test_an_idle_lock_saves_first_and_keeps_a_dialogs_typed_text_in_the_private_note(
        store, vault_path, clock, passphrase):
    """Idle for 4 minutes (of 5) it stays open; at 5 it saves the unsaved notes, then locks:
    what was typed in a dialog goes into the stage's private note."""
    person, session = ada_session(store)
    app = make_app(vault_path, clock, config=Config(idle_lock_minutes=5), idle_lock=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await enter_text(pilot, "Ana sounded tired")  # the shared note (typing: test_app_shell)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        await enter_text(pilot, "Ana to send the budget")  # then the participant talks on
        clock.advance(4 * 60)
        app.check_idle_lock()
        await pilot.pause()
        assert app.store is store and isinstance(app.screen, CaptureScreen)
        clock.advance(61)
        app.check_idle_lock()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert app.store is None and not store.is_open
        assert "in the stage's private note" in str(app.screen.query_one("#unlock-message")
                                                     .render())
        # unlocked, back in the session; then the idle lock races the app's end (a quit, a
        # signal): its worker meets the screens torn down, which is no crash, and the notes
        # are saved (it raised NoMatches on the unlock screen: "an unexpected error")
        await unlock_with(pilot, passphrase)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("ctrl+end", *" at first")
        clock.advance(6 * 60)
        app.check_idle_lock()  # the app ends now, its lock under way
    assert app.store is None and not app.is_running
    assert saved_notes(vault_path, passphrase, session.id) == [
        (False, "Ana sounded tired at first"),
        (True, "(kept when Rapport locked) Ana to send the budget")]


def saved_notes(vault_path, passphrase, session_id) -> list[tuple[bool, str]]:
    """(private, text) of each note of the session, as the vault holds them once the app is
    gone (opened again)."""
    reopened = open_vault(vault_path, passphrase, allow_weak=True)
    try:
        return sorted((n.private, n.text) for n in reopened.notes(session_id))
    finally:
        reopened.close()


async def capture(app, pilot, text: str) -> None:
    """F2, and ``text`` entered at once in the capture dialog, not saved (the typing itself is
    tested in test_app_dialogs)."""
    await pilot.press("f2")
    await until(app, pilot, lambda: isinstance(app.screen, CaptureScreen)
                and app.focused is not None, "the capture dialog, focused")
    await enter_text(pilot, text)


async def test_a_signal_keeps_a_dialogs_typed_text_too(store, vault_path, clock, passphrase):
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press("f3")
        await enter_text(pilot, "my hunch")  # into the private note
        await capture(app, pilot, "Book the room")
        app.terminate(15)  # SIGTERM, as tui.launch hands it over
        await pilot.pause()
    assert app.signalled == 128 + 15
    assert saved_notes(vault_path, passphrase, session.id) == [
        (True, "my hunch\n\n(kept when Rapport was stopped) Book the room")]


async def test_a_crash_keeps_a_dialogs_typed_text_too(store, vault_path, clock, passphrase):
    person, session = ada_session(store)
    app = make_app(vault_path, clock)

    def boom() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await open_session(app, pilot, store, session.id)
            await capture(app, pilot, "Book the room")
            app.call_later(boom)
            await pilot.pause()
    assert saved_notes(vault_path, passphrase, session.id) == [
        (True, "(kept when Rapport stopped on an error) Book the room")]


async def test_f3_switches_the_note_and_everything_survives_quit_and_resume(
        store, vault_path, clock, passphrase):
    """Each stage has a shared and a private note: text typed before F3 stays shared, text
    after it goes private, and both survive quitting and reopening. Quitting locks the vault;
    the session resumes on the stage it was left on, with its notes, time and items."""
    person, session = ada_session(store)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        key = screen.stage["key"]
        await enter_text(pilot, "said in the room")
        await pilot.press("f3")
        await pilot.pause()
        assert screen.query_one(NotesArea).text == ""  # the private note, empty so far
        assert screen.query_one(NotesArea).has_class("-private")
        await enter_text(pilot, "my own hunch")
        await pilot.press("f3")  # back to the shared note: what it held, nothing more
        await pilot.pause()
        assert screen.query_one(NotesArea).text == "said in the room"
        await pilot.press(*" too")
        screen.go_to(len(screen.stages) - 1)  # the private reflection stage starts private
        await pilot.press("f3")  # a private stage's notes are never shared: nothing to switch
        await pilot.pause()
        pane = screen.query_one(NotesArea)
        assert screen.is_private() and pane.has_class("-private")
        assert (pane.border_title, pane.border_subtitle) == ("🔒 Private note", "private stage")
        assert "never in a summary" in screen.flash
        await enter_text(pilot, "my own reflection")
        screen.go_to(0)
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        clock.advance(42)
        screen.tick()
        third = screen.stage["key"]
        await pilot.press(*"resume me")
        store.add_item(session.id, "action", "an action")
        await pilot.press("ctrl+q")
    assert not store.is_open  # quitting locks the vault
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    try:
        assert reopened.session(session.id).status == "active"
        notes = {(n.stage, n.private): n.text for n in reopened.notes(session.id)}
        assert notes == {(key, False): "said in the room too", (key, True): "my own hunch",
                         ("reflection", True): "my own reflection", (third, False): "resume me"}
        app2 = make_app(vault_path, clock)
        async with app2.run_test(size=(100, 30)) as pilot:
            screen = await open_session(app2, pilot, reopened, session.id)
            assert screen.index == 2
            assert screen.query_one(NotesArea).text == "resume me"
            assert screen.spent[screen.stage["key"]] == pytest.approx(42)
            assert [i.text for i in screen.items] == ["an action"]
            screen.go_to(0)
            await pilot.pause()
            assert screen.query_one(NotesArea).text == "said in the room too"
            assert "private: 3 words" in str(screen.query_one("#note-status").render())
            await pilot.press("f3")
            assert screen.query_one(NotesArea).text == "my own hunch"
            app2.store = None
    finally:
        reopened.close()
    # the participant's summary, as `rapport export ID` writes it: the shared note only
    summary = export(vault_path, passphrase, session.id[:8])
    assert "said in the room too" in summary
    assert "my own hunch" not in summary and "my own reflection" not in summary
    full = export(vault_path, passphrase, session.id[:8], "--full")
    assert "said in the room too" in full
    assert "**Notes (private)**\n\nmy own hunch" in full  # kept, and marked


def export(vault_path, passphrase, *args: str) -> str:
    """``rapport export ARGS -o -`` through click, on the test's vault."""
    secret = vault_path.parent.parent / "passphrase"
    secret.write_text(passphrase + "\n")
    result = CliRunner().invoke(
        cli, ["--home", str(vault_path.parent), "--passphrase-file", str(secret), "export",
              *args, "-o", "-"], obj={"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True})
    assert result.exit_code == 0, result.output
    return result.output
