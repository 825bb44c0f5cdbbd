"""People over time in the app (issues 22 and 23): add, edit (rename, cadence, default guide),
the next meeting, Prepare, erase (the name typed), merge; a person's goals with key results and
check-ins, linked actions, the pulse trend and the feedback log.

Pilot tests on a real (fast-KDF) vault with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from guides.loader import builtin_guides
from tui.screens.people import PeopleScreen
from tui.screens.person import PersonScreen
from apptools import enter_text, make_app, settle as settle_app, unlock_with

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str = "one-on-one") -> dict:
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


async def people(app, pilot, store) -> PeopleScreen:
    app.unlocked(store)
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    assert isinstance(app.screen, PeopleScreen)
    return app.screen


def highlight(screen, person_id: str) -> None:
    table = screen.query_one("#people-table")
    keys = [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]
    table.move_cursor(row=keys.index(person_id))


def names(screen) -> list[str]:
    table = screen.query_one("#people-table")
    return [table.get_row_at(r)[0].plain for r in range(table.row_count)]


def text_of(widget) -> str:
    return str(widget.render())


# ---------------------------------------------------------------------- add, edit
async def test_add_a_person_with_cadence_and_default_guide_then_rename(store, vault_path, clock):
    from tui.screens.person_dialogs import PersonDialog

    store.add_person("Grace Hopper")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await people(app, pilot, store)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PersonDialog)
        await enter_text(pilot, "Sam Rivera")  # typing: test_app_dialogs
        await pilot.press("tab", "right", "right")  # cadence: fortnightly
        guides = dialog.query_one("#person-guide")
        guides.highlighted = 1 + [g.id for g in app.catalog.guides].index("career-conversation")
        await pilot.press("enter")
        await settle(pilot)
        sam = store.find_person("Sam Rivera")
        assert (sam.cadence, sam.guide_id) == ("fortnightly", "career-conversation")
        assert store.default_guide("sam rivera") == "career-conversation"
        assert names(screen) == ["Grace Hopper", "Sam Rivera"]
        # edit: a name someone else has is refused, then a new one renames
        highlight(screen, sam.id)
        await pilot.press("e")
        await pilot.pause()
        field = app.screen.query_one("#person-name")
        field.value = "grace hopper"
        await pilot.press("enter")
        await pilot.pause()
        assert "already someone called" in text_of(app.screen.query_one("#person-error"))
        field.value = "Sam Rivera-Lee"
        await pilot.press("enter")
        await settle(pilot)
        renamed = store.person(sam.id)
        assert renamed.name == "Sam Rivera-Lee" and renamed.guide_id == "career-conversation"
        assert renamed.cadence == "fortnightly"  # untouched in the dialog: kept
        assert "Sam Rivera-Lee" in names(screen)
        app.store = None


# ---------------------------------------------------------------------- the next meeting
async def test_the_next_meeting_is_set_shown_overdue_and_cleared(store, vault_path, clock):
    sam = store.add_person("Sam Rivera", cadence="weekly")
    app = make_app(vault_path, clock)
    today = clock().date()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await people(app, pilot, store)
        highlight(screen, sam.id)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        example = (today + timedelta(days=7)).isoformat()  # a date to come, as an example
        assert dialog.query_one("#meeting-day").placeholder == f"{example}, tomorrow, +7d, fri"
        dialog.query_one("#meeting-day").value = "+3d"
        dialog.query_one("#meeting-time").value = "9:30"
        dialog.query_one("#meeting-minutes").value = "45"
        await pilot.press("enter")
        await settle(pilot)
        meeting = store.next_meeting(sam.id)
        assert (meeting.day, meeting.time, meeting.minutes) == \
            (today + timedelta(days=3), "09:30", 45)
        table = screen.query_one("#people-table")
        cell = table.get_row_at(0)[4]
        assert cell.plain == f"{(today + timedelta(days=3)).isoformat()} 09:30"
        # a week later it is overdue, in the error style
        clock.advance(7 * 86400)
        screen.load()
        await settle(pilot)
        cell = table.get_row_at(0)[4]
        assert cell.plain.startswith("overdue since") and cell.style != ""
        # emptying the day clears it: the cadence decides again
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#meeting-day").value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert store.next_meeting(sam.id) is None
        app.store = None


# ---------------------------------------------------------------------- prepare
async def test_prepare_shows_since_last_time_and_adds_a_talking_point(store, vault_path, clock):
    from tui.screens.jot import TalkingPointDialog
    from tui.screens.prepare import PrepareScreen

    sam = store.add_person("Sam Rivera", cadence="weekly")
    first = store.start_session(sam.id, plan(), title="Weekly")
    store.add_item(first.id, "action", "Send the rota", owner="them",
                   due=clock().date() + timedelta(days=1))
    store.add_item(first.id, "action", "Book the room", owner="me", due=clock().date())
    goal = store.add_item(first.id, "goal", "Lead planning", owner="them")
    store.check_in_goal(goal.id, progress=40)
    store.set_pulse(first.id, 4, "good")
    store.end_session(first.id)
    clock.advance(86400)
    left = store.start_session(sam.id, plan(), title="Left open")  # they met; never ended
    clock.advance(86400)
    store.add_jot(sam.id, "Saw Sam coach a new hire")
    store.add_talking_point(sam.id, "Conference budget", owner="theirs")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await people(app, pilot, store)
        await pilot.press("p")
        await settle(pilot)
        prepare = app.screen
        assert isinstance(prepare, PrepareScreen)
        header = text_of(prepare.query_one("#prepare-header"))
        assert "last met" in header and "(Weekly)" in header  # last time: the one ended
        assert f"still open: {left.started_at.date().isoformat()} (Left open)" in header
        items = text_of(prepare.query_one("#since-items"))
        assert "Book the room" in items and "overdue" in items and "Send the rota" in items
        assert items.index("Theirs") < items.index("Send the rota") < items.index("Mine")
        assert "Saw Sam coach a new hire" in text_of(prepare.query_one("#since-jots"))
        assert "40%" in text_of(prepare.query_one("#since-goals"))
        assert "4 good" in text_of(prepare.query_one("#since-pulse"))
        summary = prepare.query_one("#since-summary").source
        assert summary.startswith("## Weekly") and "Exported from Rapport" not in summary
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TalkingPointDialog)
        await enter_text(pilot, "Thank them for the write-up")
        await pilot.press("enter")
        await settle(pilot)
        points = [(p.text, p.owner) for p in store.talking_points(sam.id, open_only=True)]
        assert ("Thank them for the write-up", "mine") in points
        assert "Thank them for the write-up" in text_of(prepare.query_one("#since-points"))
        # tick off what is already done before meeting: d, pick it, Enter
        assert "d item done" in text_of(prepare.query_one("#prepare-hint"))
        await pilot.press("d")
        await pilot.pause()
        assert [str(o.prompt) for o in app.screen.query_one("#picker-list").options] == [
            "theirs · Send the rota · due 2025-03-04 overdue",
            "mine · Book the room · due 2025-03-03 overdue"]
        await pilot.press("down", "down", "enter")  # ↓ to the list on its first row, ↓, ⏎
        await settle(pilot)
        assert app.screen is prepare
        assert [(i.text, i.status) for i in store.items(person_id=sam.id)
                if i.kind == "action"] == [
            ("Send the rota", "open"), ("Book the room", "done")]
        items = text_of(prepare.query_one("#since-items"))
        assert "Mine" not in items.split("Done")[0]  # nothing open of mine now
        assert "Book the room" in items[items.index("Done"):]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        app.store = None


async def test_a_session_starts_from_a_persons_page_with_them_and_their_guide(
        store, vault_path, clock):
    """ctrl+n on a person's page: the new-session dialog has them and their default guide; the
    session opens over the page, which is there again after it."""
    from tui.screens.session import SessionScreen
    from tui.screens.start import NewSessionScreen

    sam = store.add_person("Sam Rivera", cadence="weekly", guide_id="feedback")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await people(app, pilot, store)
        highlight(screen, sam.id)
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, PersonScreen)
        await pilot.press("ctrl+n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewSessionScreen)
        assert dialog.query_one("#person").value == "Sam Rivera"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        [session] = store.sessions(person_id=sam.id)
        assert session.guide_id == "feedback" and session.status == "active"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page
        app.store = None


# ---------------------------------------------------------------------- erase, merge
async def test_erase_needs_the_name_typed_and_then_everything_goes(store, vault_path, clock):
    from tui.screens.person_dialogs import EraseDialog

    sam = store.add_person("Sam Rivera")
    keep = store.add_person("Ada Lovelace")
    session = store.start_session(sam.id, plan())
    store.save_note(session.id, "check-in", "Sam's note")
    store.add_jot(sam.id, "a jot")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await people(app, pilot, store)
        highlight(screen, sam.id)
        await pilot.press("delete")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EraseDialog)
        what = text_of(dialog.query_one("#erase-what"))
        assert "1 session" in what and "1 note" in what and "1 jot" in what
        await enter_text(pilot, "sam rivera")  # not their name as written
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and store.person(sam.id)
        dialog.query_one("#erase-name").value = "Sam Rivera"
        await pilot.press("enter")
        await settle(pilot)
        assert [p.id for p in store.people()] == [keep.id]
        assert store.search("Sam's note") == []
        assert names(screen) == ["Ada Lovelace"]
        app.store = None


async def test_merge_a_duplicate_into_the_right_record(store, vault_path, clock):
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.person_dialogs import Picker

    typo = store.add_person("Sam Rivrea")
    sam = store.add_person("Sam Rivera")
    store.add_jot(typo.id, "jotted under the typo")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await people(app, pilot, store)
        highlight(screen, typo.id)
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, Picker)
        await enter_text(pilot, "rivera")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert [p.id for p in store.people()] == [sam.id]
        assert [j.text for j in store.jots(sam.id)] == ["jotted under the typo"]
        assert names(screen) == ["Sam Rivera"]
        app.store = None


# ---------------------------------------------------------------------- the person over time
@pytest.fixture
def sam_over_time(store, clock):
    sam = store.add_person("Sam Rivera", cadence="weekly")
    sessions = []
    for score, word in ((4, "good"), (2, "tired"), (1, "drained"), (2, "flat")):
        s = store.start_session(sam.id, plan(), title="Weekly")
        store.set_pulse(s.id, score, word)
        store.end_session(s.id)
        sessions.append(s)
        clock.advance(7 * 86400)
    goal = store.add_item(sessions[0].id, "goal", "Lead the Q3 planning", owner="them")
    store.add_key_result(goal.id, "Doc reviewed by 3 teams", progress=40)
    store.add_key_result(goal.id, "Dates agreed", progress=20)
    action = store.add_item(sessions[-1].id, "action", "Book the planning room", owner="them")
    fb = store.start_session(sam.id, plan("feedback"), title="Release notes")
    store.fill_feedback(fb.id, situation="Release 3.2", behaviour="Notes a day late",
                        impact="Support could not prepare")
    store.fill_feedback(fb.id, response="The template is slow")
    store.end_session(fb.id)
    return sam, goal, action


async def test_pulse_trend_feedback_log_and_goals_with_key_results_and_s_checks_in(
        store, vault_path, clock, sam_over_time):
    """Sam's page: the pulse's trend and its low run, the feedback log; then the goals, their
    key results and history, s checking in and l linking an action."""
    from tui.screens.goal_dialogs import CheckInDialog

    sam, goal, action = sam_over_time
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        app.unlocked(store)
        await settle(pilot)
        await app.push_screen(PersonScreen(sam.id))
        await settle(pilot)
        screen = app.screen
        assert "low pulse" in text_of(screen.query_one("#person-header"))
        await pilot.press("3")
        await pilot.pause()
        # on the pulse's own 1-5 scale, the low ones (2 or lower) in the warning colour
        chart = screen.query_one("#pulse-chart").render()
        assert str(chart).split("\n") == ["▅▅", "██ ▆▆ ▃▃ ▆▆"]
        assert [span.end - span.start for span in chart.spans if span.style] == [3, 3, 2]
        line = text_of(screen.query_one("#pulse-line"))
        assert "4 pulses, the last 2 (flat)" in line and "run of low scores" in line
        feedback = screen.query_one("#person-feedback")
        assert feedback.row_count == 1 and str(feedback.get_row_at(0)[1]) == "given"
        detail = text_of(screen.query_one("#feedback-detail"))
        assert "Behaviour: Notes a day late" in detail
        assert "Their response: The template is slow" in detail

        await pilot.press("2")
        await pilot.pause()
        goals = screen.query_one("#person-goals")
        assert goals.has_focus
        assert str(goals.get_row_at(0)[1]) == "███░░░░░░░  30%"  # the mean of its key results
        detail = text_of(screen.query_one("#goal-detail"))
        assert "Doc reviewed by 3 teams" in detail and "History (1 check-in)" in detail
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CheckInDialog)
        await pilot.press("right")  # open -> on-track
        dialog.query_one("#checkin-kr-0").value = "80"
        dialog.query_one("#checkin-note").value = "review done"
        await pilot.press("enter")
        await settle(pilot)
        [updated] = store.goals(sam.id)
        assert updated.status == "on-track" and updated.progress == 50
        assert [(c.status, c.progress, c.note) for c in updated.checkins[1:]] == \
            [("on-track", None, "review done"), (None, 80, "")]
        detail = text_of(screen.query_one("#goal-detail"))
        assert "History (3 check-ins)" in detail and "“review done”" in detail
        # l links the highlighted open action to a goal
        await pilot.press("1")
        await pilot.pause()
        screen.query_one("#person-items").focus()
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("enter")  # the only open goal
        await settle(pilot)
        assert [a.id for a in store.goal(goal.id).actions] == [action.id]
        items = screen.query_one("#person-items")
        assert items.get_row_at(0)[2].plain.startswith("Lead the Q3")
        app.store = None


async def test_a_lock_keeps_a_half_typed_jot_as_a_jot(store, vault_path, clock, passphrase):
    """The idle lock, then the lock key, each over a half-typed jot: the text is kept as a jot.
    Someone walks in while a jot is half typed: ctrl+l locks at once (a dialog over the screen
    took the key before: only the idle lock could close it). One scenario (it was two tests
    on the same person and jot dialog)."""
    from store.vault import open_vault
    from tui.config import Config
    from tui.screens.jot import JotScreen
    from tui.screens.unlock import UnlockScreen

    ana = store.add_person("Ana Silva")
    app = make_app(vault_path, clock, config=Config(idle_lock_minutes=5), idle_lock=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await people(app, pilot, store)
        highlight(screen, ana.id)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, JotScreen)
        await enter_text(pilot, "Ana coached the new hire")  # typing: test_app_dialogs
        clock.advance(5 * 60 + 1)  # and walked away
        app.check_idle_lock()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen), "idle lock"
        assert "is in a jot about Ana Silva" in text_of(app.screen.query_one("#unlock-message"))
        await unlock_with(pilot, passphrase)  # back on the people list
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PeopleScreen)

        # the lock key, over a jot half typed
        highlight(screen, ana.id)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, JotScreen)
        await enter_text(pilot, "Ana asked about")
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and app.store is None, "ctrl+l over a jot"
        assert "is in a jot about Ana Silva" in text_of(app.screen.query_one("#unlock-message"))
    reopened = open_vault(vault_path, passphrase, allow_weak=True)
    try:
        assert sorted(j.text for j in reopened.jots(ana.id)) == [
            "(kept when Rapport locked) Ana asked about",  # by ctrl+l
            "(kept when Rapport locked) Ana coached the new hire"]  # by the idle lock
    finally:
        reopened.close()


def test_a_pulse_chart_keeps_the_scale_of_a_pulse():
    """1 low to 5 high, whatever the scores: a 4 then a 3 is a step down (a chart scaled to
    the scores' own range drew a full bar then nothing), and three 3s stand mid-high."""
    from textual.app import App

    from tui.widgets.prepare import pulse_chart

    app = App()
    assert str(pulse_chart(app, [4, 3])).split("\n") == ["▅▅ ▂▂", "██ ██"]
    assert str(pulse_chart(app, [3, 3, 3])).split("\n") == ["▂▂ ▂▂ ▂▂", "██ ██ ██"]
    assert str(pulse_chart(app, [1, 5])).split("\n") == ["   ██", "▃▃ ██"]
    assert len(str(pulse_chart(app, range(20))).split("\n")[1].split()) == 12  # the latest


def test_a_carried_point_says_through_how_many_1_on_1s():
    """Only a 1-on-1 carries a talking point (a feedback session leaves it open): Prepare says
    "1-on-1s", not "sessions", which counted every kind."""
    from store import TalkingPoint
    from tui.widgets.prepare import point_line

    point = TalkingPoint(id="p1", person_id="ana", text="The on-call rota", carried=("a", "b"))
    assert point_line(point).plain == "▸ to raise  The on-call rota  (carried through 2 1-on-1s)"
    assert point_line(TalkingPoint(id="p2", person_id="ana", text="Leave", owner="theirs")
                      ).plain == "◆ theirs  Leave"
