"""``store`` stands below the UI: importing it (or using it) never loads Textual, Rich, the app or the
guides, and importing it does not even load the crypto and database libraries (the TUI paints its
first frame before paying for them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ("textual", "rich", "tui", "guides")


def run(code: str, *args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


LOADED = ("def loaded(names):\n"
          "    return sorted({m.split('.')[0] for m in sys.modules} & set(names))\n")


def test_importing_every_store_module_loads_no_ui():
    imported, loaded = run(
        "import importlib, json, pkgutil, sys\n" + LOADED +
        "import store, store.vault, store.crypto, store.db, store.search, store.models, store.paths\n"
        "names = sorted(m.name for m in pkgutil.iter_modules(store.__path__))\n"
        "for name in names:\n"
        "    importlib.import_module('store.' + name)\n"
        f"print(json.dumps([names, loaded({UI!r})]))\n"
    )
    assert {"vault", "crypto", "db", "search", "models", "paths", "errors"} <= set(imported)
    assert loaded == []


def test_import_store_vault_defers_crypto_and_sqlite_utils():
    (loaded,) = run(
        "import json, sys\n" + LOADED +
        "import store.vault\n"
        "print(json.dumps([loaded(['cryptography', 'sqlite_utils', 'platformdirs', 'click'])]))\n"
    )
    assert loaded == []


def test_using_the_store_loads_no_ui(tmp_path):
    before, after = run(
        "import json, sys\n" + LOADED +
        "from store import crypto\n"
        "from store.vault import create_vault\n"
        "s = create_vault(sys.argv[1], 'pw', kdf=crypto.FAST_FOR_TESTS, allow_weak=True)\n"
        "before = loaded(['cryptography', 'sqlite_utils'])\n"
        "p = s.add_person('Layer')\n"
        "x = s.start_session(p.id, {'id': 'g', 'name': 'G', 'stages': []})\n"
        "s.save_note(x.id, '', 'text'); s.search('text'); s.verify(); s.close()\n"
        f"print(json.dumps([before, loaded({UI!r})]))\n",
        str(tmp_path / "vault.db"),
    )
    assert before == ["cryptography", "sqlite_utils"]  # the check above is not vacuous
    assert after == []


def test_every_store_module_has_a_layer():
    """The layers contract (pyproject) checks only the modules it names: a new module must be
    placed in it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"]
                   if c.get("containers") == ["store"]]
    placed = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    modules = {p.stem for p in (ROOT / "store").glob("*.py") if p.stem != "__init__"}
    assert placed == modules


def test_no_store_module_uses_another_ones_private_names():
    """``_names`` stay inside their module: nothing imports one, and no attribute starting with
    an underscore is read off anything but ``self`` or ``cls``."""
    import ast

    offences = []
    for path in sorted((ROOT / "store").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or "store" in (node.module or "")):
                offences += [f"{path.name}: imports {a.name}" for a in node.names
                             if a.name.startswith("_") and a.name != "__future__"]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    offences.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert offences == []


def test_store_map_lists_each_public_name_three_times_alike():
    """``store/__init__.py`` names its exports three times: the imports mypy reads (under
    ``TYPE_CHECKING``), the lazy table ``_NAMES`` the interpreter reads, and a literal ``__all__``
    (mypy does not evaluate a computed one, and then reports every ``from store import X`` as not
    exported). The three must agree, and every name must resolve to what the import says."""
    import ast
    import importlib

    import store

    tree = ast.parse((ROOT / "store" / "__init__.py").read_text(encoding="utf-8"))
    (checking,) = [n for n in tree.body if isinstance(n, ast.If)
                   and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING"]
    imported = {alias.asname or alias.name: ((node.module or ""), alias.name)
                for node in checking.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported == store._NAMES
    (written,) = [ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                  and [getattr(t, "id", None) for t in n.targets] == ["__all__"]]
    assert written == store.__all__ == sorted(store._NAMES)
    for name, (module, attribute) in store._NAMES.items():
        assert getattr(store, name) is getattr(importlib.import_module(f"store.{module}"), attribute)
