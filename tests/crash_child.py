"""Child process for the store's crash, lock and disk-limit tests (run as a script, never imported).

    crash_child.py autosave PATH PASSPHRASE SESSION_ID STAGE [PREFIX]
        Opens the vault (fast KDF) and saves the note of STAGE over and over. The text holds a
        counter that starts one above the stored one; "ack N" is printed (and flushed) only after
        save_note(...) returned for counter N.
    crash_child.py passwd PATH PASSPHRASE START MEMORY_KIB ITERATIONS
        Opens the vault, prints "ready", then changes the passphrase to pp-START, pp-START+1, ...
        (KDF memory alternating between MEMORY_KIB and MEMORY_KIB + 1024), printing "ack I" after
        each change returned.
    crash_child.py busy PATH PASSPHRASE
        Tries to open the vault and probe it; prints the outcome of each, waits for a line on
        stdin, then tries once more.
    crash_child.py hold PATH PASSPHRASE SESSION_ID STAGE
        Opens the vault, prints "ready", then for each line on stdin saves the note of STAGE with
        that line as its text and prints "saved" or "refused ERROR"; "quit" closes the vault.
    crash_child.py fsize PATH PASSPHRASE SESSION_ID STAGE
        Lowers RLIMIT_FSIZE so that the WAL cannot grow, autosaves until the store refuses, then
        raises the limit again and saves once more. Prints one line per event.
    crash_child.py fork
        The store imported once, for the crash tests' many short children: prints "ready", then
        for each tab-separated line on stdin, "MODE<TAB>FIFO<TAB>ARGS...", forks a child (a
        process of its own, killed like a fresh one) that runs MODE ARGS with its stdout on the
        named pipe FIFO, and prints "pid N"; a line "reap<TAB>N" waits for child N and prints
        "status S" (its exit status, or minus the signal that ended it).
"""

from __future__ import annotations

import os
import re
import sys
import traceback

from store import crypto
from store.errors import RapportError
from store.vault import open_vault, probe

FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20


def note_text(counter: int, prefix: str = "") -> str:
    return f"{prefix}counter={counter}\n{FILLER}{counter}"


def stored_counter(text: str) -> int:
    match = re.search(r"counter=(\d+)\n", text)
    return int(match.group(1)) if match else 0


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def autosave(path: str, passphrase: str, session_id: str, stage: str, prefix: str = "") -> None:
    store = open_vault(path, passphrase, allow_weak=True)
    current = [n for n in store.notes(session_id) if n.stage == stage]
    counter = stored_counter(current[0].text) if current else 0
    while True:
        counter += 1
        store.save_note(session_id, stage, note_text(counter, prefix))
        say(f"ack {counter}")


def passwd(path: str, passphrase: str, start: int, memory_kib: int, iterations: int) -> None:
    store = open_vault(path, passphrase, allow_weak=True)
    say("ready")
    index = start
    while True:
        # the parameters alternate too, so every change rewrites every column of the key slot
        kdf = crypto.KdfParams(memory_kib=memory_kib + 1024 * (index % 2), iterations=iterations,
                               lanes=1)
        store.change_passphrase(f"pp-{index}", kdf=kdf)
        say(f"ack {index}")
        index += 1


def attempt(label: str, fn) -> None:
    try:
        result = fn()
    except RapportError as exc:
        say(f"{label} {type(exc).__name__}")
    else:
        if hasattr(result, "close"):
            result.close()
        say(f"{label} ok")


def busy(path: str, passphrase: str) -> None:
    attempt("open", lambda: open_vault(path, passphrase, allow_weak=True))
    attempt("probe", lambda: probe(path))
    sys.stdin.readline()
    attempt("open-again", lambda: open_vault(path, passphrase, allow_weak=True))


def hold(path: str, passphrase: str, session_id: str, stage: str) -> None:
    store = open_vault(path, passphrase, allow_weak=True)
    say("ready")
    for line in sys.stdin:
        text = line.rstrip("\n")
        if text == "quit":
            break
        try:
            store.save_note(session_id, stage, text)
        except RapportError as exc:
            say(f"refused {type(exc).__name__}: {exc}")
        else:
            say("saved")
    store.close()
    say("closed")


def fsize(path: str, passphrase: str, session_id: str, stage: str) -> None:
    import os
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write returns EFBIG instead
    store = open_vault(path, passphrase, allow_weak=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    largest = max(os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}"))
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 64 * 1024, hard))
    saved = 0
    for counter in range(1, 200):
        try:
            store.save_note(session_id, stage, note_text(counter) + "x" * 8000)
        except RapportError as exc:
            say(f"refused {type(exc).__name__} {counter} {str(exc)!r}")
            break
        saved = counter
        say(f"ack {counter}")
    else:
        say("never refused")
        return
    notes = [n for n in store.notes(session_id) if n.stage == stage]
    say(f"still {stored_counter(notes[0].text) if notes else 0}")
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    store.save_note(session_id, stage, note_text(saved + 1000))
    say(f"resumed {saved + 1000}")
    store.close()
    say("closed")


def fork() -> None:
    say("ready")
    for line in sys.stdin:
        words = line.rstrip("\n").split("\t")
        if words[0] == "reap":
            _, status = os.waitpid(int(words[1]), 0)
            say(f"status {-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)}")
            continue
        mode, fifo, *args = words
        pid = os.fork()
        if pid == 0:  # the child: its stdout is the pipe; it never returns to this loop
            code = 1
            try:
                out = os.open(fifo, os.O_WRONLY)
                os.dup2(out, sys.stdout.fileno())
                os.close(out)
                main([mode, *args])
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        say(f"pid {pid}")


def main(argv: list[str]) -> None:
    mode, args = argv[0], argv[1:]
    if mode == "autosave":
        autosave(*args)
    elif mode == "passwd":
        passwd(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif mode == "busy":
        busy(*args)
    elif mode == "hold":
        hold(*args)
    elif mode == "fsize":
        fsize(*args)
    elif mode == "fork":
        fork()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
