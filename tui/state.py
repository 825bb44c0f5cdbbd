"""What the app remembers between runs that is not a setting: the theme last chosen in the
command palette, and the folder the last export went to.

It lives in ``state.json`` beside ``config.toml`` (0600, its directory 0700), never in
``config.toml`` itself: that is the user's own file, with their comments, and the app never
rewrites it. It holds a theme's name and a folder, never anything from the vault (not even a
file name). Each writer keeps the keys it does not own as it found them.

A theme chosen in the palette wins at the next start, unless ``config.toml``'s ``theme`` was
changed since it was chosen: then the config's, as just written, wins.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store import read_regular

STATE_FILE = "state.json"
MAX_BYTES = 16384  # two theme names and a folder: anything bigger is not ours
EXPORT_FOLDER = "export_folder"


@dataclass(frozen=True)
class State:
    theme: str | None = None  # chosen in the palette
    config_theme: str | None = None  # config.toml's theme when it was chosen

    def theme_for(self, config_theme: str) -> str:
        """The theme to start with (see the module's docstring)."""
        if self.theme and self.config_theme == config_theme:
            return self.theme
        return config_theme


def state_path(config_dir: Path) -> Path:
    return config_dir / STATE_FILE


def read_state(path: Path) -> dict[str, Any]:
    """The state file as an object; missing, unreadable or not ours: empty (nothing is
    remembered)."""
    try:
        raw = read_regular(path, MAX_BYTES + 1)  # never waits on a FIFO put in its place
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update_state(path: Path, **values: Any) -> None:
    """Sets ``values`` in the state file, its other keys kept, atomically (a new 0600 file
    renamed over the old one); the directory is made 0700 when it does not exist. Raises
    OSError."""
    data = {**read_state(path), **values}
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


def load_state(path: Path) -> State:
    """The theme part of the state at ``path`` (see :func:`read_state`)."""
    data = read_state(path)
    theme, config_theme = data.get("theme"), data.get("config_theme")
    return State(theme if isinstance(theme, str) else None,
                 config_theme if isinstance(config_theme, str) else None)


def save_state(path: Path, state: State) -> None:
    """Writes ``state``'s theme into the state file (see :func:`update_state`)."""
    update_state(path, theme=state.theme, config_theme=state.config_theme)


def load_export_folder(config_dir: Path) -> Path | None:
    """The folder the last export went to, if it is still a folder."""
    value = read_state(state_path(config_dir)).get(EXPORT_FOLDER)
    if not isinstance(value, str) or not os.path.isabs(value):
        return None
    folder = Path(value)
    return folder if folder.is_dir() else None


def save_export_folder(config_dir: Path, folder: Path) -> None:
    """Remembers ``folder`` (made absolute) for the next export. Raises OSError."""
    update_state(state_path(config_dir), **{EXPORT_FOLDER: str(folder.absolute())})
