"""Snapshots of the live session at 80x24 and 160x48 (issue 24): a second 1-on-1 opening on
"since last time", the cues swapped in for the questions, the follow-up list focused, and F1.
Plain ``def`` tests: the snapshot runs its own event loop. Data, clock and zone are fixed."""

from __future__ import annotations

from datetime import date

import pytest

from apptools import enter_text, guide_plan, make_app, open_session

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
WEEK = 7 * 86400

pytestmark = [pytest.mark.usefixtures("utc_zone"),
              pytest.mark.parametrize("size", list(SIZES))]


def second_one_on_one(store, clock):
    """Sam, a week after a first 1-on-1 with items (one overdue), a jot and talking points both
    ways; the second session is open."""
    plan = guide_plan("one-on-one")
    sam = store.add_person("Sam Rivera", cadence="weekly")
    first = store.start_session(sam.id, plan, title="Weekly")
    store.save_note(first.id, "check-in", "Tired after the on-call week.")
    store.add_item(first.id, "action", "Send the risk list", owner="them", due=date(2025, 3, 5))
    store.add_item(first.id, "action", "Ask finance about the conference budget", owner="me",
                   due=date(2025, 3, 20))
    store.set_pulse(first.id, 3, "stretched")
    store.end_session(first.id)
    clock.advance(WEEK)
    store.add_jot(sam.id, "raised the on-call rota in standup")
    store.add_talking_point(sam.id, "Feedback on the design review")
    store.add_talking_point(sam.id, "Conference budget", owner="theirs")
    return store.start_session(sam.id, plan, title="Weekly")


def opened(app, store, session, *keys: str, text: str = ""):
    """Unlocked, on the session, ``keys`` pressed, then ``text`` entered into the focused field
    (at once: a snapshot of typed notes, not of typing, which redraws the screen a key)."""
    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        if text:
            await enter_text(pilot, text)
        for area in app.screen.query("TextArea, Input"):
            area.cursor_blink = False  # no blinking cursor in a picture
        await pilot.pause()

    return run_before


def test_a_second_one_on_one_opens_on_since_last_time(snap_compare, store, vault_path, clock,
                                                      size):
    session = second_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=opened(app, store, session, text="Still tired"))


def test_the_cues_swapped_in_for_the_questions(snap_compare, store, vault_path, clock, size):
    session = second_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    # F5 puts the questions back where the panel opened; ctrl+g swaps in the cues
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=opened(app, store, session, "f5", "ctrl+g"))


def test_the_follow_up_list_focused_at_the_follow_up_stage(snap_compare, store, vault_path,
                                                           clock, size):
    session = second_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=opened(app, store, session, "ctrl+n", "ctrl+t"))


def test_f1_lists_the_keys_one_line_each(snap_compare, store, vault_path, clock, size):
    session = second_one_on_one(store, clock)
    app = make_app(vault_path, clock)
    # fifteen keys on a page at 80x24, not six between rules
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=opened(app, store, session, "f1"))
