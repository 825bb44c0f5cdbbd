"""``rapport serve`` in a real browser: Debian's headless ``chromium`` opens the printed URL,
unlocks a vault (a wrong passphrase first), starts a session and types a note; Ctrl+C (SIGINT)
stops the server, and the note is in the vault.

Not part of ``make test`` (the file name is not ``test_*.py``): ``make browser-test`` runs it, and
``.ci/run`` installs the browser first. Without ``chromium`` on the PATH it fails, never skips.

The browser is driven over the Chrome DevTools protocol (a websocket, with aiohttp's client). The
terminal in the page draws on a canvas, so what the app shows is read from the websocket frames
the page receives (CDP's Network events): the same bytes the page's terminal draws.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

EXE = [sys.executable, "-c", "from tui.cli import main; main()"]
PASSPHRASE = "a long passphrase for the browser test"
NOTE = "Said in the browser, kept in the vault"
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                  "--remote-debugging-port=0", "about:blank"]
#: Seconds to wait for any one thing the app should show (key derivation included).
PATIENCE = 60.0


class Browser:
    """One page of a headless chromium, over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.session = ""
        self._ids = 0
        self._waiting: dict[int, asyncio.Future] = {}
        self.frames: list[str] = []  # the app's output, as the page received it, escapes removed
        self.requests: list[str] = []
        self.sent: list[str] = []  # what the page sent the app
        self.problems: list[str] = []  # console errors, CSP violations, exceptions
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self._waiting.pop(data["id"])
                if "error" in data:
                    future.set_exception(RuntimeError(data["error"]))
                else:
                    future.set_result(data.get("result", {}))
            else:
                self._event(data["method"], data.get("params", {}))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.webSocketFrameReceived":
            frame = params["response"]
            payload = frame["payloadData"]
            raw = payload.encode() if frame["opcode"] == 1 else base64.b64decode(payload)
            self.frames.append(ANSI.sub("", raw.decode("utf-8", "replace")))
        elif method == "Network.webSocketFrameSent":
            self.sent.append(params["response"]["payloadData"])
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.problems.append(params["entry"]["text"])
        elif method == "Runtime.exceptionThrown":
            self.problems.append(json.dumps(params["exceptionDetails"])[:500])

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._ids += 1
        future = asyncio.get_running_loop().create_future()
        self._waiting[self._ids] = future
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, PATIENCE)

    async def open_page(self) -> None:
        target = await self.call("Target.createTarget", url="about:blank")
        attached = await self.call("Target.attachToTarget", targetId=target["targetId"],
                                   flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Network", "Page", "Runtime", "Log"):
            await self.call(f"{domain}.enable")

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def mark(self) -> int:
        return len(self.frames)

    async def shows(self, text: str, since: int = 0) -> None:
        """Waits until the app has drawn ``text`` (after frame ``since``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while text not in "".join(self.frames[since:]):
            if loop.time() > deadline:
                tail = "".join(self.frames)[-2000:]
                raise AssertionError(f"the page never showed {text!r}; it last showed: {tail!r}")
            await asyncio.sleep(0.05)

    async def settled(self, since: int, quiet: float = 0.3) -> None:
        """Waits until the app has drawn something after frame ``since`` and then nothing for
        ``quiet`` seconds: it has handled the keys so far (a person sees the focus move before
        typing into the next field; keys typed sooner would go to the field before)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        seen, last_change = len(self.frames), loop.time()
        while seen <= since or loop.time() - last_change < quiet:
            assert loop.time() < deadline, "the app never settled after the last key"
            await asyncio.sleep(0.05)
            if len(self.frames) != seen:
                seen, last_change = len(self.frames), loop.time()

    async def type(self, text: str) -> None:
        """Key by key, as a person types (into the page's terminal, which has the keyboard)."""
        for char in text:
            await self.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
            await self.call("Input.dispatchKeyEvent", type="keyUp", key=char)

    async def press(self, key: str, *, ctrl: bool = False) -> None:
        """Enter, or ctrl and a letter."""
        if key == "Enter":
            event = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
        else:
            event = {"key": key, "code": f"Key{key.upper()}",
                     "windowsVirtualKeyCode": ord(key.upper())}
        modifiers = 2 if ctrl else 0
        await self.call("Input.dispatchKeyEvent", type="keyDown", modifiers=modifiers, **event)
        event.pop("text", None)
        await self.call("Input.dispatchKeyEvent", type="keyUp", modifiers=modifiers, **event)


async def start_chromium(profile: Path) -> tuple[subprocess.Popen, str]:
    """A headless chromium on a new, empty profile; its DevTools websocket address."""
    binary = shutil.which("chromium")
    assert binary, "chromium is not installed (apt-get install -y chromium): this test needs it"
    browser = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while not port_file.exists() or len(port_file.read_text().split()) < 2:
        assert browser.poll() is None, f"chromium exited with {browser.returncode}"
        assert loop.time() < deadline, "chromium did not start"
        await asyncio.sleep(0.1)
    port, path = port_file.read_text().split()[:2]
    return browser, f"ws://127.0.0.1:{port}{path}"


async def start_server(home: Path) -> tuple[asyncio.subprocess.Process, str, bytes]:
    server = await asyncio.create_subprocess_exec(
        *EXE, "--home", str(home), "serve", stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.stdout is not None
    printed = b""
    while b"token=" not in printed:
        line = await asyncio.wait_for(server.stdout.readline(), PATIENCE)
        assert line, f"rapport serve printed no address: {printed!r}"
        printed += line
    match = re.search(rb"http://127\.0\.0\.1:\d+/\?token=[\w-]+", printed)
    assert match, printed
    return server, match.group().decode(), printed


def rapport(home: Path, *args: str, pw: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, "--home", str(home), "--passphrase-file", str(pw), *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


async def test_unlock_and_type_a_note_in_a_browser(tmp_path):
    home = tmp_path / "home"
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE + "\n")
    created = rapport(home, "init", pw=pw)  # production key derivation parameters
    assert created.returncode == 0, created.stderr
    server, url, printed = await start_server(home)
    origin = url.split("/?")[0]
    token = url.split("token=")[1]
    chromium, devtools = await start_chromium(tmp_path / "profile")
    try:
        async with aiohttp.ClientSession() as client, \
                client.ws_connect(devtools, max_msg_size=0) as ws:
            page = Browser(ws)
            await page.open_page()
            await page.call("Page.navigate", url=url)
            await page.shows("Enter your passphrase to unlock the vault.")
            # the terminal has the keyboard: the passphrase is typed without a click
            assert await page.evaluate("document.activeElement.className") == \
                "xterm-helper-textarea"

            # the token left the address bar and the history; the cookie is not for scripts
            assert await page.evaluate("location.href") == origin + "/"
            history = await page.call("Page.getNavigationHistory")
            assert not any(token in entry["url"] for entry in history["entries"])
            assert await page.evaluate("document.cookie") == ""

            mark = page.mark()
            await page.type("not the passphrase")
            await page.press("Enter")
            await page.shows("Wrong passphrase", since=mark)

            mark = page.mark()
            await page.type(PASSPHRASE)
            await page.press("Enter")
            await page.shows("No sessions yet", since=mark)  # the home screen

            mark = page.mark()
            await page.press("n", ctrl=True)
            await page.shows("New session", since=mark)
            await page.settled(mark)
            mark = page.mark()
            await page.press("Enter")  # the default guide; the focus moves to the name
            await page.settled(mark)
            mark = page.mark()
            await page.type("Ada")
            await page.shows("Ada", since=mark)
            mark = page.mark()
            await page.press("Enter")  # the focus moves to the title
            await page.settled(mark)
            mark = page.mark()
            await page.press("Enter")  # no title
            await page.shows("1. Check-in", since=mark)  # the session screen, notes focused
            await page.settled(mark)
            mark = page.mark()
            await page.type(NOTE)
            await page.shows(NOTE[-12:], since=mark)

            # no console error (a CSP violation, a missing file) while the app ran; once the
            # connection closes, textual.js's pings log that the websocket is closed
            assert not page.problems, page.problems
            server.send_signal(signal.SIGINT)  # Ctrl+C: the app saves, the server stops
            out, err = await asyncio.wait_for(server.communicate(), PATIENCE)
            assert server.returncode == 0, err
            assert (printed + out + err).count(token.encode()) == 1
            # the page no longer shows the app's last frame (it may hold notes)
            terminal = "getComputedStyle(document.querySelector('.textual-terminal'))"
            for _ in range(100):
                if await page.evaluate(f"{terminal}.visibility") == "hidden":
                    break
                await asyncio.sleep(0.05)
            assert await page.evaluate(f"{terminal}.visibility") == "hidden"
            assert "no longer connected" in await page.evaluate("document.body.innerText")

            assert page.requests and all(
                u.startswith(origin + "/") or u.startswith("about:") for u in page.requests), \
                page.requests
    finally:
        chromium.terminate()
        chromium.wait(timeout=30)
        if server.returncode is None:
            server.kill()
            await server.wait()

    found = rapport(home, "search", "kept in the vault", "--json", pw=pw)
    assert found.returncode == 0, found.stderr
    assert NOTE in found.stdout
    assert "Ada" in found.stdout


if __name__ == "__main__":  # python tests/browser_serve.py
    sys.exit(pytest.main([__file__, "-p", "no:cacheprovider", *sys.argv[1:]]))
