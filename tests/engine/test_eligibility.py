"""免申即享: who qualifies from the data held, who might and what is still missing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from gaoxin.engine.eligibility import eligibility
from gaoxin.engine.packs import Pack, load_pack
from tests.engine.test_rules import frame_of, grouped_pack, tiny_pack

FUJIAN = load_pack(Path(__file__).parent / "packs" / "data" / "fujian")
RULES = ["tech-transfer", "incubator-provincial"]


def institutions() -> pl.DataFrame:
    # tech-transfer: is_tech_transfer and in_zone and tech_turnover >= 200 (3%, at most 100)
    return pl.DataFrame(
        {
            "entity": ["full", "no-turnover", "unknown-kind", "not-transfer", "small"],
            "kind": ["institution"] * 5,
            "is_tech_transfer": [True, True, None, False, True],
            "in_zone": [True, None, True, True, True],
            "tech_turnover": [235.0, None, 300.0, None, 150.0],
            "newly_provincial_incubator": [True, False, False, False, None],
        }
    )


def test_qualified_from_the_data_held_and_possible_with_what_is_missing():
    e = eligibility(FUJIAN, institutions(), "2022", rules=RULES)
    # full: 235 × 3% = 7.05; and it is a new provincial incubator: 100
    assert e.qualified.select("rule", "entity", "amount").rows() == [
        ("incubator-provincial", "full", Decimal("100")),
        ("tech-transfer", "full", Decimal("7.05")),
    ]
    assert e.possible.to_dicts() == [
        {
            # in_zone is also unknown for no-turnover, but its incubator flag is false: refused
            "rule": "incubator-provincial",
            "entity": "small",
            "reason": "condition",
            "missing": ["newly_provincial_incubator"],
            "missing_labels": ["当年新认定省级科技企业孵化器"],
            "needs": ["须当年新认定省级科技企业孵化器为“是”"],
        },
        {
            "rule": "tech-transfer",
            "entity": "no-turnover",
            "reason": "condition",
            "missing": ["in_zone", "tech_turnover"],
            "missing_labels": ["位于高新区", "年度技术交易额"],
            "needs": ["须位于高新区为“是”", "须年度技术交易额 ≥ 200"],
        },
        {
            "rule": "tech-transfer",
            "entity": "unknown-kind",
            "reason": "condition",
            "missing": ["is_tech_transfer"],
            "missing_labels": ["国家级或省级技术转移机构"],
            "needs": ["须国家级或省级技术转移机构为“是”"],
        },
    ]
    # not-transfer is refused whatever its turnover (false and unknown is false); small's 150
    # is below 200: neither is asked for anything under tech-transfer
    asked = set(e.possible.filter(pl.col("rule") == "tech-transfer")["entity"])
    assert asked == {"no-turnover", "unknown-kind"}


def test_a_column_the_frame_lacks_is_missing_for_everyone():
    frame = institutions().drop("newly_provincial_incubator")
    e = eligibility(FUJIAN, frame, "2022", rules=["incubator-provincial"])
    assert e.qualified.is_empty()
    # in_zone is false for nobody; every entity might qualify, no-turnover lacks both inputs
    got = dict(zip(e.possible["entity"], e.possible["missing"].to_list(), strict=True))
    assert got == {
        "full": ["newly_provincial_incubator"],
        "no-turnover": ["in_zone", "newly_provincial_incubator"],
        "unknown-kind": ["newly_provincial_incubator"],
        "not-transfer": ["newly_provincial_incubator"],
        "small": ["newly_provincial_incubator"],
    }


def test_a_threshold_that_is_a_parameter_shows_its_value_for_the_period():
    e = eligibility(
        FUJIAN,
        institutions(),
        "2022",
        rules=["tech-transfer"],
        parameters={"transfer_threshold": 150},
    )
    # 150 ≥ 150 now qualifies small: 150 × 3% = 4.5
    assert dict(zip(e.qualified["entity"], e.qualified["amount"], strict=True)) == {
        "full": Decimal("7.05"),
        "small": Decimal("4.5"),
    }
    need = e.possible.filter(pl.col("entity") == "no-turnover")["needs"].item().to_list()
    assert need == ["须位于高新区为“是”", "须年度技术交易额 ≥ 150"]


def test_an_unknown_amount_is_possible_with_the_amount_inputs():
    frame = frame_of([2.0]).vstack(
        pl.DataFrame(
            {"entity": ["e9"], "base": [None], "ok": [True]}, schema_overrides={"base": pl.Float64}
        )
    )
    e = eligibility(tiny_pack({"amount": "base * 2"}), frame, "2023")
    assert e.qualified.select("entity", "amount").rows() == [("e0", Decimal("4"))]
    assert e.possible.to_dicts() == [
        {
            "rule": "r",
            "entity": "e9",
            "reason": "amount",
            "missing": ["base"],
            "missing_labels": ["基数"],
            "needs": ["需提供基数以核定金额"],
        }
    ]


def test_paid_once_and_superseded_awards_bring_nothing_and_are_left_out():
    pack = grouped_pack()
    paid = pl.DataFrame({"rule": ["r3"], "entity": ["e1"], "period": ["2022"]})
    once = pack.rules[2].money.model_copy(update={"once": True})
    pack = pack.model_copy(
        update={"rules": [*pack.rules[:2], pack.rules[2].model_copy(update={"money": once})]}
    )
    e = eligibility(pack, frame_of([30, 70]), "2023", paid_before=paid)
    # e0: r 30 (r2 not met), r3 30; e1: r 70 beats r2 50 (superseded), r3 already paid in 2022
    assert e.qualified.select("rule", "entity", "amount").rows() == [
        ("r", "e0", Decimal("30")),
        ("r", "e1", Decimal("70")),
        ("r3", "e0", Decimal("30")),
    ]
    assert e.possible.is_empty()


def test_hints_for_text_equality_negation_and_a_compound_part():
    cite = {"article": "一", "quote": "q"}
    pack = tiny_pack({"amount": "10"})
    pack = Pack.model_validate(
        {
            **pack.model_dump(by_alias=True),
            "inputs": [
                {"id": "base", "label": "基数"},
                {"id": "ok", "label": "符合", "type": "bool"},
                {"id": "grade", "label": "评价结论", "type": "string"},
                {"id": "vetoed", "label": "一票否决", "type": "bool"},
            ],
            "rules": [
                {
                    "id": "r",
                    "cite": cite,
                    "applies_to": "zone",
                    "when": 'grade == "好" and not vetoed and (base > 5 or ok)',
                    "action": "commend",
                }
            ],
        }
    )
    frame = pl.DataFrame(
        {"entity": ["z"], "grade": [None], "vetoed": [None], "base": [None], "ok": [None]},
        schema={"entity": pl.String, "grade": pl.String, "vetoed": pl.Boolean,
                "base": pl.Float64, "ok": pl.Boolean},
    )  # fmt: skip
    [row] = eligibility(pack, frame, "2023").possible.to_dicts()
    assert row["missing"] == ["grade", "vetoed", "base", "ok"]
    assert row["needs"] == [
        "须评价结论 为 “好”",
        "须一票否决为“否”",
        "须满足：基数 > 5，或者符合",  # a part with "or" is described whole
        "须满足：基数 > 5，或者符合",
    ]
