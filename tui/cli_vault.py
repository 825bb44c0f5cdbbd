"""``rapport init | passwd | rotate-key | verify | backup | locate | new``: the vault itself, and
the app opened straight into a new session."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli import complete_guide_ids, fail, pass_env, start_app
from tui.env import NO_RECOVERY, Env, given_passphrase, read_passphrase
from tui.format import out


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
    from store import open_vault

    passphrase = env.passphrase()
    with open_vault(env.paths.vault, passphrase, allow_weak=env.allow_weak) as store:
        count = store.rotate_key(passphrase)
    out(f"data key rotated; {count} records re-encrypted")


@click.command()
@pass_env
def verify(env: Env) -> None:
    """Check the database's integrity and decrypt every record; lists damaged ones."""
    with env.open_store() as store:
        damage = store.verify()
    if damage:
        for d in damage:
            out(f"damaged: {d.table}/{d.id} {d.column}: {d.reason}", err=True)
        raise fail(f"{len(damage)} damaged record(s)")
    out("ok: integrity check passed and every record decrypts")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def backup(env: Env, path: Path) -> None:
    """Write a consistent, verified copy of the vault to PATH (never overwrites)."""
    if path.exists():
        raise fail(f"{path} already exists; not overwriting it")
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
