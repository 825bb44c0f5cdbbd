"""The vault on disk: one writer at a time, file modes whatever the umask, anything that is not a
vault refused untouched, never created over an existing path, damaged files met with clean errors."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from store import crypto
from store.errors import (
    Damaged, NotAVault, RapportError, VaultBusy, VaultExists, VaultMissing, WrongPassphrase,
)
from store.files import NotRegularFile, read_regular
from store.vault import create_vault, open_vault, probe

CHILD = Path(__file__).with_name("crash_child.py")
PLAN = {"id": "one-on-one", "name": "1-on-1", "stages": [{"key": "topics", "minutes": 20}]}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(directory: Path) -> dict[str, bytes | None]:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------------------------- one writer
def test_second_open_in_the_same_process_is_refused(store, vault_path, passphrase):
    person = store.add_person("Busy")
    with pytest.raises(VaultBusy) as err:
        open_vault(vault_path, passphrase, allow_weak=True)
    assert "already open" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(VaultBusy):
        open_vault(vault_path, "even a wrong passphrase", allow_weak=True)
    with pytest.raises(VaultBusy):
        probe(vault_path)
    # the refused attempt did not disturb the first instance
    session = store.start_session(person.id, PLAN)
    assert store.save_note(session.id, "topics", "still mine").rev == 1
    store.close()
    probe(vault_path)  # free again
    with open_vault(vault_path, passphrase, allow_weak=True) as again:
        assert again.notes(session.id)[0].text == "still mine"


def test_second_instance_in_another_process_is_refused(store, vault_path, passphrase):
    proc = subprocess.Popen([sys.executable, str(CHILD), "busy", str(vault_path), passphrase],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "open VaultBusy"
        assert proc.stdout.readline().strip() == "probe VaultBusy"
        store.close()
        out, err = proc.communicate("go\n", timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert out.strip() == "open-again ok", err[-2000:]
    assert proc.returncode == 0


def test_a_process_killed_while_holding_the_vault_does_not_lock_it_out(vault_path, passphrase):
    create_vault(vault_path, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    proc = subprocess.Popen([sys.executable, str(CHILD), "busy", str(vault_path), passphrase],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open ok"
    proc.kill()
    proc.communicate(timeout=30)
    probe(vault_path)
    open_vault(vault_path, passphrase, allow_weak=True).close()


# ---------------------------------------------------------------------------------- file modes
@pytest.mark.parametrize("umask", [0o022, 0o000, 0o077], ids=["022", "000", "077"])
def test_file_modes_whatever_the_umask(tmp_path, passphrase, umask):
    old = os.umask(umask)
    try:
        home = tmp_path / "home"
        vault = home / "vault.db"
        store = create_vault(vault, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
        try:
            person = store.add_person("Modes")
            session = store.start_session(person.id, PLAN)
            store.save_note(session.id, "topics", "x" * 5000)
            companions = [vault, Path(f"{vault}-wal"), Path(f"{vault}-shm")]
            assert {p: mode(p) for p in companions} == {p: 0o600 for p in companions}
            assert mode(home) == 0o700
            store.backup(tmp_path / "backup.db")
            assert mode(tmp_path / "backup.db") == 0o600
            store.change_passphrase("another passphrase")
            store.rotate_key("another passphrase")
            assert {p: mode(p) for p in companions if p.exists()} == {p: 0o600 for p in companions}
        finally:
            store.close()
        assert sorted(p.name for p in home.iterdir()) == ["vault.db"]  # no lock file at all
        assert mode(vault) == 0o600 and mode(home) == 0o700
        # loosened by hand: tightened again on the next unlock
        os.chmod(vault, 0o644)
        with open_vault(vault, "another passphrase", allow_weak=True):
            assert mode(vault) == 0o600
            assert mode(Path(f"{vault}-wal")) == 0o600
    finally:
        os.umask(old)


def test_existing_home_directory_is_tightened(tmp_path, passphrase):
    home = tmp_path / "shared"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    create_vault(home / "vault.db", passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    assert mode(home) == 0o700


# ---------------------------------------------------------------------------------- not a vault
def make_vault_bytes(tmp_path: Path, passphrase: str) -> bytes:
    path = tmp_path / "source" / "vault.db"
    with create_vault(path, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True) as store:
        store.add_person("Source")
    return path.read_bytes()


def sqlite_file(path: Path, *, wal: bool = False, application_id: int | None = None) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    if application_id is not None:
        conn.execute(f"PRAGMA application_id={application_id}")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('precious plaintext')")
    conn.commit()
    conn.close()


NOT_A_VAULT = ["empty", "garbage", "magic-then-garbage", "plain-sqlite", "plain-sqlite-wal",
               "rapport-id-no-keyslot", "directory", "truncated-50", "truncated-100",
               "truncated-page", "text-file"]
PASS_THE_HEADER = {"rapport-id-no-keyslot", "truncated-100", "truncated-page"}


@pytest.mark.parametrize("kind", NOT_A_VAULT)
def test_not_a_vault_is_refused_and_left_untouched(tmp_path, passphrase, kind):
    vault_bytes = make_vault_bytes(tmp_path, passphrase)
    home = tmp_path / "home"
    home.mkdir()
    path = home / "vault.db"
    rng = random.Random(kind)
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(rng.randbytes(8192))
    elif kind == "magic-then-garbage":
        path.write_bytes(b"SQLite format 3\x00" + rng.randbytes(8192))
    elif kind == "plain-sqlite":
        sqlite_file(path)
    elif kind == "plain-sqlite-wal":
        sqlite_file(path, wal=True)
    elif kind == "rapport-id-no-keyslot":
        sqlite_file(path, application_id=0x52415050)
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_text("keep me")
    elif kind.startswith("truncated"):
        size = {"truncated-50": 50, "truncated-100": 100, "truncated-page": 4096}[kind]
        path.write_bytes(vault_bytes[:size])
    elif kind == "text-file":
        path.write_text("my notes, in the clear\n" * 100)
    before = snapshot(home)
    inside = snapshot(path) if path.is_dir() else None

    with pytest.raises(NotAVault) as err:
        open_vault(path, passphrase, allow_weak=True)
    message = str(err.value)
    assert message and "\n" not in message and "Traceback" not in message
    if kind not in PASS_THE_HEADER:  # probe() reads the header only
        with pytest.raises(NotAVault):
            probe(path)
    with pytest.raises(VaultExists):
        create_vault(path, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True)

    assert snapshot(home) == before  # byte-identical: no lock file, no -wal, no -shm
    if inside is not None:
        assert snapshot(path) == inside


def test_missing_vault_is_reported_and_nothing_is_created(tmp_path, passphrase):
    path = tmp_path / "nowhere" / "vault.db"
    with pytest.raises(VaultMissing) as err:
        open_vault(path, passphrase, allow_weak=True)
    assert "\n" not in str(err.value)
    with pytest.raises(VaultMissing):
        probe(path)
    assert not path.parent.exists()


@pytest.mark.parametrize("kind", ["vault", "empty", "text", "directory", "dangling-symlink"])
def test_create_never_overwrites(tmp_path, passphrase, kind):
    home = tmp_path / "home"
    home.mkdir()
    path = home / "vault.db"
    if kind == "vault":
        path.write_bytes(make_vault_bytes(tmp_path, passphrase))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("not yours")
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to(home / "target.db")
    before = snapshot(home)
    with pytest.raises(VaultExists) as err:
        create_vault(path, "a different passphrase", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
    assert "\n" not in str(err.value)
    assert snapshot(home) == before
    assert not (home / "target.db").exists()
    if kind == "vault":
        with pytest.raises(WrongPassphrase):
            open_vault(path, "a different passphrase", allow_weak=True)
        open_vault(path, passphrase, allow_weak=True).close()


# ---------------------------------------------------------------------------------- damaged files
def test_corrupted_file_never_crashes_and_never_silently_changes(tmp_path, passphrase, clock):
    """Seeded single-bit flips all over a small vault (a third of them in the schema page):
    every outcome is a RapportError or a store whose verify() returns a list; when verify()
    finds nothing and the reads succeed, they return exactly what was written."""
    source = tmp_path / "source" / "vault.db"
    with create_vault(source, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True,
                      clock=clock) as store:
        person = store.add_person("Corrupt Me")
        session = store.start_session(person.id, PLAN, title="t")
        for i in range(3):
            clock.advance(1)
            store.save_note(session.id, f"s{i}", f"note {i} " * 40)
        store.add_item(session.id, "action", "act", due="2025-05-01")
        store.add_jot(person.id, "jot")
        store.end_session(session.id)

        def read_all(s):
            return (s.people(), s.sessions(), s.notes(session.id), s.items(), s.jots(),
                    s.summaries())

        original = read_all(store)
    data = source.read_bytes()
    rng = random.Random(99)
    target = tmp_path / "target" / "vault.db"
    outcomes: dict[str, int] = {}
    for n in range(300):
        flipped = bytearray(data)
        pos = rng.randrange(4096) if n % 3 == 0 else rng.randrange(len(data))
        flipped[pos] ^= 1 << rng.randrange(8)
        shutil.rmtree(target.parent, ignore_errors=True)
        target.parent.mkdir()
        target.write_bytes(bytes(flipped))
        try:
            store = open_vault(target, passphrase, allow_weak=True)
        except RapportError as exc:
            assert "\n" not in str(exc)
            outcome = type(exc).__name__
        else:
            try:
                damage = store.verify()
                assert isinstance(damage, list)
                try:
                    content = read_all(store)
                except RapportError:
                    outcome = "read refused"
                else:
                    if not damage:
                        assert content == original, f"silent change from a flip at byte {pos}"
                    outcome = "damage reported" if damage else "no effect"
            finally:
                store.close()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes.get("no effect", 0) < 300 and len(outcomes) >= 3, outcomes


def _garble_people_data(data: bytes) -> bytes:
    at = data.index(b"data BLOB", data.index(b"CREATE TABLE people ("))
    return data[:at] + b"dat\xff" + data[at + 4:]


def test_garbled_schema_gives_a_clean_error(tmp_path, passphrase):
    """Schema text that no longer decodes, or names other columns: a one-line Damaged/NotAVault
    at unlock, or (when only a record table is hit) damage reported by verify() and reads refused."""
    data = make_vault_bytes(tmp_path, passphrase)
    cases = {
        "keyslot-column": data.replace(b"salt BLOB NOT NULL", b"salz BLOB NOT NULL", 1),
        "migrations-column": data.replace(b'"applied_at" TEXT', b'"applied_xx" TEXT', 1),
        "migrations-syntax": data.replace(b'"applied_at" TEXT', b'"applied_at* TEXT', 1),
        # the sealed column's name, which no index names (garbling ``id`` would break the
        # (id, rev) index over it, and with it the whole schema)
        "people-undecodable": _garble_people_data(data),
    }
    for name, garbled in cases.items():
        assert garbled != data and len(garbled) == len(data), name
        path = tmp_path / name / "vault.db"
        path.parent.mkdir()
        path.write_bytes(garbled)
        try:
            store = open_vault(path, passphrase, allow_weak=True)
        except (Damaged, NotAVault) as exc:
            assert "\n" not in str(exc), name
            assert not name.startswith("people"), f"{name}: {exc}"
        else:
            with store:
                if name == "migrations-column":
                    # only the applied names are read on unlock (not sqlite-utils' own check of
                    # its table), and they are intact: the vault opens and reads
                    assert store.verify() == [] and [p.name for p in store.people()] == ["Source"]
                    continue
                assert name.startswith("people"), name
                damage = store.verify()
                assert [(d.table, d.id) for d in damage] == [("people", "-")]
                assert "\n" not in damage[0].reason
                with pytest.raises(Damaged):
                    store.people()
                assert store.sessions() == []  # the rest still reads
        assert sorted(p.name for p in path.parent.iterdir()) == ["vault.db"], name
        assert path.read_bytes() == garbled, name


def test_migration_names_known_without_sqlite_utils():
    # open_vault decides whether to migrate from migrations.NAMES (so it need not import
    # sqlite-utils on every unlock): it must name exactly what build() registers.
    from store import migrations

    assert tuple(m.name for m in migrations.build()._migrations) == migrations.NAMES


def test_read_regular_reads_files_only_and_never_waits(tmp_path):
    """What Rapport reads before it knows better (the vault's header, the settings) comes
    through read_regular: a FIFO, a device, a directory are refused unread, at once."""
    path = tmp_path / "file"
    path.write_bytes(b"0123456789")
    assert read_regular(path, 4) == b"0123"
    assert read_regular(path, 100) == b"0123456789"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFile, match="not a regular file"):
        read_regular(tmp_path / "fifo", 100)  # a blocking open would wait here for a writer
    with pytest.raises(NotRegularFile):
        read_regular("/dev/null", 100)
    with pytest.raises(IsADirectoryError):
        read_regular(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 100)
    reader, writer = os.pipe()  # a pipe is read only when asked for (a passphrase file)
    os.write(writer, b"from a pipe")
    os.close(writer)
    try:
        with pytest.raises(NotRegularFile, match="not a regular file"):
            read_regular(f"/dev/fd/{reader}", 100)
        assert read_regular(f"/dev/fd/{reader}", 100, pipe_ok=True) == b"from a pipe"
    finally:
        os.close(reader)


def test_a_fifo_in_the_vaults_place_is_not_a_vault(tmp_path):
    vault = tmp_path / "vault.db"
    os.mkfifo(vault)
    for attempt in (lambda: probe(vault), lambda: open_vault(vault, "passphrase"),
                    lambda: create_vault(vault, "passphrase", kdf=crypto.FAST_FOR_TESTS,
                                         allow_weak=True)):
        with pytest.raises(RapportError):
            attempt()
    assert stat.S_ISFIFO(os.lstat(vault).st_mode)
