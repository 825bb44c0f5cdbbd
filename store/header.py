"""Is this file a Rapport vault? Its first 100 bytes say, read raw: SQLite is never opened.

Run before SQLite opens a path (the launcher's probe, unlocking, a backup just written, a
restore): a special file, a directory or someone else's database is refused in one line and
left as it was. Kept apart from :mod:`store.db` so that this check does not load SQLite (the
launcher makes it before the app's first frame).
"""

from __future__ import annotations

from pathlib import Path

from .errors import NotAVault, VaultMissing
from .files import NotRegularFile, read_regular

APPLICATION_ID = 0x52415050  # "RAPP", in the SQLite header at offset 68
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_header(path: Path) -> None:
    """Refuse anything that is not a Rapport vault, reading raw bytes only (never opening SQLite;
    never waiting on a FIFO or a terminal put in the vault's place: see :func:`read_regular`)."""
    try:
        header = read_regular(path, 100)
    except FileNotFoundError:
        raise VaultMissing(f"no vault at {path} (create one with 'rapport init')") from None
    except IsADirectoryError:
        raise NotAVault(f"{path} is a directory, not a Rapport vault") from None
    except NotRegularFile:
        raise NotAVault(f"{path} is not a regular file, not a Rapport vault (left untouched)"
                        ) from None
    except OSError as exc:
        raise NotAVault(f"cannot read {path}: {exc.strerror}") from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAVault(f"{path} is not a Rapport vault (left untouched)")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise NotAVault(f"{path} is an SQLite file but not a Rapport vault (left untouched)")
