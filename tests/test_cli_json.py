"""``docs/json.md`` is the contract of every ``--json`` output, and this checks it.

Each section's table becomes a JSON Schema (every documented field required, no other field
allowed); the section's example must satisfy it, and so must the command's real output on a real
vault that gives every field a value. Commands with a ``--json`` option, sections of the doc and
the commands run here are the same set, so a new ``--json`` cannot go undocumented.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import click
import jsonschema
import pytest
from click.testing import CliRunner

from guides.loader import builtin_guides
from store.crypto import FAST_FOR_TESTS
from store.transfer import schema as export_schema
from store.vault import create_vault
from tui.cli import COMMANDS, cli
from tui.format import JSON_VERSION

DOC = Path(__file__).resolve().parent.parent / "docs" / "json.md"
PASSPHRASE = "pw-json-1234"
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"
SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": DATE},
    "date-time": {"type": "string", "pattern": DATE_TIME},
    "array of strings": {"type": "array", "items": {"type": "string"}},
    "array of integers": {"type": "array", "items": {"type": "integer"}},
}


# ---------------------------------------------------------------------- the doc as schemas
class Section:
    def __init__(self, command: tuple[str, ...], example: Any, rows: list[tuple[str, str]]):
        self.command, self.example, self.rows = command, example, rows
        self.schema = schema_of(rows)

    @property
    def key(self) -> str:
        return next(path for path, _ in self.rows if path != "version")


def sections() -> dict[tuple[str, ...], Section]:
    """``## `rapport WORDS [ARGS] --json``` sections: {command words: Section}."""
    found = {}
    for block in re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        if not heading.startswith("`rapport ") or "--json" not in heading:
            continue
        words = tuple(w for w in heading.strip("` ").split()[1:]
                      if w != "--json" and not w.isupper())
        example = re.search(r"```json\n(.*?)```", body, flags=re.S)
        assert example, f"{heading}: no example"
        rows = re.findall(r"^\| `([^`]+)` \| ([^|]+?) \|", body, flags=re.M)
        assert rows, f"{heading}: no table"
        found[words] = Section(words, json.loads(example.group(1)), rows)
    return found


def type_schema(text: str) -> tuple[dict[str, Any], bool]:
    """A table's type cell as (schema, is an object holding fields); ``or null`` allowed."""
    text = text.strip()
    nullable = text.endswith(" or null")
    text = text.removesuffix(" or null")
    if text == "export document":  # documented in docs/export-format.md, checked by its schema
        schema: dict[str, Any] = export_schema()
    elif text.startswith("one of "):
        values = re.findall(r'"([^"]*)"', text)
        assert values and text == "one of " + ", ".join(f'"{v}"' for v in values), text
        schema = {"type": "string", "enum": values}
    elif text in ("object", "array of objects"):
        obj = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
        schema = obj if text == "object" else {"type": "array", "items": obj}
    else:
        assert text in SCALARS, f"unknown type {text!r}"
        schema = dict(SCALARS[text])
    if nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema, text in ("object", "array of objects")


def schema_of(rows: list[tuple[str, str]]) -> dict[str, Any]:
    root = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    objects = {"": root}
    for path, type_text in rows:
        parent, _, name = path.rpartition(".")
        if parent.endswith("[]"):
            parent = parent[:-2]
        assert parent in objects, f"{path}: {parent!r} is not documented above it as an object"
        schema, holds_fields = type_schema(type_text)
        assert name not in objects[parent]["properties"], f"{path} twice"
        objects[parent]["properties"][name] = schema
        objects[parent]["required"].append(name)
        if holds_fields:
            inner = schema.get("anyOf", [schema])[0]
            objects[path] = inner.get("items", inner)
    return root


def values_at(document: Any, path: str) -> Iterator[Any]:
    """Every value at ``path`` (``a[].b``) in ``document``."""
    found = [document]
    for part in path.split("."):
        many = part.endswith("[]")
        found = [d[part.removesuffix("[]")] for d in found
                 if isinstance(d, dict) and part.removesuffix("[]") in d]
        if many:
            found = [item for d in found if isinstance(d, list) for item in d]
    yield from found


# ---------------------------------------------------------------------- a vault with it all
class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Every documented field with a value somewhere: ended, amended and active sessions,
    items of each kind (one done), goals, people with and without a cadence, a jot, a talking
    point, a programme."""
    home = tmp_path_factory.mktemp("json") / "home"
    clock = Clock(datetime(2025, 2, 10, 10, 0, tzinfo=timezone.utc))
    store = create_vault(home / "vault.db", PASSPHRASE, kdf=FAST_FOR_TESTS, allow_weak=True,
                         clock=clock)
    guide = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    alice = store.add_person("Alice Martin", cadence="weekly")
    bo = store.add_person("Bo Budget")
    first = store.start_session(alice.id, guide, title="Budget planning", started_at=clock())
    store.save_note(first.id, "check-in", "Worried about the budget freeze.")
    store.save_note(first.id, "reflection", "I talked too much about budget.", private=True)
    store.add_item(first.id, "action", "Send the budget draft", owner="them", due="2025-02-20",
                   stage="follow-up")
    store.add_item(first.id, "decision", "No budget hires until May", stage="updates")
    store.add_item(first.id, "goal", "Own the budget review", owner="them", status="at-risk",
                   due="2025-06-30")
    done = store.add_item(first.id, "action", "Book the offsite", owner="me")
    store.update_item(done.id, status="done")
    store.save_session_state(first.id, spent={"check-in": 240, "follow-up": 300})
    store.end_session(first.id, ended_at=datetime(2025, 2, 10, 10, 30, tzinfo=timezone.utc))
    clock.now = datetime(2025, 2, 11, 9, 0, tzinfo=timezone.utc)
    store.save_note(first.id, "updates", "Budget note added the day after.")  # amends it
    store.start_session(bo.id, guide, started_at=datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc))
    store.add_jot(alice.id, "Ask about the budget again")
    store.add_talking_point(bo.id, "Their budget worries", owner="theirs")
    leaders = store.add_programme("Leaders 2025", purpose="Annual review",
                                  guide_id="leadership-interview", themes=("vision", "trust"))
    store.close_programme(store.add_programme("Autumn 360").id)  # its round over
    # issues 22 and 23: a schedule, a goal that moved, feedback, a roster
    goal = next(i for i in store.items() if i.kind == "goal")
    draft = next(i for i in store.items() if i.text == "Send the budget draft")
    kr = store.add_key_result(goal.id, "Draft out", progress=20)
    store.update_key_result(kr.id, progress=40, note="half way")
    store.link_to_goal(goal.id, draft.id)
    store.set_next_meeting(alice.id, date(2025, 3, 1), time="09:30", minutes=30)  # overdue
    store.update_person(bo.id, cadence="monthly")
    store.add_feedback(alice.id, session_id=first.id, situation="The budget review",
                       behaviour="Answered for the team", impact="They stopped", response="ok",
                       next_step="Let them present", item_id=draft.id)
    store.add_to_roster(leaders.id, bo.id, note="first")
    store.add_question("one-on-one", "check-in", "What gave you energy this week?")
    store.record_consent(leaders.id, bo.id, "given",
                         session_id=store.sessions(person_id=bo.id)[0].id)
    store.close()
    (home / "pw").write_text(PASSPHRASE + "\n")
    return home, first.id


def run(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        cli, ["--home", str(home), "--passphrase-file", str(home / "pw"), *args],
        obj={"kdf": FAST_FOR_TESTS, "allow_weak": True,
             "clock": Clock(datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc))})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


#: How each documented command is run here: {command words: its arguments}; "{session}" is the
#: fixture's first session. The outputs of all the runs of a command are checked together.
RUNS: dict[tuple[str, ...], list[list[str]]] = {
    ("list",): [["list", "--json"]],
    ("show",): [["show", "{session}", "--json"]],
    ("people",): [["people", "--json"]],
    ("items",): [["items", "--json"]],
    ("search",): [["search", "budget", "--json"], ["search", "alice", "--json"]],
    ("programme", "list"): [["programme", "list", "--json"]],
    ("schedule",): [["schedule", "--json"]],
    ("due",): [["due", "--json"]],
    ("goals",): [["goals", "--json"]],
    ("feedback",): [["feedback", "--with", "alice", "--json"]],
    ("programme", "roster", "show"): [["programme", "roster", "show", "Leaders", "--json"]],
    ("questions",): [["questions", "--json"], ["questions", "--guide", "one-on-one", "--stage",
                                               "check-in", "--json"]],
}


def json_commands() -> set[tuple[str, ...]]:
    """Every command and subcommand with a ``--json`` option, as its words."""
    ctx = click.Context(cli)
    found = set()

    def walk(command: click.Command, words: tuple[str, ...]) -> None:
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.add(words)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), (*words, name))

    for name in COMMANDS:
        walk(cli.get_command(ctx, name), (name,))
    return found


# ---------------------------------------------------------------------- the checks
def test_every_json_command_is_documented_and_run_here():
    assert json_commands() == set(sections()) == set(RUNS)


@pytest.mark.parametrize("command", sorted(sections()), ids=" ".join)
def test_the_example_matches_its_table(command):
    section = sections()[command]
    jsonschema.Draft202012Validator.check_schema(section.schema)
    jsonschema.validate(section.example, section.schema)
    assert section.example["version"] == JSON_VERSION
    assert list(section.example) == ["version", section.key]


@pytest.mark.parametrize("command", sorted(RUNS), ids=" ".join)
def test_the_real_output_matches_the_doc(home, command):
    home, session = home
    section = sections()[command]
    documents = [run(home, *(a.format(session=session) for a in args)) for args in RUNS[command]]
    for document in documents:
        jsonschema.validate(document, section.schema)
        assert list(document) == ["version", section.key] and document["version"] == 1
    for path, _ in section.rows:  # every field seen with a value, so its type was checked
        assert any(v is not None for d in documents for v in values_at(d, path)), path


def test_the_schema_is_strict(home):
    """What the real-output check catches: a field left out of the doc, a documented field the
    output lacks, a wrong type, a bare array (the shape before version 1)."""
    home, _ = home
    section = sections()[("list",)]
    document = run(home, "list", "--json")
    session = document["sessions"][0]
    broken = [{**document, "sessions": [{**session, "extra": 1}]},
              {**document, "sessions": [{k: v for k, v in session.items() if k != "title"}]},
              {**document, "sessions": [{**session, "open_items": "1"}]},
              {**document, "sessions": [{**session, "started_at": "10 Feb 2025"}]},
              {**document, "sessions": [{**session, "status": "paused"}]},
              {**document, "version": None},
              document["sessions"]]
    for wrong in broken:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, section.schema)


def test_a_table_row_without_its_parent_is_refused():
    with pytest.raises(AssertionError, match="not documented above it"):
        schema_of([("version", "integer"), ("items[].id", "string")])
    with pytest.raises(AssertionError, match="unknown type"):
        schema_of([("version", "integer"), ("when", "timestamp")])
