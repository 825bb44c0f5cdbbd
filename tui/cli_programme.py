"""``rapport programme new|list|show`` and ``rapport synthesis``: interview programmes from the shell.

Plain text only, no Textual.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui.cli import complete_guide_ids, complete_path, fail, pass_env
from tui.env import Env
from tui.format import out, out_document, out_json, table

if TYPE_CHECKING:  # pragma: no cover
    from store import Programme
    from store import Store


@click.group("programme", context_settings={"help_option_names": ["-h", "--help"]})
def programme_group() -> None:
    """Leadership interview programmes: create, list and show them."""


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


@programme_group.command("new")
@click.argument("name")
@click.option("--purpose", default="", help="What the programme is for.")
@click.option("--guide", "guide_id", default="leadership-interview", show_default=True,
              metavar="ID", shell_complete=complete_guide_ids,
              help="Guide its interviews use (see 'rapport guides list').")
@click.option("--theme", "themes", multiple=True, metavar="THEME",
              help="A theme to add to the default ones (repeatable).")
@pass_env
def new_programme(env: Env, name: str, purpose: str, guide_id: str, themes: tuple[str, ...]) -> None:
    """Create a programme called NAME."""
    from guides.loader import load_catalog
    from store import DEFAULT_THEMES

    name = name.strip()
    if not name:
        raise fail("a programme needs a name")
    if load_catalog(env.paths.guides_dir).get(guide_id) is None:
        raise fail(f"no guide with id {guide_id!r} (see 'rapport guides list')")
    extra = [" ".join(t.split()) for t in themes]
    if any(not t for t in extra):
        raise fail("a theme cannot be empty")
    with env.open_store() as store:
        if any(p.name.casefold() == name.casefold() for p in store.programmes()):
            raise fail(f"there is already a programme called {name!r}")
        programme = store.add_programme(name, purpose=purpose.strip(), guide_id=guide_id,
                                        themes=(*DEFAULT_THEMES, *extra))
    out(f"created programme {programme.name} ({programme.id[:8]}) with "
        f"{len(programme.themes)} themes")


@programme_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def list_programmes(env: Env, as_json: bool) -> None:
    """List programmes: interviews held and passages tagged."""
    with env.open_store() as store:
        rows = []
        for p in store.programmes():
            sessions = store.summaries(programme_id=p.id)
            rows.append((p, len(sessions), len({s.person_id for s in sessions}),
                         len(store.tags(programme_id=p.id)), len(store.strategy_items(p.id))))
    if as_json:
        out_json("programmes", [
            {"id": p.id, "name": p.name, "purpose": p.purpose, "guide_id": p.guide_id,
             "themes": list(p.themes), "interviews": n, "interviewees": people, "tags": tags,
             "strategy_items": items,
             "created_at": p.created_at.isoformat() if p.created_at else None}
            for p, n, people, tags, items in rows])
        return
    if not rows:
        out("no programmes yet: rapport programme new NAME")
        return
    table(("ID", "NAME", "INTERVIEWS", "TAGS", "STRATEGY"),
          [(p.id[:8], p.name, str(n), str(tags), str(items)) for p, n, _, tags, items in rows],
          right=(2, 3, 4))


@programme_group.command("show")
@click.argument("ref", metavar="PROGRAMME")
@pass_env
def show_programme(env: Env, ref: str) -> None:
    """Show a programme (name, unique name or id prefix, or id): interviews, themes, gaps."""
    from store import build_synthesis as build

    with env.open_store() as store:
        programme = _find(store, ref)
        syn = build(store, programme.id)
        sessions = sorted(store.summaries(programme_id=programme.id), key=lambda s: s.started_at)
    out(f"{programme.name}  [{programme.id}]")
    if programme.purpose:
        out(programme.purpose)
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


@click.command("synthesis")
@click.argument("ref", metavar="PROGRAMME")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md",
              show_default=True, help="Markdown, HTML or JSON (see docs/programmes.md).")
@click.option("--leader", metavar="NAME", help="A per-leader report on NAME instead.")
@click.option("-o", "--output", default="-", metavar="PATH", shell_complete=complete_path,
              help="Write to a new file (0600, never overwritten); '-' (default) is stdout.")
@click.option("--min-interviewees", type=click.IntRange(min=2), default=3, show_default=True,
              help="Show a theme only where at least this many interviewees said something.")
@click.option("--named", is_flag=True,
              help="Facilitator's own record: names interviewees, shows private passages and "
                   "every theme. Never share it.")
@pass_env
def synthesis(env: Env, ref: str, fmt: str, leader: str | None, output: str,
              min_interviewees: int, named: bool) -> None:
    """Write the synthesis of PROGRAMME (or a per-leader report), anonymised by default."""
    from store import Ambiguous, NotFound
    from store import build_synthesis as build, leader_report, programme_report, write_report

    if output != "-" and Path(output).expanduser().exists():
        raise fail(f"{output} already exists; not overwriting it")
    with env.open_store() as store:
        programme = _find(store, ref)
        syn = build(store, programme.id)
        if leader is not None:
            try:
                person = store.find_person(leader)
            except (NotFound, Ambiguous) as exc:
                raise fail(str(exc)) from None
            if person.id not in {p.id for p in syn.subjects}:
                raise fail(f"no tagged passages about {person.name} in {programme.name!r}")
            doc = leader_report(syn, person.id, named=named, min_interviewees=min_interviewees)
        else:
            doc = programme_report(syn, named=named, min_interviewees=min_interviewees)
        shown = io.BytesIO()  # what goes to standard output: shown once the export is recorded
        record = write_report(store, output, doc, fmt, stdout=shown)
    if output == "-":
        out_document(shown.getvalue(), fmt)
    else:
        how = "NAMED, with private passages" if named else "anonymised"
        out(f"wrote {record.destination} ({how}, {record.count} passages); "
            "it is plaintext: keep it safe", err=True)
