"""The real ``rapport`` command in a fresh interpreter, for the command line's subprocess tests.

``rapport(*args)`` runs ``tui.cli.main(args)`` with the fast test KDF allowed (``obj``: the only
way in, from Python), the environment cleared of ``RAPPORT_*`` and ``TEXTUAL*`` variables, and
standard input empty unless ``input`` is given; output is bytes, as the terminal would get it.
``in_terminal(argv)`` starts a command on a pseudo-terminal (stdin, stdout and stderr) and
``read_until`` reads that terminal until some text shows.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from typing import Any

#: The entry point with the fast KDF allowed (vaults made by the ``store`` fixture open).
MAIN = ("import sys\n"
        "from store import crypto\n"
        "from tui.cli import main\n"
        "main(sys.argv[1:], obj={'kdf': crypto.FAST_FOR_TESTS, 'allow_weak': True})\n")
#: The same, with the full-screen app replaced by a line saying it would have started.
MAIN_NO_APP = ("import sys\n"
               "import tui.launch\n"
               "def run_app(env, start=None):\n"
               "    print('APP', env.paths.vault, start)\n"
               "tui.launch.run_app = run_app\n") + MAIN


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
