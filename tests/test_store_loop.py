"""Issues 22 and 23, store side: the records of the loop between sessions and of people over
time, each sealed, bound to its row, counted, exported and imported, and what they are for."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from store import (
    FEEDBACK_STAGE_FIELDS, Damaged, NotFound, RapportError, Scope, crypto, destroy_raw, render_export,
    retention_plan, restore_vault, share_summary, since_last_time, write_calendar,
)
from store import export as export_mod, transfer
from store.calendar import calendar_bytes
from store.tables import later_families
from store.vault import KEPT_SUFFIX, create_vault, open_vault

pytestmark = pytest.mark.usefixtures("utc_zone")
FIXTURE = Path(__file__).parent / "fixtures" / "vault-0007.db"
PLAN = {"id": "one-on-one", "name": "1-on-1", "stages": [
    {"key": "check-in", "title": "Check-in", "minutes": 5, "records": "pulse"},
    {"key": "topics", "title": "Their topics", "minutes": 20},
    {"key": "reflection", "title": "Private reflection", "minutes": 5, "private": True}]}
NEW = ("talking_points", "meetings", "questions", "pulses", "feedback", "checkins",
       "key_results", "goal_links", "roster", "kept_syntheses")


def fill(store, clock):
    """One record (at least) of every new family; returns the people and sessions."""
    ann = store.add_person("Ann Example", cadence="weekly", guide_id="one-on-one")
    bo = store.add_person("Bo Other")
    s1 = store.start_session(ann.id, PLAN, title="First")
    store.save_note(s1.id, "topics", "Roadmap worries")
    store.save_note(s1.id, "topics", "She seemed flat", private=True)
    goal = store.add_item(s1.id, "goal", "Lead the design review", owner="them")
    action = store.add_item(s1.id, "action", "Book the room", owner="them", due="2025-03-05")
    store.check_in_goal(goal.id, status="on-track", progress=30, note="first draft")
    kr = store.add_key_result(goal.id, "Three reviews run")
    store.update_key_result(kr.id, progress=50, note="two done")
    store.link_to_goal(goal.id, action.id)
    store.set_pulse(s1.id, 2, "tired")
    store.fill_feedback(s1.id, situation="Tuesday's review", behaviour="interrupted twice",
                        impact="the client went quiet")
    store.add_talking_point(ann.id, "Conference budget", owner="theirs")
    store.add_question("one-on-one", "check-in", "What gave you energy this week?")
    store.set_next_meeting(ann.id, date(2025, 3, 10), time="09:30", minutes=30)
    programme = store.add_programme("Leaders 2025")
    store.add_to_roster(programme.id, bo.id)
    store.engine.insert  # (kept syntheses: made by retention, below)
    with store.engine.write():
        store.engine.insert("kept_syntheses", {"data": {"synthesis": {"kind": "programme"}}},
                            programme_id=programme.id)
    store.end_session(s1.id)
    return ann, bo, s1, goal, action, programme


# ---------------------------------------------------------------------- the engine's guarantees
def test_every_new_family_is_declared_and_exported_by_declaration():
    assert {t.name for t in later_families()} == set(NEW)


def test_every_new_record_round_trips_through_export_and_import(store, clock, tmp_path):
    fill(store, clock)
    assert store.verify() == []
    doc = json.loads(render_export(store, Scope.all(), "json", "full").data)
    assert all(doc[t] for t in NEW), [t for t in NEW if not doc[t]]
    with create_vault(tmp_path / "b.db", "pw", kdf=crypto.FAST_FOR_TESTS,
                      allow_weak=True) as other:
        result = transfer.import_bytes(other, json.dumps(doc).encode())
        assert all(result.added[t] == len(doc[t]) for t in NEW)
        again = json.loads(render_export(other, Scope.all(), "json", "full").data)
        assert {t: again[t] for t in NEW} == {t: doc[t] for t in NEW}
        assert other.people()[0].guide_id == "one-on-one"
        assert other.verify() == []


def test_a_person_export_carries_their_records_and_imports_alone(store, clock, tmp_path):
    ann, *_ = fill(store, clock)
    doc = json.loads(render_export(store, Scope.person(ann.id), "json", "full").data)
    assert {t for t in NEW if doc[t]} == {"talking_points", "meetings", "pulses", "feedback",
                                          "checkins", "key_results", "goal_links"}
    with create_vault(tmp_path / "b.db", "pw", kdf=crypto.FAST_FOR_TESTS,
                      allow_weak=True) as other:
        transfer.import_bytes(other, json.dumps(doc).encode())  # nothing points outside it
        assert other.verify() == []
    later = json.loads(render_export(store, Scope.person(ann.id, since=date(2025, 3, 4)), "json",
                                     "full").data)  # s1 is before: its goal's records stay out
    assert later["sessions"] == [] and later["checkins"] == later["goal_links"] == []
    assert later["talking_points"] == []  # made before the range, as a jot would be
    broken = json.loads(json.dumps(doc))
    broken["checkins"][0]["goal_id"] = "e" * 32
    with pytest.raises(transfer.BadExport, match=r"checkins\[0\] refers to item eeee"):
        transfer.import_bytes(store, json.dumps(broken).encode())


@pytest.mark.parametrize("table", NEW)
def test_each_new_record_is_bound_to_its_row_and_counted(store, clock, vault_path, passphrase,
                                                         table):
    """A ciphertext moved to another row fails; a row deleted with sqlite3 is noticed."""
    fill(store, clock)
    with store.engine.write():  # a second row to move a ciphertext to
        plain, secret = store.engine.select(table)[0]
        links = {k: plain[k] for k in store.engine.plain(table)[0] if k.endswith("_id")
                 and k != "id"}
        store.engine.insert(table, secret, **links)
    store.close()
    conn = sqlite3.connect(vault_path)
    (a, blob), (b, _) = conn.execute(f"SELECT id, data FROM {table} LIMIT 2").fetchall()
    conn.execute(f"UPDATE {table} SET data = ? WHERE id = ?", (blob, b))
    conn.commit()
    with open_vault(vault_path, passphrase, allow_weak=True) as opened:
        assert [(d.table, d.id) for d in opened.verify()] == [(table, b)]
        with pytest.raises(Damaged):
            opened.engine.select(table)
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (b,))
    conn.commit()
    conn.close()
    with open_vault(vault_path, passphrase, allow_weak=True) as opened:
        assert [(d.table, d.reason.split(" of ")[0]) for d in opened.damage] == [(table, "1")]


def test_a_vault_made_before_is_upgraded_once(tmp_path):
    path = tmp_path / "vault.db"
    shutil.copyfile(FIXTURE, path)
    os.chmod(path, 0o600)
    with open_vault(path, "old-vault", allow_weak=True) as store:
        assert store.damage == () and store.verify() == []
        (session,) = store.sessions()
        notes = {n.stage: n for n in store.notes(session.id)}
        assert notes["check-in"].private          # F3 had flipped it: its private note
        assert notes["reflection"].private        # written in a private stage: the same
        assert not notes["topics"].private
        goals = {g.text: g for g in store.goals()}
        lead, beta = goals["Lead the design review"], goals["Ship the beta"]
        assert [(c.status, c.progress) for c in lead.checkins] == [("at-risk", 0)]
        assert beta.progress == 100 and len(beta.checkins) == 1
        store.save_note(session.id, "reflection", "shared after all")
        assert len(store.notes(session.id)) == 4  # a new shared note; the private one stays
    with open_vault(path, "old-vault", allow_weak=True) as store:  # not twice
        assert sum(len(g.checkins) for g in store.goals()) == 2
        assert store.verify() == []


def test_a_programme_of_a_vault_made_before_runs_and_can_be_closed(tmp_path):
    """A vault made before programmes could be closed (vault-0008.db: its programme's sealed
    data has no closed_at): the programme reads as running; closed, it is listed as such, takes
    no new interview (one still open goes on), is read and exported as before, and a full
    export carries its closing through an import; reopened, it takes interviews again."""
    path = tmp_path / "vault.db"
    shutil.copyfile(FIXTURE.with_name("vault-0008.db"), path)
    os.chmod(path, 0o600)
    now = datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc)
    with open_vault(path, "old-vault", allow_weak=True, clock=lambda: now) as store:
        assert store.damage == () and store.verify() == []
        (programme,) = store.programmes()
        assert programme.closed_at is None and programme.name == "Leaders 2026"
        ben = store.find_person("Ben Old")
        closed = store.close_programme(programme.id)
        assert closed.closed_at == now and closed.purpose == "The autumn 360"
        assert store.programme(programme.id).closed_at == closed.closed_at
        with pytest.raises(RapportError, match="closed already"):
            store.close_programme(programme.id)
        with pytest.raises(RapportError, match="'Leaders 2026' is closed; reopen it"):
            store.start_session(ben.id, PLAN, programme_id=programme.id)
        assert len(store.sessions(programme_id=programme.id)) == 1  # nothing was started
        # its roster is the round's record: nobody new, nobody planned again; how it went, yes
        with pytest.raises(RapportError, match="closed: nobody new goes on its roster"):
            store.add_to_roster(programme.id, store.add_person("Cy New").id)
        with pytest.raises(RapportError, match="closed: nobody is planned in it any more"):
            store.update_roster(programme.id, ben.id, status="planned")
        assert store.update_roster(programme.id, ben.id, note="moved teams").status == "done"
        assert [p.person_id for p in store.roster(programme.id)] == [ben.id]
        renamed = store.update_programme(programme.id, name="Leaders autumn 2026")
        assert renamed.closed_at == closed.closed_at  # an edit keeps it closed
        doc = json.loads(render_export(store, Scope.all(), "json", "full").data)
        assert doc["programmes"][0]["closed_at"] == closed.closed_at.isoformat(
            timespec="microseconds")
        assert store.verify() == []
    with open_vault(path, "old-vault", allow_weak=True) as store:  # sealed, read back
        assert store.programmes()[0].closed_at is not None
        imported = tmp_path / "other.db"
        with create_vault(imported, "pw-other-1", kdf=crypto.FAST_FOR_TESTS,
                          allow_weak=True) as other:
            transfer.import_document(other, transfer.read_import(json.dumps(doc).encode()))
            assert other.programmes()[0].closed_at == store.programmes()[0].closed_at
        reopened = store.reopen_programme(programme.id)
        assert reopened.closed_at is None and "closed_at" not in json.loads(
            render_export(store, Scope.all(), "json", "full").data)["programmes"][0]
        store.start_session(ben.id, PLAN, programme_id=programme.id)
        with pytest.raises(RapportError, match="not closed"):
            store.reopen_programme(programme.id)


def test_deleting_a_session_takes_what_points_at_it(store, clock):
    ann, _, s1, *_ = fill(store, clock)
    store.delete_session(s1.id)
    for table in ("pulses", "feedback", "checkins", "key_results", "goal_links"):
        assert store.engine.count(table) == 0, table
    assert store.verify() == []
    assert store.talking_points(ann.id)  # about the person, not the session: they stay


# ---------------------------------------------------------------------- what they are for
def test_talking_points_are_covered_or_carried(store, clock):
    """From 1-on-1 to 1-on-1: a feedback session (praise too) or an interview in between
    carries nothing, the points stay open as they were, for the next 1-on-1."""
    ann = store.add_person("Ann")
    mine = store.add_talking_point(ann.id, "Raise the reorg")
    theirs = store.add_talking_point(ann.id, "Conference budget", owner="theirs")
    feedback = store.start_session(ann.id, {**PLAN, "id": "praise", "kind": "feedback"})
    assert store.carry_talking_points(feedback.id) == []
    assert store.end_reviewed(feedback.id)[1] == []
    assert [p.carried for p in store.talking_points(ann.id)] == [(), ()]
    s1 = store.start_session(ann.id, {**PLAN, "kind": "one-on-one"})
    store.cover_talking_point(mine.id, s1.id)
    carried = store.carry_talking_points(s1.id)
    assert [p.id for p in carried] == [theirs.id] and carried[0].carried == (s1.id,)
    assert [p.id for p in store.talking_points(ann.id, open_only=True)] == [theirs.id]
    covered = store.talking_points(ann.id)[0]
    assert covered.status == "covered" and covered.session_id == s1.id
    with pytest.raises(RapportError, match="mine or theirs"):
        store.add_talking_point(ann.id, "x", owner="boss")
    other = store.start_session(store.add_person("Bo").id, PLAN)
    with pytest.raises(RapportError, match="someone else"):
        store.cover_talking_point(theirs.id, other.id)


def test_the_review_ends_a_first_one_on_one_with_the_cadence_agreed_or_nothing(store, clock):
    """A first 1-on-1 with someone with no cadence: the review offers each cadence's date, and
    ends it with the cadence agreed, the next meeting and the points carried, in one
    transaction: a next meeting it cannot set leaves the cadence, the points and the session
    as they were."""
    ann = store.add_person("Ann")
    point = store.add_talking_point(ann.id, "Conference budget", owner="theirs")
    s1 = store.start_session(ann.id, PLAN, started_at=datetime(2025, 3, 3, 14, 0,
                                                               tzinfo=timezone.utc))
    options = store.suggest_next_meetings(ann.id, usual_minutes=30)
    assert {c: day for c, (day, _, _) in options.items()} == {
        None: date(2025, 3, 10), "weekly": date(2025, 3, 10),
        "fortnightly": date(2025, 3, 17), "monthly": date(2025, 4, 2)}
    assert store.suggest_next_meeting(ann.id, usual_minutes=30) == options[None]
    with pytest.raises(RapportError, match="1 to 1440"):
        store.end_reviewed(s1.id, cadence="fortnightly",
                           next_meeting=(date(2025, 3, 17), "14:00", 0))
    assert store.person(ann.id).cadence is None and store.next_meeting(ann.id) is None
    assert store.session(s1.id).ended_at is None
    assert store.talking_points(ann.id)[0].carried == ()
    ended, carried = store.end_reviewed(s1.id, cadence="fortnightly",
                                        next_meeting=options["fortnightly"])
    assert ended.ended_at is not None and [p.id for p in carried] == [point.id]
    assert store.person(ann.id).cadence == "fortnightly"
    assert store.next_meeting(ann.id).day == date(2025, 3, 17)
    s2 = store.start_session(ann.id, PLAN)
    store.end_reviewed(s2.id)  # the cadence left as it was, the next meeting too
    assert store.person(ann.id).cadence == "fortnightly"
    assert store.next_meeting(ann.id).day == date(2025, 3, 17)
    s3 = store.start_session(ann.id, PLAN)  # "no fixed next date": the date cleared
    store.end_reviewed(s3.id, next_meeting=None, cadence="monthly")
    assert store.next_meeting(ann.id) is None and store.person(ann.id).cadence == "monthly"


def test_deleting_a_session_takes_back_the_next_meeting_its_review_set(store, clock):
    """A session ended by mistake and deleted: the next meeting its review set goes with it,
    the one it replaced comes back (none: none), unless it was set again since."""
    ann = store.add_person("Ann", cadence="weekly")
    store.set_next_meeting(ann.id, date(2025, 3, 6), time="09:30", minutes=30)
    s1 = store.start_session(ann.id, PLAN)
    store.end_reviewed(s1.id, next_meeting=(date(2025, 3, 11), "10:00", 30))
    store.reopen_session(s1.id)  # reviewed again: what it replaced is still the first one
    store.end_reviewed(s1.id, next_meeting=(date(2025, 3, 12), "10:00", 30))
    assert store.delete_session(s1.id) is True
    back = store.next_meeting(ann.id)
    assert (back.day, back.time, back.minutes) == (date(2025, 3, 6), "09:30", 30)
    store.clear_next_meeting(ann.id)
    s2 = store.start_session(ann.id, PLAN)
    store.end_reviewed(s2.id, next_meeting=(date(2025, 3, 11), "10:00", 30))
    store.delete_session(s2.id)  # none was set before it: none now (the cadence decides)
    assert store.next_meeting(ann.id) is None
    s3 = store.start_session(ann.id, PLAN)
    store.end_reviewed(s3.id, next_meeting=(date(2025, 3, 11), "10:00", 30))
    store.set_next_meeting(ann.id, date(2025, 3, 13))  # moved since: it stays
    assert store.delete_session(s3.id) is False
    assert store.next_meeting(ann.id).day == date(2025, 3, 13)


def test_the_next_meeting_overrides_the_cadence_until_it_is_held(store, clock):
    ann = store.add_person("Ann", cadence="fortnightly")
    s1 = store.start_session(ann.id, PLAN, started_at=datetime(2025, 3, 3, 14, 0,
                                                               tzinfo=timezone.utc))
    store.end_session(s1.id)
    (up,) = store.upcoming(date(2025, 3, 4))
    assert (up.day, up.source, up.state, up.every) == (date(2025, 3, 17), "cadence", "later",
                                                       "fortnightly")
    assert store.suggest_next_meeting(ann.id) == (date(2025, 3, 17), "14:00", 30)
    store.set_next_meeting(ann.id, date(2025, 3, 5), time="9:30", minutes=45)
    (up,) = store.upcoming(date(2025, 3, 5))
    assert (up.day, up.time, up.minutes, up.source, up.state) == (
        date(2025, 3, 5), "09:30", 45, "set", "today")
    meetings, _ = store.due(date(2025, 3, 6))
    assert [m.state for m in meetings] == ["overdue"]
    store.start_session(ann.id, PLAN, started_at=datetime(2025, 3, 5, 9, 30,
                                                          tzinfo=timezone.utc))
    assert store.upcoming(date(2025, 3, 5))[0].source == "cadence"  # held: the cadence again
    with pytest.raises(RapportError, match="as a time"):
        store.set_next_meeting(ann.id, date(2025, 3, 9), time="25:00")
    # the cadence agreed with it ('rapport schedule --every'): one transaction, both or neither
    with pytest.raises(RapportError, match="as a time"):
        store.set_next_meeting(ann.id, date(2025, 3, 9), time="25:00", cadence="monthly")
    assert store.person(ann.id).cadence == "fortnightly"
    assert store.next_meeting(ann.id).day == date(2025, 3, 5)
    store.set_next_meeting(ann.id, date(2025, 3, 12), time="9:30", cadence="weekly")
    assert (store.person(ann.id).cadence, store.next_meeting(ann.id).day) == (
        "weekly", date(2025, 3, 12))
    with pytest.raises(RapportError, match="daily"):  # not a cadence: the date stays set
        store.clear_next_meeting(ann.id, cadence="daily")
    assert store.next_meeting(ann.id).day == date(2025, 3, 12)
    assert store.clear_next_meeting(ann.id, cadence=None) and store.next_meeting(ann.id) is None
    assert store.person(ann.id).cadence is None


def test_after_a_one_off_the_next_meeting_is_as_long_as_a_regular_one(store, clock):
    """A first 1-on-1 (45 minutes) or a feedback session is not what recurs: the review offers
    the regular meeting's length, that of the latest session from their usual guide, else that
    guide's own length as the caller's catalog gives it."""
    first = {"id": "first-one-on-one", "name": "First 1-on-1", "stages": [
        {"key": "welcome", "title": "Welcome", "minutes": 45}]}
    sbi = {"id": "feedback", "name": "Feedback", "stages": [
        {"key": "sbi", "title": "Situation", "minutes": 15}]}
    ann = store.add_person("Ann", cadence="weekly", guide_id="one-on-one")
    store.start_session(ann.id, first, started_at=datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc))
    assert store.suggest_next_meeting(ann.id)[2] == 45  # nothing better known: the last one's
    assert store.suggest_next_meeting(ann.id, usual_minutes=30) == (date(2025, 3, 10), "10:00", 30)
    shorter = {**PLAN, "stages": [{**PLAN["stages"][0], "minutes": 20}]}
    store.start_session(ann.id, shorter, started_at=datetime(2025, 3, 10, 10, 0,
                                                             tzinfo=timezone.utc))
    store.start_session(ann.id, sbi, started_at=datetime(2025, 3, 12, 16, 0, tzinfo=timezone.utc))
    # the feedback session was the last: the regular slot (as they last planned it) is offered
    assert store.suggest_next_meeting(ann.id, usual_minutes=30)[1:] == ("16:00", 20)
    bo = store.add_person("Bo", cadence="weekly")  # no default guide: the app's is passed
    store.start_session(bo.id, PLAN, started_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc))
    store.start_session(bo.id, sbi, started_at=datetime(2025, 3, 5, 9, 0, tzinfo=timezone.utc))
    assert store.suggest_next_meeting(bo.id, usual_guide="one-on-one")[2] == 30
    assert store.suggest_next_meeting(bo.id)[2] == 15


def test_a_meeting_already_set_is_offered_and_a_held_slot_recurs(store, clock):
    """The weekly slot is Monday 10:00 for 30 minutes. Held at 10:07, the next one is offered
    at 10:00, the slot's time, not the minute it started; a feedback session on Wednesday
    leaves next Monday's meeting as it was set."""
    ann = store.add_person("Ann", cadence="weekly", guide_id="one-on-one")
    store.set_next_meeting(ann.id, date(2025, 3, 10), time="10:00", minutes=30)
    store.start_session(ann.id, PLAN, started_at=datetime(2025, 3, 10, 10, 7,
                                                          tzinfo=timezone.utc))
    assert store.suggest_next_meeting(ann.id) == (date(2025, 3, 17), "10:00", 30)
    store.set_next_meeting(ann.id, date(2025, 3, 17), time="10:00", minutes=30)
    sbi = {"id": "feedback", "name": "Feedback", "stages": [
        {"key": "sbi", "title": "Situation", "minutes": 15}]}
    store.start_session(ann.id, sbi, started_at=datetime(2025, 3, 12, 16, 0, tzinfo=timezone.utc))
    assert store.suggest_next_meeting(ann.id) == (date(2025, 3, 17), "10:00", 30)


def test_due_lists_items_due_or_overdue_both_ways(store, clock):
    ann = store.add_person("Ann")
    s = store.start_session(ann.id, PLAN)
    late = store.add_item(s.id, "action", "Late", owner="them", due="2025-03-01")
    today = store.add_item(s.id, "action", "Today", owner="me", due="2025-03-03")
    store.add_item(s.id, "action", "Later", due="2025-03-09")
    done = store.add_item(s.id, "action", "Done", due="2025-03-01")
    store.update_item(done.id, status="done")
    _, items = store.due(date(2025, 3, 3))
    assert [i.id for i in items] == [late.id, today.id]


def test_pulses_trend_and_a_run_of_low_scores(store, clock):
    ann = store.add_person("Ann")
    for score in (1, 2):  # two low ones are not a run yet
        clock.advance(86400)
        store.set_pulse(store.start_session(ann.id, PLAN).id, score)
    assert not store.low_run(ann.id)
    store.clear_pulse(store.sessions(person_id=ann.id)[0].id)
    store.clear_pulse(store.sessions(person_id=ann.id)[1].id)
    scores = [4, 2, 1, 2]
    for score in scores:
        clock.advance(7 * 86400)
        session = store.start_session(ann.id, PLAN)
        store.set_pulse(session.id, 5)
        store.set_pulse(session.id, score, "  low\x1b  ")  # again: replaced
    assert [p.score for p in store.pulses(ann.id)] == scores
    assert store.low_run(ann.id) and store.low_runs() == [ann]
    store.set_pulse(session.id, 3)
    assert not store.low_run(ann.id)
    with pytest.raises(RapportError, match="1 to 5"):
        store.set_pulse(session.id, 6)


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
    interview = store.start_session(lee.id, PLAN, programme_id=programme.id)
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


def test_retention_keeps_the_synthesis_and_destroys_the_raw_notes(store, clock):
    programme = store.add_programme("Leaders")
    lee = store.add_person("Lee")
    store.add_to_roster(programme.id, lee.id)
    interview = store.start_session(lee.id, PLAN, programme_id=programme.id)
    store.save_note(interview.id, "topics", "We lack a shared vision")
    store.add_tag(interview.id, "concern", "We lack a shared vision")
    plan = retention_plan(store, programme.id)
    assert not plan.exported and plan.goes == {"sessions": 1, "notes": 1, "tags": 1}
    assert "deletes 1 session, 1 note, 1 tag" in plan.describe()
    with pytest.raises(RapportError, match="export the synthesis"):
        destroy_raw(store, programme.id)
    from store import build_synthesis, programme_report, write_report

    write_report(store, "-", programme_report(build_synthesis(store, programme.id)), "md",
                 stdout=open(os.devnull, "wb"))
    destroy_raw(store, programme.id)
    assert store.sessions(programme_id=programme.id) == [] and store.engine.count("notes") == 0
    assert store.search("vision") == []
    # Lee was interviewed: with the interview gone, the roster says so, not "still to go"
    assert [p.status for p in store.roster(programme.id)] == ["done"]
    (kept,) = store.kept_syntheses(programme.id)
    assert kept["kind"] == "programme" and kept["programme"]["name"] == "Leaders"
    with pytest.raises(RapportError, match="no interview notes of 'Leaders' left to destroy"):
        destroy_raw(store, programme.id)  # twice: the synthesis kept stays the one read
    assert store.kept_syntheses(programme.id) == [kept]
    assert store.verify() == []
    # the 360 is over: the programme goes, with what is left of it; its people stay
    store.add_strategy_item(programme.id, "Write the vision down")
    assert store.about_programme(programme.id) == {
        "programmes": 1, "roster": 1, "strategy": 1, "kept_syntheses": 1}
    other = store.add_programme("Not exported")
    store.start_session(lee.id, PLAN, programme_id=other.id)
    with pytest.raises(RapportError, match="export the synthesis of 'Not exported' first"):
        store.delete_programme(other.id)
    assert store.delete_programme(programme.id)["kept_syntheses"] == 1
    assert [p.name for p in store.programmes()] == ["Not exported"]
    assert store.kept_syntheses(programme.id) == [] and store.engine.count("strategy") == 0
    assert store.engine.count("roster") == 0 and [p.name for p in store.people()] == ["Lee"]
    assert store.delete_programme(store.add_programme("Typo").id) == {"programmes": 1}
    assert store.verify() == []


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
