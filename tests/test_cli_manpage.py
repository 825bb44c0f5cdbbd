"""``docs/rapport.1``: generated from the click commands (``make man``), kept up to date, and
rendered by groff or man without a warning."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from tui import manpage
from tui.cli import COMMANDS, cli

PAGE = Path(__file__).resolve().parent.parent / "docs" / "rapport.1"


def test_the_checked_in_page_is_what_the_commands_say_now():
    assert PAGE.read_text(encoding="utf-8") == manpage.render(), (
        "docs/rapport.1 is out of date: run `make man` and commit it")


def render_text(source: str, tmp_path: Path) -> str:
    """The page as a terminal shows it, 80 columns wide, failing on any warning: groff's
    (``-ww``), else man-db's (``man --warnings``)."""
    page = tmp_path / "page.1"
    page.write_text(source, encoding="utf-8")
    env = {**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MAN_KEEP_FORMATTING": ""}
    if shutil.which("groff"):
        command = ["groff", "-man", "-ww", "-Tutf8", "-P-cbou", "-rLL=80n", str(page)]
    elif shutil.which("man"):
        command = ["man", "--warnings", "-l", str(page)]
    else:
        pytest.skip("neither groff nor man is installed")
    done = subprocess.run(command, capture_output=True, env=env, timeout=60)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    return done.stdout.decode()


def test_it_renders_without_warnings_and_names_every_command_and_option(tmp_path):
    shown = " ".join(render_text(PAGE.read_text(encoding="utf-8"), tmp_path).split())
    ctx = click.Context(cli, info_name="rapport")
    for sub, command in manpage.commands(ctx):
        assert sub.command_path in shown
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in param.opts:
                    assert flag in shown, (sub.command_path, flag)
    assert {c.name for _, c in manpage.commands(ctx)} >= set(COMMANDS)
    for section in ("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "ENVIRONMENT", "FILES",
                    "EXIT STATUS"):
        assert re.search(rf"^{section}$", render_text(PAGE.read_text(), tmp_path), re.M)
    for name in ("RAPPORT_HOME", "RAPPORT_PASSPHRASE_FILE", "_RAPPORT_COMPLETE", "130", "141"):
        assert name in shown


def test_help_text_cannot_break_the_page(tmp_path, monkeypatch):
    """A help text with roff's control characters (a leading dot or quote, backslashes,
    quotes in a usage line) is shown as typed."""

    @click.command("odd")
    @click.argument("what", metavar='"X"')
    @click.option("--path", metavar="C:\\DIR", help=".TH looks like a macro \\fB and '-' too")
    def odd(what: str, path: str) -> None:
        """.SH NOT A SECTION

        'quoted' start, a back\\slash, and \\\\ two.
        """

    monkeypatch.setitem(cli.commands, "odd", odd)
    shown = render_text(manpage.render(), tmp_path)
    assert ".SH NOT A SECTION" in shown
    assert "'quoted' start, a back\\slash, and \\\\ two." in shown
    assert "--path C:\\DIR" in shown
    assert ".TH looks like a macro \\fB and '-' too" in shown
    assert 'rapport odd [OPTIONS] "X"' in shown


def test_make_man_writes_the_page_only_when_it_changed(tmp_path, capsys):
    target = tmp_path / "rapport.1"
    manpage.main([str(target)])
    assert target.read_text(encoding="utf-8") == manpage.render()
    assert capsys.readouterr().out == f"wrote {target}\n"
    manpage.main([str(target)])
    assert capsys.readouterr().out == ""
