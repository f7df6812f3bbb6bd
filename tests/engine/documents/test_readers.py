"""Reading saved web pages, .docx and text-layer PDF; clear errors for what cannot be read."""

from pathlib import Path

import docx
import pytest

from gaoxin.engine.documents import parse_file
from gaoxin.engine.documents.readers import hard_wrapped
from gaoxin.engine.problems import ProblemsError

from .pdf_writer import make_pdf

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def test_saved_government_web_page():
    doc = parse_file(FIXTURES / "gov-page.html")
    assert doc.title == "某省高新区高质量发展若干措施"
    assert doc.issuer == "某省科学技术厅"
    assert doc.doc_number == "某科发〔2023〕15号"
    assert doc.issued == "2023-06-08"
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"], ["二", "（三）"]]
    first, second, third = doc.measures
    assert first.lead_units == ["省科技厅", "省财政厅"] and first.amounts_wan == [5000.0]
    assert second.lead_units == ["省科技厅"]
    assert second.participating_units == ["省发展改革委", "省自然资源厅"]
    assert "&" in third.text and "&amp;" not in third.text  # entities decoded
    assert third.lead_units == ["省科技厅"] and third.participating_units == ["省教育厅"]
    # menus, scripts and the footer are not part of any measure
    assert not any("网站标识码" in m.text or "打印" in m.text for m in doc.measures)


def test_docx_paragraphs_and_tables(tmp_path):
    d = docx.Document()
    d.add_paragraph("某市关于促进高新区发展的实施意见")
    d.add_paragraph("一、重点任务")
    d.add_paragraph(
        "（一）建设平台。支持建设平台，给予奖励50万元。（责任单位：市科技局、市财政局）"
    )
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "（二）引进人才。引进高层次人才。"
    table.cell(0, 1).text = "（牵头单位：市委人才办；配合单位：市人力社保局）"
    d.add_paragraph("某市人民政府")
    d.add_paragraph("2024年3月1日")
    path = tmp_path / "意见.docx"
    d.save(path)
    doc = parse_file(path)
    assert doc.title == "某市关于促进高新区发展的实施意见"
    assert doc.issued == "2024-03-01"
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"]]
    assert doc.measures[0].lead_units == ["市科技局", "市财政局"]
    assert doc.measures[0].amounts_wan == [50.0]
    assert doc.measures[1].lead_units == ["市委人才办"]
    assert doc.measures[1].participating_units == ["市人力社保局"]


def test_text_layer_pdf_lines_rejoined(tmp_path):
    path = tmp_path / "措施.pdf"
    path.write_bytes(
        make_pdf(
            [
                [
                    "关于促进高新区发展的若干措施",
                    "",
                    "一、优化布局",
                    "（一）推动创建。对新获批的国家高新区，一次性给予不少",
                    "于5000万元奖励。（责任单位：省科技厅）",
                ],
                ["- 2 -", "（二）布局建设。给予200万元奖励。"],
            ]
        )
    )
    doc = parse_file(path)
    assert doc.title == "关于促进高新区发展的若干措施"
    first, second = doc.measures
    assert (
        first.text
        == "推动创建。对新获批的国家高新区，一次性给予不少于5000万元奖励。（责任单位：省科技厅）"
    )
    assert first.amounts_wan == [5000.0] and first.lead_units == ["省科技厅"]
    assert second.path == ["一", "（二）"] and "2 -" not in second.text


def test_gb18030_text_file(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("一、任务\n（一）建设平台。给予奖励50万元。\n".encode("gb18030"))
    assert parse_file(path).measures[0].amounts_wan == [50.0]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("missing.txt", None, "file-not-found"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old-doc"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "bad-docx"),
        ("scan.pdf", None, "no-text-layer"),
    ],
)
def test_unreadable_files_raise_problems_in_chinese(tmp_path, name, content, code):
    path = tmp_path / name
    if name == "scan.pdf":
        content = make_pdf([[""]])
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProblemsError) as info:
        parse_file(path)
    (problem,) = info.value.problems
    assert problem.code == code
    assert problem.file == str(path)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)


def _chinese_list(document) -> str:
    """Add a Word list numbered 一、 / （一） to ``document``; return its numId."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.append(
        parse_xml(
            f'<w:abstractNum {w} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
            "</w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(document, text, num_id, level):
    from docx.oxml import parse_xml

    p = document.add_paragraph(text)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_docx_with_word_automatic_numbering(tmp_path):
    d = docx.Document()
    d.add_paragraph("某省关于促进高新区发展的若干措施")
    num = _chinese_list(d)
    _numbered(d, "优化布局", num, 0)
    _numbered(d, "推动创建。给予奖励100万元。（责任单位：省科技厅）", num, 1)
    _numbered(d, "布局建设。（责任单位：省发展改革委）", num, 1)
    _numbered(d, "强化创新", num, 0)
    _numbered(d, "支持平台。（责任单位：省教育厅）", num, 1)
    path = tmp_path / "自动编号.docx"
    d.save(path)
    doc = parse_file(path)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"], ["二", "（一）"]]
    assert doc.measures[0].amounts_wan == [100.0]
    assert doc.measures[2].lead_units == ["省教育厅"]


def test_information_table_of_a_government_site(tmp_path):
    page = """<html><head><meta name="ArticleTitle" content="某省关于促进高新区发展的若干措施"></head><body>
    <table><tr><td>索引号：</td><td>000014349/2023-00080</td><td>主题分类：</td><td>科技</td></tr>
    <tr><td>发文机关：</td><td>某省人民政府办公厅</td><td>成文日期：</td><td>2023年07月13日</td></tr>
    <tr><td>发文字号：</td><td>某政办发〔2023〕19号</td><td>发布日期：</td><td>2023年07月20日</td></tr></table>
    <table><tr><td width="150">机构设置</td><td><p>一、优化布局</p><p>（一）推动创建。给予奖励100万元。（责任单位：省科技厅）</p></td></tr></table>
    </body></html>"""
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    doc = parse_file(path)
    assert doc.title == "某省关于促进高新区发展的若干措施"
    assert (doc.issuer, doc.issued, doc.published, doc.doc_number) == (
        "某省人民政府办公厅",
        "2023-07-13",
        "2023-07-20",
        "某政办发〔2023〕19号",
    )
    assert [m.path for m in doc.measures] == [["一", "（一）"]]
    assert doc.measures[0].lead_units == ["省科技厅"]


def test_task_breakdown_table_in_a_docx(tmp_path):
    d = docx.Document()
    d.add_paragraph("某市高新区建设任务分工方案")
    rows = [
        ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"],
        [
            "1",
            "提升创新能力",
            "建设重点实验室，给予奖励50万元",
            "市科技局",
            "市财政局、市教育局",
            "2025年底前",
        ],
        ["2", "提升创新能力", "培育高新技术企业", "市科技局", "市税务局", "长期坚持"],
        ["3", "优化发展环境", "深化放管服改革", "市发展改革委", "", "2024年6月底前"],
    ]
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "分工.docx"
    d.save(path)
    doc = parse_file(path)
    # the 重点任务 column groups the rows, but the 序号 runs on through its groups (1–3):
    # the number names a row alone and stays its path, the groups head nothing (round 7,
    # as round 6 for category rows; where the numbering restarts, the groups head it)
    assert [m.path for m in doc.measures] == [["1"], ["2"], ["3"]]
    assert doc.headings == []
    first = doc.measures[0]
    assert first.lead_units == ["市科技局"] and first.participating_units == [
        "市财政局",
        "市教育局",
    ]
    assert first.amounts_wan == [50.0] and first.deadline == "2025年底前"
    assert doc.measures[2].participating_units == []


def test_task_breakdown_table_in_a_web_page(tmp_path):
    page = """<html><body><p>某市任务分工</p><table border="1">
    <tr><th>序号</th><th>工作任务</th><th>责任单位</th></tr>
    <tr><td>1</td><td>建设孵化器</td><td>市科技局、市财政局</td></tr>
    <tr><td>2</td><td>引进人才</td><td>市委人才办</td></tr></table></body></html>"""
    path = tmp_path / "t.html"
    path.write_text(page, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.lead_units) for m in doc.measures] == [
        (["1"], ["市科技局", "市财政局"]),
        (["2"], ["市委人才办"]),
    ]


def test_task_breakdown_table_as_tab_separated_text(tmp_path):
    path = tmp_path / "分工.txt"
    path.write_text(
        "某区重点任务分工表\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t建设孵化器，给予补助20万元\t区科技局\t区财政局\t2025年底前\n"
        "2\t引进高层次人才\t区委人才办\t区人社局、区科技局\t长期坚持\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["1"], ["区科技局"], ["区财政局"]),
        (["2"], ["区委人才办"], ["区人社局", "区科技局"]),
    ]
    assert doc.measures[0].amounts_wan == [20.0]


def test_hard_wrapped_text_file_is_rejoined(tmp_path):
    body = (
        "关于促进高新区发展的若干措施\n"
        "一、优化布局\n"
        "（一）推动创建国家高新区。对新获批的国家高新区，省\n"
        "财政一次性给予不少于5000万元奖励，支持高新区建设\n"
        "重大创新平台。（责任单位：省科技厅、省财政厅、省发\n"
        "展改革委）\n"
        "（二）布局建设省级高新区。对新认定的省级高新区，由\n"
        "省科技厅一次性给予200万元奖励，用于支持园区公共服\n"
        "务平台建设。（责任单位：省科技厅）\n"
        "二、强化创新\n"
        "（三）支持平台建设。支持高新区建设新型研发机构，按\n"
        "其研发投入的10%给予补助。（省科技厅牵头，省教育厅\n"
        "配合）\n"
    )
    path = tmp_path / "wrapped.txt"
    path.write_text(body, encoding="utf-8")
    doc = parse_file(path)
    assert [m.lead_units for m in doc.measures] == [
        ["省科技厅", "省财政厅", "省发展改革委"],
        ["省科技厅"],
        ["省科技厅"],
    ]
    assert doc.measures[2].participating_units == ["省教育厅"]
    assert doc.measures[0].amounts_wan == [5000.0]


PDF_TABLE = (
    "某省关于开展考核工作的通知\n一、工作要求\n（一）抓好落实。各高新区要对照附件1完成任务。\n"
    "附件：1.重点任务分工表\n　　　2.考核指标体系（略）\n某省科学技术厅\n2025年3月18日\n"
    "— 3 —\n附件1\n重点任务分工表\n序号\n重点任务\n\n牵头单位\n配合单位\n完成时限\n"
    "1\n建设概念验证中心，给予最高200万元补助\n省科技厅\n省财政厅、省教育厅\n2025年10月\n"
    "— 4 —\n序号\n重点任务\n牵头单位\n配合单位\n完成时限\n"
    "2\n开展专项检查\n省应急管理厅\n各设区市人民政府\n2025年9月\n"
)


def test_task_table_one_cell_a_line_in_an_attachment(tmp_path):
    # as a PDF's text layer gives a table: one cell a line, a page number and the header
    # repeated after the page break; an attachment that is a task breakdown is measures
    path = tmp_path / "考核.txt"
    path.write_text(PDF_TABLE, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "（一）"], [], []),
        (["1"], ["省科技厅"], ["省财政厅", "省教育厅"]),
        (["2"], ["省应急管理厅"], ["各设区市人民政府"]),
    ]
    assert doc.measures[1].amounts_wan == [200.0] and doc.measures[2].deadline == "2025年9月"


def test_wrapped_cells_are_placed_by_what_their_columns_hold(tmp_path):
    # a PDF table whose cells wrap onto several lines: the unit column's lines join into a
    # unit list, the time column's into a time, the task takes the rest; an empty 配合单位
    # cell gives no line; the text after the last row is not part of it
    text = (
        "某市关于推进高新区建设的通知\n一、工作要求\n（一）抓好落实。各高新区要完成任务。\n"
        "附件：重点任务分工表\n某市科学技术局\n2025年3月18日\n附件\n重点任务分工表\n"
        "序号\n具体措施\n牵头单位\n配合单位\n完成时限\n"
        "1\n建设概念验证中心，对新建的给予最\n高200万元补助\n市科技局\n市财政局、市教\n育局\n"
        "2025年10\n月底前\n"
        "2\n开展专项检查\n市应急管理局\n2025年9月\n"
        "— 5 —\n"
        "3\n引进高层次人才\n市委组织部、\n市人力资源社会保障局\n市科技局\n长期坚持\n"
        "抄送：市委办公室。\n"
    )
    path = tmp_path / "分工.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "（一）"], [], []),
        (["1"], ["市科技局"], ["市财政局", "市教育局"]),
        (["2"], ["市应急管理局"], []),
        (["3"], ["市委组织部", "市人力资源社会保障局"], ["市科技局"]),
    ]
    first = doc.measures[1]
    assert first.title == "建设概念验证中心" and first.amounts_wan == [200.0]
    assert first.deadline == "2025年10月底前"


def test_a_header_cell_wrapped_onto_two_lines_and_a_category_column(tmp_path):
    text = (
        "某省高新区行动方案任务分工\n序号\n重点\n任务\n具体措施\n牵头\n单位\n配合\n单位\n完成\n时限\n"
        "1\n创新平台\n建设概念验证中心\n省科技厅\n省财政厅\n2025年\n"
        "2\n建设中试基地\n省工业和信息化厅\n省科技厅、省发展改革委\n2026年\n"
    )
    path = tmp_path / "分工.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    # the merged 重点任务 cell is printed once, in its first row
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "1"], ["省科技厅"], ["省财政厅"]),
        (["一", "2"], ["省工业和信息化厅"], ["省科技厅", "省发展改革委"]),
    ]


def test_a_row_that_fits_no_split_ends_the_table_and_stays_text(tmp_path):
    broken = PDF_TABLE.replace("省财政厅、省教育厅\n", "省财政厅、省教\n育厅\n另有说明\n")
    path = tmp_path / "考核.txt"
    path.write_text(broken, encoding="utf-8")
    assert [m.path for m in parse_file(path).measures] == [["一", "（一）"]]


def test_an_attachment_without_units_is_not_measures(tmp_path):
    text = (
        "某省关于开展考核工作的通知\n一、工作要求\n（一）抓好落实。各高新区要完成任务。\n"
        "附件：考核指标\n某省科学技术厅\n2025年3月18日\n附件1\n考核指标\n1.研发投入强度。\n2.高新技术企业数。\n"
    )
    path = tmp_path / "考核.txt"
    path.write_text(text, encoding="utf-8")
    assert [m.path for m in parse_file(path).measures] == [["一", "（一）"]]


def test_task_table_in_a_pdf_text_layer(tmp_path):
    # the same table through pdfminer: each page's lines as the text layer gives them
    body, table = PDF_TABLE.split("— 3 —\n")
    first, second = table.split("— 4 —\n")
    path = tmp_path / "考核.pdf"
    path.write_bytes(make_pdf([body.splitlines(), first.splitlines(), second.splitlines()]))
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "（一）"], [], []),
        (["1"], ["省科技厅"], ["省财政厅", "省教育厅"]),
        (["2"], ["省应急管理厅"], ["各设区市人民政府"]),
    ]


def test_a_notice_signed_before_the_table_it_transmits(tmp_path):
    # the 通知 has items of its own, is signed, and the attached table restarts at 一、
    text = (
        "某省关于印发高新区行动方案的通知\n一、工作要求\n（一）抓好落实。各高新区要完成任务。\n"
        "某省人民政府办公厅\n2025年3月18日\n附件\n重点任务分工表\n"
        "序号\t重点任务\t具体措施\t牵头单位\t配合单位\n"
        "1\t创新平台\t建设概念验证中心\t省科技厅\t省财政厅\n"
    )
    path = tmp_path / "通知.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert (doc.issuer, doc.issued) == ("某省人民政府办公厅", "2025-03-18")
    assert "办公厅" not in doc.measures[0].text
    assert [(m.path, m.lead_units) for m in doc.measures][1:] == [(["一", "1"], ["省科技厅"])]


def test_a_task_table_with_categories_in_an_attachment_after_numbered_items(tmp_path):
    # the table's 主要任务 column becomes 一、二、 headings: they must not nest under the
    # body's last item; the attachment is read apart, as a task breakdown
    text = (
        "某区关于推进科技创新的工作方案\n\n一、重点工作\n（一）建设平台。做好平台建设。\n"
        "（二）强化金融。做好金融服务。（责任单位：区金融办）\n\n附件\n\n"
        "主要任务 | 工作措施 | 责任单位 | 时间节点\n"
        "打造创新平台 | 建设孵化器 | 区科技局（牵头）、区财政局 | 2025年底\n"
        "集聚人才 | 实施人才计划 | 区委人才办牵头，区人社局配合 | 长期\n"
    )
    path = tmp_path / "方案.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "（一）"], [], []),
        (["一", "（二）"], ["区金融办"], []),
        (["一", "1"], ["区科技局"], ["区财政局"]),
        (["二", "2"], ["区委人才办"], ["区人社局"]),
    ]
    assert not [p for p in doc.problems if p.code == "inverted-levels"]


def test_hard_wrapped_text_with_many_short_lines_is_still_rejoined(tmp_path):
    # titles, headings and a signature are short lines; the long ones end mid-sentence
    text = (
        "某某省人民政府办公厅\n关于印发某某省推动高新区发展三年行动方案的通知\n"
        "各市（州）人民政府，省政府各部门：\n现将方案印发给你们，请认真贯彻落实。\n"
        "某某省人民政府办公厅\n2024年4月2日\n"
        "某某省推动高新区发展三年行动方案\n（2024—2026年）\n"
        "一、主要目标\n到2026年，全省高新区数量达到30家，高新技术企业数量\n突破5000家。\n"
        "二、重点任务\n（一）实施创新能力提升行动。\n"
        "1.建设高能级创新平台。支持高新区建设省实验室、技术\n创新中心等平台，对新认定的省级技术创新中心给予最高\n"
        "300万元支持。（省科技厅牵头，省发展改革委、省财政厅\n配合）\n"
        "2.发展主导产业。每个高新区聚焦一至两个主导产业。（省\n工业和信息化厅牵头，各市（州）人民政府负责落实）\n"
    )
    path = tmp_path / "方案.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert doc.title == "某某省推动高新区发展三年行动方案（2024—2026年）"
    assert [(m.lead_units, m.participating_units) for m in doc.measures][1:] == [
        (["省科技厅"], ["省发展改革委", "省财政厅"]),
        (["省工业和信息化厅"], ["各市（州）人民政府"]),
    ]


def test_a_text_table_row_without_its_number_continues_the_row_above(tmp_path):
    path = tmp_path / "分工.txt"
    path.write_text(
        "某区重点任务分工\n| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |\n|---|---|---|---|---|\n"
        "| 1 | 建设科技企业孵化器，对新认定的给予 | 区科技局 | 区财政局、区发 | 2025年 |\n"
        "|  | 最高50万元奖励 |  | 展改革局 | 底前 |\n"
        "| 2 | 引进高层次人才 | 区委人才办 | 区人社局 | 长期坚持 |\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["1"], ["区科技局"], ["区财政局", "区发展改革局"]),
        (["2"], ["区委人才办"], ["区人社局"]),
    ]
    assert doc.measures[0].amounts_wan == [50.0] and doc.measures[0].deadline == "2025年底前"


def test_wrapped_cells_of_a_task_table_through_a_pdf_text_layer(tmp_path):
    pages = [
        ["某市关于推进高新区建设的通知", "一、工作要求", "（一）抓好落实。各高新区要完成任务。"],
        [
            "附件", "序号", "具体措施", "牵头单位", "配合单位", "完成时限",
            "1", "建设概念验证中心，对新建的给予最", "高200万元补助", "市科技局",
            "市财政局、市教", "育局", "2025年10月",
            "2", "开展专项检查", "市应急管理局", "市生态环境局", "2025年9月",
        ],
    ]  # fmt: skip
    path = tmp_path / "分工.pdf"
    path.write_bytes(make_pdf(pages))
    doc = parse_file(path)
    assert [(m.path, m.lead_units, m.participating_units) for m in doc.measures][1:] == [
        (["1"], ["市科技局"], ["市财政局", "市教育局"]),
        (["2"], ["市应急管理局"], ["市生态环境局"]),
    ]


def test_a_pdf_text_keeps_its_number_line_and_joins_brackets_and_inline_lists(tmp_path):
    # lines broken at a width of 30: the number under a title as long as the width stays a
    # line of its own; a line ending in ） inside a sentence goes on; （二） at a line's head
    # continues the sentence's own list (…之一的：（一）…；)
    def wrap(paragraph: str) -> list[str]:
        return [paragraph[k : k + 30] for k in range(0, len(paragraph), 30)]

    lines = [
        "某部关于印发《某某高新技术产业开发区奖补资金管理办法》的通知",
        "某财〔2025〕5号",
        "",
        *wrap(
            "第一条　为规范和加强某某高新技术产业开发区（以下简称高新区）"
            "奖补资金管理，提高资金使用效益，根据有关规定，制定本办法。"
        ),
        *wrap(
            "第二条　奖补资金由某部负责管理，每年开展一次绩效评价，并向社会公开评价结果，"
            "评价结果作为下一年度资金分配的重要依据，具体评价办法另行制定并向社会公布。"
        ),
        *wrap(
            "第三条　有下列情形之一的，不予安排：（一）评价位列后十位的；"
            "（二）发生重大安全生产事故的；（三）存在弄虚作假行为的。"
        ),
        *wrap(
            "第四条　本办法自印发之日起施行，由某部负责解释，有效期为五年，期满前由某部"
            "组织开展评估，根据评估结果确定是否继续实施，评估结果向社会公开并接受监督。"
        ),
    ]
    assert lines[3].endswith("）") and any(ln.startswith("（二）") for ln in lines)
    text = "\n".join(lines) + "\n"
    assert hard_wrapped(text)
    path = tmp_path / "办法.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert doc.doc_number == "某财〔2025〕5号"
    assert [m.path for m in doc.measures] == [["第一条"], ["第二条"], ["第三条"], ["第四条"]]
    assert (
        doc.measures[0].title == "为规范和加强某某高新技术产业开发区（以下简称高新区）奖补资金管理"
    )
    assert "（二）发生重大安全生产事故的" in doc.measures[2].text


def test_a_numbered_task_table_whose_task_column_names_each_row(tmp_path):
    # 序号 numbers every row and each 重点任务 belongs to one row: the task is the row's
    # title, and the row is the measure numbered by its 序号 (no heading invented above it)
    text = (
        "某市行动方案\n\n一、总体目标\n到2027年，高新区营业收入达到3000亿元。\n\n附件\n\n"
        "序号\t重点任务\t具体措施\t牵头单位\t配合单位\t完成时限\n"
        "1\t建设中试基地\t建设中试基地10家，给予最高500万元奖补\t市科技局\t市财政局\t2026年底前\n"
        "2\t培育链主企业\t每条产业链遴选1至2家链主企业\t市工业和信息化局\t各县（市、区）人民政府\t持续推进\n"
    )
    path = tmp_path / "方案.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.title, m.lead_units, m.participating_units) for m in doc.measures][1:] == [
        (["1"], "建设中试基地", ["市科技局"], ["市财政局"]),
        (["2"], "培育链主企业", ["市工业和信息化局"], ["各县（市、区）人民政府"]),
    ]


def _task_table(sep: str, third: str = "1") -> str:
    rows = [
        sep.join(["序号", "任务", "责任单位", "完成时间"]),
        "一、产业创新",
        sep.join(["1", "建设新型研发机构，给予补助50万元", "县科技局、县财政局", "2026年底前"]),
        sep.join(["2", "培育高新技术企业", "县科技局、县税务局", "长期坚持"]),
        "二、人才引进",
        sep.join([third, "引进高层次人才", "县委人才办、县人社局、县科技局", "2026年6月底前"]),
    ]
    return "附件\n\n重点任务分工表\n（列第一位的为牵头单位）\n\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("sep", ["\t", "  ", "    ", "　　"])
def test_a_task_table_with_category_rows_and_the_first_listed_unit_leading(tmp_path, sep):
    # the numbering restarts under each category row: the row is known by both
    path = tmp_path / "分工.txt"
    path.write_text(_task_table(sep), encoding="utf-8")
    doc = parse_file(path)
    assert [(h.path, h.title) for h in doc.headings] == [(["一"], "产业创新"), (["二"], "人才引进")]
    assert [(m.path, m.title, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["一", "1"], "建设新型研发机构", ["县科技局"], ["县财政局"]),
        (["一", "2"], "培育高新技术企业", ["县科技局"], ["县税务局"]),
        (["二", "1"], "引进高层次人才", ["县委人才办"], ["县人社局", "县科技局"]),
    ]
    assert doc.measures[0].amounts_wan == [50.0]


@pytest.mark.parametrize("sep", ["\t", "    "])
def test_a_task_table_numbered_straight_through_its_category_rows_keeps_the_number(tmp_path, sep):
    # 1, 2 | 3: the 序号 names a row alone, so it stays the path, as in a table without
    # categories; the category rows then head nothing
    path = tmp_path / "分工.txt"
    path.write_text(_task_table(sep, third="3"), encoding="utf-8")
    doc = parse_file(path)
    assert doc.headings == []
    assert [(m.path, m.title, m.lead_units, m.participating_units) for m in doc.measures] == [
        (["1"], "建设新型研发机构", ["县科技局"], ["县财政局"]),
        (["2"], "培育高新技术企业", ["县科技局"], ["县税务局"]),
        (["3"], "引进高层次人才", ["县委人才办"], ["县人社局", "县科技局"]),
    ]


def test_prose_with_runs_of_spaces_is_no_table(tmp_path):
    path = tmp_path / "措施.txt"
    path.write_text(
        "关于支持孵化器发展的若干措施\n一、加强孵化服务\n"
        "（一）建设孵化器  对新认定的孵化器给予支持。（县科技局）\n"
        "（二）培育企业  对新认定的企业给予奖励。（县科技局、县财政局）\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"]]
    assert doc.measures[1].lead_units == ["县科技局", "县财政局"]


@pytest.mark.parametrize("restart", [False, True])
def test_a_merged_category_column_heads_rows_only_where_the_numbering_restarts(tmp_path, restart):
    # 任务类别 filled on the first row of its group, empty after; （牵头） marks the lead
    third = "1" if restart else "3"
    rows = [
        "序号\t任务类别\t重点任务\t责任单位\t完成时限",
        "1\t平台建设\t建设中试基地\t县科技局（牵头）、县财政局\t2026年底前",
        "2\t\t建设孵化器\t县科技局（牵头）、县商务局\t2026年底前",
        f"{third}\t人才引进\t引进领军人才\t县委人才办（牵头）、县人社局\t长期坚持",
    ]
    path = tmp_path / "清单.txt"
    path.write_text("附件\n重点任务清单\n" + "\n".join(rows) + "\n", encoding="utf-8")
    doc = parse_file(path)
    expected_paths = [["一", "1"], ["一", "2"], ["二", "1"]] if restart else [["1"], ["2"], ["3"]]
    assert [(m.path, m.title, m.lead_units, m.participating_units) for m in doc.measures] == [
        (expected_paths[0], "建设中试基地", ["县科技局"], ["县财政局"]),
        (expected_paths[1], "建设孵化器", ["县科技局"], ["县商务局"]),
        (expected_paths[2], "引进领军人才", ["县委人才办"], ["县人社局"]),
    ]
