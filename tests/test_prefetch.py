"""Deriving the key early (store.prefetch): the key is used only for the same vault, passphrase,
salt and parameters; the prefetch writes nothing. (The command line no longer prefetches.)"""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from store import crypto
from store.errors import WrongPassphrase
from store.prefetch import KeyPrefetch, read_slot
from store.vault import open_vault


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


# ------------------------------------------------------------------- the unlock screen
async def preloaded(app, pilot):
    """The unlock screen, once its preload has read the key slot."""
    from tui.screens.unlock import UnlockScreen

    for _ in range(200):
        await pilot.pause(0.02)
        if isinstance(app.screen, UnlockScreen) and app.screen.slot is not None:
            return app.screen
    raise AssertionError("the unlock screen's preload never read the key slot")


async def test_the_unlock_screen_derives_at_enter_from_the_slot_it_preloaded(
        closed, passphrase, clock, derivations, monkeypatch):
    import threading

    from apptools import make_app

    threads: list[str] = []
    counted = crypto.derive_kek

    def where(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return counted(*args, **kwargs)

    monkeypatch.setattr(crypto, "derive_kek", where)
    app = make_app(closed, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await preloaded(app, pilot)
        assert screen.slot == read_slot(closed)
        await pilot.press(*"not the passphrase", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store is None and "wrong passphrase" in str(screen.query_one("#unlock-message")
                                                                .render()).lower()
        assert len(derivations) == 1  # a wrong passphrase: one derivation, not two
        await pilot.press(*passphrase, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store is not None and app.store.people()[0].name == "Ana"
        assert len(derivations) == 2  # the key derived at Enter was the one used
        assert threads == ["rapport-kdf"] * 2  # started by the key press, not by the worker
        app.store.close()
        app.store = None


async def test_a_slot_changed_after_the_preload_unlocks_with_a_new_derivation(
        closed, passphrase, clock, derivations):
    from apptools import make_app

    app = make_app(closed, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await preloaded(app, pilot)
        stale = screen.slot
        with open_vault(closed, passphrase, allow_weak=True) as store:  # e.g. another terminal
            store.change_passphrase("the new one", kdf=crypto.FAST_FOR_TESTS)  # a new salt
        assert read_slot(closed) != stale and screen.slot == stale
        made = len(derivations)
        await pilot.press(*"the new one", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store is not None and app.store.people()[0].name == "Ana"
        assert len(derivations) == made + 2  # the stale slot's key was not used
        app.store.close()
        app.store = None
