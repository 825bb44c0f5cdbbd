"""The session record behind the detail screen and ``rapport show``: a stage keeps both notes."""

from __future__ import annotations

from guides.loader import builtin_guides
from tui.record import load_record, session_markdown, stage_times


def test_a_stage_with_a_shared_and_a_private_note_shows_both(store, clock):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    first = plan["stages"][0]["key"]
    session = store.start_session(store.add_person("Ana").id, plan)
    store.save_note(session.id, first, "She is worried about the reorg.")
    store.save_note(session.id, first, "She may leave.", private=True)
    record = load_record(store, store.session(session.id))
    stage = record.stages[0]
    assert stage.note and stage.note.text == "She is worried about the reorg."
    assert stage.private_note and stage.private_note.text == "She may leave."
    assert not stage.private and stage.words == 9
    text = session_markdown(record)
    assert "worried about the reorg" in text and "She may leave." in text
    assert text.index("worried") < text.index("🔒 Private note") < text.index("She may leave.")


def test_a_private_note_alone_is_the_stage_s_note_marked_private(store, clock):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    first = plan["stages"][0]["key"]
    session = store.start_session(store.add_person("Ana").id, plan)
    store.save_note(session.id, first, "Only mine.", private=True)
    stage = load_record(store, store.session(session.id)).stages[0]
    assert stage.private and stage.note and stage.note.text == "Only mine."
    assert stage.private_note is None


def test_goals_checked_in_show_in_the_record_and_the_summary_as_private_as_their_stage(store,
                                                                                        clock):
    """A career conversation's goal check-ins: in ``rapport show`` and the detail screen (one
    line each, a private one marked), and in the participant's summary only when neither the
    check-in's stage nor the stage its goal was captured in is private."""
    from store import Scope, render_export

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    shared = next(s["key"] for s in plan["stages"] if not s.get("private"))
    private = next(s["key"] for s in plan["stages"] if s.get("private"))
    ana = store.add_person("Ana")
    first = store.start_session(ana.id, plan)
    goal = store.add_item(first.id, "goal", "Lead the Q2 launch", owner="them", stage=shared)
    hidden = store.add_item(first.id, "goal", "HIDDEN-GOAL be less blunt", owner="them",
                            stage=private)
    session = store.start_session(ana.id, plan)
    store.check_in_goal(goal.id, status="on-track", progress=15, note="pair with Sam",
                        session_id=session.id, stage=shared)
    store.check_in_goal(goal.id, note="PRIVATE-CHECKIN unsure", session_id=session.id,
                        stage=private)
    store.check_in_goal(hidden.id, progress=40, session_id=session.id, stage=shared)
    text = session_markdown(load_record(store, store.session(session.id)))
    assert "### Goals checked in\n\n- ★ Lead the Q2 launch — 15 % · on-track · pair with Sam\n" \
        "- ★ Lead the Q2 launch — 15 % · on-track · PRIVATE-CHECKIN unsure · private\n" \
        "- ★ HIDDEN-GOAL be less blunt — 40 % · open · private" in text
    summary = render_export(store, Scope.sessions(session.id)).text
    assert "Lead the Q2 launch — 15 % · on-track · pair with Sam" in summary
    assert "PRIVATE-CHECKIN" not in summary and "HIDDEN-GOAL" not in summary
    # where a goal was set it is an item, not a check-in (its first check-in is its setting)
    assert "Goals checked in" not in session_markdown(load_record(store, store.session(first.id)))


def test_a_session_of_seconds_has_one_length_in_the_record_and_the_summary(store, clock):
    """Ended 20 s after it started: the detail and ``rapport show`` said "0m start to end"
    where the summary said "under a minute": both say it in the export's words."""
    from store import Scope, render_export

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    session = store.start_session(store.add_person("Ana").id, plan)
    clock.advance(20)
    store.end_session(session.id)
    text = session_markdown(load_record(store, store.session(session.id)))
    assert " · under a minute, start to end · 0 min spent on the stage timers of 30 min " \
        "planned" in text
    assert "- **Length:** under a minute, start to end\n" in render_export(
        store, Scope.sessions(session.id)).text


def test_a_length_is_one_wording_in_words_for_records_and_short_in_lists():
    """One formatter: "7 min" in records, "7m" in every list (80 columns), never a third."""
    from store import minutes_text

    assert (minutes_text(420), minutes_text(420, short=True)) == ("7 min", "7m")
    assert (minutes_text(4500), minutes_text(4500, short=True)) == ("1 h 15 min", "75m")
    # a few seconds: said as such, short too ("0m" read as nothing at all); nothing is 0
    assert (minutes_text(8), minutes_text(8, short=True)) == ("under a minute", "<1m")
    assert (minutes_text(0), minutes_text(0, short=True)) == ("0 min", "0m")


def test_minutes_planned_read_as_the_export_says_them(store, clock):
    """A 60-minute guide: the detail and ``rapport show`` said "1 h 00 min planned" and a stage
    "15m planned" where the full export says "(planned 60 min)" and "15 min": one wording."""
    from store import Scope, render_export

    plan = next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()
    assert sum(s["minutes"] for s in plan["stages"]) == 60
    session = store.start_session(store.add_person("Ana").id, plan)
    clock.advance(20)
    store.end_session(session.id)
    text = session_markdown(load_record(store, store.session(session.id)))
    assert "on the stage timers of 60 min planned" in text
    first = plan["stages"][0]
    assert f"| 1. {first['title']} | {first['minutes']} min |" in text
    assert f"\n*{first['minutes']} min planned · " in text
    assert "(planned 60 min)" in render_export(store, Scope.sessions(session.id),
                                               kind="full").text


def test_a_stage_s_time_spent_reads_the_same_in_its_block_and_the_table(store, clock):
    """22 s on a stage: its block said "0m spent" where the table said 00:22. Both, and
    ``rapport show``, say it as the export's timings do ("22 s", "2 min 30 s"); a stage whose
    timer never ran says so in its block ("no time spent"), "—" in the table as in the export."""
    from store import Scope, render_export

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    keys = [s["key"] for s in plan["stages"]]
    session = store.start_session(store.add_person("Ana").id, plan)
    store.save_session_state(session.id, spent={keys[0]: 22.0, keys[1]: 150.0})
    store.end_session(session.id)
    record = load_record(store, store.session(session.id))
    text = session_markdown(record)
    assert "min planned · 22 s spent*" in text and "min planned · 2 min 30 s spent*" in text
    assert "min planned · no time spent*" in text
    assert f"| 1. {plan['stages'][0]['title']} | {plan['stages'][0]['minutes']} min | 22 s |" \
        in text and "| **Total** |" in text and "| 2 min 52 s |" in text
    times = stage_times(record)  # the detail's table
    assert [spent for _, spent in times[:3]] == ["22 s", "2 min 30 s", "—"]
    assert times[-1] == ("30 min", "2 min 52 s")
    export = render_export(store, Scope.sessions(session.id), kind="full").text
    assert "| 22 s |" in export and "| 2 min 30 s |" in export
