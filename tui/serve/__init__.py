"""``rapport serve``: the app in a browser on this machine, behind a per-run token.

* :mod:`tui.serve.gate`: who may come in (token, cookie, Host and Origin checks, response headers),
  and how often a new app may start (:class:`~tui.serve.gate.RateLimit`).
* :mod:`tui.serve.server`: the aiohttp app (page, static files, the websocket), one app process
  at a time through textual-serve's ``AppService``, and the run loop (Ctrl+C stops it cleanly).
* :mod:`tui.serve.child`: the app process itself (Textual's web driver over pipes): slows failed
  unlocks, saves on the server's quit, and quits when the server is gone.
* :mod:`tui.serve.cli`: the ``rapport serve`` command.

Nothing here is imported unless ``rapport serve`` runs.
"""
