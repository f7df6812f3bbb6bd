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


FW = check_framework(
    {
        "framework": "growth",
        "unit": "unit",
        "units": {"level": "enterprise"},
        "index": {
            "code": "I",
            "children": [{"code": "g", "column": "enterprise_revenue_growth"}],
        },
    }
)


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
