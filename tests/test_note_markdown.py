"""Notes drawn as Markdown in the app: lists render, links and bare addresses stay text that
nothing opens."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from tui.widgets.note_markdown import NoteMarkdown, note_parser

NOTE = "- one\n- *two*\nsee example.com and www.example.org\n[site](https://evil.example/x)"


def test_bare_addresses_are_not_linked_and_lists_are_lists():
    tokens = [t.type for t in note_parser().parse(NOTE)]
    children = [c.type for t in note_parser().parse(NOTE) for c in (t.children or [])]
    assert "bullet_list_open" in tokens and "em_open" in children
    assert children.count("link_open") == 1  # the typed [site](...) only, not the domains


async def test_a_clicked_link_in_a_note_opens_nothing():
    opened: list[str] = []

    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield NoteMarkdown(NOTE)

        def open_url(self, url: str, *, new_tab: bool = True) -> None:
            opened.append(url)

    app = Probe()
    async with app.run_test() as pilot:
        view = app.query_one(NoteMarkdown)
        view.post_message(Markdown.LinkClicked(view, "https://evil.example/x"))
        await pilot.pause()
        plain = app.query_one(Markdown)
        assert plain is view
    assert opened == []
