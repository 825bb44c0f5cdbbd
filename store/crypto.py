"""Key derivation, key wrapping and per-field authenticated encryption.

* Argon2id over the NFC-normalised passphrase gives a key-encryption key (KEK).
* The KEK wraps a random 256-bit data key (DEK) with AES-GCM; the wrap's tag is the passphrase
  check, and the KDF parameters and vault id are its associated data, so a tampered header fails.
* Field keys come from the DEK through HKDF; every field is AES-256-GCM with a fresh 96-bit nonce
  and associated data naming its table, column, row id, revision and the row's plaintext columns.

``cryptography`` is imported inside functions so that the TUI paints its first frame first.
"""

from __future__ import annotations

import json
import os
import unicodedata
from typing import NamedTuple

from .errors import UnsafeParameters, WrongPassphrase

FORMAT = 1
BLOB_VERSION = b"\x01"
NONCE_LEN = 12
KEY_LEN = 32
PAD_BLOCK = 64


class KdfParams(NamedTuple):
    """Argon2id cost. ``memory_kib`` in KiB. A NamedTuple, not a dataclass: a command reads it
    before anything imports :mod:`dataclasses` (with :mod:`inspect`, :mod:`ast` and :mod:`dis`)
    to start deriving the key (:mod:`store.prefetch`), and every millisecond before that start
    is a millisecond of the whole command."""

    memory_kib: int = 64 * 1024
    iterations: int = 4  # about 0.25-0.3 s here; the floor below is 3
    lanes: int = 4

    # Floor and ceiling. The floor is what the design asks for; the ceiling refuses a crafted
    # header that would make unlocking hang or exhaust memory before anything is verified.
    MIN_MEMORY = 64 * 1024
    MIN_ITERATIONS = 3
    MAX_MEMORY = 1024 * 1024
    MAX_ITERATIONS = 20
    MAX_LANES = 16

    def canonical(self) -> str:
        return f"argon2id;m={self.memory_kib};t={self.iterations};p={self.lanes}"

    def to_dict(self) -> dict:
        return {"memory_kib": self.memory_kib, "iterations": self.iterations, "lanes": self.lanes}

    @classmethod
    def from_dict(cls, data: dict) -> "KdfParams":
        try:
            params = cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise UnsafeParameters("the vault's key-derivation parameters are unreadable") from exc
        return params

    def check(self, *, allow_weak: bool = False) -> None:
        if not (1 <= self.lanes <= self.MAX_LANES):
            raise UnsafeParameters(f"refusing key-derivation lanes={self.lanes}")
        if self.memory_kib > self.MAX_MEMORY or self.iterations > self.MAX_ITERATIONS:
            raise UnsafeParameters(
                "refusing key-derivation parameters above the ceiling "
                f"({self.canonical()}); the vault header may have been tampered with"
            )
        if self.memory_kib < 8 * self.lanes or self.iterations < 1:
            raise UnsafeParameters(f"refusing invalid key-derivation parameters ({self.canonical()})")
        if not allow_weak and (self.memory_kib < self.MIN_MEMORY or self.iterations < self.MIN_ITERATIONS):
            raise UnsafeParameters(
                f"refusing key-derivation parameters below the floor ({self.canonical()})"
            )


PRODUCTION = KdfParams()
#: For tests only; a vault made with these opens only when ``allow_weak`` is passed.
FAST_FOR_TESTS = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def normalise_passphrase(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def load_kdf() -> type:
    """cryptography's Argon2id, imported on first use."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id


def load_ciphers() -> None:
    """Imports what unwrapping the data key and the field cipher use (~5-10 ms), for a caller
    that would otherwise wait idle for a key being derived on another thread."""
    import importlib

    for name in ("cryptography.hazmat.primitives.ciphers.aead",
                 "cryptography.hazmat.primitives.kdf.hkdf"):
        importlib.import_module(name)


def derive_kek(passphrase: str, salt: bytes, params: KdfParams, *, allow_weak: bool = False) -> bytes:
    params.check(allow_weak=allow_weak)
    kdf = load_kdf()(
        salt=salt,
        length=KEY_LEN,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalise_passphrase(passphrase))


def keyslot_aad(vault_id: str, params: KdfParams, salt: bytes) -> bytes:
    return f"rapport/v{FORMAT}/keyslot|{vault_id}|{params.canonical()}|{salt.hex()}".encode()


def wrap_key(kek: bytes, dek: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(kek).encrypt(nonce, dek, aad)


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        dek = AESGCM(kek).decrypt(wrapped[:NONCE_LEN], wrapped[NONCE_LEN:], aad)
    except (InvalidTag, ValueError) as exc:
        raise WrongPassphrase("wrong passphrase") from exc
    if len(dek) != KEY_LEN:
        raise WrongPassphrase("wrong passphrase")
    return dek


def new_key() -> bytes:
    return os.urandom(KEY_LEN)


def pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding to a multiple of 64 bytes, so lengths leak only coarsely."""
    data = data + b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def unpad(data: bytes) -> bytes:
    # The last 0x80 is the marker: only zero bytes may follow it (no copy until the slice).
    end = data.rfind(0x80)
    if end < 0 or data.count(0, end) != len(data) - end - 1:
        raise ValueError("bad padding")
    return data[:end]


def clean_text(value: str) -> str:
    """Replace lone surrogates (from a broken paste) so text always encodes as UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class FieldCipher:
    """Seals and opens field values with a subkey of the data key."""

    def __init__(self, dek: bytes) -> None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        subkey = HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=None,
                      info=f"rapport/v{FORMAT}/fields".encode()).derive(dek)
        self._aead = AESGCM(subkey)
        self._invalid_tag = InvalidTag

    def seal_bytes(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_LEN)
        return BLOB_VERSION + nonce + self._aead.encrypt(nonce, pad(data), aad)

    def open_bytes(self, blob: bytes, aad: bytes) -> bytes:
        """The sealed bytes; raises ValueError when the blob fails authentication."""
        if blob.__class__ is not bytes or len(blob) < _MIN_BLOB or blob[0] != _VERSION_BYTE:
            raise ValueError("malformed ciphertext")
        try:
            raw = self._aead.decrypt(blob[1:_BODY], blob[_BODY:], aad)
        except self._invalid_tag as exc:
            raise ValueError("authentication failed") from exc
        return unpad(raw)

    def seal(self, value: object, aad: bytes) -> bytes:
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        return self.seal_bytes(raw, aad)

    def open(self, blob: bytes, aad: bytes, memo: dict | None = None) -> object:
        """Returns the value; raises ValueError when the blob fails authentication.

        ``memo``: values already decoded, by plaintext. Equal plaintexts (sessions run with the
        same guide carry the same 13 KB plan) are then decoded once and the value is shared:
        for callers that only read it.
        """
        raw = self.open_bytes(blob, aad)
        if memo is not None:
            value = memo.get(raw)
            if value is None:
                value = memo[raw] = self._decode(raw)
            return value
        return self._decode(raw)

    @staticmethod
    def _decode(raw: bytes) -> object:
        # surrogatepass as in seal(): whatever was sealed opens again, lone surrogates included
        text = raw.decode("utf-8", "surrogatepass")
        # What seal() wrote is one compact JSON value (and authenticated): the scanner alone
        # reads it, without json.loads' whitespace passes.
        try:
            value, end = _scan_json(text, 0)
        except StopIteration:
            raise ValueError("not a sealed value") from None
        if end != len(text):
            raise ValueError("not a sealed value")
        return value


_VERSION_BYTE = BLOB_VERSION[0]
_BODY = 1 + NONCE_LEN
_MIN_BLOB = _BODY + 16
_scan_json = json.JSONDecoder().scan_once
