"""``rapport questions``: the question bank from the command line (issue 22), in real processes on
a real vault: add (a stage by number, title or key), list (filtered, in the guides' order),
edit and remove by an id prefix, one-line refusals."""

from __future__ import annotations

import json

import pytest

from clitools import rapport, rapport_each
from store import crypto
from store.vault import create_vault, open_vault

PW = "pw-questions-1234"


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    create_vault(home / "vault.db", PW, kdf=crypto.FAST_FOR_TESTS, allow_weak=True).close()
    (home / "pw").write_text(PW + "\n")
    return home


def run(home, *args):
    return rapport("--home", home, "--passphrase-file", home / "pw", *args)


def ok(home, *args):
    result = run(home, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def each(home, *runs: tuple[str, ...]) -> list[tuple[int, bytes, bytes]]:
    """``rapport ARGS`` for each of ``runs``, in turn in one process (see clitools)."""
    return rapport_each(*[(("--home", home, "--passphrase-file", home / "pw", *args), None)
                          for args in runs])


def oks(home, *runs: tuple[str, ...]) -> list[str]:
    """The output of each of ``runs`` (in turn in one process), each of which succeeds."""
    results = each(home, *runs)
    for args, (code, _, err) in zip(runs, results):
        assert code == 0, (args, err)
    return [out.decode() for _, out, _ in results]


def bank(home):
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:
        return [(q.guide_id, q.stage, q.text) for q in store.questions()]


def test_add_list_edit_remove(home):
    """In real processes: the adds and lists in one, the edit in one, the remove in one."""
    (code, _, empty), *results = each(
        home, ("questions",),
        # a stage by its key, its number in 'rapport guides show', or its title
        ("questions", "add", "--guide", "one-on-one", "--stage", "agenda", "Which", "topic",
         "first?"),
        ("questions", "add", "--guide", "one-on-one", "--stage", "1", "What gave you energy?"),
        ("questions", "add", "--guide", "feedback", "--stage", "PREPARE", "What did I see?"),
        ("questions", "add", "--guide", "one-on-one", "--stage", "Their agenda",
         "What would make this hour worth it?"),
        ("questions",), ("guides", "list"),
        ("questions", "--guide", "one-on-one", "--stage", "agenda", "--json"),
        ("questions", "--stage", "prepare", "--json"))
    assert empty.startswith(b"no questions of your own yet")
    for code, _, err in results:
        assert code == 0, err
    said, _, _, _, listed, guides, agenda, prepare = [out.decode() for _, out, _ in results]
    assert said.startswith("question ") and said.endswith(" added to one-on-one, stage agenda\n")
    assert bank(home) == [
        ("one-on-one", "agenda", "Which topic first?"),
        ("one-on-one", "check-in", "What gave you energy?"),
        ("feedback", "prepare", "What did I see?"),
        ("one-on-one", "agenda", "What would make this hour worth it?")]

    lines = listed.splitlines()
    assert lines[0].split() == ["ID", "GUIDE", "STAGE", "QUESTION"]
    # by guide as 'rapport guides list' shows them, each one's stages in order, oldest first
    first, second = sorted(["feedback", "one-on-one"], key=guides.index)
    order = {"feedback": ["What did I see?"],
             "one-on-one": ["What gave you energy?", "Which topic first?",
                            "What would make this hour worth it?"]}
    assert [line.split(None, 3)[3] for line in lines[1:]] == order[first] + order[second]

    data = json.loads(agenda)
    assert [q["text"] for q in data["questions"]] == ["Which topic first?",
                                                      "What would make this hour worth it?"]
    assert [q["text"] for q in json.loads(prepare)["questions"]] == ["What did I see?"]
    target = data["questions"][0]["id"]

    assert ok(home, "questions", "edit", target[:5], "Which", "topic", "matters", "most?") == (
        f"question {target[:8]} changed\n")
    assert ("one-on-one", "agenda", "Which topic matters most?") in bank(home)
    assert ok(home, "questions", "remove", target[:6]) == f"question {target[:8]} removed\n"
    assert [text for _, _, text in bank(home)] == [
        "What gave you energy?", "What did I see?", "What would make this hour worth it?"]


def test_refusals_are_one_line_and_change_nothing(home):
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:  # as 'questions add'
        store.add_question("one-on-one", "agenda", "Kept?")  # would (test_add_list_edit_...)
    before = bank(home)
    refusals = [
        (("add", "--guide", "nope", "--stage", "1", "x"), 1, "no guide with id 'nope'"),
        (("add", "--guide", "one-on-one", "--stage", "9", "x"), 1,
         "one-on-one has no stage '9' (its stages: 1. Check-in (check-in), "),
        (("add", "--guide", "one-on-one", "--stage", "agenda", "   "), 1,
         "a question needs some text"),
        (("add", "--guide", "one-on-one", "--stage", "agenda"), 2, "Missing argument 'TEXT"),
        (("add", "--stage", "agenda", "x"), 2, "Missing option '--guide'"),
        (("edit", "ffff", "x"), 1, "no question with id 'ffff'"),
        (("edit", "ab", "x"), 1, "at least 4 characters"),
        (("remove", "ffffffff"), 1, "no question with id 'ffffffff'"),
    ]
    results = each(home, *[("questions", *args) for args, _, _ in refusals])  # one process
    for (args, code, says), (status, _, err) in zip(refusals, results, strict=True):
        assert status == code, (args, err)
        assert says.encode() in err and len(err.splitlines()) == 1, args
    assert bank(home) == before


def test_hostile_text_is_shown_not_obeyed(home):
    with open_vault(home / "vault.db", PW, allow_weak=True) as store:  # as 'questions add'
        store.add_question("one-on-one", "agenda", "Title \x1b]0;pwned\x07 \x9b2J?")
    listed, raw = oks(home, ("questions",), ("questions", "--json"))  # in one process
    assert "\x1b" not in listed and "\x9b" not in listed and "␛" in listed
    raw = raw.encode()
    assert b"\\u001b" in raw and b"\\u009b" in raw and b"\x1b" not in raw
