"""Issue 18's store items: one writer really, a wrong passphrase writes nothing (a crash's WAL
included), deleted rows are noticed, verify speaks one line per problem, the KDF ceiling, 0700
directories at every level created."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from store import crypto, keyslot
from store.errors import UnsafeParameters, VaultBusy, WrongPassphrase
from store.vault import create_vault, open_vault

CHILD = Path(__file__).with_name("crash_child.py")
PLAN = {"id": "g", "name": "G", "stages": [{"key": "talk", "title": "Talk", "minutes": 10},
                                           {"key": "me", "title": "Me", "private": True}]}


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


class Child:
    """A rapport in another process holding the vault (tests/crash_child.py hold)."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(CHILD), "hold", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert self.line() == "ready", self.proc.stderr.read() if self.proc.stderr else ""

    def line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def save(self, text: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.line()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=20)

    def quit(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        assert self.line() == "closed"
        self.proc.wait(timeout=20)


@pytest.fixture
def session(store, vault_path, passphrase):
    person = store.add_person("Held")
    made = store.start_session(person.id, PLAN)
    store.save_note(made.id, "talk", "first words")
    store.close()
    return made.id


# ---------------------------------------------------------------------------------- one writer
def test_deleting_a_lock_file_lets_no_second_writer_in(vault_path, passphrase, session):
    child = Child(str(vault_path), passphrase, session, "talk")
    try:
        assert child.save("the holder's words") == "saved"
        Path(f"{vault_path}.lock").unlink(missing_ok=True)  # what let a second writer in before
        assert not Path(f"{vault_path}.lock").exists()
        with pytest.raises(VaultBusy, match="already open in another rapport"):
            open_vault(vault_path, passphrase, allow_weak=True)
        assert child.save("still the only writer") == "saved"
    finally:
        child.quit()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [n.text for n in store.notes(session)] == ["still the only writer"]


def test_a_vault_replaced_underneath_is_never_written_blindly(vault_path, passphrase, session,
                                                             tmp_path):
    child = Child(str(vault_path), passphrase, session, "talk")
    try:
        copy = tmp_path / "copy.db"
        shutil.copy(vault_path, copy)
        os.replace(copy, vault_path)  # a new file at the path: unlocked, so openable
        with open_vault(vault_path, passphrase, allow_weak=True) as other:
            other.save_note(session, "talk", "the other writer's acknowledged words")
        answer = child.save("would overwrite it")
        assert answer.startswith("refused StorageError") and "moved or replaced" in answer
    finally:
        child.quit()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [n.text for n in store.notes(session)] == ["the other writer's acknowledged words"]


def test_a_second_open_in_this_process_does_not_unlock_the_first(store, vault_path, passphrase):
    """Refused from a registry, without opening the file again: closing a second descriptor of
    the vault would drop the POSIX locks SQLite holds through the first."""
    with pytest.raises(VaultBusy):
        open_vault(vault_path, passphrase, allow_weak=True)
    child = subprocess.run([sys.executable, str(CHILD), "busy", str(vault_path), passphrase],
                           input="\n", capture_output=True, text=True, timeout=60)
    assert child.stdout.splitlines() == ["open VaultBusy", "probe VaultBusy",
                                         "open-again VaultBusy"]


# ---------------------------------------------------------------- a wrong passphrase writes nothing
def crashed(vault_path: Path, passphrase: str, session: str) -> None:
    """A rapport killed while it held the vault, after saves: its WAL and -shm are left."""
    child = Child(str(vault_path), passphrase, session, "talk")
    for n in range(5):
        assert child.save(f"saved before the crash {n}") == "saved"
    child.kill()
    assert Path(f"{vault_path}-wal").stat().st_size > 0


@pytest.mark.parametrize("shm", [True, False], ids=["wal-and-shm", "wal-only"])
def test_a_wrong_passphrase_writes_nothing_after_a_crash(vault_path, passphrase, session, shm):
    crashed(vault_path, passphrase, session)
    if not shm:
        Path(f"{vault_path}-shm").unlink()
    before = files(vault_path.parent)
    assert "vault.db-wal" in before and ("vault.db-shm" in before) == shm
    with pytest.raises(WrongPassphrase):
        open_vault(vault_path, "not the passphrase", allow_weak=True)
    assert files(vault_path.parent) == before  # byte for byte; nothing new, nothing removed
    assert sorted(p.name for p in vault_path.parent.iterdir()) == sorted(before)
    with open_vault(vault_path, passphrase, allow_weak=True) as store:  # the WAL is folded in now
        assert [n.text for n in store.notes(session)] == ["saved before the crash 4"]
        assert store.verify() == [] and store.damage == ()


def test_the_key_slot_is_read_from_the_wal(vault_path, passphrase, session, tmp_path,
                                          monkeypatch):
    """A passphrase changed just before a crash lives in the WAL only: the slot is read with the
    WAL (without writing), so the new passphrase opens and the old one does not."""
    from store import maintenance

    monkeypatch.setattr(maintenance, "checkpoint", lambda conn: None)  # the crash came first
    store = open_vault(vault_path, passphrase, allow_weak=True)
    try:
        store.change_passphrase("the new passphrase")
        crash = tmp_path / "crash"  # the files as a crash leaves them, for another process
        crash.mkdir(mode=0o700)
        for suffix in ("", "-wal", "-shm"):
            shutil.copy(f"{vault_path}{suffix}", crash / f"vault.db{suffix}")
    finally:
        store.close()
    copy = crash / "vault.db"
    conn = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
    assert keyslot.read(conn, copy).unlock(passphrase, allow_weak=True)  # the file alone: old
    conn.close()
    before = files(crash)
    with pytest.raises(WrongPassphrase):
        open_vault(copy, passphrase, allow_weak=True)
    assert files(crash) == before
    open_vault(copy, "the new passphrase", allow_weak=True).close()


# ---------------------------------------------------------------------------- deleted rows
@pytest.fixture
def filled(store, clock):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, PLAN)
    store.save_note(s.id, "talk", "shared words")
    store.save_note(s.id, "me", "a private reflection", private=True)
    store.add_item(s.id, "action", "send the draft")
    store.add_jot(ann.id, "jot one")
    store.add_jot(ann.id, "jot two")
    store.close()
    return s.id


@pytest.mark.parametrize("statement,table", [
    ("DELETE FROM notes WHERE body IS NOT NULL AND rowid = (SELECT max(rowid) FROM notes)", "notes"),
    ("DELETE FROM items", "items"),
    ("DELETE FROM jots", "jots"),
], ids=["private-note", "item", "all-jots"])
def test_deleted_rows_are_noticed(filled, vault_path, passphrase, statement, table):
    sql(vault_path, statement)
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [(d.table, d.id) for d in store.damage] == [(table, "-")]
        assert "deleted outside rapport" in store.damage[0].reason
        assert str(store.damage[0]).startswith(f"{table}: ") and "\n" not in str(store.damage[0])
        assert [(d.table, d.id, d.rows) for d in store.verify()] == [(table, "-", True)]
        store.add_person("Writes go on")  # and the loss stays visible after them
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [(d.table, d.id) for d in store.damage] == [(table, "-")]
        store.accept_rows()  # the facilitator knows: the rows as they are become the vault's
        assert store.damage == () and store.verify() == []
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.damage == ()


def test_a_deleted_row_summary_is_noticed_and_not_rewritten(filled, vault_path, passphrase):
    sql(vault_path, "DELETE FROM row_summary")
    for _ in range(2):  # a write in between does not quietly put a new one in its place
        with open_vault(vault_path, passphrase, allow_weak=True) as store:
            assert [(d.table, d.reason, d.rows) for d in store.damage] == [
                ("row_summary", "missing", True)]
            assert ("row_summary", "missing", True) in [(d.table, d.reason, d.rows)
                                                        for d in store.verify()]
            store.add_person("Another")


def test_a_row_deleted_and_another_added_keeps_the_count_but_not_the_hash(filled, vault_path,
                                                                          passphrase):
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        keep = store.jots()[0]
    # one jot gone, the other in twice under a new id (its ciphertext fails, but the count fits)
    sql(vault_path, f"DELETE FROM jots WHERE id != '{keep.id}'",
        f"INSERT INTO jots SELECT '{'f' * 32}', rev, created_at, updated_at, person_id, data "
        f"FROM jots WHERE id = '{keep.id}'")
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.damage == ()  # the cheap check at unlock counts rows only
        damage = {(d.table, d.id, d.reason, d.rows) for d in store.verify()}
        assert ("jots", "-", "rows were changed outside rapport (an older revision put back, "
                             "or rows replaced)", True) in damage
        # a damaged field is not about the set of rows: accepting the rows does not settle it
        assert ("jots", "f" * 32, "failed authentication", False) in damage


def test_an_older_vault_gets_its_summary_and_cannot_be_made_to_look_older(vault_path, passphrase,
                                                                        filled):
    conn = sqlite3.connect(vault_path, isolation_level=None)
    slot = keyslot.read(conn, vault_path)
    kek, dek = slot.unlock(passphrase, allow_weak=True)
    old = slot.rewrapped(kek, dek, format=1)  # as a vault from before the row summary
    keyslot.write(conn, old, "2025-01-01T00:00:00.000000+00:00")
    conn.execute("DELETE FROM row_summary")
    conn.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.damage == () and store.verify() == []  # upgraded: summary written
    conn = sqlite3.connect(vault_path, isolation_level=None)
    assert keyslot.read(conn, vault_path).format == crypto.SLOT_FORMAT
    # made to look older again (format 1, the summary gone) without the key: it no longer opens
    conn.execute("UPDATE keyslot SET format = 1")
    conn.execute("DELETE FROM row_summary")
    conn.close()
    with pytest.raises(WrongPassphrase, match="header was changed"):
        open_vault(vault_path, passphrase, allow_weak=True)


# ---------------------------------------------------------------------------------- verify
def test_verify_on_a_damaged_page_says_one_line_per_problem(store, vault_path, passphrase):
    ann = store.add_person("Ann")
    for n in range(40):
        s = store.start_session(ann.id, PLAN)
        store.save_note(s.id, "talk", f"note {n} " * 30)
    store.close()
    conn = sqlite3.connect(vault_path, isolation_level=None)
    # the two indexes of the notes swap their pages: every entry of each is now wrong
    (a,), (b,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name IN"
                              " ('notes_session', 'notes_rev') ORDER BY name").fetchall()
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET rootpage = CASE name WHEN 'notes_rev' THEN ? ELSE ? END"
                 " WHERE name IN ('notes_session', 'notes_rev')", (b, a))
    conn.close()
    raw = sqlite3.connect(vault_path)
    sqlite_lines = raw.execute("PRAGMA integrity_check").fetchall()
    raw.close()
    assert len(sqlite_lines) > 20  # what SQLite alone says about it
    with open_vault(vault_path, passphrase, allow_weak=True) as reopened:
        damage = reopened.verify()
    assert 1 <= len(damage) <= 3, damage  # one per damaged index
    assert all("\n" not in d.reason and len(d.reason) < 300 for d in damage)
    assert {d.id for d in damage if d.table == "sqlite"} <= {"notes_session", "notes_rev"}


# ------------------------------------------------------------------------------- KDF ceiling
def set_params(path: Path, params: crypto.KdfParams) -> None:
    import json

    sql(path, f"UPDATE keyslot SET kdf = '{json.dumps(params.to_dict())}'")


@pytest.mark.parametrize("params", [
    crypto.KdfParams(memory_kib=1024 * 1024, iterations=20, lanes=4),  # the old ceiling
    crypto.KdfParams(memory_kib=512 * 1024, iterations=4, lanes=4),
    crypto.KdfParams(memory_kib=64 * 1024, iterations=17, lanes=4),
    crypto.KdfParams(memory_kib=256 * 1024, iterations=5, lanes=4),  # 5x the production cost
], ids=["1GiB-t20", "512MiB", "t17", "5x-cost"])
def test_a_header_raised_above_a_few_times_production_is_refused_before_deriving(
        store, vault_path, passphrase, params, monkeypatch):
    store.close()
    set_params(vault_path, params)
    # refused before any derivation (no clock read: a derivation fails the test by itself)
    monkeypatch.setattr(crypto, "derive_kek", lambda *a, **k: pytest.fail("derived"))
    with pytest.raises(UnsafeParameters, match="header may have been changed"):
        open_vault(vault_path, passphrase, allow_weak=True)


def test_production_cost_and_a_bit_more_are_accepted():
    crypto.PRODUCTION.check()
    crypto.KdfParams(memory_kib=128 * 1024, iterations=8, lanes=4).check()  # 4x: the ceiling
    with pytest.raises(UnsafeParameters):
        crypto.KdfParams(memory_kib=128 * 1024, iterations=9, lanes=4).check()


def test_changed_parameters_that_fail_name_the_header(store, vault_path, passphrase):
    store.close()
    set_params(vault_path, crypto.KdfParams(memory_kib=2048, iterations=1, lanes=1))
    with pytest.raises(WrongPassphrase, match=r"^wrong passphrase, or the vault's header was "
                                              r"changed$"):
        open_vault(vault_path, passphrase, allow_weak=True)


# ------------------------------------------------------------------------------- directories
def test_every_directory_made_above_the_vault_is_0700(tmp_path, passphrase):
    old = os.umask(0o022)
    try:
        vault = tmp_path / "a" / "b" / "c" / "vault.db"
        create_vault(vault, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    finally:
        os.umask(old)
    for level in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level
