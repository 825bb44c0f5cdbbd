#!/usr/bin/env python3
"""In-process TUI measures with Textual's headless ``run_test``, each beside its floor.

    .venv/bin/python bench/tui_bench.py inproc [--runs 7] [--keys 15]
    .venv/bin/python bench/tui_bench.py memory  (one scenario; prints its peak RSS)
    .venv/bin/python bench/tui_bench.py memory-floor

``inproc`` runs rounds of, interleaved:
  kdf        Argon2id with the production parameters (the floor's first term, G2)
  decrypt    AES-GCM-decrypting what the home list's columns are read from (LIST_COLUMNS: every
             session's meta and state, person's data, item's data), blobs of the vault's own
             sizes read from an SQLite file (the floor's second term, G2)
  decrypt_sessions  the same for the sessions' meta and state alone (an info row)
  floor      a 200-row DataTable screen pushed on a minimal app: push -> first frame with its
             rows (G3 floor); then key presses in it (floor of the key latency)
  big        RapportApp on the 10,000-session vault: Enter on the passphrase -> first frame
             showing rows (G2, issue 5 "unlock -> first rows"), -> whole list loaded; the
             unlock handing over (``app.unlocked``) -> first frame with rows (G3); how long
             the run's own Argon2id took (in the unlock worker); the longest event-loop
             stall while the key is derived; key presses in the table
  small      the same on the 100-session vault (G3: 10,000 vs 100)
Frames are stamped by bench/frame_hook.py, which also does the escape-sequence rendering a
terminal frame costs. A key press is one ``Key`` event handed to the driver; its latency ends
with the first frame that shows the moved cursor.

``memory`` (run in a fresh process by bench/run.py): unlock the 10,000-session vault, load the
whole list, browse (arrows, page down, G, g, type-to-filter), search (the app's search screen
when it exists, else ``store.search`` in a worker, as a screen would), then print VmHWM.
``memory-floor``: the minimal app, same harness, VmHWM. Each prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import frame_hook  # noqa: E402
import generate  # noqa: E402
from common import doc_help, log  # noqa: E402

SIZE = (160, 48)
KEYS = ("down",) * 15


def now() -> float:
    return time.perf_counter()


async def until(cond, timeout: float = 60.0, step: float = 0.0005) -> None:
    deadline = now() + timeout
    while not cond():
        if now() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(step)


class Frames:
    """Records frames of one app; ``wait(pred)`` resolves at the first frame where pred() holds."""

    def __init__(self, app) -> None:
        self.app = app
        self.waiters: list[tuple[object, list]] = []
        frame_hook.install(self.on_frame)

    def on_frame(self, app, t_ns: int) -> None:
        if app is not self.app:
            return
        t = now()
        for pred, box in list(self.waiters):
            if not box and pred():
                box.append(t)

    def watch(self, pred) -> list:
        box: list = []
        self.waiters.append((pred, box))
        return box

    def close(self) -> None:
        frame_hook.remove(self.on_frame)


async def press_latency(app, frames: Frames, key: str, moved) -> float:
    """One key event to the driver; seconds until the first frame where moved() is true."""
    from textual import events

    box = frames.watch(moved)
    event = events.Key(key, None)
    event.set_sender(app)
    t0 = now()
    app._driver.send_message(event)
    await until(lambda: bool(box), timeout=10)
    return box[0] - t0


async def table_keys(app, frames: Frames, table, keys=KEYS) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"down": [], "pagedown": [], "end": []}
    table.focus()
    await asyncio.sleep(0.05)
    for key in keys:
        want = table.cursor_row + 1
        out["down"].append(await press_latency(app, frames, key,
                                               lambda: table.cursor_row == want))
        await asyncio.sleep(0.01)
    start = table.cursor_row
    out["pagedown"].append(await press_latency(app, frames, "pagedown",
                                               lambda: table.cursor_row > start))
    await asyncio.sleep(0.01)
    start = table.cursor_row
    out["end"].append(await press_latency(app, frames, "ctrl+end",
                                          lambda: table.cursor_row > start))
    return out


# ----------------------------------------------------------------------------------- floors
def kdf_floor() -> float:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    from store import PRODUCTION as P

    t0 = now()
    Argon2id(salt=os.urandom(16), length=32, iterations=P.iterations, lanes=P.lanes,
             memory_cost=P.memory_kib).derive(b"bench: correct horse battery staple")
    return now() - t0


#: The home list's columns and the sealed columns they are read from: date and status are
#: plaintext; guide and length come from the sessions' meta and state, the participant from the
#: people's data, the Open count from every item's data (its kind and status are sealed).
LIST_COLUMNS = {"sessions": ("meta", "state"), "people": ("data",), "items": ("data",)}


class DecryptFloor:
    """Sealed columns of the vault (``columns``: table -> column names) as bare AES-GCM blobs of
    the vault's own sizes in an SQLite file; timing = read them all and decrypt them all."""

    def __init__(self, vault: Path, workdir: Path, columns: dict[str, tuple[str, ...]]) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        src = sqlite3.connect(f"file:{vault}?mode=ro", uri=True)
        sizes = [n for table, cols in columns.items()
                 for row in src.execute(f"SELECT {', '.join(f'length({c})' for c in cols)}"
                                        f" FROM {table}")
                 for n in row]
        self.rows = {table: src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in columns}
        src.close()
        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.aad = b"rapport/v1|sessions|meta|" + b"x" * 120
        self.path = workdir / f"decrypt-floor-{'-'.join(columns)}.db"
        conn = sqlite3.connect(self.path)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)")

        def blob(n: int) -> bytes:
            nonce = os.urandom(12)
            return b"\x01" + nonce + self.aead.encrypt(nonce, os.urandom(max(0, n - 29)),
                                                       self.aad)

        conn.executemany("INSERT INTO t (blob) VALUES (?)", ((blob(n),) for n in sizes))
        conn.commit()
        conn.close()
        self.conn = sqlite3.connect(self.path)

    def __call__(self) -> float:
        dec, aad = self.aead.decrypt, self.aad
        t0 = now()
        for (b,) in self.conn.execute("SELECT blob FROM t"):
            dec(b[1:13], b[13:], aad)
        return now() - t0


async def floor_table_run(rows: int = 200) -> dict:
    from floor_app import FloorApp, FloorTable, TableScreen

    app = FloorApp()
    frames = Frames(app)
    try:
        async with app.run_test(size=SIZE):
            await asyncio.sleep(0.05)
            screen = TableScreen(rows)
            box = frames.watch(lambda: app.screen is screen
                               and screen.query_one(FloorTable).row_count == rows)
            t0 = now()
            app.push_screen(screen)
            await until(lambda: bool(box))
            first = box[0] - t0
            await asyncio.sleep(0.05)
            keys = await table_keys(app, frames, screen.query_one(FloorTable))
    finally:
        frames.close()
    return {"first_frame": first, **{f"key_{k}": v for k, v in keys.items()}}


# ------------------------------------------------------------------------------------ rapport
def make_app(home: Path):
    from store import Paths
    from tui.config import Config
    from tui.launch import Heap, make_app as make_rapport

    return make_rapport(Paths.resolve(home), config=Config(idle_lock_minutes=0), heap=Heap())


async def rapport_run(home: Path, passphrase: str, *, keys: bool = True) -> dict:
    app = make_app(home)
    frames = Frames(app)
    marks: dict[str, float] = {}
    original_unlocked = app.unlocked

    def unlocked(store, *args):
        marks.setdefault("unlocked", now())
        return original_unlocked(store, *args)

    import store as vault_module  # the unlock screen takes open_vault from the front door

    original_open = vault_module.open_vault

    def open_vault(*args, **kwargs):  # "unlocked": the key derived (the unlock screen then
        opened = original_open(*args, **kwargs)  # reads the first rows before handing over)
        marks.setdefault("unlocked", now())
        return opened

    vault_module.open_vault = open_vault

    from store import crypto

    original_derive = crypto.derive_kek
    derived: list[float] = []

    def derive_kek(*args, **kwargs):  # the run's own Argon2id (in the unlock worker)
        t0 = now()
        try:
            return original_derive(*args, **kwargs)
        finally:
            derived.append(now() - t0)

    crypto.derive_kek = derive_kek

    app.unlocked = unlocked  # the unlock worker calls app.unlocked through the instance

    def home_screen():
        s = app.screen
        return s if type(s).__name__ == "HomeScreen" else None

    lags: list[tuple[float, float]] = []
    stop = asyncio.Event()

    async def watchdog() -> None:  # how long the event loop is held up, while the key is derived
        while not stop.is_set():
            t = now()
            await asyncio.sleep(0.002)
            lags.append((t, now() - t - 0.002))

    result: dict = {}
    try:
        async with app.run_test(size=SIZE):
            await until(lambda: type(app.screen).__name__ == "UnlockScreen")
            await asyncio.sleep(0.3)  # the screen preloads its libraries meanwhile
            for w in list(app.workers):
                if w.group == "preload":
                    await app.workers.wait_for_complete([w])
            app.screen.query_one("#passphrase").value = passphrase
            rows_box = frames.watch(lambda: (h := home_screen()) is not None and h.shown > 0)
            all_box = frames.watch(lambda: (h := home_screen()) is not None and h.loaded_all)
            dog = asyncio.create_task(watchdog())
            await asyncio.sleep(0.01)
            from textual import events

            event = events.Key("enter", "\r")
            event.set_sender(app)
            t_enter = now()
            app._driver.send_message(event)
            await until(lambda: bool(rows_box), timeout=60)
            await until(lambda: bool(all_box), timeout=180)
            stop.set()
            await dog
            t_unl = marks["unlocked"]
            kdf_lags = [lag for t, lag in lags if t_enter <= t <= t_unl]
            load_lags = [lag for t, lag in lags if t_unl <= t <= all_box[0]]
            result = {"enter_to_rows": rows_box[0] - t_enter,
                      "enter_to_all": all_box[0] - t_enter,
                      "enter_to_unlocked": t_unl - t_enter,
                      "derive": derived[0] if derived else None,
                      "unlocked_to_rows": rows_box[0] - t_unl,
                      "kdf_max_stall": max(kdf_lags, default=0.0),
                      "load_max_stall": max(load_lags, default=0.0)}
            if keys:
                await asyncio.sleep(0.05)
                from textual.widgets import DataTable

                table = home_screen().query_one(DataTable)
                for k, v in (await table_keys(app, frames, table)).items():
                    result[f"key_{k}"] = v
            store = app.store
            app.store = None
    finally:
        frames.close()
        vault_module.open_vault = original_open
        crypto.derive_kek = original_derive
    if store is not None:
        store.close()
    return result


async def inproc(runs: int) -> dict:
    big = generate.ensure(10_000, 200, progress=log)
    small = generate.ensure(100, 20, progress=log)
    work = Path(tempfile.mkdtemp(prefix="rapport-tui-", dir=generate.OUT))
    try:
        homes = {"big": generate.scratch_copy(big, work / "big"),
                 "small": generate.scratch_copy(small, work / "small")}
        decrypt = DecryptFloor(homes["big"] / "vault.db", work, LIST_COLUMNS)
        sessions_only = DecryptFloor(homes["big"] / "vault.db", work,
                                     {"sessions": LIST_COLUMNS["sessions"]})
        samples: dict[str, list] = {k: [] for k in ("kdf", "decrypt", "decrypt_sessions",
                                                    "floor", "big", "small")}
        for rnd in range(runs + 1):  # round 0: warm-up
            got: dict = {}
            for name, fn in (("kdf", kdf_floor), ("decrypt", decrypt),
                             ("decrypt_sessions", sessions_only),
                             ("floor", floor_table_run),
                             ("big", lambda: rapport_run(homes["big"], generate.PASSPHRASE)),
                             ("small", lambda: rapport_run(homes["small"], generate.PASSPHRASE,
                                                           keys=False))):
                gc.collect()  # earlier rounds' garbage must not be collected inside this one
                value = fn()
                got[name] = await value if asyncio.iscoroutine(value) else value
            if rnd:
                for k, v in got.items():
                    samples[k].append(v)
            log(f"  tui: round {rnd}/{runs}: enter->rows {got['big']['enter_to_rows'] * 1000:.0f} ms"
                f" (kdf {got['kdf'] * 1000:.0f} ms), unlocked->rows "
                f"{got['big']['unlocked_to_rows'] * 1000:.0f} vs 100-session "
                f"{got['small']['unlocked_to_rows'] * 1000:.0f} vs floor "
                f"{got['floor']['first_frame'] * 1000:.0f} ms")
        decrypt.conn.close()
        sessions_only.conn.close()
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return {"samples": samples, "decrypt_rows": decrypt.rows, "terminal": f"{SIZE[0]}x{SIZE[1]}"}


# ------------------------------------------------------------------------------------- memory
async def memory_scenario() -> dict:
    big = generate.ensure(10_000, 200, progress=log)
    work = Path(tempfile.mkdtemp(prefix="rapport-mem-", dir=generate.OUT))
    info: dict = {}
    try:
        home = generate.scratch_copy(big, work)
        app = make_app(home)
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: type(app.screen).__name__ == "UnlockScreen")
            await asyncio.sleep(0.3)
            app.screen.query_one("#passphrase").value = generate.PASSPHRASE
            await pilot.press("enter")
            await until(lambda: type(app.screen).__name__ == "HomeScreen"
                        and app.screen.loaded_all, timeout=180)
            info["after_unlock_kib"] = frame_hook.peak_kib()
            from textual.widgets import DataTable

            app.screen.query_one(DataTable).focus()
            await pilot.press(*(["down"] * 30), "pagedown", "pagedown", "G", "g")
            await pilot.press("z", "o")  # type to filter
            await pilot.pause(0.3)
            await pilot.press("escape")
            await pilot.pause(0.3)
            info["after_browse_kib"] = frame_hook.peak_kib()
            try:
                import tui.screens.search  # noqa: F401
                has_screen = True
            except ModuleNotFoundError:
                has_screen = False
            info["search_via"] = "screen" if has_screen else "store.search in a worker"
            if has_screen:
                await pilot.press("slash")
                await pilot.pause(0.3)
                await pilot.press(*"quokka", "enter")
                await pilot.pause(2.0)
                await pilot.press("escape")
            store = app.store
            hits = {}
            for q in ("quokka", "roadmap", "zoë"):
                worker = app.run_worker(lambda q=q: store.search(q), thread=True)
                await app.workers.wait_for_complete([worker])
                hits[q] = len(worker.result or [])
            info["hits"] = hits
            app.store = None
        store.close()
        info["peak_kib"] = frame_hook.peak_kib()
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return info


async def memory_floor() -> dict:
    from floor_app import FloorApp

    app = FloorApp()
    async with app.run_test(size=SIZE):
        await asyncio.sleep(0.3)
    return {"peak_kib": frame_hook.peak_kib()}


@click.command(help=doc_help(__doc__))
@click.argument("what", type=click.Choice(("inproc", "memory", "memory-floor")))
@click.option("--runs", type=int, default=7, show_default=True)
def main(what: str, runs: int) -> None:
    if what == "inproc":
        out = asyncio.run(inproc(runs))
    elif what == "memory":
        out = asyncio.run(memory_scenario())
    else:
        out = asyncio.run(memory_floor())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
