#!/usr/bin/env python3
"""In-app search over the 10,000-session vault (G5; issue 5 "search time"), beside its floors.

    .venv/bin/python bench/search_bench.py [--runs 7] [--json]

First query after unlock, as the app meets it: ``open_vault`` (not timed), then
``store.search("quokka")`` timed. The store reads its sealed index (an in-memory SQLite database
written by an earlier search: ``save_search_index``, which the app calls after showing results)
and brings it level with the rows (the row summary says nothing changed). The cold case -- no sealed index yet (the first search ever, or the first after a
session was deleted) -- is timed too, on a second copy of the vault that is never sealed: every
field decrypted. Floor, in the same rounds: the same texts (every name, title, note, item and
jot: exactly what the index holds) as bare AES-GCM blobs in an SQLite file on the same disk; read
them all, decrypt, decode and casefold them all, then find the word.

Later queries: on the built index, each query of QUERIES timed (median of 3 repetitions per
round); floor: the same texts held pre-casefolded in a Python list, ``str.find`` over each and
the positions of the hits collected.
"""

from __future__ import annotations

import json
import os
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
from common import doc_help, log, median  # noqa: E402

# rare word (100 sessions), one hit, a person's name, a common phrase, non-ASCII, no hit
QUERIES = ("quokka", "kestrel", "Ayşe", "roadmap", "straße", "xylophone-nowhere")
FIRST_QUERY = "quokka"
REPS = 3


def now() -> float:
    return time.perf_counter()


class Floors:
    def __init__(self, texts: list[str], workdir: Path) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.path = workdir / "search-floor.db"
        conn = sqlite3.connect(self.path)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)")

        def seal(text: str) -> bytes:
            nonce = os.urandom(12)
            return nonce + self.aead.encrypt(nonce, text.encode("utf-8"), b"t|1")

        conn.executemany("INSERT INTO t (blob) VALUES (?)", ((seal(t),) for t in texts))
        conn.commit()
        conn.close()
        self.conn = sqlite3.connect(self.path)
        self.folded = [t.casefold() for t in texts]
        self.count = len(texts)

    def decrypt_all(self, needle: str) -> tuple[float, int]:
        dec = self.aead.decrypt
        needle = needle.casefold()
        t0 = now()
        folded = [dec(b[:12], b[12:], b"t|1").decode("utf-8").casefold()
                  for (b,) in self.conn.execute("SELECT blob FROM t")]
        hits = [(i, p) for i, f in enumerate(folded) if (p := f.find(needle)) >= 0]
        return now() - t0, len(hits)

    def in_memory(self, needle: str) -> tuple[float, int]:
        needle = needle.casefold()
        t0 = now()
        hits = [(i, p) for i, f in enumerate(self.folded) if (p := f.find(needle)) >= 0]
        return now() - t0, len(hits)


def texts_of(store) -> list[str]:
    """Every searchable text the index holds: names, titles, notes, items and jots (read with
    the row engine, as the index reads them)."""
    from store import SEARCH_SOURCES as SOURCES

    texts = []
    for table, (_, column, field) in SOURCES.items():
        for _, secret in store.engine.select(table, columns=(column,)):
            text = secret[column].get(field, "")
            if text:
                texts.append(text)
    return texts


def bench(runs: int) -> dict:
    from store import open_vault

    vdir = generate.ensure(10_000, 200, progress=log)
    work = Path(tempfile.mkdtemp(prefix="rapport-search-", dir=generate.OUT))
    try:
        home = generate.scratch_copy(vdir, work / "warm")
        path = home / "vault.db"
        cold_path = generate.scratch_copy(vdir, work / "cold") / "vault.db"
        store = open_vault(path, generate.PASSPHRASE)
        texts = texts_of(store)
        store.close()
        floors = Floors(texts, work)
        first: dict[str, list] = {"store": [], "floor": [], "hits": [], "floor_hits": [],
                                  "cold": []}
        later: dict[str, dict[str, list]] = {q: {"store": [], "floor": [], "hits": [],
                                                 "floor_hits": []} for q in QUERIES}
        for rnd in range(runs + 1):
            ft, fh = floors.decrypt_all(FIRST_QUERY)
            cold = open_vault(cold_path, generate.PASSPHRASE)
            t0 = now()
            cold.search(FIRST_QUERY)
            ct = now() - t0
            cold.close()
            store = open_vault(path, generate.PASSPHRASE)
            t0 = now()
            hits = store.search(FIRST_QUERY)
            st = now() - t0
            store.save_search_index()  # as the app does after showing results (round 0 seals)
            for q in QUERIES:
                s_times, f_times = [], []
                for _ in range(REPS):
                    t0 = now()
                    res = store.search(q)
                    s_times.append(now() - t0)
                    f, n = floors.in_memory(q)
                    f_times.append(f)
                if rnd:
                    later[q]["store"].append(median(s_times))
                    later[q]["floor"].append(median(f_times))
                    later[q]["hits"].append(len(res))
                    later[q]["floor_hits"].append(n)
            store.close()
            if rnd:
                first["store"].append(st)
                first["cold"].append(ct)
                first["floor"].append(ft)
                first["hits"].append(len(hits))
                first["floor_hits"].append(fh)
            log(f"  search: round {rnd}/{runs}: first query {st * 1000:.0f} ms (no sealed index: "
                f"{ct * 1000:.0f} ms) vs decrypt-all floor {ft * 1000:.0f} ms")
        floors.conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"first": first, "later": later, "docs": floors.count,
            "chars": sum(len(t) for t in texts)}


@click.command(help=doc_help(__doc__))
@click.option("--runs", type=int, default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="the results as JSON, for bench/run.py")
def main(runs: int, as_json: bool) -> None:
    res = bench(runs)
    if as_json:
        print(json.dumps(res))
        return
    f = res["first"]
    print(f"{res['docs']} searchable fields, {res['chars'] / 1e6:.1f} M characters")
    print(f"first query {FIRST_QUERY!r}: store {median(f['store']) * 1e3:.0f} ms, decrypt-all floor "
          f"{median(f['floor']) * 1e3:.0f} ms, ratio "
          f"{median(a / b for a, b in zip(f['store'], f['floor'])):.2f}x")
    for q, d in res["later"].items():
        print(f"later {q!r:22} store {median(d['store']) * 1e3:7.2f} ms ({d['hits'][0]} hits), "
              f"in-memory floor {median(d['floor']) * 1e3:6.2f} ms ({d['floor_hits'][0]}), ratio "
              f"{median(a / b for a, b in zip(d['store'], d['floor'])):.2f}x")


if __name__ == "__main__":
    main()
