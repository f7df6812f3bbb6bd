"""The working file 待补数据 beside the printed ledger, read as the provincial official who gets
it reads it: 汇总 says per rule and missing input how many entities wait for it, where it comes
from and what to do; 明细 lists them; both in the pack's words, no rule code or input id."""

from __future__ import annotations

import re

import openpyxl
import polars as pl
import pytest

from gaoxin.awards.services import decide
from gaoxin.awards.workbook import working_path, write_ledger_xlsx
from gaoxin.engine.periods import Period
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from tests.awards.test_cli import inputs_file

pytestmark = pytest.mark.django_db
SUMMARY = [
    "规则",
    "条款",
    "缺少的数据",
    "单位或取值",
    "数据从哪里来、由谁提供",
    "涉及主体数",
    "怎样补齐",
]
DETAIL = ["规则", "条款", "主体代码", "主体名称", "未能确定", "缺少的数据"]


@pytest.fixture
def written(loaded, province, tmp_path):
    """Fujian's 2024 trial over the province with the test's inputs file (三个高新区的排名和评价
    考核结果), its ledger written to XLSX."""
    pack = find_pack("fujian-2021")
    d = decide(pack, Period.parse("2024"), province, by=None, inputs=inputs_file(tmp_path))
    path = tmp_path / "奖补台账.xlsx"
    return d, write_ledger_xlsx(d, path), path


def rows(ws, header: int) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=header + 1, values_only=True)]


def test_the_summary_says_per_rule_and_input_who_waits_and_what_to_do(written):
    d, files, path = written
    assert files == [path, working_path(path)]
    assert openpyxl.load_workbook(path).sheetnames == ["台账", "合计"]  # the printed ledger
    work = openpyxl.load_workbook(working_path(path))
    assert work.sheetnames == ["汇总", "明细"]
    ws = work["汇总"]
    assert ws["A1"].value == "《促进高新技术产业开发区高质量发展实施方案》2024 年奖补测算：待补数据"
    und = d.undetermined
    entities = und["entity"].n_unique()
    assert ws["A2"].value.startswith(
        f"说明：测算范围「福建省」内，{entities:,} 个主体的 {und.height:,} 条记录因缺少下列数据"
    )
    assert "不随台账打印" in ws["A3"].value
    assert [c.value for c in ws[4]] == SUMMARY
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref == f"A4:G{ws.max_row}"

    got = {(r[0], r[2]): r for r in rows(ws, 4)}
    long = und.explode("missing")

    def waiting(rule: str, inp: str) -> int:
        return long.filter((pl.col("rule") == rule) & (pl.col("missing") == inp)).height

    # 泉州 was given no rank, the other national zones are not in the file
    assert got[("国家级高新区争先晋位奖励", "全国排名")] == (
        "国家级高新区争先晋位奖励",
        "八、(二十二)",
        "全国排名",
        "数字",
        "用户提供：科技部全国排名，由用户提供（本辖区数据只含福建的国家高新区）",
        waiting("rank-promotion", "rank"),
        "在「奖补台账」→「测算奖补」页点「下载输入模板」，在模板（或本次所用的输入文件）中为"
        "这些主体填写「全国排名」列，上传后重新测算（命令行：gaoxin awards --inputs 文件）",
    )
    assert waiting("rank-promotion", "rank") >= 1
    # the enterprises that reported no purchase of a major result: a statistic to import
    bought = got[("购买重大科技成果产业化奖励", "购买的重大科技成果实现产业化")]
    assert bought[1] == "五、(十四)" and bought[3] == "是/否"
    assert bought[4].startswith("由统计数据计算：「购买重大科技成果并实现产业化的交易额」 > 0")
    assert bought[4].endswith("；统计数据由园区填报员报送")
    assert bought[5] == waiting("major-result-purchase", "major_result_industrialised") > 0
    assert bought[6] == (
        "由园区填报员在「数据导入」页（或命令 gaoxin import）补报这些主体 2024 年的"
        "「购买重大科技成果并实现产业化的交易额」（万元），经审核发布后重新测算"
    )
    # the zones with no 评价考核结果 wait for it under both rules that read it
    commend = got[("评价考核结果好的国家级高新区通报表扬", "评价考核结果（好、一般、较差）")]
    assert commend[3] == "好、一般、较差"
    assert commend[5] == waiting("evaluation-commend", "evaluation_result") > 0
    # one row per rule and missing input, in the pack's order of rules
    assert len(got) == len(d.missing_inputs()) == ws.max_row - 4
    order = [r.title for r in d.spec.rules]
    assert [r[0] for r in rows(ws, 4)] == sorted((r[0] for r in rows(ws, 4)), key=order.index)


def test_the_detail_lists_every_undetermined_row_by_name(written):
    d, _, path = written
    ws = openpyxl.load_workbook(working_path(path))["明细"]
    assert [c.value for c in ws[3]] == DETAIL
    detail = rows(ws, 3)
    assert len(detail) == d.undetermined.height
    quanzhou = Entity.objects.get(code="350500N1")
    assert (
        "国家级高新区争先晋位奖励",
        "八、(二十二)",
        "350500N1",
        quanzhou.name,
        "是否符合条件",
        "全国排名、上年全国排名",
    ) in detail
    assert ws.auto_filter.ref == f"A3:F{ws.max_row}"


def test_no_rule_code_input_id_or_hash_shows_outside_the_entity_codes(written):
    d, _, path = written
    spec = d.spec
    codes = {spec.id} | {r.id for r in spec.rules} | {i.id for i in spec.inputs}
    work = openpyxl.load_workbook(working_path(path))
    for ws, entity_column in ((work["汇总"], None), (work["明细"], 2)):
        for row in ws.iter_rows(values_only=True):
            for c, v in enumerate(row):
                if c == entity_column or not isinstance(v, str):
                    continue
                words = set(re.findall(r"[a-z][a-z0-9_-]*", v))
                assert not words & codes, (ws.title, v)
                assert not re.search(r"[0-9a-f]{8,}|[{}\[\]]", v), (ws.title, v)
