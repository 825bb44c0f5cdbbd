"""The ``rapport(1)`` man page, written from the click commands themselves.

``make man`` runs ``python -m tui.manpage docs/rapport.1``; ``tests/test_cli_manpage.py`` fails
when the checked-in page differs from what this writes now (a new command or option without
``make man``), and has groff (or man) render it without a warning. The wheel installs the page as
``share/man/man1/rapport.1``, where ``pipx`` links it so that ``man rapport`` finds it.

One page for the whole command, as git, restic and borg have per command but most tools of
Rapport's size have in one: NAME, SYNOPSIS, DESCRIPTION, the global options, every command with
its usage, help and options (click's own help records, so the page says what ``--help`` says),
then ENVIRONMENT, FILES, EXIT STATUS and SEE ALSO. ``click-man`` writes a page per command with
the day it ran in the header (so a check against the checked-in page would fail daily), without
those last sections; this is a hundred lines of plain roff instead.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterator

import click

from tui.cli import (COMMANDS, GLOBAL_OPTIONS, HUNG_UP, INTERRUPTED, PIPE_CLOSED,
                     TERMINATED, cli)

HELP_OPTIONS = ("-h", "--help")


# ---------------------------------------------------------------------- roff
def roff(text: str) -> str:
    """``text`` safe on a roff text line: backslashes and minus signs escaped, and a line that
    starts with a control character (``.`` or ``'``) kept as text."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def quoted(text: str) -> str:
    """``text`` as one quoted argument of a macro (``.SS "..."``)."""
    return '"' + roff(text).replace('"', "\\(dq") + '"'


def paragraphs(text: str) -> Iterator[str]:
    """A click help text as roff paragraphs: blank lines part them; click's ``\\b`` keeps a
    paragraph's lines as they are, others are filled."""
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines and lines[0].strip() == "\b":
            yield ".PP\n.nf\n" + "\n".join(roff(line) for line in lines[1:]) + "\n.fi"
        else:
            yield ".PP\n" + roff(" ".join(" ".join(lines).split()))


def option_lines(ctx: click.Context, params: list[click.Parameter]) -> Iterator[str]:
    """Each option's help record (what ``--help`` shows) as a tagged paragraph; arguments are
    in the usage line."""
    for param in params:
        record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
        if record is None:
            continue
        names, help_text = record
        flags = re.sub(r"(?<!\w)(--?[A-Za-z][\w-]*)", r"\\fB\1\\fR", names.replace("\\", "\\e"))
        yield ".TP\n" + flags.replace("-", "\\-") + "\n" + roff(" ".join(help_text.split()))


# ---------------------------------------------------------------------- the page
def commands(ctx: click.Context) -> Iterator[tuple[click.Context, click.Command]]:
    """Every command under ``ctx``'s group, depth first, with a context of its own."""
    group = ctx.command
    assert isinstance(group, click.Group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        yield sub, command
        if isinstance(command, click.Group):
            yield from commands(sub)


def render() -> str:
    ctx = click.Context(cli, info_name="rapport")
    version = metadata.version("rapport-tui")
    summary, _, description = (cli.help or "").partition("\n")
    out = [
        ".\\\" Generated from the click commands by tui/manpage.py (make man): do not edit.",
        f'.TH RAPPORT 1 "" "rapport {version}" "User Commands"',
        ".nh",  # no hyphenation: option and variable names stay whole
        ".ad l",
        ".SH NAME",
        "rapport \\- " + roff(summary.removeprefix("Rapport: ").rstrip(".")),
        ".SH SYNOPSIS",
        ".B rapport",
        "[\\fIOPTIONS\\fR]",
        ".br",
        ".B rapport",
        "\\fICOMMAND\\fR [\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        *paragraphs(description),
        ".SH OPTIONS",
        ".PP",
        roff("These work before or after a command's name; given twice, the last one counts. "
             "Every command also takes -h, --help."),
        *option_lines(ctx, cli.params),
        ".SH COMMANDS",
    ]
    for sub, command in commands(ctx):
        usage = " ".join(command.collect_usage_pieces(sub))
        out.append(".SS " + quoted(f"{sub.command_path} {usage}"))
        out.extend(paragraphs(command.help or command.short_help or ""))
        out.extend(option_lines(sub, [p for p in command.params if p.name not in GLOBAL_OPTIONS
                                      and not set(HELP_OPTIONS) & set(p.opts)]))
    out += [".SH ENVIRONMENT", *environment(),
            ".SH FILES", *files(),
            ".SH EXIT STATUS", *exit_statuses(),
            ".SH SEE ALSO",
            roff("rapport COMMAND --help; the README and docs/ (json.md: the --json output; "
                 "export-format.md; guides.md) in the source."),
            ""]
    assert set(COMMANDS) <= {c.name for _, c in commands(ctx)}  # every command is on the page
    return "\n".join(out)


def environment() -> Iterator[str]:
    from tui.cli_export import AGE_ENV

    entries = [(envvar, help_text.split(" (env ")[0]) for envvar, _, help_text in
               (GLOBAL_OPTIONS[name] for name in GLOBAL_OPTIONS)]
    entries += [
        ("RAPPORT_PASSPHRASE", "The passphrase itself. Less safe than a file: other processes "
                               "of the same user may read a process's environment."),
        (AGE_ENV, "The passphrase of an age file, for export --encrypt and import."),
        ("_RAPPORT_COMPLETE", "Shell completion: eval \"$(_RAPPORT_COMPLETE=bash_source "
                              "rapport)\" in ~/.bashrc (zsh_source in ~/.zshrc; fish_source for "
                              "fish). Commands, options, choices and guide ids; never names."),
    ]
    for name, text in entries:
        yield ".TP\n\\fB" + roff(name) + "\\fR\n" + roff(text)


def files() -> Iterator[str]:
    for path, text in (
        ("$XDG_DATA_HOME/rapport/vault.db", "The vault (default ~/.local/share/rapport), or "
                                            "DIR/vault.db with --home DIR."),
        ("$XDG_CONFIG_HOME/rapport/config.toml", "Settings (default ~/.config/rapport)."),
        ("$XDG_CONFIG_HOME/rapport/guides/", "Your own guides, one TOML file each."),
    ):
        yield ".TP\n\\fI" + roff(path) + "\\fR\n" + roff(text)
    yield ".PP\n" + roff("rapport locate prints where they are.")


def exit_statuses() -> Iterator[str]:
    for code, text in ((0, "Done."), (1, "An error, said in one line on standard error."),
                       (2, "A usage error (a wrong option or argument)."),
                       (HUNG_UP, "Hung up (SIGHUP: the terminal closed); what the command was "
                                 "writing is removed or rolled back, as after Ctrl+C."),
                       (INTERRUPTED, "Interrupted (Ctrl+C)."),
                       (PIPE_CLOSED, "The reader of the output left early (rapport list | head)."),
                       (TERMINATED, "Terminated (SIGTERM, kill); as for SIGHUP.")):
        yield f".TP\n{code}\n" + roff(text)


def main(argv: list[str] | None = None) -> None:
    """``python -m tui.manpage [PATH|-]``: writes the page to PATH (default ``docs/rapport.1``)
    or to standard output."""
    target = (argv if argv is not None else sys.argv[1:]) or ["docs/rapport.1"]
    page = render()
    if target[0] == "-":
        sys.stdout.write(page)
        return
    path = Path(target[0])
    if not path.exists() or path.read_text(encoding="utf-8") != page:
        path.write_text(page, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
