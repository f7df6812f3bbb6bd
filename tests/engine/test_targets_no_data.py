"""When a target's indicator has no value in scope, `gaoxin targets` names the variables the
indicator reads (through the indicators it reads) that nothing in scope reported."""

from __future__ import annotations

import re

import polars as pl

from gaoxin.engine.facts import build_facts
from gaoxin.engine.indicators import compute
from gaoxin.engine.packs.schema import Target
from gaoxin.engine.targets import NO_DATA, no_data_reasons, targets_table, variables_read

CITE = {"article": "一、(二)", "quote": "园区地区生产总值占全省比重提升至16%"}


def province(observations: dict[tuple[str, str, str], float]):  # type: ignore[no-untyped-def]
    """四川省 (510000) > 成都市 (510100) > one zone Z1 > one enterprise E1, and the given
    (entity, variable, year) → value observations; the province's indicators for 2025."""
    entities = pl.DataFrame(
        {
            "entity": ["510000", "510100", "Z1", "E1"],
            "kind": ["province", "city", "zone", "enterprise"],
            "name": ["四川省", "成都市", "成都高新区", "企业甲"],
            "parent": [None, "510000", "510100", "Z1"],
            "level": [None, None, "national", None],
        }
    )
    keys = list(observations)
    obs = pl.DataFrame(
        {
            "entity": [k[0] for k in keys],
            "variable": [k[1] for k in keys],
            "period": [k[2] for k in keys],
            "value": list(observations.values()),
        }
    )
    facts = build_facts(entities, obs, None)
    return facts, compute(None, facts, ["2025"])


def target(tid: str, indicator: str, scope: str = "jurisdiction") -> Target:
    return Target.model_validate(
        {"id": tid, "cite": CITE, "indicator": indicator, "value": 16, "deadline": 2027}
        | {"scope": scope}
    )


def test_variables_read_goes_through_the_indicators_an_indicator_reads():
    _, res = province({("Z1", "gdp", "2025"): 100.0})
    # province_gdp_share = 100 * sum(gdp) / province_gdp
    assert variables_read("province_gdp_share", res.formulas, res.namespace) == [
        "gdp",
        "province_gdp",
    ]
    # tech_contract_per_capita = 10000 * tech_contract_turnover_total / sum(employees), and
    # tech_contract_turnover_total = sum(tech_contract_turnover) + sum(institution_…, where=…)
    assert variables_read("tech_contract_per_capita", res.formulas, res.namespace) == [
        "tech_contract_turnover",
        "institution_tech_contract_turnover",
        "employees",
    ]


def test_the_message_names_the_variables_with_no_value_in_scope():
    # the zone reported its GDP, the province's own GDP only for 2026 (after the year assessed)
    facts, res = province(
        {("Z1", "gdp", "2025"): 100.0, ("E1", "employees", "2025"): 50.0}
        | {("510000", "gdp", "2026"): 1000.0}
    )
    assert res.value("510000", "2025", "province_gdp_share") is None  # so no row to assess

    def why_for(targets: list[Target], jurisdiction: str, as_of: int) -> dict[str, str]:
        return no_data_reasons(
            targets,
            res.formulas,
            res.namespace,
            facts.observations,
            facts.entities,
            jurisdiction=jurisdiction,
            as_of=as_of,
        )

    targets = [
        target("gdp-share", "province_gdp_share"),
        target("tech", "tech_contract_per_capita", "each_zone"),
    ]
    why = why_for(targets, "510000", 2025)
    assert why == {
        "gdp-share": f"{NO_DATA}：所读变量「全省地区生产总值」截至2025年没有数值",
        "tech": f"{NO_DATA}：所读变量「技术合同成交额」、「机构技术合同成交额」截至2025年没有数值",
    }
    # from 2026 on the province's GDP is there: the message no longer blames it
    later = why_for(targets[:1], "510000", 2026)
    assert later == {"gdp-share": NO_DATA}
    # and a value reported outside the jurisdiction does not count for it
    outside = why_for(targets[:1], "510100", 2026)
    assert "全省地区生产总值" in outside["gdp-share"]
    # the notes name variables as the catalogue does in Chinese, never by code (pages show them)
    assert not any(re.search(r"[a-z]_[a-z]", w) for w in (*why.values(), *outside.values()))


def test_the_table_prints_the_reason_on_the_targets_row():
    t = target("gdp-share", "province_gdp_share")
    empty = pl.DataFrame(schema={"target": pl.String})
    why = {"gdp-share": f"{NO_DATA}：所读变量 province_gdp（全省地区生产总值）截至2025年没有数值"}
    [row] = targets_table([t], empty, {}, {}, why).to_dicts()
    assert (row["状态"], row["说明"]) == ("无法计算", why["gdp-share"])
    [plain] = targets_table([t], empty, {}, {}).to_dicts()
    assert plain["说明"] == NO_DATA
