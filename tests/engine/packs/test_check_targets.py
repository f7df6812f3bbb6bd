"""`packs check` on targets (发展目标): the indicator must be in the catalogue (or the target says
what the catalogue still lacks, ``pending``), in the indicator's unit, at a level the target's
scope can use; each problem at the line of pack.yaml where it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaoxin.engine.indicators import default_indicators
from gaoxin.engine.packs import check_pack, load_pack
from gaoxin.engine.problems import ProblemsError
from tests.engine.packs.test_loader import line_of, write

CATALOGUE = {i.code: i for i in default_indicators()}


def target(indicator: str, extra: str = "", scope: str = "each_zone") -> str:
    return f"""\
targets:
  - id: t1
    cite: {{article: "（二）", quote: "对认定为孵化器的，予以补贴"}}
    indicator: {indicator}
    value: 10
    deadline: 2025
    scope: {scope}
{extra}"""


def target_problems(d: Path) -> list:
    return [p for p in check_pack(d) if p.code.startswith("pack.target")]


def test_the_catalogue_holds_what_these_tests_read():
    # the units and levels the expectations below are written from
    assert (CATALOGUE["revenue_total"].unit, CATALOGUE["revenue_total"].level) == ("万元", "zone")
    assert CATALOGUE["hte_share"].level == "zone" and not CATALOGUE["hte_share"].additive
    assert CATALOGUE["city_hte_share_of_above_scale"].level == "city"
    assert "hte_shar" not in CATALOGUE


def test_an_indicator_not_in_the_catalogue_is_an_error_at_its_line(tmp_path):
    d = write(tmp_path, target("hte_shar"))
    [p] = target_problems(d)
    assert (p.code, p.severity) == ("pack.target_indicator", "error")
    assert p.file == str(d / "pack.yaml")
    assert p.row == line_of(d, "indicator: hte_shar")
    assert p.value == "hte_shar"
    assert "目标「t1」读取的指标「hte_shar」不在指标目录中" in p.message
    assert "是否是 hte_share" in p.message  # the near miss is suggested
    with pytest.raises(ProblemsError) as e:
        load_pack(d)
    assert [q.code for q in e.value.problems] == ["pack.target_indicator"]


def test_a_pending_target_may_name_an_indicator_the_catalogue_lacks(tmp_path):
    d = write(tmp_path, target("leading_industry_count", "    pending: 各高新区认定的主导产业\n"))
    assert target_problems(d) == []
    assert load_pack(d).spec.targets[0].pending == "各高新区认定的主导产业"


def test_pending_on_an_indicator_the_catalogue_has_is_a_warning_to_remove_it(tmp_path):
    d = write(tmp_path, target("hte_share", "    pending: 以前没有\n"))
    [p] = target_problems(d)
    assert (p.code, p.severity) == ("pack.target_pending", "warning")
    assert p.row == line_of(d, "pending: 以前没有")
    assert "已在指标目录中，可删去 pending" in p.message
    load_pack(d)  # a warning does not stop the pack


def test_a_unit_other_than_the_indicators_is_an_error_at_its_line(tmp_path):
    # Fujian's 双倍增 was written in 亿元 while revenue_total is in 万元: a goal of 2 read as 万元
    d = write(tmp_path, target("revenue_total", "    unit: 亿元\n"))
    [p] = target_problems(d)
    assert (p.code, p.severity) == ("pack.target_unit", "error")
    assert p.file == str(d / "pack.yaml")
    assert p.row == line_of(d, "unit: 亿元")
    assert p.value == "亿元"
    assert p.message == (
        "目标「t1」的单位「亿元」与指标「revenue_total」（营业收入）的单位「万元」不同："
        "目标按指标的单位比较，请改写为「万元」，并把 value 换算成万元"
    )


def test_a_multiple_target_in_another_unit_needs_no_conversion_of_its_value(tmp_path):
    extra = "    kind: multiple\n    baseline_year: 2020\n    unit: 亿元\n"
    d = write(tmp_path, target("revenue_total", extra, scope="jurisdiction"))
    [p] = target_problems(d)
    assert p.code == "pack.target_unit" and p.row == line_of(d, "unit: 亿元")
    assert p.message.endswith("请改写为「万元」（倍增目标的 value 是倍数，不用换算）")


@pytest.mark.parametrize("unit", ["    unit: 万元\n", ""])
def test_the_indicators_own_unit_or_no_unit_passes(tmp_path, unit):
    assert target_problems(write(tmp_path, target("revenue_total", unit))) == []


def test_each_zone_on_a_city_indicator_is_an_error_at_the_scope_line(tmp_path):
    d = write(tmp_path, target("city_hte_share_of_above_scale"))
    [p] = target_problems(d)
    assert (p.code, p.severity) == ("pack.target_scope", "error")
    assert p.row == line_of(d, "scope: each_zone")
    assert p.value == "each_zone"
    assert p.message == (
        "目标「t1」：指标「全市高新区规上工业企业中高新技术企业占比」按设区市计算，不能逐个高新区评估"
    )


def test_each_city_on_a_zone_indicator_is_an_error(tmp_path):
    d = write(tmp_path, target("hte_share", scope="each_city"))
    [p] = target_problems(d)
    assert p.code == "pack.target_scope" and p.row == line_of(d, "scope: each_city")
    assert "按高新区计算，不能逐个设区市评估" in p.message


def test_a_jurisdiction_target_is_left_to_the_region_it_is_applied_to(tmp_path):
    # a non-additive zone share cannot reach a province, but the pack does not say which region
    # it is applied to (a single zone's pack would be fine): `gaoxin targets` reports it instead
    assert target_problems(write(tmp_path, target("hte_share", scope="jurisdiction"))) == []


def test_every_problem_of_one_pack_is_reported_at_once(tmp_path):
    body = target("revenue_total", "    unit: 亿元\n") + (
        "  - id: t2\n"
        '    cite: {article: "（二）", quote: "对认定为孵化器的，予以补贴"}\n'
        "    indicator: no_such_indicator\n"
        "    value: 1\n"
        "    deadline: 2025\n"
    )
    d = write(tmp_path, body)
    got = [(p.code, p.row) for p in target_problems(d)]
    assert got == [
        ("pack.target_unit", line_of(d, "unit: 亿元")),
        ("pack.target_indicator", line_of(d, "indicator: no_such_indicator")),
    ]
