"""The indicator catalogue and compute(): every formula checks, computes on every demo
jurisdiction, and chosen cells match hand calculations from the raw observations."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import FactFrame, from_synth
from gaoxin.engine.indicators import (
    Indicator,
    IndicatorError,
    check_indicators,
    columns_read,
    compute,
    default_indicators,
    namespace_for,
)


@pytest.fixture(scope="module")
def j() -> synth.Jurisdiction:
    return synth.generate("fujian", scale=0.5)


@pytest.fixture(scope="module")
def facts(j: synth.Jurisdiction) -> FactFrame:
    return from_synth(j)


@pytest.fixture(scope="module")
def result(facts: FactFrame):  # type: ignore[no-untyped-def]
    return compute(None, facts, ["2024", "2025", "2025-07"])


def _ind(code: str, formula: str, level: str = "zone") -> Indicator:
    return Indicator(
        code=code, zh=code, en=code, unit="", level=level, formula=formula, source="test"
    )  # type: ignore[arg-type]


# -- the catalogue ------------------------------------------------------------------------------
def test_every_catalogue_formula_checks_against_the_namespace(facts: FactFrame) -> None:
    inds = list(default_indicators())
    formulas = check_indicators(inds, namespace_for(facts, inds))
    assert len(formulas) == len(inds) >= 60
    codes = {i.code for i in inds}
    for required in (
        "rd_intensity",
        "hte_enterprises",
        "hte_share",
        "hte_share_of_above_scale",
        "hightech_va_share",
        "above_scale_iva_city_share",
        "leading_industry_concentration",
        "energy_per_iva",
        "tax_per_mu",
        "va_per_mu",
        "labour_productivity",
        "tech_contract_turnover_total",
        "invention_patents_per_10k",
        "new_rd_institutions",
        "new_national_incubators",
        "hte_new_employees",
        "revenue_growth",
        "tech_service_revenue_share",
        "zones_per_city",
        "cities_with_zone_share",
    ):
        assert required in codes, required
    for ind in inds:
        assert ind.source and ind.zh and ind.unit, ind.code
        assert ind.code not in facts.catalogue, f"{ind.code} repeats a variable code"


@pytest.mark.parametrize("key", ["fujian", "taizhou", "gansu", "sichuan", "national"])
def test_the_catalogue_computes_on_every_demo_jurisdiction(key: str) -> None:
    facts = from_synth(synth.generate(key, scale=0.2))
    res = compute(None, facts, ["2024", "2025", "2025-06"])
    zone_2025 = res.frame.filter((pl.col("kind") == "zone") & (pl.col("period") == "2025"))
    for code in ("rd_intensity", "hte_share", "revenue_growth", "leading_industry_concentration"):
        values = zone_2025.filter(pl.col("indicator") == code)["value"]
        assert values.drop_nulls().len() > 0, code
    assert res.frame["missing"].min() >= 0


def test_without_frames_every_indicator_is_the_same(facts: FactFrame) -> None:
    # keep_frames=False carries only the variables the formulas read through the steps: every
    # cell of the whole catalogue, one at a time and all together, must come out the same
    periods = ["2024", "2025", "2025-06"]
    whole = compute(None, facts, periods).frame
    assert compute(None, facts, periods, keep_frames=False).frame.equals(whole)
    cat = default_indicators()
    codes = {i.code for i in cat}
    alone = [  # indicators that read no other indicator, each alone reads fewer columns still
        i for i in cat if not any(re.search(rf"\b{c}\b", i.formula) for c in codes - {i.code})
    ]
    for ind in alone[::5]:
        one = compute([ind], facts, periods, keep_frames=False).frame
        assert one.equals(whole.filter(pl.col("indicator") == ind.code)), ind.code


def test_a_frame_of_only_the_columns_read_gives_every_indicator_the_same(facts: FactFrame) -> None:
    # the analytics build reads only these columns of its facts files (decision 068)
    periods = ["2024", "2025", "2025-06"]
    inds = list(default_indicators())
    whole = compute(inds, facts, periods, keep_frames=False).frame
    kept = {t: columns_read(inds, facts.catalogue, f.columns) for t, f in facts.frames.items()}
    narrowed = replace(facts, frames={t: f.select(kept[t]) for t, f in facts.frames.items()})
    assert compute(inds, narrowed, periods, keep_frames=False).frame.equals(whole)
    # what was left out: variables no formula names, certifications of kinds none asks about
    left = set(facts.wide("year").columns) - set(kept["year"])
    assert left & {v.code for v in facts.catalogue}
    assert {"__cert__unicorn", "__certprev__unicorn"} <= left
    assert {"entity", "kind", "period", "seq", "province", "city", "zone"} <= set(kept["year"])


def test_the_columns_read_follow_prefixed_names_and_certification_kinds(facts: FactFrame) -> None:
    inds = [
        _ind("a", "sum(revenue) / city_gdp", level="zone"),
        _ind("b", 'count(where=certified("hte"))', level="zone"),
    ]
    check_indicators(inds, namespace_for(facts, inds))
    columns = facts.wide("year").columns
    kept = columns_read(inds, facts.catalogue, columns)
    assert kept == [c for c in columns if c in kept]  # in the frame's order
    variables = {v.code for v in facts.catalogue}
    assert {c for c in kept if c in variables} == {"revenue", "gdp"}
    assert {c for c in kept if c.startswith("__cert")} == {"__cert__hte", "__certprev__hte"}


# -- hand calculations ------------------------------------------------------------------------
def _members(j: synth.Jurisdiction, zone: str, year: int) -> list[str]:
    firms = j.enterprises.filter(
        (pl.col("zone_code") == zone)
        & (pl.col("joined_on") <= date(year, 12, 31))
        & (pl.col("left_on").is_null() | (pl.col("left_on") >= date(year, 1, 1)))
    )
    return firms["uscc"].to_list()


def _values(j: synth.Jurisdiction, keys: list[str], variable: str, period: str) -> dict[str, float]:
    obs = synth.latest_observations(j.observations).filter(
        pl.col("entity_key").is_in(keys)
        & (pl.col("variable") == variable)
        & (pl.col("period") == period)
    )
    return dict(zip(obs["entity_key"].to_list(), obs["value"].to_list(), strict=True))


def test_rd_intensity_of_a_zone_by_hand(j: synth.Jurisdiction, result) -> None:  # type: ignore[no-untyped-def]
    zone = "350300N1"  # 莆田
    firms = _members(j, zone, 2025)
    rd = _values(j, firms, "rd_expenditure", "2025")
    revenue = _values(j, firms, "revenue", "2025")
    total_rd = 0.0
    for firm in firms:  # a missing value is left out of its own sum, as the rule says
        total_rd += rd.get(firm, 0.0)
    total_revenue = 0.0
    for firm in firms:
        total_revenue += revenue.get(firm, 0.0)
    expected = 100 * total_rd / total_revenue
    assert result.value(zone, "2025", "rd_intensity") == pytest.approx(expected)
    missing = sum(1 for f in firms if f not in rd) + sum(1 for f in firms if f not in revenue)
    cell = result.frame.filter(
        (pl.col("entity") == zone)
        & (pl.col("period") == "2025")
        & (pl.col("indicator") == "rd_intensity")
    )
    assert cell["missing"].item() == missing


def test_hte_share_by_hand(j: synth.Jurisdiction, result) -> None:  # type: ignore[no-untyped-def]
    zone = "350100N1"
    firms = set(_members(j, zone, 2025))
    end = date(2025, 12, 31)
    holders = set()
    for c in j.certifications.filter(pl.col("kind") == "hte").iter_rows(named=True):
        if c["entity_key"] not in firms or c["granted_on"] > end:
            continue
        if c["expires_on"] is not None and c["expires_on"] < end:
            continue
        if c["revoked_on"] is not None and c["revoked_on"] <= end:
            continue
        holders.add(c["entity_key"])
    assert result.value(zone, "2025", "hte_enterprises") == len(holders)
    assert result.value(zone, "2025", "hte_share") == pytest.approx(100 * len(holders) / len(firms))


def test_monthly_revenue_and_its_growth_by_hand(j: synth.Jurisdiction, result) -> None:  # type: ignore[no-untyped-def]
    zone = "350200N1"
    now = _values(j, _members(j, zone, 2025), "revenue", "2025-07")
    before = _values(j, _members(j, zone, 2024), "revenue", "2024-07")
    assert result.value(zone, "2025-07", "revenue_total") == pytest.approx(sum(now.values()))
    expected = 100 * (sum(now.values()) / sum(before.values()) - 1)
    assert result.value(zone, "2025-07", "revenue_growth") == pytest.approx(expected)


def test_share_of_the_city_reads_the_city_row(j: synth.Jurisdiction, result) -> None:  # type: ignore[no-untyped-def]
    zone, city = "350200N1", "350200"
    firms = _members(j, zone, 2025)
    above = {
        c["entity_key"]
        for c in j.certifications.filter(pl.col("kind") == "above_scale").iter_rows(named=True)
        if c["granted_on"] <= date(2025, 12, 31) <= (c["expires_on"] or date(9999, 1, 1))
    }
    iva = _values(j, [f for f in firms if f in above], "industrial_value_added", "2025")
    city_iva = _values(j, [city], "industrial_value_added", "2025")[city]
    assert result.value(zone, "2025", "above_scale_iva_city_share") == pytest.approx(
        100 * sum(iva.values()) / city_iva
    )


def test_zone_coverage_of_cities(facts: FactFrame, j: synth.Jurisdiction, result) -> None:  # type: ignore[no-untyped-def]
    cities = j.regions.filter(pl.col("level") == "city")["code"].to_list()
    hosts = set(
        j.zones.filter(pl.col("approved_on") <= date(2025, 12, 31))["region_code"]
        .str.slice(0, 4)
        .to_list()
    )
    covered = sum(1 for c in cities if c[:4] in hosts)
    # Fujian's revoked demo zone (永安, 三明) still leaves 三明 with its national zone
    assert result.value("350000", "2025", "cities_with_zone_share") == pytest.approx(
        100 * covered / len(cities)
    )


# -- rules of computation -------------------------------------------------------------------------
def test_indicators_use_indicators_in_dependency_order(facts: FactFrame) -> None:
    inds = [_ind("b", "a * 2"), _ind("a", "sum(revenue)"), _ind("c", "sum(b)", "city")]
    res = compute(inds, facts, ["2025"])
    a = res.value("350100N1", "2025", "a")
    assert res.value("350100N1", "2025", "b") == pytest.approx(2 * a)  # type: ignore[operator]
    assert res.value("350100", "2025", "c") is not None


def test_a_cycle_is_named(facts: FactFrame) -> None:
    inds = [_ind("a", "b + 1"), _ind("b", "c + 1"), _ind("c", "a + 1"), _ind("d", "1")]
    with pytest.raises(IndicatorError, match="指标循环引用：a → b → c → a"):
        compute(inds, facts, ["2025"])


def test_formula_errors_name_the_indicator_and_position(facts: FactFrame) -> None:
    with pytest.raises(IndicatorError) as info:
        compute([_ind("bad", "100 * rd_expenditure / revenue")], facts, ["2025"])
    assert info.value.code == "bad"
    assert "第1行第7列" in str(info.value) and "sum(rd_expenditure)" in str(info.value)


def test_nulls_are_never_zero(facts: FactFrame) -> None:
    res = compute([_ind("x", "sum(tech_service_exports) / sum(exports)")], facts, ["2025"])
    # tech_service_exports is not collected in the demo: every cell missing, every child counted
    zone = res.frame.filter(pl.col("kind") == "zone")
    assert zone["value"].null_count() == zone.height
    assert (zone["missing"] > 0).all()


def test_result_carries_the_input_hash(facts: FactFrame, result) -> None:  # type: ignore[no-untyped-def]
    assert result.input_hash == facts.input_hash
    wide = result.wide()
    assert {"entity", "period", "rd_intensity"} <= set(wide.columns)


# -- lineage --------------------------------------------------------------------------------------
def test_lineage_of_an_aggregate(result, j: synth.Jurisdiction) -> None:  # type: ignore[no-untyped-def]
    cell = result.lineage("350300N1", "2025", "rd_intensity", cap=5)
    assert cell["formula"] == "100 * sum(rd_expenditure) / sum(revenue)"
    assert cell["value"] == result.value("350300N1", "2025", "rd_intensity")
    agg = cell["aggregates"][0]
    assert agg["function"] == "sum" and agg["child_level"] == "enterprise"
    assert agg["children"] == len(_members(j, "350300N1", 2025))
    assert len(agg["shown"]) == 5 and agg["truncated"]
    first = agg["shown"][0]
    assert first["observations"]["rd_expenditure"]["batch"] == "annual-2025"
    assert first["x"] == first["observations"]["rd_expenditure"]["value"]


def test_lineage_follows_indicators_and_periods(result) -> None:  # type: ignore[no-untyped-def]
    cell = result.lineage("350200N1", "2025-07", "revenue_growth")
    assert cell["periods_read"] == ["2025-07", "2024-07"]
    assert [d["period"] for d in cell["indicators"]] == ["2025-07", "2024-07"]
    assert cell["indicators"][0]["aggregates"][0]["shown"][0]["observations"]["revenue"][
        "batch"
    ].startswith("monthly-")


def test_lineage_of_a_cell_reading_the_city(result) -> None:  # type: ignore[no-untyped-def]
    cell = result.lineage("350200N1", "2025", "above_scale_iva_city_share")
    city = [i for i in cell["inputs"] if i["name"] == "city_industrial_value_added"]
    assert city and city[0]["entity"] == "350200" and city[0]["batch"] == "annual-2025"
    assert cell["indicators"][0]["indicator"] == "above_scale_iva"


# -- aggregates on a hand-made frame ------------------------------------------------------------
def _small_registry() -> pl.DataFrame:
    """A province, a city, zone Z1 with three enterprises (C26, C27, I65) and zone Z2 with none."""
    return pl.DataFrame(
        {
            "entity": ["P", "C", "Z1", "Z2", "E1", "E2", "E3"],
            "kind": ["province", "city", "zone", "zone", "enterprise", "enterprise", "enterprise"],
            "name": ["省", "市", "一区", "二区", "甲", "乙", "丙"],
            "parent": [None, "P", "C", "C", "Z1", "Z1", "Z1"],
            "industry": [None, None, None, None, "C26", "C27", "I65"],
        }
    )


def test_aggregates_by_hand_including_a_zone_without_enterprises() -> None:
    """Z1 has three enterprises, Z2 none. E1: C26, revenue 100, R&D 5, 高企; E2: C26, revenue 50,
    R&D not reported; E3: I65, revenue not reported, R&D 2."""
    from gaoxin.engine.facts import build_facts

    ents = _small_registry()
    obs = pl.DataFrame(
        [
            ("E1", "revenue", "2025", 100.0),
            ("E1", "rd_expenditure", "2025", 5.0),
            ("E2", "revenue", "2025", 50.0),
            ("E3", "rd_expenditure", "2025", 2.0),
        ],
        schema=["entity", "variable", "period", "value"],
        orient="row",
    )
    certs = pl.DataFrame(
        {"entity": ["E1"], "kind": ["hte"], "level": [None], "granted_on": [date(2020, 1, 1)]}
    )
    facts = build_facts(ents, obs, certs)
    inds = [
        _ind("s", "sum(revenue)"),
        _ind("c", "count()"),
        _ind("m", "mean(revenue)"),
        _ind("med", "median(revenue)"),
        _ind("sh", 'share(revenue, where=certified("hte"))'),
        _ind("ts", 'top_share(revenue, by="industry_section", n=1)'),
        _ind("rd_c", 'sum(rd_expenditure, where=industry_section == "C")'),
        _ind("rev_i", 'sum(revenue, where=industry_section == "I")'),
        # nested: an aggregate over the zones of an aggregate over their enterprises
        _ind("big", "count(where=sum(revenue) > 100)", "city"),
        _ind("tot", "sum(sum(revenue))", "city"),
    ]
    r = compute(inds, facts, ["2025"])

    def cell(entity: str, code: str) -> tuple[float | None, int]:
        row = r.frame.filter((pl.col("entity") == entity) & (pl.col("indicator") == code))
        return row["value"].item(), row["missing"].item()

    assert cell("Z1", "s") == (150.0, 1)  # 100 + 50; E3's revenue missing
    assert cell("Z2", "s") == (0.0, 0)  # no child: 0, nothing missing
    assert cell("Z1", "c") == (3.0, 0)
    assert cell("Z2", "c") == (0.0, 0)
    assert cell("Z1", "m") == (75.0, 1)  # (100 + 50) / 2
    assert cell("Z2", "m") == (None, 0)
    assert cell("Z1", "med") == (75.0, 1)
    assert cell("Z1", "sh")[0] == pytest.approx(100 / 150 * 100)  # E1 is the 高企
    assert cell("Z2", "sh") == (None, 0)
    # sections: C = 100 + 50, I = nothing reported (0); the largest is all of it
    assert cell("Z1", "ts") == (100.0, 1)
    assert cell("Z2", "ts") == (None, 0)
    assert cell("Z1", "rd_c") == (5.0, 1)  # E1 5; E2 selected but missing
    assert cell("Z1", "rev_i") == (None, 1)  # the one selected child is missing
    assert cell("C", "big") == (1.0, 0)  # Z1 (150 > 100), not Z2 (0); a where's gaps not counted
    assert cell("C", "tot") == (150.0, 1)  # 150 + 0; Z1's sum read a missing revenue


# -- a variable the period type never observed (its column absent from the frame) ---------------
def _absent_or_null(
    facts: FactFrame, ptype: str, variables: list[str]
) -> tuple[FactFrame, FactFrame]:
    """``facts`` with ``variables`` absent from the ``ptype`` frame, and with them present and
    null on every row: the two must compute the same cells (the absent ones are not computed
    row by row, decision 069)."""
    from dataclasses import replace

    frame = facts.frames[ptype].drop(variables, strict=False)
    nulls = frame.with_columns(pl.lit(None, pl.Float64).alias(v) for v in variables)
    return (
        replace(facts, frames={**facts.frames, ptype: frame}),
        replace(facts, frames={**facts.frames, ptype: nulls}),
    )


def test_the_catalogues_months_are_the_same_with_yearly_variables_absent_or_null(
    facts: FactFrame,
) -> None:
    # the demo's months lack the yearly-only variables (land area, R&D expenditure…): with
    # them present and null everywhere every formula is computed row by row
    months = facts.frames["month"]
    lacking = [v.code for v in facts.catalogue if v.code not in months.columns]
    assert {"land_area", "rd_expenditure"} <= set(lacking)
    absent, null = _absent_or_null(facts, "month", lacking)
    periods = ["2025-05", "2025-06", "2025-07"]
    got = compute(None, absent, periods, keep_frames=False).frame
    want = compute(None, null, periods, keep_frames=False).frame
    assert got.equals(want)
    per_mu = got.filter(pl.col("indicator") == "enterprise_tax_per_mu")
    assert per_mu.height > 0 and per_mu["value"].null_count() == per_mu.height
    assert per_mu["missing"].min() >= 1  # land area, and taxes where not reported


def _small_facts() -> FactFrame:
    """Z1 with three enterprises, Z2 with none; two years; R&D and land area reported."""
    from gaoxin.engine.facts import build_facts

    ents = _small_registry()
    rows = []
    for year, k in (("2024", 1.0), ("2025", 1.1)):
        rows += [
            ("E1", "revenue", year, 100.0 * k),
            ("E1", "rd_expenditure", year, 5.0 * k),
            ("E1", "taxes_paid", year, 3.0 * k),
            ("E1", "land_area", year, 10.0),
            ("E2", "revenue", year, 50.0 * k),
            ("E2", "land_area", year, 4.0),
            ("E3", "rd_expenditure", year, 2.0 * k),
            ("Z1", "gdp", year, 500.0 * k),
        ]
    obs = pl.DataFrame(rows, schema=["entity", "variable", "period", "value"], orient="row")
    certs = pl.DataFrame(
        {"entity": ["E1"], "kind": ["hte"], "level": [None], "granted_on": [date(2020, 1, 1)]}
    )
    return build_facts(ents, obs, certs)


_ON_ABSENT = [
    _ind("e_int", "100 * rd_expenditure / revenue", "enterprise"),
    _ind("e_mu", "-taxes_paid / land_area", "enterprise"),
    _ind("e_chain", "1 < rd_expenditure < revenue", "enterprise"),
    _ind("e_or", "rd_expenditure > 1 or revenue > 60", "enterprise"),  # not null: Kleene
    _ind("e_and", "rd_expenditure > 1 and revenue > 60", "enterprise"),
    _ind("e_coal", "coalesce(rd_expenditure, revenue)", "enterprise"),  # not null
    _ind("e_coal2", "coalesce(rd_expenditure, land_area)", "enterprise"),
    _ind("e_if", "if_(rd_expenditure > 1, 1, 2)", "enterprise"),
    _ind("e_max", "max(revenue, round(sqrt(abs(land_area)), 1))", "enterprise"),
    _ind("e_yoy", "yoy(e_int) + delta(rd_expenditure)", "enterprise"),  # reads an indicator
    _ind("e_reads", "e_int + revenue", "enterprise"),
    # aggregates over the absent column, over an indicator null on every row, in a where
    _ind("z_sum", "sum(rd_expenditure)"),
    _ind("z_sum_c", 'sum(rd_expenditure, where=industry_section == "C")'),
    _ind("z_sum_none", 'sum(rd_expenditure, where=industry_section == "J")'),
    _ind("z_sum_ind", "sum(e_int)"),
    _ind("z_mean", "mean(e_mu)"),
    _ind("z_median", "median(rd_expenditure)"),
    _ind("z_share", 'share(rd_expenditure, where=industry_section == "C")'),
    _ind("z_top", 'top_share(rd_expenditure, by="industry_section", n=1)'),
    _ind("z_count", "count(where=e_int >= 5 and revenue > 60)"),
    _ind("z_ratio", "100 * sum(rd_expenditure) / sum(revenue)"),
    _ind("z_gdp", "gdp / sum(land_area)"),  # the zone's own variable absent, and an aggregate
    _ind("z_yoy", "yoy(sum(rd_expenditure))"),
    _ind("c_tot", "sum(sum(rd_expenditure))", "city"),
    _ind("c_zone", "sum(z_gdp)", "city"),
    _ind("z_city", "100 * gdp / city_gdp"),  # the city's row read on the zone's
]


@pytest.mark.parametrize(
    "variables", [["rd_expenditure"], ["land_area", "gdp"], ["rd_expenditure", "land_area", "gdp"]]
)
def test_a_variable_absent_from_the_frame_gives_what_a_null_column_gives(
    variables: list[str],
) -> None:
    absent, null = _absent_or_null(_small_facts(), "year", variables)
    got = compute(_ON_ABSENT, absent, ["2024", "2025"]).frame
    want = compute(_ON_ABSENT, null, ["2024", "2025"]).frame
    assert got.equals(want)
    # keep_frames=False drops columns between the steps: the same cells
    assert compute(_ON_ABSENT, absent, ["2024", "2025"], keep_frames=False).frame.equals(want)


@pytest.mark.parametrize(
    "variables", [["rd_expenditure"], ["land_area", "gdp"], ["rd_expenditure", "land_area", "gdp"]]
)
def test_cells_known_null_are_left_out_on_request_the_others_the_same(
    variables: list[str],
) -> None:
    # decision 072: what the analytics build stores; the indicators read by others (e_int by
    # e_reads, z_gdp by c_zone) are still computed for them
    from gaoxin.engine.indicators import null_by_absence

    absent, _ = _absent_or_null(_small_facts(), "year", variables)
    every = compute(_ON_ABSENT, absent, ["2024", "2025"], keep_frames=False)
    fewer = compute(_ON_ABSENT, absent, ["2024", "2025"], keep_frames=False, absent_cells=False)
    left_out = fewer.null_by_absence["year"]
    assert every.null_by_absence == fewer.null_by_absence
    assert left_out == null_by_absence(_ON_ABSENT, absent.catalogue, absent.frames["year"].columns)
    gone = every.frame.filter(pl.col("indicator").is_in(list(left_out)))
    assert gone.height and gone["value"].null_count() == gone.height
    assert fewer.frame.equals(every.frame.filter(~pl.col("indicator").is_in(list(left_out))))
    if len(variables) == 3:
        assert left_out == {
            "e_chain": ("rd_expenditure",),
            "e_coal2": ("land_area", "rd_expenditure"),  # coalesce: null when every one is
            "e_if": ("rd_expenditure",),
            "e_int": ("rd_expenditure",),
            "e_max": ("land_area",),
            "e_mu": ("land_area",),
            "e_reads": ("rd_expenditure",),  # through e_int
            "e_yoy": ("rd_expenditure",),
            "z_city": ("gdp",),  # city_gdp: the city's gdp
            "z_gdp": ("gdp",),  # gdp / sum(land_area): the zone's gdp; the sum is computed
        }
    # present and null on every row: nothing known null, every cell computed
    assert (
        null_by_absence(_ON_ABSENT, absent.catalogue, _small_facts().frames["year"].columns) == {}
    )


def test_cells_of_an_absent_variable_by_hand() -> None:
    absent, _ = _absent_or_null(_small_facts(), "year", ["rd_expenditure", "land_area"])
    r = compute(_ON_ABSENT, absent, ["2025"], keep_frames=False)

    def cell(entity: str, code: str) -> tuple[float | None, int]:
        row = r.frame.filter((pl.col("entity") == entity) & (pl.col("indicator") == code))
        return row["value"].item(), row["missing"].item()

    assert cell("E1", "e_int") == (None, 1)  # R&D absent; revenue there
    assert cell("E3", "e_int") == (None, 2)  # and revenue not reported
    assert cell("E2", "e_mu") == (None, 2)  # taxes not reported, land area absent
    assert cell("E1", "e_or") == (True, 1)  # null or true is true
    assert cell("E1", "e_coal") == (pytest.approx(110.0), 1)
    assert cell("E1", "e_reads") == (None, 1)  # e_int's missing input
    assert cell("Z1", "z_sum") == (None, 3)  # every child selected, each missing
    assert cell("Z2", "z_sum") == (0.0, 0)  # no child: 0, nothing missing
    assert cell("Z1", "z_sum_c") == (None, 2)  # E1, E2 (C); E3 (I) not selected
    assert cell("Z1", "z_sum_none") == (0.0, 0)  # children, none selected: 0
    assert cell("Z1", "z_sum_ind") == (None, 3)
    assert cell("Z2", "z_mean") == (None, 0)
    assert cell("Z1", "z_count") == (0.0, 0)  # an unknown condition selects nobody
    assert cell("Z1", "z_gdp") == (None, 3)  # land area of the three enterprises
    assert cell("C", "c_tot") == (0.0, 1)  # Z2's 0; Z1's sum read missing values


def test_which_formulas_are_known_null_when_a_variable_is_absent() -> None:
    # the rule the shortcut rests on: null propagates through arithmetic, comparisons, period
    # and scalar functions; not through coalesce, or/and with a present operand, aggregates
    from gaoxin.engine.expr.syntax import Call, walk
    from gaoxin.engine.indicators import _Absent

    ns = namespace_for(_small_facts(), _ON_ABSENT)
    formulas = check_indicators(_ON_ABSENT, ns)
    absent = _Absent(frozenset({"rd_expenditure"}), ns)
    known, of_nulls = [], []
    for ind in _ON_ABSENT:  # in dependency order
        f = formulas[ind.code]
        if (why := absent.why(f.tree, f.checked)) is not None:
            assert why == {"rd_expenditure"}
            absent.indicators[ind.code] = why
            known.append(ind.code)
        for node in walk(f.tree):
            aggregates = isinstance(node, Call) and f.checked.bindings[node].spec.aggregates
            if aggregates and absent.aggregate_of_nulls(node, f.checked):
                of_nulls.append(ind.code)
    assert known == ["e_int", "e_chain", "e_if", "e_yoy", "e_reads"]
    assert of_nulls == [
        "z_sum",
        "z_sum_c",
        "z_sum_none",
        "z_sum_ind",
        "z_median",
        "z_share",
        "z_ratio",
        "z_yoy",
        "c_tot",  # the zones' inner sum; the outer one over zones is computed
    ]


def test_a_frame_whose_kinds_are_not_in_blocks_gives_the_same_cells(facts: FactFrame) -> None:
    # sorted by entity and period but not by kind: the level's rows are not one block, and the
    # formulas run under when(kind == level) over every row (decision 049's other form)
    from dataclasses import replace

    from gaoxin.engine.indicators import _blocks

    periods = ["2024", "2025", "2025-06", "2025-07"]
    mixed = {t: f.sort("entity", "seq") for t, f in facts.frames.items()}
    assert _blocks(mixed["year"])["enterprise"] is None
    want = compute(None, facts, periods, keep_frames=False).frame
    got = compute(None, replace(facts, frames=mixed), periods, keep_frames=False).frame
    assert got.equals(want)
