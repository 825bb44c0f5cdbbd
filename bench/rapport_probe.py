#!/usr/bin/env python3
"""Runs the real ``rapport`` command (``tui.cli.main``) with measurement hooks, nothing else.

    rapport_probe.py [rapport arguments...]          e.g. --home DIR

Environment:
  BENCH_FRAME_OUT=FILE      append ``key=value`` stamps (CLOCK_MONOTONIC ns) to FILE
  BENCH_EXIT_ON_FRAME=1     exit right after the first frame of the unlock screen

Stamps: ``frame=`` the first frame written while the unlock screen is current (the same
frame_hook as the floor apps), ``run=`` when App.run was entered, ``keys=`` the first frame
showing the footer's keys, ``ready=`` Textual's Ready, ``rows=`` the first frame showing
session rows on the home screen, ``all=`` the first frame after the whole list is loaded, and at
the first frame ``heavy=`` the heavy modules already imported (``-`` for none), ``modules=``
how many modules were loaded, ``hwm_kib=`` the peak RSS so far and ``cpu=`` the CPU time used
so far (ns, all threads).

The hooks are installed when ``tui.app`` and ``tui.screens.home`` are first imported (an import
hook), so the command imports exactly what it would without the probe, in the same order.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frame_hook  # noqa: E402  (stdlib only until install())

OUT = os.environ.get("BENCH_FRAME_OUT")
EXIT_ON_FRAME = os.environ.get("BENCH_EXIT_ON_FRAME") == "1"
HEAVY = ("sqlite_utils", "cryptography", "cryptography.hazmat.primitives.ciphers.aead",
         "cryptography.hazmat.primitives.kdf.argon2", "pyrage", "guides.loader")
_state = {"frame": False, "keys": False, "rows": False, "all": False, "home_all": False}


def stamp(**fields: object) -> None:
    if OUT:
        with open(OUT, "a", encoding="utf-8") as fh:
            for k, v in fields.items():
                fh.write(f"{k}={v}\n")


def on_frame(app, t: int) -> None:
    screen = type(app.screen).__name__
    if not _state["frame"] and screen == "UnlockScreen":
        _state["frame"] = True
        heavy = ",".join(m for m in HEAVY if m in sys.modules) or "-"
        stamp(frame=t, run=frame_hook.run_ns, cpu=frame_hook.cpu_ns(), heavy=heavy,
              modules=len(sys.modules), hwm_kib=frame_hook.peak_kib())
        if EXIT_ON_FRAME:
            app.exit()
    if not _state["keys"] and screen == "UnlockScreen":
        footer = app.screen.query("Footer")
        if footer and footer.first().children:  # Textual's footer fills in a refresh later
            _state["keys"] = True
            stamp(keys=t)
        return
    if screen == "HomeScreen":
        home = app.screen
        if not _state["rows"] and getattr(home, "shown", 0) > 0:
            _state["rows"] = True
            stamp(rows=t)
        if not _state["all"] and _state["home_all"]:
            _state["all"] = True
            stamp(all=t)


def patch_app(module) -> None:
    cls = module.RapportApp
    previous = cls.__dict__.get("on_ready")

    def on_ready(self) -> None:
        stamp(ready=frame_hook.now_ns())
        if previous is not None:
            previous(self)

    cls.on_ready = on_ready
    frame_hook.install(on_frame)


def patch_home(module) -> None:
    cls = module.HomeScreen
    original = cls.set_rows

    def set_rows(self, rows, complete, *args, **kwargs):
        original(self, rows, complete, *args, **kwargs)
        if complete:
            _state["home_all"] = True

    cls.set_rows = set_rows


PATCHES = {"tui.app": patch_app, "tui.screens.home": patch_home}


class _Hook(importlib.abc.MetaPathFinder):
    """Patches a module right after it is executed, the first time it is imported."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001
        patch = PATCHES.get(name)
        if patch is None:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module):
            run(module)
            PATCHES.pop(name, None)
            patch(module)

        loader.exec_module = exec_module
        return spec


def main() -> int:
    sys.meta_path.insert(0, _Hook())
    from tui.cli import main as rapport_main

    sys.argv[0] = "rapport"
    rapport_main(sys.argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
