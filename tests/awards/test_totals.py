"""Budget totals of `gaoxin awards`: by rule and by the pack's funding lines, in exact 分."""

from __future__ import annotations

import polars as pl

from gaoxin.awards.services import totals as _totals
from gaoxin.engine.packs import Budget, load_pack
from tests.engine.packs.test_bindings import PACKS


def test_totals_by_rule_and_by_funding_line():
    spec = load_pack(PACKS / "gansu").spec
    cite = spec.rule("new-hte").cite
    spec = spec.model_copy(
        update={
            "budgets": [
                Budget(
                    id="enterprises",
                    label="企业奖补资金",
                    amount="1000",
                    rules=["new-hte", "new-sti"],
                    cite=cite,
                ),
                Budget(id="all", label="全部奖补资金", amount="5000", cite=cite),
            ]
        }
    )
    ledger = pl.DataFrame(
        {
            "rule": ["new-hte", "new-hte", "new-sti", "national-project", "hte-growth-commend"],
            "entity": ["E1", "E2", "E4", "E1", "Z1"],
            "outcome": ["money", "money", "money", "money", "action"],
            "amount_fen": [20_000_000, 20_000_000, 5_000_000, 35_010_000, None],
        }
    )
    t = _totals(ledger, spec)
    by_rule = {r["rule"]: (r["count"], r["amount_fen"]) for r in t["by_rule"]}
    assert by_rule["new-hte"] == (2, 40_000_000)
    assert by_rule["national-project"] == (1, 35_010_000)
    assert by_rule["hte-growth-commend"] == (1, None)  # an action: counted, no money
    assert by_rule["new-provincial-zone"] == (0, 0)  # a money rule that paid nobody is shown
    by_budget = {r["budget"]: (r["count"], r["amount_fen"]) for r in t["by_budget"]}
    # 20 + 20 + 5 万元 on the enterprise line; 45 + 35.01 on the line covering every money rule
    assert by_budget == {"enterprises": (3, 45_000_000), "all": (4, 80_010_000)}
    assert t["total"] == [{"amount_fen": 80_010_000}]


def test_explain_shows_a_formula_result_as_the_engine_snaps_it():
    from gaoxin.awards.services import raw_text as _raw

    # 2114.11 万元 × 3% in Float64 is 63.423300000000005; money snaps to 10⁻⁸ 万元 first
    assert 2114.11 * 0.03 != 63.4233
    assert _raw(2114.11 * 0.03) == "63.4233"
    assert _raw(0.03 * 235) == "7.05"
    assert _raw(1500.0) == "1,500"
    assert _raw(None) == "None"
