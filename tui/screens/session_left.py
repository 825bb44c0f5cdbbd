"""The live session's layout and left pane: what the session screen shows beside the notes.

The screen calls these; none of them calls the store.

* :func:`initial_layout` / :func:`layout_for_size`: a large terminal (``WIDE``) shows the whole card and every question
  beside the notes; a small one stacks them and switches the left pane.
* :func:`footer_bindings`: the footer's keys for this kind of session and width (an interview's
  shows its tag key).
* :func:`typed_on_left`: words typed on the outline (F8) or the questions go into the notes.
* :func:`show_header`: the person, the stage and the title, shortened least useful part first.
* :func:`show_left` / :func:`toggle_cues` / :func:`toggle_since`: the left pane shows the
  questions, the stage's cues (Do / Avoid / Say) or the since-last-time panel, and its tabs say
  which, with the key that switches. None of them moves the focus from the notes.
* :func:`move_question`, :func:`mark_asked`, :func:`insert_question`: the questions, the
  guide's and your own (from your bank).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import replace
from typing import Mapping

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import ActiveBinding
from textual.widgets import Static

from store import visible
from tui.screens import session_loop as loop
from tui.widgets.footer import Footer
from tui.widgets.browse import cut
from tui.widgets.session import NotesArea, QuestionList, StageCard, StageOutline
from tui.widgets.prepare import SinceLastTimeView

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.session import SessionScreen

#: At least this size, the left pane shows the whole card and every question at once.
WIDE = (130, 40)
LEFT_MODES = ("questions", "cues", "since")
#: Narrower than this, the footer leaves out the command palette's key.
FOOTER_PALETTE_WIDTH = 100
#: From this width the footer shows the since-last-time key too: with it every key and the
#: palette's fit (an interview's footer, the longest, takes 114 columns then), where from 100
#: columns it pushed the palette's key out.
FOOTER_SINCE_WIDTH = 120


def initial_layout(screen: "SessionScreen") -> Footer:
    """The layout's classes on the screen before its widgets are styled (each class set once
    they are restyled the whole screen), and its footer as :func:`layout_for_size` wants it."""
    width, height = screen.app.size
    screen.set_class(width >= WIDE[0] and height >= WIDE[1], "-wide", update=False)
    for name in LEFT_MODES:
        screen.set_class(screen.left_mode == name, f"-left-{name}", update=False)
    return Footer(compact=True, show_command_palette=width >= FOOTER_PALETTE_WIDTH)


def layout_for_size(screen: "SessionScreen") -> None:
    width, height = screen.app.size
    screen.set_class(width >= WIDE[0] and height >= WIDE[1], "-wide")
    # a narrow footer drops the palette's key (ctrl+p still opens it, help says so) before it
    # cuts the session's own keys; the help key comes first and is never cut
    footer = screen.query_one(Footer)
    palette = width >= FOOTER_PALETTE_WIDTH
    if footer.show_command_palette != palette:
        footer.show_command_palette = palette
        footer.refresh(recompose=True)
    if footer_shows(screen) != screen.footer_shown:
        screen.refresh_bindings()  # the footer's keys for this width (footer_bindings)
    show_left(screen)


def footer_shows(screen: "SessionScreen") -> Mapping[str, bool]:
    """The binding ids the footer shows (True) or leaves out (False) other than as declared,
    for this kind of session and width. An interview is tagged as it goes: its footer shows
    the tag key; at 80 columns in place of quit (ctrl+q still quits, F1 lists it), from
    ``FOOTER_PALETTE_WIDTH`` with quit. From ``FOOTER_SINCE_WIDTH`` every session's footer
    shows the since-last-time key too; narrower, the left pane's tab and F1 name it."""
    session = screen.session
    if session is None:
        return {}
    width = screen.app.size.width
    since = width >= FOOTER_SINCE_WIDTH
    if not (session.plan.get("kind") == "interview" or session.programme_id):
        return {"since": True} if since else {}
    return {"tag": True, "since": since, "quit": width >= FOOTER_PALETTE_WIDTH}


def footer_bindings(screen: "SessionScreen", active: Mapping[str, ActiveBinding]
                    ) -> dict[str, ActiveBinding]:
    """``active`` (the screen's bindings as Textual finds them) with each binding shown in the
    footer or not as :func:`footer_shows` says."""
    shows = screen.footer_shown = footer_shows(screen)
    bindings = dict(active)
    for key, (node, binding, enabled, tooltip) in active.items():
        show = shows.get(binding.id or "", binding.show)
        if show != binding.show:
            bindings[key] = ActiveBinding(node, replace(binding, show=show), enabled, tooltip)
    return bindings


def typed_on_left(screen: "SessionScreen", event: events.Key) -> None:
    """Words typed while the left pane has the focus (F8 on the outline, or Tab from the notes
    onto the outline, the card or the questions, then the participant speaks) go into the
    notes of the stage shown, as typed: those take only arrows, Enter and Esc, and the letters
    were lost. The stage does not change."""
    focused = screen.focused
    if focused is not None and event.is_printable and event.character \
            and screen.query_one("#session-left") in focused.ancestors_with_self:
        event.stop()
        event.prevent_default()
        screen.query_one(StageOutline).highlighted = screen.index
        notes = screen.query_one(NotesArea)
        notes.focus()
        notes.insert(event.character)


def show_header(screen: "SessionScreen") -> None:
    """Name, stage and title; at narrow widths the title goes first, then "stage"."""
    stage, session = screen.stage, screen.live
    width = max(20, screen.app.size.width - 2)
    name = visible(screen.person.name)  # BEL as ␇, as the lists (Rich drops it)
    where = visible(f"{screen.index + 1}/{len(screen.stages)} {stage['title']}")
    title = visible(session.title or session.guide_name)
    ended = "  ·  ended session: edits are recorded" if session.ended_at else ""
    for middle, tail in ((f"  ·  stage {where}", f"  ·  {title}"), (f"  ·  stage {where}", ""),
                         (f"  ·  {where}", ""), (f" · {where}", "")):
        if cell_len(name) + cell_len(middle + tail) + len(ended) <= width:
            break
    header = Text()
    header.append(name, style="bold")
    header.append(cut(middle + tail, width - cell_len(name)))
    if ended and cell_len(name) + cell_len(middle + tail) + len(ended) <= width:
        header.append(ended, style="italic")
    elif ended:
        header.append(" · edit", style="italic")
    screen.query_one("#session-header", Static).update(header)


def show_card(screen: "SessionScreen") -> None:
    guide = screen.session.plan if screen.session else None
    screen.query_one(StageCard).show(
        screen.stage, guide, full=screen.wide or screen.left_mode == "cues",
        throughout=not screen.wide,
        record=screen.keys("{stage-form}") if loop.recording_stage(screen) == screen.stage.get(
            "records") else "",
        recorded=loop.recorded(screen))
    screen.query_one("#throughout", Static).update(StageCard.throughout(guide))


def show_questions(screen: "SessionScreen") -> None:
    key = screen.stage["key"]
    yours = [(q.id, q.text) for q in screen.bank if q.stage == key]
    screen.query_one(QuestionList).show(screen.stage.get("questions") or [],
                                        screen.asked.get(key, set()), yours, screen.bank_asked)


def show_left(screen: "SessionScreen") -> None:
    """The left pane's lower part: questions, cues or the since-last-time panel, and the tabs
    that say which is showing (the others with the key that shows them)."""
    mode, wide = screen.left_mode, screen.wide
    for name in LEFT_MODES:
        screen.set_class(mode == name, f"-left-{name}")
    tabs = Text(no_wrap=True, overflow="ellipsis")
    back = "{since}" if mode == "since" else "{cues}"
    shown = (("questions", "Stage and questions", back), ("since", "Since last time", "{since}")) \
        if wide else (("questions", "Questions", back), ("cues", "Cues", "{cues}"),
                      ("since", "Since", "{since}"))
    for n, (name, label, key) in enumerate(shown):
        active = mode == name or (wide and name == "questions" and mode == "cues")
        if n:
            tabs.append("│", style="dim")
        tabs.append(f" {label} ", style="reverse bold" if active else "")
        if not active:
            tabs.append(screen.keys(key) + " ", style="dim")
    screen.query_one("#left-tabs", Static).update(tabs)
    if screen.session is not None:
        show_card(screen)


def toggle_cues(screen: "SessionScreen") -> None:
    if screen.wide:
        screen.say("cues and questions both shown here")
        return
    screen.left_mode = "cues" if screen.left_mode != "cues" else "questions"
    show_left(screen)
    screen.query_one("#card-scroll").scroll_home(animate=False)


def toggle_since(screen: "SessionScreen") -> None:
    screen.left_mode = "since" if screen.left_mode != "since" else "questions"
    screen.since_opened_itself = False
    show_left(screen)


def stage_changed(screen: "SessionScreen") -> None:
    """The panel that opened by itself at the start gives way to the next stage's questions;
    one opened with its key stays until the key closes it. The next stage's questions start
    at its first core question (they kept the row highlighted before: at 80x24 the second core
    question, or a probe, with the first scrolled out of sight)."""
    screen.query_one(QuestionList).highlighted = None
    if screen.left_mode == "since" and screen.since_opened_itself:
        screen.left_mode = "questions"
        screen.since_opened_itself = False
        show_left(screen)


# ---------------------------------------------------------------------- questions


def move_question(screen: "SessionScreen", step: int) -> None:
    """Moves the highlighted question; with the cues or the panel showing, scrolls them."""
    if screen.left_mode == "since":
        screen.query_one(SinceLastTimeView).scroll_relative(y=3 * step, animate=False)
        return
    if screen.left_mode == "cues" and not screen.wide:
        screen.query_one("#card-scroll").scroll_relative(y=3 * step, animate=False)
        return
    questions = screen.query_one(QuestionList)
    if questions.option_count:
        current = questions.highlighted or 0
        target = current + step
        while 0 <= target < questions.option_count and \
                questions.get_option_at_index(target).disabled:
            target += step
        questions.highlighted = max(0, min(questions.option_count - 1, target))


def highlighted_question(screen: "SessionScreen") -> tuple[str, str] | None:
    """(id, text) of the highlighted question (``g:INDEX`` or ``b:ID``)."""
    found = screen.query_one(QuestionList).question_id()
    if found is None:
        return None
    kind, _, ref = found.partition(":")
    if kind == "g":
        return found, (screen.stage.get("questions") or [])[int(ref)]["text"]
    text = next((q.text for q in screen.bank if q.id == ref), None)
    return (found, text) if text is not None else None


def mark(screen: "SessionScreen", question_id: str, *, toggle: bool) -> None:
    kind, _, ref = question_id.partition(":")
    if kind == "g":
        asked = screen.asked.setdefault(screen.stage["key"], set())
        if toggle:
            asked.symmetric_difference_update({int(ref)})
        else:
            asked.add(int(ref))
        screen.state_dirty = True
    elif toggle:
        screen.bank_asked.symmetric_difference_update({ref})
    else:
        screen.bank_asked.add(ref)
    show_questions(screen)


def mark_asked(screen: "SessionScreen") -> None:
    found = highlighted_question(screen)
    if found is None:
        return
    mark(screen, found[0], toggle=True)
    move_question(screen, 1)


def insert_question(screen: "SessionScreen") -> None:
    found = highlighted_question(screen)
    if found is None:
        return
    notes = screen.query_one(NotesArea)
    # a paragraph of its own: after a line of text (a bullet most of all) Markdown would run
    # the question on into it, and the summary would read "• Ivo quiet Q: What ..."
    ending = notes.text[-2:].lstrip(" \t")
    prefix = "" if not notes.text.strip() or ending.endswith("\n\n") else \
        "\n" if ending.endswith("\n") else "\n\n"
    notes.move_cursor(notes.document.end)
    notes.insert(f"{prefix}Q: {found[1]}\n")
    mark(screen, found[0], toggle=False)
    move_question(screen, 1)  # as marking asked does: the next ctrl+o asks the next one
    notes.focus()
