"""``rapport init | passwd | rotate-key | verify | backup | locate | new``: the vault itself, and
the app opened straight into a new session."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli import complete_guide_ids, fail, in_folder, pass_env, refuse_existing, start_app
from tui.env import NO_RECOVERY, Env, given_passphrase, read_passphrase
from tui.format import out, plural


@click.command()
@pass_env
def init(env: Env) -> None:
    """Create a new, empty vault (asks for a passphrase twice)."""
    from store import PRODUCTION
    from store import create_vault

    vault = env.paths.vault
    if vault.exists():
        raise fail(f"{vault} already exists; not touching it")
    passphrase = env.given_passphrase()
    if passphrase is None:
        if sys.stdin.isatty():
            out(NO_RECOVERY, err=True)
        passphrase = env.passphrase("New passphrase", confirm=True)
    store = create_vault(vault, passphrase, kdf=env.kdf or PRODUCTION, allow_weak=env.allow_weak)
    store.close()
    out(f"created {vault}")


@click.command()
@click.option("--new-passphrase-file", type=click.Path(path_type=Path), metavar="FILE",
              help="Read the new passphrase from FILE (a file or a pipe) instead of asking.")
@pass_env
def passwd(env: Env, new_passphrase_file: Path | None) -> None:
    """Change the passphrase (re-wraps the data key in one transaction)."""
    with env.open_store() as store:
        new = given_passphrase(new_passphrase_file, env=None)
        if new is None and sys.stdin.isatty():
            new = read_passphrase(None, "New passphrase", confirm=True, env=None)
        if new is None:
            raise fail("no new passphrase: use --new-passphrase-file FILE or a terminal")
        store.change_passphrase(new)
    out("passphrase changed")


@click.command("rotate-key")
@pass_env
def rotate_key(env: Env) -> None:
    """Replace the data key and re-encrypt every record in one transaction."""
    passphrase = env.passphrase()
    with env.open_store(passphrase) as store:
        count = store.rotate_key(passphrase)
    out(f"data key rotated; {count} records re-encrypted")


#: What ``verify --accept`` says before it asks for a typed "yes" (lines that fit 80 columns).
ACCEPTING = ("Accepting takes the rows as they are now as the vault's rows:",
             "what went stays gone, and rapport stops warning about it.")


@click.command()
@click.option("--accept", is_flag=True,
              help="After showing rows deleted, added or replaced outside rapport, and a typed "
                   "'yes', take the rows as they are now as the vault's rows, so the warnings "
                   "stop (for a loss you know the reason for).")
@pass_env
def verify(env: Env, accept: bool) -> None:
    """Check the database's integrity, decrypt every record and hold every table's rows
    against the row summary; lists each problem on its own line."""
    with env.open_store(warn=False) as store:
        damage = store.verify()
        for problem in damage:
            out(f"damaged: {problem}", err=True)
        rows = [problem for problem in damage if problem.rows]
        if accept and rows:
            if not _typed_yes():
                raise fail("nothing accepted (it takes a typed 'yes')")
            store.accept_rows()
            out(f"accepted: the rows as they are now are the vault's rows "
                f"({_problems(len(rows))} settled)")
            damage = [problem for problem in damage if not problem.rows]
    if damage:
        hint = ""
        if rows and not accept:
            hint = ("; 'rapport verify --accept' takes the rows as they are, if you know why "
                    "they changed")
        elif accept and not rows:
            hint = "; --accept settles rows deleted, added or replaced, and none of these is"
        raise fail(f"{_problems(len(damage))} found{hint}")
    if not accept or not rows:
        out("ok: integrity check passed, every record decrypts, every table's rows are the "
            "vault's")


def _typed_yes() -> bool:
    """Says what accepting does and reads one line from standard input (a terminal or a pipe:
    ``echo yes | rapport verify --accept``); True if it is "yes"."""
    for line in ACCEPTING:
        out(line, err=True)
    out("Type yes to accept: ", err=True, nl=False)
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        out("", err=True)  # the answer was not echoed: end the prompt's line
    return answer.strip().lower() == "yes"


def _problems(count: int) -> str:
    return plural(count, "problem")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@pass_env
def backup(env: Env, path: Path) -> None:
    """Write a consistent, verified copy of the vault to PATH (never overwrites; a folder gets
    a dated file name inside it)."""
    refuse_existing(str(path))
    path = Path(in_folder(str(path), f"rapport-backup-{env.today().isoformat()}.db"))
    with env.open_store() as store:
        count = store.backup(path)
    out(f"backup written to {path} and verified ({count} records)")


@click.command()
@pass_env
def locate(env: Env) -> None:
    """Print where the vault and the settings are."""
    paths = env.paths
    out(f"vault:  {paths.vault}")
    out(f"config: {paths.config_file}")
    out(f"guides: {paths.guides_dir}")


@click.command()
@click.option("--guide", "guide_id", metavar="ID", shell_complete=complete_guide_ids,
              help="Guide id (see 'rapport guides list'); default: the person's own guide "
                   "('rapport people add NAME --guide ID').")
@click.option("--with", "person", required=True, metavar="NAME",
              help="Participant's name (created if new).")
@click.option("--title", default="", help="Optional session title.")
@click.option("--minutes", type=click.IntRange(min=1), default=None, metavar="N",
              help="The slot: stage timeboxes scale to fit N minutes (default: the guide's own).")
@pass_env
def new(env: Env, guide_id: str | None, person: str, title: str, minutes: int | None) -> None:
    """Open the app straight into a new session after unlocking.

    Without --guide, the session starts from the person's default guide (the app says so if
    they have none)."""
    from guides.loader import load_catalog

    if not person.strip():
        raise fail("--with needs a name")
    guide = load_catalog(env.paths.guides_dir).get(guide_id) if guide_id else None
    if guide_id and guide is None:
        raise fail(f"no guide with id {guide_id!r} (see 'rapport guides list')")
    if minutes is not None and guide is not None:
        try:
            guide.scaled(minutes)
        except ValueError as exc:
            raise fail(f"--minutes: {exc}") from None
    start_app(env, start={"guide": guide_id, "person": person.strip(), "title": title,
                          "minutes": minutes})
