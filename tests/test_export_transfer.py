"""Import and encrypted transfer: export -> import into a new vault -> export is identical (through
JSON here; through age in test_export_cli.py), strict checking of what is imported, and
all-or-nothing behaviour."""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import crypto, export, transfer
from store.errors import RapportError, WrongPassphrase
from store.models import GOAL_STATUSES, ITEM_KINDS, ITEM_STATUSES
from store.vault import create_vault

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1.5) -> None:
        self.now += timedelta(seconds=seconds)


def new_vault(directory: Path, name: str, clock: Clock):
    return create_vault(directory / name, "pw", kdf=crypto.FAST_FOR_TESTS, allow_weak=True,
                        clock=clock)


# ------------------------------------------------------------------ generated vault contents

text = st.text(max_size=40)
line = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@st.composite
def plans(draw):
    n = draw(st.integers(1, 4))
    keys = draw(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=n, max_size=n,
                         unique=True))
    return {"id": draw(st.from_regex(r"[a-z-]{1,12}", fullmatch=True)), "name": draw(text),
            "stages": [{"key": k, "title": draw(text), "minutes": draw(st.integers(0, 30)),
                        "private": draw(st.booleans()), "cues": draw(st.lists(text, max_size=2)),
                        "questions": draw(st.lists(text, max_size=2))} for k in keys]}


@st.composite
def vault_specs(draw):
    people = draw(st.lists(st.tuples(line, st.sampled_from([None, "weekly", "monthly"]), text),
                           min_size=1, max_size=3))
    sessions = []
    for _ in range(draw(st.integers(0, 3))):
        plan = draw(plans())
        keys = [s["key"] for s in plan["stages"]]
        stage = st.sampled_from(keys + [""])
        sessions.append({
            "person": draw(st.integers(0, len(people) - 1)), "plan": plan, "title": draw(text),
            "notes": draw(st.dictionaries(stage, st.tuples(text, st.booleans()), max_size=3)),
            "items": draw(st.lists(st.tuples(
                st.sampled_from(ITEM_KINDS), line, st.sampled_from(["me", "them"]),
                st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                st.sampled_from(tuple(dict.fromkeys(ITEM_STATUSES + GOAL_STATUSES))), stage),
                max_size=3)),
            "spent": draw(st.dictionaries(st.sampled_from(keys),
                                          st.floats(0, 1e5, allow_nan=False), max_size=3)),
            "asked": draw(st.dictionaries(st.sampled_from(keys),
                                          st.lists(st.integers(0, 3), max_size=3), max_size=2)),
            "end": draw(st.none() | st.integers(1, 20000)),
            "tag": draw(st.none() | st.tuples(line, line)),
        })
    jots = draw(st.lists(st.tuples(st.integers(0, len(people) - 1), line), max_size=3))
    programme = draw(st.none() | st.tuples(line, text, st.lists(line, max_size=2)))
    return {"people": people, "sessions": sessions, "jots": jots, "programme": programme}


def build(store, clock: Clock, spec) -> None:
    people = []
    for name, cadence, role in spec["people"]:
        existing = [p for p in store.people() if p.name.casefold() == name.strip().casefold()]
        people.append(existing[0] if existing else store.add_person(name, cadence=cadence, role=role))
        clock.tick()
    programme = None
    if spec["programme"]:
        name, purpose, gaps = spec["programme"]
        programme = store.add_programme(name, purpose=purpose)
        store.add_strategy_item(programme.id, "a strategy", gaps=gaps)
    for n, s in enumerate(spec["sessions"]):
        session = store.start_session(people[s["person"]].id, s["plan"], title=s["title"],
                                      programme_id=programme.id if programme and n == 0 else None)
        clock.tick(60)
        for stage, (body, private) in s["notes"].items():
            store.save_note(session.id, stage, body, private=private)
            clock.tick()
        for kind, item_text, owner, due, status, stage in s["items"]:
            item = store.add_item(session.id, kind, item_text, owner=owner, due=due,
                                  status=status, stage=stage)
            clock.tick()
            if kind == "goal":  # checked in on where it was set: the session's goals
                store.check_in_goal(item.id, progress=50, note=item_text, session_id=session.id,
                                    stage=stage)
                clock.tick()
        store.save_session_state(session.id, spent=s["spent"], asked=s["asked"])
        if s["tag"]:
            store.add_tag(session.id, s["tag"][0], s["tag"][1], subject_id=people[0].id)
        if s["end"] is not None:
            clock.tick(s["end"])
            store.end_session(session.id)
    for who, jot in spec["jots"]:
        store.add_jot(people[who].id, jot)
        clock.tick()


def every_export(store) -> list[str]:
    scope = export.Scope.all()
    return [export.render(store, scope, fmt, kind).text
            for fmt in export.FORMATS for kind in export.KINDS]


def round_trip(spec) -> None:
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        with new_vault(directory, "a.db", clock) as a:
            build(a, clock, spec)
            before = every_export(a)
            data = export.render(a, export.Scope.all(), "json", "full").data
        with new_vault(directory, "b.db", clock) as b:
            doc = transfer.read_import(data)
            result = transfer.import_document(b, doc)
            assert result.total_skipped == 0
            after = every_export(b)
            again = transfer.import_document(b, doc)
            assert again.total_added == 0 and again.total_skipped == result.total_added
            assert every_export(b) == after
    assert after == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=vault_specs())
def test_round_trip_through_json(spec):
    round_trip(spec)


# Through age: tests/test_export_cli.py (test_import_round_trip_through_plain_and_age_files),
# a full export of every kind of record, a non-ASCII passphrase, end to end through the commands.
# Each age passphrase costs a scrypt (~1-2 s of CPU): one round trip for the suite, not two.


# ------------------------------------------------------------------ strict checking


@pytest.fixture
def full_doc(store, clock):
    """A valid full document with every kind of record, and the store it came from."""
    person = store.add_person("Ana")
    programme = store.add_programme("Leaders")
    store.add_strategy_item(programme.id, "Grow", gaps=["concern"])
    session = store.start_session(person.id, {"id": "g", "name": "G", "stages": [
        {"key": "a", "title": "A", "minutes": 5, "private": False},
        {"key": "r", "title": "R", "minutes": 2, "private": True}]}, programme_id=programme.id)
    store.save_note(session.id, "a", "shared")
    store.save_note(session.id, "r", "reflection")
    store.add_item(session.id, "goal", "Lead", owner="them", due="2025-04-01")
    store.add_tag(session.id, "strength", "calm", stage="a")
    store.add_jot(person.id, "jot")
    clock.advance(600)
    store.end_session(session.id)
    return json.loads(export.render(store, export.Scope.all(), "json", "full").text)


def _mutate(doc, path, value):
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


DELETE = object()

BAD_DOCS = [
    (("format",), "other", "not a Rapport export"),
    (("version",), 3, "unsupported export version 3"),
    (("version",), True, "unsupported export version"),
    (("kind",), "summary", "only a full JSON export"),
    (("people",), DELETE, "missing 'people'"),
    (("extra",), 1, "unknown field 'extra'"),
    (("people", 0, "id"), "ABC", "people[0].id: expected an id"),
    (("people", 0, "name"), "  ", "people[0].name: must not be empty"),
    (("people", 0, "cadence"), "daily", "people[0].cadence: expected one of"),
    (("people", 0, "created_at"), "yesterday", "not an ISO 8601 timestamp"),
    (("people", 0, "created_at"), "2025-03-03T09:00:00", "no time zone"),
    (("sessions", 0, "person_id"), "f" * 32, "refers to person ffff"),
    (("sessions", 0, "programme_id"), "e" * 32, "refers to programme eeee"),
    (("sessions", 0, "plan"), [], "expected an object"),
    (("sessions", 0, "plan", "stages", 0, "minutes"), "5", "minutes: expected a whole number"),
    (("sessions", 0, "state", "spent", "a"), -1, "expected a number of at least 0"),
    (("sessions", 0, "state", "asked"), {"a": ["x"]}, "asked.a[0]: expected a whole number"),
    (("sessions", 0, "notes", 0, "private"), "no", "expected true or false"),
    (("sessions", 0, "notes", 0, "text"), 5, "expected a string"),
    (("sessions", 0, "items", 0, "kind"), "wish", "expected one of action"),
    (("sessions", 0, "items", 0, "owner"), "boss", "expected one of me, them"),
    (("sessions", 0, "items", 0, "due"), "2025-02-30", "is not a date"),
    (("sessions", 0, "tags", 0, "theme"), "", "must not be empty"),
    (("jots", 0, "person_id"), "d" * 32, "refers to person dddd"),
    (("programmes", 0, "strategy", 0, "gaps"), "concern", "expected a list"),
    (("sessions", 0, "notes", 0, "text"), "\ud800", "not valid Unicode"),
]


@pytest.mark.parametrize("path,value,message", BAD_DOCS, ids=[m for _, _, m in BAD_DOCS])
def test_malformed_documents_change_nothing(full_doc, store, tmp_path, clock, path, value, message):
    bad = _mutate(full_doc, path, value)
    data = json.dumps(bad).encode()
    with new_vault(tmp_path, "fresh.db", Clock()) as fresh:
        with pytest.raises(transfer.BadExport) as info:
            transfer.import_bytes(fresh, data)
        assert message in str(info.value)
        assert "\n" not in str(info.value)
        assert fresh.session_count() == 0 and fresh.people() == [] and fresh.exports() == []


@pytest.mark.parametrize("data,message", [
    (b"", "not JSON"),
    (b"# Conversation summary\n", "not JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[1, 2, 3]", "not a Rapport export"),
    (b'{"format": "rapport-export", "format": "rapport-export"}', "appears twice"),
    (b'{"format": "rapport-export", "version": 1, "kind": "full", "x": NaN}', "NaN"),
    (b"[" * 100000, "not a Rapport export"),
    (b'{"format": "rapport-export", "version": 1, "kind": "full", "exported_at": "20', "not JSON"),
])
def test_foreign_files_are_refused(store, data, message):
    with pytest.raises(transfer.BadExport, match=message):
        transfer.import_bytes(store, data)
    assert store.session_count() == 0


def test_duplicate_ids_in_a_file_are_refused(full_doc, store):
    doc = copy.deepcopy(full_doc)
    doc["sessions"][0]["notes"][1]["id"] = doc["sessions"][0]["notes"][0]["id"]
    with pytest.raises(transfer.BadExport, match="appears twice"):
        transfer.parse_export(json.dumps(doc).encode())


def test_import_keeps_ids_and_skips_what_is_present(full_doc, store, tmp_path):
    data = json.dumps(full_doc).encode()
    with new_vault(tmp_path, "b.db", Clock()) as b:
        first = transfer.import_bytes(b, data)
        assert {k: n for k, n in first.added.items() if n} == {
            "people": 1, "programmes": 1, "sessions": 1, "notes": 2, "items": 1, "jots": 1,
            "tags": 1, "strategy": 1, "checkins": 1}  # the goal's first check-in
        assert first.describe() == ("imported 1 person, 1 programme, 1 session, 2 notes, 1 item, "
                                    "1 jot, 1 tag, 1 strategy item, 1 goal check-in")
        session = b.session(full_doc["sessions"][0]["id"])
        assert session.person_id == full_doc["people"][0]["id"] and session.rev == 1
        second = transfer.import_bytes(b, data)
        assert second.total_added == 0 and second.total_skipped == 10
        assert second.describe().startswith("imported nothing new; skipped 1 person")
        assert b.session_count() == 1


def test_a_session_export_imports_into_the_vault_holding_its_person(full_doc, store):
    """A session-scoped full export names its person; importing it where the person already is
    only adds what is missing."""
    one = copy.deepcopy(full_doc)
    one["people"] = []
    one["jots"] = []
    one["sessions"][0]["id"] = "c" * 32
    one["sessions"][0]["notes"] = one["sessions"][0]["items"] = one["sessions"][0]["tags"] = []
    result = transfer.import_bytes(store, json.dumps(one).encode())
    assert dict(result.added)["sessions"] == 1 and store.session_count() == 2


def test_import_is_all_or_nothing(full_doc, store, tmp_path, monkeypatch):
    with new_vault(tmp_path, "b.db", Clock()) as b:
        calls = []
        real = b.engine.seal

        def failing(table, plain, secret):
            calls.append(table)
            if table == "items":
                raise RapportError("the disk is full")
            return real(table, plain, secret)

        monkeypatch.setattr(b.engine, "seal", failing)
        with pytest.raises(RapportError, match="disk is full"):
            transfer.import_bytes(b, json.dumps(full_doc).encode())
        assert "sessions" in calls  # it got part-way, and then rolled back
        monkeypatch.undo()
        assert b.session_count() == 0 and b.people() == [] and b.jots() == []


def test_age_files_need_a_passphrase(store):
    fake = transfer.AGE_MAGIC + b"-> scrypt c2FsdA 18\n---\n"
    assert transfer.is_age(fake)
    with pytest.raises(WrongPassphrase, match="passphrase is needed"):
        transfer.import_bytes(store, fake, None)
    with pytest.raises(transfer.BadExport, match="decrypt it first"):
        transfer.parse_export(fake)
    with pytest.raises(transfer.BadExport, match="armored"):
        transfer.decrypt(b"-----BEGIN AGE ENCRYPTED FILE-----\nabc\n", "pw")
    with pytest.raises(WrongPassphrase, match="empty"):
        transfer.encrypt(b"x", "")
    assert store.session_count() == 0
