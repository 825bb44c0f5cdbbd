"""``rapport serve`` at the HTTP level: the token and its cookie, the 403s, the Origin and Host
checks, one app at a time, the rate of new apps, and stopping.

A real aiohttp server on a free loopback port, driven by aiohttp's client; the app process is
``tests/serve_stub_app.py`` (the web driver's protocol without Textual), which logs what it was
told. The served app itself is tested in test_serve_app.py and, in a browser, by
``make browser-test``.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import os
import re
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from tui.serve.gate import TOKEN_BYTES, Gate, RateLimit, new_token
from tui.serve.server import RapportServer, serve

STUB = Path(__file__).parent / "serve_stub_app.py"


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Served:
    client: TestClient
    server: RapportServer
    gate: Gate
    log: Path
    ticks: Ticks

    @property
    def origin(self) -> str:
        return self.gate.origin

    def events(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    async def log_in(self) -> None:
        response = await self.client.get(f"/?token={self.gate.token}")
        assert response.status == 200

    async def connect(self, **kw) -> aiohttp.ClientWebSocketResponse:
        kw.setdefault("origin", self.origin)
        return await self.client.ws_connect("/ws?width=100&height=30", **kw)

    async def wait_for_event(self, event: str) -> None:
        for _ in range(500):
            if event in self.events():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{event!r} not in {self.events()}")


@pytest.fixture
def quit_seconds() -> float:
    """How long the stub app takes to quit (override per test by parametrizing)."""
    return 0.0


@pytest.fixture
async def served(tmp_path, quit_seconds):
    log = tmp_path / "stub.log"
    gate = Gate()
    ticks = Ticks()
    command = shlex.join([sys.executable, str(STUB), str(log), str(quit_seconds)])
    server = RapportServer(command, gate,
                           limit=RateLimit(count=3, window=60.0, clock=ticks), grace=0.3)
    client = TestClient(TestServer(server.web_app(), host="127.0.0.1"))
    await client.start_server()
    gate.bind("127.0.0.1", client.port)
    try:
        yield Served(client, server, gate, log, ticks)
    finally:
        await server.stop(timeout=10)
        await client.close()
        gc.collect()  # the app processes' transports, while their loop still runs


async def first_bytes(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    message = await asyncio.wait_for(ws.receive(), 10)
    assert message.type == WSMsgType.BINARY, message
    return message.data


async def closed(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Reads until the server closes the websocket; its close code."""
    while True:
        message = await asyncio.wait_for(ws.receive(), 10)
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
            return ws.close_code


# ---------------------------------------------------------------------- the token and its cookie
def test_tokens_are_long_and_new_each_run():
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20
    assert TOKEN_BYTES * 8 >= 128
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes, URL-safe base64
    assert Gate().token != Gate().token


async def test_the_token_url_sets_a_strict_cookie_and_redirects_without_the_token(served):
    response = await served.client.get(f"/?fontsize=20&token={served.gate.token}",
                                       allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/?fontsize=20"
    assert served.gate.token not in response.headers["Location"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{served.gate.cookie_name}={served.gate.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # followed: the page, on the cookie alone
    page = await served.client.get("/")
    assert page.status == 200 and 'id="terminal"' in await page.text()


@pytest.mark.parametrize("path", ["/", "/static/js/textual.js", "/static/rapport/page.css",
                                  "/ws", "/nothing-here"])
async def test_without_the_cookie_or_token_everything_is_forbidden(served, path):
    response = await served.client.get(path)
    assert response.status == 403
    assert served.gate.token not in await response.text()


async def test_a_websocket_without_the_cookie_is_forbidden(served):
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await served.connect()
    assert refused.value.status == 403
    assert served.events() == []  # no app was started


@pytest.mark.parametrize("wrong", ["", "x", "not-the-token", "TOKEN-with-one-more-char"])
async def test_a_wrong_token_or_cookie_is_forbidden(served, wrong):
    wrong = wrong.replace("TOKEN", served.gate.token)
    assert (await served.client.get(f"/?token={wrong}", allow_redirects=False)).status == 403
    served.client.session.cookie_jar.update_cookies({served.gate.cookie_name: wrong})
    assert (await served.client.get("/")).status == 403


async def test_token_and_cookie_are_compared_in_constant_time(served, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def compare(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare)
    await served.log_in()  # the token in the query, then the cookie
    assert (await served.client.get("/static/rapport/page.css")).status == 200
    token = served.gate.token.encode()
    assert len(calls) >= 3 and all(b == token for _a, b in calls)


async def test_a_request_for_another_host_name_is_forbidden(served):
    """DNS rebinding: a page on a name that resolves to 127.0.0.1 reaches the port, but its
    requests carry that name as Host."""
    await served.log_in()
    headers = {"Host": f"rebound.example:{served.client.port}"}
    assert (await served.client.get("/", headers=headers)).status == 403
    token_url = f"/?token={served.gate.token}"
    assert (await served.client.get(token_url, headers=headers, allow_redirects=False)).status == 403


async def test_every_answer_confines_the_page_to_this_server(served):
    await served.log_in()
    for path in ("/", "/static/js/textual.js", "/nothing"):
        response = await served.client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert f"connect-src ws://127.0.0.1:{served.client.port}" in policy
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


async def test_the_page_loads_nothing_from_another_host(served):
    """The page, its stylesheets and fonts come from this server: every URL in them is a path
    here (textual-serve's page loads its font from Google)."""
    await served.log_in()
    page = await (await served.client.get("/")).text()
    css = await (await served.client.get("/static/rapport/page.css")).text()
    xterm = await (await served.client.get("/static/css/xterm.css")).text()
    urls = re.findall(r'(?:src|href)="([^"]*)"', page) + re.findall(r'url\("?([^")]*)', css + xterm)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "googleapis" not in page + css
    for url in urls:
        assert (await served.client.get(url)).status == 200, url
    assert 'data-session-websocket-url="ws://127.0.0.1:' in page


async def test_only_the_listed_static_files_are_served(served):
    await served.log_in()
    assert (await served.client.get("/static/images/background.png")).status == 404
    assert (await served.client.get("/static/../page.html")).status in (403, 404)
    assert (await served.client.get("/static/js/")).status == 404


# ---------------------------------------------------------------------- the websocket's Origin
@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:{port}",
                                    "http://127.0.0.1:1", "https://127.0.0.1:{port}"])
async def test_a_websocket_from_another_origin_is_forbidden(served, origin):
    await served.log_in()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await served.connect(origin=origin.format(port=served.client.port))
    assert refused.value.status == 403
    assert served.events() == []


async def test_a_websocket_without_an_origin_is_forbidden(served):
    await served.log_in()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await served.client.ws_connect("/ws")  # aiohttp's client sends no Origin unless told
    assert refused.value.status == 403


async def test_a_websocket_from_its_own_page_runs_the_app(served):
    await served.log_in()
    ws = await served.connect()
    assert b"ready for input" in await first_bytes(ws)
    await ws.send_json(["stdin", "hello"])
    assert await first_bytes(ws) == b"echo: hello"
    await ws.send_json(["ping", "42"])
    assert (await ws.receive_json(timeout=10)) == ["pong", "42"]
    await ws.send_str("not json")  # ignored
    await ws.send_json(["resize", {"width": 120, "height": 40}])
    await served.wait_for_event("meta resize")
    await ws.send_json(["blur"])  # textual.js sends these without data
    await ws.send_json(["focus"])
    await served.wait_for_event("meta focus")
    assert served.events()[-2:] == ["meta blur", "meta focus"]
    await ws.close()
    await served.wait_for_event("quit")  # the browser left: the app is told to quit (and save)
    assert served.events()[0] == "started 100x30"


# ---------------------------------------------------------------------- one app at a time
async def test_a_second_connection_is_told_the_app_is_already_open(served):
    await served.log_in()
    first = await served.connect()
    await first_bytes(first)
    second = await served.connect()
    told = await first_bytes(second)
    assert b"already open in another browser tab" in told
    assert await closed(second) == 4409
    # and a second page says so too
    page = await served.client.get("/")
    assert page.status == 409 and "already open" in await page.text()
    assert served.events().count("started 100x30") == 1
    # once the first has gone (its app quit), a new one runs
    await first.close()
    third = await served.connect()
    assert b"ready for input" in await first_bytes(third)
    assert served.events().count("started 100x30") == 2
    await third.close()


async def test_a_reload_waits_for_the_old_app_to_quit(served):
    await served.log_in()
    first = await served.connect()
    await first_bytes(first)
    await first.close()  # a reload: the old page's websocket closes as the new one connects
    second = await served.connect()
    assert b"ready for input" in await first_bytes(second)
    events = served.events()
    assert events.index("quit") < len(events) - 1 and events[-1].startswith("started")
    await second.close()


# ---------------------------------------------------------------------- the rate of new apps
async def test_new_apps_are_limited_to_a_few_a_minute(served):
    await served.log_in()
    for _ in range(3):
        ws = await served.connect()
        await first_bytes(ws)
        await ws.close()
        served.ticks.now += 5
    page = await served.client.get("/")
    assert page.status == 429 and "Too many new connections" in await page.text()
    limited = await served.connect()
    assert b"Too many new connections in the last minute. Wait 45 s" in await first_bytes(limited)
    assert await closed(limited) == 4429
    assert served.events().count("started 100x30") == 3
    served.ticks.now += 45  # the first of the three leaves the window
    again = await served.connect()
    assert b"ready for input" in await first_bytes(again)
    await again.close()


def test_the_rate_limit_is_a_sliding_window():
    ticks = Ticks()
    limit = RateLimit(count=2, window=60.0, clock=ticks)
    assert limit.take() == 0
    ticks.now += 20
    assert limit.take() == 0
    ticks.now += 10
    assert limit.take() == 30.0  # refused (not counted) until the first is a minute old
    assert limit.wait() == 30.0
    ticks.now += 30
    assert limit.take() == 0
    assert limit.take() == 20.0  # the second is a minute old in 20 s


# ---------------------------------------------------------------------- stopping
@pytest.mark.parametrize("quit_seconds", [0.5])
async def test_stopping_tells_the_app_to_quit_and_closes_the_page(served):
    """The app takes a while to save and quit: stopping waits for it, even though the page's
    connection is gone meanwhile (aiohttp then cancels the websocket's handler)."""
    await served.log_in()
    ws = await served.connect()
    await first_bytes(ws)
    closing = asyncio.ensure_future(closed(ws))  # the page reads on, as a browser does
    assert await served.server.stop(timeout=10)
    assert served.server.stopped_an_app
    assert served.events()[-1] == "quit"  # the app was told to quit and exited before stop returned
    assert await closing == 1001
    page = await served.client.get("/")
    assert page.status == 409 and "is stopping" in await page.text()  # no new app after Ctrl+C
    late = await served.connect()
    assert b"rapport serve is stopping" in await first_bytes(late)
    assert served.events().count("started 100x30") == 1


async def test_the_url_is_announced_once_and_never_logged(tmp_path, caplog):
    """Every logger at DEBUG: the token appears in no record (aiohttp's access log, left on,
    would write the printed URL's request line)."""
    caplog.set_level(logging.DEBUG)
    log = tmp_path / "stub.log"
    server = RapportServer(shlex.join([sys.executable, str(STUB), str(log)]), Gate())
    announced: list[str] = []
    stop = asyncio.Event()
    running = asyncio.ensure_future(serve(server, "127.0.0.1", 0, announced.append, stop))
    while not announced:
        await asyncio.sleep(0.01)
    url = announced[0]
    origin = url.split("/?")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        assert (await session.get(url)).status == 200
        assert (await session.get(origin + "/nothing")).status == 404
        assert (await session.get(origin + "/?token=wrong")).status == 403
        async with session.ws_connect(origin + "/ws", origin=origin) as ws:
            await first_bytes(ws)
            stop.set()
            assert await asyncio.wait_for(running, 20)
    logging.getLogger("aiohttp.access").debug("canary")
    assert announced == [url]
    assert "canary" in caplog.text  # the loggers were listening
    assert server.gate.token not in caplog.text
    gc.collect()


async def test_a_second_ctrl_c_stops_waiting_for_the_app(tmp_path):
    """Ctrl+C tells the app to quit and waits; pressed again, the server stops waiting (the app,
    told to quit, finishes saving on its own)."""
    log = tmp_path / "stub.log"
    server = RapportServer(shlex.join([sys.executable, str(STUB), str(log), "3"]), Gate())
    served = Served(None, server, server.gate, log, Ticks())  # type: ignore[arg-type]
    announced: list[str] = []
    running = asyncio.ensure_future(serve(server, "127.0.0.1", 0, announced.append))
    while not announced:  # the signal handlers are in place before the address is announced
        await asyncio.sleep(0.01)
    origin = announced[0].split("/?")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await session.get(announced[0])
        async with session.ws_connect(origin + "/ws", origin=origin) as ws:
            await first_bytes(ws)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C
            await served.wait_for_event("quitting")
            os.kill(os.getpid(), signal.SIGINT)  # and again
            assert await asyncio.wait_for(running, 10) is False
            assert "quit" not in served.events()  # it was still saving
    await served.wait_for_event("quit")
    assert await server.stop(timeout=10)  # the app's task has ended
    gc.collect()
