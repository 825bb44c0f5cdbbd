"""Snapshots of the dialogs around a session at 80x24 and 160x48 (pytest-textual-snapshot): the
new-session dialog, the tag dialog, the export dialog, the end review and the session detail.
Plain ``def`` tests: the snapshot runs its own event loop. Data, clock, time zone and the
documents folder are fixed so the pictures are stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from guides.loader import builtin_guides
from tui.screens.detail import SessionDetailScreen
from tui.screens.export import ExportScreen
from apptools import enter_text, make_app, open_session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str):
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


async def quiet(pilot) -> None:
    """No blinking cursors in a snapshot."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for area in pilot.app.screen.query("TextArea, Input"):
        area.cursor_blink = False
    await pilot.pause()


def showing(app, store, screen):
    """A ``run_before`` that unlocks and shows ``screen()`` over the home screen."""
    async def run_before(pilot):
        app.unlocked(store)
        await app.push_screen(screen())  # at once: the home under it is no picture
        await quiet(pilot)

    return run_before


def one_on_one(store, clock):
    """Ada, weekly: a 1-on-1 with a shared and a private note and two items."""
    guide = plan("one-on-one")
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    session = store.start_session(ada.id, guide, title="Weekly")
    first, second = guide["stages"][0]["key"], guide["stages"][1]["key"]
    store.save_note(session.id, first, "Back from leave; the compiler demo went well.")
    store.save_note(session.id, second, "Worried about the team's workload.", private=True)
    store.add_item(session.id, "action", "Share the compiler notes", owner="them")
    store.add_item(session.id, "decision", "Move the demo to Friday")
    store.save_session_state(session.id, spent={first: 420, second: 780})
    return session


@pytest.mark.parametrize("size", SIZES)
def test_new_session_snapshot(snap_compare, store, vault_path, clock, size):
    store.add_person("Sam Rivera")
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        app.unlocked(store)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("tab", *"sa", "tab")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tag_dialog_snapshot(snap_compare, store, vault_path, clock, size):
    programme = store.add_programme("Leaders")
    store.add_person("Ana Silva")
    session = store.start_session(store.add_person("Ben Okafor").id, plan("leadership-interview"),
                                  programme_id=programme.id)
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await enter_text(pilot, "Ana decides fast but alone, then explains it well")
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("space", "down", "space")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog_snapshot(snap_compare, store, vault_path, clock, size, monkeypatch):
    monkeypatch.setenv("HOME", "/home/you")
    monkeypatch.setattr("tui.screens.export.default_directory",
                        lambda: Path("/home/you/Documents"))
    session = one_on_one(store, clock)
    clock.advance(40 * 60)
    store.end_session(session.id)
    app = make_app(vault_path, clock)
    run_before = showing(app, store, lambda: ExportScreen(session_ids=[session.id]))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_end_review_wide_snapshot(snap_compare, store, vault_path, clock):
    session = one_on_one(store, clock)
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await pilot.press("f10")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_session_detail_snapshot(snap_compare, store, vault_path, clock, size):
    session = one_on_one(store, clock)
    clock.advance(40 * 60)
    store.end_session(session.id)
    app = make_app(vault_path, clock)
    run_before = showing(app, store, lambda: SessionDetailScreen(session.id))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_feedback_form_snapshot(snap_compare, store, vault_path, clock, size):
    """The praise guide's feedback form: Praise and Given chosen, both rows of choices whole."""
    session = store.start_session(store.add_person("Chidi Obi").id, plan("praise"))
    app = make_app(vault_path, clock)

    async def run_before(pilot):
        await open_session(app, pilot, store, session.id)
        await pilot.press("ctrl+f")
        await enter_text(pilot, "Friday's outage")  # at once: a key by key redraw is no picture
        await quiet(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
