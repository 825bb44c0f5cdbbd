"""The three built-in guides: they load, and their content meets the brief."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from guides.loader import BUILTIN_IDS, builtin_guides, parse_guide, validate_file
from guides.model import ITEM_KINDS, Guide

CLOSED_OPENERS = {
    "do", "does", "did", "is", "are", "was", "were", "can", "could", "will", "would",
    "have", "has", "had", "should", "shall", "may", "might",
}
STEPS = tuple(f"step-{n}" for n in range(1, 6))
TIPS = tuple(f"tip-{n}" for n in range(1, 8))


def by_id() -> dict[str, Guide]:
    return {g.id: g for g in builtin_guides()}


def conversational(guide: Guide):
    return [s for s in guide.stages if not s.private]


def test_builtins_in_order():
    assert [g.id for g in builtin_guides()] == list(BUILTIN_IDS)
    assert BUILTIN_IDS == ("leadership-interview", "feedback", "one-on-one")
    assert {g.kind for g in builtin_guides()} == {"interview", "feedback", "one-on-one"}
    assert all(g.origin == "builtin" for g in builtin_guides())


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_builtin_file_validates(guide_id, tmp_path):
    data = (resources.files("guides") / "builtin" / f"{guide_id}.toml").read_bytes()
    path = tmp_path / f"{guide_id}.toml"
    path.write_bytes(data)
    assert validate_file(path) == []
    assert parse_guide(data) == by_id()[guide_id]


def test_builtin_ids_unique_and_no_stray_files():
    files = sorted(p.name for p in (resources.files("guides") / "builtin").iterdir()
                   if p.name.endswith(".toml"))
    assert files == sorted(f"{i}.toml" for i in BUILTIN_IDS)


def test_planned_minutes_are_realistic():
    guides = by_id()
    assert 45 <= guides["leadership-interview"].planned_minutes <= 60
    assert 25 <= guides["one-on-one"].planned_minutes <= 35
    assert 30 <= guides["feedback"].planned_minutes <= 50


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_ends_with_short_private_reflection(guide_id):
    guide = by_id()[guide_id]
    last = guide.stages[-1]
    assert last.private and last.key == "reflection"
    assert last.minutes <= 5
    assert [s for s in guide.stages if s.private] == [last]
    cues = " ".join(last.cues).lower()
    # self-check cues drawn from the demeanour advice: calm, approachable, not judging
    assert "calm" in cues and "approachable" in cues
    assert "judged" in cues or "judging" in cues


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_conversational_stages_have_five_questions(guide_id):
    for stage in conversational(by_id()[guide_id]):
        assert len(stage.questions) >= 5, stage.key
        assert stage.cues and stage.avoid and stage.phrases, stage.key
        assert stage.source, stage.key


def _first_word(text: str) -> str:
    return re.split(r"[^A-Za-z']+", text.strip().lstrip("\"'“‘"), maxsplit=1)[0].lower()


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_questions_are_open(guide_id):
    for stage in by_id()[guide_id].stages:
        for question in stage.questions:
            if question.deliberate:
                continue
            word = _first_word(question.text)
            assert word not in CLOSED_OPENERS, f"{guide_id}/{stage.key}: closed question {question.text!r}"
            assert question.text.rstrip().endswith("?"), question.text


def test_closed_question_detector_works():
    assert _first_word("Is it OK?") == "is"
    assert _first_word("  'Would you...'") == "would"
    assert _first_word("What happened?") == "what"


def test_every_step_and_tip_maps_to_a_stage():
    sources = {src for g in builtin_guides() for s in g.stages for src in s.source}
    for ref in STEPS + TIPS:
        assert ref in sources, f"{ref} is not traced to any stage"
    assert sources <= set(STEPS + TIPS), sources - set(STEPS + TIPS)


def test_interview_traces_all_five_steps_and_one_on_one_all_seven_tips():
    guides = by_id()
    interview = {src for s in guides["leadership-interview"].stages for src in s.source}
    assert set(STEPS) <= interview
    one = [s.source for s in guides["one-on-one"].stages if not s.private]
    assert [list(src) for src in one] == [[t] for t in TIPS]  # the seven tips, one stage each, in order


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_first_stage_states_confidentiality(guide_id):
    first = by_id()[guide_id].stages[0]
    assert any("confidential" in p.lower() for p in first.phrases)
    assert "step-1" in first.source or "tip-1" in first.source


def test_interview_confidentiality_within_appropriate_boundaries():
    first = by_id()["leadership-interview"].stages[0]
    assert any("within appropriate boundaries" in p for p in first.phrases)


def test_interview_covers_the_substance():
    keys = [s.key for s in by_id()["leadership-interview"].stages]
    assert keys == ["welcome", "expectations", "perception", "needs", "current-state",
                    "future-state", "close", "reflection"]
    text = " ".join(
        s.purpose + " ".join(s.cues) for s in by_id()["leadership-interview"].stages
    ).lower()
    for phrase in ("perceived", "organisation needs", "current-state", "future state", "leadership strategy"):
        assert phrase in text, phrase


def test_empathetic_phrases_from_step_4():
    phrases = {p for g in builtin_guides() for s in g.stages for p in s.phrases}
    for phrase in ("I understand.", "I appreciate your perspective.", "I can see how that might feel."):
        assert phrase in phrases or any(phrase.rstrip(".") in p for p in phrases), phrase


def test_feedback_shape():
    guide = by_id()["feedback"]
    assert [s.key for s in guide.stages] == ["rapport", "expectations", "feedback", "response",
                                             "next-steps", "reflection"]
    assert guide.stage("next-steps").followup
    assert "behaviour" in " ".join(guide.stage("feedback").cues).lower()
    assert "impact" in " ".join(guide.stage("feedback").cues).lower()
    assert {"action", "agreement"} <= set(guide.stage("next-steps").item_kinds)


def test_one_on_one_shape():
    guide = by_id()["one-on-one"]
    assert [s.key for s in guide.stages] == ["check-in", "listening", "updates", "challenges",
                                             "feedback", "goals", "follow-up", "reflection"]
    follow = guide.stage("follow-up")
    assert follow.followup
    assert set(follow.item_kinds) == {"action", "decision", "agreement"}
    assert "goal" in guide.stage("goals").item_kinds
    goals_text = (guide.stage("goals").purpose + " ".join(guide.stage("goals").cues)).lower()
    for word in ("aspirations", "strengths", "growth", "team"):
        assert word in goals_text, word
    assert [s.key for s in guide.stages if s.followup] == ["follow-up"]


def test_item_kinds_and_text_hygiene():
    for guide in builtin_guides():
        for stage in guide.stages:
            assert set(stage.item_kinds) <= set(ITEM_KINDS)
            for text in (stage.title, stage.purpose, *stage.cues, *stage.avoid, *stage.phrases,
                         *stage.prompts, *(q.text for q in stage.questions)):
                assert text == text.strip() and "  " not in text, text
                assert "\\" not in text, text  # TOML line continuations all resolved


def test_builtin_guides_are_cached_but_list_is_a_copy():
    first = builtin_guides()
    first.clear()
    assert len(builtin_guides()) == 3
