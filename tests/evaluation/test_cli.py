"""`gaoxin evaluate --pack ... --period ...` on the Gansu demo: the ranking in the terminal, the
run in the database, the XLSX a division prints; clear errors that save nothing."""

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.registry.models import Entity

pytestmark = pytest.mark.django_db

ENV = {"COLUMNS": "160"}


def test_evaluate_pack_saves_the_run_and_the_printable_workbook(gansu, tmp_path):
    runner = CliRunner()
    assert (
        runner.invoke(app, ["evaluate", "--pack", "gansu", "--period", "2024"], env=ENV).exit_code
        == 0
    )
    out = tmp_path / "甘肃2025.xlsx"
    result = runner.invoke(
        app, ["evaluate", "--pack", "gansu", "--period", "2025年", "--out", str(out)], env=ENV
    )
    assert result.exit_code == 0, result.output
    # over the pack's region (jurisdiction: 620000), said first
    assert result.output.splitlines()[0] == "适用范围：甘肃省"
    gansu_region = Entity.objects.get(kind="region", code="620000")
    run = EvaluationRun.objects.current("gansu-provincial-zones-annual", "2025", gansu_region)
    assert f"已保存评价运行 #{run.pk}" in result.output and "金昌高新" in result.output
    # the framework says whom it ranks (units: provincial zones), and the output says so
    assert '参评单位：高新区，条件 level == "provincial"' in result.output
    assert "兰州高新" not in result.output and run.parameters["where"] == 'level == "provincial"'

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["排名", "指标", "优势与短板", "插补", "异常值处理", "运行记录"]
    ws = wb["排名"]
    assert "甘肃省省级高新区年度考核评价" in ws["A1"].value and "2025年" in ws["A1"].value
    headers = [c.value for c in ws[3]]
    assert headers[:6] == ["名次", "高新区代码", "高新区", "总分", "等级", "名次变化"]
    assert "新增高新技术企业数" in headers and "加分" in headers
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=3 + run.units)]
    best = run.results.get(rank=1)
    assert body[0][:5] == [
        1,
        best.entity.code,
        best.entity.name,
        pytest.approx(best.score, rel=1e-14),  # Excel keeps 15 significant digits
        best.grade,
    ]
    assert [r[5] for r in body] == list(
        run.results.order_by("rank", "entity__code").values_list("rank_change", flat=True)
    )
    # A4, the title and header rows on every page, fitted to one page wide
    assert ws.print_title_rows == "$1:$3" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0

    heads = [c.value for c in wb["指标"][3]]
    assert "高新技术产业营业收入（万元）" in heads and "高新技术产业营业收入增速（%）" in heads
    # counts print as integers (12, not 12.), fractions keep their decimals (issue #12 item 4)
    values = [c for row in wb["指标"].iter_rows(min_row=4) for c in row[3:]]
    whole = [c for c in values if isinstance(c.value, int | float) and float(c.value).is_integer()]
    assert whole and {c.number_format for c in whole} == {"#,##0"}
    assert ws.oddHeader.left.text.startswith("编制单位：") and "审核人：" in ws.oddFooter.left.text
    strong = {r[1].value: r[3].value for r in wb["优势与短板"].iter_rows(min_row=4)}
    codes = best.strengths.split(";")
    names = {"new_hte": "新增高新技术企业数", "hightech_industry_revenue": "高新技术产业营业收入"}
    names |= {"hightech_revenue_growth": "高新技术产业营业收入增速"}
    names |= {"hte_new_employees": "高新技术企业新增从业人员数"}
    assert strong[best.entity.code] == "、".join(names[c] for c in codes)
    receipt = {r[0].value: r[1].value for r in wb["运行记录"].iter_rows(min_row=4)}
    assert receipt["输入数据哈希 (SHA-256)"] == run.data_hash
    assert receipt["评价体系哈希 (SHA-256)"] == run.framework_hash
    assert receipt["政策包哈希 (SHA-256)"] == run.pack_hash
    assert receipt["引擎版本"] == run.engine_version
    assert receipt["名次变化对照"].startswith(f"运行 #{run.previous_id}")

    csv = tmp_path / "甘肃2025.csv"
    result = runner.invoke(
        app, ["evaluate", "--pack", "gansu", "--period", "2025", "--out", str(csv)], env=ENV
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(csv)
    assert table.height == run.units and table["rank"].min() == 1


def test_evaluate_enterprise_scheme_from_the_catalogue(gansu, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--pack",
            "catalogue",
            "--framework",
            "mu-efficiency",
            "--period",
            "2025",
            "--out",
            str(tmp_path / "亩均.xlsx"),
        ],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    # no --level/--where: the framework's units (规上 enterprises) are used
    run = EvaluationRun.objects.get()
    assert (run.level, run.parameters["where"]) == ("enterprise", "above_scale == 1")
    assert "参评单位：企业，条件 above_scale == 1" in result.output
    above = set(
        Entity.objects.filter(kind="enterprise", certifications__kind="above_scale").values_list(
            "code", flat=True
        )
    )
    assert set(run.results.values_list("entity__code", flat=True)) <= above
    ws = openpyxl.load_workbook(tmp_path / "亩均.xlsx")["排名"]
    assert [c.value for c in ws[3]][:7] == [
        "名次",
        "企业代码",
        "企业",
        "所属园区",
        "总分",
        "等级",
        "名次变化",
    ]
    best = run.results.get(rank=1)
    assert [c.value for c in ws[4]][:5] == [
        1,
        best.entity.code,
        best.entity.name,
        best.entity.parent.name,
        pytest.approx(best.score, rel=1e-14),
    ]


def test_ranks_within_groups_are_printed(gansu, tmp_path):
    """Sichuan's framework ranks within each zone level as well (groups: [level]); a zone with a
    major safety accident reported is vetoed to 较差, printed with the reason."""
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations

    accident = Variable.objects.get(code="major_safety_accidents")
    lanzhou = Entity.objects.get(code="620100N1")
    write_observations(
        [(lanzhou.pk, accident.pk, "2025", 1)],
        Batch.objects.create(kind="manual", label="测试：安全事故"),
    )
    out = tmp_path / "综合评价.xlsx"
    r = CliRunner().invoke(
        app,
        ["evaluate", "--pack", "sichuan", "--period", "2025", "--scope", "全国", "--out", str(out)],
        env=ENV,
    )
    assert r.exit_code == 0, r.output
    # the Sichuan framework over the Gansu data: outside the pack's region, run with a warning
    assert "适用范围（四川省）内" in r.output.replace("\n", "")
    ws = openpyxl.load_workbook(out)["排名"]
    heads = [c.value for c in ws[3]]
    assert heads[6] == "组内名次（园区级别）"
    run = EvaluationRun.objects.get()
    assert sorted(run.results.values_list("node_scores__rank_level", flat=True))[0] == 1
    # a veto is printed with its reason, not its code
    vetoed = run.results.get(entity__code="620100N1")
    assert (vetoed.veto, vetoed.grade) == ("safety", "较差")
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "620100N1")
    assert row[heads.index("否决项")].value.startswith("重大安全生产事故一票否决")
    assert row[4].value == "较差"


def test_errors_are_in_chinese_and_save_nothing(gansu, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["evaluate", "--pack", "hunan", "--period", "2025"], env=ENV)
    assert r.exit_code == 1 and "找不到政策包「hunan」" in r.output
    r = runner.invoke(app, ["evaluate", "--pack", "gansu", "--period", "2031"], env=ENV)
    assert r.exit_code == 1 and "没有任何统计数据" in r.output
    r = runner.invoke(app, ["evaluate", "--pack", "gansu"], env=ENV)
    assert r.exit_code == 2 and "--period" in r.output
    r = runner.invoke(app, ["evaluate", "--period", "2025"], env=ENV)
    assert r.exit_code == 2 and "--pack" in r.output
    r = runner.invoke(
        app, ["evaluate", "--pack", "gansu", "--period", "2025", "--out", str(tmp_path / "x.pdf")]
    )
    assert r.exit_code == 2 and ".xlsx" in r.output
    assert EvaluationRun.objects.count() == 0


def test_options_of_the_two_modes_are_not_mixed(tmp_path):
    runner = CliRunner()
    r = runner.invoke(
        app, ["evaluate", "--pack", "gansu", "--period", "2025", "--data", "x.csv"], env=ENV
    )
    assert r.exit_code == 2 and "--data 只用于不使用数据库的方式" in r.output
    r = runner.invoke(
        app,
        [
            "evaluate",
            "--framework",
            "f.yaml",
            "--data",
            "d.csv",
            "--out",
            "o.csv",
            "--period",
            "2025",
        ],
        env=ENV,
    )
    assert r.exit_code == 2 and "--period 需与 --pack 同用" in r.output


def test_a_database_not_yet_upgraded_is_named_not_a_traceback(monkeypatch):
    from gaoxin.commands import django_env

    monkeypatch.setattr(django_env, "pending_migrations", lambda: ["evaluation.0001_initial"])
    r = CliRunner().invoke(app, ["evaluate", "--pack", "gansu", "--period", "2025"], env=ENV)
    assert r.exit_code == 2 and "gaoxin init" in r.output
    assert EvaluationRun.objects.count() == 0


def test_level_and_where_options_override_the_frameworks_units(gansu):
    """`--where ""` ranks every zone, national ones included, though the Gansu framework says
    provincial zones only; `--where` replaces the framework's condition."""
    runner = CliRunner()
    everyone = runner.invoke(
        app, ["evaluate", "--pack", "gansu", "--period", "2025", "--where", ""], env=ENV
    )
    assert everyone.exit_code == 0, everyone.output
    assert "参评单位：高新区（全部）" in everyone.output and "兰州高新" in everyone.output
    run = EvaluationRun.objects.order_by("-id").first()
    assert run.parameters["where"] is None
    # the demo's 13 zones, less the one provincial zone with no 2025 statistics
    assert run.units == 12 and run.results.filter(entity__code="620100N1").exists()

    national = runner.invoke(
        app,
        ["evaluate", "--pack", "gansu", "--period", "2025", "--where", 'level == "national"'],
        env=ENV,
    )
    assert national.exit_code == 0, national.output
    run = EvaluationRun.objects.order_by("-id").first()
    assert set(run.results.values_list("entity__code", flat=True)) == {"620100N1", "620400N1"}
