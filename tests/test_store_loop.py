"""Issues 22 and 23, store side: the records of the loop between sessions and of people over
time, each sealed, bound to its row, counted, exported and imported, and what they are for."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from store import Damaged, RapportError, Scope, TakenBack, crypto, render_export
from store import transfer
from store.tables import later_families
from store.vault import create_vault, open_vault

from loop_records import PLAN, fill

pytestmark = pytest.mark.usefixtures("utc_zone")
FIXTURE = Path(__file__).parent / "fixtures" / "vault-0007.db"
NEW = ("talking_points", "meetings", "questions", "pulses", "feedback", "checkins",
       "key_results", "goal_links", "roster", "kept_syntheses")


# ---------------------------------------------------------------------- the engine's guarantees
def test_every_new_family_is_declared_and_exported_by_declaration():
    assert {t.name for t in later_families()} == set(NEW)


def test_every_new_record_round_trips_through_export_and_import(store, clock, tmp_path):
    fill(store, clock)
    assert store.verify() == []
    # the full record says the session's feedback form (and pulse); a summary says neither
    full = render_export(store, Scope.all(), "md", "full").text
    assert "### Feedback (developmental, given)\n\n- Situation: Tuesday's review\n" \
        "- Behaviour: interrupted twice\n- Impact: the client went quiet\n" in full
    assert "**Pulse:** 2/5 (tired)" in full
    summary = render_export(store, Scope.all(), "md").text
    assert "Tuesday" not in summary and "Pulse" not in summary
    doc = json.loads(render_export(store, Scope.all(), "json", "full").data)
    from store import render_document  # the same text from the document (an import's way)
    assert render_document(doc, "md", "full").split("\n", 8)[8] == full.split("\n", 8)[8]
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
    assert store.end_reviewed(feedback.id).carried == []
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
    ended = store.end_reviewed(s1.id, cadence="fortnightly", next_meeting=options["fortnightly"])
    assert ended.session.ended_at is not None and [p.id for p in ended.carried] == [point.id]
    assert ended.marked is None  # no programme's interview
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
    assert store.taken_back_by_deleting(s1.id) == TakenBack(meeting=True)  # asked before
    assert store.delete_session(s1.id) == TakenBack(meeting=True)
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
    assert not store.taken_back_by_deleting(s3.id)
    assert store.delete_session(s3.id) == TakenBack()
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


def test_the_cadence_counts_from_the_last_regular_one_on_one(store, clock, vault_path,
                                                             passphrase):
    """Praise, a feedback session or an interview is not the 1-on-1 a cadence asks for: Home's
    "Next", `rapport schedule` and the people list still say the 1-on-1 is due, and a set one
    missed stays missed."""
    from tui.record import people_overview

    def at(day: int) -> datetime:
        return datetime(2025, 3, day, 9, 0, tzinfo=timezone.utc)

    ann = store.add_person("Ann", cadence="weekly")
    store.end_session(store.start_session(ann.id, PLAN, started_at=at(3)).id)
    store.start_session(ann.id, {**PLAN, "id": "praise", "kind": "feedback"}, started_at=at(10))
    store.start_session(ann.id, {**PLAN, "id": "leadership", "kind": "interview"},
                        started_at=at(11))
    (up,) = store.upcoming(date(2025, 3, 12))
    assert (up.day, up.state, up.last_met) == (date(2025, 3, 10), "overdue", date(2025, 3, 3))
    (row,) = people_overview(store, date(2025, 3, 12))
    assert (row.next_due, row.state, row.last_met) == (
        date(2025, 3, 10), "overdue", date(2025, 3, 11))  # last met: any session
    store.set_next_meeting(ann.id, date(2025, 3, 13), time="9:00")
    store.start_session(ann.id, {**PLAN, "id": "feedback", "kind": "feedback"},
                        started_at=at(13))  # on the day set: not the 1-on-1 it was set for
    (up,) = store.upcoming(date(2025, 3, 14))
    assert (up.source, up.day, up.state) == ("set", date(2025, 3, 13), "overdue")
    store.start_session(ann.id, PLAN, started_at=at(14))  # the 1-on-1, a day late
    (up,) = store.upcoming(date(2025, 3, 14))
    assert (up.source, up.day, up.last_met) == ("cadence", date(2025, 3, 21), date(2025, 3, 14))
    # one person's, read for them alone (a person's page, Prepare): none without a cadence
    assert store.upcoming(date(2025, 3, 14), person_id=ann.id) == [up]
    assert store.upcoming(date(2025, 3, 14), person_id=store.add_person("Bo").id) == []
    feedback = store.start_session(ann.id, {**PLAN, "id": "feedback", "kind": "feedback"},
                                   started_at=at(15))
    store.close()
    with sqlite3.connect(vault_path) as conn:  # its plan damaged: read as a 1-on-1, as before
        (blob,) = conn.execute("SELECT plan FROM sessions WHERE id = ?",
                               (feedback.id,)).fetchone()
        conn.execute("UPDATE sessions SET plan = ? WHERE id = ?",
                     (blob[:40] + bytes([blob[40] ^ 1]) + blob[41:], feedback.id))
    conn.close()
    with open_vault(vault_path, passphrase, allow_weak=True, clock=clock) as reopened:
        assert reopened.upcoming(date(2025, 3, 16))[0].last_met == date(2025, 3, 15)


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
