"""The commands' tables in a terminal: free text (names, titles, an item's text) is cut to fit
the terminal's width with "…", ids, dates and counts never are, output to a pipe never is, and
every column is measured in the cells a terminal gives it (a CJK character takes two)."""

from __future__ import annotations

import contextlib
import io
import os

from hypothesis import given, settings, strategies as st
from rich.cells import cell_len

from clitools import argv, in_terminal, read_until
from tui.format import fit, table, wrap_cells

TEXT = st.text(st.characters(categories=("L", "N", "Zs", "P"), exclude_characters="\n\r…"),
               max_size=40)
IDS = st.text("0123456789abcdef", min_size=8, max_size=8)
#: the fixed columns (an id of 8, a count of up to 3) and the two free columns at their floor
#: (6: no narrower, and never narrower than their header), with three gaps of two
NARROWEST = 8 + 3 + 6 + 6 + 2 * 3


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(IDS, TEXT, st.integers(0, 999).map(str), TEXT),
                     min_size=1, max_size=6),
       width=st.integers(NARROWEST, 120))
def test_a_table_fits_its_width_and_cuts_free_text_only(rows, width):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        table(("ID", "NAME", "N", "TITLE"), rows, right=(2,), free=(1, 3), width=width)
    lines = printed.getvalue().splitlines()
    assert len(lines) == len(rows) + 1
    counts = max(len(r[2]) for r in rows)
    for line, (row_id, _, count, _) in zip(lines[1:], rows):
        assert cell_len(line) <= width
        assert line.startswith(row_id + "  ")  # an id is never cut
        assert count.rjust(counts) in line  # nor is a count

    def widest(column: int, header: str) -> int:
        texts = [header, *(r[column] for r in rows)]
        return max(cell_len(" ".join(text.split())) for text in texts)

    natural = 8 + widest(1, "NAME") + counts + widest(3, "TITLE") + 2 * 3
    assert ("…" in "\n".join(lines)) == (natural > width)  # cut only when it does not fit


def test_the_widest_free_column_gives_way_first():
    assert fit([8, 30, 10], [8, 6, 6], 40) == [8, 22, 10]
    assert fit([8, 30, 30], [8, 6, 6], 40) == [8, 16, 16]  # two long ones share what is left
    assert fit([8, 10], [8, 6], 10) == [8, 6]  # the floors hold, even over the room


def test_cut_cells_end_in_an_ellipsis_and_keep_their_columns(capsys):
    table(("ID", "NAME", "TITLE"),
          [("ab12cd34", "Maximiliane von Hohenberg", "日本語のタイトルです"),
           ("ef56ab78", "Bo", "Q3")],
          free=(1, 2), width=36)
    assert capsys.readouterr().out.splitlines() == [
        "ID        NAME          TITLE",
        "ab12cd34  Maximiliane…  日本語のタ…",  # 12 cells each: the CJK characters count 2
        "ef56ab78  Bo            Q3"]


def test_a_pipe_gets_every_character(capsys):
    table(("ID", "TITLE"), [("ab12cd34", "x" * 300)], free=(1,))  # captured: not a terminal
    assert capsys.readouterr().out.splitlines()[1] == "ab12cd34  " + "x" * 300


def test_rapport_list_in_a_narrow_terminal(store, vault_path, passphrase, tmp_path):
    """The real command on a pseudo-terminal, COLUMNS=72: each line fits, the id and the date
    are whole, and the title, too long to read cut, is whole on its own line under its row."""
    ana = store.add_person("Ana")
    session = store.start_session(ana.id, {"id": "g", "name": "G", "stages": []},
                                  title="a very long title that no terminal of 72 columns shows")
    store.close()
    (tmp_path / "pw").write_text(passphrase + "\n")
    proc, master = in_terminal(argv("--home", vault_path.parent, "--passphrase-file",
                                    tmp_path / "pw", "list"), env={"COLUMNS": "72"})
    try:
        shown = read_until(master, b"shows")
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(master)
    lines = [line for line in shown.decode().splitlines() if line.strip()]
    assert len(lines) == 3 and all(cell_len(line) <= 72 for line in lines)
    assert lines[0].split()[-1] == "OPEN"
    assert lines[1].startswith(session.id[:8] + "  ") and "…" not in lines[1]
    assert lines[2] == "    a very long title that no terminal of 72 columns shows"


ITEM = "Draft the onboarding plan for the new hire and share it with the team before Friday"


def test_the_text_to_read_goes_under_its_row_rather_than_cut_short(capsys):
    """``last_below``: at 80 columns an item's text would keep 20-odd cells; it goes whole under
    its row, wrapped at spaces, and the name gets the room. Wide enough, it stays in its column;
    a cell with nothing in it adds no line."""
    rows = [("2026-11-19 !", "Hiroshi Tanaka 田中", "action", "8018a150", ITEM),
            ("2026-11-20", "Bo Chen", "goal", "b0ae8eb7", "Ship it"),
            ("2026-11-21", "Bo Chen", "action", "b0ae8eb7", "")]
    header = ("DUE", "PERSON", "KIND", "SESSION", "TEXT")
    table(header, rows, free=(1, 4), width=60, last_below=True)
    assert capsys.readouterr().out.splitlines() == [
        "DUE           PERSON               KIND    SESSION",
        "2026-11-19 !  Hiroshi Tanaka 田中  action  8018a150",
        "    Draft the onboarding plan for the new hire and share it",
        "    with the team before Friday",
        "2026-11-20    Bo Chen              goal    b0ae8eb7",
        "    Ship it",
        "2026-11-21    Bo Chen              action  b0ae8eb7"]
    table(header, rows, free=(1, 4), width=160, last_below=True)
    wide = capsys.readouterr().out.splitlines()
    assert len(wide) == 4 and wide[1].endswith(ITEM)
    table(header, rows, free=(1, 4), width=60)  # without it: cut, as before
    assert capsys.readouterr().out.splitlines()[1].endswith("…")


@settings(max_examples=300, deadline=None)
@given(text=TEXT, width=st.integers(2, 50), rest=st.none() | st.integers(2, 50),
       keep=st.booleans(), lead=st.integers(0, 60))  # (2: a CJK character fits)
def test_wrapped_text_keeps_every_word_within_the_width(text, width, rest, keep, lead):
    text = " " * lead + text
    lines = wrap_cells(text, width, rest=rest, keep_spaces=keep)
    assert all(0 < cell_len(line) for line in lines)
    assert not lines or cell_len(lines[0]) <= width
    assert all(cell_len(line) <= (rest or width) for line in lines[1:])
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_wrapping_keeps_the_spaces_and_hangs_under_the_text():
    line = "item     2026-03-03  Ana  theirs: Draft the onboarding plan for the new hire  (today)"
    assert wrap_cells(line, 40, rest=31, keep_spaces=True) == [
        "item     2026-03-03  Ana  theirs: Draft", "the onboarding plan for the new",
        "hire  (today)"]  # the double spaces kept, the line-end ones dropped
    assert wrap_cells("  key result ab12: Draft the deck  (40%)", 30, keep_spaces=True) == [
        "  key result ab12: Draft the", "deck  (40%)"]


def line_texts(shown: bytes) -> list[str]:
    return [line.rstrip("\r") for line in shown.decode().split("\n") if line.strip()]


def test_due_and_goals_break_long_lines_at_spaces_in_a_terminal(store, vault_path, passphrase,
                                                                   tmp_path):
    """The real commands on a pseudo-terminal of 60 columns: a line longer than that breaks
    at a space, its next lines indented under its text, never in a word; every word is there.
    Into a pipe each stays one line (the other tests of these commands)."""
    from datetime import date

    ana = store.add_person("Ana")
    session = store.start_session(ana.id, {"id": "g", "name": "G", "stages": []})
    text = "Draft the onboarding plan for the new hire and share it with the team before Friday"
    store.add_item(session.id, "action", text, owner="them", due=date.today())
    goal = store.add_item(session.id, "goal", "Lead the quarterly planning of the platform "
                          "team with the two product leads", owner="them")
    store.close()
    (tmp_path / "pw").write_text(passphrase + "\n")
    for command, end, indent in (("due", b"(today)", 9), ("goals", b"goal set", 10)):
        proc, master = in_terminal(argv("--home", vault_path.parent, "--passphrase-file",
                                        tmp_path / "pw", command), env={"COLUMNS": "60"})
        try:
            shown = read_until(master, end)
            assert proc.wait(timeout=30) == 0
        finally:
            proc.kill()
            os.close(master)
        lines = line_texts(shown)
        assert all(cell_len(line) <= 60 for line in lines), lines
        first, second = lines[0], lines[1]
        assert second.startswith(" " * indent) and not second.startswith(" " * (indent + 1))
        words = " ".join(" ".join(lines).split())
        if command == "due":
            assert first.startswith("item     ") and f"theirs: {text} (today)" in words
        else:
            assert first.startswith(goal.id[:8] + "  Ana: Lead the quarterly")
            assert "team with the two product leads [open, 0%]" in words
