"""The vault's schema, built by sqlite-utils ``Migrations``: one list, applied in order.

A migration never changes a sealed value (it has no key): tables, columns, indexes. What needs
the data key when an older vault is first opened (its row summary) is done by
:mod:`store.vault` after unlocking, in the same transaction as the key slot's move to format 2.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def build() -> Any:
    """The migrations, as sqlite-utils wants them (imported only when a vault needs migrating)."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("rapport")

    @migrations(name="0001_initial")
    def initial(db: Any) -> None:
        common = "id TEXT PRIMARY KEY, rev INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL"
        db.execute(
            "CREATE TABLE keyslot (id INTEGER PRIMARY KEY CHECK (id = 1), vault_id TEXT NOT NULL,"
            " format INTEGER NOT NULL, kdf TEXT NOT NULL, salt BLOB NOT NULL, wrapped BLOB NOT NULL,"
            " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        db.execute(f"CREATE TABLE people ({common}, data BLOB NOT NULL)")
        db.execute(f"CREATE TABLE programmes ({common}, data BLOB NOT NULL)")
        db.execute(
            f"CREATE TABLE sessions ({common}, person_id TEXT NOT NULL REFERENCES people(id),"
            " programme_id TEXT REFERENCES programmes(id), started_at TEXT NOT NULL,"
            " ended_at TEXT, amended_at TEXT, meta BLOB NOT NULL, plan BLOB NOT NULL, state BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX sessions_started ON sessions(started_at)")
        db.execute("CREATE INDEX sessions_person ON sessions(person_id)")
        db.execute(
            f"CREATE TABLE notes ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, body BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX notes_session ON notes(session_id)")
        db.execute(
            f"CREATE TABLE items ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, person_id TEXT NOT NULL REFERENCES people(id), data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX items_session ON items(session_id)")
        db.execute("CREATE INDEX items_person ON items(person_id)")
        db.execute(
            f"CREATE TABLE jots ({common}, person_id TEXT NOT NULL REFERENCES people(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX jots_person ON jots(person_id)")
        db.execute(
            f"CREATE TABLE tags ({common}, session_id TEXT NOT NULL REFERENCES sessions(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX tags_session ON tags(session_id)")
        db.execute(
            f"CREATE TABLE strategy ({common}, programme_id TEXT NOT NULL REFERENCES programmes(id)"
            " ON DELETE CASCADE, data BLOB NOT NULL)"
        )
        db.execute(f"CREATE TABLE exports ({common}, data BLOB NOT NULL)")

    @migrations(name="0002_home_order")
    def home_order(db: Any) -> None:
        # The home list: active sessions first, then newest; its first page needs no sort.
        db.execute("CREATE INDEX sessions_home ON sessions((ended_at IS NOT NULL), started_at DESC)")

    @migrations(name="0003_search_cache")
    def search_cache(db: Any) -> None:
        # The sealed search index (store.search): parts of one snapshot, AES-GCM like every field.
        db.execute("CREATE TABLE search_cache (snapshot TEXT NOT NULL, part INTEGER NOT NULL,"
                   " count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (snapshot, part))")

    @migrations(name="0004_revisions")
    def revisions(db: Any) -> None:
        # Covering indexes for the (id, rev) manifest the search index compares on unlock: a scan
        # of a few hundred index pages, not of every row (sessions hold 13 KB plans).
        for table in ("people", "sessions", "notes", "items", "jots"):
            db.execute(f"CREATE INDEX {table}_rev ON {table}(id, rev)")

    @migrations(name="0005_render_cache")
    def render_cache(db: Any) -> None:
        # The sessions' texts from the last export of everything, sealed (store.export_cache):
        # the body in parts, and its index with the records' state it was written at (row
        # counts and revision totals, plus the deletes the triggers count). A delete empties it.
        db.execute("CREATE TABLE render_cache (snapshot TEXT NOT NULL, part INTEGER NOT NULL,"
                   " data BLOB NOT NULL, PRIMARY KEY (snapshot, part))")
        db.execute("CREATE TABLE render_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
                   " deletes INTEGER NOT NULL, fingerprint TEXT, data BLOB)")
        db.execute("INSERT INTO render_state (id, deletes) VALUES (1, 0)")
        # Exports choose and order sessions from these columns alone: an index-only scan.
        db.execute("CREATE INDEX sessions_export ON sessions(started_at, id, person_id, programme_id)")
        for table in ("people", "sessions", "notes", "items", "tags"):
            db.execute(f"CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} BEGIN"
                       " DELETE FROM render_cache;"
                       " UPDATE render_state SET deletes = deletes + 1, fingerprint = NULL,"
                       " data = NULL; END")

    @migrations(name="0006_row_summary")
    def row_summary(db: Any) -> None:
        # The sealed row summary (store.summary): each table's row count and a keyed hash of
        # its rows' (id, revision), so a deleted row is noticed.
        db.execute("CREATE TABLE row_summary (id INTEGER PRIMARY KEY CHECK (id = 1),"
                   " data BLOB NOT NULL)")

    @migrations(name="0007_no_render_cache")
    def no_render_cache(db: Any) -> None:
        # Exports render every time (store.export); the sealed index's old format is dropped
        # (store.search keeps an SQLite database there now).
        for table in ("people", "sessions", "notes", "items", "tags"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_deleted")
        db.execute("DROP TABLE IF EXISTS render_cache")
        db.execute("DROP TABLE IF EXISTS render_state")
        db.execute("DELETE FROM search_cache")

    @migrations(name="0008_between_sessions")
    def between_sessions(db: Any) -> None:
        # Issues 22 and 23 (store.tables): talking points, the next meeting, the question bank,
        # pulses, feedback, goal check-ins, key results and links, rosters, kept syntheses. No
        # ON DELETE CASCADE: the row engine deletes what points at a row itself (the row summary
        # must see every delete); the foreign keys only refuse what it forgot.
        common = ("id TEXT PRIMARY KEY, rev INTEGER NOT NULL, created_at TEXT NOT NULL,"
                  " updated_at TEXT NOT NULL")
        person = "person_id TEXT NOT NULL REFERENCES people(id)"
        for table, links in (
                ("talking_points", person),
                ("meetings", person),
                ("questions", ""),
                ("pulses", f"{person}, session_id TEXT REFERENCES sessions(id)"),
                ("feedback", f"{person}, session_id TEXT REFERENCES sessions(id)"),
                ("checkins", f"{person}, goal_id TEXT NOT NULL REFERENCES items(id)"),
                ("key_results", f"{person}, goal_id TEXT NOT NULL REFERENCES items(id)"),
                ("goal_links", f"{person}, goal_id TEXT NOT NULL REFERENCES items(id),"
                               " item_id TEXT NOT NULL REFERENCES items(id)"),
                ("roster", "programme_id TEXT NOT NULL REFERENCES programmes(id),"
                           f" {person}"),
                ("kept_syntheses", "programme_id TEXT NOT NULL REFERENCES programmes(id)")):
            db.execute(f"CREATE TABLE {table} ({common}, {links + ', ' if links else ''}"
                       "data BLOB NOT NULL)")
            for link in ("person_id", "session_id", "goal_id", "item_id", "programme_id"):
                if link in links:
                    db.execute(f"CREATE INDEX {table}_{link} ON {table}({link})")
        # Upgrades that need the data key (store.upgrades), by name, once each.
        db.execute("CREATE TABLE upgrades (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")

    return migrations


#: The names :func:`build` registers, in order (a test keeps them equal): enough to tell whether
#: a vault needs migrating without importing sqlite-utils on every open.
NAMES = ("0001_initial", "0002_home_order", "0003_search_cache", "0004_revisions",
         "0005_render_cache", "0006_row_summary", "0007_no_render_cache",
         "0008_between_sessions")


def applied(conn: sqlite3.Connection) -> tuple[str, ...]:
    try:
        return tuple(r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'rapport' ORDER BY rowid"))
    except sqlite3.OperationalError:  # no table yet
        return ()


def migrate(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Applies what is missing; returns the names it applied. (sqlite-utils is imported only
    when something is.)"""
    before = applied(conn)
    if before == NAMES:
        return ()
    from sqlite_utils import Database

    build().apply(Database(conn, execute_plugins=False))
    return tuple(name for name in applied(conn) if name not in before)
