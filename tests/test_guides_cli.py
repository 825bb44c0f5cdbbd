"""``rapport guides list|show|validate|new``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from guides.loader import BUILTIN_IDS, parse_guide
from tui.cli import cli
from tui.cli_guides import guides_group

if "guides" not in cli.commands:
    cli.add_command(guides_group)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def rapport(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), "guides", *args], catch_exceptions=False)


def guides_dir(home: Path) -> Path:
    return home / "guides"


def add_guide(home: Path, name: str, text: str) -> Path:
    folder = guides_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_help_everywhere(home):
    for args in ([], ["list"], ["show"], ["validate"], ["new"]):
        result = rapport(home, *args, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output
    assert "List, show, validate and create conversation guides." in rapport(home, "--help").output


def test_list_builtins(home):
    result = rapport(home, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "KIND", "PLANNED", "STAGES", "FROM"]
    assert [line.split()[0] for line in lines[1:]] == list(BUILTIN_IDS)
    assert "Leadership interview" in lines[1] and "60 min" in lines[1] and "built-in" in lines[1]


def test_list_user_guides_and_broken_files(home):
    rapport(home, "new", "team-retro")
    rapport(home, "new", "feedback")
    bad = add_guide(home, "bad.toml", 'id = "bad"\n')
    result = rapport(home, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    n = len(BUILTIN_IDS)
    assert [line.split()[0] for line in lines[1:n + 2]] == [*BUILTIN_IDS, "team-retro"]
    assert "feedback.toml" in lines[2] and "custom" in lines[2]
    assert lines[n + 2] == f"broken: {bad}: name: missing 'name' (+4 more)"


def test_show(home):
    result = rapport(home, "show", "one-on-one")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("1-on-1  [one-on-one]\n")
    assert "30 min planned, 7 stages" in out
    for text in ("1. Check-in - 3 min", "Do:", "Avoid:", "Say:", "Ask:", "Throughout, do:",
                 "[core] How are you doing, really?", "7. Private reflection - 2 min  (private notes",
                 "2. Last time's items - 3 min  (optional; reviews earlier items",
                 "Items: action, decision, agreement"):
        assert text in out, text
    # core questions first
    agenda = out[out.index("3. Their agenda"):out.index("4. Your updates")]
    assert agenda.index("[core] Where could you use my help?") < agenda.index("What have you tried")
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_show_marks_deliberate_questions(home):
    out = " ".join(rapport(home, "show", "leadership-interview").output.split())
    assert "- [core] Are you comfortable going ahead on that basis? (closed, on purpose)" in out
    assert "Where we are today - 5 min (theme: current state; from aim-current-state," in out


def test_show_unknown_id(home):
    result = rapport(home, "show", "nope")
    assert result.exit_code == 1
    assert "rapport: error: no guide with id 'nope'" in result.output
    assert "leadership-interview" in result.output


def test_show_user_guide(home):
    path = add_guide(home, "x.toml", parse_guide_text("x"))
    out = rapport(home, "show", "x").output
    assert str(path) in out


def parse_guide_text(guide_id: str) -> str:
    from guides.loader import template

    return template(guide_id)


def test_validate_ok(home, tmp_path):
    path = tmp_path / "g.toml"
    path.write_text(parse_guide_text("g"))
    result = rapport(home, "validate", str(path))
    assert result.exit_code == 0
    assert result.output == f"{path}: ok ('g', 3 stages, 28 min)\n"
    assert rapport(home, "validate", "--strict", str(path)).exit_code == 0


def test_validate_reports_every_problem(home, tmp_path):
    path = tmp_path / "g.toml"
    text = parse_guide_text("g").replace("minutes = 5 ", "minutes = 0 ").replace('key = "main"', 'key = "Main"')
    text = text.replace('title = "Private reflection"', 'titel = "Private reflection"')
    path.write_text(text)
    result = rapport(home, "validate", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:line ") and "stages[0].minutes: must be between 1 and 240" in lines[0]
    assert "stages[1].key: 'Main' is not a valid stage key" in lines[1]
    assert "stages[2].title: missing 'title'" in lines[2]  # at the stage's [[stages]] line
    assert "stages[2].titel: unknown key 'titel'; did you mean 'title'?" in lines[3]
    assert lines[-1] == f"rapport: error: {path} has 4 problems"


@pytest.mark.parametrize("content, words", [
    (None, "file: file not found"),
    (b"id = \"x\nname = 1\n", "line 1, column 8: invalid TOML: a string is not closed"),
    (b"\xff\xfe", "line 1: the file is not valid UTF-8 text"),
    (b"", "id: missing 'id'"),
])
def test_validate_bad_files(home, tmp_path, content, words):
    path = tmp_path / "g.toml"
    if content is not None:
        path.write_bytes(content)
    result = rapport(home, "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:{words}" in result.output
    assert "Traceback" not in result.output


def test_validate_a_directory(home, tmp_path):
    result = rapport(home, "validate", str(tmp_path))
    assert result.exit_code == 1 and f"{tmp_path}:file: not a regular file" in result.output


def test_new_writes_private_template(home):
    result = rapport(home, "new", "team-retro")
    assert result.exit_code == 0, result.output
    path = guides_dir(home) / "team-retro.toml"
    assert f"wrote {path}" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(guides_dir(home).stat().st_mode) == 0o700
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    guide = parse_guide(path.read_bytes())
    assert guide.id == "team-retro" and guide.name == "Team retro"
    assert rapport(home, "validate", str(path)).exit_code == 0
    assert rapport(home, "show", "team-retro").exit_code == 0


def test_new_never_overwrites(home):
    assert rapport(home, "new", "retro").exit_code == 0
    path = guides_dir(home) / "retro.toml"
    path.write_text("my edits")
    result = rapport(home, "new", "retro")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert path.read_text() == "my edits"


@pytest.mark.parametrize("bad", ["Bad", "a b", "../x", "x.toml", "x-", "", "é"])
def test_new_bad_id(home, bad):
    result = rapport(home, "new", bad)
    assert result.exit_code == 1
    assert "is not a valid guide id" in result.output
    assert not guides_dir(home).exists()


def test_new_overriding_builtin_says_so(home):
    result = rapport(home, "new", "feedback")
    assert result.exit_code == 0
    assert "replaces the built-in 'feedback' guide" in result.output


def test_new_from_existing_guide(home):
    result = rapport(home, "new", "my-interview", "--from", "leadership-interview")
    assert result.exit_code == 0, result.output
    guide = parse_guide((guides_dir(home) / "my-interview.toml").read_bytes())
    assert guide.id == "my-interview" and guide.name == "Leadership interview"
    assert len(guide.stages) == 12
    result = rapport(home, "new", "copy2", "--from", "nope")
    assert result.exit_code == 1 and "no guide with id 'nope'" in result.output


LINTED = """\
id = "g"
name = "G"
kind = "custom"
version = 1
description = "d"

[[stages]]
key = "a"
title = "A"
purpose = "p"
minutes = 5
questions = [
  { text = "What helps you most?", core = true },
  "Why did it slip?",
  { text = "Is now a good time?", deliberate = true },
]
"""


def test_validate_warns_and_strict_fails(home, tmp_path):
    path = tmp_path / "g.toml"
    path.write_text(LINTED)
    result = rapport(home, "validate", str(path))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f'{path}:line 14, stages[0].questions[1]: warning: "why" can sound like blame: ask '
        '"what" instead (e.g. "What led to that?")',
        f"{path}: ok ('g', 1 stages, 5 min; 1 warning)",
    ]
    result = rapport(home, "validate", "--strict", str(path))
    assert result.exit_code == 1
    assert f"{path}: not ok ('g', 1 stages, 5 min; 1 warning)" in result.output
    assert result.output.splitlines()[-1] == (
        f"rapport: error: {path} has 1 problem (warnings count with --strict)")


def test_validate_builtins_by_id_pass_strict(home):
    result = rapport(home, "validate", "--strict", *BUILTIN_IDS)
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [
        f"guides/builtin/{g}.toml" for g in BUILTIN_IDS]
    assert all(": ok (" in line for line in result.output.splitlines())


def test_validate_several_targets(home, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(parse_guide_text("good"))
    mine = add_guide(home, "mine.toml", LINTED.replace('id = "g"', 'id = "mine"'))
    result = rapport(home, "validate", str(good), "mine", "nope", str(tmp_path / "gone.toml"))
    assert result.exit_code == 1
    out = result.output
    assert f"{good}: ok ('good'" in out
    assert f"{mine}:line 14, stages[0].questions[1]: warning:" in out  # a user guide by its id
    assert "nope:file: no such file, and no guide with this id" in out
    assert f"{tmp_path / 'gone.toml'}:file: file not found" in out
    assert out.splitlines()[-1] == "rapport: error: 2 of 4 guides have problems"


def test_validate_needs_a_target(home):
    result = rapport(home, "validate")
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_validate_by_id_checks_a_broken_file_of_yours(home):
    """'guides list' names the broken file; validating it by its id said there was no such
    guide."""
    bad = add_guide(home, "bad.toml", 'id = "bad"\nname = "Bad\\u001b]0;title\\u0007"\n')
    assert f"broken: {bad}: line 2, name: contains control characters" in rapport(home, "list").output
    result = rapport(home, "validate", "bad")
    assert result.exit_code == 1
    assert f"{bad}:line 2, name: contains control characters" in result.output, result.output
    assert "\x1b" not in result.output and "no guide with this id" not in result.output
