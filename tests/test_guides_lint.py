"""The question lint: each rule fires on what it is for, and stays quiet on its near-misses."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guides.lint import RULES, check_question, lint
from guides.loader import BUILTIN_IDS, builtin_source, check_guide, parse_guide
from guides.model import Guide, Question, Stage


def rules(text: str) -> list[str]:
    return [rule for rule, _ in check_question(text)]


@pytest.mark.parametrize("text", [
    "Do you like working on the platform team?",
    "Does that make sense?",
    "Did the launch go to plan?",
    "Is now still a good time?",
    "Are you OK with that?",
    "Am I being clear?",
    "Can you tell me more?",
    "Could you walk me through it?",
    "Would you do it again?",
    "Have you thought about leaving?",
    "Should we move the deadline?",
    "Isn't that a risk?",
    "Don't you find that odd?",
    "Won't that slow you down?",
    "Any questions?",
    "Anything else on your mind?",
    "So, is it working?",
    "And do you feel supported?",
    "When you say late, do you mean Friday?",
    "Looking back, would you change anything?",
    "It went fine, right?",
    "That's the plan, correct?",
    "You'll send it today, won't you?",
    "“Is it OK if I share something?”",
])
def test_closed_questions(text):
    assert "closed" in rules(text)


@pytest.mark.parametrize("text", [
    "What do you need from me?",
    "How are you doing, really?",
    "Who did you work with most?",
    "When did you last think about leaving?",
    "Where are you stuck?",
    "Which colleagues do you work with most?",
    "When that happened, what did you do?",
    "Looking back, what would you change?",
    "Tell me about a specific time when you were at your best.",
    "What would make this half hour useful, right now?",
    "Describe what a good week looks like.",
    "What does 'done' mean to you?",
    "Doing this again, what would you change?",  # "doing" is not "do"
    "Anywhere else?".replace("Anywhere", "Where"),
])
def test_open_questions_are_not_closed(text):
    assert "closed" not in rules(text)


@pytest.mark.parametrize("text", ["Why did that happen?", "And why not?", "How come it slipped?",
                                  "What happened, and why?", "WHY now?"])
def test_why_and_how_come(text):
    assert "why" in rules(text)


@pytest.mark.parametrize("text", ["What led to that?", "What's the why behind this goal?",
                                  "How did it come about?", "What made it come together?"])
def test_why_near_misses(text):
    assert "why" not in rules(text)


@pytest.mark.parametrize("text", [
    "What went well, and what was hard?",
    "What went well and what happened next?",
    "Where are you stuck, and what have you tried so far?",
    "What do you need from me, and by when?",
    "What impact did it have, and on whom?",
    "What feels fair, or what feels off?",
    "What made that work, and is it repeatable?",
    "Who did you work with, and how did it go?",
    "What's one thing to change? What would it take?",
    "What are you proud of, and what's next?",
])
def test_double_barrelled(text):
    assert "double" in rules(text)


@pytest.mark.parametrize("text", [
    "What did you and the team learn?",
    "What helps you do your best work and stay well?",
    "What's the gap between what you do and what you'd like to do?",
    "What would you keep or drop?",
    "Where would you like to be in two or three years?",
    "What is one thing this colleague could do differently?",
    "What would you do and how you'd do it?".replace("and how you'd do it", "next"),
    "What do you know now that you didn't then?",
])
def test_double_near_misses(text):
    assert "double" not in rules(text)


@pytest.mark.parametrize("text", [
    "How well do leaders here work as a team?",
    "How satisfied are you with your role?",
    "How important is this to you?",
    "On a scale of 1 to 5, where are you?",
    "How would you rate the week?",
    "Rate your week from 1 to 5.",
    "To what extent do you trust the plan?",
    "Which parts of this match what you've noticed yourself?",
    "So you'd agree it went badly?",
    "So you think it's fixed?",
    "Wouldn't you say it's better now?",
    "Surely that helped?",
    "How much do you agree with the plan?",
])
def test_leading_and_scale(text):
    assert "leading" in rules(text)


@pytest.mark.parametrize("text", [
    "So we're on the same page, what are you taking from this?",
    "How did the week go?",
    "How much time do you need?",
    "What would you like to rate first?",
    "What parts of the plan worry you?",
    "What does good look like here?",
    "How are you, really?",
])
def test_leading_near_misses(text):
    assert "leading" not in rules(text)


def test_the_issues_own_examples():
    assert rules("What's one thing I could do differently that would make working with me "
                 "easier?") == []
    assert rules("What were you aiming for at that point?") == []
    assert rules("So we're on the same page, what are you taking from this?") == []
    assert rules("Are you comfortable going ahead on that basis?") == ["closed"]


def test_messages_are_one_line_and_name_the_fix():
    for text in ("Do you? And why? How well, right?", "Is it, and how come?"):
        for rule, message in check_question(text):
            assert rule in RULES and "\n" not in message and len(message) < 160


# --- property tests -------------------------------------------------------------------------

SAFE = ["the", "team", "plan", "work", "you", "your", "most", "week", "next", "helps", "change",
        "matters", "project", "people", "this", "time", "learn", "need", "from", "me", "most"]
words = st.lists(st.sampled_from(SAFE), min_size=1, max_size=8).map(" ".join)
WH_OPEN = ["What", "Where", "When", "Who", "Which", "How"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(WH_OPEN), words)
def test_plain_wh_questions_pass(opener, middle):
    assert check_question(f"{opener} {middle}?") == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["Do", "Is", "Are", "Can", "Would", "Did", "Isn't", "Any", "Have"]),
       st.sampled_from(["", "So, ", "And "]), words)
def test_any_closed_opener_is_caught(opener, filler, middle):
    text = f"{filler}{opener if not filler else opener.lower()} {middle}?"
    assert "closed" in rules(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(WH_OPEN), words, st.sampled_from(["what", "how", "where", "who"]),
       st.sampled_from(["did", "is", "was", "would", "could"]), words,
       st.sampled_from([", and", " and", ", or", " or"]))
def test_two_wh_questions_joined_are_caught(first, a, second, aux, b, joint):
    assert "double" in rules(f"{first} {a}{joint} {second} {aux} {b}?")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_stays_one_line(text):
    for rule, message in check_question(text):
        assert rule in RULES and "\n" not in message


# --- the guide-level rules ------------------------------------------------------------------


def stage(questions, private=False, key="s"):
    return Stage(key=key, title="T", purpose="p", minutes=5, cues=(), avoid=(), phrases=(),
                 questions=tuple(questions), private=private)


def guide(*stages):
    return Guide(id="g", name="G", kind="custom", description="d", version=1, stages=stages)


def found(g):
    return [(f.path, f.rule) for f in lint(g)]


def test_deliberate_is_exempt():
    q = Question("Are you comfortable going ahead on that basis?", deliberate=True, core=True)
    assert found(guide(stage([q, Question("What worries you?")]))) == []
    assert found(guide(stage([Question(q.text, core=True)]))) == \
           [(("stages", 0, "questions", 0), "closed")]


def test_shape_rules():
    five = [Question(text, core=n == 0) for n, text in enumerate((
        "What helps you most?", "Where are you stuck?", "Who could help with that?",
        "When will you know it worked?", "Which part matters most to the team?"))]
    assert found(guide(stage(five))) == [(("stages", 0, "questions"), "shape")]
    assert found(guide(stage(five[:4]))) == []
    no_core = [Question("What gets in the way?"), Question("Who else could step in?")]
    assert found(guide(stage(no_core))) == [(("stages", 0, "questions"), "shape")]
    three_core = [Question(q.text, core=True) for q in five[:3]]
    assert found(guide(stage(three_core))) == [(("stages", 0, "questions"), "shape")]
    # a private reflection is the facilitator's own: no shape rule
    assert found(guide(stage(no_core + five, private=True))) == []
    assert found(guide(stage([]))) == []  # a stage without questions is fine


def test_duplicates():
    a = Question("What's been going well this week?", core=True)
    near = Question("What has been going well for you this week?")
    other = Question("Where are you stuck?")
    assert found(guide(stage([a, near]))) == [(("stages", 0, "questions", 1), "duplicate")]
    assert found(guide(stage([a, other]))) == []
    # the same text in another stage is a duplicate too; a merely similar one is not
    assert found(guide(stage([a, other]), stage([Question(a.text, core=True)], key="t"))) == \
           [(("stages", 1, "questions", 0), "duplicate")]
    assert found(guide(stage([a, other]), stage([Question(near.text, core=True)], key="t"))) == []
    # parallel questions are not duplicates
    trio = [Question(f"What should the team {verb} doing?", core=verb == "start")
            for verb in ("start", "stop", "keep")]
    assert found(guide(stage(trio))) == []


def test_findings_get_lines_in_the_file():
    text = textwrap.dedent('''\
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
          "Do you agree?",
        ]
        ''')
    report = check_guide(text, source="g.toml")
    assert report.problems == () and report.guide is not None
    assert [(w.where, w.message.split(":")[0]) for w in report.warnings] == [
        ("line 14, stages[0].questions[1]", '"why" can sound like blame'),
        ("line 16, stages[0].questions[3]", "closed question"),
    ]


@pytest.mark.parametrize("guide_id", BUILTIN_IDS)
def test_builtins_pass_strict(guide_id):
    report = check_guide(builtin_source(guide_id), source=guide_id)
    assert report.problems == ()
    assert [str(w) for w in report.warnings] == []


def test_template_passes_strict():
    from guides.loader import template

    report = check_guide(template("x"))
    assert report.warnings == () and report.problems == ()
    assert parse_guide(template("x")).id == "x"


def test_a_text_that_names_a_key_is_flagged():
    """Keys can be remapped (docs/keys.md): "(F4)" in a cue would then name the wrong key."""
    named = Stage(key="s", title="T", purpose="Capture with ctrl+t or Ctrl-T", minutes=5,
                  cues=("Tag passages as you go (F4).", "Listen."), avoid=(),
                  phrases=(), prompts=("Press alt+n",), questions=(Question("What helps?",
                                                                             core=True),))
    g = dataclasses.replace(guide(named), cues=("Help is on f1",))
    assert found(g) == [(("cues", 0), "keys"), (("stages", 0, "purpose"), "keys"),
                        (("stages", 0, "cues", 0), "keys"), (("stages", 0, "prompts", 0), "keys")]
    quiet = Stage(key="s", title="T", minutes=5, avoid=(), phrases=(), prompts=(),
                  purpose="A F2F talk about shift-work, the fifth rota and alt text.",
                  cues=("Tag passages as you go.",), questions=(Question("What helps?",
                                                                         core=True),))
    assert found(guide(quiet)) == []
