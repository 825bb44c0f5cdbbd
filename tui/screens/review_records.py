"""What the end review says will be recorded, each in a block of its own, and what its
stage-form key (ctrl+f) opens from there: a programme interview's consent (on the roster) and
the passages tagged; a feedback session's entry in the feedback log; a 1-on-1's pulse. And
the earlier items done and the goals checked in on while it was open. The review
(:mod:`tui.screens.review`) shows the blocks and asks these for their text; the forms are the
session's own (:mod:`tui.screens.session_loop`), opened as at their stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from rich.text import Text

from store import FEEDBACK_STAGE_FIELDS, Feedback, Goal, Item, Pulse, RapportError, visible
from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.session import SessionScreen

#: the feedback log's fields as the review says them, and what each stage's form fills in
FEEDBACK_LABELS = {"situation": "Situation", "behaviour": "Behaviour", "impact": "Impact",
                   "response": "Response", "next_step": "Next step"}
FEEDBACK_PARTS = {"feedback": "situation, behaviour, impact",
                  "feedback-response": "their response", "feedback-next-step": "the next step"}

#: with the app's key labels filled in ("{stage-form}" -> "^f"): :func:`tui.keys.with_keys`
Keys = Callable[[str], str]


@dataclass(frozen=True)
class InterviewCheck:
    """A programme interview's, checked before it ends: the consent on the roster (None: not
    recorded), the stage that records it ("": the guide has none), and the passages tagged
    (about a colleague: some)."""

    consent: str | None
    consent_stage: str
    passages: int
    about_someone: int


def interview_check(screen: "SessionScreen") -> InterviewCheck:
    """A programme interview's consent (read from the roster: the session's copy waits for a
    worker) and the passages tagged in it."""
    session, store = screen.live, screen.store
    consent = next((p.consent for p in store.roster(str(session.programme_id))
                    if p.person_id == session.person_id), None)
    stage = next((s["title"] for s in screen.stages if s.get("records") == "consent"), "")
    tags = store.tags(session_id=session.id)
    return InterviewCheck(consent, stage, len({t.passage for t in tags}),
                          len({t.passage for t in tags if t.subject_id}))


def interview_text(check: InterviewCheck, keys: Keys) -> Text:
    """Consent and tags, before the interview ends: a consent never recorded leaves the
    roster without it, and untagged passages reach no synthesis or report. A guide with a
    consent stage: the key that records it from the review (it said "at <stage>", which
    meant going back there)."""
    text = Text()
    text.append("Consent: ", style="bold")
    if check.consent:
        text.append(check.consent)
    else:
        text.append("not recorded", style="bold")
    if check.consent_stage:
        text.append(keys("  ·  {stage-form} " + ("corrects it" if check.consent
                                                 else "records it")), style="dim")
    text.append("\nTagged: ", style="bold")
    if not check.passages:
        text.append("no passage yet")
    else:
        text.append(fmt.plural(check.passages, "passage"))
        if check.about_someone:
            text.append(f", {check.about_someone} about a named leader", style="dim")
    return text


def records_to_fill(entry: Feedback | None, records: Sequence[str]) -> str | None:
    """The first of the guide's feedback stages (``records``) none of whose fields is filled
    in."""
    return next((r for r in records if entry is None or not any(
        getattr(entry, f) for f in FEEDBACK_STAGE_FIELDS[r] if f != "item_id")), None)


def feedback_text(entry: Feedback | None, records: Sequence[str], keys: Keys) -> Text:
    """What the feedback log will hold: the entry's fields filled in, one line each (cut at
    the width: the body stays short), or one line saying none is recorded and the key that
    fills it in. The lead ended a feedback session never having opened the form, and nothing
    said no entry was recorded."""
    filled = [(f, str(getattr(entry, f))) for f in FEEDBACK_LABELS
              if entry is not None and getattr(entry, f)]
    text = Text()
    missing = records_to_fill(entry, records)
    if not filled:
        text.append("Feedback log: ", style="bold")
        text.append("nothing filled in, no entry is recorded")
        text.append(keys("  ·  {stage-form} fills it in"), style="dim")
        return text
    assert entry is not None
    text.append(f"Feedback log ({entry.kind}, {entry.direction})", style="bold")
    hint = (f"{{stage-form}} fills in {FEEDBACK_PARTS[missing]}" if missing
            else f"{{stage-form}} corrects {FEEDBACK_PARTS[records[0]]}")
    text.append(keys(f"  ·  {hint}"), style="dim")
    for field_, value in filled:
        text.append(f"\n  {FEEDBACK_LABELS[field_]:<10} ", style="dim")
        text.append(visible(" ".join(value.split())))  # a control as the lists show it
    return text


def pulse_text(pulse: Pulse | None, keys: Keys) -> Text:
    """The pulse the session records (a guide with a pulse stage), or one line saying none is:
    a check-in answered in the notes ("4, busy") left the pulse tab without it, and ending
    said nothing."""
    text = Text()
    text.append("Pulse: ", style="bold")
    if pulse is None:
        text.append("not recorded")
        text.append(keys("  ·  {stage-form} records it"), style="dim")
        return text
    text.append(f"{pulse.score}/5")
    if pulse.word:
        text.append(f", {visible(' '.join(pulse.word.split()))}")
    text.append(keys("  ·  {stage-form} corrects it"), style="dim")
    return text


def followed_up(screen: "SessionScreen") -> list[Item]:
    """Their action items of earlier sessions marked done since this one began (in its
    follow-up list, or elsewhere while it was open), oldest done first."""
    session = screen.live
    try:
        items = screen.store.items(person_id=session.person_id)
    except RapportError:
        return []
    return sorted((i for i in items if i.session_id != session.id and i.status == "done"
                   and i.kind != "goal" and i.done_at is not None
                   and i.done_at >= session.started_at),
                  key=lambda i: i.done_at or session.started_at)


def goals_checked(screen: "SessionScreen") -> list[Goal]:
    """Their goals with a check-in dated in this session."""
    session = screen.live
    try:
        goals = screen.store.goals(session.person_id)
    except RapportError:
        return []
    return [g for g in goals if g.checked_in(session.id)]
