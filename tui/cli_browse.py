"""``rapport list | show | search | people | items | jot``: the vault from the command line.

Plain text for people (``--json`` for scripts). No Textual here, and the store is imported only
inside each command, so they start fast. Unknown ids and names are one ``rapport: error:`` line.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from store import ITEM_KINDS, minutes_text
from tui.cli import DAY, bad_usage, by_id, complete_guide_ids, fail, pass_env
from tui import format as fmt
from tui.env import Env
from tui.format import Emphasis, out, out_json, table

if TYPE_CHECKING:  # pragma: no cover
    from store import Hit, Upcoming
    from tui.record import PersonOverview

STATUSES = ("active", "ended")
#: What ``search --kind`` takes: a record (note, item, jot, talking point), a kind of item, a
#: title or a name.
KINDS = ("note", "item", *ITEM_KINDS, "jot", "point", "feedback", "title", "name")
#: The most a jot read from standard input may hold.
JOT_LIMIT = 1024 * 1024


# ---------------------------------------------------------------------- helpers
def _stamp(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _meeting(upcoming: "Upcoming | None") -> dict[str, object] | None:
    if upcoming is None:
        return None
    return {"date": upcoming.day.isoformat(), "time": upcoming.time,
            "minutes": upcoming.minutes, "source": upcoming.source, "state": upcoming.state}


# ---------------------------------------------------------------------- list
@click.command("list")
@click.option("--person", "person_name", metavar="NAME", help="Only sessions with this person.")
@click.option("--status", type=click.Choice(STATUSES), help="Only active or only ended sessions.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def list_sessions(env: Env, person_name: str | None, status: str | None, as_json: bool) -> None:
    """List sessions, newest first (active ones first)."""
    with env.open_store() as store:
        person_id = store.find_person(person_name).id if person_name else None
        summaries = store.summaries(person_id=person_id, status=status)
        open_items = store.open_actions()
    if as_json:
        out_json("sessions", [{"id": s.id, "person": s.person_name, "person_id": s.person_id,
                   "title": s.title, "guide": s.guide_name, "guide_id": s.guide_id,
                   "status": s.status, "started_at": _stamp(s.started_at),
                   "ended_at": _stamp(s.ended_at), "spent_seconds": round(s.spent_seconds, 1),
                   "open_items": open_items.get(s.id, 0)} for s in summaries])
        return
    if not summaries:
        out("no sessions", err=True)
        return
    table(("ID", "DATE", "PERSON", "GUIDE", "LENGTH", "STATUS", "OPEN", "TITLE"),
          [(s.id[:8], fmt.when(s.started_at), s.person_name, s.guide_name,
            minutes_text(s.spent_seconds, short=True), s.status, str(open_items.get(s.id, "") or ""),
            s.title) for s in summaries], right=(4, 6), free=(2, 3, 7), last_below=True)


# ---------------------------------------------------------------------- show
@click.command("show")
@click.argument("session_ref", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def show_session(env: Env, session_ref: str, as_json: bool) -> None:
    """Show one session's whole record: stages with notes, items, time per stage.

    ID is the session's id or a unique prefix of it (at least 4 characters, see 'rapport list').
    Private notes are shown too, marked as such: this is your own terminal. With --json, the
    session's full export document (docs/export-format.md): what 'rapport import' reads.
    """
    from tui.record import load_record, session_markdown

    with env.open_store() as store:
        record = load_record(store, store.resolve_session(session_ref))
    if as_json:
        out_json("session", record.document)
    else:
        out(session_markdown(record, plain=True), nl=False)


# ---------------------------------------------------------------------- search
@click.command("search")
@click.argument("text")
@click.option("--person", "person_name", metavar="NAME", help="Only this person's records.")
@click.option("--guide", "guide_id", metavar="ID", shell_complete=complete_guide_ids,
              help="Only sessions run with this guide.")
@click.option("--status", type=click.Choice(STATUSES), help="Only active or only ended sessions.")
@click.option("--kind", type=click.Choice(KINDS),
              help="Only one kind of record ('point': talking points; 'feedback': the "
                   "feedback log).")
@click.option("--since", type=DAY,
              help="Sessions on or after DATE (YYYY-MM-DD); jots, talking points, feedback "
                   "written then.")
@click.option("--until", type=DAY,
              help="Sessions on or before DATE (YYYY-MM-DD); jots, talking points, feedback "
                   "written then.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def search(env: Env, text: str, person_name: str | None, guide_id: str | None,
           status: str | None, kind: str | None, since: date | None, until: date | None,
           as_json: bool) -> None:
    """Search names, titles, notes, items, jots and talking points.

    Case-insensitive. Talking points first (whose, mine or theirs, open or covered), then newest
    session first, then names and jots. Points, names and jots belong to no session: --guide and
    --status leave them out, --since and --until read the day a jot or a point was written.
    """
    from store import NotFound, RapportError
    from tui.record import stage_titles

    if not text.strip():
        raise bad_usage("give some text to search for")
    filters: dict[str, object] = {"guide_id": guide_id, "status": status, "kind": kind,
                                  "since": since, "until": until}
    with env.open_store() as store:
        if person_name:
            filters["person_id"] = store.find_person(person_name).id
        # The sealed index, brought level with the vault: only what changed since is decrypted.
        hits = store.search(text, **{k: v for k, v in filters.items() if v})
        plans = store.session_plans(h.session_id for h in hits if h.session_id)
        titles = {sid: stage_titles(plan) for sid, plan in plans.items()}
        rows: list[tuple[Hit, str, str]] = []
        for hit in hits:
            try:
                person = store.person(hit.person_id).name
            except NotFound:
                person = "?"
            where = ""
            if hit.session_id:
                where = titles.get(hit.session_id, {}).get(hit.stage, hit.stage)
            rows.append((hit, person, where))
        _print_hits(rows, text, as_json)
        # Results first; then the index is sealed into the vault (when enough changed) so the
        # next search decrypts only what changes until then.
        sys.stdout.flush()
        try:
            store.save_search_index()
        except RapportError:
            pass  # (a read-only vault, a full disk): the search itself was answered


def written(hit: "Hit") -> datetime | None:
    """The day a jot, a talking point or a feedback entry was written (what a date filter
    reads for them)."""
    return hit.created_at if hit.kind in ("jot", "point", "feedback") else None


def _point(hit: "Hit") -> dict[str, str] | None:
    """A talking point's id, owner and status (the index keeps them as a record id, an item
    kind and a stage); None for any other hit."""
    if hit.kind != "point":
        return None
    return {"id": hit.record_id, "owner": hit.item_kind, "status": hit.stage}


def _feedback(hit: "Hit") -> dict[str, str] | None:
    """A feedback entry's id, kind and direction (the index keeps them as a record id, an item
    kind and a stage); None for any other hit."""
    if hit.kind != "feedback":
        return None
    return {"id": hit.record_id, "kind": hit.item_kind, "direction": hit.stage}


def _print_hits(rows: list[tuple[Hit, str, str]], text: str, as_json: bool) -> None:
    if as_json:
        out_json("results", [{"session_id": h.session_id, "person": p, "person_id": h.person_id,
                   "kind": h.kind, "item_kind": None if other else h.item_kind or None,
                   "stage": None if other else h.stage or None,
                   "stage_title": None if fb else w or None,
                   "date": _stamp(h.started_at or written(h)), "snippet": h.snippet,
                   "match": [h.match_start, h.match_end], "point": point, "feedback": fb}
                  for h, p, w in rows for point, fb in [(_point(h), _feedback(h))]
                  for other in [point or fb]])
        return
    if not rows:
        out(f"no results for {text.strip()!r}", err=True)
        return
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    for hit, person, where in rows:
        label = {"jot": "jot", "name": "person", "title": "title"}.get(hit.kind, where)
        if hit.kind == "point":  # (its owner and status, kept as an item's kind and a stage)
            label = f"talking point ({hit.item_kind}, {hit.stage})"
        elif hit.kind == "feedback":  # (praise or developmental, given or received: likewise)
            label = f"feedback ({hit.item_kind}, {hit.stage})"
        elif hit.kind == "item":
            label = f"{hit.item_kind} · {where}" if where else hit.item_kind
        head = "  ".join(x for x in (fmt.day(hit.started_at or written(hit)) or "-" * 10,
                                      (hit.session_id or "")[:8].ljust(8), person, label) if x)
        room = max(20, width - len(head) - 4)
        before, match, after = hit.before, hit.match, hit.after
        if len(before) + len(match) + len(after) > room:
            keep = max(0, (room - len(match)) // 2)
            before = ("…" + before[-keep:]) if len(before) > keep else before
            after = after[:max(0, room - len(before) - len(match))]
        out(f"{head}: ", before, Emphasis(match), after)


# ---------------------------------------------------------------------- people
@click.group("people", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def people(env: Env, as_json: bool) -> None:
    """Everyone: sessions, last met, cadence, next meeting, open items (theirs, mine), goals.

    The next meeting is the date set with 'rapport schedule', else the one the cadence gives.

    With a subcommand: add, rename, merge or erase someone (see 'rapport people COMMAND -h').
    """
    from tui.record import people_overview

    if click.get_current_context().invoked_subcommand is not None:
        return

    today = env.today()
    with env.open_store() as store:
        rows = people_overview(store, today)
    if as_json:
        out_json("people", [{"id": r.person.id, "name": r.person.name, "sessions": r.sessions,
                   "last_met": _stamp(r.last_met), "last_ended": _stamp(r.last_ended),
                   "still_open": _stamp(r.still_open), "cadence": r.person.cadence,
                   "next_due": _stamp(r.next_due), "due": r.state or None,
                   "next_meeting": _meeting(r.meeting),
                   "open_theirs": r.open_theirs, "open_mine": r.open_mine,
                   "goals": [{"text": g.text, "status": g.status, "owner": g.owner,
                              "due": _stamp(g.due)} for g in r.goals]} for r in rows])
        return
    if not rows:
        out("no people yet", err=True)
        return
    _people_table(rows, today)


def _met(row: PersonOverview) -> str:
    """LAST MET as the app's people list says it: the last session ended with them, ``●`` after
    it when one was started and never ended (it has no summary yet: not "last time")."""
    day = fmt.day(row.last_ended)
    if row.still_open is None:
        return day or "-"
    return f"{day} {fmt.OPEN_MARK}" if day else fmt.OPEN_MARK


def _people_table(rows: list[PersonOverview], today: date) -> None:
    """Everyone, one line each. In a terminal too narrow for the whole table (80 columns):
    the sessions count left out and the next meeting relative (``3d overdue``, ``in 4d``), so
    names keep room; output to a pipe or a file always gets the whole table. A line under it
    (on stderr: a script reading the table gets the rows alone) says what ``●`` means."""
    _people_rows(rows, today)
    if any(r.still_open is not None for r in rows):
        out(f"{fmt.OPEN_MARK} a session still open: 'rapport list --status active'", err=True)


def _people_rows(rows: list[PersonOverview], today: date) -> None:
    header = ("NAME", "SESSIONS", "LAST MET", "CADENCE", "NEXT MEETING", "THEIRS", "MINE",
              "GOALS")
    full = [(r.person.name, str(r.sessions), _met(r),
             r.person.cadence or "-", fmt.meeting_label(r.meeting) if r.meeting else "-",
             str(r.open_theirs), str(r.open_mine), r.goal_summary() or "0") for r in rows]
    width = fmt.terminal_width()
    if width is None or fmt.table_width(header, full) <= width:
        table(header, full, right=(1, 5, 6), free=(0,))
        return
    table(("NAME", "LAST MET", "CADENCE", "NEXT", "THEIRS", "MINE", "GOALS"),
          [(r.person.name, _met(r), r.person.cadence or "-",
            fmt.meeting_label(r.meeting, today) if r.meeting else "-", str(r.open_theirs),
            str(r.open_mine), r.goal_summary() or "0") for r in rows],
          right=(4, 5), free=(0, 6), width=width)


# ---------------------------------------------------------------------- items
@click.group("items", invoke_without_command=True)
@click.option("--open", "open_only", is_flag=True, help="Only open items (not done, dropped or "
              "carried forward).")
@click.option("--person", "person_name", metavar="NAME", help="Only this person's items.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def items(env: Env, open_only: bool, person_name: str | None, as_json: bool) -> None:
    """Action items, decisions, agreements and goals; open and overdue first, then by due date.

    With 'done': mark items done (see 'rapport items done -h'); with 'edit': correct one
    (see 'rapport items edit -h').
    """
    from tui.record import is_overdue, item_json, item_order, whose

    if click.get_current_context().invoked_subcommand is not None:
        return
    today = env.today()
    with env.open_store() as store:
        person_id = store.find_person(person_name).id if person_name else None
        found = store.items(person_id=person_id, open_only=open_only)
        names = {p.id: p.name for p in store.people()}
    found.sort(key=lambda i: item_order(i, today))
    if as_json:
        out_json("items", [{**item_json(i, names.get(i.person_id, "?")),
                   "overdue": is_overdue(i, today)} for i in found])
        return
    if not found:
        out("no open items" if open_only else "no items", err=True)
        return
    table(("ID", "DUE", "PERSON", "KIND", "WHOSE", "STATUS", "SESSION", "TEXT"),
          [(i.id[:8], (fmt.day(i.due) + (" !" if is_overdue(i, today) else "")) if i.due
            else "-", names.get(i.person_id, "?"), i.kind, whose(i), i.status, i.session_id[:8],
            i.text) for i in found], free=(2, 7), last_below=True)


@items.command("done")
@click.argument("refs", nargs=-1, required=True, metavar="ITEM...")
@pass_env
def items_done(env: Env, refs: tuple[str, ...]) -> None:
    """Mark each ITEM done: an action, decision or agreement, by its id or a unique start of it
    (at least 4 characters; 'rapport items' shows them). A goal is checked in on instead
    ('rapport goals check-in'). Nothing is changed unless every ITEM is found."""
    with env.open_store() as store:
        everything = store.items()
        chosen = [by_id(everything, ref, "item") for ref in refs]
        closed = next((i for i in chosen if not i.is_open), None)
        if closed is not None:
            raise fail(f"{closed.id[:8]} is {closed.status} already")  # no text on stderr
        goal = next((i for i in chosen if i.kind == "goal"), None)
        if goal is not None:
            raise fail(f"{goal.id[:8]} is a goal: check in on it with 'rapport goals check-in "
                       f"{goal.id[:8]} --status done'")
        done = store.update_items([i.id for i in dict.fromkeys(chosen)], status="done")
    for item in done:  # said once every one is done: a failure part-way changes none
        out(f"done: {item.text}")


@items.command("edit")
@click.argument("ref", metavar="ITEM")
@click.option("--text", metavar="TEXT", help="What it is, instead.")
@click.option("--due", metavar="DATE",
              help="Its due date: 2025-03-20, today, tomorrow, +3d, +2w, fri.")
@click.option("--no-due", is_flag=True, help="No due date any more.")
@click.option("--owner", type=click.Choice(["me", "them"]),
              help="Whose it is: me (the facilitator) or them.")
@click.option("--kind", type=click.Choice([k for k in ITEM_KINDS if k != "goal"]),
              help="An action, a decision or an agreement (a goal stays a goal).")
@pass_env
def items_edit(env: Env, ref: str, text: str | None, due: str | None, no_due: bool,
               owner: str | None, kind: str | None) -> None:
    """Correct ITEM, by its id or a unique start of it ('rapport items' shows them): its text,
    due date, owner or kind. Only what is given changes; its history and links stay."""
    from store import DateError, parse_due

    if due is not None and no_due:
        raise bad_usage("--due and --no-due contradict each other; give one")
    if due is not None and not due.strip():  # ("$DATE" unset): never a silent clear
        raise bad_usage("--due needs a date; --no-due clears it")
    changes: dict[str, object] = {
        k: v for k, v in (("text", text), ("owner", owner), ("kind", kind)) if v is not None}
    if no_due:
        changes["due"] = None
    elif due is not None:
        try:
            changes["due"] = parse_due(due, env.today())
        except DateError as exc:
            raise fail(str(exc)) from None
    if not changes:
        raise bad_usage("nothing to change: give --text, --due, --no-due, --owner or --kind")
    with env.open_store() as store:
        item = by_id(store.items(), ref, "item")
        edited = store.update_item(item.id, **changes)
    from tui.record import whose

    due_said = f", due {fmt.day(edited.due)}" if edited.due else ""
    out(f"saved: {edited.text} ({edited.kind}, {whose(edited)}{due_said})")


# ---------------------------------------------------------------------- jot
@click.command("jot")
@click.option("--with", "person_name", required=True, metavar="NAME",
              help="Who the jot is about (see 'rapport people'; 'rapport people add' adds "
                   "someone).")
@click.option("--raise", "to_raise", is_flag=True,
              help="A talking point to raise at the next session (covered there, or carried).")
@click.option("--theirs", is_flag=True,
              help="A talking point of theirs: they asked to discuss it.")
@click.argument("text", nargs=-1)
@pass_env
def jot(env: Env, person_name: str, to_raise: bool, theirs: bool, text: tuple[str, ...]) -> None:
    """Write a dated note about someone, or a talking point for your next session with them.

    TEXT is read from standard input when it is not given.
    """
    if to_raise and theirs:
        raise bad_usage("--raise and --theirs are two kinds of talking point; give one")
    with env.open_store() as store:
        person = store.find_person(person_name)
        body = " ".join(text)
        if not text:
            if sys.stdin.isatty():
                out(f"Jot about {person.name} (end with ctrl+d):", err=True)
            raw = _read_stdin(JOT_LIMIT)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise fail("the jot on standard input is not UTF-8") from None
        if to_raise or theirs:
            point = store.add_talking_point(person.id, body, owner="theirs" if theirs else "mine")
            what = "their talking point" if theirs else "talking point"
            out(f"{what} saved for {person.name} ({fmt.when(point.created_at)})")
            return
        entry = store.add_jot(person.id, body)
    out(f"jot saved for {person.name} ({fmt.when(entry.created_at)})")


def _read_stdin(limit: int) -> bytes:
    """Standard input, up to ``limit`` bytes (reading at most one more), or one error line."""
    stream = getattr(sys.stdin, "buffer", None)
    raw = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode()
    if len(raw) > limit:
        raise fail(f"the jot on standard input is larger than {limit} bytes")
    return raw
