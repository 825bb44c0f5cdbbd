"""The :class:`Store`: the unlocked vault as the app and the commands hold it.

A thin face: each method is one call to the repository of its record family (:mod:`store.people`,
:mod:`store.sessions`, :mod:`store.notes`, :mod:`store.items`, :mod:`store.jots`,
:mod:`store.programmes`, :mod:`store.tags`, :mod:`store.export_log`), to search
(:mod:`store.search`) or to the whole-vault operations (:mod:`store.maintenance`). All of them are
thread-safe; every write is one transaction; reads return frozen dataclasses (:mod:`store.models`).
Modules that read many rows at once (exports, syntheses, imports) use :attr:`Store.engine`.

The methods live with their records: people (:mod:`store.store_people`), sessions, notes and
items (:mod:`store.store_sessions`), the loop between conversations (:mod:`store.store_loop`) and
programmes (:mod:`store.store_programmes`), all on :mod:`store.store_base` (the engine and the
repositories). Here: opening and closing, exports and imports, search and the whole vault.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Mapping

from . import maintenance
from .models import Damage, ExportRecord
from .rows import Record
from .search import Hit
from .store_loop import LoopFace
from .store_programmes import ProgrammesFace
from .summary import RowSummary


class Store(LoopFace, ProgrammesFace):
    """The unlocked vault (made by :func:`store.open_vault` or :func:`store.create_vault`)."""

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_open(self) -> bool:
        return self.engine.is_open

    @property
    def generation(self) -> int:
        """Bumps on every write of a record: caches compare against it."""
        return self.engine.generation

    def close(self) -> None:
        """Checkpoints the WAL (TRUNCATE), drops the keys and every decrypted cache."""
        with self.engine.mutex:
            self._search.forget()
            self._people.forget()
            self._notes.forget()
            self._dek = b""
            self.engine.close()

    lock = close

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ exports
    def record_export(self, *, kind: str, format: str, destination: str, scope: str,
                      count: int) -> ExportRecord:
        return self._exports.record(kind=kind, format=format, destination=destination,
                                    scope=scope, count=count)

    def exports(self) -> list[ExportRecord]:
        return self._exports.all()

    def import_rows(self, rows: Mapping[str, list[Record]]) -> dict[str, int]:
        """Inserts records with their own ids and timestamps, all or nothing, parents first;
        skips ids already present. ``rows``: table -> [(plain, secret)]. Returns counts added."""
        added = {table: 0 for table in rows}
        with self.engine.write():
            for table, records in rows.items():
                for plain, secret in records:
                    if self.engine.count(table, "id = ?", (plain["id"],)):
                        continue
                    self.engine.put(table, plain, secret)
                    added[table] += 1
        self._people.forget()
        return added

    # ------------------------------------------------------------------ search
    def search(self, query: str, **filters: Any) -> list[Hit]:
        return self._search.search(query, **filters)

    def save_search_index(self, *, min_changes: int = 256) -> bool:
        """Seals the search index into the vault when it changed enough (see
        :meth:`store.search.Search.save`)."""
        return self._search.save(min_changes=min_changes)

    # ------------------------------------------------------------------ the whole vault
    def verify(self) -> list[Damage]:
        """SQLite's integrity check, every sealed field opened, every table's rows against the
        row summary. Returns what is damaged."""
        return maintenance.verify(self.engine, self.vault_id)

    def accept_rows(self) -> None:
        """Takes the rows as they are now as the vault's rows (after ``verify`` reported rows
        deleted or added outside rapport, and the loss is known): the row summary is written
        again from them."""
        with self.engine.write():
            summary = RowSummary.compute(self.engine.connection(), self.engine.cipher(),
                                         self.vault_id)
            summary.write(self.engine.connection())
        self.engine.use(self.engine.cipher(), summary)
        self.engine.summary_frozen = False
        self.damage = ()

    def backup(self, destination: Path) -> int:
        """A consistent, verified copy at ``destination`` (0600, never overwriting). Returns the
        number of records checked."""
        return maintenance.backup(self.engine, self.vault_id, destination)

    def change_passphrase(self, new_passphrase: str, *, kdf: Any = None) -> None:
        """Re-wraps the data key under a new passphrase in one transaction."""
        self._slot = maintenance.change_passphrase(self.engine, self._slot, self._dek,
                                                   new_passphrase, kdf=kdf,
                                                   allow_weak=self._allow_weak)

    def rotate_key(self, passphrase: str) -> int:
        """A new data key: every record re-sealed, the key re-wrapped, one transaction. Needs
        the passphrase again. Returns the number of rows re-sealed."""
        with self.engine.mutex:
            self._slot, self._dek, count = maintenance.rotate_key(
                self.engine, self._slot, passphrase, vault_id=self.vault_id,
                allow_weak=self._allow_weak)
            self._search.unsealed()
        return count
