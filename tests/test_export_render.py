"""Export rendering: golden files (syrupy) per built-in guide and format, the privacy rule (a
summary never carries a private canary; the full record does), HTML escaping, and writing files
(exclusive create, 0600, refused overwrite, every export recorded)."""

from __future__ import annotations

import io
import json
import os
import re
import stat

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension

from store import export, transfer
from store.errors import FileExists, RapportError

GUIDE_IDS = ("leadership-interview", "feedback", "one-on-one")
PERSON = "11111111111111111111111111111111"
SESSION = "22222222222222222222222222222222"
CANARY_PRIVATE = "CANARY-PRIVATE-NOTE"
CANARY_REFLECTION = "CANARY-REFLECTION"
CANARY_JOT = "CANARY-JOT"
CANARY_PRIVATE_ITEM = "CANARY-PRIVATE-ITEM"
CANARY_PRIVATE_CHECKIN = "CANARY-PRIVATE-CHECKIN"
#: the feedback session's form: said in the room, in the full record only, never in a summary
CANARY_FEEDBACK = "CANARY-FEEDBACK"


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:031x}"


def _ts(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"2025-02-14T{9 + hours:02d}:{minutes:02d}:00.000000+00:00"


def sample_document(guide_id: str) -> dict:
    """A full export document of one ended session run with a built-in guide, fixed ids."""
    from guides.loader import builtin_guides

    guide = next(g for g in builtin_guides() if g.id == guide_id)
    plan = guide.to_snapshot()
    stages = plan["stages"]
    private = [s["key"] for s in stages if s["private"]]
    shared = [s["key"] for s in stages if not s["private"]]
    notes, minute = [], 0
    for n, key in enumerate(shared[:4]):
        text = (f"Shared note on {key}: they said \"it's <fine> & calm\".\n"
                f"- second line for {key}\n\n  indented after a blank line")
        notes.append({"id": _id("3", n), "stage": key, "text": text, "private": False,
                      "created_at": _ts(n), "updated_at": _ts(n + 1)})
    notes.append({"id": _id("3", 10), "stage": shared[4], "private": True,
                  "text": f"{CANARY_PRIVATE}: a note I keep to myself",
                  "created_at": _ts(20), "updated_at": _ts(20)})
    notes.append({"id": _id("3", 11), "stage": private[0], "private": False,
                  "text": f"{CANARY_REFLECTION}: I talked too much in the middle",
                  "created_at": _ts(40), "updated_at": _ts(41)})
    items = []
    kinds = [("action", "me", "2025-02-21", "open"), ("action", "them", "2025-02-28", "done"),
             ("decision", "me", None, "open"), ("agreement", "them", None, "open"),
             ("goal", "them", "2025-06-30", "on-track")]
    for n, (kind, owner, due, status) in enumerate(kinds):
        items.append({"id": _id("4", n), "kind": kind, "owner": owner, "due": due,
                      "status": status, "stage": shared[-1],
                      "text": f"{kind.title()} #{n} for *{owner}* <{guide_id}>",
                      "done_at": _ts(30) if status == "done" else None, "carried_from": None,
                      "created_at": _ts(30 + n), "updated_at": _ts(30 + n)})
    items.append({"id": _id("4", 9), "kind": "action", "owner": "me", "due": None,
                  "status": "open", "stage": private[0], "text": f"{CANARY_PRIVATE_ITEM} practise",
                  "done_at": None, "carried_from": None,
                  "created_at": _ts(42), "updated_at": _ts(42)})
    spent = {}
    for n, stage in enumerate(stages[:3]):
        spent[stage["key"]] = stage["minutes"] * 60 - 30 * n + 0.25
    spent[private[0]] = 95.0
    return {
        "format": "rapport-export", "version": 1, "kind": "full",
        "exported_at": "2025-03-01T12:00:00.000000+00:00",
        "scope": {"all": True, "session_ids": [], "person_id": None, "since": None, "until": None,
                  "label": "everything"},
        "people": [{"id": PERSON, "name": "Ana O'Neil & Co <Silva>", "role": "Head of Design",
                    "cadence": "fortnightly", "created_at": _ts(0), "updated_at": _ts(0)}],
        "programmes": [],
        "sessions": [{
            "id": SESSION, "person_id": PERSON, "programme_id": None,
            "title": f"Quarterly {guide.name} | \"Q1\"", "guide_id": plan["id"],
            "guide_name": plan["name"], "started_at": _ts(0), "ended_at": _ts(47),
            "amended_at": None, "created_at": _ts(0), "updated_at": _ts(47),
            "plan": plan,
            "state": {"stage_index": 2, "spent": spent,
                      "visited": [s["key"] for s in stages[:3]] + [private[0]],
                      "asked": {stages[0]["key"]: [0, 2], stages[1]["key"]: [1]}},
            "notes": notes, "items": items,
            "tags": [],
        }],
        "jots": [{"id": _id("5", 0), "person_id": PERSON, "text": f"{CANARY_JOT} birthday soon",
                  "created_at": _ts(0), "updated_at": _ts(0)}],
        # the goal checked in during the session: at a shared stage, then (a private
        # thought on it) in the private one, which leaves its status and progress as they stood
        "checkins": [{"id": _id("6", n), "person_id": PERSON, "goal_id": _id("4", 4),
                      "created_at": _ts(43 + n), "updated_at": _ts(43 + n),
                      "data": {"status": status, "progress": progress, "key_result": None,
                               "note": note, "session_id": SESSION, "stage": stage}}
                     for n, (status, progress, note, stage) in enumerate([
                         ("on-track", 15, "Agreed: *pair* with Sam <weekly>", shared[-1]),
                         (None, None, f"{CANARY_PRIVATE_CHECKIN} not convinced", private[0])])],
        # a feedback session's form filled in at its stages; a 1-on-1's pulse
        "feedback": [{"id": _id("7", 0), "person_id": PERSON, "session_id": SESSION,
                      "created_at": _ts(5), "updated_at": _ts(35),
                      "data": {"direction": "given", "kind": "developmental",
                               "situation": f"{CANARY_FEEDBACK} the *Q1* review <Tuesday>",
                               "behaviour": "interrupted the client twice & moved on",
                               "impact": "the client went quiet",
                               "response": "hadn't noticed; wants a signal",
                               "next_step": "a hand signal in the next review",
                               "item_id": _id("4", 0)}}]
        if guide_id == "feedback" else [],
        "pulses": [{"id": _id("8", 0), "person_id": PERSON, "session_id": SESSION,
                    "created_at": _ts(45), "updated_at": _ts(45),
                    "data": {"score": 4, "word": "steady", "day": _ts(0)}}]
        if guide_id == "one-on-one" else [],
    }


def load(store, guide_id: str) -> None:
    transfer.import_document(store, transfer.check_document(sample_document(guide_id)))


class _Golden(SingleFileSnapshotExtension):
    """One raw file per snapshot, compared byte for byte: the bytes an export writes."""

    _file_extension = "txt"


def _golden(snapshot, fmt: str):
    ext = {"md": "md", "json": "json", "html": "html"}[fmt]
    return snapshot.use_extension(type(f"Golden_{ext}", (_Golden,), {"_file_extension": ext}))


@pytest.mark.parametrize("kind", ["summary", "full"])
@pytest.mark.parametrize("fmt", ["md", "html", "json"])
@pytest.mark.parametrize("guide_id", GUIDE_IDS)
def test_golden(store, snapshot, guide_id, fmt, kind):
    load(store, guide_id)
    doc = export.render(store, export.Scope.sessions(SESSION), fmt, kind)
    assert doc.count == 1
    assert doc.filename_hint == f"rapport-{kind}-ana-o-neil-co-silva-2025-02-14.{fmt}"
    assert doc.data == _golden(snapshot, fmt)


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
@pytest.mark.parametrize("guide_id", GUIDE_IDS)
def test_summary_never_contains_private_material_full_record_does(store, guide_id, fmt):
    load(store, guide_id)
    plan = sample_document(guide_id)["sessions"][0]["plan"]
    first_cue = plan["stages"][0]["cues"][0]
    canaries = (CANARY_PRIVATE, CANARY_REFLECTION, CANARY_JOT, CANARY_PRIVATE_ITEM,
                CANARY_PRIVATE_CHECKIN, CANARY_FEEDBACK)
    for scope in (export.Scope.sessions(SESSION), export.Scope.person(PERSON), export.Scope.all()):
        summary = export.render(store, scope, fmt, "summary").text
        for canary in canaries:
            assert canary not in summary
        assert _esc(first_cue, fmt) not in summary  # facilitator cues stay out of a summary
        assert "Shared note on" in summary
        assert "Goals checked in" in summary or '"goals": [' in summary
        assert _esc("Agreed: *pair* with Sam <weekly>", fmt) in summary  # the shared check-in

        with_private = export.render(store, scope, fmt, "summary", include_private=True).text
        assert CANARY_PRIVATE in with_private and CANARY_REFLECTION in with_private
        assert CANARY_PRIVATE_ITEM in with_private and CANARY_PRIVATE_CHECKIN in with_private
        assert CANARY_JOT not in with_private  # jots are never in a summary
        assert CANARY_FEEDBACK not in with_private  # nor the feedback form: it was said
        assert "steady" not in with_private  # the pulse: only with include_pulse

        full = export.render(store, scope, fmt, "full").text
        for canary in (CANARY_PRIVATE, CANARY_REFLECTION, CANARY_PRIVATE_ITEM,
                       CANARY_PRIVATE_CHECKIN):
            assert canary in full
        assert _esc(first_cue, fmt) in full
        assert (CANARY_FEEDBACK in full) == (guide_id == "feedback")  # its form, whole
        assert ("steady" in full) == (guide_id == "one-on-one")  # the 1-on-1's pulse
        if scope.session_ids:
            assert CANARY_JOT not in full  # jots belong to the person, not to a session
        else:
            assert CANARY_JOT in full


def _esc(text: str, fmt: str) -> str:
    if fmt == "html":
        import html

        return html.escape(text, quote=True)
    if fmt == "json":
        return json.dumps(text, ensure_ascii=False)[1:-1]
    from store.render import md_inline

    return md_inline(text, start=True)


def test_html_is_self_contained_and_escaped(store):
    load(store, "feedback")
    text = export.render(store, export.Scope.all(), "html", "full").text
    assert "<Silva>" not in text and "&lt;Silva&gt;" in text
    assert "&lt;fine&gt; &amp; calm" in text
    assert "<script" not in text.lower() and "src=" not in text and "href=" not in text
    assert "url(" not in text and "@import" not in text
    assert "default-src 'none'" in text and "@media print" in text


def test_html_escapes_hostile_text(store):
    person = store.add_person('<img src=x onerror=alert(1)> "Eve"')
    session = store.start_session(person.id, {"id": "g", "name": "</title><script>", "stages": [
        {"key": "a", "title": "<b>bold</b>", "minutes": 1}]}, title="<script>alert(1)</script>")
    store.save_note(session.id, "a", "</div><script>x()</script>")
    store.add_item(session.id, "action", "<a href='http://evil'>go</a>", owner="them")
    for kind in ("summary", "full"):
        text = export.render(store, export.Scope.sessions(session.id), "html", kind).text
        assert "<script" not in text and "<img" not in text and "<a " not in text
        assert "&lt;script&gt;" in text


HOSTILE = "\x1b]0;pwned\x07\x1b[31mRED\x08\r\x00\x9b2J\u202eevil\u2066\x7f"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("fmt", export.FORMATS)
@pytest.mark.parametrize("kind", export.KINDS)
def test_no_terminal_control_passes_into_an_export(store, fmt, kind):
    """A name, title, note or item holding terminal escapes (easy to import) reaches an export
    only as visible stand-ins: ``cat export.md`` can never retitle or recolour a terminal."""
    person = store.add_person(f"Eve {HOSTILE}")
    session = store.start_session(person.id, {"id": "g", "name": f"G {HOSTILE}", "stages": [
        {"key": "a", "title": f"Stage {HOSTILE}", "minutes": 1}]}, title=f"T {HOSTILE}")
    store.save_note(session.id, "a", f"line one {HOSTILE}\nline two {HOSTILE}")
    store.add_item(session.id, "action", f"do {HOSTILE}", owner="them")
    store.add_jot(person.id, f"jot {HOSTILE}")
    text = export.render(store, export.Scope.person(person.id), fmt, kind).text
    assert not RAW_CONTROLS.findall(text), RAW_CONTROLS.findall(text)[:5]
    assert "RED" in text and "evil" in text  # the text itself is kept
    if fmt == "json":  # escaped, so the document reads back the same
        doc = json.loads(text)
        assert doc["sessions"][0]["notes"][0]["text"] == f"line one {HOSTILE}\nline two {HOSTILE}"
    else:
        assert "\u241b" in text or "␛" in text  # ESC shown as its picture


def test_markdown_escapes_single_line_fields(store):
    person = store.add_person("A | B *C*")
    session = store.start_session(person.id, {"id": "g", "name": "G", "stages": [
        {"key": "a", "title": "Stage | one", "minutes": 2}]}, title="# [x](y)")
    store.save_session_state(session.id, spent={"a": 61})
    text = export.render(store, export.Scope.sessions(session.id), "md", "full").text
    assert "## \\# \\[x\\](y) — 2025-03-03" in text
    assert "| Stage \\| one | 2 min | 1 min 01 s |" in text
    assert "A \\| B \\*C\\*" in text


def test_scopes_and_labels(store, clock):
    from datetime import date

    ana, bo = store.add_person("Ana"), store.add_person("Bo")
    plan = {"id": "g", "name": "G", "stages": [{"key": "a", "title": "A", "minutes": 5}]}
    s1 = store.start_session(ana.id, plan)
    clock.advance(86400 * 2)
    s2 = store.start_session(bo.id, plan)
    clock.advance(86400 * 2)
    s3 = store.start_session(ana.id, plan)
    store.add_jot(ana.id, "jot")

    def ids(scope, **kw):
        return [s["id"] for s in export.collect(store, scope, **kw)["sessions"]]

    assert ids(export.Scope.all()) == [s1.id, s2.id, s3.id]
    assert ids(export.Scope.person(ana.id)) == [s1.id, s3.id]
    assert ids(export.Scope.sessions(s3.id, s1.id)) == [s1.id, s3.id]
    assert ids(export.Scope(since=date(2025, 3, 5))) == [s2.id, s3.id]
    assert ids(export.Scope(until=date(2025, 3, 5))) == [s1.id, s2.id]
    assert ids(export.Scope(person_id=ana.id, since=date(2025, 3, 4))) == [s3.id]
    assert ids(export.Scope(session_ids=(s1.id, s2.id), person_id=bo.id)) == [s2.id]
    doc = export.render(store, export.Scope.person(ana.id), "md")
    assert doc.scope_label == "sessions with Ana" and doc.count == 2
    assert doc.filename_hint == "rapport-summary-ana.md"
    assert export.render(store, export.Scope(since=date(2025, 3, 5)), "json").scope_label \
        == "since 2025-03-05"
    with pytest.raises(RapportError, match="nothing to export"):
        export.render(store, export.Scope(), "md")
    with pytest.raises(RapportError, match="empty"):
        export.render(store, export.Scope(since=date(2025, 3, 9), until=date(2025, 3, 1)), "md")
    with pytest.raises(RapportError, match="no session with id"):
        export.render(store, export.Scope.sessions("f" * 32), "md")
    with pytest.raises(RapportError, match="unknown export format"):
        export.render(store, export.Scope.all(), "pdf")


def test_render_is_pure_and_deterministic(store):
    load(store, "one-on-one")
    doc = export.collect(store, export.Scope.all())
    before = json.dumps(doc, sort_keys=True)
    first = [export.render_document(doc, f, k) for f in export.FORMATS for k in export.KINDS]
    assert json.dumps(doc, sort_keys=True) == before
    assert first == [export.render_document(doc, f, k) for f in export.FORMATS for k in export.KINDS]
    assert store.exports() == []  # rendering (a preview) records nothing


# ------------------------------------------------------------------ writing


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_write_export_creates_0600_and_records(store, tmp_path, umask022):
    load(store, "feedback")
    doc = export.render(store, export.Scope.sessions(SESSION), "md", "summary")
    path = tmp_path / "out.md"
    record = export.write_export(path, doc.data, store=store, doc=doc)
    assert path.read_bytes() == doc.data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [(r.kind, r.format, r.destination, r.count) for r in store.exports()] == [
        ("summary", "md", str(path), 1)]
    assert record.scope == "session 22222222"


def test_write_export_refuses_to_overwrite(store, tmp_path):
    load(store, "feedback")
    doc = export.render(store, export.Scope.all(), "json", "full")
    path = tmp_path / "out.json"
    path.write_bytes(b"precious")
    with pytest.raises(export.ExportExists, match="already exists") as info:
        export.write_export(path, doc.data, store=store, doc=doc)
    assert isinstance(info.value, FileExists)
    assert path.read_bytes() == b"precious"
    assert store.exports() == []


def test_write_refuses_symlinks_and_missing_dirs(tmp_path):
    target = tmp_path / "target"
    link = tmp_path / "link"
    link.symlink_to(target)  # dangling: O_EXCL must not create the target through it
    with pytest.raises(export.ExportExists):
        export.write_new_file(link, b"x")
    assert not target.exists()
    with pytest.raises(RapportError, match="cannot write"):
        export.write_new_file(tmp_path / "missing" / "out.md", b"x")


def test_write_export_to_stdout_and_encrypted_format_recorded(store):
    load(store, "feedback")
    doc = export.render(store, export.Scope.all(), "md")
    stream = io.BytesIO()
    export.write_export("-", doc.data, store=store, doc=doc, stdout=stream)
    assert stream.getvalue() == doc.data
    assert [(r.destination, r.format, r.scope) for r in store.exports()] == [("-", "md", "everything")]


def test_unrecorded_export_is_removed(store, tmp_path, monkeypatch):
    load(store, "feedback")
    doc = export.render(store, export.Scope.all(), "md")

    def broken(**kwargs):
        raise RapportError("the disk is full")

    monkeypatch.setattr(store, "record_export", broken)
    path = tmp_path / "out.md"
    with pytest.raises(RapportError, match="disk is full"):
        export.write_export(path, doc.data, store=store, doc=doc)
    assert not path.exists()
