"""The guide format as one JSON Schema (``schema.json``), checked with ``jsonschema``.

:func:`check` validates a parsed TOML document and turns every ``jsonschema`` error into a
one-line, plain-words message with the field path it is about (``stages[2].minutes``), so the
loader can add the line number. The wording of a message comes from the failed keyword, or from
the schema's own ``x-message`` annotation beside it. The one rule JSON Schema cannot say (stage
keys unique across stages) is checked here too.
"""

from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # jsonschema is imported on first use: `import guides` stays cheap
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

Path_ = tuple[Any, ...]  # ("stages", 2, "questions", 0)

# What a slug or an enum value is called, by the field that holds it.
_NOUNS = {"id": "guide id", "key": "stage key", "source": "source id", "kind": "guide kind",
          "item_kinds": "item kind", "records": "record kind"}
# The unit of a whole number, by its field.
_UNITS = {"minutes": "minutes", "version": "versions"}
_TYPES = {"string": "a string", "array": "a list", "object": "a table", "boolean": "true or false"}
# When one value breaks several rules, the first of these is the one worth saying.
_RANK = {"type": 0, "enum": 1, "if": 2, "then": 2, "else": 2}


@functools.cache
def schema() -> dict[str, Any]:
    """The guide schema (read from the package on first use)."""
    text = resources.files("guides").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _is_integer(checker: Any, instance: Any) -> bool:
    # JSON Schema counts 5.0 as an integer; a guide's minutes are TOML integers, never floats
    return isinstance(instance, int) and not isinstance(instance, bool)


@functools.cache
def _validator() -> "Validator":
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
    # types-jsonschema leaves validators.extend unannotated (strict calls it untyped).
    cls = validators.extend(Draft202012Validator, type_checker=checker)  # type: ignore[no-untyped-call]
    validator: "Validator" = cls(schema())
    return validator


def check(document: Any) -> Iterator[tuple[Path_, str, Path_]]:
    """Every problem in a parsed guide document: ``(field path, message, path to find its line)``.

    Problems come out grouped by the value they are about, one per value; a caller that has
    enough may stop iterating.
    """
    seen: set[Path_] = set()
    errors = sorted(_validator().iter_errors(document),
                    key=lambda e: (_sort_path(e.absolute_path), _RANK.get(str(e.validator), 3)))
    for error in errors:
        path = tuple(error.absolute_path)
        # the stubs allow "unset" for these; an error from iter_errors always has them
        instance: Any = error.instance
        rule: Any = error.validator_value
        subschema: Any = error.schema
        if error.validator == "required":  # one error per missing key, each naming them all
            for key in rule:
                if isinstance(instance, dict) and key not in instance \
                        and path + (key,) not in seen:
                    seen.add(path + (key,))
                    yield path + (key,), f"missing {key!r}", path
            continue
        if error.validator == "additionalProperties":
            allowed = tuple(subschema.get("properties", {}))
            for key in instance:
                if key not in allowed:
                    guess = difflib.get_close_matches(str(key), allowed, n=1)
                    hint = f"did you mean {guess[0]!r}?" if guess else "known keys: " + ", ".join(allowed)
                    yield path + (key,), f"unknown key {_clip(repr(key), 60)}; {hint}", path + (key,)
            continue
        if error.validator == "uniqueItems":
            first = _first_repeat(instance)
            yield path + (first,), f"{instance[first]!r} is listed twice", path
            continue
        if path in seen:
            continue
        seen.add(path)
        yield path, _message(error, path), path
    yield from _repeated_stage_keys(document)


def _message(error: "ValidationError", path: Path_) -> str:
    field = next((p for p in reversed(path) if isinstance(p, str)), "")
    noun = _NOUNS.get(field, "value")
    subschema: Any = error.schema
    own = subschema.get("x-message", {}) if isinstance(subschema, dict) else {}
    value: Any = error.instance
    rule: Any = error.validator_value
    if error.validator in own:
        text = str(own[error.validator]).replace("{noun}", noun)
        if text.startswith("is "):
            text = f"{_clip(repr(value), 60)} {text}"
        return f"{text}, not {describe(value)}" if error.validator == "type" else text
    if error.validator == "type":
        wanted = str(rule)
        if wanted == "integer":
            return f"must be a whole number of {_UNITS.get(field, 'units')}, not {describe(value)}"
        return f"must be {_TYPES.get(wanted, wanted)}, not {describe(value)}"
    if error.validator == "enum":
        shown = _clip(repr(value), 40) if isinstance(value, str) else describe(value)
        return f"{shown} is not a{'n' if noun[0] in 'aeiou' else ''} {noun}; use one of " \
               + ", ".join(str(v) for v in rule)
    if error.validator in ("minimum", "maximum"):
        low, high = subschema.get("minimum"), subschema.get("maximum")
        number = value if abs(value) < 10**12 else "a huge number"
        return f"must be between {low} and {high} {_UNITS.get(field, '')}, not {number}".replace("  ", " ")
    if error.validator == "minItems":
        return "a guide needs at least one stage" if field == "stages" else "must not be empty"
    if error.validator == "maxItems":
        return f"has too many entries ({len(value):,}; the limit is {rule})"
    if error.validator == "maxLength":
        return f"is too long ({len(value):,} characters; the limit is {rule:,})"
    return _clip(error.message, 120)  # pragma: no cover - every keyword the schema uses is above


def _repeated_stage_keys(document: Any) -> Iterator[tuple[Path_, str, Path_]]:
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, list):
        return
    seen: dict[str, int] = {}
    for i, stage in enumerate(stages):
        key = stage.get("key") if isinstance(stage, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            path = ("stages", i, "key")
            yield path, f"stage key {key!r} is already used by stages[{seen[key]}]", path
        seen.setdefault(key, i)


def _first_repeat(items: list[Any]) -> int:
    for i, item in enumerate(items):
        if item in items[:i]:
            return i
    return 0  # pragma: no cover - uniqueItems failed, so there is one


def _sort_path(path: Any) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)


def describe(value: Any) -> str:
    """Name a value's type in plain words (never repr a container: it may be nested deeply)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
