"""The loop in the live session (issues 22 and 23): the "since last time" panel, talking points
covered and carried, your question bank, the pulse, the feedback log, the next meeting at the
end, and the participant's summary copied to the clipboard (as an export)."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len

from store import Scope, render_export
from tui.screens.bank import BankDialog
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SessionDetailScreen
from tui.screens.feedback_form import FeedbackDialog
from tui.screens.pulse import PulseDialog
from tui.screens.review import EndReviewScreen
from tui.screens.session import SessionScreen
from tui.widgets.session import FollowThrough, NotesArea, QuestionList, StageCard
from tui.widgets.prepare import SinceLastTimeView
from apptools import (
    first_one_on_one, guide_plan as plan, make_app, open_session, settle, show,
)

pytestmark = pytest.mark.usefixtures("utc_zone")


async def test_the_second_one_on_one_opens_on_since_last_time(store, vault_path, clock):
    """The panel, what it says and how it is hidden and shown; a resumed session does not count
    its own pulse as last time's (recorded, then the app was quit)."""
    sam, first, second, raise_point, theirs = first_one_on_one(store, clock)
    store.set_pulse(first.id, 2, "drained")
    store.set_pulse(second.id, 4, "steady")  # recorded, then the app was quit
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        await settle(app, pilot)
        panel = screen.query_one("#session-since")
        assert screen.left_mode == "since" and panel.display
        assert isinstance(app.focused, NotesArea)  # the panel never takes the focus
        shown = " ".join(str(w.render()) for w in panel.query("Static"))
        assert "Sam Rivera  ·  last met 2025-03-03 (Weekly)" in shown
        assert shown.index("theirs  Conference budget") < shown.index("to raise  Feedback")
        assert "Send the risk list  due 2025-03-05 overdue" in shown
        assert "Ask finance about budget  due 2025-03-20" in shown
        assert "raised the on-call rota" in shown
        summary = panel.query_one("Markdown")
        assert "Tired after the on-call week." in summary.source
        assert "PRIVATE-CANARY" not in summary.source and "PRIVATE-CANARY" not in shown
        pulse = str(screen.query_one("#since-pulse").render())
        assert "2 drained" in pulse and "steady" not in pulse, "the resumed session's own pulse"
        await pilot.press(*"hello")
        assert screen.query_one(NotesArea).text == "hello"
        await pilot.press("f5")  # hidden: the questions again
        assert not panel.display and screen.query_one(QuestionList).display
        await pilot.press("f5")  # reachable again, one key, the focus still in the notes
        assert panel.display and isinstance(app.focused, NotesArea)
        await pilot.press("ctrl+down")  # scrolls the panel, not the questions
        assert screen.query_one(SinceLastTimeView).scroll_y > 0
        await pilot.press("ctrl+n")  # opened by its key: it stays on the next stage
        await pilot.pause()
        assert screen.left_mode == "since"


async def test_the_panel_gives_way_and_talking_points_are_covered_and_the_rest_carried(
        store, vault_path, clock):
    """Sam's second 1-on-1: the since-last-time panel that opened itself gives way to the next
    stage's questions (the focus stays in the notes); the talking points listed at the opening
    are covered (one) and carried (the rest) when the session ends."""
    sam, first, second, raise_point, theirs = first_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        await settle(app, pilot)
        widget = screen.query_one(FollowThrough)
        assert widget.display  # listed at the opening
        assert [widget.get_option_at_index(i).id for i in range(widget.option_count)] == [
            f"point:{theirs.id}", f"point:{raise_point.id}"]
        assert screen.left_mode == "since"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.left_mode == "questions" and screen.query_one(QuestionList).display
        assert isinstance(app.focused, NotesArea)
        await pilot.press("ctrl+t", "d")  # theirs, first: covered
        await pilot.pause()
        assert {p.id: p.status for p in store.talking_points(sam.id)}[theirs.id] == "covered"
        assert "☑" in str(widget.get_option_at_index(0).prompt)
        await pilot.press("escape", "f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        assert "1 covered, 1 carried to next time" in str(
            review.query_one("#review-points").render())
        review.query_one("#next-day").value = ""  # skip the next meeting
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, (EndReviewScreen, SessionScreen))
        assert store.session(second.id).ended_at
    points = {p.id: p for p in store.talking_points(sam.id)}
    assert points[theirs.id].status == "covered" and points[theirs.id].session_id == second.id
    assert points[raise_point.id].status == "open"
    assert points[raise_point.id].carried == (second.id,)
    assert store.next_meeting(sam.id) is None  # skipped


async def test_the_pulse_then_a_question_of_your_own_goes_to_the_bank_and_shows_as_yours(
        store, vault_path, clock):
    """A first session opens on the questions (nothing since last time); the pulse at check-in
    (^f: the digit goes to the dialog, on to the word); then a question of your own (shift+f2
    on a "Q:" line) goes to the bank, and the next session lists it as yours."""
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        assert screen.left_mode == "questions", "a first session opens on the questions"
        assert not screen.query_one("#session-since").display, "a first session: no panel"
        # the pulse
        assert screen.stage["records"] == "pulse"
        assert "^f records how they are, 1-5" in str(screen.query_one(StageCard).render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, PulseDialog)
        await pilot.press("4", *"steady", "enter")  # the digit goes on to the word
        await pilot.pause()
        assert app.screen is screen and isinstance(app.focused, NotesArea)
        pulse = store.pulse(session.id)
        assert (pulse.score, pulse.word) == (4, "steady")
        assert "recorded: 4/5, steady" in str(screen.query_one(StageCard).render())
        assert screen.query_one(NotesArea).text == ""  # the digit went to the dialog
        # a question of your own
        screen.query_one(NotesArea).insert("Q: What gave you energy this week?")
        await pilot.press("shift+f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, BankDialog)
        assert dialog.query_one("#bank-text").value == "What gave you energy this week?"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and isinstance(app.focused, NotesArea)
        [question] = store.questions("one-on-one", "check-in")
        assert question.text == "What gave you energy this week?"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        later = store.start_session(ada.id, plan())  # the next one: the bank read again
        app.push_screen(SessionScreen(later.id))
        await pilot.pause()
        screen = app.screen
        questions = screen.query_one(QuestionList)
        shown = [str(questions.get_option_at_index(i).prompt)
                 for i in range(questions.option_count)]
        assert shown[-1] == "✦ What gave you energy this week?  yours"
        assert shown[0].startswith("◆ ")  # the guide's come first
        questions.highlighted = questions.option_count - 1
        await pilot.press("ctrl+o")  # and it is inserted like the guide's
        assert "Q: What gave you energy this week?" in screen.query_one(NotesArea).text
        app.store = None


async def test_the_feedback_guide_fills_the_feedback_log_as_it_goes(store, vault_path, clock):
    """The form starts from what Prepare's (private) note wrote down, editable; nothing of it
    is saved until the form is, and what Prepare held besides (the request) stays there."""
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan("feedback"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        assert screen.stage["key"] == "prepare" and screen.is_private()
        screen.query_one(NotesArea).insert("Situation: Tuesday review\n- **Behaviour**: blamed\n"
                                           "  the data team\nMy one request: come to me first")
        await pilot.pause()
        stages = {s.get("records"): i for i, s in enumerate(screen.stages)}
        screen.go_to(stages["feedback"])
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackDialog)
        assert app.screen.query_one("#feedback-prepared").display
        assert [app.screen.query_one(f"#feedback-{f}").text for f in (
            "situation", "behaviour", "impact")] == ["Tuesday review", "blamed the data team", ""]
        await pilot.press("escape")  # nothing typed: closed at once, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and store.session_feedback(session.id) is None
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.focused.clear()
        app.focused.insert("Tuesday review")  # edited to what was said
        await pilot.press("tab")
        app.focused.clear()
        app.focused.insert("blamed data team")
        await pilot.press("tab")
        app.focused.insert("client asked for someone else")
        await pilot.press("enter")
        await pilot.pause()
        entry = store.session_feedback(session.id)
        assert (entry.situation, entry.behaviour, entry.impact) == (
            "Tuesday review", "blamed data team", "client asked for someone else")
        assert entry.kind == "developmental" and entry.direction == "given"
        screen.go_to(stages["feedback-response"])
        # their response starts from this stage's note, under its prompt, not typed again
        screen.query_one(NotesArea).insert("Their view, in their words: felt\ncornered\n"
                                           "Where we agree and where we don't: the timeline")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert app.focused.text == "felt cornered"
        assert "this stage's note" in str(app.screen.query_one("#feedback-prepared").render())
        await pilot.press("enter")
        await pilot.pause()
        screen.go_to(stages["feedback-next-step"])
        await pilot.press("f2")
        app.focused.value = "Rehearse the next review"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        # the step starts from the action just captured at this stage, linked to it: said,
        # editable, not typed again and linked by hand (it was empty and unlinked)
        [action] = store.items(session_id=session.id)
        assert action.owner == "them"  # the stage asks for their first step: theirs, not mine
        assert "action captured here" in str(app.screen.query_one("#feedback-prepared").render())
        assert app.focused.text == "Rehearse the next review"
        linked = app.screen.query_one("#feedback-item")
        assert linked.get_option_at_index(linked.highlighted).id == action.id
        app.focused.clear()
        app.focused.insert("rehearse together")
        await pilot.press("enter")
        await pilot.pause()
        entry = store.session_feedback(session.id)
        assert (entry.response, entry.next_step, entry.item_id) == (
            "felt cornered", "rehearse together", action.id)
        assert entry.situation == "Tuesday review"  # the earlier stage's fields stay
        screen.go_to(stages["feedback"])
        await pilot.press("ctrl+f")  # filled in: the entry as saved, Prepare's no more
        await pilot.pause()
        assert app.screen.query_one("#feedback-behaviour").text == "blamed data team"
        assert not app.screen.query("#feedback-prepared")
        await pilot.press("escape")
        await pilot.pause()
        screen.go_to(stages["feedback-next-step"])
        assert "filled in: next step" in str(screen.query_one(StageCard).render())
    assert "come to me first" not in repr(store.session_feedback(session.id))


async def test_ending_offers_the_next_meeting_from_the_cadence(store, vault_path, clock):
    """The review offers the next meeting from the cadence, editable; a bad date keeps the
    review open (said, nothing ended), and once mended Enter ends."""
    sam, first, second, *_ = first_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, second.id)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        day, time = review.query_one("#next-day"), review.query_one("#next-time")
        assert (day.value, time.value) == ("2025-03-17", "09:00")  # a week on, same time
        assert "weekly" in str(review.query_one("#review-next-label").render())
        dialog, body = review.query_one("#review-dialog"), review.query_one("#review-body")
        end = review.query_one("#review-end")
        for size in ((80, 24), (160, 48)):  # as tall as what it says (no empty band), the
            await pilot.resize_terminal(*size)  # body scrolling when that is too much
            await pilot.pause()
            assert body.children[-1].region.bottom >= body.region.bottom
            assert dialog.region.contains_region(end.region)
            # the hints read whole (the time's showed "09:30 (blank: all" at 80x24)
            for field in (day, time):
                assert cell_len(field.placeholder) <= field.content_region.width, size
        assert not review.query_one("#review-error").display  # no empty red band either
        day.value = "someday"  # a bad next date keeps the review open
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen is review, "a bad next date keeps the review open"
        assert "Next meeting:" in str(review.query_one("#review-error").render())
        assert review.query_one("#review-error").display
        assert dialog.region.contains_region(end.region)
        assert store.session(second.id).ended_at is None, "a bad next date ends nothing"
        day.value = "2025-03-17"
        time.value = "10:30"  # editable
        await pilot.press("enter")  # Enter ends, from the button as from the fields
        await pilot.pause()
        assert not isinstance(app.screen, (EndReviewScreen, SessionScreen))
    meeting = store.next_meeting(sam.id)
    assert (meeting.day, meeting.time, meeting.minutes) == (date(2025, 3, 17), "10:30", 30)
    assert store.session(second.id).ended_at is not None


async def test_the_summary_is_copied_as_an_export_from_the_review_and_the_detail(
        store, vault_path, clock):
    sam, first, second, *_ = first_one_on_one(store, clock)
    expected = render_export(store, Scope.sessions(first.id), "md", "summary", tz=None).text
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(app, pilot, store, SessionDetailScreen(first.id))
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        assert isinstance(app.screen, ConfirmScreen)  # asked first: it leaves the vault
        assert app.clipboard == ""
        await pilot.press("y")
        await settle(app, pilot)
        assert app.clipboard == expected and "PRIVATE-CANARY" not in app.clipboard
        assert [(e.kind, e.destination) for e in store.exports()] == [("clipboard", "clipboard")]
        app.pop_screen()
        await pilot.pause()

        app.push_screen(SessionScreen(second.id))
        await settle(app, pilot)
        app.screen.query_one(NotesArea).insert("Agreed to swap the on-call week.")
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        await pilot.press("n")  # declined: nothing copied, nothing recorded
        await pilot.pause()
        assert isinstance(app.screen, EndReviewScreen) and app.clipboard == expected
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        await pilot.press("y")
        await settle(app, pilot)
        now = render_export(store, Scope.sessions(second.id), "md", "summary", tz=None).text
        assert app.clipboard == now and "Agreed to swap the on-call week." in now
        assert len(store.exports()) == 2
        assert isinstance(app.screen, EndReviewScreen)


async def test_consent_is_recorded_at_the_interview_on_the_roster(store, vault_path, clock):
    from tui.screens.consent import ConsentDialog

    programme = store.add_programme("Leaders")
    dana = store.add_person("Dana Ruiz")  # interviewed before being put on the roster
    session = store.start_session(dana.id, plan("leadership-interview"),
                                  programme_id=programme.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.stage["records"] == "consent"
        assert "^f records their answer on the programme's roster" in str(
            screen.query_one(StageCard).render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ConsentDialog)
        # "not recorded | given | refused", as on the roster: one Right from "not recorded"
        # gives "given" (listed last, one Left had given "refused")
        assert [b.name for b in app.screen.query("RadioButton")] == [
            "not recorded", "given", "refused"]
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.screen is screen and isinstance(app.focused, NotesArea)
        [place] = store.roster(programme.id)
        assert (place.person_id, place.status, place.consent, place.session_id) == (
            dana.id, "done", "given", session.id)
        assert "recorded: consent given" in str(screen.query_one(StageCard).render())
        # the review says it before the interview ends, with the passages tagged
        store.add_tag(session.id, "perception", "Decides alone", stage="consent")
        await pilot.press("f10")
        await pilot.pause()
        said = str(app.screen.query_one("#review-interview").render())
        assert said == "Consent: given  ·  ^f corrects it\nTagged: 1 passage"
        await pilot.press("escape")
        await pilot.pause()
        # reopened, the card says it again; "not recorded" clears it
        await pilot.press("escape")
        await settle(app, pilot)
        app.push_screen(SessionScreen(session.id))
        await settle(app, pilot)
        screen = app.screen
        assert "recorded: consent given" in str(screen.query_one(StageCard).render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("left", "enter")  # from "given" back to "not recorded"
        await pilot.pause()
        assert store.roster(programme.id)[0].consent is None
        store.update_roster(programme.id, dana.id, status="scheduled")  # the Roster tab's
        assert "recorded:" not in str(screen.query_one(StageCard).render())
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert str(review.query_one("#review-interview").render()) == (
            "Consent: not recorded  ·  ^f records it\nTagged: 1 passage")
        # the review opens the consent form itself (it said "^f at Notes and consent": back
        # there first), and says the answer once saved
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ConsentDialog)
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.screen is review
        assert str(review.query_one("#review-interview").render()).startswith(
            "Consent: given  ·  ^f corrects it\n")
        assert (store.roster(programme.id)[0].consent, store.roster(programme.id)[0].session_id
                ) == ("given", session.id)
        # ended: the roster says done (it said scheduled), and the toast says so
        await pilot.press("f10")
        await settle(app, pilot)
        assert store.roster(programme.id)[0].status == "done"
        assert any(n.message == "session ended; Dana Ruiz done on the roster"
                   for n in app._notifications)
        # deleted (held by mistake): the roster no longer claims it, and the toast says so
        app.push_screen(SessionDetailScreen(session.id))
        await settle(app, pilot)
        await pilot.press("delete")
        await pilot.pause()
        asked = str(app.screen.query_one("#confirm-message").render())
        assert asked.endswith(
            "\nAlso taken back: Dana Ruiz scheduled again on the roster; the consent given "
            "at it.")  # before the yes
        assert " and its notes will be removed for good.\n" in asked  # not "and 0 items"
        await pilot.press("y")
        await settle(app, pilot)
        place = store.roster(programme.id)[0]
        assert (place.status, place.consent, place.session_id) == ("scheduled", None, None)
        assert [n.message for n in app._notifications][-1] == (
            "session deleted; taken back: Dana Ruiz scheduled again on the roster; the consent "
            "given at it")
        app.store = None


async def test_an_interview_outside_a_programme_has_no_roster_to_record_on(
        store, vault_path, clock):
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan("leadership-interview"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press("ctrl+n", "ctrl+f")
        await pilot.pause()
        assert app.screen is screen
        assert "records their answer" not in str(screen.query_one(StageCard).render())
        assert "no programme: note the consent" in str(screen.query_one("#note-status").render())
        app.store = None


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_feedback_form_shows_every_choice_it_saves(store, vault_path, clock, size):
    """The kind and the direction (given or received) are both on screen, each showing the
    choice that is saved when it is left alone (the direction used to sit off the dialog's edge,
    and the kind showed nothing chosen while one was saved). The feedback guide and the praise
    guide, one session each, in one run of the app.

    At 80x24, a third session: a behaviour said in a full sentence wraps in its field: its start
    stays on screen (a one-line field scrolled it out of sight while typing), and Enter still
    saves."""
    ada = store.add_person("Ada")
    app = make_app(vault_path, clock)
    async with app.run_test(size=size) as pilot:
        app.unlocked(store)
        await pilot.pause()
        for guide, kind in (("feedback", "developmental"), ("praise", "praise")):
            session = store.start_session(ada.id, plan(guide))
            app.push_screen(SessionScreen(session.id))
            await pilot.pause()
            screen = app.screen
            screen.go_to(next(i for i, s in enumerate(screen.stages)
                              if s.get("records") == "feedback"))
            await pilot.press("ctrl+f")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, FeedbackDialog), guide
            inside = dialog.query_one("#feedback-dialog").content_region
            for control, shown in (("#feedback-kind", kind), ("#feedback-direction", "given")):
                choices = dialog.query_one(control)
                assert choices.pressed_button is not None, (guide, control)
                assert choices.pressed_button.name == shown, (guide, control)
                for button in choices.query("RadioButton"):
                    region = button.region
                    assert region.width and inside.contains_region(region), (guide, button.label)
            app.focused.insert("Tuesday review")
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen, guide
            entry = store.session_feedback(session.id)
            assert (entry.kind, entry.direction) == (kind, "given"), guide
            await pilot.press("escape")  # leaves the session: the next guide's
            await pilot.pause()
            assert app.screen is not screen, guide
        if size != (80, 24):
            return
        session = store.start_session(store.add_person("Ben").id, plan("feedback"))
        said = ("Said the delay was the data team's fault, in front of the client, and named two "
                "people on that team who were not in the room")
        app.push_screen(SessionScreen(session.id))
        await pilot.pause()
        screen = app.screen
        screen.go_to(next(i for i, s in enumerate(screen.stages) if s.get("records") == "feedback"))
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.focused.insert("Tuesday's client review")
        await pilot.press("tab")
        app.focused.insert(said[:-12])  # typed at once but for its last words: those are typed
        await pilot.press(*said[-12:])  # key by key (each scrolls to the cursor), and its start
        await pilot.pause()             # scrolled out of sight while typing
        field = app.screen.query_one("#feedback-behaviour")
        shown = " ".join(line.text.strip() for line in
                         (field.render_line(y) for y in range(field.size.height)))
        assert shown.startswith("Said the delay") and shown.endswith("not in the room")
        await pilot.press("tab")
        app.focused.insert("Client asked for someone else")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        entry = store.session_feedback(session.id)
        assert (entry.situation, entry.behaviour) == ("Tuesday's client review", said)
