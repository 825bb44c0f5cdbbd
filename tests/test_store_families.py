"""A record family added later (a table declared in store.tables, created by its migration, a
repository on the row engine) is sealed, verified, re-keyed, counted in the row summary, exported
and imported without any other module knowing it. Here: "moods" (how a participant is, 1-5),
declared for the test only."""

from __future__ import annotations

import json
import sqlite3

import pytest

from store import crypto, export, migrations, tables, transfer
from store.tables import Table
from store.vault import create_vault, open_vault

PULSES = Table("moods", ("person_id", "session_id"), ("data",), "mood",
               refs=(("person_id", "people"), ("session_id", "sessions")))
PLAN = {"id": "g", "name": "G", "stages": [{"key": "a", "title": "A", "minutes": 5}]}


@pytest.fixture(autouse=True)
def declared(monkeypatch):
    declare(monkeypatch)


def declare(monkeypatch):
    """The table declared, and its migration added to the list."""
    monkeypatch.setitem(tables.TABLES, "moods", PULSES)
    real_build = migrations.build

    def build():
        listed = real_build()

        @listed(name="9000_moods")
        def moods(db):
            db.execute("CREATE TABLE moods (id TEXT PRIMARY KEY, rev INTEGER NOT NULL,"
                       " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, person_id TEXT NOT"
                       " NULL REFERENCES people(id), session_id TEXT REFERENCES sessions(id),"
                       " data BLOB NOT NULL)")

        return listed

    monkeypatch.setattr(migrations, "build", build)
    monkeypatch.setattr(migrations, "NAMES", migrations.NAMES + ("9000_moods",))


def new_vault(path):
    return create_vault(path, "pw", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)


def add_pulse(store, person_id, session_id, score, word=""):
    """The family's repository, in two lines: the engine does the rest."""
    with store.engine.write():
        return store.engine.insert("moods", {"data": {"score": score, "word": word}},
                                   person_id=person_id, session_id=session_id)


def test_a_later_family_is_summarised_verified_exported_and_imported(tmp_path):
    store = new_vault(tmp_path / "a" / "vault.db")
    ann = store.add_person("Ann")
    session = store.start_session(ann.id, PLAN)
    first = add_pulse(store, ann.id, session.id, 4, "steady")
    add_pulse(store, ann.id, None, 2, "tired, due tomorrow")
    assert store.verify() == []
    doc = json.loads(export.render(store, export.Scope.all(), "json", "full").data)
    assert sorted(p["data"]["score"] for p in doc["moods"]) == [2, 4]
    assert doc["moods"][0].keys() == {"id", "created_at", "updated_at", "person_id",
                                       "session_id", "data"}
    one = json.loads(export.render(store, export.Scope.sessions(session.id), "json", "full").data)
    assert [p["id"] for p in one["moods"]] == [first["id"]]  # the session's own
    store.close()

    other = new_vault(tmp_path / "b" / "vault.db")
    result = transfer.import_bytes(other, json.dumps(doc).encode())
    assert result.added["moods"] == 2 and "2 moods" in result.describe()
    again = json.loads(export.render(other, export.Scope.all(), "json", "full").data)
    assert again["moods"] == doc["moods"]
    assert other.verify() == []
    other.rotate_key("pw")  # re-sealed under the new key with everything else
    assert other.verify() == []
    other.close()

    conn = sqlite3.connect(tmp_path / "b" / "vault.db")  # one pulse deleted behind its back
    conn.execute("DELETE FROM moods WHERE id = ?", (first["id"],))
    conn.commit()
    conn.close()
    with open_vault(tmp_path / "b" / "vault.db", "pw", allow_weak=True) as reopened:
        assert [(d.table, d.reason) for d in reopened.damage] == [
            ("moods", "1 of 2 moods deleted outside rapport")]


def test_a_later_familys_records_are_checked_on_import(tmp_path):
    store = new_vault(tmp_path / "vault.db")
    ann = store.add_person("Ann")
    add_pulse(store, ann.id, None, 3)
    doc = json.loads(export.render(store, export.Scope.all(), "json", "full").data)
    bad = json.loads(json.dumps(doc))
    bad["moods"][0]["person_id"] = "nope"
    with pytest.raises(transfer.BadExport, match=r"moods\[0\]\.person_id: expected an id"):
        transfer.parse_export(json.dumps(bad).encode())
    bad = json.loads(json.dumps(doc))
    del bad["moods"][0]["data"]
    with pytest.raises(transfer.BadExport, match=r"moods\[0\]: missing 'data'"):
        transfer.parse_export(json.dumps(bad).encode())
    bad = json.loads(json.dumps(doc))
    bad["moods"][0]["person_id"] = "e" * 32
    with pytest.raises(transfer.BadExport, match="refers to person eeee"):
        transfer.import_bytes(store, json.dumps(bad).encode())
    store.close()


def test_an_existing_vault_gains_the_family_on_its_next_unlock(tmp_path, monkeypatch):
    path = tmp_path / "vault.db"
    monkeypatch.undo()  # a vault made before the family existed
    store = create_vault(path, "pw", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
    store.add_person("Ann")
    store.close()
    declare(monkeypatch)  # the new version: table declared, migration listed
    with open_vault(path, "pw", allow_weak=True) as store:
        assert store.damage == () and store.verify() == []
        add_pulse(store, store.people()[0].id, None, 5)
    with open_vault(path, "pw", allow_weak=True) as store:
        assert store.damage == () and store.verify() == []
