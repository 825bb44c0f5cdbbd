"""``rapport serve`` as a command: a real process serving the real app, stopped with Ctrl+C
(SIGINT); the addresses it refuses; one line for what goes wrong before it listens."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from clitools import rapport_each

EXE = [sys.executable, "-c", "from tui.cli import main; main()"]
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def rapport(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, "--home", str(home), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_only_loopback_addresses_are_accepted(tmp_path):
    """Each refused before anything starts: in turn in one process (clitools.rapport_each)."""
    hosts = ["0.0.0.0", "192.168.1.20", "localhost"]
    runs = rapport_each(*[(("--home", tmp_path / "home", "serve", "--host", host), None)
                          for host in hosts], timeout=60)
    for host, out in zip(hosts, runs, strict=True):
        assert out.returncode == 2, host
        assert out.stderr == (f"rapport: error: --host must be 127.0.0.1 or ::1, not {host!r}: "
                              "rapport serve only listens on this machine "
                              "(see 'rapport serve --help')\n").encode(), host
        assert out.stdout == b"", host


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = rapport(tmp_path / "home", "serve", "--port", str(port))
    assert out.returncode == 1
    assert re.fullmatch(rf"rapport: error: cannot listen on 127\.0\.0\.1 port {port}: .+\n",
                        out.stderr), out.stderr
    assert "token=" not in out.stdout


def test_a_file_that_is_not_a_vault_is_one_line_before_listening(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "vault.db").write_bytes(b"not a database" * 100)
    out = rapport(home, "serve")
    assert out.returncode == 1 and out.stderr.startswith("rapport: error: ")
    assert out.stderr.count("\n") == 1 and "token=" not in out.stdout


def app_processes(home: Path) -> list[int]:
    """Pids of the served app processes on ``home`` (their command lines name it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"from tui.serve.child import main; main()" in cmdline \
                    and str(home).encode() in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
async def test_serving_the_app_then_ctrl_c(tmp_path):
    """The printed URL opens the app (a new vault's screen, over the websocket); Ctrl+C stops
    the app and the server, exit status 0; the token is printed once and nowhere else."""
    home = tmp_path / "home"
    proc = await asyncio.create_subprocess_exec(
        *EXE, "--home", str(home), "serve", stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        printed = b""
        while b"token=" not in printed:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line, printed
            printed += line
        url = re.search(rb"http://127\.0\.0\.1:\d+/\?token=[\w-]+", printed).group().decode()
        origin = url.split("/?")[0]
        token = url.split("token=")[1]
        assert len(token) >= 43
        jar = aiohttp.CookieJar(unsafe=True)  # cookies from an IP address
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(url) as page:
                assert page.status == 200 and str(page.url) == origin + "/"
            async with session.ws_connect(origin + "/ws?width=80&height=24",
                                          origin=origin) as ws:
                screen = ""
                while "Choose a passphrase" not in screen:
                    message = await asyncio.wait_for(ws.receive(), 30)
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    screen += ANSI.sub("", message.data.decode("utf-8", "replace"))
                assert len(app_processes(home)) == 1
                proc.send_signal(signal.SIGINT)
                while (await asyncio.wait_for(ws.receive(), 30)).type == aiohttp.WSMsgType.BINARY:
                    pass
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err
    out = printed + out
    assert out.endswith(b"Stopped. The app saved and closed the vault.\n")
    assert (out + err).count(token.encode()) == 1
    assert err == b""
    assert app_processes(home) == []
    assert not (home / "vault.db").exists()  # nothing was created: the page only offered it
