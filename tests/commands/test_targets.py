"""`gaoxin targets --pack taizhou-2024` on a small Taizhou demo: the current value of a target
computed by hand from the stored observations, every target listed and computed from the
catalogue, and the printable workbook."""

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.engine.facts import latest
from gaoxin.statistics.facts import engine_facts
from gaoxin.statistics.store import sync_catalogue

ENV = {"COLUMNS": "200"}
TAIZHOU = "331000"


def by_hand_rd_intensity(year: str) -> float:
    """全市高新区内企业研发投入占营收比例: 100 × Σ R&D expenditure ÷ Σ revenue over the
    enterprises of the city's zones, each sum over the enterprises that reported it."""
    facts = engine_facts(None)
    obs = latest(
        facts.observations.filter(
            (pl.col("period") == year) & pl.col("variable").is_in(["rd_expenditure", "revenue"])
        )
    )
    ents = facts.entities.filter((pl.col("kind") == "enterprise") & (pl.col("city") == TAIZHOU))
    sums = dict(
        obs.join(ents.select("entity"), on="entity", how="semi")
        .group_by("variable")
        .agg(pl.col("value").sum())
        .iter_rows()
    )
    return 100 * sums["rd_expenditure"] / sums["revenue"]


def test_targets_of_the_taizhou_pack_from_the_store(taizhou, tmp_path):
    out = tmp_path / "台州目标.xlsx"
    result = CliRunner().invoke(
        app, ["targets", "--pack", "taizhou-2024", "--as-of", "2024", "--out", str(out)], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert "台州市发展目标进度（2024年）" in result.output

    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "台州市发展目标进度（2024年）"
    head = [c.value for c in ws[3]]
    assert head[:11] == [
        "目标", "条款", "范围", "基期", "现值", "现值年份", "目标值", "期限", "进度", "预测", "状态",
    ]  # fmt: skip
    rows = {
        r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)
    }
    # all eight targets of 一、(二) and 三、(一) are listed, computable or not
    assert len(rows) == 8
    assert [t for t, r in rows.items() if r["状态"] == "无法计算"] == []
    rd = rows["全市高新区内企业研发投入占营收比例达4%以上"]
    assert rd["现值"] == pytest.approx(by_hand_rd_intensity("2024"))
    assert (rd["现值年份"], rd["目标值"], rd["期限"]) == (2024, "≥ 4%", 2027)
    # progress: from the 2019 level (no baseline year: the earliest year) towards 4
    start = by_hand_rd_intensity("2019")
    assert rd["进度"] == pytest.approx((rd["现值"] - start) / (4 - start))
    national = rows["台州高新区创成国家高新区"]
    # counted from the registry (national_zones_per_city): 台州高新区 is provincial in the demo
    assert national["现值"] == 0 and national["状态"] == "滞后"
    # the range target: 2-3 more recognised zones than at the end of 2023
    conversions = rows["全市2-3家创建类省级高新区转为认定类"]
    assert conversions["基期"].endswith("（2023年）")
    # a baseline or goal with its year or unit wraps in its cell rather than being cut in print
    cells = {ws.cell(row=3, column=c).value: ws.cell(row=4, column=c) for c in range(1, 13)}
    assert cells["基期"].alignment.wrap_text and cells["目标值"].alignment.wrap_text
    base = float(conversions["基期"].split("（")[0])
    assert conversions["目标值"] == f"{base + 2:g}–{base + 3:g}"
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$3:$3"


def test_an_unknown_pack_is_a_clear_error(db):
    result = CliRunner().invoke(app, ["targets", "--pack", "nowhere"], env=ENV)
    assert result.exit_code == 2
    assert "找不到政策包「nowhere」" in result.output and "taizhou-2024" in result.output


def test_an_empty_store_says_what_to_do(db):
    sync_catalogue()
    result = CliRunner().invoke(app, ["targets", "--pack", "gansu"], env=ENV)
    assert result.exit_code == 1
    assert "gaoxin demo" in result.output


PACK = """\
format: 1
id: mini-targets
title: 测试目标
issuer: 测试厅
issued: 2024-01-01
targets:
  - id: returnees
    cite: {article: "一", quote: "留学归国和外籍人员占比达到5%"}
    indicator: returnee_share
    value: 5
    deadline: 2027
    scope: each_zone
    unit: "%"
  - id: demo-zones
    cite: {article: "二", quote: "创建国家自主创新示范区"}
    indicator: innovation_demo_zone_count
    pending: 各高新区是否属于国家自主创新示范区
    value: 1
    deadline: 2027
"""


def test_a_target_without_data_names_the_variables_missing(taizhou, tmp_path):
    # the Taizhou demo reports employees but no 留学归国和外籍常驻人员 (returnee_foreign_employees),
    # which returnee_share = 100 * sum(returnee_foreign_employees) / sum(employees) reads
    facts = engine_facts(None)
    reported = set(facts.observations["variable"].unique().to_list())
    assert "employees" in reported and "returnee_foreign_employees" not in reported
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "document.txt").write_text(
        "一、留学归国和外籍人员占比达到5%。二、创建国家自主创新示范区。", encoding="utf-8"
    )
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(
        app, ["targets", "--pack", str(tmp_path), "--as-of", "2024", "--out", str(out)], env=ENV
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    head = [c.value for c in ws[3]]
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [(r["状态"], r["说明"]) for r in rows] == [
        (
            "无法计算",
            "辖区内没有该指标的数据：所读变量「留学归国和外籍常驻人员」截至2024年没有数值",
        ),
        (
            "无法计算",
            "指标目录中还没有这项指标，无法由数据计算：还缺各高新区是否属于国家自主创新示范区",
        ),
    ]
    assert "留学归国和外籍常驻人员" in result.output
