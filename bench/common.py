"""Shared helpers for the benchmarks: statistics, the whole-process timer, results, paths.

Every figure the benches report is paired with a floor (or a peer) measured in the same
invocation, with runs interleaved (floor, figure, floor, figure, ...) so that drift on a noisy
machine hits both alike; ratios are taken round by round and their median is reported.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
VENV_PY = Path(sys.executable)
RAPPORT = VENV_PY.parent / "rapport"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def doc_help(doc: str | None) -> str:
    """A script's docstring as its ``--help``, each paragraph kept as written (click rewraps
    paragraphs unless a line holding only ``\\b`` comes first)."""
    return "\n\n".join("\b\n" + part for part in (doc or "").strip().split("\n\n"))


def now() -> float:
    return time.perf_counter()


def median(values: Iterable[float]) -> float:
    v = list(values)
    return statistics.median(v) if v else math.nan


def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    v = sorted(values)
    if not v:
        return math.nan
    k = max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))
    return v[k]


def ratios(a: list[float], b: list[float]) -> list[float]:
    return [x / y for x, y in zip(a, b) if y > 0]


def ms(seconds: float) -> float:
    return seconds * 1000.0


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------- results
@dataclass
class Row:
    """One line of the final table."""

    goal: str  # "G1", "I5", ...
    figure: str  # what was measured
    value: float | None  # the figure (unit in `unit`)
    floor_name: str  # what it is compared with
    floor: float | None
    unit: str = "ms"
    ratio: float | None = None  # median of round-by-round ratios (or value/floor)
    target: str = ""  # e.g. "<= 1.15x"
    holds: bool | None = None  # None: informative, or not measurable
    #: the target was missed by no more than the same floor misses it against itself (its A/A
    #: row): this machine cannot tell the figure from its noise (holds is then None)
    noise: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def fmt_num(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:g} {unit}"


def verdict(row: Row) -> str:
    if row.noise:
        return "noise"
    if row.holds is None:
        return "info" if not row.note.startswith("n/a") else "n/a"
    return "yes" if row.holds else "NO"


def render_table(rows: list[Row]) -> str:
    headers = ("row", "figure", "value", "floor / peer (same run)", "floor", "ratio", "target",
               "holds")
    body = []
    for r in rows:
        body.append((r.goal, r.figure, fmt_num(r.value, r.unit), r.floor_name,
                     fmt_num(r.floor, r.unit), "-" if r.ratio is None else f"{r.ratio:.2f}x",
                     r.target, verdict(r)))
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for b in body:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(b, widths)) + " |")
    notes = [f"- {r.goal} {r.figure}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


# ---------------------------------------------------------------------------- whole processes
def spawn_wait(argv: list[str], *, env: dict | None = None, stdin: str = os.devnull,
               stdout: str = os.devnull) -> dict:
    """Runs argv to completion; wall time around spawn..reap, CPU and peak RSS of the child."""
    exe = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    if exe is None:
        raise FileNotFoundError(argv[0])
    actions = [(os.POSIX_SPAWN_OPEN, 0, stdin, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    t0 = time.monotonic_ns()
    pid = os.posix_spawn(exe, argv, dict(os.environ if env is None else env),
                         file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.monotonic_ns()
    return {"wall_ms": (t1 - t0) / 1e6, "cpu_ms": (ru.ru_utime + ru.ru_stime) * 1e3,
            "peak_mib": ru.ru_maxrss / 1024.0, "rc": os.waitstatus_to_exitcode(status)}


def interleave(funcs: dict[str, Callable[[], dict | float]], runs: int, warmup: int = 1,
               before_each: Callable[[str], None] | None = None) -> dict[str, list]:
    """Calls every function `runs` times, round-robin (A B C A B C ...), after `warmup` rounds."""
    out: dict[str, list] = {k: [] for k in funcs}
    for rnd in range(warmup + runs):
        for name, fn in funcs.items():
            if before_each:
                before_each(name)
            value = fn()
            if rnd >= warmup:
                out[name].append(value)
    return out


# ----------------------------------------------------------------------------------- rapport
def rapport_cmd(home: Path, *args: str, passphrase_file: Path | None = None) -> list[str]:
    cmd = [str(RAPPORT), "--home", str(home)]
    if passphrase_file:
        cmd += ["--passphrase-file", str(passphrase_file)]
    return cmd + list(args)


def rapport_has(subcommand: str) -> bool:
    """Whether this checkout's `rapport` offers a subcommand (other issues add them over time)."""
    p = subprocess.run([str(RAPPORT), subcommand, "--help"], capture_output=True, text=True)
    return p.returncode == 0


# -------------------------------------------------------------------------------- environment
def versions() -> dict:
    import importlib.metadata as md
    import sqlite3

    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for dist in ("textual", "rich", "sqlite-utils", "cryptography", "click", "rapport-tui"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "-"
    return out


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem = f"{int(fh.readline().split()[1]) / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"os": f"{platform.system()} {platform.release()}", "cpu": cpu,
            "cpus": os.cpu_count(), "memory": mem}


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "store",
                                "tui", "guides"], capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def save_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
