"""run_framework on the Gansu demo in the store: inputs checked by hand from raw observations,
rank change against the previous year's run, frozen re-runs, a revised observation, the 亩均
enterprise scheme, history() as decision 009 gives it, and errors that write nothing."""

import math
from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from gaoxin.engine.composite import Framework
from gaoxin.engine.problems import ProblemsError
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
from gaoxin.evaluation.report import write_run_xlsx
from gaoxin.evaluation.store import HISTORY_SCHEMA, history, run_framework
from gaoxin.registry.models import Entity
from gaoxin.statistics.models import Observation
from tests import factories

pytestmark = pytest.mark.django_db

FW = "gansu-provincial-zones-annual"
INDICATORS = [
    "new_hte",
    "hightech_industry_revenue",
    "hightech_revenue_growth",
    "hte_new_employees",
]


def _obs(entity: str, variable: str, period: str) -> float:
    return float(
        Observation.objects.get(entity__code=entity, variable__code=variable, period=period).value
    )


def _rows(run: EvaluationRun) -> list[tuple]:
    return list(
        run.results.order_by("entity__code").values_list(
            "entity__code", "score", "rank", "rank_change", "grade", "veto", "node_scores", "inputs"
        )
    )


def test_one_zone_by_hand_from_raw_observations(gansu):
    run = run_framework("gansu", None, "2025")
    assert run.framework == FW and run.period == "2025" and run.level == "zone"
    jinchang = run.results.get(entity__code="620300P1")
    # inputs read straight from the zone's reports: this year's figure and its growth on last year
    x25 = _obs("620300P1", "hightech_industry_revenue", "2025")
    x24 = _obs("620300P1", "hightech_industry_revenue", "2024")
    assert jinchang.inputs["hightech_industry_revenue"] == x25
    assert math.isclose(jinchang.inputs["hightech_revenue_growth"], 100 * (x25 - x24) / x24)
    # the index: 功效系数法 60 + 40·(x − min)/(max − min) per indicator over the zones evaluated,
    # a missing value replaced by the zones' mean, equal weights (25 each of 100)
    inputs = pl.DataFrame([r.inputs for r in run.results.all()])
    filled = inputs.with_columns(pl.col(c).fill_null(pl.col(c).mean()) for c in INDICATORS)
    row = filled.filter(
        pl.col("hightech_industry_revenue") == jinchang.inputs["hightech_industry_revenue"]
    ).row(0, named=True)
    parts = [
        60 + 40 * (row[c] - filled[c].min()) / (filled[c].max() - filled[c].min())
        for c in INDICATORS
    ]
    assert math.isclose(jinchang.node_scores["gansu_annual"], sum(parts) / 4, rel_tol=1e-12)
    # bonus: one point per new institution, at most 3 per item and 5 in all (the framework's caps)
    a, b = jinchang.inputs["new_rd_institutions"], jinchang.inputs["new_national_incubators"]
    assert jinchang.node_scores["bonus"] == min(min(a, 3) + min(b, 3), 5)
    assert math.isclose(jinchang.score, sum(parts) / 4 + jinchang.node_scores["bonus"])
    # the framework ranks provincial zones only (units.where, 第10条 省级高新区年度考核): the
    # demo's two national zones are left out; of the 11 provincial ones, those that reported in
    # 2025 are ranked, 1..n, and the receipt names the pack
    assert run.parameters["level"] == "zone" and run.parameters["where"] == 'level == "provincial"'
    codes = set(run.results.values_list("entity__code", flat=True))
    assert codes.isdisjoint({"620100N1", "620400N1"}) and all("P" in c for c in codes)
    assert run.units == run.results.count() == 10
    # rank = 1 + the number of zones with a higher score (ties share the better place)
    scored = list(run.results.values_list("score", "rank"))
    assert all(r == 1 + sum(s2 > s for s2, _ in scored) for s, r in scored)
    assert run.record["pack"] == "gansu" and len(run.pack_hash) == 64
    assert run.record["data_hash"] == run.data_hash


def test_rank_change_against_the_previous_years_run(gansu):
    first = run_framework("gansu", FW, "2025")  # before 2024 was run: no change to report
    assert first.previous is None
    assert set(first.results.values_list("rank_change", flat=True)) == {None}
    y24 = run_framework("gansu", FW, "2024")
    y25 = run_framework("gansu", FW, "2025")
    assert y25.previous == y24
    before = dict(y24.results.values_list("entity__code", "rank"))
    for code, rank, change in y25.results.values_list("entity__code", "rank", "rank_change"):
        assert change == (before[code] - rank if code in before else None)
    assert any(c not in (0, None) for c in y25.results.values_list("rank_change", flat=True))


def test_rerun_is_byte_identical_and_the_newest_is_current(gansu):
    a = run_framework("gansu", FW, "2025")
    b = run_framework("gansu", FW, "2025")
    assert a.pk != b.pk
    assert (a.data_hash, a.framework_hash, a.pack_hash) == (
        b.data_hash,
        b.framework_hash,
        b.pack_hash,
    )
    assert _rows(a) == _rows(b)
    assert EvaluationRun.objects.current(FW, "2025") == b
    assert EvaluationResult.objects.filter(run=a).count() == 10  # the old run is kept whole


def test_a_revised_observation_gives_a_new_data_hash(gansu):
    a = run_framework("gansu", FW, "2025")
    obs = Observation.objects.get(
        entity__code="620300P1", variable__code="hightech_industry_revenue", period="2025"
    )
    factories.revise(obs, obs.value + Decimal("1000"))
    b = run_framework("gansu", FW, "2025")
    assert b.data_hash != a.data_hash and b.framework_hash == a.framework_hash
    got = b.results.get(entity__code="620300P1").inputs["hightech_industry_revenue"]
    assert got == float(obs.value + Decimal("1000"))
    # the earlier run still shows what it was computed on
    assert a.results.get(entity__code="620300P1").inputs["hightech_industry_revenue"] == float(
        obs.value
    )


def test_mu_efficiency_over_the_demo_enterprises(gansu):
    """黄岩区: score = Σ value/benchmark × weight, for one above-scale enterprise, by hand."""
    run = run_framework(
        "catalogue", "mu-efficiency", "2025", level="enterprise", where="above_scale == 1"
    )
    assert run.level == "enterprise" and run.parameters["where"] == "above_scale == 1"
    assert run.units >= 5
    codes = set(run.results.values_list("entity__code", flat=True))
    assert codes <= set(Entity.objects.filter(kind="enterprise").values_list("code", flat=True))
    complete = [r for r in run.results.all() if all(v is not None for v in r.inputs.values())]
    r = complete[0]
    code = r.entity.code

    def v(var: str) -> float:
        return _obs(code, var, "2025")

    iva = v("industrial_value_added")
    expected = (
        v("taxes_paid") / v("land_area") / 24.097 * 30
        + iva / v("land_area") / 136.16 * 20
        + iva / v("energy_consumption") / 2.694 * 20
        + iva / v("pollutant_emissions") / 4929.81 * 10
        + iva / v("employees") / 18.14 * 10
        + v("rd_expenditure") / v("revenue") / 0.0302 * 10
    )
    assert math.isclose(r.score, expected, rel_tol=1e-9)
    grades = list(run.results.order_by("rank").values_list("grade", flat=True))
    assert grades[0] == "A" and grades[-1] == "D"
    # the run keeps the framework it used, infinite caps included, exactly
    stored = EvaluationRun.objects.get(pk=run.pk).record["framework_spec"]
    assert Framework.model_validate(stored).content_hash() == run.framework_hash


def test_history_is_the_frame_the_rules_read(gansu):
    assert history(FW, ["2025"]).schema == pl.Schema(HISTORY_SCHEMA)
    assert history(FW, ["2025"]).height == 0
    run_framework("gansu", FW, "2024")
    y25 = run_framework("gansu", FW, "2025")
    h = history(FW, ["2024", "2025年"])
    assert h.schema == pl.Schema(HISTORY_SCHEMA)
    assert h.group_by("period").len().sort("period").rows() == [("2024", 11), ("2025", 10)]
    jc = h.filter((pl.col("period") == "2025") & (pl.col("entity") == "620300P1")).row(
        0, named=True
    )
    r = y25.results.get(entity__code="620300P1")
    assert (jc["framework"], jc["score"], jc["rank"], jc["rank_change"], jc["grade"]) == (
        FW,
        r.score,
        r.rank,
        r.rank_change,
        r.grade,
    )
    assert jc["veto"] is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("gansu", None, "2030"), {}, "没有任何统计数据"),
        (("gansu", None, "2025"), {"where": "no_such_column == 1"}, "筛选条件有误"),
        (("gansu", None, "2025"), {"where": "above_scale == 2"}, "没有参评单位的指标数据"),
    ],
)
def test_errors_in_the_data_say_what_is_wrong_and_write_nothing(gansu, args, kwargs, message):
    with pytest.raises(ProblemsError) as e:
        run_framework(*args, **kwargs)
    assert message in e.value.problems[0].message
    assert EvaluationRun.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nowhere", None, "2025"), "找不到政策包「nowhere」"),
        (("catalogue", None, "2025"), "请用 --framework 指定其一"),
        (("gansu", "nope", "2025"), "没有评价体系「nope」"),
        (("gansu", None, "20x5"), "20x5"),
    ],
)
@pytest.mark.django_db
def test_errors_in_the_request_say_what_is_wrong_and_write_nothing(args, message):
    with pytest.raises(ProblemsError) as e:
        run_framework(*args)
    p = e.value.problems[0]
    assert message in p.message or message == p.value
    assert EvaluationRun.objects.count() == 0


LAST = """
framework: test-last-observed
title: 上期值插补测试
impute: {method: last}
scoring: {method: minmax}
index:
  code: idx
  children:
    - {code: hightech_industry_revenue, name: 高新技术产业营业收入, weight: 1}
    - {code: gdp, name: 地区生产总值, weight: 1}
"""


def test_last_observed_imputation_reads_earlier_periods_and_scope_limits_units(gansu, tmp_path):
    """A pack given as a directory: a zone whose 2025 figure is missing takes its 2024 value;
    a run over one city ranks only that city's zones and is current only for that scope."""
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "last.yaml").write_text(LAST, encoding="utf-8")
    gone = Observation.objects.get(
        entity__code="620100N1", variable__code="hightech_industry_revenue", period="2025"
    )
    factories.never_reported(gone)
    run = run_framework(str(tmp_path), None, "2025")
    assert run.pack == tmp_path.name and run.parameters["history_periods"][:2] == ["2024", "2023"]
    lanzhou = run.results.get(entity__code="620100N1")
    assert lanzhou.inputs["hightech_industry_revenue"] is None  # the raw value stays missing
    imputed = [r for r in run.record["imputed"] if r["unit"] == "620100N1"]
    assert imputed == [
        {
            "unit": "620100N1",
            "indicator": "hightech_industry_revenue",
            "value": _obs("620100N1", "hightech_industry_revenue", "2024"),
            "method": "last",
        }
    ]

    # the workbook names the indicators from the framework kept in the run, not the pack's file
    (tmp_path / "frameworks" / "last.yaml").unlink()
    write_run_xlsx(run, tmp_path / "last.xlsx")
    heads = [c.value for c in openpyxl.load_workbook(tmp_path / "last.xlsx")["排名"][3]]
    assert heads[-2:] == ["高新技术产业营业收入", "地区生产总值"]
    (tmp_path / "frameworks" / "last.yaml").write_text(LAST, encoding="utf-8")

    lanzhou_city = Entity.objects.get(kind="region", code="620100")
    city_run = run_framework(str(tmp_path), None, "2025", lanzhou_city)
    assert set(city_run.results.values_list("entity__code", flat=True)) == {"620100N1"}
    assert EvaluationRun.objects.current("test-last-observed", "2025", lanzhou_city) == city_run
    assert EvaluationRun.objects.current("test-last-observed", "2025") == run


UNITS = """
framework: test-units
title: 参评单位测试
units:
  level: zone
  where: zone_grade == "national"
index:
  code: idx
  children:
    - {code: gdp, name: 地区生产总值, weight: 1}
"""


def test_a_frameworks_where_the_facts_cannot_read_names_its_file_and_line(gansu, tmp_path):
    """units.where parses (the spec accepts it) but names no column of the fact row: the run is
    refused at the framework file's units.where line, nothing written; --where overrides it."""
    (tmp_path / "frameworks").mkdir()
    fw_file = tmp_path / "frameworks" / "units.yaml"
    fw_file.write_text(UNITS, encoding="utf-8")
    with pytest.raises(ProblemsError) as e:
        run_framework(str(tmp_path), None, "2025")
    [p] = e.value.problems
    assert (p.code, p.file, p.row, p.column) == (
        "evaluation.bad_where",
        str(fw_file),
        6,  # the blank first line, then framework, title, units, level, where
        "units.where",
    )
    assert "zone_grade" in p.message and p.value == 'zone_grade == "national"'
    assert EvaluationRun.objects.count() == 0
    # the caller's condition replaces the framework's
    run = run_framework(str(tmp_path), None, "2025", where='level == "national"')
    assert set(run.results.values_list("entity__code", flat=True)) == {"620100N1", "620400N1"}


def test_units_of_takes_the_options_before_the_framework():
    from gaoxin.engine.composite import check_framework
    from gaoxin.evaluation.store import units_of

    fw = check_framework(
        {
            "framework": "t",
            "units": {"level": "enterprise", "where": "above_scale == 1"},
            "index": {"code": "i", "children": [{"code": "a"}]},
        }
    )
    assert units_of(fw, None, None, "f.yaml") == ("enterprise", "above_scale == 1", "f.yaml")
    assert units_of(fw, None, "hte == 1") == ("enterprise", "hte == 1", None)
    assert units_of(fw, None, "") == ("enterprise", None, None)  # --where "": every enterprise
    # the framework's condition is written for its own level: not applied to zones
    assert units_of(fw, "zone", None) == ("zone", None, None)
    plain = check_framework({"framework": "t", "index": {"code": "i", "children": [{"code": "a"}]}})
    assert units_of(plain, None, None) == ("zone", None, None)


def test_a_run_reads_published_data_only(gansu):
    """A value under a return not yet approved by the province stays out of a run (decision
    041): 620300P1's 2025 高技术产业营业收入, reported on an annual form and only submitted, is
    missing from its inputs until the province approves the return."""
    from gaoxin.statistics import analytics

    zone = Entity.objects.get(code="620300P1")
    sub = factories.submitted_return(
        zone, "hightech_industry_revenue", "2025", "zone_hightech_annual", "高新区高技术产业年报"
    )
    analytics.changed("review", ["2025"])
    before = run_framework("gansu", FW, "2025")
    value = before.results.get(entity=zone).inputs["hightech_industry_revenue"]
    assert value is None or math.isnan(value)
    assert before.parameters["data"] == "published" and before.parameters["data_version"]
    sub.state = "province_approved"
    sub.save()
    analytics.changed("review", ["2025"])
    after = run_framework("gansu", FW, "2025")
    got = after.results.get(entity=zone).inputs["hightech_industry_revenue"]
    assert got == _obs("620300P1", "hightech_industry_revenue", "2025")
    assert after.data_hash != before.data_hash
