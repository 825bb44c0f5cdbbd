"""The dialogs around a session (issue 24): tagging remembers its leader and takes several themes,
the new-session dialog (Enter after Tab, the whole description, the person's usual guide), and the
export dialog at 80x24 (the preview takes the screen; it says where the file goes, and the next
export offers the same folder)."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest
from textual import events
from textual.widgets import Button

from guides.loader import builtin_guides
from store import DEFAULT_THEMES, Scope, render_export
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import SessionDetailScreen
from tui.screens.export import ExportScreen
from tui.screens.review import EndReviewScreen
from tui.screens.prepare import PrepareScreen
from tui.screens.session import SessionScreen
from tui.screens.start import NewSessionScreen
from tui.screens.tagging import (
    TagDialog, named_at_start, programme_leader, stage_theme, tagged_message,
)
from tui.widgets.session import NotesArea
from apptools import make_app, open_session, settle, until

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


def test_the_tag_dialog_highlights_the_theme_of_the_stage():
    """An interview stage opens the tag dialog on the theme its guide names (Enter tags it):
    a stakeholder interview's "What helps" (``strengths``) on "strength", the leadership
    strategy (it opened on "perception", the first) on "suggestion". A plan made before
    stages named themes, or a guide that names none: the theme the key matches."""
    def at(stage) -> str:
        return DEFAULT_THEMES[stage_theme(stage, DEFAULT_THEMES) or 0]

    named = {s["key"]: at(s) for g in builtin_guides() if g.kind == "interview"
             for s in g.to_snapshot()["stages"]}
    assert (named["strengths"], named["needs"], named["current-state"], named["future-state"],
            named["strategy"]) == (
        "strength", "organisation needs", "current state", "future state", "suggestion")
    assert named["welcome"] == named["close"] == "perception"  # no theme of their own: the first
    assert at({"key": "x", "theme": " Future  STATE"}) == "future state"  # case, spacing aside
    # the key, when a stage names no theme or one the programme does not have
    assert at({"key": "current-state"}) == "current state"
    assert at({"key": "needs", "theme": "trust"}) == "organisation needs"
    assert at({"key": "strengths"}) == "perception"  # no plural guessed: the guide says it


def test_a_passage_that_begins_with_a_name_is_about_them():
    """Their full or first name, then a colon or a dash; among the programme's people first;
    nobody when it could be several."""
    people = [("d1", "Dana Ruiz"), ("d2", "Dana Lee"), ("b", "Bo Chen")]
    assert named_at_start("Dana: he never delegates", people, {"d2", "b"}) == "Dana Lee"
    assert named_at_start("Dana: he never delegates", people) == ""  # two Danas
    assert named_at_start("dana ruiz — late", people) == "Dana Ruiz"
    assert named_at_start("* Bo - clear", people) == "Bo Chen"
    for passage in ("Bo is clear", "Sign-off takes weeks", "Team: slow", "Bob: x"):
        assert named_at_start(passage, people) == ""


def test_a_360s_leader_is_the_one_its_passages_name_or_its_name_holds():
    from types import SimpleNamespace as Tag

    people = [("l", "Lee Park"), ("p", "Priya Park"), ("b", "Bo Chen")]
    assert programme_leader("Q3 round", [Tag(subject_id="p"), Tag(subject_id=None)],
                            people) == "Priya Park"
    assert programme_leader("360 for Lee Park", [], people) == "Lee Park"
    assert programme_leader("360 for lee park and Bo Chen", [], people) == ""  # two
    assert programme_leader("360 for Lee Parker", [], people) == ""
    assert programme_leader("Q3", [Tag(subject_id="p"), Tag(subject_id="b")], people) == ""


def test_a_tag_confirmation_shortens_all_but_its_themes_to_fit():
    themes = ("perception", "current state")
    assert tagged_message(themes, "Ana Silva", True, 80) == \
        "tagged about Ana Silva: perception, current state (private: kept out of reports)"
    assert tagged_message(themes, "Ana Silva", True, 46) == \
        "Ana Silva: perception, current state (private)"
    assert tagged_message(themes, "Maximiliane von Hohenberg", False, 40) == \
        "Maximiliane…: perception, current state"
    # a name measured in cells, as the status line draws it (a wide name cut the themes off)
    assert tagged_message(themes, "田中花子さんの名前", False, 40) == \
        "田中花子さん…: perception, current state"  # 40 cells
    assert tagged_message(themes, "Maximiliane von Hohenberg", True, 36) == \
        "Maximili…: perception, current state"  # the private mark goes last
    assert tagged_message(themes, "Maximiliane von Hohenberg", True, 30) == \
        "perception, current state"  # the themes alone
    assert tagged_message((*themes, "concern"), "", False, 36) == \
        "perception, current state, concern"


async def test_tagging_remembers_the_leader_and_takes_several_themes(store, vault_path, clock):
    programme = store.add_programme("Leaders")
    ana = store.add_person("Ana Silva")
    welcome = plan()
    welcome["stages"][0]["theme"] = "Concern"  # a stage naming its theme (case aside)
    session = store.start_session(store.add_person("Ben").id, welcome, programme_id=programme.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        screen.query_one(NotesArea).insert("Ana decides fast but alone")
        await pilot.press("f4")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TagDialog)
        themes = dialog.query_one("#tag-themes")
        assert themes.highlighted == DEFAULT_THEMES.index("concern")  # the dialog opens on it
        themes.highlighted = 0
        await pilot.press("space", "down", "down", "space", "down", "space")  # three themes
        await pilot.press("tab", *"ana", "enter")  # about Ana, tagged in one go
        await pilot.pause()
        assert app.screen is screen and isinstance(app.focused, NotesArea)
        tags = store.tags(session_id=session.id)
        assert sorted(t.theme for t in tags) == sorted(
            [DEFAULT_THEMES[0], DEFAULT_THEMES[2], DEFAULT_THEMES[3]])
        assert {t.passage for t in tags} == {"Ana decides fast but alone"}
        assert {t.subject_id for t in tags} == {ana.id}
        # both parts to check, whole in the status line at 80 columns (the themes were cut)
        status = screen.query_one("#note-status")
        said = str(status.render())
        assert said == "Ana Silva: perception, concern, current state"
        assert len(said) <= status.content_size.width
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == "Ana Silva"  # remembered
        await pilot.press("5")  # a digit still tags at once, about the same leader
        await pilot.pause()
        assert [t.subject_id for t in store.tags(session_id=session.id)] == [ana.id] * 4
        # at the next stage About starts empty: a passage about the team, tagged with a digit
        # as fast, is not filed in Ana's report (it was, from "where we are today", in a try)
        await pilot.press("ctrl+n")
        screen.query_one(NotesArea).insert("Silos")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == ""
        # a passage that begins with a colleague's name is about them, over the one
        # remembered: the peers stage takes one colleague after another ("Dana: he never…"
        # was filed under nobody, or the colleague before)
        await pilot.press("escape")
        await pilot.pause()
        screen.query_one(NotesArea).insert("\nAna: decides alone")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == "Ana Silva"
        await pilot.press("3")
        await pilot.pause()
        assert store.tags(session_id=session.id)[-1].subject_id == ana.id
        screen.query_one(NotesArea).insert("\n- **Ben** - late")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == "Ben"
        await pilot.press("escape")
        await pilot.pause()
    eve = store.add_person("Eve\x07 Park")  # a control in a name (an import): no key types it
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:  # within the session only
        screen = await open_session(app, pilot, store, session.id)
        screen.query_one(NotesArea).move_cursor((0, 0))  # "Silos", about nobody named
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == ""
        # About takes her name with the control left out, or as shown (BEL as ␇), as the
        # erase dialog does; it matched nobody, and "adds them" made a second Eve
        app.screen.query_one("#tag-subject").value = "eve park"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one("#tag-subject").value == "Eve␇ Park"  # remembered, shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert [t.subject_id for t in store.tags(session_id=session.id)][-2:] == [eve.id] * 2
        assert len(store.people()) == 3
        app.store = None


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
    Grace's usual guide is offered (and a guide picked by hand is kept)."""
    ben = store.add_person("Ben Okafor")
    # its guide's name as a key placeholder: said as written, never read as a key
    open_one = store.start_session(ben.id, {**plan("feedback"), "name": "Feedback {quit}"})
    store.add_person("Ana Ruiz")
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

        await pilot.press("tab", *"Ben Okafor")
        await until_says(
            "still open with them: Feedback {quit}, 2025-03-03 09:00 (^r resumes it)")
        assert line.region.width and line.region.right <= 80, "the still-open line fits"
        dialog.query_one("#person").value = "Ana Ruiz"
        await until_says("")  # another name: the still-open line goes
        await pilot.press(*"Q1")  # the title, typed on after Tab accepted the name
        await until_says("someone new: starting adds them to your people")
        dialog.query_one("#person").value = "grace␇"  # as the lists show her: BEL as ␇
        await until_says("grace␇'s usual guide: Feedback session")
        dialog.query_one("#person").value = ""
        await pilot.press(*"Grace")  # the control left out: no key types it
        await until(app, pilot, lambda: dialog.query_one("#person").value == "Grace",
                    "Grace typed")
        await until_says("Grace's usual guide: Feedback session")  # not someone new
        assert dialog.query_one("#person").completion is None  # nor "Grace␇": her too
        guides = dialog.query_one("#guide-list")
        assert guides.get_option_at_index(guides.highlighted).id == "feedback"
        await pilot.press("enter")
        screen = await started(app, pilot)
        assert screen.session.guide_id == "feedback"
        assert screen.session.person_id == grace.id  # her, not a second Grace
        await pilot.press("escape")
        await until(app, pilot, lambda: app.screen is not screen, "home again")
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # a guide picked by hand is kept
        dialog = await new_session_dialog(app, pilot)
        line = dialog.query_one("#start-error")
        await pilot.press("down", "tab", *"Grace")
        await until(app, pilot, lambda: dialog.query_one("#person").value == "Grace",
                    "Grace typed")
        await until(app, pilot, lambda: str(line.render()).startswith(
            "Grace's usual guide: Feedback session · still open"), "her guide said, not picked")
        guides = dialog.query_one("#guide-list")
        assert guides.get_option_at_index(guides.highlighted).id != "feedback"
        # an interview in a programme: Ben's open feedback session is no interview left open
        dialog.dismiss(None)
        await until(app, pilot, lambda: not isinstance(app.screen, NewSessionScreen),
                    "the dialog closed")
        programme = store.add_programme("360 for Ana")
        app.push_screen(NewSessionScreen(programme_id=programme.id))
        dialog = await new_session_dialog(app, pilot)
        line = dialog.query_one("#start-error")
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


async def test_the_export_dialog_at_80x24_and_its_folder(store, vault_path, clock, tmp_path,
                                                         monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("tui.screens.export.default_directory", lambda: documents)
    session = store.start_session(store.add_person("Ada").id, plan("one-on-one"))
    store.save_note(session.id, "check-in", "\n".join(f"line {n}" for n in range(40)))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        app.push_screen(ExportScreen(session_ids=[session.id]))
        await settle(app, pilot)
        dialog = app.screen
        assert dialog.has_class("-compact")
        preview = dialog.query_one("#export-preview")
        assert preview.region.height >= 10  # most of the screen (it was ~5 lines)
        assert dialog.query_one("#export-dialog").region.width == 80
        where = str(dialog.query_one("#export-where").render())
        assert f"In {documents}, the app's default · 'rapport export': the current folder" \
            == where
        path = dialog.query_one("#export-path")
        assert path.value.startswith(str(documents))
        # the path is wider than the field: its start (the folder) is what shows, all of it
        # selected so that typing replaces it
        assert len(path.value) > path.content_region.width
        assert (path.scroll_offset.x, path.cursor_position) == (0, 0)
        assert path.selected_text == path.value
        elsewhere = tmp_path / "shared"
        elsewhere.mkdir()
        # one Tab too far (onto Write file), then the path typed fast: it goes into the field,
        # in place of the suggested one, its first letter too; then Enter writes it there
        await pilot.press("tab")
        assert isinstance(dialog.focused, Button)
        for char in str(elsewhere / "ada"):
            app.post_message(events.Key(char, char))
        await pilot.pause()
        assert dialog.focused is path and path.value == str(elsewhere / "ada")
        await pilot.press("tab", *".md")  # again, a path half typed: added to
        assert path.value == str(elsewhere / "ada.md")
        assert str(dialog.query_one("#export-where").render()) == f"In {elsewhere}, as typed"
        await pilot.press("enter")
        await settle(app, pilot)
        assert (elsewhere / "ada.md").exists() and list(documents.iterdir()) == []
        app.push_screen(ExportScreen(session_ids=[session.id]))  # the next one: same folder
        await settle(app, pilot)
        assert app.screen.query_one("#export-path").value.startswith(str(elsewhere))
        where = str(app.screen.query_one("#export-where").render())
        assert f"In {elsewhere}, where the last export went" in where
        app.store = None


async def a_run_of_the_export_dialog(vault_path, clock, store, session_id, write_to=None):
    """One run of the app: opens the export dialog; returns (the path it offers, what it says
    about the folder), after writing to ``write_to`` if given."""
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        app.push_screen(ExportScreen(session_ids=[session_id]))
        await settle(app, pilot)
        dialog = app.screen
        offered = (dialog.query_one("#export-path").value,
                   str(dialog.query_one("#export-where").render()))
        if write_to is not None:
            dialog.query_one("#export-path").value = str(write_to)
            await pilot.press("ctrl+e")
            await settle(app, pilot)
        app.store = None  # the fixture's store stays open for the next run
    return offered


async def test_the_next_run_offers_the_last_export_folder(store, vault_path, clock, tmp_path,
                                                          monkeypatch):
    """The folder is kept in state.json beside the config (0600), the theme's key kept."""
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("tui.screens.export.default_directory", lambda: documents)
    state = vault_path.parent / "state.json"
    state.write_text(json.dumps({"theme": "nord", "config_theme": "textual-dark"}))
    session = store.start_session(store.add_person("Ada").id, plan("one-on-one"))
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    await a_run_of_the_export_dialog(vault_path, clock, store, session.id, elsewhere / "ada.md")
    assert (elsewhere / "ada.md").exists()
    assert json.loads(state.read_text()) == {"theme": "nord", "config_theme": "textual-dark",
                                             "export_folder": str(elsewhere)}
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "ada" not in state.read_text().casefold()  # the folder only, never the file's name
    path, where = await a_run_of_the_export_dialog(vault_path, clock, store, session.id)
    assert path.startswith(str(elsewhere))
    assert f"In {elsewhere}, where the last export went" in where
    elsewhere.joinpath("ada.md").unlink()
    elsewhere.rmdir()  # gone: back to the default
    path, where = await a_run_of_the_export_dialog(vault_path, clock, store, session.id)
    assert path.startswith(str(documents)) and f"In {documents}, the app's default" in where


async def test_share_from_the_detail_says_what_goes_and_leaves_private_out(
        store, vault_path, clock):
    """Issue 22: the confirmation names the session and what of it goes; the clipboard gets
    the summary export's text, never a private passage; declining copies nothing.

    Then issue 24, in the same run: the lists show time spent (the stage timers), the export
    start to end: each says which it is, and the detail shows both."""
    guide = plan("one-on-one")
    ada = store.add_person("Ada Lovelace", cadence="weekly")
    session = store.start_session(ada.id, guide, title="Weekly")
    first, second = guide["stages"][0]["key"], guide["stages"][2]["key"]
    store.save_note(session.id, first, "Back from leave; the demo went well.")
    store.save_note(session.id, first, "PRIVATE-PASSAGE: thinking of leaving", private=True)
    store.save_note(session.id, second, "Wants the on-call week swapped.")
    store.add_item(session.id, "action", "Swap the on-call week", owner="me")
    store.end_session(session.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.unlocked(store)
        await pilot.pause()
        app.push_screen(SessionDetailScreen(session.id))
        await settle(app, pilot)
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        said = " ".join(str(confirm.query_one("#confirm-message").render()).split())
        assert said.startswith("“Weekly” with Ada Lovelace, 2025-03-03: the participant's "
                               "summary")
        assert "the 1 item, never a private note (1 private note left out)" in said
        assert "OSC 52" in said and "recorded as an export" in said
        await pilot.press("n")
        await settle(app, pilot)
        assert app.clipboard == "" and store.exports() == []
        await pilot.press("ctrl+y")
        await settle(app, pilot)  # what goes is counted in a worker
        await pilot.press("y")
        await settle(app, pilot)
        expected = render_export(store, Scope.sessions(session.id), "md", "summary",
                                 tz=None).text
        assert app.clipboard == expected
        assert "Wants the on-call week swapped." in app.clipboard
        assert "PRIVATE-PASSAGE" not in app.clipboard and "leaving" not in app.clipboard
        assert [e.kind for e in store.exports()] == ["clipboard"]
        assert isinstance(app.screen, SessionDetailScreen)

        # lengths, labelled: three sessions more (the clock moves on from here)
        met = one_session(store, clock, "Ada", spent=20 * 60, hours=2 / 3)
        reopened = one_session(store, clock, "Ben", spent=25 * 60, hours=26)
        active = one_session(store, clock, "Cy", spent=12 * 60, hours=None)

        def length(session) -> str:
            text = render_export(store, Scope.sessions(session.id), "md", "summary",
                                 tz=None).text
            return next(line for line in text.splitlines() if line.startswith("- **Length:**"))

        assert length(met) == "- **Length:** 40 min, start to end"
        assert length(reopened) == \
            "- **Length:** 25 min on the stage timers (continued another day)"
        assert length(active) == "- **Length:** 12 min so far on the stage timers (not ended)"
        app.push_screen(SessionDetailScreen(met.id))
        await settle(app, pilot)
        header = app.screen.query_one("#detail-header").source
        assert "40 min, start to end · 20 min spent on the stage timers of 30 min planned" \
            in header, \
            "the detail's lengths"
        app.store = None


async def test_ending_offers_the_next_date_and_a_set_date_wins(store, vault_path, clock):
    """Issue 22: the review offers the cadence's next date (labelled, editable); the date set
    overrides the computed one in upcoming(). A first 1-on-1 with someone with no cadence
    agrees it there ("every two weeks"): its date is offered, and it is theirs once ended."""
    ada = store.add_person("Ada Lovelace")
    session = store.start_session(ada.id, plan("one-on-one"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        label = review.query_one("#review-next-label")
        assert "Next meeting with Ada Lovelace (suggested)" in str(label.render())
        assert review.query_one("#next-day").value == "2025-03-10"  # a week on, for now
        # the example date is one to come (a week after the clock's today), not a fixed one
        assert review.query_one("#next-day").placeholder == "2025-03-10, +7d, fri"
        # under the date, the next stop after it; from End, Shift+Tab, as the hint says
        assert [w.id for w in review.focus_chain if w.id != "review-body"] == [
            "next-day", "next-time", "next-minutes", "review-cadence", "review-end",
            "review-share", "review-back"]
        assert "shift+tab agrees the cadence" in str(review.query_one(".dialog-title").render())
        await pilot.press("shift+tab")
        assert app.focused is review.query_one("#review-cadence")
        await pilot.press("right", "right")  # none, weekly, fortnightly
        await pilot.pause()
        assert "Next meeting with Ada Lovelace (fortnightly: suggested)" in str(label.render())
        cadence = review.query_one("#review-cadence")
        assert cadence.region.bottom <= 24 and cadence.region.right <= 80  # whole at 80x24
        assert [str(w.render()) for w in review.query("#review-next Label")] == [
            "Date", "Time", "Minutes"]
        day = review.query_one("#next-day")
        assert day.value == "2025-03-17"  # two weeks on
        assert day.region.width >= 12 and day.region.bottom <= 24  # on screen at 80x24
        day.value = "+10d"  # as the capture dialog takes it
        await pilot.press("left")  # weekly: the date typed stays, and is not called suggested
        await pilot.pause()
        assert day.value == "+10d"
        assert str(label.render()) == (
            "Next meeting with Ada Lovelace (weekly); clear the date to skip")
        day.value = ""  # cleared: what happens then, not "clear the date to skip"
        await pilot.pause()
        assert str(label.render()) == "Next meeting with Ada Lovelace: no date set, weekly decides"
        await pilot.press("left")  # no cadence either
        assert str(label.render()) == "Next meeting with Ada Lovelace: none set"
        await pilot.press("right")
        day.value = "+10d"
        await pilot.pause()
        await pilot.press("right")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, (EndReviewScreen, SessionScreen))
        app.store = None
    assert store.next_meeting(ada.id).day == date(2025, 3, 13)
    assert store.person(ada.id).cadence == "fortnightly"  # agreed in the review
    [coming] = store.upcoming()
    assert (coming.person.id, coming.day, coming.source) == (ada.id, date(2025, 3, 13), "set")


def one_session(store, clock, name, *, spent, hours):
    guide = plan("one-on-one")
    session = store.start_session(store.add_person(name).id, guide)
    store.save_session_state(session.id, spent={guide["stages"][0]["key"]: spent})
    if hours is not None:
        clock.advance(hours * 3600)
        store.end_session(session.id)
    return session


async def test_a_theme_marked_right_before_enter_is_tagged(store, vault_path, clock):
    """Space (a key bound in the list, acting once it has bubbled up to the app) and Enter
    in one read: the theme it marks is tagged too. Space, Down, Down, Space, Tab and a name in
    one read mark the first and the third (Textual's list marked what was highlighted when its
    own message came, the third twice, and the keys before Tab met the About field: one theme
    was tagged, in a try)."""
    programme = store.add_programme("Leaders")
    session = store.start_session(store.add_person("Ben").id, plan(), programme_id=programme.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        screen.query_one(NotesArea).insert("Ana decides fast")
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#tag-themes").highlighted = 0
        await pilot.press("space", "down")
        app.post_message(events.Key("space", " "))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        assert sorted(t.theme for t in store.tags(session_id=session.id)) == sorted(
            DEFAULT_THEMES[:2])
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#tag-themes").highlighted = 0
        for key in ("space", "down", "down", "space", "tab", "B", "e", "n", "enter"):
            app.post_message(events.Key(key, {"space": " ", "enter": "\r", "tab": "\t"}.get(
                key, key)))
        for _ in range(3):
            await pilot.pause()
        tags = store.tags(session_id=session.id)[2:]
        assert sorted(t.theme for t in tags) == sorted([DEFAULT_THEMES[0], DEFAULT_THEMES[2]])
        assert {t.subject_id for t in tags} == {session.person_id}  # Tab, then "Ben"
        app.store = None


async def test_typing_after_tagging_a_selection_keeps_the_passage(store, vault_path, clock):
    """F4 on a selected passage, a theme, and the next words typed: they go after the
    passage (the selection stayed, so the first key typed replaced the passage just tagged)."""
    session = store.start_session(store.add_person("Ana").id, plan("first-one-on-one"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        screen.query_one(NotesArea).insert("Loves untangling messy data")
        await pilot.press("shift+home", "f4")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        await pilot.press("2")  # tags at once
        await pilot.pause()
        assert app.screen is screen
        [tag] = store.tags(session_id=session.id)
        assert tag.passage == "Loves untangling messy data"
        await pilot.press(*" and mentoring")
        assert screen.query_one(NotesArea).text == "Loves untangling messy data and mentoring"
        app.store = None
