"""Helpers the Pilot-driven app tests share (importable: ``tests/`` is on pytest's pythonpath).

* ``make_app(vault_path, clock, **kw)``: the real app around a test vault, on the fast KDF, built
  by :func:`tui.launch.make_app` as the launcher builds it (settings: ``config=``, else none).
  It never locks by itself unless ``idle_lock=True``: the idle check runs every 5 s of real
  time while the tests' clock jumps by hours, so it would lock at random in a slow run.
* ``open_session(app, pilot, store, session_id)``: hand the app an unlocked store and open a
  session screen, as unlocking and resuming would; returns the screen, its notes focused.
* ``guide_plan(guide_id)``: a built-in guide as a session's plan (``start_session``'s argument).
* ``settle(app, pilot)``: let the screen's store reads in workers finish and show (also those
  started after a refresh; robust when a pause returns early on a loaded machine).
* ``until(app, pilot, shown, what)``: pause (and let the workers finish) until ``shown()`` holds,
  then lay the screen out once more: for a screenshot of what ``shown`` checks.
* ``show(app, pilot, store, screen)``: unlocked, ``screen`` pushed over the home and settled.
* ``show_programme(app, pilot, store, programme_id)``: unlocked, on a programme's screen.
* ``ada_session(store, guide_id)``: Ada, and a session with her on a built-in guide.
* ``led_programme(store, clock)``: a programme of three leadership interviews about Ana, tagged.
* ``held_by(app, kinds)``: what the app still holds of ``kinds`` (a closed screen, a widget).
* ``enter_text(pilot, text)``: ``text`` into the focused field through its public API (a line
  at a time, Enter pressed between lines), where the typing itself is not under test.
* ``unlock_with(pilot, passphrase)``: on the unlock screen, the passphrase entered so, then Enter.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from dataclasses import replace
from types import FunctionType, ModuleType

from textual.worker import WorkerCancelled

from store import DEFAULT_THEMES, crypto
from store.paths import Paths
from tui import launch
from tui.app import RapportApp
from tui.config import Config


def make_app(vault_path, clock, *, config: Config | None = None, idle_lock: bool = False,
             **kw) -> RapportApp:
    config = config or Config()
    if not idle_lock:
        config = replace(config, idle_lock_minutes=0)
    return launch.make_app(Paths.resolve(vault_path.parent), config=config,
                           kdf=crypto.FAST_FOR_TESTS, allow_weak=True, clock=clock, **kw)


async def open_session(app, pilot, store, session_id):
    """The session screen over the home screen, as resuming opens it: mounted (its session read
    in ``on_mount``), then resumed with its notes focused (its AUTO_FOCUS) and laid out. Waited
    for, not paused on: a pause ends early on a loaded machine. The home screen under it is
    never drawn (a pause between the two drew it: ~0.1 s of CPU for each of ~55 tests)."""
    from tui.screens.session import SessionScreen

    app.unlocked(store)
    screen = SessionScreen(session_id)
    await app.push_screen(screen)
    await until(app, pilot, lambda: app.screen is screen and screen.focused is not None,
                "the session screen, its notes focused")
    return screen


def guide_plan(guide_id: str = "one-on-one"):
    from guides.loader import builtin_guides

    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


async def settle(app, pilot, rounds: int = 200) -> None:
    """Let the screen's store reads in workers finish and show. A pause alone waits until the
    process looks idle: on a loaded machine it is descheduled, looks idle, and the pause
    returns before a worker has started (the home list reads once painted, a worker started
    after a refresh), and ``wait_for_complete`` then found nothing to wait for. Here, after a
    pause: run what waits for the next refresh, wait for the workers there are, until two rounds
    in a row find none (a round's callbacks may post the next step) and the screen is the
    terminal's size (a resize reaches it after a timer); then a pause lays the result out. No
    wall-clock sleep: a round with nothing to do costs a message round trip."""
    await pilot.pause()
    quiet = 0
    for _ in range(rounds):
        if app.screen.outer_size != app.size:  # resized: it reaches the screen after a timer
            quiet = 0
            await pilot.pause()
            continue
        await refreshed(app)
        workers = list(app.workers)
        if not workers:
            quiet += 1
            if quiet == 2:
                await pilot.pause()
                return
            continue
        quiet = 0
        await finished(workers)
    raise AssertionError(f"not settled after {rounds} rounds: {list(app.workers)}, "
                         f"screen {app.screen.outer_size} in {app.size}")


async def finished(workers) -> None:
    """``workers`` have ended (one cancelled, as a newer read in its group replaced it, is not
    an error: ``wait_for_complete`` raised WorkerCancelled for it)."""
    for worker in workers:
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()


async def refreshed(app) -> None:
    """The callbacks queued for after the current screen's next refresh have run (those queued
    before this call: they run in order). Bounded, as a screen popped meanwhile drops them."""
    done = asyncio.Event()
    if app.screen.call_after_refresh(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 5)


async def until(app, pilot, shown, what: str, rounds: int = 200) -> None:
    """Pause until ``shown()`` is true, then once more (the pause ends by laying the screen out:
    a screenshot after it has what ``shown`` found). A pause alone waits until the process looks
    idle: on a loaded machine it is descheduled, looks idle, and the pause returns before a
    worker has started (one started after a refresh), before its result is shown, or before a
    toast is mounted. Each round here waits for the workers there are; no wall-clock sleep."""
    for _ in range(rounds):
        if shown():
            await pilot.pause()
            return
        await pilot.pause()
        await refreshed(app)
        await finished(list(app.workers))
    raise AssertionError(f"not shown after {rounds} pauses: {what}")


async def show(app, pilot, store, screen):
    """The app unlocked with ``store``, ``screen`` pushed over the home screen at once (the home,
    never looked at, is not drawn first: ~0.1 s of CPU) and its store reads settled."""
    app.unlocked(store)
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


async def show_programme(app, pilot, store, programme_id: str):
    """The app unlocked with ``store``, on the programme's screen, its synthesis loaded."""
    from tui.screens.programme import ProgrammeScreen

    return await show(app, pilot, store, ProgrammeScreen(programme_id))


def ada_session(store, guide_id: str = "one-on-one"):
    """Ada, and a session with her from the built-in guide ``guide_id``: (person, session)."""
    person = store.add_person("Ada")
    return person, store.start_session(person.id, guide_plan(guide_id))


def led_programme(store, clock):
    """"Leaders" (the default themes and "decision making"), three leadership interviews about
    Ana Silva: in each a note, a passage about her (perception), one on sign-off (current state
    and decision making) and a SECRET one at the private reflection stage; in the last, a
    future state too: (programme, Ana). Each an hour after the one before."""
    programme = store.add_programme("Leaders", themes=(*DEFAULT_THEMES, "decision making"))
    ana = store.add_person("Ana Silva")
    for name, line in (("Ben Okafor", "Ana is fair"), ("Cara Lind", "Ana listens"),
                       ("Dev Patel", "Ana decides fast")):
        person = store.add_person(name)
        session = store.start_session(person.id, guide_plan("leadership-interview"),
                                      programme_id=programme.id)
        store.save_note(session.id, "perception", f"{line}\nSign-off takes weeks")
        store.add_tag(session.id, "perception", line, stage="perception", subject_id=ana.id)
        store.add_tag(session.id, "current state", "Sign-off takes weeks", stage="perception")
        store.add_tag(session.id, "decision making", "Sign-off takes weeks", stage="perception")
        store.add_tag(session.id, "perception", f"SECRET about {name}", stage="reflection",
                      subject_id=ana.id)
        clock.advance(3600)
    store.add_tag(session.id, "future state", "Teams decide", stage="perception")
    store.add_tag(session.id, "decision making", "Teams decide", stage="perception")
    return programme, ana


def first_one_on_one(store, clock):
    """Sam, weekly: a 1-on-1 a week ago with notes and items (one overdue), then a jot and
    talking points both ways (as `rapport jot --raise` and `--theirs` make them)."""
    sam = store.add_person("Sam Rivera", cadence="weekly")
    first = store.start_session(sam.id, guide_plan(), title="Weekly")
    store.save_note(first.id, "check-in", "Tired after the on-call week.")
    store.save_note(first.id, "check-in", "PRIVATE-CANARY burning out?", private=True)
    store.add_item(first.id, "action", "Send the risk list", owner="them", due="2025-03-05")
    store.add_item(first.id, "action", "Ask finance about budget", owner="me",
                   due="2025-03-20")
    store.end_session(first.id)
    clock.advance(7 * 86400)  # a week on
    store.add_jot(sam.id, "raised the on-call rota in standup")
    raise_point = store.add_talking_point(sam.id, "Feedback on the design review")
    theirs = store.add_talking_point(sam.id, "Conference budget", owner="theirs")
    second = store.start_session(sam.id, guide_plan(), title="Weekly")
    return sam, first, second, raise_point, theirs


async def enter_text(pilot, text: str) -> None:
    """``text`` into the focused Input or TextArea as its own API inserts it at the cursor (the
    field posts its Changed as for typing), a line at a time with Enter pressed as a key between
    lines; for where the typing itself is not under test (key by key costs ~7 ms CPU a key).
    Keys typed one by one are tested in test_app_dialogs and test_app_shell."""
    from textual.widgets import Input, TextArea

    for index, line in enumerate(text.split("\n")):
        if index:
            await pilot.press("enter")
        field = pilot.app.focused
        if not line:
            continue
        if isinstance(field, Input):
            field.insert_text_at_cursor(line)
        elif isinstance(field, TextArea):
            field.insert(line)
        else:
            raise AssertionError(f"no text field has the focus: {field!r}")
    await pilot.pause()


async def unlock_with(pilot, passphrase: str) -> None:
    """The passphrase into the unlock screen's field at once (:func:`enter_text`), then Enter:
    where unlocking is a step on the way, not what is under test. Pressed key by key, each of its
    28 keys waits for the app to go idle and draws the field again (measured: ~1.3 s of waiting
    and 0.1-0.4 s of CPU an unlock). Typed key by key in test_unlock_handover and test_serve_app."""
    await enter_text(pilot, passphrase)
    await pilot.press("enter")


def held_by(app, kinds: tuple[type, ...]) -> list[object]:
    """What the app still holds of ``kinds``, through its attributes, screens, watchers and
    callbacks (closures: not through classes, modules, globals or the event loop)."""
    seen, todo, found = set(), [app], []
    while todo:
        thing = todo.pop()
        if id(thing) in seen or isinstance(thing, (type, ModuleType, asyncio.AbstractEventLoop)):
            continue
        seen.add(id(thing))
        if isinstance(thing, kinds):
            found.append(thing)
        elif isinstance(thing, FunctionType):
            todo.extend([*(thing.__closure__ or ()), *(thing.__defaults__ or ())])
        else:
            todo.extend(gc.get_referents(thing))
    return found
