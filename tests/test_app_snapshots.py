"""Snapshots of the main screens (pytest-textual-snapshot). Plain ``def`` tests: the snapshot
runs its own event loop. Data, clock and time zone are fixed so the pictures are stable."""

from __future__ import annotations

from datetime import date

import pytest

from guides.loader import builtin_guides
from apptools import enter_text, make_app, open_session

SIZE = (80, 24)


pytestmark = pytest.mark.usefixtures("utc_zone")


async def quiet(pilot) -> None:
    """No blinking cursors in a snapshot."""
    for area in pilot.app.screen.query("TextArea, Input"):
        area.cursor_blink = False
    await pilot.pause()


def seeded(store, clock, guide_id="one-on-one"):
    plan = next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    grace = store.add_person("Grace Hopper", cadence="monthly")
    old = store.start_session(grace.id, plan, title="Roadmap")
    store.save_note(old.id, plan["stages"][0]["key"], "Talked about the compiler.")
    store.add_item(old.id, "action", "Share the compiler notes", owner="them",
                   due=date(2025, 3, 10))
    store.save_session_state(old.id, spent={plan["stages"][0]["key"]: 600})
    store.end_session(old.id)
    clock.advance(3600)
    return store.start_session(ada.id, plan, title="Weekly")


def test_unlock_snapshot(snap_compare, store, vault_path, clock):
    store.close()

    async def run_before(pilot):
        await pilot.pause()  # the unlock screen is the app's first screen: composed after Ready
        # the temporary directory differs on every run: show a stable path in the picture
        pilot.app.screen.query_one("#unlock-path").update("~/.local/share/rapport/vault.db")
        await quiet(pilot)

    assert snap_compare(make_app(vault_path, clock), terminal_size=SIZE, run_before=run_before)


def test_session_wide_snapshot(snap_compare, store, vault_path, clock):
    session = seeded(store, clock)
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await app.workers.wait_for_complete()  # the since-last-time read, in a worker
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


def test_capture_snapshot(snap_compare, store, vault_path, clock):
    session = seeded(store, clock)
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await app.workers.wait_for_complete()  # the since-last-time read, in a worker
        await pilot.press("f2")
        await pilot.pause()
        await enter_text(pilot, "Book the offsite")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_end_review_snapshot(snap_compare, store, vault_path, clock):
    session = seeded(store, clock)
    store.add_item(session.id, "decision", "Move the demo to Friday")
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await app.workers.wait_for_complete()  # the since-last-time read, in a worker
        clock.advance(200)
        app.screen.tick()
        await pilot.press("f10")
        await pilot.pause()
        await quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
