"""Indicators the five packs' targets (发展目标) read: each checked against a hand calculation from
the raw observations, certifications and zone registry of a demo jurisdiction, or of a small
hand-made one where the thresholds matter (no demo zone makes 1万亿元)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import FactFrame, build_facts, from_synth
from gaoxin.engine.indicators import compute, default_indicators
from gaoxin.engine.packs import load_pack
from gaoxin.engine.targets import IndicatorInfo, target_series, unavailable_reason

PACKS = Path(__file__).parents[2] / "src" / "gaoxin" / "packs"


@pytest.fixture(scope="module")
def taizhou() -> synth.Jurisdiction:
    return synth.generate("taizhou", scale=0.5)


@pytest.fixture(scope="module")
def taizhou_result(taizhou: synth.Jurisdiction):  # type: ignore[no-untyped-def]
    return compute(None, from_synth(taizhou), ["2020", "2025"])


@pytest.fixture(scope="module")
def sichuan() -> synth.Jurisdiction:
    return synth.generate("sichuan", scale=0.3)


@pytest.fixture(scope="module")
def sichuan_result(sichuan: synth.Jurisdiction):  # type: ignore[no-untyped-def]
    return compute(None, from_synth(sichuan), ["2025"])


def _members(j: synth.Jurisdiction, zone: str, year: int) -> set[str]:
    firms = j.enterprises.filter(
        (pl.col("zone_code") == zone)
        & (pl.col("joined_on") <= date(year, 12, 31))
        & (pl.col("left_on").is_null() | (pl.col("left_on") >= date(year, 1, 1)))
    )
    return set(firms["uscc"].to_list())


def _holders(j: synth.Jurisdiction, kind: str, year: int) -> set[str]:
    """Entities holding ``kind`` at the end of ``year``, read row by row from the certificates."""
    end = date(year, 12, 31)
    held = set()
    for c in j.certifications.filter(pl.col("kind") == kind).iter_rows(named=True):
        if c["granted_on"] > end:
            continue
        if c["expires_on"] is not None and c["expires_on"] < end:
            continue
        if c["revoked_on"] is not None and c["revoked_on"] <= end:
            continue
        held.add(c["entity_key"])
    return held


def _zones_in_force(j: synth.Jurisdiction, year: int) -> list[str]:
    """Zones approved by the end of ``year`` and not revoked by then (the registry's history)."""
    end = date(year, 12, 31)
    events = j.zone_events.filter((pl.col("status") == "revoked") & (pl.col("date") <= end))
    revoked = set(events["zone_code"].to_list())
    return [
        z["code"]
        for z in j.zones.iter_rows(named=True)
        if z["approved_on"] <= end and z["code"] not in revoked
    ]


def _value(j: synth.Jurisdiction, key: str, variable: str, period: str) -> float | None:
    obs = synth.latest_observations(j.observations).filter(
        (pl.col("entity_key") == key)
        & (pl.col("variable") == variable)
        & (pl.col("period") == period)
    )
    return obs["value"].item() if obs.height else None


# -- Taizhou 一(二): the city's zones taken together -----------------------------------------------
def test_city_hte_share_of_above_scale_by_hand(taizhou: synth.Jurisdiction, taizhou_result) -> None:  # type: ignore[no-untyped-def]
    hte, above = _holders(taizhou, "hte", 2025), _holders(taizhou, "above_scale", 2025)
    numerator = denominator = 0
    for zone in _zones_in_force(taizhou, 2025):
        firms = _members(taizhou, zone, 2025)
        n_above, n_both = len(firms & above), len(firms & above & hte)
        assert taizhou_result.value(zone, "2025", "above_scale_enterprises") == n_above
        assert taizhou_result.value(zone, "2025", "hte_above_scale_enterprises") == n_both
        numerator += n_both
        denominator += n_above
    assert denominator > 0
    # the city's share is the ratio of the totals, not the mean of the zones' shares
    assert taizhou_result.value("331000", "2025", "city_hte_share_of_above_scale") == (
        pytest.approx(100 * numerator / denominator)
    )


def test_city_hightech_va_share_by_hand(taizhou: synth.Jurisdiction, taizhou_result) -> None:  # type: ignore[no-untyped-def]
    above = _holders(taizhou, "above_scale", 2025)
    hightech_va = above_scale_va = 0.0
    for zone in _zones_in_force(taizhou, 2025):
        own = _value(taizhou, zone, "hightech_industry_value_added", "2025")
        assert taizhou_result.value(zone, "2025", "hightech_va_total") == own
        hightech_va += own or 0.0
        for firm in _members(taizhou, zone, 2025) & above:
            above_scale_va += _value(taizhou, firm, "industrial_value_added", "2025") or 0.0
    assert taizhou_result.value("331000", "2025", "city_hightech_va_share") == pytest.approx(
        100 * hightech_va / above_scale_va
    )


def test_national_zones_per_city_counts_the_registry(
    taizhou: synth.Jurisdiction, taizhou_result
) -> None:  # type: ignore[no-untyped-def]
    # 台州高新区 is provincial in the demo (the target is that it becomes national by 2027); the
    # demo's sixth zone was revoked in 2024 and no longer counts
    in_force = _zones_in_force(taizhou, 2025)
    national = [z for z in in_force if z.startswith("331000N")]
    assert taizhou_result.value("331000", "2025", "national_zones_per_city") == len(national) == 0
    assert taizhou_result.value("331000", "2025", "zones_per_city") == len(in_force) == 5


# -- Sichuan 一(二): the zones' shares of the province ---------------------------------------------
@pytest.mark.parametrize(
    ("indicator", "variable"),
    [
        ("province_gdp_share", "gdp"),
        ("province_hightech_revenue_share", "hightech_industry_revenue"),
        ("province_tech_service_share", "tech_service_revenue"),
    ],
)
def test_province_shares_by_hand(
    sichuan: synth.Jurisdiction,
    sichuan_result,  # type: ignore[no-untyped-def]
    indicator: str,
    variable: str,
) -> None:
    zones_total = 0.0
    for zone in sichuan.zones["code"]:
        zones_total += _value(sichuan, zone, variable, "2025") or 0.0
    province = _value(sichuan, "510000", variable, "2025")
    assert province is not None and province > zones_total > 0
    assert sichuan_result.value("510000", "2025", indicator) == pytest.approx(
        100 * zones_total / province
    )


# -- zone counts by revenue band and level, on a hand-made province ------------------------------
def _province(revenues: dict[str, float], levels: dict[str, str]) -> FactFrame:
    """One province (510000), one city, and one zone per entry holding one enterprise with the
    given 2025 revenue (万元)."""
    zones = sorted(revenues)
    entities = pl.DataFrame(
        {
            "entity": ["510000", "510100", *zones, *[f"E{z}" for z in zones]],
            "kind": ["province", "city", *["zone"] * len(zones), *["enterprise"] * len(zones)],
            "name": ["四川省", "成都市", *zones, *[f"企业{z}" for z in zones]],
            "parent": [None, "510000", *["510100"] * len(zones), *zones],
            "level": [None, None, *[levels[z] for z in zones], *[None] * len(zones)],
        }
    )
    observations = pl.DataFrame(
        {
            "entity": [f"E{z}" for z in zones],
            "variable": ["revenue"] * len(zones),
            "period": ["2025"] * len(zones),
            "value": [revenues[z] for z in zones],
        }
    )
    return build_facts(entities, observations, None)


def test_zone_counts_by_revenue_band_and_level() -> None:
    # 1万亿元 = 1e8 万元, 1000亿元 = 1e7 万元, 500亿元 = 5e6 万元; 「超」 is read as at least
    revenues = {"Z1": 1e8, "Z2": 9.9e7, "Z3": 1e7, "Z4": 5e6, "Z5": 4.99e6}
    levels = {"Z1": "national", "Z2": "national", "Z3": "provincial", "Z4": "provincial"}
    levels["Z5"] = "provincial"
    res = compute(None, _province(revenues, levels), ["2025"])
    assert res.value("510000", "2025", "zones_revenue_over_1tn") == 1  # Z1
    assert res.value("510000", "2025", "zones_revenue_over_100bn") == 3  # Z1, Z2, Z3
    assert res.value("510000", "2025", "zones_revenue_over_50bn") == 1  # Z4 (below 1000亿)
    assert res.value("510000", "2025", "national_zones") == 2
    assert res.value("510000", "2025", "provincial_zones") == 3
    assert res.value("510100", "2025", "national_zones_per_city") == 2


# -- additive counts reach the whole country -----------------------------------------------------
def test_national_zone_count_sums_over_provinces_to_the_country() -> None:
    j = synth.generate("national", scale=0.05)
    facts = from_synth(j)
    res = compute(None, facts, ["2025"])
    info = {i.code: IndicatorInfo(i.level, i.additive) for i in default_indicators()}
    target = next(
        t
        for t in load_pack(PACKS / "national-14th-fyp").spec.targets
        if t.id == "national-zones-220"
    )
    assert unavailable_reason(target, info[target.indicator], None) is None
    levels = dict(zip(j.zones["code"], j.zones["level"], strict=True))
    expected = sum(1 for z in _zones_in_force(j, 2025) if levels[z] == "national")
    assert expected > 150
    entities = facts.entities.with_columns(
        pl.col("entity", "kind", "province", "city", "zone").cast(pl.String)
    )
    series = target_series(
        res.frame.filter(pl.col("indicator") == "national_zones"),
        entities,
        {"national_zones": info["national_zones"]},
        jurisdiction=None,
        zones=j.zones["code"].to_list(),
    )
    country = series.filter(pl.col("scope_kind") == "jurisdiction")
    assert country["value"].to_list() == [expected]


# -- every shipped target reads an indicator its scope can use ------------------------------------
#: Targets no catalogue indicator can serve yet, and what they need (docs/indicators.md)
NOT_YET = {
    ("fujian-2021", "rank-improvement"): "national_rank_gain",  # 科技部 national ranks
    ("fujian-2021", "leading-industries"): "leading_industry_count",  # leading industries
    ("gansu", "leading-industries"): "leading_industry_count",
    ("gansu", "incubator-per-leading-industry"): "leading_industries_without_incubator",
    ("national-14th-fyp", "innovation-demo-zones"): "innovation_demo_zone_count",  # 自创区
}
#: The kind of region each pack's demo jurisdiction is (None: the whole country)
JURISDICTION_KIND = {
    "fujian-2021": "province",
    "taizhou-2024": "city",
    "gansu": "province",
    "sichuan": "province",
    "national-14th-fyp": None,
}


@pytest.mark.parametrize("pack", sorted(JURISDICTION_KIND))
def test_every_target_reads_a_catalogue_indicator_its_scope_can_use(pack: str) -> None:
    info = {i.code: IndicatorInfo(i.level, i.additive) for i in default_indicators()}
    targets = load_pack(PACKS / pack).spec.targets
    assert targets
    for t in targets:
        why = unavailable_reason(t, info.get(t.indicator), JURISDICTION_KIND[pack])
        if (pack, t.id) in NOT_YET:
            assert NOT_YET[pack, t.id] == t.indicator and why is not None, t.id
        else:
            assert why is None, (t.id, why)
