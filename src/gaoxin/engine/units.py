"""Units of measure for statistics, exact conversion factors, and units read out of headers.

Every factor is an exact :class:`~fractions.Fraction` of the dimension's base unit, so that
亿元 → 万元 is exactly ×10000 and 亩 → 公顷 exactly ÷15. Money must never drift: scalar
conversion works in :class:`~decimal.Decimal`, Polars conversion multiplies by the factor's
numerator and divides by its denominator (on Decimal columns the result is exact to the column's
scale).

Area: 1 亩 = 10000/15 m² = 666.666… m² (the 市亩 defined by the 1959 State Council order on
units of measure: 15 亩 = 1 公顷 exactly); kept as ``Fraction(2000, 3)`` m², never as a
rounded decimal.

Counts (件、项、个、家) are deliberately separate dimensions: a patent (件), a standard (项)
and an enterprise (家) are different things, so each count unit converts only to itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import overload

import polars as pl

__all__ = [
    "UNITS",
    "Unit",
    "UnitError",
    "convert",
    "conversion_factor",
    "get_unit",
    "parse_unit",
    "parse_units_row",
    "split_header",
]


class UnitError(ValueError):
    """A unit that is unknown, or a conversion between units of different dimensions.

    ``str(error)`` is a Chinese message for the user.
    """

    def __init__(self, message: str, *, from_unit: str | None = None, to_unit: str | None = None):
        self.from_unit = from_unit
        self.to_unit = to_unit
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: its canonical symbol, its dimension, and its size in the dimension's base unit."""

    symbol: str
    dimension: str
    factor: Fraction

    def __str__(self) -> str:
        return self.symbol


_DIMENSION_ZH = {
    "money": "金额",
    "people": "人数",
    "person_year": "人年",
    "area": "面积",
    "energy": "能源消费量",
    "electricity": "电量",
    "mass": "重量",
    "count_piece": "件数",
    "count_item": "项数",
    "count_unit": "个数",
    "count_firm": "家数",
    "percent": "百分比",
}

# symbol, dimension, factor (in the base unit of the dimension), aliases
_DEFINITIONS: list[tuple[str, str, Fraction, tuple[str, ...]]] = [
    ("元", "money", Fraction(1), ("人民币元", "yuan", "CNY", "RMB")),
    ("千元", "money", Fraction(1000), ("千元人民币",)),
    ("万元", "money", Fraction(10_000), ("万元人民币", "人民币万元")),
    ("百万元", "money", Fraction(1_000_000), ()),
    ("亿元", "money", Fraction(100_000_000), ("亿元人民币", "人民币亿元")),
    ("人", "people", Fraction(1), ("名",)),
    ("万人", "people", Fraction(10_000), ()),
    ("人年", "person_year", Fraction(1), ("人·年",)),
    ("平方米", "area", Fraction(1), ("㎡", "m2", "m²", "平米")),
    ("万平方米", "area", Fraction(10_000), ("万㎡", "万m2", "万m²", "万平米")),
    ("亩", "area", Fraction(2000, 3), ()),
    ("公顷", "area", Fraction(10_000), ("ha", "hm2", "hm²")),
    ("平方公里", "area", Fraction(1_000_000), ("平方千米", "km2", "km²", "㎢")),
    ("千克标准煤", "energy", Fraction(1, 1000), ("千克标煤", "kgce")),
    ("吨标准煤", "energy", Fraction(1), ("吨标煤", "tce", "吨标准煤当量")),
    ("万吨标准煤", "energy", Fraction(10_000), ("万吨标煤", "万tce")),
    ("千瓦时", "electricity", Fraction(1), ("度", "kwh", "kW·h", "千瓦·时")),
    ("兆瓦时", "electricity", Fraction(1000), ("mwh",)),
    ("万千瓦时", "electricity", Fraction(10_000), ("万度", "万kwh", "万千瓦·时")),
    ("亿千瓦时", "electricity", Fraction(100_000_000), ("亿度", "亿kwh")),
    ("千克", "mass", Fraction(1, 1000), ("公斤", "kg")),
    ("吨", "mass", Fraction(1), ("t",)),
    ("万吨", "mass", Fraction(10_000), ()),
    ("件", "count_piece", Fraction(1), ()),
    ("项", "count_item", Fraction(1), ()),
    ("个", "count_unit", Fraction(1), ()),
    ("家", "count_firm", Fraction(1), ("户",)),
    ("起", "count_event", Fraction(1), ()),
    ("%", "percent", Fraction(1), ("百分比", "百分数")),
]

UNITS: dict[str, Unit] = {sym: Unit(sym, dim, f) for sym, dim, f, _ in _DEFINITIONS}


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_BY_NAME: dict[str, Unit] = {}
for _sym, _dim, _f, _aliases in _DEFINITIONS:
    for _name in (_sym, *_aliases):
        _BY_NAME[_key(_name)] = UNITS[_sym]

# "单位：万元", "计量单位:万元", "（万元）", "[万元]"
_LABEL = re.compile(r"^(?:计量)?单位[:：]?\s*")
_BRACKETS = "()（）[]【】〔〕<>《》{}"


def parse_unit(text: str | None) -> Unit | None:
    """The unit a cell or header fragment names, or None.

    Accepts the canonical symbols and their aliases, full- or half-width, with an optional
    ``单位：`` label and surrounding brackets: ``万元``, ``（万元）``, ``单位：万元``, ``【亿元】``.
    """
    if text is None:
        return None
    t = unicodedata.normalize("NFKC", str(text)).strip()
    t = _LABEL.sub("", t).strip().strip(_BRACKETS).strip()
    t = _LABEL.sub("", t).strip()
    if not t:
        return None
    return _BY_NAME.get(_key(t))


def get_unit(unit: str | Unit) -> Unit:
    """The unit named, or :class:`UnitError`."""
    if isinstance(unit, Unit):
        return unit
    found = parse_unit(unit)
    if found is None:
        raise UnitError(f"无法识别的计量单位「{unit}」", from_unit=str(unit))
    return found


def conversion_factor(from_unit: str | Unit, to_unit: str | Unit) -> Fraction:
    """The exact factor ``f`` with ``value_in_to = value_in_from × f``.

    Raises :class:`UnitError` (Chinese message) when the units measure different things.
    """
    src, dst = get_unit(from_unit), get_unit(to_unit)
    if src.dimension != dst.dimension:
        raise UnitError(
            f"计量单位不匹配：「{src.symbol}」是{_DIMENSION_ZH[src.dimension]}单位，"
            f"不能换算为{_DIMENSION_ZH[dst.dimension]}单位「{dst.symbol}」；"
            f"请按「{dst.symbol}」填报，或在表头注明正确的单位",
            from_unit=src.symbol,
            to_unit=dst.symbol,
        )
    return src.factor / dst.factor


Scalar = Decimal | int | float | str


@overload
def convert(values: pl.Series, from_unit: str | Unit, to_unit: str | Unit) -> pl.Series: ...
@overload
def convert(values: pl.Expr, from_unit: str | Unit, to_unit: str | Unit) -> pl.Expr: ...
@overload
def convert(values: Scalar, from_unit: str | Unit, to_unit: str | Unit) -> Decimal: ...
def convert(
    values: pl.Series | pl.Expr | Scalar, from_unit: str | Unit, to_unit: str | Unit
) -> pl.Series | pl.Expr | Decimal:
    """Convert values between units of the same dimension.

    Polars Series and expressions are converted as a whole (Decimal columns stay Decimal,
    at their scale; other numeric columns become Float64); a scalar becomes a
    :class:`~decimal.Decimal` computed with 34 significant digits (floats are read through
    their shortest repr, so ``0.1`` is ``Decimal('0.1')``).
    """
    f = conversion_factor(from_unit, to_unit)
    if isinstance(values, pl.Series):
        if isinstance(values.dtype, pl.Decimal):
            return _scale(values, f)
        return _scale(values.cast(pl.Float64), f)
    if isinstance(values, pl.Expr):
        return _scale(values, f)
    if isinstance(values, float):
        values = repr(values)
    with localcontext() as ctx:
        ctx.prec = 34
        d = Decimal(values)
        if f == 1:
            return d
        return d * f.numerator / f.denominator


def _scale(values: pl.Series | pl.Expr, f: Fraction) -> pl.Series | pl.Expr:
    if f == 1:
        return values
    out = values * f.numerator if f.numerator != 1 else values
    return out / f.denominator if f.denominator != 1 else out


# --- units in headers ------------------------------------------------------------------------

_TRAILING_BRACKET = re.compile(
    r"^(?P<name>.*?)\s*[(（\[【〔](?P<unit>[^()（）\[\]【】〔〕]*)[)）\]】〕]\s*$"
)
_UNIT_LABEL = re.compile(r"^(?P<name>.*?)[\s,，;；]*(?:计量)?单位\s*[:：]\s*(?P<unit>.+?)\s*$")
_SLASH = re.compile(r"^(?P<name>.+?)\s*[/／]\s*(?P<unit>[^/／]+?)\s*$")


def split_header(text: str) -> tuple[str, str | None]:
    """Split a header into the name and the unit it carries, if any.

    ``营业收入（万元）``, ``营业收入(万元)``, ``营业收入/万元``, ``营业收入 单位：万元`` and
    ``营业收入【万元】`` all give ``("营业收入", "万元")``. A trailing bracket that is not a unit
    stays part of the name (``工业总产值（当年价格）``); the unit returned is the canonical
    symbol, so ``（万元人民币）`` gives ``万元``.
    """
    t = str(text).strip()
    for pattern in (_UNIT_LABEL, _TRAILING_BRACKET, _SLASH):
        m = pattern.match(t)
        if m is None or not m.group("name").strip():
            continue
        unit = parse_unit(m.group("unit"))
        if unit is not None:
            return m.group("name").strip(), unit.symbol
    return t, None


def parse_units_row(cells: Sequence[object] | Iterable[object]) -> list[str | None] | None:
    """If every non-empty cell of a row is a unit (or ``单位：…``), the unit of each cell.

    Returns None when the row is not a units row (a cell is not a unit, or the row is empty).
    Label cells such as ``单位`` / ``计量单位`` alone are allowed and give None for that column.
    """
    out: list[str | None] = []
    seen = False
    for cell in cells:
        if cell is None or str(cell).strip() == "":
            out.append(None)
            continue
        text = unicodedata.normalize("NFKC", str(cell)).strip()
        if text in ("单位", "计量单位", "单位:", "计量单位:"):
            out.append(None)
            continue
        unit = parse_unit(text)
        if unit is None:
            return None
        seen = True
        out.append(unit.symbol)
    return out if seen else None
