"""``make install`` (pipx, else uv, else how to get pipx), the first ``make run``'s progress, and
the README saying both right after its two commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def fake_tool(bin_dir: Path, name: str, log: Path) -> None:
    """A ``name`` on PATH that records how it was called."""
    tool = bin_dir / name
    tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
    tool.chmod(0o755)


def make_install(tmp_path: Path, *tools: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """``make install`` with only ``tools`` (fakes) on PATH besides make itself."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(MAKE, bin_dir / "make")
    log = tmp_path / "calls"
    for tool in tools:
        fake_tool(bin_dir, tool, log)
    done = subprocess.run([str(bin_dir / "make"), "-s", "-C", str(ROOT), "install"],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    return done, log.read_text() if log.exists() else ""


def test_install_uses_pipx(tmp_path):
    done, calls = make_install(tmp_path, "pipx", "uv")
    assert done.returncode == 0, done.stderr
    assert calls == "pipx install --force .\n"


def test_install_uses_uv_without_pipx(tmp_path):
    done, calls = make_install(tmp_path, "uv")
    assert done.returncode == 0, done.stderr
    assert calls == "uv tool install --force --reinstall .\n"


def test_install_without_either_says_how_to_get_pipx(tmp_path):
    done, calls = make_install(tmp_path)
    assert done.returncode != 0 and calls == ""
    assert "make install needs pipx (or uv)" in done.stderr
    assert "pipx ensurepath" in done.stderr


def test_the_first_make_run_shows_its_progress(tmp_path):
    """What ``make run`` would do in a checkout without .venv (``make -n``: nothing is run)."""
    done = subprocess.run([MAKE, "-n", "-C", str(ROOT), "run", f"VENV={tmp_path / 'venv'}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    said = [i for i, line in enumerate(lines) if line.startswith('echo "rapport: ')]
    installs = [i for i, line in enumerate(lines) if "pip install" in line and " -e ." in line]
    assert installs and said and said[0] < installs[0]  # said before the long step
    assert "--quiet" not in lines[installs[0]]  # pip's own lines are the progress
    assert any("the command is" in lines[i] for i in said if i > installs[0])


def test_the_readme_shows_the_install_right_after_its_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    assert [line.split()[:2] for line in blocks[0].splitlines()] == [["make", "run"],
                                                                   ["make", "test"]]
    assert blocks[1].split()[:2] == ["make", "install"]
    between = text[text.index(blocks[0]):text.index(blocks[1])]
    assert "## " not in between  # nothing else comes first
    assert ".venv/bin/rapport" in text and "pip install tui" in text
