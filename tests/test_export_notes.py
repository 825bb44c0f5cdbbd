"""A note in an export is Markdown as typed: its lists and emphasis are lists and emphasis in the
Markdown and the HTML export; its links and images stay text; its headings sit under the
session's; names and titles stay escaped."""

from __future__ import annotations

from store import export

NOTE = ("Agreed:\n- *ship* the pilot\n- **review** in May\n\n# Next\n"
        "[the doc](https://evil.test) ![chart](https://evil.test/c.png)")


def _session(store):
    person = store.add_person("Ana *A* <b>")
    session = store.start_session(person.id, {"id": "g", "name": "G", "stages": [
        {"key": "a", "title": "Stage # one", "minutes": 2}]}, title="Weekly [x](y)")
    store.save_note(session.id, "a", NOTE)
    store.end_session(session.id)
    return session


def test_markdown_export_keeps_a_notes_lists_and_emphasis(store):
    session = _session(store)
    for kind in export.KINDS:
        text = export.render(store, export.Scope.sessions(session.id), "md", kind).text
        assert "Agreed:\n- *ship* the pilot\n- **review** in May\n\n##### Next\n" in text
        assert "\\- " not in text.split("Agreed:")[1]  # the bug: bullets showed as a literal "\-"
        assert ("\\[the doc\\](https\\://evil.test) !\\[chart\\](https\\://evil.test/c.png)"
                in text)
        assert "## Weekly \\[x\\](y) — " in text and "Ana \\*A\\* \\<b\\>" in text


def test_html_export_shows_a_notes_lists_and_emphasis_and_no_link(store):
    session = _session(store)
    for kind in export.KINDS:
        text = export.render(store, export.Scope.sessions(session.id), "html", kind).text
        assert ("<p>Agreed:</p>\n<ul>\n<li><em>ship</em> the pilot</li>\n"
                "<li><strong>review</strong> in May</li>\n</ul>\n<h5>Next</h5>\n"
                "<p>[the doc](https://evil.test) ![chart](https://evil.test/c.png)</p>") in text
        assert "<a " not in text and "<img" not in text and "href" not in text
        assert "Weekly [x](y)" in text and "Ana *A* &lt;b&gt;" in text
