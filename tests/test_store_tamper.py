"""Tampering with sealed fields: every bit flip, truncation and swap is detected.

The blobs are real ones from a vault file; the field cipher is rebuilt from the file's key slot with
the public functions of ``store.crypto``, so the checks run against exactly what is on disk.
"""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from store import crypto, keyslot
from store.errors import Damaged
from store.models import Damage
from store.rows import aad_for
from store.tables import TABLES
from store.vault import open_vault

PLAN = {"id": "one-on-one", "name": "1-on-1",
        "stages": [{"key": "check-in", "minutes": 5}, {"key": "topics", "minutes": 20}]}


@contextmanager
def raw(path: Path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def cipher_from_file(path: Path, passphrase: str) -> crypto.FieldCipher:
    with raw(path) as conn:
        conn.row_factory = None
        slot = keyslot.read(conn, path)
    _, dek = slot.unlock(passphrase, allow_weak=True)
    return crypto.FieldCipher(dek)


def plain_of(table: str, row: sqlite3.Row) -> dict:
    return {c: row[c] for c in TABLES[table].plain}


@pytest.fixture
def filled(store, clock):
    """A closed vault with two people, two sessions, notes, items and a jot. Returns the ids."""
    ann = store.add_person("Ann Example")
    bob = store.add_person("Bob Example")
    s1 = store.start_session(ann.id, PLAN, title="First")
    clock.advance(60)
    n1 = store.save_note(s1.id, "check-in", "Ann is well. " * 5)
    n2 = store.save_note(s1.id, "topics", "Budget and hiring.")
    clock.advance(60)
    s2 = store.start_session(bob.id, PLAN, title="Second")
    n3 = store.save_note(s2.id, "topics", "Bob's topics.")
    item = store.add_item(s1.id, "action", "Send the budget", owner="me")
    jot = store.add_jot(bob.id, "Ask Bob about the offsite")
    store.close()
    return {"ann": ann.id, "bob": bob.id, "s1": s1.id, "s2": s2.id, "n1": n1.id, "n2": n2.id,
            "n3": n3.id, "item": item.id, "jot": jot.id}


def test_every_bit_flip_truncation_and_aad_change_is_detected(filled, vault_path, passphrase):
    cipher = cipher_from_file(vault_path, passphrase)
    with raw(vault_path) as conn:
        row = conn.execute("SELECT * FROM notes WHERE id = ?", (filled["n1"],)).fetchone()
    blob, plain = bytes(row["body"]), plain_of("notes", row)
    aad = aad_for("notes", "body", plain)
    assert cipher.open(blob, aad) == {"stage": "check-in", "text": "Ann is well. " * 5,
                                      "private": False}
    assert len(blob) >= 1 + 12 + 64 + 16

    undetected = []
    for bit in range(len(blob) * 8):
        flipped = bytearray(blob)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            cipher.open(bytes(flipped), aad)
        except ValueError:
            continue
        undetected.append(bit)
    assert undetected == [], f"{len(undetected)} of {len(blob) * 8} flips went unnoticed"

    for cut in range(len(blob)):
        with pytest.raises(ValueError):
            cipher.open(blob[:cut], aad)
    with pytest.raises(ValueError):
        cipher.open(blob + b"\x00", aad)

    # every plaintext column of the row is bound: changing any of them breaks the field
    for column, value in plain.items():
        changed = dict(plain, **{column: value + 1 if isinstance(value, int) else value + "0"})
        with pytest.raises(ValueError):
            cipher.open(blob, aad_for("notes", "body", changed))
    for other in (aad_for("jots", "data", {**plain, "person_id": plain["session_id"]}),
                  aad_for("notes", "data", plain), aad_for("notes", "body", {})):
        with pytest.raises(ValueError):
            cipher.open(blob, other)


def test_bit_flips_in_the_file_raise_damaged_and_verify_names_the_record(filled, vault_path, passphrase):
    with raw(vault_path) as conn:
        original = bytes(conn.execute("SELECT body FROM notes WHERE id = ?", (filled["n2"],)).fetchone()[0])
    rng = random.Random(1234)
    bits = rng.sample(range(len(original) * 8), 12) + [0, 8 * 13, len(original) * 8 - 1]
    for bit in bits:
        flipped = bytearray(original)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with raw(vault_path) as conn:
            conn.execute("UPDATE notes SET body = ? WHERE id = ?", (bytes(flipped), filled["n2"]))
        with open_vault(vault_path, passphrase, allow_weak=True) as store:
            with pytest.raises(Damaged) as err:
                store.notes(filled["s1"])
            assert filled["n2"] in str(err.value) and "\n" not in str(err.value)
            assert store.verify() == [Damage("notes", filled["n2"], "body", "failed authentication")]
            assert [n.id for n in store.notes(filled["s2"])] == [filled["n3"]]  # others still read
    with raw(vault_path) as conn:
        conn.execute("UPDATE notes SET body = ? WHERE id = ?", (original, filled["n2"]))
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.verify() == []
        assert [n.text for n in store.notes(filled["s1"])][1] == "Budget and hiring."


def damaged_ids(path: Path, passphrase: str) -> set[tuple[str, str, str]]:
    with open_vault(path, passphrase, allow_weak=True) as store:
        return {(d.table, d.id, d.column) for d in store.verify()}


def test_cross_row_swap_is_rejected(filled, vault_path, passphrase):
    with raw(vault_path) as conn:
        a, b = (bytes(conn.execute("SELECT body FROM notes WHERE id = ?", (i,)).fetchone()[0])
                for i in (filled["n1"], filled["n3"]))
        conn.execute("UPDATE notes SET body = ? WHERE id = ?", (b, filled["n1"]))
        conn.execute("UPDATE notes SET body = ? WHERE id = ?", (a, filled["n3"]))
    assert damaged_ids(vault_path, passphrase) == {("notes", filled["n1"], "body"),
                                                   ("notes", filled["n3"], "body")}
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        for session in ("s1", "s2"):
            with pytest.raises(Damaged):
                store.notes(filled[session])


def test_moving_a_note_to_another_session_is_rejected(filled, vault_path, passphrase):
    with raw(vault_path) as conn:
        conn.execute("UPDATE notes SET session_id = ? WHERE id = ?", (filled["s2"], filled["n1"]))
    assert damaged_ids(vault_path, passphrase) == {("notes", filled["n1"], "body")}
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        with pytest.raises(Damaged):
            store.notes(filled["s2"])


def test_cross_column_swap_is_rejected(filled, vault_path, passphrase):
    with raw(vault_path) as conn:
        meta, state = conn.execute("SELECT meta, state FROM sessions WHERE id = ?", (filled["s1"],)).fetchone()
        conn.execute("UPDATE sessions SET meta = ?, state = ? WHERE id = ?", (state, meta, filled["s1"]))
    assert damaged_ids(vault_path, passphrase) == {("sessions", filled["s1"], "meta"),
                                                   ("sessions", filled["s1"], "state")}
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        with pytest.raises(Damaged):
            store.session(filled["s1"])
        with pytest.raises(Damaged):
            store.summaries()
        assert store.session(filled["s2"]).title == "Second"


def test_cross_table_swap_is_rejected(filled, vault_path, passphrase):
    with raw(vault_path) as conn:
        item = bytes(conn.execute("SELECT data FROM items WHERE id = ?", (filled["item"],)).fetchone()[0])
        person = bytes(conn.execute("SELECT data FROM people WHERE id = ?", (filled["ann"],)).fetchone()[0])
        conn.execute("UPDATE jots SET data = ? WHERE id = ?", (item, filled["jot"]))
        conn.execute("UPDATE people SET data = ? WHERE id = ?", (person, filled["bob"]))
    assert damaged_ids(vault_path, passphrase) == {("jots", filled["jot"], "data"),
                                                   ("people", filled["bob"], "data")}
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        with pytest.raises(Damaged):
            store.jots()
        with pytest.raises(Damaged):
            store.people()


def test_old_revision_put_back_is_rejected(store, vault_path, passphrase, clock):
    person = store.add_person("Rollback")
    session = store.start_session(person.id, PLAN)
    note = store.save_note(session.id, "topics", "what was said first")
    store.close()
    with raw(vault_path) as conn:
        old = bytes(conn.execute("SELECT body FROM notes WHERE id = ?", (note.id,)).fetchone()[0])
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as reopened:
        clock.advance(5)
        newer = reopened.save_note(session.id, "topics", "what was said in the end")
        assert newer.rev == note.rev + 1
    with raw(vault_path) as conn:
        conn.execute("UPDATE notes SET body = ? WHERE id = ?", (old, note.id))
    assert damaged_ids(vault_path, passphrase) == {("notes", note.id, "body")}
    # the revision rolled back too (timestamps kept): the row summary still holds the newer one
    with raw(vault_path) as conn:
        conn.execute("UPDATE notes SET rev = ? WHERE id = ?", (note.rev, note.id))
    assert damaged_ids(vault_path, passphrase) == {("notes", note.id, "body"), ("notes", "-", "-")}
    # the whole older row put back (its revision, timestamps and ciphertext): only the row
    # summary can tell, and does
    with raw(vault_path) as conn:
        conn.execute("UPDATE notes SET updated_at = ? WHERE id = ?",
                     (note.updated_at.isoformat(timespec="microseconds"), note.id))
    assert damaged_ids(vault_path, passphrase) == {("notes", "-", "-")}


@pytest.mark.parametrize("change", [
    "UPDATE sessions SET ended_at = NULL",  # an ended session made to look active
    "UPDATE sessions SET started_at = '2020-01-01T00:00:00.000000+00:00'",
    "UPDATE sessions SET person_id = (SELECT id FROM people WHERE id != sessions.person_id)",
    "UPDATE items SET person_id = (SELECT id FROM people WHERE id != items.person_id)",
    "UPDATE people SET updated_at = '2030-01-01T00:00:00.000000+00:00'",
])
def test_plaintext_columns_are_bound(store, vault_path, passphrase, change):
    ann, bob = store.add_person("Ann"), store.add_person("Bob")
    session = store.start_session(ann.id, PLAN)
    store.add_item(session.id, "goal", "Grow")
    store.end_session(session.id)
    store.close()
    with raw(vault_path) as conn:
        assert conn.execute(change).rowcount >= 1
    table = change.split()[1]
    damage = damaged_ids(vault_path, passphrase)
    assert damage and {t for t, _, _ in damage} == {table}
