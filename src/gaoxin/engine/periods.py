"""Reporting periods as Chinese statistics use them, and 累计 (year-to-date) conversions.

A :class:`Period` is a year, half, quarter or month (``2025``, ``2025H1``, ``2025Q3``,
``2025-07``); :meth:`Period.parse` reads the ways people write them in reports and sheets
(``2025年7月``, ``2025年三季度``, ``2025年上半年``…), and :func:`parse_reported` also reads
year-to-date labels such as ``2025年1-7月``. :func:`ytd_to_period`, :func:`period_to_ytd` and
:func:`sum_to_period` convert whole Polars frames between 累计 and single-period values.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, overload

import polars as pl

PeriodType = Literal["year", "half", "quarter", "month"]
PERIOD_TYPES: tuple[PeriodType, ...] = ("year", "half", "quarter", "month")
PER_YEAR: dict[PeriodType, int] = {"year": 1, "half": 2, "quarter": 4, "month": 12}

ACCEPTED_FORMS = (
    "2025、2025年、2025H1、2025年上半年、2025Q3、2025年三季度、2025-07、2025年7月、"
    "202507、2025/07、2025年1-7月、2025年前三季度"
)
_CN_QUARTER = "一二三四"


class PeriodError(ValueError):
    """A period that cannot be read or built; the message is Chinese and lists accepted forms."""

    def __init__(self, text: object, reason: str):
        self.text = text
        self.reason = reason
        super().__init__(f"无法识别的期间「{text}」：{reason}；可用格式：{ACCEPTED_FORMS}")


@dataclass(frozen=True, slots=True, repr=False)
class Period:
    """One reporting period. ``index`` counts from 1 within the year (always 1 for a year).

    Periods of the same kind are ordered; comparing different kinds raises ``TypeError``
    (is 2025Q3 before 2025-08? it overlaps it). ``p + n`` and ``p - n`` step by whole periods
    of the same kind; ``p - q`` is the number of steps from ``q`` to ``p``.
    """

    kind: PeriodType
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if self.kind not in PER_YEAR:
            raise PeriodError(self.kind, f"期间类型应为{'、'.join(PERIOD_TYPES)}之一")
        if not 1 <= self.year <= 9999:
            raise PeriodError(self.year, "年份应在1-9999之间")
        n = PER_YEAR[self.kind]
        if not 1 <= self.index <= n:
            raise PeriodError(f"{self.kind} {self.year} {self.index}", f"序号应为1-{n}")

    # --- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period; a year-to-date label (``2025年1-7月``) gives its last period."""
        return parse_reported(text).period

    @classmethod
    def of(cls, day: date, kind: PeriodType = "month") -> Period:
        """The period of the given kind that contains ``day``."""
        return cls("month", day.year, day.month).containing(kind)

    @classmethod
    def range(cls, first: Period, last: Period) -> list[Period]:
        """Every period from ``first`` to ``last`` inclusive; empty if ``last`` is earlier."""
        return [first + i for i in range(last - first + 1)]

    # --- arithmetic ---------------------------------------------------------------------

    @property
    def per_year(self) -> int:
        return PER_YEAR[self.kind]

    def _ordinal(self) -> int:
        return self.year * self.per_year + self.index - 1

    def shift(self, n: int) -> Period:
        ordinal = self._ordinal() + n
        year, index0 = divmod(ordinal, self.per_year)
        if not 1 <= year <= 9999:
            raise PeriodError(f"{self} {n:+d}", "超出可表示的年份范围1-9999")
        return Period(self.kind, year, index0 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        """上年同期: the same period one year earlier (the base of a 同比 comparison)."""
        return Period(self.kind, self.year - 1, self.index)

    def __add__(self, n: int) -> Period:
        if isinstance(n, bool) or not isinstance(n, int):
            return NotImplemented
        return self.shift(n)

    __radd__ = __add__

    @overload
    def __sub__(self, other: Period) -> int: ...
    @overload
    def __sub__(self, other: int) -> Period: ...
    def __sub__(self, other: Period | int) -> Period | int:
        if isinstance(other, Period):
            self._require_same_kind(other)
            return self._ordinal() - other._ordinal()
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return self.shift(-other)

    # --- containment --------------------------------------------------------------------

    def _month_span(self) -> tuple[int, int]:
        width = 12 // self.per_year
        first = (self.index - 1) * width + 1
        return first, first + width - 1

    def months(self) -> list[Period]:
        first, last = self._month_span()
        return [Period("month", self.year, m) for m in range(first, last + 1)]

    def containing(self, kind: PeriodType) -> Period:
        """The period of ``kind`` this one lies in; raises if ``kind`` is finer than this one."""
        if PER_YEAR[kind] > self.per_year:
            raise PeriodError(self, f"{self.kind}不能归入更细的{kind}")
        first, _ = self._month_span()
        return Period(kind, self.year, (first - 1) // (12 // PER_YEAR[kind]) + 1)

    def to_year(self) -> Period:
        return self.containing("year")

    def to_half(self) -> Period:
        return self.containing("half")

    def to_quarter(self) -> Period:
        return self.containing("quarter")

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period (a period contains itself)."""
        if self.year != other.year:
            return False
        first, last = self._month_span()
        other_first, other_last = other._month_span()
        return first <= other_first and other_last <= last

    def start_date(self) -> date:
        return date(self.year, self._month_span()[0], 1)

    def end_date(self) -> date:
        month = self._month_span()[1]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    # --- ordering -----------------------------------------------------------------------

    def _require_same_kind(self, other: Period) -> None:
        if other.kind != self.kind:
            raise TypeError(f"cannot compare a {self.kind} period with a {other.kind} period")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        self._require_same_kind(other)
        return self._ordinal() < other._ordinal()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        self._require_same_kind(other)
        return self._ordinal() <= other._ordinal()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        self._require_same_kind(other)
        return self._ordinal() > other._ordinal()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        self._require_same_kind(other)
        return self._ordinal() >= other._ordinal()

    # --- text ---------------------------------------------------------------------------

    def __str__(self) -> str:
        """The canonical code: ``2025``, ``2025H1``, ``2025Q3``, ``2025-07``."""
        return _code(self.kind, self.year, self.index)

    def __repr__(self) -> str:
        return f"<Period {self}>"

    def label(self) -> str:
        """How a Chinese report names the period: 2025年、2025年上半年、2025年第三季度、2025年7月."""
        if self.kind == "year":
            return f"{self.year:04d}年"
        if self.kind == "half":
            return f"{self.year:04d}年{'上下'[self.index - 1]}半年"
        if self.kind == "quarter":
            return f"{self.year:04d}年第{_CN_QUARTER[self.index - 1]}季度"
        return f"{self.year:04d}年{self.index}月"


def _code(kind: PeriodType, year: int, index: int) -> str:
    if kind == "year":
        return f"{year:04d}"
    if kind == "half":
        return f"{year:04d}H{index}"
    if kind == "quarter":
        return f"{year:04d}Q{index}"
    return f"{year:04d}-{index:02d}"


@dataclass(frozen=True, slots=True)
class ReportedPeriod:
    """A period as a report labels its figures: ``cumulative`` means 累计 from January.

    ``2025年1-7月`` is ``ReportedPeriod(Period("month", 2025, 7), cumulative=True)``;
    ``2025年前三季度`` is the third quarter, cumulative. Only months and quarters can be
    cumulative (a 累计 half or year is the same as the plain one, or meaningless).
    """

    period: Period
    cumulative: bool = False

    def __post_init__(self) -> None:
        if self.cumulative and self.period.kind not in ("month", "quarter"):
            raise PeriodError(self.period.label(), "只有月份和季度可以累计")

    def label(self) -> str:
        p = self.period
        if not self.cumulative:
            return p.label()
        if p.kind == "month":
            return f"{p.year:04d}年1-{p.index}月" if p.index > 1 else f"{p.year:04d}年1月累计"
        if p.index > 1:
            return f"{p.year:04d}年前{_CN_QUARTER[p.index - 1]}季度"
        return f"{p.year:04d}年第一季度累计"

    def __str__(self) -> str:
        return self.label()


# --- parsing ------------------------------------------------------------------------------

_CN_NUMBERS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "十一": 11, "十二": 12,
}  # fmt: skip
_Y = r"(?P<y>\d{4})"
_N = r"(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})"
_A = r"(?P<a>\d{1,2}|[一二三四五六七八九十]{1,3})"
_DASH = r"(?:[-~\u2010-\u2015\u301c]|至|到)"

_Builder = Callable[[int, int, int | None], ReportedPeriod]


def _year(y: int, n: int, a: int | None) -> ReportedPeriod:
    return ReportedPeriod(Period("year", y))


def _single(kind: PeriodType) -> _Builder:
    def build(y: int, n: int, a: int | None) -> ReportedPeriod:
        _check_index(kind, n)
        return ReportedPeriod(Period(kind, y, n))

    return build


def _cumulative(kind: PeriodType) -> _Builder:
    def build(y: int, n: int, a: int | None) -> ReportedPeriod:
        _check_index(kind, n)
        if a is not None and a != 1:
            first = "1月" if kind == "month" else "第一季度"
            raise _Reason(f"累计期间应从{first}开始（如2025年1-7月、2025年前三季度）")
        return ReportedPeriod(Period(kind, y, n), cumulative=True)

    return build


_PATTERNS: list[tuple[re.Pattern[str], _Builder]] = [
    (re.compile(p), b)
    for p, b in [
        (rf"{_Y}(?:年(?:度|全年)?)?", _year),
        (rf"{_Y}-?H(?P<n>\d+)", _single("half")),
        (rf"{_Y}年?(?P<h>[上下])半年度?", _single("half")),
        (rf"{_Y}[-年]?Q(?P<n>\d+)", _single("quarter")),
        (rf"{_Y}年?第?{_N}季度?", _single("quarter")),
        (rf"{_Y}年?第?{_N}季度?累计", _cumulative("quarter")),
        (rf"{_Y}年?前{_N}个?季度", _cumulative("quarter")),
        (rf"{_Y}年?第?{_A}季?度?{_DASH}第?{_N}季度(?:累计)?", _cumulative("quarter")),
        (rf"{_Y}年{_N}月份?", _single("month")),
        (rf"{_Y}[-./]{_N}", _single("month")),
        (rf"{_Y}(?P<n>\d{{2}})", _single("month")),
        (rf"{_Y}年{_N}月份?累计", _cumulative("month")),
        (rf"{_Y}年{_A}月?{_DASH}{_N}月份?(?:累计)?", _cumulative("month")),
    ]
]


class _Reason(Exception):
    """Why a string that looked like a period is not one; turned into a PeriodError."""


def _check_index(kind: PeriodType, n: int) -> None:
    limit = PER_YEAR[kind]
    if not 1 <= n <= limit:
        name = {"half": "半年应为H1或H2", "quarter": "季度应为1-4", "month": "月份应为1-12"}
        raise _Reason(name[kind])


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token in _CN_NUMBERS:
        return _CN_NUMBERS[token]
    raise _Reason(f"无法识别的数字「{token}」")


def parse_reported(text: str) -> ReportedPeriod:
    """Read a period label, keeping whether it is 累计 (year-to-date).

    Full-width characters and whitespace are tolerated. Raises :class:`PeriodError` with a
    Chinese message naming the accepted forms.
    """
    if not isinstance(text, str):
        raise PeriodError(text, "期间应为文字")
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not normal:
        raise PeriodError(text, "期间为空")
    for pattern, build in _PATTERNS:
        match = pattern.fullmatch(normal)
        if match is None:
            continue
        groups = match.groupdict()
        try:
            if groups.get("h"):
                n = 1 if groups["h"] == "上" else 2
            else:
                n = _number(groups["n"]) if groups.get("n") else 1
            a = _number(groups["a"]) if groups.get("a") else None
            return build(int(groups["y"]), n, a)
        except _Reason as reason:
            raise PeriodError(text, str(reason)) from None
        except PeriodError as error:
            raise PeriodError(text, error.reason) from None
    raise PeriodError(text, "格式无法识别")


# --- frames: 累计 <-> single-period values -------------------------------------------------

_CODE_PATTERNS: dict[PeriodType, str] = {
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "quarter": r"^\d{4}Q[1-4]$",
    "half": r"^\d{4}H[12]$",
    "year": r"^\d{4}$",
}
_Y_COL, _I_COL = "__period_year", "__period_index"


@dataclass(frozen=True)
class PeriodConversion:
    """The result of a conversion: the converted ``frame`` and the ``gaps`` that left nulls.

    ``gaps`` has the key columns, the period column and ``column`` (which value column), one
    row per value that was present in the input but could not be converted because an
    earlier period of the same year was missing (absent or null). An empty ``gaps`` means
    every present value converted.
    """

    frame: pl.DataFrame
    gaps: pl.DataFrame

    @property
    def gap_count(self) -> int:
        return self.gaps.height

    def gap_counts(self) -> dict[str, int]:
        """Number of gaps per value column."""
        counts = self.gaps.group_by("column").len()
        return dict(zip(counts["column"].to_list(), counts["len"].to_list(), strict=True))


def _as_list(names: str | Sequence[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def _split_period(frame: pl.DataFrame, period: str) -> tuple[pl.DataFrame, PeriodType]:
    """Add integer year and index columns parsed from canonical codes in ``period``."""
    if period not in frame.columns:
        raise KeyError(f"no period column {period!r} in {frame.columns}")
    column = frame[period]
    if column.dtype != pl.String:
        raise TypeError(f"period column {period!r} must hold codes like '2025-07' as strings")
    if column.null_count():
        raise PeriodError("（空）", f"期间列「{period}」有{column.null_count()}个空值")
    sample = column.head(1).to_list()
    kind: PeriodType = next(
        (k for k in PERIOD_TYPES if sample and re.match(_CODE_PATTERNS[k], sample[0])), "month"
    )
    bad = column.filter(~column.str.contains(_CODE_PATTERNS[kind]))
    if bad.len():
        shown = "、".join(bad.unique(maintain_order=True).head(3).to_list())
        raise PeriodError(
            shown,
            f"期间列「{period}」应全部为同一种标准代码（如2025-07、2025Q3），先用 Period.parse 规范",
        )
    index = {
        "month": pl.col(period).str.slice(5, 2),
        "quarter": pl.col(period).str.slice(5, 1),
        "half": pl.col(period).str.slice(5, 1),
        "year": pl.lit("1"),
    }[kind]
    parts = frame.with_columns(
        pl.col(period).str.slice(0, 4).cast(pl.Int32).alias(_Y_COL),
        index.cast(pl.Int32).alias(_I_COL),
    )
    return parts, kind


def _code_expr(kind: PeriodType) -> pl.Expr:
    year = pl.col(_Y_COL).cast(pl.String).str.zfill(4)
    index = pl.col(_I_COL).cast(pl.String)
    if kind == "year":
        return year
    if kind == "month":
        return pl.concat_str(year, pl.lit("-"), index.str.zfill(2))
    return pl.concat_str(year, pl.lit("Q" if kind == "quarter" else "H"), index)


def _coarsen_ends(
    frame: pl.DataFrame, kind: PeriodType, to: PeriodType, period: str
) -> pl.DataFrame:
    """Keep the rows at the last sub-period of each ``to`` period and relabel them."""
    ratio = _ratio(kind, to)
    if ratio == 1:
        return frame
    return (
        frame.filter(pl.col(_I_COL) % ratio == 0)
        .with_columns((pl.col(_I_COL) // ratio).alias(_I_COL))
        .with_columns(_code_expr(to).alias(period))
    )


def _ratio(kind: PeriodType, to: PeriodType) -> int:
    if PER_YEAR[to] > PER_YEAR[kind]:
        raise ValueError(f"cannot convert {kind} periods to the finer {to}")
    return PER_YEAR[kind] // PER_YEAR[to]


_SAME, _POS = "__same_year", "__position"


def _sort_into_years(parts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sort by key, year and index, marking rows that continue the previous row's key-year.

    A key-year is at most 12 rows, so look-backs are plain ``shift``s on the sorted frame
    rather than ``over`` windows, which cost seconds each over a million entity-years.
    Adds ``_SAME`` (the row continues the previous row's key-year) and ``_POS`` (1-based
    position within the key-year). Raises ``ValueError`` on a repeated key and period.
    """
    parts = parts.sort([*keys, _Y_COL, _I_COL])
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    same = row > 0
    for column in [*keys, _Y_COL]:
        same = same & pl.col(column).eq_missing(pl.col(column).shift(1))
    parts = parts.with_columns(same.alias(_SAME))
    duplicated = parts[_SAME] & (parts[_I_COL] == parts[_I_COL].shift(1)).fill_null(False)
    if duplicated.any():
        example = parts.filter(duplicated).head(1).drop(_Y_COL, _I_COL, _SAME).to_dicts()[0]
        raise ValueError(
            f"{int(duplicated.sum())} rows share their keys {keys} and period, e.g. {example}"
        )
    first_row = pl.when(~pl.col(_SAME)).then(row).forward_fill()
    return parts.with_columns((row - first_row + 1).cast(pl.Int32).alias(_POS))


def _gaps(frame: pl.DataFrame, keys: list[str], period: str, flags: dict[str, str]) -> pl.DataFrame:
    parts = [
        frame.filter(pl.col(flag)).select(*keys, period, pl.lit(value).alias("column"))
        for value, flag in flags.items()
    ]
    empty = frame.head(0).select(*keys, period, pl.lit("").alias("column"))
    return pl.concat([empty, *parts])


def ytd_to_period(
    frame: pl.DataFrame,
    *,
    by: str | Sequence[str] = ("entity", "variable"),
    period: str = "period",
    values: str | Sequence[str] = ("value",),
    to: PeriodType | None = None,
) -> PeriodConversion:
    """Turn 累计 (year-to-date) values into single-period (当月/当季) values.

    ``frame`` has key columns ``by``, a ``period`` column of canonical codes all of one kind
    (``2025-07`` months, or ``2025Q3`` quarters whose values are 累计 to the quarter end), and
    one or more numeric ``values`` columns holding YTD figures. The long shape is
    ``(entity, variable, period, value)`` (the defaults); a wide frame passes e.g.
    ``by="entity", values=["revenue", "employees"]``. Each key and period appears once.

    For each key and year: period 1's single value is its YTD; period *i*'s is
    YTD(*i*) − YTD(*i*−1); if YTD(*i*−1) is absent or null the single value is null (never
    YTD(*i*)) and the row is reported in ``gaps``. With ``to`` coarser than the input (months
    → ``"quarter"``), only the YTD at each ``to`` period's last month is used, so Q2 = YTD
    Jun − YTD Mar. A revised YTD is simply a new input value: recomputing corrects that
    period and the next. Other columns are kept; rows come back sorted by key and period.
    """
    keys, columns = _as_list(by), _as_list(values)
    parts, kind = _split_period(frame, period)
    if to is not None:
        parts = _coarsen_ends(parts, kind, to, period)
        kind = to
    parts = _sort_into_years(parts, keys)
    first = pl.col(_I_COL) == 1
    contiguous = pl.col(_SAME) & (pl.col(_I_COL).shift(1) == pl.col(_I_COL) - 1)
    flags: dict[str, str] = {}
    exprs: list[pl.Expr] = []
    for i, value in enumerate(columns):
        previous = pl.col(value).shift(1)
        exprs.append(
            pl.when(first)
            .then(pl.col(value))
            .when(contiguous)
            .then(pl.col(value) - previous)
            .otherwise(None)
            .alias(value)
        )
        flags[value] = f"__gap_{i}"
        gap = ~first & pl.col(value).is_not_null() & (~contiguous | previous.is_null())
        exprs.append(gap.alias(flags[value]))
    converted = parts.with_columns(exprs)
    gaps = _gaps(converted, keys, period, flags)
    return PeriodConversion(converted.select(frame.columns), gaps)


def period_to_ytd(
    frame: pl.DataFrame,
    *,
    by: str | Sequence[str] = ("entity", "variable"),
    period: str = "period",
    values: str | Sequence[str] = ("value",),
    to: PeriodType | None = None,
) -> PeriodConversion:
    """Turn single-period (当月/当季) values into 累计 (year-to-date) values.

    Same frame shape as :func:`ytd_to_period`. YTD is the running sum within each key and
    year; from the first missing period onward (absent row, or null value, including a
    missing January) the YTD is null and each such row that had a value is reported in
    ``gaps``. With ``to`` coarser than the input, the result keeps only YTD at the end of each
    ``to`` period (monthly values → quarterly 累计, ``2025Q2`` = 1-6月).
    """
    keys, columns = _as_list(by), _as_list(values)
    parts, kind = _split_period(frame, period)
    parts = _sort_into_years(parts, keys)
    # Rows 1..k of a key-year hold indexes 1..k exactly when no period before k is absent.
    no_absent_period = pl.col(_I_COL) == pl.col(_POS)
    flags: dict[str, str] = {}
    exprs: list[pl.Expr] = []
    for i, value in enumerate(columns):
        # The running sum as at most 11 shifted adds; ``+`` propagates null, so one missing
        # value nulls every later YTD of its year, which is the rule.
        running = pl.col(value)
        for back in range(1, PER_YEAR[kind]):
            earlier = pl.when(pl.col(_POS) > back).then(pl.col(value).shift(back)).otherwise(0)
            running = running + earlier
        ytd = pl.when(no_absent_period).then(running)
        exprs.append(ytd.alias(value))
        flags[value] = f"__gap_{i}"
        exprs.append((ytd.is_null() & pl.col(value).is_not_null()).alias(flags[value]))
    converted = parts.with_columns(exprs)
    if to is not None:
        converted = _coarsen_ends(converted, kind, to, period)
    gaps = _gaps(converted, keys, period, flags)
    return PeriodConversion(converted.select(frame.columns), gaps)


def sum_to_period(
    frame: pl.DataFrame,
    *,
    to: PeriodType,
    by: str | Sequence[str] = ("entity", "variable"),
    period: str = "period",
    values: str | Sequence[str] = ("value",),
) -> PeriodConversion:
    """Add single-period values up into coarser periods (months → quarters, quarters → year).

    A ``to`` period's total is null unless every one of its sub-periods has a value; each
    incomplete total that had at least one value is reported in ``gaps``. The result has only
    the ``by`` columns, ``period`` (now ``to`` codes) and ``values``, sorted.
    """
    keys, columns = _as_list(by), _as_list(values)
    parts, kind = _split_period(frame, period)
    ratio = _ratio(kind, to)
    counts = [f"__count_{i}" for i in range(len(columns))]
    flags = {v: f"__gap_{i}" for i, v in enumerate(columns)}
    totals = (
        _sort_into_years(parts, keys)
        .with_columns(((pl.col(_I_COL) - 1) // ratio + 1).alias(_I_COL))
        # The input is sorted, so keeping group order returns the totals sorted too.
        .group_by([*keys, _Y_COL, _I_COL], maintain_order=True)
        .agg(
            *[pl.col(v).sum() for v in columns],
            *[pl.col(v).count().alias(c) for v, c in zip(columns, counts, strict=True)],
        )
        .with_columns(
            *[
                pl.when(pl.col(c) == ratio).then(pl.col(v)).alias(v)
                for v, c in zip(columns, counts, strict=True)
            ],
            *[
                pl.col(c).is_between(1, ratio - 1).alias(flags[v])
                for v, c in zip(columns, counts, strict=True)
            ],
            _code_expr(to).alias(period),
        )
    )
    gaps = _gaps(totals, keys, period, flags)
    return PeriodConversion(totals.select(*keys, period, *columns), gaps)


__all__ = [
    "ACCEPTED_FORMS",
    "PERIOD_TYPES",
    "Period",
    "PeriodConversion",
    "PeriodError",
    "PeriodType",
    "ReportedPeriod",
    "parse_reported",
    "period_to_ytd",
    "sum_to_period",
    "ytd_to_period",
]
