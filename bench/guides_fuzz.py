"""How long the guide loader takes on hostile input, as a ratio to loading a real guide.

The correctness half lives in ``tests/test_guides_fuzz.py`` (every input gives a Guide or one
clean GuideError); this is the timing half, which tests must not assert. Each case is timed as
the best of a few runs and compared with parsing the largest built-in guide in the same run.

    .venv/bin/python bench/guides_fuzz.py          # a table, one line per case
    .venv/bin/python bench/guides_fuzz.py --json   # the same as JSON, for bench/run.py

Budgets (the old test limits, kept as the rows' meaning): every case well under 2 s on this
2-core machine; ``many-problems`` (80,000 unknown keys) under 3 s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import doc_help  # noqa: E402
from guides.loader import BUILTIN_IDS, MAX_BYTES, GuideError, builtin_source, parse_guide  # noqa: E402

BUDGET_S = {"many-problems": 3.0}
DEFAULT_BUDGET_S = 2.0


def cases() -> dict[str, str]:
    out: dict[str, str] = {}
    for depth in (1000, 100_000, 400_000):
        out[f"nested-arrays-{depth}"] = ("a = " + "[" * depth + "]" * depth)[:MAX_BYTES]
        out[f"dotted-key-{depth}"] = ("a." + ".".join(["b"] * depth) + " = 1\n")[:MAX_BYTES]
        out[f"table-header-{depth}"] = ("[" + ".".join(["a"] * depth) + "]\nx = 1\n")[:MAX_BYTES]
        out[f"inline-tables-{depth}"] = ("a = " + "{ b = " * depth + "1" + " }" * depth)[:MAX_BYTES]
    out["many-problems"] = "".join(f"k{i} = 1\n" for i in range(80_000))
    out["long-blank-line"] = " " * 900_000 + "!"
    out["long-open-header"] = "[" + " " * 900_000
    out["long-string"] = "x = '" + "." * 900_000 + "'\n"
    out["long-dotted-words"] = ("." + "a" * 10_000) * 95
    return out


def best_of(text: str | bytes, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        try:
            parse_guide(text, source="bench.toml")
        except GuideError:
            pass
        best = min(best, time.perf_counter() - started)
    return best


@click.command(help=doc_help(__doc__))
@click.option("--json", "as_json", is_flag=True, help="the table as JSON, for bench/run.py")
@click.option("--runs", type=int, default=3, show_default=True)
def main(as_json: bool, runs: int) -> None:
    largest = max((builtin_source(g) for g in BUILTIN_IDS), key=len)
    floor = best_of(largest, max(runs, 5))
    rows = []
    for name, text in cases().items():
        seconds = best_of(text, runs)
        budget = BUDGET_S.get(name, DEFAULT_BUDGET_S)
        rows.append({"case": name, "seconds": round(seconds, 4),
                     "ratio_to_builtin": round(seconds / floor, 1), "budget_s": budget,
                     "holds": seconds < budget})
    if as_json:
        print(json.dumps({"floor_seconds": round(floor, 5), "rows": rows}, indent=2))
    else:
        print(f"floor: parsing the largest built-in guide takes {floor * 1000:.1f} ms")
        for row in rows:
            mark = "ok " if row["holds"] else "OVER"
            print(f"{mark} {row['case']:<26} {row['seconds']:>8.3f} s  "
                  f"x{row['ratio_to_builtin']:>8.1f}  (budget {row['budget_s']} s)")
    if not all(r["holds"] for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
