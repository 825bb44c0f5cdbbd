"""``rapport export`` and ``rapport import``: the only ways records leave or enter a vault in bulk.

All the work is in :mod:`store.export` and :mod:`store.transfer`; this module parses options,
asks for passphrases, reads the file to import (a regular file, bounded) and prints one line about
what happened.
"""

from __future__ import annotations

import io
import os
import sys
from datetime import date
from pathlib import Path

import click

from tui.cli import DAY, bad_usage, complete_path, fail, in_folder, pass_env, refuse_existing
from tui.env import Env, read_input, read_passphrase
from tui.format import out, out_document

AGE_ENV = "RAPPORT_AGE_PASSPHRASE"
#: ``--age-passphrase-file``, the same for the export that writes an age file and the import
#: that reads one.
age_passphrase_file = click.option(
    "--age-passphrase-file", type=click.Path(path_type=Path), metavar="FILE",
    help=f"Read the age passphrase from FILE, a file or a pipe (else {AGE_ENV} or a prompt).")


def _age_passphrase(path: Path | None, *, confirm: bool) -> str:
    """From ``--age-passphrase-file``, then ``$RAPPORT_AGE_PASSPHRASE``, then a hidden prompt."""
    if path is None and not os.environ.get(AGE_ENV) and not sys.stdin.isatty():
        raise fail(f"no passphrase for the age file: use --age-passphrase-file PATH, {AGE_ENV} "
                   "or a terminal")
    return read_passphrase(path, "Passphrase for the age file", confirm=confirm, env=AGE_ENV)


@click.command("export")
@click.argument("session_ids", nargs=-1, metavar="[ID]...")
@click.option("--person", metavar="NAME", help="Sessions with this person (name or unique prefix).")
@click.option("--since", type=DAY, help="Sessions started on or after DATE (YYYY-MM-DD).")
@click.option("--until", type=DAY, help="Sessions started on or before DATE (YYYY-MM-DD).")
@click.option("--all", "everything", is_flag=True, help="Everything in the vault.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md",
              show_default=True, help="Markdown, JSON (complete, importable with --full) or HTML.")
@click.option("--full", is_flag=True,
              help="The full record (private notes, reflection, cues, timings) instead of a summary.")
@click.option("--include-private", is_flag=True, help="Add the private notes to a summary.")
@click.option("--include-pulse", is_flag=True,
              help="Add each session's pulse (1-5) to a summary (the full record has it).")
@click.option("-o", "--output", default="-", metavar="PATH|-", show_default=True,
              shell_complete=complete_path,
              help="Write to a new file PATH (never overwritten; in a folder, under the suggested "
                   "name), or '-' for standard output.")
@click.option("--encrypt", is_flag=True,
              help="Encrypt with a passphrase in the age format (needs -o PATH).")
@age_passphrase_file
@pass_env
def export_command(env: Env, session_ids: tuple[str, ...], person: str | None, since: date | None,
                   until: date | None, everything: bool, fmt: str, full: bool,
                   include_private: bool, include_pulse: bool, output: str, encrypt: bool,
                   age_passphrase_file: Path | None) -> None:
    """Export sessions as a summary to share, or as the full record.

    Choose sessions by ID (or a unique prefix of at least 4 characters), --person, a date range
    (--since/--until), or --all; filters combine. The summary carries shared notes, action items,
    decisions, agreements and goals with owners and due dates, and each session's date and length;
    it never carries private notes unless --include-private is given. Every export is recorded in
    the vault.
    """
    if everything and (session_ids or person or since or until):
        raise bad_usage("--all cannot be combined with IDs, --person, --since or --until")
    if not (everything or session_ids or person or since or until):
        raise bad_usage("say what to export: session IDs, --person NAME, --since/--until DATE "
                        "or --all")
    if since and until and since > until:
        raise bad_usage(f"--since {since} is after --until {until}")
    to_stdout = output == "-"
    if encrypt and to_stdout:
        raise bad_usage("--encrypt needs -o PATH (encrypted output is never written to standard "
                        "output)")
    if age_passphrase_file and not encrypt:
        raise bad_usage("--age-passphrase-file is only used with --encrypt")
    if not output:
        raise bad_usage("-o needs a path, or '-' for standard output")
    refuse_existing(output)

    kind = "full" if full else "summary"
    facilitator = env.config().facilitator_name
    shown = io.BytesIO()  # what goes to standard output: shown once the export is recorded
    with env.open_store() as store:
        from store import Scope, render_export as render, write_export

        ids = tuple(dict.fromkeys(store.resolve_session(ref).id for ref in session_ids))
        person_id = store.find_person(person).id if person else None
        scope = Scope(session_ids=ids, person_id=person_id, since=since, until=until,
                      everything=everything)
        doc = render(store, scope, fmt, kind, include_private, tz=None,
                     facilitator=facilitator, include_pulse=include_pulse)
        if doc.count == 0 and not (kind == "full" and doc.records):
            raise fail(f"nothing to export: no sessions match ({doc.scope_label})")
        output = in_folder(output, doc.filename_hint + (".age" if encrypt else ""))
        data = doc.data
        if encrypt:
            from store import encrypt as age_encrypt

            data = age_encrypt(data, _age_passphrase(age_passphrase_file, confirm=True))
        write_export(output, data, store=store, doc=doc, encrypted=encrypt, stdout=shown)
    if not (encrypt or to_stdout):  # once it is there: an export that failed is one error line
        what = "full record" if full else "summary"
        out(f"rapport: warning: {output} is not encrypted; the {what} is plaintext on disk "
            "(use --encrypt to avoid that)", err=True)
    if to_stdout:
        out_document(shown.getvalue(), fmt)
    else:
        noun = "session" if doc.count == 1 else "sessions"
        how = "encrypted (age)" if encrypt else "plaintext"
        out(f"exported {doc.count} {noun} ({kind}, {fmt}, {how}) to {output}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@age_passphrase_file
@pass_env
def import_command(env: Env, file: Path, age_passphrase_file: Path | None) -> None:
    """Import a full JSON export (plain, or encrypted with --encrypt) into the vault.

    All or nothing: ids and timestamps are kept, and records already in the vault are skipped and
    reported. A malformed or foreign file changes nothing.
    """
    from store import RapportError, StorageError
    from store import MAX_IMPORT_BYTES as MAX_BYTES, import_document, read_import

    data = read_input(file, MAX_BYTES, what="the file")
    try:
        doc = read_import(data, lambda: _age_passphrase(age_passphrase_file, confirm=False))
    except RapportError as exc:
        raise fail(f"{file}: {exc}; nothing was imported") from None
    with env.open_store() as store:
        try:
            result = import_document(store, doc)
        except StorageError as exc:  # "the disk is full: nothing was imported", once
            raise fail(f"{file}: {exc.refused or exc}: nothing was imported") from None
        except RapportError as exc:
            raise fail(f"{file}: {exc}; nothing was imported") from None
    out(result.describe())
