"""The loop around a live session: what the session screen does with the records between
conversations (issues 22 and 23). The screen calls these; they call the store.

* :func:`load_context` reads, in a worker, what happened since last time (the panel), the
  earlier open items and the talking points covered in this session.
* :func:`show_followup` / :func:`focus_agenda` / :func:`follow_through`: the list of talking
  points and earlier items (``d`` covers or closes, ``c`` carries, ``i`` edits).
* :func:`capture`: an item captured into this session; :func:`edit_captured` corrects one.
* :func:`stage_form`: what the stage records (the pulse; the feedback log), in a dialog.
* :func:`bank_question`: a question of your own, saved to your bank for this guide and stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from textual.widgets import Static

from store import FEEDBACK_STAGE_FIELDS, RapportError, feedback_kind
from store import prepared_feedback as read_prepared
from tui import format as fmt
from tui.widgets.session import FollowThrough, NotesArea
from tui.widgets.prepare import SinceLastTimeView, header_text

if TYPE_CHECKING:  # pragma: no cover
    from store import Item, SinceLastTime, Store, TalkingPoint
    from tui.commands import Command
    from tui.screens.session import SessionScreen


@dataclass(frozen=True)
class SessionContext:
    since: "SinceLastTime"
    earlier: list["Item"]  # open items from earlier sessions (the follow-up list)
    covered: list["TalkingPoint"]  # talking points already covered in this session
    consent: str | None = None  # an interview's: recorded on its programme's roster


def load_context(screen: "SessionScreen") -> None:
    session_id, person_id = screen.live.id, screen.live.person_id
    facilitator = screen.app.config.facilitator_name

    def read(store: "Store") -> SessionContext:
        from store import since_last_time

        session = store.session(session_id)
        consent = None
        if session.programme_id:
            consent = next((p.consent for p in store.roster(session.programme_id)
                            if p.person_id == person_id), None)
        return SessionContext(
            since=since_last_time(store, person_id, session_id=session_id,
                                  facilitator=facilitator),
            earlier=[i for i in store.open_items_before(person_id, session)],
            covered=[p for p in store.talking_points(person_id)
                     if p.session_id == session_id and p.status == "covered"],
            consent=consent)

    screen.load_from_store(read, lambda context: show_context(screen, context),
                           group="session-context")


def not_own_pulse(screen: "SessionScreen", since: "SinceLastTime") -> "SinceLastTime":
    """A session resumed after its check-in: its own pulse is not "since last time"."""
    return replace(since, pulses=tuple(p for p in since.pulses
                                       if p.session_id != screen.live.id))


def refresh_since(screen: "SessionScreen") -> None:
    """The since-last-time panel read again after an item was done or carried from the list
    (the list itself keeps its place): beside it at a large size, it still said open."""
    session_id, person_id = screen.live.id, screen.live.person_id
    facilitator = screen.app.config.facilitator_name

    def read(store: "Store") -> "SinceLastTime":
        from store import since_last_time

        return since_last_time(store, person_id, session_id=session_id,
                               facilitator=facilitator)

    def show(since: "SinceLastTime") -> None:
        screen.query_one(SinceLastTimeView).show(not_own_pulse(screen, since),
                                                 screen.app.clock().astimezone().date())

    screen.load_from_store(read, show, group="session-since")


def show_context(screen: "SessionScreen", context: SessionContext) -> None:
    since = not_own_pulse(screen, context.since)
    screen.context_loaded = True
    screen.consent = context.consent
    if screen.stage.get("records") == "consent":
        screen.show_card()
    # their open goals follow the earlier items: checked in on from the list (s). A guide
    # that sets goals (the career conversation) lists them first: at 80x24 they were below
    # seven overdue 1-on-1 actions, the week's work its check-in is told to leave alone
    goals = [g.item for g in since.goals]
    sets_goals = any("goal" in stage.get("item_kinds", ()) for stage in screen.stages)
    screen.earlier = [*goals, *context.earlier] if sets_goals else [*context.earlier, *goals]
    screen.points = [*since.points, *context.covered]
    screen.jots = list(since.jots)
    screen.overdue = since.overdue
    screen.query_one("#since-head", Static).update(header_text(screen.app, since))
    screen.query_one(SinceLastTimeView).show(since, screen.app.clock().astimezone().date())
    # a session opens on what happened since last time, in a guide that goes through it (a
    # follow-up stage): a stay interview, praise or a skip-level opened at 80x24 on the 1-on-1's
    # overdue actions, its own opening words a key away (F5 shows the panel in any guide)
    if screen.index == 0 and not nothing_since(since) and screen.left_mode == "questions" \
            and screen.followup_index is not None:
        screen.left_mode = "since"
        screen.since_opened_itself = True
        screen.show_left()
    show_followup(screen, reset=True)


def nothing_since(since: "SinceLastTime") -> bool:
    """A first meeting with nothing jotted, raised or open: the session opens on its questions."""
    return not (since.last_session or since.points or since.theirs or since.mine or since.jots
                or since.goals or since.pulses)


def covered(screen: "SessionScreen") -> set[str]:
    return {p.id for p in screen.points
            if p.status == "covered" and p.session_id == screen.live.id}


def show_followup(screen: "SessionScreen", *, reset: bool = False,
                  emptied_here: bool = False) -> None:
    """The list under the notes: at the first stage the talking points, at the follow-up
    stage (and whenever the agenda key asks) the points, earlier items and jots.

    ``emptied_here``: the last entry was just dealt with from inside the list. It stays, saying
    so, until Esc (or the agenda key) takes the focus back to the notes: hidden under the
    cursor, it would hand the focus to the notes unseen, and the Esc meant for the list would
    then leave the session."""
    widget = screen.query_one(FollowThrough)
    everything = screen.index == screen.followup_index or screen.agenda_forced
    opening = screen.index == 0 and any(p.status == "open" for p in screen.points)
    shown = everything or opening
    points = screen.points
    items, jots = (screen.earlier, screen.jots) if everything else ([], [])
    has = bool(points or items or jots)
    widget.display = shown and (has or (emptied_here and screen.focused is widget))
    if not widget.display:
        return
    goals = everything and any(i.kind == "goal" for i in items)
    widget.border_title = screen.keys("To go through · {done} done · {carry} carry · "
                                      "{goal-status} goal" if goals else
                                      "To go through · {done} done/covered · {carry} carry")
    widget.border_subtitle = screen.keys("{edit-item} edit · {agenda} or Tab here · {back} back"
                                         if items else "{agenda} or Tab here · {back} back")
    if reset:
        widget.highlighted = None
    widget.show(points, items, jots, covered=covered(screen), person=screen.person.name,
                overdue=screen.overdue,
                empty=screen.keys("Nothing left · {back}: back to the notes"))


def focus_agenda(screen: "SessionScreen") -> None:
    widget = screen.query_one(FollowThrough)
    if widget.has_focus:  # the same key goes back to the notes
        screen.action_leave()
        return
    if not screen.context_loaded:
        screen.say("still reading last time's items…")
        return
    screen.agenda_forced = True
    show_followup(screen, reset=True)
    if not widget.display:
        screen.agenda_forced = False
        screen.say("nothing left open to go through")
        return
    widget.focus()
    widget.highlighted = 0


def follow_through(screen: "SessionScreen", event: FollowThrough.Chosen) -> None:
    store = screen.store
    try:
        if event.kind == "point":
            point_action(screen, event.item_id, event.action)
            return
        if event.action == "edit":
            edit_earlier(screen, event.item_id)
            return
        if event.action == "check" or next(
                (i.kind for i in screen.earlier if i.id == event.item_id), "") == "goal":
            check_in(screen, event.item_id)
            return
        if event.action == "done":
            store.update_item(event.item_id, status="done")
            screen.say("marked done")
        else:
            today = screen.app.clock().astimezone().date()
            item = next((i for i in screen.earlier if i.id == event.item_id), None)
            if item is not None and item.due is not None and item.due < today:
                carry_overdue(screen, item, today)
                return
            carried(screen, event.item_id)
            return
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return
    screen.earlier = [i for i in screen.earlier if i.id != event.item_id]
    show_followup(screen, emptied_here=True)
    refresh_since(screen)


def edit_earlier(screen: "SessionScreen", item_id: str) -> None:
    """An earlier item or goal in the list, edited in the capture dialog; it stays listed,
    as it now is."""
    from tui.screens.item_edit import edit_item

    def saved(updated: "Item") -> None:
        screen.earlier = [updated if i.id == item_id else i for i in screen.earlier]
        show_followup(screen)
        refresh_since(screen)

    edit_item(screen, next((i for i in screen.earlier if i.id == item_id), None), saved,
              participant=screen.person.name, say=screen.say)


def carried(screen: "SessionScreen", item_id: str, **changes: Any) -> None:
    """Carries an earlier item into this session (``changes``: to its copy: a new due date)."""
    store = screen.store
    try:
        item = store.carry_forward(item_id, screen.live.id)
        if changes:
            item = store.update_item(item.id, **changes)
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return
    show_added(screen, item, "carried forward into this session")
    screen.earlier = [i for i in screen.earlier if i.id != item_id]
    show_followup(screen, emptied_here=True)
    refresh_since(screen)


def carry_overdue(screen: "SessionScreen", item: "Item", today: date) -> None:
    """An overdue item carried forward: its date has passed, so the capture dialog offers it
    as it was with the due date empty, to agree a new one (Esc: not carried)."""
    from tui.screens.capture import Capture, CaptureScreen

    def decided(result: Capture | None) -> None:
        if result is not None:
            carried(screen, item.id, kind=result.kind, text=result.text, owner=result.owner,
                    due=result.due)

    screen.app.push_screen(CaptureScreen(
        kind=item.kind, participant=screen.person.name, today=today, text=item.text,
        owner=item.owner, title=f"Carry forward: it was due {fmt.day(item.due)}"), decided)


def check_in(screen: "SessionScreen", item_id: str) -> None:
    """A goal in the list: every key checks in on it (a goal is followed through by check-ins,
    not marked done or carried), dated in this session; the list and panel then read again."""
    from tui.screens.goal_dialogs import ask_check_in

    item = next((i for i in screen.earlier if i.id == item_id), None)
    if item is None or item.kind != "goal":
        screen.say(screen.keys("{goal-status}: check in on goals"))
        return
    ask_check_in(screen, item, saved=lambda: load_context(screen), session_id=screen.live.id,
                 stage=str(screen.stage.get("key", "")))


def point_action(screen: "SessionScreen", point_id: str, action: str) -> None:
    if action != "done":
        screen.say("open points carry over at the end")
        return
    store = screen.store
    current = next((p for p in screen.points if p.id == point_id), None)
    if current is None:
        return
    if current.status == "covered":
        point = store.update_talking_point(point_id, status="open")
        screen.say("not covered: carries to next time")
    else:
        point = store.cover_talking_point(point_id, screen.live.id)
        screen.say("covered")
    screen.points = [point if p.id == point_id else p for p in screen.points]
    show_followup(screen)


# ---------------------------------------------------------------------- items captured


def show_added(screen: "SessionScreen", item: "Item", said: str) -> None:
    """An item new in this session: into its items panel, marked fresh, confirmed in the
    status line (a toast would cover it at 80x24)."""
    screen.items.append(item)
    screen.fresh_item = item.id
    screen.show_items()
    if said:
        screen.say(said)


def capture(screen: "SessionScreen", kind: str | None = None) -> None:
    """The capture dialog; the item joins this session's items panel, confirmed in the status
    line (a toast would cover the item just added at 80x24). Without ``kind``, the dialog opens
    on the first kind the stage encourages (its ``item_kinds``: a goal at the career
    conversation's goals stage), else on an action. Whose it is starts as theirs at a stage
    that records the agreed next step (``records = "feedback-next-step"``: the feedback log's
    step is theirs, its "new action" made theirs), else as the dialog has it (a goal theirs)."""
    from tui.screens.capture import Capture, CaptureScreen

    kind = kind or next(iter(screen.stage.get("item_kinds") or ()), "action")
    owner = "them" if screen.stage.get("records") == "feedback-next-step" else None

    def captured(result: Capture | None) -> None:
        screen.query_one(NotesArea).focus()
        if result is None:
            return
        try:
            item = screen.store.add_item(screen.live.id, result.kind, result.text,
                                         owner=result.owner, due=result.due,
                                         stage=screen.stage["key"])
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        show_added(screen, item, f"{item.kind} saved")

    screen.app.push_screen(CaptureScreen(kind=kind, participant=screen.person.name, owner=owner,
                                         today=screen.app.clock().astimezone().date()), captured)


def edit_captured(screen: "SessionScreen") -> None:
    """An item captured in this session, corrected (the palette's "Edit an item captured"):
    which one (one alone: that one), then the capture dialog as it is; the items panel shows
    it as it now is."""
    from tui.screens.item_edit import pick_and_edit

    def saved(updated: "Item") -> None:
        screen.items = [updated if i.id == updated.id else i for i in screen.items]
        screen.show_items()

    if not screen.items:
        screen.say(screen.keys("no items yet ({capture} captures)"))
        return
    # newest first: the one just captured is the one Enter picks
    pick_and_edit(screen, screen.items[::-1], saved, participant=screen.person.name,
                  say=screen.say)


def item_commands(screen: "SessionScreen") -> "list[Command]":
    from tui.commands import Command

    return [Command("Edit an item captured", "Correct its text, kind, whose or due date",
                    lambda: edit_captured(screen))]


# ---------------------------------------------------------------------- what a stage records


def recording_stage(screen: "SessionScreen") -> str | None:
    """What the stage-form key fills in here: the stage's own record; else, in a guide with a
    pulse stage, the pulse (it can be recorded late)."""
    records = screen.stage.get("records")
    if records in ("pulse", *FEEDBACK_STAGE_FIELDS) or records == "consent" and (
            screen.live.programme_id):  # consent is kept on a programme's roster
        return str(records)
    if any(s.get("records") == "pulse" for s in screen.stages):
        return "pulse"
    return None


def recorded(screen: "SessionScreen") -> str:
    """What the card says the stage holds so far."""
    records = screen.stage.get("records")
    if records == "pulse" and screen.pulse is not None:
        pulse = screen.pulse
        return f"recorded: {pulse.score}/5" + (f", {pulse.word}" if pulse.word else "")
    if records == "consent":
        return f"recorded: consent {screen.consent}" if screen.consent else ""
    fields = FEEDBACK_STAGE_FIELDS.get(str(records))
    if fields and screen.feedback is not None:
        filled = [f.replace("_", " ") for f in fields
                  if f != "item_id" and getattr(screen.feedback, f)]
        return ("filled in: " + ", ".join(filled)) if filled else ""
    return ""


def stage_form(screen: "SessionScreen") -> None:
    records = recording_stage(screen)
    if records is None:  # a consent stage outside a programme: no roster to keep it on
        screen.say("no programme: note the consent" if screen.stage.get("records") == "consent"
                   else "nothing to fill in at this stage")
        return
    if records == "pulse":
        pulse_form(screen)
    elif records == "consent":
        consent_form(screen)
    else:
        feedback_form(screen, records)


def pulse_form(screen: "SessionScreen", then: Callable[[], None] | None = None) -> None:
    """The pulse's form. ``then``: called once it is saved (from the end review: it shows the
    pulse again); without it the notes take the focus back."""
    from tui.screens.pulse import PulseDialog, PulseEntry

    def done(entry: PulseEntry | None) -> None:
        if then is None:
            screen.query_one(NotesArea).focus()
        if entry is None:
            return
        try:
            screen.pulse = screen.store.set_pulse(screen.live.id, entry.score, entry.word)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.show_card()
        screen.say(f"pulse {entry.score}/5 recorded")
        if then is not None:
            then()

    screen.app.push_screen(PulseDialog(screen.person.name, screen.pulse), done)


def consent_form(screen: "SessionScreen", then: Callable[[], None] | None = None) -> None:
    """In a programme's interview: the answer to the consent question, on its roster (someone
    interviewed who is not on it yet is put on it, as done). ``then``: called once it is saved
    (from the end review: it shows the consent again); without it the notes take the focus
    back."""
    from tui.screens.consent import NOT_RECORDED, ConsentDialog

    session, person = screen.live, screen.person
    programme_id = str(session.programme_id)  # an interview in a programme (its roster)

    def done(choice: str | None) -> None:
        if then is None:
            screen.query_one(NotesArea).focus()
        consent = None if choice == NOT_RECORDED else choice
        if choice is None or consent == screen.consent:
            return  # cancelled, or nothing changed (none recorded, none chosen)
        try:
            screen.store.record_consent(programme_id, person.id, consent,
                                        session_id=session.id if consent else None)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.consent = consent
        screen.show_card()
        screen.say(f"consent {consent}: on the roster" if consent else "consent cleared")
        if then is not None:
            then()

    try:
        programme = screen.store.programme(programme_id).name
    except RapportError as exc:
        screen.notify(str(exc), severity="error")
        return
    screen.app.push_screen(ConsentDialog(person.name, programme, screen.consent), done)


def feedback_form(screen: "SessionScreen", records: str,
                  then: Callable[[], None] | None = None) -> None:
    """The feedback form of the stage that records ``records`` (the current stage's, or from
    the end review: the first stage of the guide that records it). ``then``: called once it
    is saved (the review shows the entry again); without it the notes take the focus back."""
    from tui.screens.feedback_form import NEW_ACTION, FeedbackDialog

    at = screen.index if then is None else next(
        (i for i, s in enumerate(screen.stages) if s.get("records") == records), screen.index)
    stage_key = screen.stages[at]["key"]

    def done(fields: dict[str, Any] | None) -> None:
        if then is None:
            screen.query_one(NotesArea).focus()
        if not fields:
            return
        try:
            if fields.get("item_id") == NEW_ACTION:  # the agreed step, as an action of theirs
                fields = {k: v for k, v in fields.items() if k != "item_id"}
                screen.feedback = screen.store.fill_feedback(
                    screen.live.id, action_stage=stage_key, **fields)
                show_added(screen, screen.store.item(str(screen.feedback.item_id)), "")
            else:
                screen.feedback = screen.store.fill_feedback(screen.live.id, **fields)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.show_card()
        screen.say("feedback log filled in")
        if then is not None:
            then()

    actions = [i for i in screen.items if i.kind == "action"]
    kind = feedback_kind(screen.live.guide_id)  # the kind the store gives a new entry
    prepared, link = prepared_feedback(screen, at), None
    # the step agreed was just captured as an action at its stage (f2, as the stage asks):
    # the form starts from it, linked (the newest of theirs, else of any), not empty and
    # unlinked (the items are in the order they were captured)
    here = [a for a in actions if a.stage == stage_key]
    if records == "feedback-next-step" and here:
        step = ([a for a in here if a.owner == "them"] or here)[-1]
        prepared, link = {**prepared, "next_step": step.text}, step.id
    if records == "feedback-response":  # their response, as this stage's shared note put it
        # down ("Their view, in their words: ...", as its prompt asks): not typed again
        said = read_prepared(screen.notebook.text(stage_key, False)).get("response")
        prepared = {**prepared, "response": said} if said else prepared
    screen.app.push_screen(FeedbackDialog(records, screen.person.name, screen.feedback, actions,
                                          kind=kind, prepared=prepared, link=link), done)


def prepared_feedback(screen: "SessionScreen", at: int | None = None) -> dict[str, str]:
    """The situation, behaviour and impact the stages before this one (``at``) wrote down
    (the feedback guide's Prepare: its private note, then its shared one), as typed so far."""
    found: dict[str, str] = {}
    for stage in screen.stages[:screen.index if at is None else at]:
        for private in (True, False):
            found = {**read_prepared(screen.notebook.text(stage["key"], private)), **found}
    found.pop("response", None)  # a response foreseen in Prepare is not theirs
    return found


# ---------------------------------------------------------------------- the question bank


def question_at_cursor(screen: "SessionScreen") -> str:
    """The line under the cursor when it reads as a question (``Q:`` taken off)."""
    notes = screen.query_one(NotesArea)
    selected = notes.selected_text.strip()
    row = notes.cursor_location[0]
    line = selected or (notes.document.get_line(row).strip()
                        if row < notes.document.line_count else "")
    if line.startswith("Q:"):
        line = line[2:].strip()
    return " ".join(line.split()) if line.endswith("?") else ""


def bank_question(screen: "SessionScreen") -> None:
    from tui.screens.bank import BankDialog
    from tui.screens.dialog import Keeper

    stage = screen.stage
    session = screen.live

    def done(text: str | None) -> None:
        screen.query_one(NotesArea).focus()
        if not text:
            return
        try:
            question = screen.store.add_question(session.guide_id, stage["key"], text)
        except RapportError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.bank.append(question)
        screen.show_questions()
        screen.say("saved to your question bank")

    guide = session.guide_name or session.guide_id
    dialog = BankDialog(guide, stage["title"], question_at_cursor(screen))
    dialog.keeper = Keeper.question(session.guide_id, stage["key"], f"{guide} · {stage['title']}")
    screen.app.push_screen(dialog, done)


# ---------------------------------------------------------------------- a dialog's text kept


def keep_typed(screen: "SessionScreen", kept: str) -> None:
    """Text typed in dialogs over the session and never saved (:func:`tui.screens.dialog.
    kept_text`), kept as a paragraph at the end of this stage's private note: never in a
    summary, whatever the dialog was for. The caller saves the notes next."""
    screen.capture_pane()  # what the notes pane holds now, into its slot first
    key = screen.stage["key"]
    note = screen.notebook.text(key, True).rstrip()
    text = f"{note}\n\n{kept}" if note else kept
    screen.notebook.set(key, True, text)
    if screen.is_private():  # the pane shows that note: the next capture must not undo this
        screen.query_one(NotesArea).load_text(text)
