"""Strategy items edited and deleted in the store: every update a new sealed revision.

Real vaults on the test KDF, reopened from disk; the rollback check writes an old ciphertext back
with plain sqlite3, as ``test_store_tamper`` does for notes.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from store.errors import Damaged, NotFound, RapportError
from store.models import DEFAULT_THEMES
from store.vault import open_vault


@pytest.fixture
def programme(store):
    return store.add_programme("Leaders", themes=(*DEFAULT_THEMES, "decision making"))


def reopen(vault_path, passphrase, clock):
    return open_vault(vault_path, passphrase, allow_weak=True, clock=clock)


def test_update_bumps_the_revision_and_survives_reopening(store, programme, vault_path,
                                                          passphrase, clock):
    first = store.add_strategy_item(programme.id, "Agree a charter", gaps=["pace"],
                                    tag_ids=["t1"])
    clock.advance(60)
    updated = store.update_strategy_item(first.id, "  Agree a decision charter\n",
                                         gaps=["decision making"], tag_ids=["t2", "t3"])
    assert updated.id == first.id and updated.programme_id == programme.id
    assert updated.rev == first.rev + 1 == 2
    assert updated.text == "Agree a decision charter"
    assert updated.gaps == ("decision making",) and updated.tag_ids == ("t2", "t3")
    assert updated.created_at == first.created_at and updated.updated_at > first.updated_at
    clock.advance(60)
    again = store.update_strategy_item(first.id, "Charter", gaps=(), tag_ids=())
    assert again.rev == 3 and again.gaps == () and again.tag_ids == ()
    store.close()
    with reopen(vault_path, passphrase, clock) as reopened:
        assert reopened.strategy_items(programme.id) == [again]
        assert reopened.strategy_item(first.id) == again
        assert reopened.verify() == []


def test_a_broken_paste_is_cleaned_not_fatal(store, programme):
    item = store.add_strategy_item(programme.id, "Coach")
    updated = store.update_strategy_item(item.id, "Coach \ud800on pace")
    assert "\ud800" not in updated.text
    assert store.strategy_items(programme.id) == [updated]


def test_unknown_ids_are_not_found_in_one_line(store, programme):
    store.add_strategy_item(programme.id, "Keep me")
    for call in (lambda: store.update_strategy_item("nope", "text"),
                 lambda: store.delete_strategy_item("nope"),
                 lambda: store.strategy_item("nope")):
        with pytest.raises(NotFound) as err:
            call()
        assert str(err.value) == "no strategy item with id nope"
    assert [s.text for s in store.strategy_items(programme.id)] == ["Keep me"]


def test_empty_text_is_refused_and_nothing_changes(store, programme, clock):
    item = store.add_strategy_item(programme.id, "Coach on pace", gaps=["pace"])
    generation = store.generation
    clock.advance(60)
    for text in ("", "   \n\t"):
        with pytest.raises(RapportError, match="^a strategy item needs some text$"):
            store.update_strategy_item(item.id, text, gaps=["other"])
    assert store.strategy_items(programme.id) == [item]
    assert store.generation == generation  # nothing was written


def test_delete_removes_only_that_item(store, programme, vault_path, passphrase, clock):
    other = store.add_programme("Board")
    keep_before = store.add_strategy_item(programme.id, "First")
    gone = store.add_strategy_item(programme.id, "Second")
    keep_after = store.add_strategy_item(programme.id, "Third")
    elsewhere = store.add_strategy_item(other.id, "Second")
    store.delete_strategy_item(gone.id)
    assert store.strategy_items(programme.id) == [keep_before, keep_after]
    assert store.strategy_items(other.id) == [elsewhere]
    with pytest.raises(NotFound):
        store.delete_strategy_item(gone.id)  # already gone
    with pytest.raises(NotFound):
        store.update_strategy_item(gone.id, "back?")  # never brought back by an update
    store.close()
    with reopen(vault_path, passphrase, clock) as reopened:
        assert reopened.strategy_items(programme.id) == [keep_before, keep_after]
        assert reopened.strategy_items(other.id) == [elsewhere]


def test_an_old_revision_put_back_no_longer_opens(store, programme, vault_path, passphrase,
                                                  clock):
    item = store.add_strategy_item(programme.id, "What we said first")
    store.close()
    with closing(sqlite3.connect(vault_path, isolation_level=None)) as conn:
        old = conn.execute("SELECT data FROM strategy WHERE id = ?", (item.id,)).fetchone()[0]
    with reopen(vault_path, passphrase, clock) as reopened:
        clock.advance(5)
        assert reopened.update_strategy_item(item.id, "What we agreed").rev == 2
    with closing(sqlite3.connect(vault_path, isolation_level=None)) as conn:
        conn.execute("UPDATE strategy SET data = ? WHERE id = ?", (old, item.id))
    with reopen(vault_path, passphrase, clock) as reopened:
        assert [(d.table, d.id, d.column) for d in reopened.verify()] == [
            ("strategy", item.id, "data")]
        with pytest.raises(Damaged):
            reopened.strategy_items(programme.id)


def test_a_missing_record_is_named_in_words(store):
    """The row engine's update names the record as a person would (not "peopl", "strateg")."""
    with pytest.raises(NotFound, match=r"^no person with id nope$"), store.engine.write():
        store.engine.update("people", "nope", {"data": {"name": "x"}})
    with pytest.raises(NotFound, match=r"^no strategy item with id nope$"), store.engine.write():
        store.engine.update("strategy", "nope", {"data": {}})
