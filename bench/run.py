#!/usr/bin/env python3
"""``make bench``: every budget row of issue 19, each beside its floor or peer in the same run.

    .venv/bin/python bench/run.py [--runs 7] [--noisy-runs 15]
                                  [--only tmux,tui,store,search,memory,peer]
                                  [--peer-runs 7] [--skip-peer]

Prints one table: figure, its floor or peer measured in the same invocation, the ratio (median of
round-by-round ratios where runs are interleaved), the target and whether the goal holds. Raw
results go to bench/out/last-run.json and the table to bench/out/last-run.md.

Sections, run one after the other in fresh processes (never two benchmarks at once):
  tmux    bench/tmux_bench.py       R1 cold start, R8 quit, unlock->rows in a real pty
  tui     bench/tui_bench.py inproc R2 Enter -> first rows, R3 a key in the home list
  store   bench/unlock_autosave.py  R4 autosave (and unlock, info)
  search  bench/search_bench.py     R5 first and later searches
  memory  bench/tui_bench.py memory R7 peak memory (2 runs beside the floor app)
  peer    bench/peer.py             R6 rapport search/jot/export against the engine floor
                                    (../shared/bench/proto_vault.py) and jrnl, in the same rounds
The tmux and tui sections run --noisy-runs rounds: a launch's time moves by up to 40 % from one
round to the next on a shared VM (the A/A row), and Argon2id's by up to 2x, so their medians
need more rounds than the others to stay put. The vaults are generated once
(bench/generate.py) and cached in bench/out/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
from common import (OUT, Row, doc_help, git_rev, log, machine, median, ratios, render_table,  # noqa: E402
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
# Issue 19's budgets, one id each, in its table's order: R1 cold start, R2 unlock to rows, R3 key
# in a list, R4 autosave, R5 search, R6 commands against the engine floor, R7 memory, R8 quit.
# Rows marked "info" show where the time goes; they hold nothing.

def rows_tmux(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R1", "cold start to the unlock screen's first frame (tmux)", None, "-", None,
                    note=f"n/a: {res['error']}")]
    s = res["samples"]
    fl, un = s["floor"], s["unlock"]

    def since(x: dict, key: str, base: str = "t0") -> float:
        return (x[key] - x[base]) / 1e6

    f_frame = [since(x, "frame") for x in fl]
    u_frame = [since(x, "frame") for x in un]
    r = ratios(u_frame, f_frame)
    rows = [Row("R1", "cold start to the unlock screen's first frame (tmux)", median(u_frame),
                "minimal Textual app, first frame", median(f_frame), ratio=median(r),
                target="<= 1.3x", holds=median(r) <= 1.3,
                note=f"per-round ratios {min(r):.2f}-{max(r):.2f}; terminal {res['terminal']}, "
                     f"{len(r)} interleaved runs")]
    ra = ratios([since(x, "frame") for x in s.get("floor_again", [])], f_frame)
    if ra:
        rows.append(Row("info", "minimal app against itself (A/A), first frame",
                        median([since(x, "frame") for x in s["floor_again"]]),
                        "minimal Textual app, first frame", median(f_frame), ratio=median(ra),
                        note=f"per-round ratios {min(ra):.2f}-{max(ra):.2f}: the noise under R1"))
    f_quit = [since(x, "exit", "key") for x in fl]
    u_quit = [since(x, "exit", "key") for x in un]
    rq = ratios(u_quit, f_quit)
    rows.append(Row("R8", "quit (ctrl+q -> exit), unlock screen (tmux)", median(u_quit),
                    "minimal app, ctrl+q -> exit", median(f_quit), ratio=median(rq),
                    target="<= 1.1x", holds=median(rq) <= 1.1))
    if s.get("home"):
        ho = s["home"]
        rh = ratios([since(x, "exit", "key") for x in ho], f_quit)
        rows.append(Row("R8", "quit (ctrl+q -> exit), home, 10k sessions unlocked (tmux)",
                        median([since(x, "exit", "key") for x in ho]),
                        "minimal app, ctrl+q -> exit", median(f_quit), ratio=median(rh),
                        target="<= 1.1x", holds=median(rh) <= 1.1))
        rows_ms = [since(x, "rows", "enter") for x in ho]
        rows.append(Row("info", "Enter -> first rows on screen, 10k (real terminal)",
                        median(rows_ms), "Argon2id alone (same rounds)", median(s["kdf_ms"]),
                        ratio=median(ratios(rows_ms, s["kdf_ms"])),
                        note="the in-process R2 row is the budget; this is the same path in tmux"))
        peak = [x["peak_kib"] / 1024 for x in ho]
        rows.append(Row("info", "peak RSS, 10k unlocked, list loaded (real terminal)",
                        median(peak), "minimal app, whole run",
                        median([x["peak_kib"] / 1024 for x in fl]), unit="MiB"))
    return rows


def rows_tui(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R2", "Enter -> first rows on the home screen, 10k", None, "-", None,
                    note=f"n/a: {res['error']}")]
    s = res["samples"]
    big, floor = s["big"], s["floor"]
    e2r = [b["enter_to_rows"] * 1e3 for b in big]
    rows = []
    if all(b.get("derive") for b in big):
        own = [b["derive"] * 1e3 + 150 for b in big]
        r = ratios(e2r, own)
        rows.append(Row("R2", "Enter -> first rows on the home screen, 10k", median(e2r),
                        "the run's own Argon2id + 150 ms", median(own), ratio=median(r),
                        target="<= 1.0x", holds=median(r) <= 1.0,
                        note=f"the run's derivation {median([b['derive'] * 1e3 for b in big]):.0f}"
                             f" ms; per-round ratios {min(r):.2f}-{max(r):.2f}"))
    else:
        rows.append(Row("R2", "Enter -> first rows on the home screen, 10k", median(e2r),
                        "the run's own Argon2id + 150 ms", None,
                        note="n/a: the run's derivation was not timed"))
    e2a = [b["enter_to_all"] * 1e3 for b in big]
    rows.append(Row("info", "Enter -> whole list loaded, 10k", median(e2a), "-", None))
    for key, label in (("down", "down"), ("pagedown", "page down"), ("end", "ctrl+end")):
        b = [median(x[f"key_{key}"]) * 1e3 for x in big]
        f = [median(x[f"key_{key}"]) * 1e3 for x in floor]
        rk = ratios(b, f)
        rows.append(Row("R3", f"key press in the home list -> next frame ({label}), 10k",
                        median(b), "same key, 200-row DataTable", median(f), ratio=median(rk),
                        target="<= 1.5x", holds=median(rk) <= 1.5))
    return rows


def rows_store(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R4", "autosave", None, "-", None, note=f"n/a: {res['error']}")]
    a = res["summary"]["autosave"]
    kib = a["note_bytes"] / 1024
    rows = []
    for p, target, limit in (("p50", "<= 2x", 2.0), ("p95", "<= 4x", 4.0)):
        rows.append(Row("R4", f"autosave of a {kib:.0f} KiB note, {p}, 10k vault",
                        a["10k"][f"{p}_ms"], f"encrypt + 1-row write (WAL, FULL), {p}",
                        a["floor"][f"{p}_ms"], ratio=a["10k"][f"{p}_ratio_vs_floor"],
                        target=target, holds=a["10k"][f"{p}_ratio_vs_floor"] <= limit,
                        note=f"{a['10k']['n']} saves; 10-session vault {a['10'][f'{p}_ms']:.2f} ms"))
    rows.append(Row("R4", "autosave p50: 10k vs 10 sessions", a["10k"]["p50_ms"],
                    "same, 10-session vault", a["10"]["p50_ms"], ratio=a["10k"]["p50_ratio_vs_10"],
                    target="<= 1.2x", holds=a["10k"]["p50_ratio_vs_10"] <= 1.2))
    u = res["summary"]["unlock"]
    rows.append(Row("info", "unlock (open_vault), production KDF, 10k", u["10k"]["median_ms"],
                    "Argon2id + unwrap", u["floor"]["median_ms"],
                    ratio=u["10k"]["ratio_vs_floor"]))
    return rows


def rows_search(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R5", "search", None, "-", None, note=f"n/a: {res['error']}")]
    f = res["first"]
    st = [x * 1e3 for x in f["store"]]
    fl = [x * 1e3 for x in f["floor"]]
    r = ratios(st, fl)
    rows = [Row("R5", "first search after unlock ('quokka'), 10k", median(st),
                "decrypt-all + casefold", median(fl), ratio=median(r), target="<= 1.5x",
                holds=median(r) <= 1.5,
                note=f"{res['docs']} fields, {res['chars'] / 1e6:.1f} M chars; the sealed index "
                     "read back, changed rows decrypted")]
    if f.get("cold"):
        ct = [x * 1e3 for x in f["cold"]]
        rows.append(Row("info", "first search, no sealed index yet (every field decrypted)",
                        median(ct), "decrypt-all + casefold", median(fl),
                        ratio=median(ratios(ct, fl)),
                        note="the first search ever, or the first after a session was deleted"))
    worst_q, worst_r, all_r = "", 0.0, []
    for qy, d in res["later"].items():
        rq = median(ratios(d["store"], d["floor"]))
        all_r.append(f"{qy} {rq:.2f}x ({d['hits'][0]} hits)")
        if rq > worst_r:
            worst_q, worst_r = qy, rq
    d = res["later"][worst_q]
    rows.append(Row("R5", f"later searches, worst of {len(res['later'])} ('{worst_q}')",
                    median(d["store"]) * 1e3, "pre-casefolded in-memory scan",
                    median(d["floor"]) * 1e3, ratio=worst_r, target="<= 2x",
                    holds=worst_r <= 2.0, note="; ".join(all_r)))
    return rows


def rows_memory(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R7", "peak memory", None, "-", None, note=f"n/a: {res['error']}")]
    peak = [x["peak_kib"] / 1024 for x in res["app"]]
    fl = [x["peak_kib"] / 1024 for x in res["floor"]]
    info = res["app"][-1]
    return [Row("R7", "peak memory, 10k unlocked, browsed and searched", median(peak),
                "minimal app (same harness)", median(fl), unit="MiB",
                ratio=median(ratios(peak, fl)), target="<= 160 MiB", holds=median(peak) <= 160,
                note=f"after unlock+list {info['after_unlock_kib'] / 1024:.0f} MiB, after browse "
                     f"{info['after_browse_kib'] / 1024:.0f} MiB; search via "
                     f"{info['search_via']}; {len(peak)} runs")]


def rows_peer(res: dict) -> list[Row]:
    if "error" in res:
        return [Row("R6", "rapport commands vs the engine floor", None, "proto_vault.py", None,
                    note=f"n/a: {res['error']}")]
    rows = []
    names = {"search": ("rapport search quokka", "proto search"),
             "add": ("rapport jot --with NAME TEXT", "proto add (WAL, FULL)"),
             "export": ("rapport export --all --format md", "proto export markdown")}
    for op, (cmd, floor) in names.items():
        r = res[op]
        ours, proto = r.get("rapport_ms"), r.get("proto_ms")
        if ours is None or proto is None:
            rows.append(Row("R6", f"{cmd}, 10k", ours, floor, proto, target="<= 2x",
                            note=r.get("note", "n/a: not measured")))
            continue
        ratio = r.get("ratio_vs_proto") or ours / proto
        rows.append(Row("R6", f"{cmd}, 10k", ours, f"{floor} (same rounds)", proto, ratio=ratio,
                        target="<= 2x", holds=ratio <= 2.0 and r.get("rapport_ok", True),
                        note=(r.get("note", "") + f"jrnl {r['jrnl_ms']:.0f} ms "
                              f"({r['jrnl_ms'] / ours:.1f}x slower than rapport); peak "
                              f"{r['rapport_peak_mib']:.0f} MiB"
                              + ("" if r.get("rapport_ok", True) else "; exited non-zero!"))))
        if op == "export" and r.get("first_ms"):
            first = r["first_ms"] / proto
            rows.append(Row("R6", "rapport export --all --format md, the vault's first, 10k",
                            r["first_ms"], f"{floor} (median of its rounds)", proto,
                            ratio=first, target="<= 2x", holds=first <= 2.0,
                            note="one run on a fresh copy of the vault, before the rounds "
                                 "(nothing is kept from an export to the next)"))
    lay = res.get("layout")
    if lay:
        rows.append(Row("info", "engine floor on Rapport's layout (bench/layout_floor.py), 10k",
                        lay["layout_ms"], "proto export markdown (same rounds)", lay["proto_ms"],
                        ratio=lay["layout_vs_proto"],
                        note="the R6 export's work with no app: unlock, open the 51,000 sealed "
                             "JSON fields a summary reads, write the notes unescaped; cpu "
                             f"{lay['layout_cpu_ms']:.0f} vs {lay['proto_cpu_ms']:.0f} ms"))
        rows.append(Row("info", "rapport export --all --format md against that floor, 10k",
                        lay["rapport_ms"], "engine floor on Rapport's layout (same rounds)",
                        lay["layout_ms"], ratio=lay["rapport_vs_layout"],
                        note=f"{lay['rapport_vs_proto']:.2f}x proto in these rounds; cpu "
                             f"{lay['rapport_cpu_ms']:.0f} ms"
                             + ("" if lay["ok"] else "; a command exited non-zero!")))
    return rows


# ------------------------------------------------------------------------------------ peer
def peer_section(runs: int) -> dict:
    """The jrnl peer. A Rapport command that takes more than PEER_SLOW seconds in a trial run
    is timed once, by itself, instead of being interleaved 7 times (the bench must stay short)."""
    return sub([str(HERE / "peer.py"), "--runs", str(runs), "--json"], timeout=3600)


@click.command(help=doc_help(__doc__))
@click.option("--runs", type=int, default=7, show_default=True,
              help="interleaved rounds per figure (>= 7)")
@click.option("--noisy-runs", type=int, default=15, show_default=True,
              help="rounds of the tmux and tui sections (launches, Argon2id; >= --runs)")
@click.option("--only", "only_text", default=",".join(SECTIONS), show_default=True,
              help="the sections to run, comma-separated")
@click.option("--skip-peer", is_flag=True)
@click.option("--peer-runs", type=int, default=7, show_default=True)
@click.option("--write-docs", is_flag=True,
              help="also put this run's table into docs/performance.md (between markers)")
def main(runs: int, noisy_runs: int, only_text: str, skip_peer: bool, peer_runs: int,
         write_docs: bool) -> None:
    only = [s for s in only_text.split(",") if s]
    if skip_peer and "peer" in only:
        only.remove("peer")
    started = datetime.now()
    t0 = time.perf_counter()
    env = {"date": started.isoformat(timespec="seconds"), "machine": machine(),
           "versions": versions(), "git": git_rev(), "runs": runs,
           "noisy_runs": max(runs, noisy_runs),
           "load_before": os.getloadavg()}
    log(f"rapport bench {env['date']}  git {env['git']}  runs={runs}  load "
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
        log("== tmux: R1 cold start, R8 quit (real terminal)")
        results["tmux"] = sub([str(HERE / "tmux_bench.py"), "--runs", str(env["noisy_runs"])])
        rows += rows_tmux(results["tmux"])
    if "tui" in only:
        log("== tui: R2 Enter -> first rows, R3 a key in the home list (headless)")
        results["tui"] = sub([str(HERE / "tui_bench.py"), "inproc", "--runs",
                              str(env["noisy_runs"])])
        rows += rows_tui(results["tui"])
    if "store" in only:
        log("== store: R4 autosave (and unlock)")
        results["store"] = sub([str(HERE / "unlock_autosave.py"), "--runs", str(runs),
                                "--json"])
        rows += rows_store(results["store"])
    if "search" in only:
        log("== search: R5")
        results["search"] = sub([str(HERE / "search_bench.py"), "--runs", str(runs), "--json"])
        rows += rows_search(results["search"])
    if "memory" in only:
        log("== memory: R7, 2 runs each, interleaved with the floor app")
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
        log(f"== peer: R6 against the engine floor and jrnl, {peer_runs} runs")
        results["peer"] = peer_section(peer_runs)
        rows += rows_peer(results["peer"])
    order = {g: i for i, g in enumerate(("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8",
                                         "info"))}
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
              f"runs: {runs} interleaved rounds per figure, {env['noisy_runs']} for the tmux and "
              f"tui sections (ratios: median of per-round ratios); R1-R8 = issue 19's budget "
              f"rows, info = where the time goes\n")
    print(header)
    print(table)
    summary = tally(rows)
    print(f"\n{summary}")
    save_json(OUT / "last-run.json", {"env": env, "rows": [r.to_dict() for r in rows],
                                      "results": results})
    (OUT / "last-run.md").write_text(header + "\n" + table + "\n", encoding="utf-8")
    if write_docs:
        update_docs(header, table, summary)


DOC = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def update_docs(header: str, table: str, verdict: str) -> None:
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
    main()
