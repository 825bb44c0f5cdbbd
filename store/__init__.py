"""The vault: people, sessions, notes and items, encrypted field by field in one SQLite file.

How the app and the commands use it::

    from store import Paths, create_vault, open_vault, Scope, render_export, write_export

    paths = Paths.resolve(home)                      # where the vault and the settings live
    store = create_vault(paths.vault, passphrase)    # or open_vault(paths.vault, passphrase)
    sam = store.add_person("Sam Rivera", cadence="weekly")
    session = store.start_session(sam.id, guide.to_snapshot(), title="Weekly 1:1")
    store.save_note(session.id, "check-in", "Feeling stretched by on-call.")   # every keystroke
    store.add_item(session.id, "action", "Book the design review", owner="them", due="fri")
    store.end_session(session.id)
    hits = store.search("on-call", person_id=sam.id)  # newest first, with snippets
    doc = render_export(store, Scope.sessions(session.id), "md")   # the participant's summary
    write_export("summary.md", doc.data, store=store, doc=doc)  # 0600, never over a file
    store.close()                                     # lock: keys and caches dropped

* A :class:`Store` is the unlocked vault. Its methods return frozen dataclasses (:mod:`store.models`)
  and raise :class:`RapportError` subclasses (:mod:`store.errors`) with one-line messages.
  ``store.damage`` is what unlocking found wrong (rows deleted outside rapport); ``store.verify()``
  checks everything.
* One writer per vault (a lock on the file itself); a wrong passphrase writes nothing.
* Layers, bottom up: leaves (errors, models, clock, text, crypto, files, tables) < the file (db,
  lock, migrations, keyslot, summary) < the row engine (:mod:`store.rows`) < one repository per
  record family (people, sessions, notes, items, jots, programmes, tags, export_log) < search,
  documents and exports, syntheses, imports < :class:`Store` (store.store) < opening (vault).
  A new record family is a table in :mod:`store.tables`, a migration and a repository module.

Names are resolved when first used (PEP 562): ``import store`` loads nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cadence import Due, due_people
    from .clock import Clock, stamp, utc_now
    from .crypto import FAST_FOR_TESTS, PRODUCTION, KdfParams
    from .dates import DateError, parse_due
    from .document import collect, session_document
    from .errors import (
        Ambiguous, Damaged, FileExists, Locked, NotAVault, NotFound, RapportError, StorageError,
        UnsafeParameters, VaultBusy, VaultExists, VaultMissing, WrongPassphrase,
    )
    from .export import ExportDoc, render as render_export, render_document, write_export
    from .files import write_new_file
    from .lock import probe
    from .models import (
        CADENCES, DEFAULT_THEMES, GOAL_STATUSES, ITEM_KINDS, ITEM_STATUSES, OWNERS, Damage,
        ExportRecord, Item, Jot, Note, Person, Programme, Session, SessionSummary, StrategyItem,
        Tag,
    )
    from .paths import Paths
    from .render import md_block, md_inline
    from .scope import Scope
    from .search import SOURCES as SEARCH_SOURCES, Hit
    from .store import Store
    from .synthesis import Area, Passage, Synthesis, build as build_synthesis
    from .synthesis_report import (
        filename_hint as report_filename, leader_report, programme_report,
        render as render_report, write_report,
    )
    from .text import json_text, visible
    from .transfer import (
        MAX_BYTES as MAX_IMPORT_BYTES, BadExport, ImportResult, encrypt, import_document,
        read_import,
    )
    from .vault import create_vault, open_vault

#: name -> (module, attribute): where each public name lives (never a submodule's own name).
_NAMES: dict[str, tuple[str, str]] = {
    **{n: ("cadence", n) for n in ("Due", "due_people")},
    **{n: ("clock", n) for n in ("Clock", "stamp", "utc_now")},
    **{n: ("crypto", n) for n in ("FAST_FOR_TESTS", "PRODUCTION", "KdfParams")},
    **{n: ("dates", n) for n in ("DateError", "parse_due")},
    **{n: ("document", n) for n in ("collect", "session_document")},
    **{n: ("errors", n) for n in (
        "Ambiguous", "Damaged", "FileExists", "Locked", "NotAVault", "NotFound", "RapportError",
        "StorageError", "UnsafeParameters", "VaultBusy", "VaultExists", "VaultMissing",
        "WrongPassphrase")},
    **{n: ("export", n) for n in ("ExportDoc", "render_document", "write_export")},
    "render_export": ("export", "render"),
    "write_new_file": ("files", "write_new_file"),
    "probe": ("lock", "probe"),
    **{n: ("models", n) for n in (
        "CADENCES", "DEFAULT_THEMES", "GOAL_STATUSES", "ITEM_KINDS", "ITEM_STATUSES", "OWNERS",
        "Damage", "ExportRecord", "Item", "Jot", "Note", "Person", "Programme", "Session",
        "SessionSummary", "StrategyItem", "Tag")},
    "Paths": ("paths", "Paths"),
    **{n: ("render", n) for n in ("md_block", "md_inline")},
    "Scope": ("scope", "Scope"),
    "Hit": ("search", "Hit"),
    "SEARCH_SOURCES": ("search", "SOURCES"),
    "Store": ("store", "Store"),
    **{n: ("synthesis", n) for n in ("Area", "Passage", "Synthesis")},
    "build_synthesis": ("synthesis", "build"),
    **{n: ("synthesis_report", n) for n in ("leader_report", "programme_report", "write_report")},
    "report_filename": ("synthesis_report", "filename_hint"),
    "render_report": ("synthesis_report", "render"),
    **{n: ("text", n) for n in ("json_text", "visible")},
    **{n: ("transfer", n) for n in (
        "BadExport", "ImportResult", "encrypt", "import_document", "read_import")},
    "MAX_IMPORT_BYTES": ("transfer", "MAX_BYTES"),
    **{n: ("vault", n) for n in ("create_vault", "open_vault")},
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _NAMES[name]
    except KeyError:
        raise AttributeError(f"module 'store' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
