"""``rapport guides``: list, show, validate and create conversation guides.

Plain text only (:func:`tui.format.out`), so it is quick to start and easy to pipe.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui.cli import complete_guide_ids, fail
from tui.env import Env
from tui.format import out, plural, table

if TYPE_CHECKING:
    from guides.loader import Report


def _guides_dir() -> Path:
    env = click.get_current_context().find_object(Env)
    return (env or Env()).paths.guides_dir


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


@click.group("guides", context_settings={"help_option_names": ["-h", "--help"]})
def guides_group() -> None:
    """List, show, validate and create conversation guides."""


@guides_group.command("list")
def list_guides() -> None:
    """List every guide on offer, then any of your guide files that are broken."""
    from guides.loader import load_catalog

    catalog = load_catalog(_guides_dir())
    rows = [
        (g.id, g.name, g.kind, f"{g.planned_minutes} min", str(len(g.stages)),
         "built-in" if g.is_builtin else Path(g.origin).name)
        for g in catalog.guides
    ]
    table(("ID", "NAME", "KIND", "PLANNED", "STAGES", "FROM"), rows, right=(3, 4), free=(1,))
    for path, reason in catalog.broken:
        out(f"broken: {path}: {reason}")


@guides_group.command("show")
@click.argument("guide_id", metavar="ID", shell_complete=complete_guide_ids)
def show_guide(guide_id: str) -> None:
    """Show a guide's stages: minutes, purpose, cues, phrases and questions."""
    from guides.loader import load_catalog

    catalog = load_catalog(_guides_dir())
    guide = catalog.get(guide_id)
    if guide is None:
        known = ", ".join(catalog.ids)
        raise fail(f"no guide with id {guide_id!r} (known: {known})")
    width = _width()

    def para(text: str, indent: str = "", first: str | None = None) -> None:
        out(textwrap.fill(" ".join(text.split()), width=width, initial_indent=first or indent,
                          subsequent_indent=indent))

    origin = "built-in" if guide.is_builtin else guide.origin
    out(f"{guide.name}  [{guide.id}]")
    out(f"{guide.kind}, {guide.planned_minutes} min planned, {len(guide.stages)} stages, "
        f"version {guide.version}, {origin}")
    out()
    para(guide.description)
    for label, items, quote in (("Throughout, do", guide.cues, ""), ("Throughout, avoid", guide.avoid, ""),
                                ("Throughout, say", guide.phrases, '"')):
        if items:
            out("")
            out(f"{label}:")
            for item in items:
                para(f"{quote}{item}{quote}", "    ", "  - ")
    for number, stage in enumerate(guide.stages, 1):
        out()
        flags = []
        if stage.optional:
            flags.append("optional")
        if stage.private:
            flags.append("private notes")
        if stage.followup:
            flags.append("reviews earlier items")
        if stage.theme:
            flags.append(f"theme: {stage.theme}")
        if stage.source:
            flags.append("from " + ", ".join(stage.source))
        extra = f"  ({'; '.join(flags)})" if flags else ""
        out(f"{number}. {stage.title} - {stage.minutes} min{extra}")
        para(stage.purpose, "   ")
        sections = (
            ("Do", stage.cues, ""),
            ("Avoid", stage.avoid, ""),
            ("Say", stage.phrases, '"'),
            ("Ask", tuple(("[core] " if q.core else "") + q.text
                          + (" (closed, on purpose)" if q.deliberate else "")
                          for q in sorted(stage.questions, key=lambda q: not q.core)), ""),
            ("Note prompts", stage.prompts, ""),
        )
        for label, items, quote in sections:
            if not items:
                continue
            out(f"   {label}:")
            for item in items:
                para(f"{quote}{item}{quote}", "       ", "     - ")
        if stage.item_kinds:
            out(f"   Items: {', '.join(stage.item_kinds)}")


@guides_group.command("validate")
@click.option("--strict", is_flag=True,
              help="Count the question lint's warnings as problems (exit 1 on any).")
@click.argument("targets", nargs=-1, required=True, metavar="PATH|ID...")
def validate_guide(targets: tuple[str, ...], strict: bool) -> None:
    """Check guide files, or guides by id, and lint their questions.

    Prints every problem as PATH:WHERE: MESSAGE and every lint warning (closed, "why",
    double-barrelled or leading questions, near-duplicates, too many or no core questions) as
    PATH:WHERE: warning: MESSAGE. Exit 1 if any guide has problems, or warnings with --strict.
    """
    failed: list[tuple[str, int]] = []
    for target in targets:
        label, report = _report(target)
        for problem in report.problems:
            out(f"{label}:{problem.where}: {problem.message}")
        for warning in report.warnings:
            out(f"{label}:{warning.where}: warning: {warning.message}")
        count = len(report.problems) + (len(report.warnings) if strict else 0)
        if count:
            failed.append((label, count))
        if report.guide is not None:
            g = report.guide
            noted = f"; {plural(len(report.warnings), 'warning')}" if report.warnings else ""
            verdict = "not ok" if count else "ok"
            out(f"{label}: {verdict} ({g.id!r}, {len(g.stages)} stages, "
                       f"{g.planned_minutes} min{noted})")
    if len(failed) == 1 and len(targets) == 1:
        label, count = failed[0]
        raise fail(f"{label} has {plural(count, 'problem')}"
                   + (" (warnings count with --strict)" if strict and count else ""))
    if failed:
        raise fail(f"{len(failed)} of {len(targets)} guides have problems"
                   + (" (warnings count with --strict)" if strict else ""))


def _report(target: str) -> tuple[str, "Report"]:
    """What to call ``target`` in the output, and its report: a file, or a guide id."""
    from guides.loader import GuideError, Problem, Report, builtin_source, check_file, check_guide, load_catalog

    path = Path(target)
    if os.sep in target or target.endswith(".toml") or path.exists():
        return target, check_file(path)
    guide = load_catalog(_guides_dir()).get(target)
    own = _guides_dir() / f"{target}.toml"
    if guide is None and own.is_file():  # a file of yours too broken to load, as 'list' says
        return str(own), check_file(own)
    if guide is None:
        return target, Report(target, None, (Problem("file", "no such file, and no guide with this id "
                                                     "(see 'rapport guides list')"),))
    if not guide.is_builtin:
        return guide.origin, check_file(guide.origin)
    label = f"guides/builtin/{target}.toml"
    try:
        return label, check_guide(builtin_source(target), source=label)
    except (OSError, GuideError) as exc:  # pragma: no cover - the package is damaged
        return label, Report(label, None, (Problem("file", str(exc)),))


@guides_group.command("new")
@click.argument("guide_id", metavar="ID")
@click.option("--from", "copy_from", metavar="GUIDE", shell_complete=complete_guide_ids,
              help="Start from a copy of an existing guide instead of the blank template.")
def new_guide(guide_id: str, copy_from: str | None) -> None:
    """Write a commented template to <guides folder>/ID.toml for you to edit.

    Use a built-in guide's id (see 'rapport guides list') to replace it.
    Never overwrites an existing file.
    """
    from guides.loader import BUILTIN_IDS, is_slug, template
    from store import FileExists, ensure_dir, write_new_file

    if not is_slug(guide_id):
        raise fail(f"{guide_id!r} is not a valid guide id: use lowercase letters and digits joined "
                   "by '-' or '_' (e.g. 'team-retro')")
    folder = _guides_dir()
    text = template(guide_id) if copy_from is None else _copy_text(copy_from, guide_id, folder)
    target = folder / f"{guide_id}.toml"
    try:
        ensure_dir(folder)  # 0700, its missing parents too
        write_new_file(target, text.encode("utf-8"))  # 0600, never over a file
    except FileExists:
        raise fail(f"{target} already exists; edit it, or pick another id") from None
    except OSError as exc:
        raise fail(f"could not create {target}: {exc.strerror or exc}") from None
    out(f"wrote {target}")
    if guide_id in BUILTIN_IDS:
        out(f"it replaces the built-in {guide_id!r} guide until you delete it")
    out(f"edit it, then check it with: rapport guides validate {target}")


def _copy_text(source_id: str, guide_id: str, folder: Path) -> str:
    """The TOML text of guide ``source_id`` with its id changed to ``guide_id``."""
    import re
    from importlib import resources

    from guides.loader import GuideError, load_catalog, parse_guide, read_guide_file

    guide = load_catalog(folder).get(source_id)
    if guide is None:
        raise fail(f"no guide with id {source_id!r} to copy from")
    try:
        if guide.is_builtin:
            path = resources.files("guides") / "builtin" / f"{source_id}.toml"
            text = path.read_text(encoding="utf-8")
        else:  # read as the catalog read it: a FIFO swapped in meanwhile is refused, not awaited
            text = read_guide_file(guide.origin).decode("utf-8")
    except OSError as exc:
        raise fail(f"could not read guide {source_id!r}: {exc.strerror or exc}") from None
    except (GuideError, UnicodeDecodeError) as exc:
        raise fail(f"could not read guide {source_id!r}: {exc}") from None
    text, count = re.subn(r'^id\s*=\s*"[^"\n]*"', f'id = "{guide_id}"', text, count=1, flags=re.M)
    try:
        if count != 1 or parse_guide(text).id != guide_id:
            raise fail(f"could not copy guide {source_id!r}: its id line is not in the usual form")
    except GuideError as exc:
        raise fail(f"could not copy guide {source_id!r}: {exc.summary}") from None
    return text
