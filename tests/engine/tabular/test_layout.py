"""Finding the table: key headers, periods in titles, 合计 rows."""

import polars as pl
import pytest

from gaoxin.engine.tabular.layout import is_total, key_role, title_period


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("统一社会信用代码", "uscc"),
        ("统一社会信用代码（必填）", "uscc"),
        ("代码", "code"),
        ("编码", "code"),
        ("单位名称", "name"),
        ("企业名称", "name"),
        ("名称", "name"),
        ("期间", "period"),
        ("时期", "period"),
        ("年份", "period"),
        ("月份", "period"),
        ("指标", "variable"),
        ("变量", "variable"),
        ("数值", "value"),
        ("值", "value"),
        ("单位", "unit"),
        ("Entity", "name"),
        ("code", "code"),
        ("name", "name"),
        ("period", "period"),
        ("variable", "variable"),
        ("value", "value"),
        ("unit", "unit"),
        ("行业代码", None),
        ("营业收入", None),
    ],
)
def test_key_headers(header, role):
    assert key_role(header) == role


@pytest.mark.parametrize(
    ("title", "code", "cumulative"),
    [
        ("2025年1-7月高新区主要经济指标", "2025-07", True),
        ("2025年1—7月高新区主要经济指标", "2025-07", True),
        ("全省高新区2025年前三季度运行情况", "2025Q3", True),
        ("2025年上半年高新区主要指标", "2025H1", False),
        ("2025年7月企业月报", "2025-07", False),
        ("2024年度火炬统计企业年报", "2024", False),
        ("高新区主要经济指标（2025Q2）", "2025Q2", False),
    ],
)
def test_period_in_a_title(title, code, cumulative):
    found = title_period(["填报单位：某高新区", title])
    assert found is not None
    reported, _ = found
    assert (str(reported.period), reported.cumulative) == (code, cumulative)


def test_no_period_in_a_title():
    assert title_period(["高新区主要经济指标", "单位：万元"]) is None


def test_total_marks():
    cells = pl.DataFrame({"c": ["合计", "总 计", "小计", "全区合计", "全市合计", "合计公司", "甲"]})
    flags = cells.select(is_total(pl.col("c"))).to_series().to_list()
    assert flags == [True, True, True, True, True, False, False]
