"""What the store tests of the loop between sessions share (issues 22 and 23): a three-stage
plan and ``fill``, one record (at least) of every family those issues added."""

from __future__ import annotations

from datetime import date

PLAN = {"id": "one-on-one", "name": "1-on-1", "stages": [
    {"key": "check-in", "title": "Check-in", "minutes": 5, "records": "pulse"},
    {"key": "topics", "title": "Their topics", "minutes": 20},
    {"key": "reflection", "title": "Private reflection", "minutes": 5, "private": True}]}


def fill(store, clock):
    """One record (at least) of every new family; returns the people and sessions."""
    ann = store.add_person("Ann Example", cadence="weekly", guide_id="one-on-one")
    bo = store.add_person("Bo Other")
    s1 = store.start_session(ann.id, PLAN, title="First")
    store.save_note(s1.id, "topics", "Roadmap worries")
    store.save_note(s1.id, "topics", "She seemed flat", private=True)
    goal = store.add_item(s1.id, "goal", "Lead the design review", owner="them")
    action = store.add_item(s1.id, "action", "Book the room", owner="them", due="2025-03-05")
    store.check_in_goal(goal.id, status="on-track", progress=30, note="first draft")
    kr = store.add_key_result(goal.id, "Three reviews run")
    store.update_key_result(kr.id, progress=50, note="two done")
    store.link_to_goal(goal.id, action.id)
    store.set_pulse(s1.id, 2, "tired")
    store.fill_feedback(s1.id, situation="Tuesday's review", behaviour="interrupted twice",
                        impact="the client went quiet")
    store.add_talking_point(ann.id, "Conference budget", owner="theirs")
    store.add_question("one-on-one", "check-in", "What gave you energy this week?")
    store.set_next_meeting(ann.id, date(2025, 3, 10), time="09:30", minutes=30)
    programme = store.add_programme("Leaders 2025")
    store.add_to_roster(programme.id, bo.id)
    store.engine.insert  # (kept syntheses: made by retention, below)
    with store.engine.write():
        store.engine.insert("kept_syntheses", {"data": {"synthesis": {"kind": "programme"}}},
                            programme_id=programme.id)
    store.end_session(s1.id)
    return ann, bo, s1, goal, action, programme
