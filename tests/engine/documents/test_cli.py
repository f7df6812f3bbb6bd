"""`gaoxin doc parse` and `gaoxin doc score`: the machine-readable contract and the files written."""

import json
from pathlib import Path

import openpyxl
import yaml
from typer.testing import CliRunner

from gaoxin.cli import app

ROOT = Path(__file__).resolve().parents[3]
FUJIAN = ROOT / "src/gaoxin/packs/fujian-2021/document.txt"
runner = CliRunner()


def test_parse_json_contract():
    result = runner.invoke(app, ["doc", "parse", str(FUJIAN), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("title", "issuer", "doc_number", "issued", "headings", "measures", "targets"):
        assert key in data
    assert data["issued"] == "2021-07-27"
    m = data["measures"][8]
    assert m["path"] == ["四", "（九）"]
    assert m["title"] == "实施高水平科技创新平台建设工程"
    assert m["amounts_wan"] == [50.0, 200.0, 100.0]
    assert "福州市人民政府" in m["lead_units"] and m["participating_units"] == []
    source = FUJIAN.read_text("utf-8")
    assert source[m["span"][0] : m["span"][1]].startswith("（九）实施高水平")
    assert {"path", "title", "span"} <= set(data["headings"][0])
    assert all({"year", "text"} <= set(t) for t in data["targets"])


def test_parse_prints_a_summary_table():
    result = runner.invoke(app, ["doc", "parse", str(FUJIAN)])
    assert result.exit_code == 0
    assert "促进高新技术产业开发区高质量发展实施方案" in result.stdout
    assert "共 22 条措施" in result.stdout


def test_parse_writes_the_ledger_and_drafts(tmp_path):
    xlsx, drafts = tmp_path / "台账.xlsx", tmp_path / "drafts.yaml"
    result = runner.invoke(
        app, ["doc", "parse", str(FUJIAN), "--xlsx", str(xlsx), "--drafts", str(drafts)]
    )
    assert result.exit_code == 0, result.output

    wb = openpyxl.load_workbook(xlsx)
    ws = wb["任务分解表"]
    assert "任务分解表" in ws["A1"].value
    assert [c.value for c in ws[3]] == [
        "序号",
        "重点任务",
        "具体措施",
        "牵头单位",
        "参与单位",
        "完成时限",
        "资金（万元）",
    ]
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$3:$3"
    assert ws["C4"].alignment.wrap_text
    row = [c.value for c in ws[4 + 8]]  # 四（九）
    assert row[1].startswith("四（九）")
    assert "（责任单位" not in row[2]
    assert row[3].startswith("省科技厅、省发改委")
    assert row[6] == "50；200；100"
    assert ws.column_dimensions["C"].width > 50

    text = drafts.read_text("utf-8")
    assert text.startswith("# 草稿（DRAFT）")
    data = yaml.safe_load(text)
    assert data["draft"] is True
    assert data["rules"] and all(r["status"] == "draft" for r in data["rules"] + data["targets"])
    source = FUJIAN.read_text("utf-8")
    assert all(r["cite"]["quote"] in source for r in data["rules"])
    rank = next(r for r in data["rules"] if "每晋升1位，奖励100万元" in r["cite"]["quote"])
    assert rank["cite"]["article"] == "八（二十二）"
    assert [(a["value_wan"], a["role"]) for a in rank["amounts"]] == [
        (100.0, "award"),
        (300.0, "cap"),
    ]


def test_unreadable_file_exits_2_with_a_chinese_message(tmp_path):
    result = runner.invoke(app, ["doc", "parse", str(tmp_path / "没有.txt"), "--json"])
    assert result.exit_code == 2
    assert "找不到该文件" in result.output


def test_score_against_the_expected_extraction():
    expected = ROOT / "tests/fixtures/documents/fujian-2021.expected.json"
    result = runner.invoke(app, ["doc", "score", str(FUJIAN), str(expected), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["scores"]
    assert scores["measures"]["recall"] >= 0.95 and scores["units"]["precision"] >= 0.95


BULLETIN = ROOT / "tests/fixtures/documents/round2/province-evaluation-bulletin.txt"


def test_parse_shows_what_a_tongbao_decides():
    result = runner.invoke(app, ["doc", "parse", str(BULLETIN)])
    assert result.exit_code == 0, result.output
    assert "文种：通报" in result.stdout
    assert "决定：评价结果（优秀）　青石高新区、白沙高新区、临泉高新区　见 一" in result.stdout
    assert "决定：警告　石门高新区　见 二" in result.stdout


def test_parse_json_carries_kind_addressees_and_decisions():
    result = runner.invoke(app, ["doc", "parse", str(BULLETIN), "--json"])
    data = json.loads(result.stdout)
    assert data["kind"] == "通报"
    assert data["addressees"] == ["各设区市科技局", "各省级高新区管委会"]
    warn = next(d for d in data["decisions"] if d["kind"] == "warn")
    assert warn["zones"] == ["石门高新区"] and warn["path"] == ["二"]
    source = BULLETIN.read_text("utf-8")
    assert source[warn["span"][0] : warn["span"][1]] == warn["text"]


def test_score_reports_decisions_where_expected():
    expected = ROOT / "tests/fixtures/documents/round2/province-evaluation-bulletin.expected.json"
    result = runner.invoke(app, ["doc", "score", str(BULLETIN), str(expected), "--json"])
    scores = json.loads(result.stdout)["scores"]
    assert scores["decisions"]["expected"] == 12
    assert scores["decisions"]["recall"] == 1.0
