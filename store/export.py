"""Exports: what leaves the vault, rendered exactly as it will be written.

1. :func:`render` reads the records in a :class:`~store.scope.Scope` and renders them as
   Markdown, HTML or JSON, a *summary* (what may be shared with the participant: the rule is
   :mod:`store.privacy`) or the *full* record. The app previews ``ExportDoc.data``: the very
   bytes that will be written.
2. :func:`write_export` writes them (a new 0600 file, never over anything, or stdout) and
   records the export, sealed, in the vault.

:func:`render_document` renders a document already in hand (:mod:`store.document`; an import).
Every export is rendered from the records each time: there is no cache to go stale. Markdown and
HTML are made a batch of sessions at a time, so the whole document is never held at once.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Mapping

from .db import in_clause
from .document import (
    FORMAT_NAME, FORMAT_VERSION, collect, count_records, head, jot_docs, programmes, session_docs,
)
from .errors import FileExists, RapportError
from .export_page import (
    css, head_blocks, jot_blocks, length_seconds, owner_name, page_blocks, participant,
    session_blocks, when,
)
from .files import write_new_file
from .privacy import (
    private_stages, shared_checkin, shared_note, stages, summary_checkins, summary_items,
    summary_notes,
)
from .render import (
    Block, html_frame, html_page, html_part, markdown, markdown_part, md_inline,
)
from .scope import BATCH, Scope, Selection, select
from .text import json_text

if TYPE_CHECKING:  # pragma: no cover
    from .models import ExportRecord
    from .store import Store

__all__ = ["ExportDoc", "ExportExists", "Scope", "collect", "count_records", "filename_hint",
           "render", "render_document", "summary_json", "write_export", "write_new_file"]

FORMATS = ("md", "json", "html")
KINDS = ("summary", "full")
UTC = timezone.utc
ExportExists = FileExists


@dataclass(frozen=True)
class ExportDoc:
    """One rendered export: ``data`` is exactly what gets written (before any encryption)."""

    data: bytes  # UTF-8
    filename_hint: str
    count: int  # sessions
    scope_label: str
    fmt: str
    kind: str
    include_private: bool
    records: int = 0  # every record in the scope (people, sessions, notes, items, jots...)

    @functools.cached_property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @property
    def has_private(self) -> bool:
        """Whether private material (private notes, reflection, jots, cues) may be in it."""
        return self.kind == "full" or self.include_private


def render(store: Store, scope: Scope, fmt: str = "md", kind: str = "summary",
           include_private: bool = False, *, tz: tzinfo | None = UTC,
           facilitator: str = "Facilitator", include_pulse: bool = False) -> ExportDoc:
    """Reads ``scope`` from the vault and renders it.

    ``tz``: the time zone for the dates and times shown in Markdown and HTML, and for the
    ``since``/``until`` days (``None``: local time; JSON always carries UTC). ``facilitator``:
    how the facilitator is named as an owner (the participant by their name).
    ``include_pulse``: a summary shows each session's pulse too (the full record always does).
    """
    _check_options(fmt, kind)
    if fmt == "json":
        doc = collect(store, scope, tz=tz)
        data = render_document(doc, fmt, kind, include_private, tz=tz, facilitator=facilitator,
                               include_pulse=include_pulse)
        records, count = count_records(doc), len(doc["sessions"])
    else:
        doc, raw, records, count = _page(store, scope, fmt, kind, include_private, tz,
                                         facilitator, include_pulse)
    return ExportDoc(data=raw if fmt != "json" else data.encode("utf-8"),
                     filename_hint=filename_hint(doc, fmt, kind, tz=tz),
                     count=count, scope_label=doc["scope"]["label"], fmt=fmt, kind=kind,
                     include_private=include_private and kind == "summary", records=records)


def _page(store: Store, scope: Scope, fmt: str, kind: str, include_private: bool,
          tz: tzinfo | None, facilitator: str,
          include_pulse: bool = False) -> tuple[dict[str, Any], bytes, int, int]:
    """Markdown or HTML, each session's text made (as UTF-8) as its batch is read: the same text
    as :func:`render_document` of the whole document. Returns the document's head (sessions cut
    down to what names the file), the bytes, the number of records and of sessions. (Joined as
    bytes: one emoji would make a joined str take four bytes a character.)"""
    full = kind == "full"
    sel = select(store, scope, tz)
    doc = head(store, sel)
    people = {p["id"]: p for p in doc["people"]}
    if fmt == "md":  # labels, names, guides and stage titles come back in every session:
        escaped: dict[tuple[str, bool], str] = {}  # each is escaped once per export

        def inline(text: str, *, start: bool = False) -> str:
            line = escaped.get((text, start))
            if line is None:
                line = escaped[(text, start)] = md_inline(text, start=start)
            return line

        def part(blocks: list[Block]) -> str:
            return markdown_part(blocks, inline=inline)
    else:
        part = html_part
    parts: list[bytes] = [b""]
    sessions, records = [], 0
    pulses = _pulses(store, sel) if full or include_pulse else {}
    feedback = _feedback(store, sel) if full else {}
    for s in session_docs(store, sel.rows, plan=full, tags=full):
        if s["id"] in pulses:
            s["pulse"] = pulses[s["id"]]
        if s["id"] in feedback:
            s["feedback"] = feedback[s["id"]]
        parts.append(part(session_blocks(s, participant(people, s), kind, include_private, tz,
                                         facilitator)).encode("utf-8"))
        sessions.append({"id": s["id"], "person_id": s["person_id"],
                         "started_at": s["started_at"]})
        records += 1 + len(s["notes"]) + len(s["items"]) + len(s["tags"])
    doc["sessions"] = sessions
    if full:
        doc["jots"] = jot_docs(store, sel, tz)
    records += len(doc["people"]) + len(doc["jots"]) + _uncounted(store, sel, tz, full)
    top = head_blocks(doc, people, kind, include_private, tz)
    parts[0] = part(top).encode("utf-8")
    jots = jot_blocks(doc, people, kind, tz)
    if jots:
        parts.append(part(jots).encode("utf-8"))
    if fmt == "md":
        data = b"\n\n".join(parts) + b"\n"
    else:
        opening, closing = html_frame(top[0][2], css=css())
        data = opening.encode("utf-8") + b"\n".join(parts) + closing.encode("utf-8")
    return doc, data, records, len(sessions)


def _pulses(store: Store, sel: Selection) -> dict[str, dict[str, Any]]:
    """Session id -> its pulse's ``{"score", "word"}``, for the sessions in ``sel``."""
    ids = [r["id"] for r in sel.rows]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        part = tuple(ids[start:start + BATCH])
        for plain, secret in store.engine.select("pulses", in_clause("session_id", part), part):
            found[plain["session_id"]] = secret["data"]
    return found


def _feedback(store: Store, sel: Selection) -> dict[str, list[dict[str, Any]]]:
    """Session id -> its entries in the feedback log (their data, oldest first), for the
    sessions in ``sel``: the full record's."""
    ids = [r["id"] for r in sel.rows]
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), BATCH):
        part = tuple(ids[start:start + BATCH])
        for plain, secret in store.engine.select("feedback", in_clause("session_id", part), part,
                                                 order="created_at"):
            found.setdefault(plain["session_id"], []).append(secret["data"])
    return found


def _uncounted(store: Store, sel: Selection, tz: tzinfo | None, full: bool) -> int:
    """What a Markdown or HTML export counts in its records without reading it (plaintext
    columns only): programmes (and their strategy, for everything), a summary's tags and jots."""
    scope, engine = sel.scope, store.engine
    count = len(programmes(store, sel))
    if scope.everything and count:
        count += engine.count("strategy")
    if not full:
        ids = [r["id"] for r in sel.rows]
        if scope.everything:
            count += engine.count("tags")
        else:
            for start in range(0, len(ids), BATCH):
                part = tuple(ids[start:start + BATCH])
                count += engine.count("tags", in_clause("session_id", part), part)
        if not scope.session_ids:
            count += sum(1 for r in engine.plain("jots", columns=("person_id", "created_at"))
                         if r["person_id"] in sel.person_ids and (
                             scope.everything
                             or scope.holds(datetime.fromisoformat(r["created_at"]), tz)))
    return count


def _check_options(fmt: str, kind: str) -> None:
    if fmt not in FORMATS:
        raise RapportError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if kind not in KINDS:
        raise RapportError(f"unknown export kind {kind!r} (summary or full)")


def render_document(doc: Mapping[str, Any], fmt: str, kind: str = "summary",
                    include_private: bool = False, *, tz: tzinfo | None = UTC,
                    facilitator: str = "Facilitator", include_pulse: bool = False) -> str:
    """Pure: a full document (:func:`store.document.collect`, an import) to an export's text."""
    _check_options(fmt, kind)
    if fmt == "json":
        return dump_json(doc if kind == "full" else
                         summary_json(doc, include_private, facilitator=facilitator,
                                      include_pulse=include_pulse))
    if kind == "full" or include_pulse:
        by_session = {p["session_id"]: p["data"] for p in doc.get("pulses", ())
                      if p.get("session_id")}
        entries: dict[str, list[Any]] = {}
        for f in doc.get("feedback", ()) if kind == "full" else ():
            if f.get("session_id"):
                entries.setdefault(f["session_id"], []).append(f["data"])
        doc = {**doc, "sessions": [
            {**s, **({"pulse": by_session[s["id"]]} if s["id"] in by_session else {}),
             **({"feedback": entries[s["id"]]} if s["id"] in entries else {})}
            for s in doc["sessions"]]}
    blocks = page_blocks(doc, kind, include_private, tz, facilitator)
    if fmt == "md":
        return markdown(blocks)
    return html_page(blocks[0][2], html_part(blocks), css=css())


def dump_json(value: Any) -> str:
    """JSON as exports write it: sorted keys, two-space indents, terminal controls escaped."""
    return json_text(value, indent=2, sort_keys=True, allow_nan=False) + "\n"


def summary_json(doc: Mapping[str, Any], include_private: bool = False, *,
                 facilitator: str = "Facilitator", include_pulse: bool = False
                 ) -> dict[str, Any]:
    """The summary projection of a full document (also version 1; not importable).
    ``include_pulse``: each session gets its ``pulse`` (``{"score", "word"}`` or null)."""
    people = {p["id"]: p for p in doc["people"]}
    pulses = {p["session_id"]: p["data"] for p in doc.get("pulses", ()) if p.get("session_id")}
    sessions = []
    for s in doc["sessions"]:
        private = private_stages(s)
        titles = {st.get("key"): st.get("title") or st.get("key") for st in stages(s)}
        name = participant(people, s)
        length = length_seconds(s)
        sessions.append({
            "id": s["id"], "person_id": s["person_id"], "title": s["title"],
            "guide_name": s["guide_name"], "started_at": s["started_at"], "ended_at": s["ended_at"],
            "length_minutes": None if length is None else round(length / 60),
            "notes": [{"stage": n["stage"], "stage_title": titles.get(n["stage"], n["stage"]),
                       "text": n["text"], "private": not shared_note(n, private)}
                      for n in summary_notes(s, include_private)],
            "items": [{"kind": i["kind"], "text": i["text"], "owner": i["owner"],
                       "owner_name": owner_name(i["owner"], name, facilitator),
                       "due": i["due"], "status": i["status"]}
                      for i in summary_items(s, include_private)],
            "goals": [{"text": c["text"], "key_result": c["key_result"],
                       "progress": c["progress"], "status": c["status"], "note": c["note"],
                       "private": not shared_checkin(c, private)}
                      for c in summary_checkins(s, include_private, private)],
        })
        if include_pulse:
            pulse = pulses.get(s["id"])
            sessions[-1]["pulse"] = ({"score": pulse["score"], "word": pulse.get("word", "")}
                                     if pulse else None)
    wanted = {s["person_id"] for s in doc["sessions"]}
    return {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": "summary",
        "include_private": bool(include_private), "exported_at": doc["exported_at"],
        "scope": dict(doc["scope"]),
        "people": [{"id": p["id"], "name": p["name"]} for p in doc["people"] if p["id"] in wanted],
        "sessions": sessions, "jots": [],
    }


def filename_hint(doc: Mapping[str, Any], fmt: str, kind: str, *, tz: tzinfo | None = UTC) -> str:
    """A suggested file name, e.g. ``rapport-summary-ana-silva-2025-03-03.md``."""
    scope = doc["scope"]
    people = {p["id"]: p["name"] for p in doc["people"]}
    sessions = doc["sessions"]
    exported = when(doc["exported_at"], tz).date().isoformat()
    if scope.get("all"):
        middle = f"all-{exported}"
    elif len(scope.get("session_ids") or ()) == 1 and len(sessions) == 1:
        s = sessions[0]
        middle = (f"{slug(people.get(s['person_id'], 'session'))}-"
                  f"{when(s['started_at'], tz).date().isoformat()}")
    elif scope.get("person_id"):
        middle = slug(people.get(scope["person_id"], "person"))
        if scope.get("since") or scope.get("until"):
            middle += f"-{scope.get('since') or 'start'}-to-{scope.get('until') or exported}"
    elif scope.get("session_ids"):
        middle = f"{len(sessions)}-sessions-{exported}"
    else:
        middle = f"{scope.get('since') or 'start'}-to-{scope.get('until') or exported}"
    return f"rapport-{kind}-{middle}.{fmt}"


def slug(text: str, default: str = "person") -> str:
    """A file-name part: ASCII letters and digits, dashes between, at most 40."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return value or default


def write_export(destination: str | os.PathLike[str], data: bytes, *, store: Store,
                 doc: ExportDoc, encrypted: bool = False,
                 stdout: BinaryIO | None = None) -> ExportRecord:
    """Writes ``data`` and records the export (kind, format, destination, scope, count).

    ``destination`` ``"-"`` writes to ``stdout`` (default: the process's standard output). A
    path is created new with mode 0600 (never over an existing file or link: :class:`FileExists`).
    If recording fails, the file just written is removed again: nothing leaves unrecorded.
    """
    return write_out(store, destination, data, kind=doc.kind,
                     format=doc.fmt + ("+age" if encrypted else ""), scope=doc.scope_label,
                     count=doc.count, stdout=stdout)


def write_out(store: Store, destination: str | os.PathLike[str], data: bytes, *, kind: str,
              format: str, scope: str, count: int, stdout: BinaryIO | None = None
              ) -> ExportRecord:
    """Writes ``data`` to ``destination`` (``"-"``: standard output) and records it: what every
    export and report goes through."""
    if os.fspath(destination) == "-":
        _to_stdout(data, stdout)
        return store.record_export(kind=kind, format=format, destination="-", scope=scope,
                                   count=count)
    path = write_new_file(Path(destination).expanduser(), data)
    try:
        return store.record_export(kind=kind, format=format, destination=str(path.absolute()),
                                   scope=scope, count=count)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _to_stdout(data: bytes, stdout: BinaryIO | None) -> None:
    if stdout is not None:
        stdout.write(data)
        stdout.flush()
        return
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a text-only stream (an IDE console): the text is UTF-8 anyway
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    else:
        stream.write(data)
        stream.flush()
