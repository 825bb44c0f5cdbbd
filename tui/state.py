"""What the app remembers between runs that is not a setting: the theme last chosen in the
command palette.

It lives in ``state.json`` beside ``config.toml`` (0600, its directory 0700), never in
``config.toml`` itself: that is the user's own file, with their comments, and the app never
rewrites it. It holds a theme's name and nothing else: never anything from the vault.

A theme chosen in the palette wins at the next start, unless ``config.toml``'s ``theme`` was
changed since it was chosen: then the config's, as just written, wins.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "state.json"
MAX_BYTES = 4096  # a theme's name and the config's: anything bigger is not ours


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


def load_state(path: Path) -> State:
    """The state at ``path``; missing, unreadable or not ours: none (nothing is remembered)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return State()
    if not isinstance(data, dict):
        return State()
    theme, config_theme = data.get("theme"), data.get("config_theme")
    return State(theme if isinstance(theme, str) else None,
                 config_theme if isinstance(config_theme, str) else None)


def save_state(path: Path, state: State) -> None:
    """Writes ``state`` to ``path`` atomically (a new 0600 file renamed over the old one); the
    directory is made 0700 when it does not exist. Raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = json.dumps({"theme": state.theme, "config_theme": state.config_theme}).encode()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
