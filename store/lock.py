"""One writer per vault: an exclusive ``flock`` on the vault file itself.

There is no lock file to delete. The lock is taken on a read-only descriptor of ``vault.db``
(taking it writes nothing), before the key slot is read, and held until the store is closed; a
second rapport, in this process or another, gets :class:`~store.errors.VaultBusy`. Before each
write the holder checks that the path still names the file it locked (:meth:`WriterLock.check`):
a vault moved or replaced underneath is never written to blindly.

``flock`` locks are separate from the POSIX record locks SQLite takes on the same file; closing a
second descriptor of the file would drop SQLite's, so a vault this process holds already is
refused from a registry, without opening it again.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from .header import check_header
from .errors import StorageError, VaultBusy, VaultMissing

BUSY = "the vault is already open in another rapport; close that one first"

_held: set[tuple[int, int]] = set()  # (device, inode) of the vaults this process holds
_registry = threading.Lock()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class WriterLock:
    """The exclusive lock on one vault file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None

    def acquire(self) -> None:
        with _registry:
            if _identity(self.path) in _held:
                raise VaultBusy(BUSY)
            try:  # non-blocking: a FIFO put in the vault's place must not wait for a writer
                fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except FileNotFoundError:
                raise VaultMissing(f"no vault at {self.path} (create one with 'rapport init')"
                                   ) from None
            except OSError as exc:
                raise StorageError(f"cannot open {self.path}: {exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise VaultBusy(BUSY) from None
            except OSError as exc:  # a file that cannot be locked (some special files)
                os.close(fd)
                raise StorageError(f"cannot lock {self.path}: {exc.strerror}") from None
            st = os.fstat(fd)
            self._fd, self._identity = fd, (st.st_dev, st.st_ino)
            _held.add(self._identity)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def check(self) -> None:
        """Raises :class:`StorageError` unless the path still names the locked file."""
        if self._fd is None or _identity(self.path) != self._identity:
            raise StorageError("the vault file was moved or replaced while open; nothing was "
                               "saved (quit and open it again)")

    def release(self) -> None:
        with _registry:
            if self._fd is None:
                return
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            if self._identity is not None:
                _held.discard(self._identity)
            self._fd = self._identity = None


def probe(path: Path) -> None:
    """Raises unless ``path`` is a Rapport vault that nobody holds. Writes nothing."""
    path = Path(path)
    with _registry:
        if _identity(path) in _held:
            raise VaultBusy(BUSY)
        check_header(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return  # check_header just read it: gone meanwhile; opening will say so
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VaultBusy(BUSY) from None
        finally:
            os.close(fd)
