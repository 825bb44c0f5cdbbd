"""The blocks of an export page (:mod:`store.render` turns them into Markdown or HTML).

A page is its head (what it is, of whom, when), one part per session (date, length, who; the
notes and items a summary may show, or the full record: timings, every stage's purpose, cues,
questions asked and notes, tagged passages), then the jots (full records only).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any, Iterable

from .document import LONG_SESSION
from .models import FEEDBACK_PARTS
from .privacy import has_text, private_stages, shared_item, shared_note, stages as plan_stages
from .privacy import shared_checkin, summary_checkins, summary_items, summary_notes
from .render import Block, stylesheet

ITEM_SECTIONS = (("action", "Action items"), ("decision", "Decisions"),
                 ("agreement", "Agreements"), ("goal", "Goals"))
Doc = Mapping[str, Any]


def owner_name(owner: str, participant: str, facilitator: str) -> str:
    return participant if owner == "them" else facilitator


def spent_seconds(session: Doc) -> float:
    return sum(float(v) for v in (session.get("state", {}).get("spent") or {}).values())


def length_seconds(session: Doc, start: datetime | None = None,
                   end: datetime | None = None) -> float | None:
    """How long an ended session took: start to end, or, when that is implausibly long (it was
    reopened and continued another day), the time the stage timers ran. ``None`` while active.
    ``start`` and ``end``: its times, when the caller has them already."""
    if not session.get("ended_at"):
        return None
    wall = ((end or datetime.fromisoformat(session["ended_at"]))
            - (start or datetime.fromisoformat(session["started_at"]))).total_seconds()
    if 0 <= wall <= LONG_SESSION:
        return wall
    spent = spent_seconds(session)
    return spent if spent > 0 else max(0.0, wall)


def when(value: str, tz: tzinfo | None) -> datetime:
    return datetime.fromisoformat(value).astimezone(tz)


def _clock(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _zone(moment: datetime) -> str:
    name = moment.tzname() or moment.strftime("%z")
    return "UTC" if name in ("UTC", "+0000", "UTC+00:00") else name


def length_text(session: Doc) -> str:
    """How long a session (its document) took, in words, saying which length it is: what the
    export's "Length" and the session's detail and ``rapport show`` say."""
    start = datetime.fromisoformat(session["started_at"])
    end = datetime.fromisoformat(session["ended_at"]) if session.get("ended_at") else None
    return _fmt_length(length_seconds(session, start, end), session, start, end)


def _fmt_length(seconds: float | None, session: Doc, start: datetime, end: datetime | None
                ) -> str:
    """The length, saying which it is: start to end, or the time the stage timers ran (the
    app's lists show that one, as time spent). ``seconds``: :func:`length_seconds`."""
    if seconds is None or end is None:
        spent = spent_seconds(session)
        return f"{minutes_text(spent)} so far on the stage timers (not ended)" if spent > 0 \
            else "not ended"
    if not 0 <= (end - start).total_seconds() <= LONG_SESSION and seconds == \
            spent_seconds(session) > 0:
        return f"{minutes_text(seconds)} on the stage timers (continued another day)"
    return f"{minutes_text(seconds)}, start to end"


def minutes_text(seconds: float, *, short: bool = False) -> str:
    """A length in words: "under a minute", "40 min", "1 h 05 min".

    The one wording of a duration: records (a session's detail, ``rapport show``, the review,
    every export) say it in words, here and in :func:`planned_text` and :func:`spent_text`.
    ``short``: "7m", "75m", for lists only, in every list the same: a session list's column
    (the home screen's Spent, a person's timeline, ``rapport list``'s LENGTH) must fit 80
    columns, and the session's outline says "2/3m" beside each stage, "<1/3m"); "<1m" for a
    few seconds (as "under a minute": "0m" read as nothing at all). A running timer is a clock
    ("07:00"), not a duration."""
    minutes = round(seconds / 60)
    if short:
        return "<1m" if minutes == 0 and seconds > 0 else f"{minutes}m"
    if minutes == 0:
        return "under a minute" if seconds > 0 else "0 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def planned_text(seconds: float) -> str:
    """Minutes planned, as the export's timings and "Length" say them ("60 min", never "1 h 00
    min": a plan is made in minutes); the session's detail and ``rapport show`` say the same."""
    return f"{round(seconds / 60)} min"


def spent_text(seconds: float, none: str = "—") -> str:
    """Time spent on a stage timer, as the export's timings say it: "22 s", "2 min 30 s",
    "7 min"; ``none`` when it never ran. The session's detail (its table and its stage blocks)
    and ``rapport show`` say the same."""
    total = round(seconds)
    if total <= 0:
        return none
    minutes, secs = divmod(total, 60)
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"


def _date_line(start: datetime, end: datetime | None) -> str:
    text = f"{start.date().isoformat()}, {_clock(start)}"
    if end is not None:
        text += f"–{_clock(end)}" if end.date() == start.date() \
            else f" – {end.date().isoformat()}, {_clock(end)}"
        return f"{text} {_zone(start)}"
    return f"{text} {_zone(start)} (not ended)"


def page_blocks(doc: Doc, kind: str, include_private: bool, tz: tzinfo | None,
                facilitator: str) -> list[Block]:
    """Every block of the page of a whole document."""
    people = {p["id"]: p for p in doc["people"]}
    blocks = head_blocks(doc, people, kind, include_private, tz)
    for s in doc["sessions"]:
        blocks += session_blocks(s, participant(people, s), kind, include_private, tz, facilitator)
    return blocks + jot_blocks(doc, people, kind, tz)


def participant(people: Doc, session: Doc) -> str:
    return str(people.get(session["person_id"], {}).get("name", "participant"))


def css() -> str:
    return stylesheet(width="46rem", rules=_CSS_RULES, print_rules=_CSS_PRINT)


def head_blocks(doc: Doc, people: Doc, kind: str, include_private: bool,
                tz: tzinfo | None) -> list[Block]:
    """The title and what the export is; only the sessions' people and count are used."""
    sessions = doc["sessions"]
    noun = "Conversation summary" if kind == "summary" else "Conversation record"
    names = list(dict.fromkeys(people[s["person_id"]]["name"] for s in sessions
                               if s["person_id"] in people))
    if doc["scope"].get("person_id") in people and not names:
        names = [people[doc["scope"]["person_id"]]["name"]]
    title = f"{noun}: {names[0]}" if len(names) == 1 else noun
    exported = when(doc["exported_at"], tz)
    count = f"{len(sessions)} session" + ("" if len(sessions) == 1 else "s")
    if kind == "full":
        what = "full record, including private notes"
    elif include_private:
        what = "summary, including private notes"
    else:
        what = "summary of what was shared"
    blocks: list[Block] = [
        ("h", 1, title),
        ("p", f"Exported from Rapport on {exported.date().isoformat()} at {_clock(exported)} "
              f"{_zone(exported)} · {count} · {what}"),
    ]
    if kind == "full":
        blocks.append(("p", f"Scope: {doc['scope'].get('label', '')}"))
    if not sessions:
        blocks.append(("p", "No sessions."))
    return blocks


def jot_blocks(doc: Doc, people: Doc, kind: str, tz: tzinfo | None) -> list[Block]:
    blocks: list[Block] = []
    if kind == "full" and doc.get("jots"):
        blocks.append(("h", 2, "Jots"))
        for j in doc["jots"]:
            who = people.get(j["person_id"], {}).get("name", "unknown person")
            blocks.append(("label", f"{when(j['created_at'], tz).date().isoformat()} · {who}"))
            blocks.append(("text", j["text"], True))
    return blocks


def session_blocks(s: Doc, participant: str, kind: str, include_private: bool,
                   tz: tzinfo | None, facilitator: str) -> list[Block]:
    full = kind == "full"
    start = when(s["started_at"], tz)
    end = when(s["ended_at"], tz) if s.get("ended_at") else None
    heading = s["title"] or s["guide_name"] or "Conversation"
    blocks: list[Block] = [("h", 2, f"{heading} — {start.date().isoformat()}")]
    stages = plan_stages(s)
    length = _fmt_length(length_seconds(s, start, end), s, start, end)
    planned = sum(_minutes(st) for st in stages) if full else 0
    if planned:
        length += f" (planned {planned_text(planned * 60)})"
    meta = [("Date", _date_line(start, end)), ("Length", length), ("With", participant)]
    if s["guide_name"]:
        meta.append(("Guide", s["guide_name"]))
    if s.get("pulse"):  # the full record, or a summary that asked for it
        word = s["pulse"].get("word")
        meta.append(("Pulse", f"{s['pulse']['score']}/5" + (f" ({word})" if word else "")))
    if full:
        meta.append(("Status", "ended" if s.get("ended_at") else "in progress"))
        if s.get("amended_at"):
            meta.append(("Amended", when(s["amended_at"], tz).date().isoformat()))
        meta.append(("Session id", s["id"]))
    blocks.append(("meta", meta))

    titles = {st.get("key"): st.get("title") or st.get("key") for st in stages}
    private = private_stages(s, stages)
    if full:
        blocks += _full_stage_blocks(s, stages, private)
    else:
        notes = summary_notes(s, include_private, private)
        if notes:
            blocks.append(("h", 3, "Notes"))
            for n in _in_stage_order(notes, stages):
                mark = not shared_note(n, private)
                label = titles.get(n["stage"]) or n["stage"] or "General"
                blocks.append(("h", 4, f"{label} (private)" if mark else label))
                blocks.append(("text", n["text"], mark))
    items: dict[str, list[Doc]] = {}  # by kind
    for item in s.get("items", []) if full else summary_items(s, include_private, private):
        items.setdefault(item["kind"], []).append(item)
    for kind_key, section in ITEM_SECTIONS:
        chosen = items.get(kind_key)
        if chosen:
            blocks.append(("h", 3, section))
            blocks.append(("list", [_item_line(i, participant, facilitator,
                                               not shared_item(i, private)) for i in chosen]))
    for entry in s.get("feedback", []) if full else []:  # its form: the full record only
        blocks.append(("h", 3, f"Feedback ({entry.get('kind', 'developmental')}, "
                               f"{entry.get('direction', 'given')})"))
        blocks.append(("list", [f"{label}: {entry[field]}" for field, label in FEEDBACK_PARTS
                                if entry.get(field)]))
    checked = s.get("goals", []) if full else summary_checkins(s, include_private, private)
    if checked:
        blocks.append(("h", 3, GOALS_CHECKED))
        blocks.append(("list", [checkin_line(c, not shared_checkin(c, private)) for c in checked]))
    if full and s.get("tags"):
        blocks.append(("h", 3, "Tagged passages"))
        blocks.append(("list", [f"{t['theme']}: {t['passage']}"
                                + (f" ({titles.get(t['stage'], t['stage'])})" if t["stage"] else "")
                                for t in s["tags"]]))
    return blocks


def _minutes(stage: Doc) -> int:
    value = stage.get("minutes", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _in_stage_order(notes: Iterable[Doc], stages: list[Doc]) -> list[Doc]:
    order = {st.get("key"): i for i, st in enumerate(stages)}
    ranked = sorted(enumerate(notes), key=lambda p: (order.get(p[1]["stage"], len(order)), p[0]))
    return [note for _, note in ranked]


def _item_line(item: Doc, participant: str, facilitator: str,
               private: bool) -> str:
    parts = [f"owner: {owner_name(item['owner'], participant, facilitator)}"]
    if item.get("due"):
        parts.append(f"due {item['due']}")
    if item.get("status") and item["status"] != "open":
        parts.append(item["status"])
    if private:
        parts.append("private")
    return f"{item['text']} — " + " · ".join(parts)


#: the heading of a session's goal check-ins (the export, ``rapport show``, the detail screen)
GOALS_CHECKED = "Goals checked in"


def checkin_line(checkin: Doc, private: bool = False) -> str:
    """One goal check-in of a session's ``goals``: the goal, its progress (or its key
    result's) and status as they then stood, and the check-in's note."""
    parts = []
    progress = checkin.get("progress")
    if checkin.get("key_result") is not None:
        parts.append(f"key result {checkin['key_result']}"
                     + (f": {progress} %" if progress is not None else ""))
    elif progress is not None:
        parts.append(f"{progress} %")
    if checkin.get("status"):
        parts.append(str(checkin["status"]))
    if checkin.get("note"):
        parts.append(str(checkin["note"]))
    if private:
        parts.append("private")
    return f"{checkin['text']} — " + " · ".join(parts) if parts else str(checkin["text"])


def _full_stage_blocks(s: Doc, stages: list[Doc],
                       private: set[str]) -> list[Block]:
    state = s.get("state", {})
    spent = state.get("spent") or {}
    asked = state.get("asked") or {}
    notes_by_stage: dict[str, list[Doc]] = {}
    for n in s.get("notes", []):
        if has_text(n):
            notes_by_stage.setdefault(n["stage"], []).append(n)
    used = set(state.get("visited") or ()) | {k for k, v in spent.items() if float(v) > 0}
    used |= set(notes_by_stage) | {k for k, v in asked.items() if v}
    used |= {i.get("stage") for i in s.get("items", []) if i.get("stage")}

    blocks: list[Block] = []
    if stages:
        rows = [[st.get("title") or st.get("key", ""), planned_text(_minutes(st) * 60),
                 spent_text(float(spent.get(st.get("key"), 0)))] for st in stages]
        total = sum(float(v) for v in spent.values())
        rows.append(["Total", planned_text(sum(_minutes(st) for st in stages) * 60),
                     spent_text(total)])
        blocks += [("h", 3, "Timings"), ("table", ["Stage", "Planned", "Spent"], rows)]
    shown = set()
    stage_blocks: list[Block] = []
    for number, st in enumerate(stages, 1):
        key = st.get("key")
        if key not in used:
            continue
        shown.add(key)
        title = st.get("title") or key
        stage_blocks.append(("h", 4, f"{number}. {title}" + (" (private)" if key in private else "")))
        if st.get("purpose"):
            stage_blocks.append(("p", f"Purpose: {st['purpose']}"))
        for name, label in (("cues", "Cues"), ("avoid", "Avoid")):
            values = [v for v in st.get(name) or () if isinstance(v, str)]
            if values:
                stage_blocks += [("label", label), ("list", values)]
        questions = _asked_questions(st, asked.get(key) or ())
        if questions:
            stage_blocks += [("label", "Questions asked"), ("list", questions)]
        for n in notes_by_stage.get(str(key), []):
            mark = not shared_note(n, private)
            stage_blocks += [("label", "Notes (private)" if mark else "Notes"), ("text", n["text"], mark)]
    for key, notes in notes_by_stage.items():
        if key in shown:
            continue
        stage_blocks.append(("h", 4, f"Other notes: {key}" if key else "Other notes"))
        for n in notes:
            mark = not shared_note(n, private)
            stage_blocks += [("label", "Notes (private)" if mark else "Notes"), ("text", n["text"], mark)]
    if stage_blocks:
        blocks += [("h", 3, "Stages"), *stage_blocks]
    return blocks


def _asked_questions(stage: Doc, indices: Iterable[Any]) -> list[str]:
    questions = stage.get("questions") or []
    out = []
    for index in indices:
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(questions):
            q = questions[index]
            text = q.get("text") if isinstance(q, Mapping) else q
            if isinstance(text, str) and text:
                out.append(text)
    return out


# This page's rules in the base stylesheet: between its headings and lists, and for print.
_CSS_RULES = """\
h4{font-size:1rem;margin:1rem 0 .3rem}
p{margin:.4rem 0}
.note{margin:.3rem 0 .8rem;padding:.1rem .7rem;border-left:3px solid #9ab}
.note p,.note ul,.note ol{margin:.3rem 0}
.note ol{padding-left:1.6rem}
.note h5,.note h6{font-size:1rem;margin:.6rem 0 .2rem}
.note h6{font-style:italic}
.private{border-left-color:#c55;background:#fdf3f3}
.label{font-weight:600;margin-top:.6rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid #bbb;padding:.2rem .6rem;text-align:left}"""
_CSS_PRINT = ("h2{break-before:auto;break-after:avoid}h3,h4{break-after:avoid}"
              ".note,li,tr{break-inside:avoid}")
