"""Where the vault and the settings live.

Nothing is computed at import time: the entry point builds a :class:`Paths` and passes it on.
``home`` (``--home DIR`` or ``RAPPORT_HOME``) puts everything in one directory; otherwise the
platform's user data and config directories are used.

A command reads its vault's path before it starts deriving the key (:mod:`store.prefetch`), while
the second core is still idle: :func:`vault_file` gives it without :mod:`pathlib`, and
:class:`Paths` is a NamedTuple rather than a dataclass for the same reason.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

APP_NAME = "rapport"
VAULT_FILE = "vault.db"


def _dirs(home: str | Path | None) -> tuple[str, str]:
    """The data and config directories, absolute."""
    if home:
        root = os.path.abspath(os.path.expanduser(home))
        return root, root
    import platformdirs

    return (platformdirs.user_data_dir(APP_NAME, appauthor=False),
            platformdirs.user_config_dir(APP_NAME, appauthor=False))


def vault_file(home: str | Path | None = None) -> str:
    """``Paths.resolve(home).vault``, as a string."""
    return os.path.join(_dirs(home)[0], VAULT_FILE)


class Paths(NamedTuple):
    data_dir: Path
    config_dir: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> "Paths":
        from pathlib import Path

        data_dir, config_dir = _dirs(home)
        return cls(data_dir=Path(data_dir), config_dir=Path(config_dir))

    @property
    def vault(self) -> Path:
        return self.data_dir / VAULT_FILE

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def guides_dir(self) -> Path:
        return self.config_dir / "guides"
