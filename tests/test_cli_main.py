"""The ``rapport`` command as a whole: one click group, global options where people type them,
the full-screen app only on a terminal, and how a command ends (errors, Ctrl+C, a closed pipe,
a normal exit)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess

import click
import pytest
from click.testing import CliRunner

from clitools import (MAIN, MAIN_NO_APP, NO_APP, argv, clean_env, in_terminal, rapport,
                      rapport_each, read_until)
from store import crypto
from tui.cli import COMMANDS, GLOBAL_OPTIONS, cli

FAST = {"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True}


@pytest.fixture(autouse=True)
def no_rapport_environment(monkeypatch):
    for name in ("RAPPORT_HOME", "RAPPORT_PASSPHRASE", "RAPPORT_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def vault(store, vault_path, passphrase, tmp_path):
    """The ``store`` fixture's vault with one person and one session, closed; its passphrase in
    ``tmp_path / "pw"``. Returns (home, passphrase file)."""
    ana = store.add_person("Ana")
    session = store.start_session(ana.id, {"id": "g", "name": "G", "stages": []}, title="First")
    store.add_item(session.id, "action", "Send notes")
    store.close()
    pw = tmp_path / "pw"
    pw.write_text(passphrase + "\n")
    return vault_path.parent, pw


def invoke(*args, obj=None, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], obj=dict(obj or FAST), **kwargs)


# ---------------------------------------------------------------------- global options
def test_every_command_and_subcommand_takes_the_global_options():
    """Commands added to COMMANDS later get them too: nothing to remember."""
    ctx = click.Context(cli)

    def walk(command: click.Command, path: str) -> None:
        names = {param.name for param in command.params}
        assert set(GLOBAL_OPTIONS) <= names, path
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}")

    assert set(cli.list_commands(ctx)) >= set(COMMANDS)
    for name in COMMANDS:
        walk(cli.get_command(ctx, name), name)


@pytest.mark.parametrize("command", [["locate"], ["guides", "list"], ["list"], ["people"],
                                     ["programme", "list"], ["verify"]])
def test_home_before_or_after_the_command(vault, tmp_path, command):
    home, pw = vault
    before = invoke("--home", home, "--passphrase-file", pw, *command)
    after = invoke(*command, "--home", home, "--passphrase-file", pw)
    assert before.exit_code == after.exit_code == 0, (before.output, after.output)
    assert before.output == after.output


def test_passphrase_file_before_or_after_the_command(vault, tmp_path):
    home, pw = vault
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    for args in (["--passphrase-file", pw, "--home", home, "verify"],
                 ["--home", home, "verify", "--passphrase-file", pw],
                 ["verify", "--passphrase-file", pw, "--home", home]):
        assert invoke(*args).exit_code == 0, args
    for args in (["--passphrase-file", wrong, "--home", home, "verify"],
                 ["--home", home, "verify", "--passphrase-file", wrong]):
        result = invoke(*args)
        assert result.exit_code == 1 and "wrong passphrase" in result.output, args


def test_the_value_typed_last_wins_and_beats_the_environment(vault, tmp_path):
    home, pw = vault
    elsewhere = tmp_path / "elsewhere"
    result = invoke("--home", elsewhere, "locate", "--home", home)
    assert f"vault:  {home / 'vault.db'}" in result.output
    result = invoke("locate", "--home", home, env={"RAPPORT_HOME": str(elsewhere)})
    assert f"vault:  {home / 'vault.db'}" in result.output
    result = invoke("locate", env={"RAPPORT_HOME": str(elsewhere)})
    assert f"vault:  {elsewhere / 'vault.db'}" in result.output
    # a wrong file typed first, the right one after the command: the right one is used
    wrong = tmp_path / "wrong"
    wrong.write_text("nope\n")
    assert invoke("--passphrase-file", wrong, "--home", home, "list", "--passphrase-file",
                  pw).exit_code == 0


def test_init_with_the_options_after_the_command_in_a_real_process(tmp_path):
    """What restic and borg users type: ``rapport init --passphrase-file F``."""
    pw = tmp_path / "pw"
    pw.write_text("a new passphrase\n")
    home = tmp_path / "home"
    made, verified, jotted = rapport_each(  # in turn in one process
        (("init", "--passphrase-file", pw, "--home", home), None),
        (("verify", "--home", home, "--passphrase-file", pw), None),
        (("--home", home, "--passphrase-file", pw, "jot", "--with", "Nobody", "hi"), None))
    assert made[0] == 0, made[2]
    assert made[1] == f"created {home / 'vault.db'}\n".encode()
    assert verified[0] == 0, verified[2]
    assert jotted[0] == 1 and jotted[2] == b"rapport: error: no person called 'Nobody'\n"


# ---------------------------------------------------------------------- errors
USAGE_ERRORS = [
    (["--bogus"], "rapport: error: No such option '--bogus' (see 'rapport --help')"),
    (["lst"], "rapport: error: No such command 'lst' (see 'rapport --help')"),
    (["backup"], "rapport: error: Missing argument 'PATH' (see 'rapport backup --help')"),
    (["list", "--status", "paused"],
     "rapport: error: Invalid value for '--status': 'paused' is not one of 'active', 'ended' "
     "(see 'rapport list --help')"),
    (["programme", "show"],
     "rapport: error: Missing argument 'PROGRAMME' (see 'rapport programme show --help')"),
    (["programme", "edit", "Leaders"],
     "rapport: error: give --name, --purpose or --guide (see 'rapport programme edit --help')"),
]


def test_usage_errors_are_one_line_with_status_2(tmp_path):
    """Each in turn in one process (see clitools.rapport_each)."""
    runs = rapport_each(*[(("--home", tmp_path, *args), None) for args, _ in USAGE_ERRORS])
    for (args, message), (code, out, err) in zip(USAGE_ERRORS, runs, strict=True):
        assert code == 2, args
        assert err.decode() == message + "\n"
        assert out == b"", args


def test_an_error_is_one_line_in_a_real_process(tmp_path):
    """No passphrase, then a file that is not a vault: in turn in one process."""
    (tmp_path / "vault.db").write_bytes(b"not sqlite" * 20)
    (tmp_path / "pw").write_text("a passphrase to try\n")
    out, not_a_vault = rapport_each(
        (("--home", tmp_path / "h", "verify"), None),
        (("--home", tmp_path, "--passphrase-file", tmp_path / "pw", "list"), b""))
    assert out.returncode == 1
    assert out.stderr == (b"rapport: error: no passphrase: use --passphrase-file PATH, "
                          b"RAPPORT_PASSPHRASE_FILE or a terminal\n")
    assert not_a_vault.returncode == 1  # the passphrase given: the file itself is refused
    assert not_a_vault.stderr.decode() == (
        f"rapport: error: {tmp_path / 'vault.db'} is not a Rapport vault (left untouched)\n")
    assert (tmp_path / "vault.db").read_bytes() == b"not sqlite" * 20


@pytest.mark.parametrize("body, message", [
    ("raise OSError(13, 'Permission denied', '/x/vault.db')",
     "rapport: error: /x/vault.db: Permission denied"),
    ("from store.errors import VaultBusy\n    raise VaultBusy('the vault is already open')",
     "rapport: error: the vault is already open"),
    ("raise ValueError('secret note text')",
     "rapport: error: unexpected ValueError; nothing else was changed"),
])
def test_the_apps_errors_are_one_line(tmp_path, body, message):
    code = ("import tui.launch\n"
            "def run_app(env, start=None):\n"
            f"    {body}\n"
            "tui.launch.run_app = run_app\n") + MAIN
    proc, master = in_terminal(argv("--home", tmp_path, code=code))
    shown = read_until(master, b"\n")
    assert proc.wait(timeout=60) == 1
    os.close(master)
    assert shown.decode().strip() == message


def fifo_home(tmp_path):
    """A home whose vault.db is a FIFO: a file opened to be read there waits for a writer."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    os.mkfifo(home / "vault.db", 0o600)
    return home, f"rapport: error: {home / 'vault.db'} is not a regular file, not a Rapport vault"


def test_a_fifo_in_the_vaults_place_is_refused_not_waited_on(tmp_path):
    """verify, list and export, in turn in one process (one waiting on the FIFO would hang it:
    the timeout ends the test)."""
    home, refusal = fifo_home(tmp_path)
    (tmp_path / "pw").write_text("a passphrase\n")
    commands = [["verify"], ["list"], ["export", "--all", "--format", "md"]]
    runs = rapport_each(*[(("--home", home, "--passphrase-file", tmp_path / "pw", *args), None)
                          for args in commands], timeout=30)
    for args, (code, out, err) in zip(commands, runs, strict=True):
        assert code == 1 and out == b"", args
        assert err.decode() == refusal + " (left untouched)\n"
    assert stat.S_ISFIFO(os.lstat(home / "vault.db").st_mode)


def test_the_app_refuses_a_fifo_before_it_starts(tmp_path):
    home, refusal = fifo_home(tmp_path)
    proc, master = in_terminal(argv("--home", home))
    try:
        shown = read_until(master, b"\n")
        assert proc.wait(timeout=30) == 1
    finally:
        proc.kill()  # (if it waited on the FIFO)
        os.close(master)
    assert shown.decode().strip() == refusal + " (left untouched)"


def test_restore_refuses_a_fifo_as_its_backup(vault, tmp_path):
    home, pw = vault
    backup = tmp_path / "backup.db"
    os.mkfifo(backup, 0o600)
    before = (home / "vault.db").read_bytes()
    out = rapport("--home", home, "--passphrase-file", pw, "restore", backup, timeout=30)
    assert out.returncode == 1
    assert out.stderr.decode() == (f"rapport: error: {backup} is not a regular file, not a "
                                   "Rapport vault (left untouched)\n")
    assert (home / "vault.db").read_bytes() == before


# ---------------------------------------------------------------------- a terminal for the app
def test_the_app_starts_on_a_terminal(tmp_path):
    proc, master = in_terminal(argv("--home", tmp_path, code=MAIN_NO_APP))
    shown = read_until(master, b"None")
    assert proc.wait(timeout=60) == 0
    os.close(master)
    assert f"APP {tmp_path / 'vault.db'} None".encode() in shown


def test_without_a_terminal_the_app_refuses_in_one_line(tmp_path):
    """The app, and ``new`` (which opens it), in turn in one process: none of its standard
    streams is a terminal (a file, or /dev/null for stdin), as with pipes."""
    cases = [[], ["new", "--guide", "one-on-one", "--with", "Ana"]]
    runs = rapport_each(*[(("--home", tmp_path, *args), None) for args in cases], prelude=NO_APP)
    for args, out in zip(cases, runs, strict=True):
        assert out.returncode == 1 and out.stdout == b"", (args, out)
        [line] = out.stderr.decode().splitlines()
        assert line.startswith("rapport: error: the app needs a terminal"), (args, line)
        assert "list, locate" in line and "jot" in line and "new" not in line.split(":", 2)[2], (
            args, line)


def test_a_terminal_on_stdin_only_is_not_enough(tmp_path):
    proc, master = in_terminal(argv("--home", tmp_path, code=MAIN_NO_APP), stdout=subprocess.PIPE)
    output = proc.stdout.read()
    shown = read_until(master, b"\n")
    assert proc.wait(timeout=60) == 1
    os.close(master)
    assert output == b"" and b"the app needs a terminal" in shown


def test_textuals_web_driver_runs_over_pipes(tmp_path):
    """textual-serve (and a future ``rapport serve``) starts the app with TEXTUAL_DRIVER set to
    the web driver and pipes for its streams: that is let through; other drivers are not (in
    turn in one process, $TEXTUAL_DRIVER set for each run alone)."""
    drivers = ("textual.drivers.web_driver:WebDriver",
               "textual.drivers.headless_driver:HeadlessDriver", "no.such:Driver")
    out, *others = rapport_each(*[(("--home", tmp_path), None, {"TEXTUAL_DRIVER": driver})
                                  for driver in drivers], prelude=NO_APP)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"APP ")
    for driver, out in zip(drivers[1:], others, strict=True):
        assert out.returncode == 1 and b"needs a terminal" in out.stderr, driver


# ---------------------------------------------------------------------- how a command ends
def test_ctrl_c_at_the_passphrase_prompt_exits_130_without_a_traceback(tmp_path):
    home = tmp_path / "home"
    proc, master = in_terminal(argv("--home", home, "init"))
    shown = read_until(master, b"New passphrase:")
    assert b"cannot be recovered" in shown.split(b"New passphrase:")[0]  # said before asking
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    shown += read_until(master, b"interrupted")
    os.close(master)
    assert b"rapport: interrupted" in shown and b"Traceback" not in shown
    assert not (home / "vault.db").exists()


def test_ctrl_c_while_a_command_waits_exits_130(vault, tmp_path):
    """Interrupted while it waits for its passphrase pipe (not at a prompt)."""
    home, _ = vault
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(argv("--home", home, "list", "--passphrase-file", fifo),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    writer = None
    while writer is None:  # the command has the pipe open for reading once a writer can open it
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    os.close(writer)
    assert proc.returncode == 130
    assert err.decode().strip() == "rapport: interrupted" and out == b""


def test_a_closed_reader_ends_a_command_quietly_with_141(vault):
    """``rapport list | head``: the reader leaves before the output is written."""
    home, pw = vault
    proc = subprocess.Popen(argv("--home", home, "--passphrase-file", pw, "list"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141 and err == b""
    out = rapport("--home", home, "--passphrase-file", pw, "list")  # read to the end: all of it
    assert out.returncode == 0 and out.stderr == b""
    assert out.stdout.count(b"\n") == 2 and b"First" in out.stdout


#: The child writes its first line, then waits until its reader has left (POLLERR on the pipe)
#: before it writes the next: the reader leaves mid-output, every time.
READER_LEAVES = """import select, tui.format
_echo = tui.format.click.echo
def echo(*args, **kwargs):
    _echo(*args, **kwargs)
    if not kwargs.get("err"):
        tui.format.click.echo = _echo
        poll = select.poll()
        poll.register(1, select.POLLERR)
        poll.poll(30000)
tui.format.click.echo = echo
"""


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_leaving_mid_output_ends_it_quietly_with_141(vault, unbuffered):
    """``rapport people | head -1``. Python's buffered standard output (the default; a
    PYTHONUNBUFFERED=1 environment hid it) kept the line that failed and tried it again at
    exit: "Exception ignored ... BrokenPipeError" and status 120."""
    home, pw = vault
    env = clean_env(PYTHONUNBUFFERED=unbuffered)
    if not unbuffered:
        del env["PYTHONUNBUFFERED"]
    proc = subprocess.Popen(argv("--home", home, "--passphrase-file", pw, "people",
                                 code=READER_LEAVES + MAIN),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout.readline().startswith(b"NAME")
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141 and err == b""


def test_a_command_ends_normally(vault):
    """No os._exit: the interpreter's exit handlers run after the vault is closed."""
    home, pw = vault
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('exit handlers ran', file=sys.stderr))\n") + MAIN
    out = rapport("--home", home, "--passphrase-file", pw, "jot", "--with", "Ana", "hello",
                  code=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"jot saved for Ana") and out.stderr == b"exit handlers ran\n"


@pytest.mark.slow
def test_init_and_jot_on_production_parameters(tmp_path):
    """The real entry point with nothing injected: production Argon2id, a wrong passphrase one
    line and nothing written."""
    code = "from tui.cli import main\nmain()\n"
    home, right, wrong = tmp_path / "home", tmp_path / "right", tmp_path / "wrong"
    right.write_text("a production passphrase\n")
    wrong.write_text("not it\n")
    made, out = rapport_each(  # in turn in one process, ``obj`` not given (OBJ = None)
        (("--home", home, "init", "--passphrase-file", right), None),
        (("--home", home, "--passphrase-file", right, "jot", "--with", "Ana", "hi"), None),
        prelude="OBJ = None\n")
    assert made.returncode == 0, made.stderr
    assert out.returncode == 1 and out.stderr == b"rapport: error: no person called 'Ana'\n"
    before = (home / "vault.db").read_bytes()
    out = rapport("--home", home, "--passphrase-file", wrong, "list", code=code)
    assert out.returncode == 1
    assert out.stderr.decode().startswith("rapport: error: wrong passphrase")
    assert (home / "vault.db").read_bytes() == before
