"""Where the vault and the settings live.

Nothing is computed at import time: the entry point builds a :class:`Paths` and passes it on.
``home`` (``--home DIR`` or ``RAPPORT_HOME``) puts everything in one directory; otherwise the
platform's user data and config directories are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "rapport"
VAULT_FILE = "vault.db"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Paths:
        """The directories for ``home`` (absolute), or the platform's user directories."""
        if home:
            root = Path(os.path.abspath(os.path.expanduser(home)))
            return cls(data_dir=root, config_dir=root)
        import platformdirs

        return cls(data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
                   config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))

    @property
    def vault(self) -> Path:
        return self.data_dir / VAULT_FILE

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def guides_dir(self) -> Path:
        return self.config_dir / "guides"
