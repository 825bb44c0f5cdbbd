"""No plaintext on disk: canaries typed into every kind of record are found in no file, in UTF-8 or
UTF-16LE, while the vault is open, after it is closed, and after a kill -9 mid-autosave."""

from __future__ import annotations

import io
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from store import crypto
from store.errors import WrongPassphrase
from store.vault import create_vault, open_vault

CHILD = Path(__file__).with_name("crash_child.py")


def make_canaries() -> dict[str, str]:
    token = secrets.token_hex(8)
    labels = ("name", "name2", "title", "guideid", "guidename", "stage", "question", "note",
              "autosave", "edit", "private", "deleted", "deletedname", "item", "jot", "tag",
              "programme", "passold", "passnew", "reject")
    # "zq" is not hex, so a canary can never be part of a row id printed in the clear
    return {label: f"zq{label}{token}" for label in labels}


def find_canaries(blob: bytes, canaries: dict[str, str]) -> list[str]:
    found = []
    for label, canary in canaries.items():
        for encoding in ("utf-8", "utf-16-le"):
            if canary.encode(encoding) in blob:
                found.append(f"{label}/{encoding}")
    return found


def scan(dirs: list[Path], canaries: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """(hits per file, every file scanned)"""
    hits, scanned = {}, []
    for directory in dirs:
        for root, _, files in os.walk(directory):
            for name in files:
                path = Path(root, name)
                scanned.append(str(path))
                found = find_canaries(path.read_bytes(), canaries)
                if found:
                    hits[str(path)] = found
    return hits, scanned


def export_everything(store, fmt: str, kind: str) -> None:
    """An export of everything (to a buffer): only its record is written into the vault."""
    from store import export

    doc = export.render(store, export.Scope.all(), fmt, kind)
    export.write_export("-", doc.data, store=store, doc=doc, stdout=io.BytesIO())
    assert doc.count > 0


def test_scanner_finds_what_it_looks_for(tmp_path):
    canaries = {"x": "zqx0123"}
    (tmp_path / "a").write_bytes(b"..." + "zqx0123".encode("utf-16-le") + b"...")
    (tmp_path / "b").write_bytes(b"zqx012")
    hits, scanned = scan([tmp_path], canaries)
    assert hits == {str(tmp_path / "a"): ["x/utf-16-le"]} and len(scanned) == 2


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary files of this process (Python's and SQLite's) land in a directory we scan."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def test_no_canary_in_any_file_open_or_closed(tmp_path, private_tmp, capfd, clock):
    c = make_canaries()
    home = tmp_path / "home"
    vault = home / "vault.db"
    backups = tmp_path / "backups"
    backups.mkdir()
    dirs = [home, private_tmp, backups]
    plan = {"id": c["guideid"], "name": c["guidename"],
            "stages": [{"key": c["stage"], "title": c["stage"], "minutes": 10,
                        "questions": [c["question"]]},
                       {"key": "wrap-up", "title": "Wrap-up", "minutes": 5}]}

    store = create_vault(vault, c["passold"], kdf=crypto.FAST_FOR_TESTS, allow_weak=True, clock=clock)
    try:
        person = store.add_person(c["name"], role=c["name"])
        other = store.add_person(c["deletedname"])
        programme = store.add_programme(c["programme"], purpose=c["programme"], guide_id=c["guideid"])
        session = store.start_session(person.id, plan, title=c["title"], programme_id=programme.id)
        text = ""
        for i in range(60):  # autosaves: the note grows word by word
            clock.advance(1)
            text += f" {c['autosave']} word{i}"
            store.save_note(session.id, c["stage"], text)
        store.save_note(session.id, c["stage"], f"rewritten {c['edit']} " * 40)
        store.save_note(session.id, "wrap-up", c["private"], private=True)
        item = store.add_item(session.id, "action", c["item"], owner="them", due="2025-04-01",
                              stage=c["stage"])
        store.update_item(item.id, text=c["item"] + " (edited)")
        store.add_jot(person.id, c["jot"])
        store.add_tag(session.id, "concern", c["tag"], stage=c["stage"], subject_id=person.id)
        store.save_session_state(session.id, stage_index=1, spent={c["stage"]: 120.0},
                                 visited=[c["stage"], "wrap-up"], asked={c["stage"]: [0]},
                                 title=c["title"] + " v2")
        doomed = store.start_session(other.id, plan, title=c["deleted"])
        for i in range(10):
            store.save_note(doomed.id, c["stage"], f"{c['deleted']} {i} " * 50)
        store.add_item(doomed.id, "decision", c["deleted"])
        export_everything(store, "html", "full")
        assert store.search(c["deleted"])  # the index holds the doomed session's text...
        assert store.save_search_index()  # ...sealed into the vault
        store.delete_session(doomed.id)  # and deleted with it
        store.update_person(other.id, name="Renamed")
        store.end_session(session.id)
        store.save_note(session.id, c["stage"], f"amended {c['edit']}")  # amends the ended session
        assert store.search(c["edit"])  # brings the in-memory index level
        assert store.save_search_index(min_changes=1)  # and seals it into the vault
        store.change_passphrase(c["passnew"])
        store.rotate_key(c["passnew"])
        assert store.save_search_index()  # sealed again, under the new key
        export_everything(store, "md", "summary")
        store.backup(backups / "backup.db")

        # while open: the vault, -wal and -shm exist and hold no canary
        names = sorted(p.name for p in home.iterdir())
        assert {"vault.db", "vault.db-wal", "vault.db-shm"} <= set(names), names
        hits, scanned = scan(dirs, c)
        assert hits == {}, hits
        assert str(backups / "backup.db") in scanned
    finally:
        store.close()

    with pytest.raises(WrongPassphrase):
        open_vault(vault, c["reject"], allow_weak=True)
    hits, scanned = scan(dirs, c)
    assert hits == {}, hits
    assert sorted(p.name for p in home.iterdir()) == ["vault.db"]
    out, err = capfd.readouterr()
    assert find_canaries((out + err).encode(), c) == []

    # and the data really is all there, so the scan looked at the real thing
    with open_vault(vault, c["passnew"], allow_weak=True) as reopened:
        (person,) = [p for p in reopened.people() if p.name == c["name"]]
        (session,) = reopened.sessions()
        assert session.guide_id == c["guideid"] and session.guide_name == c["guidename"]
        assert session.title == c["title"] + " v2"
        notes = {n.stage: n for n in reopened.notes(session.id)}
        assert notes[c["stage"]].text == f"amended {c['edit']}"
        assert notes["wrap-up"].private and notes["wrap-up"].text == c["private"]
        assert [j.text for j in reopened.jots(person.id)] == [c["jot"]]


def test_no_canary_after_kill_during_autosave(tmp_path, private_tmp, passphrase):
    c = make_canaries()
    vault = tmp_path / "home" / "vault.db"
    plan = {"id": c["guideid"], "name": c["guidename"], "stages": [{"key": "notes", "minutes": 5}]}
    with create_vault(vault, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True) as store:
        person = store.add_person(c["name"])
        session_id = store.start_session(person.id, plan, title=c["title"]).id
    proc = subprocess.Popen([sys.executable, str(CHILD), "autosave", str(vault), passphrase,
                             session_id, "notes", c["autosave"]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(private_tmp)})
    try:
        first = proc.stdout.readline()
        assert first.startswith(b"ack "), proc.stderr.read()[-2000:]
        time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=20)
    assert (tmp_path / "home" / "vault.db-wal").stat().st_size > 0  # a hot WAL was left behind
    hits, _ = scan([tmp_path / "home", private_tmp], c)
    assert hits == {}, hits
    with open_vault(vault, passphrase, allow_weak=True) as store:
        assert store.notes(session_id)[0].text.startswith(c["autosave"])
    hits, _ = scan([tmp_path / "home", private_tmp], c)
    assert hits == {}, hits
