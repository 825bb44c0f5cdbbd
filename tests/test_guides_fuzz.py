"""Fuzzing the loader: whatever the input, the result is a valid Guide or a clean GuideError.

Never another exception, never a traceback, never a half-built guide. How long the hostile
inputs take is measured in ``bench/guides_fuzz.py``, not asserted here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from guides.loader import BUILTIN_IDS, MAX_BYTES, GuideError, is_slug, load_guide_file, parse_guide
from guides.model import GUIDE_KINDS, ITEM_KINDS, Guide

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# the three rebuilt guides use every field of the format (core, deliberate, optional, records,
# guide-wide cues); the other six add parse time, not coverage, to byte-level fuzzing
FUZZ_IDS = ("leadership-interview", "feedback", "one-on-one")
assert set(FUZZ_IDS) <= set(BUILTIN_IDS)
BUILTIN = {gid: (resources.files("guides") / "builtin" / f"{gid}.toml").read_bytes() for gid in FUZZ_IDS}
SAMPLES = list(BUILTIN.values())


def assert_valid(guide: Guide) -> None:
    """Everything the loader promises about a guide it returns."""
    assert is_slug(guide.id) and guide.kind in GUIDE_KINDS and guide.version >= 1
    assert guide.name.strip() and guide.description.strip()
    assert guide.stages and isinstance(guide.stages, tuple)
    keys = [s.key for s in guide.stages]
    assert len(keys) == len(set(keys)) and all(is_slug(k) for k in keys)
    for stage in guide.stages:
        assert type(stage.minutes) is int and 1 <= stage.minutes <= 240
        assert set(stage.item_kinds) <= set(ITEM_KINDS)
        assert type(stage.private) is bool and type(stage.followup) is bool
        for field in (stage.cues, stage.avoid, stage.phrases, stage.prompts, stage.source, stage.questions):
            assert isinstance(field, tuple)
        for text in (stage.title, stage.purpose, *stage.cues, *stage.avoid, *stage.phrases,
                     *stage.prompts, *(q.text for q in stage.questions)):
            assert isinstance(text, str) and text.strip()
    assert Guide.from_snapshot(json.loads(json.dumps(guide.to_snapshot()))) == guide


def outcome(data: bytes | str) -> Guide | GuideError:
    """Parse; anything other than a Guide or a GuideError fails the test."""
    try:
        guide = parse_guide(data, source="fuzz.toml")
    except GuideError as exc:
        assert exc.problems and all(p.where is not None and p.message for p in exc.problems)
        message = str(exc)
        assert message.startswith("fuzz.toml: ") and "\n" not in message and len(message) < 1000
        for problem in exc.problems:
            assert "\n" not in problem.message and "\n" not in problem.where
        return exc
    assert_valid(guide)
    return guide


# --- byte-level mutations of the shipped files ---------------------------------------------------


@pytest.mark.parametrize("guide_id", FUZZ_IDS)
def test_truncation_every_97_bytes(guide_id):
    data = BUILTIN[guide_id]
    for end in range(0, len(data), 97):
        outcome(data[:end])


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_truncation_anywhere(data, draw):
    end = draw.draw(st.integers(0, len(data)))
    result = outcome(data[:end])
    if end == len(data):
        assert isinstance(result, Guide)


@FUZZ
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4),
                                                   st.integers(0, 4)), min_size=1, max_size=8))
def test_random_splices(data, edits):
    buf = bytearray(data)
    for pos, insert, delete in edits:
        pos %= len(buf) + 1
        buf[pos:pos + delete] = insert
    outcome(bytes(buf))


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    outcome(data)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text(text):
    outcome(text)


@FUZZ
@given(st.sampled_from(SAMPLES), st.integers(0, 10**6),
       st.sampled_from([b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
def test_invalid_utf8_is_always_rejected(data, pos, junk):
    pos %= len(data) + 1
    result = outcome(data[:pos] + junk + data[pos:])
    assert isinstance(result, GuideError)
    assert "UTF-8" in result.problems[0].message


@pytest.mark.parametrize("guide_id", FUZZ_IDS)
def test_bom(guide_id):
    data = BUILTIN[guide_id]
    assert parse_guide(b"\xef\xbb\xbf" + data) == parse_guide(data)
    assert parse_guide("\ufeff" + data.decode()) == parse_guide(data)
    # a BOM anywhere else is just a character, and not a valid one before a key
    assert isinstance(outcome(data.replace(b"\nid = ", b"\n\xef\xbb\xbfid = ")), GuideError)
    assert isinstance(outcome(b"\xef\xbb\xbf\xef\xbb\xbf" + data), GuideError)


def test_ten_megabytes(tmp_path: Path):
    big = BUILTIN["feedback"] + b"\n# padding\n" * (10 * 1024 * 1024 // 11)
    assert len(big) > 10 * 1024 * 1024
    result = outcome(big)
    assert isinstance(result, GuideError) and "too large" in str(result)
    result = outcome(big.decode())
    assert isinstance(result, GuideError) and "too large" in str(result)
    path = tmp_path / "big.toml"
    path.write_bytes(big)
    with pytest.raises(GuideError, match="too large"):
        load_guide_file(path)
    # just under the limit is read (and rejected for its content, not its size)
    near = b"#" * (MAX_BYTES - 1) + b"\n"
    assert "too large" not in str(outcome(near))


@pytest.mark.parametrize("depth", [10, 33, 500, 990, 1000, 5000, 100_000, 400_000])
def test_deep_nesting(depth):
    for text in (
        "a = " + "[" * depth + "]" * depth,
        "a = " + "[" * depth,
        "a = " + "{ b = " * depth + "1" + " }" * depth,
        "stages = " + "[" * depth + "]" * depth,
        "stages = [" + "{ key = " * depth + "1" + " }" * depth + "]",
        "[" + ".".join(["a"] * depth) + "]\nx = 1\n",
        "[[" + ".".join(["a"] * depth) + "]]\nx = 1\n",
        "a." + ".".join(["b"] * depth) + " = 1\n",
        'x = { ' + " . ".join(['"q"'] * depth) + " = 1 }",
    ):
        assert isinstance(outcome(text[:MAX_BYTES]), GuideError)


def test_deep_nesting_inside_a_real_guide():
    data = BUILTIN["feedback"].decode()
    nested = data.replace('minutes = 5', "minutes = " + "[" * 50_000 + "]" * 50_000, 1)
    assert "nested too deeply" in str(outcome(nested))


def test_many_problems_are_capped():
    text = "".join(f"k{i} = 1\n" for i in range(80_000))
    result = outcome(text)
    assert isinstance(result, GuideError) and len(result.problems) <= 51
    assert "stopped checking" in result.problems[-1].message


@pytest.mark.parametrize("text", [" " * 900_000 + "!", "[" + " " * 900_000, "\t" * 900_000 + "x",
                                  ("." + "a" * 10_000) * 95, "a" * 900_000, '"' + "a" * 900_000,
                                  "x = '" + "." * 900_000 + "'\n"])
def test_pathological_lines_are_rejected(text):
    assert isinstance(outcome(text), GuideError)


# --- line-level mutations: duplicate keys, missing fields ---------------------------------------


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_duplicate_lines(data, draw):
    lines = data.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b" = " in line and not line.startswith(b"#")]
    src = draw.draw(st.sampled_from(keyed))
    dst = draw.draw(st.integers(0, len(lines)))
    lines.insert(dst, lines[src])
    outcome(b"\n".join(lines))


@FUZZ
@given(st.sampled_from(SAMPLES), st.sets(st.integers(0, 400), min_size=1, max_size=6))
def test_deleted_lines(data, drop):
    lines = data.split(b"\n")
    kept = [line for i, line in enumerate(lines) if i not in drop]
    outcome(b"\n".join(kept))


@pytest.mark.parametrize("guide_id", FUZZ_IDS)
def test_duplicate_keys_are_rejected_with_a_line(guide_id):
    text = BUILTIN[guide_id].decode()
    dup = text.replace("minutes = ", "minutes = 1\nminutes = ", 1)
    result = outcome(dup)
    assert isinstance(result, GuideError)
    assert "set twice" in result.problems[0].message and result.problems[0].line


@pytest.mark.parametrize("line_prefix", [b"id = ", b"name = ", b"kind = ", b"version = ", b"key = ",
                                         b"title = ", b"minutes = "])
def test_missing_required_fields(line_prefix):
    for data in SAMPLES:
        lines = data.split(b"\n")
        kept = [line for line in lines if not line.startswith(line_prefix)]
        assert len(kept) < len(lines)
        result = outcome(b"\n".join(kept))
        assert isinstance(result, GuideError)
        assert "missing" in result.problems[0].message


# --- structural mutations: parse, change a value, re-serialise ----------------------------------


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def to_toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return toml_str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(to_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_str(k)} = {to_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def to_toml(doc: dict) -> str:
    return "".join(f"{toml_str(k)} = {to_toml_value(v)}\n" for k, v in doc.items())


scalar = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=20),
    st.dates(), st.times(),
)
toml_value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)),
    max_leaves=10,
)
PARSED = [tomllib.loads(data.decode()) for data in SAMPLES]


def paths_of(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths_of(item, prefix + (i,))


def copy(value):
    return json.loads(json.dumps(value))


def test_serialiser_round_trips_the_builtins():
    for doc in PARSED:
        assert tomllib.loads(to_toml(doc)) == doc
        assert isinstance(outcome(to_toml(doc)), Guide)


@FUZZ
@given(st.sampled_from(PARSED), st.data(), toml_value)
def test_wrong_types_and_values(doc, draw, value):
    doc = copy(doc)
    paths = [p for p in paths_of(doc) if p]
    path = draw.draw(st.sampled_from(paths))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    old = parent[path[-1]]
    parent[path[-1]] = value
    result = outcome(to_toml(doc))
    question = len(path) >= 2 and path[-2] == "questions"  # a string or a { text = ... } table
    if type(value) is not type(old) and not (isinstance(old, list) and value == []) and not question:
        # a value of another type is never accepted (an empty list for a list is fine)
        assert isinstance(result, GuideError), (path, value)


@FUZZ
@given(st.sampled_from(PARSED), st.data())
def test_removed_or_added_keys(doc, draw):
    doc = copy(doc)
    tables = [p for p in paths_of(doc) if isinstance(_at(doc, p), dict) and _at(doc, p)]
    path = draw.draw(st.sampled_from(tables))
    table = _at(doc, path)
    if draw.draw(st.booleans()):
        key = draw.draw(st.sampled_from(sorted(table)))
        del table[key]
        required = {"id", "name", "kind", "description", "version", "stages", "key", "title",
                    "purpose", "minutes", "text"}
        result = outcome(to_toml(doc))
        if key in required:
            assert isinstance(result, GuideError)
    else:
        from guides import loader

        key = draw.draw(st.text(min_size=1, max_size=10))
        # a key the schema knows for some table ("followup" on a stage that lacks it) is no error
        known = set(loader._TOP_KEYS) | set(loader._STAGE_KEYS) | set(loader._QUESTION_KEYS)
        assume(key not in table and key not in known)
        table[key] = 1
        result = outcome(to_toml(doc))
        assert isinstance(result, GuideError)
        assert any("unknown key" in p.message for p in result.problems)


def _at(doc, path):
    for part in path:
        doc = doc[part]
    return doc
