"""Damage is shown, never hidden, on the command line (issue 18): rows deleted outside rapport
(with SQLite's own tools) are one warning line on stderr from every command that opens the vault,
leaving its output and exit status alone; ``rapport verify`` reports them as problems (exit 1);
``rapport verify --accept`` takes the rows as they are after a typed "yes", and the warnings stop.
Real processes on a real vault file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clitools import rapport
from store import crypto
from store.vault import create_vault

PASSPHRASE = "damage test passphrase"
WARNING = (b"rapport: warning: items: 1 of 3 items deleted outside rapport; "
           b"run 'rapport verify'\n")
PLAN = {"id": "g", "name": "G", "stages": [{"key": "talk", "title": "Talk"}]}


def sql(path: Path, *statements: str) -> None:
    """What anyone with the file and any SQLite tool can do."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def home(tmp_path) -> Path:
    """A vault with Ann, one session and three items in it."""
    home = tmp_path / "home"
    with create_vault(home / "vault.db", PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                      allow_weak=True) as store:
        ann = store.add_person("Ann")
        session = store.start_session(ann.id, PLAN, title="Weekly")
        for text in ("send the draft", "book the room", "ask about on-call"):
            store.add_item(session.id, "action", text, owner="them")
        store.end_session(session.id)
    (tmp_path / "pw").write_text(PASSPHRASE + "\n")
    return home


def run(home: Path, *args: str, input: bytes | None = None):
    return rapport("--home", home, "--passphrase-file", home.parent / "pw", *args, input=input)


def delete_an_item(home: Path) -> None:
    sql(home / "vault.db", "DELETE FROM items WHERE rowid = (SELECT min(rowid) FROM items)")


COMMANDS = [("list",), ("list", "--json"), ("people",), ("items",), ("items", "--json"),
            ("search", "room"), ("due",), ("schedule",), ("programme", "list")]


def test_every_command_warns_once_and_changes_neither_output_nor_status(home):
    delete_an_item(home)
    warned = {args: run(home, *args) for args in COMMANDS}
    assert run(home, "verify", "--accept", input=b"yes\n").returncode == 0
    for args in COMMANDS:  # the same rows, accepted: the same output, without the warning
        silent = run(home, *args)
        assert WARNING not in silent.stderr, args
        assert warned[args].stderr == WARNING + silent.stderr, args  # one line, once, first
        assert (warned[args].returncode, warned[args].stdout) == (silent.returncode,
                                                                  silent.stdout), args
        assert silent.returncode == 0, args


def test_the_warning_is_said_once_however_often_a_command_opens_the_vault(home, capsys):
    from tui.env import Env

    delete_an_item(home)
    env = Env(home=home, passphrase_file=home.parent / "pw", allow_weak=True)
    for _ in range(2):
        env.open_store().close()
    assert capsys.readouterr().err.encode() == WARNING


def test_verify_reports_deleted_rows_as_a_problem(home):
    delete_an_item(home)
    result = run(home, "verify")
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.splitlines() == [
        b"damaged: items: 1 of 3 items deleted outside rapport",
        b"rapport: error: 1 problem found; 'rapport verify --accept' takes the rows as they "
        b"are, if you know why they changed",
    ]


@pytest.mark.parametrize("answer", [None, b"", b"no\n", b"y\n", b"yes please\n"])
def test_verify_accept_takes_nothing_without_a_typed_yes(home, answer):
    delete_an_item(home)
    result = run(home, "verify", "--accept", input=answer)
    assert result.returncode == 1
    assert b"Type yes to accept" in result.stderr
    assert result.stderr.splitlines()[-1] == b"rapport: error: nothing accepted (it takes a typed 'yes')"
    assert run(home, "list").stderr == WARNING  # still shown


def test_verify_accept_then_silence(home):
    delete_an_item(home)
    result = run(home, "verify", "--accept", input=b"yes\n")
    assert result.returncode == 0, result.stderr
    assert b"damaged: items: 1 of 3 items deleted outside rapport" in result.stderr  # shown first
    assert b"what went stays gone" in result.stderr
    assert result.stdout == (b"accepted: the rows as they are now are the vault's rows "
                             b"(1 problem settled)\n")
    listed = run(home, "list")
    assert (listed.returncode, listed.stderr) == (0, b"")
    verified = run(home, "verify")
    assert verified.returncode == 0 and verified.stderr == b""
    assert verified.stdout.startswith(b"ok: ")


def flip_an_items_ciphertext(home: Path) -> None:
    conn = sqlite3.connect(home / "vault.db", isolation_level=None)
    try:
        rowid, data = conn.execute("SELECT rowid, data FROM items ORDER BY rowid DESC").fetchone()
        conn.execute("UPDATE items SET data = ? WHERE rowid = ?",
                     (data[:-1] + bytes([data[-1] ^ 1]), rowid))
    finally:
        conn.close()


def test_verify_accept_settles_the_rows_and_not_a_damaged_field(home):
    delete_an_item(home)
    flip_an_items_ciphertext(home)
    result = run(home, "verify", "--accept", input=b"yes\n")
    assert result.returncode == 1
    assert result.stdout.startswith(b"accepted: ") and b"(1 problem settled)" in result.stdout
    assert b" data: failed authentication" in result.stderr
    assert result.stderr.splitlines()[-1] == b"rapport: error: 1 problem found"
    again = run(home, "verify", "--accept", input=b"yes\n")  # nothing left that it settles
    assert again.returncode == 1 and b"Type yes" not in again.stderr
    assert again.stderr.splitlines()[-1] == (
        b"rapport: error: 1 problem found; --accept settles rows deleted, added or replaced, "
        b"and none of these is")
