"""Nothing typed is lost, in any dialog: Enter saves from any field, Escape or Cancel with unsaved
text asks first, and the dialog says which key saves (from the live keymap)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest
from textual.app import App
from textual.widgets import Button, Input, Label, RadioButton, TextArea

from guides.loader import builtin_guides
from tui.config import Config
from tui.screens.capture import CaptureScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.dialog import Dialog
from tui.screens.export import ExportScreen
from tui.screens.jot import JotScreen
from tui.screens.new_programme import NewProgrammeDialog
from tui.screens.start import NewSessionScreen
from tui.screens.strategy import StrategyDialog
from tui.screens.tagging import TagDialog
from tui.widgets.choice import ChoiceSet
from apptools import make_app

pytestmark = pytest.mark.usefixtures("utc_zone")

SIZE = (110, 40)


@dataclass
class Case:
    make: Callable[[Any, Any], Dialog[Any]]  # (store, tmp_path) -> the dialog
    field: str  # the text field the test types into
    ok: Callable[[Any], bool]  # what a saved result looks like


def session_of(store):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    return store.start_session(store.add_person("Ada").id, plan)


def strategy_dialog(store, tmp_path) -> StrategyDialog:
    from store.synthesis import build

    programme = store.add_programme(f"Leaders {len(store.programmes()) + 1}")  # names differ
    return StrategyDialog(build(store, programme.id))


def export_dialog(store, tmp_path) -> ExportScreen:
    (tmp_path / "out").mkdir(exist_ok=True)
    return ExportScreen(session_ids=[session_of(store).id], directory=tmp_path / "out")


CASES = {
    "capture": Case(lambda store, tmp: CaptureScreen(participant="Ada", today=date(2025, 3, 3)),
                    "#capture-text", lambda r: r.text == "typed words"),
    "jot": Case(lambda store, tmp: JotScreen("Ada"), "#jot-text", lambda r: r == "typed words"),
    "tag": Case(lambda store, tmp: TagDialog("a passage", ["trust", "pace"], []),
                "#tag-new", lambda r: r.theme == "typed words" and r.new_theme),
    "new-session": Case(lambda store, tmp: NewSessionScreen(), "#person",
                        lambda r: isinstance(r, str)),
    "new-programme": Case(lambda store, tmp: NewProgrammeDialog(), "#programme-name",
                          lambda r: r["name"] == "typed words"),
    "strategy": Case(strategy_dialog, "#strategy-text", lambda r: r[0] == "typed words"),
    "export": Case(export_dialog, "#export-path", lambda r: r.endswith("typed words")),
}


async def opened(app, pilot, dialog: Dialog[Any]) -> list[Any]:
    results: list[Any] = []
    app.push_screen(dialog, results.append)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen is dialog
    return results


async def type_into(pilot, dialog: Dialog[Any], selector: str, text: str = "typed words") -> None:
    """Types the first letter as a key press, the rest as the field's value (quicker)."""
    field = dialog.query_one(selector)
    field.focus()
    if isinstance(field, Input):
        field.value = ""
    await pilot.press(text[0])
    if isinstance(field, Input):
        field.value = text
        field.cursor_position = len(text)
    elif isinstance(field, TextArea):
        field.text = text
    await pilot.pause()


def fields_of(dialog: Dialog[Any]) -> list[Any]:
    """Every widget of the dialog that takes the focus, buttons aside."""
    return [w for w in dialog.query("*") if w.focusable and not isinstance(w, Button)]


async def test_enter_saves_from_every_field(store, vault_path, clock, tmp_path):
    """Every dialog in one app run (a fresh app per dialog proves nothing more): each assert
    names its dialog."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        for name, case in CASES.items():
            index, count = 0, 1  # the first dialog tells how many fields it has
            while index < count:
                (tmp_path / "out" / "typed words").unlink(missing_ok=True)  # the export's file
                dialog = case.make(store, tmp_path)
                results = await opened(app, pilot, dialog)
                if index == 0:
                    count = len(fields_of(dialog))
                    assert count >= 1, name
                await type_into(pilot, dialog, case.field)
                field = fields_of(dialog)[index]
                field.focus()
                await pilot.pause()
                await pilot.press("enter")
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert results and case.ok(results[0]), (name, field, results)
                assert app.screen is not dialog, (name, field)
                index += 1
        app.store = None


async def test_escape_closes_at_once_or_with_typed_text_asks_first(store, vault_path, clock,
                                                                   tmp_path):
    """Every dialog in one app run, each assert naming its dialog: Escape with nothing typed
    closes at once; with typed text, Escape and Cancel ask first."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        for name, case in CASES.items():
            # nothing typed: Escape closes at once
            dialog = case.make(store, tmp_path)
            results = await opened(app, pilot, dialog)
            await pilot.press("escape")
            await pilot.pause()
            assert results == [None] and app.screen is not dialog, (name, "nothing typed")
            # typed text: Escape asks first
            dialog = case.make(store, tmp_path)
            results = await opened(app, pilot, dialog)
            await type_into(pilot, dialog, case.field)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and not results, (name, "escape asks")
            await pilot.press("n")  # keep it: back in the dialog, the text as typed
            await pilot.pause()
            assert app.screen is dialog and "typed words" in str(dialog.draft()), (name, "kept")
            # one Tab too far, onto a button: what is typed fast goes into the text field it
            # left, added to what it holds (it did nothing, and Enter then pressed the button)
            dialog.query_one(".cancel", Button).focus()
            await pilot.pause()
            typed_fast(app, "49")  # digits: a number field (the slot) takes them too
            for _ in range(3):
                await pilot.pause()
            field = dialog.focused
            assert isinstance(field, (Input, TextArea)), (name, field)
            assert (field.value if isinstance(field, Input) else field.text).endswith("49"), name
            dialog.query_one(".cancel", Button).focus()  # Tab to Cancel, then Enter
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and not results, (name, "cancel asks")
            await pilot.press("y")
            await pilot.pause()
            assert results == [None] and app.screen is not dialog, (name, "discarded")
        app.store = None


async def test_the_dialog_names_its_save_key_as_remapped(store, vault_path, clock, tmp_path):
    """Every dialog in one app run, each assert naming its dialog."""
    app = make_app(vault_path, clock, config=Config(keys={"dialog-save": "f6"}))
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        for name, case in CASES.items():
            (tmp_path / "out" / "typed words").unlink(missing_ok=True)  # the export's file
            dialog = case.make(store, tmp_path)
            results = await opened(app, pilot, dialog)
            shown = " ".join(str(w.render()) for w in dialog.query("Static"))
            assert "f6" in shown and "⏎" not in shown, (name, shown)
            await type_into(pilot, dialog, case.field)
            await pilot.press("f6")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert results and case.ok(results[0]), (name, results)
        app.store = None


def typed_fast(app, text: str, *then: str) -> None:
    """Keys as a fast typist (or a paste) sends them: all queued before any is handled."""
    from textual import events

    for char in text:
        app.post_message(events.Key("space" if char == " " else char, char))
    for key in then:
        app.post_message(events.Key(key, {"enter": "\r", "tab": "\t"}.get(key)))


async def test_keys_typed_just_before_enter_are_saved(store, vault_path, clock, tmp_path):
    """Enter is a priority binding, handled before the focused field has taken the keys queued
    ahead of it: the save waits for them (three dialogs in one app run, asserts name each)."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        for name in ("capture", "new-programme", "jot"):
            case = CASES[name]
            dialog = case.make(store, tmp_path)
            results = await opened(app, pilot, dialog)
            dialog.query_one(case.field).focus()
            await pilot.pause()
            typed_fast(app, "typed words", "enter")
            for _ in range(3):
                await pilot.pause()
            assert results and case.ok(results[0]), (name, results)
        app.store = None


async def test_keys_typed_right_after_tab_go_into_the_next_field(store, vault_path, clock,
                                                                 tmp_path):
    """A name, Tab, a purpose in one burst (a fast typist, a paste, tmux send-keys): the purpose
    went into the name, as the field still had the focus when the letters after Tab reached it
    (Tab moved on only once it had bubbled up to the screen, behind them)."""
    from textual import events

    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        dialog = NewProgrammeDialog()
        await opened(app, pilot, dialog)
        typed_fast(app, "L25")
        app.post_message(events.Key("tab", "\t"))
        typed_fast(app, "Why")
        typed_fast(app, ",", "shift+tab")  # and back
        for _ in range(3):
            await pilot.pause()
        name, purpose = (dialog.query_one(f"#programme-{f}", Input) for f in ("name", "purpose"))
        assert (name.value, purpose.value) == ("L25", "Why,")
        assert dialog.focused is name
        # an arrow between two Tabs chooses in the row it was typed in (it acted once it had
        # bubbled up to the app, on the due date by then: the item stayed "mine", in a try)
        dialog.dismiss(None)
        results = await opened(app, pilot, CASES["capture"].make(store, tmp_path))
        typed_fast(app, "Book it", "tab", "right", "tab")
        typed_fast(app, "fri", "enter")
        for _ in range(3):
            await pilot.pause()
        assert [(r.text, r.owner, r.due) for r in results] == [
            ("Book it", "them", date(2025, 3, 7))]
        app.store = None


async def test_keys_typed_just_before_escape_make_it_ask(store, vault_path, clock, tmp_path):
    case = CASES["capture"]
    app = make_app(vault_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.store = store
        dialog = case.make(store, tmp_path)
        results = await opened(app, pilot, dialog)
        typed_fast(app, "typed words", "escape")
        for _ in range(3):
            await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and results == []
        app.store = None


# ---------------------------------------------------------------------- choice rows
class Choices(App[None]):
    def __init__(self, chosen: int | None, disabled: int | None = None) -> None:
        super().__init__()
        self.chosen, self.disabled = chosen, disabled

    def compose(self):
        with ChoiceSet():
            for i in range(4):
                yield RadioButton(str(i), value=i == self.chosen, name=str(i),
                                  disabled=i == self.disabled)


@pytest.mark.parametrize("chosen, keys, expected", [
    (None, [], -1),  # nothing chosen stays so (a pulse's score is never guessed)
    (0, [], 0),
    (2, [], 2),  # the choice a dialog opened with is the one it saves untouched
    (2, ["right"], 3),
    (2, ["left"], 1),
    (3, ["right"], 3),  # stops at the end: Right on a pulse of 5 never records a 1
    (0, ["left"], 0),  # nor Left on consent "not recorded" a refusal
    (None, ["right"], 0),
    (None, ["left"], 3),
    (1, ["down", "down"], 3),
])
async def test_a_choice_row_chooses_as_it_moves(chosen, keys, expected):
    """Textual's RadioSet moves a highlight on the arrows and chooses on Space, so Right then
    a dialog's Enter saved the old choice; a ChoiceSet chooses as it moves."""
    app = Choices(chosen)
    async with app.run_test() as pilot:
        row = app.query_one(ChoiceSet)
        row.focus()
        await pilot.press(*keys)
        await pilot.pause()
        assert row.pressed_index == expected
        buttons = list(row.query(RadioButton))
        assert [b.value for b in buttons] == [i == expected for i in range(4)]
        if expected >= 0:  # the highlight is on the choice from the start (RadioSet's: first)
            assert [b.has_class("-selected") for b in buttons] == [i == expected
                                                                   for i in range(4)]


async def test_a_choice_row_keeps_up_with_keys_typed_fast():
    """Two arrows queued before either is handled (a held key, tmux send-keys) move two
    choices: the second moved from the choice the first made, not from the one RadioSet had
    not yet been told of (Right Right in the review's cadence chose weekly, not fortnightly)."""
    app = Choices(None)
    async with app.run_test() as pilot:
        row = app.query_one(ChoiceSet)
        row.focus()
        await pilot.pause()
        for keys, expected in ((["right", "right"], 1), (["right", "right"], 3),
                               (["left", "left"], 1)):
            typed_fast(app, "", *keys)
            await pilot.pause()
            assert row.pressed_index == expected, keys
            assert [b.value for b in row.query(RadioButton)] == [i == expected
                                                                 for i in range(4)]


async def test_a_choice_row_skips_what_is_disabled():
    app = Choices(0, disabled=1)
    async with app.run_test() as pilot:
        app.query_one(ChoiceSet).focus()
        await pilot.press("right")
        await pilot.pause()
        assert app.query_one(ChoiceSet).pressed_index == 2


async def test_a_long_line_in_a_dialog_wraps_instead_of_being_cut(store, vault_path, clock):
    """A dialog's Label is one line as wide as its text: a long one was cut at the dialog's
    edge (the review's next-meeting line lost "skip" at 80 columns). They wrap now."""
    from tui.screens.pulse import PulseDialog

    name = "Maximiliane Alexandra von Hohenberg-Schwarzenfeld"
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.store = store
        await opened(app, pilot, PulseDialog(name))
        [label] = [w for w in app.screen.query(Label) if name in str(w.render())]
        text = f"How is {name}? 1 (low) to 5 (great)"
        assert len(text) > label.region.width  # too long for one line here
        assert label.region.height == 2  # wrapped, all of it shown (cut: one line)
