"""`gaoxin monitor` on the store: the quarterly analysis (季分析) from monthly returns, and its errors."""

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth
from gaoxin.engine.monitor import monitor_table
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def gansu():
    sync_catalogue()
    j = synth.generate("gansu", scale=0.05)
    load_jurisdiction(j, label="测试")
    return j


def test_a_quarter_prints_the_quarterly_analysis(gansu, tmp_path):
    out = tmp_path / "季分析.xlsx"
    result = CliRunner().invoke(
        app, ["monitor", "--period", "2025年三季度", "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "季度分析表（2025年第三季度）" in result.output
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == 4 and wb.sheetnames[0] == "1 营业收入、工业总产值"
    # the 合计 of 1-9月 revenue is what the engine gives for 2025Q3 on the same data
    expected = monitor_table(from_synth(gansu), "2025Q3").frame.filter(pl.col("is_total"))
    ws = wb.worksheets[0]
    assert ws["B6"].value == "合计"
    assert ws["D6"].value == pytest.approx(expected["revenue_total__cumulative"][0])


def test_errors_say_what_to_do(gansu):
    runner = CliRunner()
    typo = runner.invoke(app, ["monitor", "--period", "2025Q3", "--indicators", "revenue_totl"])
    assert typo.exit_code == 1 and "未知的指标代码「revenue_totl」" in typo.output
    # 2022 has yearly returns only: no months to build its fourth quarter from
    early = runner.invoke(app, ["monitor", "--period", "2022Q4"], env={"COLUMNS": "200"})
    assert early.exit_code == 1
    assert "2022年第四季度没有季度数据" in early.output and "2022年12月" in early.output
    bad = runner.invoke(app, ["monitor", "--period", "2025Q5"])
    assert bad.exit_code == 2 and "季度应为1-4" in bad.output
