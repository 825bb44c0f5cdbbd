"""Snapshots of the browse screens at 80x24 and 160x48 (issue 24): home, people, a person's
view and a programme. Plain ``def`` tests: the snapshot runs its own event loop. Data, clock and
time zone are fixed so the pictures are stable."""

from __future__ import annotations

import itertools
import sqlite3
import uuid
from datetime import timedelta

import pytest

from guides.loader import builtin_guides
from store.vault import open_vault
from apptools import make_app, settle

pytestmark = pytest.mark.usefixtures("utc_zone")

SIZES = [(80, 24), (160, 48)]


def plan(guide_id: str) -> dict:
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


def seeded(store, clock) -> dict:
    """Three people met over a month, goals that moved, pulses, feedback, a set meeting, an
    interview programme with a roster."""
    today = clock().date()
    ada = store.add_person("Ada Lovelace", cadence="weekly", guide_id="one-on-one")
    grace = store.add_person("Grace Hopper", cadence="fortnightly")
    jonas = store.add_person("Jonas Keller", cadence="weekly")
    sessions = []
    for score, word in ((3, "fine"), (2, "tired"), (2, "stretched"), (1, "worried")):
        s = store.start_session(ada.id, plan("one-on-one"), title="Weekly")
        store.save_note(s.id, "check-in", f"Feeling {word}.")
        store.save_session_state(s.id, spent={"check-in": 300, "follow-up": 420})
        store.set_pulse(s.id, score, word)
        store.end_session(s.id)
        sessions.append(s)
        clock.advance(7 * 86400)
    goal = store.add_item(sessions[1].id, "goal", "Lead the Q3 planning", owner="them")
    store.add_key_result(goal.id, "Planning doc reviewed by 3 teams", progress=60)
    store.check_in_goal(goal.id, status="on-track", note="kick-off done")
    store.add_item(sessions[-1].id, "action", "Send the reorg FAQ", owner="me",
                   due=today + timedelta(days=20))
    store.add_item(sessions[-1].id, "decision", "On-call moves to a weekly rota", owner="me")
    fb = store.start_session(grace.id, plan("feedback"), title="Release notes")
    store.fill_feedback(fb.id, situation="Release 3.2", behaviour="Notes a day late",
                        impact="Support could not prepare")
    store.end_session(fb.id)
    store.set_next_meeting(grace.id, clock().date() + timedelta(days=1), time="14:00")
    programme = store.add_programme("Leadership team", purpose="How we decide")
    for person in (ada, grace, jonas):
        store.add_to_roster(programme.id, person.id)
    interview = store.start_session(grace.id, plan("leadership-interview"), title="Interview",
                                    programme_id=programme.id)
    store.add_tag(interview.id, "strength", "Ada decides fast", stage="perception",
                  subject_id=ada.id)
    store.add_tag(interview.id, "current state", "Decisions are made in corridors",
                  stage="current-state")
    store.end_session(interview.id)
    store.update_roster(programme.id, grace.id, status="done")
    store.record_consent(programme.id, grace.id, "given", session_id=interview.id)
    clock.advance(3600)
    live = store.start_session(jonas.id, plan("one-on-one"))
    store.save_session_state(live.id, spent={"check-in": 120})
    return {"ada": ada.id, "programme": programme.id, "weekly": sessions[-1].id}


def snapshot(snap_compare, store, vault_path, clock, size, steps) -> bool:
    ids = seeded(store, clock)
    app = make_app(vault_path, clock)

    async def run_before(pilot) -> None:
        app.unlocked(store)
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        await steps(pilot, ids)
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        for field in app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_home(snap_compare, store, vault_path, clock, size):
    async def steps(pilot, ids):
        await pilot.press("j")

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_home_damaged(snap_compare, store, vault_path, passphrase, clock, size, monkeypatch):
    """Issue 18: a session whose sealed title lost a bit and jots deleted with another tool.
    The banner names both and says to run 'rapport verify'; every session that reads is
    listed. (Record ids made fixed: the banner names the damaged one.)"""
    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))
    seeded(store, clock)
    person = store.add_person("Zed Rowe")
    s = store.start_session(person.id, plan("one-on-one"), title="Damaged")
    store.end_session(s.id)
    store.add_jot(person.id, "one")
    store.add_jot(person.id, "two")
    store.close()
    with sqlite3.connect(vault_path) as conn:
        (blob,) = conn.execute("SELECT meta FROM sessions WHERE id = ?", (s.id,)).fetchone()
        flipped = bytearray(blob)
        flipped[len(flipped) // 2] ^= 0x01
        conn.execute("UPDATE sessions SET meta = ? WHERE id = ?", (bytes(flipped), s.id))
        conn.execute("DELETE FROM jots")
    conn.close()
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    app = make_app(vault_path, clock)

    async def run_before(pilot) -> None:
        app.unlocked(reopened)
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        app.screen.query_one("Input").cursor_blink = False
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        reopened.close()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_people(snap_compare, store, vault_path, clock, size):
    async def steps(pilot, ids):
        await pilot.press("f2")

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_person_goals(snap_compare, store, vault_path, clock, size):
    async def steps(pilot, ids):
        from tui.screens.person import PersonScreen

        await pilot.app.push_screen(PersonScreen(ids["ada"]))
        for _ in range(2):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.press("2")

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_programme_roster(snap_compare, store, vault_path, clock, size):
    async def steps(pilot, ids):
        from tui.screens.programme import ProgrammeScreen

        await pilot.app.push_screen(ProgrammeScreen(ids["programme"]))
        for _ in range(2):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.press("4")

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


async def settled(pilot) -> None:
    await settle(pilot.app, pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_items(snap_compare, store, vault_path, clock, size):
    """Issue 24: open decisions and agreements are listed between the actions and the goals.
    An item's text wraps in its column (cut to one line it was 26 characters at 80 columns)."""
    async def steps(pilot, ids):
        store.add_item(ids["weekly"], "action", "Write up the migration plan for the billing "
                       "system and share it with finance before the quarterly review",
                       owner="them")
        await pilot.press("f3")

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_prepare(snap_compare, store, vault_path, clock, size):
    """Issues 22/23: since last time, with a talking point of each kind."""
    async def steps(pilot, ids):
        from tui.screens.prepare import PrepareScreen

        store.add_talking_point(ids["ada"], "Conference budget", owner="theirs")
        store.add_talking_point(ids["ada"], "The on-call rota", owner="mine")
        await pilot.app.push_screen(PrepareScreen(ids["ada"]))
        await settled(pilot)

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_question_bank(snap_compare, store, vault_path, clock, size):
    async def steps(pilot, ids):
        store.add_question("one-on-one", "check-in", "What gave you energy this week?")
        store.add_question("feedback", "next-steps", "What would help you most next time?")
        await pilot.press("f5")
        await settled(pilot)

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_search_marks_private(snap_compare, store, vault_path, clock, size):
    """Issue 24: a match in a private note is marked as the rest of the app marks it."""
    async def steps(pilot, ids):
        store.save_note(ids["weekly"], "follow-up", "Worried about the reorg, keep it quiet.",
                        private=True)
        await pilot.press("s")
        await settled(pilot)
        pilot.app.screen.query_one("#search-query").value = "worried"
        await pilot.press("enter")
        await settled(pilot)

    assert snapshot(snap_compare, store, vault_path, clock, size, steps)
