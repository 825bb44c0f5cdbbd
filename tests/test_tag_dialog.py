"""The tag dialog in a live session: the theme it opens on (the stage's), who a passage is about
(a name at its start, a 360's leader), the confirmation cut to fit, the leader remembered and
several themes at once, keys typed fast before Enter, typing on after a selection is tagged, a
new theme about a new person, and the default themes outside a programme."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Footer, Input

from guides.loader import builtin_guides
from store import DEFAULT_THEMES
from tui.screens.session import SessionScreen
from tui.screens.tagging import (
    TagDialog, named_at_start, programme_leader, stage_theme, tagged_message,
)
from tui.widgets.session import NotesArea
from apptools import enter_text, make_app, open_session

pytestmark = pytest.mark.usefixtures("utc_zone")


def plan(guide_id: str = "leadership-interview"):
    return next(g for g in builtin_guides() if g.id == guide_id).to_snapshot()


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


async def type_text(pilot, text: str) -> None:
    """Into the focused field (the typing itself is tested in test_app_dialogs)."""
    await enter_text(pilot, text)


async def test_tag_dialog_new_theme_new_person_and_empty_line(store, vault_path, clock):
    """At 80 columns: the interview's footer shows its tag key (every key fits); tagging a
    line, with a new theme about a new person; the confirmation keeps its themes."""
    programme = store.add_programme("Leaders")
    ben = store.add_person("Ben Okafor")
    session = store.start_session(ben.id, plan(), programme_id=programme.id)
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        keys = app.screen.query_one(Footer).query("FooterKey")
        assert [k.key for k in keys] == ["f1", "f2", "ctrl+n", "f3", "f4", "f9", "f10",
                                         "escape", "f12"]  # ctrl+q quits all the same
        assert keys.last().region.right <= 80
        await pilot.press("f4")  # nothing on the line: no dialog, a hint
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await type_text(pilot, "Silos")
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        await pilot.press("tab")
        await type_text(pilot, "Eve")
        await pilot.press("tab")
        await type_text(pilot, "own")
        await pilot.press("enter")  # asks once before adding a person
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        assert "⏎ again adds them" in str(app.screen.query_one("#tag-error").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, NotesArea)
        [tag] = store.tags(session_id=session.id)
        eve = store.find_person("Eve")
        assert (tag.theme, tag.subject_id) == ("own", eve.id)
        assert store.programme(programme.id).themes[-1] == "own"
        await pilot.press("f4", "escape")  # cancelled: no tag, focus back in the notes
        await pilot.pause()
        assert isinstance(app.focused, NotesArea) and len(store.tags(session_id=session.id)) == 1
        await pilot.press("f4", "space", "down", "space", "enter")  # two themes, about Eve
        await pilot.pause()
        status = app.screen.query_one("#note-status")
        said = str(status.render())
        assert said == "tagged about Eve: perception, strength"  # all of it shown
        assert len(said) <= status.content_size.width
        # a theme typed where the stage has its own goes with it: the area of a current state
        # (typed alone, the passage left the current state and the gap behind)
        app.screen.go_to(next(i for i, s in enumerate(session.plan["stages"])
                              if s["key"] == "current-state"))
        await pilot.pause()
        await type_text(pilot, "\nDecisions stall")
        await pilot.press("f4")
        await pilot.pause()
        new_theme = app.screen.query_one("#tag-new", Input)
        assert new_theme.placeholder == "added to the themes, with current state"
        new_theme.focus()
        await pilot.pause()
        await type_text(pilot, "decision making")
        await pilot.press("enter")
        await pilot.pause()
        assert sorted(t.theme for t in store.tags(session_id=session.id)
                      if t.passage == "Decisions stall") == ["current state", "decision making"]
        assert str(status.render()) == "tagged: current state, decision making"


async def test_tagging_outside_a_programme_offers_the_default_themes(store, vault_path, clock):
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await type_text(pilot, "More")
        await pilot.press("f4")
        await pilot.pause()
        dialog = app.screen
        assert dialog.themes == list(DEFAULT_THEMES) and not dialog.query("#tag-new")
        await pilot.press("3")
        await pilot.pause()
        [tag] = store.tags(session_id=session.id)
        assert tag.theme == "concern" and tag.stage == "welcome"
