"""Interview programmes: every programme, running ones first, closed ones after them and said
so; ``ctrl+n`` creates one, Enter opens it (:class:`tui.screens.programme.ProgrammeScreen`),
``c`` closes its round (or reopens it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store import RapportError
from store import DEFAULT_THEMES, Programme
from tui.commands import Command
from tui.format import day, plural, records
from tui.keys import with_keys
from tui.screens.sections import SEARCH, SECTION_KEYS, SectionScreen
from tui.widgets.browse import clip
from tui.widgets.footer import Footer

if TYPE_CHECKING:  # pragma: no cover
    from store import Store


def read_programmes(store: "Store") -> list[tuple[Programme, str, int, int]]:
    """Every programme with its interviews, tags and strategy items counted; the interviews
    of one whose raw notes were destroyed as "kept (3)": its kept synthesis has them."""
    from store import kept_synthesis

    def interviews(programme: Programme) -> str:
        kept = kept_synthesis(store, programme.id)
        return f"kept ({kept['interviews']['sessions']})" if kept is not None else \
            str(len(store.summaries(programme_id=programme.id)))

    return [(p, interviews(p), len(store.tags(programme_id=p.id)),
             len(store.strategy_items(p.id)))
            for p in sorted(store.programmes(), key=lambda p: p.closed_at is not None)]


class ProgrammesScreen(SectionScreen):
    TITLE = "Programmes"
    AUTO_FOCUS = "#programme-list"
    BINDINGS = [
        Binding("ctrl+n", "new_programme", "New programme", id="new-programme"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("e,ctrl+e", "edit", "Edit", id="edit"),
        # the status line says it: in the footer it pushed Help out at 80 columns
        Binding("c", "close_programme", "Close/reopen", id="close-programme", show=False),
        Binding("delete,ctrl+d", "delete", "Delete", id="delete", show=False),
        Binding("escape", "back", "Back", id="back"),
        SEARCH,
        *SECTION_KEYS,
    ]
    HELP = ("A programme groups leadership interviews: its themes, tagged passages, synthesis, "
            "strategy and per-leader reports. **{new-programme}** creates one, **{open}** opens "
            "it, **{edit}** renames it or changes its purpose (a programme kept at a lock: its "
            "name without the mark). *kept (3)* under Interviews: its raw notes were "
            "destroyed, its synthesis of 3 interviews is kept. **{close-programme}** closes "
            "the highlighted programme when its round of interviews is over (listed after the "
            "running ones, still opened and exported; no new interview starts in it) or "
            "reopens a closed one. When its 360 is over, "
            "**{delete}** deletes it with its "
            "interviews, roster, strategy and kept synthesis (the people stay), after a "
            "confirmation, once its synthesis is exported.")

    def compose(self) -> ComposeResult:
        with Vertical(id="programmes"):
            yield Static("Programmes: leadership interviews and their synthesis",
                         classes="pane-title")
            table: DataTable[str] = DataTable(id="programme-list", cursor_type="row",
                                              zebra_stripes=True)
            for key, label in (("name", "Name"), ("interviews", "Interviews"), ("tags", "Tags"),
                               ("strategy", "Strategy"), ("status", "Status"),
                               ("purpose", "Purpose")):
                table.add_column(label, key=key)
            yield table
            yield Static("", id="programmes-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reopener(self) -> Callable[[], Screen[Any]]:
        """How to come back here after a lock (where a new programme typed is kept)."""
        return ProgrammesScreen

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self, follow: str | None = None) -> None:
        """``follow``: the programme the cursor stays on (closing one moves it in the list)."""
        self.load_from_store(read_programmes, lambda rows: self.show_rows(rows, follow),
                             group="programmes-load")

    def show_rows(self, rows: list[tuple[Programme, str, int, int]],
                  follow: str | None = None) -> None:
        table = self.query_one("#programme-list", DataTable)
        keep = table.cursor_row
        table.clear()
        for p, sessions, tags, items in rows:
            state = Text("running") if p.closed_at is None else \
                Text(f"closed {day(p.closed_at)}", style="dim")
            # Text, not str: a DataTable reads a str cell as markup ("[red]" in a name styled
            # the row); clip shows a control as the lists do (a BEL as ␇, not dropped)
            table.add_row(Text(clip(p.name, 40)), sessions, str(tags), str(items), state,
                          Text(clip(p.purpose, 40)), key=p.id)
        keys = [p.id for p, *_ in rows]
        if rows:
            table.move_cursor(row=keys.index(follow) if follow in keys
                              else min(keep, len(rows) - 1))
        closed = sum(1 for p, *_ in rows if p.closed_at is not None)
        status = (plural(len(rows), "programme") + (f", {closed} closed" if closed else "")
                  + with_keys(self.app, "  ·  {close-programme} closes a finished round "
                              "(or reopens it)", self)) if rows else \
            with_keys(self.app, "No programmes yet: {new-programme} creates one.", self)
        self.query_one("#programmes-status", Static).update(status)

    def highlighted(self) -> str | None:
        table = self.query_one("#programme-list", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#programme-list")
    def action_open(self) -> None:
        key = self.highlighted()
        from tui.screens.programme import ProgrammeScreen

        if key is not None:
            self.app.push_screen(ProgrammeScreen(key))

    def action_edit(self) -> None:
        """The highlighted programme's name, purpose and guide (one kept at a lock: offered
        without the mark, so that saving makes it the programme meant; the guide only while
        no interview of it has started)."""
        from tui.screens.new_programme import NewProgrammeDialog

        key = self.highlighted()
        if key is None:
            return
        try:
            programme = self.store.programme(key)
            names = [p.name for p in self.store.programmes() if p.id != key]
            started = self.store.programme_started(key)
        except RapportError as exc:
            self.notify(str(exc), severity="error")
            return

        def edited(values: dict[str, Any] | None) -> None:
            if not values:
                return
            guide = values.get("guide_id")
            changes = {"guide_id": guide} if guide and guide != programme.guide_id else {}
            try:
                saved = self.store.update_programme(key, name=values["name"],
                                                    purpose=values["purpose"], **changes)
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"programme {saved.name} saved", timeout=2, markup=False)
            self.reload()

        self.app.push_screen(NewProgrammeDialog(names, programme, guides=self.interview_guides(),
                                                started=started), edited)

    def action_close_programme(self) -> None:
        """Closes the highlighted programme's round (a closed one: reopens it). Nothing is
        lost either way, so nothing is asked."""
        key = self.highlighted()
        if key is None:
            return
        try:
            programme = self.store.programme(key)
            if programme.closed_at is None:
                programme = self.store.close_programme(key)
                said = with_keys(self.app, "programme {name} closed: no new interviews in "
                                 "it ({close-programme} reopens it)", self, name=programme.name)
            else:
                programme = self.store.reopen_programme(key)
                said = f"programme {programme.name} reopened"
        except RapportError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(said, timeout=3, markup=False)
        self.reload(follow=key)

    def action_delete(self) -> None:
        """The highlighted programme, its 360 over: once its synthesis is exported (an empty
        programme at once), after a confirmation that says what goes."""
        from tui.screens.confirm import ConfirmScreen

        key = self.highlighted()
        if key is None:
            return
        try:
            programme = self.store.programme(key)
            goes = self.store.about_programme(key)
            exported = self.store.synthesis_exported(key)
        except RapportError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if goes.keys() & {"sessions", "strategy"} and not exported:
            from tui.screens.programme import ProgrammeScreen

            how = with_keys(self.app, "{open} opens it, then {export}", self, ProgrammeScreen)
            self.notify(f"export the synthesis of {programme.name} first ({how}); nothing was "
                        "deleted", severity="warning", timeout=6, markup=False)
            return

        def deleted(_: object) -> None:
            self.notify(f"programme {programme.name} deleted", timeout=3, markup=False)
            self.reload()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.load_from_store(lambda store: store.delete_programme(key), deleted,
                                     group="programme-delete")

        parts = records(goes, leave_out="programmes")
        self.app.push_screen(ConfirmScreen(
            f"Delete the programme {programme.name}?",
            f"This deletes it{' with ' + parts if parts else ''}; the people stay. It cannot be "
            "undone.", confirm="Delete"), confirmed)

    def action_new_programme(self) -> None:
        from tui.screens.dialog import Keeper
        from tui.screens.new_programme import NewProgrammeDialog

        store = self.app.store
        names = [p.name for p in store.programmes()] if store else []

        def add(store: "Store", values: dict[str, Any]) -> Programme:
            guide = values.get("guide_id") or "leadership-interview"
            if self.app.catalog.get(guide) is None:
                guide = self.app.config.default_guide
            return store.add_programme(values["name"], purpose=values["purpose"], guide_id=guide,
                                       themes=(*DEFAULT_THEMES, *values["themes"]))

        def created(values: dict[str, Any] | None) -> None:
            if not values:
                return
            try:
                programme = add(self.store, values)
            except RapportError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"programme {programme.name} created", timeout=2, markup=False)
            from tui.screens.programme import ProgrammeScreen

            self.app.push_screen(ProgrammeScreen(programme.id))

        dialog = NewProgrammeDialog(names, guides=self.interview_guides())
        dialog.keeper = Keeper("in a new programme, its name marked as kept",
                               lambda store, text, when: add(store, dialog.values(kept=when)))
        self.app.push_screen(dialog, created)

    def interview_guides(self) -> list[tuple[str, str]]:
        """The guides a programme's interviews can use, (id, name)."""
        return [(g.id, g.name) for g in self.app.catalog.interviews]

    def action_back(self) -> None:
        self.app.pop_screen()

    def own_commands(self) -> list[Command]:
        return [Command("New programme", "Leadership interviews and their synthesis",
                        self.action_new_programme, "new-programme"),
                Command("Edit the programme", "The highlighted one: its name, purpose, guide",
                        self.action_edit, "edit"),
                Command("Close or reopen the programme",
                        "The highlighted one: its round of interviews over (or not)",
                        self.action_close_programme, "close-programme"),
                Command("Delete the programme", "The highlighted one, its 360 over",
                        self.action_delete, "delete")]
