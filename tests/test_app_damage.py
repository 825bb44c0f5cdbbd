"""Damage is shown, never hidden: a vault with one flipped bit in one session's sealed title
opens on a home screen that names what failed, says to run 'rapport verify', and lists every
session that still reads."""

from __future__ import annotations

import sqlite3

import pytest

from guides.loader import builtin_guides
from store.vault import open_vault
from tui.screens.home import HomeScreen, SessionTable, readable_summaries
from apptools import make_app

pytestmark = pytest.mark.usefixtures("utc_zone")


def seed(store, count: int) -> list[str]:
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    ids = []
    for i in range(count):
        person = store.add_person(f"Person {i}")
        ids.append(store.start_session(person.id, plan, title=f"Talk {i}").id)
    return ids


def flip_a_bit_of_the_title(vault_path, session_id: str) -> None:
    """One bit of the session's sealed meta column (title, guide): AES-GCM fails on it."""
    with sqlite3.connect(vault_path) as conn:
        (blob,) = conn.execute("SELECT meta FROM sessions WHERE id = ?", (session_id,)).fetchone()
        damaged = bytearray(blob)
        damaged[len(damaged) // 2] ^= 0x01
        conn.execute("UPDATE sessions SET meta = ? WHERE id = ?", (bytes(damaged), session_id))
    conn.close()


async def test_the_home_screen_names_the_damage_and_lists_what_still_reads(
        store, vault_path, passphrase, clock):
    ids = seed(store, 5)
    store.close()
    flip_a_bit_of_the_title(vault_path, ids[2])
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    app = make_app(vault_path, clock)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            app.unlocked(reopened)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            home = app.screen
            assert isinstance(home, HomeScreen) and home.loaded_all
            banner = home.query_one("#home-damage")
            assert banner.display and banner.has_class("-shown")
            text = str(banner.render())
            assert f"sessions/{ids[2]}" in text and "rapport verify" in text
            shown = {row.summary.id for row in home.rows}
            assert shown == set(ids) - {ids[2]}
            assert home.query_one(SessionTable).row_count == 4
            assert "4 of 4 sessions" in str(home.query_one("#home-status").render())
            app.store = None
    finally:
        reopened.close()


async def test_an_intact_vault_shows_no_damage(store, vault_path, clock):
    seed(store, 2)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        app.unlocked(store)
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert not app.screen.query_one("#home-damage").display
        app.store = None


def test_readable_summaries_isolates_each_damaged_row(store, vault_path, passphrase, clock):
    ids = seed(store, 23)
    store.close()
    for damaged in (ids[0], ids[11], ids[12], ids[22]):
        flip_a_bit_of_the_title(vault_path, damaged)
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    try:
        found, problems = readable_summaries(reopened, page=5)
    finally:
        reopened.close()
    assert {s.id for s in found} == set(ids) - {ids[0], ids[11], ids[12], ids[22]}
    assert len(problems) == 4 and all("rapport verify" in p for p in problems)
