"""Who may reach ``rapport serve``, and how often a new app may start.

The server listens on a loopback address only, but any local user, and any web page the
facilitator opens, can reach a loopback port. So every request passes the :class:`Gate`:

* its ``Host`` is the address the server printed (a page on another name that resolves to
  127.0.0.1, DNS rebinding, gets nothing);
* it carries the per-run token: in the query of the printed URL the first time, which is answered
  with an HttpOnly, SameSite=Strict cookie and a redirect to the same URL without the token (so the
  browser's history never holds it), and in that cookie after that. Both compared in constant time;
* an ``Origin``, when it has one, is the server's own; a websocket must have one.

Anything else is answered ``403`` with a line that names nothing of the request. Every answer
carries a Content-Security-Policy that lets the page load only from this server.

:class:`RateLimit` counts the app processes started (each one a fresh chance to guess the
passphrase): in the server's memory, never in the vault.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from typing import Awaitable, Callable

from aiohttp import web

#: The query parameter of the printed URL that carries the token.
TOKEN_PARAM = "token"
#: Bytes of randomness in a token (256 bits; the issue asks for at least 128).
TOKEN_BYTES = 32
#: The one line of every refusal: it says what to do and nothing about the request.
FORBIDDEN = "403: open the address that 'rapport serve' printed, in a browser on this machine\n"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def same_secret(given: str | None, token: str) -> bool:
    """Whether ``given`` is the token, in time that does not depend on where they differ."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("ascii"))


class Gate:
    """The token, the server's own address, and the middleware that checks both.

    ``bind(host, port)`` is called once the server listens (the port may be chosen by the system);
    until then every request is refused.
    """

    def __init__(self, token: str | None = None) -> None:
        self.token = token or new_token()
        self.netloc = ""  # "127.0.0.1:8000" or "[::1]:8000", set by bind()

    def bind(self, host: str, port: int) -> None:
        self.netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def origin(self) -> str:
        return f"http://{self.netloc}"

    @property
    def url(self) -> str:
        """The address to open: printed once by ``rapport serve``, never logged."""
        return f"{self.origin}/?{TOKEN_PARAM}={self.token}"

    @property
    def cookie_name(self) -> str:
        # Browsers send a host's cookies to all its ports: the port in the name keeps two servers
        # (two vaults with --home) from overwriting each other's cookie.
        return f"rapport_{self.netloc.rsplit(':', 1)[-1]}"

    def admits(self, request: web.Request) -> bool:
        """The Host, Origin and cookie checks, the token aside."""
        if not self.netloc or request.host.lower() != self.netloc:
            return False
        origin = request.headers.get("Origin")
        if origin is None:
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return False  # browsers always send one with a websocket
        elif origin != self.origin:
            return False
        return same_secret(request.cookies.get(self.cookie_name), self.token)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if TOKEN_PARAM in request.query:
            return self.exchange(request)
        if not self.admits(request):
            return forbidden()
        return await handler(request)

    def exchange(self, request: web.Request) -> web.StreamResponse:
        """The printed URL's request: the cookie, and the same URL without the token."""
        if not self.netloc or request.host.lower() != self.netloc \
                or request.method != "GET" \
                or request.headers.get("Upgrade", "").lower() == "websocket" \
                or not same_secret(request.query.get(TOKEN_PARAM), self.token):
            return forbidden()
        query = request.url.query.copy()
        query.popall(TOKEN_PARAM)
        response = web.Response(status=303, headers={
            "Location": str(request.rel_url.with_query(query))})
        response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict",
                            path="/")
        return response

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """``on_response_prepare``: every answer, pages, files and refusals alike."""
        headers = response.headers
        headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self'; img-src 'self'; connect-src ws://{self.netloc}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        headers["Cache-Control"] = "no-store"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"


def forbidden() -> web.Response:
    return web.Response(status=403, text=FORBIDDEN)


class RateLimit:
    """At most ``count`` events in any ``window`` seconds (a sliding window), on ``clock``."""

    def __init__(self, count: int = 5, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.window = window
        self.clock = clock
        self._times: deque[float] = deque()

    def wait(self) -> float:
        """Seconds until the next event is allowed (0: now)."""
        now = self.clock()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) < self.count:
            return 0.0
        return self._times[0] + self.window - now

    def take(self) -> float:
        """Counts an event and returns 0 when it is allowed; else the seconds to wait (not counted)."""
        wait = self.wait()
        if not wait:
            self._times.append(self.clock())
        return wait
