"""Moving records between vaults: a full JSON export read back, checked, and imported.

* :func:`parse_export` reads the bytes of a full JSON export (``docs/export-format.md``, version 1)
  and checks every field strictly. Anything malformed or foreign raises :class:`BadExport` with one
  line saying where and what, before the vault is touched.
* :func:`import_document` inserts a checked document with :meth:`Store.import_rows`: ids and
  timestamps kept, all or nothing; a record whose id is already in the vault is skipped (and
  counted as skipped).
* :func:`encrypt` / :func:`decrypt` wrap any export in the age format with a passphrase (pyrage,
  imported only when used), so a vault can move between machines without plaintext on disk.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import NotFound, RapportError, WrongPassphrase
from .export import FORMAT_NAME, FORMAT_VERSION
from .models import GOAL_STATUSES, ITEM_KINDS, ITEM_STATUSES, OWNERS

if TYPE_CHECKING:  # pragma: no cover
    from .vault import Store

AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
MAX_BYTES = 256 * 1024 * 1024
TABLES = ("people", "programmes", "sessions", "notes", "items", "jots", "tags", "strategy")

_ID = re.compile(r"[0-9a-f]{32}")
_BASE = ("id", "created_at", "updated_at")


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
        added = _counts(self.added) or "nothing new"
        text = f"imported {added}"
        skipped = _counts(self.skipped)
        if skipped:
            text += f"; skipped {skipped} already in the vault"
        return text


_NOUNS = {"people": ("person", "people"), "programmes": ("programme", "programmes"),
          "sessions": ("session", "sessions"), "notes": ("note", "notes"),
          "items": ("item", "items"), "jots": ("jot", "jots"), "tags": ("tag", "tags"),
          "strategy": ("strategy item", "strategy items")}


def _counts(counts: Mapping[str, int]) -> str:
    parts = []
    for table in TABLES:
        n = counts.get(table, 0)
        if n:
            one, many = _NOUNS[table]
            parts.append(f"{n} {one if n == 1 else many}")
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
        return pyrage.passphrase.encrypt(data, passphrase)
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
        return pyrage.passphrase.decrypt(data, passphrase)
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


def check_document(raw: Any) -> dict[str, Any]:
    """Checks a parsed document strictly and returns a normalised copy (timestamps in the vault's
    form). Raises :class:`BadExport` naming the first problem."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise BadExport('not a Rapport export (no "format": "rapport-export")')
    version = raw.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BadExport(f"unsupported export version {version!r} (this rapport reads version "
                        f"{FORMAT_VERSION})")
    if raw.get("kind") != "full":
        raise BadExport(f"this is a {raw.get('kind')!r} export; only a full JSON export "
                        "(rapport export --full --format json) can be imported")
    c = _Checker()
    c.keys(raw, "document", ("format", "version", "kind", "exported_at", "scope", "people",
                             "programmes", "sessions", "jots"))
    doc: dict[str, Any] = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": "full",
        "exported_at": c.stamp(raw["exported_at"], "exported_at"),
        "scope": c.scope(raw["scope"], "scope"),
        "people": [c.person(p, f"people[{i}]") for i, p in enumerate(c.list(raw["people"], "people"))],
        "programmes": [c.programme(p, f"programmes[{i}]")
                       for i, p in enumerate(c.list(raw["programmes"], "programmes"))],
        "sessions": [c.session(s, f"sessions[{i}]")
                     for i, s in enumerate(c.list(raw["sessions"], "sessions"))],
        "jots": [c.jot(j, f"jots[{i}]") for i, j in enumerate(c.list(raw["jots"], "jots"))],
    }
    return doc


class _Checker:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    # ---------------------------------------------------------------- primitives
    def fail(self, where: str, message: str) -> BadExport:
        return BadExport(f"not a valid export: {where}: {message}")

    def keys(self, value: Any, where: str, required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object")
        for key in required:
            if key not in value:
                raise self.fail(where, f"missing {key!r}")
        unknown = sorted(set(value) - set(required))
        if unknown:
            raise self.fail(where, f"unknown field {unknown[0]!r}")
        return value

    def list(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list")
        return value

    def str(self, value: Any, where: str, *, nonempty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "expected a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(where, "the text is not valid Unicode") from None
        if nonempty and not value.strip():
            raise self.fail(where, "must not be empty")
        return value

    def opt_str(self, value: Any, where: str) -> str | None:
        return None if value is None else self.str(value, where)

    def bool(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, "expected true or false")
        return value

    def int(self, value: Any, where: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"expected a whole number of at least {minimum}")
        return value

    def number(self, value: Any, where: str) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value < 0:
            raise self.fail(where, "expected a number of at least 0")
        return value

    def id(self, value: Any, where: str, table: str | None = None) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise self.fail(where, "expected an id (32 lowercase hex digits)")
        if table is not None:
            if (table, value) in self.seen:
                raise self.fail(where, f"the id {value} appears twice")
            self.seen.add((table, value))
        return value

    def opt_id(self, value: Any, where: str) -> str | None:
        return None if value is None else self.id(value, where)

    def stamp(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "expected a timestamp")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(where, f"{value[:40]!r} is not an ISO 8601 timestamp") from None
        if moment.tzinfo is None:
            raise self.fail(where, "the timestamp has no time zone")
        return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def opt_stamp(self, value: Any, where: str) -> str | None:
        return None if value is None else self.stamp(value, where)

    def date(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(where, "expected a date (YYYY-MM-DD) or null")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(where, f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None

    def strs(self, value: Any, where: str) -> list[str]:
        return [self.str(v, f"{where}[{i}]") for i, v in enumerate(self.list(value, where))]

    def choice(self, value: Any, where: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed or not isinstance(value, str):
            raise self.fail(where, f"expected one of {', '.join(allowed)}")
        return value

    def json_value(self, value: Any, where: str, depth: int = 0) -> Any:
        """Any JSON value (for the free-form guide snapshot), with its strings checked."""
        if depth > 64:
            raise self.fail(where, "nested too deeply")
        if isinstance(value, dict):
            return {self.str(k, where): self.json_value(v, f"{where}.{k}", depth + 1)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.str(value, where)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(where, "not a finite number")
        return value

    def base(self, value: Any, where: str, table: str, extra: tuple[str, ...]) -> dict[str, Any]:
        self.keys(value, where, _BASE + extra)
        return {"id": self.id(value["id"], f"{where}.id", table),
                "created_at": self.stamp(value["created_at"], f"{where}.created_at"),
                "updated_at": self.stamp(value["updated_at"], f"{where}.updated_at")}

    # ---------------------------------------------------------------- records
    def scope(self, value: Any, where: str) -> dict[str, Any]:
        self.keys(value, where, ("all", "session_ids", "person_id", "since", "until", "label"))
        return {"all": self.bool(value["all"], f"{where}.all"),
                "session_ids": [self.id(v, f"{where}.session_ids[{i}]")
                                for i, v in enumerate(self.list(value["session_ids"],
                                                                f"{where}.session_ids"))],
                "person_id": self.opt_id(value["person_id"], f"{where}.person_id"),
                "since": self.date(value["since"], f"{where}.since"),
                "until": self.date(value["until"], f"{where}.until"),
                "label": self.str(value["label"], f"{where}.label")}

    def person(self, value: Any, where: str) -> dict[str, Any]:
        out = self.base(value, where, "people", ("name", "role", "cadence"))
        cadence = value["cadence"]
        if cadence is not None:
            from .models import CADENCES

            self.choice(cadence, f"{where}.cadence", tuple(CADENCES))
        out.update(name=self.str(value["name"], f"{where}.name", nonempty=True),
                   role=self.str(value["role"], f"{where}.role"), cadence=cadence)
        return out

    def programme(self, value: Any, where: str) -> dict[str, Any]:
        out = self.base(value, where, "programmes",
                        ("name", "purpose", "guide_id", "themes", "strategy"))
        out.update(name=self.str(value["name"], f"{where}.name", nonempty=True),
                   purpose=self.str(value["purpose"], f"{where}.purpose"),
                   guide_id=self.str(value["guide_id"], f"{where}.guide_id"),
                   themes=self.strs(value["themes"], f"{where}.themes"))
        strategy = []
        for i, item in enumerate(self.list(value["strategy"], f"{where}.strategy")):
            w = f"{where}.strategy[{i}]"
            entry = self.base(item, w, "strategy", ("text", "gaps", "tag_ids"))
            entry.update(text=self.str(item["text"], f"{w}.text", nonempty=True),
                         gaps=self.strs(item["gaps"], f"{w}.gaps"),
                         tag_ids=self.strs(item["tag_ids"], f"{w}.tag_ids"))
            strategy.append(entry)
        out["strategy"] = strategy
        return out

    def plan(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object (the guide as used)")
        plan = self.json_value(value, where)
        stages = plan.get("stages", [])
        for i, stage in enumerate(self.list(stages, f"{where}.stages")):
            w = f"{where}.stages[{i}]"
            if not isinstance(stage, dict):
                raise self.fail(w, "expected an object")
            self.str(stage.get("key"), f"{w}.key")
            if "title" in stage:
                self.str(stage["title"], f"{w}.title")
            if "minutes" in stage:
                self.int(stage["minutes"], f"{w}.minutes")
            for flag in ("private", "followup"):
                if flag in stage:
                    self.bool(stage[flag], f"{w}.{flag}")
            for name in ("cues", "avoid", "phrases", "prompts", "item_kinds", "source"):
                if name in stage:
                    self.strs(stage[name], f"{w}.{name}")
            for j, q in enumerate(self.list(stage.get("questions", []), f"{w}.questions")):
                if not isinstance(q, str):
                    self.str(q.get("text") if isinstance(q, dict) else q, f"{w}.questions[{j}]")
        return plan

    def state(self, value: Any, where: str) -> dict[str, Any]:
        self.keys(value, where, ("stage_index", "spent", "visited", "asked"))
        spent = value["spent"]
        if not isinstance(spent, dict):
            raise self.fail(f"{where}.spent", "expected an object")
        asked = value["asked"]
        if not isinstance(asked, dict):
            raise self.fail(f"{where}.asked", "expected an object")
        return {
            "stage_index": self.int(value["stage_index"], f"{where}.stage_index"),
            "spent": {self.str(k, f"{where}.spent"): self.number(v, f"{where}.spent.{k}")
                      for k, v in spent.items()},
            "visited": self.strs(value["visited"], f"{where}.visited"),
            "asked": {self.str(k, f"{where}.asked"):
                      [self.int(n, f"{where}.asked.{k}[{i}]")
                       for i, n in enumerate(self.list(v, f"{where}.asked.{k}"))]
                      for k, v in asked.items()},
        }

    def session(self, value: Any, where: str) -> dict[str, Any]:
        out = self.base(value, where, "sessions", (
            "person_id", "programme_id", "title", "guide_id", "guide_name", "started_at",
            "ended_at", "amended_at", "plan", "state", "notes", "items", "tags"))
        out.update(
            person_id=self.id(value["person_id"], f"{where}.person_id"),
            programme_id=self.opt_id(value["programme_id"], f"{where}.programme_id"),
            title=self.str(value["title"], f"{where}.title"),
            guide_id=self.str(value["guide_id"], f"{where}.guide_id"),
            guide_name=self.str(value["guide_name"], f"{where}.guide_name"),
            started_at=self.stamp(value["started_at"], f"{where}.started_at"),
            ended_at=self.opt_stamp(value["ended_at"], f"{where}.ended_at"),
            amended_at=self.opt_stamp(value["amended_at"], f"{where}.amended_at"),
            plan=self.plan(value["plan"], f"{where}.plan"),
            state=self.state(value["state"], f"{where}.state"),
        )
        notes = []
        for i, n in enumerate(self.list(value["notes"], f"{where}.notes")):
            w = f"{where}.notes[{i}]"
            note = self.base(n, w, "notes", ("stage", "text", "private"))
            note.update(stage=self.str(n["stage"], f"{w}.stage"), text=self.str(n["text"], f"{w}.text"),
                        private=self.bool(n["private"], f"{w}.private"))
            notes.append(note)
        items = []
        for i, it in enumerate(self.list(value["items"], f"{where}.items")):
            w = f"{where}.items[{i}]"
            item = self.base(it, w, "items", ("kind", "text", "owner", "due", "status", "stage",
                                              "done_at", "carried_from"))
            item.update(kind=self.choice(it["kind"], f"{w}.kind", ITEM_KINDS),
                        text=self.str(it["text"], f"{w}.text", nonempty=True),
                        owner=self.choice(it["owner"], f"{w}.owner", OWNERS),
                        due=self.date(it["due"], f"{w}.due"),
                        status=self.choice(it["status"], f"{w}.status",
                                           tuple(dict.fromkeys(ITEM_STATUSES + GOAL_STATUSES))),
                        stage=self.str(it["stage"], f"{w}.stage"),
                        done_at=self.opt_stamp(it["done_at"], f"{w}.done_at"),
                        carried_from=self.opt_id(it["carried_from"], f"{w}.carried_from"))
            items.append(item)
        tags = []
        for i, t in enumerate(self.list(value["tags"], f"{where}.tags")):
            w = f"{where}.tags[{i}]"
            tag = self.base(t, w, "tags", ("stage", "theme", "passage", "subject_id"))
            tag.update(stage=self.str(t["stage"], f"{w}.stage"),
                       theme=self.str(t["theme"], f"{w}.theme", nonempty=True),
                       passage=self.str(t["passage"], f"{w}.passage", nonempty=True),
                       subject_id=self.opt_id(t["subject_id"], f"{w}.subject_id"))
            tags.append(tag)
        out.update(notes=notes, items=items, tags=tags)
        return out

    def jot(self, value: Any, where: str) -> dict[str, Any]:
        out = self.base(value, where, "jots", ("person_id", "text"))
        out.update(person_id=self.id(value["person_id"], f"{where}.person_id"),
                   text=self.str(value["text"], f"{where}.text", nonempty=True))
        return out


# ================================================================== import


def to_rows(doc: Mapping[str, Any]) -> dict[str, list[tuple[dict, dict]]]:
    """A checked document as :meth:`Store.import_rows` takes it: table -> [(plain, secret)]."""
    rows: dict[str, list[tuple[dict, dict]]] = {t: [] for t in TABLES}

    def base(record: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        return {"id": record["id"], "rev": 1, "created_at": record["created_at"],
                "updated_at": record["updated_at"], **extra}

    for p in doc["people"]:
        rows["people"].append((base(p), {"data": {"name": p["name"], "cadence": p["cadence"],
                                                  "role": p["role"]}}))
    for g in doc["programmes"]:
        rows["programmes"].append((base(g), {"data": {
            "name": g["name"], "purpose": g["purpose"], "guide_id": g["guide_id"],
            "themes": list(g["themes"])}}))
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
    return rows


def check_references(store: "Store", doc: Mapping[str, Any]) -> None:
    """Every person or programme a record points at is in the file or already in the vault."""
    people = {p["id"] for p in doc["people"]}
    programmes = {g["id"] for g in doc["programmes"]}

    def person(pid: str, where: str) -> None:
        if pid in people:
            return
        try:
            store.person(pid)
        except NotFound:
            raise BadExport(f"not a valid export: {where} refers to person {pid}, who is neither "
                            "in the file nor in the vault") from None
        people.add(pid)

    for i, s in enumerate(doc["sessions"]):
        person(s["person_id"], f"sessions[{i}]")
        pid = s["programme_id"]
        if pid and pid not in programmes:
            try:
                store.programme(pid)
            except NotFound:
                raise BadExport(f"not a valid export: sessions[{i}] refers to programme {pid}, "
                                "which is neither in the file nor in the vault") from None
            programmes.add(pid)
    for i, j in enumerate(doc["jots"]):
        person(j["person_id"], f"jots[{i}]")


def import_document(store: "Store", doc: Mapping[str, Any]) -> ImportResult:
    """Inserts a checked document (from :func:`parse_export`), all or nothing."""
    check_references(store, doc)
    rows = to_rows(doc)
    added = store.import_rows(rows)
    given = {t: len(r) for t, r in rows.items()}
    return ImportResult(added={t: added.get(t, 0) for t in TABLES},
                        skipped={t: given[t] - added.get(t, 0) for t in TABLES})


def read_import(data: bytes, passphrase: str | Callable[[], str] | None = None) -> dict[str, Any]:
    """The checked document in ``data``, decrypting it first when it is an age file.

    ``passphrase`` (or a function asked only when needed) opens an age file.
    """
    if is_age(data):
        if passphrase is None:
            raise WrongPassphrase("the file is age-encrypted; a passphrase is needed")
        data = decrypt(data, passphrase() if callable(passphrase) else passphrase)
    return parse_export(data)


def import_bytes(store: "Store", data: bytes,
                 passphrase: str | Callable[[], str] | None = None) -> ImportResult:
    """:func:`read_import` then :func:`import_document`."""
    return import_document(store, read_import(data, passphrase))
