"""The session record behind the detail screen and ``rapport show``: a stage keeps both notes."""

from __future__ import annotations

from guides.loader import builtin_guides
from tui.record import load_record, session_markdown


def test_a_stage_with_a_shared_and_a_private_note_shows_both(store, clock):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    first = plan["stages"][0]["key"]
    session = store.start_session(store.add_person("Ana").id, plan)
    store.save_note(session.id, first, "She is worried about the reorg.")
    store.save_note(session.id, first, "She may leave.", private=True)
    record = load_record(store, store.session(session.id))
    stage = record.stages[0]
    assert stage.note and stage.note.text == "She is worried about the reorg."
    assert stage.private_note and stage.private_note.text == "She may leave."
    assert not stage.private and stage.words == 9
    text = session_markdown(record)
    assert "worried about the reorg" in text and "She may leave." in text
    assert text.index("worried") < text.index("🔒 Private note") < text.index("She may leave.")


def test_a_private_note_alone_is_the_stage_s_note_marked_private(store, clock):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    first = plan["stages"][0]["key"]
    session = store.start_session(store.add_person("Ana").id, plan)
    store.save_note(session.id, first, "Only mine.", private=True)
    stage = load_record(store, store.session(session.id)).stages[0]
    assert stage.private and stage.note and stage.note.text == "Only mine."
    assert stage.private_note is None
