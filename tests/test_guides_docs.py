"""docs/guides.md stays true: its example validates and its trace table matches the data."""

from __future__ import annotations

import re
from pathlib import Path

from guides.loader import builtin_guides, parse_guide

DOC = (Path(__file__).resolve().parents[1] / "docs" / "guides.md").read_text(encoding="utf-8")


def test_complete_example_is_valid():
    blocks = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)
    example = next(b for b in blocks if b.lstrip().startswith("# ~/.config"))
    guide = parse_guide(example)
    assert guide.id == "team-retro" and len(guide.stages) == 4
    assert guide.stages[-1].private and guide.stages[2].followup
    assert any(q.deliberate for q in guide.stages[1].questions)


def test_trace_table_matches_the_builtins():
    actual: dict[str, set[str]] = {}
    for guide in builtin_guides():
        for stage in guide.stages:
            for ref in stage.source:
                actual.setdefault(ref, set()).add(f"{guide.id}:{stage.key}")
    documented: dict[str, set[str]] = {}
    for ref, cell in re.findall(r"^\| `((?:step|tip)-\d)` *\|[^|]*\| *(.*?) *\|$", DOC, flags=re.M):
        for part in cell.split(";"):
            guide_id, keys = part.split(":", 1)
            for key in re.findall(r"`([^`]+)`", keys):
                documented.setdefault(ref, set()).add(f"{guide_id.strip()}:{key}")
    assert documented == actual


def test_builtin_table_matches():
    for guide in builtin_guides():
        row = re.search(rf"^\| `{guide.id}` *\|.*$", DOC, flags=re.M).group(0)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == guide.name and cells[2] == f"`{guide.kind}`"
        assert cells[3] == f"{guide.planned_minutes} min" and cells[4] == str(len(guide.stages))


def test_every_field_is_documented():
    from guides.loader import _STAGE_KEYS, _TOP_KEYS

    for key in (*_TOP_KEYS, *_STAGE_KEYS, "text", "deliberate"):
        assert f"| `{key}`" in DOC or f"`{key}` (" in DOC, key
