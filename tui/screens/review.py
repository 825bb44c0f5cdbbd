"""The end of a session: the items captured (listed first), the talking points covered and
carried, what will be recorded (an interview's consent and tags, the feedback log's entry: the
forms from there too, :mod:`tui.screens.review_records`), time per stage planned vs spent, the
cadence agreed and the next meeting (suggested from it, editable, skippable), a copy of the
participant's summary for the clipboard; then end it.

:func:`review_and_end` is what the session screen's end key calls: it opens
:class:`EndReviewScreen` and, once ended, carries the points not covered to the next session,
sets the cadence and the next meeting, marks a programme interview's person done on its
roster (from planned or scheduled: the toast after ending says it, from what
``Store.end_reviewed`` returns) and ends the session, in one transaction. The cadence and the next meeting are 1-on-1 matters:
a feedback session's review reads back only a next 1-on-1 already set, an interview's offers neither
(:func:`suggest`); talking points carry from 1-on-1 to 1-on-1 only (``Session.carries_points``).
The date cleared: no next meeting, and one already set is unset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, RadioButton, RadioSet, Static

from store import (
    CADENCES, FEEDBACK_STAGE_FIELDS, ITEM_KINDS, DateError, Feedback, Goal, Item, Pulse,
    RapportError, Session, TalkingPoint, date_example, parse_due, planned_text, spent_text,
    visible,
)
from tui import format as fmt
from tui.keys import with_keys
from tui.screens.dialog import Dialog
from tui.screens.review_records import (
    InterviewCheck, feedback_text, followed_up, goals_checked, interview_check, interview_text,
    pulse_text, records_to_fill,
)
from tui.widgets.choice import ChoiceSet

Slot = tuple[date, str | None, int | None]  # a next meeting: day, "HH:MM" or None, minutes
HINTS = ("blank: all day", "30")  # the next meeting's Time and Minutes, empty
NO_CADENCE = "none"  # the cadence choice's name for none
TOTAL = " total"  # the time table's last row (a stage's key has no space)

if TYPE_CHECKING:  # pragma: no cover
    from tui.screens.session import SessionScreen


@dataclass(frozen=True)
class EndDecision:
    """End the session; ``day`` (with ``time`` and ``minutes``): the next meeting, or None;
    ``cadence``: the cadence agreed (None: none), ``...`` when it is left as it was;
    ``cleared``: the date was cleared (a next meeting set is unset; None without it: the
    review offered none, what is set stays)."""

    day: date | None
    time: str | None = None
    minutes: int | None = None
    cadence: str | None | EllipsisType = ...
    cleared: bool = False

    @property
    def next_meeting(self) -> Slot | None | EllipsisType:
        """What ``Store.end_reviewed`` is given: the slot, None (unset) or ``...`` (as it is)."""
        if self.day is not None:
            return self.day, self.time, self.minutes
        return None if self.cleared else ...


@dataclass(frozen=True)
class Suggestion:
    day: date
    time: str | None
    minutes: int | None
    cadence: str | None
    already: bool = False  # the meeting already set, still to come
    #: the slot each cadence the review can agree would suggest (None: no cadence)
    options: Mapping[str | None, Slot] = field(default_factory=dict)


class EndReviewScreen(Dialog[EndDecision | None]):
    BINDINGS = [Binding("ctrl+e,f10", "end", "End session", id="review-end", priority=True),
                Binding("ctrl+y", "share", "Copy summary", id="share"),
                # a letter: the review opens on its buttons; in the date field it types (fri)
                Binding("i", "edit_item", "Edit item", id="edit-item", show=False),
                # the session's key for the feedback form or an interview's consent, the same
                # form (ending in a hurry, never opened): priority, as the date field's own
                # ctrl+f would take it
                Binding("ctrl+f", "stage_form", "Record", id="stage-form", show=False,
                        priority=True)]
    AUTO_FOCUS = "#review-end"
    SAVE_VERB = "ends"

    def __init__(self, session: Session, stages: Sequence[Mapping[str, Any]],
                 spent: Mapping[str, float], items: Sequence[Item],
                 words: Mapping[str, tuple[int, int]], *, person: str = "them",
                 points: Sequence[TalkingPoint] = (),
                 suggestion: Suggestion | None = None, today: date | None = None,
                 edited: Callable[[Item], None] | None = None,
                 interview: InterviewCheck | None = None, checked: Sequence[Goal] = (),
                 feedback: Feedback | None = None,
                 fill_feedback: Callable[[str], None] | None = None,
                 fill_consent: Callable[[], None] | None = None,
                 pulse: Pulse | None = None, fill_pulse: Callable[[], None] | None = None,
                 tick: Callable[[], None] | None = None, followed: Sequence[Item] = ()
                 ) -> None:
        """``words``: stage key -> (words in the shared note, in the private one);
        ``points``: this person's talking points (open ones carry on when it ends);
        ``suggestion``: the next meeting to offer (None: none is offered, as in interviews;
        without ``options``: no cadence row, as after a feedback session: :func:`suggest`);
        ``edited(item)``: an item corrected here (the session's panel shows it as it now is);
        ``interview``: a programme interview's consent and tags, said under the items;
        ``checked``: their goals checked in on in this session, as they stand now;
        ``feedback``: the session's feedback entry (None: none yet), said when the guide has
        stages that record it; ``fill_feedback(records)``: opens that stage's form (saved:
        :meth:`feedback_filled`); ``fill_consent()``: opens an interview's consent form
        (saved: :meth:`consent_filled`); ``pulse``: the session's pulse (None: not yet), said
        when the guide has a stage that records it; ``fill_pulse()``: opens its form (saved:
        :meth:`pulse_filled`); ``tick``: the session's timer, which runs on while the
        review is open: called each second, then the time table shows ``spent`` again;
        ``followed``: earlier items marked done since this session began."""
        super().__init__()
        self.session, self.stages, self.spent = session, stages, spent
        self.items, self.words, self.person = list(items), words, person
        self.edited = edited
        self.interview = interview
        self.checked = list(checked)
        self.feedback, self.fill_feedback = feedback, fill_feedback
        self.fill_consent = fill_consent
        self.pulse, self.fill_pulse = pulse, fill_pulse
        #: the guide has a stage that records the pulse (a 1-on-1's check-in)
        self.records_pulse = any(s.get("records") == "pulse" for s in stages)
        self.tick = tick
        self.followed = list(followed)
        #: the feedback entry's parts the guide's stages record, in their order
        self.records = [str(s["records"]) for s in stages
                        if s.get("records") in FEEDBACK_STAGE_FIELDS]
        self.points, self.suggestion = points, suggestion
        #: the slot the next meeting's fields were filled from (the cadence chosen changes it)
        self.shown_slot: Slot | None = (
            (suggestion.day, suggestion.time, suggestion.minutes) if suggestion else None)
        #: the time and length typed, kept aside while the date is empty (see hold_slot)
        self.held: tuple[str, str] | None = None
        self.today = today or date.today()

    def compose(self) -> ComposeResult:
        with Vertical(id="review-dialog", classes="dialog"):
            yield Static(self.keys_hint("Review before ending  ·  {review-end} ends · "
                                        "{share} copies the summary" + (
                                            " · {dialog-previous-field} agrees the cadence"
                                            if self.suggestion and self.suggestion.options
                                            else "")),
                         classes="dialog-title", markup=False)
            # what was agreed first: it is what is read back before ending, and at 80x24 a
            # long guide's stage table above it pushed it out of sight
            with VerticalScroll(id="review-body"):
                yield Static(self.items_text(), id="review-items")
                if self.followed:
                    yield Static(self.followed_text(), id="review-followed")
                if self.points:
                    yield Static(self.points_text(), id="review-points")
                if self.records_pulse:
                    yield Static(pulse_text(self.pulse, self.keys), id="review-pulse")
                if self.interview is not None:
                    yield Static(self.interview_text(), id="review-interview")
                if self.records:
                    yield Static(self.feedback_text(), id="review-feedback")
                yield self.time_table()
            # docked under the body: the dialog is as tall as all of it (at most 90%), and
            # when that is too little the body scrolls, never the next meeting or the buttons
            with Vertical(id="review-foot"):
                if self.suggestion is not None:
                    yield from self.next_meeting()
                yield Label("", id="review-error", classes="error", markup=False)
                with Horizontal(classes="buttons"):
                    yield Button("End session", variant="primary", id="review-end",
                                 classes="save")
                    yield Button("Copy summary", id="review-share")
                    yield Button("Back", id="review-back", classes="cancel")

    def on_mount(self) -> None:
        if self.tick is not None:
            self.set_interval(1.0, self.show_spent, name="review-spent")

    def time_table(self) -> DataTable[str | Text]:
        """Time per stage, planned vs spent, as the session's detail, ``rapport show`` and the
        exports say them ("3 min", "4 s": :func:`store.planned_text`, :func:`store.spent_text`);
        the review said "03:00" and "00:04" (the session's running clock keeps those)."""
        table: DataTable[str | Text] = DataTable(id="review-table", cursor_type="none")
        table.can_focus = False  # nothing to pick in it, and the body around it scrolls: no stop
        table.add_column("Stage")
        table.add_column("Planned")
        table.add_column("Spent", key="spent")
        table.add_column("Notes")
        spent = self.spent_cells()
        total_planned = 0.0
        for stage in self.stages:
            planned = float(stage.get("minutes", 0)) * 60
            total_planned += planned
            shared, private = self.words.get(stage["key"], (0, 0))
            notes = f"{shared} words" + (f" · 🔒 {private}" if private else "")
            table.add_row(Text(visible(stage["title"])), planned_text(planned),  # not markup
                          spent[stage["key"]], notes,
                          key=stage["key"])
        table.add_row("Total", planned_text(total_planned), spent[TOTAL], "", key=TOTAL)
        return table

    def spent_cells(self) -> dict[str, str]:
        """Stage key (and :data:`TOTAL`) -> the time spent as the table says it."""
        cells = {s["key"]: spent_text(self.spent.get(s["key"], 0.0)) for s in self.stages}
        cells[TOTAL] = spent_text(sum(self.spent.get(s["key"], 0.0) for s in self.stages))
        return cells

    def show_spent(self) -> None:
        """The time spent as it is now: the timer runs on while the review is open (the review
        is read back with them, and that is the meeting's time too: F9 before the end key
        pauses it), so the table keeps up with it, and what it shows is what ending records.
        It was taken when the review opened: 8 s shown, 11 s recorded."""
        if self.tick is not None:
            self.tick()
        table = self.query_one("#review-table", DataTable)
        for key, text in self.spent_cells().items():
            if table.get_cell(key, "spent") != text:
                table.update_cell(key, "spent", text, update_width=True)  # 59 s → 1 min 00 s

    def items_text(self) -> Text:
        text = Text()
        if not self.items:
            text.append("Captured: no items.", style="dim")
            return self.with_goals_checked(text)
        text.append(f"Captured ({len(self.items)})", style="bold")
        text.append(with_keys(self.app, "  ·  {edit-item} corrects one\n", self), style="dim")
        order = sorted(self.items, key=lambda i: ITEM_KINDS.index(i.kind)
                       if i.kind in ITEM_KINDS else len(ITEM_KINDS))
        for item in order:
            who = "me" if item.owner == "me" else visible(self.person)
            text.append(f"{fmt.KIND_MARK.get(item.kind, '-')} {item.kind:<9} ", style="bold")
            text.append(visible(item.text))
            text.append(f"  {who}" + (f" · due {fmt.day(item.due)}" if item.due else "") + "\n",
                        style="dim")
        text.rstrip()
        return self.with_goals_checked(text)

    def with_goals_checked(self, text: Text) -> Text:
        """The goals checked in on in this session, under the items: where the career
        conversation's check-in got to was read back as "Captured: no items"."""
        if self.checked:
            text.append(f"\nGoals checked in ({len(self.checked)})", style="bold")
        for goal in self.checked:
            text.append(f"\n{fmt.KIND_MARK.get('goal', '-')} {visible(goal.text)}")
            text.append(f"  {goal.progress}% · {goal.status}", style="dim")
        return text

    def followed_text(self) -> Text:
        """The earlier items marked done in this session, read back with what was captured
        (the review said "Captured: no items" after last time's were gone through)."""
        text = Text(f"Earlier items done ({len(self.followed)})", style="bold")
        for item in self.followed:
            who = "me" if item.owner == "me" else visible(self.person)
            text.append(f"\n✓ {visible(item.text)}")
            text.append(f"  {who}", style="dim")
        return text

    def points_text(self) -> Text:
        text = Text()
        done = [p for p in self.points if p.status == "covered" and p.session_id == self.session.id]
        left = [p for p in self.points if p.status == "open"]
        text.append("Talking points: ", style="bold")
        # from 1-on-1 to 1-on-1: after feedback or praise the next 1-on-1 still lists them
        text.append(f"{len(done)} covered" + (
            "." if not left else f", {len(left)} carried to next time:"
            if self.session.carries_points else f", {len(left)} open for the next 1-on-1:"))
        for point in left:
            text.append(f"\n  ☐ {visible(point.text)}")
        return text

    def keys(self, text: str) -> str:
        return with_keys(self.app, text, self)

    def interview_text(self) -> Text:
        assert self.interview is not None
        return interview_text(self.interview, self.keys)

    def feedback_text(self) -> Text:
        return feedback_text(self.feedback, self.records, self.keys)

    def action_stage_form(self) -> None:
        """The feedback form from here: the first part not filled in (else the first), as its
        stage's key would open it; in a programme's interview, the consent form; in a guide
        with a pulse stage, the pulse; nothing in a guide that records none of them."""
        if self.records and self.fill_feedback is not None:
            self.fill_feedback(records_to_fill(self.feedback, self.records) or self.records[0])
        elif self.interview is not None and self.interview.consent_stage \
                and self.fill_consent is not None:
            self.fill_consent()
        elif self.records_pulse and self.fill_pulse is not None:
            self.fill_pulse()
        else:
            self.notify(with_keys(self.app, "nothing to fill in from the review: {cancel} goes "
                                  "back to the session", self), timeout=4)

    def feedback_filled(self, entry: Feedback | None, items: Sequence[Item]) -> None:
        """The form saved: the entry as it now is (and the action it may have made)."""
        self.feedback = entry
        self.query_one("#review-feedback", Static).update(self.feedback_text())
        if len(items) != len(self.items):
            self.items = list(items)
            self.query_one("#review-items", Static).update(self.items_text())

    def pulse_filled(self, pulse: Pulse | None) -> None:
        """The pulse form saved: its block says the pulse as it now is."""
        self.pulse = pulse
        self.query_one("#review-pulse", Static).update(pulse_text(pulse, self.keys))

    def consent_filled(self, consent: str | None) -> None:
        """The consent form saved: the interview's block says it as it now is."""
        if self.interview is not None:
            self.interview = replace(self.interview, consent=consent)
            self.query_one("#review-interview", Static).update(self.interview_text())

    def next_label(self, cadence: str | None, suggested: bool = True,
                   cleared: bool = False) -> str:
        """``suggested``: the date shown is the one suggested (not: one typed, kept when the
        cadence changed); ``cleared``: the date is empty."""
        s = self.suggestion
        assert s is not None
        said = f"Next meeting with {visible(self.person)}"  # BEL as ␇, as the lists show it
        if cleared:  # no fixed next date agreed: what places the next one now, said (the one
            # set is unset; a date skipped is no longer "clear the date to skip")
            decides = f"{cadence} decides" if cadence in CADENCES else "none set"
            return (f"{said}: "
                    + (f"{fmt.day(s.day)} unset, {decides}" if s.already else
                       f"no date set, {decides}" if cadence in CADENCES else decides))
        if s.already:
            return f"{said} (set; change it if it moves, clear to unset)"
        return (said
                + (f" ({cadence}" + (": suggested)" if suggested else ")") if cadence
                   else " (suggested)" if suggested else "")
                + "; clear the date to skip")

    def next_meeting(self) -> ComposeResult:
        s = self.suggestion
        assert s is not None
        yield Label(self.next_label(s.cadence), id="review-next-label", markup=False)
        with Horizontal(id="review-next"):
            yield Label("Date", classes="label")
            yield Input(s.day.isoformat(), placeholder=f"{date_example(self.today)}, +7d, fri",
                        id="next-day")
            yield Label("Time", classes="label")
            yield Input(s.time or "", placeholder=HINTS[0], id="next-time")
            yield Label("Minutes", classes="label")
            yield Input(str(s.minutes) if s.minutes else "", placeholder=HINTS[1],
                        id="next-minutes", type="integer")
        if s.options:  # the cadence agreed (a first 1-on-1's "every two weeks"), ←→ choose:
            # under the date, the next stop of Tab from it and the first of Shift+Tab from End
            with Horizontal(id="review-cadence-row"):
                yield Label("Cadence", classes="label")
                with ChoiceSet(id="review-cadence"):
                    yield RadioButton("None", value=s.cadence not in CADENCES, name=NO_CADENCE)
                    for cadence in CADENCES:
                        yield RadioButton(cadence.capitalize(), value=s.cadence == cadence,
                                          name=cadence)

    def cadence(self) -> str | None | EllipsisType:
        """The cadence chosen, ``...`` when it is the person's already (or none is offered)."""
        s = self.suggestion
        if s is None or not s.options:
            return ...
        chosen = self.chosen()
        return ... if chosen == (s.cadence if s.cadence in CADENCES else None) else chosen

    @on(RadioSet.Changed, "#review-cadence")
    def cadence_changed(self, event: RadioSet.Changed) -> None:
        """Another cadence agreed: the date, time and length it suggests, in the fields still
        holding the one suggested before (a date typed stays)."""
        s = self.suggestion
        assert s is not None
        chosen = None if event.pressed.name == NO_CADENCE else event.pressed.name
        before = self.shown_slot
        after = s.options.get(chosen)
        if after is None or before is None:
            return
        self.shown_slot = after
        fields = (("#next-day", before[0].isoformat(), after[0].isoformat()),
                  ("#next-time", before[1] or "", after[1] or ""),
                  ("#next-minutes", str(before[2] or ""), str(after[2] or "")))
        for index, (selector, was, now) in enumerate(fields):
            if index and self.held is not None:  # no date: the time and length kept aside
                held = list(self.held)
                held[index - 1] = now if held[index - 1].strip() == was else held[index - 1]
                self.held = (held[0], held[1])
                continue
            field_ = self.query_one(selector, Input)
            if field_.value.strip() == was:
                field_.value = now
        self.show_label(chosen)

    @on(Input.Changed, "#next-day")
    def day_changed(self) -> None:
        s = self.suggestion
        self.show_label(s.cadence if s is not None and not s.options else self.chosen())
        self.hold_slot(not self.query_one("#next-day", Input).value.strip())

    def hold_slot(self, cleared: bool) -> None:
        """The date cleared, no meeting is being set: its Time and Minutes empty and disabled
        (they still said 10:00 and 30, under "unset"), what they held kept aside; a date typed
        again gives them back as they were."""
        time, minutes = self.query_one("#next-time", Input), self.query_one("#next-minutes",
                                                                           Input)
        if cleared and self.held is None:
            self.held = (time.value, minutes.value)
            time.value = minutes.value = ""
        elif not cleared and self.held is not None:
            (time.value, minutes.value), self.held = self.held, None
        time.disabled = minutes.disabled = cleared
        time.placeholder, minutes.placeholder = ("no date", "") if cleared else HINTS

    def chosen(self) -> str | None:
        """The cadence chosen in the review's row (with none offered: None)."""
        row = next(iter(self.query("#review-cadence").results(RadioSet)), None)
        pressed = row.pressed_button if row is not None else None
        return None if pressed is None or pressed.name == NO_CADENCE else pressed.name

    def show_label(self, cadence: str | None) -> None:
        """The next meeting's label as the fields are now: suggested, typed or cleared."""
        raw = self.query_one("#next-day", Input).value.strip()
        shown = self.shown_slot[0].isoformat() if self.shown_slot else ""
        self.query_one("#review-next-label", Label).update(
            self.next_label(cadence, raw == shown, cleared=not raw))

    # ------------------------------------------------------------------ deciding
    def save(self) -> None:
        if self.suggestion is None:
            self.dismiss(EndDecision(None))
            return
        from store import parse_time

        cadence = self.cadence()
        raw_day = self.query_one("#next-day", Input).value.strip()
        if not raw_day:
            self.dismiss(EndDecision(None, cadence=cadence, cleared=True))
            return
        try:
            day = parse_due(raw_day, self.today)
            time = parse_time(self.query_one("#next-time", Input).value)
        except (DateError, RapportError) as exc:
            error = self.query_one("#review-error", Label)
            error.update(f"Next meeting: {exc}")
            error.display = True
            return
        minutes = self.query_one("#next-minutes", Input).value.strip()
        self.dismiss(EndDecision(day, time, int(minutes) if minutes.isdigit() else None,
                                 cadence))

    def action_end(self) -> None:
        self.save()

    def action_edit_item(self) -> None:
        """An item captured in this session, corrected before ending: which one (newest first;
        one alone: that one), then the capture dialog as it is."""
        from tui.screens.item_edit import pick_and_edit

        def saved(updated: Item) -> None:
            self.items = [updated if i.id == updated.id else i for i in self.items]
            self.query_one("#review-items", Static).update(self.items_text())
            if self.edited is not None:
                self.edited(updated)

        pick_and_edit(self, self.items[::-1], saved, participant=self.person)

    @on(Button.Pressed, "#review-share")
    def action_share(self) -> None:
        from tui.screens.share import share_summary

        share_summary(self, self.session.id)


def review_and_end(screen: "SessionScreen") -> None:
    """The end key in a session: the review, then (if confirmed) end it."""
    from tui.screens.session_loop import consent_form, feedback_form, pulse_form
    from tui.widgets.session import NotesArea

    session, store = screen.live, screen.store
    suggestion = None
    if session.programme_id is None and session.ended_at is None:
        try:
            suggestion = suggest(screen, session.kind)
        except RapportError:
            suggestion = None
    interview = None
    if session.programme_id is not None:
        try:
            interview = interview_check(screen)
        except RapportError:
            interview = None
    words = {s["key"]: (screen.notebook.words(s["key"], False),
                        screen.notebook.words(s["key"], True)) for s in screen.stages}

    def edited(item: Item) -> None:
        screen.items = [item if i.id == item.id else i for i in screen.items]
        screen.show_items()

    def decided(decision: EndDecision | None) -> None:
        if decision is None:
            screen.query_one(NotesArea).focus()
            return
        screen.flush()
        try:
            ended = store.end_reviewed(session.id, cadence=decision.cadence,
                                       next_meeting=decision.next_meeting)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.session = None
        screen.leave()
        said = ["session ended"]
        if ended.marked is not None:  # planned or scheduled, now done
            said.append(f"{screen.person.name} done on the roster")
        if ended.carried:
            said.append(f"{fmt.plural(len(ended.carried), 'talking point')} "
                        "carried to next time")
        if not isinstance(decision.cadence, EllipsisType):
            said.append(f"cadence {decision.cadence or 'none'}")
        if decision.day is not None:
            said.append(f"next meeting {fmt.day(decision.day)}"
                        + (f" {decision.time}" if decision.time else ""))
        elif decision.cleared and suggestion is not None and suggestion.already:
            cadence = (screen.person.cadence if isinstance(decision.cadence, EllipsisType)
                       else decision.cadence)
            said.append("next meeting unset" + (f" ({cadence} decides)"
                                                if cadence in CADENCES else ""))
        screen.app.notify("; ".join(said), timeout=4)

    def fill_feedback(records: str) -> None:
        feedback_form(screen, records,
                      then=lambda: review.feedback_filled(screen.feedback, screen.items))

    def fill_consent() -> None:
        consent_form(screen, then=lambda: review.consent_filled(screen.consent))

    def fill_pulse() -> None:
        pulse_form(screen, then=lambda: review.pulse_filled(screen.pulse))

    review = EndReviewScreen(
        session, screen.stages, screen.spent, screen.items, words, person=screen.person.name,
        points=screen.points, suggestion=suggestion,
        today=screen.app.clock().astimezone().date(), edited=edited, interview=interview,
        checked=goals_checked(screen), feedback=screen.feedback, fill_feedback=fill_feedback,
        fill_consent=fill_consent, pulse=screen.pulse, fill_pulse=fill_pulse,
        tick=screen.tick, followed=followed_up(screen))
    screen.app.push_screen(review, decided)


def suggest(screen: "SessionScreen", kind: str) -> Suggestion | None:
    """What the review offers of the cadence and the next 1-on-1, by the guide's ``kind``
    (None: nothing). Both are 1-on-1 matters:

    * a 1-on-1 agrees them: the cadence row, and the next meeting from the cadence (a week on
      with none: a first 1-on-1 agrees it there);
    * a feedback session or a guide of your own ("custom") is held beside the 1-on-1s: the
      next 1-on-1 only when one is set and still to come, read back as set (movable), no
      cadence to agree;
    * an interview is no recurring meeting: nothing (as in a programme)."""
    if kind == "interview":
        return None
    store, session = screen.store, screen.live
    usual = screen.person.guide_id or screen.app.config.default_guide
    guide = screen.app.catalog.get(usual)
    options = store.suggest_next_meetings(
        session.person_id, usual_guide=usual,
        usual_minutes=guide.planned_minutes if guide else None)
    cadence = screen.person.cadence
    day, time, minutes = options.get(cadence, options[None])
    planned = store.next_meeting(session.person_id)
    already = planned is not None and (planned.day, planned.time) == (day, time)
    if kind == "one-on-one":
        return Suggestion(day, time, minutes, cadence, already, options)
    return Suggestion(day, time, minutes, cadence, True) if already else None
