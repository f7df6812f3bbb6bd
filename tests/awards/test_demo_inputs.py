"""Every demo pack's example of the inputs the user supplies (decision 083): the file the demo
writes from the pack's ``demo:`` recipes reads back through the same check as a user's upload,
says 仅供演示 and the recipes' words, and decides real entries: Gansu's 新获批国家高新区 (the
保底 5000万元), 新认定省级高新区 and 引入独角兽瞪羚 with their 优先推荐; Taizhou's 综合支持 for
the zones not in the province's top 20 before; Sichuan's subsidies once the amounts its draft
leaves open are set (--param), as a user would."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from gaoxin.awards.demo import DEMO_NOTE, write_demo_inputs
from gaoxin.awards.services import decide, supplied_inputs
from gaoxin.engine import synth
from gaoxin.engine.packs.bindings import evaluations_needed
from gaoxin.engine.packs.demo import example_words
from gaoxin.engine.periods import Period
from gaoxin.evaluation.services import evaluate
from gaoxin.policy.packs import find_pack
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db
YEAR = Period.parse("2024")


def _demo(jurisdiction: str, pack_id: str, home: Path):
    """The jurisdiction at scale 0.05 with the evaluations its rules read, and the demo's
    example file of ``pack_id``'s supplied inputs read back as a user's upload is."""
    sync_catalogue()
    load_jurisdiction(synth.generate(jurisdiction, scale=0.05), label=f"测试 {jurisdiction}")
    pack = find_pack(pack_id)
    for framework, period in sorted(evaluations_needed(pack, YEAR), key=lambda x: x[1]):
        evaluate(pack_id, Period.parse(period), None, by=None, framework=framework)
    path = write_demo_inputs(pack, YEAR, home)
    assert path == home / f"演示-用户提供输入-{pack_id}.xlsx"
    notes = [c.value for row in openpyxl.load_workbook(path)["填写说明"].iter_rows() for c in row]
    assert DEMO_NOTE in notes
    assert [f"生成规则：{w}" for w in example_words(pack.spec)] == [
        n for n in notes if str(n).startswith("生成规则：")
    ]
    given = supplied_inputs(pack, path, None)  # no refusal: every row is the pack's
    return pack, path, given


def _cents(amount: Decimal) -> Decimal:
    """The pack's rounding: 0.01万元, half up."""
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _entries(decision, rule: str) -> dict[str, Decimal | None]:
    rows = decision.ledger.filter(pl.col("rule") == rule).select("entity", "amount")
    return dict(rows.iter_rows())


def test_gansu_decides_its_new_zones_and_introduced_gazelles(tmp_path):
    pack, path, given = _demo("gansu", "gansu", tmp_path)
    flags = given.filter(pl.col("newly_national"))
    assert flags["entity"].to_list() == ["620100N1"]  # the national zone with less revenue
    assert given.filter(pl.col("newly_national").not_())["entity"].len() == 12  # every other
    gazelles = set(given.filter(pl.col("introduced_unicorn_gazelle"))["entity"])
    assert len(gazelles) == 3

    before = decide(pack, YEAR, None, by=None, dry_run=True)
    assert _entries(before, "new-national-zone") == {}
    d = decide(pack, YEAR, None, by=None, dry_run=True, inputs=path)
    # 一事一议 70万元 below the 保底: 5000万元; 省级: 200万元; each gazelle 100万元 and 优先推荐
    assert _entries(d, "new-national-zone") == {"620100N1": Decimal("5000")}
    assert _entries(d, "new-provincial-zone") == {"620700P1": Decimal("200")}
    assert _entries(d, "unicorn-gazelle") == dict.fromkeys(gazelles, Decimal("100"))
    assert set(_entries(d, "unicorn-gazelle-priority")) == gazelles
    undecided = set(d.undetermined["rule"])
    assert not undecided & {"new-national-zone", "new-provincial-zone", "unicorn-gazelle"}


def test_taizhou_supports_the_zones_never_in_the_top_20_before(tmp_path):
    pack, path, given = _demo("taizhou", "taizhou-2024", tmp_path)
    ranks = {
        e: (r, p, t)
        for e, r, p, t in given.select(
            "entity", "provincial_rank", "provincial_rank_prev", "ever_top20_before"
        ).iter_rows()
    }
    assert ranks == {
        "331000P1": (1.0, 1.0, True),
        "331000P2": (5.0, 3.0, False),
        "331000P3": (4.0, 6.0, False),
        "331000P4": (2.0, 2.0, True),
        "331000P5": (3.0, 5.0, False),
        "331000P6": (6.0, 4.0, False),
    }
    d = decide(pack, YEAR, None, by=None, dry_run=True, inputs=path)
    supported = d.ledger.filter(pl.col("rule") == "provincial-rank-support")
    assert set(supported["entity"]) == {"331000P2", "331000P3", "331000P5", "331000P6"}
    assert set(supported["action_zh"]) == {"综合支持"}
    assert "provincial-rank-support" not in set(d.undetermined["rule"])


def test_sichuan_subsidies_decide_once_the_open_amounts_are_set(tmp_path):
    pack, path, given = _demo("sichuan", "sichuan", tmp_path)
    # the 征求意见稿 names no amounts: without them the rules stay unrun (待定参数)
    plain = decide(pack, YEAR, None, by=None, dry_run=True, inputs=path)
    assert {"service-top500", "standard-factory", "fiscal-return"} <= set(plain.skipped)
    params = {
        "service500_subsidy": "50",
        "factory_interest_share": "0.5",
        "fiscal_contribution_rate": "0.1",
        "land_revenue_rate": "0.05",
    }
    d = decide(pack, YEAR, None, by=None, dry_run=True, inputs=path, params=params)
    top = given.filter(pl.col("first_service_top500"))["entity"].to_list()
    assert len(top) == 1
    assert _entries(d, "service-top500") == {top[0]: Decimal("50")}
    interest = given.filter(pl.col("standard_factory_loan_interest") > 0)
    assert interest.height == 3
    assert _entries(d, "standard-factory") == {
        e: _cents(Decimal(str(v)) * Decimal("0.5"))
        for e, v in interest.select("entity", "standard_factory_loan_interest").iter_rows()
    }
    zones = given.filter(pl.col("fiscal_contribution").is_not_null())
    fiscal = _entries(d, "fiscal-return")
    assert zones.height > 0 and set(fiscal) == set(zones["entity"])
    for e, fc, land in zones.select(
        "entity", "fiscal_contribution", "land_transfer_revenue"
    ).iter_rows():
        want = Decimal(str(fc)) * Decimal("0.1") + Decimal(str(land)) * Decimal("0.05")
        assert fiscal[e] == _cents(want)


def _fujian_facts():
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import analytics

    facts, _ = analytics.facts(
        Entity.objects.get(kind="region", code="350000"), by=None, fresh=True
    )
    return facts


def test_fujian_grades_its_national_zones_by_their_firms_revenue(tmp_path):
    """Fujian's 评价考核结果 follows the recipe's 营业收入 (revenue_total, the zone's firms' revenue
    summed), which every national zone of the demo has: no 好 zone has less than a 较差 one, and
    the 约谈 goes to the 较差 zones."""
    from gaoxin.engine.packs.bindings import values_of

    pack, path, given = _demo("fujian", "fujian-2021", tmp_path)
    grades = dict(
        given.filter(pl.col("evaluation_result").is_not_null())
        .select("entity", "evaluation_result")
        .iter_rows()
    )
    assert sorted(grades.values()) == sorted(["好"] * 3 + ["一般"] * 2 + ["较差"] * 2)
    revenue = dict(values_of("revenue_total", "zone", _fujian_facts(), YEAR).iter_rows())
    assert all(revenue[z] is not None and revenue[z] > 0 for z in grades)
    good = [revenue[z] for z, g in grades.items() if g == "好"]
    poor = [revenue[z] for z, g in grades.items() if g == "较差"]
    assert min(good) >= max(poor)
    assert min(good) >= max(revenue[z] for z, g in grades.items() if g == "一般")
    d = decide(pack, YEAR, None, by=None, dry_run=True, inputs=path)
    summoned = d.ledger.filter(pl.col("rule") == "evaluation-summon")
    assert set(summoned["entity"]) == {z for z, g in grades.items() if g == "较差"}


def test_a_recipe_by_a_figure_no_entity_has_is_refused_not_ranked_by_code(tmp_path):
    """A ``by`` null for every zone placed (the zones' own reported 园区营业收入, which the demo's
    zones never report) would grade them by code under the name of that figure: the demo refuses
    it, naming the pack, the input and the figure, and writes no file."""
    from dataclasses import replace

    from gaoxin.engine.problems import ProblemsError

    sync_catalogue()
    load_jurisdiction(synth.generate("fujian", scale=0.05), label="测试 fujian")
    pack = find_pack("fujian-2021")
    assert pack.spec.demo is not None
    [recipe] = pack.spec.demo.inputs
    demo = pack.spec.demo.model_copy(
        update={"inputs": [recipe.model_copy(update={"by": "zone_revenue"})]}
    )
    bare = replace(pack, spec=pack.spec.model_copy(update={"demo": demo}))
    with pytest.raises(ProblemsError) as e:
        write_demo_inputs(bare, YEAR, tmp_path)
    [p] = e.value.problems
    assert p.message == (
        "政策包「fujian-2021」演示输入「evaluation_result」：排列依据「zone_revenue」（园区营业收入）"
        "在2024年对要排列的高新区全都没有数据，按它排列只会是按代码排列；"
        "请改用这些对象有数据的变量或指标"
    )
    assert (p.code, p.column, p.value) == ("pack.demo", "demo.inputs.0.by", "zone_revenue")
    assert not list(tmp_path.iterdir())
