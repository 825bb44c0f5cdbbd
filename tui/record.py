"""What the browse screens and the browse commands both show, computed from the store.

Plain Python on purpose: ``rapport show``, ``rapport people`` and ``rapport items`` import this and
never load Textual or Rich. The screens call these from their worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from store import due_people
from store import CADENCES, ITEM_KINDS, Item, Note, Person, Session, SessionSummary, Upcoming
from store import (GOALS_CHECKED, checkin_line, length_text, md_block, md_inline, minutes_text,
                   planned_text, spent_text)
from store import FEEDBACK_PARTS, private_stages, shared_checkin
from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    from store import Store

#: ``c`` cycles through these.
CADENCE_CYCLE: tuple[str | None, ...] = (None, *CADENCES)
KIND_HEADINGS = {"action": "Action items", "decision": "Decisions", "agreement": "Agreements",
                 "goal": "Goals"}
CLOSED_GOAL = ("done", "dropped", "carried")


def next_cadence(current: str | None) -> str | None:
    cycle = list(CADENCE_CYCLE)
    index = cycle.index(current) if current in cycle else 0
    return cycle[(index + 1) % len(cycle)]


def whose(item: Item) -> str:
    """``mine`` (the facilitator's) or ``theirs`` (the participant's)."""
    return "mine" if item.owner == "me" else "theirs"


def is_overdue(item: Item, today: date) -> bool:
    return item.is_open and item.due is not None and item.due < today


def item_order(item: Item, today: date) -> tuple:
    """Open before closed, overdue first, then by due date (none last), then oldest first."""
    far = date.max
    return (not item.is_open, not is_overdue(item, today), item.due or far,
            item.created_at.isoformat() if item.created_at else "")


def goal_order(item: Item) -> tuple:
    rank = {"at-risk": 0, "open": 1, "on-track": 2, "done": 3, "dropped": 4}
    return (rank.get(item.status, 5), item.due or date.max,
            item.created_at.isoformat() if item.created_at else "")


def stage_titles(plan: Mapping[str, Any]) -> dict[str, str]:
    return {s.get("key", ""): s.get("title", s.get("key", "")) for s in plan.get("stages", ())}


def last_met(summaries: Iterable[SessionSummary]) -> dict[str, date]:
    """Each person's latest session day (local time)."""
    last: dict[str, date] = {}
    for s in summaries:
        day = s.started_at.astimezone().date()
        if s.person_id not in last or day > last[s.person_id]:
            last[s.person_id] = day
    return last


# ---------------------------------------------------------------------- people
@dataclass
class PersonOverview:
    person: Person
    sessions: int = 0
    last_met: date | None = None  # the latest session, ended or not
    last_ended: date | None = None  # the latest ended one: "last met" as Prepare says it
    still_open: date | None = None  # the latest session started and not ended, if any
    next_due: date | None = None
    state: str = ""  # overdue, due, later; "" without a cadence
    open_theirs: int = 0
    open_mine: int = 0
    goals: list[Item] = field(default_factory=list)  # not done, dropped or carried
    meeting: Upcoming | None = None  # the next meeting: set, else from the cadence
    pulse: int | None = None  # the last pulse's score
    low_run: bool = False  # the last pulses are a run of low scores

    def goal_summary(self) -> str:
        if not self.goals:
            return ""
        risky = sum(1 for g in self.goals if g.status == "at-risk")
        return f"{len(self.goals)}" + (f" ({risky} at risk)" if risky else "")


def due_of(person: Person, met: date | None, today: date) -> tuple[date | None, str]:
    found = due_people([person], {person.id: met} if met else {}, today)
    return (found[0].next_due, found[0].state) if found else (None, "")


def people_overview(store: "Store", today: date) -> list[PersonOverview]:
    """Everyone, sorted by name, with counts, last met, next due and open follow-through."""
    summaries = store.summaries()
    rows = {p.id: PersonOverview(p) for p in store.people()}
    met = last_met(summaries)
    ended = last_met(s for s in summaries if s.ended_at is not None)
    still_open = last_met(s for s in summaries if s.ended_at is None)
    for s in summaries:
        if s.person_id in rows:
            rows[s.person_id].sessions += 1
    for item in store.items():
        row = rows.get(item.person_id)
        if row is None:
            continue
        if item.kind == "goal":
            if item.status not in CLOSED_GOAL:
                row.goals.append(item)
        elif item.kind == "action" and item.is_open:
            if item.owner == "me":
                row.open_mine += 1
            else:
                row.open_theirs += 1
    regular: dict[str, date] = {}  # the last regular 1-on-1: what the cadence counts from
    for upcoming in store.upcoming(today):
        if upcoming.person.id in rows:
            rows[upcoming.person.id].meeting = upcoming
            if upcoming.last_met is not None:
                regular[upcoming.person.id] = upcoming.last_met
    last_pulse = {pulse.person_id: pulse.score for pulse in store.pulses()}  # oldest first
    low = {person.id for person in store.low_runs()}
    for row in rows.values():
        row.last_met = met.get(row.person.id)
        row.last_ended, row.still_open = ended.get(row.person.id), still_open.get(row.person.id)
        row.next_due, row.state = due_of(row.person, regular.get(row.person.id), today)
        row.goals.sort(key=goal_order)
        row.pulse = last_pulse.get(row.person.id)
        row.low_run = row.person.id in low
    return list(rows.values())


# ---------------------------------------------------------------------- one session
def md_escape(text: str) -> str:
    """Text that Markdown shows as typed (names, titles, item text): the store's escaper."""
    return md_inline(text)


md_note = md_block  # a note is Markdown as typed: headings under the page's, no link or raw HTML


@dataclass
class StageRecord:
    index: int
    key: str
    title: str
    planned_seconds: float
    spent_seconds: float
    note: Note | None  # the shared note (in a private stage, the one note typed there)
    private: bool  # the stage is private by its guide, or its one note is
    #: the private note typed beside a shared one (F3 in the session): a stage keeps both
    private_note: Note | None = None

    @property
    def words(self) -> int:
        return sum(len(n.text.split()) for n in (self.note, self.private_note) if n)


@dataclass
class SessionRecord:
    session: Session
    person: Person
    stages: list[StageRecord]
    items: list[Item]
    #: the store's document of the session (store.session_document): what ``rapport show --json``
    #: prints, and what the notes and items here are read from
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.session.title or self.session.guide_name


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load_record(store: "Store", session: Session) -> SessionRecord:
    """The session's record, laid out from the store's document of it (one shape for the
    detail screen, ``rapport show`` and the exports)."""
    from store import session_document

    document = session_document(store, session.id)
    s = document["sessions"][0]
    person = next((Person(id=p["id"], name=p["name"], cadence=p["cadence"], role=p["role"])
                   for p in document["people"] if p["id"] == session.person_id),
                  Person(id=session.person_id, name="?"))
    notes: dict[str, list[Note]] = {}
    for n in s["notes"]:
        notes.setdefault(n["stage"], []).append(
            Note(id=n["id"], session_id=session.id, stage=n["stage"], text=n["text"],
                 private=n["private"], created_at=_when(n["created_at"]),
                 updated_at=_when(n["updated_at"])))
    items = [Item(id=i["id"], session_id=session.id, person_id=session.person_id, kind=i["kind"],
                  text=i["text"], owner=i["owner"],
                  due=date.fromisoformat(i["due"]) if i["due"] else None, status=i["status"],
                  stage=i["stage"], done_at=_when(i["done_at"]), carried_from=i["carried_from"],
                  created_at=_when(i["created_at"]), updated_at=_when(i["updated_at"]))
             for i in s["items"]]
    def stage_record(index: int, key: str, title: str, planned: float,
                     private_stage: bool) -> StageRecord:
        these = notes.pop(key, [])
        shared = next((n for n in these if not n.private), None)
        private = next((n for n in these if n.private), None)
        if shared is None:  # the one note is private: shown as the stage's note, marked
            return StageRecord(index, key, title, planned, float(session.spent.get(key, 0.0)),
                               private, private_stage or private is not None)
        return StageRecord(index, key, title, planned, float(session.spent.get(key, 0.0)),
                           shared, private_stage, private)

    stages = [stage_record(i, stage.get("key", ""), stage.get("title", stage.get("key", "")),
                           float(stage.get("minutes", 0)) * 60, bool(stage.get("private")))
              for i, stage in enumerate(session.stages or [])]
    for key in list(notes):  # notes of stages no longer in the plan
        stages.append(stage_record(len(stages), key, key or "Notes", 0.0, False))
    return SessionRecord(session, person, stages, items, document)


def record_header(record: SessionRecord, esc: Callable[[str], str] = md_escape, *,
                  table: bool = True) -> str:
    """Title, dates and length; with ``table``, time per stage planned vs spent."""
    s = record.session
    planned = sum(st.planned_seconds for st in record.stages)
    parts = [f"**{esc(s.guide_name or s.guide_id)}**"] if s.title else []
    parts.append(f"started {fmt.when(s.started_at)}")
    if s.ended_at:
        parts.append(f"ended {fmt.when(s.ended_at)}")
    else:
        parts.append("**active**")
    if s.amended_at:
        parts.append(f"edited after it ended ({fmt.when(s.amended_at)})")
    if s.ended_at and record.document.get("sessions"):  # the export's "Length", in its words,
        parts.append(length_text(record.document["sessions"][0]))  # beside the time spent
    parts.append(f"{minutes_text(s.spent_seconds)} spent on the stage timers of "
                 f"{planned_text(planned)} planned")
    lines = [f"# {esc(record.person.name)} · {esc(record.title)}", "", " · ".join(parts), ""]
    if record.stages and table:
        lines += ["| Stage | Planned | Spent |", "|---|---:|---:|"]
        *rows, (total_planned, total_spent) = stage_times(record)
        for st, (stage_planned, stage_spent) in zip(record.stages, rows):
            mark = " 🔒" if st.private or st.private_note else ""
            lines.append(f"| {st.index + 1}. {esc(st.title)}{mark} | {stage_planned} | "
                         f"{stage_spent} |")
        lines.append(f"| **Total** | {total_planned} | {total_spent} |")
    return "\n".join(lines)


def stage_times(record: SessionRecord) -> list[tuple[str, str]]:
    """Time planned and spent per stage, then in all, as the record's tables say them (the
    detail's and ``rapport show``'s): in the export's words (:func:`store.planned_text`,
    :func:`store.spent_text`), as a stage's block says them too."""
    rows = [(planned_text(st.planned_seconds), spent_text(st.spent_seconds))
            for st in record.stages]
    planned = sum(st.planned_seconds for st in record.stages)
    return rows + [(planned_text(planned), spent_text(record.session.spent_seconds))]


def stage_markdown(stage: StageRecord, esc: Callable[[str], str] = md_escape,
                   note: Callable[[str], str] = md_note) -> str:
    lines = [f"## {stage.index + 1}. {esc(stage.title)}" + (" 🔒 private" if stage.private else ""),
             "", f"*{planned_text(stage.planned_seconds)} planned · "
                 f"{spent_text(stage.spent_seconds, 'no time')} spent*", ""]
    text = stage.note.text.strip() if stage.note else ""
    private = stage.private_note.text.strip() if stage.private_note else ""
    lines.append(note(text) if text else "*No notes.*" if not private else "*No shared notes.*")
    if private:
        lines += ["", "*🔒 Private note*", "", note(private)]
    return "\n".join(lines)


def item_line(item: Item, person_name: str, esc: Callable[[str], str] = md_escape) -> str:
    who = "me" if item.owner == "me" else esc(person_name)
    bits = [f"owner {who}"]
    if item.due:
        bits.append(f"due {fmt.day(item.due)}")
    bits.append(item.status)
    return f"- {fmt.KIND_MARK.get(item.kind, '-')} {esc(item.text)} — " + " · ".join(bits)


def listed_items(record: SessionRecord) -> list[Item]:
    """The items in the order :func:`items_markdown` lists them (by kind, then as captured)."""
    return [i for kind in ITEM_KINDS for i in record.items if i.kind == kind]


def items_markdown(record: SessionRecord, esc: Callable[[str], str] = md_escape) -> str:
    """The items captured, then the goals checked in (the session document's ``goals``, as
    the export lays them out; a private one marked)."""
    lines = ["## Items", ""]
    if not record.items:
        lines += ["*No items captured.*", ""]
    for kind, these in groupby(listed_items(record), key=lambda i: i.kind):  # the detail
        lines += [f"### {KIND_HEADINGS[kind]}", ""]  # scrolls to an item by this order
        lines += [item_line(i, record.person.name, esc) for i in these]
        lines.append("")
    session = (record.document.get("sessions") or [{}])[0]
    if session.get("goals"):
        private = private_stages(session)
        lines += [f"### {GOALS_CHECKED}", ""]
        lines += [f"- {fmt.KIND_MARK.get('goal', '-')} "
                  + esc(checkin_line(c, not shared_checkin(c, private))) for c in session["goals"]]
    return "\n".join(lines).rstrip()


def recorded_markdown(record: SessionRecord, esc: Callable[[str], str] = md_escape) -> str:
    """What the session recorded besides its notes and items: its pulse and its entry in the
    feedback log (a feedback session's form), from the session's document; "" without them."""
    sid = record.session.id
    pulse = next((p["data"] for p in record.document.get("pulses", ())
                  if p.get("session_id") == sid), None)
    entries = [f["data"] for f in record.document.get("feedback", ())
               if f.get("session_id") == sid]
    if pulse is None and not entries:
        return ""
    lines = ["## Recorded", ""]
    if pulse is not None:
        word = pulse.get("word")
        lines.append(f"- Pulse: {pulse.get('score')}/5" + (f" ({esc(word)})" if word else ""))
    for entry in entries:
        lines.append(f"- Feedback ({entry.get('kind', 'developmental')}, "
                     f"{entry.get('direction', 'given')})")
        lines += [f"  - {label}: {esc(entry[field])}" for field, label in FEEDBACK_PARTS
                  if entry.get(field)]
    return "\n".join(lines)


def session_markdown(record: SessionRecord, *, plain: bool = False) -> str:
    """The whole record as one Markdown document (``plain``: no escaping, for a terminal)."""
    esc = (lambda t: " ".join(t.split())) if plain else md_escape
    note = (lambda t: t) if plain else md_note
    parts = [record_header(record, esc)]
    parts += [stage_markdown(st, esc, note) for st in record.stages]
    parts += [part for part in (recorded_markdown(record, esc), items_markdown(record, esc))
              if part]
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------- JSON
def stamp(value) -> str | None:
    return value.isoformat() if value else None


def item_json(item: Item, person_name: str | None = None) -> dict[str, Any]:
    out = {"id": item.id, "session_id": item.session_id, "person_id": item.person_id,
           "kind": item.kind, "text": item.text, "owner": item.owner, "whose": whose(item),
           "due": stamp(item.due), "status": item.status, "stage": item.stage,
           "done_at": stamp(item.done_at), "created_at": stamp(item.created_at)}
    if person_name is not None:
        out["person"] = person_name
    return out
