"""Key derivation, key wrapping and per-field authenticated encryption.

* Argon2id over the NFC-normalised passphrase gives a key-encryption key (KEK).
* The KEK wraps a random 256-bit data key (DEK) with AES-GCM; the wrap's tag is the passphrase
  check, and the KDF parameters, salt, vault id and slot format are its associated data, so a
  tampered header fails instead of downgrading anything.
* Subkeys come from the DEK through HKDF: one seals fields (AES-256-GCM, a fresh 96-bit nonce
  each, associated data naming the table, column and the row's plaintext columns), one keys the
  row summary's hash (:mod:`store.summary`).

``cryptography`` is imported inside functions so that the TUI paints its first frame first.
"""

from __future__ import annotations

import hmac
import json
import os
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import UnsafeParameters, WrongPassphrase

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: The associated data of every sealed field starts ``rapport/v1|``: fixed for the vault's life.
FIELD_FORMAT = 1
#: Key slot formats this version reads. 2: the vault keeps a row summary (a slot is moved from 1 to
#: 2 when the summary is first written; the format is bound into the wrap, so never back).
SLOT_FORMATS = (1, 2)
SLOT_FORMAT = 2
BLOB_VERSION = b"\x01"
NONCE_LEN = 12
KEY_LEN = 32
TAG_LEN = 16
PAD_BLOCK = 64


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. ``memory_kib`` in KiB."""

    memory_kib: int = 64 * 1024
    iterations: int = 4  # about 0.25 s here; the floor below is 3
    lanes: int = 4

    def canonical(self) -> str:
        return f"argon2id;m={self.memory_kib};t={self.iterations};p={self.lanes}"

    def to_dict(self) -> dict[str, int]:
        return {"memory_kib": self.memory_kib, "iterations": self.iterations, "lanes": self.lanes}

    @classmethod
    def from_dict(cls, data: Any) -> KdfParams:
        try:
            return cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise UnsafeParameters("the vault's key-derivation parameters are unreadable") from exc

    @property
    def cost(self) -> int:
        """Memory times passes: what one derivation costs, in KiB-passes."""
        return self.memory_kib * self.iterations

    def check(self, *, allow_weak: bool = False) -> None:
        """Refuses parameters below the floor (unless ``allow_weak``: tests) or above the
        ceiling, before anything is derived: a crafted header must not make unlocking hang."""
        if not 1 <= self.lanes <= MAX_LANES:
            raise UnsafeParameters(f"refusing key-derivation lanes={self.lanes}")
        if (self.memory_kib > MAX_MEMORY_KIB or self.iterations > MAX_ITERATIONS
                or self.cost > MAX_COST):
            raise UnsafeParameters(
                "refusing key-derivation parameters above the ceiling "
                f"({self.canonical()}); the vault's header may have been changed")
        if self.memory_kib < 8 * self.lanes or self.iterations < 1:
            raise UnsafeParameters(f"refusing invalid key-derivation parameters ({self.canonical()})")
        if not allow_weak and (self.memory_kib < MIN_MEMORY_KIB or self.iterations < MIN_ITERATIONS):
            raise UnsafeParameters(
                f"refusing key-derivation parameters below the floor ({self.canonical()})")


PRODUCTION = KdfParams()
#: For tests only; a vault made with these opens only when ``allow_weak`` is passed.
FAST_FOR_TESTS = KdfParams(memory_kib=1024, iterations=1, lanes=1)

# The floor is what the security design asks for. The ceiling is a few times the production cost
# (about a second here): a header raised above it is refused before deriving anything.
MIN_MEMORY_KIB = 64 * 1024
MIN_ITERATIONS = 3
MAX_MEMORY_KIB = 256 * 1024
MAX_ITERATIONS = 16
MAX_COST = 4 * PRODUCTION.cost
MAX_LANES = 16


def normalise_passphrase(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def derive_kek(passphrase: str, salt: bytes, params: KdfParams, *, allow_weak: bool = False) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    params.check(allow_weak=allow_weak)
    kdf = Argon2id(salt=salt, length=KEY_LEN, iterations=params.iterations, lanes=params.lanes,
                   memory_cost=params.memory_kib)
    return kdf.derive(normalise_passphrase(passphrase))


def keyslot_aad(vault_id: str, params: KdfParams, salt: bytes, slot_format: int = 1) -> bytes:
    """What the wrap of the data key is bound to. Format 1's text is kept as it was."""
    head = "rapport/v1/keyslot" if slot_format == 1 else f"rapport/slot{slot_format}/keyslot"
    return f"{head}|{vault_id}|{params.canonical()}|{salt.hex()}".encode()


def wrap_key(kek: bytes, dek: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(kek).encrypt(nonce, dek, aad)


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes, *, default_params: bool = True) -> bytes:
    """The data key. :class:`WrongPassphrase` when the tag fails: with parameters other than the
    production ones, the header itself may have been changed, and the message says so."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    message = "wrong passphrase" if default_params else \
        "wrong passphrase, or the vault's header was changed"
    try:
        dek = AESGCM(kek).decrypt(wrapped[:NONCE_LEN], wrapped[NONCE_LEN:], aad)
    except (InvalidTag, ValueError):
        raise WrongPassphrase(message) from None
    if len(dek) != KEY_LEN:
        raise WrongPassphrase(message)
    return dek


def new_key() -> bytes:
    return os.urandom(KEY_LEN)


def pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding to a multiple of 64 bytes, so lengths leak only coarsely."""
    data = data + b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def unpad(data: bytes) -> bytes:
    end = data.rfind(0x80)  # the marker: only zero bytes may follow it
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


def _subkey(dek: bytes, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=None,
                info=f"rapport/v{FIELD_FORMAT}/{purpose}".encode()).derive(dek)


_VERSION = BLOB_VERSION[0]
_HEAD = 1 + NONCE_LEN
_MIN_BLOB = _HEAD + TAG_LEN


class FieldCipher:
    """Seals and opens values with subkeys of the data key (which it does not keep)."""

    def __init__(self, dek: bytes) -> None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead: AESGCM = AESGCM(_subkey(dek, "fields"))
        self._digest_key = _subkey(dek, "summary")
        self._invalid_tag = InvalidTag

    def seal_bytes(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_LEN)
        return BLOB_VERSION + nonce + self._aead.encrypt(nonce, pad(data), aad)

    def open_bytes(self, blob: object, aad: bytes) -> bytes:
        """The sealed bytes; ValueError when the blob is malformed or fails authentication."""
        if not isinstance(blob, bytes) or len(blob) < _MIN_BLOB or blob[0] != _VERSION:
            raise ValueError("malformed ciphertext")
        view = memoryview(blob)
        try:
            raw = self._aead.decrypt(view[1:_HEAD], view[_HEAD:], aad)
        except self._invalid_tag:
            raise ValueError("authentication failed") from None
        return unpad(raw)

    def seal(self, value: object, aad: bytes) -> bytes:
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self.seal_bytes(raw.encode("utf-8", "surrogatepass"), aad)

    def open(self, blob: object, aad: bytes) -> Any:
        """The value sealed in ``blob``; ValueError when it fails authentication."""
        try:  # surrogatepass, as seal() encoded it
            return json.loads(self.open_bytes(blob, aad).decode("utf-8", "surrogatepass"))
        except (UnicodeDecodeError, json.JSONDecodeError):  # authentic, yet not ours
            raise ValueError("not a sealed value") from None

    def digest(self, message: bytes) -> int:
        """A keyed 128-bit digest (HMAC-SHA256, truncated): the row summary's terms."""
        return int.from_bytes(hmac.digest(self._digest_key, message, "sha256")[:16], "big")
