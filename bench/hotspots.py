#!/usr/bin/env python3
"""Profiles of the slow paths the bench finds, with pyinstrument (the ``bench`` extra).

    .venv/bin/python bench/hotspots.py SCENARIO [--sessions 10000] [--html]

Scenarios (all on a scratch copy of a generated vault; output in bench/out/profile-*.txt|html):
  home      the app handed an unlocked store -> the whole home list loaded (main thread and the
            loading worker both sampled: pyinstrument follows the asyncio loop; the worker's
            calls are profiled again by themselves below the first tree)
  search    open_vault, then the first store.search (index build) and one common-word query
  export    store.export.render of --all as a Markdown summary (what `rapport export` does)
  startup   python -c "import tui.cli, tui.app, tui.screens.unlock" (what precedes the first frame)
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
from common import doc_help  # noqa: E402


def profiler():
    from pyinstrument import Profiler

    return Profiler(interval=0.001, async_mode="enabled")


def write(prof, name: str, html: bool) -> Path:
    out = generate.OUT / f"profile-{name}.{'html' if html else 'txt'}"
    out.write_text(prof.output_html() if html else prof.output_text(unicode=True, show_all=False),
                   encoding="utf-8")
    return out


def scenario_home(home: Path, html: bool) -> list[Path]:
    from store import open_vault
    from tui_bench import SIZE, make_app, until

    outs = []

    async def go() -> None:
        app = make_app(home)
        async with app.run_test(size=SIZE):
            await until(lambda: type(app.screen).__name__ == "UnlockScreen")
            await asyncio.sleep(0.5)
            store = open_vault(home / "vault.db", generate.PASSPHRASE)
            prof = profiler()
            prof.start()
            t0 = time.perf_counter()
            app.unlocked(store)
            await until(lambda: type(app.screen).__name__ == "HomeScreen"
                        and app.screen.loaded_all, timeout=120)
            print(f"unlocked -> whole list: {time.perf_counter() - t0:.2f}s")
            prof.stop()
            outs.append(write(prof, "home", html))
            app.store = None
        store.close()
        # the loading worker's work alone (a thread: sampled here on the main thread)
        from tui.screens.home import HomeScreen

        store2 = open_vault(home / "vault.db", generate.PASSPHRASE)
        prof = profiler()
        prof.start()
        first = store2.summaries(limit=200)
        items = store2.items(open_only=True)
        rest = store2.summaries()
        rows = [HomeScreen.make_row(s, {}) for s in rest]
        prof.stop()
        print(f"worker work: {len(first)} + {len(items)} items + {len(rows)} rows")
        outs.append(write(prof, "home-worker", html))
        store2.close()

    asyncio.run(go())
    return outs


def scenario_search(home: Path, html: bool) -> list[Path]:
    from store import open_vault

    store = open_vault(home / "vault.db", generate.PASSPHRASE)
    prof = profiler()
    prof.start()
    store.search("quokka")
    store.search("roadmap")
    store.search("straße")
    prof.stop()
    store.close()
    return [write(prof, "search", html)]


def scenario_export(home: Path, html: bool) -> list[Path]:
    from store import export
    from store import open_vault

    store = open_vault(home / "vault.db", generate.PASSPHRASE)
    prof = profiler()
    prof.start()
    doc = export.render(store, export.Scope.all(), "md", "summary")
    prof.stop()
    print(f"export: {len(doc.text) / 1e6:.1f} M chars")
    store.close()
    return [write(prof, "export", html)]


def scenario_startup(home: Path, html: bool) -> list[Path]:
    out = generate.OUT / "profile-startup-importtime.txt"
    p = subprocess.run([sys.executable, "-X", "importtime", "-c",
                        "import tui.cli, tui.launch, tui.app, tui.screens.unlock"],
                       capture_output=True, text=True, cwd=HERE.parent)
    rows = []
    for line in p.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            self_us, cum_us, name = line[len("import time:"):].split("|")
            rows.append((int(cum_us), int(self_us), name.rstrip()))
    top = sorted(rows, reverse=True)[:60]
    out.write_text("cumulative_us self_us module\n" + "\n".join(
        f"{c:>12} {s:>8} {n}" for c, s, n in top) + "\n", encoding="utf-8")
    return [out]


@click.command(help=doc_help(__doc__))
@click.argument("scenario", type=click.Choice(("home", "search", "export", "startup")))
@click.option("--sessions", type=int, default=10_000, show_default=True)
@click.option("--html", is_flag=True)
def main(scenario: str, sessions: int, html: bool) -> None:
    people = {10_000: 200, 100: 20, 10: 5}.get(sessions, 200)
    vdir = generate.ensure(sessions, people)
    work = Path(tempfile.mkdtemp(prefix="rapport-prof-", dir=generate.OUT))
    try:
        home = generate.scratch_copy(vdir, work)
        fn = globals()[f"scenario_{scenario}"]
        for path in fn(home, html):
            print(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
