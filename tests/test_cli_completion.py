"""Shell completion for bash, zsh and fish, through click's own protocol (``_RAPPORT_COMPLETE``).

What is completed needs no passphrase: commands, options, every Choice, guide ids (from the
guides folder) and paths. Names never are (they are encrypted, and no plaintext cache of them
exists), and completing never opens the vault, asks for anything or writes anything: a Python
audit hook in the completing process reports every file it opens and every change it makes.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import click
import pytest
from click.shell_completion import BashComplete

from clitools import clean_env, rapport
from guides.loader import BUILTIN_IDS, template
from store import crypto
from store.vault import create_vault
from tui import cli as cli_module
from tui.cli import COMMANDS, cli

SHELLS = ("bash", "zsh", "fish")
#: Reports (on stderr, as ``AUDIT ...`` lines) every file opened under $WATCH, /dev/tty, every
#: file opened for writing anywhere, and every SQLite connection or change to the file system.
AUDIT = """\
import os, sys
_WATCH = tuple(os.environ["WATCH"].split(os.pathsep)) + ("/dev/tty",)
_CHANGES = {"sqlite3.connect", "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.chmod",
            "os.truncate", "os.symlink", "os.link", "shutil.rmtree", "shutil.move"}
def _audit(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return
        path = os.fsdecode(os.fspath(path))
        writes = any(c in (mode or "") for c in "wax+") or bool(
            (flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC))
        if writes or path.startswith(_WATCH):
            os.write(2, f"AUDIT open {path} {'write' if writes else 'read'}\\n".encode())
    elif event in _CHANGES:
        os.write(2, f"AUDIT {event} {args!r}\\n".encode())
sys.addaudithook(_audit)
"""


@pytest.fixture
def home(tmp_path):
    """A real vault holding a person and a programme (their names encrypted), its passphrase in
    a file named by $RAPPORT_PASSPHRASE_FILE, and one guide of the user's own."""
    home = tmp_path / "home"
    store = create_vault(home / "vault.db", "pw-completion", kdf=crypto.FAST_FOR_TESTS,
                         allow_weak=True)
    store.add_person("Ana Lima")
    store.add_programme("Leaders 2025", purpose="", guide_id="leadership-interview",
                        themes=("vision",))
    store.close()
    (home / "guides").mkdir()
    (home / "guides" / "team-retro.toml").write_text(template("team-retro"))
    (tmp_path / "pw").write_text("pw-completion\n")
    return home


#: ``main()`` as the entry point calls it, inside a loop: it exits after each answer (0 or None
#: is that; any other exit is the test's failure), then what it printed is flushed.
CALL_MAIN = """\
    try:
        main()
    except SystemExit as _exit:
        if _exit.code not in (0, None):
            raise
    sys.stdout.flush()
"""

#: Answers each line of $LINES (JSON: [shell, line] or [shell, line, $RAPPORT_HOME]) in turn, as
#: the shell's script asks for one: click's protocol is one completion per process, read from the
#: environment, so each is asked afresh of ``main()`` (which exits after it), with a marker line
#: on stdout and stderr between them.
MANY = """\
import json, os, sys
from tui.cli import main
for _i, (_shell, _line, *_home) in enumerate(json.loads(os.environ["LINES"])):
    if _home:
        os.environ["RAPPORT_HOME"] = _home[0]
    _words = _line.split(" ")
    os.environ["_RAPPORT_COMPLETE"] = f"{_shell}_complete"
    os.environ["COMP_WORDS"] = _line
    # bash and zsh give the index of the word under the cursor, fish the word itself
    os.environ["COMP_CWORD"] = _words[-1] if _shell == "fish" else str(len(_words) - 1)
    sys.stdout.write(f"LINE {_i}\\n"); sys.stdout.flush(); os.write(2, f"LINE {_i}\\n".encode())
""" + CALL_MAIN


def complete_many(shell: str | None, lines: list, home, *, audit: bool = False,
                  watch: tuple = ()) -> list[tuple[list[tuple[str, str]], str]]:
    """What ``rapport`` answers ``shell`` for each of ``lines`` with the cursor at its end, the
    way the shell's script (from ``_RAPPORT_COMPLETE={shell}_source``) asks, all in one process
    (:data:`MANY`): for each line, [(type, value)] and its stderr. With ``shell`` None, each of
    ``lines`` is (shell, line) or (shell, line, $RAPPORT_HOME for that line)."""
    import json

    pairs = [(shell, line) for line in lines] if shell is not None else lines
    env = {"LINES": json.dumps(pairs),
           "RAPPORT_HOME": str(home), "RAPPORT_PASSPHRASE": "pw-completion",
           "RAPPORT_PASSPHRASE_FILE": str(home.parent / "pw"),
           "PYTHONDONTWRITEBYTECODE": "1", "WATCH": os.pathsep.join(map(str, watch or (home,)))}
    out = rapport(code=(AUDIT if audit else "") + MANY, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    answers = []
    stdouts = out.stdout.decode().split("LINE ")[1:]
    before, *stderrs = out.stderr.decode().split("LINE ")
    assert "AUDIT" not in before, before  # nothing opened before the first line either
    assert len(stdouts) == len(stderrs) == len(lines), (out.stdout, out.stderr)
    for index, ((line_shell, *_), text, err) in enumerate(zip(pairs, stdouts, stderrs)):
        head, _, text = text.partition("\n")
        assert head == str(index)
        err = err.partition("\n")[2]
        if line_shell == "zsh":  # type, value, help: one a line
            rows = text.splitlines()
            items = list(zip(rows[0::3], rows[1::3]))
        else:  # type,value (fish: then a tab and the help)
            items = [tuple(row.split("\t")[0].split(",", 1)) for row in text.splitlines()
                     if row]
        answers.append((items, err))
    return answers


BUILTIN_GUIDES = set(BUILTIN_IDS)


# ---------------------------------------------------------------------- what is offered
CHOICE_LINES = [
    ("rapport pro", {"programme"}),
    ("rapport init --pass", {"--passphrase-file"}),
    ("rapport list --status ", {"active", "ended"}),
    ("rapport search budget --kind go", {"goal"}),
    ("rapport export --format ", {"md", "json", "html"}),
    ("rapport synthesis Leaders --format h", {"html"}),
    ("rapport new --guide one", {"one-on-one"}),
    ("rapport new --guide ", BUILTIN_GUIDES | {"team-retro"}),
    ("rapport guides show ", BUILTIN_GUIDES | {"team-retro"}),
    ("rapport guides new mine --from fe", {"feedback"}),
    ("rapport programme new P --guide ", {"leadership-interview", "stakeholder-interview"}),
    ("rapport programme edit P --guide s", {"stakeholder-interview"}),  # not stay-interview
    ("rapport search budget --guide t", {"team-retro"}),
]


def test_choices_and_guide_ids_in_every_shell(home):
    """Every line in every shell, all in one process (:func:`complete_many`)."""
    pairs = [(shell, line) for shell in SHELLS for line, _ in CHOICE_LINES]
    answers = complete_many(None, pairs, home)
    expected = [want for _ in SHELLS for _, want in CHOICE_LINES]
    assert len(answers) == len(pairs) == len(expected)
    for (shell, line), want, (items, _) in zip(pairs, expected, answers):
        assert {value for kind, value in items if kind == "plain"} == want, (shell, line)


def test_guide_ids_come_from_the_home_typed_last(home, tmp_path):
    """``--home`` before or after the command's name, or $RAPPORT_HOME: the one in force."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cases = [  # (line, $RAPPORT_HOME, what is offered)
        ("rapport new --guide t", elsewhere, set()),
        (f"rapport new --home {home} --guide t", elsewhere, {"team-retro"}),
        (f"rapport --home {home} new --guide t", elsewhere, {"team-retro"}),
        (f"rapport --home {elsewhere} new --home {home} --guide t", elsewhere, {"team-retro"}),
        (f"rapport --home {home} new --home {elsewhere} --guide t", home, set()),
    ]
    answers = complete_many(None, [("bash", line, str(where)) for line, where, _ in cases], home)
    for (line, _, want), (items, _) in zip(cases, answers, strict=True):
        assert {value for kind, value in items if kind == "plain"} == want, line


def test_paths_are_left_to_the_shell(home):
    """Every line in every shell, all in one process."""
    lines = ["rapport export --all -o ", "rapport backup ", "rapport --home ", "rapport import "]
    pairs = [(shell, line) for shell in SHELLS for line in lines]
    answers = complete_many(None, pairs, home)
    assert len(answers) == len(pairs)
    for (shell, line), (items, _) in zip(pairs, answers):
        assert [kind for kind, _ in items] in (["file"], ["dir"]), (shell, line)


def test_every_choice_is_completed(home):
    """Every Choice option of every command (those added later too) offers its choices."""
    completer = BashComplete(cli, {}, "rapport", "_RAPPORT_COMPLETE")
    ctx = click.Context(cli)
    seen = 0

    def walk(command: click.Command, path: list[str]) -> None:
        nonlocal seen
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, click.Choice):
                got = completer.get_completions([*path, param.opts[-1]], "")
                assert [c.value for c in got] == list(param.type.choices), (path, param.name)
                seen += 1
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])

    for name in COMMANDS:
        walk(cli.get_command(ctx, name), [name])
    assert seen >= 5


# ---------------------------------------------------------------------- never names
NAME_LINES = [
    "rapport new --guide one-on-one --with ",
    "rapport new --guide one-on-one --with A",
    "rapport jot --with ",
    "rapport list --person ",
    "rapport list --person A",
    "rapport items --person ",
    "rapport search budget --person ",
    "rapport export --person ",
    "rapport synthesis Leaders --leader ",
    "rapport programme show ",
    "rapport synthesis L",
    "rapport show ",
]


def test_names_complete_to_nothing_and_only_guides_are_read(home):
    """With a vault and its passphrase at hand, completing a name offers nothing, and the
    completing process opens nothing in the home (the vault, its lock), never the terminal
    (a prompt), no passphrase file, no database, and writes nothing anywhere; completing a
    guide id reads the guides folder and nothing else. Every line in every shell, all in one
    process (:func:`complete_many`), the audit's lines split by the line they came from."""
    lines = [*NAME_LINES, "rapport new --guide "]
    answers = complete_many(None, [(shell, line) for shell in SHELLS for line in lines], home,
                            audit=True, watch=(home.parent,))
    assert len(answers) == len(SHELLS) * len(lines)
    for index, shell in enumerate(SHELLS):
        *names, (items, audit) = answers[index * len(lines):(index + 1) * len(lines)]
        for line, (named, named_audit) in zip(NAME_LINES, names, strict=True):
            assert named == [], (shell, line)
            assert "AUDIT" not in named_audit, (shell, line, named_audit)
        assert {value for _, value in items} == BUILTIN_GUIDES | {"team-retro"}, shell
        events = audit.splitlines()
        assert events == [f"AUDIT open {home / 'guides' / 'team-retro.toml'} read"], (
            shell, audit)


def test_the_audit_hook_sees_an_unlock(home):
    """The hook above is not blind: a command that unlocks shows the vault and the database."""
    env = {"RAPPORT_HOME": str(home), "RAPPORT_PASSPHRASE_FILE": str(home.parent / "pw"),
           "PYTHONDONTWRITEBYTECODE": "1", "WATCH": str(home.parent)}
    code = AUDIT + ("import sys\nfrom store import crypto\nfrom tui.cli import main\n"
                    "main(sys.argv[1:], obj={'kdf': crypto.FAST_FOR_TESTS, 'allow_weak': True})\n")
    out = rapport("people", code=code, env=env)
    assert out.returncode == 0, out.stderr
    assert b"AUDIT sqlite3.connect" in out.stderr and str(home / "vault.db").encode() in out.stderr


def test_only_guide_ids_and_paths_have_completion_callbacks():
    """A callback that completed names would have to unlock the vault or keep the names in
    plaintext: any new callback has to be added here, deliberately."""
    allowed = {cli_module.complete_guide_ids, cli_module.complete_interview_guide_ids,
               cli_module.complete_path}
    ctx = click.Context(cli)
    found = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            callback = getattr(param, "_custom_shell_complete", None)
            if callback is not None:
                found.add(callback)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name))

    for name in COMMANDS:
        walk(cli.get_command(ctx, name))
    assert found == allowed


# ---------------------------------------------------------------------- the shells' scripts
SOURCE_MARKS = {
    "bash": ["_rapport_completion() {", "_RAPPORT_COMPLETE=bash_complete $1",
             "complete -o nosort -F _rapport_completion rapport"],
    "zsh": ["#compdef rapport", "_RAPPORT_COMPLETE=zsh_complete rapport",
            "compdef _rapport_completion rapport"],
    "fish": ["function _rapport_completion;", "_RAPPORT_COMPLETE=fish_complete",
             "complete --no-files --command rapport"],
}
SYNTAX_CHECK = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}


#: ``main()`` once for each shell, ``_RAPPORT_COMPLETE={shell}_source`` set, a marker line between.
SOURCES = """\
import os, sys
from tui.cli import main
_shells = sys.argv[1:]
del sys.argv[1:]  # main() reads sys.argv, as the installed entry point does
for _shell in _shells:
    os.environ["_RAPPORT_COMPLETE"] = f"{_shell}_source"
    sys.stdout.write("SCRIPT\\n"); sys.stdout.flush()
""" + CALL_MAIN


@functools.cache
def source_scripts() -> dict[str, str]:
    """What ``_RAPPORT_COMPLETE={shell}_source`` prints, for each shell: asked of one real
    process (per test process); the scripts' tests below run what it printed."""
    out = rapport(*SHELLS, code=SOURCES)
    assert out.returncode == 0 and out.stderr == b"", out.stderr
    scripts = out.stdout.decode().split("SCRIPT\n")
    assert scripts[0] == "" and len(scripts) == len(SHELLS) + 1, out.stdout
    return dict(zip(SHELLS, scripts[1:]))


def source_script(shell: str) -> str:
    return source_scripts()[shell]


@pytest.mark.parametrize("shell", SHELLS)
def test_each_shell_gets_its_script(shell, tmp_path):
    """What the README tells people to put in their shell's startup file."""
    script = source_script(shell)
    for mark in SOURCE_MARKS[shell]:
        assert mark in script
    if shutil.which(shell):
        path = tmp_path / f"rapport.{shell}"
        path.write_text(script)
        check = subprocess.run([*SYNTAX_CHECK[shell], str(path)], capture_output=True)
        assert check.returncode == 0 and check.stderr == b"", check.stderr


@pytest.fixture
def on_path(tmp_path):
    """A ``rapport`` on $PATH that runs this checkout, as the shells' scripts call it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "rapport"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "from tui.cli import main; main()" '
                      '"$@"\n')
    script.chmod(0o755)
    return bin_dir


def in_shell(shell: str, program: str, on_path, home, tmp_path) -> list[str]:
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    (tmp_path / f"rapport.{shell}").write_text(source_script(shell))
    env = clean_env(PATH=f"{on_path}{os.pathsep}{os.environ['PATH']}", RAPPORT_HOME=str(home))
    done = subprocess.run([shell, "-c" if shell != "zsh" else "-fc", program],
                          capture_output=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    return done.stdout.decode().splitlines()


def test_bash_completes_with_its_script(home, on_path, tmp_path):
    """bash itself runs the script ``_RAPPORT_COMPLETE=bash_source`` printed."""
    program = ("source rapport.bash\n"
               "COMP_WORDS=(rapport guides show ''); COMP_CWORD=3\n"
               "_rapport_completion rapport '' show\n"
               "printf '%s\\n' \"${COMPREPLY[@]}\"; echo ---\n"
               "COMPREPLY=(); COMP_WORDS=(rapport jot --with ''); COMP_CWORD=3\n"
               "_rapport_completion rapport '' --with\n"
               "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    shown = in_shell("bash", program, on_path, home, tmp_path)
    cut = shown.index("---")
    assert set(shown[:cut]) == BUILTIN_GUIDES | {"team-retro"}
    assert shown[cut + 1:] in ([], [""])


def test_fish_completes_with_its_script(home, on_path, tmp_path):
    program = ("source rapport.fish\n"
               "complete -C'rapport list --status '\n"
               "echo ---\n"
               "complete -C'rapport jot --with '\n")
    shown = in_shell("fish", program, on_path, home, tmp_path)
    assert shown == ["active", "ended", "---"]


def test_zsh_completes_with_its_script(home, on_path, tmp_path):
    """zsh runs the script's function; compsys's ``compadd`` and ``_describe`` (which need a
    completion widget) are stood in by functions that print what they are given."""
    program = ("compdef() { : }\n"
               "compadd() { local name=${@[-1]}; print -l -- \"${(@P)name}\" }\n"
               "_describe() { print -l -- \"${(@P)3}\" }\n"
               "source ./rapport.zsh\n"
               "words=(rapport new --guide ''); CURRENT=4; _rapport_completion\n"
               "print -- ---\n"
               "words=(rapport pro); CURRENT=2; _rapport_completion\n"
               "print -- ---\n"
               "words=(rapport list --person ''); CURRENT=4; _rapport_completion\n")
    shown = in_shell("zsh", program, on_path, home, tmp_path)
    first, second, third = "\n".join(shown).split("---")
    assert set(first.split()) == BUILTIN_GUIDES | {"team-retro"}
    assert second.strip().startswith("programme:Leadership interview programmes")
    assert third.strip() == ""
