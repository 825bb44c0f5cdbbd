"""The "since last time" panel: what happened with a person since you last met, laid out.

A dumb widget: :meth:`SinceLastTimePanel.show` takes a :class:`store.SinceLastTime` (what
``store.since_last_time(store, person_id, session_id=...)`` returns; a screen reads it, in a
worker) and lays it out: when you last met and when you meet next, talking points (theirs first),
open items both ways (overdue first, marked), jots since, goals and their status, the pulse's
trend, and last time's shared summary. Clicking an entry posts :class:`SinceLastTimePanel.Selected`
with what it is and its id; the panel itself changes nothing.

``SinceLastTimePanel(focusable=False)`` never takes the focus (the session screen: typing stays
in the notes, and the screen scrolls the panel with :meth:`scroll_relative`); the default is a
focusable scrolling pane (a Prepare view).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, Sparkline, Static

from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    from store import Item, SinceLastTime


def summary_body(markdown: str) -> str:
    """Last time's summary from its first section on: the export's own title and "Exported
    from ..." lines say nothing here."""
    lines = markdown.splitlines()
    for prefix in ("### ", "## "):
        start = next((i for i, line in enumerate(lines) if line.startswith(prefix)), None)
        if start is not None:
            return "\n".join(lines[start:]).strip()
    return markdown.strip()


def days_ago(then: date, today: date) -> str:
    days = (today - then).days
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


class PanelEntry(Static):
    """One line of the panel that stands for a record: a click says which."""

    def __init__(self, text: Text, kind: str, record_id: str) -> None:
        super().__init__(text, classes="since-entry")
        self.kind, self.record_id = kind, record_id

    def on_click(self) -> None:
        self.post_message(SinceLastTimePanel.Selected(self.kind, self.record_id))


class SinceLastTimePanel(VerticalScroll):
    class Selected(Message):
        """An entry was clicked: ``kind`` is "point", "item", "jot", "goal" or "session"."""

        def __init__(self, kind: str, record_id: str) -> None:
            super().__init__()
            self.kind = kind
            self.record_id = record_id

    def __init__(self, *, focusable: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.can_focus = focusable
        self.data: SinceLastTime | None = None

    def show(self, data: "SinceLastTime | None", *, today: date) -> None:
        """Lays ``data`` out (None: still being read). ``today``: for "N days ago"."""
        self.data = data
        self.remove_children()
        self.mount_all(list(self.blocks(data, today)))
        self.scroll_home(animate=False)

    @property
    def is_empty(self) -> bool:
        """Nothing to show: a first meeting, nothing jotted, raised or open."""
        d = self.data
        return d is None or not (d.last_session or d.points or d.theirs or d.mine or d.jots
                                 or d.goals or d.pulses)

    # ------------------------------------------------------------------ layout
    def blocks(self, d: "SinceLastTime | None", today: date) -> Iterable[Widget]:
        if d is None:
            yield Static("Reading what happened since last time…", classes="since-note")
            return
        head = Text()
        if d.last_session is not None:
            last = d.last_session
            started = last.started_at.astimezone().date()
            head.append("Last met ", style="bold")
            head.append(f"{fmt.day(started)} ({days_ago(started, today)})")
            if last.title:
                head.append(f" · {last.title}")
        else:
            head.append("First session with ", style="bold")
            head.append(d.person.name)
        if d.next_meeting is not None:
            meet = d.next_meeting
            head.append("\nNext ", style="bold")
            head.append(f"{fmt.day(meet.day)}{' ' + meet.time if meet.time else ''}")
            if meet.every:
                head.append(f" ({meet.every})", style="dim")
        yield Static(head, classes="since-head")
        if d.points:
            yield self.heading("Talking points")
            for point in d.points:
                line = Text("◂ theirs: " if point.owner == "theirs" else "▸ raise: ",
                            style="bold" if point.owner == "theirs" else "dim")
                line.append(point.text)
                if point.carried:
                    line.append(f"  (carried {len(point.carried)}×)", style="dim")
                yield PanelEntry(line, "point", point.id)
        for title, items in ((f"{d.person.name}'s open items", d.theirs),
                             ("My open items", d.mine)):
            if items:
                yield self.heading(title)
                for item in items:
                    yield PanelEntry(self.item_line(item, d.overdue), "item", item.id)
        if d.jots:
            yield self.heading("Jots since")
            for jot in d.jots:
                line = Text(f"✎ {fmt.day(jot.created_at)}: ", style="dim")
                line.append(jot.text, style="italic")
                yield PanelEntry(line, "jot", jot.id)
        if d.goals:
            yield self.heading("Goals")
            for goal in d.goals:
                line = Text(f"★ {goal.text}  ")
                line.append(f"{goal.status} · {goal.progress}%",
                            style="bold" if goal.status == "at-risk" else "dim")
                yield PanelEntry(line, "goal", goal.id)
        if d.pulses:
            yield self.heading("Pulse")
            if len(d.pulses) > 1:  # a trend takes two
                yield Sparkline([p.score for p in d.pulses], classes="since-pulse")
            last_pulse = d.pulses[-1]
            line = Text(f"last {last_pulse.score}/5" + (f", {last_pulse.word}"
                                                        if last_pulse.word else ""))
            if d.low_run:
                line.append("  ⚠ a run of low scores", style="bold")
            yield Static(line, classes="since-note")
        if d.last_session is not None and d.last_summary:
            yield self.heading("Last time's summary (shared)")
            yield Markdown(summary_body(d.last_summary), classes="since-summary")
        if self.is_empty:
            yield Static("Nothing since last time: no open items, jots or talking points.",
                         classes="since-note")

    @staticmethod
    def heading(text: str) -> Static:
        return Static(Text(text, style="bold"), classes="since-heading")

    @staticmethod
    def item_line(item: "Item", overdue: Any) -> Text:
        line = Text(f"{fmt.KIND_MARK.get(item.kind, '-')} {item.text}")
        if item.due is not None:
            late = item.id in overdue
            line.append(f"  due {fmt.day(item.due)}" + (" · overdue" if late else ""),
                        style="bold" if late else "dim")
        return line
