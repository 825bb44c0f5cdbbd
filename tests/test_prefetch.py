"""Deriving the key while a command starts (store.prefetch, tui.cli.start_key_prefetch): the key
is used only for the same vault, passphrase, salt and parameters; the prefetch writes nothing and
never reads a passphrase the command itself must read."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from store import crypto
from store.errors import WrongPassphrase
from store.prefetch import KeyPrefetch, read_slot
from store.vault import open_vault
from tui.cli import start_key_prefetch


@pytest.fixture
def closed(store, vault_path):
    store.add_person("Ana")
    store.close()
    return vault_path


@pytest.fixture
def derivations(monkeypatch):
    """Every real Argon2id derivation made (the real function runs; it is only counted)."""
    made: list[bytes] = []
    real = crypto.derive_kek

    def counted(*args, **kwargs):
        made.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto, "derive_kek", counted)
    return made


def prefetched(path, passphrase):
    return KeyPrefetch(path, passphrase, allow_weak=True).start()


def test_the_prefetched_key_is_the_key_and_opens_the_vault(closed, passphrase, derivations):
    salt, params = read_slot(closed)
    prefetch = prefetched(closed, passphrase)
    with open_vault(closed, passphrase, allow_weak=True, prefetch=prefetch) as store:
        assert [p.name for p in store.people()] == ["Ana"]
    assert derivations == [salt]  # the prefetch's, none in open_vault
    again = prefetched(closed, passphrase)
    key = again.take(closed, passphrase, salt, params)
    assert key == crypto.derive_kek(passphrase, salt, params, allow_weak=True)
    assert again.take(closed, passphrase, salt, params) is None  # once


def test_a_key_for_another_passphrase_is_never_used(closed, passphrase, derivations):
    with pytest.raises(WrongPassphrase):
        open_vault(closed, "not it", allow_weak=True, prefetch=prefetched(closed, passphrase))
    with open_vault(closed, passphrase, allow_weak=True,
                    prefetch=prefetched(closed, "not it")) as store:
        assert store.people()
    assert len(derivations) == 4  # each open derived again for its own passphrase


def test_passphrases_compare_as_they_derive(closed, passphrase, tmp_path):
    """NFC-equal passphrases derive the same key, so the prefetched one serves both."""
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    with open_vault(closed, passphrase, allow_weak=True) as store:
        store.change_passphrase(composed, kdf=crypto.FAST_FOR_TESTS)
    salt, params = read_slot(closed)
    assert prefetched(closed, composed).take(closed, decomposed, salt, params) is not None
    assert prefetched(closed, composed).take(tmp_path / "other.db", composed, salt, params) is None


def test_a_slot_changed_since_is_derived_again(closed, passphrase, derivations):
    stale = prefetched(closed, passphrase)
    with open_vault(closed, passphrase, allow_weak=True) as store:
        store.change_passphrase("the new one", kdf=crypto.FAST_FOR_TESTS)  # a new salt
    made = len(derivations)
    with pytest.raises(WrongPassphrase):
        open_vault(closed, passphrase, allow_weak=True, prefetch=stale)
    assert len(derivations) == made + 1
    with open_vault(closed, "the new one", allow_weak=True,
                    prefetch=prefetched(closed, "the new one")) as store:
        assert store.people()


def test_a_prefetch_writes_nothing_and_takes_no_lock(closed, passphrase):
    home = closed.parent
    before = {p.name: (p.stat().st_mode, p.read_bytes()) for p in home.iterdir()}
    prefetch = prefetched(closed, passphrase)
    salt, params = read_slot(closed)
    assert prefetch.take(closed, passphrase, salt, params) is not None
    assert {p.name: (p.stat().st_mode, p.read_bytes()) for p in home.iterdir()} == before
    with open_vault(closed, passphrase, allow_weak=True) as store:  # held open: the lock taken
        assert prefetched(closed, passphrase).take(closed, passphrase, salt, params) is not None
        assert store.people()


@pytest.mark.parametrize("damage", ["missing", "not a vault", "above the ceiling", "weak"])
def test_a_bad_vault_gets_no_prefetch_and_no_derivation(closed, passphrase, derivations, damage):
    params = crypto.FAST_FOR_TESTS
    if damage == "missing":
        closed.unlink()
    elif damage == "not a vault":
        closed.write_bytes(b"garbage" * 100)
    else:
        params = crypto.KdfParams(memory_kib=4 * 1024 * 1024) if damage == "above the ceiling" \
            else crypto.FAST_FOR_TESTS
        conn = sqlite3.connect(closed, isolation_level=None)
        conn.execute("UPDATE keyslot SET kdf = ?", (json.dumps(params.to_dict()),))
        conn.close()
    prefetch = KeyPrefetch(closed, passphrase, allow_weak=(damage == "above the ceiling")).start()
    assert prefetch.take(closed, passphrase, b"", params) is None
    assert derivations == []


@pytest.mark.parametrize("name", ["100% sure", "what?", "#1 room", "ça va", "a b/../c"])
def test_the_slot_is_read_whatever_the_directory_is_called(store, passphrase, tmp_path, name,
                                                           derivations):
    """read_slot opens the vault through an SQLite URI: %, ? and # in a directory name are
    escaped, so it reads this vault (and no other file) and the key opens it."""
    store.close()
    home = tmp_path / name
    home.mkdir(parents=True)
    moved = home / "vault.db"
    os.replace(store.path, moved)
    assert read_slot(moved)[1] == crypto.FAST_FOR_TESTS
    prefetch = prefetched(moved, passphrase)
    assert prefetch.path == os.path.abspath(moved)
    with open_vault(moved, passphrase, allow_weak=True, prefetch=prefetch):
        pass
    assert len(derivations) == 1  # the prefetched key was the one used


def test_the_key_starts_before_dataclasses_and_pathlib_are_imported(tmp_path):
    """What runs before the derivation starts runs on one core while the other is idle: the
    entry point and the prefetch import neither (they cost a command ~10 ms)."""
    code = ("import sys, tui.cli, store.prefetch, store.paths\n"
            f"store.paths.vault_file({str(tmp_path)!r})\n"
            "print(sorted({'dataclasses', 'pathlib', 'click', 'sqlite_utils'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ------------------------------------------------------------------ the command line's side
@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    for name in ("RAPPORT_HOME", "RAPPORT_PASSPHRASE_FILE", "RAPPORT_PASSPHRASE", "_RAPPORT_COMPLETE"):
        monkeypatch.delenv(name, raising=False)
    pw = tmp_path / "pw"
    pw.write_text("the passphrase\n")
    return monkeypatch, pw


@pytest.mark.parametrize("command", ["jot", "search", "export", "list", "people", "show"])
def test_unlocking_commands_get_a_prefetch(cli_env, tmp_path, command):
    _, pw = cli_env
    prefetch = start_key_prefetch(["--home", str(tmp_path), f"--passphrase-file={pw}", command, "x"])
    assert prefetch is not None and prefetch.path == str(tmp_path / "vault.db")
    assert prefetch.take(prefetch.path, "the passphrase", b"", crypto.PRODUCTION) is None  # no vault


def test_help_after_a_double_dash_is_text_and_the_key_is_derived(cli_env, tmp_path):
    _, pw = cli_env
    args = ["--home", str(tmp_path), f"--passphrase-file={pw}", "jot", "--with", "Ana", "--",
            "--help"]
    assert start_key_prefetch(args) is not None


@pytest.mark.parametrize("args", [
    [], ["init"], ["passwd"], ["guides", "list"], ["--help"], ["--version"], ["jot", "--help"],
    ["search", "-h", "x"], ["export", "--all", "--help"], ["--home"], ["--hom", "x", "jot"],
    ["--", "jot"],
])
def test_other_command_lines_get_none(cli_env, tmp_path, args):
    _, pw = cli_env
    assert start_key_prefetch(["--passphrase-file", str(pw)] + args) is None


def test_where_the_passphrase_comes_from(cli_env, tmp_path):
    monkeypatch, pw = cli_env
    assert start_key_prefetch(["--home", str(tmp_path), "jot"]) is None  # it would be asked for
    monkeypatch.setenv("RAPPORT_PASSPHRASE_FILE", str(pw))
    assert start_key_prefetch(["--home", str(tmp_path), "jot"]) is not None
    monkeypatch.delenv("RAPPORT_PASSPHRASE_FILE")
    monkeypatch.setenv("RAPPORT_PASSPHRASE", "from the environment")
    assert start_key_prefetch(["--home", str(tmp_path), "jot"]) is not None
    for unreadable in (tmp_path / "missing", tmp_path):  # left to the command to report
        assert start_key_prefetch(["--passphrase-file", str(unreadable), "jot"]) is None
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # a pipe is read once, by the command: never here (this would block)
    assert start_key_prefetch(["--passphrase-file", str(fifo), "jot"]) is None


@pytest.mark.slow
def test_jot_through_the_entry_point_on_production_parameters(store, vault_path, passphrase, tmp_path):
    """The real entry point, real Argon2id: the prefetched key opens the vault; a wrong
    passphrase is one line, as before."""
    store.add_person("Ana")
    store.change_passphrase("a production passphrase", kdf=crypto.PRODUCTION)
    store.close()
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    right.write_text("a production passphrase\n")
    wrong.write_text("not it\n")
    code = ("import sys, store.prefetch as p\n"
            "take = p.KeyPrefetch.take\n"
            "def told(self, *a):\n"
            "    key = take(self, *a)\n"
            "    print('prefetched' if key else 'derived again', file=sys.stderr)\n"
            "    return key\n"
            "p.KeyPrefetch.take = told\n"
            "from tui.cli import main\n"
            "main(sys.argv[1:])\n")

    def jot(pw):
        return subprocess.run([sys.executable, "-c", code, "--home", str(vault_path.parent),
                               "--passphrase-file", str(pw), "jot", "--with", "Ana", "said hi"],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)

    out = jot(right)
    assert out.returncode == 0 and out.stderr == "prefetched\n"
    assert out.stdout.startswith("jot saved for Ana")
    out = jot(wrong)
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1].startswith("rapport: error: wrong passphrase")
    with open_vault(vault_path, "a production passphrase") as reopened:
        assert [j.text for j in reopened.jots(reopened.find_person("Ana").id)] == ["said hi"]
