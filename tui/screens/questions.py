"""The question bank: your own questions, per guide and stage, shown in sessions beside the
guide's (marked as yours). Browse them, add one, edit or delete one. (In a session, one key saves
the question you just asked to the bank for that guide and stage.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store import RapportError
from tui.commands import Command
from tui.format import as_edited, editable, plural
from tui.keys import with_keys
from tui.screens.dialog import Dialog, Keeper
from tui.screens.sections import SEARCH, SECTION_KEYS, SectionScreen
from tui.widgets.browse import BrowseTable, clip
from tui.widgets.footer import Footer
from tui.widgets.options import WrappingOptionList

if TYPE_CHECKING:  # pragma: no cover
    from guides.model import Guide
    from store import Question, Store

#: (guide id, guide name, [(stage key, stage title)])
GuideStages = tuple[str, str, list[tuple[str, str]]]


class QuestionDialog(Dialog[tuple[str, str, str] | None]):
    """A question of your own: for which guide and stage (when new), and its text. Returns
    ``(guide_id, stage, text)``."""

    AUTO_FOCUS = "#question-text"

    def __init__(self, guides: Sequence[GuideStages], question: "Question | None" = None,
                 guide_id: str | None = None, stage: str | None = None) -> None:
        super().__init__()
        self.guides = list(guides)
        self.question = question
        self.guide_id = question.guide_id if question else guide_id
        self.stage = question.stage if question else stage

    def compose(self) -> ComposeResult:
        question = self.question
        title = "Edit the question" if question else "A question of your own"
        with Vertical(id="question-dialog", classes="dialog"):
            yield Static(self.keys_hint(f"{title}  ·  Tab moves"), classes="dialog-title",
                         markup=False)
            yield Input(editable(question.text) if question else "", id="question-text",
                        placeholder="e.g. What gave you energy this week?")
            if question is None:
                with Horizontal(id="question-where"):
                    with Vertical():
                        yield Label("Guide")
                        yield OptionList(*[Option(name, id=gid) for gid, name, _ in self.guides],
                                         id="question-guide", markup=False)
                    with Vertical():
                        yield Label("Stage")
                        yield WrappingOptionList(id="question-stage", markup=False)
            yield Label("", id="question-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="question-save", classes="save")
                yield Button("Cancel", id="question-cancel", classes="cancel")

    def on_mount(self) -> None:
        if self.question is None and self.guides:
            ids = [gid for gid, _, _ in self.guides]
            self.query_one("#question-guide", OptionList).highlighted = \
                ids.index(self.guide_id) if self.guide_id in ids else 0

    @on(OptionList.OptionHighlighted, "#question-guide")
    def guide_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        stages = next((s for gid, _, s in self.guides if gid == event.option.id), [])
        options = self.query_one("#question-stage", OptionList)
        options.clear_options()
        options.add_options([Option(title, id=key) for key, title in stages])
        keys = [key for key, _ in stages]
        if keys:
            options.highlighted = keys.index(self.stage) if self.stage in keys else 0

    def picked(self, widget_id: str) -> str | None:
        options = self.query_one(widget_id, OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def keeper_now(self) -> Keeper | None:
        """Kept in the bank for the guide and stage chosen (an edit: beside the question)."""
        guide, stage = (self.question.guide_id, self.question.stage) if self.question else \
            (self.picked("#question-guide"), self.picked("#question-stage"))
        if guide is None or stage is None:
            return None  # no guide installed: nowhere in the bank to keep it
        name, stages = next(((n, dict(s)) for gid, n, s in self.guides if gid == guide),
                            (guide, {}))
        return Keeper.question(guide, stage, f"{name} · {stages.get(stage, stage)}",
                               beside=self.question is not None)

    def save(self) -> None:
        typed = self.query_one("#question-text", Input).value
        text = " ".join((as_edited(typed, self.question.text) if self.question else typed).split())
        error = self.query_one("#question-error", Label)
        if not text:
            error.update("Type the question first.")
            self.query_one("#question-text", Input).focus()
            return
        if self.question is not None:
            self.dismiss((self.question.guide_id, self.question.stage, text))
            return
        guide, stage = self.picked("#question-guide"), self.picked("#question-stage")
        if guide is None or stage is None:
            error.update("Choose the guide and the stage it is for.")
            return
        self.dismiss((guide, stage, text))


def guide_stages(guides: Sequence["Guide"]) -> list[GuideStages]:
    return [(g.id, g.name, [(s.key, s.title) for s in g.stages]) for g in guides]


class QuestionBankScreen(SectionScreen):
    TITLE = "Question bank"
    AUTO_FOCUS = "#question-bank-table"
    HELP = ("Your own questions, per guide and stage: a session shows them beside the guide's "
            "suggested questions, marked as yours. **{new-question}** adds one, **{edit}** edits "
            "the highlighted one (or **⏎**), **{delete}** deletes it after a confirmation.")
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "add", "Add", id="new-question"),
        Binding("e,ctrl+e", "edit", "Edit", id="edit"),
        Binding("delete,ctrl+d", "delete", "Delete", id="delete"),
        SEARCH,
        *SECTION_KEYS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Question] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="question-bank"):
            yield Static("Loading…", id="question-bank-status", markup=False)
            yield BrowseTable(id="question-bank-table")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (where a question typed in its dialog is kept)."""
        return QuestionBankScreen

    def on_resize(self) -> None:
        if self.width_changed():  # cut again only for another width: at 80 columns a
            self.show(self.questions)  # question cut to fit stayed cut when widened to 160

    def load(self) -> None:
        self.load_from_store(lambda store: store.questions(), self.show, group="questions-load")

    def names(self) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
        """Guide names and stage titles, from the guides installed."""
        guides, stages = {}, {}
        for guide in self.app.catalog.guides:
            guides[guide.id] = guide.name
            for stage in guide.stages:
                stages[(guide.id, stage.key)] = stage.title
        return guides, stages

    def show(self, questions: "list[Question]") -> None:
        guides, stages = self.names()
        order = {gid: i for i, gid in enumerate(guides)}
        self.questions = sorted(questions, key=lambda q: (order.get(q.guide_id, len(order)),
                                                          q.guide_id, q.stage))
        self.loaded = True
        self.filled_width = self.size.width
        table = self.query_one("#question-bank-table", BrowseTable)
        rows = [(clip(guides.get(q.guide_id, q.guide_id), 20),
                 clip(stages.get((q.guide_id, q.stage), q.stage), 20), q) for q in self.questions]
        # the question gets what the guide and stage columns leave (as wide as their longest
        # names, each column padded by 2, and the scrollbar): at 80 columns a question was cut
        # at 28 characters beside 25 empty columns, as if both names were 20 long
        guide_width = max([cell_len("Guide"), *(cell_len(guide) for guide, _, _ in rows)])
        stage_width = max([cell_len("Stage"), *(cell_len(stage) for _, stage, _ in rows)])
        room = max(20, (self.size.width or 80) - guide_width - stage_width - 8)
        with table.refilled("Guide", "Stage", "Question"):
            for guide, stage, q in rows:
                table.add_row(Text(guide), Text(stage), Text(clip(q.text, room)), key=q.id)
        count = len(self.questions)
        status = f"{plural(count, 'question')} of your own" if count else \
            with_keys(self.app, "No questions of your own yet: {new-question} adds one (in a "
                      "session, save one you asked).", self)
        self.query_one("#question-bank-status", Static).update(status)

    def highlighted(self) -> "Question | None":
        key = self.query_one("#question-bank-table", BrowseTable).selected_key()
        return next((q for q in self.questions if q.id == key), None)

    def change(self, write: Callable[["Store"], object], done: str) -> None:
        try:
            write(self.store)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(done, timeout=2)
        self.load()

    def action_add(self) -> None:
        current = self.highlighted()

        def added(result: tuple[str, str, str] | None) -> None:
            if result is not None:
                guide, stage, text = result
                self.change(lambda store: store.add_question(guide, stage, text),
                            "question saved to your bank")

        self.app.push_screen(QuestionDialog(
            guide_stages(self.app.catalog.guides), guide_id=current.guide_id if current else None,
            stage=current.stage if current else None), added)

    @on(DataTable.RowSelected, "#question-bank-table")
    def action_edit(self) -> None:
        question = self.highlighted()
        if question is None:
            return

        def edited(result: tuple[str, str, str] | None) -> None:
            if result is not None and question is not None:
                text = result[2]
                self.change(lambda store: store.update_question(question.id, text),
                            "question saved")

        self.app.push_screen(QuestionDialog(guide_stages(self.app.catalog.guides), question),
                             edited)

    def action_delete(self) -> None:
        question = self.highlighted()
        if question is None:
            return
        from tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change(lambda store: store.delete_question(question.id),
                            "question deleted")

        self.app.push_screen(ConfirmScreen("Delete this question?", f"“{clip(question.text, 60)}” "
                                           "leaves your bank; sessions no longer offer it.",
                                           confirm="Delete"), confirmed)

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [Command("Add a question", "To your bank, for a guide and stage", self.action_add,
                        "new-question"),
                Command("Edit the question", "The highlighted one", self.action_edit, "edit"),
                Command("Delete the question", "After a confirmation", self.action_delete,
                        "delete")]
