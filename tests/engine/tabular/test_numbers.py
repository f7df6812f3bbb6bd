"""Numbers as typed into statistics forms parse to the exact value written."""

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.engine.tabular.numbers import is_missing, is_percent, parse_number


def parse(values: list[str | None]) -> list[Decimal | None]:
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    return frame.select(parse_number(pl.col("raw"))).to_series().to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1，234.5", "1234.5"),
        ("１２３４．５", "1234.5"),
        ("１，２３４，５６７", "1234567"),
        ("(123)", "-123"),
        ("（1,234.5）", "-1234.5"),
        ("12.5%", "12.5"),
        ("１２．５％", "12.5"),
        ("-7", "-7"),
        ("+7", "7"),
        ("1.2E+05", "120000"),
        (" 3 ", "3"),
        ("1 234", "1234"),
        (".5", "0.5"),
    ],
)
def test_accepted_forms(raw, expected):
    assert parse([raw]) == [Decimal(expected)]


@pytest.mark.parametrize("raw", ["abc", "1,23", "12,3456", "1.2.3", "#N/A", "12o", "1_000", "--5"])
def test_not_numbers(raw):
    assert parse([raw]) == [None]


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "——", "/", "无", "－"])
def test_missing_marks(raw):
    frame = pl.DataFrame({"raw": [raw]}, schema={"raw": pl.String})
    assert frame.select(is_missing(pl.col("raw"))).item() is True


def test_percent_flag():
    frame = pl.DataFrame({"raw": ["12%", "(3%)", "12"]})
    assert frame.select(is_percent(pl.col("raw"))).to_series().to_list() == [True, True, False]


_FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def _grouped(integer: int) -> str:
    return f"{integer:,}"


@settings(max_examples=300, deadline=None)
@given(
    integer=st.integers(min_value=0, max_value=10**15),
    fraction=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
    negative=st.booleans(),
    style=st.sampled_from(["plain", "grouped", "full_width", "accounting", "chinese_comma"]),
)
def test_formatted_numbers_parse_back(integer, fraction, negative, style):
    text = str(integer) if style == "plain" else _grouped(integer)
    if fraction is not None:
        text += f".{fraction}"
    expected = Decimal(text.replace(",", ""))
    if negative:
        expected = -expected
        text = f"({text})" if style == "accounting" else f"-{text}"
    if style == "full_width":
        text = text.translate(_FULL_WIDTH)
    if style == "chinese_comma":
        text = text.replace(",", "，")
    assert parse([text]) == [expected]
