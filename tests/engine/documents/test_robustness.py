"""Whatever text comes in, the parser answers without failing and its spans stay inside it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.engine.documents import parse_text

PIECES = [
    "一、",
    "二、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "（1）",
    "①",
    "专栏1 ",
    "第一章",
    "第二条",
    "责任单位：",
    "牵头单位:",
    "参与单位：",
    "省科技厅",
    "发改委",
    "、",
    "，",
    "。",
    "；",
    "（",
    "）",
    "〔",
    "〕",
    "福州",
    "市人民政府",
    "奖励",
    "100万元",
    "五百亿元",
    "最高不超过",
    "到2025年",
    "达到",
    "50%",
    "以上",
    "双倍增",
    "全覆盖",
    "会同",
    "负责",
    "牵头",
    "配合",
    "由",
    "\n",
    "\n\n",
    " ",
    "附件：",
    "2024年8月30日",
    "１００万元",
    "(",
    ")",
    ":",
    ";",
    ",",
    "\r\n",
    "\t",
    "|",
    "序号\t工作任务\t牵头单位\n",
    "某某局",
    "（此件公开发布）",
    "x.pdf",
    "《",
    "》",
    "关于促进高新区发展的意见",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_any_arrangement_of_document_pieces_parses(pieces):
    text = "".join(pieces)
    doc = parse_text(text)
    n = len(text)
    for m in doc.measures:
        assert 0 <= m.span[0] <= m.span[1] <= n
        for a in m.amounts:
            assert text[a.span[0] : a.span[1]] == a.text
            assert a.value_wan >= 0
    for h in doc.headings:
        assert 0 <= h.span[0] <= h.span[1] <= n
    for t in doc.targets:
        assert text[t.span[0] : t.span[1]] == t.text
    doc.as_dict()


def test_empty_and_blank_text():
    for text in ("", "   ", "\n\n\n"):
        doc = parse_text(text)
        assert doc.measures == [] and doc.title is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_text_tables_rewritten_then_parsed(pieces):
    from gaoxin.engine.documents.ledger_tables import rewrite_text_tables

    text = rewrite_text_tables("".join(pieces))
    doc = parse_text(text)
    for m in doc.measures:
        assert 0 <= m.span[0] <= m.span[1] <= len(text)
