"""Frame stamps for Textual apps, identical for the floors and for Rapport.

``install(on_frame)`` wraps ``textual.app.App._display`` (what writes each compositor update to the
terminal) and calls ``on_frame(app, t_ns)`` after every frame, with CLOCK_MONOTONIC nanoseconds.

Headless (``run_test``), Textual skips turning an update into escape sequences; the wrapper does
that work (``render_segments``) and drops the text, so in-process timings include what a terminal
frame costs, the write itself aside. Stdlib only at import time; textual is imported by install().
"""

from __future__ import annotations

import time
from typing import Callable

Hook = Callable[[object, int], None]
_hooks: list[Hook] = []
_installed = False
run_ns = 0  # when App.run was entered (after the imports and the app's construction)


def now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def cpu_ns() -> int:
    """CPU time this process has used so far (all threads, user + system), in nanoseconds."""
    return time.process_time_ns()


def peak_kib() -> int:
    """This process's peak RSS so far (VmHWM), in KiB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def install(on_frame: Hook | None = None, *, render_headless: bool = True) -> None:
    global _installed
    if on_frame is not None:
        _hooks.append(on_frame)
    if _installed:
        return
    _installed = True
    from textual.app import App

    original = App._display
    original_run = App.run

    def run(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - Textual's signature
        global run_ns
        run_ns = now_ns()
        return original_run(self, *args, **kwargs)

    App.run = run

    def _display(self, screen, renderable):  # noqa: ANN001 - Textual's signature
        if renderable is None or self._batch_count:
            return original(self, screen, renderable)
        if render_headless and self.is_headless:
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(self.console)
        result = original(self, screen, renderable)
        t = now_ns()
        for hook in list(_hooks):
            hook(self, t)
        return result

    App._display = _display


def remove(on_frame: Hook) -> None:
    if on_frame in _hooks:
        _hooks.remove(on_frame)
