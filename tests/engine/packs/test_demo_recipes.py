"""A pack's demo recipes (decision 083): each method places the entities by a figure (highest
first, none last, ties by code) and gives grades in equal shares, the place, 是 for the first
places or an amount; a bad recipe is refused when the pack is checked, naming pack.yaml, its
line, the input and the reason; the words written into the demo's file and docs/demo-data.md are
the recipes' own."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine.packs import demo
from gaoxin.engine.packs.loader import check_pack, load_pack

PACKS = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "demo-data.md"


def _values(**figures: float | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"entity": list(figures), "value": list(figures.values())},
        schema={"entity": pl.String, "value": pl.Float64},
    )


def _by_entity(frame: pl.DataFrame) -> dict[str, object]:
    return dict(frame.select("entity", "value").iter_rows())


def test_places_go_highest_first_none_last_ties_by_code():
    v = _values(c=5.0, a=5.0, n=None, b=9.0)
    assert demo.placed(v)["entity"].to_list() == ["b", "a", "c", "n"]
    assert demo.placed(v, high_first=False)["entity"].to_list() == ["a", "c", "b", "n"]
    assert _by_entity(demo.rank(v)) == {"b": 1.0, "a": 2.0, "c": 3.0, "n": 4.0}


@pytest.mark.parametrize(
    ("n", "counts"),
    [(7, [3, 2, 2]), (8, [3, 3, 2]), (9, [3, 3, 3]), (2, [1, 1, 0]), (1, [1, 0, 0])],
)
def test_grades_in_thirds_give_the_first_third_rounded_up_and_the_last_rounded_down(n, counts):
    v = _values(**{f"e{i}": float(100 - i) for i in range(n)})
    got = demo.grades(v, ["好", "一般", "较差"])
    assert [got["value"].to_list().count(g) for g in ("好", "一般", "较差")] == counts
    # the grades follow the places: never a 好 after an 一般
    assert got["value"].to_list() == sorted(
        got["value"].to_list(), key=["好", "一般", "较差"].index
    )


def test_top_by_count_or_share_rounded_up_and_the_rest_false():
    v = _values(a=1.0, b=4.0, c=3.0, d=2.0, e=None)
    assert _by_entity(demo.top(v, count=2)) == {
        "b": True,
        "c": True,
        "d": False,
        "a": False,
        "e": False,
    }
    assert sum(demo.top(v, share=0.3)["value"]) == 2  # 5 × 30% = 1.5 → 2
    assert _by_entity(demo.top(v, count=1, high_first=False))["a"] is True


def test_an_amount_is_the_figure_times_the_factor_rounded_half_up():
    v = _values(a=10.125, b=3.0, n=None)
    assert _by_entity(demo.amount(v, 0.5)) == {"a": 5.06, "b": 1.5, "n": None}
    assert _by_entity(demo.amount(v, 2, digits=0, count=1)) == {"a": 20.0, "b": 0.0, "n": 0.0}


def test_every_demo_pack_states_its_recipes_in_words_and_in_docs():
    docs = DOCS.read_text(encoding="utf-8")
    for pack_id in ("fujian-2021", "gansu", "taizhou-2024", "sichuan"):
        spec = load_pack(PACKS / pack_id).spec
        assert spec.demo is not None
        words = demo.example_words(spec)
        labels = {i.id: i.label for i in spec.inputs}
        for recipe, sentence in zip(spec.demo.inputs, words, strict=False):
            assert sentence.startswith(labels[recipe.input] + "：")
        for sentence in words:  # docs/demo-data.md quotes the data, not a restatement
            assert sentence in docs, f"docs/demo-data.md 缺少：{sentence}"
    fujian = demo.example_words(load_pack(PACKS / "fujian-2021").spec)
    assert "名次在前三分之一（向上取整）以内的为“好”" in fujian[0]
    assert "（科技城建设成效明显（自创区年度考核）、动态评估中择优入选、全国排名" in fujian[1]


# --- bad recipes ------------------------------------------------------------------------------

GOOD = "    - {input: evaluation_result, method: grades, by: revenue_total, among: {level: national}, grades: [好, 一般, 较差]}\n"


def _fujian_with(tmp_path: Path, recipe: str) -> Path:
    d = tmp_path / "fujian-2021"
    shutil.copytree(PACKS / "fujian-2021", d)
    text = (d / "pack.yaml").read_text(encoding="utf-8")
    assert GOOD in text
    (d / "pack.yaml").write_text(text.replace(GOOD, recipe), encoding="utf-8")
    return d


def test_the_shipped_recipe_checks_clean(tmp_path):
    assert [p for p in check_pack(_fujian_with(tmp_path, GOOD)) if p.code == "pack.demo"] == []


@pytest.mark.parametrize(
    ("recipe", "column", "value", "reason"),
    [
        (
            GOOD.replace("method: grades", "method: thirds"),
            "demo.inputs.0.method",
            "thirds",
            "不认识的方法「thirds」；可用：grades（按名次分档）",
        ),
        (
            GOOD.replace("by: revenue_total", "by: revenue_totl"),
            "demo.inputs.0.by",
            "revenue_totl",
            "排列依据「revenue_totl」不是统计变量或指标目录中的指标；是否是 revenue_total",
        ),
        (
            GOOD.replace("by: revenue_total", "by: revenue"),
            "demo.inputs.0.by",
            "revenue",
            "排列依据「revenue」不能在高新区层级读取",
        ),
        (
            GOOD.replace("一般, 较差", "一般, 差"),
            "demo.inputs.0.grades.2",
            "差",
            "分档的值「差」不在该输入的可选值（好、一般、较差）中",
        ),
        (
            GOOD.replace("{level: national}", "{level: 国家级}"),
            "demo.inputs.0.among.level",
            "国家级",
            "园区级别「国家级」不是可用的取值（provincial、national）",
        ),
        (
            GOOD.replace("{level: national}", "{industry: C39}"),
            "demo.inputs.0.among.industry",
            "industry",
            "筛选条件「industry」不是高新区的属性（可用：level、category）",
        ),
        (
            "    - {input: notable_results, method: top, by: zone_revenue, count: 1}\n",
            "demo.inputs.0.input",
            "science_city",
            "输入的层级「science_city」不在事实数据中",
        ),
        (
            "    - {input: level, method: top, by: zone_revenue, count: 1}\n",
            "demo.inputs.0.input",
            "level",
            "该输入由公式（formula）得到，不由用户提供，演示不生成它",
        ),
        (
            "    - {input: rank, method: top, by: zone_revenue, count: 1}\n",
            "demo.inputs.0.method",
            "top",
            "前若干名为“是”（top）生成是/否，而该输入是数值型",
        ),
        (
            "    - {input: rank, method: rank, by: zone_revenue, count: 3}\n",
            "demo.inputs.0.count",
            "3",
            "名次（rank）不写 count 或 share",
        ),
        (
            "    - {input: rank_prev, method: amount, by: zone_revenue}\n",
            "demo.inputs.0.factor",
            None,
            "数值乘以系数（amount）要写 factor（系数）",
        ),
    ],
)
def test_a_bad_recipe_is_refused_with_the_pack_file_line_input_and_reason(
    tmp_path, recipe, column, value, reason
):
    d = _fujian_with(tmp_path, recipe)
    problems = [p for p in check_pack(d) if p.code == "pack.demo"]
    assert len(problems) == 1, problems
    p = problems[0]
    line = (d / "pack.yaml").read_text(encoding="utf-8").splitlines().index(recipe.rstrip("\n"))
    assert (p.file, p.row, p.column, p.value) == (str(d / "pack.yaml"), line + 1, column, value)
    name = recipe.split("input: ")[1].split(",")[0]
    assert p.message.startswith(f"演示输入「{name}」：") and reason in p.message
    assert p.severity == "error"


def test_a_recipe_for_an_input_the_pack_lacks_names_the_supplied_ones(tmp_path):
    d = _fujian_with(tmp_path, GOOD + GOOD.replace("evaluation_result", "evaluation_grade"))
    [p] = [p for p in check_pack(d) if p.code == "pack.demo"]
    assert p.message.startswith("演示输入「evaluation_grade」：政策包的 inputs 中没有这个输入变量")
    assert "evaluation_result" in p.message and p.column == "demo.inputs.1.input"


def test_a_pack_with_a_bad_recipe_does_not_load(tmp_path):
    from gaoxin.engine.problems import ProblemsError

    with pytest.raises(ProblemsError) as e:
        load_pack(_fujian_with(tmp_path, GOOD + GOOD))
    assert [p.message for p in e.value.problems] == [
        "演示输入「evaluation_result」：重复：一个输入只能有一条演示规则"
    ]


# --- a figure the entities lack -------------------------------------------------------------


def _zones_facts():
    """Three provincial zones in 2024: 甲's firms' revenue 10, 乙's 80, 丙's firm reports none."""
    from datetime import date

    from gaoxin.engine.facts import build_facts

    ents = [("P", "province", "甘肃", None, None, None, None)] + [
        (z, "zone", z, "P", "provincial", date(2010, 1, 1), None) for z in ("Z1", "Z2", "Z3")
    ]
    ents += [(f"E{z}", "enterprise", f"E{z}", z, None, date(2015, 1, 1), None) for z in "123"]
    obs = [("E1", "revenue", "2024", 10.0, "b"), ("E2", "revenue", "2024", 80.0, "b")]
    return build_facts(
        pl.DataFrame(
            ents,
            schema=["entity", "kind", "name", "parent", "level", "joined_on", "left_on"],
            orient="row",
        ),
        pl.DataFrame(obs, schema=["entity", "variable", "period", "value", "batch"], orient="row"),
        pl.DataFrame(schema=["entity", "kind", "level", "granted_on", "expires_on", "revoked_on"]),
    )


def _gansu_provincial(by: str):
    """Gansu's pack with only its 新认定省级高新区 recipe, placed by ``by``."""
    spec = load_pack(PACKS / "gansu").spec
    assert spec.demo is not None
    [recipe] = [r for r in spec.demo.inputs if r.input == "newly_provincial"]
    demo_ = spec.demo.model_copy(update={"inputs": [recipe.model_copy(update={"by": by})]})
    return spec.model_copy(update={"demo": demo_})


def test_a_figure_some_entities_lack_places_them_last():
    from gaoxin.engine.periods import Period

    got = demo.example_values(
        _gansu_provincial("revenue_total"), _zones_facts(), Period.parse("2024")
    )
    # lowest first: 甲 (10) is the one; 丙, without the figure, is last, not first
    assert dict(got.select("entity", "newly_provincial").iter_rows()) == {
        "Z1": True,
        "Z2": False,
        "Z3": False,
    }


def test_a_figure_every_entity_lacks_is_refused_not_placed_by_code():
    from gaoxin.engine.periods import Period
    from gaoxin.engine.problems import ProblemsError

    with pytest.raises(ProblemsError) as e:
        demo.example_values(_gansu_provincial("zone_revenue"), _zones_facts(), Period.parse("2024"))
    [p] = e.value.problems
    assert p.message == (
        "政策包「gansu」演示输入「newly_provincial」：排列依据「zone_revenue」（园区营业收入）"
        "在2024年对要排列的高新区全都没有数据，按它排列只会是按代码排列；"
        "请改用这些对象有数据的变量或指标"
    )
    assert (p.column, p.value) == ("demo.inputs.0.by", "zone_revenue")
