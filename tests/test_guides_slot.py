"""Fitting the slot end to end: the new-session dialog and ``rapport new --minutes``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tui.cli import cli
from tui.screens.session import SessionScreen
from tui.screens.start import NewSessionScreen
from tui.widgets.session import SessionTimer
from apptools import make_app

pytestmark = pytest.mark.usefixtures("utc_zone")


def planned(session) -> list[int]:
    return [int(s["minutes"]) for s in session.stages]


async def start_from_dialog(app, pilot, minutes: str | None) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(app.screen, NewSessionScreen)
    await pilot.press("enter", *"Ada")  # the 1-on-1 (preselected), then the name
    await pilot.pause()
    if minutes is not None:
        await pilot.press("tab", "tab")  # name -> title -> minutes
        field = app.screen.query_one("#minutes")
        assert app.focused is field and field.value == "30"  # the guide's own length
        await pilot.press(*["backspace"] * 2, *minutes)
    await pilot.press("enter")
    await pilot.pause()


async def test_dialog_defaults_to_the_guides_own_length(store, vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await start_from_dialog(app, pilot, None)
        assert isinstance(app.screen, SessionScreen)
        assert planned(app.screen.session) == [3, 3, 12, 4, 4, 2, 2]


async def test_dialog_follows_the_highlighted_guide_until_edited(store, vault_path, clock):
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        minutes = app.screen.query_one("#minutes")
        assert minutes.value == "30"
        await pilot.press("up")  # the feedback session
        assert minutes.value == "33"
        minutes.value = "20"
        await pilot.press("up")  # edited: it stays
        assert minutes.value == "20"


async def test_dialog_refuses_an_impossible_slot_then_scales_to_a_45_minute_slot(
        store, vault_path, clock):
    """One dialog: each impossible slot typed is refused with its reason, the minutes field
    keeps the focus and nothing starts; then 45 minutes, typed over it, start the session with
    each stage scaled to fit (a fresh dialog per refusal shows nothing more: the check is the
    field's value when Enter is pressed)."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await start_from_dialog(app, pilot, "3")
        for typed, words in (("3", "too short for 7 stages"), ("900", "at most 600"),
                             ("-", "a whole number")):
            if typed != "3":  # what the last try typed, replaced
                await pilot.press(*["backspace"] * 3, *typed, "enter")
                await pilot.pause()
            assert isinstance(app.screen, NewSessionScreen), typed
            assert words in str(app.screen.query_one("#start-error").render()), typed
            assert app.focused is app.screen.query_one("#minutes"), typed
            assert store.sessions() == [], typed
        await pilot.press("backspace", "4", "5", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert sum(planned(screen.session)) == 45
        assert planned(store.session(screen.session.id)) == [5, 4, 18, 6, 6, 3, 3]  # stored
        assert screen.query_one(SessionTimer).total_planned == 45 * 60
        assert "0/18m" in str(screen.query_one("#outline").get_option_at_index(2).prompt)


async def test_start_request_with_minutes(store, vault_path, clock):
    app = make_app(vault_path, clock, start={"guide": "leadership-interview", "person": "Grace",
                                             "title": "", "minutes": 45})
    async with app.run_test(size=(100, 30)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert sum(planned(app.screen.session)) == 45


@pytest.mark.parametrize("minutes, words", [("3", "too short for 7 stages"),
                                            ("601", "at most 600")])
def test_new_refuses_an_impossible_slot(tmp_path, minutes, words):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "new", "--guide",
                                              "one-on-one", "--with", "Ada", "--minutes", minutes])
    assert result.exit_code == 1
    assert result.output.strip().startswith("rapport: error: --minutes:") and words in result.output


def test_new_minutes_must_be_a_number(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "new", "--guide",
                                              "one-on-one", "--with", "Ada", "--minutes", "soon"])
    assert result.exit_code == 2 and "--minutes" in result.output
