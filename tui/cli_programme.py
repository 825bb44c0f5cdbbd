"""``rapport programme new|list|show|close|reopen|...`` and ``rapport synthesis``: interview
programmes from the shell.

Plain text only, no Textual.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import click

from store import CONSENTS, ROSTER_STATUSES, ROSTER_TO_GO
from tui.cli import (bad_usage, complete_interview_guide_ids, complete_path, fail, in_folder,
                     pass_env, refuse_existing)
from tui.env import Env
from tui.format import day, out, out_document, out_json, plural, table

if TYPE_CHECKING:  # pragma: no cover
    from store import Programme
    from store import Store


@click.group("programme", context_settings={"help_option_names": ["-h", "--help"]})
def programme_group() -> None:
    """Leadership interview programmes: create, list, show, edit, close and delete them."""


def _find(store: "Store", ref: str) -> "Programme":
    from store import Ambiguous, NotFound

    if not ref.strip():
        raise fail("give a programme's name or id")
    try:
        return store.find_programme(ref)
    except Ambiguous:
        raise fail(f"{ref!r} matches several programmes; give more of the name or the id") from None
    except NotFound:
        raise fail(f"no programme called {ref!r} (see 'rapport programme list')") from None


def _interview_guide(env: Env, guide_id: str) -> str:
    """``guide_id`` when it is an interview guide (what the app's programme dialogs offer, for
    ``new`` and ``edit`` alike); else one line naming the ones that are, exit status 1."""
    from guides.loader import load_catalog

    catalog = load_catalog(env.paths.guides_dir)
    offered = [g.id for g in catalog.interviews]
    if guide_id in offered:
        return guide_id
    guide = catalog.get(guide_id)
    said = f"no interview guide with id {guide_id!r}" if guide is None else \
        f"{guide_id!r} is not an interview guide"
    raise fail(f"{said}; one of: " + ", ".join(offered))


@programme_group.command("new")
@click.argument("name")
@click.option("--purpose", default="", help="What the programme is for.")
@click.option("--guide", "guide_id", default="leadership-interview", show_default=True,
              metavar="ID", shell_complete=complete_interview_guide_ids,
              help="The interview guide its interviews use.")
@click.option("--theme", "themes", multiple=True, metavar="THEME",
              help="A theme to add to the default ones (repeatable).")
@pass_env
def new_programme(env: Env, name: str, purpose: str, guide_id: str, themes: tuple[str, ...]) -> None:
    """Create a programme called NAME."""
    from store import DEFAULT_THEMES

    name = name.strip()
    if not name:
        raise fail("a programme needs a name")
    _interview_guide(env, guide_id)
    extra = [" ".join(t.split()) for t in themes]
    if any(not t for t in extra):
        raise fail("a theme cannot be empty")
    with env.open_store() as store:  # a name taken is the store's one line
        programme = store.add_programme(name, purpose=purpose.strip(), guide_id=guide_id,
                                        themes=(*DEFAULT_THEMES, *extra))
    out(f"created programme {programme.name} ({programme.id[:8]}) with "
        f"{len(programme.themes)} themes")


@programme_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def list_programmes(env: Env, as_json: bool) -> None:
    """List programmes, running ones first, then closed ones: interviews held and passages
    tagged ('kept (3)': the raw notes are destroyed, the synthesis of 3 interviews is kept)."""
    from store import kept_synthesis

    with env.open_store() as store:
        rows = []
        for p in sorted(store.programmes(), key=lambda p: p.closed_at is not None):
            sessions = store.summaries(programme_id=p.id)
            kept = kept_synthesis(store, p.id)
            rows.append((p, len(sessions), len({s.person_id for s in sessions}),
                         len(store.tags(programme_id=p.id)), len(store.strategy_items(p.id)),
                         None if kept is None else kept["interviews"]["sessions"]))
    if as_json:
        out_json("programmes", [
            {"id": p.id, "name": p.name, "purpose": p.purpose, "guide_id": p.guide_id,
             "themes": list(p.themes), "interviews": n, "interviewees": people, "tags": tags,
             "strategy_items": items, "raw_notes_destroyed": kept is not None,
             "created_at": p.created_at.isoformat() if p.created_at else None,
             "closed_at": p.closed_at.isoformat() if p.closed_at else None}
            for p, n, people, tags, items, kept in rows])
        return
    if not rows:
        out("no programmes yet: rapport programme new NAME")
        return
    table(("ID", "NAME", "INTERVIEWS", "TAGS", "STRATEGY", "STATUS"),
          [(p.id[:8], p.name, str(n) if kept is None else f"kept ({kept})", str(tags),
            str(items), "running" if p.closed_at is None else f"closed {day(p.closed_at)}")
           for p, n, _, tags, items, kept in rows],
          right=(2, 3, 4), free=(1,))


@programme_group.command("show")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def show_programme(env: Env, ref: str) -> None:
    """Show a programme (name, unique name or id prefix, or id): interviews, themes, gaps."""
    from store import build_synthesis as build

    from store import kept_synthesis

    with env.open_store() as store:
        programme = _find(store, ref)
        syn = build(store, programme.id)
        sessions = sorted(store.summaries(programme_id=programme.id), key=lambda s: s.started_at)
        kept = kept_synthesis(store, programme.id)
    out(f"{programme.name}  [{programme.id}]")
    if programme.purpose:
        out(programme.purpose)
    if programme.closed_at is not None:
        out(f"closed {day(programme.closed_at)}: no new interviews "
            f"(rapport programme reopen {programme.id[:8]})")
    if kept is not None:
        held = plural(kept["interviews"]["sessions"], "interview")
        out(f"raw notes destroyed; the anonymised synthesis of {held} is kept: "
            f"rapport synthesis {programme.id[:8]}")
    out(f"guide: {programme.guide_id}")
    out(f"themes: {', '.join(programme.themes)}")
    out()
    out(f"interviews ({len(sessions)}):")
    for s in sessions:
        state = "ended" if s.ended_at else "active"
        out(f"  {s.started_at.astimezone():%Y-%m-%d}  {s.person_name}  ({state}, {s.id[:8]})")
    out()
    out(f"tagged passages ({len(syn.passages)}):")
    for theme, counts in syn.matrix():
        if sum(counts):
            people = sum(1 for c in counts if c)
            out(f"  {theme}: {sum(counts)} from {people} interviewee"
                + ("" if people == 1 else "s"))
    gaps = syn.gaps
    out()
    out(f"gaps ({len(gaps)}):")
    for area in gaps:
        out(f"  {area.label}: {len(area.current)} current, {len(area.future)} future")
    out()
    out(f"strategy items ({len(syn.strategy)}):")
    for item in syn.strategy:
        out(f"  - {item.text}")
    leaders = syn.subjects
    if leaders:
        out()
        out("leaders with passages: " + ", ".join(p.name for p in leaders))


@programme_group.command("edit")
@click.argument("ref", metavar="PROGRAMME")
@click.option("--name", help="Its new name.")
@click.option("--purpose", help="Its new purpose ('' clears it).")
@click.option("--guide", "guide_id", metavar="ID", shell_complete=complete_interview_guide_ids,
              help="The interview guide its interviews use; only while none has started.")
@pass_env
def edit_programme(env: Env, ref: str, name: str | None, purpose: str | None,
                   guide_id: str | None) -> None:
    """Rename PROGRAMME, change its purpose or, while none of its interviews has started, its
    guide (as 'e' on the app's programmes list does; its themes stay)."""
    from store import RapportError

    if name is None and purpose is None and guide_id is None:
        raise bad_usage("give --name, --purpose or --guide")
    if name is not None and not name.strip():
        raise fail("a programme needs a name")
    changes = {k: v.strip() for k, v in (("name", name), ("purpose", purpose)) if v is not None}
    with env.open_store() as store:
        programme = _find(store, ref)
        if guide_id is not None and guide_id != programme.guide_id:
            changes["guide_id"] = _interview_guide(env, guide_id)
        try:
            saved = store.update_programme(programme.id, **changes)
        except RapportError as exc:
            raise fail(f"{programme.name!r}: {exc}; nothing was changed") from None
    out(f"saved the programme {saved.name}"
        + (f" (was {programme.name})" if saved.name != programme.name else ""))


@programme_group.command("close")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def close(env: Env, ref: str) -> None:
    """Close PROGRAMME when its round of interviews is over: listed as closed, still shown,
    exported and deleted as before; no new interview starts in it until it is reopened."""
    name = _closing(env, ref, closed=True)
    out(f"closed the programme {name}: no new interviews in it")


@programme_group.command("reopen")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def reopen(env: Env, ref: str) -> None:
    """Reopen a closed PROGRAMME: interviews can start in it again."""
    out(f"reopened the programme {_closing(env, ref, closed=False)}")


def _closing(env: Env, ref: str, *, closed: bool) -> str:
    """Closes (or reopens) the programme ``ref``; its name. Already so: one line, status 1."""
    from store import RapportError

    with env.open_store() as store:
        programme = _find(store, ref)
        try:
            (store.close_programme if closed else store.reopen_programme)(programme.id)
        except RapportError as exc:
            raise fail(str(exc)) from None
    return programme.name


@programme_group.group("roster")
def roster() -> None:
    """A programme's roster: who is to be interviewed, their status and consent."""


@roster.command("show")
@click.argument("ref", metavar="PROGRAMME")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def roster_show(env: Env, ref: str, as_json: bool) -> None:
    """Who is on PROGRAMME's roster: status (planned, scheduled, done, declined) and consent."""
    with env.open_store() as store:
        programme = _find(store, ref)
        places = store.roster(programme.id)
        names = {p.id: p.name for p in store.people()}
        interviewed = {s.person_id for s in store.summaries(programme_id=programme.id)}
    if as_json:
        out_json("roster", [{"person": names.get(r.person_id, "?"), "person_id": r.person_id,
                             "status": r.status, "consent": r.consent,
                             "consent_at": r.consent_at.isoformat() if r.consent_at else None,
                             "session_id": r.session_id, "note": r.note} for r in places])
        return
    if not places:
        out(f"nobody on the roster of {programme.name} yet: rapport programme roster add "
            "PROGRAMME NAME", err=True)
        return
    table(("PERSON", "STATUS", "CONSENT", "NOTE"),
          [(names.get(r.person_id, "?"), r.status, r.consent or "-", r.note) for r in places],
          free=(0, 3))
    # as the app counts them: planned or scheduled, and not interviewed in it yet
    to_go = sum(1 for r in places if r.status in ROSTER_TO_GO and r.person_id not in interviewed)
    out(f"closed: {to_go} never interviewed" if programme.closed_at is not None
        else f"{to_go} still to go", err=True)


@roster.command("add")
@click.argument("ref", metavar="PROGRAMME")
@click.argument("name")
@click.option("--status", type=click.Choice(ROSTER_STATUSES), default="planned",
              show_default=True)
@click.option("--note", default="", help="A note about their place (kept encrypted).")
@pass_env
def roster_add(env: Env, ref: str, name: str, status: str, note: str) -> None:
    """Put NAME (added to the people if new) on PROGRAMME's roster (not a closed one's)."""
    if not name.strip():
        raise fail("give a name")
    with env.open_store() as store:
        programme = _find(store, ref)
        if programme.closed_at is not None:  # before anyone new is added to the people
            raise fail(f"the programme {programme.name!r} is closed: nobody new goes on its "
                       f"roster (rapport programme reopen {programme.id[:8]} first)")
        person = store.get_or_add_person(name)
        store.add_to_roster(programme.id, person.id, status=status, note=note)
    out(f"{person.name} is on the roster of {programme.name} ({status})")


@roster.command("set")
@click.argument("ref", metavar="PROGRAMME")
@click.argument("name")
@click.option("--status", type=click.Choice(ROSTER_STATUSES))
@click.option("--consent", type=click.Choice([*CONSENTS, "none"]),
              help="Their consent, recorded now (at their latest interview, if any).")
@click.option("--note", help="Replace the note.")
@pass_env
def roster_set(env: Env, ref: str, name: str, status: str | None, consent: str | None,
               note: str | None) -> None:
    """Change NAME's status, consent or note on PROGRAMME's roster (closed: how it went, never
    planned or scheduled anew)."""
    if status is None and consent is None and note is None:
        raise fail("give --status, --consent or --note")
    with env.open_store() as store:
        programme = _find(store, ref)
        person = store.find_person(name)
        changes = {k: v for k, v in (("status", status), ("note", note)) if v is not None}
        if changes:
            store.update_roster(programme.id, person.id, **changes)
        if consent is not None:
            interviews = store.sessions(person_id=person.id, programme_id=programme.id)
            store.record_consent(programme.id, person.id, None if consent == "none" else consent,
                                 session_id=interviews[0].id if interviews else None)
    out(f"{person.name}: roster of {programme.name} updated")


@roster.command("remove")
@click.argument("ref", metavar="PROGRAMME")
@click.argument("name")
@pass_env
def roster_remove(env: Env, ref: str, name: str) -> None:
    """Take NAME off PROGRAMME's roster (their interviews stay)."""
    with env.open_store() as store:
        programme = _find(store, ref)
        person = store.find_person(name)
        store.remove_from_roster(programme.id, person.id)
    out(f"{person.name} is off the roster of {programme.name}")


@programme_group.command("retain")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def retain(env: Env, ref: str) -> None:
    """Destroy PROGRAMME's raw interview notes and passages, keeping its anonymised synthesis
    (sealed) once a synthesis has been exported. Says what goes, then asks you to type the
    programme's name (on standard input)."""
    from store import destroy_raw, retention_plan

    with env.open_store() as store:
        programme = _find(store, ref)
        plan = retention_plan(store, programme.id)
        if not plan.goes:
            raise fail(f"no interview notes of {programme.name!r} left to destroy; nothing was "
                       "changed")
        if not plan.exported:
            raise fail(f"export the synthesis of {programme.name!r} first (rapport synthesis); "
                       "nothing was deleted")
        out(plan.describe(), err=True)
        _confirm_name(programme)
        destroy_raw(store, programme.id)
    out(f"destroyed the raw notes of {programme.name}; its synthesis is kept in the vault")


def _confirm_name(programme: "Programme") -> None:
    """Asks for the programme's name to be typed (on standard input); anything else: one line,
    exit status 1, nothing deleted."""
    import sys

    if sys.stdin.isatty():
        out("Type the programme's name to go ahead (anything else keeps everything):", err=True)
    if " ".join(sys.stdin.readline(4096).split()) != programme.name:
        raise fail(f"the name typed is not {programme.name!r}; nothing was deleted")


@programme_group.command("delete")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def delete(env: Env, ref: str) -> None:
    """Delete PROGRAMME when its 360 is over, with its interviews, passages, roster, strategy
    items and kept synthesis; the people stay. Refused until its synthesis has been exported
    (an empty programme goes at once). Says what goes, then asks you to type the programme's
    name (on standard input)."""
    from tui.format import records

    with env.open_store() as store:
        programme = _find(store, ref)
        goes = store.about_programme(programme.id)
        if goes.keys() & {"sessions", "strategy"} and not store.synthesis_exported(programme.id):
            raise fail(f"export the synthesis of {programme.name!r} first (rapport synthesis); "
                       "nothing was deleted")
        parts = records(goes, leave_out="programmes")
        out(f"deletes the programme {programme.name!r}" + (f" with {parts}" if parts else "")
            + "; the people stay. It cannot be undone.", err=True)
        _confirm_name(programme)
        store.delete_programme(programme.id)
    out(f"deleted the programme {programme.name}")


@click.command("synthesis")
@click.argument("ref", metavar="PROGRAMME")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md",
              show_default=True, help="Markdown, HTML or JSON (see docs/programmes.md).")
@click.option("--leader", metavar="NAME", help="A per-leader report on NAME instead.")
@click.option("-o", "--output", default="-", metavar="PATH", shell_complete=complete_path,
              help="Write to a new file (0600, never overwritten; in a folder, under the "
                   "suggested name); '-' (default) is stdout.")
@click.option("--min-interviewees", type=click.IntRange(min=2), default=3, show_default=True,
              help="Show a theme only where at least this many interviewees said something.")
@click.option("--named", is_flag=True,
              help="Facilitator's own record: names interviewees, shows private passages and "
                   "every theme. Never share it.")
@pass_env
def synthesis(env: Env, ref: str, fmt: str, leader: str | None, output: str,
              min_interviewees: int, named: bool) -> None:
    """Write the synthesis of PROGRAMME (or a per-leader report), anonymised by default.
    Once its raw notes are destroyed ('rapport programme retain'): the synthesis kept then."""
    from store import Ambiguous, NotFound
    from store import (build_synthesis as build, leader_report, programme_report,
                       report_filename, write_report)

    from store import kept_synthesis

    refuse_existing(output)
    with env.open_store() as store:
        programme = _find(store, ref)
        kept = kept_synthesis(store, programme.id)
        syn = build(store, programme.id)
        if kept is not None:  # the raw notes are gone: the synthesis kept then is all there is
            if leader is not None or named:
                raise fail(f"the raw notes of {programme.name!r} were destroyed; only its "
                           "anonymised programme synthesis is kept (no --leader, no --named)")
            if kept["min_interviewees"] != min_interviewees:
                raise fail(f"the synthesis of {programme.name!r} was kept with "
                           f"--min-interviewees {kept['min_interviewees']}; its raw notes are "
                           "destroyed, so it cannot be redone")
            doc = kept
        elif leader is not None:
            try:
                person = store.find_person(leader)
            except (NotFound, Ambiguous) as exc:
                raise fail(str(exc)) from None
            if person.id not in {p.id for p in syn.subjects}:
                raise fail(f"no tagged passages about {person.name} in {programme.name!r}")
            doc = leader_report(syn, person.id, named=named, min_interviewees=min_interviewees)
        else:
            doc = programme_report(syn, named=named, min_interviewees=min_interviewees)
        output = in_folder(output, report_filename(doc, fmt))
        shown = io.BytesIO()  # what goes to standard output: shown once the export is recorded
        record = write_report(store, output, doc, fmt, stdout=shown)
    if kept is not None:
        out(f"the synthesis kept when the raw notes of {programme.name} were destroyed",
            err=True)
    if output == "-":
        out_document(shown.getvalue(), fmt)
    else:
        how = "NAMED, with private passages" if named else "anonymised"
        out(f"wrote {record.destination} ({how}, {plural(record.count, 'passage')}); "
            "it is plaintext: keep it safe", err=True)
