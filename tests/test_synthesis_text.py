"""Every count-dependent sentence of a synthesis agrees in number, with one and with many
("1 passage about individual leaders appears", "2 passages ... appear"): issue 24."""

from __future__ import annotations

import pytest

from guides.loader import builtin_guides
from store.synthesis import build
from store.synthesis_render import render
from store.synthesis_report import programme_report


def plan() -> dict:
    return next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()


def synthesis_text(store, clock, interviews: int, min_interviewees: int = 3, *,
                   strengths: bool = True) -> str:
    """``interviews`` interviews, each saying something about the leader Ana (a future state:
    a gap about her; with ``strengths`` a strength too) and one future state about the team (a
    gap)."""
    programme = store.add_programme("Leaders")
    ana = store.add_person("Ana Silva")
    for i in range(interviews):
        person = store.add_person(f"Interviewee {i}")
        session = store.start_session(person.id, plan(), programme_id=programme.id)
        if strengths:
            store.add_tag(session.id, "strength", f"Ana is clear {i}", subject_id=ana.id)
        store.add_tag(session.id, "future state", f"Ana delegates {i}", subject_id=ana.id)
        store.add_tag(session.id, "future state", f"Teams decide {i}")
        clock.advance(60)
    doc = programme_report(build(store, programme.id), min_interviewees=min_interviewees)
    return " ".join(render(doc, "md").split())


@pytest.mark.parametrize("count,passages,gaps,further", [
    (1, "1 passage about individual leaders appears only",
     "1 gap about individual leaders appears only", "1 further gap withheld (fewer than 3 "
     "interviewees)"),
    (2, "4 passages about individual leaders appear only",
     "1 gap about individual leaders appears only", "1 further gap withheld (fewer than 3 "
     "interviewees)"),
])
def test_sentences_agree_with_one_and_many(store, clock, count, passages, gaps, further):
    text = synthesis_text(store, clock, count, strengths=count > 1)
    assert passages in text
    assert gaps in text
    assert further in text
    assert "1 interview with" in text if count == 1 else "2 interviews with 2 interviewees" in text


def test_a_minimum_of_two_reads_as_many(store, clock):
    text = synthesis_text(store, clock, 1, min_interviewees=2)
    assert "at least 2 different interviewees said something" in text
    assert "Withheld: fewer than 2 interviewees said something here." in text
