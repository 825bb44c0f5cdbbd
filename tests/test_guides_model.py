"""Guide snapshots: JSON-safe, and ``from_snapshot`` is the exact inverse of ``to_snapshot``."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guides.loader import builtin_guides, parse_guide, template
from guides.model import GUIDE_KINDS, ITEM_KINDS, Guide, Question, Stage

text = st.text(max_size=40)
texts = st.lists(text, max_size=4).map(tuple)

questions = st.builds(Question, text=text, deliberate=st.booleans(), core=st.booleans())
stages = st.builds(
    Stage,
    key=text,
    title=text,
    purpose=text,
    minutes=st.integers(min_value=-(2**40), max_value=2**40),
    cues=texts,
    avoid=texts,
    phrases=texts,
    questions=st.lists(questions, max_size=4).map(tuple),
    prompts=texts,
    item_kinds=st.lists(st.sampled_from(ITEM_KINDS), max_size=4).map(tuple),
    private=st.booleans(),
    followup=st.booleans(),
    source=texts,
    optional=st.booleans(),
    records=st.one_of(st.none(), text),
    theme=st.one_of(st.none(), text),
)
guides = st.builds(
    Guide,
    id=text,
    name=text,
    kind=st.sampled_from(GUIDE_KINDS),
    description=text,
    version=st.integers(min_value=0, max_value=2**31),
    stages=st.lists(stages, max_size=4).map(tuple),
    origin=st.one_of(st.just("builtin"), text),
    cues=texts,
    avoid=texts,
    phrases=texts,
    source=texts,
)


@settings(max_examples=200, deadline=None)
@given(guides)
def test_snapshot_round_trip(guide):
    snapshot = guide.to_snapshot()
    through_json = json.loads(json.dumps(snapshot))
    assert through_json == snapshot
    assert Guide.from_snapshot(through_json) == guide


def test_builtins_and_template_round_trip():
    for guide in [*builtin_guides(), parse_guide(template("x"))]:
        assert Guide.from_snapshot(json.loads(json.dumps(guide.to_snapshot()))) == guide


def test_snapshot_is_plain_data():
    snap = builtin_guides()[0].to_snapshot()
    assert set(snap) == {"id", "name", "kind", "description", "version", "origin", "stages",
                         "cues", "avoid", "phrases", "source"}  # as every plan stored before
    one = next(g for g in builtin_guides() if g.one_subject).to_snapshot()
    assert one["one_subject"] is True and set(one) - set(snap) == {"one_subject"}
    assert Guide.from_snapshot(one).one_subject and not Guide.from_snapshot(snap).one_subject
    stage = snap["stages"][0]
    assert isinstance(stage["cues"], list)
    assert set(stage["questions"][0]) == {"text", "deliberate", "core"}
    assert {"optional", "records"} <= set(stage)


#: a stage's snapshot as every plan stored before stages named their themes, in its order
STAGE_KEYS = ["key", "title", "purpose", "minutes", "cues", "avoid", "phrases", "questions",
              "prompts", "item_kinds", "private", "followup", "source", "optional", "records"]


def test_a_stage_snapshot_carries_its_theme_only_when_named():
    """A stage without a theme keeps the snapshot it had (the plans of every other stage and
    guide, in the vault and in a full JSON export, byte for byte); a named one adds it last."""
    stages = [s for g in builtin_guides() for s in g.stages]
    named = [s for s in stages if s.theme is not None]
    assert {s.theme for s in named} >= {"strength", "current state", "future state"}
    for stage in stages:
        snap = stage.to_snapshot()
        assert list(snap) == STAGE_KEYS + (["theme"] if stage.theme else []), stage.key
        assert snap.get("theme") == stage.theme and Stage.from_snapshot(snap) == stage
    old = {"key": "needs", "title": "T", "purpose": "p", "minutes": 5}  # a plan stored before
    assert Stage.from_snapshot(old).theme is None
    plain = json.dumps(Stage.from_snapshot(old).to_snapshot())
    themed = json.dumps(dataclasses.replace(Stage.from_snapshot(old), theme="x").to_snapshot())
    assert '"theme"' not in plain and themed == plain[:-1] + ', "theme": "x"}'


def test_model_is_frozen_with_tuples():
    guide = builtin_guides()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        guide.id = "x"  # type: ignore[misc]
    assert isinstance(guide.stages, tuple)
    assert all(isinstance(s.questions, tuple) and isinstance(s.cues, tuple) for s in guide.stages)
    assert guide.planned_minutes == sum(s.minutes for s in guide.stages)


def test_from_snapshot_tolerates_missing_optionals_and_unknown_keys():
    snap = {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": 1,
            "future": 1, "stages": [{"key": "a", "title": "A", "purpose": "p", "minutes": 3,
                                     "questions": ["Short form?"], "new_field": True}]}
    guide = Guide.from_snapshot(snap)
    assert guide.origin == "builtin"
    assert guide.stages[0].questions == (Question("Short form?"),)
    assert guide.stages[0].cues == () and guide.stages[0].private is False
    # snapshots written before core questions, optional stages and guide-wide cues existed
    assert guide.stages[0].optional is False and guide.stages[0].records is None
    assert guide.cues == () and guide.source == ()
    assert guide.stages[0].questions[0].core is False


@pytest.mark.parametrize("bad", [
    None, [], {}, {"id": 1},
    {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": True, "stages": []},
    {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": 1, "stages": [1]},
    {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": 1, "stages": "x"},
    {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": 1,
     "stages": [{"key": "a", "title": "A", "purpose": "p", "minutes": 1, "cues": [1]}]},
    {"id": "g", "name": "G", "kind": "custom", "description": "d", "version": 1,
     "stages": [{"key": "a", "title": "A", "purpose": "p", "minutes": 1, "private": "yes"}]},
])
def test_from_snapshot_rejects_garbage_with_value_error(bad):
    with pytest.raises(ValueError):
        Guide.from_snapshot(bad)
