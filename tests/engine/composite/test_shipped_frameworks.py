"""The shipped evaluation frameworks: each validates, runs end to end on synthetic facts, and one
value per framework is checked by hand from the raw inputs."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from gaoxin.engine import synth
from gaoxin.engine.composite import check_framework, evaluate, load_framework
from gaoxin.engine.composite.inputs import evaluation_inputs
from gaoxin.engine.facts import FactFrame, from_synth

PACKS = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
PERIOD = "2025"

# framework file -> (jurisdiction, level, unit filter)
SHIPPED: dict[str, tuple[str, str, pl.Expr | None]] = {
    "gansu/frameworks/annual-assessment.yaml": (
        "gansu",
        "zone",
        pl.col("level") == "provincial",
    ),
    "catalogue/frameworks/mu-efficiency.yaml": (
        "taizhou",
        "enterprise",
        pl.col("above_scale") == 1,
    ),
    "catalogue/frameworks/mu-efficiency-wenling.yaml": (
        "taizhou",
        "enterprise",
        pl.col("above_scale") == 1,
    ),
    "sichuan/frameworks/comprehensive-evaluation.yaml": ("sichuan", "zone", None),
    "national-14th-fyp/frameworks/national-zones-2021.yaml": (
        "national",
        "zone",
        pl.col("level") == "national",
    ),
    "national-14th-fyp/frameworks/national-zones-2021-numbered.yaml": (
        "national",
        "zone",
        pl.col("level") == "national",
    ),
    "taizhou-2024/frameworks/ranking-annual.yaml": ("taizhou", "zone", None),
    "taizhou-2024/frameworks/ranking-monitor.yaml": ("taizhou", "zone", None),
    # enterprises that reported this year (a member that reported nothing has no score)
    "catalogue/frameworks/innovation-points.yaml": (
        "gansu",
        "enterprise",
        pl.col("revenue").is_not_null(),
    ),
}
MONTHLY = {"taizhou-2024/frameworks/ranking-monitor.yaml"}


@cache
def facts(jurisdiction: str) -> FactFrame:
    return from_synth(synth.generate(jurisdiction, scale=0.1))


def run(path: str, data: pl.DataFrame | None = None):
    fw = load_framework(PACKS / path)
    jur, level, where = SHIPPED[path]
    if data is None:
        period = "2025-07" if path in MONTHLY else PERIOD
        data = evaluation_inputs(facts(jur), fw, period, level=level, where=where)
    return fw, data, evaluate(fw, data)


@pytest.mark.parametrize("path", sorted(SHIPPED))
def test_framework_validates(path: str) -> None:
    text = (PACKS / path).read_text(encoding="utf-8")
    check_framework(yaml.safe_load(text), file=path, text=text)


@pytest.mark.parametrize("path", sorted(SHIPPED))
def test_runs_end_to_end(path: str) -> None:
    fw, data, ev = run(path)
    res = ev.result
    assert data.height >= 3
    assert res.height == data.height
    assert res["score"].is_not_null().all() and res["score"].is_finite().all()
    assert res["rank"].is_not_null().all()
    assert res["grade"].is_not_null().all()
    assert res["rank"].min() == 1


def test_inputs_one_row_per_unit_and_nulls_kept() -> None:
    fw = load_framework(PACKS / "gansu/frameworks/annual-assessment.yaml")
    data = evaluation_inputs(facts("gansu"), fw, PERIOD)
    assert data["unit"].is_unique().all()
    assert data.columns[0] == "unit"
    assert {"new_hte", "hightech_revenue_growth", "new_rd_institutions"} <= set(data.columns)


def test_gansu_hand_checked() -> None:
    """功效系数法 60 + 40·(x − min)/(max − min), equal weights, + capped bonus, by hand."""
    fw, data, ev = run("gansu/frameworks/annual-assessment.yaml")
    codes = ["new_hte", "hightech_industry_revenue", "hightech_revenue_growth", "hte_new_employees"]
    filled = data.with_columns(pl.col(c).fill_null(pl.col(c).mean()) for c in codes)
    u = filled["unit"][0]
    row = filled.row(0, named=True)
    parts = []
    for c in codes:
        lo, hi = filled[c].min(), filled[c].max()
        parts.append(60 + 40 * (row[c] - lo) / (hi - lo))
    bonus = min(min(row["new_rd_institutions"], 3) + min(row["new_national_incubators"], 3), 5)
    expected = sum(parts) / 4 + bonus
    got = ev.result.filter(pl.col("unit") == u)["score"][0]
    assert math.isclose(got, expected, rel_tol=1e-9)
    # 不合格 exists for the revocation rule (第20条): the last 10 % by rank
    assert "不合格" in ev.result["grade"].to_list()


def test_mu_efficiency_hand_checked() -> None:
    """黄岩区: score = Σ value/benchmark × weight, from one enterprise's raw facts."""
    fw, data, ev = run("catalogue/frameworks/mu-efficiency.yaml")
    w = (
        facts("taizhou")
        .wide("year")
        .filter((pl.col("kind") == "enterprise") & (pl.col("period") == PERIOD))
    )
    cols = [c for c in data.columns if c.startswith("enterprise_")]
    complete = data.drop_nulls(cols)
    u = complete["unit"][0]
    r = w.filter(pl.col("entity") == u).row(0, named=True)
    iva = r["industrial_value_added"]
    expected = (
        r["taxes_paid"] / r["land_area"] / 24.097 * 30
        + iva / r["land_area"] / 136.16 * 20
        + iva / r["energy_consumption"] / 2.694 * 20
        + iva / r["pollutant_emissions"] / 4929.81 * 10
        + iva / r["employees"] / 18.14 * 10
        + r["rd_expenditure"] / r["revenue"] / 0.0302 * 10
    )
    got = ev.result.filter(pl.col("unit") == u)["score"][0]
    assert math.isclose(got, expected, rel_tol=1e-9)
    grades = ev.result.sort("rank")["grade"].to_list()
    assert grades[0] == "A" and grades[-1] == "D"


def _efficacy(col: pl.Series, x: float, direction: int = 1) -> float:
    lo, hi = float(col.min()), float(col.max())  # type: ignore[arg-type]
    t = (x - lo) / (hi - lo)
    return 60 + 40 * (t if direction == 1 else 1 - t)


def test_sichuan_hand_checked() -> None:
    """Two dimensions 60/40, equal weights inside, 功效系数法 after imputation by the level's mean."""
    fw, data, ev = run("sichuan/frameworks/comprehensive-evaluation.yaml")
    inn = ["hte_share", "new_tech_smes", "new_gazelles"]
    ind = ["revenue_total", "hightech_industry_revenue", "tech_service_revenue_share"]
    filled = data.with_columns(
        pl.col(c).fill_null(pl.col(c).mean().over("level")) for c in inn + ind
    )
    row = filled.row(0, named=True)
    a = sum(_efficacy(filled[c], row[c]) for c in inn) / 3
    b = sum(_efficacy(filled[c], row[c]) for c in ind) / 3
    got = ev.result.filter(pl.col("unit") == row["unit"])["score"][0]
    assert math.isclose(got, 0.6 * a + 0.4 * b, rel_tol=1e-9)
    assert "rank_level" in ev.result.columns


def test_sichuan_safety_veto_grades_and_frees_the_place() -> None:
    """(二十六) 一票否决: the vetoed zone is graded 较差 (the draft's one word for the worst
    result, (二十八)), ranked last in its level and takes no quota place: the next zone of its
    level moves up into first place and takes the 优秀 place."""
    fw, data, ev = run("sichuan/frameworks/comprehensive-evaluation.yaml")
    best = ev.result.filter(pl.col("grade") == "优秀").sort("rank")["unit"][0]
    before = ev.result.filter(pl.col("unit") == best).row(0, named=True)
    level = data.filter(pl.col("unit") == best)["level"][0]
    hit = data.with_columns(
        pl.when(pl.col("unit") == best)
        .then(1.0)
        .otherwise(pl.col("major_safety_accidents"))
        .alias("major_safety_accidents")
    )
    _, _, ev2 = run("sichuan/frameworks/comprehensive-evaluation.yaml", hit)
    r = ev2.result.filter(pl.col("unit") == best).row(0, named=True)
    assert r["grade"] == "较差" and r["veto"] == "safety"
    assert r["score"] == before["score"]  # score untouched
    same = ev.result.join(data.select("unit", "level"), on="unit").filter(
        (pl.col("level") == level) & (pl.col("unit") != best) & pl.col("score").is_not_nan()
    )
    assert r["rank_level"] == same.height + 1  # after every zone of its level
    after = ev2.result.join(same.select("unit", prev=pl.col("rank_level")), on="unit")
    # every zone ranked below it before moves up one place, and takes that place's grade
    moved = after.filter(pl.col("prev") > before["rank_level"])
    assert (moved["rank_level"] == moved["prev"] - 1).all() and moved.height > 0
    nxt = after.filter(pl.col("rank_level") == before["rank_level"]).row(0, named=True)
    assert nxt["grade"] == before["grade"] == "优秀"
    # zones of the other level keep their ranks and grades
    other = data.filter(pl.col("level") != level)["unit"]
    keep = ev.result.filter(pl.col("unit").is_in(other.to_list())).sort("unit")
    again = ev2.result.filter(pl.col("unit").is_in(other.to_list())).sort("unit")
    assert keep.select("rank_level", "grade").equals(again.select("rank_level", "grade"))


def test_sichuan_veto_reads_the_zone_statistic() -> None:
    """(二十六): the veto reads major_safety_accidents of the year from the facts; every zone-year
    that reports an accident is 较差 with the veto named, and no other zone-year is vetoed."""
    path = "sichuan/frameworks/comprehensive-evaluation.yaml"
    fw = load_framework(PACKS / path)
    f = facts("sichuan")
    w = f.wide("year").filter(pl.col("kind") == "zone")
    hits = 0
    for year in f.periods("year"):
        data = evaluation_inputs(f, fw, year)
        reported = w.filter(pl.col("period") == year).select(
            pl.col("entity").cast(pl.String).alias("unit"), "major_safety_accidents"
        )
        both = data.join(reported, on="unit", suffix="_facts")
        assert both.height == data.height
        assert both["major_safety_accidents"].equals(both["major_safety_accidents_facts"])
        res = evaluate(fw, data).result.join(data, on="unit")
        accident = res["major_safety_accidents"].fill_null(0) > 0
        hits += int(accident.sum())
        assert (res.filter(accident)["grade"] == "较差").all()
        assert (res.filter(accident)["veto"] == "safety").all()
        assert (res.filter(~accident)["veto"] == "").all()
    assert hits > 0  # the demo has rare accidents (~2 % of zone-years)


def test_national_hand_checked() -> None:
    """Index = 20/20/15/15/30 of the dimensions ([C]); the 开放 dimension = mean of its two
    indicators' min-max scores, recomputed from the treated values."""
    fw, data, ev = run("national-14th-fyp/frameworks/national-zones-2021.yaml")
    r = ev.result.row(0, named=True)
    dims = {"innovation": 20, "structure": 20, "green": 15, "open": 15, "quality": 30}
    expected = sum(w * r[d] for d, w in dims.items()) / 100
    assert math.isclose(r["national_index"], expected, rel_tol=1e-9)
    treated = ev.layers["Treated"]
    parts = []
    for c in ["industry_university_rd_share", "hte_export_share"]:
        col = treated[c]
        x = treated.filter(pl.col("unit") == r["unit"])[c][0]
        parts.append(100 * (x - col.min()) / (col.max() - col.min()))
    assert math.isclose(r["open"], sum(parts) / 2, rel_tol=1e-9)
    assert data.height > 100  # all national zones of the demo


def test_taizhou_annual_hand_checked() -> None:
    """主要目标 by threshold (达标满分, else 100·x/target), energy and 主要指标 by min-max, 60/40."""
    fw, data, ev = run("taizhou-2024/frameworks/ranking-annual.yaml")
    targets = {
        "rd_intensity": 4,
        "above_scale_iva_city_share": 50,
        "hte_share_of_city": 35,
        "hte_share_of_above_scale": 60,
        "hightech_va_share": 80,
    }
    monitor = ["revenue_total", "industrial_output_total", "taxes_total", "exports_total"]
    monitor.append("revenue_growth")
    cols = [*targets, "energy_per_iva", *monitor]
    filled = data.with_columns(pl.col(c).fill_null(pl.col(c).mean()) for c in cols)
    row = filled.row(0, named=True)

    def mm(c: str, direction: int = 1) -> float:
        lo, hi = filled[c].min(), filled[c].max()
        t = (row[c] - lo) / (hi - lo)
        return 100 * (t if direction == 1 else 1 - t)

    t = [100.0 if row[c] >= tg else 100 * row[c] / tg for c, tg in targets.items()]
    t.append(mm("energy_per_iva", -1))
    m = [mm(c) for c in monitor]
    expected = 0.6 * sum(t) / 6 + 0.4 * sum(m) / 5
    got = ev.result.filter(pl.col("unit") == row["unit"])["score"][0]
    assert math.isclose(got, expected, rel_tol=1e-9)


def test_taizhou_monitor_monthly_hand_checked() -> None:
    fw, data, ev = run("taizhou-2024/frameworks/ranking-monitor.yaml")
    cols = ["revenue_total", "industrial_output_total", "taxes_total", "exports_total"]
    cols.append("revenue_growth")
    filled = data.with_columns(pl.col(c).fill_null(pl.col(c).mean()) for c in cols)
    row = filled.row(0, named=True)
    parts = [100 * (row[c] - filled[c].min()) / (filled[c].max() - filled[c].min()) for c in cols]
    got = ev.result.filter(pl.col("unit") == row["unit"])["score"][0]
    assert math.isclose(got, sum(parts) / 5, rel_tol=1e-9)


def test_innovation_points_hand_checked() -> None:
    """Structure only: 100·min(x/ref, 1) per item, goalposts for growth, 50/35/15, + bonus."""
    fw, data, ev = run("catalogue/frameworks/innovation-points.yaml")
    refs = {
        "enterprise_rd_intensity": 10,
        "invention_patents_held": 10,
        "enterprise_rd_personnel_share": 30,
        "revenue": 50000,
        "taxes_paid": 1000,
        "enterprise_bachelor_share": 50,
        "venture_capital_received": 1000,
    }
    # few firms report venture capital: a missing item is left out of its dimension's mean
    # (weights renormalised over the items present), not scored 0
    optional = "venture_capital_received"
    complete = data.drop_nulls([*(c for c in refs if c != optional), "enterprise_revenue_growth"])
    row = complete.row(0, named=True)
    s = {c: 100 * min(row[c] / r, 1) for c, r in refs.items() if row[c] is not None}
    growth = 100 * min(max(row["enterprise_revenue_growth"] / 30, 0), 1)
    tech = (s["enterprise_rd_intensity"] + s["invention_patents_held"]) / 3
    tech += s["enterprise_rd_personnel_share"] / 3
    grow = (growth + s["revenue"] + s["taxes_paid"]) / 3
    aux_items = [s[c] for c in ("enterprise_bachelor_share", optional) if c in s]
    aux = sum(aux_items) / len(aux_items)
    bonus = min(5 * (row["srdi"] or 0) + 10 * (row["little_giant"] or 0), 10)
    expected = 0.5 * tech + 0.35 * grow + 0.15 * aux + bonus
    got = ev.result.filter(pl.col("unit") == row["unit"])["score"][0]
    assert math.isclose(got, expected, rel_tol=1e-9)


def test_inputs_read_catalogue_facts_and_certifications() -> None:
    fw = load_framework(PACKS / "catalogue/frameworks/innovation-points.yaml")
    f = facts("gansu")
    data = evaluation_inputs(f, fw, PERIOD, level="enterprise")
    w = f.wide("year").filter((pl.col("kind") == "enterprise") & (pl.col("period") == PERIOD))
    assert data.height == w.height and data["unit"].is_unique().all()
    # a raw variable passes through with its nulls (no filling here)
    raw = w.select(pl.col("entity").alias("unit"), "revenue").join(data, on="unit")
    assert raw["revenue"].null_count() == raw["revenue_right"].null_count() > 0
    # certifications as 0/1; the safety column has no fact variable yet: null for everyone
    assert set(data["srdi"].unique().to_list()) <= {0.0, 1.0}
    assert data["major_safety_accident"].is_null().all()
    only = evaluation_inputs(f, fw, PERIOD, level="enterprise", where=pl.col("hte") == 1)
    assert 0 < only.height < data.height


def test_gansu_two_failures_are_readable() -> None:
    """第20条 reads 不合格 in two consecutive evaluations: both years' grades come out per zone."""
    fw = load_framework(PACKS / "gansu/frameworks/annual-assessment.yaml")
    where = pl.col("level") == "provincial"
    grades = {
        year: evaluate(fw, evaluation_inputs(facts("gansu"), fw, year, where=where)).result
        for year in ("2024", "2025")
    }
    both = grades["2024"].join(grades["2025"], on="unit", suffix="_2025")
    twice = both.filter((pl.col("grade") == "不合格") & (pl.col("grade_2025") == "不合格"))
    assert both.height >= 3
    for res in grades.values():  # the last 10 % by rank fail every year (floor(0.9 n) pass)
        n = res.height
        assert (res["grade"] == "不合格").sum() == n - math.floor(0.9 * n)
    assert twice.columns[:1] == ["unit"]  # the zones a revocation review would list


def test_wenling_bands_variant_scores_as_huangyan_and_classes_by_wenling_shares() -> None:
    """温岭 2022 (domain-notes-2 e.2): B 20-80 %, C 80-95 %, D last 5 %; A the top 20 %
    (inferred). Scores are the 黄岩区 formula's, so only the classes differ."""
    _, data, hy = run("catalogue/frameworks/mu-efficiency.yaml")
    _, _, wl = run("catalogue/frameworks/mu-efficiency-wenling.yaml", data)
    assert wl.result["score"].equals(hy.result["score"])
    n = int(wl.result["score"].is_not_nan().sum())
    r = wl.result["rank"].to_numpy()
    want = np.select([r <= n // 5, r <= (8 * n) // 10, r <= (95 * n) // 100], ["A", "B", "C"], "D")
    assert wl.result["grade"].to_list() == want.tolist()
    assert (wl.result["grade"] == "B").sum() > (
        hy.result["grade"] == "B"
    ).sum()  # B to 80 %, not 60 %


def test_national_2021_numbered_variant_weights_1_2_by_its_sourced_weight() -> None:
    """domain-notes-2 (a): 1.2 赋权 1.2 [A], the other computable indicators 1 (unknown); the
    innovation score of a zone by hand from its normalised scores."""
    path = "national-14th-fyp/frameworks/national-zones-2021-numbered.yaml"
    fw, data, ev = run(path)
    inn = next(c for c in fw.index.children if c.code == "innovation")
    w = np.array([c.weight for c in inn.children])
    assert w.tolist() == [1.2, 1, 1, 1, 1, 1]
    assert ev.weights["innovation"]["rd_personnel_share"] == pytest.approx(1.2 / 6.2)
    N = ev.layers["Normalised"]
    X = np.column_stack([N[c.code].to_numpy() for c in inn.children])
    ok = ~np.isnan(X).any(axis=1)
    want = (X[ok] * w).sum(axis=1) / w.sum()
    np.testing.assert_allclose(ev.layers["Aggregated"]["innovation"].to_numpy()[ok], want)
    # 26 computable indicators here + 15 listed as not included = the 41 of the reconstruction
    listed = next(a for a in fw.assumptions if a.startswith("未纳入"))
    assert len(fw.indicators()) + listed.count("；") + 1 == 41
