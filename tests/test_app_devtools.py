"""Developer tools never see a secret: the app refuses to start when Textual's devtools feature
is on or TEXTUAL_LOG names a file (both would get every key typed), in one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from textual import constants

from store.paths import Paths
from tui.app import RapportApp
from tui.launch import Refused, make_app

LAUNCH = ("from pathlib import Path; from tui.env import Env; from tui.launch import run_app;"
          " import sys; run_app(Env(home=Path(sys.argv[1])))")


def run_launcher(home, **env) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LAUNCH, str(home)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env})


@pytest.mark.parametrize("env, says", [({"TEXTUAL": "devtools,debug"}, "developer tools"),
                                       ({"TEXTUAL_LOG": "LOG"}, "TEXTUAL_LOG")])
def test_the_launcher_refuses_in_one_line(tmp_path, env, says):
    home = tmp_path / "home"
    env = {k: str(tmp_path / v) if v == "LOG" else v for k, v in env.items()}
    out = run_launcher(home, **env)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rapport: error: ") and says in lines[0]
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert not (tmp_path / "LOG").exists() and not (home / "vault.db").exists()


def test_make_app_refuses_and_the_app_never_connects(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTUAL", "devtools")
    with pytest.raises(Refused, match="developer tools"):
        make_app(Paths.resolve(tmp_path))
    app = RapportApp(paths=Paths.resolve(tmp_path))  # built some other way: still refused
    assert "devtools" in app.features and app.devtools is None and app.refused


async def test_an_app_built_around_make_app_stops_before_a_key_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(constants, "LOG_FILE", str(tmp_path / "log"))
    app = RapportApp(paths=Paths.resolve(tmp_path))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 1


def test_no_refusal_in_a_plain_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("TEXTUAL", raising=False)
    monkeypatch.setattr(constants, "LOG_FILE", None)
    assert make_app(Paths.resolve(tmp_path)).refused is None
