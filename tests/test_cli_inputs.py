"""Files a command is given are read bounded, and only when they can end: ``rapport import`` takes
a regular file; a passphrase file may also be a pipe (``<(pass show rapport)``, ``/dev/stdin``);
a device, a directory or a FIFO where a file is expected is one error line, and no input is read
past its limit + 1 bytes (real processes, with a bound on their time against hanging)."""

from __future__ import annotations

import os
import subprocess

import pytest

from clitools import argv, clean_env, rapport, rapport_each
from store.vault import open_vault
from tui.env import PASSPHRASE_LIMIT


@pytest.fixture
def vault(ana_vault):
    return ana_vault


def one_line(out, code: int = 1) -> str:
    assert out.returncode == code, out.stderr
    [line] = out.stderr.decode().splitlines()
    assert line.startswith("rapport: error: ") and out.stdout == b""
    return line


# ---------------------------------------------------------------------- rapport import FILE
def test_import_takes_only_a_regular_file(vault, tmp_path):
    """A device, a FIFO and a directory, in turn in one process (see clitools.rapport_each)."""
    home, pw = vault
    os.mkfifo(tmp_path / "fifo")  # no writer: opening it to read would wait forever
    paths = ["/dev/zero", tmp_path / "fifo", tmp_path]
    runs = rapport_each(*[(("--home", home, "--passphrase-file", pw, "import", path), None)
                          for path in paths], timeout=30)
    for path, run in zip(paths, runs, strict=True):
        assert one_line(run) == (
            f"rapport: error: the file {path} is not a regular file")


def test_import_reads_at_most_its_limit(vault, tmp_path):
    """One byte over the limit, and at it: in turn in one process."""
    home, pw = vault
    over, at = tmp_path / "over.json", tmp_path / "at.json"
    over.write_bytes(b"{" + b" " * 10)
    at.write_bytes(b"{" + b" " * 9)  # at the limit: read, and refused for what it holds
    too_big, read = rapport_each(
        *[(("--home", home, "--passphrase-file", pw, "import", path), None) for path in (over, at)],
        prelude="import store.transfer\nstore.transfer.MAX_BYTES = 10\n")
    assert one_line(too_big) == f"rapport: error: the file {over} is larger than 10 bytes"
    assert "larger than" not in one_line(read)


# ---------------------------------------------------------------------- --passphrase-file
def test_a_passphrase_file_is_a_file_or_a_pipe(vault, tmp_path):
    """A device and a directory, in turn in one process."""
    home, _ = vault
    paths = ["/dev/zero", tmp_path]
    runs = rapport_each(*[(("--home", home, "list", "--passphrase-file", path), None)
                          for path in paths], timeout=30)
    for path, run in zip(paths, runs, strict=True):
        assert one_line(run) == (
            f"rapport: error: the passphrase file {path} is not a regular file or a pipe")


def test_a_passphrase_from_a_pipe(vault, passphrase):
    """``--passphrase-file <(pass show rapport)`` or ``/dev/stdin``: a pipe is read, once."""
    home, _ = vault
    out = rapport("--home", home, "--passphrase-file", "/dev/stdin", "people",
                  input=passphrase.encode() + b"\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"NAME")


def test_an_endless_pipe_is_read_to_its_limit_and_refused(vault):
    home, _ = vault
    endless = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        out = subprocess.run(argv("--home", home, "--passphrase-file", "/dev/stdin", "list"),
                             stdin=endless.stdout, capture_output=True, env=clean_env(),
                             timeout=30)
    finally:
        endless.kill()
        endless.wait()
        endless.stdout.close()
    assert one_line(out) == (f"rapport: error: the passphrase file /dev/stdin is larger than "
                             f"{PASSPHRASE_LIMIT} bytes")


def test_a_passphrase_file_above_the_limit_is_refused(vault, tmp_path, passphrase):
    home, _ = vault
    big = tmp_path / "big"
    big.write_text(passphrase + "\n" + "x" * PASSPHRASE_LIMIT)
    out = rapport("--home", home, "--passphrase-file", big, "list")
    assert one_line(out) == (f"rapport: error: the passphrase file {big} is larger than "
                             f"{PASSPHRASE_LIMIT} bytes")


def test_the_age_passphrase_file_is_bounded_too(vault, tmp_path):
    home, pw = vault
    target = tmp_path / "out.age"
    out = rapport("--home", home, "--passphrase-file", pw, "export", "--all", "--full",
                  "--format", "json", "--encrypt", "-o", target, "--age-passphrase-file",
                  "/dev/zero", timeout=30)
    assert one_line(out) == ("rapport: error: the passphrase file /dev/zero is not a regular "
                             "file or a pipe")
    assert not target.exists()


# ---------------------------------------------------------------------- jot from stdin
def test_a_jot_from_an_endless_stdin_is_refused_and_nothing_saved(vault, passphrase):
    home, pw = vault
    endless = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        out = subprocess.run(argv("--home", home, "--passphrase-file", pw, "jot", "--with",
                                  "Ana"), stdin=endless.stdout, capture_output=True,
                             env=clean_env(), timeout=30)
    finally:
        endless.kill()
        endless.wait()
        endless.stdout.close()
    assert one_line(out) == "rapport: error: the jot on standard input is larger than 1048576 bytes"
    with open_vault(home / "vault.db", passphrase, allow_weak=True) as store:
        assert store.jots() == []
