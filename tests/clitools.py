"""The real ``rapport`` command in a fresh interpreter, for the command line's subprocess tests.

``rapport(*args)`` runs ``tui.cli.main(args)`` with the fast test KDF allowed (``obj``: the only
way in, from Python), the environment cleared of ``RAPPORT_*`` and ``TEXTUAL*`` variables, and
standard input empty unless ``input`` is given; output is bytes, as the terminal would get it.
``in_terminal(argv)`` starts a command on a pseudo-terminal (stdin, stdout and stderr) and
``read_until`` reads that terminal until some text shows.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from typing import Any, NamedTuple

#: The entry point with the fast KDF allowed (vaults made by the ``store`` fixture open).
MAIN = ("import sys\n"
        "from store import crypto\n"
        "from tui.cli import main\n"
        "main(sys.argv[1:], obj={'kdf': crypto.FAST_FOR_TESTS, 'allow_weak': True})\n")
#: The full-screen app replaced by a line saying it would have started (a prelude to MAIN).
NO_APP = ("import sys\n"
          "import tui.launch\n"
          "def run_app(env, start=None):\n"
          "    print('APP', env.paths.vault, start)\n"
          "tui.launch.run_app = run_app\n")
#: MAIN, with the full-screen app replaced by that line.
MAIN_NO_APP = NO_APP + MAIN


#: ``main`` once for each ``[args, stdin, environ]`` of the JSON list in ``sys.argv[1]`` (stdin:
#: text, or null for none; environ: variables set for that run alone), in turn in this one process,
#: each with fresh files as its standard input, output and error (the file descriptors themselves);
#: prints a JSON list of [status, stdout, stderr]. ``OBJ`` (set by a prelude) replaces the fast
#: KDF's ``obj`` (``OBJ = None``: nothing injected, production parameters).
MAIN_EACH = """\
import io, json, os, sys, tempfile
from store import crypto
from tui.cli import main
done = []
nothing = os.open(os.devnull, os.O_RDONLY)
obj = globals().get("OBJ", {"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True})
for args, given, environ in json.loads(sys.argv[1]):
    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    streams = [tempfile.TemporaryFile() for _ in range(3)]
    streams[0].write((given or "").encode())
    streams[0].seek(0)
    kept = [os.dup(fd) for fd in (0, 1, 2)]
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, stream in enumerate(streams):
        os.dup2(stream.fileno() if fd or given is not None else nothing, fd)
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding=sys.stdin.encoding,
                                 errors=sys.stdin.errors)
    try:
        main(args, obj=None if obj is None else dict(obj))
        status = 0
    except SystemExit as exc:
        status = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    for fd in (0, 1, 2):
        os.dup2(kept[fd], fd)
        os.close(kept[fd])
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    out = []
    for stream in streams[1:]:
        stream.seek(0)
        out.append(stream.read().decode("latin-1"))
        stream.close()
    done.append([status, *out])
print(json.dumps(done))
"""


class Out(NamedTuple):
    """One run of :func:`rapport_each`, read as a finished process is (``out.returncode``...)."""

    returncode: int
    stdout: bytes
    stderr: bytes


def rapport_each(*runs: tuple[Any, ...], env: dict[str, str] | None = None,
                 prelude: str = "", timeout: float = 120) -> list[Out]:
    """``rapport ARGS`` for each ``(ARGS, stdin)`` or ``(ARGS, stdin, ENV)`` in ``runs``, in turn
    in one fresh interpreter (one start-up, not one a run: for runs whose checks do not need a
    process of their own), ``env`` added to its environment (``ENV`` to one run's alone) and
    ``prelude`` (code: a patch such as :data:`NO_APP`, or ``OBJ = None``) run first; each run's
    (exit status, stdout, stderr), as bytes."""
    plan = json.dumps([[list(map(str, run[0])), None if run[1] is None else run[1].decode(),
                        run[2] if len(run) > 2 else {}] for run in runs])
    result = subprocess.run([sys.executable, "-c", prelude + MAIN_EACH, plan],
                            capture_output=True, stdin=subprocess.DEVNULL,
                            env=clean_env(**(env or {})), timeout=timeout)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return [Out(status, out.encode("latin-1"), err.encode("latin-1"))
            for status, out, err in json.loads(result.stdout)]


def argv(*args: Any, code: str = MAIN) -> list[str]:
    return [sys.executable, "-c", code, *map(str, args)]


def clean_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("RAPPORT_", "_RAPPORT_", "TEXTUAL"))}
    env.update(extra)
    return env


def rapport(*args: Any, input: bytes | None = None, env: dict[str, str] | None = None,
            code: str = MAIN, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv(*args, code=code), input=input, capture_output=True,
                          stdin=subprocess.DEVNULL if input is None else None,
                          env=clean_env(**(env or {})), timeout=timeout)


def in_terminal(command: list[str], *, env: dict[str, str] | None = None,
                **streams: Any) -> tuple[subprocess.Popen[bytes], int]:
    """``command`` started with a pseudo-terminal as stdin, stdout and stderr (``streams``
    replaces any of them), in its own session; returns the process and the terminal's master."""
    master, slave = pty.openpty()
    kwargs: dict[str, Any] = {"stdin": slave, "stdout": slave, "stderr": slave, **streams}
    proc = subprocess.Popen(command, env=clean_env(**(env or {})), start_new_session=True,
                            **kwargs)
    os.close(slave)
    return proc, master


def read_until(master: int, text: bytes, timeout: float = 30) -> bytes:
    """What the terminal shows until ``text`` (or until the process leaves it, or ``timeout``:
    a bound against hanging, not a measurement)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            seen += chunk
    return seen
