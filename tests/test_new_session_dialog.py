"""The new-session dialog (issue 24): Enter right after Tab's completion, a name typed fast on the
guide list, every guide's whole description at 80x24, a session still open with the person said
(and resumed), and the person's usual guide chosen until a guide is picked."""

from __future__ import annotations

import pytest
from textual import events

from guides.loader import builtin_guides
from tui.screens.prepare import PrepareScreen
from tui.screens.session import SessionScreen
from tui.screens.start import NewSessionScreen
from apptools import enter_text, make_app, settle, until

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str = "leadership-interview"):
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


async def new_session_dialog(app, pilot) -> NewSessionScreen:
    """^n's dialog once open and focused: keys typed sooner went to the screen below it."""
    await until(app, pilot, lambda: isinstance(app.screen, NewSessionScreen)
                and app.screen.focused is not None, "the new-session dialog, focused")
    return app.screen


async def started(app, pilot) -> SessionScreen:
    """The session screen the dialog's Enter (or ^r) opens, its session read."""
    await until(app, pilot, lambda: isinstance(app.screen, SessionScreen)
                and app.screen.session is not None, "a session screen")
    return app.screen


async def test_enter_right_after_tab_completion_and_a_full_name_typed_fast(store, vault_path,
                                                                           clock):
    """Two keys in one read, as a terminal delivers them typed quickly: Tab's completion then
    Enter starts the session with the name completed. Then (back home, the dialog again) a full
    name typed in one burst on the guide list keeps its space: the letters after the first were
    queued on the list before the first moved the focus to the name, the list took the space
    as its own, and "Ben Okafor" became a new person, "BenOkafor"."""
    store.add_person("Sam Rivera")
    store.add_person("Sam Rivera-Lee")
    ben = store.add_person("Ben Okafor")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await new_session_dialog(app, pilot)
        await pilot.press("tab", *"sam")
        # Tab and Enter in one read, as a terminal delivers them when typed quickly: the Tab's
        # completion came after the Enter's save, which took "sam" and completed it instead
        app.post_message(events.Key("tab", "\t"))
        app.post_message(events.Key("enter", "\r"))
        screen = await started(app, pilot)
        assert store.person(screen.session.person_id).name == "Sam Rivera"

        await pilot.press("escape")  # home again
        await until(app, pilot, lambda: app.screen is not screen, "home again")
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await new_session_dialog(app, pilot)
        assert app.screen.focused is app.screen.query_one("#guide-list"), "the list focused"
        for char in "Ben Okafor":
            app.post_message(events.Key("space" if char == " " else char, char))
        app.post_message(events.Key("enter", "\r"))
        screen = await started(app, pilot)
        assert screen.session.person_id == ben.id, "a full name typed fast keeps its space"


async def test_the_whole_guide_description_shows_then_a_name_typed_on_the_list(
        store, vault_path, clock):
    """Every guide's whole description shows at 80x24; then a name typed on the guide list
    goes into the name (and Tab, Enter start the session with them)."""
    store.add_person("Ana Silva")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        dialog = await new_session_dialog(app, pilot)
        description = dialog.query_one("#guide-description")
        guides = app.catalog.guides
        tallest = 0

        def needed() -> int:
            width = description.content_region.width
            return description.get_content_height(description.content_size, app.size, width)

        for index, guide in enumerate(guides):  # the longest descriptions too
            dialog.query_one("#guide-list").highlighted = index
            # every line of it shows, once laid out (it was cut after two lines)
            await until(app, pilot, lambda: str(description.render()) == guide.description
                        and description.content_region.height == needed(),
                        f"{guide.id}'s whole description")
            tallest = max(tallest, needed())
            start = dialog.query_one("#start")
            assert 0 < start.region.bottom <= 24 and start.region.height == 1
        assert tallest >= 4  # it was cut after two lines
        # a name typed on the guide list goes into the name
        dialog.query_one("#guide-list").highlighted = 0
        assert dialog.focused is dialog.query_one("#guide-list"), "the list has the focus"
        await pilot.press("down", *"Ana", "tab", "enter")
        screen = await started(app, pilot)
        assert store.person(screen.session.person_id).name == "Ana Silva", "into the name"


async def test_a_session_still_open_is_said_and_a_person_s_usual_guide_offered(
        store, vault_path, clock):
    """Back-to-back conversations: the feedback session with Ben was left (Esc), not ended;
    starting another with him says so, before a second open one is made. Then another name:
    Grace's usual guide is chosen, and said so, until a guide is picked (on the list, by its
    arrows or its Enter): a picked one is kept, whoever is typed."""
    ben = store.add_person("Ben Okafor")
    # its guide's name as a key placeholder: said as written, never read as a key
    open_one = store.start_session(ben.id, {**plan("feedback"), "name": "Feedback {quit}"})
    store.add_person("Ana Ruiz")
    store.add_person("Ana", guide_id="leadership-interview")  # a name the next one starts with
    grace = store.add_person("Grace\x07", guide_id="feedback")  # a control in it (an import)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        dialog = await new_session_dialog(app, pilot)
        line = dialog.query_one("#start-error")

        def says(text: str) -> bool:  # the line, once the name's change reached the dialog
            return line.display == bool(text) and str(line.render()) == text

        async def until_says(text: str) -> None:
            await until(app, pilot, lambda: says(text), f"the line says {text!r}")

        await pilot.press("tab")
        await enter_text(pilot, "Ben Okafor")  # at once (a name typed fast: the test above)
        await until_says(
            "still open with them: Feedback {quit}, 2025-03-03 09:00 (^r resumes it)")
        assert line.region.width and line.region.right <= 80, "the still-open line fits"
        guides = dialog.query_one("#guide-list")
        minutes = dialog.query_one("#minutes")

        def chosen() -> tuple[str | None, str]:
            return guides.get_option_at_index(guides.highlighted).id, minutes.value

        dialog.query_one("#person").value = "Ana"
        await until_says("Ana's usual guide chosen: Leadership interview")
        await until(app, pilot, lambda: chosen() == ("leadership-interview", "60"), "hers")
        dialog.query_one("#person").value = "Ana Ruiz"
        await until_says("")  # another name: the still-open line goes
        # typed on past "Ana": not her usual guide, kept without a word, but the one it opened on
        await until(app, pilot, lambda: chosen() == ("one-on-one", "30"), "the default again")
        await pilot.press(*"Q1")  # the title, typed on after Tab accepted the name
        await until_says("someone new: starting adds them to your people")
        dialog.query_one("#person").value = "grace␇"  # as the lists show her: BEL as ␇
        await until_says("grace␇'s usual guide chosen: Feedback session")
        dialog.query_one("#person").value = ""
        await pilot.press(*"Grace")  # the control left out: no key types it
        await until(app, pilot, lambda: dialog.query_one("#person").value == "Grace",
                    "Grace typed")
        await until_says("Grace's usual guide chosen: Feedback session")  # not someone new
        assert dialog.query_one("#person").completion is None  # nor "Grace␇": her too
        assert guides.get_option_at_index(guides.highlighted).id == "feedback"
        await pilot.press("enter")
        screen = await started(app, pilot)
        assert screen.session.guide_id == "feedback"
        assert screen.session.person_id == grace.id  # her, not a second Grace
        await pilot.press("escape")
        await until(app, pilot, lambda: app.screen is not screen, "home again")
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # a guide picked by hand is kept: moved, even back again
        dialog = await new_session_dialog(app, pilot)
        line = dialog.query_one("#start-error")
        await pilot.press("down", "up", "tab", *"Grace")
        await until(app, pilot, lambda: dialog.query_one("#person").value == "Grace",
                    "Grace typed")
        await until(app, pilot, lambda: str(line.render()).startswith(
            "Grace's usual guide: Feedback session · still open"), "her guide said, not picked")
        guides = dialog.query_one("#guide-list")
        assert guides.get_option_at_index(guides.highlighted).id == "one-on-one"
        # an interview in a programme: Ben's open feedback session is no interview left open
        dialog.dismiss(None)
        await until(app, pilot, lambda: not isinstance(app.screen, NewSessionScreen),
                    "the dialog closed")
        programme = store.add_programme("360 for Ana")
        app.push_screen(NewSessionScreen(programme_id=programme.id))
        dialog = await new_session_dialog(app, pilot)
        line = dialog.query_one("#start-error")
        await pilot.press("enter")  # on the list, no name yet: the guide it opened on, chosen
        await until_says("Who are you meeting? Type their name.")
        dialog.query_one("#person").value = "Grace"
        await until_says("Grace's usual guide: Feedback session")
        guides = dialog.query_one("#guide-list")
        assert guides.get_option_at_index(guides.highlighted).id == "one-on-one"
        dialog.query_one("#person").value = "Zed"  # a line shown, for its going to be seen
        await until_says("someone new: starting adds them to your people")
        dialog.query_one("#person").value = "Ben Okafor"
        await until_says("")  # not "still open with them"
        await pilot.press("ctrl+r")  # nothing of the programme's open with him: nothing resumed
        await until_says("No session is still open with them.")
        # Prepare for him, ^n: resumed from the dialog that says it is open ("esc, then resume
        # it" went back to Prepare, which has no key for it): no second session with him
        dialog.dismiss(None)
        await until(app, pilot, lambda: not isinstance(app.screen, NewSessionScreen),
                    "the dialog closed")
        app.push_screen(PrepareScreen(ben.id))
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await new_session_dialog(app, pilot)
        await pilot.press("ctrl+r")
        screen = await started(app, pilot)
        assert screen.session.id == open_one.id
        assert len(store.sessions(status="active")) == 2  # his and Grace's, no new one
