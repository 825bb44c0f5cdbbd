"""store.synthesis: matrix, privacy, areas and gaps, the anonymity rules, renderers and writing.

Golden files (syrupy, one file per export) live in ``tests/__snapshots__/test_programme_synthesis/``;
refresh them with ``pytest tests/test_programme_synthesis.py --snapshot-update`` and read the diff.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import stat

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from guides.loader import builtin_guides
from store.errors import NotFound, RapportError
from store.export import ExportExists
from store.synthesis import build
from store.synthesis_render import filename_hint, passage_count, render, write_report
from store.synthesis_report import Redactor, leader_report, programme_report

CANARY = "PRIVATE-CANARY"


class _Text(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT


class MarkdownFile(_Text):
    _file_extension = "md"


class HtmlFile(_Text):
    _file_extension = "html"


class JsonFile(_Text):
    _file_extension = "json"


EXTENSIONS = {"md": MarkdownFile, "html": HtmlFile, "json": JsonFile}


pytestmark = pytest.mark.usefixtures("utc_zone")


def leadership_plan() -> dict:
    return next(g for g in builtin_guides() if g.id == "leadership-interview").to_snapshot()


class Data:
    """Four leaders interviewed about each other and the organisation (see module docstring)."""

    def __init__(self, store, clock) -> None:
        self.store, self.clock = store, clock
        self.programme = store.add_programme(
            "Leadership team 2025", purpose="How the team is seen & what the organisation needs.",
            themes=("perception", "strength", "concern", "current state", "future state",
                    "organisation needs", "suggestion", "decision making"))
        self.ana, self.ben, self.cara, self.dev = (
            store.add_person(n) for n in ("Ana Silva", "Ben Okafor", "Cara Lind", "Dev Patel"))
        self.tags: dict[str, str] = {}
        plan = leadership_plan()
        ana, ben, cara, dev = self.ana, self.ben, self.cara, self.dev
        self.interview(plan, ana, [
            ("perception", "Listens well but decides slowly", ben, "perception"),
            ("strength", "Calm in a crisis", ben, "perception"),
            ("current state", "Decisions wait for the weekly meeting", None, "current-state"),
            ("decision making", "Decisions wait for the weekly meeting", None, "current-state"),
            ("future state", "Decisions are made where the information is", None, "future-state"),
            ("decision making", "Decisions are made where the information is", None,
             "future-state"),
            ("perception", "I come across as impatient", ana, "perception"),
            ("perception", f"{CANARY} reflection about Ben", ben, "reflection"),
        ])
        self.interview(plan, ben, [
            ("perception", "Approachable and fair", ana, "perception"),
            ("perception", "Can seem distant in meetings", cara, "perception"),
            ("current state", "We hear about changes from the grapevine", None, "current-state"),
            ("concern", "We hear about changes from the grapevine", None, "current-state"),
            ("future state", "Teams hear about changes first hand", None, "future-state"),
            ("concern", "Teams hear about changes first hand", None, "future-state"),
            ("concern", "Burnout in the support team", None, "needs"),
            ("suggestion", f"{CANARY} note marked private", None, "needs"),
        ], private_stage="needs")
        self.interview(plan, cara, [
            ("perception", "Explains the why behind decisions", ana, "perception"),
            ("strength", "Keeps the team focused", ben, "perception"),
            ("current state", "Too many approvals for small things, Dev agrees", None,
             "current-state"),
            ("decision making", "Too many approvals for small things, Dev agrees", None,
             "current-state"),
            ("concern", "Burnout in the support team is getting worse", None, "needs"),
            ("suggestion", "Rotate the chair of the weekly meeting", None, "close"),
        ])
        self.interview(plan, dev, [
            ("perception", "Sometimes takes over the meeting <b>loudly</b> & fast", ana,
             "perception"),
            ("strength", "Knows every customer by name", ben, "perception"),
            ("future state", "Leaders coach rather than approve", None, "future-state"),
            ("decision making", "Leaders coach rather than approve", None, "future-state"),
            ("concern", "Nobody owns cross-team work", None, "needs"),
            ("suggestion", "Publish decisions in one place", None, "close"),
        ])
        store.add_strategy_item(self.programme.id, "Agree a decision charter: who decides what",
                                gaps=["decision making"],
                                tag_ids=[self.tags["Too many approvals for small things, Dev "
                                                   "agrees/decision making"],
                                         self.tags[f"{CANARY} reflection about Ben/perception"]])
        clock.advance(1)
        store.add_strategy_item(self.programme.id, "Pair Ben with a coach on pace",
                                gaps=[f"perception|{ben.id}"],
                                tag_ids=[self.tags["Listens well but decides slowly/perception"]])
        clock.advance(1)

    def interview(self, plan, person, tags, private_stage: str | None = None) -> None:
        store, clock = self.store, self.clock
        session = store.start_session(person.id, plan, programme_id=self.programme.id)
        by_stage: dict[str, list[str]] = {}
        for _, text, _, stage in tags:
            by_stage.setdefault(stage, [])
            if text not in by_stage[stage]:
                by_stage[stage].append(text)
        for stage, lines in by_stage.items():
            store.save_note(session.id, stage, "\n".join(lines), private=stage == private_stage)
        for theme, text, subject, stage in tags:
            tag = store.add_tag(session.id, theme, text, stage=stage,
                                subject_id=subject.id if subject else None)
            self.tags[f"{text}/{theme}"] = tag.id
            clock.advance(1)
        store.end_session(session.id)
        clock.advance(3600)


@pytest.fixture
def data(store, clock) -> Data:
    return Data(store, clock)


@pytest.fixture
def synthesis(data):
    return build(data.store, data.programme.id)


# ------------------------------------------------------------------ the facilitator's view


def test_matrix_counts_passages_per_theme_and_interviewee(synthesis, data):
    assert [p.name for p in synthesis.interviewees] == ["Ana Silva", "Ben Okafor", "Cara Lind",
                                                        "Dev Patel"]
    rows = dict(synthesis.matrix())
    assert rows["perception"] == [3, 2, 1, 1]
    assert rows["concern"] == [0, 3, 1, 1]
    assert rows["organisation needs"] == [0, 0, 0, 0]
    assert synthesis.count("concern") == 5
    cell = synthesis.cell("perception", data.ben.id)
    assert {p.text for p in cell} == {"Approachable and fair", "Can seem distant in meetings"}
    assert all(p.interviewee == "Ben Okafor" and p.day.isoformat() == "2025-03-03" for p in cell)


def test_same_person_twice_is_one_interviewee(store, clock):
    programme = store.add_programme("P")
    ada = store.add_person("Ada")
    for text in ("first", "second"):
        session = store.start_session(ada.id, leadership_plan(), programme_id=programme.id)
        store.add_tag(session.id, "concern", text, stage="needs")
        clock.advance(60)
    syn = build(store, programme.id)
    assert syn.sessions == 2 and [p.name for p in syn.interviewees] == ["Ada"]
    assert dict(syn.matrix())["concern"] == [2]


def test_private_passages_are_detected_three_ways(synthesis):
    private = {p.text for p in synthesis.passages if p.private}
    assert private == {f"{CANARY} reflection about Ben",  # a private stage of the plan
                       f"{CANARY} note marked private",  # the stage's note toggled private
                       "Burnout in the support team"}  # also in that private note


def test_a_passage_quoted_in_a_private_note_is_private(store):
    programme = store.add_programme("P")
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, leadership_plan(), programme_id=programme.id)
    store.save_note(session.id, "perception", "Shared line\nsecret  line")
    store.save_note(session.id, "reflection", "I wrote the Secret line here too", private=True)
    store.add_tag(session.id, "concern", "secret line", stage="perception")
    store.add_tag(session.id, "concern", "Shared line", stage="perception")
    private = {p.text: p.private for p in build(store, programme.id).passages}
    assert private == {"secret line": True, "Shared line": False}


def test_areas_pair_current_and_future_by_co_occurring_theme_and_subject(synthesis, data):
    areas = {a.key: a for a in synthesis.areas}
    assert list(areas) == ["concern", "decision making"]
    dm = areas["decision making"]
    assert dm.is_gap
    assert {p.text for p in dm.current} == {"Decisions wait for the weekly meeting",
                                            "Too many approvals for small things, Dev agrees"}
    assert {p.text for p in dm.future} == {"Decisions are made where the information is",
                                           "Leaders coach rather than approve"}
    assert [a.key for a in synthesis.gaps] == ["concern", "decision making"]


def test_state_passage_without_another_theme_is_general_and_subject_makes_its_own_area(store):
    programme = store.add_programme("P")
    ada, ben = store.add_person("Ada"), store.add_person("Ben")
    session = store.start_session(ada.id, leadership_plan(), programme_id=programme.id)
    store.add_tag(session.id, "current state", "Meetings overrun", stage="current-state")
    store.add_tag(session.id, "current state", "Ben rarely delegates", stage="current-state",
                  subject_id=ben.id)
    store.add_tag(session.id, "strength", "Ben rarely delegates, so quality is high",
                  stage="current-state")  # contains the other passage: co-occurs
    store.add_tag(session.id, "future state", "Ben hands over whole projects",
                  stage="future-state", subject_id=ben.id)
    store.add_tag(session.id, "strength", "Ben hands over whole projects",
                  stage="future-state")
    syn = build(store, programme.id)
    areas = {a.key: a for a in syn.areas}
    assert set(areas) == {"general", f"strength|{ben.id}"}
    assert not areas["general"].is_gap and len(areas["general"].current) == 1
    about_ben = areas[f"strength|{ben.id}"]
    assert about_ben.is_gap and about_ben.label == "strength · Ben"
    assert len(about_ben.current) == 1 and len(about_ben.future) == 1
    assert [p.name for p in syn.subjects] == ["Ben"]


# ------------------------------------------------------------------ anonymity


def test_programme_report_withholds_themes_with_fewer_than_n_interviewees(synthesis):
    doc = programme_report(synthesis)
    themes = {t["theme"]: t for t in doc["themes"]}
    assert themes["concern"]["status"] == "shown" and themes["concern"]["interviewees"] == 3
    # Cara and Dev only: Ben's suggestion is private and does not count towards the threshold.
    assert themes["suggestion"] == {"theme": "suggestion", "status": "withheld",
                                    "interviewees": None, "passages": []}
    # Everything under perception and strength is about a named leader: not in the synthesis.
    assert themes["perception"]["status"] == "empty"
    areas = {a["area"]: a for a in doc["areas"]}
    assert areas["decision making"]["status"] == "shown"
    assert areas["concern"]["status"] == "withheld" and areas["concern"]["current"] == []
    assert doc["leader_gaps"] == 0 and doc["about_leaders"] == 9


def test_a_360s_synthesis_says_its_passages_are_in_the_leaders_report(store):
    """Every passage about the leader: not "Nothing tagged yet" over "7 passages about
    individual leaders appear only in their own reports"."""
    programme = store.add_programme("360 for Lee")
    lee = store.add_person("Lee Park")
    session = store.start_session(store.add_person("Bo Chen").id, leadership_plan(),
                                  programme_id=programme.id)
    store.add_tag(session.id, "strength", "Calm", subject_id=lee.id)
    md = render(programme_report(build(store, programme.id)), "md")
    assert "## Themes\n\nNothing about the team or the organisation yet.\n\n1 passage about " \
        "individual leaders appears only in their own reports." in md
    empty = store.add_programme("Nothing yet")
    assert "Nothing tagged yet." in render(programme_report(build(store, empty.id)), "md")


def test_threshold_is_configurable_but_at_least_two(synthesis):
    themes = {t["theme"]: t for t in programme_report(synthesis, min_interviewees=2)["themes"]}
    assert themes["suggestion"]["status"] == "shown"
    themes = {t["theme"]: t for t in programme_report(synthesis, min_interviewees=4)["themes"]}
    assert themes["concern"]["status"] == "withheld"
    for bad in (1, 0, True, 2.5):
        with pytest.raises(RapportError):
            programme_report(synthesis, min_interviewees=bad)


def test_leader_report_leaves_out_own_view_and_withholds_thin_themes(synthesis, data):
    doc = leader_report(synthesis, data.ana.id)
    themes = {t["theme"]: t for t in doc["themes"]}
    texts = [p["text"] for p in themes["perception"]["passages"]]
    assert texts == ["Approachable and fair", "Explains the why behind decisions",
                     "Sometimes takes over the meeting <b>loudly</b> & fast"]  # sorted by text
    ben = {t["theme"]: t for t in leader_report(synthesis, data.ben.id)["themes"]}
    assert ben["strength"]["status"] == "shown"
    assert ben["perception"]["status"] == "withheld"  # Ana only (her reflection is private)
    with pytest.raises(NotFound):
        leader_report(synthesis, data.dev.id)  # nothing tagged about Dev


def test_leader_report_carries_strategy_linked_to_that_leader(synthesis, data):
    doc = leader_report(synthesis, data.ben.id)
    assert [s["text"] for s in doc["strategy"]] == ["Pair Ben with a coach on pace"]
    assert doc["strategy"][0]["quoted"] == []  # the linked passage's theme is withheld
    assert leader_report(synthesis, data.ana.id)["strategy"] == []


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_canary_no_names_no_private_text_no_ids_no_dates(synthesis, data, fmt):
    everyone = ["Ana", "Silva", "Ben", "Okafor", "Cara", "Lind", "Dev", "Patel"]
    ids = [data.programme.id, *data.tags.values(),
           *(s.id for s in data.store.sessions(programme_id=data.programme.id))]
    outputs = {"programme": render(programme_report(synthesis), fmt)}
    for leader in (data.ana, data.ben):
        outputs[leader.name] = render(leader_report(synthesis, leader.id), fmt)
    for name, text in outputs.items():
        assert CANARY not in text
        assert not re.search(r"Burnout in the support team(?! is)", text)
        assert "I come across as impatient" not in text
        for word in everyone:
            if name != "programme" and word in name.split():
                continue  # the leader's own name heads their report
            assert word not in text, (name, word)
        for ident in ids:
            assert ident not in text and ident[:8] not in text
        assert "2025" not in text.replace("Leadership team 2025", "")
    # "..., Dev agrees" was redacted, not dropped (Markdown escapes the brackets)
    assert re.search(r"\\?\[name\\?\] agrees", outputs["programme"])


def test_the_programmes_own_name_keeps_the_leaders_it_is_about(synthesis, data):
    # "360 for Priya Lee" was exported as "360 for [name]": the facilitator's title names the
    # leaders the passages are about; anyone else named in it (Dev: no passage is about him)
    # is still redacted, in the synthesis and in every leader's report.
    programme = dataclasses.replace(synthesis.programme, name="360 for Ana Silva, Dev and Ben",
                                    purpose="What Ana's peers and Dev Patel see")
    syn = dataclasses.replace(synthesis, programme=programme)
    for doc in (programme_report(syn), leader_report(syn, data.ben.id)):
        assert doc["programme"]["name"] == "360 for Ana Silva, [name] and Ben"
        assert doc["programme"]["purpose"] == "What Ana's peers and [name] see"
    assert render(programme_report(syn), "md").startswith(
        "# Programme synthesis: 360 for Ana Silva, \\[name\\] and Ben")


def test_named_record_is_the_facilitators_full_view(synthesis, data):
    text = render(programme_report(synthesis, named=True), "md")
    assert "Ben Okafor" in text and CANARY in text and "PRIVATE" in text
    assert "2025-03-03" in text and "Facilitator's record" in text
    themes = {t["theme"]: t for t in programme_report(synthesis, named=True)["themes"]}
    assert themes["suggestion"]["status"] == "shown"  # no threshold in one's own record


def test_redactor_names_words_and_case():
    redact = Redactor(["Ana Silva", "Will Young", "Jo"], keep=["Ana Silva"])
    assert redact("Will Young said Will will help Ana") == "[name] said [name] will help Ana"
    assert redact("will young") == "[name]"  # full names in any case
    assert redact("Jo and Joanne, JO") == "[name] and Joanne, [name]"  # "Jo" is a full name


# ------------------------------------------------------------------ renderers and golden files


def test_html_is_escaped_and_self_contained(synthesis, data):
    text = render(leader_report(synthesis, data.ana.id), "html")
    assert "&lt;b&gt;loudly&lt;/b&gt; &amp; fast" in text and "<b>" not in text
    assert "Content-Security-Policy" in text and "http" not in text.replace(
        'http-equiv', '')
    assert "<script" not in text and "src=" not in text


def test_markdown_escapes_punctuation(synthesis, data):
    text = render(leader_report(synthesis, data.ana.id), "md")
    assert "\\<b\\>loudly\\</b\\> & fast" in text


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_golden_programme_synthesis(synthesis, snapshot, fmt):
    text = render(programme_report(synthesis), fmt)
    if fmt == "json":
        json.loads(text)
    assert text == snapshot(extension_class=EXTENSIONS[fmt])


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_golden_leader_report(synthesis, data, snapshot, fmt):
    assert render(leader_report(synthesis, data.ana.id), fmt) == snapshot(
        extension_class=EXTENSIONS[fmt])


def test_golden_named_record(synthesis, snapshot):
    assert render(programme_report(synthesis, named=True), "md") == snapshot(
        extension_class=MarkdownFile)


def test_render_rejects_unknown_format(synthesis):
    with pytest.raises(RapportError):
        render(programme_report(synthesis), "pdf")


# ------------------------------------------------------------------ writing


def test_write_report_new_0600_file_never_overwrites_and_is_recorded(synthesis, data, tmp_path):
    doc = programme_report(synthesis)
    target = tmp_path / "out.md"
    record = write_report(data.store, target, doc, "md")
    assert target.read_text() == render(doc, "md")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert record.kind == "synthesis" and record.count == passage_count(doc) > 0
    assert "anonymised" in record.scope and record.destination == str(target)
    with pytest.raises(ExportExists):
        write_report(data.store, target, doc, "html")
    os.symlink(tmp_path / "elsewhere", tmp_path / "link.md")
    with pytest.raises(ExportExists):
        write_report(data.store, tmp_path / "link.md", doc, "md")
    assert not (tmp_path / "elsewhere").exists()
    assert [e.kind for e in data.store.exports()] == ["synthesis"]


def test_write_report_to_stdout_and_stale_preview(synthesis, data):
    doc = leader_report(synthesis, data.ana.id)
    out = io.BytesIO()
    record = write_report(data.store, "-", doc, "json", stdout=out)
    assert json.loads(out.getvalue())["leader"] == "Ana Silva"
    assert record.kind == "leader-report" and record.destination == "-"
    with pytest.raises(RapportError, match="out of date"):
        write_report(data.store, "-", doc, "md", text="something else", stdout=io.BytesIO())


def test_filename_hints(synthesis, data):
    assert filename_hint(programme_report(synthesis), "md") == \
        "rapport-synthesis-leadership-team-2025.md"
    assert filename_hint(leader_report(synthesis, data.ana.id), "html") == \
        "rapport-report-ana-silva-leadership-team-2025.html"
