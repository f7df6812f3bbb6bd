"""The rules engine on tiny frames, each expectation computed by hand in the test."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaoxin.engine.packs import Pack, load_pack
from gaoxin.engine.problems import ProblemsError
from gaoxin.engine.rules import consecutive_failures, run_rules

DATA = Path(__file__).parent / "packs" / "data"
FUJIAN = load_pack(DATA / "fujian")
GANSU = load_pack(DATA / "gansu")
W = Decimal


def institutions(
    turnover: list[float | None],
    provincial: list[bool] | None = None,
    national: list[bool] | None = None,
) -> pl.DataFrame:
    n = len(turnover)
    return pl.DataFrame(
        {
            "entity": [f"i{k}" for k in range(n)],
            "kind": ["institution"] * n,
            "tech_turnover": turnover,
            "is_tech_transfer": [True] * n,
            "in_zone": [True] * n,
            "newly_provincial_incubator": provincial or [False] * n,
            "newly_national_incubator": national or [False] * n,
        },
        schema_overrides={"tech_turnover": pl.Float64},
    )


def amounts(out: Any, rule: str) -> dict[str, Decimal]:
    led = out.ledger.filter(pl.col("rule") == rule)
    return dict(zip(led["entity"], led["amount"], strict=True))


# --- Fujian 四(九): 3% of technology transactions of 200万 and more, at most 100万 a year --------


def test_fujian_tech_transfer_threshold_rate_and_cap():
    out = run_rules(FUJIAN, institutions([200, 199.99, 4000, 235]), "2022")
    # 200 × 3% = 6; 199.99 is below the threshold; 4000 × 3% = 120 > 100; 235 × 3% = 7.05
    assert amounts(out, "tech-transfer") == {"i0": W("6"), "i2": W("100"), "i3": W("7.05")}
    capped = out.trace("tech-transfer", "i2")
    assert capped["capped_by"] == ["cap"]
    assert capped["raw"] == pytest.approx(120.0)
    assert (
        capped["tiered_fen"],
        capped["floored_fen"],
        capped["cap_fen"],
        capped["amount_fen"],
    ) == (
        120_000_000,
        120_000_000,
        100_000_000,
        100_000_000,
    )
    assert out.trace("tech-transfer", "i0")["capped_by"] == []


def test_fujian_tech_transfer_trace_sentence_inputs_and_citation():
    out = run_rules(FUJIAN, institutions([235]), "2022")
    t = out.trace("tech-transfer", "i0")
    assert t["text"] == (
        "依据《促进高新技术产业开发区高质量发展实施方案》四、(九)：年度技术交易额 235 万元 ≥ 200 万元，"
        "按 3% 计 7.05 万元，未超过单个机构年度上限 100 万元，核定 7.05 万元。"
    )
    assert t["article"] == "四、(九)" and "单个机构每年奖励最高不超过100万元" in t["quote"]
    assert json.loads(t["inputs"]) == {
        "is_tech_transfer": True,
        "in_zone": True,
        "tech_turnover": 235.0,
        "transfer_threshold": 200.0,
        "transfer_rate": 0.03,
    }
    assert t["amount_fen"] == 70_500 * 100 and t["amount"] == W("7.05")


def test_missing_input_is_undetermined_not_paid_or_refused():
    out = run_rules(FUJIAN, institutions([None, 300]), "2022")
    assert amounts(out, "tech-transfer") == {"i1": W("9")}
    und = out.undetermined.filter(pl.col("rule") == "tech-transfer")
    assert und["entity"].to_list() == ["i0"] and und["missing"].to_list() == [["tech_turnover"]]


def test_a_rule_is_not_run_before_the_pack_takes_effect():
    # the Fujian pack takes effect on 2021-07-27: the year 2020 ends before it
    assert run_rules(FUJIAN, institutions([500]), "2020").ledger.is_empty()
    assert not run_rules(FUJIAN, institutions([500]), "2021").ledger.is_empty()


def test_fujian_incubator_awards_are_one_off_per_level():
    first = run_rules(FUJIAN, institutions([0, 0], [True, False], [False, False]), "2022")
    assert amounts(first, "incubator-provincial") == {"i0": W("100")}
    # i0 is upgraded to national the next year: the national award is its own one-off (150, not
    # the 50 difference; see the rule's interpretation); i1 is recognised provincial now
    later = run_rules(
        FUJIAN, institutions([0, 0], [False, True], [True, False]), "2023", paid_before=first.ledger
    )
    assert amounts(later, "incubator-national") == {"i0": W("150")}
    assert amounts(later, "incubator-provincial") == {"i1": W("100")}


# --- Fujian 八(二十二): rank gains ---------------------------------------------------------------


def zones(rank_prev: list[int], rank: list[int], level: list[str] | None = None) -> pl.DataFrame:
    n = len(rank)
    return pl.DataFrame(
        {
            "entity": [f"z{k}" for k in range(n)],
            "kind": ["zone"] * n,
            "level": level or ["national"] * n,
            "rank": rank,
            "rank_prev": rank_prev,
        },
        schema_overrides={"rank": pl.Float64, "rank_prev": pl.Float64},
    )


def test_fujian_rank_promotion():
    out = run_rules(
        FUJIAN,
        zones(
            [41, 60, 105, 103, 160, 120, 30, 50],
            [40, 55, 95, 101, 150, 120, 31, 45],
            ["national"] * 7 + ["provincial"],
        ),
        "2023",
    )
    assert amounts(out, "rank-promotion") == {
        "z0": W("100"),  # 1 place in the top 100: 100
        "z1": W("300"),  # 5 places × 100 = 500, capped at 300
        # crosses the top-100 line, 105 → 95: read by the rank reached (interpretation), 10 × 100
        # = 1000, capped at 300
        "z2": W("300"),
        "z3": W("100"),  # 2 places outside the top 100: 2 × 50
        "z4": W("150"),  # 10 × 50 = 500, capped at 150
        # z5 no gain, z6 fell, z7 is provincial: nothing
    }
    assert out.trace("rank-promotion", "z4")["cap_fen"] == 150_000_000
    assert "按晋升后的名次划档" in out.trace("rank-promotion", "z2")["interpretation"]
    led = out.ledger.filter(pl.col("rule") == "rank-commend")
    assert led["entity"].to_list() == ["z0", "z6"] and set(led["action"]) == {"commend"}
    assert out.trace("rank-commend", "z0")["text"].endswith("，通报表扬。")


# --- Gansu ----------------------------------------------------------------------------------


def enterprises(
    hte: list[bool], sti: list[bool] | None = None, funds: list[float] | None = None
) -> pl.DataFrame:
    n = len(hte)
    return pl.DataFrame(
        {
            "entity": [f"e{k}" for k in range(n)],
            "kind": ["enterprise"] * n,
            "newly_certified_hte": hte,
            "newly_certified_sti": sti or [False] * n,
            "national_project_funds": funds or [0.0] * n,
        }
    )


def test_gansu_new_hte_is_paid_once_ever():
    frame = enterprises([True, True, False])
    first = run_rules(GANSU, frame, "2023")
    assert amounts(first, "new-hte") == {"e0": W("20"), "e1": W("20")}
    # the 2023 ledger is the past for 2024; e0 shows up as newly certified again (re-certified)
    again = run_rules(GANSU, enterprises([True, False, True]), "2024", paid_before=first.ledger)
    assert amounts(again, "new-hte") == {"e0": W("0"), "e2": W("20")}
    t = again.trace("new-hte", "e0")
    assert t["capped_by"] == ["once"] and "2023" in t["text"] and "不再重复发放" in t["text"]
    assert again.trace("new-hte", "e2")["text"] == (
        "依据《甘肃省科技厅关于促进高新技术产业开发区高质量发展的若干措施》四、10："
        "新认定为高新技术企业，给予一次性奖补 20 万元，核定 20 万元。"
    )


def test_gansu_new_national_zone_floor_paid_next_year():
    frame = pl.DataFrame(
        {
            "entity": ["lz", "by", "jc"],
            "kind": ["zone"] * 3,
            "newly_national": [True, True, False],
            "negotiated_award": [None, 6000.0, None],
        }
    )
    out = run_rules(GANSU, frame, "2023", rules=["new-national-zone"])
    # no negotiated amount: 0 raised to the floor 5000; 6000 is above it
    assert amounts(out, "new-national-zone") == {"by": W("6000"), "lz": W("5000")}
    assert out.ledger.filter(pl.col("rule") == "new-national-zone")["paid_in"].to_list() == [
        2024,
        2024,
    ]
    lz = out.trace("new-national-zone", "lz")
    assert (lz["tiered_fen"], lz["floor_fen"], lz["floored_fen"]) == (
        0,
        5_000_000_000,
        5_000_000_000,
    )
    assert "低于下限 5000 万元，按下限计" in lz["text"]
    assert "不低于下限 5000 万元" in out.trace("new-national-zone", "by")["text"]


def test_gansu_5_national_projects_ten_percent_up_to_300():
    # 299.99: below 300; 300 → 30; 2500 → 250; 3500 → 350 capped at 300
    out = run_rules(GANSU, enterprises([False] * 4, funds=[299.99, 300, 2500, 3500]), "2023")
    assert amounts(out, "national-project") == {"e1": W("30"), "e2": W("250"), "e3": W("300")}
    assert "超过单位年度最高额度 300 万元，按上限计" in out.trace("national-project", "e3")["text"]


def test_budget_overflow_is_prorated_to_the_unit_by_largest_remainder():
    # 4 new HTEs × 20 + 1 STI × 5 = 85 > the budget line of 50 under which both rules fall.
    # In units of 0.01万: limit 5000; shares 2000×5000/8500 = 1176 rem 4000 and 500×5000/8500 =
    # 294 rem 1000; 4×1176 + 294 = 4998, so the 2 largest remainders (new-hte e0, e1) get +1.
    out = run_rules(GANSU, enterprises([True] * 4 + [False], [False] * 4 + [True]), "2023")
    assert amounts(out, "new-hte") == {
        "e0": W("11.77"),
        "e1": W("11.77"),
        "e2": W("11.76"),
        "e3": W("11.76"),
    }
    assert amounts(out, "new-sti") == {"e4": W("2.94")}
    assert out.total() == W("50")
    t = out.trace("new-hte", "e2")
    assert t["capped_by"] == ["budget:hte-fund"] and t["capped_fen"] == 20_000_000
    assert "高企奖补资金总额 50 万元不足，按比例核减" in t["text"]


def test_budget_not_reached_leaves_awards_alone():
    out = run_rules(GANSU, enterprises([True, True]), "2023")
    assert out.total() == W("40") and out.ledger["capped_by"].list.len().sum() == 0


def test_gansu_20_revoke_after_two_consecutive_fails():
    history = pl.DataFrame(
        {
            "entity": ["a", "b", "b", "c", "c", "c"],
            "period": ["2023", "2022", "2023", "2021", "2022", "2023"],
            "grade": ["不合格", "不合格", "不合格", "不合格", "合格", "不合格"],
        }
    )
    runs = consecutive_failures(history, "grade", "不合格")
    assert runs.sort("entity", "period")["consecutive_failures"].to_list() == [1, 1, 2, 1, 0, 1]
    frame = runs.filter(pl.col("period") == "2023").with_columns(
        kind=pl.lit("zone"), zone_level=pl.lit("provincial")
    )
    out = run_rules(GANSU, frame, "2023", rules=["revoke-after-two-fails"])
    # a: first failure; b: second in a row; c: fail–pass–fail
    led = out.ledger.filter(pl.col("rule") == "revoke-after-two-fails")
    assert led["entity"].to_list() == ["b"] and led["action"].to_list() == ["revoke"]
    assert out.trace("revoke-after-two-fails", "b")["text"].endswith(
        "连续 2 次评价不合格，撤销资格。"
    )


# --- parameters -----------------------------------------------------------------------------


def tiny_pack(money: dict[str, Any], **extra: Any) -> Pack:
    cite = {"article": "一", "quote": "q"}
    return Pack.model_validate(
        {
            "format": 1,
            "id": "t",
            "title": "测试",
            "issuer": "x",
            "issued": "2023-01-01",
            "inputs": [
                {"id": "base", "label": "基数"},
                {"id": "ok", "label": "符合", "type": "bool"},
            ],
            "parameters": [{"id": "subsidy", "label": "孵化器补贴", "cite": cite}],
            "rules": [
                {"id": "r", "cite": cite, "applies_to": "enterprise", "when": "ok", "money": money}
            ],
            **extra,
        }
    )


def frame_of(bases: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {"entity": [f"e{i}" for i in range(len(bases))], "base": bases, "ok": [True] * len(bases)},
        schema_overrides={"base": pl.Float64},
    )


def test_an_unset_parameter_is_a_clear_error_and_can_be_set():
    pack = tiny_pack({"amount": "subsidy"})
    with pytest.raises(ProblemsError) as e:
        run_rules(pack, frame_of([1]), "2023")
    [p] = e.value.problems
    assert p.code == "rules.parameter_unset" and p.value == "subsidy"
    assert "孵化器补贴" in p.message and "parameters=" in p.message
    out = run_rules(pack, frame_of([1]), "2023", parameters={"subsidy": "30"})
    assert out.total() == W("30")
    with pytest.raises(ProblemsError):
        run_rules(pack, frame_of([1]), "2023", parameters={"subsdy": 30})


def test_an_unset_parameter_not_read_by_any_rule_is_fine():
    assert run_rules(tiny_pack({"amount": "base"}), frame_of([3]), "2023").total() == W("3")


# --- tiers, rounding, rule caps -------------------------------------------------------------


def test_marginal_tiers():
    # 5% of the first 100, 3% of 100–500, 1% above: 300 → 5 + 6 = 11; 800 → 5 + 12 + 3 = 20
    tiers = {
        "mode": "marginal",
        "brackets": [
            {"from": 0, "to": 100, "rate": 0.05},
            {"from": 100, "to": 500, "rate": 0.03},
            {"from": 500, "rate": 0.01},
        ],
    }
    out = run_rules(tiny_pack({"amount": "base", "tiers": tiers}), frame_of([50, 300, 800]), "2023")
    assert amounts(out, "r") == {"e0": W("2.5"), "e1": W("11"), "e2": W("20")}


def test_step_tiers():
    # below 100: nothing; [100, 500): 10; 500 and more: 30
    tiers = {"brackets": [{"from": 100, "to": 500, "amount": 10}, {"from": 500, "amount": 30}]}
    out = run_rules(
        tiny_pack({"amount": "base", "tiers": tiers}), frame_of([99.99, 100, 499, 500]), "2023"
    )
    assert amounts(out, "r") == {"e0": W("0"), "e1": W("10"), "e2": W("10"), "e3": W("30")}


def test_rounding_half_up_to_the_declared_unit():
    # 0.005万 is 50元: half up to 0.01万; 0.0049万 down to 0; to the 分: 1.234567万 → 12345.67元
    out = run_rules(tiny_pack({"amount": "base"}), frame_of([0.005, 0.0049, 1.234567]), "2023")
    assert amounts(out, "r") == {"e0": W("0.01"), "e1": W("0"), "e2": W("1.23")}
    fen = run_rules(tiny_pack({"amount": "base"}, rounding="1分"), frame_of([1.234567]), "2023")
    assert amounts(fen, "r") == {"e0": W("1.234567")}
    down = run_rules(
        tiny_pack({"amount": "base"}, rounding_mode="down"), frame_of([0.0099]), "2023"
    )
    assert amounts(down, "r") == {"e0": W("0")}


def test_float_noise_does_not_move_a_half():
    # 0.03 × 235 is 7.050000000000001 in floats, 1.15 × 1 is 1.15 (stored as 1.149999…)
    out = run_rules(tiny_pack({"amount": "0.03 * base"}), frame_of([235]), "2023")
    assert amounts(out, "r") == {"e0": W("7.05")}
    out = run_rules(tiny_pack({"amount": "base"}, rounding="1元"), frame_of([1.00005]), "2023")
    assert amounts(out, "r") == {"e0": W("1.0001")}


def test_rule_cap_prorates_the_clause_total():
    # 30 + 30 + 40 = 100 > 50: 1500, 1500, 2000 units (0.01万) of 5000 → exactly 15, 15, 20
    out = run_rules(tiny_pack({"amount": "base", "rule_cap": 50}), frame_of([30, 30, 40]), "2023")
    assert amounts(out, "r") == {"e0": W("15"), "e1": W("15"), "e2": W("20")}
    assert set(map(tuple, out.ledger["capped_by"])) == {("rule_cap",)}
    t = out.trace("r", "e2")
    assert (t["capped_fen"], t["rule_cap_fen"], t["after_rule_cap_fen"]) == (
        40_000_000,
        50_000_000,
        20_000_000,
    )
    assert "本条款年度总额 50 万元不足，按比例核减" in t["text"]


# --- properties ------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(money, min_size=1, max_size=20))
def test_property_tech_transfer_matches_decimal_and_never_exceeds_the_cap(turnovers):
    out = run_rules(FUJIAN, institutions([float(t) for t in turnovers]), "2022")
    got = amounts(out, "tech-transfer")
    want = {
        f"i{k}": min((t * W("0.03")).quantize(W("0.01"), rounding=ROUND_HALF_UP), W(100))
        for k, t in enumerate(turnovers)
        if t >= 200
    }
    assert got == want
    assert all(v <= 100 for v in got.values())
    assert out.total() == sum(want.values(), W(0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(money, min_size=1, max_size=20), st.decimals(min_value=1, max_value=50_000, places=2)
)
def test_property_a_rule_cap_is_never_exceeded_and_is_met_exactly_when_it_binds(bases, cap):
    out = run_rules(
        tiny_pack({"amount": "base", "rule_cap": str(cap)}),
        frame_of([float(b) for b in bases]),
        "2023",
    )
    total = out.total()
    raw = sum(bases, W(0))
    if raw <= cap:
        assert total == raw
    else:
        assert total == cap
    got = amounts(out, "r")
    assert all(got[f"e{k}"] <= b for k, b in enumerate(bases))
    assert sum(got.values(), W(0)) == total


def test_a_funding_line_without_amount_pays_in_full_while_a_capped_line_still_prorates():
    # r pays base (70 + 90 = 160) under an uncapped funding line: nothing is cut, however large;
    # r3 pays 30 to each of e0, e1 (60) under a line capped at 40 → 20 + 20 (3000 of 6000
    # units × 4000 = 2000 each, exact). The order of declaration does not matter to r.
    cite = {"article": "一", "quote": "q"}
    budgets = [
        {"id": "province", "label": "省级财政", "rules": ["r", "r2"], "cite": cite},
        {"id": "capped", "label": "专项资金", "amount": 40, "rules": ["r3"], "cite": cite},
    ]
    pack = grouped_pack(budgets=budgets)
    assert pack.budgets[0].amount is None
    out = run_rules(pack, frame_of([70, 90]), "2023", rules=["r", "r3"])
    got = {(r["rule"], r["entity"]): r["amount"] for r in out.ledger.to_dicts()}
    assert got == {
        ("r", "e0"): W("70"),
        ("r", "e1"): W("90"),
        ("r3", "e0"): W("20"),
        ("r3", "e1"): W("20"),
    }
    assert out.trace("r", "e1")["capped_by"] == []
    assert "省级财政" not in out.trace("r", "e1")["text"]
    assert out.trace("r3", "e0")["capped_by"] == ["budget:capped"]
    assert "专项资金总额 40 万元不足，按比例核减" in out.trace("r3", "e0")["text"]
    assert "after_province_fen" not in out.ledger.columns


def test_a_budget_amount_is_still_checked_when_given(tmp_path: Path):
    # the same pack with a funding line that has no amount loads; a bad amount is still an error
    src = (DATA / "gansu" / "pack.yaml").read_text(encoding="utf-8")
    assert "    amount: 50\n    rules: [new-hte, new-sti]" in src
    for name, amount in (("ok", ""), ("bad", "    amount: newly_certified_hte\n")):
        d = tmp_path / name
        d.mkdir()
        d.joinpath("document.txt").write_text(
            (DATA / "gansu" / "document.txt").read_text(encoding="utf-8"), encoding="utf-8"
        )
        d.joinpath("pack.yaml").write_text(
            src.replace("    amount: 50\n", amount), encoding="utf-8"
        )
    assert load_pack(tmp_path / "ok").spec.budgets[0].amount is None
    with pytest.raises(ProblemsError) as e:
        load_pack(tmp_path / "bad")
    assert any(p.column == "budgets.amount" for p in e.value.problems)


def test_a_budget_per_entity_and_year_caps_an_entity_across_rules():
    # two rules pay the same entity 30 + 30; at most 40 per entity a year across both:
    # 3000, 3000 units of 4000 → 2000 each (exact); e1 only gets 30 under the first: untouched
    cite = {"article": "一", "quote": "q"}
    pack = tiny_pack(
        {"amount": "base"},
        budgets=[
            {
                "id": "per-entity",
                "label": "单个主体年度奖励",
                "amount": 40,
                "per": "entity_year",
                "cite": cite,
            }
        ],
    )
    pack = pack.model_copy(
        update={
            "rules": [
                *pack.rules,
                pack.rules[0].model_copy(update={"id": "r2", "when": "base > 40"}),
            ]
        }
    )
    out = run_rules(pack, frame_of([30, 50]), "2023")
    got = {(r["rule"], r["entity"]): r["amount"] for r in out.ledger.to_dicts()}
    # e0: only r (30 ≤ 40); e1: r 50 + r2 50 = 100 > 40 → 20 + 20
    assert got == {("r", "e0"): W("30"), ("r", "e1"): W("20"), ("r2", "e1"): W("20")}


def test_dated_parameter_values_and_rule_effective_dates():
    cite = {"article": "一", "quote": "q"}
    pack = Pack.model_validate(
        {
            "format": 1,
            "id": "t",
            "title": "测试",
            "issuer": "x",
            "issued": "2023-01-01",
            "inputs": [{"id": "ok", "label": "符合", "type": "bool"}],
            "parameters": [
                {
                    "id": "award",
                    "label": "奖励",
                    "cite": cite,
                    "values": [
                        {"from": "2023-01-01", "value": 20},
                        {"from": "2025-01-01", "value": 25},
                    ],
                }
            ],
            "rules": [
                {
                    "id": "r",
                    "cite": cite,
                    "applies_to": "enterprise",
                    "when": "ok",
                    "effective": {"from": "2023-01-01", "to": "2025-12-31"},
                    "money": {"amount": "award"},
                }
            ],
        }
    )
    f = pl.DataFrame({"entity": ["e"], "ok": [True]})
    assert [run_rules(pack, f, y).total() for y in ("2022", "2024", "2025", "2026")] == [
        W(0),
        W(20),
        W(25),
        W(0),
    ]
    # a value passed at run time overrides the pack's
    assert run_rules(pack, f, "2024", parameters={"award": "22.5"}).total() == W("22.5")


def test_an_amount_that_cannot_be_computed_is_undetermined():
    out = run_rules(
        tiny_pack({"amount": "base * 2"}),
        frame_of([1.0]).vstack(
            pl.DataFrame(
                {"entity": ["e9"], "base": [None], "ok": [True]},
                schema_overrides={"base": pl.Float64},
            )
        ),
        "2023",
    )
    assert amounts(out, "r") == {"e0": W("2")}
    assert out.undetermined.to_dicts() == [
        {"rule": "r", "entity": "e9", "reason": "amount", "missing": ["base"]}
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.booleans(), min_size=1, max_size=30),
    st.lists(st.booleans(), min_size=1, max_size=30),
)
def test_property_a_budget_line_is_met_exactly_and_never_exceeded(hte, sti):
    n = min(len(hte), len(sti))
    out = run_rules(GANSU, enterprises(hte[:n], sti[:n]), "2023", rules=["new-hte", "new-sti"])
    raw = W(20) * sum(hte[:n]) + W(5) * sum(sti[:n])
    total = out.total()
    assert total == min(raw, W(50))
    for r in out.traces.to_dicts():
        assert 0 <= r["amount_fen"] <= r["capped_fen"]
        assert r["amount"] == W(r["amount_fen"]) / 1_000_000


# --- precedence: 就高不重复 -------------------------------------------------------------------


def grouped_pack(**extra: Any) -> Pack:
    """Three money rules on one entity kind: r pays ``base``, r2 pays 50 when ``base > 40``,
    r3 pays 30 when ``ok``; r and r2 form a 就高不重复 group listed (r2, r)."""
    cite = {"article": "一", "quote": "q"}
    pack = tiny_pack({"amount": "base"}, **extra)
    r = pack.rules[0]
    rules = [
        r,
        r.model_copy(update={"id": "r2", "title": "二号奖励", "when": "base > 40"}),
        r.model_copy(update={"id": "r3"}),
    ]
    rules[1] = rules[1].model_copy(
        update={"money": rules[1].money.model_copy(update={"amount": "50"})}
    )
    rules[2] = rules[2].model_copy(
        update={"money": rules[2].money.model_copy(update={"amount": "30"})}
    )
    group = {"id": "g", "label": "同类奖励", "rules": ["r2", "r"], "cite": cite}
    return Pack.model_validate(
        {
            **pack.model_dump(by_alias=True),
            "rules": [x.model_dump(by_alias=True) for x in rules],
            "groups": [group],
        }
    )


def test_a_group_pays_only_the_highest_award_and_traces_the_other_as_superseded():
    out = run_rules(grouped_pack(), frame_of([30, 70, 50]), "2023")
    got = {(r["rule"], r["entity"]): r["amount"] for r in out.ledger.to_dicts()}
    # e0: r 30, r2 not met → r 30. e1: r 70 > r2 50 → r paid, r2 superseded.
    # e2: r 50 = r2 50, a tie → r2, listed first in the group, is paid. r3 is outside the group.
    assert got == {
        ("r", "e0"): W("30"),
        ("r", "e1"): W("70"),
        ("r2", "e1"): W("0"),
        ("r", "e2"): W("0"),
        ("r2", "e2"): W("50"),
        ("r3", "e0"): W("30"),
        ("r3", "e1"): W("30"),
        ("r3", "e2"): W("30"),
    }
    lost = out.trace("r2", "e1")
    assert lost["superseded_by"] == "r"
    assert lost["capped_by"] == ["group:g"]
    assert lost["capped_fen"] == 50_000_000  # what it would have paid is kept in the trace
    assert lost["text"].endswith(
        "；同类奖励就高不重复，本期已按「r」核定，本项不再发放，核定 0 万元。"
    )
    tie = out.trace("r", "e2")
    assert tie["superseded_by"] == "r2"
    assert "本期已按「二号奖励」核定" in tie["text"]
    assert out.trace("r", "e1")["superseded_by"] is None
    assert out.total() == W(30 + 70 + 50 + 3 * 30)


def test_a_superseded_award_takes_no_share_of_a_budget():
    cite = {"article": "一", "quote": "q"}
    budget = {"id": "b", "label": "资金", "amount": 100, "rules": ["r", "r2"], "cite": cite}
    out = run_rules(grouped_pack(budgets=[budget]), frame_of([70, 90]), "2023", rules=["r", "r2"])
    # after the group: e0 r 70, e1 r 90 (r2's 50s are superseded) = 160 > 100
    # → 100 × 70/160 = 43.75, 100 × 90/160 = 56.25 (exact to 0.01万元)
    got = {(r["rule"], r["entity"]): r["amount"] for r in out.ledger.to_dicts()}
    assert got == {
        ("r", "e0"): W("43.75"),
        ("r", "e1"): W("56.25"),
        ("r2", "e0"): W("0"),
        ("r2", "e1"): W("0"),
    }


def test_a_group_entry_already_paid_once_does_not_block_the_other():
    pack = grouped_pack()
    once = pack.rules[0].money.model_copy(update={"once": True})
    rules = [pack.rules[0].model_copy(update={"money": once}), *pack.rules[1:]]
    pack = pack.model_copy(update={"rules": rules})
    paid = pl.DataFrame({"rule": ["r"], "entity": ["e0"], "period": ["2022"]})
    out = run_rules(pack, frame_of([70]), "2023", paid_before=paid, rules=["r", "r2"])
    # r would pay 70 but was paid in 2022 (once → 0); r2's 50 is then the highest
    got = {(r["rule"], r["entity"]): r["amount"] for r in out.ledger.to_dicts()}
    assert got == {("r", "e0"): W("0"), ("r2", "e0"): W("50")}
    assert out.trace("r", "e0")["capped_by"] == ["once", "group:g"]
