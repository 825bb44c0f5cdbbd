"""Signals and sudden ends, under a real pty: SIGTERM (kill) and SIGHUP (the terminal window
closed) within the autosave debounce save what was typed, close the vault, restore the terminal
(SIGTERM: the terminal is still there to see it) and exit 143 / 129."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from store import crypto
from store.vault import create_vault, open_vault

PASSPHRASE = "a long enough passphrase"

# The real launcher, unlocking a fast-KDF vault straight into a new session, with an autosave
# debounce of an hour: only the signal can have saved what is typed.
CHILD = """
import fcntl, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty is this session's terminal: closing it hangs up
import tui.screens.session_saving
tui.screens.session_saving.AUTOSAVE_SECONDS = 3600.0
from store import crypto
from pathlib import Path
from tui.env import Env
from tui.launch import run_app
run_app(Env(home=Path(sys.argv[1]), kdf=crypto.FAST_FOR_TESTS, allow_weak=True),
        start={"guide": "one-on-one", "person": "Ada"})
"""


class Terminal:
    """The app on a pty of 100x30; what it writes is kept in ``out``."""

    def __init__(self, home, child: str = CHILD) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", child, str(home)], stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, env={**env, "TERM": "xterm-256color"})
        os.close(slave)
        self.master: int | None = master
        self.out = bytearray()
        self.typed_at = 0  # where the output stood when we last typed: an answer comes after it

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.master is not None and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:  # the app has gone and the pty with it
                    return

    def wait_for(self, text: bytes, timeout: float = 60) -> None:
        """Wait until ``text`` is shown after what was last typed (a word already on the screen,
        such as "most" in a guide's question, is no answer to typing it)."""
        end = time.monotonic() + timeout
        while text not in self.out[self.typed_at:]:
            assert time.monotonic() < end, f"{text!r} never shown: {bytes(self.out[-300:])!r}"
            assert self.process.poll() is None, bytes(self.out[-600:])
            self.read(0.1)

    def type(self, text: str) -> None:
        assert self.master is not None
        self.read(0.1)  # what was already on its way is not an answer
        self.typed_at = len(self.out)
        os.write(self.master, text.encode())

    def hang_up(self) -> None:
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.master is not None:
            os.close(self.master)


@pytest.fixture
def home(tmp_path):
    create_vault(tmp_path / "vault.db", PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                 allow_weak=True).close()
    return tmp_path


def in_a_session_with_unsaved_text(home, child: str = CHILD) -> Terminal:
    terminal = Terminal(home, child)
    terminal.wait_for(b"passphrase")
    terminal.type(PASSPHRASE + "\r")
    terminal.wait_for(b"Check-in")
    terminal.read(0.3)
    terminal.type("said in the room")
    terminal.wait_for(b"unsaved")
    return terminal


def saved_notes(home) -> list[str]:
    store = open_vault(home / "vault.db", PASSPHRASE, allow_weak=True)
    try:
        return [n.text for s in store.sessions() for n in store.notes(s.id)]
    finally:
        store.close()


def test_sigterm_saves_closes_restores_the_terminal_and_exits_143(home):
    terminal = in_a_session_with_unsaved_text(home)
    try:
        terminal.process.send_signal(signal.SIGTERM)
        assert terminal.process.wait(30) == 143
        terminal.read(1)
        tail = bytes(terminal.out[-2000:])
        assert b"\x1b[?1049l" in tail  # out of the alternate screen
        assert b"\x1b[?1000l" in tail and b"\x1b[?1006l" in tail  # mouse reporting off
        assert b"Traceback" not in terminal.out
    finally:
        terminal.close()
    assert saved_notes(home) == ["said in the room"]
    assert not (home / "vault.db-wal").exists()  # closed: the WAL checkpointed away


def test_sighup_when_the_terminal_closes_saves_and_exits_129(home):
    terminal = in_a_session_with_unsaved_text(home)
    try:
        terminal.hang_up()
        assert terminal.process.wait(30) == 129
    finally:
        terminal.close()
    assert saved_notes(home) == ["said in the room"]
    assert not (home / "vault.db-wal").exists()


# Textual's shutdown stuck on a terminal that has gone (a tmux pane or a terminal window closed
# with the shell that started Rapport: the output thread's queue never drains). Simulated here:
# the output thread's stop never returns.
STUCK_SHUTDOWN = """
import threading
from textual.drivers import _writer_thread
_writer_thread.WriterThread.stop = lambda self: threading.Event().wait()
""" + CHILD


def test_a_shutdown_stuck_on_a_gone_terminal_still_ends_once_the_vault_is_closed(home):
    terminal = in_a_session_with_unsaved_text(home, STUCK_SHUTDOWN)
    try:
        terminal.hang_up()
        assert terminal.process.wait(30) == 129  # ended by the watchdog, not left running
    finally:
        terminal.close()
    assert saved_notes(home) == ["said in the room"]
    assert not (home / "vault.db-wal").exists()  # the vault was closed first


def test_sigterm_keeps_a_question_typed_for_the_bank_in_the_bank(home):
    """A dialog with a keeper of its own (shift+F2: a question for your bank): the question is
    in the bank, marked as kept, and the notes hold only what was typed in them."""
    terminal = in_a_session_with_unsaved_text(home)
    try:
        terminal.type("\x1b[1;2Q")  # shift+F2
        terminal.wait_for(b"Save a question of your own")
        terminal.type("Who helped you most")
        terminal.wait_for(b"most")  # "most" is in the check-in's questions too: shown after typing
        terminal.process.send_signal(signal.SIGTERM)
        assert terminal.process.wait(30) == 143
    finally:
        terminal.close()
    store = open_vault(home / "vault.db", PASSPHRASE, allow_weak=True)
    try:
        assert [q.text for q in store.questions("one-on-one", "check-in")] == [
            "(kept when Rapport was stopped) Who helped you most"]
    finally:
        store.close()
    assert saved_notes(home) == ["said in the room"]
