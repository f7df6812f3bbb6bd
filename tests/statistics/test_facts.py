"""The fact frame built from the store is the one the engine builds from the same data directly,
and `gaoxin monitor` prints and saves the monitoring table from it."""

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth
from gaoxin.engine.monitor import monitor_table
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.facts import engine_facts
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def gansu():
    sync_catalogue()
    j = synth.generate("gansu", scale=0.05)
    load_jurisdiction(j, label="测试")
    return j


def test_store_facts_give_the_same_monitoring_table_as_the_engine(gansu):
    direct = monitor_table(from_synth(gansu), "2025-07")
    zones = [z for z in direct.frame["zone"].to_list() if z != direct.frame["zone"][0]]
    stored = monitor_table(engine_facts(None), "2025-07", zones=zones)
    numeric = [c for c in direct.frame.columns if "__" in c]
    assert direct.frame.height == stored.frame.height > 1
    assert_frame_equal(
        direct.frame.select("zone", *numeric),
        stored.frame.select("zone", *numeric),
        check_exact=False,
        rel_tol=1e-9,
    )


def test_monitor_command_prints_and_saves_the_table(gansu, tmp_path):
    out = tmp_path / "月监测.xlsx"
    result = CliRunner().invoke(
        app, ["monitor", "--period", "2025年7月", "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "兰州" in result.output and "合计" in result.output
    ws = openpyxl.load_workbook(out).active
    assert "2025年7月" in str(ws["A1"].value)
    csv = tmp_path / "月监测.csv"
    assert (
        CliRunner().invoke(app, ["monitor", "--period", "2025-07", "--out", str(csv)]).exit_code
        == 0
    )
    names = pl.read_csv(csv)["园区"].to_list()
    assert names[0] == "合计" and any(n.startswith("兰州") for n in names)
    xlsx_names = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    assert xlsx_names[xlsx_names.index("合计") :][: len(names)] == names


def test_a_bad_period_exits_2(gansu):
    result = CliRunner().invoke(app, ["monitor", "--period", "2025年13月"])
    assert result.exit_code == 2
    assert "月份" in result.output
