"""The loop between conversations and people over time, from the command line: real
subprocesses on a real vault (issues 22 and 23)."""

from __future__ import annotations

import json
import stat
import subprocess
from datetime import date, datetime, timedelta

import pytest
from clitools import Out, rapport, rapport_each

from store import crypto
from store.vault import KEPT_SUFFIX, create_vault, open_vault

PW = "pw-loop-1234"


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    create_vault(home / "vault.db", PW, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    (home / "pw").write_text(PW + "\n")
    return home


def run(home, *args, input=None, code=None):
    extra = {"code": code} if code else {}
    return rapport("--home", home, "--passphrase-file", home / "pw", *args, input=input, **extra)


def vault(home):
    """The test's vault opened in-process, for setting up what the command under test reads."""
    return open_vault(home / "vault.db", PW, allow_weak=True)


def succeeded(result: Out | subprocess.CompletedProcess[bytes]) -> str:
    """The standard output of a run that must succeed."""
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def ok(home, *args, **kw):
    return succeeded(run(home, *args, **kw))


def each(home, *runs: tuple, input: dict[int, bytes] | None = None) -> list[Out]:
    """``rapport ARGS`` for each of ``runs``, in turn in one process (clitools.rapport_each);
    ``input``: the standard input of the runs at those indexes."""
    return rapport_each(*[(("--home", home, "--passphrase-file", home / "pw", *args),
                           (input or {}).get(n)) for n, args in enumerate(runs)])


def oks(home, *runs: tuple) -> list[str]:
    """The output of each of ``runs`` (in turn in one process), each of which succeeds."""
    results = each(home, *runs)
    for args, (code, _, err) in zip(runs, results):
        assert code == 0, (args, err)
    return [out.decode() for _, out, _ in results]


def test_people_add_talking_points_schedule_due_and_calendar(home, tmp_path):
    """The commands between two looks at the vault run in turn in one process (each())."""
    from icalendar import Calendar

    added, again, no_guide, listed, *jotted, both = each(
        home, ("people", "add", "Sam Rivera", "--cadence", "weekly", "--guide", "one-on-one"),
        ("people", "add", "sam rivera"), ("people", "add", "X", "--guide", "nope"), ("people",),
        ("jot", "--with", "sam", "--raise", "Conference budget"),
        ("jot", "--with", "sam", "--theirs", "Promotion path"),
        ("jot", "--with", "sam", "a plain jot"),
        ("jot", "--with", "sam", "--raise", "--theirs", "x"))
    assert "added Sam Rivera (cadence weekly, guide one-on-one)" in succeeded(added)
    assert "already" in again.stderr.decode()
    assert "no guide" in no_guide.stderr.decode()
    assert "Sam Rivera" in succeeded(listed)  # the bare form still lists
    for jot in jotted:
        succeeded(jot)
    assert both.returncode == 2
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        (sam,) = store.people()
        assert sam.guide_id == "one-on-one"
        assert [(p.owner, p.text) for p in store.talking_points(sam.id)] == [
            ("mine", "Conference budget"), ("theirs", "Promotion path")]
        assert [j.text for j in store.jots(sam.id)] == ["a plain jot"]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused, planned, scheduled, bad = each(
        home, ("schedule", "--with", "sam", yesterday, "14:00"), ("schedule", "--json"),
        ("schedule", "--with", "sam", "today", "14:00", "--minutes", "45", "--every",
         "fortnightly"),
        ("schedule", "--with", "sam", "today", "25:00", "--every", "monthly"))
    # a day that has passed is refused, as the app's dialog refuses it: nothing is set
    assert refused.returncode == 2 and not refused.stdout
    assert f"{yesterday} has passed: give today or a later day" in refused.stderr.decode()
    assert json.loads(succeeded(planned))["meetings"][0]["source"] == "cadence"
    assert "at 14:00, 45 min, every fortnightly" in succeeded(scheduled)
    # a time it cannot read: one line, and the cadence given with it is not set either
    assert bad.returncode == 1 and len(bad.stderr.decode().splitlines()) == 1
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:  # a week goes by
        assert store.person(sam.id).cadence == "fortnightly"
        store.set_next_meeting(sam.id, date.today() - timedelta(days=1), time="14:00",
                               minutes=45)
    path = tmp_path / "out.ics"
    planned, due, unread, written, exists, in_folder, printed = each(
        home, ("schedule", "--json"), ("due",), ("schedule", "--with", "sam", "someday"),
        ("calendar", "-o", path, "--no-names"), ("calendar", "-o", path),
        ("calendar", "-o", tmp_path),  # a folder: a dated file inside it
        ("calendar",))
    listed_meetings = json.loads(succeeded(planned))["meetings"]
    assert [(m["date"], m["time"], m["every"], m["state"]) for m in listed_meetings] == [
        (yesterday, "14:00", "fortnightly", "overdue")]
    assert "meeting  " in succeeded(due) and "Sam Rivera" in due.stdout.decode()
    example = (date.today() + timedelta(days=7)).isoformat()  # an example to come, not past
    assert f"can't read 'someday' as a date (try {example}, tomorrow" in unread.stderr.decode()
    succeeded(written)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (event,) = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "1-on-1 with S. R." and event["rrule"]["INTERVAL"] == [2]
    assert event.decoded("dtstart") == datetime.combine(date.today(), datetime.min.time()) \
        + timedelta(hours=14)  # overdue: put on today, at its time
    assert "already exists" in exists.stderr.decode()
    succeeded(in_folder)
    assert (tmp_path / f"rapport-meetings-{date.today().isoformat()}.ics").stat().st_mode \
        & 0o777 == 0o600
    assert Calendar.from_ical(succeeded(printed)).walk("VEVENT")[0]["summary"] == (
        "1-on-1 with Sam Rivera")
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        assert [e.kind for e in store.exports()] == ["calendar"] * 3
    cleared, agreed, planned = each(
        home, ("schedule", "--with", "sam", "--clear"),
        # the cadence agreed alone (a first 1-on-1's "every month"): no date needed
        ("schedule", "--with", "sam", "--every", "monthly"), ("schedule", "--json"))
    assert "'--clear'" not in succeeded(cleared)
    assert succeeded(agreed).startswith("Sam Rivera: every monthly; next meeting ")
    assert json.loads(succeeded(planned))["meetings"][0]["every"] == "monthly"


def test_new_with_a_person_alone_starts_from_their_guide(home, monkeypatch):
    """``rapport new --with NAME`` needs no --guide: the app takes the person's own once the
    vault is unlocked (store.default_guide)."""
    from click.testing import CliRunner

    import tui.cli_vault
    from tui.cli import cli

    with vault(home) as store:  # 'people add --guide': test_people_add_talking_points_...
        store.add_person("Sam Rivera", guide_id="feedback")
    asked = []
    monkeypatch.setattr(tui.cli_vault, "start_app", lambda env, start: asked.append(start))
    result = CliRunner().invoke(cli, ["--home", str(home), "new", "--with", "Sam Rivera"])
    assert result.exit_code == 0, result.output
    assert asked[0]["guide"] is None and asked[0]["person"] == "Sam Rivera"
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        assert store.default_guide("sam rivera") == "feedback"
        assert store.default_guide("nobody") is None


def test_erase_asks_for_the_name_typed(home):
    with vault(home) as store:  # set up as 'people add' and 'jot --raise' would
        store.add_talking_point(store.add_person("Sam Rivera").id, "x")
    refused, done, people = each(home, ("people", "erase", "sam"), ("people", "erase", "sam"),
                                 ("people",), input={0: b"Sam\n", 1: b"Sam Rivera\n"})
    assert refused[0] == 1 and b"nothing was erased" in refused[2]
    assert b"1 talking point" in refused[2]
    assert done[0] == 0, done[2]
    assert "no people yet" in people[2].decode()


def test_rename_and_merge(home):
    with vault(home) as store:  # set up as 'people add' and 'jot' would
        store.add_person("Sam Rivera")
        store.add_jot(store.add_person("Sam Rivra").id, "from the typo")
    taken, merged, renamed = each(home, ("people", "rename", "sam rivra", "Sam Rivera"),
                                  ("people", "merge", "sam rivra", "sam rivera"),
                                  ("people", "rename", "sam", "Samantha Rivera"))
    assert "already someone" in taken[2].decode()
    assert merged[0] == 0 and renamed[0] == 0, (merged, renamed)
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        (person,) = store.people()
        assert person.name == "Samantha Rivera" and store.jots(person.id)


def test_goals_feedback_and_roster_and_hostile_text(home):
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        ann = store.add_person("Ann \x1b]0;pwned\x07")
        s = store.start_session(ann.id, {"id": "feedback", "name": "F", "stages": []})
        goal = store.add_item(s.id, "goal", "Lead \x1b[2J the review")
        store.check_in_goal(goal.id, status="on-track", progress=30, note="moving")
        store.fill_feedback(s.id, situation="Tuesday", behaviour="\x9b31m interrupted")
        programme = store.add_programme("Leaders")
        store.add_to_roster(programme.id, ann.id)
    goals, goals_json, feedback, _, roster_json, roster_shown = oks(  # in turn in one process
        home, ("goals",), ("goals", "--with", "ann", "--json"), ("feedback", "--with", "ann"),
        ("programme", "roster", "set", "Leaders", "ann", "--status", "done", "--consent",
         "given"),
        ("programme", "roster", "show", "Leaders", "--json"),
        ("programme", "roster", "show", "Leaders"))
    assert "[on-track, 30%]" in goals and "\x1b" not in goals and "␛" in goals
    data = json.loads(goals_json)["goals"][0]
    assert data["progress"] == 30 and [c["note"] for c in data["checkins"]] == ["goal set",
                                                                               "moving"]
    assert "situation: Tuesday" in feedback and "\x9b" not in feedback
    roster = json.loads(roster_json)["roster"]
    assert (roster[0]["status"], roster[0]["consent"], roster[0]["session_id"]) == (
        "done", "given", None)
    assert "\x1b" not in roster_shown


def test_goals_check_in_from_the_command_line(home):
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        ann = store.add_person("Ann")
        s = store.start_session(ann.id, {"id": "g", "name": "G", "stages": []})
        plain = store.add_item(s.id, "goal", "Own the budget review", owner="them")
        measured = store.add_item(s.id, "goal", "Present at all-hands", owner="them")
        kr = store.add_key_result(measured.id, "Draft the deck")
    listed, checked, _ = oks(  # in turn in one process
        home, ("goals",),
        ("goals", "check-in", plain.id[:6], "--status", "at-risk", "--progress", "30", "--note",
         "waiting on finance"),
        ("goals", "check-in", measured.id[:4], "--key-result", kr.id[:5], "--progress", "40"))
    # each goal and key result shows the id a check-in takes
    assert f"{plain.id[:8]}  Ann: Own the budget review" in listed
    assert f"key result {kr.id[:8]}: Draft the deck" in listed
    assert checked == "checked in: Own the budget review  [at-risk, 30%]\n"
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        first, second = store.goal(plain.id), store.goal(measured.id)
    assert (first.status, first.progress) == ("at-risk", 30)
    assert [(c.status, c.progress, c.note) for c in first.checkins][-1] == (
        "at-risk", 30, "waiting on finance")
    assert second.progress == 40 and second.key_results[0].progress == 40
    refusals = [
        ((plain.id[:8],), 1, "a check-in needs a status, a progress or a note"),
        ((measured.id[:8], "--progress", "50"), 2,  # says how, with the ids to give
         f"give --key-result ID with --progress (its key results: {kr.id[:8]})"),
        (("ffffffff", "--status", "done"), 1, "no goal with id 'ffffffff'"),
        ((plain.id[:3], "--status", "done"), 1, "at least 4 characters"),
        ((measured.id[:8], "--key-result", "ffff", "--progress", "5"), 1,
         "no key result with id 'ffff'"),
        ((measured.id[:8], "--key-result", kr.id, "--status", "done"), 2, "--key-result takes"),
        ((plain.id[:8], "--progress", "101"), 2, "101 is not in the range"),
        ((plain.id[:8], "--status", "late"), 2, "'late' is not one of"),
    ]
    results = each(home, *[("goals", "check-in", *args) for args, _, _ in refusals])
    for (args, code, says), (status, _, err) in zip(refusals, results, strict=True):
        assert status == code, (args, err)
        assert says.encode() in err and len(err.splitlines()) == 1, args
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        assert store.goal(plain.id).checkins == first.checkins  # nothing refused was kept


def test_restore_from_a_backup(home, tmp_path):
    with vault(home) as store:  # set up as 'people add' and 'backup' would
        store.add_person("Before")
        store.backup(tmp_path / "b.db")
    with vault(home) as store:
        store.add_person("After")
    (tmp_path / "other").write_text("another passphrase\n")  # the backup keeps the one it had
    nothing, wrong, out = rapport_each(  # in turn in one process
        (("--home", home, "--passphrase-file", home / "pw", "restore", tmp_path / "nothing.db"),
         None),
        (("--home", home, "--passphrase-file", tmp_path / "other", "restore", tmp_path / "b.db"),
         None),
        (("--home", home, "--passphrase-file", home / "pw", "restore", tmp_path / "b.db"), None))
    assert nothing.returncode == 1
    assert wrong.returncode == 1 and wrong.stderr.decode() == (
        f"rapport: error: wrong passphrase for the backup {tmp_path / 'b.db'} (the one the vault "
        "had when it was made); the vault was not touched\n")
    assert out.returncode == 0, out.stderr
    kept = home / f"vault.db{KEPT_SUFFIX}"
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    people = ok(home, "people")
    assert "Before" in people and "After" not in people and not kept.exists()
