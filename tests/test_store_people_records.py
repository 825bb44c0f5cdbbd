"""Issues 22 and 23, store side, about people over time: the feedback log, goals, a roster and
consent, erasing, renaming and merging someone, what the since-last-time panel and a shared
summary hold, the calendar, a restored backup and what retention keeps."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from store import (
    FEEDBACK_STAGE_FIELDS, NotFound, RapportError, Scope, TakenBack, destroy_raw, render_export,
    retention_plan, restore_vault, share_summary, since_last_time, write_calendar,
)
from store.calendar import calendar_bytes
from store.vault import KEPT_SUFFIX, open_vault

from loop_records import PLAN, fill

pytestmark = pytest.mark.usefixtures("utc_zone")


def test_the_feedback_guide_fills_its_entry_as_it_goes(store, clock):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, {**PLAN, "id": "praise"})
    assert set(FEEDBACK_STAGE_FIELDS["feedback"]) == {"situation", "behaviour", "impact"}
    store.fill_feedback(s.id, situation="The launch", behaviour="stayed late", impact="we made it")
    store.fill_feedback(s.id, response="Glad it helped")
    step = store.add_item(s.id, "action", "Share the checklist", owner="them")
    entry = store.fill_feedback(s.id, next_step="Share the checklist", item_id=step.id)
    assert (entry.kind, entry.direction, entry.situation, entry.response, entry.item_id) == (
        "praise", "given", "The launch", "Glad it helped", step.id)
    assert store.feedback(ann.id) == [entry]
    received = store.add_feedback(ann.id, direction="received", behaviour="late agendas")
    assert [f.direction for f in store.feedback(ann.id)] == ["given", "received"]
    with pytest.raises(RapportError, match="someone else's|this person's"):
        store.update_feedback(received.id,
                              item_id=store.add_item(store.start_session(
                                  store.add_person("Bo").id, PLAN).id, "action", "x").id)


LINE = st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(situation=LINE, behaviour=LINE, impact=LINE, other=LINE,
       label=st.sampled_from(["{}: ", "- **{}**: ", "{} - ", "## {}\n", "{}:\n  "]))
def test_the_prepared_points_are_read_back_and_nothing_else(situation, behaviour, impact,
                                                            other, label):
    """What Prepare's note wrote under each label, as the feedback form starts from it: read
    back as written (on one line), in any of the ways a note labels it, nothing from the
    lines around (a request, a private aside), and no word that was not written."""
    from store import prepared_feedback

    def said(text: str) -> str:
        return " ".join(text.split())

    for value in (situation, behaviour, impact):  # what reads as a label or a bullet is one
        assume(not value.lstrip()[:1] in set("-–—:*•#>_"))
        assume(not label.endswith("\n  ") and not label.endswith("\n") or ":" not in value)
        # a label after a sentence's end starts a field, on the same line too
        assume(not re.search(r"[.;!?]\s+(situation|behaviou?r|impact)\s*:", value, re.I))

    def labelled(word: str, text: str) -> str:
        return label.format(word) + text

    text = "\n".join([f"Aside: {other}", labelled("Situation", situation),
                      labelled(label.islower() and "behavior" or "Behaviour", behaviour),
                      "", labelled("IMPACT", impact), f"My one request: {other}"])
    found = prepared_feedback(text)
    expected = {f: said(v) for f, v in (("situation", situation), ("behaviour", behaviour),
                                        ("impact", impact)) if said(v)}
    assert found == expected
    assert all(word in text for value in found.values() for word in value.split())


WORDS = st.text(st.characters(categories=("L", "Zs")), max_size=30).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(situation=WORDS, behaviour=WORDS, impact=WORDS, stop=st.sampled_from(".;!?"))
def test_prepared_points_written_on_one_line_are_read_apart(situation, behaviour, impact, stop):
    """"Situation: the review. Behaviour: ... Impact: ..." typed as one line (a facilitator
    prepares in a hurry): each label after a sentence's end starts its own field."""
    from store import prepared_feedback

    text = f"Situation: {situation}{stop} behaviour: {behaviour}{stop} IMPACT: {impact}"
    assert prepared_feedback(text) == {"situation": " ".join(f"{situation}{stop}".split()),
                                       "behaviour": " ".join(f"{behaviour}{stop}".split()),
                                       "impact": " ".join(impact.split())}


def test_their_response_is_read_under_the_their_side_stage_s_prompt():
    """The response stage's note, as its prompts label it: the response is what follows "Their
    view, in their words" (or "Their response"), up to the next prompt, however long."""
    from store import prepared_feedback

    assert prepared_feedback("Their view, in their words: felt cornered\n  by the client\n"
                             "Where we agree and where we don't: the timeline") == {
        "response": "felt cornered by the client"}
    assert prepared_feedback("- **Their response** - fine. Situation: the demo") == {
        "response": "fine.", "situation": "the demo"}
    assert prepared_feedback("Their view might differ: ask") == {}


def test_an_agreed_next_step_becomes_a_linked_action_or_nothing_is_written(store):
    """The SBI form's "a new action of theirs": the action and the link in one transaction."""
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, {**PLAN, "id": "feedback"})
    entry = store.fill_feedback(s.id, action_stage="next-steps", next_step="Rehearse the demo")
    [action] = store.items(session_id=s.id)
    assert (action.kind, action.owner, action.text, action.stage) == (
        "action", "them", "Rehearse the demo", "next-steps")
    assert entry.item_id == action.id
    with pytest.raises(RapportError):  # a field the entry has not: neither is written
        store.fill_feedback(s.id, action_stage="next-steps", next_step="Again", mood="x")
    assert [i.id for i in store.items(session_id=s.id)] == [action.id]
    assert store.feedback(ann.id) == [entry]


def test_goals_move_with_check_ins_key_results_and_actions(store, clock):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, PLAN)
    goal = store.add_item(s.id, "goal", "Run the design review", owner="them")
    clock.advance(86400)
    moved = store.check_in_goal(goal.id, status="on-track", progress=40, note="draft out")
    assert moved.progress == 40 and moved.status == "on-track"
    store.update_item(goal.id, status="at-risk")  # the s key: kept as a check-in too
    kr = store.add_key_result(goal.id, "Agenda agreed")
    store.add_key_result(goal.id, "Review held", progress=20)
    store.update_key_result(kr.id, progress=60, note="agreed by two")
    with pytest.raises(RapportError, match="key results"):
        store.check_in_goal(goal.id, progress=90)
    action = store.add_item(s.id, "action", "Send the agenda", owner="them")
    store.link_to_goal(goal.id, action.id)
    (g,) = store.goals(ann.id)
    assert g.progress == 40  # the mean of 60 and 20
    assert [(c.status, c.progress, c.key_result, c.note) for c in g.checkins] == [
        ("open", None, None, "goal set"), ("on-track", 40, None, "draft out"),
        ("at-risk", None, None, ""), (None, 60, kr.id, "agreed by two")]
    assert [a.id for a in g.actions] == [action.id]
    with pytest.raises(RapportError, match="only action items"):
        store.link_to_goal(goal.id, goal.id)
    store.check_in_goal(goal.id, status="done", note="held")
    assert store.goals(ann.id, open_only=True) == []


def test_a_roster_and_consent_recorded_at_the_interview(store, clock):
    programme = store.add_programme("Leaders")
    lee = store.add_person("Lee")
    store.add_to_roster(programme.id, lee.id)
    with pytest.raises(RapportError, match="already"):
        store.add_to_roster(programme.id, lee.id)
    # its guide changes while no interview of it has started, then stays
    assert not store.programme_started(programme.id)
    assert store.update_programme(programme.id, guide_id="stakeholder-interview").guide_id == \
        "stakeholder-interview"
    interview = store.start_session(lee.id, PLAN, programme_id=programme.id)
    assert store.programme_started(programme.id)
    with pytest.raises(RapportError, match="its guide stays: an interview of the programme"):
        store.update_programme(programme.id, name="Leads", guide_id="leadership-interview")
    kept = store.programme(programme.id)
    assert (kept.name, kept.guide_id) == ("Leaders", "stakeholder-interview")  # nothing changed
    assert store.update_programme(programme.id, guide_id="stakeholder-interview").rev == \
        kept.rev + 1  # the same guide again is no change of guide
    # a programme is found by its name: two never share one, whatever the case
    other = store.add_programme("Peers")
    with pytest.raises(RapportError, match="already a programme called 'leaders'"):
        store.add_programme("leaders")
    with pytest.raises(RapportError, match="already a programme called 'LEADERS'"):
        store.update_programme(other.id, name="LEADERS")
    assert store.update_programme(other.id, name="peers").name == "peers"  # its own, recased
    store.update_roster(programme.id, lee.id, status="done")
    place = store.record_consent(programme.id, lee.id, "given", session_id=interview.id)
    assert (place.status, place.consent, place.session_id) == ("done", "given", interview.id)
    assert place.consent_at == clock.now()
    with pytest.raises(RapportError, match="planned, scheduled, done, declined"):
        store.update_roster(programme.id, lee.id, status="maybe")
    # consent given at the interview of someone not on the roster puts them on it, as done
    ann = store.add_person("Ann")
    with pytest.raises(NotFound, match="Ann is not on the roster"):
        store.record_consent(programme.id, ann.id, "given")  # no interview: nowhere to put it
    talk = store.start_session(ann.id, PLAN, programme_id=programme.id)
    place = store.record_consent(programme.id, ann.id, "given", session_id=talk.id)
    assert (place.status, place.consent, place.session_id) == ("done", "given", talk.id)
    assert [p.person_id for p in store.roster(programme.id)] == [lee.id, ann.id]


def test_ending_an_interview_marks_the_roster_done_and_deleting_it_takes_that_back(
        store, clock, vault_path, passphrase):
    """The end review's end marks the interviewee's place done, in the same transaction, only
    from planned or scheduled, in a running programme; deleting the interview takes it back
    unless another ended interview with them says done, or the place was set by hand since."""
    programme = store.add_programme("Leaders")
    lee, kim, ann, bo, mo = (store.add_person(n) for n in ("Lee", "Kim", "Ann", "Bo", "Mo"))
    for person, status in ((lee, "planned"), (kim, "scheduled"), (ann, "declined"),
                           (mo, "planned")):
        store.add_to_roster(programme.id, person.id, status=status)

    def interview(person):
        return store.start_session(person.id, PLAN, programme_id=programme.id)

    def status(person) -> str:
        return next(p.status for p in store.roster(programme.id) if p.person_id == person.id)

    first = {p.name: interview(p) for p in (lee, kim, ann, bo, mo)}
    store.end_session(first["Lee"].id)  # a plain end (the commands', the tests'): no roster
    assert status(lee) == "planned"
    store.reopen_session(first["Lee"].id)
    with pytest.raises(RapportError, match="1 to 1440"):  # all of the end, or nothing
        store.end_reviewed(first["Kim"].id, next_meeting=(date(2025, 3, 11), None, 0))
    assert status(kim) == "scheduled" and store.session(first["Kim"].id).ended_at is None
    marked = {name: store.end_reviewed(first[name].id).marked for name in first}
    # what each end marked done (the review's toast says it): Ann declined, Bo not on it
    assert {n: p and (p.person_id, p.status) for n, p in marked.items()} == {
        "Lee": (lee.id, "done"), "Kim": (kim.id, "done"), "Ann": None, "Bo": None,
        "Mo": (mo.id, "done")}
    store.end_reviewed(store.start_session(lee.id, PLAN).id)  # a 1-on-1: no programme
    # sealed in the file: read back from it
    store.close()
    store = open_vault(vault_path, passphrase, allow_weak=True)
    assert [(p.person_id, p.status) for p in store.roster(programme.id)] == [
        (lee.id, "done"), (kim.id, "done"), (ann.id, "declined"), (mo.id, "done")]  # Bo: not on it
    # consent recorded after the end, a note: the place still knows which interview marked it
    store.record_consent(programme.id, lee.id, "given", session_id=first["Lee"].id)
    store.update_roster(programme.id, lee.id, note="keen")
    taken = TakenBack(roster="planned", consent="given")
    assert store.taken_back_by_deleting(first["Lee"].id) == taken  # asked before
    assert store.delete_session(first["Lee"].id) == taken
    back = store.roster(programme.id)[0]  # the consent given at it goes with it
    assert (back.status, back.consent, back.session_id, back.note) == (
        "planned", None, None, "keen")
    # another ended interview with Kim still says done, until it goes too: scheduled again
    second = store.start_session(kim.id, PLAN, programme_id=programme.id)
    store.end_reviewed(second.id)
    assert store.taken_back_by_deleting(first["Kim"].id).roster is None  # nothing to say
    store.delete_session(first["Kim"].id)
    assert status(kim) == "done"
    assert store.taken_back_by_deleting(second.id).roster == "scheduled"
    store.delete_session(second.id)
    assert status(kim) == "scheduled"
    # set by hand since (scheduled, then done again): the facilitator's word stays
    store.update_roster(programme.id, mo.id, status="scheduled")
    store.update_roster(programme.id, mo.id, status="done")
    assert not store.taken_back_by_deleting(first["Mo"].id)
    store.delete_session(first["Mo"].id)
    assert status(mo) == "done"
    store.delete_session(first["Ann"].id)
    assert status(ann) == "declined"
    # a closed programme's roster is the round's record: neither ending nor deleting moves it
    again = interview(lee)
    ended = interview(kim)
    store.end_reviewed(ended.id)
    store.close_programme(programme.id)
    store.end_reviewed(again.id)
    assert status(lee) == "planned"
    assert not store.taken_back_by_deleting(ended.id)
    store.delete_session(ended.id)
    assert status(kim) == "done"
    store.close()


def test_deleting_the_interview_whose_consent_put_them_on_the_roster_takes_the_place_back(
        store):
    """Consent recorded at an interview puts someone not on the roster on it (done); deleting
    that interview takes the place off again, unless another interview of theirs holds it, it
    holds a refusal (declined), a note or a consent by hand (planned), or its status was set
    by hand. A consent given at a deleted interview goes; a refusal stays, unlinked."""
    programme = store.add_programme("Leaders")
    names = ("Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus")
    ann, bo, cy, di, ed, flo, gus = (store.add_person(n) for n in names)

    def consented(person, consent="given"):
        talk = store.start_session(person.id, PLAN, programme_id=programme.id)
        store.record_consent(programme.id, person.id, consent, session_id=talk.id)
        return talk

    def place(person):
        return next((p for p in store.roster(programme.id) if p.person_id == person.id), None)

    talks = {p.name: consented(p) for p in (ann, cy, di, ed, flo)}
    talks["Bo"] = consented(bo, "refused")
    store.update_roster(programme.id, di.id, note="wants the summary")
    store.update_roster(programme.id, ed.id, status="scheduled")  # by hand: yours
    store.record_consent(programme.id, flo.id, "given")  # by hand, at no interview
    later = store.start_session(cy.id, PLAN, programme_id=programme.id)  # holds Cy's place
    expected = {"Ann": ("off", None, None), "Bo": ("declined", "declined", "refused"),
                "Cy": (None, "done", None), "Di": ("planned", "planned", None),
                "Ed": (None, "scheduled", None), "Flo": ("planned", "planned", "given")}
    for name, (roster, status, consent) in expected.items():
        person = next(p for p in (ann, bo, cy, di, ed, flo) if p.name == name)
        gone = "given" if name in ("Cy", "Di", "Ed") else None  # given at it, still placed
        taken = TakenBack(roster=roster, consent=gone)
        assert store.taken_back_by_deleting(talks[name].id) == taken, name
        assert store.delete_session(talks[name].id) == taken, name
        now = place(person)
        assert (now and now.status, now and now.consent) == (status, consent), name
        assert now is None or now.session_id is None, name  # never a deleted interview's
    assert place(di).note == "wants the summary"
    assert store.delete_session(later.id) == TakenBack(roster="off")  # the place was its
    assert place(cy) is None
    # a closed programme's roster is the round's record: nothing moves
    talk = consented(gus)
    store.close_programme(programme.id)
    assert not store.taken_back_by_deleting(talk.id)
    store.delete_session(talk.id)
    assert (place(gus).status, place(gus).consent) == ("done", "given")


def test_erasing_a_person_leaves_nothing_of_them(store, clock, vault_path):
    ann, bo, s1, *_ = fill(store, clock)
    store.save_note(s1.id, "check-in", "long notes " * 20000)  # pages to free
    lee = store.add_person("Lee Leader")
    interview = store.start_session(bo.id, PLAN)
    store.add_tag(interview.id, "concern", "Ann Example rushes decisions", subject_id=ann.id)
    assert store.search("roadmap")
    about = store.about(ann.id)
    assert about["people"] == 1 and about["sessions"] == 1 and about["tags"] == 1
    gone = store.erase_person(ann.id)
    assert gone == about
    assert [p.name for p in store.people()] == ["Bo Other", "Lee Leader"]
    assert store.search("roadmap") == [] and store.search("Ann Example") == []
    assert store.questions()  # not about anyone: stays
    for table in ("sessions", "notes", "items", "jots", "pulses", "feedback", "talking_points",
                  "meetings", "checkins", "key_results", "goal_links"):
        assert store.engine.count(table, "1") == 0 or table == "sessions", table
    assert store.engine.count("tags") == 0 and store.verify() == []
    assert lee.id in {p.id for p in store.people()}
    store.close()
    conn = sqlite3.connect(vault_path)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUMed
    conn.close()


def test_rename_and_merge_two_records_of_one_person(store, clock):
    ann = store.add_person("Ann Example")
    typo = store.add_person("Anne Exmple")
    s = store.start_session(typo.id, PLAN)
    store.add_item(s.id, "goal", "A goal")
    store.add_talking_point(typo.id, "A point")
    store.set_next_meeting(typo.id, date(2025, 3, 9))
    store.set_next_meeting(ann.id, date(2025, 3, 10))
    kept = store.merge_people(typo.id, ann.id)
    assert kept.id == ann.id and [p.name for p in store.people()] == ["Ann Example"]
    assert store.session(s.id).person_id == ann.id
    assert store.items()[0].person_id == ann.id and store.goals(ann.id)[0].checkins
    assert store.next_meeting(ann.id).day == date(2025, 3, 10)
    assert store.verify() == []
    renamed = store.update_person(ann.id, name="  Ann Example-Lee ")
    assert renamed.name == "Ann Example-Lee" and store.find_person("ann example-lee") == renamed
    with pytest.raises(RapportError, match="themselves"):
        store.merge_people(ann.id, ann.id)


def test_since_last_time_has_what_the_panel_shows(store, clock):
    ann = store.add_person("Ann", cadence="weekly")
    s1 = store.start_session(ann.id, PLAN, title="Week 1")
    store.save_note(s1.id, "topics", "Shared: the roadmap")
    store.save_note(s1.id, "topics", "Private: seemed flat", private=True)
    late = store.add_item(s1.id, "action", "Send the deck", owner="them", due="2025-03-04")
    soon = store.add_item(s1.id, "action", "Book a room", owner="them", due="2025-03-20")
    mine = store.add_item(s1.id, "action", "Ask finance", owner="me")
    goal = store.add_item(s1.id, "goal", "Own the review", owner="them")
    store.set_pulse(s1.id, 3, "ok")
    store.end_session(s1.id)
    clock.advance(86400)
    jot = store.add_jot(ann.id, "She asked about the offsite")
    point = store.add_talking_point(ann.id, "Conference", owner="theirs")
    clock.advance(6 * 86400)
    s2 = store.start_session(ann.id, PLAN, title="Week 2")
    panel = since_last_time(store, ann.id, session_id=s2.id)
    assert panel.last_session.id == s1.id
    assert "Shared: the roadmap" in panel.last_summary
    assert "seemed flat" not in panel.last_summary
    assert [i.id for i in panel.theirs] == [late.id, soon.id] and panel.overdue == {late.id}
    assert [i.id for i in panel.mine] == [mine.id]
    assert [j.id for j in panel.jots] == [jot.id] and [p.id for p in panel.points] == [point.id]
    assert [g.id for g in panel.goals] == [goal.id] and [p.score for p in panel.pulses] == [3]
    assert panel.next_meeting.source == "cadence" and panel.done == ()
    clock.advance(-86400)  # the day before the second session: done between the two
    store.update_item(mine.id, status="done")
    store.update_item(goal.id, status="done")  # goals are followed by check-ins: not listed
    panel = since_last_time(store, ann.id, session_id=s2.id)
    assert [i.id for i in panel.done] == [mine.id] and panel.mine == ()


def test_the_clipboard_copy_is_the_summary_export_and_is_recorded(store, clock):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, PLAN)
    store.save_note(s.id, "topics", "Shared text")
    store.save_note(s.id, "topics", "Private text", private=True)
    store.end_session(s.id)
    text = share_summary(store, s.id)
    assert text == render_export(store, Scope.sessions(s.id), "md", "summary", tz=None).text
    assert "Private text" not in text
    (record,) = store.exports()
    assert (record.kind, record.destination, record.count) == ("clipboard", "clipboard", 1)


def test_the_calendar_reads_back_with_icalendar(store, clock, tmp_path):
    from icalendar import Calendar

    ann = store.add_person("Ann Example", cadence="fortnightly")
    bo = store.add_person("Bo Other", cadence="monthly")
    store.add_person("No Cadence")
    store.set_next_meeting(ann.id, date(2025, 3, 5), time="09:30", minutes=45)
    path = tmp_path / "meetings.ics"
    record, count = write_calendar(store, path, names=False, today=date(2025, 3, 3))
    assert count == 2 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert record.kind == "calendar" and store.exports() == [record]
    cal = Calendar.from_ical(path.read_bytes())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"1-on-1 with A. E.", "1-on-1 with B. O."}
    timed, all_day = events["1-on-1 with A. E."], events["1-on-1 with B. O."]
    assert timed.decoded("dtstart") == datetime(2025, 3, 5, 9, 30)
    assert timed.decoded("dtend") - timed.decoded("dtstart") == timedelta(minutes=45)
    assert dict(timed["rrule"]) == {"FREQ": ["WEEKLY"], "INTERVAL": [2]}
    assert all_day.decoded("dtstart") == date(2025, 3, 3)  # never met: due today
    assert dict(all_day["rrule"]) == {"FREQ": ["MONTHLY"]}
    alarms = [a for a in cal.walk("VALARM")]
    assert len(alarms) == 2 and all(a["action"] == "DISPLAY" for a in alarms)
    assert b"Ann" not in path.read_bytes()
    with pytest.raises(RapportError, match="already exists"):
        write_calendar(store, path)
    named = calendar_bytes(store.upcoming(date(2025, 3, 3)), today=date(2025, 3, 3),
                           stamp=clock())
    assert b"1-on-1 with Ann Example" in named


def test_restore_replaces_the_vault_and_keeps_the_old_one_until_an_unlock(
        store, clock, vault_path, passphrase, tmp_path):
    store.add_person("Before the backup")
    backup = tmp_path / "backup.db"
    store.backup(backup)
    store.add_person("After the backup")
    store.close()
    with pytest.raises(Exception, match="passphrase"):
        restore_vault(vault_path, backup, "wrong", allow_weak=True)
    assert not Path(f"{vault_path}{KEPT_SUFFIX}").exists()
    kept = restore_vault(vault_path, backup, passphrase, allow_weak=True)
    assert kept == Path(f"{vault_path}{KEPT_SUFFIX}") and stat.S_IMODE(kept.stat().st_mode) == 0o600
    with pytest.raises(RapportError, match="still there"):
        restore_vault(vault_path, backup, passphrase, allow_weak=True)
    with open_vault(kept, passphrase, allow_weak=True) as old:  # the old one, whole
        assert len(old.people()) == 2
    with open_vault(vault_path, passphrase, allow_weak=True) as restored:
        assert [p.name for p in restored.people()] == ["Before the backup"]
        assert restored.verify() == []
    assert not kept.exists()  # removed by that successful unlock


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 100), at=st.integers(0, 99), garbage=st.binary(max_size=512))
def test_a_damaged_backup_is_named_as_the_backup_and_the_vault_left_alone(
        store, vault_path, passphrase, tmp_path_factory, cut, at, garbage):
    """A backup cut short (to ``cut`` percent) or written over (``at`` percent in): restoring it
    is refused in one line that names the backup (never the scratch copy, never "the vault could
    not be written"), the vault byte for byte as it was and nothing left beside it; or it still
    verifies and is restored."""
    if store.is_open:
        store.add_person("Kept")
        store.close()
    backup = tmp_path_factory.mktemp("backup") / "backup.db"
    with open_vault(vault_path, passphrase, allow_weak=True) as whole:
        whole.backup(backup)
    data = bytearray(backup.read_bytes())
    at = len(data) * at // 100
    data[at:at + len(garbage)] = garbage
    backup.write_bytes(bytes(data[:len(data) * cut // 100]))
    before, files = vault_path.read_bytes(), sorted(vault_path.parent.iterdir())
    try:
        restore_vault(vault_path, backup, passphrase, allow_weak=True)
    except RapportError as exc:
        message = str(exc)
        assert "\n" not in message and str(backup) in message, message
        assert ".restoring" not in message and "could not be written" not in message, message
        assert vault_path.read_bytes() == before
        assert sorted(vault_path.parent.iterdir()) == files
    with open_vault(vault_path, passphrase, allow_weak=True) as restored:
        assert restored.verify() == []
        assert [person.name for person in restored.people()] == ["Kept"]


def test_retention_keeps_the_synthesis_and_destroys_the_raw_notes(store, clock, vault_path,
                                                                  passphrase):
    programme = store.add_programme("Leaders")
    lee, kim, ann, bo = (store.add_person(n) for n in ("Lee", "Kim", "Ann", "Bo"))
    store.add_to_roster(programme.id, lee.id)
    store.add_to_roster(programme.id, kim.id, status="scheduled")
    store.add_to_roster(programme.id, bo.id, status="declined")
    interview = store.start_session(lee.id, PLAN, programme_id=programme.id)
    store.save_note(interview.id, "topics", "We lack a shared vision")
    store.add_tag(interview.id, "concern", "We lack a shared vision")
    # held and linked to the roster: Kim's end marked done, consent at Ann's put her on it,
    # Bo's refusal
    talks = [store.start_session(p.id, PLAN, programme_id=programme.id) for p in (kim, ann, bo)]
    for talk, consent in zip(talks, ("given", "given", "refused")):
        store.record_consent(programme.id, talk.person_id, consent, session_id=talk.id)
    store.end_reviewed(talks[0].id)
    plan = retention_plan(store, programme.id)
    assert not plan.exported and plan.goes == {"sessions": 4, "notes": 1, "tags": 1}
    assert "deletes 4 sessions, 1 note, 1 tag" in plan.describe()
    with pytest.raises(RapportError, match="export the synthesis"):
        destroy_raw(store, programme.id)
    from store import build_synthesis, programme_report, write_report

    write_report(store, "-", programme_report(build_synthesis(store, programme.id)), "md",
                 stdout=open(os.devnull, "wb"))
    destroy_raw(store, programme.id)
    store.close()  # sealed in the file: read back from it
    store = open_vault(vault_path, passphrase, allow_weak=True)
    assert store.sessions(programme_id=programme.id) == [] and store.engine.count("notes") == 0
    assert store.search("vision") == []
    # Lee was interviewed: with the interview gone, the roster says so, not "still to go"; the
    # interviews held stay held (not put back, as deleting one does), their consent given or
    # refused kept, no longer pointing at an interview that is gone, nor anything sealed
    assert [(p.status, p.consent, p.session_id) for p in store.roster(programme.id)] == [
        ("done", None, None), ("done", "given", None), ("declined", "refused", None),
        ("done", "given", None)]
    sealed = str([secret for _, secret in store.engine.select("roster")])
    assert not [t.id for t in (interview, *talks) if t.id in sealed]
    (kept,) = store.kept_syntheses(programme.id)
    assert kept["kind"] == "programme" and kept["programme"]["name"] == "Leaders"
    with pytest.raises(RapportError, match="no interview notes of 'Leaders' left to destroy"):
        destroy_raw(store, programme.id)  # twice: the synthesis kept stays the one read
    assert store.kept_syntheses(programme.id) == [kept]
    assert store.verify() == []
    # the 360 is over: the programme goes, with what is left of it; its people stay
    store.add_strategy_item(programme.id, "Write the vision down")
    assert store.about_programme(programme.id) == {
        "programmes": 1, "roster": 4, "strategy": 1, "kept_syntheses": 1}
    other = store.add_programme("Not exported")
    store.start_session(lee.id, PLAN, programme_id=other.id)
    with pytest.raises(RapportError, match="export the synthesis of 'Not exported' first"):
        store.delete_programme(other.id)
    assert store.delete_programme(programme.id)["kept_syntheses"] == 1
    assert [p.name for p in store.programmes()] == ["Not exported"]
    assert store.kept_syntheses(programme.id) == [] and store.engine.count("strategy") == 0
    assert store.engine.count("roster") == 0
    assert [p.name for p in store.people()] == ["Ann", "Bo", "Kim", "Lee"]
    assert store.delete_programme(store.add_programme("Typo").id) == {"programmes": 1}
    assert store.verify() == []
    # a vault whose retention ran before it dropped the links: read without them
    old = store.add_programme("Old round")
    talk = store.start_session(lee.id, PLAN, programme_id=old.id)
    store.record_consent(old.id, lee.id, "given", session_id=talk.id)
    with store.engine.write():
        store.engine.delete("sessions", "id = ?", (talk.id,))
    assert [(p.status, p.consent, p.session_id) for p in store.roster(old.id)] == [
        ("done", "given", None)]


def test_a_record_of_a_session_belongs_to_that_session_and_its_person(store, clock):
    """Pulses, talking points, feedback and consent name a session: it must exist, and be with
    the record's person (one check, store.sessions.session_row, for all of them)."""
    ann, bo = store.add_person("Ann"), store.add_person("Bo")
    with_bo = store.start_session(bo.id, PLAN)
    point = store.add_talking_point(ann.id, "Conference budget")
    programme = store.add_programme("Leaders")
    store.add_to_roster(programme.id, ann.id)
    missing = "f" * 32
    for call in (lambda: store.set_pulse(missing, 3),
                 lambda: store.cover_talking_point(point.id, missing),
                 lambda: store.carry_talking_points(missing),
                 lambda: store.add_feedback(ann.id, session_id=missing, situation="x"),
                 lambda: store.record_consent(programme.id, ann.id, "given", session_id=missing)):
        with pytest.raises(RapportError, match=f"no session with id {missing}"):
            call()
    for call, says in ((lambda: store.cover_talking_point(point.id, with_bo.id), "someone else"),
                       (lambda: store.add_feedback(ann.id, session_id=with_bo.id, situation="x"),
                        "that session is not with this person"),
                       (lambda: store.record_consent(programme.id, ann.id, "given",
                                                     session_id=with_bo.id),
                        "that interview is not with this person")):
        with pytest.raises(RapportError, match=says):
            call()
    assert store.pulses(ann.id) == [] and store.feedback(ann.id) == []
    assert store.talking_points(ann.id)[0].status == "open"
    assert store.roster(programme.id)[0].consent is None
    store.set_pulse(with_bo.id, 4, "fine")  # and the session's own person is fine
    assert [(p.score, p.person_id) for p in store.pulses(bo.id)] == [(4, bo.id)]


def test_the_shared_and_prepared_summaries_name_the_facilitator(store, clock):
    """config.toml's facilitator_name reaches the copied summary and Prepare's last time."""
    ann = store.add_person("Ann")
    session = store.start_session(ann.id, PLAN)
    store.add_item(session.id, "action", "Send the FAQ", owner="me")
    clock.advance(600)
    store.end_session(session.id)
    assert "Sam Lee" in share_summary(store, session.id, facilitator="Sam Lee")
    assert "Facilitator" in share_summary(store, session.id)
    since = since_last_time(store, ann.id, facilitator="Sam Lee")
    assert "Send the FAQ" in since.last_summary and "Sam Lee" in since.last_summary
