"""The CLI a division uses: export, re-import unchanged; template, fill, import; a bad file exits 1."""

import openpyxl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import Observation
from gaoxin.statistics.store import sync_catalogue, sync_validation_rules
from tests import factories

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def loaded(tmp_path):
    sync_catalogue()
    sync_validation_rules()
    t = factories.small_tree()
    rows = "\n".join(
        f"{t[k].code},2025-07,{v},{e}"
        for k, v, e in (("a", "1234.5", 88), ("b", "7", 3), ("c", "0.25", 1))
    )
    f = tmp_path / "seed.csv"
    f.write_text(
        f"统一社会信用代码,期间,营业收入（万元）,从业人员（人）\n{rows}\n", encoding="utf-8"
    )
    assert import_file(f).status == "committed"
    return t


@pytest.mark.parametrize("name,wide", [("out.xlsx", True), ("out.csv", False), ("out.xlsx", False)])
def test_export_then_import_changes_nothing(loaded, tmp_path, name, wide):
    out = tmp_path / name
    args = ["export", str(out), "--kind", "enterprise"] + (["--wide"] if wide else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    back = import_file(out, dry_run=True)
    assert back.status == "dry_run", [str(p) for p in back.problems]
    assert (back.counts.created, back.counts.changed, back.counts.unchanged) == (0, 0, 6)


def test_export_parquet_keeps_codes_and_hierarchy(loaded, tmp_path):
    import polars as pl

    out = tmp_path / "all.parquet"
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0
    frame = pl.read_parquet(out)
    assert {"entity_code", "variable", "period", "value", "province", "city", "zone"} <= set(
        frame.columns
    )
    row = frame.filter(
        (pl.col("entity_code") == loaded["a"].code) & (pl.col("variable") == "revenue")
    ).row(0, named=True)
    assert (row["province"], row["city"], row["zone"], row["value"]) == (
        "350000",
        "350200",
        "350200N1",
        1234.5,
    )


def test_a_filled_template_imports(loaded, tmp_path):
    out = tmp_path / "tpl.xlsx"
    result = runner.invoke(app, ["template", str(out), "--variables", "revenue,employees"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header_row = next(
        r for r in range(1, 10) if any("营业收入" in str(c.value or "") for c in ws[r])
    )
    headers = [c.value for c in ws[header_row]]
    values = {"统一社会信用代码": loaded["a"].code, "期间": "2025-08"}
    for i, h in enumerate(headers, start=1):
        h = str(h or "")
        if h.startswith("营业收入"):
            ws.cell(header_row + 1, i, 1500)
        elif h.startswith("从业人员"):
            ws.cell(header_row + 1, i, 90)
        else:
            for key, v in values.items():
                if key in h:
                    ws.cell(header_row + 1, i, v)
    wb.save(out)
    report = import_file(out, period="2025-08")
    assert report.status == "committed", [str(p) for p in report.problems]
    assert (
        Observation.objects.get(
            entity=loaded["a"], variable__code="employees", period="2025-08"
        ).value
        == 90
    )


def test_a_bad_file_exits_1_and_says_nothing_changed(loaded, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        f"统一社会信用代码,期间,营业收入（万元）\n{loaded['a'].code},2025-07,abc\n",
        encoding="utf-8",
    )
    before = Observation.objects.count()
    result = runner.invoke(app, ["import", str(f)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "数据库未作任何修改" in result.output and "not_a_number" not in result.output
    assert "应填数字" in result.output
    assert Observation.objects.count() == before
    report = tmp_path / "problems.xlsx"
    runner.invoke(app, ["import", str(f), "--report", str(report)])
    ws = openpyxl.load_workbook(report).active
    assert [c.value for c in ws[1]][:4] == ["级别", "文件", "工作表", "行"]
    assert ws.cell(2, 5).value == "营业收入（万元）"


def test_a_template_for_a_shipped_form(loaded, tmp_path):
    from gaoxin.statistics.store import sync_forms

    sync_forms()
    out = tmp_path / "monthly.xlsx"
    result = runner.invoke(app, ["template", str(out), "--form", "enterprise_monthly"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = {str(c.value) for row in ws.iter_rows(max_row=6) for c in row if c.value}
    assert "营业收入（万元）" in cells and "从业人员（人）" in cells
    assert runner.invoke(app, ["template", str(out), "--form", "nope"]).exit_code == 2


def test_a_database_not_yet_initialised_gets_a_message_not_a_traceback(
    loaded, tmp_path, monkeypatch
):
    from gaoxin.commands import django_env

    monkeypatch.setattr(django_env, "pending_migrations", lambda: ["registry.0001_initial"])
    result = runner.invoke(app, ["export", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "gaoxin init" in result.output and "Traceback" not in result.output


def test_no_migration_is_pending_on_the_test_database(loaded):
    from gaoxin.commands.django_env import pending_migrations

    assert pending_migrations() == []
