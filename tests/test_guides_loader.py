"""The loader: every problem reported with where it is and a plain message; the catalog."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from guides.loader import (
    BUILTIN_IDS,
    MAX_BYTES,
    Catalog,
    GuideError,
    Problem,
    builtin_guides,
    is_slug,
    load_catalog,
    load_guide_file,
    parse_guide,
    template,
    validate_file,
)
from guides.model import Guide, Question

GOOD = textwrap.dedent('''\
    id = "retro"
    name = "Team retro"
    kind = "custom"
    version = 2
    description = """
    A short retro.
    """

    [[stages]]
    key = "open"
    title = "Opening"
    purpose = "Settle in."
    minutes = 5
    cues = ["Smile."]
    avoid = ["Rushing."]
    phrases = ["This stays confidential."]
    questions = ["What went well?", { text = "Is everyone here?", deliberate = true }]
    prompts = ["Mood"]
    item_kinds = ["action", "goal"]
    source = ["step-1"]

    [[stages]]
    key = "reflect"
    title = "Reflection"
    purpose = "Think."
    minutes = 2
    private = true
    followup = true
    ''')


def problems_of(text: str | bytes) -> list[Problem]:
    with pytest.raises(GuideError) as info:
        parse_guide(text, source="g.toml")
    return list(info.value.problems)


def one(text: str | bytes) -> Problem:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


def test_good_guide_parses_fully():
    guide = parse_guide(GOOD, origin="/x/retro.toml")
    assert guide.id == "retro" and guide.version == 2 and guide.origin == "/x/retro.toml"
    assert guide.description == "A short retro."
    first, second = guide.stages
    assert first.questions == (Question("What went well?"), Question("Is everyone here?", True))
    assert first.item_kinds == ("action", "goal") and first.source == ("step-1",)
    assert second.private and second.followup and second.cues == () and second.questions == ()
    assert guide.planned_minutes == 7


def test_bytes_bom_and_crlf_are_fine():
    data = ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8")
    assert parse_guide(data) == parse_guide(GOOD)
    assert parse_guide("\ufeff" + GOOD) == parse_guide(GOOD)


def test_error_string_is_one_line_with_count():
    text = GOOD.replace('minutes = 5', 'minutes = 0').replace('key = "reflect"', 'key = "Bad Key"')
    with pytest.raises(GuideError) as info:
        parse_guide(text, source="retro.toml")
    err = info.value
    assert err.source == "retro.toml"
    assert len(err.problems) == 2
    assert str(err) == f"retro.toml: {err.problems[0].where}: {err.problems[0].message} (+1 more)"
    assert "\n" not in str(err)


def test_unknown_key_with_suggestion_and_line():
    problem = one(GOOD.replace("minutes = 2", "minuts = 2\nminutes = 2"))
    assert problem.where == "line 26, stages[1].minuts"
    assert problem.line == 26
    assert "did you mean 'minutes'" in problem.message


def test_unknown_top_level_table():
    problem = one(GOOD + "\n[meta]\nauthor = 'me'\n")
    assert problem.where.endswith("meta") and problem.line == 30
    assert "unknown key 'meta'" in problem.message


@pytest.mark.parametrize("old, new, where, words", [
    ('minutes = 5', 'minutes = "5"', "line 13, stages[0].minutes", "whole number"),
    ('minutes = 5', 'minutes = 5.5', "line 13, stages[0].minutes", "whole number"),
    ('minutes = 5', 'minutes = true', "line 13, stages[0].minutes", "whole number"),
    ('minutes = 5', 'minutes = 0', "line 13, stages[0].minutes", "between 1 and 240"),
    ('minutes = 5', 'minutes = 241', "line 13, stages[0].minutes", "between 1 and 240"),
    ('version = 2', 'version = 0', "line 4, version", "between"),
    ('id = "retro"', 'id = "Retro!"', "line 1, id", "not a valid guide id"),
    ('id = "retro"', 'id = ["retro"]', "line 1, id", "must be a string, not a list"),
    ('kind = "custom"', 'kind = "meeting"', "line 3, kind", "not a guide kind"),
    ('name = "Team retro"', 'name = "   "', "line 2, name", "must not be empty"),
    ('name = "Team retro"', 'name = "a\\nb"', "line 2, name", "single line"),
    ('name = "Team retro"', 'name = "a\\u001b[31m"', "line 2, name", "control characters"),
    ('key = "open"', 'key = "open stage"', "line 10, stages[0].key", "not a valid stage key"),
    ('cues = ["Smile."]', 'cues = "Smile."', "line 14, stages[0].cues", "must be a list"),
    ('cues = ["Smile."]', 'cues = ["Smile.", 3]', "line 14, stages[0].cues[1]", "must be a string"),
    ('item_kinds = ["action", "goal"]', 'item_kinds = ["task"]', "line 19, stages[0].item_kinds[0]",
     "not an item kind"),
    ('item_kinds = ["action", "goal"]', 'item_kinds = ["goal", "goal"]',
     "line 19, stages[0].item_kinds[1]", "listed twice"),
    ('source = ["step-1"]', 'source = ["step 1"]', "line 20, stages[0].source[0]", "source id"),
    ('private = true', 'private = "yes"', "line 27, stages[1].private", "true or false"),
    ('"What went well?", ', '"What went well?", 7, ', "line 17, stages[0].questions[1]",
     "string or"),
    ('deliberate = true', 'deliberate = 1', "line 17, stages[0].questions[1].deliberate",
     "true or false"),
    ('deliberate = true', 'deliberate = true, txt = "x"', "line 17, stages[0].questions[1].txt",
     "did you mean 'text'"),
])
def test_field_problems(old, new, where, words):
    assert old in GOOD
    problem = one(GOOD.replace(old, new, 1))
    assert problem.where == where
    assert words in problem.message
    assert problem.line == int(where.split(",")[0].removeprefix("line "))


def test_question_without_text():
    problem = one(GOOD.replace('{ text = "Is everyone here?", deliberate = true }', "{ deliberate = true }"))
    assert problem.where.endswith("stages[0].questions[1].text") and "missing 'text'" in problem.message


def test_missing_required_fields():
    found = problems_of('id = "x"\n')
    assert [p.where for p in found] == ["name", "kind", "description", "version", "stages"]
    assert all(p.message.startswith("missing") for p in found)
    found = problems_of(GOOD.replace('title = "Reflection"\n', "").replace('purpose = "Settle in."\n', ""))
    assert {(p.where, p.message) for p in found} == {
        ("line 9, stages[0].purpose", "missing 'purpose'"),
        ("line 21, stages[1].title", "missing 'title'"),
    }


def test_stages_shape():
    head = GOOD.split("[[stages]]")[0]
    assert "at least one stage" in one(head + "stages = []\n").message
    assert "must be a list" in one(head + "stages = 3\n").message
    assert "must be a table" in one(head + "stages = [1]\n").message
    # inline stages are fine too
    inline = head + 'stages = [{ key = "a", title = "A", purpose = "P", minutes = 1 }]\n'
    assert parse_guide(inline).stages[0].key == "a"


def test_duplicate_stage_keys():
    problem = one(GOOD.replace('key = "reflect"', 'key = "open"'))
    assert problem.where == "line 23, stages[1].key"
    assert "already used by stages[0]" in problem.message


@pytest.mark.parametrize("text, where, words", [
    ('id = "a"\nid = "b"\n', "line 2, column", "set twice"),
    ('id = "a\n', "line 1, column", "not closed"),
    ('id = \n', "line 1, column", "malformed"),
    ('[[stages]]\nkey = "a"\n[stages]\n', "line 3, column", "invalid TOML"),
    ("just words\n", "line 1, column", "invalid TOML"),
    ('x = [1, 2\n', "end of file", "not closed"),
])
def test_toml_syntax_problems(text, where, words):
    problem = one(text)
    assert problem.where.startswith(where)
    assert words in problem.message


def test_invalid_utf8_and_size_and_type():
    problem = one(b'id = "ok"\nname = "\xff"\n')
    assert problem.where == "line 2" and "UTF-8" in problem.message
    assert "too large" in one(b"#" * (MAX_BYTES + 1)).message
    assert "too large" in one("#" * (MAX_BYTES + 1)).message
    assert "not valid Unicode" in one("id = '\ud800'").message


def test_never_half_built():
    # one bad stage: no guide at all, not a guide missing a stage
    with pytest.raises(GuideError):
        parse_guide(GOOD.replace("minutes = 2", "minutes = -1"))


# --- files --------------------------------------------------------------------------------------


def test_load_guide_file(tmp_path: Path):
    path = tmp_path / "retro.toml"
    path.write_text(GOOD, encoding="utf-8")
    guide = load_guide_file(path)
    assert guide.origin == str(path)
    assert validate_file(path) == []
    assert load_guide_file(str(path)) == guide


def test_file_problems(tmp_path: Path):
    def msg(path):
        with pytest.raises(GuideError) as info:
            load_guide_file(path)
        assert info.value.source == str(path)
        return info.value.problems[0].message

    assert msg(tmp_path / "missing.toml") == "file not found"
    assert msg(tmp_path) == "not a regular file"
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (10 * 1024 * 1024))
    assert "too large" in msg(big)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    assert msg(fifo) == "not a regular file"  # and it did not block
    if os.geteuid() != 0:
        locked = tmp_path / "locked.toml"
        locked.write_text(GOOD)
        locked.chmod(0)
        assert msg(locked) == "permission denied"
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\n')
    assert [p.where for p in validate_file(bad)] == ["name", "kind", "description", "version", "stages"]


# --- catalog ------------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_catalog_without_user_dir():
    for user_dir in (None, Path("/nonexistent/rapport/guides")):
        catalog = load_catalog(user_dir)
        assert [g.id for g in catalog.guides] == list(BUILTIN_IDS)
        assert catalog.broken == ()


def test_catalog_user_guides_sorted_and_override_in_place(tmp_path: Path):
    write(tmp_path, "zeta.toml", GOOD.replace('id = "retro"', 'id = "zeta"'))
    write(tmp_path, "alpha.toml", GOOD.replace('id = "retro"', 'id = "alpha"'))
    mine = write(tmp_path, "my-feedback.toml", GOOD.replace('id = "retro"', 'id = "feedback"'))
    write(tmp_path, "notes.txt", "not a guide")
    write(tmp_path, ".#alpha.toml", "editor lock file")
    catalog = load_catalog(tmp_path)
    assert [g.id for g in catalog.guides] == [*BUILTIN_IDS, "alpha", "zeta"]
    assert catalog.get("feedback").origin == str(mine)
    assert catalog.get("feedback").name == "Team retro"
    assert catalog.get("leadership-interview") == builtin_guides()[0]
    assert catalog.get("nope") is None
    assert catalog.broken == ()


def test_catalog_broken_files_listed_and_others_offered(tmp_path: Path):
    write(tmp_path, "good.toml", GOOD)
    broken = write(tmp_path, "broken.toml", GOOD.replace("minutes = 5", "minutes = 'five'"))
    syntax = write(tmp_path, "syntax.toml", "id = \n")
    (tmp_path / "binary.toml").write_bytes(b"\x00\xff" * 100)
    (tmp_path / "folder.toml").mkdir()
    dup = write(tmp_path, "retro-copy.toml", GOOD)  # same id as good.toml, sorted after it
    catalog = load_catalog(tmp_path)
    assert "retro" in [g.id for g in catalog.guides]
    assert catalog.get("retro").origin == str(tmp_path / "good.toml")
    broken_paths = dict(catalog.broken)
    assert set(broken_paths) == {str(broken), str(syntax), str(tmp_path / "binary.toml"),
                                 str(tmp_path / "folder.toml"), str(dup)}
    assert "stages[0].minutes" in broken_paths[str(broken)]
    assert "already used by good.toml" in broken_paths[str(dup)]
    assert all("\n" not in reason for reason in broken_paths.values())
    assert isinstance(catalog, Catalog) and len(catalog.guides) == len(BUILTIN_IDS) + 1


def test_catalog_user_dir_is_a_file(tmp_path: Path):
    path = write(tmp_path, "guides", "oops")
    catalog = load_catalog(path)
    assert len(catalog.guides) == len(BUILTIN_IDS)
    assert catalog.broken and catalog.broken[0][0] == str(path)


# --- template -----------------------------------------------------------------------------------


@pytest.mark.parametrize("guide_id", ["my-guide", "retro", "feedback", "a", "x_1"])
def test_template_validates(guide_id):
    text = template(guide_id)
    guide = parse_guide(text)
    assert guide.id == guide_id and guide.kind == "custom"
    assert text.lstrip().startswith("#")
    assert guide.stages[-1].private
    assert any(q.deliberate for s in guide.stages for q in s.questions)


@pytest.mark.parametrize("bad", ["", "Bad", "a b", "-a", "a-", "a--b", "x" * 65, "é", "../x", "a.toml"])
def test_bad_ids(bad):
    assert not is_slug(bad)
    with pytest.raises(ValueError):
        template(bad)


def test_guide_error_with_no_problems_still_reads():
    assert str(GuideError("src", [])) == "src: unknown problem"
    assert isinstance(parse_guide(GOOD), Guide)


def test_line_numbers_count_only_newlines():
    # \u2028 and \x1c are line breaks for str.splitlines() but not for TOML
    text = GOOD.replace('"Settle in."', '"Settle\u2028in."').replace("minutes = 5", "minutes = 0")
    text = text.replace('kind = "custom"', 'kind = "custom"  # a\u2028b\u2029c')
    problems = problems_of(text)
    assert [(p.where, p.line) for p in problems][0] == ("line 13, stages[0].minutes", 13)


# --- the schema ---------------------------------------------------------------------------------


def test_schema_is_the_one_list_of_keys():
    from guides import loader, schema

    doc = schema.schema()
    assert tuple(doc["properties"]) == loader._TOP_KEYS
    assert tuple(doc["$defs"]["stage"]["properties"]) == loader._STAGE_KEYS
    assert tuple(doc["$defs"]["question"]["else"]["properties"]) == loader._QUESTION_KEYS
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(doc)


NEW_FIELDS = GOOD.replace('description = """', 'cues = ["Listen."]\nsource = ["step-3"]\ndescription = """', 1)


def test_new_fields_parse():
    text = NEW_FIELDS.replace('questions = ["What went well?", ', 'questions = [{ text = "What went well?", core = true }, ')
    text = text.replace("private = true\n", 'private = true\noptional = true\nrecords = "pulse"\n'
                        'theme = "  current\\tstate "\n')
    guide = parse_guide(text)
    assert guide.stages[1].theme == "current state"  # spaced as a programme's themes are
    assert guide.stages[0].theme is None
    assert guide.cues == ("Listen.",) and guide.source == ("step-3",)
    assert guide.stages[0].questions[0] == Question("What went well?", core=True)
    assert guide.stages[1].optional and guide.stages[1].records == "pulse"
    assert guide.stages[0].records is None and not guide.stages[0].optional


@pytest.mark.parametrize("old, new, where, words", [
    ('minutes = 5', 'minutes = 5.0', "line 13, stages[0].minutes", "whole number of minutes, not a number"),
    ('private = true', 'private = true\nrecords = "log"', "line 28, stages[1].records",
     "'log' is not a record kind; use one of pulse, feedback"),
    ('private = true', 'private = true\noptional = "no"', "line 28, stages[1].optional", "true or false"),
    ('deliberate = true', 'deliberate = true, core = 1', "line 17, stages[0].questions[1].core",
     "true or false"),
    ('"What went well?", ', '"What went well?", [], ', "line 17, stages[0].questions[1]",
     'must be a string or { text = "...", core = true }, not a list'),
    ('title = "Opening"', 'title = """\nOpening\nand more"""', "line 11, stages[0].title", "single line"),
    ('cues = ["Smile."]', 'cues = ["Smile.", "   "]', "line 14, stages[0].cues[1]", "must not be empty"),
    ('cues = ["Smile."]', 'cues = ["a\\u0007"]', "line 14, stages[0].cues[0]", "control characters"),
    ('cues = ["Smile."]', 'cues = ["' + "x" * 4001 + '"]', "line 14, stages[0].cues[0]",
     "too long (4,001 characters; the limit is 4,000)"),
    ('id = "retro"', 'id = "' + "a" * 65 + '"', "line 1, id", "is not a valid guide id"),
    ('private = true', 'private = true\ntheme = " "', "line 28, stages[1].theme", "must not be empty"),
    ('private = true', 'private = true\ntheme = ["strength"]', "line 28, stages[1].theme",
     "must be a string, not a list"),
    ('private = true', 'private = true\ntheme = """\nstrength\nconcern"""', "line 28, stages[1].theme",
     "single line"),
    ('private = true', 'private = true\nthemes = "strength"', "line 28, stages[1].themes",
     "did you mean 'theme'?"),
])
def test_schema_problems(old, new, where, words):
    assert old in GOOD
    problem = one(GOOD.replace(old, new, 1))
    assert problem.where == where
    assert words in problem.message


def test_a_title_may_be_written_on_its_own_line():
    guide = parse_guide(GOOD.replace('title = "Opening"', 'title = """\nOpening\n"""'))
    assert guide.stages[0].title == "Opening"


def test_guide_wide_fields_are_checked():
    problem = one(NEW_FIELDS.replace('cues = ["Listen."]', 'cues = "Listen."'))
    assert problem.where == "line 5, cues" and "must be a list" in problem.message
    problem = one(NEW_FIELDS.replace('source = ["step-3"]', 'source = ["Step 3"]'))
    assert problem.where == "line 6, source[0]" and "not a valid source id" in problem.message
