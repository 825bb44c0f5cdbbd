#!/usr/bin/env python3
"""The floor apps: a minimal Textual app, and one with an N-row DataTable.

    floor_app.py [--rows N] [--exit-on-frame]

Run as a script (under tmux by bench/tmux_bench.py), it appends ``key=value`` stamps
(CLOCK_MONOTONIC ns) to the file named by $BENCH_FRAME_OUT: ``frame=`` after the first frame is
written (with ``run=``, ``cpu=``, ``hwm_kib=`` and ``modules=``, as bench/rapport_probe.py
stamps them), ``ready=`` when Textual posts Ready. With --exit-on-frame it exits right after the first
frame; otherwise it waits for ctrl+q (Textual's own quit binding), the floor of the quit time.
Imported (by bench/tui_bench.py), it offers the same widgets for in-process floors.
Hand-rolled argument parsing and no json: the floor should carry no avoidable import.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frame_hook  # noqa: E402

from textual.app import App, ComposeResult  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable, Static  # noqa: E402

COLUMNS = ("Date", "Participant", "Guide", "Length", "Status", "Open")


def row(i: int) -> tuple[str, ...]:
    """A row shaped like the home list's (same columns, similar widths)."""
    return (f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} {9 + i % 9:02d}:{i % 60:02d}",
            f"Person Number {i % 200}", "1-on-1", f"{20 + i % 40}m",
            "ended" if i % 50 else "● active", str(i % 4 or ""))


class FloorTable(DataTable):
    pass


def fill(table: DataTable, rows: int) -> None:
    for label in COLUMNS:
        table.add_column(label)
    table.add_rows(row(i) for i in range(rows))


class TableScreen(Screen):
    """A screen holding an N-row DataTable, rows added in on_mount (before its first frame)."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield FloorTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        fill(self.query_one(FloorTable), self.rows)


class FloorApp(App):
    def __init__(self, rows: int = 0, *, exit_on_frame: bool = False, out: str | None = None):
        super().__init__()
        self.rows = rows
        self.exit_on_frame = exit_on_frame
        self.out = out
        self._framed = False

    def compose(self) -> ComposeResult:
        if self.rows:
            yield FloorTable(cursor_type="row", zebra_stripes=True)
        else:
            yield Static("first frame")

    def on_mount(self) -> None:
        if self.rows:
            fill(self.query_one(FloorTable), self.rows)

    def on_ready(self) -> None:
        self._stamp("ready", frame_hook.now_ns())

    def _stamp(self, key: str, t: int) -> None:
        if self.out:
            with open(self.out, "a", encoding="ascii") as fh:
                fh.write(f"{key}={t}\n")

    def frame(self, app, t: int) -> None:
        if app is not self or self._framed:
            return
        self._framed = True
        self._stamp("frame", t)
        self._stamp("run", frame_hook.run_ns)
        self._stamp("cpu", frame_hook.cpu_ns())
        self._stamp("hwm_kib", frame_hook.peak_kib())
        self._stamp("modules", len(sys.modules))
        if self.exit_on_frame:
            self.exit()


def main(argv: list[str]) -> int:
    rows, exit_on_frame = 0, False
    it = iter(argv)
    for a in it:
        if a == "--rows":
            rows = int(next(it))
        elif a == "--exit-on-frame":
            exit_on_frame = True
        else:
            print(__doc__, file=sys.stderr)
            return 2
    app = FloorApp(rows, exit_on_frame=exit_on_frame, out=os.environ.get("BENCH_FRAME_OUT"))
    frame_hook.install(app.frame)
    app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
