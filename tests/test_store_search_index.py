"""The search index sealed in the vault: what a search finds never depends on it.

Unlocking reads the sealed index, compares its manifest with the rows and decrypts only what
changed: so after any writes, deletes, renames and re-keys, with the sealed copy current, stale,
damaged or absent, a search must answer exactly what a search over every decrypted row answers.
"""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import crypto
from store.vault import create_vault, open_vault

PLAN = {"id": "one-on-one", "name": "1-on-1",
        "stages": [{"key": "topics", "title": "Topics", "minutes": 10},
                   {"key": "wrap-up", "title": "Wrap-up", "minutes": 5}]}
WORDS = ("budget", "Straße", "STRASSE", "offsite", "ärger", "hiring", "İstanbul", "ﬁle")


def brute_force(store, query: str) -> set[tuple]:
    """Every (kind, session, stage, matched text) a search should find: each row decrypted."""
    needle = query.strip().casefold()
    found = set()
    for person in store.people():
        if needle in person.name.casefold():
            found.add(("name", None, "", person.name))
    for session in store.sessions():
        if session.title and needle in session.title.casefold():
            found.add(("title", session.id, "", session.title))
        for note in store.notes(session.id):
            if needle in note.text.casefold():
                found.add(("note", session.id, note.stage, note.text))
    for item in store.items():
        if needle in item.text.casefold():
            found.add(("item", item.session_id, item.stage, item.text))
    for jot in store.jots():
        if needle in jot.text.casefold():
            found.add(("jot", None, "", jot.text))
    return found


def found(store, query: str) -> set[tuple]:
    out = set()
    hits = store.search(query)
    # newest session first; names and jots (no session) after every session's hits
    order = [h.started_at.timestamp() if h.started_at else float("-inf") for h in hits]
    assert order == sorted(order, reverse=True)
    for hit in hits:
        # the snippet is cut from the original text, with the match inside it
        assert hit.match.casefold() == query.strip().casefold() or \
            query.strip().casefold() in hit.match.casefold()
        text = hit.snippet.strip("…")
        out.add((hit.kind, hit.session_id, hit.stage, text))
    return out


def same_as_brute_force(store, query: str) -> None:
    expected = {(k, s, st_, t if len(t) <= 120 else None) for k, s, st_, t in brute_force(store, query)}
    got = found(store, query)
    # long texts come back as snippets: compare what is comparable
    assert {(k, s, st_) for k, s, st_, _ in got} == {(k, s, st_) for k, s, st_, _ in expected}
    for k, s, st_, t in expected:
        if t is not None:
            assert (k, s, st_, " ".join(t.split("\n"))) in got


def sql(path, statement: str, params: tuple = ()) -> list:
    """One statement on the vault file behind the store's back (committed)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(statement, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def sealed_parts(path) -> int:
    return sql(path, "SELECT count(*) FROM search_cache")[0][0]


def test_sealed_index_is_read_back_and_brought_level(store, vault_path, passphrase, clock):
    ann = store.add_person("Ann")
    s1 = store.start_session(ann.id, PLAN, title="Budget")
    store.save_note(s1.id, "topics", "the budget, the offsite")
    assert store.search("budget") and store.save_search_index()
    assert not store.save_search_index()  # nothing changed since
    store.close()
    assert sealed_parts(vault_path) >= 2

    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        # changed while the sealed copy stayed as it was
        store.save_note(s1.id, "topics", "only the offsite now")
        bob = store.add_person("Bob Budget")
        s2 = store.start_session(bob.id, PLAN)
        store.add_item(s2.id, "action", "send the budget")
        store.add_jot(bob.id, "budget jot")
        store.update_person(ann.id, name="Ann Offsite")
        store.save_session_state(s1.id, title="")
        assert not store.save_search_index(min_changes=10_000)  # few changes: left stale
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        for word in ("budget", "offsite", "ann"):
            same_as_brute_force(store, word)
        assert not any(h.kind == "title" for h in store.search("budget"))


def test_deleting_a_session_drops_the_sealed_index(store, vault_path, passphrase, clock):
    ann = store.add_person("Ann")
    doomed = store.start_session(ann.id, PLAN, title="secret title")
    store.save_note(doomed.id, "topics", "a secret note")
    store.search("secret")
    assert store.save_search_index()
    store.delete_session(doomed.id)
    # the deleted text must not outlive its rows, even sealed
    assert sealed_parts(vault_path) == 0
    assert store.search("secret") == []
    assert store.save_search_index()  # written again, from the index without it
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.search("secret") == []


def one_note_sealed(store, text: str = "budget"):
    """Ann, a session with one note of ``text``, searched and the index sealed."""
    ann = store.add_person("Ann")
    session = store.start_session(ann.id, PLAN)
    store.save_note(session.id, "topics", text)
    store.search(text)
    assert store.save_search_index()
    return session


def test_a_damaged_or_foreign_sealed_index_is_rebuilt(store, vault_path, passphrase):
    one_note_sealed(store)
    store.close()
    blob = bytearray(sql(vault_path, "SELECT data FROM search_cache WHERE part = 1")[0][0])
    blob[-1] ^= 1
    sql(vault_path, "UPDATE search_cache SET data = ? WHERE part = 1", (bytes(blob),))
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]
        assert store.save_search_index()  # replaced by a good one
    sql(vault_path, "DELETE FROM search_cache WHERE part = 0")  # an incomplete set of parts
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]


def test_rotating_the_key_reseals(store, vault_path, passphrase):
    one_note_sealed(store)
    store.rotate_key(passphrase)
    assert sealed_parts(vault_path) == 0  # sealed under the old key: gone with it
    assert store.save_search_index()
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert store.search_index() is not None and store._has_sealed_index
        assert [h.kind for h in store.search("budget")] == ["note"]


OPS = st.lists(st.one_of(
    st.tuples(st.just("person"), st.sampled_from(WORDS)),
    st.tuples(st.just("session"), st.integers(0, 3), st.sampled_from(WORDS + ("",))),
    st.tuples(st.just("note"), st.integers(0, 5), st.sampled_from(("topics", "wrap-up")),
              st.lists(st.sampled_from(WORDS + ("and", "\n")), max_size=6)),
    st.tuples(st.just("item"), st.integers(0, 5), st.sampled_from(WORDS)),
    st.tuples(st.just("jot"), st.integers(0, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("rename"), st.integers(0, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("title"), st.integers(0, 5), st.sampled_from(WORDS + ("",))),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("search"), st.sampled_from(WORDS)),
    st.tuples(st.just("seal"), st.integers(0, 3)),
    st.tuples(st.just("reopen"),),
), max_size=15)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=OPS, after=OPS, part=st.sampled_from((1, 2, 3, 2000)))
def test_search_answers_as_decrypting_everything_would(tmp_path_factory, before, after, part):
    """Random writes, searches, seals and reopens; then sealed, more of them, reopened: the
    sealed copy is older than the rows, and every search still answers as brute force.

    With parts of a few documents (``part``), changes land in many parts: documents replaced
    in place, new ones placed among the older, parts split, emptied, and all made afresh."""
    import store.search as search_module

    path = tmp_path_factory.mktemp("v") / "vault.db"
    store = create_vault(path, "pw", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
    default_part, search_module._PART = search_module._PART, part
    people = [store.add_person("Zed")]
    sessions = [store.start_session(people[0].id, PLAN)]
    ops = before + [("seal", 0)] + after + [("reopen",)]
    try:
        for op in ops:
            kind = op[0]
            if kind == "person":
                people.append(store.add_person(f"{op[1]} {len(people)}"))
            elif kind == "session":
                sessions.append(store.start_session(people[op[1] % len(people)].id, PLAN,
                                                    title=op[2]))
            elif kind in ("note", "item", "title", "delete") and sessions:
                s = sessions[op[1] % len(sessions)]
                if kind == "note":
                    store.save_note(s.id, op[2], " ".join(op[3]))
                elif kind == "item":
                    store.add_item(s.id, "action", op[2])
                elif kind == "title":
                    store.save_session_state(s.id, title=op[2])
                else:
                    store.delete_session(s.id)
                    sessions.remove(s)
            elif kind == "jot":
                store.add_jot(people[op[1] % len(people)].id, op[2])
            elif kind == "rename":
                p = people[op[1] % len(people)]
                people[people.index(p)] = store.update_person(p.id, name=f"{op[2]} {p.id[:4]}")
            elif kind == "search":
                same_as_brute_force(store, op[1])
            elif kind == "seal":
                store.search_index()
                store.save_search_index(min_changes=op[1])
            elif kind == "reopen":
                store.close()
                store = open_vault(path, "pw", allow_weak=True)
        for word in WORDS:
            same_as_brute_force(store, word)
            # the filters: what passes them, of what brute force finds
            for kind in ("note", "item", "jot"):
                assert {(h.kind, h.session_id, h.stage) for h in store.search(word, kind=kind)} \
                    == {(k, s, st_) for k, s, st_, _ in brute_force(store, word) if k == kind}
            for person in people[:2]:
                assert {h.person_id for h in store.search(word, person_id=person.id)} <= {person.id}
            assert all(h.session_id for h in store.search(word, status="active"))
    finally:
        search_module._PART = default_part
        store.close()


def test_rows_gone_from_the_vault_leave_the_index(store, vault_path, passphrase):
    # Deleting through the store drops the sealed copy; a row gone any other way (an older
    # version's delete, a restored backup of a table) must not linger in search results either.
    session = one_note_sealed(store)
    store.add_item(session.id, "action", "budget item")
    store.search("budget")
    assert store.save_search_index(min_changes=1)
    store.close()
    sql(vault_path, "DELETE FROM items")
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]


def test_limit_keeps_the_newest_hits(store, clock):
    ann = store.add_person("Ann")
    sessions = []
    for day in range(6):
        clock.advance(86400)
        s = store.start_session(ann.id, PLAN)
        store.save_note(s.id, "topics", f"budget day {day}")
        sessions.append(s)
    store.add_jot(ann.id, "budget jot")
    hits = store.search("budget", limit=3)
    assert [h.session_id for h in hits] == [s.id for s in sessions[::-1][:3]]
    assert [h.kind for h in store.search("budget")][-1] == "jot"
    # with a filter, the limit counts only what passes it
    assert len(store.search("budget", kind="jot", limit=3)) == 1
    assert [h.session_id for h in store.search("budget", until=sessions[1].started_at.date(),
                                                limit=1)] == [sessions[1].id]


def test_a_delete_while_the_index_is_being_sealed_stops_it(store, monkeypatch, vault_path):
    # Sealing runs part by part without the store's lock; a session deleted meanwhile must not
    # have its text written back by the snapshot copied before the delete.
    import store.search as search_module

    ann = store.add_person("Ann")
    keep, doomed = store.start_session(ann.id, PLAN), store.start_session(ann.id, PLAN)
    store.save_note(keep.id, "topics", "kept words")
    for i in range(2100):  # more than one part of documents
        store.add_item(doomed.id, "action", f"doomed words {i}")
    store.search("words")
    parts = search_module.snapshot

    def deleting_midway(state):
        for n, part in enumerate(parts(state)):
            if n == 1:
                store.delete_session(doomed.id)
            yield part

    monkeypatch.setattr(search_module, "snapshot", deleting_midway)
    assert not store.save_search_index()
    assert sealed_parts(vault_path) == 0  # what it had written is gone again
    monkeypatch.setattr(search_module, "snapshot", parts)
    assert store.save_search_index()  # the next save writes the index without them
    store.close()
    with open_vault(vault_path, "correct horse battery staple", allow_weak=True) as reopened:
        assert reopened._sealed_index().folded and not reopened.search("doomed")
        assert [h.kind for h in reopened.search("words")] == ["note"]


def test_a_snapshot_of_another_format_is_rebuilt(store, vault_path, passphrase, monkeypatch):
    # An older version's sealed index (another layout) is not read: rebuilt from the rows, and
    # sealed again in this version's layout.
    import store.search as search_module

    session = one_note_sealed(store)
    store.add_item(session.id, "action", "budget item")
    store.search("budget")
    with monkeypatch.context() as patched:
        patched.setattr(search_module, "_MAGIC", b"rapport-search-index(2, 4)\x00")
        patched.setattr(search_module, "_HEAD", b"rapport-search-index(2, 4)\x00H")
        assert store.save_search_index(min_changes=1)
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as reopened:
        assert not reopened._sealed_index().folded and not reopened._has_sealed_index
        assert sorted(h.kind for h in reopened.search("budget")) == ["item", "note"]
        assert reopened.save_search_index()  # the older one replaced
    with open_vault(vault_path, passphrase, allow_weak=True) as reopened:
        assert len(reopened._sealed_index().folded) == 3  # Ann's name, the note, the item


def in_order(store, query: str) -> list[tuple]:
    """(kind, session, stage) of every hit, in the order given: newest session first."""
    hits = store.search(query, limit=10_000)
    order = [h.started_at.timestamp() if h.started_at else float("-inf") for h in hits]
    assert order == sorted(order, reverse=True)
    return [(h.kind, h.session_id, h.stage) for h in hits]


def test_changes_to_a_sealed_index_patch_its_parts(vault_path, passphrase, clock, monkeypatch):
    # A sealed part read back is patched by changes (documents dropped, replaced, put beside it
    # in their places), patched again, sealed patched, joined again when the changes pile up:
    # every search answers as brute force, in order, across many small parts.
    import store.search as search_module

    monkeypatch.setattr(search_module, "_PART", 6)
    store = create_vault(vault_path, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    people = [store.add_person(f"Person {i}") for i in range(3)]
    sessions = []
    for day in range(40):
        clock.advance(86400 * (1 if day % 3 else 0))  # some sessions start at the same moment
        s = store.start_session(people[day % 3].id, PLAN, title=f"budget title {day}")
        store.save_note(s.id, "topics", f"budget note {day}")
        store.add_item(s.id, "action", f"offsite item {day}")
        sessions.append(s)
    store.add_jot(people[0].id, "budget jot")
    store.search("budget")
    assert store.save_search_index()
    store.close()

    def check(store):
        for word in ("budget", "offsite", "person", "edited"):
            same_as_brute_force(store, word)
            in_order(store, word)

    for round_ in range(3):
        store = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
        try:
            check(store)
            middle = sessions[len(sessions) // 2]
            store.save_note(middle.id, "topics", f"edited budget {round_}")  # replaced in place
            store.add_item(middle.id, "action", f"budget added {round_}")  # among the older
            store.add_item(sessions[0].id, "goal", "offsite oldest")
            check(store)
            kinds = {type(part).__name__ for part in store.search_index().parts}
            assert kinds == {"_Part", "_PatchedPart"}  # a few patched, the rest as read
            assert store.save_search_index(min_changes=1)  # sealed patched: joined as sealed
            store.save_note(middle.id, "topics", f"edited budget twice {round_}")
            store.add_item(middle.id, "action", f"budget added again {round_}")
            check(store)
            store.save_note(middle.id, "topics", f"edited budget thrice {round_}")
            store.save_note(middle.id, "wrap-up", "edited again")  # the part patched again
            store.update_person(people[1].id, name=f"Person edited {round_}")
            store.save_session_state(sessions[1].id, title="")  # a title gone
            check(store)
            doomed = sessions.pop(3 + round_)
            store.delete_session(doomed.id)
            check(store)
            for i in range(10):  # piled up on one part: joined again
                store.add_item(sessions[-1].id, "action", f"budget pile {round_} {i}")
                store.search("pile")
            assert type(store.search_index().parts[0]).__name__ == "_Part"
            check(store)
            assert store.save_search_index(min_changes=1)  # sealed with its patches applied
        finally:
            store.close()
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        check(store)


def test_documents_share_one_copy_of_the_values_they_repeat(store, vault_path, passphrase,
                                                            clock):
    """Every decrypted row brings its own copy of its person's and session's ids, stage and
    kind: an index over 50,000 documents would hold 50,000 of them (G7's peak memory). Read
    back from the vault (not from the writes' objects), the documents hold one of each."""
    ann = store.add_person("Ann")
    sessions = [store.start_session(ann.id, PLAN, title=f"Budget {n}") for n in range(2)]
    for s in sessions:
        store.save_note(s.id, "topics", "the budget")
        store.save_note(s.id, "wrap-up", "budget again")
        for n in range(3):
            store.add_item(s.id, "action", f"budget item {n}", stage="topics")
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        assert len(store.search("budget")) == 2 + 4 + 6
        index = store.search_index()
        docs = [doc for part in index._settle() for doc in part.docs()]
        assert len(docs) == 1 + 2 + 4 + 6  # the name too
        for field in range(4):  # person id, session id, stage, item kind
            values = [doc[2][field] for doc in docs if doc[2][field]]
            assert len({id(v) for v in values}) == len(set(values)), field
        held = {id(sid) for sid in index.sessions}  # the filters' table of sessions: the same
        assert all(id(doc[2][1]) in held for doc in docs if doc[2][1])
