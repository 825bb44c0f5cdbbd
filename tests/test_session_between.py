"""Between two conversations with the same person, as a manager running weekly 1-on-1s meets
it: the next meeting the review offers (the cadence's, a cadence agreed there, a date set that
wins, a regular one, the one already set, the slot's time), the toast of the last session left
behind, goals checked in on from the list, overdue items carried with a new date, what was done
in between, and the pulse's word kept and read back."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input

from tui.screens.pulse import PulseDialog
from tui.screens.review import EndReviewScreen
from tui.screens.session import SessionScreen
from tui.widgets.session import FollowThrough
from apptools import (
    enter_text, first_one_on_one, guide_plan as plan, make_app, open_session, settle, until,
)

pytestmark = pytest.mark.usefixtures("utc_zone")


async def the_list(app, pilot, store, session_id):
    """The session open, its list to go through focused (ctrl+t): (screen, list)."""
    screen = await open_session(app, pilot, store, session_id)
    await settle(app, pilot)
    await pilot.press("ctrl+t")
    await pilot.pause()
    return screen, screen.query_one(FollowThrough)


async def the_review(app, pilot, session_id) -> EndReviewScreen:
    """The session opened over what is shown, and its end review."""
    app.push_screen(SessionScreen(session_id))
    await pilot.pause()
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(app.screen, EndReviewScreen)
    return app.screen


def highlight(listed, item) -> None:
    ids = [listed.get_option_at_index(n).id for n in range(listed.option_count)]
    listed.highlighted = ids.index(f"item:{item.id}")


async def test_the_panel_follows_what_the_list_does(store, vault_path, clock):
    """At 160x48 the since-last-time panel shows beside the list: an item done from the list
    moves to 'Done since' there too, a carried one leaves the open ones."""
    sam, first, second, *_ = first_one_on_one(store, clock)
    late, finance = sorted(store.items(session_id=first.id), key=lambda i: i.due)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen, listed = await the_list(app, pilot, store, second.id)
        highlight(listed, finance)
        await pilot.press("d")
        await settle(app, pilot)
        shown = str(screen.query_one("#since-items").render())
        assert "✓ Ask finance about budget" in shown and "Send the risk list" in shown
        assert listed.has_focus  # the list keeps the focus and its place
        app.store = None


async def test_a_tab_after_the_pulse_s_digit_keeps_the_word(store, vault_path, clock):
    """"Tab moves", the dialog says: after the digit, Tab to the word field (the digit used to
    go there itself, and that Tab left it: the word was typed into the Save button). The end
    review reads the pulse back, or says none is recorded (a check-in answered in the notes
    ended without one, silently), and ^f there opens its form as at the check-in."""
    session = store.start_session(store.add_person("Ada").id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        assert str(review.query_one("#review-pulse").render()) == (
            "Pulse: not recorded  ·  ^f records it")
        await pilot.press("escape", "ctrl+f")
        await pilot.pause()
        await pilot.press("2", "tab", *"flat", "enter")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert str(review.query_one("#review-pulse").render()) == (
            "Pulse: 2/5, flat  ·  ^f corrects it")
        await pilot.press("ctrl+f")  # corrected from the review: it says it as it now is
        await pilot.pause()
        assert isinstance(app.screen, PulseDialog)
        await pilot.press("5", "enter")
        await pilot.pause()
        assert app.screen is review
        assert str(review.query_one("#review-pulse").render()) == (
            "Pulse: 5/5, flat  ·  ^f corrects it")
        app.store = None
    pulse = store.pulse(session.id)
    assert (pulse.score, pulse.word) == (5, "flat")


async def test_ending_offers_the_next_date_and_a_set_date_wins(store, vault_path, clock):
    """Issue 22: the review offers the cadence's next date (labelled, editable); the date set
    overrides the computed one in upcoming(). A first 1-on-1 with someone with no cadence
    agrees it there ("every two weeks"): its date is offered, and it is theirs once ended."""
    ada = store.add_person("Ada Lovelace")
    session = store.start_session(ada.id, plan("one-on-one"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        label = review.query_one("#review-next-label")
        assert "Next meeting with Ada Lovelace (suggested)" in str(label.render())
        assert review.query_one("#next-day").value == "2025-03-10"  # a week on, for now
        # the example date is one to come (a week after the clock's today), not a fixed one
        assert review.query_one("#next-day").placeholder == "2025-03-10, +7d, fri"
        # under the date, the next stop after it; from End, Shift+Tab, as the hint says
        assert [w.id for w in review.focus_chain if w.id != "review-body"] == [
            "next-day", "next-time", "next-minutes", "review-cadence", "review-end",
            "review-share", "review-back"]
        assert "shift+tab agrees the cadence" in str(review.query_one(".dialog-title").render())
        await pilot.press("shift+tab")
        assert app.focused is review.query_one("#review-cadence")
        await pilot.press("right", "right")  # none, weekly, fortnightly
        await pilot.pause()
        assert "Next meeting with Ada Lovelace (fortnightly: suggested)" in str(label.render())
        cadence = review.query_one("#review-cadence")
        assert cadence.region.bottom <= 24 and cadence.region.right <= 80  # whole at 80x24
        assert [str(w.render()) for w in review.query("#review-next Label")] == [
            "Date", "Time", "Minutes"]
        day = review.query_one("#next-day")
        assert day.value == "2025-03-17"  # two weeks on
        assert day.region.width >= 12 and day.region.bottom <= 24  # on screen at 80x24
        day.value = "+10d"  # as the capture dialog takes it
        await pilot.press("left")  # weekly: the date typed stays, and is not called suggested
        await pilot.pause()
        assert day.value == "+10d"
        assert str(label.render()) == (
            "Next meeting with Ada Lovelace (weekly); clear the date to skip")
        day.value = ""  # cleared: what happens then, not "clear the date to skip"
        await pilot.pause()
        assert str(label.render()) == "Next meeting with Ada Lovelace: no date set, weekly decides"
        await pilot.press("left")  # no cadence either
        assert str(label.render()) == "Next meeting with Ada Lovelace: none set"
        await pilot.press("right")
        day.value = "+10d"
        await pilot.pause()
        await pilot.press("right")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, (EndReviewScreen, SessionScreen))
        app.store = None
    assert store.next_meeting(ada.id).day == date(2025, 3, 13)
    assert store.person(ada.id).cadence == "fortnightly"  # agreed in the review
    [coming] = store.upcoming()
    assert (coming.person.id, coming.day, coming.source) == (ada.id, date(2025, 3, 13), "set")


async def test_the_next_meeting_after_a_first_one_on_one_and_after_feedback(store, vault_path,
                                                                             clock):
    """The first 1-on-1 plans 45 minutes; what recurs is the 1-on-1 (the app's default guide
    here, Sam having none of his own): the review offers its 30 minutes. A feedback session
    with someone whose next 1-on-1 is set leaves it as set (Kim, the same run of the app), with
    no cadence to agree: cadence and next meeting are 1-on-1 matters; its talking points are
    not carried (they are, from 1-on-1 to 1-on-1). Kim's 1-on-1 then agrees "no fixed next
    date": the date cleared unsets the one set, the cadence chosen with it kept. Feedback with
    someone with neither (Lou) offers neither, and sets nothing (an interview: test_the_review_
    lists_the_items)."""
    sam = store.add_person("Sam\x07 [b]Rivera[/b]", cadence="weekly")  # as the lists show it
    first = store.start_session(sam.id, plan("first-one-on-one"))
    kim = store.add_person("Kim Lee", cadence="weekly")
    store.set_next_meeting(kim.id, date(2025, 3, 7), time="10:00", minutes=30)
    feedback = store.start_session(kim.id, plan("feedback"))
    store.add_talking_point(kim.id, "Conference [b]budget[/b]\x07", owner="theirs")
    kim_one_on_one = store.start_session(kim.id, plan("one-on-one"))
    lou = store.add_person("Lou Park")
    lou_feedback = store.start_session(lou.id, plan("praise"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_session(app, pilot, store, first.id)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, EndReviewScreen)
        assert app.screen.query_one("#next-minutes").value == "30", "after a first 1-on-1"
        assert str(app.screen.query_one("#review-next-label").render()) == (
            "Next meeting with Sam␇ [b]Rivera[/b] (weekly: suggested); clear the date to skip")
        await pilot.press("enter")
        await pilot.pause()
        assert store.next_meeting(sam.id).minutes == 30, "after a first 1-on-1"

        review = await the_review(app, pilot, feedback.id)
        assert [review.query_one(f"#next-{f}").value for f in ("day", "time", "minutes")] == [
            "2025-03-07", "10:00", "30"], "after feedback: the 1-on-1 as set"
        assert str(review.query_one("#review-next-label").render()) == (
            "Next meeting with Kim Lee (set; change it if it moves, clear to unset)")
        assert not review.query("#review-cadence")
        assert "cadence" not in str(review.query_one(".dialog-title").render())
        assert "0 covered, 1 open for the next 1-on-1:\n  ☐ Conference [b]budget[/b]␇" in str(
            review.query_one("#review-points").render())
        await pilot.press("enter")
        await pilot.pause()
        assert store.talking_points(kim.id)[0].carried == (), "feedback carries no point"

        review = await the_review(app, pilot, kim_one_on_one.id)
        assert "1 carried to next time" in str(review.query_one("#review-points").render())
        review.query_one("#next-day").focus()
        await pilot.press("end", "ctrl+u")  # no fixed next date
        await pilot.pause()
        label = review.query_one("#review-next-label")
        # said with what places the next one now: a date unset is not "nothing happened"
        assert str(label.render()) == (
            "Next meeting with Kim Lee: 2025-03-07 unset, weekly decides")
        # no meeting being set: its time and length neither (they still said 10:00 and 30)
        slot = [review.query_one(f"#next-{f}") for f in ("time", "minutes")]
        assert [(f.value, f.disabled) for f in slot] == [("", True), ("", True)]
        await pilot.press("tab")  # past them, to the cadence
        assert app.focused is review.query_one("#review-cadence")
        await pilot.press("right")  # and fortnightly from now on
        await pilot.pause()
        assert review.query_one("#next-day").value == ""
        assert str(label.render()) == (
            "Next meeting with Kim Lee: 2025-03-07 unset, fortnightly decides")
        assert [(f.value, f.disabled) for f in slot] == [("", True), ("", True)]
        review.query_one("#next-day").focus()  # a date typed back: the time and length too
        await pilot.press(*"fri")
        await pilot.pause()
        assert [(f.value, f.disabled) for f in slot] == [("10:00", False), ("30", False)]
        await pilot.press("ctrl+u")  # cleared again, to end with no date
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert store.session(kim_one_on_one.id).ended_at is not None
        assert any(n.message.endswith("; next meeting unset (fortnightly decides)")
                   for n in app._notifications)
        assert store.next_meeting(kim.id) is None
        assert store.person(kim.id).cadence == "fortnightly"
        assert [p.carried for p in store.talking_points(kim.id)] == [(kim_one_on_one.id,)]
        review = await the_review(app, pilot, lou_feedback.id)
        assert not review.query("#review-cadence, #next-day, #review-next-label")
        await pilot.press("enter")
        await pilot.pause()
        assert store.session(lou_feedback.id).ended_at is not None
        app.store = None
    assert (store.person(lou.id).cadence, store.next_meeting(lou.id)) == (None, None)


async def test_the_last_session_s_toast_does_not_follow_into_the_next(store, vault_path,
                                                                     clock):
    """Back-to-back 1-on-1s: "session ended; next meeting ..." was about the last person; the
    next conversation opens without it."""
    sam, first, second, *_ = first_one_on_one(store, clock)
    other = store.start_session(store.add_person("Kim").id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_session(app, pilot, store, second.id)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert any(n.message.startswith("session ended") for n in app._notifications)
        app.push_screen(SessionScreen(other.id))
        await pilot.pause()
        assert not any(n.message.startswith("session ended") for n in app._notifications)
        assert not app.screen.query("Toast")


async def test_a_goal_is_checked_in_on_and_an_overdue_item_carried_from_the_list(
        store, vault_path, clock):
    """Last time's list (^t), in one run:

    * the 1-on-1's goal check-in: their open goal is in the list, s checks in on it, dated in
      this session; d on it checks in too (a goal is not ticked off);
    * carrying "Send the risk list" (due last Wednesday) asks when now, in the capture dialog
      filled in as it was; Esc leaves it uncarried. An item not yet due carries at once;
    * the end review then reads the goal's check-in back with what was captured (a goal set
      in this session: captured, not checked in), and the participant's summary says it too."""
    from tui.screens.capture import CaptureScreen
    from tui.screens.goal_dialogs import CheckInDialog

    sam, first, second, *_ = first_one_on_one(store, clock)
    late, finance = sorted(store.items(session_id=first.id), key=lambda i: i.due)
    goal = store.add_item(first.id, "goal", "Lead the Q2 launch", owner="them")
    store.add_item(second.id, "goal", "Speak at a meetup", owner="them")  # set in this one
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, listed = await the_list(app, pilot, store, second.id)
        # the goal's check-in
        assert listed.has_focus and "s goal" in str(listed.border_title)
        highlight(listed, goal)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, CheckInDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CheckInDialog)
        await pilot.press("right")  # open -> on-track
        dialog.query_one("#checkin-progress").value = "20"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        # carrying forward
        highlight(listed, finance)
        await pilot.press("c")  # due on the 20th: carried as it is
        await pilot.pause()
        assert store.item(finance.id).status == "carried"
        highlight(listed, late)
        for key, carried in (("escape", False), ("enter", True)):
            await pilot.press("c")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, CaptureScreen)
            assert "Carry forward: it was due 2025-03-05" in str(
                dialog.query_one(".dialog-title").render())
            assert dialog.query_one("#capture-text").value == "Send the risk list"
            assert dialog.query_one("#capture-due").value == ""
            if carried:
                dialog.query_one("#capture-due").value = "fri"
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
            assert (store.item(late.id).status == "carried") is carried
        await pilot.press("escape", "f10")  # the review reads it back with what was captured
        await pilot.pause()
        review = str(app.screen.query_one("#review-items").render())
        assert review.endswith("Goals checked in (1)\n★ Lead the Q2 launch  20% · on-track")
        assert "Speak at a meetup" in review  # set in it: captured, not checked in
        app.store = None
    checked, _ = store.goals(sam.id)
    assert (checked.status, checked.progress) == ("on-track", 20)  # d did not end it
    assert checked.checkins[-1].session_id == second.id
    copies = {i.text: i for i in store.items(session_id=second.id)}
    assert copies["Send the risk list"].due == date(2025, 3, 14)  # the Friday after Monday
    assert copies["Send the risk list"].owner == "them"
    assert copies["Ask finance about budget"].due == date(2025, 3, 20)
    from store import Scope, render_export  # the participant's summary says it too, dated at
    summary = render_export(store, Scope.sessions(second.id)).text  # the stage it was made in
    assert "### Goals checked in\n\n- Lead the Q2 launch — 20 % · on-track\n" in summary


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_agreed_next_step_becomes_their_action(store, vault_path, clock, size):
    """SBI's last stage: the next step agreed is what they will do. Linking it to an action
    needed one captured first (Esc, f2, ^f again); the form offers a new action made of it."""
    from tui.screens.feedback_form import FeedbackDialog

    ben = store.add_person("Ben Okafor")
    session = store.start_session(ben.id, plan("feedback"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=size) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        screen.go_to(next(i for i, s in enumerate(screen.stages)
                          if s.get("records") == "feedback-next-step"))
        await pilot.press("ctrl+f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FeedbackDialog)
        await pilot.press("tab", "end", "enter")  # no step typed yet: said, not saved
        await pilot.pause()
        assert app.screen is dialog and "Type the next step first" in str(
            dialog.query_one("#feedback-error").render())
        app.focused.insert("Dry run every customer demo")
        assert dialog.query_one("#feedback-save").region.bottom <= size[1]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        app.store = None
    [action] = store.items(session_id=session.id)
    assert (action.kind, action.owner, action.text) == ("action", "them",
                                                        "Dry run every customer demo")
    assert store.session_feedback(session.id).item_id == action.id



async def test_an_earlier_item_is_edited_from_the_list_to_go_through(store, vault_path, clock):
    """A wrong owner or a typo noticed while going through last time's items: i edits it in
    place (the capture dialog, as it is), it stays listed as it now is, and the list keeps the
    focus. The status line says so (a toast would cover the items panel)."""
    from tui.screens.capture import CaptureScreen

    sam, first, second, *_ = first_one_on_one(store, clock)
    late, finance = sorted(store.items(session_id=first.id), key=lambda i: i.due)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, listed = await the_list(app, pilot, store, second.id)
        highlight(listed, late)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CaptureScreen)
        assert (dialog.query_one("#capture-text").value,
                dialog.query_one("#capture-due").value) == ("Send the risk list", "2025-03-05")
        await pilot.press("end", *" to Ana", "tab", "left")  # and it is mine
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen and listed.has_focus
        edited = store.item(late.id)
        assert (edited.text, edited.owner, edited.status, edited.session_id) == \
            ("Send the risk list to Ana", "me", "open", first.id)
        line = str(listed.get_option_at_index(listed.highlighted).prompt)
        assert "Send the risk list to Ana" in line and "(me, due" in line
        await pilot.press("i")  # hostile text: listed with its controls as stand-ins
        await pilot.pause()
        app.screen.query_one("#capture-text").value = "Send the \x1b[2Jrisk list"
        await pilot.press("enter")
        await settle(app, pilot)
        line = str(listed.get_option_at_index(listed.highlighted).prompt)
        assert "\x1b" not in line and "Send the \u241b[2Jrisk list" in line
        assert "action saved" in str(screen.query_one("#note-status").render())
        assert str(listed.border_subtitle).startswith("i edit · ")
        await pilot.press("f1")  # the session's help says it too
        await pilot.pause()
        from textual.widgets import Markdown

        assert "**i** edits one" in app.screen.query_one(Markdown).source
        app.store = None


async def test_done_between_sessions_is_said_and_an_item_just_captured_is_corrected(
        store, vault_path, clock):
    """Sam's second 1-on-1, in one run:

    * marked done from the items screen (or 'rapport items done') between the two: the next
      one's panel says so, to close the loop out loud ("I did ask finance");
    * the try's typo: "+7d" typed into the text, not the due date. The palette's "Edit an item
      captured" asks which (the one just captured first) and the items panel shows it mended."""
    from tui.screens.capture import CaptureScreen
    from tui.screens.person_dialogs import Picker
    from tui.widgets.session import ItemsPanel

    sam, first, second, *_ = first_one_on_one(store, clock)
    finance = next(i for i in store.items(session_id=first.id) if i.owner == "me")
    store.update_item(finance.id, status="done")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        await settle(app, pilot)
        shown = " ".join(str(w.render()) for w in screen.query_one("#session-since").query(
            "Static"))
        assert "Done since 2025-03-03\n✓ Ask finance about budget  mine, 2025-03-10" in shown
        assert "Ask finance about budget  due" not in shown  # no longer open
        for text in ("Book the room", "Send the deck +7d"):
            await pilot.press("f2")
            app.focused.value = text
            await pilot.press("enter")
            await settle(app, pilot)
        room, item = store.items(session_id=second.id)
        assert item.text == "Send the deck +7d" and item.due is None
        await pilot.press("ctrl+p")
        await until(app, pilot, lambda: isinstance(app.focused, Input), "the palette's search")
        await enter_text(pilot, "edit an item captured")  # one search, not one a key
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, Picker)  # which one: the newest first
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CaptureScreen)
        await pilot.press("backspace", "backspace", "backspace", "backspace", "tab", "tab",
                          *"+7d", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        mended = store.item(item.id)
        assert (mended.text, mended.due) == ("Send the deck", date(2025, 3, 17))
        assert store.item(room.id) == room
        assert "Send the deck  me · due 2025-03-17" in str(
            screen.query_one(ItemsPanel).render())
        app.store = None
