"""Units: exact factors, vectorised and scalar conversion, units read from headers."""

from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest

from gaoxin.engine.units import (
    UNITS,
    UnitError,
    conversion_factor,
    convert,
    get_unit,
    parse_unit,
    parse_units_row,
    split_header,
)
from gaoxin.engine.variables import default_catalogue


def test_money_factors_are_exact():
    assert conversion_factor("亿元", "万元") == 10_000
    assert conversion_factor("元", "万元") == Fraction(1, 10_000)
    assert conversion_factor("千元", "万元") == Fraction(1, 10)


def test_mu_is_exactly_one_fifteenth_of_a_hectare():
    assert conversion_factor("亩", "公顷") == Fraction(1, 15)
    assert conversion_factor("公顷", "亩") == 15
    assert conversion_factor("亩", "平方米") == Fraction(2000, 3)
    assert conversion_factor("平方公里", "亩") == 1500


def test_scalar_conversion_is_decimal():
    assert convert(Decimal("1.2345"), "亿元", "万元") == Decimal("12345.0000")
    assert convert("15", "亩", "公顷") == Decimal(1)
    assert convert(0.1, "万元", "元") == Decimal("1000.0")
    assert convert(3, "万吨标准煤", "吨标准煤") == 30_000
    assert convert(Decimal("2.5"), "亿千瓦时", "万千瓦时") == Decimal("25000.0")


def test_series_conversion_keeps_decimal_exact():
    s = pl.Series(["1.23", "0.1"]).cast(pl.Decimal(38, 10))
    out = convert(s, "亿元", "万元")
    assert isinstance(out.dtype, pl.Decimal)
    assert out.to_list() == [Decimal("12300"), Decimal("1000")]
    mu = convert(pl.Series([Decimal("30")]).cast(pl.Decimal(38, 10)), "亩", "公顷")
    assert mu.to_list() == [Decimal("2")]


def test_float_series_and_expression():
    s = pl.Series("v", [1.5, 2.0])
    assert convert(s, "万人", "人").to_list() == [15000.0, 20000.0]
    df = pl.DataFrame({"v": [1.0, 30.0]})
    assert df.select(convert(pl.col("v"), "亩", "公顷")).to_series().to_list() == [1 / 15, 2.0]


@pytest.mark.parametrize(
    ("src", "dst"),
    [("人", "万元"), ("件", "项"), ("个", "家"), ("%", "元"), ("吨", "吨标准煤"), ("人年", "人")],
)
def test_incompatible_units_raise_with_chinese_message(src, dst):
    with pytest.raises(UnitError, match="计量单位不匹配") as err:
        convert(Decimal(1), src, dst)
    assert err.value.from_unit == src
    assert err.value.to_unit == dst


def test_unknown_unit():
    with pytest.raises(UnitError, match="无法识别的计量单位「斤两」"):
        get_unit("斤两")


def test_parse_unit_aliases_and_widths():
    assert parse_unit("（万元）").symbol == "万元"
    assert parse_unit("单位：亿元").symbol == "亿元"
    assert parse_unit("计量单位: 吨标煤").symbol == "吨标准煤"
    assert parse_unit("％").symbol == "%"
    assert parse_unit("万度").symbol == "万千瓦时"
    assert parse_unit("KM²").symbol == "平方公里"
    assert parse_unit("当年价格") is None
    assert parse_unit("") is None


@pytest.mark.parametrize(
    "header",
    [
        "营业收入（万元）",
        "营业收入(万元)",
        "营业收入 (万元)",
        "营业收入/万元",
        "营业收入／万元",
        "营业收入 单位：万元",
        "营业收入，单位:万元",
        "营业收入【万元】",
        "营业收入[万元]",
        "营业收入（万元人民币）",
    ],
)
def test_split_header_forms(header):
    assert split_header(header) == ("营业收入", "万元")


def test_split_header_keeps_non_unit_brackets():
    assert split_header("工业总产值（当年价格）") == ("工业总产值（当年价格）", None)
    assert split_header("综合能耗（等价值）（吨标准煤）") == ("综合能耗（等价值）", "吨标准煤")
    assert split_header("营业收入") == ("营业收入", None)
    assert split_header("R&D人员全时当量（人年）") == ("R&D人员全时当量", "人年")


def test_units_row():
    assert parse_units_row(["单位", None, "万元", "（人）", "单位：件"]) == [
        None,
        None,
        "万元",
        "人",
        "件",
    ]
    assert parse_units_row(["甲公司", "万元"]) is None
    assert parse_units_row([None, "", "单位"]) is None


def test_every_catalogue_unit_is_known():
    for var in default_catalogue():
        assert get_unit(var.unit).symbol == var.unit, var.code
    assert {u.dimension for u in UNITS.values()} >= {"money", "area", "percent"}
