"""Files Rapport makes: 0600 files, 0700 directories, never over anything that exists.

* :func:`ensure_dir` makes a directory and every missing parent 0700 (whatever the umask);
* :func:`write_new_file` is the one writer of new files (exports, reports, calendars): created
  with ``O_EXCL``, 0600, no symlink followed, written whole and synced, or removed again;
* :func:`tighten` puts the vault and its companions (``-wal``, ``-shm``) back to 0600;
* :func:`read_regular` is the one reader of a file Rapport is pointed at (the vault's header,
  the settings and state, a passphrase file, a file to import): bounded, and a FIFO, a device
  or a socket is refused without waiting on it (a pipe only where one is asked for).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import FileExists, StorageError

FILE_MODE = 0o600
DIR_MODE = 0o700
#: The files SQLite keeps beside a database.
COMPANIONS = ("-wal", "-shm", "-journal")


class NotRegularFile(OSError):
    """A FIFO, a device or a socket where a regular file was expected (``strerror`` says so)."""


def read_regular(path: str | os.PathLike[str], limit: int, *, pipe_ok: bool = False) -> bytes:
    """At most ``limit`` bytes from the start of the regular file at ``path`` (``pipe_ok``: or
    of the pipe there, read to its end or to ``limit``, as ``<(pass show rapport)`` gives one).

    Opened non-blocking, then looked at: a FIFO would wait for a writer and a terminal for a
    key, so anything else is refused unread. Raises :class:`FileNotFoundError`,
    :class:`IsADirectoryError`, :class:`NotRegularFile` or another :class:`OSError`."""
    flags = os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC
    if not (pipe_ok and _is_fifo(path)):
        flags |= os.O_NONBLOCK  # a pipe that is welcome is waited on; nothing else is
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not (stat.S_ISREG(mode) or (pipe_ok and stat.S_ISFIFO(mode))):
            what = "not a regular file or a pipe" if pipe_ok else "not a regular file"
            raise NotRegularFile(errno.EINVAL, what, os.fspath(path))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size < limit and (chunk := os.read(fd, limit - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _is_fifo(path: str | os.PathLike[str]) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False  # os.open says what is wrong


def ensure_dir(directory: Path) -> None:
    """``directory`` exists afterwards, 0700; every level created here is 0700 too (levels that
    existed already are left as they are, but the directory itself is tightened)."""
    directory = Path(directory)
    missing: list[Path] = []
    level = directory
    while not level.exists():
        missing.append(level)
        if level.parent == level:
            break
        level = level.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(created, DIR_MODE)  # mkdir's mode passes through the umask
    if stat.S_IMODE(directory.stat().st_mode) != DIR_MODE:
        os.chmod(directory, DIR_MODE)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tighten(path: Path) -> None:
    """0600 for the database at ``path`` and the companions of it that exist now."""
    for suffix in ("", *COMPANIONS):
        name = f"{path}{suffix}"
        try:
            if stat.S_IMODE(os.stat(name).st_mode) != FILE_MODE:
                os.chmod(name, FILE_MODE)
        except FileNotFoundError:
            pass


def create_new(path: Path) -> int:
    """A new, empty 0600 file at ``path``, opened for writing: never over an existing file or
    through a symlink. :class:`FileExists` or :class:`StorageError` otherwise."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, FILE_MODE)
    except FileExistsError:
        raise FileExists(f"{path} already exists; not overwriting it") from None
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.fchmod(fd, FILE_MODE)  # the umask may have taken bits away; never adds any
    return fd


def write_new_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Creates ``path`` holding exactly ``data`` (0600, synced). Nothing is left there when the
    write fails. Returns the path."""
    target = Path(path)
    fd = create_new(target)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise StorageError(f"cannot write {target}: {exc.strerror or exc}; "
                           "nothing was left there") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
