"""A framework's ``units``: which entities it ranks from the store (level, and a condition in the
expression language over the fact row), validated with the YAML line and the formula position;
every shipped framework says it, with the reading cited."""

import textwrap
from pathlib import Path

import pytest

from gaoxin.engine.composite import load_framework
from gaoxin.engine.problems import ProblemsError

PACKS = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
SHIPPED = sorted(PACKS.glob("*/frameworks/*.yaml"))

HEAD = """\
framework: t
index:
  code: I
  children:
    - {code: a}
"""


def _load(tmp_path, units: str):
    p = tmp_path / "fw.yaml"
    p.write_text(HEAD + textwrap.dedent(units), encoding="utf-8")
    return load_framework(p)


def test_units_are_read_with_level_where_and_source(tmp_path):
    fw = _load(
        tmp_path,
        """\
        units:
          level: enterprise
          where: above_scale == 1 and revenue >= 2000
          source: {document: 甲文件, article: 第三条, confidence: A}
        """,
    )
    assert fw.units is not None
    assert (fw.units.level, fw.units.where) == (
        "enterprise",
        "above_scale == 1 and revenue >= 2000",
    )
    assert fw.units.source[0].article == "第三条"


def test_no_units_and_a_blank_where_select_every_unit(tmp_path):
    assert _load(tmp_path, "").units is None
    fw = _load(tmp_path, 'units: {level: zone, where: "  "}\n')
    assert fw.units is not None and fw.units.where is None


def test_a_bad_where_is_reported_at_its_line_and_position(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            units:
              level: zone
              where: level == "national" and
            """,
        )
    [p] = e.value.problems
    # HEAD is 5 lines: "units:" is line 6, "where:" line 8
    assert (p.code, p.row, p.column) == ("framework.units", 8, "units.where")
    assert p.file.endswith("fw.yaml") and p.value == 'level == "national" and'
    assert "units.where" in p.message and "第1行第" in p.message
    assert p.extra["line"] == 1 and p.extra["col"] >= 1


def test_an_unknown_level_is_reported_at_its_line(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(tmp_path, "units:\n  level: institution\n")
    [p] = e.value.problems
    assert (p.row, p.column, p.value) == (7, "units.level", "institution")
    assert "zone" in p.message and "enterprise" in p.message


def test_units_are_part_of_the_hash_their_citation_is_not(tmp_path):
    """units decide which units are ranked, so they are part of what the framework computes;
    the citation on them is not."""
    a = _load(tmp_path, "units: {level: zone, where: 'level == \"national\"'}\n")
    b = _load(
        tmp_path,
        "units: {level: zone, where: 'level == \"national\"', source: {document: 甲}}\n",
    )
    c = _load(tmp_path, "units: {level: zone, where: 'level == \"provincial\"'}\n")
    assert a.content_hash() == b.content_hash() != c.content_hash()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_shipped_framework_says_which_units_it_ranks_and_why(path):
    fw = load_framework(path)
    assert fw.units is not None, f"{path} 未写明参评单位 units"
    assert fw.units.source and fw.units.source[0].note, f"{path} units 未注明依据"


def test_the_shipped_selections():
    by_id = {load_framework(p).framework: load_framework(p).units for p in SHIPPED}
    picked = {k: (u.level, u.where) for k, u in by_id.items() if u is not None}
    assert picked["gansu-provincial-zones-annual"] == ("zone", 'level == "provincial"')
    assert picked["national-zones-2021"] == ("zone", 'level == "national"')
    assert picked["mu-efficiency-huangyan-above-scale"] == ("enterprise", "above_scale == 1")
    assert picked["innovation-points-structure"] == ("enterprise", None)
    assert picked["sichuan-zones-comprehensive"] == ("zone", None)
