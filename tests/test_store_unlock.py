"""Unlocking: wrong passphrases write nothing, NFC/NFD agree, KDF parameters are checked before any
derivation and bound into the key wrap; production parameters are exercised once."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from store import crypto
from store.errors import NotAVault, UnsafeParameters, WrongPassphrase
from store.vault import create_vault, open_vault


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def set_kdf(path: Path, kdf: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("UPDATE keyslot SET kdf = ?", (kdf,))
    finally:
        conn.close()


@pytest.fixture
def closed_vault(store, vault_path):
    person = store.add_person("Nobody")
    session = store.start_session(person.id, {"id": "g", "name": "G", "stages": []})
    store.save_note(session.id, "", "something to lose")
    store.close()
    return vault_path


WRONG = {
    "case": "Correct horse battery staple",
    "upper": "CORRECT HORSE BATTERY STAPLE",
    "trailing-newline": "correct horse battery staple\n",  # as read from a file, unstripped
    "trailing-space": "correct horse battery staple ",
    "leading-space": " correct horse battery staple",
    "empty": "",
    "100k-chars": "x" * 100_000,
    "repeated": "correct horse battery staple" * 3000,
    "nul-inside": "correct horse\x00battery staple",
    "nul-after": "correct horse battery staple\x00",
    "one-short": "correct horse battery stapl",
    "emoji": "correct horse battery staple \U0001f40e",
    "lone-surrogate": "\ud800",
}


@pytest.mark.parametrize("wrong", list(WRONG.values()), ids=list(WRONG))
def test_wrong_passphrase_is_refused_and_writes_nothing(closed_vault, passphrase, wrong):
    before = snapshot(closed_vault.parent)
    assert set(before) == {"vault.db"}
    with pytest.raises(WrongPassphrase) as err:
        open_vault(closed_vault, wrong, allow_weak=True)
    assert str(err.value) and "\n" not in str(err.value)
    assert snapshot(closed_vault.parent) == before  # byte-identical, and no -wal/-shm left
    with open_vault(closed_vault, passphrase, allow_weak=True) as store:
        assert store.verify() == []


def test_nfc_and_nfd_forms_of_a_passphrase_open_the_same_vault(tmp_path):
    composed = "café crème brûlée Ångström"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed and unicodedata.normalize("NFC", decomposed) == composed
    for created, other, name in ((composed, decomposed, "a"), (decomposed, composed, "b")):
        path = tmp_path / name / "vault.db"
        create_vault(path, created, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
        open_vault(path, other, allow_weak=True).close()
        open_vault(path, created, allow_weak=True).close()
    # only canonical equivalence: a compatibility form (ligature, full-width) is another passphrase
    path = tmp_path / "c" / "vault.db"
    create_vault(path, "ﬁle Ｘ", kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    with pytest.raises(WrongPassphrase):
        open_vault(path, "file X", allow_weak=True)


def test_new_vault_refuses_an_empty_passphrase(vault_path):
    with pytest.raises(WrongPassphrase):
        create_vault(vault_path, "", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
    assert not vault_path.parent.exists()


CRAFTED = {
    "4GiB": {"memory_kib": 4 * 1024 * 1024, "iterations": 3, "lanes": 4},
    "2**40KiB": {"memory_kib": 2 ** 40, "iterations": 1, "lanes": 1},  # could not even allocate
    "1e9-iterations": {"memory_kib": 65536, "iterations": 10 ** 9, "lanes": 4},
    "1e6-lanes": {"memory_kib": 65536, "iterations": 3, "lanes": 10 ** 6},
    "0-lanes": {"memory_kib": 65536, "iterations": 3, "lanes": 0},
    "negative-memory": {"memory_kib": -1, "iterations": 3, "lanes": 4},
    "0-iterations": {"memory_kib": 65536, "iterations": 0, "lanes": 4},
    "missing-lanes": {"memory_kib": 65536, "iterations": 3},
    "text-memory": {"memory_kib": "lots", "iterations": 3, "lanes": 4},
    "null": None,
    "not-json": "not json",
}


@pytest.mark.parametrize("kdf", list(CRAFTED.values()), ids=list(CRAFTED))
def test_crafted_kdf_header_is_refused_before_deriving(closed_vault, passphrase, kdf):
    """A header asking for absurd work is refused as UnsafeParameters, not attempted: with
    2**40 KiB the derivation could not even allocate its memory."""
    set_kdf(closed_vault, kdf if isinstance(kdf, str) else json.dumps(kdf))
    before = snapshot(closed_vault.parent)
    for allow_weak in (True, False):
        with pytest.raises(UnsafeParameters) as err:
            open_vault(closed_vault, passphrase, allow_weak=allow_weak)
        assert "\n" not in str(err.value)
    assert snapshot(closed_vault.parent) == before


def test_weak_parameters_need_allow_weak(closed_vault, passphrase, tmp_path):
    with pytest.raises(UnsafeParameters, match="below the floor"):
        open_vault(closed_vault, passphrase)
    with pytest.raises(UnsafeParameters):
        create_vault(tmp_path / "new" / "vault.db", passphrase, kdf=crypto.FAST_FOR_TESTS)
    assert not (tmp_path / "new").exists()
    for weak in (crypto.KdfParams(memory_kib=64 * 1024, iterations=2, lanes=4),
                 crypto.KdfParams(memory_kib=64 * 1024 - 1, iterations=3, lanes=4)):
        with pytest.raises(UnsafeParameters):
            weak.check()
        weak.check(allow_weak=True)
    crypto.PRODUCTION.check()
    assert crypto.PRODUCTION.memory_kib >= 64 * 1024 and crypto.PRODUCTION.iterations >= 3


@pytest.mark.parametrize("field, value", [
    ("memory_kib", 2048), ("iterations", 2), ("lanes", 2),
])
def test_tampered_kdf_parameters_within_range_fail_closed(closed_vault, passphrase, field, value):
    params = dict(crypto.FAST_FOR_TESTS.to_dict(), **{field: value})
    set_kdf(closed_vault, json.dumps(params))
    with pytest.raises(WrongPassphrase):
        open_vault(closed_vault, passphrase, allow_weak=True)
    set_kdf(closed_vault, json.dumps(crypto.FAST_FOR_TESTS.to_dict()))
    open_vault(closed_vault, passphrase, allow_weak=True).close()


@pytest.mark.parametrize("column, value", [
    ("salt", b"\x00" * 16), ("vault_id", "0" * 32), ("wrapped", b"\x00" * 60),
])
def test_keyslot_fields_are_bound(closed_vault, passphrase, column, value):
    conn = sqlite3.connect(closed_vault, isolation_level=None)
    conn.execute(f"UPDATE keyslot SET {column} = ?", (value,))
    conn.close()
    with pytest.raises(WrongPassphrase):
        open_vault(closed_vault, passphrase, allow_weak=True)


def test_unsupported_format_is_refused(closed_vault, passphrase):
    conn = sqlite3.connect(closed_vault, isolation_level=None)
    conn.execute("UPDATE keyslot SET format = 99")
    conn.close()
    with pytest.raises(NotAVault, match="format"):
        open_vault(closed_vault, passphrase, allow_weak=True)


@pytest.mark.slow
def test_production_parameters(store, vault_path, passphrase):
    """Two real Argon2id derivations (the production parameters): the re-wrap and one unlock."""
    person = store.add_person("Production")
    store.change_passphrase("a new and real passphrase", kdf=crypto.PRODUCTION)
    store.close()
    conn = sqlite3.connect(vault_path)
    stored = json.loads(conn.execute("SELECT kdf FROM keyslot").fetchone()[0])
    conn.close()
    assert stored == crypto.PRODUCTION.to_dict() == {"memory_kib": 65536, "iterations": 4, "lanes": 4}
    with open_vault(vault_path, "a new and real passphrase") as reopened:  # no allow_weak
        assert reopened.person(person.id).name == "Production"
    # a downgrade of the stored parameters is refused before deriving
    set_kdf(vault_path, json.dumps(crypto.FAST_FOR_TESTS.to_dict()))
    with pytest.raises(UnsafeParameters):
        open_vault(vault_path, "a new and real passphrase")
