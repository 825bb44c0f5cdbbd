"""``rapport list | show | search | people | items | jot`` over a real (fast-KDF) vault."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from guides.loader import builtin_guides
from store.crypto import FAST_FOR_TESTS
from store.vault import create_vault, open_vault
from tui.cli import cli

PASSPHRASE = "pw-test-1234"
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def tz_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("RAPPORT_PASSPHRASE", raising=False)
    monkeypatch.delenv("RAPPORT_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "100")  # search fits its lines to the terminal's width
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def home(tmp_path):
    """A vault with two people, three sessions and items; returns (home, ids)."""
    home = tmp_path / "home"
    clock = Clock(datetime(2025, 2, 10, 10, 0, tzinfo=timezone.utc))
    store = create_vault(home / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    guide = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    alice = store.add_person("Alice Martin", cadence="weekly")
    store.add_person("Alina Smith")
    bo = store.add_person("Bo Chen", cadence="monthly")
    a1 = store.start_session(alice.id, guide, title="Planning", started_at=clock())
    store.save_note(a1.id, "check-in", "Worried about the budget freeze.")
    store.save_note(a1.id, "reflection", "I talked too much.", private=True)
    store.add_item(a1.id, "action", "Send the roadmap draft", owner="them", due="2025-02-20",
                   stage="follow-up")
    store.add_item(a1.id, "action", "Book the offsite", owner="me", due="2025-03-10",
                   stage="follow-up")
    store.add_item(a1.id, "goal", "Lead the Q2 planning", owner="them", status="at-risk")
    store.save_session_state(a1.id, spent={"check-in": 240, "follow-up": 300})
    store.end_session(a1.id, ended_at=datetime(2025, 2, 10, 10, 30, tzinfo=timezone.utc))
    done = store.add_item(a1.id, "action", "Already done", owner="me")
    store.update_item(done.id, status="done")
    b1 = store.start_session(bo.id, guide,
                             started_at=datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc))
    store.save_note(b1.id, "agenda", "The BUDGET review slipped.")
    store.close()
    (home / "pw").write_text(PASSPHRASE + "\n")
    return home, {"alice": alice.id, "bo": bo.id, "a1": a1.id, "b1": b1.id}


def run(home, *args, input=None):
    result = CliRunner().invoke(
        cli, ["--home", str(home), "--passphrase-file", str(home / "pw"), *args],
        obj={"kdf": FAST_FOR_TESTS, "allow_weak": True, "clock": Clock(NOW)}, input=input)
    return result


def doc(result, key: str):
    """The records of a ``--json`` document: ``{"version": 1, key: records}`` and nothing else."""
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["version", key] and document["version"] == 1, document
    return document[key]


def error_line(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rapport: error: ")
    assert "Traceback" not in result.output
    return lines[0]


# ---------------------------------------------------------------------- list
def test_list_text_and_json(home):
    home, ids = home
    result = run(home, "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "DATE", "PERSON", "GUIDE", "LENGTH", "STATUS", "OPEN",
                                "TITLE"]
    assert lines[1].startswith(ids["b1"][:8]) and "Bo Chen" in lines[1] and "active" in lines[1]
    assert lines[2].startswith(ids["a1"][:8]) and "2025-02-10 10:00" in lines[2]
    assert lines[2].rstrip().endswith("Planning")

    data = doc(run(home, "list", "--json"), "sessions")
    assert [s["id"] for s in data] == [ids["b1"], ids["a1"]]
    assert data[1] == {"id": ids["a1"], "person": "Alice Martin", "person_id": ids["alice"],
                       "title": "Planning", "guide": "1-on-1", "guide_id": "one-on-one",
                       "status": "ended", "started_at": "2025-02-10T10:00:00+00:00",
                       "ended_at": "2025-02-10T10:30:00+00:00", "spent_seconds": 540.0,
                       "open_items": 2}


def test_list_filters(home):
    home, ids = home
    only_bo = doc(run(home, "list", "--person", "bo", "--json"), "sessions")
    assert [s["id"] for s in only_bo] == [ids["b1"]]
    ended = doc(run(home, "list", "--status", "ended", "--json"), "sessions")
    assert [s["id"] for s in ended] == [ids["a1"]]
    nothing = run(home, "list", "--person", "Alina Smith")
    assert nothing.exit_code == 0 and nothing.stdout == "" and "no sessions" in nothing.stderr


@pytest.mark.parametrize("args, message", [
    (("list", "--status", "paused"), "'paused' is not one of 'active', 'ended' (see 'rapport list --help')"),
    (("search", "   "), "give some text to search for"),
    (("list", "--person", "Zed"), "no person called 'Zed'"),
    (("list", "--person", "Al"), "'Al' matches several people: Alice Martin, Alina Smith"),
    (("show", "ffffffff"), "no session with id 'ffffffff'"),
    (("show", "xyz"), "no session with id 'xyz'"),
    (("search", "budget", "--person", "Zed"), "no person called 'Zed'"),
    (("search", "budget", "--status", "done"), "'done' is not one of 'active', 'ended'"),
    (("search", "budget", "--since", "yesterday"), "'--since': 'yesterday' is not a date"),
    (("search", "budget", "--kind", "memo"), "'memo' is not one of 'note', 'item'"),
    (("items", "--person", "Nobody"), "no person called 'Nobody'"),
    (("jot", "--with", "Zed", "hello"), "no person called 'Zed'"),
    (("jot", "--with", "Al", "hello"), "matches several people"),
])
def test_bad_input_is_one_error_line(home, args, message):
    home, ids = home
    # a bad option value is a usage error (exit 2, as click's own); a record not found is 1
    usage = any(word in message for word in ("is not", "give some text"))
    line = error_line(run(home, *args), 2 if usage else 1)
    assert message in line


def test_wrong_passphrase_is_one_error_line(home):
    home, ids = home
    (home / "pw").write_text("wrong\n")
    assert "passphrase" in error_line(run(home, "list"))


# ---------------------------------------------------------------------- show
def test_show_by_prefix_text_and_json(home):
    home, ids = home
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        store.set_pulse(ids["a1"], 2, "stretched")  # what it recorded, before its items
    result = run(home, "show", ids["a1"][:6])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Alice Martin · Planning\n")
    assert "| 1. Check-in | 3 min | 4 min |" in out  # the export's words for time
    assert "Worried about the budget freeze." in out
    assert "## 7. Private reflection 🔒 private" in out and "I talked too much." in out
    assert "- ▸ Send the roadmap draft — owner Alice Martin · due 2025-02-20 · open" in out
    assert "- ★ Lead the Q2 planning — owner Alice Martin · at-risk" in out
    assert "\n\n## Recorded\n\n- Pulse: 2/5 (stretched)\n\n## Items\n" in out

    data = doc(run(home, "show", ids["a1"], "--json"), "session")  # the export document
    assert data["format"] == "rapport-export" and data["kind"] == "full"
    (session,) = data["sessions"]
    assert session["id"] == ids["a1"] and session["ended_at"] is not None
    assert [p["name"] for p in data["people"]] == ["Alice Martin"]
    stages = {s["key"]: s for s in session["plan"]["stages"]}
    assert stages["reflection"]["private"] is True
    notes = {n["stage"]: n for n in session["notes"]}
    assert notes["check-in"]["text"] == "Worried about the budget freeze."
    assert notes["reflection"]["private"] is True
    assert session["state"]["spent"]["check-in"] == 240.0
    assert {i["text"] for i in session["items"]} >= {"Send the roadmap draft",
                                                      "Lead the Q2 planning"}


# ---------------------------------------------------------------------- search
def test_search_text_json_and_filters(home):
    home, ids = home
    result = run(home, "search", "budget")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"2025-03-01  {ids['b1'][:8]}  Bo Chen  Their agenda: ")
    assert "The BUDGET review slipped." in lines[0]  # original case kept
    assert "Alice Martin  Check-in: Worried about the budget freeze." in lines[1]

    hits = doc(run(home, "search", "budget", "--json"), "results")
    assert [h["session_id"] for h in hits] == [ids["b1"], ids["a1"]]
    first = hits[0]
    assert first["stage"] == "agenda"
    assert first["stage_title"] == "Their agenda"
    assert first["snippet"][first["match"][0]:first["match"][1]] == "BUDGET"

    assert len(doc(run(home, "search", "budget", "--person", "alice", "--json"), "results")) == 1
    active = run(home, "search", "budget", "--status", "active", "--json")
    assert len(doc(active, "results")) == 1
    assert len(doc(run(home, "search", "budget", "--until", "2025-02-28",
                           "--json"), "results")) == 1
    goals = doc(run(home, "search", "q2", "--kind", "goal", "--json"), "results")
    assert [h["item_kind"] for h in goals] == ["goal"]

    # a talking point: found before the sessions' hits, said to be one, whose, in what state
    assert run(home, "jot", "--with", "bo", "--theirs", "Ask how the budget landed").exit_code == 0
    lines = run(home, "search", "budget").stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2025-03-03") and lines[0].endswith(
        "Bo Chen  talking point (theirs, open): Ask how the budget landed")
    (point,) = doc(run(home, "search", "budget", "--kind", "point", "--json"), "results")
    assert (point["kind"], point["person"], point["session_id"], point["date"]) == (
        "point", "Bo Chen", None, "2025-03-03T09:00:00+00:00")  # the day it was written
    assert point["point"]["owner"] == "theirs" and point["point"]["status"] == "open"
    assert [h["kind"] for h in doc(run(home, "search", "budget", "--status", "active",
                                       "--json"), "results")] == ["note"]  # no session
    assert [h["kind"] for h in doc(run(home, "search", "budget", "--since", "2025-03-02",
                                       "--json"), "results")] == ["point"]


def test_search_seals_its_index_and_answers_when_it_cannot(home):
    import sqlite3

    home, ids = home
    vault = home / "vault.db"
    first = run(home, "search", "budget", "--json").stdout
    conn = sqlite3.connect(vault)
    assert conn.execute("SELECT count(*) FROM search_cache").fetchone()[0] >= 1  # sealed
    conn.execute("DROP TABLE search_cache")  # sealing can no longer be written
    conn.commit()
    conn.close()
    result = run(home, "search", "budget", "--json")
    # the search is answered all the same (decrypting every row); only the sealing failed
    assert result.exit_code == 0, result.output
    assert result.stdout == first and result.stderr == ""


def test_search_no_results(home):
    home, ids = home
    result = run(home, "search", "quokka")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no results for 'quokka'" in result.stderr
    assert doc(run(home, "search", "quokka", "--json"), "results") == []


# ---------------------------------------------------------------------- people, items
def test_people_text_and_json(home):
    home, ids = home
    result = run(home, "people")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SESSIONS", "LAST", "MET", "CADENCE", "NEXT",
                                "MEETING", "THEIRS", "MINE", "GOALS"]
    alice = next(line for line in lines if line.startswith("Alice Martin"))
    assert "overdue since 2025-02-17" in alice and "1 (1 at risk)" in alice
    # last met as the app's list says it: the last ended session; Bo's one session was started
    # and never ended (no summary, not "last time"): marked, and the mark said under the table
    assert "2025-02-10" in alice and "●" not in alice
    bo = next(line for line in lines if line.startswith("Bo Chen"))
    assert " ● " in bo and "2025-03-01" not in bo
    assert result.stderr == "● a session still open: 'rapport list --status active'\n"

    data = {p["name"]: p for p in doc(run(home, "people", "--json"), "people")}
    assert (data["Alice Martin"]["last_met"], data["Alice Martin"]["last_ended"],
            data["Alice Martin"]["still_open"]) == ("2025-02-10", "2025-02-10", None)
    assert (data["Bo Chen"]["last_met"], data["Bo Chen"]["last_ended"],
            data["Bo Chen"]["still_open"]) == ("2025-03-01", None, "2025-03-01")
    assert data["Alice Martin"]["due"] == "overdue"
    assert data["Alice Martin"]["next_due"] == "2025-02-17"
    assert data["Alice Martin"]["open_theirs"] == 1 and data["Alice Martin"]["open_mine"] == 1
    assert data["Alice Martin"]["goals"] == [{"text": "Lead the Q2 planning", "status": "at-risk",
                                             "owner": "them", "due": None}]
    assert data["Bo Chen"]["next_due"] == "2025-03-31" and data["Bo Chen"]["due"] == "later"
    assert data["Alina Smith"]["cadence"] is None and data["Alina Smith"]["next_due"] is None
    assert data["Alina Smith"]["next_meeting"] is None
    assert data["Bo Chen"]["next_meeting"] == {"date": "2025-03-31", "time": None,
                                               "minutes": None, "source": "cadence",
                                               "state": "later"}


def test_people_shows_the_meeting_you_set_not_the_cadence(home):
    """A date set with 'rapport schedule' overrides the cadence: the table shows it, as the
    People screen and 'rapport schedule' do (the cadence alone said Alice was overdue)."""
    from datetime import date

    home, ids = home
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        store.set_next_meeting(ids["alice"], date(2025, 3, 5), time="10:00", minutes=30)
    alice = next(line for line in run(home, "people").stdout.splitlines()
                 if line.startswith("Alice Martin"))
    assert "2025-03-05 10:00" in alice and "overdue" not in alice
    data = {p["name"]: p for p in doc(run(home, "people", "--json"), "people")}
    assert data["Alice Martin"]["next_meeting"] == {"date": "2025-03-05", "time": "10:00",
                                                    "minutes": 30, "source": "set",
                                                    "state": "soon"}
    assert data["Alice Martin"]["next_due"] == "2025-02-17"  # (by the cadence, as documented)


def test_people_in_an_80_column_terminal_keeps_names_readable(home, monkeypatch):
    """Too narrow for the whole table: the sessions count goes, the next meeting is relative,
    and the names keep their room; every line fits 80 cells, nothing wraps."""
    from datetime import date

    from rich.cells import cell_len

    from tui import format as fmt

    home, ids = home
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        store.update_person(ids["alice"], name="Alice Martin-Delacroix de Montfort")
        store.set_next_meeting(ids["bo"], date(2025, 3, 5), time="10:00")
    wide = run(home, "people").stdout.splitlines()  # a pipe: the whole table, uncut
    assert max(cell_len(line) for line in wide) > 80 and "SESSIONS" in wide[0]
    monkeypatch.setattr(fmt, "terminal_width", lambda: 80)
    lines = run(home, "people").stdout.splitlines()
    assert lines[0].split() == ["NAME", "LAST", "MET", "CADENCE", "NEXT", "THEIRS", "MINE",
                                "GOALS"]
    assert all(cell_len(line) <= 80 for line in lines)
    alice, alina, bo = lines[1:]
    assert alice.startswith("Alice Martin-Del…") and "14d overdue" in alice
    assert "1 (1 at risk)" in alice
    assert bo.startswith("Bo Chen ") and "in 2d 10:00" in bo
    assert alina.startswith("Alina Smith ") and alina.split()[-4:] == ["-", "0", "0", "0"]


def test_items_open_overdue_first(home):
    home, ids = home
    everything = doc(run(home, "items", "--json"), "items")
    assert [i["text"] for i in everything] == ["Send the roadmap draft", "Book the offsite",
                                               "Lead the Q2 planning", "Already done"]
    assert everything[0]["overdue"] is True and everything[0]["whose"] == "theirs"
    assert everything[0]["person"] == "Alice Martin"
    open_only = doc(run(home, "items", "--open", "--json"), "items")
    assert "Already done" not in [i["text"] for i in open_only]
    result = run(home, "items", "--open")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "DUE", "PERSON", "KIND", "WHOSE", "STATUS", "SESSION",
                                "TEXT"]
    roadmap = everything[0]["id"]
    assert lines[1].startswith(f"{roadmap[:8]}  2025-02-20 !")
    assert lines[1].endswith("Send the roadmap draft")
    assert run(home, "items", "--person", "bo").stderr.strip() == "no items"


def test_items_done_from_the_command_line(home, monkeypatch):
    """Following through without the app: 'rapport items done ID...' (the ids 'rapport items'
    shows); all or nothing, a failure part-way included; a goal is checked in on instead."""
    from store import StorageError
    from store.items import Items

    home, ids = home
    found = {i["text"]: i["id"] for i in doc(run(home, "items", "--open", "--json"), "items")}
    roadmap, offsite = found["Send the roadmap draft"], found["Book the offsite"]
    refused = run(home, "items", "done", roadmap[:8], "ffffffff")
    assert refused.exit_code == 1 and refused.stderr.strip() == \
        "rapport: error: no item with id 'ffffffff'"
    goal = run(home, "items", "done", found["Lead the Q2 planning"][:6])
    assert goal.exit_code == 1 and "is a goal: check in on it with 'rapport goals check-in" \
        in goal.stderr
    assert {i["text"] for i in doc(run(home, "items", "--open", "--json"), "items")} == \
        set(found)  # nothing changed
    update, calls = Items.update, []

    def full_disk_at_the_second(self, item_id, **changes):
        calls.append(item_id)
        if len(calls) == 2:
            raise StorageError("the disk is full")
        return update(self, item_id, **changes)

    with monkeypatch.context() as patch:
        patch.setattr(Items, "update", full_disk_at_the_second)
        failed = run(home, "items", "done", roadmap[:8], offsite)
    assert len(calls) == 2 and failed.exit_code == 1
    assert (failed.stdout, failed.stderr) == ("", "rapport: error: the disk is full\n")
    assert {i["text"] for i in doc(run(home, "items", "--open", "--json"), "items")} == \
        set(found)  # the first one is not done either
    result = run(home, "items", "done", roadmap[:8], offsite)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["done: Send the roadmap draft", "done: Book the offsite"]
    left = doc(run(home, "items", "--open", "--json"), "items")
    assert [i["text"] for i in left] == ["Lead the Q2 planning"]
    again = run(home, "items", "done", roadmap)
    assert again.exit_code == 1 and again.stderr.strip() == \
        f"rapport: error: {roadmap[:8]} is done already"


def test_items_edit_from_the_command_line(home):
    """'rapport items edit ID': only what is given changes, the item keeps its id, session and
    status; bad input is one line and changes nothing."""
    home, ids = home
    found = {i["text"]: i for i in doc(run(home, "items", "--json"), "items")}
    roadmap = found["Send the roadmap draft"]["id"]
    result = run(home, "items", "edit", roadmap[:8], "--text", "Send the roadmap \x1b[2Jdraft",
                 "--due", "+7d", "--owner", "me")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout  # the terminal never gets a control from a record
    assert result.stdout.startswith("saved: Send the roadmap ") and result.stdout.endswith(
        "draft (action, mine, due 2025-03-10)\n")
    after = {i["id"]: i for i in doc(run(home, "items", "--json"), "items")}[roadmap]
    before = found["Send the roadmap draft"]
    assert (after["text"], after["due"], after["whose"], after["status"], after["session_id"]) \
        == ("Send the roadmap \x1b[2Jdraft", "2025-03-10", "mine", "open", before["session_id"])
    kind = run(home, "items", "edit", roadmap, "--no-due", "--kind", "decision")
    assert kind.exit_code == 0 and kind.stdout.endswith("(decision, mine)\n")

    goal = found["Lead the Q2 planning"]["id"]
    for args, said in (
            ((roadmap,), "nothing to change"),
            ((roadmap, "--due", "+3d", "--no-due"), "contradict"),
            ((roadmap, "--due", "someday"), "someday"),
            ((roadmap, "--due", ""), "--due needs a date"),  # never a silent clear
            ((roadmap, "--text", "   "), "an item needs some text"),
            ((goal, "--kind", "action"), "a goal stays a goal"),
            (("ffffffff", "--text", "x"), "no item with id 'ffffffff'")):
        refused = run(home, "items", "edit", *args)
        assert refused.exit_code != 0 and refused.stdout == ""
        assert len(refused.stderr.strip().splitlines()) == 1 and said in refused.stderr, args
    assert {i["id"]: i for i in doc(run(home, "items", "--json"), "items")}[roadmap]["text"] \
        == "Send the roadmap \x1b[2Jdraft"


# ---------------------------------------------------------------------- jot
def test_jot_from_argument_and_from_stdin(home):
    home, ids = home
    result = run(home, "jot", "--with", "alice", "Saw", "her", "coach", "the", "new", "hire")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "jot saved for Alice Martin (2025-03-03 09:00)"
    piped = run(home, "jot", "--with", "Bo Chen", input="Raise the release notes\nagain\n")
    assert piped.exit_code == 0, piped.output
    store = open_vault(home / "vault.db", PASSPHRASE, allow_weak=True)
    try:
        assert [j.text for j in store.jots(ids["alice"])] == ["Saw her coach the new hire"]
        assert [j.text for j in store.jots(ids["bo"])] == ["Raise the release notes\nagain"]
    finally:
        store.close()
    empty = run(home, "jot", "--with", "Bo Chen", input="  \n")
    assert "a jot needs some text" in error_line(empty)
    binary = run(home, "jot", "--with", "Bo Chen", input=b"\xff\xfe")
    assert "not UTF-8" in error_line(binary)
