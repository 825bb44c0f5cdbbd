"""Fitting a guide to the slot: ``Guide.scaled`` and ``scale_minutes``."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guides.loader import BUILTIN_IDS, builtin_guides
from guides.model import MAX_SLOT, Guide, Question, Stage, scale_minutes


def stage(key: str, minutes: int, optional: bool = False, core: int = 0) -> Stage:
    questions = tuple(Question(f"What about {n}?", core=True) for n in range(core)) + (
        Question("What else?"),)
    return Stage(key=key, title=key, purpose="p", minutes=minutes, cues=(), avoid=(), phrases=(),
                 questions=questions, optional=optional)


def guide(*stages: Stage) -> Guide:
    return Guide(id="g", name="G", kind="custom", description="d", version=1, stages=stages)


ONE_ON_ONE = guide(stage("check-in", 3, core=1), stage("follow-up", 3, True, core=1),
                   stage("agenda", 12, core=2), stage("updates", 4, True, core=1),
                   stage("feedback", 4, core=1), stage("commitments", 2, core=1),
                   stage("reflection", 2))


def test_a_45_minute_slot_gives_a_45_minute_plan():
    for g in builtin_guides():
        for slot in (30, 45, 60):
            scaled = g.scaled(slot)
            assert scaled.planned_minutes == slot, (g.id, slot)
            assert [s.key for s in scaled.stages] == [s.key for s in g.stages]
            # nothing but the minutes changes
            assert [dataclasses.replace(s, minutes=0) for s in scaled.stages] == \
                   [dataclasses.replace(s, minutes=0) for s in g.stages]


def test_own_length_is_the_guide_itself():
    for g in builtin_guides():
        assert g.scaled(g.planned_minutes) is g


def test_growing_is_in_proportion():
    assert ONE_ON_ONE.planned_minutes == 30
    assert [s.minutes for s in ONE_ON_ONE.scaled(60).stages] == [6, 6, 24, 8, 8, 4, 4]
    assert [s.minutes for s in ONE_ON_ONE.scaled(45).stages] == [5, 4, 18, 6, 6, 3, 3]


def test_shrinking_keeps_the_floor_of_core_stages():
    # floors: 3 a core question, at most the plan: check-in 3, agenda 6, feedback 3,
    # commitments 2; the optional stages and the reflection 1
    plan = ONE_ON_ONE.scaled(20)
    assert [s.minutes for s in plan.stages] == [3, 2, 7, 2, 3, 2, 1]
    # in plain proportion check-in would get 2 and feedback 2.67
    assert scale_minutes([3, 3, 12, 4, 4, 2, 2], [1] * 7, 20) == [2, 2, 8, 3, 3, 1, 1]


def test_optional_stages_may_shrink_to_a_minute():
    g = guide(stage("a", 10, core=2), stage("b", 10, optional=True, core=2))
    assert [s.minutes for s in g.scaled(8).stages] == [6, 2]
    # not optional: both keep a floor of 6, which does not fit in 8, so the floors shrink
    g = guide(stage("a", 10, core=2), stage("b", 10, core=2))
    assert [s.minutes for s in g.scaled(8).stages] == [4, 4]


def test_floors_that_do_not_fit_shrink_in_proportion():
    g = guide(stage("a", 20, core=2), stage("b", 20, core=1), stage("c", 2))  # floors 6, 3, 1
    assert [s.minutes for s in g.scaled(5).stages] == [3, 1, 1]
    assert [s.minutes for s in g.scaled(3).stages] == [1, 1, 1]


@pytest.mark.parametrize("slot, words", [(2, "too short for 3 stages"), (0, "too short"),
                                         (-5, "too short"), (MAX_SLOT + 1, "at most 600")])
def test_impossible_slots(slot, words):
    with pytest.raises(ValueError, match=words):
        guide(stage("a", 5), stage("b", 5), stage("c", 5)).scaled(slot)


@pytest.mark.parametrize("slot", [30.0, True, "30"])
def test_slot_must_be_a_whole_number(slot):
    with pytest.raises(ValueError, match="whole number"):
        ONE_ON_ONE.scaled(slot)  # type: ignore[arg-type]


def test_floor_of_a_stage():
    assert stage("a", 12).floor == 1  # no core question
    assert stage("a", 12, core=1).floor == 3 and stage("a", 12, core=2).floor == 6
    assert stage("a", 4, core=2).floor == 4  # never more than the plan
    assert stage("a", 12, optional=True, core=2).floor == 1


plans = st.lists(st.tuples(st.integers(1, 240), st.booleans(), st.integers(0, 2)), min_size=1,
                 max_size=20)


@settings(max_examples=300, deadline=None)
@given(plans, st.data())
def test_scaling_properties(plan, data):
    g = guide(*(stage(f"s{i}", m, o, c) for i, (m, o, c) in enumerate(plan)))
    slot = data.draw(st.integers(len(plan), MAX_SLOT))
    scaled = g.scaled(slot)
    minutes = [s.minutes for s in scaled.stages]
    assert sum(minutes) == slot
    assert all(m >= 1 for m in minutes)
    total = g.planned_minutes
    if slot >= total:
        # growing: every stage within a minute of its proportional share, never below its plan
        for s, m in zip(g.stages, minutes):
            assert abs(m - s.minutes * slot / total) < 1
            assert m >= s.minutes
    else:
        floors = [s.floor for s in g.stages]
        if sum(floors) <= slot:
            assert all(m >= f for m, f in zip(minutes, floors))
        assert all(m <= s.minutes for s, m in zip(g.stages, minutes))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 240), min_size=1, max_size=20), st.data())
def test_scale_minutes_is_exact_and_proportional_without_floors(planned, data):
    total = data.draw(st.integers(len(planned), 2000))
    out = scale_minutes(planned, [1] * len(planned), total)
    assert sum(out) == total and all(m >= 1 for m in out)
    if total >= sum(planned):
        ideal = [p * total / sum(planned) for p in planned]
        assert all(math.floor(i) <= m <= math.ceil(i) for i, m in zip(ideal, out))


def test_scaled_snapshot_is_what_a_session_stores():
    g = next(g for g in builtin_guides() if g.id == BUILTIN_IDS[0]).scaled(45)
    snap = g.to_snapshot()
    assert sum(s["minutes"] for s in snap["stages"]) == 45
    assert Guide.from_snapshot(snap) == g
