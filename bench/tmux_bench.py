#!/usr/bin/env python3
"""Real-terminal measures under tmux: G1 cold start and G8 quit, each beside the floor app.

    .venv/bin/python bench/tmux_bench.py [--runs 7] [--vault DIR] [--json OUT]

Each run opens a tmux window (a real pty, 160x48, COLORTERM=truecolor) whose command is
``tmux_bench.py launch OUT -- CMD...``: the launcher stamps CLOCK_MONOTONIC, spawns CMD on the
pty, reaps it with wait4 and appends ``t0=``, ``exit=``, ``peak_kib=`` and ``rc=`` to OUT; the
app itself (bench/floor_app.py or bench/rapport_probe.py, which runs the real ``rapport``)
appends its frame stamps to the same file.

Variants, interleaved round by round (round 0 is a warm-up):
  floor      minimal Textual app: spawn -> first frame (G1 floor), peak RSS at that frame
             (VmHWM), then after a pause ctrl+q -> exit (G8 floor)
  unlock     rapport --home VAULT: spawn -> first frame of the unlock screen (G1), the heavy
             modules imported by then, VmHWM at that frame; pause, ctrl+q -> exit (G8)
  floor_again  the minimal app once more (A/A): the launch-to-launch noise of a round's ratio
  home       rapport: after the first frame, type the passphrase, Enter -> first rows on screen
             -> whole list loaded; pause, ctrl+q -> exit (G8 with 10,000 sessions unlocked);
             peak RSS of the whole run (G7, browse only)
The first frame is timed in runs that go on to quit: the frame comes first either way.
Each round also times Argon2id (production parameters) in this process: the floor of the
real-terminal unlock -> rows figure.
Prints one JSON document (samples and medians) on stdout.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
PY = sys.executable
WIDTH, HEIGHT = 160, 48
PAUSE_BEFORE_QUIT = 0.7  # seconds on screen before ctrl+q (the preload has finished by then)


def now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


# ------------------------------------------------------------------------------ the launcher
def launch(out: str, argv: list[str]) -> int:
    env = dict(os.environ)
    env["BENCH_FRAME_OUT"] = out
    t0 = now_ns()
    pid = os.posix_spawn(argv[0], argv, env)
    _, status, ru = os.wait4(pid, 0)
    t1 = now_ns()
    with open(out, "a", encoding="ascii") as fh:
        fh.write(f"t0={t0}\nexit={t1}\npeak_kib={ru.ru_maxrss}\n"
                 f"rc={os.waitstatus_to_exitcode(status)}\ndone=1\n")
    return 0


def kdf_floor_ms() -> float:
    """Argon2id with the production parameters, in this process (not in the terminal)."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    from store import PRODUCTION as P

    t0 = time.perf_counter()
    Argon2id(salt=os.urandom(16), length=32, iterations=P.iterations, lanes=P.lanes,
             memory_cost=P.memory_kib).derive(b"bench: correct horse battery staple")
    return (time.perf_counter() - t0) * 1000


# -------------------------------------------------------------------------------- the runner
def read_stamps(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        k, _, v = line.partition("=")
        out.setdefault(k, v)  # first value wins
    return out


class Tmux:
    def __init__(self) -> None:
        self.exe = shutil.which("tmux")
        self.sock = f"rapportbench{os.getpid()}"
        self.base = [self.exe, "-L", self.sock, "-f", os.devnull]

    def __enter__(self) -> "Tmux":
        subprocess.run(self.base + ["new-session", "-d", "-s", "b", "-x", str(WIDTH), "-y",
                                    str(HEIGHT), "sleep 86400"], check=True)
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(self.base + ["kill-server"], capture_output=True)

    def window(self, command: list[str], env: dict[str, str]) -> None:
        args = self.base + ["new-window", "-t", "b:", "-n", "w"]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        args.append("exec " + " ".join(shlex.quote(c) for c in command))
        subprocess.run(args, check=True)

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(self.base + ["send-keys", "-t", "b:w"] + (["-l"] if literal else [])
                       + list(keys), check=True)


def wait_for(path: Path, key: str, timeout: float = 60.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = read_stamps(path)
        if key in s:
            return s
        time.sleep(0.005)
    raise TimeoutError(f"no {key}= in {path} after {timeout}s: {read_stamps(path)}")


def one(tmux: Tmux, tmp: Path, label: str, command: list[str], *, exit_on_frame: bool,
        passphrase: str | None = None) -> dict:
    out = tmp / f"{label}-{now_ns()}.txt"
    env = {"COLORTERM": "truecolor", "BENCH_EXIT_ON_FRAME": "1" if exit_on_frame else "0"}
    tmux.window([PY, str(Path(__file__).resolve()), "launch", str(out), "--", *command], env)
    sample: dict = {}
    if not exit_on_frame:
        wait_for(out, "frame")
        if passphrase is not None:  # unlock, wait for the whole list, then quit from home
            time.sleep(0.3)
            tmux.keys(passphrase, literal=True)
            time.sleep(0.1)
            sample["enter"] = now_ns()
            tmux.keys("Enter")
            wait_for(out, "all", timeout=120)
        time.sleep(PAUSE_BEFORE_QUIT)
        sample["key"] = now_ns()
        tmux.keys("C-q")
    s = wait_for(out, "done", timeout=120)
    for k, v in s.items():
        if k in ("heavy",):
            sample[k] = v
        elif v.lstrip("-").isdigit():
            sample[k] = int(v)
    out.unlink(missing_ok=True)
    return sample


def run(runs: int, vault_home: Path, passphrase: str, *, quit_home: bool = True) -> dict:
    floor = [PY, str(HERE / "floor_app.py")]
    probe = [PY, str(HERE / "rapport_probe.py"), "--home", str(vault_home)]
    variants: dict[str, tuple[list[str], bool, str | None]] = {
        "floor": (floor, False, None),
        "unlock": (probe, False, None),
        "floor_again": (floor, False, None),  # A/A: how far two launches of one app differ
    }
    if quit_home:
        variants["home"] = (probe, False, passphrase)
    samples: dict[str, list] = {k: [] for k in variants}
    samples["kdf_ms"] = []
    tmp = Path(tempfile.mkdtemp(prefix="rapport-tmux-"))
    try:
        with Tmux() as tmux:
            for rnd in range(runs + 1):
                for label, (cmd, exit_on_frame, pw) in variants.items():
                    s = one(tmux, tmp, label, cmd, exit_on_frame=exit_on_frame, passphrase=pw)
                    if rnd:
                        samples[label].append(s)
                kdf = kdf_floor_ms()  # the floor of unlock -> rows, in the same rounds
                if rnd:
                    samples["kdf_ms"].append(kdf)
                print(f"  tmux: round {rnd}/{runs} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"samples": samples, "terminal": f"{WIDTH}x{HEIGHT}", "runs": runs}


def main(argv: list[str]) -> None:
    if argv[:1] == ["launch"]:  # inside the timed terminal: nothing imported it does not need
        i = argv.index("--")
        raise SystemExit(launch(argv[1], argv[i + 1:]))
    import click

    import generate
    from common import doc_help

    @click.command(help=doc_help(__doc__))
    @click.option("--runs", type=int, default=7, show_default=True)
    @click.option("--sessions", type=int, default=10_000, show_default=True)
    @click.option("--people", type=int, default=200, show_default=True)
    @click.option("--no-home", is_flag=True, help="skip the unlock-and-quit-from-home runs")
    def bench(runs: int, sessions: int, people: int, no_home: bool) -> None:
        if not shutil.which("tmux"):
            print(json.dumps({"error": "tmux not installed"}))
            return
        vdir = generate.ensure(sessions, people,
                               progress=lambda m: print(m, file=sys.stderr, flush=True))
        scratch = Path(tempfile.mkdtemp(prefix="rapport-tmux-vault-", dir=generate.OUT))
        try:
            home = generate.scratch_copy(vdir, scratch)
            result = run(runs, home, generate.PASSPHRASE, quit_home=not no_home)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        print(json.dumps(result))

    bench(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
