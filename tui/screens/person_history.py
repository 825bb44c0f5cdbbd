"""How a person's history reads in their view: a goal with its key results, check-ins and
linked actions; the pulse trend in words; one feedback entry. Rich Text, from records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from rich.text import Text

from store import FEEDBACK_PARTS
from tui import format as fmt
from tui.widgets.browse import theme_style
from tui.format import plural
from tui.widgets.prepare import progress_bar, pulse_words

if TYPE_CHECKING:  # pragma: no cover
    from store import Feedback, Goal, Pulse



def goal_detail(app: Any, goal: "Goal") -> Text:
    """The goal, its key results, the action items that serve it, then its check-ins (the
    history, oldest first)."""
    text = Text.assemble((f"★ {goal.text}", "bold"))
    text.append(f"\n{goal.status}  ·  {progress_bar(goal.progress)}")
    if goal.item.due:
        text.append(f"  ·  due {fmt.day(goal.item.due)}")
    if goal.key_results:
        text.append("\n\nKey results", style="bold")
        for kr in goal.key_results:
            text.append(f"\n  {progress_bar(kr.progress)}  {kr.text}")
    if goal.actions:
        text.append("\n\nAction items for it", style="bold")
        for action in goal.actions:
            mark = "✓" if not action.is_open else "▸"
            due = f"  due {fmt.day(action.due)}" if action.due else ""
            text.append(f"\n  {mark} {action.text}{due}",
                        style="dim" if not action.is_open else "")
    results = {kr.id: kr.text for kr in goal.key_results}
    text.append(f"\n\nHistory ({plural(len(goal.checkins), 'check-in')})", style="bold")
    for checkin in goal.checkins:
        parts = []
        if checkin.key_result is not None:
            parts.append(f"{results.get(checkin.key_result, 'a key result')} → "
                         f"{checkin.progress}%")
        else:
            if checkin.status:
                parts.append(checkin.status)
            if checkin.progress is not None:
                parts.append(f"{checkin.progress}%")
        if checkin.note:
            parts.append(f"“{checkin.note}”")
        text.append(f"\n  {fmt.day(checkin.created_at)}  {' · '.join(parts) or '—'}")
    return text


def pulse_line(app: Any, pulses: Sequence["Pulse"], low_run: bool) -> Text:
    """The pulse beside its chart: how many, the last, the scores in words."""
    if not pulses:
        return Text("No pulse yet: a 1-on-1's check-in records one (1 low to 5 high).",
                    style="dim")
    last = pulses[-1]
    word = f" ({last.word})" if last.word else ""
    text = Text.assemble((f"{plural(len(pulses), 'pulse')}, the last {last.score}{word} on "
                          f"{fmt.day(last.day)}", "bold"))
    if low_run:
        text.append("  ⚠ a run of low scores: the last 3 at 2 or lower",
                    style=theme_style(app, "warning"))
    text.append(f"\noldest → newest: {pulse_words(pulses)}", style="dim")
    return text


def feedback_detail(entry: "Feedback") -> Text:
    """One feedback entry, part by part (situation, behaviour, impact, response, next step)."""
    text = Text.assemble((f"{fmt.day(entry.created_at)} · {entry.direction} · {entry.kind}",
                          "bold"))
    for field, label in FEEDBACK_PARTS:
        value = getattr(entry, field)
        if value:
            text.append(f"\n{label}: ", style="bold")
            text.append(" ".join(value.split()))
    return text
