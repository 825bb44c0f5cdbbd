"""The vault commands end to end through click: init, verify, passwd, rotate-key, backup, locate."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from clitools import rapport_each
from store import crypto
from store.vault import open_vault
from tui.cli import cli

FAST = {"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True}


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "pw"
    path.write_text("first passphrase\n")
    return path


def run(home, *args, pw=None, input=None, env=None):
    argv = ["--home", str(home)]
    if pw is not None:
        argv += ["--passphrase-file", str(pw)]
    result = CliRunner().invoke(cli, argv + list(args), obj=dict(FAST), input=input,
                                env=env, catch_exceptions=False)
    return result


def one_line_error(result, code=1):
    assert result.exit_code == code, result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("rapport: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_init_verify_passwd_rotate_backup_locate(home, pwfile, tmp_path):
    assert run(home, "init", pw=pwfile).exit_code == 0
    vault = home / "vault.db"
    assert stat.S_IMODE(vault.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    with open_vault(vault, "first passphrase", allow_weak=True) as store:
        person = store.add_person("Ada")
        session = store.start_session(person.id, {"id": "g", "name": "G", "stages": []})
        store.save_note(session.id, "s", "hello")

    result = run(home, "verify", pw=pwfile)
    assert result.exit_code == 0 and "ok" in result.output

    newpw = tmp_path / "new"
    newpw.write_text("second passphrase")
    result = run(home, "passwd", "--new-passphrase-file", str(newpw), pw=pwfile)
    assert result.exit_code == 0, result.output
    one_line_error(run(home, "verify", pw=pwfile))
    assert run(home, "verify", pw=newpw).exit_code == 0

    result = run(home, "rotate-key", pw=newpw)
    assert result.exit_code == 0 and "re-encrypted" in result.output

    target = tmp_path / "copy.db"
    result = run(home, "backup", str(target), pw=newpw)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with open_vault(target, "second passphrase", allow_weak=True) as copy:
        assert [n.text for n in copy.notes(session.id)] == ["hello"]
    before = target.read_bytes()
    one_line_error(run(home, "backup", str(target), pw=newpw))
    assert target.read_bytes() == before
    folder = tmp_path / "backups"  # a folder: a dated file inside it, once
    folder.mkdir()
    assert run(home, "backup", str(folder), pw=newpw).exit_code == 0
    [inside] = folder.iterdir()
    assert inside.name.startswith("rapport-backup-") and inside.suffix == ".db"
    assert stat.S_IMODE(inside.stat().st_mode) == 0o600
    with open_vault(inside, "second passphrase", allow_weak=True) as copy:
        assert [n.text for n in copy.notes(session.id)] == ["hello"]
    one_line_error(run(home, "backup", str(folder), pw=newpw))
    assert list(folder.iterdir()) == [inside]

    result = run(home, "locate")
    assert str(vault) in result.output and "config.toml" in result.output


def test_bad_input_gets_one_line_and_changes_nothing(home, pwfile, tmp_path):
    one_line_error(run(home, "verify", pw=pwfile))  # no vault yet
    assert not home.exists() or not (home / "vault.db").exists()
    assert run(home, "init", pw=pwfile).exit_code == 0
    vault = home / "vault.db"
    before = vault.read_bytes()

    wrong = tmp_path / "wrong"
    wrong.write_text("First passphrase")
    assert "wrong passphrase" in one_line_error(run(home, "verify", pw=wrong))
    one_line_error(run(home, "init", pw=pwfile))  # never over an existing vault
    one_line_error(run(home, "verify", pw=tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.write_text("")
    one_line_error(run(home, "verify", pw=empty))
    one_line_error(run(home, "backup", str(tmp_path / "nodir" / "x.db"), pw=pwfile))
    one_line_error(run(home, "new", "--guide", "no-such-guide", "--with", "Ada"))
    assert vault.read_bytes() == before

    other = tmp_path / "other"
    other.mkdir()
    (other / "vault.db").write_bytes(b"just some text, not a vault" * 10)
    garbage = (other / "vault.db").read_bytes()
    assert "not a Rapport vault" in one_line_error(run(other, "verify", pw=pwfile))
    assert (other / "vault.db").read_bytes() == garbage


def test_passphrase_from_environment(home, pwfile):
    assert run(home, "init", pw=pwfile).exit_code == 0
    result = run(home, "verify", env={"RAPPORT_PASSPHRASE": "first passphrase"})
    assert result.exit_code == 0, result.output
    result = run(home, "verify", env={"RAPPORT_PASSPHRASE_FILE": str(pwfile)})
    assert result.exit_code == 0, result.output


def test_usage_errors_exit_2(home):
    result = run(home, "backup")
    assert result.exit_code == 2


def test_real_process_version_help_and_error(tmp_path):
    """--version, each command's --help and an error, in turn in one real process
    (clitools.rapport_each: each run with its own streams and status)."""
    commands = ("init", "passwd", "rotate-key", "verify", "backup", "locate", "new", "guides")
    version, *helps, error = rapport_each(
        (("--version",), None), *[((command, "--help"), None) for command in commands],
        (("verify",), None), env={"RAPPORT_HOME": str(tmp_path / "h")})
    assert version[0] == 0 and b"rapport" in version[1]
    for command, (code, out, _) in zip(commands, helps, strict=True):
        assert code == 0 and b"Usage" in out, command
    code, _, err = error
    assert code == 1
    assert err.startswith(b"rapport: error: ") and err.count(b"\n") == 1
    assert b"Traceback" not in err


def test_a_closed_reader_ends_a_command_quietly(tmp_path):
    """``rapport guides list | head -1``: the reader leaves before the output is written. The
    command stops with 141 (128 + SIGPIPE) and no message, not an error about a broken pipe."""
    exe = [sys.executable, "-c", "from tui.cli import main; main()"]
    env = {**os.environ, "RAPPORT_HOME": str(tmp_path / "h")}
    proc = subprocess.Popen(exe + ["guides", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait() == 141 and err == b""
    # read to the end, the same command prints everything and exits 0 (its output is flushed
    # before the process leaves without tearing the interpreter down)
    out = subprocess.run(exe + ["guides", "list"], capture_output=True, env=env)
    assert out.returncode == 0 and out.stderr == b""
    assert out.stdout.count(b"\n") >= 3 and out.stdout.endswith(b"\n")
