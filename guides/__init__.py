"""Conversation guides: declarative TOML data describing the stages of a conversation.

This package never imports the UI (``textual``, ``rich``, ``tui``) or the vault (``store``), and
does no work at import time; the built-in guides are read the first time they are asked for.
"""

from .loader import (
    Catalog,
    GuideError,
    Problem,
    builtin_guides,
    load_catalog,
    load_guide_file,
    parse_guide,
    template,
    validate_file,
)
from .model import GUIDE_KINDS, ITEM_KINDS, Guide, Question, Stage

__all__ = [
    "GUIDE_KINDS",
    "ITEM_KINDS",
    "Catalog",
    "Guide",
    "GuideError",
    "Problem",
    "Question",
    "Stage",
    "builtin_guides",
    "load_catalog",
    "load_guide_file",
    "parse_guide",
    "template",
    "validate_file",
]
