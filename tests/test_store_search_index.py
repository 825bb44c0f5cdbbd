"""The search index (in-memory SQLite, sealed in the vault between runs): what a search finds
never depends on it.

Each search brings the index level with the rows (only what changed is decrypted); so after any
writes, deletes, renames and re-keys, with the sealed copy current, stale, damaged or absent, with
FTS5 or ``instr`` alone, a search must answer exactly what a search over every decrypted row
answers.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

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
    for point in store.talking_points():  # its status where a note has its stage
        if needle in point.text.casefold():
            found.add(("point", None, point.status, point.text))
    for entry in store.feedback():  # given or received where a note has its stage
        text = "\n".join(t for t in (entry.situation, entry.behaviour, entry.impact,
                                     entry.response, entry.next_step) if t)
        if needle in text.casefold():
            found.add(("feedback", entry.session_id, entry.direction, text))
    return found


def found(store, query: str) -> set[tuple]:
    out = set()
    hits = store.search(query)
    # talking points first, then newest session first; names and jots (no session) last
    order = [float("inf") if h.kind == "point" else h.started_at.timestamp() if h.started_at
             else float("-inf") for h in hits]
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
    point = store.add_talking_point(ann.id, "the budget again")
    assert store.search("budget") and store.save_search_index()
    assert not store.save_search_index()  # nothing changed since
    store.close()
    assert sealed_parts(vault_path) >= 1

    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as store:
        # changed while the sealed copy stayed as it was
        store.save_note(s1.id, "topics", "only the offsite now")
        bob = store.add_person("Bob Budget")
        s2 = store.start_session(bob.id, PLAN)
        store.add_item(s2.id, "action", "send the budget")
        store.add_jot(bob.id, "budget jot")
        store.update_person(ann.id, name="Ann Offsite")
        store.save_session_state(s1.id, title="")
        store.update_talking_point(point.id, text="the offsite again")
        store.add_talking_point(bob.id, "their budget", owner="theirs")
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
    # the deleted text must not outlive its rows, even sealed: the sealed copy went with them,
    # and the one written again at once (from the index in memory) is without it
    assert sealed_parts(vault_path) >= 1
    assert holding(sealed_shards(vault_path, passphrase), "ecr") == 0
    assert store.search("secret") == []
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
    blob = bytearray(sql(vault_path, "SELECT data FROM search_cache WHERE part = 0")[0][0])
    blob[-1] ^= 1
    sql(vault_path, "UPDATE search_cache SET data = ? WHERE part = 0", (bytes(blob),))
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]
        assert store.save_search_index()  # replaced by a good one
    sql(vault_path, "UPDATE search_cache SET count = count + 1")  # an incomplete set of parts
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]


def test_rotating_the_key_reseals(store, vault_path, passphrase):
    one_note_sealed(store)
    store.rotate_key(passphrase)
    assert sealed_parts(vault_path) == 0  # sealed under the old key: gone with it
    assert store.save_search_index()
    store.close()
    assert sealed_parts(vault_path) >= 1
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("budget")] == ["note"]
        assert not store.save_search_index()  # read back under the new key: nothing to write


OPS = st.lists(st.one_of(
    st.tuples(st.just("person"), st.sampled_from(WORDS)),
    st.tuples(st.just("session"), st.integers(0, 3), st.sampled_from(WORDS + ("",))),
    st.tuples(st.just("note"), st.integers(0, 5), st.sampled_from(("topics", "wrap-up")),
              st.lists(st.sampled_from(WORDS + ("and", "\n")), max_size=6)),
    st.tuples(st.just("item"), st.integers(0, 5), st.sampled_from(WORDS)),
    st.tuples(st.just("jot"), st.integers(0, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("point"), st.integers(0, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("repoint"), st.integers(0, 5), st.sampled_from(WORDS + ("covered",))),
    st.tuples(st.just("unpoint"), st.integers(0, 5)),
    st.tuples(st.just("feedback"), st.integers(-1, 5), st.sampled_from(WORDS),
              st.sampled_from(("situation", "impact", "response"))),
    st.tuples(st.just("unfeedback"), st.integers(0, 5)),
    st.tuples(st.just("rename"), st.integers(0, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("title"), st.integers(0, 5), st.sampled_from(WORDS + ("",))),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("search"), st.sampled_from(WORDS)),
    st.tuples(st.just("seal"), st.integers(0, 3)),
    st.tuples(st.just("reopen"),),
), max_size=15)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=OPS, after=OPS, fts=st.booleans())
def test_search_answers_as_decrypting_everything_would(tmp_path_factory, before, after, fts):
    """Random writes, searches, seals and reopens; then sealed, more of them, reopened: the
    sealed copy is older than the rows, and every search still answers as brute force, with
    FTS5's trigrams finding the candidates or ``instr`` scanning every document."""
    import store.search_index as index_module

    path = tmp_path_factory.mktemp("v") / "vault.db"
    store = create_vault(path, "pw", kdf=crypto.FAST_FOR_TESTS, allow_weak=True)
    default_fts = index_module._FTS
    if not fts:
        index_module._FTS = "CREATE VIRTUAL TABLE fts USING no_such_module(folded);"
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
            elif kind == "point":
                store.add_talking_point(people[op[1] % len(people)].id, op[2])
            elif kind in ("repoint", "unpoint") and store.talking_points():
                points = store.talking_points()
                p = points[op[1] % len(points)]
                if kind == "unpoint":
                    store.delete_talking_point(p.id)
                elif op[2] == "covered":
                    store.update_talking_point(p.id, status="covered")
                else:
                    store.update_talking_point(p.id, text=op[2])
            elif kind == "feedback":  # -1: of no session; else a session's, filled in
                if op[1] < 0 or not sessions:
                    store.add_feedback(people[0].id, **{op[3]: op[2]})
                else:
                    store.fill_feedback(sessions[op[1] % len(sessions)].id, **{op[3]: op[2]})
            elif kind == "unfeedback" and store.feedback():
                entries = store.feedback()
                store.delete_feedback(entries[op[1] % len(entries)].id)
            elif kind == "rename":
                p = people[op[1] % len(people)]
                people[people.index(p)] = store.update_person(p.id, name=f"{op[2]} {p.id[:4]}")
            elif kind == "search":
                same_as_brute_force(store, op[1])
            elif kind == "seal":
                store.search("a")  # the index built
                store.save_search_index(min_changes=op[1])
            elif kind == "reopen":
                store.close()
                store = open_vault(path, "pw", allow_weak=True)
        for word in WORDS:
            same_as_brute_force(store, word)
            # the filters: what passes them, of what brute force finds
            for kind in ("note", "item", "jot", "point", "feedback"):
                assert {(h.kind, h.session_id, h.stage) for h in store.search(word, kind=kind)} \
                    == {(k, s, st_) for k, s, st_, _ in brute_force(store, word) if k == kind}
            for person in people[:2]:
                assert {h.person_id for h in store.search(word, person_id=person.id)} <= {person.id}
            assert all(h.session_id for h in store.search(word, status="active"))
    finally:
        index_module._FTS = default_fts
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


def sealed_shards(path, passphrase: str) -> list[bytes]:
    """Every shard of the sealed search index, decrypted (the test opens them with the vault's
    key)."""
    from store import keyslot
    from store.search import _part_aad

    conn = sqlite3.connect(path)
    try:
        slot = keyslot.read(conn, path)
        rows = conn.execute("SELECT snapshot, part, count, data FROM search_cache"
                            " ORDER BY snapshot, part").fetchall()
    finally:
        conn.close()
    cipher = crypto.FieldCipher(slot.unlock(passphrase, allow_weak=True)[1])
    shards: dict[str, bytes] = {}
    for snap, part, count, data in rows:
        shards[snap] = shards.get(snap, b"") + cipher.open_bytes(data,
                                                                 _part_aad(snap, part, count))
    return list(shards.values())


def holding(images: list[bytes], trigram: str) -> int:
    """How many documents of these sealed shards FTS5 says hold ``trigram``."""
    found = 0
    for image in images:
        conn = sqlite3.connect(":memory:")
        conn.deserialize(image)
        found += conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?",
                              (f'"{trigram}"',)).fetchone()[0]
        conn.close()
    return found


def test_a_deleted_sessions_text_is_not_in_the_next_sealed_index(store, vault_path, passphrase):
    # The sealed index holds no text at all, and its FTS5 trigrams are made again from the
    # current texts before it is sealed: after a session is deleted (its sealed shard goes in
    # the same transaction) and a note replaced, nothing of either is left in what is sealed.
    ann = store.add_person("Ann")
    keep, doomed = store.start_session(ann.id, PLAN), store.start_session(ann.id, PLAN)
    store.save_note(keep.id, "topics", "kept words, zanzibar first draft")
    for i in range(300):
        store.add_item(doomed.id, "action", f"doomed quetzal words {i}")
    store.search("words")
    assert store.save_search_index()
    images = sealed_shards(vault_path, passphrase)
    assert holding(images, "etz") == 300 and holding(images, "anz") == 1  # (what is checked)
    assert not any(b"quetzal" in image or b"zanzibar" in image for image in images)
    store.delete_session(doomed.id)
    store.save_note(keep.id, "topics", "kept words, second draft")
    assert [h.kind for h in store.search("words")] == ["note"]
    assert store.save_search_index(min_changes=1)
    images = sealed_shards(vault_path, passphrase)
    assert holding(images, "etz") == 0 and holding(images, "anz") == 0
    assert holding(images, "ond") == 1  # "second"


def test_an_index_of_another_layout_is_rebuilt(store, vault_path, passphrase, monkeypatch):
    import store.search_index as index_module

    one_note_sealed(store)
    store.close()
    monkeypatch.setattr(index_module, "SCHEMA_VERSION", index_module.SCHEMA_VERSION + 1)
    with open_vault(vault_path, passphrase, allow_weak=True) as reopened:
        assert [h.kind for h in reopened.search("budget")] == ["note"]
        assert reopened.save_search_index()  # the old one replaced


def test_two_letter_queries_scan_every_document(store):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, PLAN)
    store.save_note(s.id, "topics", "an ox")
    assert [h.match for h in store.search("OX")] == ["ox"]
    assert [h.match for h in store.search("x")] == ["x"]


def test_talking_points_are_found_and_a_deleted_ones_text_leaves_the_index(
        store, vault_path, passphrase, clock):
    ann = store.add_person("Ann")
    session = store.start_session(ann.id, PLAN)
    store.save_note(session.id, "topics", "the rota, in a note")
    mine = store.add_talking_point(ann.id, "Ask about the on-call rota")
    clock.advance(60)  # (points in the order they were written)
    doomed = store.add_talking_point(ann.id, "their quetzal rota", owner="theirs")
    hits = store.search("rota")
    # before the sessions' hits (what to raise next), with its status and owner
    assert [(h.kind, h.stage, h.item_kind, h.record_id) for h in hits] == [
        ("point", "open", "mine", mine.id), ("point", "open", "theirs", doomed.id),
        ("note", "topics", "", store.notes(session.id)[0].id)]
    assert [h.record_id for h in store.search("rota", kind="point", person_id=ann.id)] \
        == [mine.id, doomed.id]
    assert store.search("rota", kind="mine") == []  # an owner is not a kind of record
    # no session: a session's filter leaves it out; a date filter reads the day it was written
    assert [h.kind for h in store.search("rota", status="active")] == ["note"]
    day = clock().date()
    clock.advance(2 * 86400)
    store.add_jot(ann.id, "a jot on the rota")
    assert [h.kind for h in store.search("rota", until=day)] == ["point", "point", "note"]
    assert [(h.kind, h.created_at) for h in store.search("rota", since=day + timedelta(days=1))
            ] == [("jot", clock())]
    assert [h.kind for h in store.search("rota", since=day, until=day, kind="point")] \
        == ["point", "point"]
    store.cover_talking_point(mine.id, session.id)
    store.update_talking_point(doomed.id, text="their quetzal rota, sooner")
    assert [(h.stage, h.snippet) for h in store.search("rota", kind="point")] == [
        ("covered", "Ask about the on-call rota"), ("open", "their quetzal rota, sooner")]
    assert store.save_search_index()
    assert holding(sealed_shards(vault_path, passphrase), "etz") == 1  # (what is checked)
    # deleted: the sealed shard of points went in the same transaction, sealed again at once
    # from the index in memory, without it
    store.delete_talking_point(doomed.id)
    assert holding(sealed_shards(vault_path, passphrase), "etz") == 0
    assert [h.record_id for h in store.search("rota", kind="point")] == [mine.id]
    other = store.add_talking_point(ann.id, "zanzibar rota")
    assert store.search("zanzibar") and store.save_search_index(min_changes=1)
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        # deleted before any search (no index in memory): nothing of it is left sealed either
        store.delete_talking_point(other.id)
        assert holding(sealed_shards(vault_path, passphrase), "anz") == 0
        assert store.search("zanzibar") == []
        assert [h.kind for h in store.search("rota")] == ["point", "note", "jot"]


def test_an_index_sealed_before_talking_points_takes_them_in(store, vault_path, passphrase,
                                                            monkeypatch):
    import store.search as search_module

    ann = store.add_person("Ann")
    store.add_jot(ann.id, "a jot about the rota")
    point = store.add_talking_point(ann.id, "Ask about the on-call rota", owner="theirs")
    # sealed as Rapport did before talking points were searched
    monkeypatch.setattr(search_module, "SOURCES", {
        table: source for table, source in search_module.SOURCES.items()
        if table != "talking_points"})
    assert [h.kind for h in store.search("rota")] == ["jot"]
    assert store.save_search_index()
    store.close()
    monkeypatch.undo()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        hits = store.search("rota")
        assert [(h.kind, h.stage, h.item_kind) for h in hits] == [
            ("point", "open", "theirs"), ("jot", "", "")]
        assert hits[0].record_id == point.id
        assert store._search.unsaved == 1  # read back and patched: only the point was read
        assert store.save_search_index(min_changes=1)
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        assert [h.kind for h in store.search("rota")] == ["point", "jot"]
        assert not store.save_search_index(min_changes=1)  # nothing changed since


def test_feedback_is_found_and_a_deleted_entrys_text_leaves_the_sealed_index(
        store, vault_path, passphrase, clock):
    """A feedback entry's situation, behaviour, impact, response and next step are searched:
    one of a session in its session's place (newest first), one of no session with the jots
    (a date filter reads the day it was written). Deleting one takes its text out of the
    sealed index in the same transaction, as a deleted talking point's."""
    ann = store.add_person("Ann")
    session = store.start_session(ann.id, PLAN)
    store.save_note(session.id, "topics", "the rollback, in a note")
    said = store.fill_feedback(session.id, situation="Friday's release review",
                               behaviour="walked us through the rollback plan")
    store.update_feedback(said.id, kind="praise")
    clock.advance(86400)
    alone = store.add_feedback(ann.id, direction="received", impact="a quetzal rollback")
    hits = store.search("rollback")
    assert [(h.kind, h.session_id, h.stage, h.item_kind) for h in hits] == [
        ("note", session.id, "topics", ""), ("feedback", session.id, "given", "praise"),
        ("feedback", None, "received", "developmental")]
    assert hits[1].snippet == "Friday's release review walked us through the rollback plan"
    assert [h.record_id for h in store.search("rollback", kind="feedback")] == [said.id, alone.id]
    assert [h.record_id for h in store.search("rollback", since=clock().date(), kind="feedback")
            ] == [alone.id]
    assert store.save_search_index()
    assert holding(sealed_shards(vault_path, passphrase), "etz") == 1  # (what is checked)
    store.delete_feedback(alone.id)
    assert holding(sealed_shards(vault_path, passphrase), "etz") == 0
    assert [h.record_id for h in store.search("rollback", kind="feedback")] == [said.id]
    store.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as store:
        # deleted before any search (no index in memory): nothing of it is left sealed either
        store.delete_feedback(said.id)
        assert holding(sealed_shards(vault_path, passphrase), "fri") == 0
        assert [h.kind for h in store.search("rollback")] == ["note"]
