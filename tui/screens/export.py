"""The one export dialog: choose the options, see exactly what will be written, where, and confirm.

:class:`ExportScreen` serves every export. What differs is passed in: which option controls are
shown (format; kind and private only for session exports), a ``render`` callable that turns the
chosen options into a :class:`Preview` (the text, a file name, the plaintext warning) and a
``write`` callable that writes exactly that preview. Both run in thread workers and are handed
the app's open store; the dialog itself never reads or writes the vault.

``ExportScreen(session_ids=...)`` / ``ExportScreen(person_id=...)`` is the session export
(:func:`session_export`); :func:`export_dialog` is the export of a programme synthesis or a
leader report.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, NamedTuple, Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static, TextArea
from textual.widgets.input import Selection
from textual.worker import get_current_worker

from store import RapportError
from tui.format import plural
from tui.keys import with_keys
from tui.screens.dialog import Dialog
from tui.widgets.choice import ChoiceSet

if TYPE_CHECKING:
    from store import Store

FORMATS = (("md", "Markdown"), ("html", "HTML"), ("json", "JSON"))
KINDS = (("summary", "Summary to share"), ("full", "Full record"))
CONTROLS = ("format", "kind", "private")  # every option control, in the order shown


class ExportOptions(NamedTuple):
    """What the option controls say (those not shown keep their defaults)."""

    fmt: str = "md"
    kind: str = "summary"
    private: bool = False
    facilitator: str = "Facilitator"  # how items of yours are owned (config: facilitator_name)


class Preview(NamedTuple):
    """One rendering: ``text`` is exactly what gets written."""

    text: str
    filename: str  # the suggested file name
    warning: str  # the plaintext warning: says so when PRIVATE or named material is in it
    source: Any = None  # whatever ``write`` needs besides the text (e.g. the ExportDoc)


RenderFn = Callable[["Store", ExportOptions], Preview]
WriteFn = Callable[["Store", Path, ExportOptions, Preview], object]


def default_directory() -> Path:
    import platformdirs

    path = Path(platformdirs.user_documents_dir())
    return path if path.is_dir() else Path.home()


# ---------------------------------------------------------------------- session exports


def session_export(session_ids: Sequence[str] = (), person_id: str | None = None,
                   ) -> tuple[RenderFn, WriteFn]:
    """``render`` and ``write`` for the sessions given, else one person's, else everything."""
    return partial(_render_sessions, tuple(session_ids), person_id), _write_sessions


def _render_sessions(session_ids: tuple[str, ...], person_id: str | None, store: "Store",
                     options: ExportOptions) -> Preview:
    from store import Scope, render_export as render

    if session_ids:
        scope = Scope.sessions(*session_ids)
    elif person_id:
        scope = Scope.person(person_id)
    else:
        scope = Scope.all()
    doc = render(store, scope, options.fmt, options.kind, options.private, tz=None,
                 facilitator=options.facilitator)
    count = plural(doc.count, "session")
    if not session_ids:  # whose (the sessions chosen are the ones on screen)
        count = f"{doc.scope_label[:1].upper()}{doc.scope_label[1:]}: {count}"
    warning = f"⚠ Plaintext outside the vault: anyone with the file can read it. {count}."
    if doc.has_private:
        warning += " It includes PRIVATE material."
    return Preview(doc.text, doc.filename_hint, warning, doc)


def _write_sessions(store: "Store", path: Path, options: ExportOptions, preview: Preview) -> None:
    from store import write_export

    doc = preview.source
    write_export(path, doc.data, store=store, doc=doc)


# ---------------------------------------------------------------------- programme exports


def export_dialog(doc: Mapping[str, Any], *, directory: Path | None = None,
                  fmt: str = "md") -> "ExportScreen":
    """The export dialog for a programme synthesis or a leader report (format is the one option).

    Renders with :func:`store.synthesis.render` and writes with
    :func:`store.synthesis.write_report`, which checks the text is still what was previewed.
    """
    what = "leader report" if doc["kind"] == "leader" else "programme synthesis"
    warning = ("⚠ Plaintext, outside the vault. Named: it identifies interviewees."
               if not doc["anonymised"] else
               "⚠ Plaintext, outside the vault: anyone who gets the file can read it.")

    def render(store: "Store", options: ExportOptions) -> Preview:
        from store import render_report as render, report_filename as filename_hint

        return Preview(render(doc, options.fmt), filename_hint(doc, options.fmt), warning)

    def write(store: "Store", path: Path, options: ExportOptions, preview: Preview) -> None:
        from store import write_report

        write_report(store, path, doc, options.fmt, text=preview.text)

    return ExportScreen(render, write, title=f"Export the {what}", directory=directory, fmt=fmt)


# ---------------------------------------------------------------------- the dialog


class ExportScreen(Dialog[str | None]):
    """Preview of exactly the bytes to be written, the destination, a warning; then writes.

    Dismisses with the path written, or None when cancelled. The file is new, mode 0600, and
    never replaces anything. A relative destination is taken inside ``directory``: by default the
    folder the last export went to (kept in the state file beside the config, see
    :mod:`tui.state`), else the documents folder (home when there is none); the dialog
    says so, and that ``rapport export`` writes elsewhere. On a small terminal
    (80x24) the dialog takes the whole screen and the preview most of it.
    """

    BINDINGS = [Binding("ctrl+e", "save", "Write file", id="export-write",
                        priority=True)]  # over Input's "end"
    AUTO_FOCUS = "#export-path"
    SAVE_VERB = "writes"

    def __init__(self, render: RenderFn | None = None, write: WriteFn | None = None, *,
                 title: str = "Export", controls: Collection[str] = ("format",),
                 fmt: str = "md", directory: Path | None = None,
                 session_ids: Sequence[str] | None = None, person_id: str | None = None) -> None:
        """``render``/``write``: see the module. Without them it is the session export of
        ``session_ids``, else ``person_id``'s sessions, else everything, with every control."""
        super().__init__()
        self.session_ids = list(session_ids or [])
        self.person_id = person_id
        if (render is None) != (write is None):
            raise TypeError("pass both render and write, or neither (a session export)")
        if render is None or write is None:
            render, write = session_export(self.session_ids, person_id)
            controls = CONTROLS
        unknown = set(controls) - set(CONTROLS)
        if unknown:
            raise ValueError(f"unknown export controls: {', '.join(sorted(unknown))}")
        self.render_fn = render
        self.write_fn = write
        self.title_text = title
        self.controls = tuple(c for c in CONTROLS if c in controls)
        self.initial = ExportOptions(fmt=fmt)
        self.given_directory = directory
        self.preview: Preview | None = None  # what the preview shows, once rendered
        self.shown_options: ExportOptions | None = None
        self.preview_filename = ""  # the name the preview suggested, to follow format changes
        self._generation = 0
        self._writing = False
        self.size_text = "Preparing the preview…"

    @property
    def directory(self) -> Path:
        """Where a file name alone goes: as given, else the last export's folder (this run's,
        else the one kept in the state file), else the documents folder."""
        if self.given_directory is not None:
            return self.given_directory
        return self.remembered() or default_directory()

    def remembered(self) -> Path | None:
        """The folder the last export went to, if it is still there (read from the state file
        once a run, then kept on the app)."""
        from tui.state import load_export_folder

        app = self.app
        if app.export_directory is None:
            app.export_directory = load_export_folder(app.paths.config_dir)
        folder = app.export_directory
        return folder if folder is not None and folder.is_dir() else None

    def where(self, raw: str = "") -> str:
        """Which folder the file goes to, and why (a file name alone: the dialog's folder); and
        where the command writes. ``raw``: the destination as typed."""
        directory = self.directory
        home = Path.home()
        typed = Path(raw).expanduser().parent if raw else directory
        typed = typed if typed.is_absolute() else directory / typed
        if typed != directory:
            directory = typed
        shown = f"~/{directory.relative_to(home)}" if directory.is_relative_to(home) \
            and directory != home else "~" if directory == home else str(directory)
        if directory != self.directory:
            return f"In {shown}, as typed"
        if self.given_directory is not None:
            why = f"In {shown}"
        elif directory == self.remembered():
            why = f"In {shown}, where the last export went"
        elif directory == home:
            why = f"In {shown}: there is no Documents folder"
        else:
            why = f"In {shown}, the app's default"
        return f"{why} · 'rapport export': the current folder"

    def on_resize(self) -> None:
        width, height = self.app.size
        self.set_class(height < 32 or width < 100, "-compact")
        self.show_size(self.size_text)

    def show_size(self, text: str) -> None:
        """What the preview is (its size), above it; on a small terminal in its border, to give
        the preview that line."""
        self.size_text = text
        self.query_one("#export-size", Static).update(text)
        compact = self.has_class("-compact")
        self.query_one("#export-preview", TextArea).border_title = text if compact else None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(with_keys(self.app, "{title}  ·  {export-write} or {dialog-save} "
                                   "writes · {cancel} cancels", self, title=self.title_text),
                         classes="dialog-title", markup=False)
            with Vertical(id="export-options"):
                if "format" in self.controls:
                    with ChoiceSet(id="export-format"):
                        for key, label in FORMATS:
                            yield RadioButton(label, value=key == self.initial.fmt, name=key)
                if "kind" in self.controls:
                    with ChoiceSet(id="export-kind"):
                        for key, label in KINDS:
                            yield RadioButton(label, value=key == self.initial.kind, name=key)
                if "private" in self.controls:
                    yield Checkbox("Include private notes", self.initial.private,
                                   id="export-private")
            yield Static("Preparing the preview…", id="export-size", classes="hint", markup=False)
            yield TextArea("", id="export-preview", read_only=True, soft_wrap=True,
                           show_line_numbers=False)
            with Horizontal(id="export-destination"):  # the buttons beside it: a line saved
                yield Label("New file", classes="label")
                yield Input(id="export-path", placeholder=str(self.directory))
                yield Button("Write file", variant="primary", id="export-write", classes="save")
                yield Button("Cancel", id="export-cancel", classes="cancel")
            yield Static(self.where(), id="export-where", classes="hint", markup=False)
            yield Static("", id="export-warning", markup=False)
            yield Static("", id="export-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.on_resize()
        self.refresh_preview()

    # ------------------------------------------------------------------ options and preview
    def options(self) -> ExportOptions:
        values = self.initial._asdict()
        for control, field in (("format", "fmt"), ("kind", "kind")):
            if control in self.controls:
                pressed = self.query_one(f"#export-{control}", RadioSet).pressed_button
                if pressed is not None and pressed.name:
                    values[field] = pressed.name
        if "private" in self.controls:
            values["private"] = self.query_one("#export-private", Checkbox).value
        values["facilitator"] = self.app.config.facilitator_name
        return ExportOptions(**values)

    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def options_changed(self) -> None:
        self.refresh_preview()

    def refresh_preview(self) -> None:
        """Renders the current options in a worker; nothing can be written until it shows."""
        self._generation += 1
        self.preview = None
        self.show_size("Preparing the preview…")
        self.error("")
        self.render_preview(self._generation, self.options())

    @work(thread=True, exclusive=True, group="export-render")
    def render_preview(self, generation: int, options: ExportOptions) -> None:
        store = self.app.store
        try:
            if store is None:
                raise RapportError("the vault is locked")
            preview = self.render_fn(store, options)
        except RapportError as exc:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.render_failed, generation, str(exc))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_preview, generation, options, preview)

    def render_failed(self, generation: int, message: str) -> None:
        if self.is_attached and generation == self._generation:
            self.show_size("Nothing to write.")
            self.error(message)

    def show_preview(self, generation: int, options: ExportOptions, preview: Preview) -> None:
        if not self.is_attached or generation != self._generation:
            return  # closed, or the options changed since: a newer rendering is on its way
        old = self.preview_filename
        self.preview, self.shown_options = preview, options
        self.preview_filename = preview.filename
        size = len(preview.text.encode("utf-8"))
        self.show_size(f"Preview: exactly these {size:,} byte{'' if size == 1 else 's'} are "
                       "written")
        self.query_one("#export-preview", TextArea).load_text(preview.text)
        self.query_one("#export-warning", Static).update(preview.warning)
        field = self.query_one("#export-path", Input)
        raw = field.value.strip()
        if not raw:
            field.value = str(self.directory / preview.filename)
            # the folder first: at 80x24 a path is wider than the field, and the cursor at its
            # start keeps where the file goes in view (end shows the name); focused before it
            # had a value, typing replaces it, as on focus
            end = len(field.value) if field.has_focus else 0
            field.selection = Selection(end, 0)
        elif old and Path(raw).name == old:  # the name still the suggested one: follow the format
            field.value = str(Path(raw).with_name(preview.filename))

    @on(Input.Changed, "#export-path")
    def follow_destination(self, event: Input.Changed) -> None:
        """The line below the field names the folder of what is typed, whole (the field
        shows a part of a long path)."""
        self.query_one("#export-where", Static).update(self.where(event.value.strip()))

    # ------------------------------------------------------------------ writing
    def destination(self) -> Path | None:
        """The checked destination, or None (with the reason shown)."""
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw or raw == "-":
            self.error("Type where to write the file.")
            return None
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.directory / path
        if path.exists() or path.is_symlink():
            self.error(f"{path} already exists; exports never overwrite. Choose another name.")
            return None
        if not path.parent.is_dir():
            self.error(f"There is no folder {path.parent}.")
            return None
        return path

    def draft(self) -> tuple[object, ...]:
        """The destination, when typed (not the name the preview suggested)."""
        raw = self.query_one("#export-path", Input).value.strip()
        return (raw if raw and raw != self.suggested_path() else "",)

    def suggested_path(self) -> str:
        """The destination the preview suggested ("" before it shows)."""
        return str(self.directory / self.preview_filename) if self.preview_filename else ""

    def typing_replaces(self, field: Input | TextArea) -> bool:
        """A letter typed on a button replaces the suggested path, as typing in the field
        just focused does (a path half typed is added to)."""
        return super().typing_replaces(field) or (
            isinstance(field, Input) and field.id == "export-path"
            and field.value.strip() == self.suggested_path())

    def save(self) -> None:
        if self._writing:
            return
        if self.preview is None or self.shown_options is None:
            self.error("The preview is not ready yet.")
            return
        path = self.destination()
        if path is None:
            return
        self.error("")
        self._writing = True
        self.query_one("#export-write", Button).disabled = True
        self.write(path, self.shown_options, self.preview)

    @work(thread=True, exclusive=True, group="export-write")
    def write(self, path: Path, options: ExportOptions, preview: Preview) -> None:
        store = self.app.store
        try:
            if store is None:
                raise RapportError("the vault is locked")
            self.write_fn(store, path, options, preview)
        except RapportError as exc:
            self.app.call_from_thread(self.write_failed, str(exc))
            return
        self.remember(path.parent)
        self.app.call_from_thread(self.written, path)

    def remember(self, folder: Path) -> None:
        """Keeps ``folder`` in the state file for the next run (in a worker: not being able to
        write it loses only that)."""
        from tui.state import save_export_folder

        try:
            save_export_folder(self.app.paths.config_dir, folder)
        except OSError:
            pass

    def write_failed(self, message: str) -> None:
        if not self.is_attached:
            return
        self._writing = False
        self.query_one("#export-write", Button).disabled = False
        self.error(message)

    def written(self, path: Path) -> None:
        self.app.export_directory = path.parent  # the next export offers the same folder
        self.app.notify(f"wrote {path} (plaintext, 0600)", timeout=4)
        if self.is_attached:
            self.dismiss(str(path))

    def error(self, text: str) -> None:
        field = self.query_one("#export-error", Static)
        field.update(text)
        field.display = bool(text)
