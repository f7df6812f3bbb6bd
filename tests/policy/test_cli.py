"""`gaoxin doc ledger`: import, list, report, summary, export — exit codes and Chinese output."""

import datetime as dt

import openpyxl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.policy.models import Measure, PolicyDocument, ProgressReport
from tests.policy.conftest import DISTRICT, PACKS

pytestmark = pytest.mark.django_db
runner = CliRunner()


def ledger(*args: str):
    # wide enough that Rich does not fold names across lines
    return runner.invoke(app, ["doc", "ledger", *map(str, args)], env={"COLUMNS": "240"})


@pytest.fixture
def imported():
    result = ledger("import", DISTRICT)
    assert result.exit_code == 0, result.output
    return PolicyDocument.objects.get()


def test_import_then_import_again(imported):
    assert imported.measures.count() == 4
    again = ledger("import", DISTRICT)
    assert again.exit_code == 0
    assert "已导入过" in again.stdout and f"#{imported.pk}" in again.stdout
    assert PolicyDocument.objects.count() == 1


def test_import_reports_counts():
    result = ledger("import", PACKS / "fujian-2021/document.txt")
    assert result.exit_code == 0
    assert "共 22 条措施" in result.stdout and "20 条有责任单位" in result.stdout


def test_import_of_a_missing_file_exits_2(tmp_path):
    result = ledger("import", tmp_path / "无此文件.docx")
    assert result.exit_code == 2 and "错误" in result.output
    assert PolicyDocument.objects.count() == 0


def test_list_shows_status_and_filters(imported):
    result = ledger("list")
    assert result.exit_code == 0, result.output
    assert "建设孵化载体" in result.stdout and "共 4 条措施" in result.stdout
    # 2024年底前 has passed (the clock is after 2024): late without any report
    late = ledger("list", "--status", "late")
    assert late.exit_code == 0 and "建设孵化载体" in late.stdout and "共 1 条措施" in late.stdout
    assert "滞后" in late.stdout
    assert "共 1 条措施" in ledger("list", "--status", "滞后").stdout
    by_unit = ledger("list", "--unit", "区商务局", "--document", imported.pk)
    assert "引进重大项目" in by_unit.stdout and "共 1 条措施" in by_unit.stdout


def test_list_refuses_a_bad_status_and_an_unknown_document(imported):
    bad = ledger("list", "--status", "finished")
    assert bad.exit_code == 2 and "进展状态「finished」无效" in bad.output
    missing = ledger("list", "--document", 999)
    assert missing.exit_code == 2 and "找不到编号为 999 的政策文件" in missing.output


def test_report_with_evidence_then_list_shows_it(imported, tmp_path):
    m = imported.measures.get(path="一/（二）")
    minutes = tmp_path / "纪要.pdf"
    minutes.write_bytes(b"%PDF minutes")
    result = ledger(
        "report", m.pk, "--status", "in_progress", "--note", "已发布申报通知", "--evidence", minutes
    )
    assert result.exit_code == 0, result.output
    assert (
        "已记录" in result.stdout and "推进中" in result.stdout and "佐证材料 1 份" in result.stdout
    )
    listing = ledger("list", "--document", imported.pk)
    assert "已发布申报通知" in listing.stdout
    report = ProgressReport.objects.get()
    assert report.evidence.get().original_name == "纪要.pdf"


def test_report_in_a_units_name(imported):
    m = imported.measures.get(path="一/（三）")
    ok = ledger("report", m.pk, "--status", "done", "--unit", "区商务局")
    assert ok.exit_code == 0, ok.output
    assert ProgressReport.objects.get().assignment.unit.name == "区商务局"
    wrong = ledger("report", m.pk, "--status", "done", "--unit", "区财政局")
    assert wrong.exit_code == 2 and "不是措施" in wrong.output


def test_report_errors(imported, tmp_path):
    m = imported.measures.first()
    assert "找不到 ID 为 999" in ledger("report", 999, "--status", "done").output
    missing = ledger("report", m.pk, "--status", "done", "--evidence", tmp_path / "无.pdf")
    assert missing.exit_code == 2 and "找不到佐证材料" in missing.output
    nobody = ledger("report", m.pk, "--status", "done", "--user", "nobody")
    assert nobody.exit_code == 2 and "找不到用户" in nobody.output
    assert ProgressReport.objects.count() == 0


def test_summary_by_unit_and_document(imported, tmp_path):
    by_unit = ledger("summary")
    assert by_unit.exit_code == 0, by_unit.output
    assert "区科技局" in by_unit.stdout and "滞后" in by_unit.stdout and "110" in by_unit.stdout
    by_doc = ledger("summary", "--by", "document")
    assert by_doc.exit_code == 0 and "某区科技创新重点任务分解方案" in by_doc.stdout
    out = tmp_path / "汇总.xlsx"
    saved = ledger("summary", "--by", "unit", "--xlsx", out)
    assert saved.exit_code == 0 and out.is_file()
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["责任单位", "措施数"] and "滞后" in headers
    assert ws.cell(2, 1).value == "区科技局" and ws.cell(2, 2).value == 4
    assert ledger("summary", "--by", "region").exit_code == 2


def test_export_adds_status_and_latest_note(imported, tmp_path):
    from gaoxin.policy.ledger import report_progress

    m = Measure.objects.get(path="一/（二）")
    report_progress(m, "done", "奖励已兑现", reported_on=dt.date(2025, 6, 1))
    out = tmp_path / "台账.xlsx"
    result = ledger("export", imported.pk, out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["任务分解表"]
    headers = [c.value for c in ws[3]]
    assert headers == [
        "序号",
        "重点任务",
        "具体措施",
        "牵头单位",
        "参与单位",
        "完成时限",
        "资金（万元）",
        "当前状态",
        "最近报送",
        "最新进展",
    ]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["一（二） 培育高新技术企业"][7:] == ("已完成", "2025-06-01", "奖励已兑现")
    assert rows["一（一） 建设孵化载体"][7] == "滞后"
    assert rows["一（三） 引进重大项目"][3:5] == ("区商务局", "区科技局")
    assert ledger("export", 999, out).exit_code == 2


def test_import_for_a_jurisdiction_with_reviewed_links(tmp_path):
    from gaoxin.policy.models import ResponsibleUnit, UnitLink
    from tests import factories

    t = factories.small_tree()
    pack = PACKS / "gansu"
    factories.region("620000", "甘肃省", "province")
    result = ledger(
        "import", pack / "document.txt", "--jurisdiction", "620000", "--links", pack / "units.yaml"
    )
    assert result.exit_code == 0, result.output
    unit = ResponsibleUnit.objects.get(name="省科技厅")
    assert (unit.jurisdiction.name, unit.entity.name) == ("甘肃省", "甘肃省")
    assert UnitLink.objects.get(unit=unit).note == "按 units.yaml 关联（已人工核对）"
    # a links file for another jurisdiction changes nothing and says why
    fujian = ledger(
        "import", DISTRICT, "--jurisdiction", t["fj"].code, "--links", pack / "units.yaml"
    )
    assert fujian.exit_code != 0 and "适用于 620000" in fujian.output
    assert PolicyDocument.objects.count() == 1  # the district plan was not kept
    unknown = ledger("import", DISTRICT, "--jurisdiction", "不存在的省")
    assert unknown.exit_code == 2
