"""``rapport serve``'s web server: the page, its files, and one app process at a time.

The terminal in the page is textual-serve's (``textual.js``: xterm.js and the protocol of
Textual's web driver), and so is :class:`textual_serve.app_service.AppService`, which starts the
app process and carries bytes both ways. textual-serve's own ``Server`` is not used: it logs every
request's URL (the token with it), loads its font from Google, starts a process for every
connection, and checks neither who connects nor from which page. What it does besides is the
handful of handlers below, behind :class:`tui.serve.gate.Gate`.

One app at a time: while one is open (or still saving on its way out), a new page waits a moment
(``grace``, long enough for a reload) and is then told that Rapport is open elsewhere; so is a
websocket. New app processes are limited by a :class:`~tui.serve.gate.RateLimit`.
"""

from __future__ import annotations

import asyncio
import html
import json
import shlex
import signal
import sys
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Callable

from aiohttp import WSMsgType, web

from tui.serve.gate import Gate, RateLimit

if TYPE_CHECKING:  # pragma: no cover
    from textual_serve.app_service import AppService

    from store import Paths

#: Seconds a new page or websocket waits for the open app to close (a reload closes it first).
GRACE = 3.0
#: Seconds Ctrl+C waits for the app to save and quit.
STOP_TIMEOUT = 30.0

ALREADY_OPEN = ("Rapport is already open in another browser tab or window. Quit it there "
                "(ctrl+q) or close that tab, then connect again.")

STOPPING = "rapport serve is stopping: Rapport saves and closes the vault."


def too_many(wait: float) -> str:
    return (f"Too many new connections in the last minute. Wait {max(1, round(wait))} s, then "
            "connect again.")


def child_command(paths: Paths) -> str:
    """The shell command that starts one app process (:mod:`tui.serve.child`) on ``paths``.
    ``exec``: the process is the app itself, not a shell; ``-P``: the current directory is not
    put on ``sys.path``."""
    code = "from tui.serve.child import main; main()"
    return "exec " + shlex.join([sys.executable, "-P", "-c", code, str(paths.data_dir),
                                 str(paths.config_dir)])


def static_files() -> dict[str, Path]:
    """What the page may load (``/static/NAME``): textual-serve's terminal, its stylesheet and
    font, and this package's stylesheet. Nothing else of either directory is served."""
    import textual_serve

    theirs = Path(textual_serve.__file__).parent / "static"
    ours = Path(__file__).parent / "static"
    return {
        "js/textual.js": theirs / "js" / "textual.js",
        "css/xterm.css": theirs / "css" / "xterm.css",
        "fonts/RobotoMono-VariableFont_wght.ttf":
            theirs / "fonts" / "RobotoMono-VariableFont_wght.ttf",
        "fonts/RobotoMono-Italic-VariableFont_wght.ttf":
            theirs / "fonts" / "RobotoMono-Italic-VariableFont_wght.ttf",
        "rapport/page.css": ours / "page.css",
        "rapport/icon.svg": ours / "icon.svg",
        "rapport/page.js": ours / "page.js",
    }


def number(text: str | None, default: int, low: int, high: int) -> int:
    """An integer from a query, within [low, high]; ``default`` when it is not one."""
    try:
        value = int(text) if text is not None else default
    except ValueError:
        value = default
    return min(max(value, low), high)


class RapportServer:
    """The aiohttp app (:meth:`web_app`) around ``command``, the shell command that starts one
    app process (textual-serve's ``AppService`` runs it, with Textual's web driver)."""

    def __init__(self, command: str, gate: Gate, *, limit: RateLimit | None = None,
                 grace: float = GRACE) -> None:
        self.command = command
        self.gate = gate
        self.limit = limit or RateLimit()
        self.grace = grace
        self.stopping = False
        self.stopped_an_app = False  # whether stop() found an app open (and told it to quit)
        self._free = asyncio.Event()
        self._free.set()
        self._sockets: set[web.WebSocketResponse] = set()
        self._files = static_files()
        self._page = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))

    def web_app(self) -> web.Application:
        app = web.Application(middlewares=[self.gate.middleware])
        app.router.add_get("/", self.index)
        app.router.add_get("/ws", self.websocket)
        app.router.add_get("/static/{name:.+}", self.static)
        app.on_response_prepare.append(self.gate.add_headers)
        return app

    # ------------------------------------------------------------------ handlers
    async def index(self, request: web.Request) -> web.StreamResponse:
        if not await self.wait_free():
            return notice(409, STOPPING if self.stopping else ALREADY_OPEN)
        wait = self.limit.wait()
        if wait:
            return notice(429, too_many(wait))
        page = self._page.substitute(
            websocket_url=f"ws://{self.gate.netloc}/ws",
            font_size=number(request.query.get("fontsize"), 16, 8, 48))
        return web.Response(text=page, content_type="text/html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        path = self._files.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            if not await self.claim():
                await refuse(socket, STOPPING if self.stopping else ALREADY_OPEN, code=4409)
            elif wait := self.limit.take():
                self._free.set()
                await refuse(socket, too_many(wait), code=4429)
            else:
                # The app's life is its own task: a handler cancelled (the connection lost)
                # still lets it save and exit before the next one may start.
                app = asyncio.ensure_future(self.run_app(
                    socket, number(request.query.get("width"), 80, 10, 1000),
                    number(request.query.get("height"), 24, 5, 1000)))
                app.add_done_callback(lambda _task: self._free.set())
                await asyncio.shield(app)
        finally:
            self._sockets.discard(socket)
        return socket

    # ------------------------------------------------------------------ the one app
    async def wait_free(self) -> bool:
        """Whether no app is open, or the open one closes within ``grace`` (a reload closes the
        page's websocket, and its app saves and exits, while the new page is requested)."""
        deadline = asyncio.get_running_loop().time() + self.grace
        while not self._free.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._free.wait(), remaining)
            except TimeoutError:
                return False
        return not self.stopping

    async def claim(self) -> bool:
        """Takes the one app's place (:meth:`wait_free`, then taken before anyone else runs);
        the caller sets ``_free`` again when its app has exited."""
        if not await self.wait_free():
            return False
        self._free.clear()
        return True

    async def run_app(self, socket: web.WebSocketResponse, width: int, height: int) -> None:
        from textual_serve.app_service import AppService
        from textual_serve.download_manager import DownloadManager

        from tui.textual_compat import served_app_process

        async def send(data: bytes) -> None:
            # AppService stops reading the app when a send fails: it keeps reading until the
            # process exits (having saved), so that the next app starts after it.
            if not socket.closed:
                try:
                    await socket.send_bytes(data)
                except ConnectionError:
                    pass

        async def close() -> None:
            await socket.close()

        async def drop(_text: str) -> None:
            """The app's requests to open a URL or download a file: nothing leaves for another
            host, and files stay where the app writes them."""

        service = AppService(self.command, write_bytes=send, write_str=drop, close=close,
                             download_manager=DownloadManager())
        try:
            await service.start(width, height)
            await relay(socket, service)
        finally:
            await service.stop()  # "quit": the app saves as on ctrl+q; back when its output closes
            process = served_app_process(service)
            if process is not None:  # and the process has exited: the vault is closed
                await process.wait()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Ctrl+C: the open app quits (saving), every connection closes. False when the app did
        not exit within ``timeout``."""
        self.stopping = True
        self.stopped_an_app = not self._free.is_set()
        for socket in list(self._sockets):
            await socket.close(code=1001, message=b"rapport serve stopped")
        try:
            await asyncio.wait_for(self._free.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def relay(socket: web.WebSocketResponse, service: AppService) -> None:
    """The browser's messages to the app, as textual-serve's server passes them (what is not one
    of them is ignored), until the browser or the app closes the websocket."""
    async for message in socket:
        if message.type == WSMsgType.ERROR:
            break
        if message.type != WSMsgType.TEXT:
            continue
        try:
            kind, *rest = json.loads(message.data)  # ["focus"] and ["blur"] carry no data
        except (ValueError, TypeError):
            continue
        data = rest[0] if rest else None
        if kind == "stdin" and isinstance(data, str):
            await service.send_bytes(data.encode("utf-8", "replace"))
        elif kind == "resize" and isinstance(data, dict):
            await service.set_terminal_size(number(str(data.get("width")), 80, 10, 1000),
                                            number(str(data.get("height")), 24, 5, 1000))
        elif kind == "ping":
            await socket.send_json(["pong", data])
        elif kind == "blur":
            await service.blur()
        elif kind == "focus":
            await service.focus()


async def refuse(socket: web.WebSocketResponse, text: str, *, code: int) -> None:
    """Says ``text`` in the page's terminal, then closes the websocket."""
    await socket.send_bytes(f"\x1b[2J\x1b[H\r\n  {text}\r\n".encode("utf-8"))
    await socket.close(code=code, message=text[:100].encode("utf-8"))


def notice(status: int, text: str) -> web.Response:
    """A page that says only ``text``, styled as the app's page."""
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Rapport</title>'
            '<link rel="icon" href="/static/rapport/icon.svg" type="image/svg+xml">'
            '<link rel="stylesheet" href="/static/rapport/page.css"></head>'
            f'<body><p class="notice page">{html.escape(text)}</p></body></html>\n')
    return web.Response(status=status, text=page, content_type="text/html")


async def serve(server: RapportServer, host: str, port: int, announce: Callable[[str], None],
                stop: asyncio.Event | None = None) -> bool:
    """Listens on ``host:port`` until SIGINT, SIGTERM or SIGHUP (or ``stop`` is set), then stops
    the app (it saves) and the server. ``announce`` gets the URL to open, once; no request is
    logged (aiohttp's access log would write the token). True when the app stopped in time."""
    # shutdown_timeout: by then the app has exited (or a second Ctrl+C gave up on it)
    runner = web.AppRunner(server.web_app(), handle_signals=False, access_log=None,
                           shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        server.gate.bind(host, runner.addresses[0][1])
        loop = asyncio.get_running_loop()
        stop = stop or asyncio.Event()
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        for number_ in signals:
            loop.add_signal_handler(number_, stop.set)
        try:
            announce(server.gate.url)
            await stop.wait()
            stopping = asyncio.ensure_future(server.stop())
            for number_ in signals:  # a second Ctrl+C stops waiting for the app
                loop.add_signal_handler(number_, stopping.cancel)
            try:
                return await stopping
            except asyncio.CancelledError:
                return False
        finally:
            for number_ in signals:
                loop.remove_signal_handler(number_)
    finally:
        await runner.cleanup()
