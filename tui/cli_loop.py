"""``rapport schedule | calendar | due | goals | feedback | restore``: the loop between
conversations, and people over time, from the command line. Plain text (``--json`` for
scripts); no Textual."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from store import GOAL_STATUSES
from tui import format as fmt
from tui.cli import bad_usage, by_id, complete_path, fail, in_folder, pass_env, refuse_existing
from tui.cli_people import CADENCE_CHOICES
from tui.env import Env
from tui.format import out, out_json, table

if TYPE_CHECKING:  # pragma: no cover
    from store import Goal, Item, Upcoming


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _meeting_json(u: "Upcoming") -> dict[str, Any]:
    return {"person": u.person.name, "person_id": u.person.id, "date": u.day.isoformat(),
            "time": u.time, "minutes": u.minutes, "every": u.every, "source": u.source,
            "state": u.state, "last_met": _iso(u.last_met)}


def _when(u: "Upcoming") -> str:
    return u.day.isoformat() + (f" {u.time}" if u.time else "")


# ---------------------------------------------------------------------- schedule
@click.command("schedule")
@click.option("--with", "person_name", metavar="NAME", help="Set the next meeting with NAME.")
@click.argument("when", nargs=-1)
@click.option("--minutes", type=click.IntRange(1, 24 * 60), metavar="N",
              help="How long it is planned for.")
@click.option("--every", type=click.Choice(CADENCE_CHOICES),
              help="How it recurs (sets their cadence).")
@click.option("--clear", is_flag=True, help="Forget the set date: the cadence decides again.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts (the list).")
@pass_env
def schedule(env: Env, person_name: str | None, when: tuple[str, ...], minutes: int | None,
             every: str | None, clear: bool, as_json: bool) -> None:
    """Set the next meeting: --with NAME DATE [TIME]; with no --with, list what is coming.

    DATE as the capture dialog takes it: YYYY-MM-DD, today, tomorrow, +7d, +2w, fri; today or
    later. TIME is local, 09:30 (none: all day). A set date overrides the one the cadence computes, until you
    meet; the cadence (--every) is how it recurs. --with NAME --every CADENCE alone sets the
    cadence agreed, the date left as it is.
    """
    from store import DateError, parse_due

    if person_name is None:
        if when or minutes or every or clear:
            raise bad_usage("give --with NAME to set or clear a meeting")
        with env.open_store() as store:
            coming = store.upcoming(env.today())
        if as_json:
            out_json("meetings", [_meeting_json(u) for u in coming])
        elif not coming:
            out("nothing scheduled: rapport schedule --with NAME DATE, or give people a cadence",
                err=True)
        else:
            table(("WHEN", "PERSON", "MINUTES", "EVERY", "FROM", "STATE"),
                  [(_when(u), u.person.name, str(u.minutes or "-"), u.every or "-", u.source,
                    u.state) for u in coming], right=(2,), free=(1,))
        return
    if as_json:
        raise bad_usage("--json lists what is coming; leave out --with")
    if clear and when:
        raise bad_usage("--clear takes no date")
    if not clear and not when and not every:
        raise bad_usage("give a DATE (and optionally a TIME), --every, or --clear")
    if minutes and not when:
        raise bad_usage("--minutes goes with a DATE")
    if len(when) > 2:
        raise bad_usage("give a DATE and at most a TIME")
    today = env.today()
    day = None
    if when:
        try:
            day = parse_due(when[0], today)
        except DateError as exc:
            raise bad_usage(str(exc)) from None
        if day is None:
            raise bad_usage("give a DATE")
        if day < today:  # as the app's dialog: a set date is a meeting to come
            raise bad_usage(f"{day.isoformat()} has passed: give today or a later day")
    with env.open_store() as store:
        person = store.find_person(person_name)
        cadence = every or ...  # with the date, or the clearing, in one transaction
        if clear:
            store.clear_next_meeting(person.id, cadence=cadence)
            out(f"no set date for {person.name}: the cadence decides"
                + (f" (every {every})" if every else ""))
            return
        if day is None:  # the cadence agreed, alone
            store.update_person(person.id, cadence=every)
            soon = next(iter(store.upcoming(today, person_id=person.id)), None)
            out(f"{person.name}: every {every}"
                + (f"; next meeting {_when(soon)}" if soon is not None else ""))
            return
        meeting = store.set_next_meeting(person.id, day, time=when[1] if len(when) > 1 else None,
                                         minutes=minutes, cadence=cadence)
    at = f" at {meeting.time}" if meeting.time else " (all day)"
    out(f"next meeting with {person.name}: {meeting.day.isoformat()}{at}"
        + (f", {meeting.minutes} min" if meeting.minutes else "")
        + (f", every {every}" if every else ""))


# ---------------------------------------------------------------------- calendar
@click.command("calendar")
@click.option("-o", "--output", default="-", metavar="FILE.ics", shell_complete=complete_path,
              help="Write to a new file (0600, never overwritten; in a folder, under a "
                   "dated name); '-' (default) is stdout.")
@click.option("--no-names", is_flag=True, help="Initials instead of names.")
@pass_env
def calendar(env: Env, output: str, no_names: bool) -> None:
    """Write the meetings to come as an iCalendar file: recurring ones with their cadence,
    each with a reminder. It holds names (see --no-names): it is recorded like an export."""
    from store import write_calendar

    refuse_existing(output)
    shown = io.BytesIO()
    with env.open_store() as store:
        output = in_folder(output, f"rapport-meetings-{env.today().isoformat()}.ics")
        record, count = write_calendar(store, output, names=not no_names, today=env.today(),
                                       stdout=shown)
    if output == "-":  # line by line, every control shown (a name can hold one): LF ends lines
        out(shown.getvalue().decode("utf-8").replace("\r\n", "\n"), nl=False)
    else:
        out(f"wrote {fmt.plural(count, 'meeting')} to {record.destination}"
            + ("" if no_names else "; it names people: keep it safe"), err=True)


# ---------------------------------------------------------------------- due
def _item_json(item: "Item", name: str, today: date) -> dict[str, Any]:
    return {"id": item.id, "person": name, "person_id": item.person_id, "text": item.text,
            "owner": item.owner, "due": _iso(item.due), "overdue": bool(item.due and item.due < today),
            "session_id": item.session_id}


@click.command("due")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def due(env: Env, as_json: bool) -> None:
    """Meetings due today or overdue, and action items due today or overdue (mine and theirs),
    one line each: for scripts and status bars (in a terminal, a long one breaks at spaces)."""
    today = env.today()
    with env.open_store() as store:
        meetings, items = store.due(today)
        names = {p.id: p.name for p in store.people()}
    if as_json:
        out_json("due", {"meetings": [_meeting_json(u) for u in meetings],
                         "items": [_item_json(i, names.get(i.person_id, "?"), today)
                                   for i in items]})
        return
    for u in meetings:
        out(f"meeting  {_when(u)}  {u.person.name}  ({u.state})")
    for i in items:
        whose = "mine" if i.owner == "me" else "theirs"
        late = "overdue" if i.due and i.due < today else "today"
        fmt.out_wrapped(f"item     {_iso(i.due)}  {names.get(i.person_id, '?')}  {whose}: "
                        f"{' '.join(i.text.split())}  ({late})", indent=9)
    if not meetings and not items:
        out("nothing due", err=True)


# ---------------------------------------------------------------------- goals
def _goal_json(goal: "Goal", name: str) -> dict[str, Any]:
    return {"id": goal.id, "person": name, "person_id": goal.item.person_id, "text": goal.text,
            "owner": goal.item.owner, "status": goal.status, "progress": goal.progress,
            "due": _iso(goal.item.due),
            "key_results": [{"id": k.id, "text": k.text, "progress": k.progress}
                            for k in goal.key_results],
            "checkins": [{"at": _iso(c.created_at), "status": c.status, "progress": c.progress,
                          "key_result_id": c.key_result, "note": c.note} for c in goal.checkins],
            "actions": [{"id": a.id, "text": a.text, "status": a.status} for a in goal.actions]}


@click.group("goals", invoke_without_command=True)
@click.option("--with", "person_name", metavar="NAME", help="Only this person's goals.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def goals(env: Env, person_name: str | None, as_json: bool) -> None:
    """Goals with their progress, key results and the history of their check-ins.

    With 'check-in': record where a goal stands (see 'rapport goals check-in -h').
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    with env.open_store() as store:
        person_id = store.find_person(person_name).id if person_name else None
        found = store.goals(person_id)
        names = {p.id: p.name for p in store.people()}
    if as_json:
        out_json("goals", [_goal_json(g, names.get(g.item.person_id, "?")) for g in found])
        return
    if not found:
        out("no goals", err=True)
        return
    for g in found:  # in a terminal, long lines break at spaces, under their text
        fmt.out_wrapped(f"{g.id[:8]}  {names.get(g.item.person_id, '?')}: {g.text}  "
                        f"[{g.status}, {g.progress}%]"
                        + (f"  due {_iso(g.item.due)}" if g.item.due else ""), indent=10)
        for k in g.key_results:
            fmt.out_wrapped(f"  key result {k.id[:8]}: {k.text}  ({k.progress}%)", indent=4)
        for a in g.actions:
            fmt.out_wrapped(f"  action: {a.text}  ({a.status})", indent=4)
        for c in g.checkins:
            what = [x for x in (c.status, f"{c.progress}%" if c.progress is not None else "")
                    if x]
            fmt.out_wrapped(f"  {fmt.day(c.created_at)}  {', '.join(what) or '-'}"
                            + (f"  {c.note}" if c.note else ""), indent=14)


@goals.command("check-in")
@click.argument("goal_ref", metavar="GOAL")
@click.option("--status", type=click.Choice(GOAL_STATUSES), help="Where it stands now.")
@click.option("--progress", type=click.IntRange(0, 100), metavar="0-100",
              help="How far along it is, in % (of the key result, with --key-result).")
@click.option("--key-result", "key_result_ref", metavar="ID",
              help="Check in on one of its key results (a goal with key results takes its "
                   "progress from them).")
@click.option("--note", default="", help="What moved, or why not.")
@pass_env
def check_in(env: Env, goal_ref: str, status: str | None, progress: int | None,
             key_result_ref: str | None, note: str) -> None:
    """Record where GOAL stands: a new status, a progress and/or a note, dated, kept in its
    history. GOAL is its id or a unique start of it (at least 4 characters; 'rapport goals'
    shows them)."""
    if key_result_ref is not None and (progress is None or status is not None):
        raise bad_usage("--key-result takes --progress (and --note), not --status")
    with env.open_store() as store:
        goal = by_id(store.goals(), goal_ref, "goal")
        if key_result_ref is None and progress is not None and goal.key_results:
            ids = ", ".join(k.id[:8] for k in goal.key_results)
            raise bad_usage(f"this goal's progress comes from its key results: give "
                            f"--key-result ID with --progress (its key results: {ids})")
        if key_result_ref is not None:
            result = by_id(goal.key_results, key_result_ref, "key result")
            store.update_key_result(result.id, progress=progress, note=note)
        else:
            store.check_in_goal(goal.id, status=status, progress=progress, note=note)
        goal = store.goal(goal.id)
    out(f"checked in: {goal.text}  [{goal.status}, {goal.progress}%]")


# ---------------------------------------------------------------------- feedback
@click.command("feedback")
@click.option("--with", "person_name", required=True, metavar="NAME",
              help="Whose feedback log to show.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def feedback(env: Env, person_name: str, as_json: bool) -> None:
    """The feedback log with NAME, oldest first: situation, behaviour, impact, their response
    and the agreed next step; praise or developmental, given or received."""
    with env.open_store() as store:
        person = store.find_person(person_name)
        entries = store.feedback(person.id)
        steps = {i.id: i for i in store.items(person_id=person.id)}
    if as_json:
        out_json("feedback", [{
            "id": f.id, "person": person.name, "date": fmt.day(f.created_at),
            "direction": f.direction, "kind": f.kind, "situation": f.situation,
            "behaviour": f.behaviour, "impact": f.impact, "response": f.response,
            "next_step": f.next_step, "item_id": f.item_id,
            "item_status": steps[f.item_id].status if f.item_id in steps else None,
            "session_id": f.session_id} for f in entries])
        return
    if not entries:
        out(f"no feedback logged with {person.name}", err=True)
        return
    for f in entries:
        out(f"{fmt.day(f.created_at)}  {f.kind}, {f.direction}")
        for label, value in (("situation", f.situation), ("behaviour", f.behaviour),
                             ("impact", f.impact), ("their response", f.response),
                             ("next step", f.next_step)):
            if value.strip():
                fmt.out_wrapped(f"  {label}: {' '.join(value.split())}", indent=4)
        if f.item_id in steps:
            fmt.out_wrapped(f"  action: {steps[f.item_id].text} ({steps[f.item_id].status})",
                            indent=4)


# ---------------------------------------------------------------------- restore
@click.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def restore(env: Env, backup: Path) -> None:
    """Put the backup BACKUP in the vault's place, once it unlocks (with its passphrase) and
    verifies. The vault it replaces is kept beside it (VAULT.before-restore, 0600) until the
    next successful unlock."""
    from store import restore_vault, utc_now

    if not backup.exists():
        raise fail(f"no backup at {backup}")
    passphrase = env.passphrase("Passphrase of the backup")
    kept = restore_vault(env.paths.vault, backup, passphrase, allow_weak=env.allow_weak,
                         clock=env.clock or utc_now)
    out(f"restored {env.paths.vault} from {backup}")
    if kept is not None:
        out(f"the vault it replaced is kept at {kept} until the next unlock", err=True)
    sys.stdout.flush()
