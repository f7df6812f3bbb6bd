"""Synthetic jurisdictions: deterministic, valid codes, catalogue variables, deliberate quirks."""

from __future__ import annotations

import io
from datetime import date
from functools import cache

import polars as pl
import pytest
import yaml
from stdnum.cn import uscc

from gaoxin.engine import reference, synth
from gaoxin.engine.variables import default_catalogue

PROVINCIAL = ("fujian", "taizhou", "gansu", "sichuan")
PERIOD = r"^\d{4}$|^\d{4}Q[1-4]$|^\d{4}-(0[1-9]|1[0-2])$"


@cache
def jurisdiction(key: str, seed: int = 0, scale: float = 1.0) -> synth.Jurisdiction:
    return synth.generate(key, seed=seed, scale=scale)


def all_keys() -> list[str]:
    return list(synth.JURISDICTIONS)


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()


# ---- determinism -----------------------------------------------------------------------------
def test_same_seed_gives_identical_frames_byte_for_byte() -> None:
    a = synth.generate("gansu", seed=7, scale=0.5)
    b = synth.generate("gansu", seed=7, scale=0.5)
    assert a.equals(b)
    for name in synth.Jurisdiction.FRAMES:
        assert _ipc(getattr(a, name)) == _ipc(getattr(b, name)), name
    assert dict(a.quirks) == dict(b.quirks)


def test_identical_across_processes_whatever_the_string_hash_seed() -> None:
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, io\n"
        "from gaoxin.engine import synth\n"
        "j = synth.generate('taizhou', seed=3, scale=0.5)\n"
        "d = hashlib.sha256()\n"
        "for f in j.frames().values():\n"
        "    b = io.BytesIO(); f.write_ipc(b); d.update(b.getvalue())\n"
        "print(d.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_different_seed_gives_different_data() -> None:
    a = jurisdiction("gansu", seed=0)
    b = jurisdiction("gansu", seed=1)
    assert not a.equals(b)
    assert set(a.enterprises["uscc"]).isdisjoint(set(b.enterprises["uscc"])) or (
        a.enterprises["uscc"].to_list() != b.enterprises["uscc"].to_list()
    )
    assert not a.observations.equals(b.observations)
    # the real zones do not depend on the seed
    assert a.zones["name"].to_list() == b.zones["name"].to_list()


def test_unknown_jurisdiction_and_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        synth.generate("hainan")
    with pytest.raises(ValueError, match="scale"):
        synth.generate("gansu", scale=0)
    with pytest.raises(ValueError, match="three years"):
        synth.generate("gansu", first_year=2024, last_year=2025)


# ---- sizes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "count"),
    [("fujian", 1500), ("taizhou", 600), ("gansu", 800), ("sichuan", 1500), ("national", 3000)],
)
def test_default_sizes(key: str, count: int) -> None:
    assert jurisdiction(key).enterprises.height == count


def test_scale_multiplies_enterprises() -> None:
    assert jurisdiction("gansu", scale=2.0).enterprises.height == 1600
    # every zone keeps at least three enterprises however small the scale
    tiny = synth.generate("national", scale=0.05)
    assert tiny.enterprises["zone_code"].n_unique() == tiny.zones.height


# ---- codes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", all_keys())
def test_every_uscc_is_valid_and_unique(key: str) -> None:
    j = jurisdiction(key)
    codes = j.enterprises["uscc"].to_list() + j.institutions["code"].to_list()
    assert all(uscc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert j.enterprises["uscc"].str.starts_with("91").all()


@pytest.mark.parametrize("key", all_keys())
def test_industry_codes_are_gbt4754_divisions(key: str) -> None:
    j = jurisdiction(key)
    divisions = set(reference.industries().filter(pl.col("level") == "division")["code"])
    assert set(j.enterprises["industry_code"]) <= divisions
    assert all(
        reference.industry_code_problem(c) is None for c in set(j.enterprises["industry_code"])
    )


def test_hightech_firms_are_about_half() -> None:
    # 2020: 高技术产业企业 54.5%, 2022: 56.6% of zone firms (domain-notes §5.3)
    share = jurisdiction("national").enterprises["industry_code"].is_in(synth.HIGHTECH_DIVISIONS)
    assert 0.45 <= share.mean() <= 0.62


def test_industries_lean_toward_the_zones_leading_industries() -> None:
    j = jurisdiction("gansu")
    lanzhou = j.enterprises.filter(pl.col("zone_code") == "620100N1")
    assert lanzhou["industry_code"].is_in(["C27", "C26", "C30", "C32"]).mean() > 0.5


def test_enterprise_names_are_plausible() -> None:
    names = jurisdiction("gansu").enterprises["name"]
    assert names.str.contains(r"^\p{Han}+(有限公司|股份有限公司|有限责任公司)$").all()
    assert names.n_unique() > 0.97 * names.len()


# ---- regions and zones -----------------------------------------------------------------------
@pytest.mark.parametrize("key", all_keys())
def test_referential_integrity(key: str) -> None:
    j = jurisdiction(key)
    zone_codes = set(j.zones["code"])
    assert set(j.enterprises["zone_code"]) <= zone_codes
    assert set(j.institutions["zone_code"]) <= zone_codes
    assert set(j.zone_events["zone_code"]) <= zone_codes
    assert set(j.zones["region_code"]) <= set(j.regions["code"])
    entities = set(j.enterprises["uscc"]) | set(j.institutions["code"])
    assert set(j.certifications["entity_key"]) <= entities
    o = j.observations
    by_kind = {
        "enterprise": set(j.enterprises["uscc"]),
        "institution": set(j.institutions["code"]),
        "zone": zone_codes,
        "region": set(j.regions["code"]),
    }
    for kind, keys in by_kind.items():
        assert set(o.filter(pl.col("entity_kind") == kind)["entity_key"]) <= keys, kind
    regions = set(reference.regions()["code"])
    assert set(j.regions["code"]) <= regions


def test_small_national_run_has_every_national_zone() -> None:
    j = synth.generate("national", scale=0.1)
    national = reference.zones().filter(pl.col("level") == "national")
    assert j.zones["code"].to_list() == national["code"].to_list()
    assert set(j.enterprises["zone_code"]) == set(national["code"])


def test_gansu_has_the_eleven_zones_of_article_13() -> None:
    zones = jurisdiction("gansu").zones
    real = zones.filter(~pl.col("name").str.contains("示例"))
    assert real.height == 11
    lanzhou = real.filter(pl.col("short_name") == "兰州高新区").row(0, named=True)
    assert lanzhou["leading_industries"] == ["生物医药", "新材料"]
    assert "leading_industries" not in lanzhou["synthetic_fields"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("fujian", {"福州高新区", "厦门火炬高新区", "泉州高新区"}),
        ("taizhou", {"台州高新区"}),
        ("sichuan", {"成都高新区", "绵阳高新区"}),
    ],
)
def test_real_zones_of_each_jurisdiction(key: str, expected: set[str]) -> None:
    assert expected <= set(jurisdiction(key).zones["short_name"])


@pytest.mark.parametrize("key", all_keys())
def test_synthetic_zone_values_are_marked(key: str) -> None:
    zones = jurisdiction(key).zones
    levels = reference.zone_levels()
    dated = dict(zip(levels["code"], levels["national_since"], strict=True))
    for row in zones.iter_rows(named=True):
        assert "area_km2" in row["synthetic_fields"]
        # the whole date invented, or only its day (or month and day), or none when sourced
        assert not ("approved_on" in row["synthetic_fields"]) & (
            "approved_on_day" in row["synthetic_fields"]
        )
        if (
            "approved_on" not in row["synthetic_fields"]
            and "approved_on_day" not in (row["synthetic_fields"])
        ):
            assert len(dated.get(row["code"]) or "") == 10
        if "示例" in row["name"]:
            assert "name" in row["synthetic_fields"]
    known = reference.zones().filter(pl.col("approval_year").is_not_null())
    years = dict(zip(known["code"], known["approval_year"], strict=True))
    for row in zones.iter_rows(named=True):
        if row["code"] in years:
            assert row["approved_on"].year == years[row["code"]]


@pytest.mark.parametrize("key", PROVINCIAL)
def test_a_new_zone_in_2023_and_a_revoked_zone(key: str) -> None:
    j = jurisdiction(key)
    events = j.zone_events
    approved_2023 = events.filter(
        (pl.col("status") == "approved") & (pl.col("date").dt.year() == 2023)
    )
    assert approved_2023.height >= 1
    revoked = events.filter(pl.col("status") == "revoked")["zone_code"].to_list()
    assert len(revoked) == 1
    history = events.filter(pl.col("zone_code") == revoked[0]).sort("date")["status"].to_list()
    assert history[-3:] == ["warned", "rectification", "revoked"]
    # its enterprises leave the statistics when it is revoked
    revoked_on = events.filter(pl.col("status") == "revoked")["date"][0]
    firms = j.enterprises.filter(pl.col("zone_code") == revoked[0])
    assert (firms["left_on"] == revoked_on).all()


def test_national_zones_upgraded_from_provincial() -> None:
    events = jurisdiction("national").zone_events
    chuzhou = events.filter(pl.col("zone_code") == "341100N1")
    assert chuzhou["status"].to_list() == ["approved", "upgraded"]
    assert chuzhou["date"][1].year == 2022


def test_taizhou_has_creating_zones_and_an_upgrade() -> None:
    j = jurisdiction("taizhou")
    assert {"recognised", "creating"} <= set(j.zones["category"].drop_nulls())
    assert "upgraded" in j.zone_events["status"].to_list()


# ---- enterprises -----------------------------------------------------------------------------
@pytest.mark.parametrize("key", all_keys())
def test_enterprise_dates_are_ordered(key: str) -> None:
    e = jurisdiction(key).enterprises
    assert (e["founded_on"] <= e["joined_on"]).all()
    moved = e.filter(pl.col("left_on").is_not_null())
    assert (moved["left_on"] > moved["joined_on"]).all()
    assert moved.height > 0
    assert e["joined_on"].max() <= date(2025, 12, 31)


def test_enterprise_sizes_are_heavy_tailed() -> None:
    o = jurisdiction("national").observations
    revenue = o.filter(
        (pl.col("entity_kind") == "enterprise")
        & (pl.col("variable") == "revenue")
        & (pl.col("period") == "2021")
    )["value"]
    assert revenue.mean() > 2.5 * revenue.median()
    assert revenue.max() > 50 * revenue.median()
    # calibrated: ≈2.72亿元 (27,200万元) per firm in 2021, give or take sampling of a heavy tail
    assert 15_000 < revenue.mean() < 40_000


def test_zone_revenue_grows_over_the_years() -> None:
    o = jurisdiction("national").observations
    per_year = (
        o.filter((pl.col("entity_kind") == "enterprise") & (pl.col("variable") == "revenue"))
        .filter(pl.col("period").str.len_chars() == 4)
        .group_by("period")
        .agg(pl.col("value").sum())
        .sort("period")
    )
    values = per_year["value"].to_list()
    assert values[-1] > values[0]


# ---- certifications --------------------------------------------------------------------------
@pytest.mark.parametrize("key", all_keys())
def test_certification_kinds_and_levels(key: str) -> None:
    c = jurisdiction(key).certifications
    kinds = set(synth.ENTERPRISE_CERTIFICATIONS) | set(synth.INSTITUTION_KINDS)
    assert set(c["kind"]) <= kinds
    assert set(c["level"].drop_nulls()) <= {"national", "provincial", "city"}
    ends = c.filter(pl.col("expires_on").is_not_null())
    assert (ends["expires_on"] >= ends["granted_on"]).all()


def test_hte_certificates_last_three_years_and_some_are_lost() -> None:
    j = jurisdiction("national")
    hte = j.certifications.filter(pl.col("kind") == "hte")
    expected = hte["granted_on"].dt.offset_by("3y").dt.offset_by("-1d")
    assert (hte["expires_on"] == expected).all()
    # new certifications every year
    assert set(range(2019, 2026)) <= set(hte["granted_on"].dt.year())
    # some revoked, some not renewed
    assert hte["revoked_on"].is_not_null().sum() > 0
    last = hte.group_by("entity_key").agg(pl.col("expires_on").max())
    assert (last["expires_on"] < date(2025, 12, 31)).sum() > 0


def test_an_incubator_upgraded_from_provincial_to_national() -> None:
    c = jurisdiction("fujian").certifications.filter(pl.col("kind") == "incubator")
    upgraded = (
        c.group_by("entity_key")
        .agg(pl.col("level").sort_by("granted_on"), pl.col("expires_on").sort_by("granted_on"))
        .filter(pl.col("level").list.len() == 2)
    )
    assert upgraded.height >= 1
    for row in upgraded.iter_rows(named=True):
        assert row["level"] == ["provincial", "national"]
        assert row["expires_on"][0] is not None


def test_above_scale_follows_the_revenue_threshold() -> None:
    j = jurisdiction("sichuan")
    above = j.certifications.filter(pl.col("kind") == "above_scale")
    assert above.height > 0
    revenue = j.observations.filter(
        (pl.col("variable") == "revenue") & (pl.col("period").str.len_chars() == 4)
    ).select(pl.col("entity_key"), pl.col("period").cast(pl.Int32).alias("year"), pl.col("value"))
    joined = above.with_columns(year=pl.col("granted_on").dt.year()).join(
        revenue, on=["entity_key", "year"], how="inner"
    )
    assert (joined["value"] >= 1_999.99).all()


# ---- observations ----------------------------------------------------------------------------
@pytest.mark.parametrize("key", all_keys())
def test_variables_are_catalogue_codes_within_range(key: str) -> None:
    catalogue = default_catalogue().variables
    o = jurisdiction(key).observations
    assert o["value"].dtype == pl.Float64
    assert o["value"].is_finite().all()
    assert set(o["variable"]) <= set(catalogue)
    assert o["period"].str.contains(PERIOD).all()
    ranges = o.group_by("variable", "entity_kind").agg(
        pl.col("value").min().alias("lo"), pl.col("value").max().alias("hi")
    )
    for row in ranges.iter_rows(named=True):
        var = catalogue[row["variable"]]
        assert row["entity_kind"] in var.kinds, row
        if var.min is not None:
            assert row["lo"] >= float(var.min), row
        if var.max is not None:
            assert row["hi"] <= float(var.max), row


@pytest.mark.parametrize("key", all_keys())
def test_period_types_match_the_catalogue(key: str) -> None:
    catalogue = default_catalogue().variables
    o = jurisdiction(key).observations
    kinds = o.select(
        "variable",
        pl.when(pl.col("period").str.contains("Q"))
        .then(pl.lit("quarter"))
        .when(pl.col("period").str.contains("-"))
        .then(pl.lit("month"))
        .otherwise(pl.lit("year"))
        .alias("ptype"),
    ).unique()
    order = {"month": 0, "quarter": 1, "half": 2, "year": 3}
    for variable, ptype in kinds.iter_rows():
        # a variable may be reported at its own period or coarser (a year), never finer
        assert order[ptype] >= order[catalogue[variable].period], (variable, ptype)


def _monthly_cumulative(o: pl.DataFrame) -> pl.DataFrame:
    catalogue = default_catalogue().variables
    cumulative = [
        c for c, v in catalogue.items() if v.cumulative and v.min is not None and v.min >= 0
    ]
    return o.filter(
        pl.col("variable").is_in(cumulative) & pl.col("period").str.contains(r"^\d{4}-\d{2}$")
    ).with_columns(year=pl.col("period").str.slice(0, 4))


@pytest.mark.parametrize("key", all_keys())
def test_cumulative_series_do_not_decrease_within_a_year(key: str) -> None:
    o = synth.latest_observations(jurisdiction(key).observations)
    monthly = _monthly_cumulative(o).sort("entity_key", "variable", "period")
    drops = monthly.with_columns(
        prev=pl.col("value").shift(1).over("entity_kind", "entity_key", "variable", "year")
    ).filter(pl.col("value") < pl.col("prev") - 1e-6)
    assert drops.height == 0, drops.head()


def test_cumulative_december_equals_the_annual_value() -> None:
    o = jurisdiction("gansu").observations
    december = o.filter(
        (pl.col("entity_kind") == "enterprise") & pl.col("period").str.ends_with("-12")
    ).select("entity_key", "variable", pl.col("period").str.slice(0, 4), "value")
    annual = o.filter(
        (pl.col("entity_kind") == "enterprise") & (pl.col("period").str.len_chars() == 4)
    ).select("entity_key", "variable", "period", pl.col("value").alias("annual"))
    joined = december.join(annual, on=["entity_key", "variable", "period"])
    cumulative = joined.filter(pl.col("variable") != "employees")
    assert cumulative.height > 0
    assert ((cumulative["value"] - cumulative["annual"]).abs() <= 0.011).all()


def test_net_profit_may_fall_within_a_year() -> None:
    # net_profit has no minimum: a loss-making month lowers the 累计 figure
    o = jurisdiction("national").observations
    assert o.filter(pl.col("variable") == "net_profit")["value"].min() < 0


def test_quirk_missing_values_about_two_to_three_percent() -> None:
    j = jurisdiction("national")
    e = j.enterprises
    o = j.observations.filter(
        (pl.col("entity_kind") == "enterprise")
        & (pl.col("variable") == "revenue")
        & (pl.col("period").str.len_chars() == 4)
    )
    expected = 0
    for year in range(2019, 2026):
        end = date(year, 12, 31)
        expected += e.filter(
            (pl.col("joined_on") <= end) & (pl.col("left_on").is_null() | (pl.col("left_on") > end))
        ).height
    missing = 1 - o.height / expected
    assert 0.015 <= missing <= 0.035


def test_quirk_single_fields_left_blank() -> None:
    o = jurisdiction("national").observations.filter(
        (pl.col("entity_kind") == "enterprise") & (pl.col("period") == "2023")
    )
    reported = o.filter(pl.col("variable") == "revenue").select("entity_key")
    taxes = o.filter(pl.col("variable") == "taxes_paid").select("entity_key")
    blank = reported.join(taxes, on="entity_key", how="anti").height
    assert 0.003 < blank / reported.height < 0.03


def test_quirk_a_missing_month() -> None:
    j = jurisdiction("national")
    month = j.quirks["missing_month"]
    year = month[:4]
    monthly = j.observations.filter(
        (pl.col("entity_kind") == "enterprise")
        & (pl.col("variable") == "revenue")
        & pl.col("period").str.starts_with(year + "-")
    )
    months = monthly.group_by("entity_key").agg(pl.col("period"))
    before = f"{year}-{int(month[5:]) - 1:02d}"
    after = f"{year}-{int(month[5:]) + 1:02d}"
    gaps = months.filter(
        pl.col("period").list.contains(before)
        & pl.col("period").list.contains(after)
        & ~pl.col("period").list.contains(month)
    )
    assert gaps.height >= 1
    zone_code = j.quirks["zone_missing_month"].split()[0]
    zone_fiscal = j.observations.filter(
        (pl.col("entity_key") == zone_code) & (pl.col("variable") == "fiscal_revenue")
    )["period"]
    assert month not in zone_fiscal.to_list() and before in zone_fiscal.to_list()


@pytest.mark.parametrize("key", all_keys())
def test_quirk_a_late_revision_that_the_later_batch_wins(key: str) -> None:
    j = jurisdiction(key)
    o = j.observations
    keys = ["entity_kind", "entity_key", "variable", "period"]
    duplicated = o.filter(pl.struct(keys).is_duplicated())
    assert duplicated.height >= 2
    assert set(duplicated["period"]) == {j.quirks["revised_period"]}
    assert set(duplicated["variable"]) == {j.quirks["revised_variable"]}
    revisions = duplicated.filter(pl.col("batch") == j.quirks["revision_batch"])
    originals = duplicated.filter(pl.col("batch") != j.quirks["revision_batch"])
    assert revisions.height == originals.height
    assert revisions["reported_on"].min() > originals["reported_on"].max()
    latest = synth.latest_observations(o)
    assert latest.filter(pl.struct(keys).is_duplicated()).height == 0
    assert latest.height == o.height - revisions.height
    kept = latest.join(revisions.select(keys), on=keys)
    assert set(kept["batch"]) == {j.quirks["revision_batch"]}


@pytest.mark.parametrize("key", all_keys())
def test_observations_only_while_an_enterprise_is_in_the_zone(key: str) -> None:
    j = jurisdiction(key)
    yearly = j.observations.filter(
        (pl.col("entity_kind") == "enterprise") & (pl.col("period").str.len_chars() == 4)
    ).join(j.enterprises, left_on="entity_key", right_on="uscc")
    end = pl.date(pl.col("period").cast(pl.Int32), 12, 31)
    assert (yearly.select(pl.col("joined_on") <= end).to_series()).all()
    assert (
        yearly.select(pl.col("left_on").is_null() | (pl.col("left_on") > end)).to_series()
    ).all()


def test_zone_and_city_statistics_allow_shares_of_the_city() -> None:
    j = jurisdiction("fujian")
    o = j.observations.filter(pl.col("period") == "2024")
    zones = (
        o.filter(pl.col("entity_kind") == "zone")
        .join(j.zones.select("code", "region_code"), left_on="entity_key", right_on="code")
        .group_by("region_code", "variable")
        .agg(pl.col("value").sum().alias("zones"))
    )
    cities = o.filter(pl.col("entity_kind") == "region").select(
        pl.col("entity_key").alias("region_code"), "variable", pl.col("value").alias("city")
    )
    shares = zones.join(cities, on=["region_code", "variable"])
    assert set(shares["variable"]) >= {
        "gdp",
        "enterprise_count",
        "hte_count",
        "fiscal_revenue",
        "hightech_industry_revenue",
    }
    assert (shares["zones"] <= shares["city"]).all()
    iva_city = cities.filter(pl.col("variable") == "industrial_value_added")
    assert iva_city.height == j.zones["region_code"].n_unique()


@pytest.mark.parametrize("key", ["fujian", "gansu", "sichuan", "national"])
def test_province_totals_allow_the_zones_share_of_the_province(key: str) -> None:
    """Sichuan 一(二) measures the zones' GDP, 高新技术产业 and 科技服务业 revenue against the
    province's: each province holding a zone reports them, above its host cities' total."""
    j = jurisdiction(key)
    o = j.observations.filter((pl.col("period") == "2024") & (pl.col("entity_kind") == "region"))
    provinces = o.filter(pl.col("entity_key").str.ends_with("0000"))
    hosts = {c[:2] + "0000" for c in j.zones["region_code"].to_list()}
    assert set(provinces["entity_key"]) == hosts
    assert set(provinces["variable"]) == set(synth.PROVINCE_VARIABLES)
    cities = (
        o.filter(~pl.col("entity_key").str.ends_with("0000"))
        .group_by(pl.col("entity_key").str.slice(0, 2).alias("p"), "variable")
        .agg(pl.col("value").sum().alias("cities"))
    )
    both = provinces.with_columns(p=pl.col("entity_key").str.slice(0, 2)).join(
        cities, on=["p", "variable"]
    )
    assert both.height == provinces.height
    # a province whose zones have no section-M firm has no 科技服务业 revenue in the demo at all
    empty = both.filter(pl.col("value") == 0)
    assert (empty["cities"] == 0).all() and set(empty["variable"]) <= {"tech_service_revenue"}
    both = both.filter(pl.col("value") > 0)
    low, _ = synth.HOST_CITIES_SHARE_OF_PROVINCE
    share = both["cities"] / both["value"]
    assert (share >= low * 0.9).all() and (share <= 0.95 + 1e-6).all()  # capped like the cities


def test_a_city_jurisdiction_has_no_province_totals() -> None:
    o = jurisdiction("taizhou").observations.filter(pl.col("entity_kind") == "region")
    assert set(o["entity_key"]) == {"331000"}


def test_zone_tech_service_revenue_is_its_section_m_firms_revenue() -> None:
    j = jurisdiction("fujian")
    o = synth.latest_observations(j.observations).filter(pl.col("period") == "2024")
    section_m = j.enterprises.filter(pl.col("industry_code").str.starts_with("M"))["uscc"]
    reported = o.filter(
        pl.col("entity_key").is_in(section_m.implode()) & (pl.col("variable") == "revenue")
    )["value"].sum()
    zones = o.filter(
        (pl.col("entity_kind") == "zone") & (pl.col("variable") == "tech_service_revenue")
    )
    # the zone reports the whole; the firms' own reports have their ~2.5% holes
    assert reported <= zones["value"].sum() * (1 + 1e-9) <= reported / 0.95
    assert zones.height == j.zones.height - 1  # every zone in force (the 2023 one too)


def test_zone_counts_match_the_enterprises() -> None:
    j = jurisdiction("gansu")
    counts = j.observations.filter(
        (pl.col("variable") == "enterprise_count") & (pl.col("entity_kind") == "zone")
    )
    e = j.enterprises
    end = date(2024, 12, 31)
    active = e.filter(
        (pl.col("joined_on") <= end) & (pl.col("left_on").is_null() | (pl.col("left_on") > end))
    )
    expected = dict(active.group_by("zone_code").len().iter_rows())
    got = dict(counts.filter(pl.col("period") == "2024").select("entity_key", "value").iter_rows())
    assert {k: int(v) for k, v in got.items() if v} == expected


def test_quarterly_gdp_and_monthly_fiscal_revenue_for_zones() -> None:
    o = jurisdiction("sichuan").observations.filter(pl.col("entity_kind") == "zone")
    gdp = o.filter(pl.col("variable") == "gdp")
    assert {"2023Q1", "2025Q4", "2019"} <= set(gdp["period"])
    assert "2022Q1" not in set(gdp["period"])
    fiscal = o.filter(pl.col("variable") == "fiscal_revenue")
    assert "2023-01" in set(fiscal["period"])


# ---- newcomers and zone-level realism ----------------------------------------------------------
def test_a_firm_joining_mid_year_reports_from_its_joining_month() -> None:
    # A firm joining in month j reports 1-N月 from j: its first 累计 is one month's share of the
    # months it is in the zone. With the seasonal profile SEASON (Jan..Dec)
    #   0.6 0.7 1.0 0.95 1.0 1.1 0.95 0.95 1.05 1.0 1.1 1.6
    # a July joiner's July 累计 / December 累计 ≈ 0.95 / (0.95+0.95+1.05+1.0+1.1+1.6) = 0.143,
    # where carrying the whole year-to-date on arrival gave ≈ 6.3 / 11.95 = 0.527.
    j = jurisdiction("national")
    season = [0.6, 0.7, 1.0, 0.95, 1.0, 1.1, 0.95, 0.95, 1.05, 1.0, 1.1, 1.6]
    joiners = j.enterprises.filter(
        (pl.col("joined_on").dt.year() == 2025) & (pl.col("joined_on").dt.month() > 1)
    ).select(pl.col("uscc").alias("entity_key"), pl.col("joined_on").dt.month().alias("m"))
    revenue = j.observations.filter(
        (pl.col("variable") == "revenue") & pl.col("period").str.starts_with("2025-")
    ).join(joiners, on="entity_key")
    first = revenue.filter(pl.col("period").str.slice(5, 2).cast(pl.Int32) == pl.col("m"))
    december = revenue.filter(pl.col("period") == "2025-12").select("entity_key", "value")
    ratio = first.join(december, on="entity_key", suffix="_dec").with_columns(
        share=pl.col("value") / pl.col("value_dec"),
        expected=pl.col("m").map_elements(
            lambda m: season[m - 1] / sum(season[m - 1 :]), return_dtype=pl.Float64
        ),
    )
    assert ratio.height >= 20
    # month-to-month noise is lognormal(0, 0.25): the median ratio sits near the expected share
    assert (ratio["share"] / ratio["expected"]).median() == pytest.approx(1.0, abs=0.25)
    # no month before joining is reported
    early = revenue.filter(pl.col("period").str.slice(5, 2).cast(pl.Int32) < pl.col("m"))
    assert early.height == 0


def test_newcomers_are_not_the_giants_of_their_zone() -> None:
    # Firms joining during the covered years (from 2019) draw their size below the 75th
    # percentile of all draws, so among the 1% largest firms of the calibration year there are
    # (almost) none, although they are a large share of all firms.
    j = jurisdiction("national")
    newcomer = j.enterprises.select(
        pl.col("uscc").alias("entity_key"), (pl.col("joined_on").dt.year() >= 2019).alias("new")
    )
    assert newcomer["new"].mean() > 0.2  # type: ignore[operator]
    revenue = j.observations.filter(
        (pl.col("variable") == "revenue") & (pl.col("period") == "2021")
    ).join(newcomer, on="entity_key")
    top = revenue.sort("value", descending=True).head(max(revenue.height // 100, 10))
    assert top["new"].mean() < 0.05  # type: ignore[operator]


def test_zone_growth_is_plausible() -> None:
    # 1-7月 revenue of every zone, 2025 against 2024, from the raw enterprise 累计 figures: no
    # zone more than doubles or halves (the demo once showed 100-300% from one giant newcomer).
    for key in PROVINCIAL:
        j = jurisdiction(key)
        firms = j.enterprises.select(pl.col("uscc").alias("entity_key"), "zone_code")
        july = (
            synth.latest_observations(j.observations)
            .filter(
                (pl.col("variable") == "revenue") & pl.col("period").is_in(["2024-07", "2025-07"])
            )
            .join(firms, on="entity_key")
            .group_by("zone_code")
            .agg(
                pl.col("value").filter(pl.col("period") == p).sum().alias(p)
                for p in ("2024-07", "2025-07")
            )
            .filter(pl.col("2024-07") > 0)
        )
        # a zone new since 2023 grows from a handful of firms: one of them tripling doubles it
        young = j.zones.filter(pl.col("approved_on").dt.year() >= 2023)["code"]
        july = july.filter(~pl.col("zone_code").is_in(young.implode()))
        growth = july["2025-07"] / july["2024-07"] - 1
        assert growth.len() >= 3
        assert growth.max() < 1.0 and growth.min() > -0.5, (key, july)  # type: ignore[operator]


def test_major_safety_accidents_are_rare_and_reported_as_zero_otherwise() -> None:
    j = jurisdiction("national")
    accidents = j.observations.filter(pl.col("variable") == "major_safety_accidents")
    assert set(accidents["entity_kind"]) == {"zone"}
    assert set(accidents["period"].str.len_chars()) == {4}  # yearly
    gdp = j.observations.filter(
        (pl.col("variable") == "gdp")
        & (pl.col("period") == "2024")
        & (pl.col("entity_kind") == "zone")
    )
    in_2024 = accidents.filter(pl.col("period") == "2024")
    # every zone with 2024 statistics reports its accidents, mostly 0
    assert set(in_2024["entity_key"]) == set(gdp["entity_key"])
    assert set(accidents["value"].unique()) <= {0.0, 1.0}
    rate = accidents["value"].mean()
    assert 0.005 < rate < 0.04, rate  # type: ignore[operator]
    assert default_catalogue().variables["major_safety_accidents"].unit == "起"


@pytest.mark.parametrize("key", PROVINCIAL)
def test_the_demo_keeps_the_shipped_validation_rules_of_high_importance(key):
    """A demo whose own data breaks a blocking rule cannot be exported and imported again: the
    Gansu demo held 工业增加值 > 工业总产值 for two firm-months (issue 15)."""
    from importlib import resources

    from gaoxin.engine import validation

    text = resources.files("gaoxin.packs").joinpath("catalogue/validation_rules.yaml")
    shipped = yaml.safe_load(text.read_text("utf-8"))["rules"]
    namespace = {v.code: {"type": "number", "label": v.zh} for v in default_catalogue()}
    latest = synth.latest_observations(jurisdiction(key).observations).drop_nulls("value")
    for spec in shipped:
        if spec.get("importance") != "high":
            continue
        rule = validation.load_rules(
            [{k: v for k, v in spec.items() if k in ("code", "name", "left", "operator", "right")}]
        )[0]
        reads = {n for side in rule.formulas(namespace) for n in side.names}
        wide = (
            latest.filter((pl.col("entity_kind") == spec["kind"]) & pl.col("variable").is_in(reads))
            .with_columns(pl.col("value").cast(pl.Float64))
            .pivot(on="variable", index=["entity_key", "period"], values="value")
        )
        if not reads <= set(wide.columns):
            continue
        broken = validation.run_rules([rule], wide, namespace, keys=["entity_key", "period"])
        assert broken.is_empty(), (spec["code"], broken.head(3).to_dicts())
