"""The seeded world the browsing tests share: four people, four sessions (one active), items of
every kind and a jot, in a real fast-KDF vault, with a clock that stands still until told.

The fixtures (``tz_utc``, autouse; ``clock``; ``world``: ``(app, store, ids)``) are imported by
each browsing test module.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from guides.loader import builtin_guides
from store.crypto import FAST_FOR_TESTS
from store.vault import create_vault
from apptools import make_app, settle as settle_app

SIZE = (100, 30)
PASSPHRASE = "pw-test-1234"


class Clock:
    """Stands still until told to move; aware UTC."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


TODAY = utc(2025, 3, 3, 9, 0)


@pytest.fixture(autouse=True)
def tz_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


def seed(store, clock: Clock) -> dict:
    """Four people, four sessions (one active), items of every kind, a jot. Returns ids."""
    guides = {g.id: g.to_snapshot() for g in builtin_guides()}
    alice = store.add_person("Alice Martin", cadence="weekly")
    bo = store.add_person("Bo Chen", cadence="monthly")
    chidi = store.add_person("Chidi [ops] Okafor")  # a "[" must never be read as markup
    dana = store.add_person("Dana Ruiz", cadence="fortnightly")

    clock.set(utc(2025, 1, 20, 10, 0))
    a1 = store.start_session(alice.id, guides["one-on-one"], title="Quarterly check-in",
                             started_at=clock())
    store.save_note(a1.id, "check-in", "New role feels big.\nSleeping better.")
    store.save_session_state(a1.id, spent={"check-in": 200, "follow-up": 300})
    store.end_session(a1.id, ended_at=utc(2025, 1, 20, 10, 35))

    clock.set(utc(2025, 2, 10, 10, 0))
    a2 = store.start_session(alice.id, guides["one-on-one"], started_at=clock())
    store.save_note(a2.id, "check-in", "Alice mentioned the budget freeze worries her team.")
    store.save_note(a2.id, "commitments", "Wants to lead planning.")
    store.save_note(a2.id, "reflection", "I interrupted twice.", private=True)
    store.add_item(a2.id, "action", "Send the roadmap draft", owner="them", due="2025-02-20",
                   stage="follow-up")
    store.add_item(a2.id, "action", "Book the offsite", owner="me", due="2025-03-10",
                   stage="follow-up")
    store.add_item(a2.id, "goal", "Lead the Q2 planning", owner="them", stage="commitments",
                   status="on-track")
    store.add_item(a2.id, "decision", "Weekly 1-on-1s from March", owner="me", stage="follow-up")
    store.save_session_state(a2.id, spent={"check-in": 180, "commitments": 420, "follow-up": 240})
    store.end_session(a2.id, ended_at=utc(2025, 2, 10, 10, 32))

    clock.set(utc(2025, 2, 25, 14, 0))
    b1 = store.start_session(bo.id, guides["feedback"], started_at=clock())
    store.save_note(b1.id, "feedback", "The release notes were late; the budget review slipped.")
    store.add_item(b1.id, "agreement", "Bo sends release notes by Thursday", owner="them",
                   stage="next-steps")
    store.add_item(b1.id, "goal", "Present at the all-hands", owner="them", stage="next-steps",
                   status="at-risk")
    store.save_session_state(b1.id, spent={"feedback": 600, "their-side": 500})
    store.end_session(b1.id, ended_at=utc(2025, 2, 25, 14, 30))

    clock.set(utc(2025, 3, 1, 9, 30))
    c1 = store.start_session(chidi.id, guides["one-on-one"], started_at=clock())
    store.save_note(c1.id, "agenda", "Chidi is blocked on the budget approval.")
    store.save_session_state(c1.id, stage_index=1, spent={"check-in": 120, "follow-up": 60})
    store.add_item(c1.id, "action", "Unblock the approval", owner="me", due="2025-03-02",
                   stage="agenda")

    clock.set(utc(2025, 3, 2, 18, 0))
    store.add_jot(alice.id, "Saw Alice coach the new hire on estimates.")
    clock.set(TODAY)
    return {"alice": alice.id, "bo": bo.id, "chidi": chidi.id, "dana": dana.id,
            "a1": a1.id, "a2": a2.id, "b1": b1.id, "c1": c1.id}


def make_world(tmp_path, clock: Clock):
    """(app, store, ids): the seeded vault in ``tmp_path``, and the app around it."""
    store = create_vault(tmp_path / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    ids = seed(store, clock)
    app = make_app(tmp_path / "vault.db", clock)
    return app, store, ids


@pytest.fixture
def world(tmp_path, clock):
    app, store, ids = make_world(tmp_path, clock)
    try:
        yield app, store, ids
    finally:
        store.close()


async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


async def unlocked(pilot, store) -> None:
    pilot.app.unlocked(store)
    await settle(pilot)


def row_keys(table) -> list[str]:
    return [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]


def cell_text(table, row: int, column: int) -> str:
    value = table.get_row_at(row)[column]
    return getattr(value, "plain", str(value))
