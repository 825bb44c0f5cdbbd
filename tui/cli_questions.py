"""``rapport questions [add | edit | remove]``: your question bank, your own questions for a
guide's stage, shown beside the guide's in a session (issue 22)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tui.cli import by_id, complete_guide_ids, fail, pass_env
from tui.env import Env
from tui.format import out, out_json, table

if TYPE_CHECKING:  # pragma: no cover
    from guides import Catalog
    from store import Question


def _catalog(env: Env) -> "Catalog":
    from guides.loader import load_catalog

    return load_catalog(env.paths.guides_dir)


def _order(catalog: "Catalog") -> dict[tuple[str, str], tuple[int, int]]:
    """(guide id, stage key) -> where it comes: guides as 'rapport guides list' shows them, each
    one's stages in their order."""
    return {(g.id, s.key): (i, j) for i, g in enumerate(catalog.guides)
            for j, s in enumerate(g.stages)}


def _json(q: "Question") -> dict[str, Any]:
    return {"id": q.id, "guide_id": q.guide_id, "stage": q.stage, "text": q.text,
            "created_at": q.created_at.isoformat() if q.created_at else None,
            "updated_at": q.updated_at.isoformat() if q.updated_at else None}


@click.group("questions", invoke_without_command=True)
@click.option("--guide", "guide_id", metavar="ID", shell_complete=complete_guide_ids,
              help="Only this guide's questions.")
@click.option("--stage", metavar="KEY", help="Only the questions for stages with this key.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@pass_env
def questions(env: Env, guide_id: str | None, stage: str | None, as_json: bool) -> None:
    """Your question bank: your own questions for a guide's stages, offered beside the guide's
    in a session. Listed by guide and stage, in the guide's order.

    With a subcommand: add, edit or remove one (see 'rapport questions COMMAND -h').
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    with env.open_store() as store:
        found = store.questions(guide_id, stage)
    order = _order(_catalog(env))
    last = (len(order), 0)
    found.sort(key=lambda q: (order.get((q.guide_id, q.stage), last), q.guide_id, q.stage))
    if as_json:
        out_json("questions", [_json(q) for q in found])
        return
    if not found:
        out("no questions of your own yet: rapport questions add --guide ID --stage KEY TEXT",
            err=True)
        return
    table(("ID", "GUIDE", "STAGE", "QUESTION"),
          [(q.id[:8], q.guide_id, q.stage, q.text) for q in found], free=(3,))


@questions.command("add")
@click.option("--guide", "guide_id", required=True, metavar="ID",
              shell_complete=complete_guide_ids, help="The guide it is for ('rapport guides list').")
@click.option("--stage", "stage_ref", required=True, metavar="STAGE",
              help="The stage it is for: its number or title in 'rapport guides show ID', or "
                   "its key.")
@click.argument("text", nargs=-1, required=True)
@pass_env
def add(env: Env, guide_id: str, stage_ref: str, text: tuple[str, ...]) -> None:
    """Add a question of your own to a guide's stage."""
    guide = _catalog(env).get(guide_id)
    if guide is None:
        raise fail(f"no guide with id {guide_id!r} (see 'rapport guides list')")
    wanted = " ".join(stage_ref.split()).casefold()
    stage = next((s.key for number, s in enumerate(guide.stages, 1)
                  if wanted in (s.key.casefold(), s.title.casefold(), str(number))), None)
    if stage is None:
        stages = ", ".join(f"{n}. {s.title} ({s.key})" for n, s in enumerate(guide.stages, 1))
        raise fail(f"{guide_id} has no stage {stage_ref!r} (its stages: {stages})")
    with env.open_store() as store:
        question = store.add_question(guide_id, stage, " ".join(text))
    out(f"question {question.id[:8]} added to {guide_id}, stage {stage}")


@questions.command("edit")
@click.argument("question_ref", metavar="ID")
@click.argument("text", nargs=-1, required=True)
@pass_env
def edit(env: Env, question_ref: str, text: tuple[str, ...]) -> None:
    """Change the text of question ID (its id or a unique start of it, at least 4 characters:
    'rapport questions' shows them)."""
    with env.open_store() as store:
        question = by_id(store.questions(), question_ref, "question")
        store.update_question(question.id, " ".join(text))
    out(f"question {question.id[:8]} changed")


@questions.command("remove")
@click.argument("question_ref", metavar="ID")
@pass_env
def remove(env: Env, question_ref: str) -> None:
    """Remove question ID from your bank (its id or a unique start of it)."""
    with env.open_store() as store:
        question = by_id(store.questions(), question_ref, "question")
        store.delete_question(question.id)
    out(f"question {question.id[:8]} removed")
