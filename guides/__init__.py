"""Conversation guides: declarative TOML data describing the stages of a conversation.

This package never imports the UI (``textual``, ``rich``, ``tui``) or the vault (``store``), and
does no work at import time; the built-in guides are read the first time they are asked for.
"""

from .loader import (
    Catalog,
    GuideError,
    Problem,
    Report,
    builtin_guides,
    check_file,
    check_guide,
    load_catalog,
    load_guide_file,
    parse_guide,
    template,
    validate_file,
)
from .lint import Finding, lint
from .model import GUIDE_KINDS, ITEM_KINDS, RECORDS, Guide, Question, Stage

__all__ = [
    "GUIDE_KINDS",
    "ITEM_KINDS",
    "RECORDS",
    "Catalog",
    "Finding",
    "Guide",
    "GuideError",
    "Problem",
    "Question",
    "Report",
    "Stage",
    "builtin_guides",
    "check_file",
    "check_guide",
    "lint",
    "load_catalog",
    "load_guide_file",
    "parse_guide",
    "template",
    "validate_file",
]
