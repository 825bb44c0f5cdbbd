"""The session screen mid-conversation (issue 24): cues one key away, the large layout, m:ss,
a pause that outlives a quit, confirmations that cover nothing, the focus kept in the notes,
the follow-up list one key away, the review's items (corrected there), and an idle lock that
returns here."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Footer

from store.vault import open_vault
from tui.config import Config
from tui.screens.capture import CaptureScreen
from tui.screens.review import EndReviewScreen
from tui.screens.session import SessionScreen
from tui.screens.unlock import UnlockScreen
from tui.widgets.session import (
    FollowThrough, ItemsPanel, NotesArea, QuestionList, StageCard, StageOutline,
)
from apptools import (
    enter_text, guide_plan as plan, held_by, make_app, open_session, settle, unlock_with,
)

pytestmark = pytest.mark.usefixtures("utc_zone")


async def test_cues_the_outline_and_a_paused_timer_through_quit_and_resume(
        store, vault_path, clock, passphrase):
    """The cues are one key away and the notes keep the focus. The outline shows the current
    stage's time as m:ss; a stage picked with F8 (or F8 left with Esc) hands the focus back to
    the notes. A paused timer stays paused after quit and resume."""
    session = store.start_session(store.add_person("Ada").id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        card = screen.query_one(StageCard)
        assert "Avoid" not in str(card.render())  # 80x24: the questions show, not the cues
        assert screen.query_one(QuestionList).display
        await pilot.press("ctrl+g")
        assert screen.has_class("-left-cues") and not screen.query_one("#left-questions").display
        shown = str(card.render())
        assert all(h in shown for h in ("Do\n", "Avoid\n", "Say\n", "Throughout"))
        tabs = screen.query_one("#left-tabs").content  # the Text it was given
        active = [tabs.plain[s.start:s.end] for s in tabs.spans if "reverse" in str(s.style)]
        assert active == [" Cues "]
        assert isinstance(app.focused, NotesArea)
        status = screen.query_one("#note-status")
        refreshed: list[bool] = []  # the status line under the notes, redrawn on each key?
        redraw = status.refresh
        status.refresh = lambda *a, layout=False, **kw: (refreshed.append(layout),
                                                         redraw(*a, layout=layout, **kw))[1]
        await pilot.press(*"typed")
        assert screen.query_one(NotesArea).text == "typed"
        # drawn once when the notes became unsaved, never laid out again: a layout of the whole
        # screen on every key was most of a keystroke's cost
        assert refreshed == [False] and "unsaved" in str(status.render())
        await pilot.press("ctrl+g")
        assert screen.has_class("-left-questions") and screen.query_one(QuestionList).display
        del status.refresh

        clock.advance(95)
        screen.tick()
        outline = screen.query_one("#outline")
        assert str(outline.get_option_at_index(0).prompt).rstrip().endswith("1:35/3m"), "m:ss"
        assert str(outline.get_option_at_index(1).prompt).rstrip().endswith(" 0/3m"), "m:ss"
        # a few seconds spent: "<1", as the lists' "<1m" (it said "0", as for a stage never
        # reached); the current stage's clock takes more room than any of these
        stage = {"key": "x", "minutes": 3}
        assert [outline.times(stage, False, {"x": s}) for s in (0, 20, 95)] == [
            " 0/3m", " <1/3m", " 2/3m"]
        assert len(outline.times(stage, True, {}, "00:00")) > len(" <1/3m")
        labels = [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]
        numbered = {label[2:].startswith(f"{i + 1}. ") for i, label in enumerate(labels)}
        assert len(numbered) == 1, "numbers on every stage or on none"
        await pilot.press("f8", "enter")  # the current stage again: back to the notes
        await pilot.pause()
        assert isinstance(app.focused, NotesArea) and screen.index == 0
        await pilot.press("f8", "down", "down")
        await pilot.resize_terminal(100, 30)  # looking at stage 3 as the terminal resizes
        await settle(app, pilot)
        assert outline.highlighted == 2, "the highlight stays where it was moved"
        assert str(outline.get_option_at_index(0).prompt).startswith("▶ 1.")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert outline.highlighted == 2
        await pilot.press("escape")  # changed my mind
        await pilot.pause()
        assert isinstance(app.focused, NotesArea) and app.screen is screen
        assert screen.index == 0 and outline.highlighted == 0
        await pilot.press("f8", "down", "enter")
        await pilot.pause()
        assert isinstance(app.focused, NotesArea) and screen.index == 1
        # "Last time's items" with its clock: numbered as on the first stage (they dropped)
        labels = [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]
        assert {label[2:].startswith(f"{i + 1}. ") for i, label in enumerate(labels)} == numbered
        assert labels[1].rstrip().endswith(" 0:00/3m"), labels[1]
        await pilot.press("down")  # in the notes, not the outline
        assert outline.highlighted == 1

        clock.advance(30)  # on the second stage
        await pilot.press("f9")
        await pilot.press("ctrl+q")
    reopened = open_vault(vault_path, passphrase, allow_weak=True, clock=clock)
    try:
        assert reopened.session(session.id).paused
        app2 = make_app(vault_path, clock)
        async with app2.run_test(size=(80, 24)) as pilot:
            screen = await open_session(app2, pilot, reopened, session.id)
            assert screen.paused
            clock.advance(600)
            screen.tick()
            assert screen.spent[screen.stage["key"]] == pytest.approx(30)
            assert "paused" in str(screen.query_one("#timer").render())
            await pilot.press("f9")  # running again, and saved so
            clock.advance(5)
            screen.tick()
            assert screen.spent[screen.stage["key"]] == pytest.approx(35)
            assert not reopened.session(session.id).paused
            app2.store = None
    finally:
        reopened.close()


async def test_a_large_terminal_shows_the_whole_card_and_every_question(store, vault_path, clock):
    session = store.start_session(store.add_person("Ada").id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        styled: list[Widget] = []  # each time the stylesheet was applied to a widget
        apply = app.stylesheet.apply
        app.stylesheet.apply = lambda node, **kw: (  # type: ignore[method-assign]
            styled.append(node) if isinstance(node, Widget) else None, apply(node, **kw))[1]
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        assert screen.has_class("-wide")
        # the layout's classes were on the screen before its widgets were styled: each widget
        # styled once or twice (the notes a third time, as they take the focus), where setting
        # them once the screen showed restyled the whole screen each time (four or five times)
        times = Counter(id(node) for node in styled if node.screen is screen)
        assert len(times) > 30 and max(times.values()) <= 3
        card = screen.query_one("#card-scroll")
        assert all(h in str(screen.query_one(StageCard).render())
                   for h in ("Do\n", "Avoid\n", "Say\n"))
        assert card.max_scroll_y == 0 and card.region.bottom <= 47  # all of it, above the footer
        questions = screen.query_one(QuestionList)
        assert questions.max_scroll_y == 0
        assert questions.option_count == len(screen.stage["questions"])
        assert questions.region.bottom <= 47 and questions.region.height > 0
        notes = screen.query_one(NotesArea)
        assert 50 <= notes.region.width <= 70  # not the 95 columns of a capped left pane
        footer = screen.query_one(Footer)  # F5 shown, as an interview's F4
        keys = footer.query("FooterKey")
        assert "f5" in [k.key for k in keys] and keys.last().region.right <= 160
        await pilot.resize_terminal(110, 40)  # F5 would push the palette's key out: not shown
        await settle(app, pilot)
        assert "f5" not in [k.key for k in footer.query("FooterKey")]
        assert footer.query(".-command-palette")


async def test_items_keep_owner_and_due_at_80_columns_and_a_capture_is_confirmed(
        store, vault_path, clock):
    """At 80 columns an item keeps its owner and due date (its text wraps onto a second line,
    cut there), the header and every footer key fit; then a capture is confirmed where it covers no item (the status
    line, no toast over the items panel)."""
    session = store.start_session(store.add_person("Ada Lovelace").id, plan())
    store.add_item(session.id, "action", "Write up the migration plan for the billing system "
                   "and share it with finance", owner="them", due=date(2025, 3, 7))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        assert str(screen.query_one(ItemsPanel).render()) == (  # on two lines (one cut it
            "▸ Write up the migration plan for the billing\n"  # to "Write up the…")
            "  system and s…  Ada Lovelace · due 2025-03-07")
        header = str(screen.query_one("#session-header").render())
        assert len(header) <= 78 and "Check-in" in header and "Ada Lovelace" in header
        ada = screen.person  # in CJK, measured in cells: the title gives way (it was cut)
        long = "渡辺さくら・ロッシ・サマンサ・アレクサンドラ・ジュニア"  # 27 characters, 54 cells
        screen.person = replace(ada, name=long)
        screen.show_header()
        header = str(screen.query_one("#session-header").render())
        assert header == f"{long}  ·  stage 1/7 Check-in", header
        screen.person = ada
        screen.show_header()
        footer = screen.query_one(Footer)
        first = footer.query("FooterKey").first()
        assert first.key == "f1" and first.region.right < 80  # the help key is never cut
        keys = footer.query("FooterKey")
        assert keys.last().key == "f12" and keys.last().region.right <= 80  # nor any other

        await pilot.press("f2")
        app.focused.value = "Book the offsite"
        await pilot.press("enter")
        await pilot.pause()
        assert "action saved" in str(screen.query_one("#note-status").render()), "confirmed"
        assert not app.screen.query("Toast")  # no notification over the items panel
        items = screen.query_one(ItemsPanel)
        assert "Book the offsite" in str(items.render()), "the capture listed"
        assert items.region.bottom <= 23  # above the footer, in full view


def test_the_items_panel_shows_the_newest_items_that_fit_its_rows():
    """Items that wrap take two of the panel's five rows: the newest are shown whole, and a
    line says how many earlier ones the review lists."""
    from types import SimpleNamespace

    long = "Write up the migration plan for the billing system and share it"
    items = [SimpleNamespace(id=str(n), kind="action", text=f"{n} {long}", owner="me",
                             person_id="p", due=None) for n in range(4)]
    panel = ItemsPanel()
    panel.show(items, {}, review="f10")
    lines = str(panel.render()).split("\n")  # unmounted: 60 columns
    assert lines == ["… 2 earlier (f10 lists all)",
                     "▸ 2 Write up the migration plan for the billing system and",
                     "  share it  me",
                     "▸ 3 Write up the migration plan for the billing system and",
                     "  share it  me"]
    # measured in cells: a name and a text in CJK take two a character (counted by
    # characters, they overflowed the panel's 60 columns and wrapped onto a third line)
    wide = SimpleNamespace(id="w", kind="action", text="移行計画を書いて財務チームと共有する" * 2,
                           owner="them", person_id="p", due=date(2025, 3, 7))
    panel.show([wide], {"p": "渡辺さくら・ロッシ"})
    lines = str(panel.render()).split("\n")
    assert len(lines) == 2 and all(cell_len(line) <= 60 for line in lines), lines
    assert lines == ["▸ 移行計画を書いて財務チームと共有する移行計画を書いて財務チ",
                     "  ームと共有する  渡辺さくら・ロッシ · due 2025-03-07"]
    panel.show([wide], {"p": "渡辺さくら・ロッシ・サマンサ・アレクサンドラ"})  # 44 cells
    lines = str(panel.render()).split("\n")  # cut: the text keeps its room on the line
    assert lines[1] == "  ームと共有する  渡辺さくら・ロッシ・サマ… · due 2025-03-07", lines
    outline = StageOutline()  # unmounted: 30 cells; a stage's title cut to them
    outline._last = ([{"key": "a", "title": "振り返りと次のステップの確認", "minutes": 5}],
                     0, set(), {})
    label = outline.label(0).plain
    assert cell_len(label) == 30 and label.startswith("▶ 振り返りと次の") and "…" in label


async def test_the_follow_up_list_is_one_key_away_and_acts_at_once(store, vault_path, clock):
    ada = store.add_person("Ada\x07")  # a control, and markup below: shown as the lists show them
    first = store.start_session(ada.id, plan())
    late = store.add_item(first.id, "action", "send the \x07risk [red]x[/] list", owner="them")
    kept = store.add_item(first.id, "agreement", "weekly [b]demo[/b]\x07")
    store.end_session(first.id)
    clock.advance(7 * 86400)
    store.add_jot(ada.id, "raised the [b]quokka[/b] budget in standup\x07")
    second = store.start_session(ada.id, plan())
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, second.id)
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # the follow-up stage: the list is shown, not focused
        await pilot.pause()
        widget = screen.query_one(FollowThrough)
        assert widget.display and isinstance(app.focused, NotesArea)
        assert "send the ␇risk [red]x[/] list  (Ada␇)" in str(widget.get_option_at_index(0).prompt)
        since = {w: str(screen.query_one(f"#since-{w}").render()) for w in ("items", "jots")}
        assert "▸ send the ␇risk [red]x[/] list" in since["items"]
        assert "raised the [b]quokka[/b] budget in standup␇" in since["jots"]
        await pilot.press("ctrl+t")  # one key
        await pilot.pause()
        assert app.focused is widget and widget.highlighted == 0
        assert widget.styles.border_top[0] != ""  # a focus border
        await pilot.press("d")  # at once: no Down first
        await pilot.pause()
        assert store.item(late.id).status == "done"
        await pilot.press("c")
        await pilot.pause()
        assert store.item(kept.id).status == "carried"
        assert screen.query_one(NotesArea).text == ""  # nothing stray in the notes
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, NotesArea) and app.screen is screen
        # read back before ending, the carried one with what was captured (the review said
        # "Captured: no items" after last time's were gone through)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        # a control as the lists show it (BEL as ␇), markup as written
        assert str(review.query_one("#review-followed").render()) == \
            "Earlier items done (1)\n✓ send the ␇risk [red]x[/] list  Ada␇"
        assert "weekly [b]demo[/b]␇  me" in str(review.query_one("#review-items").render())


async def test_the_review_lists_the_items(store, vault_path, clock):
    """The items come first in the review: at 80x24 a long guide's stage table (an interview's
    twelve stages) pushed them out of sight, and they are what is read back before ending."""
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan("leadership-interview"))
    store.add_item(session.id, "action", "Book the offsite", owner="them", due=date(2025, 3, 7))
    store.add_item(session.id, "decision", "Demo moves to Friday")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_session(app, pilot, store, session.id)
        await pilot.press("f10")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, EndReviewScreen)
        listed = str(review.query_one("#review-items").render())
        assert "Book the offsite  Ada · due 2025-03-07" in listed
        assert "Demo moves to Friday  me" in listed
        body, items = review.query_one("#review-body"), review.query_one("#review-items")
        assert items.region.height == 3 and body.region.contains_region(items.region)
        assert "Captured (2)  ·  i corrects one" in listed
        assert not review.query("#next-day, #review-cadence")  # an interview: not a 1-on-1
        # corrected before ending: which one (typed to narrow), then the capture dialog
        await pilot.press("i", *"offsite", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        await pilot.press("tab", "tab", "ctrl+u")
        await enter_text(pilot, "2025-03-14")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is review
        assert "Book the offsite  Ada · due 2025-03-14" in str(items.render())
        assert {i.due for i in store.items(session_id=session.id)} == {None, date(2025, 3, 14)}
        await pilot.press("escape")  # back to the session: its panel has it as it now is
        await pilot.pause()
        assert "2025-03-14" in str(app.screen.query_one(ItemsPanel).render())


async def test_idle_lock_then_unlock_returns_into_the_session(store, vault_path, clock,
                                                              passphrase):
    session = store.start_session(store.add_person("Ada").id, plan())
    store.close()
    app = make_app(vault_path, clock, config=Config(idle_lock_minutes=5), idle_lock=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock_with(pilot, passphrase)
        await settle(app, pilot)
        app.push_screen(SessionScreen(session.id))
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+g", *"where I was")  # the cues shown
        clock.advance(6 * 60)
        app.check_idle_lock()
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not held_by(app, (SessionScreen, NotesArea))  # nor its notes' text
        await unlock_with(pilot, passphrase)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen) and screen.session_id == session.id
        assert screen.index == 2 and screen.query_one(NotesArea).text == "where I was"
        assert isinstance(app.focused, NotesArea)
        assert screen.has_class("-left-cues")  # the cues still, not back to the questions
        await pilot.press("escape")  # and below it, the home list as after any unlock
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


def test_what_the_status_line_says_fits_it_at_80_columns():
    """The line under the notes is one row of 46 cells at 80x24, and a confirmation follows
    "● unsaved" there (12 cells): longer, it was cut mid-word ("this stage records nothing of
    its"; "typing into the private note (kept out of summ"). Each message the session says is
    written to fit: its fixed text at most 34 cells."""
    import ast
    from pathlib import Path

    said = []
    for path in sorted((Path(__file__).parent.parent / "tui" / "screens").glob("session*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "say":
                for arg in ast.walk(node.args[0]) if node.args else ():
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        said.append((path.name, arg.value))
    assert len(said) >= 15
    assert [(name, text) for name, text in said if len(text) > 34] == []


async def test_capture_opens_on_the_kind_the_stage_encourages(store, vault_path, clock):
    """F2 at the career conversation's goals stage captures a goal without cycling the kind
    three times (the stage's ``item_kinds``); a stage that names none captures an action.
    Its check-in lists last time's goals before the 1-on-1's open actions."""
    from tui.screens.capture import CaptureScreen

    dana = store.add_person("Dana")
    weekly = store.start_session(dana.id, plan())
    store.add_item(weekly.id, "action", "Fix the flaky build", owner="them")
    goal = store.add_item(weekly.id, "goal", "Speak at a meetup", owner="them")
    store.end_session(weekly.id)
    session = store.start_session(dana.id, plan("career-conversation"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)
        listed = screen.query_one(FollowThrough)
        assert listed.display and listed.get_option_at_index(0).id == f"item:{goal.id}"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        app.focused.value = "Read the platform roadmap"
        await pilot.press("enter")
        await pilot.pause()
        screen.go_to(next(i for i, s in enumerate(screen.stages) if "goal" in s["item_kinds"]))
        await pilot.press("f2")
        await pilot.pause()
        app.focused.value = "Lead the Q2 migration design"
        await pilot.press("enter")
        await pilot.pause()
        assert [(i.kind, i.text, i.owner) for i in store.items(session_id=session.id)] == [
            ("action", "Read the platform roadmap", "me"),
            ("goal", "Lead the Q2 migration design", "them")]  # their goal, set together
        app.store = None


async def test_words_typed_on_the_outline_go_into_the_notes(store, vault_path, clock):
    """F8, arrows over the stages, then the participant says something worth writing: the
    words go into the notes of the stage shown (they were lost on the outline)."""
    from tui.widgets.session import StageOutline

    eli = store.add_person("Eli")
    weekly = store.start_session(eli.id, plan())
    store.add_item(weekly.id, "action", "Fix the flaky build", owner="them")
    store.end_session(weekly.id)
    session = store.start_session(eli.id, plan("stay-interview"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        await settle(app, pilot)  # a guide with no follow-up stage: the 1-on-1's actions wait
        assert not screen.query_one(FollowThrough).display and screen.earlier
        assert screen.left_mode == "questions"  # on its own opening, not the 1-on-1's panel
        await pilot.press(*"Likes the team.", "f8", "down", "down")
        assert isinstance(app.focused, StageOutline)
        await pilot.press(*" Thinks about leaving")
        assert isinstance(app.focused, NotesArea) and screen.index == 0
        assert screen.query_one(NotesArea).text == "Likes the team. Thinks about leaving"
        assert screen.query_one(StageOutline).highlighted == 0
        await pilot.press("f8", "down", "enter")  # the outline still picks a stage
        assert screen.index == 1 and isinstance(app.focused, NotesArea)
        await pilot.press("tab", "tab", "tab")  # Tab from the notes: outline, card, questions
        assert isinstance(app.focused, QuestionList)
        await pilot.press(*"Mentoring")
        assert isinstance(app.focused, NotesArea)
        assert screen.query_one(NotesArea).text == "Mentoring" and screen.index == 1
        app.store = None


async def test_an_inserted_question_starts_a_paragraph_of_its_own(store, vault_path, clock):
    """ctrl+o after a list: the question is set apart by a blank line, so the summary does not
    read it as the end of the last bullet ("• Ivo quiet Q: What would ...")."""
    from store import Scope, render_export

    session = store.start_session(store.add_person("Fay").id, plan("skip-level"))
    app = make_app(vault_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_session(app, pilot, store, session.id)
        question = screen.stage["questions"][0]["text"]
        await enter_text(pilot, "- Ivo quiet")  # typing into the notes: test_app_shell
        await pilot.press("ctrl+o")
        await enter_text(pilot, "Notes go nowhere")
        assert screen.query_one(NotesArea).text == f"- Ivo quiet\n\nQ: {question}\nNotes go nowhere"
        await pilot.press("enter", "enter", "ctrl+o")  # after a blank line: no second one
        assert screen.query_one(NotesArea).text.endswith(
            f"nowhere\n\nQ: {screen.stage['questions'][1]['text']}\n")
        screen.flush()
        summary = render_export(store, Scope.sessions(session.id), "md", "summary", tz=None).text
        assert f"- Ivo quiet\n\nQ: {question}" in summary
        assert screen.query_one(QuestionList).highlighted == 1  # the probe, last inserted
        await pilot.press("ctrl+n")  # the next stage starts on its first core question
        assert screen.query_one(QuestionList).highlighted == 0
        app.store = None


def test_an_empty_note_shows_its_stage_prompts_as_labels_the_feedback_form_reads():
    from store import prepared_feedback
    from tui.screens.session import note_placeholder

    prepare = note_placeholder(["Situation", "Behaviour", "Impact", "My one request"], True)
    assert prepare.splitlines() == ["Only you see this note.", "Situation: …", "Behaviour: …",
                                    "Impact: …", "My one request: …"]
    assert note_placeholder([], False) == "Notes for this stage…"
    # written as it shows, the Prepare note is what the feedback form starts from
    written = prepare.replace("Situation: …", "Situation: the Friday demo").replace(
        "Behaviour: …", "Behaviour: talked over Ana twice").replace(
        "Impact: …", "Impact: she stopped offering ideas")
    assert prepared_feedback(written.removeprefix("Only you see this note.\n")) == {
        "situation": "the Friday demo", "behaviour": "talked over Ana twice",
        "impact": "she stopped offering ideas"}
