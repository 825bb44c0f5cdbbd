"""The row summary: which rows each table should hold, sealed, so that a deleted row is noticed.

Per-field encryption proves each value belongs to its row, column and revision; it cannot prove a
row is still there. So the vault keeps, for every table of :data:`store.tables.TABLES`, the number
of rows and an order-independent hash of their ``(id, revision)``: the sum, modulo 2^128, of a
keyed digest of each (HMAC under a subkey of the data key: nobody without the key can compute a
term). An insert adds a term, a delete takes one away, an update swaps the old revision's term for
the new one's: O(1) inside each write transaction (:class:`store.rows.Rows`). The summary is one
sealed value (``row_summary``), bound to the vault.

* opening a vault compares the counts (one index scan per table): :meth:`RowSummary.count_damage`;
* ``verify`` recomputes every hash: :meth:`RowSummary.full_damage`, which also catches an older
  revision of a row put back with its older ciphertext (a partial rollback) and a row deleted
  and another inserted.
Restoring a *whole* older copy of the file (summary included) is not detected: nothing in the
file can tell an old copy from the current one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from .crypto import FIELD_FORMAT, FieldCipher
from .models import Damage
from .tables import TABLES

MODULUS = 1 << 128


def _aad(vault_id: str) -> bytes:
    return f"rapport/v{FIELD_FORMAT}|row_summary|{vault_id}".encode()


@dataclass
class Tally:
    """One table's rows: how many, and the sum of their terms."""

    count: int = 0
    digest: int = 0

    def add(self, other: Tally, sign: int = 1) -> None:
        self.count += sign * other.count
        self.digest = (self.digest + sign * other.digest) % MODULUS


class RowSummary:
    """The summary as the writer holds it: loaded at unlock, changed by each committed write."""

    def __init__(self, cipher: FieldCipher, vault_id: str, tallies: dict[str, Tally]) -> None:
        self._cipher = cipher
        self._vault_id = vault_id
        self.tallies = {name: tallies.get(name, Tally()) for name in TABLES}

    def changed(self, changes: dict[str, Tally]) -> RowSummary:
        """A copy with ``changes`` (table -> the count and digest to add) applied."""
        tallies = dict(self.tallies)  # the tables not changed share their tallies: never added to
        for name, change in changes.items():
            tally = tallies[name] = Tally(tallies[name].count, tallies[name].digest)
            tally.add(change)
        return RowSummary(self._cipher, self._vault_id, tallies)

    def rekeyed(self, cipher: FieldCipher) -> RowSummary:
        """The same tallies under another key (terms must be recomputed: see :meth:`compute`)."""
        return RowSummary(cipher, self._vault_id, self.tallies)

    def term(self, table: str, record_id: str, rev: int) -> int:
        return self._cipher.digest(f"{table}|{record_id}|{int(rev)}".encode())

    # -- the sealed value
    def seal(self) -> bytes:
        body = {name: [t.count, f"{t.digest:032x}"] for name, t in self.tallies.items()}
        return self._cipher.seal({"tables": body}, _aad(self._vault_id))

    @classmethod
    def open(cls, cipher: FieldCipher, vault_id: str, blob: object) -> RowSummary:
        """Raises ValueError when the blob fails authentication or is not a summary."""
        value = cipher.open(blob, _aad(vault_id))
        try:
            tallies = {name: Tally(int(count), int(digest, 16))
                       for name, (count, digest) in value["tables"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError("not a row summary") from None
        return cls(cipher, vault_id, tallies)

    def write(self, conn: sqlite3.Connection) -> None:
        """Inside a transaction: the sealed summary replaces the stored one."""
        conn.execute("INSERT OR REPLACE INTO row_summary (id, data) VALUES (1, ?)", (self.seal(),))

    @classmethod
    def load(cls, conn: sqlite3.Connection, cipher: FieldCipher,
             vault_id: str) -> RowSummary | None:
        """The stored summary; None when there is none; ValueError when it is not authentic."""
        row = conn.execute("SELECT data FROM row_summary WHERE id = 1").fetchone()
        return None if row is None else cls.open(cipher, vault_id, row[0])

    # -- from the rows themselves
    def tally(self, conn: sqlite3.Connection, table: str) -> Tally:
        """``table`` as it stands: every row's term (an index scan of its ids and revisions)."""
        found = Tally()
        for record_id, rev in conn.execute(f"SELECT id, rev FROM {table}"):
            found.count += 1
            found.digest += self.term(table, record_id, rev)
        found.digest %= MODULUS
        return found

    @classmethod
    def compute(cls, conn: sqlite3.Connection, cipher: FieldCipher, vault_id: str) -> RowSummary:
        empty = cls(cipher, vault_id, {})
        return cls(cipher, vault_id, {name: empty.tally(conn, name) for name in TABLES})

    # -- checks
    def count_damage(self, conn: sqlite3.Connection) -> list[Damage]:
        """The cheap check (opening a vault): each table's row count against the summary."""
        damage = []
        for name, expected in self.tallies.items():
            (count,) = conn.execute(f"SELECT count(*) FROM {name}").fetchone()
            if count != expected.count:
                damage.append(_count_damage(name, count, expected.count))
        return damage

    def full_damage(self, conn: sqlite3.Connection,
                    tables: Iterable[str] = TABLES) -> list[Damage]:
        """Every table's rows against the summary, hash included (``verify``)."""
        damage = []
        for name in tables:
            found, expected = self.tally(conn, name), self.tallies[name]
            if found.count != expected.count:
                damage.append(_count_damage(name, found.count, expected.count))
            elif found.digest != expected.digest:
                damage.append(Damage(name, "-", "-", "rows were changed outside rapport (an "
                                     "older revision put back, or rows replaced)", rows=True))
        return damage


def _count_damage(table: str, found: int, expected: int) -> Damage:
    nouns = TABLES[table].nouns
    if found < expected:
        return Damage(table, "-", "-", f"{expected - found} of {expected} {nouns} deleted "
                                       "outside rapport", rows=True)
    return Damage(table, "-", "-", f"{found - expected} {nouns} added outside rapport", rows=True)
