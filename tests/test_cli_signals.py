"""SIGTERM (``kill``) and SIGHUP (the terminal closed) in the middle of a command that writes: it
ends as Ctrl+C would, one line and 128 + the signal, and what it was writing is gone or rolled
back: no export, backup or restore copy left behind looking whole, nothing half-imported, and
the vault opens as before. Real processes, each paused at a chosen step of its work (after the
step, until the signal comes: no timing), then signalled."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from clitools import MAIN, argv, clean_env, in_terminal, rapport_each, read_until
from store import open_vault

#: The child pauses after the function ``module:attribute[.attribute]`` (its first call) runs,
#: says so on stderr and waits on its standard input (never written) for the signal.
PAUSE = """import importlib, sys
module, _, names = sys.argv.pop(1).partition(":")
owner = importlib.import_module(module)
*path, name = names.split(".")
for part in path:
    owner = getattr(owner, part)
real = getattr(owner, name)
def paused(*args, **kwargs):
    result = real(*args, **kwargs)
    setattr(owner, name, real)
    sys.stderr.write("PAUSED\\n")
    sys.stderr.flush()
    sys.stdin.buffer.read()
    return result
setattr(owner, name, paused)
"""
PAUSED = b"PAUSED\n"


@pytest.fixture
def vault(store, vault_path, passphrase, tmp_path):
    """The ``store`` fixture's vault with Ana, one session and an item, closed: (home, pw)."""
    ana = store.add_person("Ana")
    session = store.start_session(ana.id, {"id": "g", "name": "G", "stages": []}, title="First")
    store.add_item(session.id, "action", "Send notes")
    store.end_session(session.id)
    store.close()
    pw = tmp_path / "pw"
    pw.write_text(passphrase + "\n")
    return vault_path.parent, pw


def in_process(*args):
    """``rapport ARGS`` run in this process (click's CliRunner): what runs again after a signal
    (the signalled run is the real process)."""
    from click.testing import CliRunner

    from store import crypto
    from tui.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args],
                              obj={"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True})


def signalled(home, pw, where: str, *args,
              signum: int = signal.SIGTERM) -> tuple[int, bytes]:
    """Runs ``rapport ARGS`` paused after ``where``, sends ``signum`` there; its exit status and
    what it wrote on stderr after the pause."""
    proc = subprocess.Popen(argv(where, "--home", home, "--passphrase-file", pw, *args,
                                 code=PAUSE + MAIN),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=clean_env())
    assert proc.stderr is not None
    before = b""
    while not before.endswith(PAUSED):
        line = proc.stderr.readline()
        assert line, (before, proc.wait(timeout=60))
        before += line
    proc.send_signal(signum)
    after = proc.stderr.read()
    proc.stdin.close()  # type: ignore[union-attr]
    return proc.wait(timeout=60), after


def still_opens(home, passphrase: str) -> list[str]:
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        assert store.verify() == []
        return [person.name for person in store.people()]


@pytest.mark.parametrize("signum, line", [(signal.SIGTERM, b"rapport: terminated\n"),
                                          (signal.SIGHUP, b"rapport: hung up\n")])
def test_an_export_ended_by_a_signal_leaves_no_file(vault, tmp_path, passphrase, signum, line):
    """Paused once the file is written and synced, before the export is recorded: a killed
    process left the whole export there, unrecorded."""
    home, pw = vault
    target = tmp_path / "notes.md"
    ended = signalled(home, pw, "os:fsync", "export", "--all", "-o", target, signum=signum)
    assert not target.exists()
    assert ended == (128 + signum, line)
    assert still_opens(home, passphrase) == ["Ana"]
    out = in_process("--home", home, "--passphrase-file", pw, "export", "--all", "-o", target)
    assert out.exit_code == 0, out.output  # the same export runs again, to the same path


def test_a_backup_ended_by_a_signal_leaves_no_file(vault, tmp_path, passphrase):
    """Paused with the copy made but not yet verified: it must not stay, looking whole."""
    home, pw = vault
    target = tmp_path / "backup.db"
    ended = signalled(home, pw, "store.maintenance:tighten", "backup", target)
    assert sorted(tmp_path.glob("backup.db*")) == []
    assert ended == (143, b"rapport: terminated\n")
    assert still_opens(home, passphrase) == ["Ana"]


def test_a_restore_ended_by_a_signal_leaves_the_vault_and_no_copy(vault, tmp_path, passphrase):
    home, pw = vault
    backup = tmp_path / "backup.db"
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        store.backup(backup)  # as 'rapport backup' makes it (signalled itself above)
    before = sorted(path.name for path in home.iterdir())
    ended = signalled(home, pw, "store.restore:tighten", "restore", backup)
    assert sorted(path.name for path in home.iterdir()) == before  # no .restoring copy
    assert ended == (143, b"rapport: terminated\n")
    assert still_opens(home, passphrase) == ["Ana"]


def test_an_import_ended_by_a_signal_imports_nothing(vault, tmp_path, passphrase):
    """Paused inside the import's transaction, one record in."""
    home, pw = vault
    export = tmp_path / "full.json"
    other = tmp_path / "other"
    exported, made = rapport_each(  # in turn in one process: neither is signalled
        (("--home", home, "--passphrase-file", pw, "export", "--all", "--full", "--format", "json",
          "-o", export), None),
        (("--home", other, "--passphrase-file", pw, "init"), None))
    assert exported.returncode == 0, exported.stderr
    assert made.returncode == 0, made.stderr
    ended = signalled(other, pw, "store.rows:Rows.put", "import", export)
    assert still_opens(other, passphrase) == []
    assert ended == (143, b"rapport: terminated\n")
    out = in_process("--home", other, "--passphrase-file", pw, "import", export)
    assert out.exit_code == 0 and out.stdout.startswith("imported 1 person, 1 session")


@pytest.mark.parametrize("signum, line", [(signal.SIGTERM, b"rapport: terminated"),
                                          (signal.SIGHUP, b"rapport: hung up")])
def test_a_signal_at_the_new_passphrase_prompt_changes_nothing(vault, passphrase, signum, line):
    """At the hidden prompt (the terminal's echo off): one line of its own, and the old
    passphrase still opens the vault."""
    home, pw = vault
    proc, master = in_terminal(argv("--home", home, "--passphrase-file", pw, "passwd"))
    shown = read_until(master, b"New passphrase:")
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == 128 + signum
    shown += read_until(master, line)
    os.close(master)
    assert shown.endswith(b"New passphrase: \r\n" + line + b"\r\n"), shown  # a line of its own
    assert b"Traceback" not in shown
    assert still_opens(home, passphrase) == ["Ana"]
