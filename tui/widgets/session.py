"""Dumb widgets of the session screen: they render what they are given and post messages."""

from __future__ import annotations

from typing import AbstractSet as Set, Any, Mapping, Sequence

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from store import minutes_text, visible
from tui import format as fmt
from tui.widgets.browse import cut
from tui.widgets.options import WrappingOptionList


def clock_face(seconds: float) -> str:
    """m:ss (h:mm:ss past an hour): the time spent in the current stage."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class SessionTimer(Static):
    """Session and stage time against the plan. States: normal, near (last 20 %), over."""

    session_spent: reactive[float] = reactive(0.0)
    stage_spent: reactive[float] = reactive(0.0)
    stage_planned: reactive[float] = reactive(0.0)
    total_planned: reactive[float] = reactive(0.0)
    paused: reactive[bool] = reactive(False)

    def _refresh_state(self) -> None:
        state = self.state
        self.set_class(state == "near", "-near")
        self.set_class(state == "over", "-over")
        self.set_class(self.paused, "-paused")

    watch_stage_spent = watch_stage_planned = watch_paused = _refresh_state

    def render(self) -> Text:
        state = self.state
        text = Text()
        text.append("Stage ")
        text.append(fmt.duration(self.stage_spent), style="bold")
        text.append(f" / {fmt.duration(self.stage_planned)}")
        text.append("   Session ")
        text.append(fmt.duration(self.session_spent), style="bold")
        text.append(f" / {fmt.duration(self.total_planned)}")
        if self.paused:
            text.append("   ‖ paused")
        elif state == "over":
            text.append("   over time")
        elif state == "near":
            text.append("   near the end")
        return text

    @property
    def state(self) -> str:
        if not self.stage_planned:
            return "normal"
        if self.stage_spent > self.stage_planned:
            return "over"
        if self.stage_spent >= 0.8 * self.stage_planned:
            return "near"
        return "normal"


class StageOutline(OptionList):
    """Every stage; the current one highlighted with its time as m:ss, visited ones ticked,
    optional ones ◦. Narrow: the numbers go first (for every stage at once, whichever is
    current), then the current stage's title is cut; the times stay."""

    _last: tuple | None = None

    def on_resize(self) -> None:
        """The labels fitted to the new width, each in its place: the highlight stays where
        the facilitator moved it (looking at another stage), the current stage stays marked."""
        if self._last is not None:
            for i in range(self.option_count):
                self.replace_option_prompt_at_index(i, self.label(i))

    def show(self, stages: Sequence[Mapping[str, Any]], current: int, visited: set[str],
             spent: Mapping[str, float]) -> None:
        self._last = (stages, current, visited, spent)
        self.clear_options()
        for i, stage in enumerate(stages):
            self.add_option(Option(self.label(i), id=stage["key"]))
        self.highlighted = current

    def show_time(self, spent: Mapping[str, float]) -> None:
        """The current stage's time again (every second), leaving the highlight alone."""
        if self._last is None:
            return
        stages, current, visited, _ = self._last
        self._last = (stages, current, visited, spent)
        self.replace_option_prompt_at_index(current, self.label(current))

    def label(self, i: int) -> Text:
        assert self._last is not None
        stages, current, visited, spent = self._last
        width = max(16, (self.size.width or 32) - 2)
        # one rule for the width, whichever stage is current: numbers when every stage's
        # title fits whole with them beside the clock it would have as the current one (mm:ss).
        # Measured with the current stage's own clock, the numbers came and went as the
        # facilitator moved ("Last time's items" at 80 columns dropped them)
        numbered = all(cell_len(f"▶ {n + 1}. {s['title']}")
                       + len(self.times(s, True, {}, "00:00")) <= width
                       for n, s in enumerate(stages))
        stage = stages[i]
        mark = "▶" if i == current else ("✓" if stage["key"] in visited
                                         else "◦" if stage.get("optional") else " ")
        times = self.times(stage, i == current, spent)
        title = f"{mark} {i + 1}. {stage['title']}" if numbered else f"{mark} {stage['title']}"
        room = width - len(times)
        label = Text(set_cell_size(cut(title, room), room))
        label.append(times, style="dim" if i != current else "")
        if i == current:
            label.stylize("bold")
        return label

    @staticmethod
    def times(stage: Mapping[str, Any], current: bool, spent: Mapping[str, float],
              clock: str = "") -> str:
        """The times shown: " m:ss/5m" for the current stage, " 2/5m" (minutes) for the
        others, " <1/5m" for a few seconds as the lists say "<1m" (it said "0/5m", as for a
        stage never reached); ``clock``: that clock instead of the time spent (the room the
        current stage's clock takes, wider than any of these)."""
        seconds = spent.get(stage["key"], 0)
        shown = (clock or clock_face(seconds)) if current else minutes_text(
            seconds, short=True).removesuffix("m")
        return f" {shown}/{minutes_text(stage['minutes'] * 60, short=True)}"


#: What a stage with ``records = ...`` lets the stage-form key fill in, as the card says it.
RECORDS_HINT = {
    "pulse": "records how they are, 1-5",
    "feedback": "fills in the feedback: situation, behaviour, impact",
    "feedback-response": "fills in their response",
    "feedback-next-step": "fills in the agreed next step",
    "consent": "records their answer on the programme's roster",
}


class StageCard(Static):
    """The stage: title, purpose and what it records; ``full`` adds the facilitator's cues, what
    to avoid and phrases to say, the note prompts and the guide-wide "Throughout" ones."""

    def show(self, stage: Mapping[str, Any], guide: Mapping[str, Any] | None = None, *,
             full: bool = True, throughout: bool = True, record: str = "",
             recorded: str = "") -> None:
        """``full``: with the cues; ``throughout``: and the guide-wide ones (shown apart at a
        large size); ``record``: the key that fills in what the stage records; ``recorded``:
        what it holds so far (e.g. "recorded: 4/5, steady")."""
        text = Text()
        text.append(stage["title"] + ("  (optional)" if stage.get("optional") else "") + "\n",
                    style="bold")
        text.append(stage.get("purpose", "") + "\n")
        records = stage.get("records")
        if records in RECORDS_HINT and record:
            text.append(f"{record} ", style="bold")
            text.append(RECORDS_HINT[records])
            if recorded:
                text.append(f" · {recorded}", style="italic")
            text.append("\n")
        if full:
            self.cues(text, stage)
            if throughout:
                text.append("\n")
                text.append_text(self.throughout(guide))
        self.update(text)

    @staticmethod
    def cues(text: Text, stage: Mapping[str, Any]) -> None:
        for heading, key, bullet in (("Do", "cues", "• "), ("Avoid", "avoid", "× "),
                                     ("Say", "phrases", "“ ")):
            entries = stage.get(key) or []
            if entries:
                text.append(f"\n{heading}\n", style="bold")
                for entry in entries:
                    text.append(bullet, style="dim")
                    text.append(entry + ("”" if key == "phrases" else "") + "\n")
        prompts = stage.get("prompts") or []
        if prompts:
            text.append("\nNote prompts\n", style="bold")
            for entry in prompts:
                text.append("· " + entry + "\n")

    @staticmethod
    def throughout(guide: Mapping[str, Any] | None) -> Text:
        """The guide's cues for the whole conversation ("Throughout"), or nothing."""
        text = Text()
        entries = [(bullet, entry + ("”" if key == "phrases" else ""))
                   for key, bullet in (("cues", "• "), ("avoid", "× "), ("phrases", "“ "))
                   for entry in (guide or {}).get(key) or []]
        if entries:
            text.append("Throughout\n", style="bold")
            for bullet, entry in entries:
                text.append(bullet, style="dim")
                text.append(entry + "\n")
        return text


class QuestionList(WrappingOptionList):
    """Suggested questions: the core ones first (◆, bold), a divider, then the probes (?), then
    your own from the question bank (✦, marked "yours"); asked ones dimmed and ticked. An
    option's id is ``g:INDEX`` (the question's index in the stage) or ``b:ID`` (the bank's)."""

    def show(self, questions: Sequence[Mapping[str, Any]], asked: set[int],
             yours: Sequence[tuple[str, str]] = (), yours_asked: Set[str] = frozenset()) -> None:
        """``yours``: (id, text) of your own questions for the stage."""
        keep = self.highlighted
        self.clear_options()
        order = sorted(range(len(questions)), key=lambda i: not questions[i].get("core"))
        cores = sum(1 for q in questions if q.get("core"))
        for position, i in enumerate(order):
            q = questions[i]
            if i in asked:
                self.add_option(Option(Text("✓ " + q["text"], style="dim"), id=f"g:{i}"))
            elif q.get("core"):
                self.add_option(Option(Text("◆ " + q["text"], style="bold"), id=f"g:{i}"))
            else:
                self.add_option(Option(Text("? " + q["text"]), id=f"g:{i}"))
            if position + 1 == cores < len(questions):
                self.add_option(None)  # a divider sets the core questions apart
        if questions and yours:
            self.add_option(None)
        for qid, text in yours:
            line = Text("✓ " if qid in yours_asked else "✦ ",
                        style="dim" if qid in yours_asked else "")
            line.append(text, style="dim" if qid in yours_asked else "")
            line.append("  yours", style="dim italic")
            self.add_option(Option(line, id=f"b:{qid}"))
        if self.option_count:
            self.highlighted = min(keep or 0, self.option_count - 1)

    def question_id(self) -> str | None:
        """The highlighted question's id (``g:INDEX`` or ``b:ID``)."""
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def question_index(self) -> int | None:
        """The stage's index of the highlighted question (None for one of yours)."""
        found = self.question_id()
        return int(found[2:]) if found and found.startswith("g:") else None


class NotesArea(TextArea):
    """The notes of the current stage, one slot at a time (shared or private). Saving is the
    screen's job."""


class FollowThrough(WrappingOptionList):
    """What to go through with them: talking points (theirs and mine), open items from earlier
    sessions, their open goals and jots. ``d`` marks a talking point covered (again: not
    covered) or an item done; ``c`` carries an item into this session; ``s`` checks in on a
    goal; ``i`` edits an item or goal. Option ids are ``point:ID``, ``item:ID``, ``jot:ID``."""

    BINDINGS = [
        # the list's border names them: the footer keeps the session's own keys
        Binding("d", "done", "Done / covered", id="done", show=False),
        Binding("c", "carry", "Carry forward", id="carry", show=False),
        Binding("s", "check_in", "Check in", id="goal-status", show=False),
        Binding("i", "edit_item", "Edit item", id="edit-item", show=False),
    ]

    class Chosen(Message):
        """``kind``: "item" or "point"; ``action``: "done", "carry", "check" (a goal) or
        "edit"."""

        def __init__(self, item_id: str, action: str, kind: str = "item") -> None:
            super().__init__()
            self.item_id = item_id
            self.action = action
            self.kind = kind

    def show(self, points: Sequence[Any], items: Sequence[Any], jots: Sequence[Any], *,
             covered: set[str], person: str, overdue: frozenset[str] = frozenset(),
             empty: str = "") -> None:
        """``covered``: ids of the points covered in this session; ``empty``: the line shown
        when there is nothing to list."""
        keep = self.highlighted
        self.clear_options()
        for point in points:
            done = point.id in covered
            line = Text("☑ " if done else "☐ ", style="bold" if not done else "dim")
            line.append("theirs: " if point.owner == "theirs" else "raise: ", style="dim")
            line.append(visible(point.text), style="dim strike" if done else "")
            self.add_option(Option(line, id=f"point:{point.id}"))
        for item in items:
            who = "me" if item.owner == "me" else visible(person)
            due = f", due {fmt.day(item.due)}" if item.due else ""
            line = Text(f"{fmt.KIND_MARK.get(item.kind, '-')} {visible(item.text)}")
            line.append(f"  ({who}{due})", style="bold" if item.id in overdue else "dim")
            self.add_option(Option(line, id=f"item:{item.id}"))
        for jot in jots:
            self.add_option(Option(Text(f"✎ {fmt.day(jot.created_at)}: {visible(jot.text)}",
                                        style="italic"), id=f"jot:{jot.id}"))
        if self.option_count:
            self.highlighted = min(keep or 0, self.option_count - 1)
        elif empty:
            self.add_option(Option(Text(empty, style="dim"), disabled=True))

    def _send(self, action: str) -> None:
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        kind, _, record = (option.id or "").partition(":")
        if kind in ("item", "point") and record:
            self.post_message(self.Chosen(record, action, kind))

    def action_done(self) -> None:
        self._send("done")

    def action_carry(self) -> None:
        self._send("carry")

    def action_check_in(self) -> None:
        self._send("check")

    def action_edit_item(self) -> None:
        self._send("edit")


class ItemsPanel(Static):
    """Items captured in this session, newest last. An item too long for its line wraps onto
    a second one (at 80 columns one line left its text ~16 characters beside its owner and
    due date), which keeps its owner and due date at its end: a text longer still is cut
    there. As many of the newest as fit in ``ROWS``; ``fresh``: the item just added, shown
    marked."""

    LIMIT = 4
    ROWS = 5  # its max-height in rapport.tcss

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: list[Any] = []
        self._names: Mapping[str, str] = {}
        self._keys = ("F2", "F10")
        self._fresh: str | None = None

    def show(self, items: Sequence[Any], people_names: Mapping[str, str], *,
             capture: str = "F2", review: str = "F10", fresh: str | None = None) -> None:
        """``capture``, ``review``: the keys that capture an item and open the review."""
        self._items, self._names = list(items), people_names
        self._keys, self._fresh = (capture, review), fresh
        self.refresh(layout=True)

    def render(self) -> Text:
        capture, review = self._keys
        items = self._items
        if not items:
            return Text(f"No items yet: {capture} captures an action, decision, agreement "
                        "or goal.", style="dim")
        width = max(20, self.content_region.width or self.size.width or 60)
        blocks: list[list[Text]] = []
        for item in reversed(items[-self.LIMIT:]):  # the newest first, while they fit
            block = self.item_lines(item, width)
            rows = sum(map(len, blocks)) + len(block) + (len(blocks) + 1 < len(items))
            if blocks and rows > self.ROWS:
                break
            blocks.insert(0, block)
        lines = [line for block in blocks for line in block]
        if len(blocks) < len(items):
            lines.insert(0, Text(cut(f"… {len(items) - len(blocks)} earlier ({review} lists "
                                     "all)", width), style="dim"))
        return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)

    def item_lines(self, item: Any, width: int) -> list[Text]:
        """One item's line, or two when its text is too long for one beside who and when."""
        head = f"{fmt.KIND_MARK.get(item.kind, '-')} " + (f"{item.kind:<9} " if width >= 70
                                                            else "")
        room = width - len(head)  # in cells: a name or a text in CJK takes two a character
        who = "me" if item.owner == "me" else \
            visible(self._names.get(item.person_id, "them"))  # BEL as ␇, as the lists
        due = f" · due {fmt.day(item.due)}" if item.due else ""
        suffix = f"  {who}{due}"
        body = " ".join(visible(item.text).split())
        if cell_len(body) + cell_len(suffix) <= room:
            parts = [body]
        else:
            first = len(chop_cells(body, room)[0])  # what the first line takes, to a space
            end = body.rfind(" ", 0, first + 1)  # (not one in its first half)
            end = end if end > 0 and cell_len(body[:end]) > room // 2 else first
            rest = body[end:].strip()
            # a long name is cut to its line (it wrapped), leaving the rest of the text 14
            # cells there (cut to no less than 14, as F3 cuts it at 80 columns)
            suffix = f"  {cut(who, max(14, room - 2 - len(due) - (14 if rest else 0)))}{due}"
            parts = [body[:end].rstrip(), cut(rest, room - cell_len(suffix))]
        lines = []
        for n, part in enumerate(parts):
            line = Text()
            line.append(head if n == 0 else " " * len(head), style="bold")
            line.append(part)
            if n + 1 == len(parts):
                line.append(suffix, style="dim")
            if item.id == self._fresh:
                line.stylize("reverse")
            lines.append(line)
        return lines
