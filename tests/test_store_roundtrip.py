"""Whatever is typed comes back exactly after close and reopen: any script, emoji, right-to-left
text, control characters, a 5 MB note; lone surrogates from a broken paste are replaced, never a
crash. Property tests for the field cipher, the padding and the text cleaning."""

from __future__ import annotations

import os
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import crypto
from store.vault import open_vault

UNICODE = ("Zoë's naïve café — “quotes” ‘single’ … ß ẞ Ǆ ﬁ İı 日本語のメモ 中文 한국어 Ελληνικά "
           "Кириллица देवनागरी ไทย Z̴̡̢a̷l̸g̵o̶ \u200b zero-width \u00a0nbsp \ttab\r\ncrlf \x00nul "
           "\x1b[31mescape\x1b[0m \u2028line-sep \U0001d54f\U00010348 \ufeffbom")
EMOJI = ("👩‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 skin 🇯🇵 regional ❤️ vs16 🧑🏿‍🦰 " + "👨‍💻" * 1000)
RTL = ("مرحبا بالعالم — שלום עולם — \u202eevil\u202c mixed English عربي ١٢٣ 123 "
       "\u200fמימין לשמאל\u200e")
SURROGATES = {  # pasted text -> what is stored
    "\ud800": "\ufffd",
    "a\udfffb": "a\ufffdb",
    "end\ud83d": "end\ufffd",
    "\ude00\ud83d reversed": "\ufffd\ufffd reversed",
    "pair \ud83d\ude00 as code units": "pair 😀 as code units",
}
PLAN = {"id": "guide-ü", "name": "Guide ☂ דוגמה",
        "stages": [{"key": "check-in", "title": "Check-in ✓", "minutes": 5,
                    "questions": ["Wie geht's? 😊", "كيف حالك؟"]},
                   {"key": "topics", "title": "Topics", "minutes": 20}]}


def reopen(store, vault_path, passphrase, clock):
    store.close()
    return open_vault(vault_path, passphrase, allow_weak=True, clock=clock)


@pytest.mark.parametrize("text", [UNICODE, EMOJI, RTL], ids=["unicode", "emoji", "rtl"])
def test_text_round_trips_through_every_kind_of_record(store, vault_path, passphrase, clock, text):
    name = text.strip()[:200]
    person = store.add_person(name, role=text)
    session = store.start_session(person.id, PLAN, title=name)
    note = store.save_note(session.id, "check-in", text)
    private = store.save_note(session.id, "topics", text[::-1], private=True)
    item = store.add_item(session.id, "agreement", name, owner="them")
    jot = store.add_jot(person.id, name)
    store = reopen(store, vault_path, passphrase, clock)
    try:
        assert store.person(person.id).name == name
        assert store.person(person.id).role == text
        assert store.find_person(name).id == person.id
        got = store.session(session.id)
        assert got.title == name and got.guide_name == PLAN["name"] and got.guide_id == PLAN["id"]
        assert got.plan["stages"][0]["questions"] == PLAN["stages"][0]["questions"]
        notes = {n.stage: n for n in store.notes(session.id)}
        assert notes["check-in"].text == text == note.text
        assert notes["topics"].text == text[::-1] and notes["topics"].private and private.private
        assert store.item(item.id).text == name
        assert [j.text for j in store.jots(person.id)] == [jot.text] == [name]
        assert store.verify() == []
    finally:
        store.close()


def test_five_megabyte_note(store, vault_path, passphrase, clock):
    line = "Line of a very long note: ünïcödé ✓ 😀 עברית\n"
    text = (line * (5 * 1024 * 1024 // len(line) + 1))[: 5 * 1024 * 1024]
    assert len(text) == 5 * 1024 * 1024
    person = store.add_person("Long Talker")
    session = store.start_session(person.id, PLAN)
    store.save_note(session.id, "topics", text)
    clock.advance(1)
    saved = store.save_note(session.id, "topics", text + "and one more word")  # an autosave on top
    assert saved.rev == 2
    store = reopen(store, vault_path, passphrase, clock)
    try:
        (note,) = store.notes(session.id)
        assert note.text == text + "and one more word" and note.rev == 2
        assert [h.kind for h in store.search("one more word")] == ["note"]
    finally:
        store.close()


def test_lone_surrogates_are_replaced_never_a_crash(store, vault_path, passphrase, clock):
    person = store.add_person("Paste \ud800 Person")
    assert person.name == "Paste \ufffd Person"
    plan = dict(PLAN, name="Guide \udcff")
    session = store.start_session(person.id, plan, title="Title \ud83d")
    ids = {}
    for i, (pasted, clean) in enumerate(SURROGATES.items()):
        note = store.save_note(session.id, f"stage-{i}", pasted)
        assert note.text == clean
        ids[f"stage-{i}"] = clean
        store.add_item(session.id, "action", pasted)
        store.add_jot(person.id, pasted)
    stage = "check-in \udc80"
    first = store.save_note(session.id, stage, "first")
    second = store.save_note(session.id, stage, "second")  # the same note, not a new one
    assert second.id == first.id and second.rev == 2 and second.stage == "check-in \ufffd"
    store.save_session_state(session.id, spent={"k\ud800": 1.5}, title="New \udfff title")
    store = reopen(store, vault_path, passphrase, clock)
    try:
        assert store.verify() == []
        notes = {n.stage: n.text for n in store.notes(session.id)}
        assert notes == {**ids, "check-in \ufffd": "second"}
        got = store.session(session.id)
        assert got.title == "New \ufffd title" and got.guide_name == "Guide \ufffd"
        assert dict(got.spent) == {"k\ufffd": 1.5}
        assert sorted(i.text for i in store.items()) == sorted(SURROGATES.values())
        assert store.find_person("paste \ud800").id == person.id
        for value in [store.person(person.id).name, *notes, *notes.values()]:
            value.encode("utf-8")  # strict: nothing unencodable was stored
    finally:
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_any_text_saves_and_reads_back_cleaned(store, text):
    people = store.people()
    person = people[0] if people else store.add_person("Prop")
    sessions = store.sessions()
    session = sessions[0] if sessions else store.start_session(person.id, PLAN)
    saved = store.save_note(session.id, "topics", text)
    (stored,) = store.notes(session.id)
    assert stored.text == saved.text == crypto.clean_text(text)


# ---------------------------------------------------------------------------------- properties
ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates included
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHAR),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(ANY_CHAR), inner, max_size=5),
    max_leaves=20,
)
CIPHER = crypto.FieldCipher(os.urandom(32))


@settings(max_examples=300, deadline=None)
@given(value=JSON, aad=st.binary(max_size=200))
def test_field_cipher_round_trip(value, aad):
    blob = CIPHER.seal(value, aad)
    assert CIPHER.open(blob, aad) == value
    assert blob[:1] == crypto.BLOB_VERSION
    assert (len(blob) - 1 - crypto.NONCE_LEN - 16) % crypto.PAD_BLOCK == 0  # lengths padded
    assert CIPHER.seal(value, aad) != blob  # a fresh nonce every time
    with pytest.raises(ValueError):
        CIPHER.open(blob, aad + b"\x00")
    with pytest.raises(ValueError):
        crypto.FieldCipher(os.urandom(32)).open(blob, aad)


@given(data=st.binary(max_size=2000))
def test_pad_unpad(data):
    padded = crypto.pad(data)
    assert crypto.unpad(padded) == data
    assert len(padded) % crypto.PAD_BLOCK == 0 and 0 < len(padded) - len(data) <= crypto.PAD_BLOCK


@given(data=st.binary(max_size=200).filter(lambda b: b"\x80" not in b))
def test_unpad_refuses_missing_marker(data):
    with pytest.raises(ValueError):
        crypto.unpad(data)


@given(text=st.text(ANY_CHAR, max_size=200))
def test_clean_text(text):
    cleaned = crypto.clean_text(text)
    cleaned.encode("utf-8")  # never raises
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        assert "\ufffd" in cleaned or len(cleaned) < len(text)
    else:
        assert cleaned == text  # valid text is never touched


@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=50))
def test_passphrase_normalisation_is_canonical(text):
    nfd = unicodedata.normalize("NFD", text)
    assert crypto.normalise_passphrase(nfd) == crypto.normalise_passphrase(text)


@given(st.lists(st.one_of(st.none(), st.integers(), st.text(), st.booleans(),
                          st.floats(allow_nan=False))))
def test_associated_data_is_the_compact_json_vaults_were_written_with(values):
    # Every vault so far bound its fields to this exact text: it must never change.
    import json

    from store.rows import aad

    compact = json.JSONEncoder(separators=(",", ":")).encode(values)
    assert aad("notes", "body", values) == f"rapport/v1|notes|body|{compact}".encode()


@given(st.binary(max_size=300))
def test_unpad_accepts_only_marker_then_zeros(data):
    try:
        out = crypto.unpad(data)
    except ValueError:
        stripped = data.rstrip(b"\x00")
        assert not stripped.endswith(b"\x80")
    else:
        assert data == out + b"\x80" + b"\x00" * (len(data) - len(out) - 1)


@given(text=st.text(st.sampled_from("aßSİﬁ ΣςxY\n"), max_size=40), data=st.data())
def test_search_span_maps_folded_matches_back(text, data):
    # A match found in text.casefold() is highlighted over the characters that fold into it.
    from store.search import span as _span

    folded = text.casefold()
    if not folded:
        return
    pos = data.draw(st.integers(0, len(folded) - 1))
    length = data.draw(st.integers(1, len(folded) - pos))
    start, end = _span(text, pos, length)
    head, span = len(text[:start].casefold()), len(text[start:end].casefold())
    assert head <= pos and pos + length <= head + span  # covers the match...
    assert len(text[:start + 1].casefold()) > pos  # ...starting at the character holding it
    assert end == start or len(text[:end - 1].casefold()) < pos + length  # and no further
