"""``rapport people add | rename | merge | erase``: people from the command line (the bare
``rapport people`` lists them: :func:`tui.cli_browse.people`)."""

from __future__ import annotations

import sys

import click

from store import CADENCES
from tui.cli import complete_guide_ids, fail, pass_env
from tui.cli_browse import people
from tui.env import Env
from tui.format import out, records

CADENCE_CHOICES = tuple(CADENCES)


def _check_guide(env: Env, guide_id: str | None) -> None:
    if guide_id is None:
        return
    from guides.loader import load_catalog

    if load_catalog(env.paths.guides_dir).get(guide_id) is None:
        raise fail(f"no guide with id {guide_id!r} (see 'rapport guides list')")


@people.command("add")
@click.argument("name")
@click.option("--cadence", type=click.Choice(CADENCE_CHOICES),
              help="How often you meet (the next meeting is computed from it).")
@click.option("--guide", "guide_id", metavar="ID", shell_complete=complete_guide_ids,
              help="The guide a new session with them starts from ('rapport new --with NAME').")
@pass_env
def add(env: Env, name: str, cadence: str | None, guide_id: str | None) -> None:
    """Add someone you will meet."""
    name = " ".join(name.split())
    if not name:
        raise fail("a person needs a name")
    _check_guide(env, guide_id)
    with env.open_store() as store:
        if any(p.name.casefold() == name.casefold() for p in store.people()):
            raise fail(f"there is already someone called {name!r} (see 'rapport people')")
        person = store.add_person(name, cadence=cadence, guide_id=guide_id)
    extra = [f"cadence {cadence}"] if cadence else []
    extra += [f"guide {guide_id}"] if guide_id else []
    out(f"added {person.name}" + (f" ({', '.join(extra)})" if extra else ""))


@people.command("rename")
@click.argument("old")
@click.argument("new")
@pass_env
def rename(env: Env, old: str, new: str) -> None:
    """Rename OLD (a name or a unique start of one) to NEW."""
    new = " ".join(new.split())
    if not new:
        raise fail("a person needs a name")
    with env.open_store() as store:
        person = store.find_person(old)
        if any(p.name.casefold() == new.casefold() and p.id != person.id
               for p in store.people()):
            raise fail(f"there is already someone called {new!r}; to make them one, use "
                       "'rapport people merge'")
        renamed = store.update_person(person.id, name=new)
    out(f"renamed {person.name} to {renamed.name}")


@people.command("merge")
@click.argument("duplicate")
@click.argument("person")
@pass_env
def merge(env: Env, duplicate: str, person: str) -> None:
    """Make DUPLICATE and PERSON one: DUPLICATE's sessions, items, jots and every other record
    move to PERSON, and DUPLICATE goes (a typo made two)."""
    with env.open_store() as store:
        gone, kept = store.find_person(duplicate), store.find_person(person)
        if gone.id == kept.id:
            raise fail("those are the same person")
        store.merge_people(gone.id, kept.id)
    out(f"merged {gone.name} into {kept.name}")


@people.command("erase")
@click.argument("name")
@pass_env
def erase(env: Env, name: str) -> None:
    """Delete NAME and everything about them, for good: their sessions, notes, items, jots,
    talking points, pulses, feedback, goals' history, roster places, passages tagged as about
    them, and the search index; then the file's free pages are wiped.

    Shows what goes, then asks you to type their name (on standard input: scripts pipe it,
    e.g. echo "Sam Rivera" | rapport people erase "Sam Rivera"). There is no --yes: erasing
    the wrong person cannot be undone.
    """
    with env.open_store() as store:
        person = store.find_person(name)
        about = store.about(person.id)
        parts = records(about, leave_out="people")
        out(f"erasing {person.name} deletes: {parts or 'no other records'}", err=True)
        if sys.stdin.isatty():
            out("Type their name to erase them (anything else keeps them):", err=True)
        typed = sys.stdin.readline(4096)
        if " ".join(typed.split()) != person.name:
            raise fail(f"the name typed is not {person.name!r}; nothing was erased")
        store.erase_person(person.id)
    out(f"erased {person.name} and {sum(about.values()) - 1} records about them")
