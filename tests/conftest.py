"""Shared fixtures: a throwaway vault on the fast (test-only) KDF and a fixed clock.

* ``vault_path``: ``tmp_path / "home" / "vault.db"`` (the directory does not exist yet).
* ``passphrase``: the passphrase of the ``store`` fixture (``PASSPHRASE``).
* ``clock``: a :class:`FakeClock`; ``store`` uses it, so timestamps only move when a test calls
  ``clock.advance(seconds)``.
* ``utc_zone``: local time is UTC during the test (opt-in per module).
* ``hurried_pauses``: ``pilot.pause()`` does not wait for the process to look idle (a loaded
  machine's early return), for tests of ``apptools.settle``.
* ``store``: an unlocked vault created with ``store.crypto.FAST_FOR_TESTS`` and ``allow_weak=True``
  (a copy of one made so in this process, at the same time with the same passphrase), closed at
  teardown. Reopen it with ``open_vault(vault_path, passphrase, allow_weak=True)``.
* ``ana_vault``: that vault with Ana in it, closed, for commands run in a real process: (its home,
  a file holding its passphrase).

The class itself is reachable as ``type(clock)`` (with ``--import-mode=importlib`` a conftest is not
importable by name).
"""

from __future__ import annotations

import gc
import inspect
import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

PASSPHRASE = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    """A shell that starts a job in the background (``make test &``, a CI runner's script) starts
    it with SIGINT ignored, and every process it starts inherits that: the tests that press
    Ctrl+C in a ``rapport`` process waited 60 s and failed. The suite's children get the default
    disposition back (a Python handler is reset to it in an exec'd child; SIG_IGN is not)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The collector's thresholds for a test process (each xdist worker too). One process runs
    hundreds of apps, and Textual allocates containers by the hundred thousand: at Python's
    default (700, 10, 10) the cyclic collector took ~30% of the app tests' CPU (measured: 62 s
    -> 44 s for two app test files, peak memory 130 -> 240 MB). What was imported is frozen
    out of the collector's scans. Tests only: the app's own gc use is in tui/launch.py.

    Textual parses every CSS source again for each app (its cache is the app's stylesheet's):
    ~10% of an app test's CPU. Parsed once a process instead (``share_parsed_css``)."""
    if "textual" in sys.modules:  # app tests to run: each CSS source parsed once a process
        from tui.textual_compat import share_parsed_css

        share_parsed_css()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Textual keeps the lines drawn by the last 1,024 widgets of every app the process ran
    (``tui/textual_compat.py``): let go after each test, the heap the collector walks is one
    test's, not the worker's whole run (~6% of the app tests' CPU, and pytest's end-of-run
    collections 0.7 -> 0.2 s a worker)."""
    if "textual" in sys.modules:
        from tui.textual_compat import forget_drawn_lines

        forget_drawn_lines()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The app's tests first (coroutines driving it through Pilot, and snapshots: 1-20 s each)
    and those marked slow (production KDF parameters: 1-10 s), the rest after, each group in its
    own order. Under pytest-xdist every worker then ends on short tests: a worker left with a
    queue of app tests kept one core busy for 25 s after the other workers had finished.
    (Not dealt out so that each worker's first --dist worksteal slice holds its share of the app
    tests: tried at stop 35, the app tests took ~11% more CPU and the run ~7% longer (back to
    back at -n 2), most likely as two workers drawing app screens at once slow each other more
    than one beside quick tests does.)"""
    def quick(item: pytest.Item) -> bool:
        function = getattr(item, "function", None)
        return not (inspect.iscoroutinefunction(function)
                    or "snap_compare" in getattr(item, "fixturenames", ())
                    or item.get_closest_marker("slow") is not None)
    items.sort(key=quick)


class FakeClock:
    """A clock that stands still until told to move. ``now()`` is aware UTC; the instance itself is
    callable, so it can be passed wherever a ``Callable[[], datetime]`` clock is expected."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = self._now.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    __call__ = now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now


@pytest.fixture(autouse=True)
def no_ambient_terminal_size(monkeypatch):
    """Under pytest-xdist the workers run with COLUMNS=80 and LINES=24 in their environment, and
    without xdist they do not: a command's output width must not depend on how the suite runs
    (shutil.get_terminal_size reads them first)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture
def hurried_pauses(monkeypatch):
    """``pilot.pause()`` returns as soon as the screen's messages are handled, without waiting
    for the process to look idle: as on a loaded machine, where a descheduled process looks
    idle at once. For the tests that keep ``apptools.settle`` honest (a worker started after a
    refresh, a resize that reaches the screen after a timer)."""
    import asyncio

    import textual.pilot

    async def at_once(*args, **kwargs) -> None:
        await asyncio.sleep(0)

    monkeypatch.setattr(textual.pilot, "wait_for_idle", at_once)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vault_path(tmp_path):
    return tmp_path / "home" / "vault.db"


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture(scope="session")
def made_vaults(tmp_path_factory) -> dict[tuple[str, datetime], bytes]:
    """The file of a vault ``create_vault`` has just made, closed, for each (passphrase, time of
    making) the ``store`` fixture was asked for in this process."""
    return {}


@pytest.fixture
def store(vault_path, passphrase, clock, made_vaults, tmp_path_factory):
    """A vault as ``create_vault`` makes it at ``clock``'s time, unlocked. A new vault costs
    ~17 ms of CPU (its schema: ~200 SQLite statements), and ~500 tests ask for one: the first
    made in a process for a (passphrase, time) is kept as a file, and each test gets its own
    copy of it (0600, in a 0700 directory, as made) unlocked with ``open_vault`` (~4 ms). What
    differs from a vault made for the test alone is the vault's random id and data key, shared
    by the copies in one process (nothing outside a vault's own file reads either)."""
    from store import crypto
    from store.files import create_new, ensure_dir
    from store.vault import create_vault, open_vault

    made = clock()
    key = (passphrase, made)
    if key not in made_vaults:
        first = tmp_path_factory.mktemp("made-vault") / "vault.db"
        create_vault(first, passphrase, kdf=crypto.FAST_FOR_TESTS, allow_weak=True,
                     clock=lambda: made).close()
        made_vaults[key] = first.read_bytes()
    ensure_dir(vault_path.parent)
    fd = create_new(vault_path)
    try:
        view = memoryview(made_vaults[key])
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    opened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def ana_vault(store, vault_path, passphrase, tmp_path):
    """The ``store`` fixture's vault with Ana in it, closed, for a command in a real process:
    (its home, a file holding its passphrase)."""
    store.add_person("Ana")
    store.close()
    pw = tmp_path / "pw"
    pw.write_text(passphrase + "\n")
    return vault_path.parent, pw


@pytest.fixture
def utc_zone(monkeypatch):
    """Local time is UTC for the test (the app and the CLI show local time), and the machine's
    zone again after it. Modules that show times use it: ``pytestmark = usefixtures("utc_zone")``."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
