"""The evaluation input table read from the fact frame: derived columns of one period."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gaoxin.engine.composite import check_framework
from gaoxin.engine.composite.inputs import evaluation_inputs
from gaoxin.engine.facts import build_facts


def _facts():
    entities = pl.DataFrame(
        {
            "entity": ["P", "C", "Z", "E1", "E2", "E3"],
            "kind": ["province", "city", "zone", "enterprise", "enterprise", "enterprise"],
            "name": ["省", "市", "区", "甲", "乙", "丙"],
            "parent": [None, "P", "C", "Z", "Z", "Z"],
            "joined_on": [None, None, date(2000, 1, 1), None, None, None],
        }
    )
    rows = [
        # E1 reports every year; E2 skips 2024 (its 2023 row is two periods back); E3 is new
        ("E1", "2023", 100.0), ("E1", "2024", 120.0), ("E1", "2025", 150.0),
        ("E2", "2023", 200.0), ("E2", "2025", 300.0),
        ("E3", "2025", 80.0),
    ]  # fmt: skip
    obs = pl.DataFrame(
        {
            "entity": [r[0] for r in rows],
            "variable": ["revenue"] * len(rows),
            "period": [r[1] for r in rows],
            "value": [r[2] for r in rows],
        }
    )
    return build_facts(entities, obs)


def _enterprise_framework(name: str, columns: dict[str, str]):
    """A framework over enterprises whose indicators (code: column) read ``columns``."""
    return check_framework(
        {
            "framework": name,
            "unit": "unit",
            "units": {"level": "enterprise"},
            "index": {
                "code": "I",
                "children": [{"code": c, "column": col} for c, col in columns.items()],
            },
        }
    )


FW = _enterprise_framework("growth", {"g": "enterprise_revenue_growth"})


def test_growth_is_against_the_previous_period_by_hand():
    out = evaluation_inputs(_facts(), FW, "2025", level="enterprise")
    growth = dict(zip(out["unit"], out["enterprise_revenue_growth"], strict=True))
    assert growth["E1"] == pytest.approx(100 * (150 - 120) / 120)
    # E2 has a row in 2024 (a member that did not report): its revenue then is missing, so no growth
    assert growth["E2"] is None
    assert growth["E3"] is None
    earlier = evaluation_inputs(_facts(), FW, "2024", level="enterprise")
    assert dict(zip(earlier["unit"], earlier["enterprise_revenue_growth"], strict=True))[
        "E1"
    ] == pytest.approx(20.0)


# a catalogue indicator (taxes_paid / land_area) and a derived column
TAX_PER_MU = _enterprise_framework(
    "tax-per-mu", {"t": "enterprise_tax_per_mu", "p": "enterprise_labour_productivity"}
)


def _tax_facts():
    entities = pl.DataFrame(
        {
            "entity": ["P", "C", "Z", "E1", "E2", "E3", "E4"],
            "kind": ["province", "city", "zone", *["enterprise"] * 4],
            "name": ["省", "市", "区", "甲", "乙", "丙", "丁"],
            "parent": [None, "P", "C", "Z", "Z", "Z", "Z"],
            "joined_on": [None, None, date(2000, 1, 1), None, None, None, None],
        }
    )
    rows = [  # (entity, taxes_paid, land_area, industrial_value_added, employees, revenue)
        ("E1", 30.0, 10.0, 500.0, 50.0, 1000.0),
        ("E2", 80.0, 20.0, 900.0, 30.0, 50.0),
        ("E3", 12.0, 4.0, 100.0, 10.0, 2000.0),
        ("E4", 9.0, 3.0, 60.0, 20.0, 800.0),
    ]
    names = ["taxes_paid", "land_area", "industrial_value_added", "employees", "revenue"]
    obs = pl.DataFrame(
        [(r[0], v, "2025", r[1 + j]) for r in rows for j, v in enumerate(names)],
        schema=["entity", "variable", "period", "value"],
        orient="row",
    )
    certs = pl.DataFrame(
        {
            "entity": ["E1", "E3", "E4"],
            "kind": ["above_scale"] * 3,
            "level": [None] * 3,
            "granted_on": [date(2020, 1, 1)] * 3,
        }
    )
    return build_facts(entities, obs, certs)


def test_where_picks_units_on_columns_and_certifications_the_framework_does_not_read():
    # ``where`` reads a certification (as 0/1) and a variable the framework names nowhere; the
    # catalogue's values must still land on their own units once some units are left out
    out = evaluation_inputs(
        _tax_facts(),
        TAX_PER_MU,
        "2025",
        level="enterprise",
        where=(pl.col("above_scale") == 1) & (pl.col("revenue") > 900),
    )
    assert out.columns == ["unit", "enterprise_tax_per_mu", "enterprise_labour_productivity"]
    assert out.rows() == [("E1", 3.0, 10.0), ("E3", 3.0, 10.0)]
    everyone = evaluation_inputs(_tax_facts(), TAX_PER_MU, "2025", level="enterprise")
    assert everyone["unit"].to_list() == ["E1", "E2", "E3", "E4"]
    assert everyone["enterprise_tax_per_mu"].to_list() == [3.0, 4.0, 3.0, 3.0]
    assert everyone["enterprise_labour_productivity"].to_list() == [10.0, 30.0, 10.0, 3.0]


def test_a_where_with_a_wildcard_sees_every_column():
    # pl.all() could read any column of the fact frame's row: none may be left out for it
    where = pl.sum_horizontal(pl.col(pl.Float64).fill_null(0)) > 1500
    out = evaluation_inputs(_tax_facts(), TAX_PER_MU, "2025", level="enterprise", where=where)
    assert out["unit"].to_list() == ["E1", "E3"]
