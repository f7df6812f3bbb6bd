"""Reporting periods: parsing Chinese labels, period arithmetic, and 累计 ↔ single-period values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gaoxin.engine.periods import (
    PER_YEAR,
    PERIOD_TYPES,
    Period,
    PeriodError,
    ReportedPeriod,
    parse_reported,
    period_to_ytd,
    sum_to_period,
    ytd_to_period,
)


def M(year: int, month: int) -> Period:
    return Period("month", year, month)


def Q(year: int, quarter: int) -> Period:
    return Period("quarter", year, quarter)


def H(year: int, half: int) -> Period:
    return Period("half", year, half)


def Y(year: int) -> Period:
    return Period("year", year)


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", Y(2025)),
        ("2025年", Y(2025)),
        ("2025年度", Y(2025)),
        ("2025H1", H(2025, 1)),
        ("2025h2", H(2025, 2)),
        ("2025-H2", H(2025, 2)),
        ("2025年上半年", H(2025, 1)),
        ("2025年下半年", H(2025, 2)),
        ("2025Q3", Q(2025, 3)),
        ("2025q3", Q(2025, 3)),
        ("2025-Q3", Q(2025, 3)),
        ("2025年第三季度", Q(2025, 3)),
        ("2025年三季度", Q(2025, 3)),
        ("2025年第3季度", Q(2025, 3)),
        ("2025年一季度", Q(2025, 1)),
        ("2025年第四季度", Q(2025, 4)),
        ("2025-07", M(2025, 7)),
        ("2025-7", M(2025, 7)),
        ("2025年7月", M(2025, 7)),
        ("2025年07月", M(2025, 7)),
        ("2025年7月份", M(2025, 7)),
        ("2025年十二月", M(2025, 12)),
        ("2025.7", M(2025, 7)),
        ("2025.10", M(2025, 10)),
        ("2025/07", M(2025, 7)),
        ("202507", M(2025, 7)),
        ("２０２５年７月", M(2025, 7)),
        ("２０２５Ｑ３", Q(2025, 3)),
        ("  2025-07\t", M(2025, 7)),
        ("2025 年 7 月", M(2025, 7)),
    ],
)
def test_parse_reads_every_accepted_form(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected
    assert parse_reported(text) == ReportedPeriod(expected, cumulative=False)


@pytest.mark.parametrize(
    "text",
    [
        "2025年1-7月",
        "2025年1—7月",
        "2025年1–7月",
        "2025年1～7月",
        "2025年1~7月",
        "2025年1至7月",
        "2025年1月-7月",
        "2025年1-7月累计",
        "２０２５年１－７月",
    ],
)
def test_year_to_date_labels_are_the_last_month_flagged_cumulative(text: str) -> None:
    assert parse_reported(text) == ReportedPeriod(M(2025, 7), cumulative=True)
    assert Period.parse(text) == M(2025, 7)


@pytest.mark.parametrize("text", ["2025年前三季度", "2025年1-3季度", "2025年第一至第三季度"])
def test_cumulative_quarters(text: str) -> None:
    assert parse_reported(text) == ReportedPeriod(Q(2025, 3), cumulative=True)


def test_cumulative_january_is_january_flagged_cumulative() -> None:
    assert parse_reported("2025年1-1月") == ReportedPeriod(M(2025, 1), cumulative=True)
    assert parse_reported("2025年1月累计") == ReportedPeriod(M(2025, 1), cumulative=True)
    assert parse_reported("2025年1月") == ReportedPeriod(M(2025, 1), cumulative=False)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025年13月", "月份应为1-12"),
        ("202500", "月份应为1-12"),
        ("2025-00", "月份应为1-12"),
        ("2025Q5", "季度应为1-4"),
        ("2025年第五季度", "季度应为1-4"),
        ("2025H3", "半年应为H1或H2"),
        ("2025年3-7月", "累计期间应从1月开始"),
        ("2025年1-13月", "月份应为1-12"),
        ("", "期间为空"),
        ("   ", "期间为空"),
        ("25年7月", "格式无法识别"),
        ("2025-07-01", "格式无法识别"),
        ("下半年", "格式无法识别"),
        ("next month", "格式无法识别"),
    ],
)
def test_bad_strings_raise_a_chinese_period_error(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as raised:
        Period.parse(text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.reason.startswith(reason)
    assert f"无法识别的期间「{text}」：{reason}" in str(error)
    assert "可用格式：2025、" in str(error) and "2025年1-7月" in str(error)


def test_non_string_input_is_a_period_error() -> None:
    with pytest.raises(PeriodError):
        Period.parse(202507)  # type: ignore[arg-type]


def test_only_months_and_quarters_can_be_cumulative() -> None:
    with pytest.raises(PeriodError):
        ReportedPeriod(Y(2025), cumulative=True)
    with pytest.raises(PeriodError):
        ReportedPeriod(H(2025, 1), cumulative=True)


def test_constructor_rejects_impossible_periods() -> None:
    with pytest.raises(PeriodError):
        Period("month", 2025, 13)
    with pytest.raises(PeriodError):
        Period("quarter", 2025, 0)
    with pytest.raises(PeriodError):
        Period("week", 2025, 1)  # type: ignore[arg-type]
    with pytest.raises(PeriodError):
        Period("year", 0)


# --- text ---------------------------------------------------------------------------------


def test_canonical_codes_and_labels() -> None:
    assert [str(p) for p in (Y(2025), H(2025, 1), Q(2025, 3), M(2025, 7))] == [
        "2025",
        "2025H1",
        "2025Q3",
        "2025-07",
    ]
    assert [p.label() for p in (Y(2025), H(2025, 2), Q(2025, 3), M(2025, 7))] == [
        "2025年",
        "2025年下半年",
        "2025年第三季度",
        "2025年7月",
    ]
    assert str(ReportedPeriod(M(2025, 7), cumulative=True)) == "2025年1-7月"
    assert str(ReportedPeriod(Q(2025, 3), cumulative=True)) == "2025年前三季度"
    assert repr(M(2025, 7)) == "<Period 2025-07>"


# --- arithmetic ---------------------------------------------------------------------------


def test_next_and_previous_cross_year_boundaries() -> None:
    assert M(2025, 12).next() == M(2026, 1)
    assert M(2026, 1).previous() == M(2025, 12)
    assert Q(2025, 4) + 1 == Q(2026, 1)
    assert Q(2026, 1) - 1 == Q(2025, 4)
    assert H(2025, 2) + 1 == H(2026, 1)
    assert Y(2025) - 1 == Y(2024)
    assert M(2025, 7) + 18 == M(2027, 1)
    assert 2 + M(2025, 11) == M(2026, 1)
    assert M(2025, 7).shift(-7) == M(2024, 12)


def test_difference_of_two_periods_counts_steps() -> None:
    assert M(2026, 2) - M(2025, 11) == 3
    assert Q(2025, 1) - Q(2025, 4) == -3
    with pytest.raises(TypeError):
        M(2025, 1) - Q(2025, 1)


def test_shifting_out_of_range_is_an_error() -> None:
    with pytest.raises(PeriodError):
        M(9999, 12).next()
    with pytest.raises(PeriodError):
        Y(1).previous()


def test_same_period_last_year() -> None:
    assert M(2025, 7).same_period_last_year() == M(2024, 7)
    assert Q(2025, 1).same_period_last_year() == Q(2024, 1)
    assert H(2025, 2).same_period_last_year() == H(2024, 2)
    assert Y(2025).same_period_last_year() == Y(2024)


def test_containing_periods() -> None:
    july = M(2025, 7)
    assert july.to_quarter() == Q(2025, 3)
    assert july.to_half() == H(2025, 2)
    assert july.to_year() == Y(2025)
    assert Q(2025, 2).to_half() == H(2025, 1)
    assert july.containing("month") == july
    with pytest.raises(PeriodError):
        Q(2025, 3).containing("month")


def test_months_of_each_kind() -> None:
    assert M(2025, 7).months() == [M(2025, 7)]
    assert Q(2025, 3).months() == [M(2025, 7), M(2025, 8), M(2025, 9)]
    assert H(2025, 2).months() == [M(2025, m) for m in range(7, 13)]
    assert Y(2025).months() == [M(2025, m) for m in range(1, 13)]


def test_start_and_end_dates() -> None:
    assert M(2024, 2).end_date() == date(2024, 2, 29)
    assert M(2025, 2).end_date() == date(2025, 2, 28)
    assert M(2025, 2).start_date() == date(2025, 2, 1)
    assert Q(2025, 4).start_date() == date(2025, 10, 1)
    assert Q(2025, 4).end_date() == date(2025, 12, 31)
    assert H(2025, 1).end_date() == date(2025, 6, 30)
    assert Y(2025).start_date() == date(2025, 1, 1)
    assert Y(2025).end_date() == date(2025, 12, 31)


def test_period_of_a_date() -> None:
    assert Period.of(date(2025, 8, 15)) == M(2025, 8)
    assert Period.of(date(2025, 8, 15), "quarter") == Q(2025, 3)
    assert Period.of(date(2025, 8, 15), "year") == Y(2025)


def test_contains() -> None:
    assert Y(2025).contains(Q(2025, 3))
    assert Y(2025).contains(Y(2025))
    assert H(2025, 1).contains(Q(2025, 2))
    assert not H(2025, 1).contains(Q(2025, 3))
    assert Q(2025, 3).contains(M(2025, 9))
    assert not Q(2025, 3).contains(M(2025, 10))
    assert not Q(2025, 3).contains(H(2025, 2))
    assert not Y(2025).contains(M(2024, 7))


def test_range_is_inclusive_and_crosses_years() -> None:
    assert Period.range(M(2025, 11), M(2026, 2)) == [
        M(2025, 11),
        M(2025, 12),
        M(2026, 1),
        M(2026, 2),
    ]
    assert Period.range(Q(2025, 3), Q(2025, 3)) == [Q(2025, 3)]
    assert Period.range(Q(2025, 3), Q(2025, 2)) == []
    with pytest.raises(TypeError):
        Period.range(M(2025, 1), Q(2025, 2))


def test_ordering_within_a_kind_and_refusal_across_kinds() -> None:
    assert M(2024, 12) < M(2025, 1) <= M(2025, 1) < M(2025, 2)
    assert Q(2025, 4) > Q(2025, 3) >= Q(2025, 3)
    assert sorted([M(2025, 3), M(2024, 12), M(2025, 1)]) == [M(2024, 12), M(2025, 1), M(2025, 3)]
    with pytest.raises(TypeError):
        _ = M(2025, 7) < Q(2025, 3)
    with pytest.raises(TypeError):
        _ = Y(2025) >= H(2025, 1)
    assert M(2025, 1) != Q(2025, 1)
    assert Y(2025) != 2025


def test_periods_are_immutable_and_hashable() -> None:
    p = M(2025, 7)
    assert {p, Period.parse("2025年7月")} == {p}
    with pytest.raises(AttributeError):
        p.year = 2026  # type: ignore[misc]


# --- properties ---------------------------------------------------------------------------

kinds = st.sampled_from(PERIOD_TYPES)


@st.composite
def periods(draw: st.DrawFn, kind: str | None = None) -> Period:
    k = kind or draw(kinds)
    year = draw(st.integers(1000, 9000))
    return Period(k, year, draw(st.integers(1, PER_YEAR[k])))  # type: ignore[arg-type]


@given(periods())
def test_parse_of_str_round_trips(p: Period) -> None:
    assert Period.parse(str(p)) == p
    assert Period.parse(p.label()) == p


@given(periods(), st.booleans())
def test_parse_of_a_reported_label_round_trips(p: Period, cumulative: bool) -> None:
    if p.kind not in ("month", "quarter"):
        cumulative = False
    reported = ReportedPeriod(p, cumulative)
    assert parse_reported(reported.label()) == reported


@given(periods(), st.integers(-500, 500))
def test_shift_then_unshift_is_identity(p: Period, n: int) -> None:
    assert (p + n) - n == p
    assert (p + n) - p == n
    assert (p + n).kind == p.kind


@given(periods())
def test_next_of_previous_is_identity(p: Period) -> None:
    assert p.previous().next() == p
    assert p.next().previous() == p
    assert p.previous() < p < p.next()


@given(periods())
def test_same_period_last_year_is_one_year_of_steps(p: Period) -> None:
    assert p.same_period_last_year() == p - PER_YEAR[p.kind]
    assert p.same_period_last_year().index == p.index


@given(periods("quarter"))
def test_months_of_a_quarter_are_three_consecutive_contained_months(q: Period) -> None:
    months = q.months()
    assert len(months) == 3
    assert months[1] == months[0].next() and months[2] == months[1].next()
    assert all(q.contains(m) and m.to_quarter() == q for m in months)
    assert months[0].start_date() == q.start_date() and months[-1].end_date() == q.end_date()


@given(periods("month"), kinds)
def test_a_month_lies_in_its_containing_periods(m: Period, kind: str) -> None:
    outer = m.containing(kind)  # type: ignore[arg-type]
    assert outer.contains(m)
    assert m in outer.months()


# --- 累计 conversions ----------------------------------------------------------------------


def long_frame(rows: list[tuple[str, str, str, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"entity": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Int64},
        orient="row",
    )


def values_by_period(frame: pl.DataFrame, entity: str = "e1") -> dict[str, int | None]:
    rows = frame.filter(pl.col("entity") == entity)
    return dict(zip(rows["period"].to_list(), rows["value"].to_list(), strict=True))


def test_january_single_value_is_its_ytd_and_later_months_are_differences() -> None:
    ytd = long_frame(
        [
            ("e1", "revenue", "2025-01", 100),
            ("e1", "revenue", "2025-02", 250),
            ("e1", "revenue", "2025-03", 420),
        ]
    )
    result = ytd_to_period(ytd)
    assert values_by_period(result.frame) == {"2025-01": 100, "2025-02": 150, "2025-03": 170}
    assert result.gap_count == 0


def test_january_restarts_the_year() -> None:
    ytd = long_frame(
        [
            ("e1", "revenue", "2024-11", 1100),
            ("e1", "revenue", "2024-12", 1200),
            ("e1", "revenue", "2025-01", 90),
            ("e1", "revenue", "2025-02", 200),
        ]
    )
    single = values_by_period(ytd_to_period(ytd).frame)
    assert single["2025-01"] == 90 and single["2025-02"] == 110
    # November has no October before it: a gap, not 1100.
    assert single["2024-11"] is None and single["2024-12"] == 100


def test_a_missing_month_makes_the_next_month_null_and_is_reported() -> None:
    ytd = long_frame(
        [
            ("e1", "revenue", "2025-01", 100),
            ("e1", "revenue", "2025-02", 250),
            # March not reported
            ("e1", "revenue", "2025-04", 600),
            ("e1", "revenue", "2025-05", 800),
            ("e2", "revenue", "2025-01", 5),
            ("e2", "revenue", "2025-02", None),  # reported empty
            ("e2", "revenue", "2025-03", 9),
        ]
    )
    result = ytd_to_period(ytd)
    assert values_by_period(result.frame) == {
        "2025-01": 100,
        "2025-02": 150,
        "2025-04": None,
        "2025-05": 200,
    }
    assert values_by_period(result.frame, "e2") == {"2025-01": 5, "2025-02": None, "2025-03": None}
    assert result.gap_count == 2
    assert result.gaps.sort("entity").rows() == [
        ("e1", "revenue", "2025-04", "value"),
        ("e2", "revenue", "2025-03", "value"),
    ]
    assert result.gap_counts() == {"value": 2}


def test_a_revised_month_corrects_that_month_and_the_next() -> None:
    rows = [
        ("e1", "revenue", "2025-01", 100),
        ("e1", "revenue", "2025-02", 250),
        ("e1", "revenue", "2025-03", 420),
        ("e1", "revenue", "2025-04", 600),
    ]
    before = values_by_period(ytd_to_period(long_frame(rows)).frame)
    rows[1] = ("e1", "revenue", "2025-02", 230)  # February's 1-2月 revised down by 20
    after = values_by_period(ytd_to_period(long_frame(rows)).frame)
    assert after["2025-02"] == before["2025-02"] - 20
    assert after["2025-03"] == before["2025-03"] + 20
    assert after["2025-01"] == before["2025-01"] and after["2025-04"] == before["2025-04"]


def test_quarterly_single_values_from_monthly_ytd() -> None:
    ytd = long_frame([("e1", "revenue", f"2025-{m:02d}", 10 * m * m) for m in range(1, 13)])
    result = ytd_to_period(ytd, to="quarter")
    assert values_by_period(result.frame) == {
        "2025Q1": 90,  # YTD March
        "2025Q2": 360 - 90,  # YTD June - YTD March
        "2025Q3": 810 - 360,
        "2025Q4": 1440 - 810,
    }


def test_quarterly_ytd_codes_convert_directly() -> None:
    ytd = long_frame([("e1", "revenue", "2025Q1", 90), ("e1", "revenue", "2025Q2", 360)])
    assert values_by_period(ytd_to_period(ytd).frame) == {"2025Q1": 90, "2025Q2": 270}


def test_missing_quarter_end_month_leaves_the_next_quarter_null() -> None:
    ytd = long_frame([("e1", "revenue", f"2025-{m:02d}", m) for m in range(1, 13) if m != 6])
    result = ytd_to_period(ytd, to="quarter")
    assert values_by_period(result.frame) == {"2025Q1": 3, "2025Q3": None, "2025Q4": 3}
    assert result.gaps["period"].to_list() == ["2025Q3"]


def test_wide_frame_with_several_value_columns() -> None:
    ytd = pl.DataFrame(
        {
            "uscc": ["A", "A", "A", "B"],
            "period": ["2025-03", "2025-01", "2025-02", "2025-02"],
            "revenue": [30.5, 10.0, 20.25, 7.0],
            "employees": [None, 3, 4, 9],
            "zone": ["z1", "z1", "z1", "z2"],
        }
    )
    result = ytd_to_period(ytd, by="uscc", values=["revenue", "employees"])
    assert result.frame.columns == ytd.columns
    assert result.frame.rows() == [
        ("A", "2025-01", 10.0, 3, "z1"),
        ("A", "2025-02", 10.25, 1, "z1"),
        ("A", "2025-03", 10.25, None, "z1"),
        ("B", "2025-02", None, None, "z2"),
    ]
    assert result.gap_counts() == {"revenue": 1, "employees": 1}


def test_decimal_values_stay_exact() -> None:
    ytd = pl.DataFrame(
        {
            "entity": ["e1"] * 3,
            "period": ["2025-01", "2025-02", "2025-03"],
            "value": [Decimal("0.10"), Decimal("0.30"), Decimal("0.60")],
        },
        schema_overrides={"value": pl.Decimal(20, 2)},
    )
    single = ytd_to_period(ytd, by="entity").frame["value"].to_list()
    assert single == [Decimal("0.10"), Decimal("0.20"), Decimal("0.30")]
    back = period_to_ytd(ytd_to_period(ytd, by="entity").frame, by="entity").frame
    assert back["value"].to_list() == ytd["value"].to_list()


def test_period_to_ytd_is_a_running_sum_null_from_the_first_gap() -> None:
    single = long_frame(
        [
            ("e1", "revenue", "2025-01", 10),
            ("e1", "revenue", "2025-02", 20),
            ("e1", "revenue", "2025-04", 40),
            ("e1", "revenue", "2025-05", 50),
            ("e1", "revenue", "2026-01", 7),
            ("e2", "revenue", "2025-02", 20),  # no January
            ("e3", "revenue", "2025-01", 1),
            ("e3", "revenue", "2025-02", None),
            ("e3", "revenue", "2025-03", 3),
        ]
    )
    result = period_to_ytd(single)
    assert values_by_period(result.frame) == {
        "2025-01": 10,
        "2025-02": 30,
        "2025-04": None,
        "2025-05": None,
        "2026-01": 7,
    }
    assert values_by_period(result.frame, "e2") == {"2025-02": None}
    assert values_by_period(result.frame, "e3") == {"2025-01": 1, "2025-02": None, "2025-03": None}
    assert result.gap_count == 4  # e1 April and May, e2 February, e3 March


def test_period_to_ytd_to_quarters() -> None:
    single = long_frame([("e1", "revenue", f"2025-{m:02d}", m) for m in range(1, 7)])
    assert values_by_period(period_to_ytd(single, to="quarter").frame) == {
        "2025Q1": 6,
        "2025Q2": 21,
    }


def test_sum_to_period_needs_every_month() -> None:
    single = long_frame(
        [("e1", "revenue", f"2025-{m:02d}", m) for m in range(1, 13) if m != 5]
        + [("e2", "revenue", "2025-01", None)]
    )
    result = sum_to_period(single, to="quarter")
    assert values_by_period(result.frame) == {
        "2025Q1": 6,
        "2025Q2": None,
        "2025Q3": 24,
        "2025Q4": 33,
    }
    assert values_by_period(result.frame, "e2") == {"2025Q1": None}
    assert result.gaps["period"].to_list() == ["2025Q2"]  # e2 had no value at all: not a gap
    assert values_by_period(sum_to_period(single, to="year").frame) == {"2025": None}


def test_bad_frames_are_refused() -> None:
    mixed = long_frame([("e1", "r", "2025-01", 1), ("e1", "r", "2025Q1", 1)])
    with pytest.raises(PeriodError, match="2025Q1"):
        ytd_to_period(mixed)
    loose = long_frame([("e1", "r", "2025年1月", 1)])
    with pytest.raises(PeriodError):
        ytd_to_period(loose)
    duplicated = long_frame([("e1", "r", "2025-01", 1), ("e1", "r", "2025-01", 2)])
    with pytest.raises(ValueError, match="share their keys"):
        ytd_to_period(duplicated)
    with pytest.raises(ValueError, match="finer"):
        ytd_to_period(long_frame([("e1", "r", "2025Q1", 1)]), to="month")


@st.composite
def single_month_series(draw: st.DrawFn) -> pl.DataFrame:
    """Complete monthly series (no gaps) for a few entities over whole years."""
    rows = []
    for entity in range(draw(st.integers(1, 4))):
        first = draw(st.integers(2015, 2030))
        years = draw(st.integers(1, 3))
        for year in range(first, first + years):
            last = draw(st.integers(1, 12))  # a year may stop early, but never skip a month
            for month in range(1, last + 1):
                value = draw(st.integers(-(10**12), 10**12))
                rows.append((f"e{entity}", "revenue", f"{year}-{month:02d}", value))
    return long_frame(rows)


@given(single_month_series())
def test_ytd_round_trips_exactly_for_gapless_series(single: pl.DataFrame) -> None:
    ytd = period_to_ytd(single)
    assert ytd.gap_count == 0
    back = ytd_to_period(ytd.frame)
    assert back.gap_count == 0
    expected = single.sort("entity", "variable", "period")
    assert back.frame.equals(expected)


def test_the_worked_example_in_docs_periods_md() -> None:
    filed = {"2025-01": 100, "2025-02": 250, "2025-04": 600, "2025-05": 800}

    def single(returns: dict[str, int]) -> dict[str, int | None]:
        frame = pl.DataFrame(
            {"uscc": "A", "period": list(returns), "revenue": list(returns.values())}
        )
        result = ytd_to_period(frame, by="uscc", values="revenue")
        return dict(zip(result.frame["period"], result.frame["revenue"], strict=True))

    assert single(filed) == {"2025-01": 100, "2025-02": 150, "2025-04": None, "2025-05": 200}
    filed["2025-03"] = 420
    assert single(filed)["2025-03"] == 170 and single(filed)["2025-04"] == 180
    filed["2025-02"] = 230
    assert single(filed) == {
        "2025-01": 100,
        "2025-02": 130,
        "2025-03": 190,
        "2025-04": 180,
        "2025-05": 200,
    }
