"""Official documents laid out to GB/T 9704-2012: the .docx as written, and (where LibreOffice is
installed, always in CI) the PDF it prints, checked by machine: A4, the type area, 22 lines of
28 characters on a full page, fonts embedded, "— N —" page numbers odd right / even left, the
red 版头 and its red line, nothing outside the type area."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from gaoxin.engine.official import (
    Annex,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    print_document,
    write_docx,
)
from gaoxin.engine.official.inspect import is_red, read_layout
from gaoxin.engine.official.pdf import soffice

LONG = "为深入贯彻落实国家高新技术产业开发区高质量发展要求，进一步发挥评价考核的导向作用，" * 14

DOC = OfficialDocument(
    kind="通报",
    title="关于2025年度全省高新技术产业开发区综合评价结果的通报",
    organ="甘肃省科学技术厅文件",
    number="甘科高〔2026〕3号",
    addressees="各市（州）人民政府，各高新区管委会",
    blocks=(
        Paragraph(LONG),
        Heading(1, "一、总体情况"),
        Paragraph(LONG),
        Heading(2, "（一）评价等级"),
        Table(
            "表1　评价等级",
            ("序号", "高新区", "总分", "等级"),
            tuple((str(i), "兰州高新区", "87.50", "优秀") for i in range(1, 6)),
            numeric=(0, 2),
        ),
    ),
    annexes=(Annex("2025年度综合评价结果", (Paragraph("见上表。"),)),),
    signature="甘肃省科学技术厅",
    date=date(2026, 12, 3),
    copy_to="科学技术部火炬中心，省发展改革委",
    printer="甘肃省科学技术厅办公室",
    printed_on=date(2026, 12, 3),
    receipt=("依据：评价运行 12　数据版本 3f2a9c01　政策包 gansu@a1b2c3d4",),
)


def test_docx_page_setup_fonts_and_parts(tmp_path: Path) -> None:
    path = write_docx(DOC, tmp_path / "通报.docx")
    doc = Document(str(path))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.top_margin.mm), round(s.left_margin.mm)) == (37, 28)
    assert round(s.page_width.mm - s.left_margin.mm - s.right_margin.mm) == 156
    assert round(s.page_height.mm - s.top_margin.mm - s.bottom_margin.mm) == 225
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "甘肃省科学技术厅文件"
    assert "甘科高〔2026〕3号" in texts
    assert "各市（州）人民政府，各高新区管委会：" in texts
    assert "附件：2025年度综合评价结果" in texts
    assert texts.index("甘肃省科学技术厅") < texts.index("2026年12月3日")
    # the receipt is in the 版记, after the body and the annex, never in the body: the last
    # table, floating at the bottom of the type area
    record = doc.tables[-1]
    assert [c.text for c in record.columns[0].cells] == [
        "抄送：科学技术部火炬中心，省发展改革委。",
        DOC.receipt[0],
        "甘肃省科学技术厅办公室\t2026年12月3日印发",
    ]
    pos = record._tbl.tblPr.find(qn("w:tblpPr"))
    assert (pos.get(qn("w:vertAnchor")), pos.get(qn("w:tblpYSpec"))) == ("margin", "bottom")
    assert doc.element.body.index(record._tbl) > doc.element.body.index(doc.paragraphs[-2]._p)
    body = "".join(texts[: texts.index("2026年12月3日")])
    assert "3f2a9c01" not in body
    # the standard's font names, for Word on an office's machine
    organ = doc.paragraphs[0]
    fonts = organ.style.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert organ.style.font.color.rgb == (0xFF, 0, 0)
    assert doc.styles["公文正文"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == (
        "仿宋_GB2312"
    )
    assert (
        doc.styles["公文一级标题"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    )
    # page numbers: a PAGE field between 一字线, odd footer right, even footer left
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.text == "— 1 —" and even.text == "— 1 —"
    assert "PAGE" in odd._p.xml and odd.alignment == 2 and even.alignment == 0
    assert doc.settings.element.find(qn("w:evenAndOddHeaders")) is not None


def test_a_template_keeps_its_styles(tmp_path: Path) -> None:
    """A jurisdiction's template changes the look: its 公文正文 style wins."""
    first = write_docx(DOC, tmp_path / "a.docx")
    tpl = Document(str(first))
    tpl.styles["公文正文"].font.size = tpl.styles["公文正文"].font.size // 2
    tpl.save(str(tmp_path / "模板.docx"))
    again = Document(str(write_docx(DOC, tmp_path / "b.docx", template=tmp_path / "模板.docx")))
    assert again.styles["公文正文"].font.size.pt == 8
    assert [p.text for p in again.paragraphs][0] == "甘肃省科学技术厅文件"


needs_office = pytest.mark.skipif(
    soffice() is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui "
    "fonts-noto-cjk fonts-arphic-ukai); CI installs it and runs this test",
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("official")
    # print_document: the text of DOC ends on page 5, so the 版记 goes to page 6
    pdf = print_document(DOC, out / "通报.docx")[1]
    keep = os.environ.get("GAOXIN_PREVIEWS")  # scripts/official_previews.sh
    if keep:
        for first, prefix in ((2, "official-full-page"), (6, "official-record")):
            subprocess.run(
                ["pdftoppm", "-r", "60", "-f", str(first), "-l", str(first), "-png", str(pdf),
                 str(Path(keep) / prefix)],
                check=True,
            )  # fmt: skip
    return read_layout(pdf)


TYPE_LEFT, TYPE_RIGHT, TYPE_TOP, TYPE_BOTTOM = 28.0, 184.0, 37.0, 262.0
TOLERANCE_MM = 1.0


@needs_office
def test_pdf_page_and_type_area(printed) -> None:
    for page in printed.pages:
        assert (round(page.width_mm), round(page.height_mm)) == (210, 297)
        body = page.lines[:-1]  # the last line is the page number, below the type area
        for line in body:
            assert line.left >= TYPE_LEFT - TOLERANCE_MM, (page.number, line.text)
            assert line.right <= TYPE_RIGHT + TOLERANCE_MM, (page.number, line.text)
            assert line.top >= TYPE_TOP - TOLERANCE_MM, (page.number, line.text)
            assert line.bottom <= TYPE_BOTTOM + TOLERANCE_MM, (page.number, line.text)


@needs_office
def test_pdf_full_page_has_22_lines_of_28_characters(printed) -> None:
    page = printed.pages[1]  # page 2 is body text only
    body = page.lines[:-1]
    assert len(body) == 22, [(round(x.top, 1), x.text[:6]) for x in body]
    full = [line for line in body if line.left < TYPE_LEFT + 1 and line.right > TYPE_RIGHT - 2]
    assert len(full) >= 15
    assert {len(line.text) for line in full} == {28}
    pitches = {round(b.top - a.top, 1) for a, b in zip(body, body[1:], strict=False)}
    assert max(pitches) - min(pitches) <= 0.3 and abs(min(pitches) - 225 / 22) < 0.3


@needs_office
def test_pdf_fonts_embedded_and_page_numbers(printed) -> None:
    assert printed.embedded and all(printed.embedded.values()), printed.embedded
    for page in printed.pages:
        number = page.lines[-1]
        assert number.text == f"—{page.number}—"  # "— N —", the spaces are not characters
        assert number.top > TYPE_BOTTOM + 3 and number.size == 14
        if page.number % 2:
            assert abs(number.right - (TYPE_RIGHT - 4.9)) < TOLERANCE_MM  # 空一字 on the right
        else:
            assert abs(number.left - (TYPE_LEFT + 4.9)) < TOLERANCE_MM  # and on the left


@needs_office
def test_pdf_red_head_and_line(printed) -> None:
    first = printed.pages[0]
    mark = first.lines[0]
    assert mark.text == "甘肃省科学技术厅文件"
    assert all(is_red(c) for c in mark.colours)
    assert first.red_rules >= 1
    assert all(not is_red(c) for line in first.lines[1:] for c in line.colours)
    assert all(p.red_rules == 0 for p in printed.pages[1:])


@needs_office
def test_pdf_record_at_the_foot_of_the_last_even_page(printed) -> None:
    """The 版记 (GB/T 9704-2012 §7.4) is on the last page, which is even (a page of its own
    when the text ends on an odd one), its last line at the bottom of the type area."""
    last = printed.pages[-1]
    assert last.number % 2 == 0
    record = [line for line in last.lines[:-1] if line.top > TYPE_TOP + 150]
    assert record and record[0].text.startswith("抄送：科学技术部火炬中心")
    assert record[-1].text.startswith("甘肃省科学技术厅办公室") and record[-1].text.endswith("印发")
    assert TYPE_BOTTOM - 5 < record[-1].bottom <= TYPE_BOTTOM + TOLERANCE_MM
    assert abs(record[-1].right - (TYPE_RIGHT - 4.9)) < TOLERANCE_MM  # 印发日期 空一字
    assert abs(record[0].left - (TYPE_LEFT + 4.9)) < TOLERANCE_MM  # 抄送 空一字
    assert not any("抄送" in line.text for page in printed.pages[:-1] for line in page.lines)


@needs_office
def test_pdf_record_shares_an_even_last_page(tmp_path: Path) -> None:
    """Text ending on an even page: the 版记 goes to its foot, no page is added."""
    short = replace(DOC, blocks=DOC.blocks[:1], annexes=())
    docx, pdf = print_document(short, tmp_path / "短.docx")
    pages = read_layout(pdf).pages
    assert len(pages) == 2
    texts = [line.text for line in pages[1].lines]
    assert any(t.startswith("2026年12月3日") and not t.endswith("印发") for t in texts)  # 成文日期
    foot = [line for line in pages[1].lines[:-1] if line.text.endswith("印发")]
    assert foot and TYPE_BOTTOM - 5 < foot[0].bottom <= TYPE_BOTTOM + TOLERANCE_MM


def test_every_shipped_pack_has_an_editable_template(tmp_path: Path) -> None:
    """Each jurisdiction's pack ships 公文模板.docx (scripts/official_templates.py) with every
    named style the writer fills; a document written over it keeps one page number a footer."""
    from gaoxin.policy.packs import find_pack, shipped_packs

    writer = {s.name for s in Document(str(write_docx(DOC, tmp_path / "a.docx"))).styles}
    named = {n for n in writer if any("\u4e00" <= c <= "\u9fff" for c in n)}
    assert {"版头", "公文正文", "版记", "图题", "图注"} <= named
    issuing = 0
    for d in shipped_packs():
        docs = find_pack(d.name).spec.documents
        if docs is None:
            continue
        issuing += 1
        assert docs.template == "公文模板.docx", d.name
        template = d / docs.template
        assert named <= {s.name for s in Document(str(template)).styles}, d.name
        out = Document(str(write_docx(DOC, tmp_path / f"{d.name}.docx", template=template)))
        assert out.sections[0].footer.paragraphs[0].text == "— 1 —"
        assert len(out.sections[0].footer.paragraphs) == 1
        assert [p.text for p in out.paragraphs][0] == "甘肃省科学技术厅文件"  # the specimen dropped
    assert issuing >= 5
