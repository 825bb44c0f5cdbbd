"""Every record table of the vault, declared once: what is stored in the clear, what is sealed.

A table's plaintext columns are the four every record has (``id``, ``rev``, ``created_at``,
``updated_at``) and its links (``session_id``, ...); every other column is *sealed*: AES-GCM with
associated data naming the table, the column and all of the row's plaintext columns (see
:func:`store.rows.aad`). The row engine reads this list for everything it does to every table:
verifying, rotating the key, and the row summary that detects deleted rows.

Adding a record family is: its :class:`Table` here, a migration creating it
(:mod:`store.migrations`), and a repository module on :class:`store.rows.Rows`. Its rows are then
sealed, verified, re-keyed and counted in the row summary like the others, and a full export
carries them (:func:`later_families`): a list named after the table, each record its id,
timestamps, links and sealed columns, which an import reads back.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE = ("id", "rev", "created_at", "updated_at")


@dataclass(frozen=True)
class Table:
    name: str
    links: tuple[str, ...]  # plaintext columns besides BASE: ids of other records, times
    sealed: tuple[str, ...]
    noun: str  # one row, in messages ("no person with id ...")
    plural: str = ""

    @property
    def plain(self) -> tuple[str, ...]:
        """The plaintext columns, in the order the associated data binds them."""
        return BASE + self.links

    @property
    def columns(self) -> tuple[str, ...]:
        return self.plain + self.sealed

    @property
    def nouns(self) -> str:
        return self.plural or f"{self.noun}s"


PEOPLE = Table("people", (), ("data",), "person", "people")
PROGRAMMES = Table("programmes", (), ("data",), "programme")
SESSIONS = Table("sessions", ("person_id", "programme_id", "started_at", "ended_at", "amended_at"),
                 ("meta", "plan", "state"), "session")
NOTES = Table("notes", ("session_id",), ("body",), "note")
ITEMS = Table("items", ("session_id", "person_id"), ("data",), "item")
JOTS = Table("jots", ("person_id",), ("data",), "jot")
TAGS = Table("tags", ("session_id",), ("data",), "tag")
STRATEGY = Table("strategy", ("programme_id",), ("data",), "strategy item")
EXPORTS = Table("exports", (), ("data",), "export")

#: Every record table, parents before children (the order imports insert in).
TABLES: dict[str, Table] = {t.name: t for t in (
    PEOPLE, PROGRAMMES, SESSIONS, NOTES, ITEMS, JOTS, TAGS, STRATEGY, EXPORTS)}

#: The families the version-1 export document lays out itself (store.document), and the export
#: log, which stays in its vault.
FIRST_FAMILIES = ("people", "programmes", "sessions", "notes", "items", "jots", "tags", "strategy")
NOT_EXPORTED = ("exports",)


def later_families() -> list[Table]:
    """The record tables declared after version 1 of the export document: exported and imported
    as top-level lists named after them."""
    return [t for t in TABLES.values() if t.name not in FIRST_FAMILIES + NOT_EXPORTED]
