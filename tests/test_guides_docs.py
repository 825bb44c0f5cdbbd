"""docs/guides.md stays true: its example validates and its trace table matches the data."""

from __future__ import annotations

import re
from pathlib import Path

from guides.loader import builtin_guides, check_guide, parse_guide

DOC = (Path(__file__).resolve().parents[1] / "docs" / "guides.md").read_text(encoding="utf-8")


def test_complete_example_is_valid():
    blocks = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)
    example = next(b for b in blocks if b.lstrip().startswith("# ~/.config"))
    guide = parse_guide(example)
    assert guide.id == "team-retro" and len(guide.stages) == 4
    assert guide.stages[-1].private and guide.stages[2].followup
    assert any(q.deliberate for q in guide.stages[1].questions)
    assert any(q.core for q in guide.stages[1].questions) and guide.cues
    report = check_guide(example)
    assert report.problems == () and report.warnings == ()  # it passes --strict


def test_trace_tables_match_the_builtins():
    actual: dict[str, set[str]] = {}
    for guide in builtin_guides():
        for ref in guide.source:
            actual.setdefault(ref, set()).add(f"{guide.id}:*(guide)*")
        for stage in guide.stages:
            for ref in stage.source:
                actual.setdefault(ref, set()).add(f"{guide.id}:{stage.key}")
    documented: dict[str, set[str]] = {}
    tables = DOC[DOC.index("## Where the built-ins come from"):DOC.index("Which practice each")]
    for ref, cell in re.findall(r"^\| `([a-z0-9-]+)` \|[^|]*\| (.*?) \|$", tables, flags=re.M):
        for part in cell.split(";"):
            guide_id, keys = part.split(":", 1)
            for key in re.findall(r"`([^`]+)`|(\*\(guide\)\*)", keys):
                documented.setdefault(ref, set()).add(f"{guide_id.strip()}:{key[0] or key[1]}")
    assert documented == actual


def test_every_stage_is_traced():
    for guide in builtin_guides():
        assert guide.source, guide.id
        for stage in guide.stages:
            assert stage.source, (guide.id, stage.key)


def test_builtin_table_matches():
    for guide in builtin_guides():
        row = re.search(rf"^\| `{guide.id}` *\|.*$", DOC, flags=re.M).group(0)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == guide.name and cells[2] == f"`{guide.kind}`"
        assert cells[3] == f"{guide.planned_minutes} min" and cells[4] == str(len(guide.stages))


def test_every_field_is_documented():
    from guides.loader import _STAGE_KEYS, _TOP_KEYS

    for key in (*_TOP_KEYS, *_STAGE_KEYS, "text", "deliberate", "core"):
        assert f"| `{key}`" in DOC or f"`{key}` (" in DOC, key


def test_every_builtin_is_described_and_its_practice_named():
    section = DOC[DOC.index("## Built-in guides"):DOC.index("## File format")]
    practice = DOC[DOC.index("Which practice each guide follows"):DOC.index("## Python API")]
    for guide in builtin_guides():
        line = next(l for l in section.splitlines() if l.startswith(f"- **{guide.name}** (`{guide.id}`)"))
        assert [t for t in re.findall(r"(?:: | → )(.+?) \(\d+", line)] == [s.title for s in guide.stages]
        assert f"**{guide.name}**" in practice, guide.name


def test_scaling_example_is_true():
    one = next(g for g in builtin_guides() if g.id == "one-on-one")
    assert [s.minutes for s in one.scaled(45).stages] == [5, 4, 18, 6, 6, 3, 3]
    assert [s.minutes for s in one.scaled(20).stages] == [3, 2, 7, 2, 3, 2, 1]
    assert "check-in 5, last time's\nitems 4, their agenda 18" in DOC
    assert "becomes 3, 2, 7, 2, 3, 2, 1" in DOC
