"""The sealed render cache: every session's rendered text, kept from the last export of everything.

Rendering an export decrypts every field of every session in it (each sealed on its own, the
13 KB guide plan included) and builds its text: seconds for a 10,000-session vault. What a
session renders to changes only when one of its records does, so an export of everything keeps
the sessions' texts *sealed* in the vault (AES-GCM under the data key like every field: never
plaintext on disk), and the next export opens them instead of the records.

* **The body and its index.** The texts are kept joined, in export order, as the *body* (table
  ``render_cache``: a few parts of a few MB, each sealed and bound to its snapshot, number and
  count), with an *index* (sealed in ``render_state``): each session's id, fingerprint and place
  in the body. An export of everything made while nothing changed writes the body out as it is;
  any other export takes the texts still valid from it and renders the rest.
* **Valid only for the same records.** A session's fingerprint digests the revisions of what its
  text is made of: the session row, its person (the participant's name), and the ``(id,
  revision)`` of each of its notes, items and tags, all plaintext columns (it reveals nothing
  new). Every write bumps a revision and new rows bring new ids, so any change gives another
  fingerprint. Whether *anything* changed is cheaper: the records' *state* (each table's row
  count and revision total, which inserts and updates raise, plus a count of deletes kept by
  triggers) is compared with the state the index was written at; equal, every text is current.
* **Valid only for the same rendering.** The *variant* (format, kind, private notes or not, the
  time zone dates are shown in, the facilitator's name, and a digest of the renderer's source)
  is part of the index's associated data, not stored: another variant's index fails
  authentication and the cache counts as empty.
* **Gone with what it shows.** Deleting a session, note, item, tag or person empties the cache
  in the same transaction (triggers, migration 0005), so no deleted text outlives its record;
  rotating the key empties it too (:meth:`store.vault.Store.rotate_key`).
* **Written after the export.** :func:`store.export.render` only reads;
  :func:`store.export.write_export` saves, after the export is written and recorded, and only for
  an export of everything (the one time every session's text is at hand), in one transaction,
  and only if the records did not change meanwhile. A failure to save is not an error.

One variant is kept: exporting everything alternately in two formats renders each time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

from .crypto import FORMAT
from .db import in_clause
from .errors import RapportError

if TYPE_CHECKING:  # pragma: no cover
    from datetime import tzinfo

    from .vault import Store

#: The layout of the index; another one is never read (its associated data differs).
CACHE_VERSION = 2
#: Sessions per IN (...) query; bytes per sealed part of the body.
BATCH = 400
PART = 4 << 20
_CHILDREN = ("notes", "items", "tags")


def variant(fmt: str, kind: str, include_private: bool, tz: "tzinfo | None",
            facilitator: str) -> str:
    """Everything besides the records that decides a session's text."""
    return json.dumps([CACHE_VERSION, _code_digest(), fmt, kind,
                       bool(include_private and kind == "summary"), _zone_key(tz), facilitator],
                      ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _code_digest() -> str:
    """A digest of the renderer's source: a new version of it never reuses older text."""
    digest = hashlib.blake2b(digest_size=16)
    here = Path(__file__).resolve().parent
    for name in ("export.py", "render.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # pragma: no cover - installed without sources
            digest.update(name.encode())
    return digest.hexdigest()


def _zone_key(tz: "tzinfo | None") -> str:
    """The time zone dates are shown in. ``None`` is the system's local time: its rules come
    from ``$TZ`` or ``/etc/localtime``."""
    if tz is not None:
        return f"tz:{tz!r}"
    try:
        localtime = os.path.realpath("/etc/localtime")
    except OSError:  # pragma: no cover
        localtime = ""
    return (f"local:{os.environ.get('TZ', '')}:{time.tzname}:{time.timezone}:{time.altzone}:"
            f"{localtime}")


def _part_aad(snapshot: str, part: int, count: int, variant_key: str) -> bytes:
    return (f"rapport/v{FORMAT}|render_cache|{snapshot}|{part}|{count}|{variant_key}").encode()


def _index_aad(state: str, variant_key: str) -> bytes:
    return f"rapport/v{FORMAT}|render_state|{state}|{variant_key}".encode()


def _batches(ids: list[str]) -> Iterable[tuple[str, ...]]:
    for start in range(0, len(ids), BATCH):
        yield tuple(ids[start:start + BATCH])


def _query(store: "Store", table: str, columns: str, key: str, ids: list[str] | None) -> list:
    """Plain tuples of ``columns`` of ``table`` for these session ids (``None``: every row)."""
    with store._reading(table):
        cursor = store._conn.cursor()
        cursor.row_factory = None
        if ids is None:
            return cursor.execute(f"SELECT {columns} FROM {table}").fetchall()
        rows: list = []
        for part in _batches(ids):
            rows += cursor.execute(f"SELECT {columns} FROM {table} WHERE {in_clause(key, part)}",
                                   part).fetchall()
        return rows


def _fingerprints(store: "Store", rows: list[dict], person_revs: dict[str, int],
                  ids: list[str] | None) -> dict[str, str]:
    """The fingerprint of each session in ``rows`` (their plaintext columns), from the plaintext
    ``(id, rev)`` columns of the session, its notes, items and tags (``ids``: of these sessions
    only; ``None``: the tables are read whole)."""
    revs = store.row_revisions("sessions") if ids is None else dict(
        _query(store, "sessions", "id, rev", "id", ids))
    children: dict[str, list[str]] = {}
    for table in _CHILDREN:
        for sid, rid, rev in _query(store, table, "session_id, id, rev", "session_id", ids):
            children.setdefault(sid, []).append(f"{table[0]}{rid}:{rev}")
    blake = hashlib.blake2b
    out = {}
    for r in rows:
        sid = r["id"]
        mine = children.get(sid, [])
        mine.sort()
        pid = r["person_id"]
        text = f"{sid}:{revs.get(sid, -1)}|{pid}:{person_revs.get(pid, -1)}|{','.join(mine)}"
        out[sid] = blake(text.encode(), digest_size=12).hexdigest()
    return out


def _state(store: "Store") -> tuple[str, dict[str, int]]:
    """Where the vault's records stand, from plaintext columns (an index scan each): every insert
    changes a table's row count, every update raises its revision total (revisions only grow),
    and every delete bumps ``render_state.deletes`` (triggers, migration 0005). Returns it as
    text, and each table's row count."""
    parts, counts = [], {}
    with store._reading("render_state"):
        for table in _STATE_TABLES:
            count, total = store._conn.execute(
                f"SELECT count(*), total(rev) FROM {table}").fetchone()
            parts.append(f"{table}:{count}:{int(total)}")
            counts[table] = count
        (deletes,) = store._conn.execute("SELECT deletes FROM render_state").fetchone()
    return "|".join(parts) + f"|deletes:{deletes}", counts


_STATE_TABLES = ("people", "sessions", "notes", "items", "tags")


class Cache:
    """The render cache of one variant, as an export finds it; ``sep`` joins sessions' texts
    in a page (Markdown: a blank line; HTML: a newline)."""

    def __init__(self, store: "Store", variant_key: str, sep: bytes) -> None:
        self.store = store
        self.variant = variant_key
        self.sep = sep
        self.index: dict[str, tuple[str, int, int]] = {}  # id -> (fingerprint, start, end)
        self.order: list[str] = []  # the sessions in the body, in order
        #: whether the index was written when the records stood where they stand now: then
        #: every session's text is in the body, and no fingerprint need be computed
        self.complete = False
        self._snapshot, self._parts = "", 0
        try:
            self.state, self._counts = _state(store)
            with store._reading("render_state"):
                written_at, data = store._conn.execute(
                    "SELECT fingerprint, data FROM render_state").fetchone()
                self._cipher = store._require()
        except (RapportError, TypeError, sqlite3.Error):
            self.state, self._counts = "", {}  # unknown: nothing is saved after this export
            return
        if data is None:
            return
        try:  # another variant's index (or a damaged one) fails: the cache counts as empty
            version, snapshot, parts, entries = marshal.loads(
                self._cipher.open_bytes(data, _index_aad(written_at or "", variant_key)))
        except (ValueError, TypeError, EOFError):
            return
        if version != CACHE_VERSION:
            return
        self._snapshot, self._parts = snapshot, parts
        self.order = [sid for sid, _, _, _ in entries]
        self.index = {sid: (fp, start, end) for sid, fp, start, end in entries}
        self.complete = written_at == self.state

    def _body(self) -> list[bytes] | None:
        """The body's parts, opened (None when one is missing or fails authentication)."""
        if not self._parts:
            return None
        try:
            with self.store._reading("render_cache"):
                rows = self.store._conn.execute(
                    "SELECT part, data FROM render_cache WHERE snapshot = ? ORDER BY part",
                    (self._snapshot,)).fetchall()
            if [part for part, _ in rows] != list(range(self._parts)):
                return None
            return [self._cipher.open_bytes(data, _part_aad(self._snapshot, part, self._parts,
                                                            self.variant)) for part, data in rows]
        except (RapportError, ValueError, TypeError, sqlite3.Error):
            return None

    def lookup(self, rows: list[dict], person_revs: dict[str, int], *, everything: bool
               ) -> "Lookup":
        """What the cache holds for the sessions in ``rows`` (their plaintext columns, in export
        order): the whole body when it is exactly their texts, else each valid text; and every
        session's fingerprint (to save under)."""
        parts = self._body() if self.index and rows else None
        if parts is None:
            ids = None if everything else [r["id"] for r in rows]
            return Lookup(None, {}, _fingerprints(self.store, rows, person_revs, ids))
        index = self.index
        if self.complete:
            if everything and [r["id"] for r in rows] == self.order:
                return Lookup(parts, {}, {sid: entry[0] for sid, entry in index.items()})
            fingerprints = {r["id"]: index[r["id"]][0] for r in rows if r["id"] in index}
            missing = [r for r in rows if r["id"] not in index]
            if missing:
                fingerprints.update(_fingerprints(self.store, missing, person_revs,
                                                  [r["id"] for r in missing]))
        else:
            fingerprints = _fingerprints(self.store, rows, person_revs,
                                         None if everything else [r["id"] for r in rows])
        body = b"".join(parts)
        texts = {}
        for r in rows:
            sid = r["id"]
            entry = index.get(sid)
            if entry is not None and entry[0] == fingerprints[sid]:
                texts[sid] = body[entry[1]:entry[2]]
        return Lookup(None, texts, fingerprints)

    def save(self, order: list[tuple[str, str, bytes]]) -> bool:
        """Seals ``order`` (every session's id, fingerprint and text, in export order) as the
        new body and index, in one transaction, if the records still stand where they stood when
        the cache was read (else nothing is written: some text may be older than its record)."""
        store, sep = self.store, self.sep
        if not self.state:
            return False
        entries, at = [], 0
        for sid, fp, text in order:
            entries.append((sid, fp, at, at + len(text)))
            at += len(text) + len(sep)
        body = sep.join(text for _, _, text in order)
        snapshot = os.urandom(12).hex()
        count = max(1, -(-len(body) // PART))
        with store._mutex:
            if not store.is_open:
                return False
            cipher = store._require()
        parts = [(snapshot, n, cipher.seal_bytes(body[n * PART:(n + 1) * PART],
                                                _part_aad(snapshot, n, count, self.variant)))
                 for n in range(count)]
        del body
        index = cipher.seal_bytes(marshal.dumps((CACHE_VERSION, snapshot, count, entries)),
                                  _index_aad(self.state, self.variant))
        try:
            with store._write(data=False):
                if _state(store)[0] != self.state:
                    return False
                store._conn.execute("DELETE FROM render_cache")
                store._conn.executemany(
                    "INSERT INTO render_cache (snapshot, part, data) VALUES (?, ?, ?)", parts)
                store._conn.execute("UPDATE render_state SET fingerprint = ?, data = ?",
                                    (self.state, index))
        except (RapportError, sqlite3.Error):
            return False
        return True

    def child_records(self, rows: list[dict], *, everything: bool) -> int:
        """How many notes, items and tags the sessions in ``rows`` have (what an export counts
        of them), from plaintext columns."""
        if everything and self._counts:
            return sum(self._counts[t] for t in _CHILDREN)
        ids = [r["id"] for r in rows]
        return sum(n for t in _CHILDREN
                   for (n,) in _query(self.store, t, "count(*)", "session_id", ids))


class Lookup(NamedTuple):
    """What the cache holds for an export's sessions."""

    whole: list[bytes] | None  # every session's text, joined: the body's parts as they are
    texts: dict[str, bytes]  # else: the sessions whose text is valid
    fingerprints: dict[str, str]  # every session's, to save its text under


def drop(conn: sqlite3.Connection) -> None:
    """Inside a write: the cache goes (sealed under a key that is being replaced)."""
    conn.execute("DELETE FROM render_cache")
    conn.execute("UPDATE render_state SET fingerprint = NULL, data = NULL")
