"""Moving records between vaults: a full JSON export read back, checked, and imported.

* :func:`parse_export` reads the bytes of a full JSON export (``docs/export-format.md``, version
  1) and checks them against the export's JSON Schema (``store/export_schema.json``, with
  ``jsonschema``), then what a schema cannot say (timestamps with a zone, real dates, valid
  Unicode, ids unique in the file). Anything malformed or foreign raises :class:`BadExport` with
  one line saying where and what (``sessions[3].notes[0].text: expected a string``), before the
  vault is touched.
* :func:`import_document` inserts a checked document with :meth:`Store.import_rows`: ids and
  timestamps kept, all or nothing; a record whose id is already in the vault is skipped.
* :func:`encrypt` / :func:`decrypt` wrap any export in the age format with a passphrase (pyrage,
  imported only when used), so a vault can move between machines without plaintext on disk.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .document import FORMAT_NAME, READS
from .errors import RapportError, WrongPassphrase
from .rows import Record
from .tables import FIRST_FAMILIES, TABLES, later_families

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
MAX_BYTES = 256 * 1024 * 1024
_STAMPS = ("exported_at", "created_at", "updated_at", "started_at", "ended_at", "amended_at",
           "done_at", "closed_at")
_DATES = ("since", "until", "due")


class BadExport(RapportError):
    """The file is not a full Rapport JSON export this version can read. Nothing was changed."""


@dataclass(frozen=True)
class ImportResult:
    added: Mapping[str, int] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)  # already in the vault

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def describe(self) -> str:
        """One line, e.g. ``imported 1 person, 2 sessions, 9 notes; skipped 1 session already
        in the vault``."""
        text = f"imported {_counts(self.added) or 'nothing new'}"
        skipped = _counts(self.skipped)
        if skipped:
            text += f"; skipped {skipped} already in the vault"
        return text


def families() -> tuple[str, ...]:
    """Every record family an export carries, parents first."""
    return FIRST_FAMILIES + tuple(t.name for t in later_families())


def _counts(counts: Mapping[str, int]) -> str:
    parts = []
    for table in families():
        n = counts.get(table, 0)
        if n:
            parts.append(f"{n} {TABLES[table].noun if n == 1 else TABLES[table].nouns}")
    return ", ".join(parts)


# ================================================================== age


def is_age(data: bytes) -> bool:
    return data.startswith(AGE_MAGIC) or data.lstrip().startswith(AGE_ARMOR)


def encrypt(data: bytes, passphrase: str) -> bytes:
    """``data`` in the age format (scrypt passphrase recipient). Takes a second or two."""
    if not passphrase:
        raise WrongPassphrase("the encryption passphrase must not be empty")
    import pyrage

    try:
        encrypted: bytes = pyrage.passphrase.encrypt(data, passphrase)
        return encrypted
    except Exception as exc:  # pyrage.EncryptError
        raise RapportError(f"cannot encrypt the export: {exc}") from None


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The plaintext of an age file; :class:`WrongPassphrase` when it does not open."""
    if not passphrase:
        raise WrongPassphrase("the passphrase must not be empty")
    if data.lstrip().startswith(AGE_ARMOR):
        raise BadExport("armored (ASCII) age files are not supported; use the binary age format")
    import pyrage

    try:
        decrypted: bytes = pyrage.passphrase.decrypt(data, passphrase)
        return decrypted
    except Exception:  # pyrage.DecryptError: wrong passphrase, damaged or not passphrase-encrypted
        raise WrongPassphrase(
            "cannot decrypt: wrong passphrase, or the file is damaged or not passphrase-encrypted"
        ) from None


# ================================================================== parse and check


def parse_export(data: bytes | str) -> dict[str, Any]:
    """The checked, normalised full document in ``data``; :class:`BadExport` otherwise."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_BYTES:
            raise BadExport(f"the file is too large for an export ({len(data)} bytes)")
        if is_age(bytes(data)):
            raise BadExport("the file is age-encrypted; decrypt it first")
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadExport("not a Rapport export (not UTF-8 text)") from None
    else:
        text = data
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except BadExport:
        raise
    except RecursionError:
        raise BadExport("not a Rapport export (nested too deeply)") from None
    except ValueError as exc:
        raise BadExport(f"not a Rapport export (not JSON: {_first_line(exc)})") from None
    return check_document(raw)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadExport(f"not a valid export: the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise BadExport(f"not a valid export: {name} is not a number JSON allows")


@functools.cache
def _base_schema() -> str:
    return resources.files("store").joinpath("export_schema.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema of a full export (``store/export_schema.json``), with each record family
    declared after version 1 (:func:`store.tables.later_families`) as an optional list of
    records: id, timestamps, links (ids or null) and sealed columns (any JSON)."""
    loaded: dict[str, Any] = json.loads(_base_schema())
    for table in later_families():
        loaded["properties"][table.name] = {
            "type": "array", "message": "expected a list",
            "items": {"type": "object", "message": "expected an object",
                      "$ref": "#/$defs/record", "unevaluatedProperties": False,
                      "required": list(table.links + table.sealed),
                      "properties": {**{link: {"$ref": "#/$defs/id_or_null"}
                                        for link in table.links if link.endswith("_id")},
                                     **{link: {"$ref": "#/$defs/timestamp_or_null"}
                                        for link in table.links if not link.endswith("_id")},
                                     **{column: {} for column in table.sealed}}}}
    return loaded


def check_document(raw: Any) -> dict[str, Any]:
    """Checks a parsed document and returns a normalised copy (timestamps in the vault's form).
    Raises :class:`BadExport` naming the first problem."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise BadExport('not a Rapport export (no "format": "rapport-export")')
    version = raw.get("version")
    if version not in READS or isinstance(version, bool):
        raise BadExport(f"unsupported export version {version!r} (this rapport reads versions "
                        f"{', '.join(map(str, READS))})")
    if raw.get("kind") != "full":
        raise BadExport(f"this is a {raw.get('kind')!r} export; only a full JSON export "
                        "(rapport export --full --format json) can be imported")
    _validate(raw)
    return _Normaliser().document(raw)


def _validate(raw: Any) -> None:
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema()).iter_errors(raw),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator != "required"))
    if errors:
        error = errors[0]
        raise BadExport(f"not a valid export: {where(error.absolute_path)}: {_message(error)}")


def where(path: Iterable[Any]) -> str:
    """``sessions[3].notes[0].text`` for the path ``("sessions", 3, "notes", 0, "text")``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "document"


def _message(error: Any) -> str:
    """One plain line for a jsonschema error: the subschema's own ``message`` where it has one."""
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"missing {missing[0]!r}"
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        named = re.findall(r"'([^']*)'", error.message)
        return f"unknown field {named[0]!r}" if named else "unknown field"
    if isinstance(error.schema, dict) and "message" in error.schema:
        return str(error.schema["message"])
    return " ".join(str(error.message).split())[:120]


class _Normaliser:
    """What the schema cannot check: timestamps (with a zone; stored as UTC), real dates, valid
    Unicode, and each id once per record family."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def fail(self, path: str, message: str) -> BadExport:
        return BadExport(f"not a valid export: {path}: {message}")

    def document(self, raw: dict[str, Any]) -> dict[str, Any]:
        later = {t.name: t.sealed for t in later_families()}
        doc: dict[str, Any] = self.value({k: v for k, v in raw.items() if k not in later}, "")
        for name, sealed in later.items():  # their sealed values: any JSON, its text checked
            if name in raw:
                doc[name] = [{k: self.value(v, f"{name}[{i}].{k}", times=False) if k in sealed
                              else self.value(v, f"{name}[{i}].{k}", k)
                              for k, v in record.items()} for i, record in enumerate(raw[name])]
        families: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
            ("people", ()), ("programmes", (("strategy", "strategy"),)),
            ("sessions", (("notes", "notes"), ("items", "items"), ("tags", "tags"))),
            ("jots", ()), *((t.name, ()) for t in later_families()))
        for family, nested in families:
            for i, record in enumerate(doc.get(family, ())):
                self.unique(family, record["id"], f"{family}[{i}].id")
                for key, table in nested:
                    for j, child in enumerate(record[key]):
                        self.unique(table, child["id"], f"{family}[{i}].{key}[{j}].id")
        return doc

    def unique(self, table: str, record_id: str, path: str) -> None:
        if (table, record_id) in self.seen:
            raise self.fail(path, f"the id {record_id} appears twice")
        self.seen.add((table, record_id))

    def value(self, value: Any, path: str, key: str = "", *, times: bool = True) -> Any:
        """``value`` with its strings checked for valid Unicode and, when ``times``, its stamps
        and dates (outside plans) read; a sealed field's JSON is only checked (``times=False``)."""
        if isinstance(value, dict):
            return {k: self.value(v, f"{path}.{k}" if path else k, k, times=times)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, f"{path}[{i}]", times=times) for i, v in enumerate(value)]
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(path, "the text is not valid Unicode") from None
            if times and key in _STAMPS and ".plan" not in path:
                return self.stamp(value, path)
            if times and key in _DATES and ".plan" not in path:
                return self.date(value, path)
        return value

    def stamp(self, value: str, path: str) -> str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{value[:40]!r} is not an ISO 8601 timestamp") from None
        if moment.tzinfo is None:
            raise self.fail(path, "the timestamp has no time zone")
        return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def date(self, value: str, path: str) -> str:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(path, f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None


# ================================================================== import


def to_rows(doc: Mapping[str, Any]) -> dict[str, list[Record]]:
    """A checked document as :meth:`Store.import_rows` takes it: table -> [(plain, secret)]."""
    rows: dict[str, list[Record]] = {t: [] for t in families()}

    def base(record: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        return {"id": record["id"], "rev": 1, "created_at": record["created_at"],
                "updated_at": record["updated_at"], **extra}

    for p in doc["people"]:
        rows["people"].append((base(p), {"data": {"name": p["name"], "cadence": p["cadence"],
                                                  "role": p["role"],
                                                  "guide_id": p.get("guide_id")}}))
    for g in doc["programmes"]:
        rows["programmes"].append((base(g), {"data": {
            "name": g["name"], "purpose": g["purpose"], "guide_id": g["guide_id"],
            "themes": list(g["themes"]),
            **({"closed_at": g["closed_at"]} if g.get("closed_at") else {})}}))
        for s in g["strategy"]:
            rows["strategy"].append((base(s, programme_id=g["id"]), {"data": {
                "text": s["text"], "gaps": list(s["gaps"]), "tag_ids": list(s["tag_ids"])}}))
    for s in doc["sessions"]:
        rows["sessions"].append((
            base(s, person_id=s["person_id"], programme_id=s["programme_id"],
                 started_at=s["started_at"], ended_at=s["ended_at"], amended_at=s["amended_at"]),
            {"meta": {"title": s["title"], "guide_id": s["guide_id"], "guide_name": s["guide_name"]},
             "plan": s["plan"],
             "state": {"stage_index": s["state"]["stage_index"], "spent": dict(s["state"]["spent"]),
                       "visited": list(s["state"]["visited"]),
                       "asked": {k: list(v) for k, v in s["state"]["asked"].items()}}},
        ))
        for n in s["notes"]:
            rows["notes"].append((base(n, session_id=s["id"]), {"body": {
                "stage": n["stage"], "text": n["text"], "private": n["private"]}}))
        for i in s["items"]:
            rows["items"].append((base(i, session_id=s["id"], person_id=s["person_id"]), {"data": {
                "kind": i["kind"], "text": i["text"], "owner": i["owner"], "due": i["due"],
                "status": i["status"], "stage": i["stage"], "done_at": i["done_at"],
                "carried_from": i["carried_from"]}}))
        for t in s["tags"]:
            rows["tags"].append((base(t, session_id=s["id"]), {"data": {
                "stage": t["stage"], "theme": t["theme"], "passage": t["passage"],
                "subject_id": t["subject_id"]}}))
    for j in doc["jots"]:
        rows["jots"].append((base(j, person_id=j["person_id"]), {"data": {"text": j["text"]}}))
    for table in later_families():
        for record in doc.get(table.name, ()):
            rows[table.name].append((base(record, **{link: record[link] for link in table.links}),
                                     {column: record[column] for column in table.sealed}))
    return rows


def check_references(store: Store, doc: Mapping[str, Any]) -> None:
    """Every person, programme or other record a record points at is in the file or already in
    the vault."""
    present: dict[str, set[str]] = {
        "people": {p["id"] for p in doc["people"]},
        "programmes": {g["id"] for g in doc["programmes"]},
        "sessions": {s["id"] for s in doc["sessions"]},
        "items": {i["id"] for s in doc["sessions"] for i in s["items"]},
        **{t.name: {r["id"] for r in doc.get(t.name, ())} for t in later_families()}}

    def check(target: str, ref: str | None, where: str) -> None:
        if not ref or ref in present.setdefault(target, set()):
            return
        if not store.engine.count(target, "id = ?", (ref,)):
            which = "who is" if target == "people" else "which is"
            raise BadExport(f"not a valid export: {where} refers to {TABLES[target].noun} {ref}, "
                            f"{which} neither in the file nor in the vault")
        present[target].add(ref)

    for i, s in enumerate(doc["sessions"]):
        check("people", s["person_id"], f"sessions[{i}]")
        check("programmes", s["programme_id"], f"sessions[{i}]")
    for i, j in enumerate(doc["jots"]):
        check("people", j["person_id"], f"jots[{i}]")
    for table in later_families():
        for i, record in enumerate(doc.get(table.name, ())):
            for link, target in table.refs:
                check(target, record.get(link), f"{table.name}[{i}]")


def import_document(store: Store, doc: Mapping[str, Any]) -> ImportResult:
    """Inserts a checked document (from :func:`parse_export`), all or nothing."""
    check_references(store, doc)
    rows = to_rows(doc)
    added = store.import_rows(rows)
    given = {t: len(r) for t, r in rows.items()}
    return ImportResult(added={t: added.get(t, 0) for t in families()},
                        skipped={t: given[t] - added.get(t, 0) for t in families()})


def read_import(data: bytes, passphrase: str | Callable[[], str] | None = None) -> dict[str, Any]:
    """The checked document in ``data``, decrypting it first when it is an age file.

    ``passphrase`` (or a function asked only when needed) opens an age file.
    """
    if is_age(data):
        if passphrase is None:
            raise WrongPassphrase("the file is age-encrypted; a passphrase is needed")
        data = decrypt(data, passphrase() if callable(passphrase) else passphrase)
    return parse_export(data)


def import_bytes(store: Store, data: bytes,
                 passphrase: str | Callable[[], str] | None = None) -> ImportResult:
    """:func:`read_import` then :func:`import_document`."""
    return import_document(store, read_import(data, passphrase))
