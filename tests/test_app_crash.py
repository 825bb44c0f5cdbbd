"""A crash never prints locals or note text: Textual's fatal-error rendering is replaced."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CANARY = "CANARY-7d1f-secret-note-text"

CHILD = textwrap.dedent(f"""
    from pathlib import Path
    from store.paths import Paths
    from tui.app import RapportApp

    class Boom(RapportApp):
        def on_mount(self):
            note_text = "{CANARY}"
            raise RuntimeError("boom")

    app = Boom(paths=Paths.resolve(Path({{home!r}})))
    app.run(headless=True)
    raise SystemExit(app.return_code or 0)
""")


def test_crash_prints_no_locals(tmp_path):
    code = CHILD.replace("{home!r}", repr(str(tmp_path)))
    env = {**os.environ, "TERM": "xterm-256color",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    script = tmp_path / "crash_app.py"
    script.write_text(code)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=env, timeout=60, cwd=os.getcwd())
    both = out.stdout + out.stderr
    assert out.returncode != 0
    assert "unexpected error" in both  # our replacement message was shown
    assert CANARY not in both
    assert "note_text" not in both and "Traceback" not in both
