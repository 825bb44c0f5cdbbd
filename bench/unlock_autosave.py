#!/usr/bin/env python3
"""Unlock time and autosave latency (issue 2; goal G4), each beside its floor in the same run.

    .venv/bin/python bench/unlock_autosave.py [--runs 7] [--saves 40] [--note-kib 20] [--json]

Unlock: ``open_vault`` with the production key-derivation parameters on the 10,000-session and
the 10-session vaults (then ``close``, not timed), interleaved with the floor: Argon2id with the
same parameters plus the AES-GCM unwrap of a 32-byte key.

Autosave: ``Store.save_note`` of a 20 KB note (the text changes a little on every save, as when
typing) in an active session, timed call by call, on scratch copies of the 10-session and the
10,000-session vaults; the floor, in the same directory and the same rounds: AES-GCM-encrypt the
same note and write it as one row (UPDATE in a transaction) to an SQLite file in WAL mode with
synchronous=FULL. Saves are interleaved one by one (floor, 10, 10k, floor, ...), ``--saves`` of
each per round; the figures are p50, p95 and p99 over every save, the ratios the median over
rounds of each round's ratio of percentiles.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
from common import doc_help, log, median, percentile  # noqa: E402


def now() -> float:
    return time.perf_counter()


def note_of(kib: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return generate.note_text(rng, "Zoë", kib * 1024)


def edits(base: str, n: int):
    """Successive versions of a note being typed into: a few characters more each time."""
    text = base
    for i in range(n):
        text = text + f" é{i % 10}"
        yield text


# ------------------------------------------------------------------------------------ unlock
def unlock_floor(params) -> float:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    salt = os.urandom(16)
    wrapped_key = os.urandom(32)
    t0 = now()
    kek = Argon2id(salt=salt, length=32, iterations=params.iterations, lanes=params.lanes,
                   memory_cost=params.memory_kib).derive(generate.PASSPHRASE.encode())
    nonce = os.urandom(12)
    AESGCM(kek).decrypt(nonce, AESGCM(kek).encrypt(nonce, wrapped_key, b"aad"), b"aad")
    return now() - t0


def unlock_bench(runs: int) -> dict:
    from store import PRODUCTION
    from store import open_vault

    vaults = {"10k": generate.ensure(10_000, 200, progress=log),
              "10": generate.ensure(10, 5, progress=log)}
    samples: dict[str, list[float]] = {"floor": [], "10k": [], "10": []}
    for rnd in range(runs + 1):
        got = {"floor": unlock_floor(PRODUCTION)}
        for name, vdir in vaults.items():
            t0 = now()
            store = open_vault(vdir / "home" / "vault.db", generate.PASSPHRASE)
            got[name] = now() - t0
            store.close()
        if rnd:
            for k, v in got.items():
                samples[k].append(v)
    return samples


# ---------------------------------------------------------------------------------- autosave
class FloorWriter:
    """Encrypt + one-row write, WAL and synchronous=FULL."""

    def __init__(self, path: Path) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, rev INTEGER, body BLOB)")
        self.conn.execute("INSERT INTO notes VALUES (1, 0, x'')")
        self.rev = 0

    def save(self, text: str) -> None:
        nonce = os.urandom(12)
        blob = nonce + self.aead.encrypt(nonce, text.encode("utf-8"), b"notes|1")
        self.rev += 1
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE notes SET body = ?, rev = ? WHERE id = 1", (blob, self.rev))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class StoreWriter:
    def __init__(self, home: Path) -> None:
        from store import open_vault

        self.store = open_vault(home / "vault.db", generate.PASSPHRASE)
        active = self.store.summaries(status="active", limit=1)
        if not active:
            raise SystemExit("the generated vault has no active session")
        self.session = self.store.session(active[0].id)
        stages = [s["key"] for s in self.session.stages if not s.get("private")]
        self.stage = stages[0]

    def save(self, text: str) -> None:
        self.store.save_note(self.session.id, self.stage, text)

    def close(self) -> None:
        self.store.close()


def autosave_bench(runs: int, saves: int, kib: int) -> dict:
    base = note_of(kib)
    work = Path(tempfile.mkdtemp(prefix="rapport-autosave-", dir=generate.OUT))
    try:
        writers = {
            "floor": FloorWriter(work / "floor.db"),
            "10": StoreWriter(generate.scratch_copy(generate.ensure(10, 5, progress=log),
                                                    work / "v10")),
            "10k": StoreWriter(generate.scratch_copy(generate.ensure(10_000, 200, progress=log),
                                                     work / "v10k")),
        }
        texts = list(edits(base, (runs + 1) * saves))
        rounds: dict[str, list[list[float]]] = {k: [] for k in writers}
        for rnd in range(runs + 1):  # round 0: warm-up
            chunk = texts[rnd * saves:(rnd + 1) * saves]
            times: dict[str, list[float]] = {k: [] for k in writers}
            for text in chunk:  # save by save: floor, 10, 10k, floor, 10, 10k, ...
                for name, w in writers.items():
                    t0 = now()
                    w.save(text)
                    times[name].append(now() - t0)
            if rnd:
                for name in writers:
                    rounds[name].append(times[name])
        for w in writers.values():
            w.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rounds": rounds, "note_chars": len(base), "note_bytes": len(base.encode())}


def summarise(unlock: dict, autosave: dict) -> dict:
    out: dict = {"unlock": {}, "autosave": {}}
    for k, v in unlock.items():
        out["unlock"][k] = {"median_ms": median(v) * 1e3, "min_ms": min(v) * 1e3,
                            "max_ms": max(v) * 1e3}
    for k in ("10k", "10"):
        out["unlock"][k]["ratio_vs_floor"] = median(a / b for a, b in zip(unlock[k],
                                                                           unlock["floor"]))
    rounds = autosave["rounds"]
    for k, rs in rounds.items():
        flat = [t for r in rs for t in r]
        out["autosave"][k] = {p: percentile(flat, q) * 1e3 for p, q in
                              (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99))}
        out["autosave"][k]["n"] = len(flat)
    for k in ("10k", "10"):
        for p, q in (("p50", 50), ("p95", 95)):
            out["autosave"][k][f"{p}_ratio_vs_floor"] = median(
                percentile(a, q) / percentile(b, q) for a, b in zip(rounds[k], rounds["floor"]))
    for p, q in (("p50", 50), ("p95", 95)):
        out["autosave"]["10k"][f"{p}_ratio_vs_10"] = median(
            percentile(a, q) / percentile(b, q) for a, b in zip(rounds["10k"], rounds["10"]))
    out["autosave"]["note_bytes"] = autosave["note_bytes"]
    return out


@click.command(help=doc_help(__doc__))
@click.option("--runs", type=int, default=7, show_default=True)
@click.option("--saves", type=int, default=40, show_default=True)
@click.option("--note-kib", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the raw samples as JSON")
def main(runs: int, saves: int, note_kib: int, as_json: bool) -> None:
    unlock = unlock_bench(runs)
    autosave = autosave_bench(runs, saves, note_kib)
    summary = summarise(unlock, autosave)
    if as_json:
        print(json.dumps({"summary": summary, "unlock": unlock, "autosave": autosave}))
        return
    u, a = summary["unlock"], summary["autosave"]
    print(f"unlock (production Argon2id m={64} MiB t=3 p=4), median of {runs} interleaved:")
    print(f"  floor Argon2id + unwrap      {u['floor']['median_ms']:7.1f} ms")
    for k in ("10", "10k"):
        print(f"  open_vault, {k:>3} sessions    {u[k]['median_ms']:7.1f} ms  "
              f"({u[k]['ratio_vs_floor']:.2f}x floor)")
    print(f"autosave of a {a['note_bytes'] / 1024:.0f} KiB note, {runs} x {saves} saves each:")
    for k, label in (("floor", "floor encrypt+1-row write"), ("10", "save_note, 10 sessions"),
                     ("10k", "save_note, 10k sessions")):
        r = a[k]
        line = (f"  {label:27} p50 {r['p50_ms']:6.2f} ms  p95 {r['p95_ms']:6.2f} ms  "
                f"p99 {r['p99_ms']:6.2f} ms")
        if k != "floor":
            line += f"  (p50 {r['p50_ratio_vs_floor']:.2f}x, p95 {r['p95_ratio_vs_floor']:.2f}x floor)"
        print(line)
    print(f"  10k vs 10 sessions: p50 {a['10k']['p50_ratio_vs_10']:.2f}x, "
          f"p95 {a['10k']['p95_ratio_vs_10']:.2f}x")


if __name__ == "__main__":
    main()
