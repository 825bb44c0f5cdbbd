"""``guides`` stays free of the UI and the vault, does no work at import, and ships its data."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_guides_imports_no_ui_and_no_store():
    result = run(
        "import guides, guides.loader, guides.model, sys; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui', 'store')]; "
        "assert not bad, bad; "
        "guides.builtin_guides(); guides.load_catalog(None); guides.template('x'); "
        "guides.check_guide(guides.template('x')); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui', 'store')]; "
        "assert not bad, bad"
    )
    assert result.returncode == 0, result.stderr


def test_jsonschema_is_imported_on_first_use():
    """Only when a guide is checked: the built-ins are loaded unchecked (the tests check them),
    so listing them never loads jsonschema; a guide of your own is checked."""
    result = run("import guides, guides.loader, guides.lint, sys; "
                 "assert 'jsonschema' not in sys.modules; "
                 "guides.builtin_guides(); assert 'jsonschema' not in sys.modules; "
                 "guides.loader.parse_guide(guides.loader.builtin_source('praise')); "
                 "assert 'jsonschema' in sys.modules")
    assert result.returncode == 0, result.stderr


def test_brief_import_check():
    result = run("import guides, guides.loader, sys; assert 'textual' not in sys.modules "
                 "and 'store' not in sys.modules and 'rich' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_no_file_reading_at_import():
    # builtins are read lazily: importing opens none of the package's TOML files
    result = run(
        "import builtins, io\n"
        "opened = []\n"
        "real_open = io.open\n"
        "def spy(file, *a, **k):\n"
        "    opened.append(str(file)); return real_open(file, *a, **k)\n"
        "builtins.open = io.open = spy\n"
        "import guides, guides.loader\n"
        "assert not [f for f in opened if f.endswith('.toml')], opened\n"
        "import guides.loader as L\n"
        "assert L._builtin_guides.cache_info().currsize == 0\n"
    )
    assert result.returncode == 0, result.stderr


def test_sources_never_import_forbidden_modules():
    for path in (ROOT / "guides").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("textual", "rich", "tui", "store"):
            assert f"import {name}" not in text and f"from {name}" not in text, (path, name)


def test_builtin_data_ships_in_the_wheel():
    # hatchling puts every file under a listed package into the wheel unless it is excluded or
    # git-ignored; make sure nothing drops the guide data.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "guides" in wheel["packages"]
    assert "exclude" not in wheel and "only-include" not in wheel
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8") if (ROOT / ".gitignore").exists() else ""
    assert "*.toml" not in ignored
    from guides.loader import BUILTIN_IDS

    files = {p.name for p in (ROOT / "guides" / "builtin").glob("*.toml")}
    assert files == {f"{guide_id}.toml" for guide_id in BUILTIN_IDS}
    assert (ROOT / "guides" / "template.toml").is_file()
    assert (ROOT / "guides" / "schema.json").is_file()
    assert "*.json" not in ignored
