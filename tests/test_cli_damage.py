"""Damage is shown, never hidden, on the command line (issue 18): rows deleted outside rapport
(with SQLite's own tools) are one warning line on stderr from every command that opens the vault,
leaving its output and exit status alone; ``rapport verify`` reports them as problems (exit 1);
``rapport verify --accept`` takes the rows as they are after a typed "yes", and the warnings stop.
Real processes on a real vault file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clitools import rapport, rapport_each
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
    """Each command, then verify --accept, then each command again: in turn in one process
    (one start-up, not 19), each run with standard streams of its own."""
    delete_an_item(home)
    given = ("--home", home, "--passphrase-file", home.parent / "pw")
    runs = rapport_each(*[((*given, *args), None) for args in COMMANDS],
                        ((*given, "verify", "--accept"), b"yes\n"),
                        *[((*given, *args), None) for args in COMMANDS])
    warned, accepted, silent = runs[:len(COMMANDS)], runs[len(COMMANDS)], runs[-len(COMMANDS):]
    assert accepted[0] == 0, accepted
    # the same rows, accepted: the same output, without the warning
    for args, (code, out, err), (silent_code, silent_out, silent_err) in zip(COMMANDS, warned,
                                                                             silent):
        assert WARNING not in silent_err, args
        assert err == WARNING + silent_err, args  # one line, once, first
        assert (code, out) == (silent_code, silent_out), args
        assert silent_code == 0, args


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


ANSWERS = [None, b"", b"no\n", b"y\n", b"yes please\n"]


def test_verify_accept_takes_nothing_without_a_typed_yes(home):
    """Each answer that is not a typed yes, then a command: in turn in one process."""
    delete_an_item(home)
    given = ("--home", home, "--passphrase-file", home.parent / "pw")
    runs = rapport_each(*[run for answer in ANSWERS
                          for run in (((*given, "verify", "--accept"), answer),
                                      ((*given, "list"), None))])
    for answer, (code, _, err), (_, _, listed) in zip(ANSWERS, runs[::2], runs[1::2]):
        assert code == 1, answer
        assert b"Type yes to accept" in err, answer
        assert err.splitlines()[-1] == b"rapport: error: nothing accepted (it takes a typed 'yes')", \
            answer
        assert listed == WARNING, answer  # still shown


def test_verify_accept_then_silence(home):
    delete_an_item(home)
    given = ("--home", home, "--passphrase-file", home.parent / "pw")
    (code, out, err), listed, verified = rapport_each(
        ((*given, "verify", "--accept"), b"yes\n"), ((*given, "list"), None),
        ((*given, "verify"), None))
    assert code == 0, err
    assert b"damaged: items: 1 of 3 items deleted outside rapport" in err  # shown first
    assert b"what went stays gone" in err
    assert out == b"accepted: the rows as they are now are the vault's rows (1 problem settled)\n"
    assert (listed[0], listed[2]) == (0, b"")
    assert verified[0] == 0 and verified[2] == b""
    assert verified[1].startswith(b"ok: ")


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
    given = ("--home", home, "--passphrase-file", home.parent / "pw")
    result, again = rapport_each(  # in turn in one process; the second: nothing left it settles
        ((*given, "verify", "--accept"), b"yes\n"), ((*given, "verify", "--accept"), b"yes\n"))
    assert result.returncode == 1
    assert result.stdout.startswith(b"accepted: ") and b"(1 problem settled)" in result.stdout
    assert b" data: failed authentication" in result.stderr
    assert result.stderr.splitlines()[-1] == b"rapport: error: 1 problem found"
    assert again.returncode == 1 and b"Type yes" not in again.stderr
    assert again.stderr.splitlines()[-1] == (
        b"rapport: error: 1 problem found; --accept settles rows deleted, added or replaced, "
        b"and none of these is")
