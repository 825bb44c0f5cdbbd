#!/usr/bin/env python3
"""``make bench``: every performance goal of issues 2, 5 and 7, each beside its floor or peer.

    .venv/bin/python bench/run.py [--runs 7] [--noisy-runs 15]
                                  [--only tmux,tui,store,search,memory,peer]
                                  [--peer-runs 7] [--skip-peer]

Prints one table: figure, its floor or peer measured in the same invocation, the ratio (median of
round-by-round ratios where runs are interleaved), the target and whether the goal holds. Raw
results go to bench/out/last-run.json and the table to bench/out/last-run.md.

Sections, run one after the other in fresh processes (never two benchmarks at once):
  tmux    bench/tmux_bench.py       G1 cold start and memory, G8 quit, unlock->rows in a real pty
  tui     bench/tui_bench.py inproc G2 unlock to home, G3 home first frame, key latency (issue 5)
  store   bench/unlock_autosave.py  issue 2 unlock and autosave, G4
  search  bench/search_bench.py     G5, issue 5 search time
  memory  bench/tui_bench.py memory G7, issue 5 peak memory (2 runs beside the floor app)
  peer    bench/peer.py             G6 against jrnl through ../shared/bench/jrnl_peer.sh
The tmux and tui sections run --noisy-runs rounds: a launch's time moves by up to 40 % from one
round to the next on a shared VM (the A/A row), and Argon2id's by up to 2x, so their medians
need more rounds than the others to stay put. The vaults are generated once
(bench/generate.py) and cached in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
from common import (OUT, Row, git_rev, log, machine, median, ratios, render_table,  # noqa: E402
                    save_json, versions)

PY = sys.executable
SECTIONS = ("tmux", "tui", "store", "search", "memory", "peer")


def sub(args: list[str], timeout: float = 1800) -> dict:
    """Runs a bench script in a fresh process; its stdout is one JSON document."""
    t0 = time.perf_counter()
    p = subprocess.run([PY, *args], stdout=subprocess.PIPE, stderr=None, text=True,
                       timeout=timeout, cwd=HERE.parent)
    log(f"  ({args[0]} {' '.join(args[1:2])}: {time.perf_counter() - t0:.0f}s)")
    if p.returncode != 0:
        return {"error": f"{' '.join(args)} exited {p.returncode}"}
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return {"error": f"{' '.join(args)}: no JSON output"}


def q(values, p=50) -> float:
    from common import percentile

    return percentile(values, p)


def tally(rows: list[Row]) -> str:
    """How many targets hold, and how many no run on this machine can decide (Row.noise)."""
    held = [r for r in rows if r.holds is not None or r.noise]
    noise = [r for r in held if r.noise]
    line = f"{sum(bool(r.holds) for r in held)} of {len(held)} targets hold"
    if noise:
        line += (f"; {len(noise)} missed by no more than its floor misses it against itself "
                 f"(below this machine's noise: {', '.join(r.goal for r in noise)})")
    return line + "."


# ------------------------------------------------------------------------------------ rows
def rows_tmux(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G1", "cold start (tmux)", None, "-", None, note=f"n/a: {res['error']}")]
    s = res["samples"]
    fl, un = s["floor"], s["unlock"]
    rows = []

    def since(x: dict, key: str, base: str = "t0") -> float:
        return (x[key] - x[base]) / 1e6

    f_frame = [since(x, "frame") for x in fl]
    u_frame = [since(x, "frame") for x in un]
    r = ratios(u_frame, f_frame)
    rows.append(Row("G1", "spawn -> unlock screen first frame (tmux)", median(u_frame),
                    "minimal Textual app, first frame", median(f_frame), ratio=median(r),
                    target="<= 1.15x", holds=median(r) <= 1.15,
                    note=f"per-round ratios {min(r):.2f}-{max(r):.2f}; terminal "
                         f"{res['terminal']}, {len(r)} interleaved runs"))
    ra = ratios([since(x, "frame") for x in s.get("floor_again", [])], f_frame)
    worst = Row("G1", "the same, its slowest round", max(r), "minimal app, the same round",
                None, unit="x", ratio=max(r), target="never > 1.3x", holds=max(r) <= 1.3)
    if not worst.holds and ra and max(r) <= max(ra):
        worst.holds, worst.noise = None, True
        worst.note = (f"above 1.3x, but no further than the minimal app against itself in the "
                      f"same rounds (A/A, up to {max(ra):.2f}x): below what this machine resolves")
    rows.append(worst)
    if all(x.get("keys") for x in un):
        u_keys = [since(x, "keys") for x in un]
        rows.append(Row("G1", "spawn -> unlock screen with its footer keys (tmux)", median(u_keys),
                        "minimal Textual app, first frame", median(f_frame),
                        ratio=median(ratios(u_keys, f_frame)), target="(info)", holds=None,
                        note="Textual's footer fills in its keys a refresh after the first frame; "
                             f"per-round ratios {min(ratios(u_keys, f_frame)):.2f}-"
                             f"{max(ratios(u_keys, f_frame)):.2f}"))
    if ra:
        f_again = [since(x, "frame") for x in s["floor_again"]]
        busy = [x["cpu"] / 1e6 / since(x, "frame") for x in fl + s["floor_again"] if x.get("cpu")]
        rows.append(Row("G1", "minimal app against itself (A/A), first frame", median(f_again),
                        "minimal Textual app, first frame", median(f_frame), ratio=median(ra),
                        target="(info)", holds=None,
                        note=f"per-round ratios {min(ra):.2f}-{max(ra):.2f}: the same app launched "
                             "twice in a round, the noise under G1's per-round ratios"
                             + (f"; its CPU time to the first frame is {median(busy):.0%} of the "
                                "wall time" + (": the spread is the CPU's own speed, not waiting"
                                               if median(busy) >= 0.9 else "") if busy else "")))
    if all(x.get("run") for x in fl + un):  # where the time goes: before App.run, and after
        f_run, u_run = [since(x, "run") for x in fl], [since(x, "run") for x in un]
        f_draw, u_draw = [since(x, "frame", "run") for x in fl], [since(x, "frame", "run") for x in un]
        rows.append(Row("G1", "first frame, split: App.run -> first frame", median(u_draw),
                        "minimal app, the same part", median(f_draw),
                        ratio=median(ratios(u_draw, f_draw)), target="(info)", holds=None,
                        note=f"spawn -> App.run (interpreter, imports, the app built) "
                             f"{median(u_run):.0f} ms vs {median(f_run):.0f} ms "
                             f"({median(u_run) - median(f_run):+.0f} ms); App.run -> first frame "
                             f"{median(u_draw) - median(f_draw):+.0f} ms"))
    f_mem = [x["hwm_kib"] / 1024 for x in fl]
    u_mem = [x["hwm_kib"] / 1024 for x in un]
    rm = ratios(u_mem, f_mem)
    rows.append(Row("G1", "peak RSS at the unlock screen's first frame", median(u_mem),
                    "minimal app at its first frame", median(f_mem), unit="MiB",
                    ratio=median(rm), target="<= 1.4x", holds=median(rm) <= 1.4))
    heavy = sorted({m for x in un for m in str(x.get("heavy", "-")).split(",") if m != "-"})
    mods = median([x.get("modules", 0) for x in un])
    fmods = median([x.get("modules", 0) for x in fl])
    rows.append(Row("G1", "sqlite_utils/cryptography imported before first frame", None,
                    "none", None, unit="", target="none",
                    holds=not heavy,
                    note=(f"at the first frame: {', '.join(heavy) if heavy else 'none of them'}; "
                          f"{mods:.0f} modules loaded vs {fmods:.0f} for the minimal app")))
    f_quit = [since(x, "exit", "key") for x in fl]
    u_quit = [since(x, "exit", "key") for x in un]
    rq = ratios(u_quit, f_quit)
    rows.append(Row("G8", "ctrl+q -> process exit, unlock screen (tmux)", median(u_quit),
                    "minimal app, ctrl+q -> exit", median(f_quit), ratio=median(rq),
                    target="<= 1.1x", holds=median(rq) <= 1.1))
    if s.get("home"):
        ho = s["home"]
        h_quit = [since(x, "exit", "key") for x in ho]
        rh = ratios(h_quit, f_quit)
        rows.append(Row("G8", "ctrl+q -> process exit, home, 10k sessions unlocked (tmux)",
                        median(h_quit), "minimal app, ctrl+q -> exit", median(f_quit),
                        ratio=median(rh), target="<= 1.1x", holds=median(rh) <= 1.1))
        rows_ms = [since(x, "rows", "enter") for x in ho]
        kdf = s["kdf_ms"]
        rk = ratios(rows_ms, kdf)
        rows.append(Row("I5", "Enter -> first rows on screen, 10k (real terminal)",
                        median(rows_ms), "Argon2id alone (same rounds)", median(kdf),
                        ratio=median(rk), target="<= 500 ms (issue 5)",
                        holds=median(rows_ms) <= 500,
                        note=f"whole list on screen after {median([since(x, 'all', 'enter') for x in ho]):.0f} ms"))
        peak = [x["peak_kib"] / 1024 for x in ho]
        fpeak = [x["peak_kib"] / 1024 for x in fl]
        rows.append(Row("G7", "peak RSS, 10k unlocked, list loaded (real terminal)",
                        median(peak), "minimal app, whole run", median(fpeak), unit="MiB",
                        ratio=median(ratios(peak, fpeak)), target="<= 160 MiB",
                        holds=median(peak) <= 160))
    return rows


def rows_tui(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G2", "unlock to home (in-process)", None, "-", None,
                    note=f"n/a: {res['error']}")]
    s = res["samples"]
    big, small, floor = s["big"], s["small"], s["floor"]
    kdf = [x * 1e3 for x in s["kdf"]]
    dec = [x * 1e3 for x in s["decrypt"]]
    g2_floor = [k + 2 * d for k, d in zip(kdf, dec)]
    e2r = [b["enter_to_rows"] * 1e3 for b in big]
    e2a = [b["enter_to_all"] * 1e3 for b in big]
    rows = []
    r = ratios(e2r, g2_floor)
    counted = ", ".join(f"{n} {table}" for table, n in res["decrypt_rows"].items())
    rows.append(Row("G2", "unlock (Enter) -> first rows on screen, 10k", median(e2r),
                    "KDF + 2x decrypt list columns", median(g2_floor), ratio=median(r),
                    target="<= 1.0x", holds=median(r) <= 1.0,
                    note=f"floor = Argon2id {median(kdf):.0f} ms + 2 x {median(dec):.0f} ms "
                         f"(AES-GCM of what the list's columns are read from: {counted}); "
                         f"per-round ratios {min(r):.2f}-{max(r):.2f}"))

    def against(figure: str, floor_name: str, other: list[float], note: str) -> None:
        """An info row: G2's figure against another reading of its floor."""
        ro = ratios(e2r, other)
        rows.append(Row("G2", figure, median(e2r), floor_name, median(other), ratio=median(ro),
                        target="(info)", holds=None,
                        note=f"{note}; per-round ratios {min(ro):.2f}-{max(ro):.2f}"))

    if s.get("decrypt_sessions"):  # the narrower reading: the sessions' own columns alone
        dso = [x * 1e3 for x in s["decrypt_sessions"]]
        against("the same, floor = the sessions' meta+state alone", "KDF + 2x decrypt meta+state",
                [k + 2 * d for k, d in zip(kdf, dso)],
                f"without the participant's and the Open column's decrypts: 2 x "
                f"{median(dso):.0f} ms")
    if all(b.get("derive") for b in big):  # Argon2id alone moves 20-40 % from call to call
        against("the same, KDF term = the run's own Argon2id", "own KDF + 2x decrypt list columns",
                [b["derive"] * 1e3 + 2 * d for b, d in zip(big, dec)],
                f"the run's derivation {median([b['derive'] * 1e3 for b in big]):.0f} ms, "
                f"Argon2id alone {min(kdf):.0f}-{max(kdf):.0f} ms")
    ra = ratios(e2a, g2_floor)
    rows.append(Row("G2", "unlock (Enter) -> whole list loaded, 10k", median(e2a),
                    "KDF + 2x decrypt list columns", median(g2_floor), ratio=median(ra),
                    target="(info)", holds=None))
    stall = [b["kdf_max_stall"] * 1e3 for b in big]
    rows.append(Row("G2", "longest UI stall while the key is derived", median(stall),
                    "one 60 Hz frame x3 (bench criterion)", 50.0,
                    ratio=median(stall) / 50.0, target="<= 50 ms", holds=median(stall) <= 50,
                    note=f"max over runs {max(stall):.0f} ms; while the list loads: "
                         f"{median([b['load_max_stall'] * 1e3 for b in big]):.0f} ms"))
    rows.append(Row("I5", "unlock (Enter) -> first rows on screen, 10k (in-process)",
                    median(e2r), "Argon2id alone", median(kdf),
                    ratio=median(ratios(e2r, kdf)), target="<= 500 ms (issue 5)",
                    holds=median(e2r) <= 500))
    u2r = [b["unlocked_to_rows"] * 1e3 for b in big]
    s2r = [b["unlocked_to_rows"] * 1e3 for b in small]
    f2r = [f["first_frame"] * 1e3 for f in floor]
    r3 = ratios(u2r, f2r)
    rows.append(Row("G3", "home first frame with rows, 10k (unlocked -> rows)", median(u2r),
                    "200-row DataTable screen", median(f2r), ratio=median(r3),
                    target="<= 1.5x", holds=median(r3) <= 1.5))
    r3s = ratios(s2r, f2r)
    rows.append(Row("G3", "home first frame with rows, 100 sessions", median(s2r),
                    "200-row DataTable screen", median(f2r), ratio=median(r3s),
                    target="<= 1.5x", holds=median(r3s) <= 1.5))
    r3b = ratios(u2r, s2r)
    rows.append(Row("G3", "home first frame: 10k vs 100 sessions", median(u2r),
                    "same, 100 sessions", median(s2r), ratio=median(r3b), target="<= 1.2x",
                    holds=median(r3b) <= 1.2))
    for key, label in (("down", "down"), ("pagedown", "page down"), ("end", "ctrl+end")):
        b = [median(x[f"key_{key}"]) * 1e3 for x in big]
        f = [median(x[f"key_{key}"]) * 1e3 for x in floor]
        rows.append(Row("I5", f"key press in the table -> frame ({label}), 10k home", median(b),
                        "200-row DataTable, same key", median(f), ratio=median(ratios(b, f)),
                        target="(info)", holds=None))
    return rows


def rows_store(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G4", "autosave", None, "-", None, note=f"n/a: {res['error']}")]
    s = res["summary"]
    u, a = s["unlock"], s["autosave"]
    un = res["unlock"]
    rows = [Row("I2", "unlock: open_vault, production KDF, 10k", u["10k"]["median_ms"],
                "Argon2id + unwrap", u["floor"]["median_ms"], ratio=u["10k"]["ratio_vs_floor"],
                target="<= 1 s (issue 2)",
                holds=u["10k"]["median_ms"] <= 1000,
                note=f"issue 2 expects about 0.25-1 s: the Argon2id cost on this machine; "
                     f"10 sessions: {u['10']['median_ms']:.0f} ms "
                     f"({u['10']['ratio_vs_floor']:.2f}x); range over runs "
                     f"{min(un['10k']) * 1e3:.0f}-{max(un['10k']) * 1e3:.0f} ms")]
    kib = a["note_bytes"] / 1024
    for p, target, limit in (("p50", "<= 2x", 2.0), ("p95", "<= 4x", 4.0)):
        rows.append(Row("G4", f"autosave {p}, {kib:.0f} KiB note, 10k vault",
                        a["10k"][f"{p}_ms"], f"encrypt + 1-row write (WAL, FULL) {p}",
                        a["floor"][f"{p}_ms"], ratio=a["10k"][f"{p}_ratio_vs_floor"],
                        target=target, holds=a["10k"][f"{p}_ratio_vs_floor"] <= limit,
                        note=(f"10-session vault: {a['10'][f'{p}_ms']:.2f} ms "
                              f"({a['10'][f'{p}_ratio_vs_floor']:.2f}x); {a['10k']['n']} saves")))
    rows.append(Row("I2", f"autosave p99, {kib:.0f} KiB note, 10k vault", a["10k"]["p99_ms"],
                    "encrypt + 1-row write p99", a["floor"]["p99_ms"],
                    ratio=a["10k"]["p99_ms"] / a["floor"]["p99_ms"], target="(info)",
                    holds=None))
    rows.append(Row("G4", "autosave p50: 10k vs 10 sessions", a["10k"]["p50_ms"],
                    "same, 10-session vault", a["10"]["p50_ms"], ratio=a["10k"]["p50_ratio_vs_10"],
                    target="<= 1.2x", holds=a["10k"]["p50_ratio_vs_10"] <= 1.2,
                    note=f"p95: {a['10k']['p95_ratio_vs_10']:.2f}x"))
    return rows


def rows_search(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G5", "search", None, "-", None, note=f"n/a: {res['error']}")]
    f = res["first"]
    st = [x * 1e3 for x in f["store"]]
    fl = [x * 1e3 for x in f["floor"]]
    r = ratios(st, fl)
    rows = [Row("G5", "first query after unlock ('quokka'), 10k", median(st),
                "decrypt-all + casefold", median(fl), ratio=median(r), target="<= 1.5x",
                holds=median(r) <= 1.5,
                note=f"{res['docs']} fields, {res['chars'] / 1e6:.1f} M chars; "
                     f"{f['hits'][0]} hits (floor {f['floor_hits'][0]}); the sealed index read, "
                     "changed rows decrypted")]
    if f.get("cold"):
        ct = [x * 1e3 for x in f["cold"]]
        rows.append(Row("G5", "first query, no sealed index yet (every field decrypted)",
                        median(ct), "decrypt-all + casefold", median(fl),
                        ratio=median(ratios(ct, fl)), target="(info)", holds=None,
                        note="the first search ever, or the first after a session was deleted"))
    worst_q, worst_r, all_r = None, 0.0, []
    for qy, d in res["later"].items():
        rq = median(ratios(d["store"], d["floor"]))
        all_r.append(f"{qy} {rq:.2f}x ({d['hits'][0]} hits)")
        if rq > worst_r:
            worst_q, worst_r = qy, rq
    for qy in ("quokka", "roadmap"):
        d = res["later"][qy]
        rq = median(ratios(d["store"], d["floor"]))
        rows.append(Row("G5", f"later query '{qy}' ({d['floor_hits'][0]} matching fields)",
                        median(d["store"]) * 1e3, "pre-casefolded in-memory scan",
                        median(d["floor"]) * 1e3, ratio=rq, target="<= 2x", holds=rq <= 2.0))
    d = res["later"][worst_q]
    rows.append(Row("G5", f"later queries, worst of {len(res['later'])} ('{worst_q}')",
                    median(d["store"]) * 1e3, "pre-casefolded in-memory scan",
                    median(d["floor"]) * 1e3, ratio=worst_r, target="<= 2x",
                    holds=worst_r <= 2.0, note="; ".join(all_r)))
    worst_ms = max(median(d["store"]) for d in res["later"].values()) * 1e3
    rows.append(Row("I5", "search time: first query / slowest later query", median(st),
                    "decrypt-all + casefold", median(fl), ratio=median(r),
                    target="<= 300 ms (issue 5)", holds=median(st) <= 300 and worst_ms <= 300,
                    note=f"slowest later query {worst_ms:.0f} ms"))
    return rows


def rows_memory(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G7", "memory", None, "-", None, note=f"n/a: {res['error']}")]
    peak = [x["peak_kib"] / 1024 for x in res["app"]]
    fl = [x["peak_kib"] / 1024 for x in res["floor"]]
    info = res["app"][-1]
    return [Row("G7", "peak RSS, 10k unlocked + browsed + searched", median(peak),
                "minimal app (same harness)", median(fl), unit="MiB",
                ratio=median(ratios(peak, fl)), target="<= 160 MiB", holds=median(peak) <= 160,
                note=f"after unlock+list {info['after_unlock_kib'] / 1024:.0f} MiB, after browse "
                     f"{info['after_browse_kib'] / 1024:.0f} MiB; search via "
                     f"{info['search_via']}; {len(peak)} runs"),
            Row("I5", "peak memory, 10k vault", median(peak), "minimal app", median(fl),
                unit="MiB", ratio=median(ratios(peak, fl)), target="<= 300 MB (issue 5)",
                holds=median(peak) * 1.048576 <= 300)]


def rows_peer(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("G6", "whole-process commands vs jrnl", None, "jrnl", None,
                    note=f"n/a: {res['error']}")]
    rows = []
    for op, cmd, limit in (("search", "rapport search quokka", 3.0),
                           ("add", "rapport jot --with NAME TEXT", 6.0),
                           ("export", "rapport export --all --format md", 3.0)):
        r = res[op]
        jr = {"search": "jrnl -contains", "add": "jrnl add", "export": "jrnl --export markdown"}
        if r.get("rapport_ms") is None:
            rows.append(Row("G6", cmd, None, f"{jr[op]} (encrypted, 10k)", r.get("jrnl_ms"),
                            target=f">= {limit:.0f}x faster", holds=None,
                            note=r.get("note", "n/a: command not in this checkout yet")))
            continue
        ratio = r["rapport_ms"] / r["jrnl_ms"]
        rows.append(Row("G6", cmd, r["rapport_ms"], f"{jr[op]} (encrypted, 10k)", r["jrnl_ms"],
                        ratio=ratio, target=f"<= {1 / limit:.2f}x ({limit:.0f}x faster)",
                        holds=ratio <= 1 / limit and r.get("rapport_ok", True),
                        note=(r.get("note", "") + (f" peak {r['rapport_peak_mib']:.0f} MiB vs jrnl "
                              f"{r['jrnl_peak_mib']:.0f} MiB" if r.get("rapport_peak_mib") else "")
                              + ("" if r.get("rapport_ok", True) else "; exited non-zero!"))))
        if op == "export" and r.get("first_ms") and r.get("jrnl_ms"):
            rows.append(Row("G6", "rapport export --all --format md, first time", r["first_ms"],
                            f"{jr[op]} (encrypted, 10k)", r["jrnl_ms"],
                            ratio=r["first_ms"] / r["jrnl_ms"], target="(info)", holds=None,
                            note="one run on a fresh copy of the vault: every session decrypted "
                                 "and rendered, then its text sealed into the render cache (the "
                                 "runs above read it)"))
    return rows


# ------------------------------------------------------------------------------------ peer
def peer_section(runs: int) -> dict:
    """The jrnl peer. A Rapport command that takes more than PEER_SLOW seconds in a trial run
    is timed once, by itself, instead of being interleaved 7 times (the bench must stay short)."""
    return sub([str(HERE / "peer.py"), "--runs", str(runs), "--json"], timeout=3600)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="interleaved rounds per figure (>= 7)")
    ap.add_argument("--noisy-runs", type=int, default=15,
                    help="rounds of the tmux and tui sections (launches, Argon2id; >= --runs)")
    ap.add_argument("--only", default=",".join(SECTIONS))
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--peer-runs", type=int, default=7)
    ap.add_argument("--write-docs", action="store_true",
                    help="also put this run's table into docs/performance.md (between markers)")
    ns = ap.parse_args(argv)
    only = [s for s in ns.only.split(",") if s]
    if ns.skip_peer and "peer" in only:
        only.remove("peer")
    started = datetime.now()
    t0 = time.perf_counter()
    env = {"date": started.isoformat(timespec="seconds"), "machine": machine(),
           "versions": versions(), "git": git_rev(), "runs": ns.runs,
           "noisy_runs": max(ns.runs, ns.noisy_runs),
           "load_before": os.getloadavg()}
    log(f"rapport bench {env['date']}  git {env['git']}  runs={ns.runs}  load "
        f"{env['load_before'][0]:.2f}")
    # Bytecode up to date first: with PYTHONDONTWRITEBYTECODE set (or a read-only tree), every
    # spawned command would otherwise compile the modules edited since the last write.
    import compileall

    for package in ("tui", "store", "guides", "bench"):
        compileall.compile_dir(str(HERE.parent / package), quiet=1)
    log("vaults: " + ", ".join(str(generate.ensure(n, p, progress=log).name)
                               for n, p in ((10_000, 200), (100, 20), (10, 5))))
    results: dict = {}
    rows: list[Row] = []
    if "tmux" in only:
        log("== tmux: G1 cold start, G8 quit (real terminal)")
        results["tmux"] = sub([str(HERE / "tmux_bench.py"), "--runs", str(env["noisy_runs"])])
        rows += rows_tmux(results["tmux"])
    if "tui" in only:
        log("== tui: G2 unlock to home, G3 home first frame, key latency (headless)")
        results["tui"] = sub([str(HERE / "tui_bench.py"), "inproc", "--runs",
                              str(env["noisy_runs"])])
        rows += rows_tui(results["tui"])
    if "store" in only:
        log("== store: unlock, autosave (G4)")
        results["store"] = sub([str(HERE / "unlock_autosave.py"), "--runs", str(ns.runs),
                                "--json"])
        rows += rows_store(results["store"])
    if "search" in only:
        log("== search (G5)")
        results["search"] = sub([str(HERE / "search_bench.py"), "--runs", str(ns.runs), "--json"])
        rows += rows_search(results["search"])
    if "memory" in only:
        log("== memory (G7): 2 runs each, interleaved with the floor app")
        mem: dict = {"app": [], "floor": []}
        for _ in range(2):  # peak RSS varies little; each app run takes ~20 s
            for key, what in (("floor", "memory-floor"), ("app", "memory")):
                r = sub([str(HERE / "tui_bench.py"), what])
                if "error" in r:
                    mem = {"error": r["error"]}
                    break
                mem[key].append(r)
            if "error" in mem:
                break
        results["memory"] = mem
        rows += rows_memory(mem)
    if "peer" in only:
        log(f"== peer (G6): jrnl through the shared harness, {ns.peer_runs} runs")
        results["peer"] = peer_section(ns.peer_runs)
        rows += rows_peer(results["peer"])
    order = {g: i for i, g in enumerate(("G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "I2",
                                         "I5"))}
    rows.sort(key=lambda r: order.get(r.goal, 99))
    env["load_after"] = os.getloadavg()
    env["seconds"] = round(time.perf_counter() - t0)
    table = render_table(rows)
    v = env["versions"]
    m = env["machine"]
    header = (f"Rapport bench, {env['date']}, git {env['git']}, {env['seconds']} s\n"
              f"machine: {m['cpu']} x{m['cpus']}, {m['memory']}, {m['os']}; load "
              f"{env['load_before'][0]:.2f} -> {env['load_after'][0]:.2f}\n"
              f"python {v['python']}, textual {v['textual']}, rich {v['rich']}, sqlite "
              f"{v['sqlite']}, sqlite-utils {v['sqlite-utils']}, cryptography {v['cryptography']}\n"
              f"runs: {ns.runs} interleaved rounds per figure, {env['noisy_runs']} for the tmux and "
              f"tui sections (ratios: median of per-round ratios); G = issue 7 goal, I2/I5 = "
              f"issues 2 and 5\n")
    print(header)
    print(table)
    summary = tally(rows)
    print(f"\n{summary}")
    save_json(OUT / "last-run.json", {"env": env, "rows": [r.to_dict() for r in rows],
                                      "results": results})
    (OUT / "last-run.md").write_text(header + "\n" + table + "\n", encoding="utf-8")
    if ns.write_docs:
        write_docs(header, table, summary)
    return 0


DOC = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_docs(header: str, table: str, verdict: str) -> None:
    """Replaces the run between the markers of docs/performance.md with this one."""
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        log(f"{DOC}: no {BEGIN} ... {END} markers; not updated")
        return
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    block = "\n```text\n" + header.rstrip() + "\n```\n\n" + table + f"\n\n{verdict}\n"
    DOC.write_text(head + BEGIN + block + END + tail, encoding="utf-8")
    log(f"{DOC}: updated")


if __name__ == "__main__":
    raise SystemExit(main())
