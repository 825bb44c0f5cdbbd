"""Text a record holds never drives the terminal: a name such as ``"\\x1b]0;pwned\\x07..."``,
brought in through ``rapport import`` as an attacker would send it, is shown (``␛``), never acted
on, by every command, in every human output, every error line that quotes it and every ``--json``
(real processes: the bytes a terminal would get)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from clitools import rapport, rapport_each
from guides.loader import builtin_guides
from store import crypto
from store.vault import create_vault, open_vault
from tui.cli import cli

#: Sets the terminal's title, turns text red, moves the cursor back, to the line's start, hides
#: text behind NUL, C1 CSI (clears the screen), a bidi override and isolate, DEL.
HOSTILE = ("\x1b]0;pwned\x07\x1b[31mRED\x08\r\x00\x85\x9b2J \u202eevil\u202c "
           "\u2066iso\u2069\x7f")
#: What a terminal acts on: every C0 control but tab and newline, DEL, C1, bidi controls.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PASSPHRASE = "hostile test passphrase"
FAST = {"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True}


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    """A vault whose every kind of text holds HOSTILE, filled only through ``rapport import`` of
    a full JSON export made elsewhere. Returns (home, passphrase file, ids, import's output)."""
    root = tmp_path_factory.mktemp("hostile")
    pw = root / "pw"
    pw.write_text(PASSPHRASE + "\n")
    source = root / "source"
    plan = next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()
    with create_vault(source / "vault.db", PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                      allow_weak=True) as store:
        programme = store.add_programme(f"Prog {HOSTILE}", purpose=HOSTILE,
                                        themes=("perception", f"theme {HOSTILE}"))
        store.add_programme(f"Prog two {HOSTILE}")
        ana = store.add_person(f"Ana {HOSTILE}")
        store.add_person(f"Ana two {HOSTILE}")
        for day in range(1, 4):
            person = store.add_person(f"Lead{day} {HOSTILE}")
            session = store.start_session(
                person.id, plan, title=f"Title {HOSTILE}", programme_id=programme.id,
                started_at=datetime(2025, 3, day, 9, tzinfo=timezone.utc))
            store.save_note(session.id, "perception", f"note {HOSTILE}")
            store.add_item(session.id, "action", f"item {HOSTILE}", owner="them")
            for theme in ("perception", f"theme {HOSTILE}"):
                store.add_tag(session.id, theme, f"passage {HOSTILE} {day}", stage="perception",
                              subject_id=ana.id)
        store.add_strategy_item(programme.id, f"strategy {HOSTILE}")
        store.add_jot(ana.id, f"jot {HOSTILE}")
    document = root / "export.json"
    exported = CliRunner().invoke(cli, ["--home", str(source), "--passphrase-file", str(pw),
                                        "export", "--all", "--full", "--format", "json", "-o",
                                        str(document)], obj=dict(FAST))
    assert exported.exit_code == 0, exported.output
    assert "\\u001b]0;pwned" in document.read_text()  # the attacker's file, as it arrives

    home = root / "home"
    create_vault(home / "vault.db", PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                 allow_weak=True).close()
    imported = rapport("--home", home, "--passphrase-file", pw, "import", document)
    assert imported.returncode == 0, imported.stderr
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        ids = {"session": store.summaries()[0].id, "programme": programme.id}
        assert any(p.name == f"Ana {HOSTILE}" for p in store.people())  # kept as it came
    return home, pw, ids, imported


def shown_safely(out) -> str:
    """The process's output, checked: nothing a terminal acts on."""
    return safe(out.stdout, out.stderr)


def safe(stdout: bytes, stderr: bytes, *context: object) -> str:
    """Output and error as one text, checked: nothing a terminal acts on."""
    text = (stdout + stderr).decode("utf-8")
    found = CONTROLS.search(text)
    assert found is None, f"{context} {found.group()!r} reached the terminal: {text[:400]!r}"
    return text


def each(vault, *runs: list[str]) -> list[tuple[int, bytes, bytes]]:
    """``rapport ARGS`` on the hostile vault for each of ``runs`` (``{session}`` and
    ``{programme}`` filled in), in turn in one process: each run its own streams and status."""
    home, pw, ids, _ = vault
    return rapport_each(*[(("--home", home, "--passphrase-file", pw,
                            *[a.format(**ids) for a in args]), None) for args in runs])


def test_import_says_what_it_did_safely(vault):
    shown_safely(vault[3])


#: every command that shows a record's text (the jot last: it adds one)
SHOWING = [
    ["list"], ["show", "{session}"], ["people"], ["items"], ["search", "pwned"],
    ["search", "\x1b]0;pwned\x07"],
    ["programme", "list"], ["programme", "show", "{programme}"],
    ["programme", "edit", "Prog two", "--name", f"Prog two {HOSTILE} edited"],
    ["synthesis", "{programme}"], ["synthesis", "{programme}", "--named"],
    ["synthesis", "{programme}", "--format", "html", "--named"],
    ["synthesis", "{programme}", "--leader", "Ana \x1b", "--named"],
    ["export", "{session}"], ["export", "--all", "--full", "--format", "html"],
    ["jot", "--with", "Ana \x1b", "met", "in", "the", "corridor"],
]


def test_every_command_shows_the_text_never_its_controls(vault):
    """Each command in turn in one process (see clitools.rapport_each)."""
    for args, (code, out, err) in zip(SHOWING, each(vault, *SHOWING), strict=True):
        assert code == 0, (args, err)
        text = safe(out, err, args)
        assert "␀" in text, args  # the record's text is there, shown (Markdown escapes some
        # of it further)
    home, pw, _, _ = vault
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        assert f"Prog two {HOSTILE} edited" in {p.name for p in store.programmes()}  # as typed


NOT_AN_INTERVIEW = ("rapport: error: 'one-on-one' is not an interview guide; one of: "
                    "leadership-interview, stakeholder-interview\n")
#: commands refused with an error line that quotes a name, and what the line says
QUOTING = [
    (["list", "--person", "Ana"], "matches several people"),
    (["synthesis", "Prog", "--named"], "matches several programmes"),
    (["show", "\x1b]0;pwned\x07"], "no session with id"),
    (["jot", "--with", "\x9b2J\u202e", "hi"], "no person called"),
    # its interviews have started: its guide stays, and nothing else changes either
    (["programme", "edit", "{programme}", "--name", "Renamed", "--guide",
      "stakeholder-interview"], "its guide stays: an interview of the programme has started"),
    (["programme", "edit", "{programme}", "--guide", "nope\x1b[31m"],
     "one of: leadership-interview, stakeholder-interview"),
    # new refuses what edit (and the app's dialogs) never offer, by the same check and words
    (["programme", "new", "Prog three", "--guide", "one-on-one"], NOT_AN_INTERVIEW),
    (["programme", "edit", "Prog two", "--guide", "one-on-one"], NOT_AN_INTERVIEW),
    (["programme", "new", "Prog three", "--guide", "nope\x1b[31m"],
     "no interview guide with id 'nope\\x1b[31m'; one of: leadership-interview, "
     "stakeholder-interview"),
]


def test_error_lines_that_quote_a_name_are_shown_safely(vault):
    runs = each(vault, *[args for args, _ in QUOTING])
    for (args, quoted), (code, out, err) in zip(QUOTING, runs, strict=True):
        assert code == 1, args
        text = safe(out, err, args)
        assert text.startswith("rapport: error: ") and text.count("\n") == 1 and quoted in text, \
            args
    home, pw, ids, _ = vault
    with open_vault(home / "vault.db", PASSPHRASE, allow_weak=True) as store:
        programme = store.programme(ids["programme"])
        assert (programme.name, programme.guide_id) == (f"Prog {HOSTILE}", "leadership-interview")
        assert {p.guide_id for p in store.programmes()} == {"leadership-interview"}
        assert not any(p.name == "Prog three" for p in store.programmes())


def test_a_hostile_home_directory_is_shown_safely(tmp_path):
    out = rapport("--home", tmp_path / f"home {HOSTILE.replace(chr(0), '')}", "locate")
    assert out.returncode == 0, out.stderr
    assert "␛]0;pwned␇" in shown_safely(out)


JSON = [
    ["list", "--json"], ["show", "{session}", "--json"], ["people", "--json"],
    ["items", "--json"], ["search", "pwned", "--json"], ["programme", "list", "--json"],
]


def test_json_escapes_every_control_and_reads_back_the_same(vault):
    for args, (code, out, err) in zip(JSON, each(vault, *JSON), strict=True):
        assert code == 0, (args, err)
        safe(out, err, args)
        assert "\\u009b" in out.decode() and "\\u202e" in out.decode(), args
        assert any(HOSTILE in text for text in strings(json.loads(out))), args


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_tables_measure_what_they_show(capsys):
    """A cell is escaped before it is measured: the columns after it stay aligned."""
    from tui.format import table

    table(("NAME", "N"), [("a\x9bb", "1"), ("abcdefghij", "2")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "a\\u009bb    1" and lines[2] == "abcdefghij  2"


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_a_document_on_stdout_is_its_bytes_or_shown_safely(capsysbinary, fmt):
    """A document no control made it through is written byte for byte; one that holds a
    control (no renderer lets one through: this is the last guard) is shown, never acted on."""
    from tui.format import out_document

    clean = "Zoë — 👍\n\tfine\n".encode()
    out_document(clean, fmt)
    assert capsysbinary.readouterr().out == clean
    out_document(f"x{HOSTILE}\n".encode(), fmt)
    shown = capsysbinary.readouterr().out.decode()
    assert not CONTROLS.search(shown) and "RED" in shown and "evil" in shown


def test_json_documents_on_stdout_escape_controls_and_read_back_the_same(vault, tmp_path):
    """Each document shown on stdout, then written with -o: in turn in one process."""
    documents = [["export", "--all", "--full", "--format", "json"],
                 ["synthesis", "{programme}", "--named", "--format", "json"]]
    written = [tmp_path / f"doc{n}.json" for n in range(len(documents))]
    runs = each(vault, *documents, *[[*args, "-o", str(path)]
                                     for args, path in zip(documents, written)])
    for args, path, shown, out in zip(documents, written, runs, runs[len(documents):]):
        assert shown[0] == 0, (args, shown[2])
        safe(shown[1], shown[2], args)
        assert out[0] == 0, (args, out[2])
        document = json.loads(path.read_bytes())
        document.pop("exported_at", None)
        assert {k: v for k, v in json.loads(shown[1]).items() if k != "exported_at"} == document
        assert any(HOSTILE in text for text in strings(document)), args
