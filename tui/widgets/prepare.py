"""The "since last time" view of one person (:class:`store.SinceLastTime`): talking points, open
items both ways (overdue first), jots since, goals at a glance, the pulse, last time's summary.

A dumb widget: :meth:`SinceLastTimeView.show` lays out what it is given; it reads nothing and
acts on nothing. The Prepare screen shows it whole; a session's side panel can show it too.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from store import visible
from tui import format as fmt
from tui.format import plural
from tui.widgets.note_markdown import NoteMarkdown
from tui.widgets.browse import meeting_text, theme_style

if TYPE_CHECKING:  # pragma: no cover
    from store import Goal, Item, Pulse, SinceLastTime, TalkingPoint

BAR = 10


def progress_bar(percent: int, width: int = BAR) -> str:
    """``████░░░░░░ 40%``."""
    percent = max(0, min(100, percent))
    filled = round(percent * width / 100)
    return "█" * filled + "░" * (width - filled) + f" {percent:>3}%"


#: The eighth blocks a pulse chart is drawn with, from nothing to a full cell.
BLOCKS = " ▁▂▃▄▅▆▇█"
#: How many pulses a chart shows: the latest.
CHART_PULSES = 12


def pulse_chart(app: Any, scores: Iterable[int]) -> Text:
    """The latest pulses as bars two rows high, oldest first, on the pulse's own scale (1 low,
    5 high): a 4 after a 3 is one step down, not the fall to nothing a chart scaled to the
    scores' own range draws. Scores at or below the low mark are in the warning colour."""
    from store import LOW_SCORE

    latest = list(scores)[-CHART_PULSES:]
    rows = [Text(), Text()]
    for score in latest:
        level = round(max(1, min(5, score)) * 16 / 5)  # in eighths of a cell, two cells high
        style = theme_style(app, "warning", "") if score <= LOW_SCORE else ""
        rows[0].append(BLOCKS[max(0, level - 8)] * 2 + " ", style=style)
        rows[1].append(BLOCKS[min(8, level)] * 2 + " ", style=style)
    for row in rows:
        row.rstrip()
    return Text("\n").join(rows)


def point_line(point: "TalkingPoint") -> Text:
    mark = "◆ theirs  " if point.owner == "theirs" else "▸ to raise  "
    text = Text.assemble((mark, "bold"))
    text.append(visible(point.text))  # BEL as ␇, as the lists (Rich drops it)
    if point.carried:
        # only a 1-on-1 carries a point (a feedback session or an interview leaves it open)
        text.append(f"  (carried through {plural(len(point.carried), '1-on-1')})", style="dim")
    return text


def item_line(app: Any, item: "Item", overdue: bool) -> Text:
    text = Text(f"{fmt.KIND_MARK.get(item.kind, '-')} ")
    text.append(visible(item.text))
    if item.due is not None:
        due = f"  due {fmt.day(item.due)}" + (" overdue" if overdue else "")
        text.append(due, style=theme_style(app, "error") if overdue else "dim")
    return text


def goal_line(app: Any, goal: "Goal") -> Text:
    text = Text(f"★ {progress_bar(goal.progress)}  ")
    status = Text(goal.status, style=theme_style(app, "warning") if goal.status == "at-risk"
                  else "dim")
    text.append_text(status)
    text.append(f"  {visible(goal.text)}")
    if goal.key_results:
        text.append(f"  ({plural(len(goal.key_results), 'key result')})", style="dim")
    return text


def pulse_words(pulses: Iterable["Pulse"]) -> str:
    """``3 fine · 2 tired · 2``: the scores, oldest first, with their words."""
    return " · ".join(f"{p.score} {p.word}".strip() for p in pulses)


class SinceLastTimeView(VerticalScroll):
    """What happened with someone since you last met. ``show(data, today)`` fills it in."""

    def compose(self) -> ComposeResult:
        with Vertical(id="since-left", classes="since-column"):
            yield Static("", id="since-points", markup=False)
            yield Static("", id="since-items", markup=False)
            yield Static("", id="since-jots", markup=False)
        with Vertical(id="since-right", classes="since-column"):
            yield Static("", id="since-goals", markup=False)
            yield Static("Pulse", classes="since-title")
            yield Static("", id="since-chart", markup=False)
            yield Static("", id="since-pulse", markup=False)
            yield Static("Last time", classes="since-title")
            yield NoteMarkdown("", id="since-summary")

    def show(self, data: "SinceLastTime", today: date) -> None:
        app = self.app
        self.query_one("#since-points", Static).update(self.section(
            "Talking points", [point_line(p) for p in data.points],
            "No open talking points."))
        lines = [Text("Theirs", style="italic")] if data.theirs else []
        lines += [item_line(app, i, i.id in data.overdue) for i in data.theirs]
        lines += [Text("Mine", style="italic")] if data.mine else []
        lines += [item_line(app, i, i.id in data.overdue) for i in data.mine]
        since = f" since {fmt.day(data.last_session.started_at)}" if data.last_session else ""
        lines += [Text(f"Done{since}", style="italic")] if data.done else []
        lines += [Text.assemble(f"✓ {visible(i.text)}",
                                (f"  {'mine' if i.owner == 'me' else 'theirs'}"
                                 f", {fmt.day(i.done_at)}", "dim"))
                  for i in data.done]
        self.query_one("#since-items", Static).update(self.section(
            "Open action items", lines, "Nothing open either way."))
        self.query_one("#since-jots", Static).update(self.section(
            f"Jots{since}",
            [Text(f"✎ {fmt.day(j.created_at)}  {' '.join(visible(j.text).split())}")
             for j in data.jots], "No jots."))
        self.query_one("#since-goals", Static).update(self.section(
            "Goals", [goal_line(app, g) for g in data.goals], "No open goals."))
        self.show_pulse(data)
        summary = summary_body(data.last_summary) or "*No ended session yet.*"
        self.query_one("#since-summary", Markdown).update(summary)

    def show_pulse(self, data: "SinceLastTime") -> None:
        chart = self.query_one("#since-chart", Static)
        chart.update(pulse_chart(self.app, [p.score for p in data.pulses]))
        chart.display = len(data.pulses) > 1
        if not data.pulses:
            line = Text("No pulse recorded yet.", style="dim")
        else:
            line = Text(f"oldest → newest: {pulse_words(data.pulses)}")
            if data.low_run:
                line.append("\n⚠ a run of low scores: the last 3 at 2 or lower",
                            style=theme_style(self.app, "warning"))
        self.query_one("#since-pulse", Static).update(line)

    @staticmethod
    def section(title: str, lines: list[Text], empty: str) -> Text:
        text = Text.assemble((title, "bold"))
        for line in lines or [Text(empty, style="dim")]:
            text.append("\n")
            text.append_text(line)
        text.append("\n")
        return text


def summary_body(markdown: str) -> str:
    """The participant's summary without the export's title and "Exported from Rapport..."
    line (nothing was exported: the view's own heading says "Last time"): from its first
    session heading on."""
    lines = markdown.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("## ")), 0)
    return "\n".join(lines[start:]).strip()


def header_text(app: Any, data: "SinceLastTime") -> Text:
    """One line above the view: who, when you last met and what, when you meet next."""
    text = Text.assemble((visible(data.person.name), "bold"))  # BEL as ␇, as the lists
    last = data.last_session
    if last is not None:
        what = visible(last.title or last.guide_name)
        text.append(f"  ·  last met {fmt.day(last.started_at)} ({what})")
    else:
        text.append("  ·  no ended session yet")
    if data.still_open is not None:  # they met then too: not ended, so not "last time"
        left = data.still_open
        text.append(f"  ·  still open: {fmt.day(left.started_at)} "
                    f"({visible(left.title or left.guide_name)})",
                    style=theme_style(app, "warning"))
    if data.next_meeting is not None:
        text.append("  ·  next 1-on-1 ")
        text.append_text(meeting_text(app, data.next_meeting))
    if data.person.cadence:
        text.append(f"  ·  {data.person.cadence}", style="dim")
    return text
