"""The folder the app's last export went to, offered by the next export, in this run and the next.

It is kept in ``state.json`` beside ``config.toml``: the small state file that also keeps the
theme chosen in the palette (``tui.state``), never in ``config.toml`` (the user's own file). Only
the folder is kept, never a file name nor anything from the vault. This module reads the file as
a JSON object and, when it writes, keeps every other key as it found it; the file is written
atomically (a new 0600 file renamed over the old), its directory made 0700 when missing.

A missing, unreadable or foreign file, or a folder that is gone, means nothing is remembered:
the export offers the documents folder (home when there is none).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
KEY = "export_folder"
MAX_BYTES = 16384  # a theme's name and a few paths: anything bigger is not ours


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_export_folder(config_dir: Path) -> Path | None:
    """The folder remembered in ``config_dir``'s state file, if it is still a folder."""
    value = _read(config_dir / STATE_FILE).get(KEY)
    if not isinstance(value, str) or not os.path.isabs(value):
        return None
    folder = Path(value)
    return folder if folder.is_dir() else None


def save_export_folder(config_dir: Path, folder: Path) -> None:
    """Remembers ``folder`` (absolute) in ``config_dir``'s state file, the other keys kept.
    Raises OSError."""
    path = config_dir / STATE_FILE
    data = _read(path)
    data[KEY] = str(folder.absolute())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(data).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
