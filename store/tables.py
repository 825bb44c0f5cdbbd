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

``refs`` says which table each id link points at. The engine reads it too: deleting a row
deletes the rows that point at it first, through the engine (so the row summary and the search
index follow: :meth:`store.rows.Rows.delete`), merging two records moves what points at one to
the other (:meth:`store.rows.Rows.relink`), an export carries a later family's record when what
it points at is in the export, and an import checks that it is in the file or the vault.
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
    #: (link, table it points at), for the id links (deleted with what they point at)
    refs: tuple[tuple[str, str], ...] = ()

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


PERSON = (("person_id", "people"),)
SESSION = (("session_id", "sessions"),)
PROGRAMME = (("programme_id", "programmes"),)
GOAL = (("goal_id", "items"),)

PEOPLE = Table("people", (), ("data",), "person", "people")
PROGRAMMES = Table("programmes", (), ("data",), "programme")
SESSIONS = Table("sessions", ("person_id", "programme_id", "started_at", "ended_at", "amended_at"),
                 ("meta", "plan", "state"), "session", refs=PERSON + PROGRAMME)
NOTES = Table("notes", ("session_id",), ("body",), "note", refs=SESSION)
ITEMS = Table("items", ("session_id", "person_id"), ("data",), "item", refs=SESSION + PERSON)
JOTS = Table("jots", ("person_id",), ("data",), "jot", refs=PERSON)
TAGS = Table("tags", ("session_id",), ("data",), "tag", refs=SESSION)
STRATEGY = Table("strategy", ("programme_id",), ("data",), "strategy item", refs=PROGRAMME)
EXPORTS = Table("exports", (), ("data",), "export")
# Issues 22 and 23: the loop between conversations, and people over time.
POINTS = Table("talking_points", ("person_id",), ("data",), "talking point", refs=PERSON)
MEETINGS = Table("meetings", ("person_id",), ("data",), "next meeting", refs=PERSON)
QUESTIONS = Table("questions", (), ("data",), "question")
PULSES = Table("pulses", ("person_id", "session_id"), ("data",), "pulse",
               refs=PERSON + SESSION)
FEEDBACK = Table("feedback", ("person_id", "session_id"), ("data",), "feedback entry",
                 "feedback entries", refs=PERSON + SESSION)
CHECKINS = Table("checkins", ("person_id", "goal_id"), ("data",), "goal check-in",
                 refs=PERSON + GOAL)
KEY_RESULTS = Table("key_results", ("person_id", "goal_id"), ("data",), "key result",
                    refs=PERSON + GOAL)
GOAL_LINKS = Table("goal_links", ("person_id", "goal_id", "item_id"), ("data",), "goal link",
                   refs=PERSON + GOAL + (("item_id", "items"),))
ROSTER = Table("roster", ("programme_id", "person_id"), ("data",), "roster place",
               refs=PROGRAMME + PERSON)
KEPT = Table("kept_syntheses", ("programme_id",), ("data",), "kept synthesis",
             "kept syntheses", refs=PROGRAMME)

#: Every record table, parents before children (the order imports insert in).
TABLES: dict[str, Table] = {t.name: t for t in (
    PEOPLE, PROGRAMMES, SESSIONS, NOTES, ITEMS, JOTS, TAGS, STRATEGY, EXPORTS, POINTS, MEETINGS,
    QUESTIONS, PULSES, FEEDBACK, CHECKINS, KEY_RESULTS, GOAL_LINKS, ROSTER, KEPT)}

#: The families the version-1 export document lays out itself (store.document), and the export
#: log, which stays in its vault.
FIRST_FAMILIES = ("people", "programmes", "sessions", "notes", "items", "jots", "tags", "strategy")
NOT_EXPORTED = ("exports",)


def pointing_at(table: str) -> list[tuple[Table, str]]:
    """Every (table, link) whose link points at ``table``."""
    return [(t, link) for t in TABLES.values() for link, target in t.refs if target == table]


def later_families() -> list[Table]:
    """The record tables declared after version 1 of the export document: exported and imported
    as top-level lists named after them."""
    return [t for t in TABLES.values() if t.name not in FIRST_FAMILIES + NOT_EXPORTED]
