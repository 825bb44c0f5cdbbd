"""``rapport programme new|list|show`` and ``rapport synthesis`` through click's CliRunner."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from guides.loader import builtin_guides
from store.crypto import FAST_FOR_TESTS
from store.vault import create_vault, open_vault
from tui.cli import cli

PASSPHRASE = "pw-test-1234"


pytestmark = pytest.mark.usefixtures("utc_zone")


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    store = create_vault(home / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True)
    store.close()
    return home


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "pw"
    path.write_text(PASSPHRASE + "\n")
    return path


@pytest.fixture
def run(home, pwfile):
    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, ["--home", str(home), "--passphrase-file",
                                                str(pwfile), *args],
                                  obj={"kdf": FAST_FOR_TESTS, "allow_weak": True}, input=input)
    return invoke


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rapport: error: "), result.output
    return lines[0]


@pytest.fixture
def filled(home):
    """A programme with three interviewees who each said something about Ana and the team."""
    store = open_vault(home / "vault.db", PASSPHRASE, allow_weak=True)
    try:
        plan = next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()
        programme = store.add_programme("Leadership team", purpose="Team review")
        ana = store.add_person("Ana Silva")
        store.add_person("Zoe Quiet")
        for day, name in enumerate(("Ben Okafor", "Cara Lind", "Dev Patel"), 3):
            person = store.add_person(name)
            session = store.start_session(
                person.id, plan, programme_id=programme.id,
                started_at=datetime(2025, 3, day, 9, tzinfo=timezone.utc))
            store.add_tag(session.id, "perception", f"Ana is fair ({day})", stage="perception",
                          subject_id=ana.id)
            store.add_tag(session.id, "concern", f"Meetings overrun {name}", stage="needs")
            store.add_tag(session.id, "perception", f"SECRET {name}", stage="reflection",
                          subject_id=ana.id)
    finally:
        store.close()
    return programme


def test_list_empty_then_new_then_list(run):
    result = run("programme", "list")
    assert result.exit_code == 0 and "no programmes yet" in result.output
    result = run("programme", "new", "Leaders 2025", "--purpose", "Annual review",
                 "--theme", "decision making", "--theme", "trust")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created programme Leaders 2025 (")
    result = run("programme", "list", "--json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["version"] == 1
    [entry] = document["programmes"]
    assert entry["name"] == "Leaders 2025" and entry["purpose"] == "Annual review"
    assert entry["themes"][-2:] == ["decision making", "trust"] and "perception" in entry["themes"]
    assert entry["guide_id"] == "leadership-interview" and entry["interviews"] == 0
    table = run("programme", "list").output.splitlines()
    assert table[0].split() == ["ID", "NAME", "INTERVIEWS", "TAGS", "STRATEGY", "STATUS"]
    assert "Leaders 2025" in table[1]
    # edited as the app's dialog does: name, purpose and (no interview started) guide
    edited = run("programme", "edit", "leaders", "--name", " Leaders 2026 ", "--purpose", "",
                 "--guide", "stakeholder-interview")
    assert (edited.exit_code, edited.output) == (
        0, "saved the programme Leaders 2026 (was Leaders 2025)\n")
    [entry] = json.loads(run("programme", "list", "--json").output)["programmes"]
    assert (entry["name"], entry["purpose"], entry["guide_id"]) == (
        "Leaders 2026", "", "stakeholder-interview")
    assert entry["themes"][-2:] == ["decision making", "trust"]  # its themes stay


def test_new_rejects_bad_input(run):
    assert "needs a name" in one_error_line(run("programme", "new", "  "))
    assert "no interview guide" in one_error_line(run("programme", "new", "X", "--guide", "nope"))
    assert "theme cannot be empty" in one_error_line(run("programme", "new", "X", "--theme", " "))
    assert run("programme", "new", "Same").exit_code == 0
    assert "already a programme" in one_error_line(run("programme", "new", "same"))
    assert run("programme", "new", "Other").exit_code == 0
    assert "already a programme" in one_error_line(run("programme", "edit", "other", "--name",
                                                       "SAME"))
    assert "needs a name" in one_error_line(run("programme", "edit", "other", "--name", " "))


def test_show_by_name_prefix_and_id(run, filled):
    for ref in ("Leadership team", "leader", filled.id, filled.id[:6]):
        result = run("programme", "show", ref)
        assert result.exit_code == 0, (ref, result.output)
        assert f"Leadership team  [{filled.id}]" in result.output
    out = run("programme", "show", "leader").output
    assert "2025-03-03  Ben Okafor" in out and "concern: 3 from 3 interviewees" in out
    assert "leaders with passages: Ana Silva" in out


def test_unknown_or_ambiguous_programme_is_one_error_line(run, filled):
    assert "no programme called 'nope'" in one_error_line(run("programme", "show", "nope"))
    assert "no programme" in one_error_line(run("synthesis", "nope"))
    assert run("programme", "new", "Leadership review").exit_code == 0
    assert "several programmes" in one_error_line(run("programme", "show", "leader"))


def test_synthesis_to_stdout_is_anonymised(run, filled):
    result = run("synthesis", "Leadership team")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("# Programme synthesis: Leadership team")
    assert "Meetings overrun" in out  # concern: three interviewees
    for name in ("Ben", "Okafor", "Cara", "Lind", "Dev", "Patel", "SECRET", "2025"):
        assert name not in out, name


def test_leader_report_json_and_withheld_themes(run, filled):
    result = run("synthesis", "leadership team", "--leader", "ana", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["kind"] == "leader" and doc["leader"] == "Ana Silva" and doc["anonymised"]
    perception = next(t for t in doc["themes"] if t["theme"] == "perception")
    assert [p["text"] for p in perception["passages"]] == ["Ana is fair (3)", "Ana is fair (4)",
                                                           "Ana is fair (5)"]
    result = run("synthesis", "leadership team", "--leader", "ana", "--format", "json",
                 "--min-interviewees", "4")
    perception = next(t for t in json.loads(result.output)["themes"] if t["theme"] == "perception")
    assert perception["status"] == "withheld" and perception["passages"] == []
    assert run("synthesis", "Leadership team", "--min-interviewees", "1").exit_code == 2


def test_unknown_leader_and_leader_without_passages(run, filled):
    assert "no person called 'Nobody'" in one_error_line(
        run("synthesis", "Leadership team", "--leader", "Nobody"))
    assert "no tagged passages about Zoe Quiet" in one_error_line(
        run("synthesis", "Leadership team", "--leader", "Zoe"))


def test_output_file_is_new_0600_and_never_overwritten(run, filled, tmp_path, home):
    target = tmp_path / "synthesis.html"
    result = run("synthesis", "Leadership team", "--format", "html", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {target} (anonymised, 1 passage); it is plaintext: keep " \
        "it safe\n"  # the one team passage three interviewees said
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    before = target.read_bytes()
    assert "already exists" in one_error_line(
        run("synthesis", "Leadership team", "-o", str(target)))
    assert target.read_bytes() == before
    store = open_vault(home / "vault.db", PASSPHRASE, allow_weak=True)
    try:
        [record] = store.exports()
    finally:
        store.close()
    assert record.kind == "synthesis" and record.format == "html"
    assert record.destination == str(target)
    folder = tmp_path / "reports"  # a folder: the suggested name inside it
    assert one_error_line(run("synthesis", "Leadership team", "-o", f"{folder}/")) == \
        f"rapport: error: there is no folder {folder}/; create it first, or give a file's name"
    assert not folder.exists()  # never a file called "reports"
    folder.mkdir()
    assert run("synthesis", "Leadership team", "-o", str(folder)).exit_code == 0
    [inside] = folder.iterdir()
    assert inside.name.endswith(".md") and inside.read_text().startswith("#")
    assert stat.S_IMODE(os.stat(inside).st_mode) == 0o600


def test_named_record_names_interviewees(run, filled):
    result = run("synthesis", "Leadership team", "--named", "--leader", "Ana Silva")
    assert result.exit_code == 0
    assert "Ben Okafor" in result.output and "SECRET" in result.output
    assert "Facilitator's record" in result.output


def test_winding_a_programme_up(run, filled, tmp_path):
    """When the round is over the programme is closed (listed after the running ones, shown
    and exported as before, no new interview in it until reopened); when the 360 is over it
    goes, only once its synthesis is exported, after its name is typed; the people stay."""
    assert run("programme", "new", "Another round").exit_code == 0
    closed = run("programme", "close", "leadership")
    assert (closed.exit_code, closed.stdout) == (
        0, "closed the programme Leadership team: no new interviews in it\n")
    assert "is closed already" in one_error_line(run("programme", "close", "leadership"))
    assert "no programme called 'nope'" in one_error_line(run("programme", "close", "nope"))
    assert "is not closed" in one_error_line(run("programme", "reopen", "another"))
    listed = run("programme", "list").stdout.splitlines()
    assert listed[0].split()[-1] == "STATUS"
    assert listed[1].split()[1:] == ["Another", "round", "0", "0", "0", "running"]
    assert listed[2].split()[1:6] == ["Leadership", "team", "3", "9", "0"]
    assert listed[2].split()[6] == "closed"  # then the day, local
    entry = json.loads(run("programme", "list", "--json").stdout)["programmes"][1]
    assert entry["name"] == "Leadership team" and entry["closed_at"]
    assert "closed " in run("programme", "show", "leadership").stdout
    assert run("programme", "reopen", "leadership").exit_code == 0
    assert json.loads(run("programme", "list", "--json").stdout)["programmes"][0][
        "closed_at"] is None
    assert run("programme", "close", "leadership").exit_code == 0  # exported, retained,
    refused = run("programme", "delete", "leadership", input="Leadership team\n")
    assert "export the synthesis of 'Leadership team' first" in one_error_line(refused)
    # closed: nobody new on its roster, nobody planned again; how it went is still written
    added = run("programme", "roster", "add", "leadership", "Yann New")
    assert added.exit_code == 1 and "is closed: nobody new goes on its roster (rapport " \
        "programme reopen" in one_error_line(added)
    assert "Yann New" not in run("people").output  # not added to the people either
    assert run("programme", "reopen", "leadership").exit_code == 0
    assert run("programme", "roster", "add", "leadership", "Ben Okafor").exit_code == 0
    assert run("programme", "roster", "add", "leadership", "Zoe Quiet").exit_code == 0
    assert run("programme", "close", "leadership").exit_code == 0
    again = run("programme", "roster", "set", "leadership", "Ben", "--status", "done")
    assert again.exit_code == 0, again.output
    again = run("programme", "roster", "set", "leadership", "Ben", "--status", "scheduled")
    assert again.exit_code == 1 and "is closed: nobody is scheduled in it any more" in \
        one_error_line(again)
    assert run("programme", "roster", "set", "leadership", "Zoe", "--note", "on leave") \
        .exit_code == 0
    # Ben was interviewed already: not still to go, as the app says (and after retention too);
    # the round closed, Zoe is no more to go but never interviewed
    assert run("programme", "roster", "show", "leadership").stderr == \
        "closed: 1 never interviewed\n"
    before = run("synthesis", "Leadership team", "--format", "json").stdout
    assert run("synthesis", "Leadership team", "-o", str(tmp_path / "s.md")).exit_code == 0
    retained = run("programme", "retain", "leadership", input="Leadership team\n")
    assert retained.exit_code == 0, retained.output
    # the synthesis kept is what is read afterwards, not an empty one built from nothing
    after = run("synthesis", "Leadership team", "--format", "json")
    assert after.stdout == before and "Meetings overrun" in after.stdout
    assert after.stderr == "the synthesis kept when the raw notes of Leadership team were " \
        "destroyed\n"
    assert "raw notes destroyed; the anonymised synthesis of 3 interviews is kept" in \
        run("programme", "show", "leadership").stdout
    # the list says so too, rather than "0 interviews" for the three held
    assert run("programme", "list").stdout.splitlines()[2].split()[1:7] == [
        "Leadership", "team", "kept", "(3)", "0", "0"]
    listed = json.loads(run("programme", "list", "--json").stdout)["programmes"][1]
    assert (listed["raw_notes_destroyed"], listed["interviews"]) == (True, 0)
    assert run("programme", "roster", "show", "leadership").stderr == \
        "closed: 1 never interviewed\n"
    assert "only its anonymised programme synthesis is kept" in one_error_line(
        run("synthesis", "Leadership team", "--leader", "Ana"))
    assert "was kept with --min-interviewees 3" in one_error_line(
        run("synthesis", "Leadership team", "--min-interviewees", "2"))
    again = run("programme", "retain", "leadership", input="Leadership team\n")
    assert "no interview notes of 'Leadership team' left to destroy" in one_error_line(again)
    assert run("synthesis", "Leadership team", "--format", "json").stdout == before
    wrong = run("programme", "delete", "leadership", input="leadership\n")
    assert wrong.exit_code == 1 and wrong.stderr.splitlines() == [
        "deletes the programme 'Leadership team' with 2 roster places and 1 kept synthesis; the "
        "people stay. It "
        "cannot be undone.", "rapport: error: the name typed is not 'Leadership team'; nothing "
        "was deleted"]
    deleted = run("programme", "delete", "leadership", input="Leadership team\n")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout == "deleted the programme Leadership team\n"
    assert "Leadership team" not in run("programme", "list").output  # closed: as before
    assert "Ben Okafor" in run("people").output
