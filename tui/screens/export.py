"""Export dialog: choose format and kind, see exactly what will be written, where, and confirm."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static, TextArea

FORMATS = (("md", "Markdown"), ("html", "HTML"), ("json", "JSON"))
KINDS = (("summary", "Summary to share"), ("full", "Full record"))


def default_directory() -> Path:
    import platformdirs

    path = Path(platformdirs.user_documents_dir())
    return path if path.is_dir() else Path.home()


class ExportScreen(ModalScreen[str | None]):
    """Dismisses with the path written, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("ctrl+e", "export", "Write file", priority=True)]

    def __init__(self, *, session_ids: list[str] | None = None, person_id: str | None = None,
                 directory: Path | None = None) -> None:
        super().__init__()
        self.session_ids = list(session_ids or [])
        self.person_id = person_id
        self.directory = directory
        self.doc = None
        self._touched_path = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static("Export  ·  ctrl+e writes · Esc cancels", classes="dialog-title")
            with Horizontal(classes="export-options"):
                with RadioSet(id="export-format"):
                    for key, label in FORMATS:
                        yield RadioButton(label, value=key == "md", name=key)
                with RadioSet(id="export-kind"):
                    for key, label in KINDS:
                        yield RadioButton(label, value=key == "summary", name=key)
                yield Checkbox("Include private notes", id="export-private")
            yield Label("Preview: exactly what will be written")
            yield TextArea("", id="export-preview", read_only=True, soft_wrap=True,
                           show_line_numbers=False)
            yield Label("Destination (a new file; never overwritten)")
            yield Input(id="export-path")
            yield Static("", id="export-warning", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Write file", variant="primary", id="export-write")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.refresh_preview()

    def options(self) -> tuple[str, str, bool]:
        fmt = self.query_one("#export-format", RadioSet).pressed_button
        kind = self.query_one("#export-kind", RadioSet).pressed_button
        return (fmt.name if fmt else "md", kind.name if kind else "summary",
                self.query_one("#export-private", Checkbox).value)

    def scope(self):
        from store.export import Scope

        if self.session_ids:
            return Scope.sessions(*self.session_ids)
        if self.person_id:
            return Scope.person(self.person_id)
        return Scope.all()

    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def options_changed(self) -> None:
        self.refresh_preview()

    @on(Input.Changed, "#export-path")
    def path_edited(self, event: Input.Changed) -> None:
        if self.doc is not None and event.value != str(self.default_path()):
            self._touched_path = True

    def default_path(self) -> Path:
        directory = self.directory or default_directory()
        return directory / (self.doc.filename_hint if self.doc else "rapport-export.md")

    @work(thread=True, exclusive=True, group="export-render")
    def refresh_preview(self) -> None:
        from store.export import render

        fmt, kind, private = self.options()
        doc = render(self.app.store, self.scope(), fmt, kind, private, tz=None)
        self.app.call_from_thread(self.show_preview, doc)

    def show_preview(self, doc) -> None:
        self.doc = doc
        self.query_one("#export-preview", TextArea).load_text(doc.text)
        if not self._touched_path:
            self.query_one("#export-path", Input).value = str(self.default_path())
        warning = (f"Plaintext: {doc.count} session(s), {doc.scope_label}. Anyone who can read "
                   "the file can read it.")
        if doc.has_private:
            warning += " It includes PRIVATE material."
        self.query_one("#export-warning", Static).update(warning)

    @on(Button.Pressed, "#export-write")
    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        if self.doc is None:
            return
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#export-warning", Static).update("Choose where to write the file.")
            return
        self.write(Path(path).expanduser(), self.doc)

    @work(thread=True, exclusive=True, group="export-write")
    def write(self, path: Path, doc) -> None:
        from store.errors import RapportError
        from store.export import write_export

        try:
            write_export(path, doc.data, store=self.app.store, doc=doc)
        except RapportError as exc:
            self.app.call_from_thread(self.query_one("#export-warning", Static).update, str(exc))
            return
        self.app.call_from_thread(self.done, path)

    def done(self, path: Path) -> None:
        self.app.notify(f"written to {path} (0600)", timeout=4)
        self.dismiss(str(path))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
