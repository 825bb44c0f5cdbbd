"""A bare ``rapport`` starts the app without importing click (performance goal G1); every other
command line still goes through click, and errors read the same either way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import bare_app_args


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("RAPPORT_HOME", "RAPPORT_PASSPHRASE_FILE", "_RAPPORT_COMPLETE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_bare_command_lines(clean_env, tmp_path):
    home, pw = tmp_path / "home", tmp_path / "pw"
    pw.write_text("x\n")
    assert bare_app_args([]) == {"home": None, "passphrase_file": None}
    assert bare_app_args(["--home", str(home)]) == {"home": home, "passphrase_file": None}
    assert bare_app_args([f"--home={home}", "--passphrase-file", str(pw)]) == {
        "home": home, "passphrase_file": pw}
    assert bare_app_args(["--passphrase-file", str(tmp_path / "missing")]) == {
        "home": None, "passphrase_file": tmp_path / "missing"}
    assert bare_app_args(["--home", str(tmp_path)])["home"] == tmp_path  # an existing directory


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--version"], ["init"], ["locate"], ["--home"], ["--home="],
    ["--home", "a", "--home", "b"], ["--home", "-x"], ["--", "x"], ["--hom", "a"],
    ["--home", "a", "new"],
])
def test_everything_else_is_clicks(clean_env, args):
    assert bare_app_args(args) is None


def test_values_click_would_refuse_are_clicks(clean_env, tmp_path):
    a_file = tmp_path / "f"
    a_file.write_text("")
    assert bare_app_args(["--home", str(a_file)]) is None  # "Directory ... is a file"
    assert bare_app_args(["--passphrase-file", str(tmp_path)]) is None  # "... is a directory"
    clean_env.setenv("RAPPORT_HOME", str(a_file))
    assert bare_app_args([]) is None


def test_environment(clean_env, tmp_path):
    clean_env.setenv("RAPPORT_HOME", str(tmp_path))
    clean_env.setenv("RAPPORT_PASSPHRASE_FILE", "")  # empty: unset, as for click
    assert bare_app_args([]) == {"home": tmp_path, "passphrase_file": None}
    assert bare_app_args(["--home", "/elsewhere"])["home"] == Path("/elsewhere")
    clean_env.setenv("_RAPPORT_COMPLETE", "bash_complete")
    assert bare_app_args([]) is None


def run_main(tmp_path, args, run_app_body=None):
    """``tui.cli.main(args)`` in a fresh interpreter; ``run_app_body`` replaces run_app's."""
    code = ["import sys", "import tui.launch"]
    if run_app_body:
        code += ["def fake(env, start=None):"] + [f"    {line}" for line in run_app_body]
        code += ["tui.launch.run_app = fake"]
    code += ["from tui.cli import main", f"main({args!r})"]
    return subprocess.run([sys.executable, "-c", "\n".join(code)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, cwd=tmp_path)


def test_bare_app_starts_without_click(tmp_path):
    out = run_main(tmp_path, ["--home", str(tmp_path)], [
        "print('click' in sys.modules, env.paths.vault, env.passphrase_file)",
        "raise SystemExit(0)"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", str(tmp_path / "vault.db"), "None"]


@pytest.mark.parametrize("body, message, code", [
    (["raise OSError(13, 'Permission denied', '/x/vault.db')"],
     "rapport: error: /x/vault.db: Permission denied", 1),
    (["from store.errors import VaultBusy", "raise VaultBusy('the vault is already open')"],
     "rapport: error: the vault is already open", 1),
    (["raise ValueError('secret note text')"],
     "rapport: error: unexpected ValueError; nothing else was changed", 1),
    (["raise KeyboardInterrupt"], "Aborted!", 1),
])
def test_errors_read_as_through_click(tmp_path, body, message, code):
    out = run_main(tmp_path, ["--home", str(tmp_path)], body)
    assert out.returncode == code
    assert out.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in out.stderr and "secret" not in out.stderr


def test_not_a_vault_one_line(tmp_path):
    (tmp_path / "vault.db").write_bytes(b"not sqlite" * 20)
    out = run_main(tmp_path, ["--home", str(tmp_path)])
    assert out.returncode == 1
    assert out.stderr == f"rapport: error: {tmp_path / 'vault.db'} is not a Rapport vault (left untouched)\n"


def test_click_names_still_reachable_from_tui_cli():
    import tui.cli
    import tui.cli_root

    assert tui.cli.cli is tui.cli_root.cli
    assert tui.cli.build_cli() is tui.cli_root.cli
    assert tui.cli.fail("x").format_message() == "x"
    with pytest.raises(AttributeError):
        tui.cli.no_such_name  # noqa: B018
