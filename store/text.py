"""Text a record holds, made safe to show: the one place control characters are neutralised.

A name, title, note or item can hold anything an imported file put there, terminal escapes
included (``"\\x1b]0;pwned\\x07"`` sets a terminal's title). Everything printed for a person to
read, and every exported document, goes through :func:`visible`; JSON goes through
:func:`json_text`. Tab and newline are kept (notes have lines); every other C0 control, DEL, the
C1 controls (U+0080-U+009F) and the bidirectional overrides and isolates (U+202A-U+202E,
U+2066-U+2069) are replaced by a visible stand-in:

* C0 and DEL: the Unicode control picture (``\\x1b`` -> ``␛``, ``\\r`` -> ``␍``, ``\\x7f`` -> ``␡``);
* C1 and bidi controls: their escape, ``\\u009b`` or ``\\u202e``, as plain text.

Nothing here changes what is stored: the vault keeps the text as typed.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Everything :func:`visible` replaces.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")
#: What JSON leaves raw but a terminal acts on (JSON itself escapes C0).
_JSON_CONTROLS = re.compile("[\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


def visible(text: Any) -> str:
    """``str(text)`` with every control character but tab and newline shown as a stand-in."""
    value = str(text)
    if value.isprintable():  # (no control at all: nothing to look for)
        return value
    return CONTROLS.sub(_stand_in, value) if CONTROLS.search(value) else value


def json_text(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, ...)``, with DEL, C1 and bidi controls escaped
    (``\\u009b``) as well: valid JSON that reads the same, and that no terminal acts on."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
