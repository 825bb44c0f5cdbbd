"""``rapport export`` and ``rapport import`` through click: options, files, errors, round trips."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from store import crypto
from store.paths import Paths
from store.vault import create_vault, open_vault
from tui.cli import cli

PASSPHRASE = "cli vault passphrase"
CANARY = "CANARY-CLI-PRIVATE"
PLAN = {"id": "one-on-one", "name": "1-on-1", "stages": [
    {"key": "check-in", "title": "Check-in", "minutes": 3, "cues": ["CUE-TEXT"]},
    {"key": "reflection", "title": "Reflection", "minutes": 2, "private": True}]}


pytestmark = pytest.mark.usefixtures("utc_zone")


@pytest.fixture
def home(tmp_path, clock):
    home = tmp_path / "home"
    (tmp_path / "pw").write_text(PASSPHRASE + "\n")
    with create_vault(Paths.resolve(home).vault, PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                      allow_weak=True, clock=clock) as store:
        ana = store.add_person("Ana Silva")
        bo = store.add_person("Bo")
        s1 = store.start_session(ana.id, PLAN, title="First")
        store.save_note(s1.id, "check-in", "shared words")
        store.save_note(s1.id, "reflection", f"{CANARY} reflection")
        store.add_item(s1.id, "action", "Send notes", owner="me", due="2025-03-10")
        clock.advance(1800)
        store.end_session(s1.id)
        clock.advance(86400 * 3)
        s2 = store.start_session(bo.id, PLAN, title="Bo's")
        store.save_note(s2.id, "check-in", "bo words")
        store.add_jot(ana.id, "a jot")
    return home


@pytest.fixture
def ids(home):
    with open_vault(Paths.resolve(home).vault, PASSPHRASE, allow_weak=True) as store:
        return tuple(s.id for s in sorted(store.sessions(), key=lambda s: s.started_at))


def run(home, *args, clock=None, **kwargs):
    obj = {"kdf": crypto.FAST_FOR_TESTS, "allow_weak": True}
    if clock is not None:
        obj["clock"] = clock
    return CliRunner().invoke(
        cli, ["--home", str(home), "--passphrase-file", str(home.parent / "pw"), *args],
        obj=obj, **kwargs)


def exports(home):
    with open_vault(Paths.resolve(home).vault, PASSPHRASE, allow_weak=True) as store:
        return store.exports()


def test_summary_to_stdout_by_prefix(home, ids):
    s1, _ = ids
    result = run(home, "export", s1[:6])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Conversation summary: Ana Silva\n")
    assert "shared words" in result.stdout and "Send notes" in result.stdout
    assert CANARY not in result.stdout and "CUE-TEXT" not in result.stdout
    assert "bo words" not in result.stdout
    assert result.stderr == ""
    assert [(e.kind, e.format, e.destination, e.count) for e in exports(home)] == [
        ("summary", "md", "-", 1)]


def test_full_and_include_private(home):
    full = run(home, "export", "--person", "ana", "--full")
    assert full.exit_code == 0
    assert CANARY in full.stdout and "CUE-TEXT" in full.stdout and "a jot" in full.stdout
    private = run(home, "export", "--person", "Ana Silva", "--include-private", "--format", "html")
    assert private.exit_code == 0 and CANARY in private.stdout and "a jot" not in private.stdout
    assert private.stdout.startswith("<!DOCTYPE html>")


def test_date_range_selects_by_start_day(home):
    result = run(home, "export", "--since", "2025-03-04", "--format", "json")
    assert result.exit_code == 0
    assert "bo words" in result.stdout and "shared words" not in result.stdout
    none = run(home, "export", "--until", "2025-03-01")
    assert none.exit_code == 1
    assert none.stderr == "rapport: error: nothing to export: no sessions match (until 2025-03-01)\n"


def test_file_is_0600_with_a_plaintext_warning_and_never_overwritten(home, tmp_path):
    out = tmp_path / "summary.md"
    old = os.umask(0o022)
    try:
        result = run(home, "export", "--all", "-o", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "not encrypted" in result.stderr and "plaintext" in result.stderr
    assert result.stdout == f"exported 2 sessions (summary, md, plaintext) to {out}\n"
    written = out.read_bytes()
    again = run(home, "export", "--all", "--full", "-o", str(out))
    assert again.exit_code == 1
    assert again.stderr == f"rapport: error: {out} already exists; not overwriting it\n"
    assert out.read_bytes() == written
    assert [e.destination for e in exports(home)] == [str(out)]


def test_output_to_a_folder_writes_the_suggested_name_inside_it(home, tmp_path, clock):
    """``-o ~/Desktop``: the export lands in the folder under its suggested name (as cp
    takes a folder), once; a second time the file is there and is never overwritten."""
    folder = tmp_path / "Desktop"
    folder.mkdir()
    result = run(home, "export", "--all", "-o", str(folder), clock=clock)
    assert result.exit_code == 0, result.output
    [written] = folder.iterdir()
    assert written.name == f"rapport-summary-all-{clock().date().isoformat()}.md"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert result.stdout == f"exported 2 sessions (summary, md, plaintext) to {written}\n"
    assert [e.destination for e in exports(home)] == [str(written)]
    before = written.read_bytes()
    again = run(home, "export", "--all", "-o", str(folder), clock=clock)
    assert again.exit_code == 1
    assert again.stderr == f"rapport: error: {written} already exists; not overwriting it\n"
    assert written.read_bytes() == before and len(exports(home)) == 1


def test_an_export_to_a_missing_folder_is_one_line(home, tmp_path):
    """Not the plaintext warning first, about a file that was never written."""
    target = tmp_path / "no-such-folder" / "summary.md"
    result = run(home, "export", "--all", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"rapport: error: cannot write {target}: No such file or directory\n"
    assert exports(home) == []


@pytest.mark.parametrize("args,code,message", [
    (["export"], 2, "say what to export"),
    (["export", "--all", "--person", "Ana"], 2, "--all cannot be combined"),
    (["export", "--since", "2025-02-30"], 2, "is not a date"),
    (["export", "--since", "2025-03-09", "--until", "2025-03-01"], 2, "is after --until"),
    (["export", "--all", "--format", "pdf"], 2, "Invalid value for '--format'"),
    (["export", "--all", "--encrypt"], 2, "--encrypt needs -o PATH"),
    (["export", "--all", "--encrypt", "-o", "-"], 2, "--encrypt needs -o PATH"),
    (["export", "--all", "--age-passphrase-file", "x"], 2, "only used with --encrypt"),
    (["export", "abcdef12"], 1, "rapport: error: no session with id 'abcdef12'\n"),
    (["export", "zz"], 1, "rapport: error: no session with id 'zz'\n"),
    (["export", "--person", "Nobody"], 1, "rapport: error: no person called 'Nobody'\n"),
    (["import"], 2, "Missing argument 'FILE'"),
])
def test_bad_input(home, args, code, message):
    result = run(home, *args)
    assert result.exit_code == code
    assert message in result.stderr
    if code == 1:
        assert result.stderr.count("\n") == 1
    assert exports(home) == []


def age_file(plaintext: bytes, passphrase: str, log_n: int = 10) -> bytes:
    """An age v1 file (age-encryption.org/v1) sealed with ``passphrase`` at scrypt work factor
    2**``log_n``: what ``age -p`` writes, at a cost a test can pay many times over (pyrage picks
    the work factor itself, ~1 s of scrypt to seal and to open a file)."""
    from base64 import b64encode

    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    def b64(data: bytes) -> bytes:
        return b64encode(data).rstrip(b"=")

    def hkdf(key: bytes, salt: bytes | None, info: bytes) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt, info).derive(key)

    file_key, salt, nonce = os.urandom(16), os.urandom(16), os.urandom(16)
    wrap = Scrypt(b"age-encryption.org/v1/scrypt" + salt, 32, 2 ** log_n, 8, 1).derive(
        passphrase.encode())
    body = ChaCha20Poly1305(wrap).encrypt(bytes(12), file_key, None)
    header = (b"age-encryption.org/v1\n-> scrypt " + b64(salt) + b" %d\n" % log_n + b64(body)
              + b"\n---")
    mac = hmac.HMAC(hkdf(file_key, None, b"header"), hashes.SHA256())
    mac.update(header)
    sealed, payload = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload")), b""
    chunks = [plaintext[i:i + 65536] for i in range(0, len(plaintext), 65536)] or [b""]
    for counter, chunk in enumerate(chunks):
        last = bytes([counter == len(chunks) - 1])
        payload += sealed.encrypt(counter.to_bytes(11, "big") + last, chunk, None)
    return header + b" " + b64(mac.finalize()) + b"\n" + nonce + payload


@pytest.mark.slow  # pyrage's own scrypt work factor, sealing and opening: 3-9 s of CPU
def test_import_round_trip_through_plain_and_age_files(home, tmp_path, clock):
    full = tmp_path / "vault.json"
    sealed = tmp_path / "vault.json.age"
    age_pw = tmp_path / "age-pw"
    age_pw.write_text("äge wörds ﬁne 🙂\n")  # not ASCII: read, encoded and matched the same
    assert run(home, "export", "--all", "--full", "--format", "json", "-o", str(full),
               clock=clock).exit_code == 0
    result = run(home, "export", "--all", "--full", "--format", "json", "-o", str(sealed),
                 "--encrypt", "--age-passphrase-file", str(age_pw), clock=clock)
    assert result.exit_code == 0, result.output
    assert "not encrypted" not in result.stderr and "encrypted (age)" in result.stdout
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    assert [e.format for e in exports(home)] == ["json", "json+age"]

    other = tmp_path / "other"
    create_vault(Paths.resolve(other).vault, PASSPHRASE, kdf=crypto.FAST_FOR_TESTS,
                 allow_weak=True).close()
    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n")
    # the wrong passphrase on an age file of the same export sealed at a low work factor (the
    # passphrase is right for it: imported below); each try on `sealed` costs ~1 s of scrypt
    cheap = tmp_path / "cheap.json.age"
    cheap.write_bytes(age_file(full.read_bytes(), age_pw.read_text().rstrip("\n")))
    bad = run(other, "import", str(cheap), "--age-passphrase-file", str(wrong))
    assert bad.exit_code == 1 and "wrong passphrase" in bad.stderr and "nothing was imported" in bad.stderr
    assert bad.stderr.count("\n") == 1

    imported = run(other, "import", str(sealed), "--age-passphrase-file", str(age_pw))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "imported 2 people, 2 sessions, 3 notes, 1 item, 1 jot\n"
    again = ("imported nothing new; skipped 2 people, 2 sessions, 3 notes, 1 item, 1 jot already "
             "in the vault\n")
    assert run(other, "import", str(cheap), "--age-passphrase-file", str(age_pw)).stdout == again
    plain = run(other, "import", str(full))
    assert plain.stdout == again
    again = run(other, "export", "--all", "--full", "--format", "json", clock=clock)
    assert again.exit_code == 0
    assert again.stdout_bytes == full.read_bytes()


def test_foreign_import_changes_nothing(home, ids, tmp_path):
    s1, _ = ids
    summary = tmp_path / "summary.json"
    assert run(home, "export", s1, "--format", "json", "-o", str(summary)).exit_code == 0
    markdown = tmp_path / "notes.md"
    markdown.write_text("# hello\n")
    for path, message in ((summary, "only a full JSON export"), (markdown, "not JSON"),
                          (tmp_path / "missing.json", "cannot read")):
        result = run(home, "import", str(path))
        assert result.exit_code == 1
        assert message in result.stderr and result.stderr.count("\n") == 1
    with open_vault(Paths.resolve(home).vault, PASSPHRASE, allow_weak=True) as store:
        assert store.session_count() == 2
        assert len(store.exports()) == 1


def test_age_passphrase_needs_a_source(home, tmp_path, monkeypatch):
    monkeypatch.delenv("RAPPORT_AGE_PASSPHRASE", raising=False)
    out = tmp_path / "x.age"
    result = run(home, "export", "--all", "--encrypt", "-o", str(out))
    assert result.exit_code == 1 and "no passphrase for the age file" in result.stderr
    assert not out.exists() and exports(home) == []


def test_the_facilitators_name_from_the_config_owns_their_items(home):
    """``facilitator_name`` in config.toml names the facilitator's items in every format; without
    it they read "Facilitator"; a bad one is a warning, and the default."""
    for fmt, mine in (("md", "owner: Facilitator"), ("json", '"owner_name": "Facilitator"')):
        result = run(home, "export", "--person", "Ana", "--format", fmt)
        assert result.exit_code == 0 and mine in result.stdout
    config = Paths.resolve(home).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('facilitator_name = "  Sam   Lee "\n[keys]\nprivacy = "not a key!"\n')
    for fmt, mine in (("md", "owner: Sam Lee"), ("html", "owner: Sam Lee"),
                      ("json", '"owner_name": "Sam Lee"')):
        result = run(home, "export", "--person", "Ana", "--format", fmt)
        assert result.exit_code == 0 and mine in result.stdout and "Facilitator" not in result.stdout
        assert result.stderr == ""  # [keys] is the app's: a command leaves it unchecked
    config.write_text('facilitator_name = "Sam\\u001b[31m"\n')
    result = run(home, "export", "--person", "Ana")
    assert result.exit_code == 0 and "owner: Facilitator" in result.stdout
    assert "facilitator_name (line 1) must be a name on one line" in result.stderr
