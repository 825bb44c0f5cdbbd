"""The session screen shows a guide as written: core questions first and set apart, and the
guide-wide cues under "Throughout"."""

from __future__ import annotations

import pytest

from tui.widgets.session import NotesArea, QuestionList, StageCard
from apptools import make_app, open_session

pytestmark = pytest.mark.usefixtures("utc_zone")

PLAN = {"id": "g", "name": "G", "cues": ["Listen more than you talk."],
        "phrases": ["I understand."], "stages": [
            {"key": "a", "title": "Their agenda", "minutes": 10, "optional": True, "questions": [
                {"text": "What have you tried so far?", "core": False},
                {"text": "What's on your mind this week?", "core": True},
                {"text": "What would you try next?", "core": False},
                {"text": "Where could you use my help?", "core": True}]},
            {"key": "b", "title": "Old", "minutes": 5, "questions": [{"text": "What else?"}]},
            {"key": "c", "title": "Extra", "minutes": 5, "optional": True}]}


def shown(widget: QuestionList) -> list[str]:
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


async def test_core_questions_first_and_set_apart(store, vault_path, clock):
    person = store.add_person("Ada")
    session = store.start_session(person.id, PLAN)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        questions = screen.query_one(QuestionList)
        assert shown(questions) == ["◆ What's on your mind this week?",
                                    "◆ Where could you use my help?",
                                    "? What have you tried so far?", "? What would you try next?"]
        # a divider after the last core question, and only there
        dividers = [i for i in range(questions.option_count)
                    if questions.get_option_at_index(i)._divider]
        assert dividers == [1]
        # the keys act on the question shown, which keeps its index in the stage
        await pilot.press("ctrl+o")
        assert "Q: What's on your mind this week?" in screen.query_one(NotesArea).text
        assert screen.asked["a"] == {1}
        await pilot.press("ctrl+down", "ctrl+r")  # ctrl+o moved on to the next one already
        assert screen.asked["a"] == {1, 0}
        screen.flush()
        assert set(store.session(session.id).asked["a"]) == {0, 1}
        assert shown(questions)[2] == "✓ What have you tried so far?"


async def test_throughout_cues_and_optional_mark_in_the_card(store, vault_path, clock):
    person = store.add_person("Ada")
    session = store.start_session(person.id, PLAN)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press("ctrl+g")  # the cues, in place of the questions
        card = str(screen.query_one(StageCard).render())
        assert "Their agenda  (optional)" in card
        outline = screen.query_one("#outline")
        assert str(outline.get_option_at_index(0).prompt).startswith("▶ 1. Their agenda")
        assert str(outline.get_option_at_index(1).prompt).startswith("  2. Old")
        assert str(outline.get_option_at_index(2).prompt).startswith("◦ 3. Extra")
        await pilot.press("ctrl+n")
        assert str(outline.get_option_at_index(0).prompt).startswith("✓ 1. Their agenda")
        assert card.index("Throughout") < card.index("Listen more than you talk.")
        assert "“ I understand.”" in card


async def test_old_plans_without_core_or_cues_still_show(store, vault_path, clock):
    person = store.add_person("Ada")
    session = store.start_session(person.id, {"id": "g", "name": "G", "stages": [
        {"key": "b", "title": "Old", "minutes": 5, "questions": [{"text": "What else?"},
                                                                 {"text": "Who else?"}]}]})
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        questions = screen.query_one(QuestionList)
        assert shown(questions) == ["? What else?", "? Who else?"]
        assert not any(questions.get_option_at_index(i)._divider for i in range(2))
        assert "Throughout" not in str(screen.query_one(StageCard).render())
