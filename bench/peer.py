#!/usr/bin/env python3
"""G6: whole-process commands against jrnl, run by the shared peer harness in the same rounds.

    .venv/bin/python bench/peer.py [--runs 7] [--json]

The jrnl peer lives outside the project (``../shared/bench/``, or $RAPPORT_PEER_HARNESS): its
``jrnl_peer.sh`` builds an encrypted 10,000-entry journal with jrnl's own code (2,048 characters an
entry, "quokka" in every 100th, like the generated vault) and times jrnl's ``-contains``, add and
Markdown export, interleaved with whatever EXTRA_SEARCH / EXTRA_ADD / EXTRA_EXPORT commands it is
given. This script hands it Rapport's own commands, on a scratch copy of the 10,000-session vault:

  search   rapport --home H --passphrase-file F search quokka
  add      rapport --home H --passphrase-file F jot --with NAME "text"
  export   rapport --home H --passphrase-file F export --all --format md   (stdout to a file)

A command this checkout does not have yet (``rapport X --help`` fails) is reported as n/a. jrnl
runs from $PERFENV (default /tmp/perfenv), created with the harness's ``setup_env.sh`` when
missing. The journal is kept in bench/out/jrnl-work between runs (REUSE=1).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
from common import RAPPORT, doc_help, interleave, log, median, rapport_has, spawn_wait  # noqa: E402

#: A Rapport command slower than this in a trial run is timed once by itself (beside jrnl's
#: interleaved median) instead of 7 times in the rounds: the bench has to stay short.
PEER_SLOW_S = float(os.environ.get("RAPPORT_PEER_SLOW", "20"))

HARNESS = Path(os.environ.get("RAPPORT_PEER_HARNESS", HERE.parent.parent / "shared" / "bench"))
PERFENV = Path(os.environ.get("PERFENV", "/tmp/perfenv"))
WORK = generate.OUT / "jrnl-work"
LINE = re.compile(r"^proc (?P<label>.+?): wall_ms median=(?P<wall>[\d.]+) min=(?P<min>[\d.]+) "
                  r"max=(?P<max>[\d.]+) \| cpu_ms median=(?P<cpu>[\d.]+) \| peak_mib "
                  r"median=(?P<peak>[\d.]+)")
#: the harness's own per-round ratio to the first command of the section (the proto row)
RATIO = re.compile(r"ratio_vs\[[^\]]*\] median=(?P<ratio>[\d.]+)")


def ensure_perfenv() -> str | None:
    if (PERFENV / "bin" / "jrnl").exists():
        return None
    setup = HARNESS / "setup_env.sh"
    if not setup.exists():
        return f"no peer harness at {HARNESS}"
    log(f"peer: creating {PERFENV} with {setup} (once)")
    p = subprocess.run(["bash", str(setup)], env={**os.environ, "PERFENV": str(PERFENV)},
                       capture_output=True, text=True)
    if p.returncode != 0 or not (PERFENV / "bin" / "jrnl").exists():
        return f"setup_env.sh failed: {p.stderr.strip()[-200:]}"
    return None


def wrapper(path: Path, home: Path, pw: Path, args: list[str], stdout: Path | None = None) -> str:
    cmd = " ".join(shlex.quote(a) for a in
                   [str(RAPPORT), "--home", str(home), "--passphrase-file", str(pw), *args])
    if stdout is not None:
        cmd += f" > {shlex.quote(str(stdout))}"
    path.write_text(f"#!/bin/sh\nexec {cmd}\n", encoding="utf-8")
    path.chmod(0o700)
    return str(path)


def run(runs: int) -> dict:
    missing = ensure_perfenv()
    if missing:
        return {"error": missing}
    script = HARNESS / "jrnl_peer.sh"
    if not script.exists():
        return {"error": f"no {script}"}
    vdir = generate.ensure(10_000, 200, progress=log)
    scratch = generate.OUT / "peer-scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    bindir = scratch / "bin"
    bindir.mkdir(parents=True)
    home = generate.scratch_copy(vdir, scratch)
    pw = vdir / "passphrase"
    available = {"search": rapport_has("search"), "add": rapport_has("jot"),
                 "export": rapport_has("export")}
    env = dict(os.environ, PERFENV=str(PERFENV), WORK=str(WORK), RUNS=str(runs), REUSE="1",
               ENTRIES="10000", SIZE="2048")
    person = None
    if available["add"]:
        from store import open_vault

        with open_vault(home / "vault.db", generate.PASSPHRASE) as store:
            person = store.people()[0].name
    if available["search"]:
        env["EXTRA_SEARCH"] = wrapper(bindir / "rapport-search", home, pw, ["search", "quokka"])
    if available["add"]:
        env["EXTRA_ADD"] = wrapper(bindir / "rapport-jot", home, pw,
                                   ["jot", "--with", person,
                                    "Quick note. Followed up with Sam about the roadmap."])
    if available["export"]:
        env["EXTRA_EXPORT"] = wrapper(bindir / "rapport-export", home, pw,
                                      ["export", "--all", "--format", "md"],
                                      stdout=scratch / "export.md")
    slow: dict[str, dict] = {}
    trials: dict[str, dict] = {}
    for op, key in (("search", "EXTRA_SEARCH"), ("add", "EXTRA_ADD"), ("export", "EXTRA_EXPORT")):
        if key in env:
            # the first run on the fresh copy: search seals its index, export its render cache
            trial = trials[op] = spawn_wait([env[key]])
            log(f"peer: trial {op}: {trial['wall_ms']:.0f} ms, rc {trial['rc']}, "
                f"peak {trial['peak_mib']:.0f} MiB")
            if trial["wall_ms"] > PEER_SLOW_S * 1000 or trial["rc"] != 0:
                slow[op] = trial
                del env[key]
    if WORK.exists() and not (WORK / ".jrnl_peer").exists():
        shutil.rmtree(WORK)
    interleaved = [op for op, key in (("search", "EXTRA_SEARCH"), ("add", "EXTRA_ADD"),
                                      ("export", "EXTRA_EXPORT")) if key in env]
    log(f"peer: {script} RUNS={runs} (search/add/export by jrnl, interleaved with rapport's "
        f"{', '.join(interleaved) or 'nothing'})")
    p = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    raw = p.stdout
    (generate.OUT / "last-jrnl-peer.txt").write_text(raw + "\n--- stderr\n" + p.stderr,
                                                     encoding="utf-8")
    if p.returncode != 0:
        return {"error": f"jrnl_peer.sh exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    rows = {}
    for line in raw.splitlines():
        m = LINE.match(line)
        if m:
            rows[m["label"]] = {k: float(m[k]) for k in ("wall", "min", "max", "cpu", "peak")}
            rows[m["label"]]["exit_ok"] = "exit_codes=" not in line
    out: dict = {"available": available, "rows": rows, "runs": runs}
    pairs = {"search": ("jrnl -contains (encrypted)", "proto search (sqlite3)"),
             "add": ("jrnl add (encrypted)", "proto add (sqlite3, WAL+FULL)"),
             "export": ("jrnl --export markdown (encrypted)", "proto export markdown")}
    sections = _sections(raw)
    for op, (jrnl_label, proto_label) in pairs.items():
        sec = sections.get(op, {})
        jrnl = sec.get(jrnl_label)
        proto = sec.get(proto_label)
        ours = next((v for k, v in sec.items() if k.startswith("extra: ")), None)
        out[op] = {"jrnl_ms": jrnl["wall"] if jrnl else None,
                   "proto_ms": proto["wall"] if proto else None,
                   "ratio_vs_proto": ours.get("ratio") if ours else None,
                   "rapport_ms": ours["wall"] if ours else None,
                   "rapport_ok": ours["exit_ok"] if ours else None,
                   "rapport_peak_mib": ours["peak"] if ours else None,
                   "jrnl_peak_mib": jrnl["peak"] if jrnl else None,
                   "first_ms": trials[op]["wall_ms"] if op in trials else None}
        if op in slow:
            t = slow[op]
            out[op].update(rapport_ms=t["wall_ms"], rapport_ok=t["rc"] == 0,
                           rapport_peak_mib=t["peak_mib"],
                           note=f"one run by itself (over {PEER_SLOW_S:.0f} s, or failed: "
                                f"not interleaved);")
    if available["export"] and (WORK / "proto.db").exists():
        out["layout"] = layout_rounds(runs, home, pw, str(bindir / "rapport-export"), scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    return out


def layout_rounds(runs: int, home: Path, pw: Path, export: str, scratch: Path) -> dict:
    """R6 export beside two floors in the same rounds: proto_vault's export (the budget's floor:
    two raw fields an entry) and bench/layout_floor.py (the same work on Rapport's own layout:
    every field a summary reads, sealed JSON bound to its row; no app, no rendering rules)."""
    log(f"peer: export beside the engine floor on Rapport's layout, {runs} rounds")
    env = dict(os.environ, BENCH_PASSWORD=os.environ.get("BENCH_JRNL_PASSWORD", "bench-password"))
    cmds = {
        "proto": [sys.executable, str(HARNESS / "proto_vault.py"), "export",
                  str(WORK / "proto.db"), str(scratch / "proto.md")],
        "layout": [sys.executable, str(HERE / "layout_floor.py"), str(home / "vault.db"),
                   str(pw), str(scratch / "layout.md")],
        "rapport": [export],
    }
    got = interleave({k: (lambda c=c: spawn_wait(c, env=env)) for k, c in cmds.items()}, runs)
    wall = {k: [r["wall_ms"] for r in v] for k, v in got.items()}
    return {**{f"{k}_ms": median(v) for k, v in wall.items()},
            **{f"{k}_cpu_ms": median([r["cpu_ms"] for r in v]) for k, v in got.items()},
            "layout_vs_proto": median([a / b for a, b in zip(wall["layout"], wall["proto"])]),
            "rapport_vs_layout": median([a / b for a, b in zip(wall["rapport"], wall["layout"])]),
            "rapport_vs_proto": median([a / b for a, b in zip(wall["rapport"], wall["proto"])]),
            "ok": all(r["rc"] == 0 for v in got.values() for r in v)}


def _sections(raw: str) -> dict[str, dict]:
    names = {"search": "== search", "add": "== add", "export": "== export"}
    out: dict[str, dict] = {}
    current = None
    for line in raw.splitlines():
        for k, prefix in names.items():
            if line.startswith(prefix):
                current = k
        if line.startswith("== ") and not any(line.startswith(p) for p in names.values()):
            current = None
        m = LINE.match(line)
        if m and current:
            out.setdefault(current, {})[m["label"]] = {
                k: float(m[k]) for k in ("wall", "min", "max", "cpu", "peak")}
            out[current][m["label"]]["exit_ok"] = "exit_codes=" not in line
            r = RATIO.search(line)
            if r:
                out[current][m["label"]]["ratio"] = float(r["ratio"])
    return out


@click.command(help=doc_help(__doc__))
@click.option("--runs", type=int, default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="the results as JSON, for bench/run.py")
def main(runs: int, as_json: bool) -> None:
    res = run(runs)
    if as_json:
        print(json.dumps(res))
        return
    if "error" in res:
        print(f"peer: n/a: {res['error']}")
        return
    for op in ("search", "add", "export"):
        r = res[op]
        if r["rapport_ms"] is None:
            print(f"{op:7} jrnl {r['jrnl_ms']} ms; rapport: n/a (command missing)")
        else:
            print(f"{op:7} jrnl {r['jrnl_ms']:.0f} ms, rapport {r['rapport_ms']:.0f} ms "
                  f"-> {r['jrnl_ms'] / r['rapport_ms']:.2f}x faster"
                  + ("" if r["rapport_ok"] else " (rapport exited non-zero!)"))


if __name__ == "__main__":
    main()
