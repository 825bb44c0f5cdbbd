"""The store's behaviour: people, sessions, notes, items, search, backup, keys, locking, and what a
refused write leaves behind."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date, timedelta

import pytest

from store.errors import (
    Ambiguous, Damaged, Locked, NotFound, RapportError, StorageError, VaultExists, WrongPassphrase,
)
from store.summary import Tally
from store.vault import open_vault, stamp

PLAN = {"id": "one-on-one", "name": "1-on-1",
        "stages": [{"key": "check-in", "minutes": 5}, {"key": "topics", "minutes": 20},
                   {"key": "actions", "minutes": 5}]}
FEEDBACK = {"id": "feedback", "name": "Feedback", "stages": [{"key": "observe", "minutes": 10}]}


def reopen(store, vault_path, passphrase, clock):
    store.close()
    return open_vault(vault_path, passphrase, allow_weak=True, clock=clock)


# ---------------------------------------------------------------------------------- people
def test_find_person(store):
    ann = store.add_person("Ann")
    ann_lee = store.add_person("Ann Lee")
    annabel = store.add_person("Annabel Ng")
    store.add_person("Bob Stone")
    sam1, sam2 = store.add_person("Sam"), store.add_person("sam")
    assert store.find_person("ann").id == ann.id  # exact (case-insensitive) beats prefix
    assert store.find_person("  ANN LEE ").id == ann_lee.id
    assert store.find_person("ann l").id == ann_lee.id  # unique prefix
    assert store.find_person("annab").id == annabel.id
    assert store.find_person("b").name == "Bob Stone"
    with pytest.raises(Ambiguous, match="Ann, Ann Lee, Annabel Ng"):
        store.find_person("an")
    with pytest.raises(Ambiguous, match="2 people"):
        store.find_person("SAM")
    for missing in ("Zed", "Ann Lee Jr", "", "   "):
        with pytest.raises(NotFound):
            store.find_person(missing)
    assert [p.name for p in store.people()] == ["Ann", "Ann Lee", "Annabel Ng", "Bob Stone",
                                                "Sam", "sam"]
    assert {sam1.id, sam2.id} == {p.id for p in store.people() if p.name.casefold() == "sam"}
    with pytest.raises(RapportError):
        store.add_person("   ")


def test_people_cache_follows_updates(store, vault_path, passphrase, clock):
    ann = store.add_person("Ann", cadence="weekly")
    clock.advance(10)
    renamed = store.update_person(ann.id, name="Anne", cadence="monthly")
    assert renamed.rev == 2 and renamed.updated_at == clock.now()
    assert store.find_person("anne").cadence == "monthly"
    with pytest.raises(RapportError):
        store.add_person("Cad", cadence="hourly")
    store = reopen(store, vault_path, passphrase, clock)
    try:
        assert store.person(ann.id) == renamed
        with pytest.raises(NotFound):
            store.person("0" * 32)
    finally:
        store.close()


# ---------------------------------------------------------------------------------- sessions
def import_session(store, person_id, session_id, started):
    when = stamp(started)
    plain = {"id": session_id, "rev": 1, "created_at": when, "updated_at": when,
             "person_id": person_id, "programme_id": None, "started_at": when, "ended_at": None,
             "amended_at": None}
    secret = {"meta": {"title": session_id[:8], "guide_id": "g", "guide_name": "G"},
              "plan": {"id": "g", "name": "G", "stages": []},
              "state": {"stage_index": 0, "spent": {}, "visited": [], "asked": {}}}
    return store.import_rows({"sessions": [(plain, secret)]})


def test_resolve_session_by_prefix(store, clock):
    person = store.add_person("Prefix")
    s = store.start_session(person.id, PLAN)
    assert store.resolve_session(s.id).id == s.id
    assert store.resolve_session(s.id[:4]).id == s.id
    assert store.resolve_session(s.id[:6].upper()).id == s.id
    for ref in (s.id[:3], "zzzz", s.id[:8] + "-", "", "%" + s.id[1:8], "_" + s.id[1:8]):
        with pytest.raises(NotFound):
            store.resolve_session(ref)
    twins = ["abcd" + "0" * 27 + "1", "abcd" + "0" * 27 + "2"]
    for twin in twins:
        assert import_session(store, person.id, twin, clock.now()) == {"sessions": 1}
    with pytest.raises(Ambiguous):
        store.resolve_session("abcd")
    assert store.resolve_session("abcd" + "0" * 27 + "2").id == twins[1]
    assert import_session(store, person.id, twins[0], clock.now()) == {"sessions": 0}  # kept


def test_session_lifecycle_and_amended_at(store, clock, vault_path, passphrase):
    person = store.add_person("Life")
    s = store.start_session(person.id, PLAN, title="  Weekly  ")
    assert (s.title, s.guide_id, s.guide_name, s.status) == ("Weekly", "one-on-one", "1-on-1", "active")
    assert s.started_at == clock.now() and s.visited == ("check-in",) and s.planned_minutes == 30
    clock.advance(60)
    store.save_note(s.id, "check-in", "while active")
    assert store.session(s.id).amended_at is None
    clock.advance(60)
    state = store.save_session_state(s.id, stage_index=1, spent={"check-in": 60.0},
                                     visited=["check-in", "topics"], asked={"check-in": [2, 0, 2]})
    assert state.asked == {"check-in": (0, 2)} and state.amended_at is None
    clock.advance(60)
    ended = store.end_session(s.id)
    assert ended.status == "ended" and ended.ended_at == clock.now() and ended.amended_at is None
    clock.advance(3600)
    store.save_note(s.id, "topics", "written after the end")
    amended = store.session(s.id)
    assert amended.amended_at == clock.now() and amended.ended_at == ended.ended_at
    clock.advance(60)
    store.save_session_state(s.id, spent={"check-in": 60.0, "topics": 5.0})
    assert store.session(s.id).amended_at == clock.now()
    clock.advance(60)
    reopened = store.reopen_session(s.id)
    assert reopened.status == "active" and reopened.amended_at == clock.now()
    store = reopen(store, vault_path, passphrase, clock)
    try:
        got = store.session(s.id)
        assert got == reopened and got.spent_seconds == 65.0
        assert [n.stage for n in store.notes(s.id)] == ["check-in", "topics"]
    finally:
        store.close()


def test_autosave_is_one_revision_per_save(store, clock):
    person = store.add_person("Auto")
    s = store.start_session(person.id, PLAN)
    first = store.save_note(s.id, "topics", "a")
    for i in range(2, 12):
        clock.advance(1)
        note = store.save_note(s.id, "topics", "a" * i)
        assert note.id == first.id and note.rev == i and note.updated_at == clock.now()
        (stored,) = store.notes(s.id)
        assert stored == note and not stored.private
    assert stored.created_at == first.created_at and stored.text == "a" * 11
    # a save inside a transaction that rolls back leaves the kept row behind the file's: the
    # next save finds out by the revision, reads the row and saves on top of what is stored
    with pytest.raises(RuntimeError), store.engine.write():
        store.save_note(s.id, "topics", "rolled back")
        raise RuntimeError("undo")
    note = store.save_note(s.id, "topics", "after the rollback")
    assert note.rev == 12 and store.notes(s.id) == [note] and store.verify() == []
    held = store.engine.summary  # a write's summary is a copy: a failed commit keeps this one
    before = {name: (t.count, t.digest) for name, t in held.tallies.items()}
    assert held.changed({"notes": Tally(1, 5)}).tallies["notes"].count == before["notes"][0] + 1
    assert {name: (t.count, t.digest) for name, t in held.tallies.items()} == before


def test_a_stage_has_a_shared_and_a_private_note_and_nothing_moves(store, clock):
    """Issue 23: F3 switches which note is typed into; what was typed stays where it was."""
    person = store.add_person("Two")
    s = store.start_session(person.id, PLAN)
    shared = store.save_note(s.id, "topics", "said aloud")
    private = store.save_note(s.id, "topics", "my own read", private=True)
    assert private.id != shared.id
    again = store.save_note(s.id, "topics", "my own read, more", private=True)
    assert again.id == private.id and again.rev == 2
    notes = {n.private: n for n in store.notes(s.id)}
    assert notes[False].text == "said aloud" and notes[False].rev == 1
    assert notes[True].text == "my own read, more"


def test_summaries_active_first_then_newest(store, clock):
    ann, bob = store.add_person("Ann"), store.add_person("Bob")
    ids = {}
    for name, person, ends in (("old-ended", ann, True), ("old-active", bob, False),
                               ("new-ended", bob, True), ("new-active", ann, False)):
        clock.advance(3600)
        ids[name] = store.start_session(person.id, FEEDBACK if "new" in name else PLAN, title=name).id
        if ends:
            store.end_session(ids[name])
    store.save_session_state(ids["old-active"], spent={"check-in": 30.0, "topics": 12.5})
    summaries = store.summaries()
    assert [x.title for x in summaries] == ["new-active", "old-active", "new-ended", "old-ended"]
    by_title = {x.title: x for x in summaries}
    assert by_title["old-active"].person_name == "Bob" and by_title["old-active"].spent_seconds == 42.5
    assert by_title["new-active"].guide_id == "feedback" and by_title["new-active"].status == "active"
    assert [x.title for x in store.summaries(status="ended")] == ["new-ended", "old-ended"]
    assert [x.title for x in store.summaries(person_id=ann.id)] == ["new-active", "old-ended"]
    assert [x.title for x in store.summaries(limit=2, offset=1)] == ["old-active", "new-ended"]
    assert [x.title for x in store.sessions()] == ["new-active", "new-ended", "old-active", "old-ended"]
    assert store.session_count() == 4
    with pytest.raises(RapportError):
        store.summaries(status="paused")


# ---------------------------------------------------------------------------------- items
def test_items_carry_forward_and_follow_through(store, clock):
    ann, bob = store.add_person("Ann"), store.add_person("Bob")
    s1 = store.start_session(ann.id, PLAN)
    a1 = store.add_item(s1.id, "action", "Send the deck", owner="me", due="2025-03-10", stage="actions")
    a2 = store.add_item(s1.id, "goal", "Present at all-hands", owner="them")
    done = store.add_item(s1.id, "decision", "Hire a designer")
    store.update_item(done.id, status="done")
    store.add_item(store.start_session(bob.id, PLAN).id, "action", "Bob's own")
    store.end_session(s1.id)
    clock.advance(7 * 86400)
    s2 = store.start_session(ann.id, PLAN)
    mine = store.add_item(s2.id, "agreement", "Meet fortnightly")

    earlier = store.open_items_before(ann.id, s2)  # a goal is followed through by check-ins
    assert [i.id for i in earlier] == [a1.id]
    with pytest.raises(RapportError, match="check in on it"):
        store.carry_forward(a2.id, s2.id)
    assert store.item(done.id).done_at == clock.now() - timedelta(days=7)

    carried = store.carry_forward(a1.id, s2.id)
    assert (carried.session_id, carried.carried_from, carried.text, carried.kind, carried.owner,
            carried.due, carried.status) == (s2.id, a1.id, "Send the deck", "action", "me",
                                             date(2025, 3, 10), "open")
    assert store.item(a1.id).status == "carried" and not store.item(a1.id).is_open
    assert store.open_items_before(ann.id, s2) == []
    assert {i.id for i in store.items(session_id=s2.id)} == {mine.id, carried.id}
    assert {i.id for i in store.items(person_id=ann.id, open_only=True)} == {a2.id, mine.id, carried.id}
    # a page of sessions' items in one query (the home list's first page)
    assert {i.id for i in store.items(session_ids=[s2.id, s2.id, s1.id], open_only=True)} == \
        {a2.id, mine.id, carried.id}
    assert store.items(session_ids=[]) == [] and store.items(session_ids=iter([s2.id]))
    # the Open column: open actions per session (not goals, agreements, or carried and done ones)
    bobs = store.items(person_id=bob.id)[0].session_id
    assert store.open_actions() == {s2.id: 1, bobs: 1}
    assert store.open_actions(session_ids=[s1.id, s2.id]) == {s2.id: 1}
    # looking back at the first session: what came later is not "from before"
    assert store.open_items_before(ann.id, s1) == []

    with pytest.raises(RapportError):
        store.add_item(s2.id, "wish", "x")
    with pytest.raises(RapportError):
        store.add_item(s2.id, "action", "x", owner="boss")
    with pytest.raises(RapportError):
        store.add_item(s2.id, "action", "   ")
    with pytest.raises(NotFound):
        store.carry_forward("f" * 32, s2.id)


def test_an_item_is_edited_in_place_and_a_bad_edit_changes_nothing(store, clock):
    ann = store.add_person("Ann")
    s1 = store.start_session(ann.id, PLAN)
    item = store.add_item(s1.id, "action", "Send the deck +7d", due="2025-03-10")
    goal = store.add_item(s1.id, "goal", "Lead the offsite", owner="them")
    edited = store.update_item(item.id, text="  Send the \ud800deck  ", due=None, owner="them",
                               kind="decision")
    assert (edited.id, edited.session_id, edited.text, edited.due, edited.owner, edited.kind,
            edited.status) == (item.id, s1.id, "Send the \ufffddeck", None, "them", "decision",
                               "open")
    assert store.item(item.id) == edited
    for bad in ({"text": "   "}, {"kind": "goal"}, {"kind": "wish"}, {"owner": "boss"},
                {"status": "on-track"}, {"colour": "red"}):
        with pytest.raises(RapportError):
            store.update_item(item.id, **bad)
        assert store.item(item.id) == edited
    with pytest.raises(RapportError, match="stays a goal"):
        store.update_item(goal.id, kind="action")
    assert store.update_item(goal.id, text="Lead the spring offsite").kind == "goal"
    assert store.update_item(goal.id, status="on-track").status == "on-track"


def test_a_failed_write_changes_nothing(store, vault_path, passphrase, clock):
    """A write the database refuses (here: a trigger, standing in for a disk error) leaves every
    record as it was, including the first half of a two-step operation."""
    person = store.add_person("Refused")
    s1 = store.start_session(person.id, PLAN)
    note = store.save_note(s1.id, "topics", "the good version")
    item = store.add_item(s1.id, "action", "carry me")
    s2 = store.start_session(person.id, PLAN)
    store.close()
    conn = sqlite3.connect(vault_path)
    conn.execute("CREATE TRIGGER refuse BEFORE UPDATE ON items BEGIN SELECT RAISE(ABORT, 'no'); END")
    conn.execute("CREATE TRIGGER refuse_notes BEFORE UPDATE ON notes BEGIN SELECT RAISE(ABORT, 'no'); END")
    conn.commit()
    conn.close()
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        with pytest.raises(StorageError) as err:
            store.save_note(s1.id, "topics", "the lost version")
        assert "nothing was saved" in str(err.value)
        assert store.notes(s1.id) == [note]
        with pytest.raises(StorageError):
            store.carry_forward(item.id, s2.id)  # the copy is written, the original refuses
        assert store.items(session_id=s2.id) == []  # ...so the copy is rolled back too
        assert store.item(item.id).status == "open"
        store.add_jot(person.id, "other writes still work")
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.notes(s1.id)[0].text == "the good version"
        assert [i.id for i in store.items()] == [item.id]


def test_delete_session_removes_its_records_only(store):
    person = store.add_person("Del")
    keep, drop = store.start_session(person.id, PLAN), store.start_session(person.id, PLAN)
    for s in (keep, drop):
        store.save_note(s.id, "topics", f"note of {s.id}")
        store.add_item(s.id, "action", f"item of {s.id}")
        store.add_tag(s.id, "concern", f"passage of {s.id}")
    jot = store.add_jot(person.id, "jots belong to the person")
    assert len(store.search("of")) == 4  # index built before the delete
    store.delete_session(drop.id)
    with pytest.raises(NotFound):
        store.session(drop.id)
    assert store.notes(drop.id) == [] and store.items(session_id=drop.id) == []
    assert store.tags(session_id=drop.id) == []
    assert len(store.notes(keep.id)) == len(store.items(session_id=keep.id)) == 1
    assert [h.session_id for h in store.search("of")] == [keep.id, keep.id]
    assert store.jots(person.id)[0].id == jot.id
    with pytest.raises(NotFound):
        store.delete_session(drop.id)
    assert store.verify() == []


# ---------------------------------------------------------------------------------- search
def test_search_hits_and_filters(store, clock):
    ann, bob = store.add_person("Ann Budgetson"), store.add_person("Bob")
    clock.advance(86400)
    s1 = store.start_session(ann.id, PLAN, title="Budget review")
    store.save_note(s1.id, "topics", "We talked about the BUDGET for Q3 and hiring.")
    store.add_item(s1.id, "action", "Draft the budget memo")
    store.end_session(s1.id)
    clock.advance(30 * 86400)
    s2 = store.start_session(bob.id, FEEDBACK)
    store.save_note(s2.id, "observe", "Straße budget ärger", private=True)
    store.add_jot(bob.id, "ask about budget")

    hits = store.search("budget")
    assert sorted(h.kind for h in hits) == ["item", "jot", "name", "note", "note", "title"]
    note_hit = next(h for h in hits if h.kind == "note" and h.session_id == s1.id)
    assert note_hit.match == "BUDGET" and note_hit.before.endswith("the ") and note_hit.stage == "topics"
    assert {h.kind for h in store.search("budget", person_id=bob.id)} == {"note", "jot"}
    assert {h.session_id for h in store.search("budget", guide_id="feedback")} == {s2.id}
    assert {h.session_id for h in store.search("budget", status="ended")} == {s1.id}
    # a date reads a session's start, or the day a jot was written (a name has none)
    assert {(h.kind, h.session_id) for h in store.search("budget", since=s2.started_at.date())} \
        == {("note", s2.id), ("jot", None)}
    assert {h.session_id for h in store.search("budget", until=s1.started_at.date())} == {s1.id}
    assert [h.item_kind for h in store.search("budget", kind="action")] == ["action"]
    assert [h.kind for h in store.search("budget", kind="title")] == ["title"]
    assert store.search("STRASSE")[0].match == "Straße"  # highlighted in the original text
    assert store.search("   ") == [] and store.search("nowhere") == []
    # the index follows writes made after it was built
    store.save_note(s2.id, "observe", "now about the offsite", private=True)
    store.add_person("Budget Person")
    assert [h.kind for h in store.search("offsite")] == ["note"]
    assert "name" in {h.kind for h in store.search("budget person")}
    assert not any(h.session_id == s2.id and h.kind == "note" for h in store.search("budget"))
    store.close()
    with pytest.raises(Locked):
        store.search("budget")


# ---------------------------------------------------------------------------------- keys, backup
def test_backup_refuses_existing_file_and_opens_with_the_same_passphrase(store, tmp_path, passphrase):
    person = store.add_person("Backed Up")
    s = store.start_session(person.id, PLAN)
    store.save_note(s.id, "topics", "worth keeping")
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"do not touch")
    with pytest.raises(VaultExists):
        store.backup(existing)
    assert existing.read_bytes() == b"do not touch"
    with pytest.raises(StorageError):
        store.backup(tmp_path / "no-such-dir" / "b.db")
    target = tmp_path / "backup.db"
    assert store.backup(target) >= 3
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db", "existing.db", "home"]
    store.save_note(s.id, "topics", "written after the backup")
    with pytest.raises(WrongPassphrase):
        open_vault(target, "not it", allow_weak=True)
    with open_vault(target, passphrase, allow_weak=True) as copy:
        assert copy.verify() == []
        assert copy.notes(s.id)[0].text == "worth keeping"
        assert copy.vault_id == store.vault_id


def test_change_passphrase(store, vault_path, passphrase, clock, tmp_path):
    person = store.add_person("Keys")
    store.backup(tmp_path / "before.db")
    with pytest.raises(WrongPassphrase):
        store.change_passphrase("")
    store.change_passphrase("a brand new passphrase")
    assert store.person(person.id).name == "Keys"  # still usable
    store.close()
    with pytest.raises(WrongPassphrase):
        open_vault(vault_path, passphrase, allow_weak=True)
    with open_vault(vault_path, "a brand new passphrase", allow_weak=True) as s:
        assert s.person(person.id).name == "Keys" and s.verify() == []
    # an old backup still opens with the passphrase valid when it was taken (same data key)
    open_vault(tmp_path / "before.db", passphrase, allow_weak=True).close()


def test_rotate_key(store, vault_path, passphrase, clock):
    person = store.add_person("Rotate")
    s = store.start_session(person.id, PLAN, title="rotating")
    store.save_note(s.id, "topics", "re-encrypt me")
    store.add_item(s.id, "goal", "and me")
    store.add_jot(person.id, "me too")
    store.close()
    conn = sqlite3.connect(vault_path)
    old_blob = conn.execute("SELECT body FROM notes").fetchone()[0]
    conn.close()
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as opened:
        with pytest.raises(WrongPassphrase):
            opened.rotate_key("not the passphrase")
        assert opened.rotate_key(passphrase) == 6  # person, session, note, item, jot, check-in
        assert opened.notes(s.id)[0].text == "re-encrypt me"  # usable right away
        assert opened.verify() == []
    conn = sqlite3.connect(vault_path)
    new_blob = conn.execute("SELECT body FROM notes").fetchone()[0]
    conn.execute("UPDATE notes SET body = ?", (old_blob,))  # an old-key blob put back
    conn.commit()
    conn.close()
    assert new_blob != old_blob
    with open_vault(vault_path, passphrase, allow_weak=True) as opened:
        assert [(d.table, d.column) for d in opened.verify()] == [("notes", "body")]
        with pytest.raises(Damaged):
            opened.notes(s.id)
        assert opened.session(s.id).title == "rotating"
        assert [j.text for j in opened.jots()] == ["me too"]


def test_locked_store_refuses_everything(store):
    person = store.add_person("Gone")
    store.close()
    assert not store.is_open
    for call in (store.people, lambda: store.add_person("x"), lambda: store.person(person.id),
                 store.verify, store.summaries, lambda: store.sessions(),
                 lambda: store.change_passphrase("x"), lambda: store.resolve_session("abcd")):
        with pytest.raises(Locked):
            call()
    store.close()  # twice is fine


def test_read_only_vault_gives_a_clean_error_and_loses_nothing(store, vault_path, passphrase):
    if os.geteuid() == 0:
        pytest.skip("root writes through file modes")
    person = store.add_person("Read Only")
    s = store.start_session(person.id, PLAN)
    store.save_note(s.id, "topics", "safe")
    store.close()
    files = [p for p in vault_path.parent.iterdir()]
    try:
        for p in files:
            os.chmod(p, 0o400)
        try:
            opened = open_vault(vault_path, passphrase, allow_weak=True)
        except RapportError as exc:
            assert "\n" not in str(exc)
        else:
            with opened:
                with pytest.raises(StorageError):
                    opened.save_note(s.id, "topics", "lost?")
                assert opened.notes(s.id)[0].text == "safe"
    finally:
        for p in files:
            os.chmod(p, 0o600)
    with open_vault(vault_path, passphrase, allow_weak=True) as opened:
        assert opened.notes(s.id)[0].text == "safe" and opened.verify() == []


def test_session_times_are_read_without_decrypting(store, clock):
    ann, bob = store.add_person("Ann"), store.add_person("Bob")
    s1 = store.start_session(ann.id, PLAN)
    clock.advance(60)
    s2 = store.start_session(bob.id, PLAN)
    store.end_session(s2.id)
    times = store.session_times()
    assert times == {s1.id: (s1.started_at, None),
                     s2.id: (s2.started_at, store.session(s2.id).ended_at)}
    assert list(store.session_times(ann.id)) == [s1.id]


def test_records_made_in_the_same_instant_keep_their_order(store, vault_path, passphrase, clock):
    """The clock stands still: items, jots and a session's document list what was made first,
    first (not in the order of their random ids)."""
    from store import session_document

    person = store.add_person("Ann")
    s = store.start_session(person.id, PLAN)
    texts = [f"item {n}" for n in range(12)]
    for text in texts:
        store.add_item(s.id, "action", text)
    for text in texts:
        store.add_jot(person.id, text)
    store = reopen(store, vault_path, passphrase, clock)
    assert [i.text for i in store.items(session_id=s.id)] == texts
    assert [j.text for j in store.jots(person.id)] == texts
    assert [i["text"] for i in session_document(store, s.id)["sessions"][0]["items"]] == texts
    store.close()
