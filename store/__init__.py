"""The vault: people, sessions, notes and items, encrypted field by field in one SQLite file.

How the app and the commands use it::

    from store import Paths, create_vault, open_vault, Scope, render_export, write_export

    paths = Paths.resolve(home)                      # where the vault and the settings live
    store = create_vault(paths.vault, passphrase)    # or open_vault(paths.vault, passphrase)
    sam = store.add_person("Sam Rivera", cadence="weekly")
    session = store.start_session(sam.id, guide.to_snapshot(), title="Weekly 1:1")
    store.save_note(session.id, "check-in", "Feeling stretched by on-call.")   # every keystroke
    store.add_item(session.id, "action", "Book the design review", owner="them", due="fri")
    store.end_session(session.id)
    hits = store.search("on-call", person_id=sam.id)  # points, then newest first; snippets
    doc = render_export(store, Scope.sessions(session.id), "md")   # the participant's summary
    write_export("summary.md", doc.data, store=store, doc=doc)  # 0600, never over a file
    store.close()                                     # lock: keys and caches dropped

* A :class:`Store` is the unlocked vault. Its methods return frozen dataclasses (:mod:`store.models`)
  and raise :class:`RapportError` subclasses (:mod:`store.errors`) with one-line messages.
  ``store.damage`` is what unlocking found wrong (rows deleted outside rapport); ``store.verify()``
  checks everything.
* One writer per vault (a lock on the file itself); a wrong passphrase writes nothing.
* Layers, bottom up: leaves (errors, models, clock, text) < crypto, files, tables and the
  connections (db) < the header check (header) < the file's lock, key slot, migrations and
  row summary < the row engine (:mod:`store.rows`) < one repository per record family
  (people, sessions, notes, items, jots, programmes, tags, export_log, points, meetings,
  questions, pulses, feedback, goals, roster) < search, documents and exports, syntheses,
  imports < :class:`Store` (store.store, put together from
  its parts: store_base < store_people, store_sessions < store_loop, store_programmes) < opening
  (vault). A new record family is a table in :mod:`store.tables`, a migration, a repository
  module and its methods in the part of :class:`Store` its records belong to.

Between conversations (issues 22 and 23), what each screen piece calls::

    # the "since last time" panel and the Prepare view: one call, laid out by the UI
    panel = since_last_time(store, sam.id, session_id=session.id)  # SinceLastTime
    # talking points: to raise (owner "mine") or theirs; covered in a session; carried at the
    # end of a 1-on-1 (session.carries_points: a feedback session or an interview leaves them)
    point = store.add_talking_point(sam.id, "Conference budget", owner="theirs")
    store.cover_talking_point(point.id, session.id); store.carry_talking_points(session.id)
    # people: a default guide (new sessions start from it), rename, merge, erase
    store.add_person("Sam Rivera", cadence="weekly", guide_id="one-on-one")
    store.default_guide("sam rivera"); store.update_person(sam.id, name="Sam Rivera-Lee")
    store.about(sam.id)       # what erasing would delete, per table (the confirmation)
    store.erase_person(sam.id)  # one transaction, search index included, then VACUUM
    store.merge_people(typo.id, sam.id)
    # the next meeting: set it (it overrides the cadence), suggest it, list what is coming
    day, time, minutes = store.suggest_next_meeting(sam.id, usual_minutes=30)  # the review:
    # a regular meeting's length (the usual guide's), not a first 1-on-1's or a feedback's
    store.set_next_meeting(sam.id, day, time=time, minutes=minutes)  # or clear_next_meeting
    store.suggest_next_meetings(sam.id)   # {cadence or None: (day, time, minutes)}: the review
    # ends it in one transaction: points carried, the cadence agreed, the next meeting set
    # (next_meeting=None: the one set unset; left out: as it is)
    store.end_reviewed(session.id, next_meeting=(day, time, minutes), cadence="fortnightly")
    # -> Ended(session, carried=[TalkingPoint], marked=RosterPlace marked done, or None)
    store.upcoming()          # [Upcoming]: set or from the cadence, "overdue"/"today"/...
    meetings, items = store.due()
    write_calendar(store, "meetings.ics", names=False)   # .ics, 0600, recorded as an export
    # the question bank: your own questions per guide and stage
    store.add_question("one-on-one", "check-in", "What gave you energy this week?")
    store.questions("one-on-one", "check-in"); store.update_question(q.id, "..."); ...
    # pulse (a stage with records = "pulse"): 1-5 and a word, one per session
    store.set_pulse(session.id, 2, "tired"); store.pulses(sam.id); store.low_runs()
    # feedback (stages with records = "feedback", "feedback-response", "feedback-next-step")
    store.fill_feedback(session.id, situation="...", behaviour="...", impact="...")
    store.feedback(sam.id)    # FEEDBACK_STAGE_FIELDS: which fields each stage fills
    prepared_feedback("Situation: ...\nBehaviour: ...")  # what Prepare's notes wrote: the form
    # goals: progress, key results, dated check-ins, linked actions
    store.check_in_goal(goal.id, status="on-track", progress=40, note="beta shipped")
    kr = store.add_key_result(goal.id, "Beta with 5 teams"); store.update_key_result(kr.id, progress=60)
    store.link_to_goal(goal.id, action.id); store.goals(sam.id)   # [Goal] with .checkins
    # a programme's roster, consent recorded at the interview
    store.add_to_roster(programme.id, sam.id); store.record_consent(programme.id, sam.id, "given",
                                                                    session_id=session.id)
    # an interview's end (end_reviewed) marks its person done on a running programme's roster
    # when their place says planned or scheduled; delete_session takes that back (store.roster)
    # and the next meeting its review set: what it would take back, asked before (read only)
    store.taken_back_by_deleting(session.id)  # TakenBack(meeting=True, roster="planned")
    # the participant's summary to the clipboard: the export's text, recorded as "clipboard"
    text = share_summary(store, session.id)
    # retention: once a programme's synthesis is exported, its raw notes can go
    retention_plan(store, programme.id).describe(); destroy_raw(store, programme.id)
    kept_synthesis(store, programme.id)   # then: the synthesis kept, what exports give
    # a round over: closed (listed apart; start_session refuses an interview in it, the roster
    # takes nobody new and nobody back to planned or scheduled: ROSTER_TO_GO), reopened
    store.close_programme(programme.id); store.reopen_programme(programme.id)
    # its guide changes while no interview of it has started (update_programme refuses after)
    store.programme_started(programme.id); store.update_programme(programme.id, guide_id=gid)
    # the 360 over: the programme and all in it go, once a synthesis is exported (or it is empty)
    store.about_programme(programme.id); store.delete_programme(programme.id)
    restore_vault(paths.vault, backup, passphrase)  # rapport restore

Each stage has a shared and a private note (``save_note(..., private=True)``): two records,
nothing moves between them. Upgrades that need the key run once at unlock (:mod:`store.upgrades`).

Names are resolved when first used (PEP 562): ``import store`` loads nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .agenda import upcoming as upcoming_meetings
    from .cadence import Due, due_people
    from .calendar import calendar_bytes, write_calendar
    from .clock import Clock, stamp, utc_now
    from .crypto import FAST_FOR_TESTS, PRODUCTION, KdfParams
    from .dates import DateError, date_example, parse_due
    from .document import collect, session_document
    from .errors import (
        Ambiguous, Damaged, FileExists, Locked, NotAVault, NotFound, RapportError, StorageError,
        UnsafeParameters, VaultBusy, VaultExists, VaultMissing, WrongPassphrase,
    )
    from .export import ExportDoc, render as render_export, render_document, write_export
    from .export_page import (GOALS_CHECKED, checkin_line, length_text, minutes_text,
                              planned_text, spent_text)
    from .privacy import private_stages, shared_checkin
    from .feedback import prepared as prepared_feedback
    from .files import NotRegularFile, ensure_dir, read_regular, write_new_file
    from .lock import probe
    from .loop import share_summary, since_last_time
    from .meetings import parse_time
    from .models import (
        CADENCES, CONSENTS, DEFAULT_THEMES, FEEDBACK_DIRECTIONS, FEEDBACK_KINDS, FEEDBACK_PARTS,
        FEEDBACK_STAGE_FIELDS, GOAL_STATUSES, ITEM_KINDS, ITEM_STATUSES, LOW_RUN, LOW_SCORE, OWNERS,
        POINT_OWNERS, ROSTER_STATUSES, ROSTER_TO_GO, CheckIn, Damage, Ended, ExportRecord, Feedback,
        Goal, Item, Jot, KeyResult, Meeting, Note, Person, Programme, Pulse, Question,
        RosterPlace, Session, SessionSummary, SinceLastTime, StrategyItem, Tag, TakenBack,
        TalkingPoint, Upcoming, feedback_kind,
    )
    from .restore import restore as restore_vault
    from .retention import (
        RetentionPlan, destroy_raw, kept as kept_synthesis, plan as retention_plan,
    )
    from .paths import Paths
    from .render import md_block, md_inline
    from .scope import Scope
    from .search import SOURCES as SEARCH_SOURCES, Hit
    from .store import Store
    from .synthesis import Area, Passage, Synthesis, build as build_synthesis
    from .synthesis_render import (
        filename_hint as report_filename, render as render_report, write_report,
    )
    from .synthesis_report import (
        DEFAULT_MIN_INTERVIEWEES as MIN_INTERVIEWEES, leader_report, programme_report,
    )
    from .tables import TABLES, Table
    from .text import CONTROLS, json_text, visible
    from .transfer import (
        MAX_BYTES as MAX_IMPORT_BYTES, BadExport, ImportResult, encrypt, import_document,
        read_import,
    )
    from .vault import create_vault, open_vault

#: name -> (module, attribute): where each public name lives (never a submodule's own name).
_NAMES: dict[str, tuple[str, str]] = {
    "upcoming_meetings": ("agenda", "upcoming"),
    **{n: ("cadence", n) for n in ("Due", "due_people")},
    **{n: ("calendar", n) for n in ("calendar_bytes", "write_calendar")},
    **{n: ("loop", n) for n in ("share_summary", "since_last_time")},
    "parse_time": ("meetings", "parse_time"),
    "restore_vault": ("restore", "restore"),
    **{n: ("retention", n) for n in ("RetentionPlan", "destroy_raw")},
    "retention_plan": ("retention", "plan"),
    "kept_synthesis": ("retention", "kept"),
    **{n: ("clock", n) for n in ("Clock", "stamp", "utc_now")},
    **{n: ("crypto", n) for n in ("FAST_FOR_TESTS", "PRODUCTION", "KdfParams")},
    **{n: ("dates", n) for n in ("DateError", "date_example", "parse_due")},
    **{n: ("document", n) for n in ("collect", "session_document")},
    **{n: ("errors", n) for n in (
        "Ambiguous", "Damaged", "FileExists", "Locked", "NotAVault", "NotFound", "RapportError",
        "StorageError", "UnsafeParameters", "VaultBusy", "VaultExists", "VaultMissing",
        "WrongPassphrase")},
    **{n: ("export", n) for n in ("ExportDoc", "render_document", "write_export")},
    "render_export": ("export", "render"),
    **{n: ("export_page", n) for n in ("GOALS_CHECKED", "checkin_line", "length_text",
                                            "minutes_text", "planned_text", "spent_text")},
    **{n: ("privacy", n) for n in ("private_stages", "shared_checkin")},
    "prepared_feedback": ("feedback", "prepared"),
    **{n: ("files", n) for n in ("NotRegularFile", "ensure_dir", "read_regular",
                                 "write_new_file")},
    "probe": ("lock", "probe"),
    **{n: ("models", n) for n in (
        "CADENCES", "CONSENTS", "DEFAULT_THEMES", "FEEDBACK_DIRECTIONS", "FEEDBACK_KINDS",
        "FEEDBACK_PARTS", "FEEDBACK_STAGE_FIELDS", "GOAL_STATUSES", "ITEM_KINDS", "ITEM_STATUSES", "LOW_RUN",
        "LOW_SCORE", "OWNERS", "POINT_OWNERS", "ROSTER_STATUSES", "ROSTER_TO_GO", "CheckIn",
        "Damage", "Ended", "ExportRecord", "Feedback", "Goal", "Item", "Jot", "KeyResult",
        "Meeting", "Note", "Person", "Programme", "Pulse", "Question", "RosterPlace", "Session",
        "SessionSummary", "SinceLastTime", "StrategyItem", "Tag", "TakenBack", "TalkingPoint", "Upcoming",
        "feedback_kind")},
    "Paths": ("paths", "Paths"),
    **{n: ("render", n) for n in ("md_block", "md_inline")},
    "Scope": ("scope", "Scope"),
    "Hit": ("search", "Hit"),
    "SEARCH_SOURCES": ("search", "SOURCES"),
    "Store": ("store", "Store"),
    **{n: ("synthesis", n) for n in ("Area", "Passage", "Synthesis")},
    "build_synthesis": ("synthesis", "build"),
    **{n: ("synthesis_report", n) for n in ("leader_report", "programme_report")},
    "write_report": ("synthesis_render", "write_report"),
    "report_filename": ("synthesis_render", "filename_hint"),
    "MIN_INTERVIEWEES": ("synthesis_report", "DEFAULT_MIN_INTERVIEWEES"),
    "render_report": ("synthesis_render", "render"),
    **{n: ("tables", n) for n in ("TABLES", "Table")},
    **{n: ("text", n) for n in ("CONTROLS", "json_text", "visible")},
    **{n: ("transfer", n) for n in (
        "BadExport", "ImportResult", "encrypt", "import_document", "read_import")},
    "MAX_IMPORT_BYTES": ("transfer", "MAX_BYTES"),
    **{n: ("vault", n) for n in ("create_vault", "open_vault")},
}

#: Written out, not computed, so that mypy sees what the package exports (a test keeps it equal
#: to ``_NAMES`` and to the imports above).
__all__ = [
    "Ambiguous", "Area", "BadExport", "CADENCES", "CONSENTS", "CONTROLS", "CheckIn", "Clock",
    "DEFAULT_THEMES", "Damage", "Damaged", "DateError", "Due", "Ended", "ExportDoc", "ExportRecord",
    "FAST_FOR_TESTS", "FEEDBACK_DIRECTIONS", "FEEDBACK_KINDS", "FEEDBACK_PARTS",
    "FEEDBACK_STAGE_FIELDS", "Feedback", "FileExists", "GOALS_CHECKED", "GOAL_STATUSES", "Goal",
    "Hit", "ITEM_KINDS", "ITEM_STATUSES",
    "ImportResult", "Item", "Jot", "KdfParams", "KeyResult", "LOW_RUN", "LOW_SCORE", "Locked",
    "MAX_IMPORT_BYTES", "MIN_INTERVIEWEES", "Meeting", "NotAVault", "NotFound", "NotRegularFile",
    "Note", "OWNERS", "POINT_OWNERS", "PRODUCTION", "Passage", "Paths", "Person", "Programme",
    "Pulse", "Question", "ROSTER_STATUSES", "ROSTER_TO_GO", "RapportError", "RetentionPlan",
    "RosterPlace", "SEARCH_SOURCES", "Scope", "Session", "SessionSummary", "SinceLastTime",
    "StorageError", "Store", "StrategyItem", "Synthesis", "TABLES", "Table", "Tag", "TakenBack",
    "TalkingPoint", "UnsafeParameters", "Upcoming", "VaultBusy", "VaultExists", "VaultMissing",
    "WrongPassphrase",
    "build_synthesis", "calendar_bytes", "checkin_line", "collect", "create_vault", "date_example",
    "destroy_raw", "due_people", "encrypt", "ensure_dir", "feedback_kind", "import_document",
    "json_text", "kept_synthesis", "leader_report", "length_text", "md_block", "md_inline",
    "minutes_text", "open_vault", "parse_due", "parse_time", "planned_text", "prepared_feedback",
    "private_stages", "probe", "programme_report", "read_import", "read_regular",
    "render_document", "render_export", "render_report", "report_filename", "restore_vault",
    "retention_plan", "session_document", "share_summary", "shared_checkin", "since_last_time",
    "spent_text", "stamp", "upcoming_meetings", "utc_now", "visible", "write_calendar",
    "write_export", "write_new_file", "write_report",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _NAMES[name]
    except KeyError:
        raise AttributeError(f"module 'store' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
