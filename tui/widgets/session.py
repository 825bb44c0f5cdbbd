"""Dumb widgets of the session screen: they render what they are given and post messages."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui import format as fmt


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
    """Every stage; the current one highlighted, visited ones ticked, optional ones ◦."""

    _last: tuple | None = None

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(self, stages: Sequence[Mapping[str, Any]], current: int, visited: set[str],
             spent: Mapping[str, float]) -> None:
        self._last = (stages, current, visited, spent)
        self.clear_options()
        width = max(16, (self.size.width or 32) - 2)
        for i, stage in enumerate(stages):
            mark = "▶" if i == current else ("✓" if stage["key"] in visited
                                             else "◦" if stage.get("optional") else " ")
            minutes = f" {round(spent.get(stage['key'], 0) / 60)}/{stage['minutes']}m"
            title = f"{mark} {i + 1}. {stage['title']}"
            room = width - len(minutes)
            if len(title) > room:
                title = title[:room - 1] + "…"
            label = Text(title.ljust(room))
            label.append(minutes, style="dim")
            if i == current:
                label.stylize("bold")
            self.add_option(Option(label, id=stage["key"]))
        self.highlighted = current


class StageCard(Static):
    """Purpose, facilitator cues, what to avoid and phrases to say; then the guide-wide ones."""

    def show(self, stage: Mapping[str, Any], guide: Mapping[str, Any] | None = None) -> None:
        text = Text()
        text.append(stage["title"] + ("  (optional)" if stage.get("optional") else "") + "\n",
                    style="bold")
        text.append(stage.get("purpose", "") + "\n")
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
        throughout = [(bullet, entry + ("”" if key == "phrases" else ""))
                      for key, bullet in (("cues", "• "), ("avoid", "× "), ("phrases", "“ "))
                      for entry in (guide or {}).get(key) or []]
        if throughout:
            text.append("\nThroughout\n", style="bold")
            for bullet, entry in throughout:
                text.append(bullet, style="dim")
                text.append(entry + "\n")
        self.update(text)


class QuestionList(OptionList):
    """Suggested questions: the core ones first (◆, bold), a divider, then the probes (?);
    asked ones dimmed and ticked. Each option's id is the question's index in the stage."""

    def show(self, questions: Sequence[Mapping[str, Any]], asked: set[int]) -> None:
        keep = self.highlighted
        self.clear_options()
        order = sorted(range(len(questions)), key=lambda i: not questions[i].get("core"))
        cores = sum(1 for q in questions if q.get("core"))
        for position, i in enumerate(order):
            q = questions[i]
            if i in asked:
                self.add_option(Option(Text("✓ " + q["text"], style="dim"), id=str(i)))
            elif q.get("core"):
                self.add_option(Option(Text("◆ " + q["text"], style="bold"), id=str(i)))
            else:
                self.add_option(Option(Text("? " + q["text"]), id=str(i)))
            if position + 1 == cores < len(questions):
                self.add_option(None)  # a divider sets the core questions apart
        if questions:
            self.highlighted = min(keep or 0, len(questions) - 1)

    def question_index(self) -> int | None:
        """The stage's index of the highlighted question."""
        if self.highlighted is None:
            return None
        return int(self.get_option_at_index(self.highlighted).id or 0)


class NotesArea(TextArea):
    """The notes of the current stage. Saving is the screen's job."""


class FollowThrough(OptionList):
    """Open items from earlier sessions (and jots): d marks done, c carries forward."""

    BINDINGS = [
        Binding("d", "done", "Done", id="done"),
        Binding("c", "carry", "Carry forward", id="carry"),
    ]

    class Chosen(Message):
        def __init__(self, item_id: str, action: str) -> None:
            super().__init__()
            self.item_id = item_id
            self.action = action

    def _send(self, action: str) -> None:
        if self.highlighted is None:
            return
        option = self.get_option_at_index(self.highlighted)
        if option.id and option.id.startswith("item:"):
            self.post_message(self.Chosen(option.id[5:], action))

    def action_done(self) -> None:
        self._send("done")

    def action_carry(self) -> None:
        self._send("carry")


class ItemsPanel(Static):
    """Items captured in this session, one line each, newest last."""

    LIMIT = 4

    def show(self, items: Sequence[Any], people_names: Mapping[str, str], *,
             capture: str = "F2", review: str = "F10") -> None:
        """``capture``, ``review``: the keys that capture an item and open the review."""
        if not items:
            self.update(Text(f"No items yet: {capture} captures an action, decision, agreement "
                             "or goal.", style="dim"))
            return
        text = Text()
        shown = list(items)[-self.LIMIT:] if len(items) > self.LIMIT else list(items)
        if len(shown) < len(items):
            text.append(f"… {len(items) - len(shown)} earlier ({review} lists all)\n",
                        style="dim")
        for item in shown:
            text.append(f"{fmt.KIND_MARK.get(item.kind, '-')} {item.kind:<9} ", style="bold")
            text.append(item.text)
            who = "me" if item.owner == "me" else people_names.get(item.person_id, "them")
            text.append(f"  ({who}{', due ' + fmt.day(item.due) if item.due else ''})\n",
                        style="dim")
        self.update(text)
