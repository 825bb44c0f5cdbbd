"""Keys that tell the truth: every binding has an id, docs/keys.md lists each with its default
keys, hints name only ids that exist, and a remapped key is what F1, the footer, the palette and
the hints say and what works."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Footer, Markdown

import tui
from guides.loader import builtin_guides
from tui.config import Config
from tui.keys import PLACEHOLDER, bad_keys, rapport_classes
from tui.screens.help import HelpScreen, PrivacyScreen
from tui.screens.session import SessionScreen
from apptools import make_app, open_session, settle, show, until

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| `([^`]+)` \| (.+) \|$")


def all_bindings() -> list[tuple[type, Binding]]:
    """Every binding declared by a screen, widget or app class of tui (all modules imported)."""
    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        importlib.import_module(module.name)
    return [(cls, b) for cls in rapport_classes() for b in vars(cls).get("BINDINGS", ())
            if isinstance(b, Binding)]


def documented() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in (ROOT / "docs" / "keys.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} listed twice"
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_every_binding_has_an_id_and_one_default():
    bindings = all_bindings()
    assert len(bindings) > 60
    missing = [f"{cls.__name__}: {b.key}" for cls, b in bindings if not b.id]
    assert missing == []
    defaults: dict[str, set[str]] = {}
    for _, b in bindings:
        defaults.setdefault(b.id, set()).add(b.key)
    assert {i: keys for i, keys in defaults.items() if len(keys) > 1} == {}
    assert [f"{b.id}: {why}" for _, b in bindings for why in bad_keys(b.key)] == []


def test_docs_keys_lists_every_id_with_its_default_keys():
    bindings = {b.id: b.key for _, b in all_bindings()}
    rows = documented()
    assert sorted(rows) == sorted(bindings)
    assert {i: rows[i][0] for i in rows} == bindings
    assert all(len(what) > 5 for _, what in rows.values())


def hint_texts(tree: ast.AST) -> list[str]:
    """The strings a module fills in with keys: arguments of with_keys, keys and keys_hint
    (less the ``{name}`` places of the values the call passes by keyword), and its HELP and
    ABOUT texts."""
    found: list[str] = []
    for node in ast.walk(tree):
        parts: list[ast.AST] = []
        values: set[str] = set()
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("with_keys", "keys", "keys_hint"):
                parts = list(node.args)
                values = {f"{{{k.arg}}}" for k in node.keywords if k.arg}
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("HELP", "ABOUT") for t in node.targets):
            parts = [node.value]
        for part in parts:
            texts = [c.value for c in ast.walk(part)
                     if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            for value in values:
                texts = [text.replace(value, "") for text in texts]
            found += texts
    return found


def test_every_hint_names_an_id_that_exists():
    ids = {b.id for _, b in all_bindings()}
    named = set()
    for path in (ROOT / "tui").rglob("*.py"):
        for text in hint_texts(ast.parse(path.read_text(encoding="utf-8"))):
            named.update(PLACEHOLDER.findall(text))
    named -= {"palette"}  # the command palette's key, filled in by the help screen
    assert len(named) > 30 and named <= ids, named - ids


def session_plan():
    return next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()


async def test_remapped_keys_are_shown_everywhere_and_work(store, vault_path, clock):
    # (f6 and f7 would not do for the session's keys: the notes pane has them; docs/keys.md)
    keys = {"privacy": "f11", "private": "ctrl+b", "capture": "shift+f4", "help": "shift+f1",
            "tag": "alt+t"}
    interview = next(g for g in builtin_guides() if g.id == "leadership-interview")
    session = store.start_session(store.add_person("Ada").id, interview.to_snapshot())
    app = make_app(vault_path, clock, config=Config(keys=keys))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        assert isinstance(screen, SessionScreen)
        # the hints written on the screen
        notes = screen.query_one("#notes")
        assert notes.border_subtitle == "^b: private"
        assert "shift+f4 captures" in str(screen.query_one("#items").render())
        # the footer
        footer_text = ""
        for _ in range(100):  # the footer recomposes when the bindings are first published
            footer_text = " ".join(str(k.render()) for k in screen.query_one(Footer).children)
            if footer_text:
                break
            await pilot.pause()
        footer = footer_text.split()
        assert "shift+f4" in footer and "^b" in footer and "shift+f1" in footer
        assert "f2" not in footer and "f3" not in footer and "f1" not in footer
        assert "alt+t" in footer and "f4" not in footer  # an interview's tag key
        # the guide's text names the action, not a key a remap would make wrong
        guide_text = str(screen.query_one("#throughout").render())
        assert "Tag passages as you go, with" in guide_text and "F4" not in guide_text
        # the remapped keys work, the old ones no longer do
        await pilot.press("f3")
        await pilot.pause()
        assert not screen.private.get(screen.stage["key"])
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert screen.private.get(screen.stage["key"])
        await pilot.press("f11")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("f11")
        await pilot.pause()
        assert app.screen is screen
        # F1 help, now on shift+F1
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("shift+f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = " ".join(app.screen.query_one(Markdown).source.split())
        rows = app.screen.rows()
        assert ("f11", "Hide") in rows and "**f11** hides everything" in help_text
        assert ("^b", "Private") in rows and "**^b** switches which one" in help_text
        assert "f12" not in help_text + str(rows) and "f1" not in {keys for keys, _ in rows}
        await pilot.press("shift+f1")
        await pilot.pause()
        assert app.screen is screen
        app.store = None


@pytest.mark.parametrize("bad", ["ctrl+zzz+bad", "ctrlq", "f99", "hyper+", ""])
def test_bad_key_names_are_found(bad):
    assert bad_keys(bad)


@pytest.mark.parametrize("good", ["ctrl+q", "f11", "alt+right", "question_mark", "slash",
                                  "ctrl+shift+f5", "G", "1", "escape,q"])
def test_good_key_names_pass(good):
    assert bad_keys(good) == []


def test_binding_ids_is_every_id():
    from tui.keys import BINDING_IDS

    assert BINDING_IDS == {b.id for _, b in all_bindings()}


async def test_a_remapped_key_that_clashes_on_a_screen_is_refused_with_a_warning(
        store, vault_path, clock):
    """``search = "p"`` would take the home screen's prepare key: Textual lets the remapped key
    win and leaves prepare with no key at all, silently. The entry is refused instead, with one
    warning, and both keep their default keys (on the screen, in the help and in the hints);
    the entries that clash nowhere still apply."""
    from tui.screens.prepare import PrepareScreen
    from tui.screens.search import SearchScreen
    from tui.keys import key_label

    store.start_session(store.add_person("Ada").id, session_plan())
    keys = {"search": "p", "done": "x", "people": "o"}
    app = make_app(vault_path, clock, config=Config(keys=keys))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # the unlock screen's preload checks the keymap
        await pilot.pause()
        warnings = [n.message for n in app._notifications if "keys." in n.message]
        assert len(warnings) == 1
        # search is on every browsing screen that has s free: p is prepare on Home and
        # People, a previous stage in a session's detail (the warning names one of them)
        assert re.search(r"keys\.search: 'p' is already (prepare|detail-previous-stage) on "
                         r"the \w+ screen", warnings[0])
        assert "keys.done: 'x' is already export on the Person screen" in warnings[0]
        assert app.config.keys == {"people": "o"}
        app.unlocked(store)
        await settle(app, pilot)
        home = app.screen
        assert key_label(app, "search") == "s" and key_label(app, "people") == "o"
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PrepareScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is home
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        app.store = None


def test_swapped_keys_do_not_clash_and_of_two_on_one_key_the_later_is_dropped():
    from tui.app import RapportApp
    from tui.keys import binding_scopes, keymap_clashes

    all_bindings()  # every screen imported
    scopes = binding_scopes(RapportApp)
    swap = {"capture": "f3", "private": "f2", "filter": "/"}
    assert keymap_clashes(swap, scopes) == (swap, [])
    kept, problems = keymap_clashes({"pause": "f11", "privacy": "f11"}, scopes)
    assert kept == {"pause": "f11"} and len(problems) == 1
    assert problems[0].startswith("keys.privacy: 'f11' is already pause on the ")
    # a key of a list the screen holds (the home list's j moves it: search would be dead)
    [problem] = keymap_clashes({"search": "j"}, scopes)[1]
    assert re.fullmatch(r"keys\.search: 'j' is already list-down on the [\w ]+ screen; search "
                        r"keeps its default keys", problem)
    # the notes pane's own keys (docs/keys.md: a key the TextArea binds is never a session key)
    assert "“Cursor line start”" in keymap_clashes({"capture": "ctrl+a"}, scopes)[1][0]
    # the notes select all with f7, ahead of the app's help key (not a priority one)...
    assert "“Select all”" in keymap_clashes({"help": "f7"}, scopes)[1][0]
    # ...but a priority key only takes Textual's own key of a widget (the export preview's
    # select-line), as dialog-save = "f6" does
    assert keymap_clashes({"dialog-save": "f6"}, scopes) == ({"dialog-save": "f6"}, [])
    # a key the defaults already share by design (Enter opens a row and selects it) is kept
    assert keymap_clashes({"open": "enter,o"}, scopes) == ({"open": "enter,o"}, [])


async def test_hints_in_dialogs_and_the_session_help_name_the_remapped_keys(
        store, vault_path, clock):
    """The keys a hint names, remapped: the participant field's completion key (its
    placeholder), the strategy dialog's save key (the line above its list), the tag dialog's
    "again adds them" (its save key), the session's help on going back to the notes."""
    from textual.widgets import Input, Label

    from store.synthesis import build
    from tui.screens.start import NewSessionScreen
    from tui.screens.strategy import StrategyDialog
    from tui.screens.tagging import TagDialog

    session = store.start_session(store.add_person("Ada").id, session_plan())
    programme = store.add_programme("Leaders")
    keys = {"complete": "f6", "dialog-save": "alt+s", "back": "alt+b"}
    app = make_app(vault_path, clock, config=Config(keys=keys))
    async with app.run_test(size=(120, 36)) as pilot:
        await show(app, pilot, store, NewSessionScreen())
        placeholder = app.screen.query_one("#person", Input).placeholder
        assert "f6 completes" in placeholder and "Tab" not in placeholder
        app.pop_screen()
        app.push_screen(StrategyDialog(build(store, programme.id)))
        await settle(app, pilot)
        label = " ".join(str(w.render()) for w in app.screen.query(Label))
        assert "alt+s saves" in label and "Enter" not in label
        app.pop_screen()
        app.push_screen(TagDialog("a passage", ["trust"], [(session.person_id, "Ada")]))
        await settle(app, pilot)
        app.screen.query_one("#tag-subject", Input).value = "Zed"
        await pilot.press("alt+s")
        await settle(app, pilot)
        error = str(app.screen.query_one("#tag-error", Label).render())
        assert "No one called 'Zed' yet: alt+s again adds them" in error
        app.pop_screen()
        screen = await open_session(app, pilot, store, session.id)
        await pilot.press("f1")
        await pilot.pause()
        shown = " ".join(app.screen.query_one(Markdown).source.split())
        assert "**alt+b** goes back to the notes" in shown and "Esc goes back" not in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        app.store = None


@pytest.mark.parametrize("unreachable", ["alt+b", "alt+f", "ctrl+i", "ctrl+[", "alt+1",
                                         "alt+minus", "alt+-", "alt+backspace"])
def test_keys_a_terminal_sends_as_another_key_are_refused(unreachable):
    """alt+b arrives as ctrl+left (iTerm's word move, in Textual's table of what terminals
    send): a binding to it would never fire, a dead key the config check let through."""
    assert bad_keys(unreachable) and "terminals send it as" in bad_keys(unreachable)[0]


def test_arrives_as_is_what_textual_reads():
    """tui.keys.ARRIVES_AS against Textual's own table (a private one: read here only, to
    check the copy; it fails when an upgrade of Textual changes what a key arrives as)."""
    from textual import _ansi_sequences  # noqa: PLC2701 - checked, not used, see docstring

    from tui.keys import ARRIVES_AS

    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    sent = {"ctrl+i": "\t", "ctrl+m": "\r", "ctrl+h": "\x08", "ctrl+left_square_bracket": "\x1b",
            "alt+b": "\x1bb", "alt+f": "\x1bf", "alt+backspace": "\x1b\x7f",
            "alt+tab": "\x1b\t", "alt+escape": "\x1b\x1b", "alt+minus": "\x1b-",
            "alt+equals_sign": "\x1b=", **{f"alt+{d}": f"\x1b{d}" for d in "0123456789"}}
    assert set(sent) == set(ARRIVES_AS)
    for key, sequence in sent.items():
        arrives = table[sequence]
        shown = arrives[0].value if isinstance(arrives, tuple) else "a character"
        assert shown == ARRIVES_AS[key] and shown != key, key


def test_the_documented_examples_pass_every_check():
    """The ``[keys]`` examples in docs/keys.md and the README are keymaps the app keeps whole."""
    import tomllib

    from tui.app import RapportApp
    from tui.keys import binding_scopes, keymap_clashes, keymap_problems

    all_bindings()
    scopes = binding_scopes(RapportApp)
    examples = []
    for name in ("docs/keys.md", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for block in re.findall(r"```toml\n(.*?)```", text, re.S):
            if "[keys]" in block:
                examples.append(tomllib.loads(block)["keys"])
    assert len(examples) == 2
    for keymap in examples:
        kept, problems = keymap_problems(keymap)
        assert problems == [] and keymap_clashes(kept, scopes) == (kept, [])


async def test_an_alt_letter_key_works_while_a_text_field_has_the_focus(
        store, vault_path, clock):
    """private = "alt+p": the notes pane typed "p" (Textual's TextArea types the letter of an
    alt+letter) and the key never reached the screen. Now it switches to the private note and
    types nothing; an alt+letter bound to nothing still types its letter. So in a dialog's
    text field (an Input): capture-kind = "alt+k" changes the kind."""
    from textual import events

    from tui.screens.capture import CaptureScreen

    session = store.start_session(store.add_person("Ada").id, session_plan())
    app = make_app(vault_path, clock,
                   config=Config(keys={"private": "alt+p", "capture-kind": "alt+k"}))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)  # what the session reads in a worker, shown
        notes = screen.query_one("#notes")
        assert screen.focused is notes
        # as a terminal's ESC p arrives (Textual's parser: the key and its letter; Pilot's
        # press would send no letter)
        app.post_message(events.Key("alt+p", "p"))
        await until(app, pilot, lambda: screen.private.get(screen.stage["key"]),
                    "alt+p: the private note")
        assert notes.text == ""
        app.post_message(events.Key("alt+q", "q"))
        await until(app, pilot, lambda: notes.text == "q", "alt+q, bound to nothing: a q")
        # a dialog's text field likewise (the capture dialog's kind key)
        app.post_message(events.Key("f2", None))
        await until(app, pilot, lambda: isinstance(app.screen, CaptureScreen)
                    and app.screen.focused is not None, "the capture dialog, focused")
        dialog = app.screen
        assert dialog.focused.id == "capture-text"
        kinds = dialog.query_one("#capture-kind")
        assert kinds.pressed_button.name == "action"
        app.post_message(events.Key("alt+k", "k"))
        await until(app, pilot, lambda: kinds.pressed_button.name == "decision",
                    "alt+k: the next kind")
        assert dialog.query_one("#capture-text").value == ""
        app.store = None


async def test_a_text_fields_own_keys_act_in_turn_among_the_letters(store, vault_path, clock):
    """Typed in one go (fast, or while the app was busy): Backspace and the arrows, which the
    notes bind themselves, ran only once they had bubbled up to the app, behind the letters
    after them ("abx", Backspace, "c", Left, "B" came out "abxc"). In a dialog's field as well:
    End and then text replaced the text the field had selected on opening."""
    from textual import events

    from tui.screens.jot import JotScreen

    def typed(*keys: str) -> None:  # as a terminal's keys arrive, all queued at once
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))

    ada = store.add_person("Ada")
    session = store.start_session(ada.id, session_plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        notes = screen.query_one("#notes")
        typed("a", "b", "x", "backspace", "c", "left", "B")
        for _ in range(3):
            await pilot.pause()
        assert notes.text == "abBc"
        dialog = JotScreen("Ada")
        app.push_screen(dialog)
        await pilot.pause()
        field = dialog.query_one("#jot-text")
        field.text = "Ana coached"
        field.select_all()
        typed("end", "!", "home", "delete", "a")
        for _ in range(3):
            await pilot.pause()
        assert field.text == "ana coached!"
        app.store = None


def test_every_alt_key_the_config_takes_arrives_as_itself():
    """Each alt+<printable ASCII>, enter and space, as a terminal sends it (ESC, then the key)
    through Textual's own parser (private: read here only, to check tui.keys against it): the
    config takes exactly those that arrive as the key named (alt+a), and refuses the rest
    (alt+/ arrives as slash, alt+A as alt+shift+a, alt+enter as enter)."""
    import string

    from textual._xterm_parser import XTermParser  # noqa: PLC2701 - see the docstring

    from tui.keys import bad_key, same_key

    def arrives(sent: str) -> str:
        parser = XTermParser()
        keys = [e.key for e in [*parser.feed(sent), *parser.feed("")] if hasattr(e, "key")]
        assert len(keys) == 1, (sent, keys)
        return keys[0]

    checked = 0
    for character in string.printable.strip() + "\r ":
        name = {"\r": "enter", " ": "space"}.get(character, character)
        key = f"alt+{name}"
        got = arrives(f"\x1b{character}")
        itself = same_key(got) == same_key(key)
        assert (bad_key(key) is None) == itself, (key, got, bad_key(key))
        checked += 1
    assert checked > 90
