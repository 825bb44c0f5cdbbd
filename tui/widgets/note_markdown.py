"""Notes shown as Markdown in the app, as the exports show them: typed lists and emphasis render,
while a link, an image or a bare address stays text that nothing opens (a note can hold any URL:
the app never follows one)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Markdown


def note_parser() -> MarkdownIt:
    """GitHub-like Markdown (tables), a new line in a note kept, bare addresses not linked."""
    return MarkdownIt("gfm-like", {"breaks": True, "linkify": False})


class NoteMarkdown(Markdown):
    """A Markdown view of notes whose links are never opened."""

    def __init__(self, markdown: str | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(markdown, name=name, id=id, classes=classes,
                         parser_factory=note_parser, open_links=False)
