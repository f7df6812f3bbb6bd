"""`gaoxin awards` and `gaoxin explain` end to end on the Fujian demo jurisdiction: values from
the store and from a supplied file, the ledger recorded once, corrections as reversals, XLSX and
JSON, and a bad file or a missing evaluation changing nothing."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.awards.models import AwardEntry
from gaoxin.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()
ARGS = ["awards", "--pack", "fujian-2021", "--period", "2024", "--decided-on", "2025-03-01"]


def new_rd_institutions_2024(j) -> set[str]:
    """By hand from the raw certifications: a provincial-or-national 新型研发机构 certificate
    granted in 2024 to an institution that held none on 2023-12-31."""
    c = j.certifications.filter(
        (pl.col("kind") == "new_rd_institution") & pl.col("level").is_in(["provincial", "national"])
    )
    granted = set(c.filter(pl.col("granted_on").dt.year() == 2024)["entity_key"])
    held_before = set(
        c.filter(
            (pl.col("granted_on") <= date(2023, 12, 31))
            & (pl.col("expires_on").is_null() | (pl.col("expires_on") >= date(2023, 12, 31)))
        )["entity_key"]
    )
    return granted - held_before


def inputs_file(tmp_path, torch_rank: int = 50):
    f = tmp_path / "inputs.csv"
    f.write_text(
        "园区代码,名称,全国排名,上年全国排名,评价考核结果（好、一般、较差）\n"
        f"350200N1,厦门火炬,{torch_rank},53,一般\n"
        "350100N1,福州,120,125,一般\n"
        "350500N1,泉州,,,好\n",
        encoding="utf-8",
    )
    return f


def test_awards_end_to_end(loaded, tmp_path):
    xlsx, js = tmp_path / "ledger.xlsx", tmp_path / "ledger.json"
    r = runner.invoke(
        app, [*ARGS, "--inputs", str(inputs_file(tmp_path)), "--out", str(xlsx), "--json", str(js)]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(js.read_text(encoding="utf-8"))
    got = {
        (x["rule"], x["entity"]): (x["amount_wan"] or x["action"], x["capped_by"])
        for x in doc["ledger"]
        if x["rule"] in ("rank-promotion", "evaluation-commend", "rd-institution")
    }
    rd = new_rd_institutions_2024(loaded)
    assert rd, "the demo should hold a new R&D institution in 2024"
    assert got == {
        # 53 → 50: 3 places in the national top 100 × 100 万元 = 300, exactly the cap
        ("rank-promotion", "350200N1"): ("300.000000", []),
        # 125 → 120: 5 places outside the top 100 × 50 万元 = 250, capped at 150
        ("rank-promotion", "350100N1"): ("150.000000", ["cap"]),
        ("evaluation-commend", "350500N1"): ("commend", []),
        **{("rd-institution", e): ("50.000000", []) for e in rd},
    }
    # 350500N1 has no rank: undetermined for the rank rule, neither paid nor refused
    und = {(x["rule"], x["entity"]): x["missing"] for x in doc["undetermined"]}
    assert sorted(und[("rank-promotion", "350500N1")]) == ["rank", "rank_prev"]
    total = sum(x["amount_fen"] or 0 for x in doc["ledger"])
    assert doc["totals"]["total"][0]["amount_fen"] == total
    assert AwardEntry.objects.count() == len(doc["ledger"])
    assert all(x["id"] for x in doc["ledger"])

    wb = openpyxl.load_workbook(xlsx)
    ws = wb["台账"]
    assert "台账" in ws["A1"].value and ws.print_title_rows == "$3:$3"
    headers = [c.value for c in ws[3]]
    assert headers[:6] == ["编号", "规则", "条款", "主体代码", "主体名称", "金额（万元）"]
    last = ws.max_row
    assert ws.cell(last, 1).value == "合计"
    assert ws.cell(last, 6).value == pytest.approx(total / 1_000_000)
    # the office lines on every printed page (issue #12 item 4) and the table as print area
    assert ws.oddHeader.left.text == "编制单位：福建省科学技术厅"
    assert ws.oddFooter.left.text.startswith("制表人：") and "审核人：" in ws.oddFooter.left.text
    assert ws.print_area == f"'台账'!$A$1:$J${last}"
    assert ws.cell(4, 6).number_format == "#,##0.00"
    assert wb["合计"].cell(4, 1).value == "规则"
    # the working sheet 待补数据 is a second file, never printed with the ledger
    assert wb.sheetnames == ["台账", "合计"]
    work = openpyxl.load_workbook(xlsx.with_name(f"{xlsx.stem}-待补数据.xlsx"))
    assert work.sheetnames == ["汇总", "明细"] and work["明细"].max_row > 3

    capped = AwardEntry.objects.get(rule="rank-promotion", entity__code="350100N1")
    assert (capped.amount_fen, capped.decided_on) == (150_000_000, date(2025, 3, 1))
    e = runner.invoke(app, ["explain", str(capped.pk)])
    assert e.exit_code == 0, e.output
    out = e.output.replace("\n", "")
    for text in (capped.article, capped.quote, "inputs.csv 第3行", "晋位奖励上限", "核定 150 万元"):
        assert text in out, text


def test_recording_again_writes_only_what_changed(loaded, tmp_path):
    assert runner.invoke(app, [*ARGS, "--inputs", str(inputs_file(tmp_path))]).exit_code == 0
    n = AwardEntry.objects.count()
    again = runner.invoke(app, [*ARGS, "--inputs", str(inputs_file(tmp_path))])
    assert "新增 0 条，冲销 0 条" in again.output
    assert AwardEntry.objects.count() == n
    # 厦门火炬 re-ranked 51st: 2 places × 100 = 200 replaces 300
    changed = runner.invoke(app, [*ARGS, "--inputs", str(inputs_file(tmp_path, torch_rank=51))])
    assert "新增 1 条，冲销 1 条" in changed.output, changed.output
    rows = AwardEntry.objects.filter(rule="rank-promotion", entity__code="350200N1")
    assert [(x.kind, x.amount_fen) for x in rows] == [
        ("award", 300_000_000),
        ("reversal", -300_000_000),
        ("award", 200_000_000),
    ]
    first, reversal, _ = rows
    shown = runner.invoke(app, ["explain", str(first.pk)]).output.replace("\n", "")
    assert f"本记录已被第 {reversal.pk} 号记录冲销" in shown
    shown = runner.invoke(app, ["explain", str(reversal.pk)]).output.replace("\n", "")
    assert f"冲销第 {first.pk} 号记录" in shown and "-300.00 万元" in shown


def test_a_bad_inputs_file_records_nothing(loaded, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("园区代码,全国排名\n350200N1,第五十\n", encoding="utf-8")
    r = runner.invoke(app, [*ARGS, "--inputs", str(f)])
    assert r.exit_code == 1
    out = r.output.replace("\n", "")
    assert "bad.csv" in out and "第2行" in out and "全国排名" in out and "第五十" in out
    assert AwardEntry.objects.count() == 0


def test_a_bad_value_and_an_entity_outside_the_scope_are_listed_together(loaded, tmp_path):
    from gaoxin.registry.models import Entity

    other = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    Entity.objects.create(kind="zone", code="GS-ZONE-1", name="兰州高新区", parent=other)
    f = tmp_path / "bad.csv"
    f.write_text("园区代码,全国排名\n350200N1,第五十\nGS-ZONE-1,3\n", encoding="utf-8")
    r = runner.invoke(app, [*ARGS, "--inputs", str(f)])
    assert r.exit_code == 1
    out = r.output.replace("\n", "")
    assert "bad.csv，第2行，列「全国排名」" in out and "第五十" in out
    assert "bad.csv，第3行，列「主体代码」" in out and "GS-ZONE-1" in out
    assert out.index("第2行") < out.index("第3行") and "兰州高新区" not in out
    assert AwardEntry.objects.count() == 0


def test_a_rule_reading_an_evaluation_without_a_run_is_refused(loaded):
    # the Gansu pack over the Fujian data (outside its region: warned, still run)
    r = runner.invoke(app, ["awards", "--pack", "gansu", "--period", "2024", "--scope", "350000"])
    assert r.exit_code == 1
    out = r.output.replace("\n", "")
    assert "不在《" in out and "适用范围（甘肃省）内" in out
    assert "gaoxin evaluate --pack gansu" in out and "--scope 350000" in out
    assert AwardEntry.objects.count() == 0
