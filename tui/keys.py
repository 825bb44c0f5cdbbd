"""Key names and the live keymap.

Every binding in :mod:`tui` has an id (``docs/keys.md`` lists them); ``[keys]`` in the config maps
an id to other keys. What a screen *says* about its keys (hints, F1 help, the palette) comes from
here, so a remapped key is named everywhere it is mentioned:

* :func:`key_label` - how the keys of one binding id are shown now (``"f3"``, ``"^n/alt+→"``);
* :func:`with_keys` - a text whose ``{binding-id}`` placeholders are filled in with those labels;
* :func:`bad_key` - why a key name from the config is not one (``None`` when it is one);
* :func:`keymap_problems` - the config's ``[keys]`` checked: what is kept, what is not and why.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from textual.binding import Binding

if TYPE_CHECKING:  # pragma: no cover
    from textual.app import App

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
#: Every binding id of the app, for checking the config's ``[keys]`` without importing every
#: screen (tests/test_keys.py checks it against the bindings; docs/keys.md says what each does).
BINDING_IDS = frozenset({
    "agenda", "all", "back", "bank-question", "cadence", "cancel", "capture", "capture-kind",
    "carry", "choose-next", "choose-previous", "clear-filter", "clear-filters", "close",
    "close-programme",
    "complete", "confirm-no", "confirm-yes", "edit-item",
    "cues", "delete",
    "detail-next-stage", "detail-previous-stage", "dialog-next-field", "dialog-previous-field",
    "dialog-save", "done", "edit", "end",
    "export", "export-write", "goal-status", "help", "insert-question", "items", "jot",
    "list-down", "list-first", "list-last", "list-up", "lock", "mark-asked", "mine",
    "new-line", "new-programme", "new-session", "next-question", "next-stage", "open", "pause",
    "people", "previous-question", "previous-stage", "privacy", "private",
    "programme-interview", "programme-interview-closed", "programme-report", "programme-strategy",
    "programme-strategy-delete", "programme-strategy-edit", "programme-tab-areas",
    "programme-tab-matrix", "programme-tab-strategy", "programmes", "query", "quit", "reopen",
    "reopen-programme",
    "resume-open", "review-end", "save", "search", "share", "since", "sort", "stage-form",
    "stages", "tag",
    "theirs", "untag",
}) | frozenset({  # the browse screens' (issues 22-24)
    "filter", "link-goal", "meeting", "merge", "new-person", "new-question", "person-tab-goals",
    "person-tab-pulse", "person-tab-timeline", "prepare", "programme-retention",
    "programme-roster-add", "programme-tab-leaders", "programme-tab-roster", "question-bank",
    "talking-point",
})
#: Keys a terminal sends as bytes that Textual reads as another key, so a binding to one of them
#: would never fire: the key and what arrives instead (tests/test_keys.py checks it against
#: Textual's table of what terminals send).
ARRIVES_AS = {
    "ctrl+i": "tab", "ctrl+m": "enter", "ctrl+h": "backspace",
    "ctrl+left_square_bracket": "escape",
    "alt+b": "ctrl+left", "alt+f": "ctrl+right",  # iTerm's word moves
    "alt+backspace": "ctrl+w", "alt+tab": "shift+tab", "alt+escape": "escape",
    **{f"alt+{digit}": "a character" for digit in "0123456789"},
    "alt+minus": "a character", "alt+equals_sign": "a character",  # macOS's option key
}
PLACEHOLDER = re.compile(r"\{([a-z0-9]+(?:-[a-z0-9]+)*)\}")


def named_keys() -> frozenset[str]:
    """Textual's names of keys that are not characters (``f1``, ``escape``, ``pageup``...)."""
    from textual.keys import KEY_ALIASES, KEY_NAME_REPLACEMENTS, Keys

    names = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    names.update(KEY_NAME_REPLACEMENTS.values())  # slash, plus, minus, at...
    names.update(alias for aliases in KEY_ALIASES.values() for alias in aliases
                 if "+" not in alias)
    return frozenset(names)


def bad_key(key: str) -> str | None:
    """Why ``key`` (one key, e.g. ``ctrl+shift+f5``) is not a key Textual knows, or None."""
    from textual.keys import key_to_character

    if not key or key != key.strip():
        return "an empty key or one with spaces around it"
    *modifiers, name = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier ({', '.join(MODIFIERS)})"
    if len(set(modifiers)) != len(modifiers):
        return "a modifier twice"
    if len(name) == 1:
        if not name.isprintable() or name.isspace():
            return "not a printable key"
    elif name not in named_keys() and key_to_character(name) is None:
        return f"{name!r} is not a key name"
    arrives = {same_key(k): instead for k, instead in ARRIVES_AS.items()}.get(same_key(key))
    if arrives is None and modifiers == ["alt"]:
        arrives = alt_arrives_as(name)
    return None if arrives is None else f"terminals send it as {arrives}"


def alt_arrives_as(name: str) -> str | None:
    """What alt+``name`` arrives as when it is not itself (terminals send ESC and the key;
    Textual keeps the alt only on a letter): alt+A as alt+shift+a; alt+/, alt+enter, alt+space
    as the key alone."""
    from textual.keys import key_to_character

    if name in ("enter", "space"):
        return name
    character = REPLACED_CHARACTERS.get(name) or (
        name if len(name) == 1 else key_to_character(name))
    if character is None or not character.isprintable() or character.islower() \
            or character.isdigit():
        return None  # a letter, or a named key sent as a sequence of its own (alt+up)
    if character.isupper():
        return f"alt+shift+{character.lower()}"
    return f"{name} (without alt)"


def bad_keys(spec: str) -> list[str]:
    """The keys of a comma-separated list (as in a binding) that are not keys, each with why."""
    keys = [k.strip() for k in spec.split(",")]
    return [f"{k!r}: {why}" for k in keys if (why := bad_key(k)) is not None]


def bindings_of(owner: Any) -> Iterable[Binding]:
    """The bindings declared by ``owner``'s class (an instance or a class) and its bases."""
    cls = owner if isinstance(owner, type) else type(owner)
    for klass in cls.__mro__:
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding):
                yield binding


def rapport_classes() -> list[type]:
    """Every class of :mod:`tui` imported so far that can hold bindings (screens, widgets,
    the app), found from Textual's ``DOMNode`` down."""
    from textual.dom import DOMNode

    found, todo, seen = [], [DOMNode], set()
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                if sub.__module__.startswith("tui."):
                    found.append(sub)
    return found


def default_keys(binding_id: str, owners: Iterable[Any] = ()) -> str | None:
    """The keys a binding id has by default: declared by the first of ``owners`` (or its bases)
    that has it, else by any class of :mod:`tui` imported so far (an id means one thing, with
    the same default keys, wherever it is declared: docs/keys.md, tests/test_keys.py)."""
    for owner in (*owners, *rapport_classes()):
        for binding in bindings_of(owner):
            if binding.id == binding_id:
                return binding.key
    return None


def current_keys(app: "App[Any]", binding_id: str, *owners: Any) -> list[str]:
    """The keys bound to ``binding_id`` now: the config's keymap, else its default keys."""
    keymap: Mapping[str, str] = getattr(getattr(app, "config", None), "keys", {}) or {}
    spec = keymap.get(binding_id) or default_keys(binding_id, (*owners, app))
    if spec is None:
        raise KeyError(f"no binding with id {binding_id!r}")
    return [k.strip() for k in spec.split(",") if k.strip()]


def key_label(app: "App[Any]", binding_id: str, *owners: Any, first: bool = False) -> str:
    """How the keys of ``binding_id`` are shown now (as the footer shows them), joined by ``/``,
    or by ``or`` when one of them is ``/`` ("/ or f": "//f" would read as one more key);
    ``first``: only the first."""
    keys = current_keys(app, binding_id, *owners)
    if first:
        keys = keys[:1]
    shown = [app.get_key_display(Binding(key, "")) for key in keys]
    return (" or " if any("/" in label for label in shown) else "/").join(shown)


def with_keys(app: "App[Any]", text: str, *owners: Any, **values: str) -> str:
    """``text`` with every ``{binding-id}`` replaced by :func:`key_label` of that id, and every
    ``{name}`` of ``values`` by its value, in one pass: what a value says (a person's name
    holding ``{quit}``) is never read as a placeholder. Anything typed goes in ``values``."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) in values
                           else key_label(app, m.group(1), *owners), text)


def keymap_problems(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries of a ``[keys]`` table that can be used, and one phrase per one that cannot
    (an unknown binding id, a key name that is not a key): those keep their default keys."""
    kept: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, spec in keymap.items():
        if binding_id not in BINDING_IDS:
            problems.append(f"keys: no binding {binding_id!r} (the ids are in docs/keys.md)")
            continue
        bad = bad_keys(spec)
        if bad:
            problems.append(f"keys.{binding_id}: {'; '.join(bad)}")
            continue
        kept[binding_id] = ",".join(k.strip() for k in spec.split(","))
    return kept, problems


#: the characters of the key names Textual replaces (textual.keys.KEY_NAME_REPLACEMENTS), which
#: its key_to_character does not turn back
REPLACED_CHARACTERS = {"slash": "/", "backslash": "\\", "at": "@", "minus": "-", "plus": "+",
                       "underscore": "_"}


def same_key(key: str) -> str:
    """``key`` as one spelling (``"/"`` and ``"slash"`` are one key), to compare keys."""
    from textual.keys import key_to_character

    *modifiers, name = key.strip().split("+")
    if not name:
        return key.strip()
    name = REPLACED_CHARACTERS.get(name) or key_to_character(name) or name
    return "+".join([*modifiers, name])


def binding_scopes(app_class: type) -> list[tuple[type, list[Binding]]]:
    """The bindings active together, for every class of :mod:`tui` imported so far that
    declares any: a widget's own (and its bases', Textual's included), with those of each
    screen whose module uses that widget class (the widget has the focus there), the
    screen's own, and the app's (only the priority ones over a dialog: its binding chain
    stops at the dialog). Each with the class a warning names (the screen)."""
    import sys

    from textual.screen import ModalScreen, Screen
    from textual.widget import Widget

    app_bindings = list(bindings_of(app_class))
    scopes = []
    for cls in rapport_classes():
        own = list(bindings_of(cls))
        if not own or issubclass(cls, app_class) or issubclass(app_class, cls):
            continue
        if not issubclass(cls, Screen):
            scopes.append((cls, own + app_bindings))
            continue
        if cls.__subclasses__():
            continue  # a base (a dialog's): its keys are checked with each screen's that has them
        extra = ([b for b in app_bindings if b.priority] if issubclass(cls, ModalScreen)
                 else app_bindings)
        scopes.append((cls, own + extra))
        used = {w for w in vars(sys.modules[cls.__module__]).values()
                if isinstance(w, type) and issubclass(w, Widget) and not issubclass(w, Screen)}
        for widget in used:
            if widget_bindings := list(bindings_of(widget)):
                scopes.append((cls, widget_bindings + own + extra))
    return scopes


def keymap_clashes(keymap: Mapping[str, str], scopes: list[tuple[type, list[Binding]]]
                   ) -> tuple[dict[str, str], list[str]]:
    """The entries of a checked ``[keys]`` table that give no key two meanings on one screen
    (or dialog, or widget), and one phrase per one that does. Textual would let one of them win
    and leave the other without that key, often without any (a dead key); here the entry is
    dropped instead, so that binding keeps its default keys and the other keeps its own. Only
    a key new to a binding counts (the defaults' own overlaps, such as Enter, are by design).
    Of two entries on one key, the later one is dropped; dropping one can bring a clash back:
    checked until none."""
    kept = dict(keymap)
    problems: list[str] = []
    while (clash := first_clash(kept, scopes)) is not None:
        key, dropped, other, where = clash
        del kept[dropped]
        problems.append(f"keys.{dropped}: {key!r} is already {other} on {where}; "
                        f"{dropped} keeps its default keys")
    return kept, problems


def first_clash(keymap: Mapping[str, str], scopes: list[tuple[type, list[Binding]]]
                ) -> tuple[str, str, str, str] | None:
    """The first key that ``keymap`` gives a binding that did not have it, where another
    binding of the same scope does something else with it: (the key, the id given it (the
    later in ``keymap`` of two), the other's id (or Textual's description), where), else None."""
    for cls, bindings in scopes:
        by_key: dict[str, dict[str, Binding]] = {}
        new: dict[str, list[str]] = {}
        for b in bindings:
            name = b.id or f"“{b.description or b.action}”"  # Textual's own: no id
            defaults = {same_key(k) for k in b.key.split(",")}
            for key in (keymap.get(b.id or "") or b.key).split(","):
                key = same_key(key)
                by_key.setdefault(key, {}).setdefault(name, b)
                if key not in defaults:
                    new.setdefault(key, []).append(name)
        for key, given in new.items():
            ids = by_key[key]
            clashing = [n for n in given if any(clashes(ids[n], b) for b in ids.values())]
            if clashing:  # of two given the key, the later in the table
                name = max(clashing, key=list(keymap).index)
                other = next(o for o, b in ids.items() if clashes(ids[name], b))
                return key, name, other, scope_name(cls)
    return None


def clashes(given: Binding, other: Binding) -> bool:
    """Whether ``other``, on the key ``given`` was given, leaves one of them dead: it does
    something else, and is ours (an id) or would be looked at first (``given`` is not a
    priority binding). A priority key taken from Textual's own keys of a widget (the export
    preview's select-line) takes only that."""
    return other.action != given.action and (other.id is not None or not given.priority)


def scope_name(cls: type) -> str:
    """How a warning names where a clash is: "the Sessions screen", "the Capture dialog"."""
    from textual.screen import ModalScreen, Screen

    name = cls.__name__.removesuffix("Screen").removesuffix("Dialog")
    if issubclass(cls, ModalScreen):
        return f"the {name} dialog"
    if issubclass(cls, Screen):
        return f"the {getattr(cls, 'TITLE', None) or name} screen"
    return f"the {name} widget"
