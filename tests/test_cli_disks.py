"""Disks that refuse: a vault on a read-only disk, on a full one, in a folder its user may not
write, and a backup to a full disk. Each is one line that names the reason in a facilitator's
words (not SQLite's "unable to open database file" or "disk I/O error", nor "the vault file is
damaged" for a vault that is fine), exit 1, and the vault as it was.

Real disks: a small tmpfs, mounted for the test, needs root (skipped otherwise); the folder
without write permission needs a user that file modes apply to (skipped for root)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guides.loader import builtin_guides
from store import open_vault
from clitools import Out, rapport, rapport_each


@pytest.fixture
def vault(ana_vault):
    return ana_vault


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def disk(tmp_path):
    """A 4 MiB tmpfs of its own (root only), unmounted after the test."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    where = tmp_path / "disk"
    where.mkdir()
    if not mount("-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(where)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def moved_to(home: Path, disk: Path) -> Path:
    """The vault copied to a home folder on ``disk``."""
    there = disk / "home"
    there.mkdir(mode=0o700)
    shutil.copy2(home / "vault.db", there / "vault.db")
    return there


def fill(disk: Path, leave: int = 0) -> Path:
    """``disk`` filled up to its last ``leave`` bytes."""
    stats = os.statvfs(disk)
    size = max(stats.f_bavail * stats.f_frsize - leave, 0)
    filler = disk / "filler"
    with open(filler, "wb") as out:
        while size > 0:
            try:
                size -= out.write(b"\0" * min(size, 1 << 20))
            except OSError:
                break
    return filler


def names(home: Path, passphrase: str) -> list[str]:
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        assert store.verify() == []
        return [person.name for person in store.people()]


def one_error(out: subprocess.CompletedProcess[bytes] | Out) -> str:
    assert out.returncode == 1 and out.stdout == b"", out
    assert out.stderr.count(b"\n") == 1 and out.stderr.startswith(b"rapport: error: "), out.stderr
    return out.stderr.decode()


def test_a_vault_on_a_read_only_disk_says_so(vault, disk, passphrase):
    home, pw = vault
    there = moved_to(home, disk)
    before = (there / "vault.db").read_bytes()
    assert mount("-o", "remount,ro", str(disk))
    commands = [("list",), ("jot", "--with", "Ana", "hello")]
    runs = rapport_each(*[(("--home", there, "--passphrase-file", pw, *args), None)
                          for args in commands])  # in turn in one process
    for args, out in zip(commands, runs, strict=True):
        line = one_error(out)
        assert "its disk is read-only, and rapport writes beside the vault" in line, (args, line)
    assert (there / "vault.db").read_bytes() == before
    assert sorted(path.name for path in there.iterdir()) == ["vault.db"]


def test_a_vault_on_a_full_disk_says_so_and_opens_once_there_is_room(vault, disk, passphrase):
    home, pw = vault
    there = moved_to(home, disk)
    filler = fill(disk)
    line = one_error(rapport("--home", there, "--passphrase-file", pw, "list"))
    assert "the disk is full (free some space and try again)" in line, line
    filler.unlink()
    assert names(there, passphrase) == ["Ana"]


def test_a_backup_to_a_full_disk_says_so_and_leaves_nothing(vault, disk, passphrase):
    """The copy's disk is full, not the vault damaged (what it said)."""
    home, pw = vault
    fill(disk, leave=64 * 1024)  # room to start the copy, not to finish it
    target = disk / "backup.db"
    line = one_error(rapport("--home", home, "--passphrase-file", pw, "backup", target))
    assert f"cannot write the backup {target}: the disk is full" in line, line
    assert "damaged" not in line and "verify" not in line
    assert sorted(disk.glob("backup.db*")) == []
    assert names(home, passphrase) == ["Ana"]


def test_a_folder_its_user_may_not_write_says_so(vault, passphrase):
    if os.geteuid() == 0:
        pytest.skip("root writes whatever a folder's mode says")
    home, pw = vault
    home.chmod(0o500)
    try:
        line = one_error(rapport("--home", home, "--passphrase-file", pw, "list"))
    finally:
        home.chmod(0o700)
    assert f"you may not write in {home}" in line, line
    assert names(home, passphrase) == ["Ana"]


def test_a_restore_on_a_full_disk_says_so_and_leaves_nothing(vault, disk, tmp_path, passphrase):
    """Room for the checked copy of the backup, not for the copy of the vault it replaces: that
    was "unexpected OperationalError", with an empty VAULT.before-restore left to block the next
    restore."""
    home, pw = vault
    backup = tmp_path / "backup.db"
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        store.backup(backup)  # as 'rapport backup' makes it (a command's own test: its full disk)
    there = moved_to(home, disk)
    fill(disk, leave=(there / "vault.db").stat().st_size * 3 // 2)
    line = one_error(rapport("--home", there, "--passphrase-file", pw, "restore", backup))
    assert line == "rapport: error: cannot restore: the disk is full; the vault was not touched\n"
    assert sorted(path.name for path in there.iterdir()) == ["vault.db"]
    (disk / "filler").unlink()
    assert names(there, passphrase) == ["Ana"]


def test_init_on_a_full_disk_says_so_and_leaves_no_vault(disk, tmp_path):
    """It said "unexpected OperationalError"."""
    (tmp_path / "pw").write_text("a new passphrase\n")
    fill(disk)
    home = disk / "home"
    line = one_error(rapport("--home", home, "--passphrase-file", tmp_path / "pw", "init"))
    assert line == (f"rapport: error: cannot create {home / 'vault.db'}: the disk is full; "
                    "no vault was made\n")
    assert list(home.iterdir()) == []


def test_an_import_on_a_full_disk_says_so_once_and_imports_nothing(vault, disk, tmp_path,
                                                                   passphrase):
    """Room to open the vault, not for what the export holds: one line that says so once (it
    said "the disk is full: nothing was saved (free some space and save again); nothing was
    imported")."""
    home, pw = vault
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        ana = store.people()[0]
        plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
        for _ in range(40):  # about a megabyte of notes, on a disk of four
            session = store.start_session(ana.id, plan)
            store.save_note(session.id, "check-in", os.urandom(6000).hex())
    export = tmp_path / "full.json"
    there = disk / "home"
    exported, made = rapport_each(  # in turn in one process, before the disk is filled
        (("--home", home, "--passphrase-file", pw, "export", "--all", "--full", "--format", "json",
          "-o", export), None),
        (("--home", there, "--passphrase-file", pw, "init"), None))
    assert exported.returncode == 0, exported.stderr
    assert made.returncode == 0, made.stderr
    fill(disk, leave=64 * 1024)
    line = one_error(rapport("--home", there, "--passphrase-file", pw, "import", export))
    assert line == f"rapport: error: {export}: the disk is full: nothing was imported\n"
    assert names(there, passphrase) == []
