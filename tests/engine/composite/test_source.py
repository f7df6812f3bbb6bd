"""The ``source`` of a framework, its nodes and items: read, validated with the YAML line, and the
shipped frameworks cite theirs."""

import textwrap
from pathlib import Path

import pytest
import yaml

from gaoxin.engine.composite import load_framework
from gaoxin.engine.problems import ProblemsError

PACKS = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
SHIPPED = sorted(PACKS.glob("*/frameworks/*.yaml"))


def _load(tmp_path, text):
    p = tmp_path / "fw.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_framework(p)


def test_sources_on_framework_nodes_and_items(tmp_path):
    fw = _load(
        tmp_path,
        """\
        framework: t
        source:
          - {document: 甲文件, url: "https://example.gov.cn/a.html", confidence: A}
          - {document: 乙分析, confidence: C, note: 权重出自第三方代码}
        assumptions: [等权]
        index:
          code: I
          children:
            - code: a
              source: {document: 甲文件, article: 第十条, confidence: A}
            - {code: b}
        bonus:
          - {code: x, column: x, points: 1, source: {document: 甲文件, article: 第四条}}
        veto:
          - {code: v, column: v, grade: 不合格, source: {document: 甲文件, article: (二十六)}}
        """,
    )
    assert [s.confidence for s in fw.source] == ["A", "C"]
    assert fw.source[0].url == "https://example.gov.cn/a.html"
    assert fw.assumptions == ["等权"]
    a, b = fw.index.children
    # one mapping is read as a list of one
    assert (a.source[0].document, a.source[0].article) == ("甲文件", "第十条")
    assert b.source == []
    assert fw.bonus[0].source[0].article == "第四条"
    assert fw.veto[0].source[0].article == "(二十六)"


def test_source_problems_have_path_line_and_value(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            framework: t
            source: {document: 甲文件, confidence: D}
            index:
              code: I
              children:
                - code: a
                  source:
                    - {document: "", url: "www.example.cn"}
                - {code: b, source: {article: 第二条}}
            """,
        )
    got = {p.column: p for p in e.value.problems}
    # paths as written: a list where the YAML has one, no [0] where it has a single mapping
    assert set(got) == {
        "source.confidence",
        "index.children[0].source[0].document",
        "index.children[0].source[0].url",
        "index.children[1].source.document",
    }
    conf = got["source.confidence"]
    assert conf.row == 2 and conf.value == "D" and "'A', 'B' or 'C'" in conf.message
    url = got["index.children[0].source[0].url"]
    assert url.row == 8 and url.value == "www.example.cn"
    assert url.message == "网址应以 http:// 或 https:// 开头"
    assert got["index.children[0].source[0].document"].message == "不能为空"
    missing = got["index.children[1].source.document"]
    assert missing.message == "缺少必填项" and missing.row == 9


def test_citations_do_not_change_the_content_hash(tmp_path):
    """The hash identifies what the framework computes (decision 012)."""
    base = "framework: t\nindex: {code: I, children: [{code: a}, {code: b, weight: 2}]}\n"
    plain = _load(tmp_path, base)
    cited = _load(
        tmp_path,
        base.replace("{code: a}", "{code: a, source: {document: 乙}}")
        + "source: {document: 甲文件, confidence: B}\nassumptions: [等权]\n",
    )
    assert cited.index.children[0].source[0].document == "乙"
    assert plain.content_hash() == cited.content_hash()
    reweighted = _load(tmp_path, base.replace("weight: 2", "weight: 3"))
    assert reweighted.content_hash() != plain.content_hash()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_shipped_frameworks_cite_their_sources_in_the_field(path):
    fw = load_framework(path)
    assert fw.source, "the framework names its documents"
    assert all(s.confidence for s in fw.source)
    text = path.read_text(encoding="utf-8")
    # sources live in the field now, not in comments the engine cannot read
    comments = [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]
    assert not any("Source:" in ln or "no source/note field" in ln for ln in comments)
    assert yaml.safe_load(text)["framework"] == fw.framework
