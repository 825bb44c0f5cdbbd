#!/usr/bin/env python3
"""The engine floor on Rapport's own record layout: what ``export --all`` cannot go below.

    .venv/bin/python bench/layout_floor.py VAULT.db PASSPHRASE_FILE OUT.md

``../shared/bench/proto_vault.py export`` (the R6 floor) opens 10,000 entries of two raw fields
each (a title and a 2 KB body, associated data ``notes|FIELD|UUID``). A Rapport vault of 10,000
sessions holds the same text in its own layout: each session's ``meta`` (title, guide, the
outline a summary needs), two to four notes and its items, each one sealed JSON value whose
associated data is the JSON of its row's plaintext columns (:func:`store.rows.aad`): 51,000
fields. This script does what proto_vault does, on that layout and nothing more: unlock
(Argon2id with the vault's parameters, the unwrap), open every field a summary reads with the
vault's own cipher (:class:`store.crypto.FieldCipher`), decode its JSON, and write each
session's title and note texts as Markdown, unescaped. No app, no row objects, no rendering
rules, no privacy rule: a lower bound, beside the floor, for the R6 export row (an info row of
``make bench``).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from store import crypto  # noqa: E402  (the vault's own key handling and field cipher)

#: table -> (its plaintext columns, in the order the associated data binds them; its sealed one)
READ = {
    "sessions": (("id", "rev", "created_at", "updated_at", "person_id", "programme_id",
                  "started_at", "ended_at", "amended_at"), "meta"),
    "notes": (("id", "rev", "created_at", "updated_at", "session_id"), "body"),
    "items": (("id", "rev", "created_at", "updated_at", "session_id", "person_id"), "data"),
}
BOUND = json.JSONEncoder(separators=(",", ":")).encode


def unlock(conn: sqlite3.Connection, passphrase: str) -> crypto.FieldCipher:
    vault_id, format_, kdf, salt, wrapped = conn.execute(
        "SELECT vault_id, format, kdf, salt, wrapped FROM keyslot WHERE id = 1").fetchone()
    params = crypto.KdfParams.from_dict(json.loads(kdf))
    kek = crypto.derive_kek(passphrase, salt, params)
    dek = crypto.unwrap_key(kek, wrapped, crypto.keyslot_aad(vault_id, params, salt, format_))
    return crypto.FieldCipher(dek)


def opened(conn: sqlite3.Connection, cipher: crypto.FieldCipher, table: str) -> list:
    plain, column = READ[table]
    prefix = f"rapport/v{crypto.FIELD_FORMAT}|{table}|{column}|".encode()
    return [(row, cipher.open(row[-1], prefix + BOUND(list(row[:-1])).encode()))
            for row in conn.execute(f"SELECT {', '.join(plain)}, {column} FROM {table}")]


def export(vault: str, passphrase: str, out: str) -> str:
    conn = sqlite3.connect(vault)
    cipher = unlock(conn, passphrase)
    notes: dict[str, list[str]] = {}
    for row, body in opened(conn, cipher, "notes"):
        notes.setdefault(row[4], []).append(body["text"])
    items = opened(conn, cipher, "items")
    parts = []
    for row, meta in sorted(opened(conn, cipher, "sessions"), key=lambda r: (r[0][6], r[0][0])):
        parts.append(f"## {row[6][:16]} {meta['title'] or meta['guide_name']}\n\n"
                     + "\n\n".join(notes.get(row[0], ())) + "\n")
    data = "\n".join(parts)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(data)
    return f"layout floor: sessions={len(parts)} items={len(items)} bytes={len(data.encode())}"


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    t0 = time.perf_counter()
    line = export(sys.argv[1], Path(sys.argv[2]).read_text(encoding="utf-8").strip(), sys.argv[3])
    print(f"{line} ms={1000 * (time.perf_counter() - t0):.0f}")
