"""The live session's commands in the command palette (the palette's provider reads a screen's
``commands()``): moving between stages, capturing, the panes and the loop's keys, each with the
binding id whose key it shows."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from tui.commands import Command
from tui.screens import session_loop as loop

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.session import SessionScreen


def commands(screen: "SessionScreen") -> list[Command]:
    """The session's commands in the palette, each named by the binding whose key it shows."""
    found = [Command("Next stage", "Save and move on", screen.action_next_stage, "next-stage"),
             Command("Previous stage", "Save and go back", screen.action_previous_stage,
                     "previous-stage")]
    for i, stage in enumerate(screen.stages):
        found.append(Command(f"Go to stage {i + 1}: {stage['title']}", "Pick a stage",
                             partial(screen.go_to, i), "stages"))
    for kind in ("action", "decision", "agreement", "goal"):
        found.append(Command(f"Capture {kind}", f"A new {kind} of this session",
                             partial(screen.action_capture, kind), "capture"))
    found += [
        Command("Switch shared/private note", "Which note of this stage you type into",
                screen.action_toggle_private, "private"),
        Command("Tag passage", "The selected passage, with a theme", screen.action_tag, "tag"),
        Command("Since last time", "Show or hide what happened since you last met",
                screen.action_since, "since"),
        Command("Cues or questions", "Switch the left pane", screen.action_cues, "cues"),
        Command("Talking points and earlier items", "Cover points, close or carry items",
                screen.action_agenda, "agenda"),
        Command("Record for this stage", "The pulse, the feedback log or consent",
                screen.action_stage_form, "stage-form"),
        Command("Save a question to your bank", "For this guide and stage",
                screen.action_bank_question, "bank-question"),
        Command("Pause or resume timer", "Time stops counting", screen.action_pause, "pause"),
        Command("End session", "Review, then end", screen.action_end, "end"),
        Command("Mark question asked", "The highlighted question", screen.action_mark_asked,
                "mark-asked"),
        Command("Insert question into notes", "The highlighted question",
                screen.action_insert_question, "insert-question"),
        Command("Save now", "Every stage's notes and the timer", screen.action_save, "save"),
    ] + loop.item_commands(screen)
    return found
