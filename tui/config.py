"""Settings from ``config.toml`` (read with tomllib). A broken file never stops the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from store import read_regular

#: a settings file is a few lines: anything larger is not one (and is not read whole)
MAX_BYTES = 65536

DEFAULTS_TOML = """\
# Rapport settings. Delete a line to get the default back.
idle_lock_minutes = 5        # lock after this many idle minutes (0 = never)
theme = "textual-dark"       # a Textual theme name (the palette's "Theme" lists them)
default_guide = "one-on-one" # guide preselected for a new session
facilitator_name = "Facilitator" # your name, as the owner of your items in exports

[keys]                       # a binding id = other keys (ids: docs/keys.md), e.g.
# privacy = "f11"
"""


@dataclass(frozen=True)
class Config:
    idle_lock_minutes: float = 5.0
    theme: str = "textual-dark"
    default_guide: str = "one-on-one"
    #: how exports name the facilitator as an owner ("me"); the participant is named by theirs
    facilitator_name: str = "Facilitator"
    keys: dict[str, str] = field(default_factory=dict)


def load_config(path: Path, *, check_keys: bool = True) -> tuple[Config, str | None]:
    """Returns the settings and, when the file is broken, a one-line warning (defaults used).
    ``check_keys=False``: the ``[keys]`` table is left unchecked (and Textual unimported), for a
    command that binds no keys."""
    try:
        raw = read_regular(path, MAX_BYTES + 1)
    except FileNotFoundError:
        return Config(), None
    except OSError as exc:  # a FIFO or a device too: refused unread (store.read_regular)
        return Config(), f"{path}: cannot read ({exc.strerror}); using defaults"
    if len(raw) > MAX_BYTES:
        return Config(), f"{path}: larger than {MAX_BYTES} bytes; using defaults"
    import tomllib  # only when there is a file: no settings, no parser to import at start-up

    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Config(), f"{path}: not UTF-8; using defaults"
    except tomllib.TOMLDecodeError as exc:
        return Config(), f"{path}: {exc}; using defaults"
    problems: list[str] = []
    values: dict = {}
    checks = {
        "idle_lock_minutes": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                              and 0 <= v <= 24 * 60, "a number of minutes (0 to 1440)"),
        "theme": (lambda v: isinstance(v, str) and v, "a theme name"),
        "default_guide": (lambda v: isinstance(v, str) and v, "a guide id"),
        "facilitator_name": (_is_name, f"a name on one line (1 to {NAME_LIMIT} characters)"),
        "keys": (lambda v: isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str)
                                                        for k, x in v.items()),
                 'a table of binding id = "keys"'),
    }
    for key, value in data.items():
        if key not in checks:
            problems.append(f"unknown setting {key!r}")
            continue
        ok, expected = checks[key]
        if ok(value):
            values[key] = float(value) if key == "idle_lock_minutes" else value
            if key == "facilitator_name":
                values[key] = " ".join(value.split())
        else:
            line = _line_of(raw, key)
            problems.append(f"{key}{f' (line {line})' if line else ''} must be {expected}")
    if "keys" in values and check_keys:
        from tui.keys import keymap_problems

        values["keys"], bad = keymap_problems(values["keys"])
        problems += bad
    warning = f"{path}: {'; '.join(problems)}; using defaults for those" if problems else None
    return Config(**values), warning


#: the longest ``facilitator_name`` (it is a name, printed beside every item you own)
NAME_LIMIT = 80


def _is_name(value: object) -> bool:
    """A name on one line: not blank, no terminal control (it is printed into exports)."""
    from store import CONTROLS

    return (isinstance(value, str) and 0 < len(" ".join(value.split())) <= NAME_LIMIT
            and "\n" not in value and not CONTROLS.search(value))


def _line_of(raw: bytes, key: str) -> int | None:
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if line.strip().startswith(key):
            return number
    return None
