"""An :class:`~gaoxin.engine.official.model.OfficialDocument` written as .docx laid out to
GB/T 9704-2012 (decision 039 says where Word can only approximate the standard).

The page: A4, 天头 37 mm, 订口 28 mm, type area 156 mm × 225 mm; 22 lines of 28 characters in
仿宋 3号 (16 pt): the line pitch is 28.9 pt, exact line spacing (so Word and LibreOffice
agree) and the document grid says 22 × 28 as Word's 页面设置 shows it. Every part
is a named paragraph style (公文正文, 公文标题, 版头, …) created when the template does not
have it: a jurisdiction's template (the pack's ``documents.template``) changes the look by
editing those styles in Word, and this writer fills in the words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from gaoxin.engine.official.model import (
    Figure,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    date_text,
)

#: The fonts the standard names (Word on a Chinese office's machine has them); LibreOffice on
#: Debian prints them with the substitutes of :mod:`gaoxin.engine.official.fonts`.
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

RED = RGBColor(0xFF, 0x00, 0x00)
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
RECORD_PT = 14.0  # 4号: 版记 and page numbers
TABLE_PT = 10.5  # 五号: table cells

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, LEFT = Mm(37), Mm(28)
TYPE_W_MM, TYPE_H_MM = 156, 225
RIGHT, BOTTOM = Mm(210 - 28 - TYPE_W_MM), Mm(297 - 37 - TYPE_H_MM)
LINES, CHARS = 22, 28
#: 225 mm / 22 lines is 28.95 pt; 28.9 pt (578 twentieths, as Word stores it) so that the 22nd
#: line still fits after LibreOffice's rounding (at 28.95 it printed 21).
LINE_PITCH_PT = 28.9
#: 156 mm / 28 characters, in points.
CHAR_PITCH_PT = TYPE_W_MM / CHARS * 72 / 25.4
#: Character spacing that makes 28 characters of 16 pt fill a line (a little under, so that the
#: 28th still fits): in twentieths of a point, as Word stores it.
CHAR_SPACING_TW = -5


def _fonts(rpr_owner: Any, name: str) -> None:
    """Set every script's font of a run or style to ``name`` (Word reads eastAsia for CJK)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _style(
    doc: Any,
    name: str,
    font: str,
    size: float,
    *,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: float = 0,
    bold: bool = False,
    red: bool = False,
    exact: float | None = LINE_PITCH_PT,
    spacing: int | None = CHAR_SPACING_TW,
) -> Any:
    """A paragraph style, created only when the template lacks it."""
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = styles["Normal"]
    st.font.size = Pt(size)
    st.font.bold = bold
    if red:
        st.font.color.rgb = RED
    _fonts(st.element, font)
    pf = st.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.widow_control = False
    if exact is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    else:
        pf.line_spacing = 1.0
    if exact is None or size != BODY_PT:
        # Off the document grid: a 2号 title or a 五号 table line takes its own height, not
        # one or two grid lines (LibreOffice snaps to the grid otherwise).
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        st.element.get_or_add_pPr().append(snap)
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
    if spacing:
        rpr = st.element.get_or_add_rPr()
        sp = OxmlElement("w:spacing")
        sp.set(qn("w:val"), str(spacing))
        rpr.append(sp)
    return st


def _styles(doc: Any) -> dict[str, Any]:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, FANGSONG)
    rpr = normal.element.get_or_add_rPr()
    if rpr.find(qn("w:lang")) is None:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)
    center, left, right = (
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.RIGHT,
    )
    return {
        "organ": _style(doc, "版头", XIAOBIAOSONG, 36, align=center, red=True, exact=None),
        "number": _style(doc, "发文字号", FANGSONG, BODY_PT, align=center),
        "title": _style(doc, "公文标题", XIAOBIAOSONG, TITLE_PT, align=center, spacing=None),
        "addressees": _style(doc, "主送机关", FANGSONG, BODY_PT, align=left),
        "body": _style(doc, "公文正文", FANGSONG, BODY_PT, indent_chars=2),
        "heading1": _style(doc, "公文一级标题", HEITI, BODY_PT, indent_chars=2),
        "heading2": _style(doc, "公文二级标题", KAITI, BODY_PT, indent_chars=2),
        "heading3": _style(doc, "公文三级标题", FANGSONG, BODY_PT, indent_chars=2, bold=True),
        "heading4": _style(doc, "公文四级标题", FANGSONG, BODY_PT, indent_chars=2),
        "signature": _style(doc, "落款", FANGSONG, BODY_PT, align=right),
        "annex_mark": _style(doc, "附件标识", HEITI, BODY_PT, align=left),
        "caption": _style(doc, "表题", HEITI, BODY_PT, align=center, spacing=None),
        "cell": _style(doc, "表格文字", FANGSONG, TABLE_PT, align=center, exact=None, spacing=None),
        "figure": _style(doc, "图", FANGSONG, BODY_PT, align=center, exact=None, spacing=None),
        "figure_title": _style(
            doc, "图题", HEITI, RECORD_PT, align=center, exact=None, spacing=None
        ),
        "figure_source": _style(
            doc, "图注", FANGSONG, TABLE_PT + 1.5, align=center, exact=None, spacing=None
        ),
        "record": _style(doc, "版记", FANGSONG, RECORD_PT, align=left, exact=None, spacing=None),
        "page_number": _style(
            doc, "页码", SONGTI, RECORD_PT, align=right, exact=None, spacing=None
        ),
    }


def _page(section: Any) -> None:
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    # The page number's 一字线 is 7 mm below the type area (§7.5); a 4号 line is about 5 mm.
    section.footer_distance = Mm(297 - 37 - TYPE_H_MM - 7 - 5)
    section.header_distance = Mm(15)
    # 页面设置 → 文档网格: 22 lines × 28 characters, as the standard's templates set it.
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    sect.append(grid)


def _field(paragraph: Any, instruction: str) -> None:
    """A field (``PAGE``) in ``paragraph``, showing 1 until Word or LibreOffice updates it."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        elif text == instruction:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = f" {instruction} "
            run._r.append(it)
        else:
            run.text = text
    end = paragraph.add_run()
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "end")
    end._r.append(fc)


def _page_numbers(doc: Any, section: Any, style: Any) -> None:
    """ "— N —" in 4号 宋体: odd pages on the right, even pages on the left, one character in
    from the type area's edge (§7.5)."""
    settings = doc.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        for extra in footer.paragraphs[1:]:  # a template's footer: only the page number
            extra._p.getparent().remove(extra._p)
        for old in list(p._p):
            if old.tag != qn("w:pPr"):
                p._p.remove(old)
        p.style = style
        p.alignment = align
        setattr(p.paragraph_format, f"{side}_indent", Pt(RECORD_PT))
        p.add_run("— ")
        _field(p, "PAGE")
        p.add_run(" —")


def _border(paragraph: Any, edge: str, *, size_eighths: int, color: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    b = OxmlElement(f"w:{edge}")
    b.set(qn("w:val"), "single")
    b.set(qn("w:sz"), str(size_eighths))
    b.set(qn("w:space"), "1")
    b.set(qn("w:color"), color)
    borders.append(b)


def _para(doc: Any, style: Any, text: str = "", **fmt: Any) -> Any:
    p = doc.add_paragraph(text, style=style)
    for k, v in fmt.items():
        setattr(p.paragraph_format, k, v)
    return p


def _blank(doc: Any, st: dict[str, Any], n: int = 1) -> None:
    for _ in range(n):
        _para(doc, st["addressees"])


def _table(doc: Any, st: dict[str, Any], t: Table) -> None:
    _para(doc, st["caption"], t.caption)
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.headers))
    table.style = doc.styles["Table Grid"] if "Table Grid" in [s.name for s in doc.styles] else None
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _widths(t)
    for i, row in enumerate((t.headers, *t.rows)):
        cells = table.rows[i].cells
        for j, text in enumerate(row):
            cell = cells[j]
            cell.width = Mm(widths[j])
            p = cell.paragraphs[0]
            p.style = st["cell"]
            p.paragraph_format.space_before = Pt(2)
            p.paragraph_format.space_after = Pt(2)
            # numbers right, text left, the first column (序号, 名次, 园区代码) centred
            if i and j > 0:
                right = j in t.numeric
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
            run = p.add_run(text)
            run.bold = i == 0
        if i == 0:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            head = OxmlElement("w:tblHeader")
            tr_pr.append(head)
    _borders(table)


def _figure(doc: Any, st: dict[str, Any], f: Figure) -> None:
    """The picture centred in a paragraph of its own (off the grid: its height is the
    picture's), then the title and the source under it."""
    import io

    p = _para(doc, st["figure"], keep_with_next=True)
    p.add_run().add_picture(io.BytesIO(f.image), width=Mm(min(f.width_mm, TYPE_W_MM)))
    _para(doc, st["figure_title"], f.title, keep_with_next=True)
    _para(doc, st["figure_source"], f.source)


def _widths(t: Table) -> list[float]:
    """Column widths (mm) summing to the type area's width, by the longest text of each
    column (a CJK character counts two)."""

    def w(s: str) -> int:
        return sum(2 if ord(c) >= 0x2E80 else 1 for c in s)

    need = [
        max(4, min(24, max(w(r[j]) for r in (t.headers, *t.rows)))) for j in range(len(t.headers))
    ]
    total = sum(need)
    return [TYPE_W_MM * n / total for n in need]


def _borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)


def _record_lines(d: OfficialDocument) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if d.copy_to:
        lines.append((f"抄送：{d.copy_to}。", ""))
    for r in d.receipt:
        lines.append((r, ""))
    if d.printer or d.printed_on:
        lines.append((d.printer, f"{date_text(d.printed_on)}印发" if d.printed_on else ""))
    return lines


def _record(doc: Any, st: dict[str, Any], d: OfficialDocument, *, alone: bool = False) -> None:
    """版记 (§7.4) at the foot of the last page: a table of one column floating at the bottom
    of the type area (``tblpPr``: vertical anchor the margin, position bottom), which Word and
    LibreOffice both place there; LibreOffice floats a table only when it is narrower than
    the type area or placed against the page, hence the horizontal anchor on the page at the
    left margin. Thick first and last lines, thin lines between, 抄送 and 印发 one character in
    from each side; the receipt of the frozen run as a line of its own. ``alone``: the 版记
    goes to a page of its own (the next one), for when the text ends on an odd page and the
    版记 must be on an even one (:func:`gaoxin.engine.official.pdf.print_document` decides)."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    lines = _record_lines(d)
    if not lines:
        return
    if alone:
        _para(doc, st["record"], page_break_before=True)
    table = doc.add_table(rows=len(lines), cols=1)
    tbl_pr = table._tbl.tblPr
    pos = OxmlElement("w:tblpPr")
    for k, v in {
        "leftFromText": "0",
        "rightFromText": "0",
        "topFromText": "0",
        "bottomFromText": "0",
        "vertAnchor": "margin",
        "horzAnchor": "page",
        "tblpX": str(round(LEFT.twips)),
        "tblpYSpec": "bottom",
    }.items():
        pos.set(qn(f"w:{k}"), v)
    tbl_pr.insert(0, pos)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    tbl_pr.append(overlap)
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(round(Mm(TYPE_W_MM).twips)))
    width.set(qn("w:type"), "dxa")
    tbl_pr.append(width)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), "0")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("bottom", 8), ("insideH", 4)):  # 8 eighths: about 0.35 mm
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), str(size))
        b.set(qn("w:color"), "000000")
        borders.append(b)
    for edge in ("left", "right", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "nil")
        borders.append(b)
    tbl_pr.append(borders)
    for i, (left, right) in enumerate(lines):
        cell = table.rows[i].cells[0]
        cell.width = Mm(TYPE_W_MM)
        p = cell.paragraphs[0]
        p.style = st["record"]
        p.paragraph_format.left_indent = Pt(RECORD_PT)
        p.paragraph_format.right_indent = Pt(RECORD_PT)
        if right:
            p.paragraph_format.tab_stops.add_tab_stop(
                Mm(TYPE_W_MM) - Pt(RECORD_PT), WD_TAB_ALIGNMENT.RIGHT
            )
            p.add_run(f"{left}\t{right}")
        else:
            p.add_run(left)
    # A floating table is anchored to the paragraph after it (a document cannot end in a
    # table): an empty one, one point high.
    tail = _para(doc, st["record"])
    tail.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tail.paragraph_format.line_spacing = Pt(1)


def write_docx(
    d: OfficialDocument,
    path: str | Path,
    template: str | Path | None = None,
    *,
    record_alone: bool = False,
) -> Path:
    """Write ``d`` to ``path`` (.docx), over ``template``'s styles when given (its body is
    dropped). ``record_alone`` puts the 版记 on a page of its own after the text."""
    path = Path(path)
    doc = Document(str(template)) if template else Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    st = _styles(doc)
    section = doc.sections[0]
    _page(section)
    _page_numbers(doc, section, st["page_number"])

    if d.organ:
        organ_pt = min(36.0, (TYPE_W_MM * 72 / 25.4) / max(len(d.organ), 1))
        p = _para(doc, st["organ"])
        p.paragraph_format.space_before = Pt(0)
        # The mark's top is 35 mm below the type area's top for a 下行文 (§7.2.2): an
        # approximation by space before, the mark's own line not counted.
        p.paragraph_format.space_before = Mm(35) - Pt(organ_pt * 0.3)
        run = p.add_run(d.organ)
        run.font.size = Pt(organ_pt)
        _blank(doc, st, 2)
        num = _para(doc, st["number"], d.number)
        # The red line 4 mm below the number, as wide as the type area (§7.2.4).
        _border(num, "bottom", size_eighths=12, color="FF0000")
        num.paragraph_format.space_after = Pt(0)
        _blank(doc, st, 2)
    elif d.number:
        _para(doc, st["number"], d.number)
        _blank(doc, st, 1)

    _para(doc, st["title"], d.title)
    if d.addressees:
        _blank(doc, st)
        _para(doc, st["addressees"], f"{d.addressees}：")
    for block in d.blocks:
        _block(doc, st, block)

    names = d.attachment_names
    if names:
        _blank(doc, st)
        if len(names) == 1:
            _para(doc, st["body"], f"附件：{names[0]}")
        else:
            for i, name in enumerate(names, start=1):
                lead = "附件：" if i == 1 else "　　　"
                _para(doc, st["body"], f"{lead}{i}. {name}")

    # 落款 without a seal (§7.3.5.2): the date four characters in from the right, the organ
    # centred over the date.
    _blank(doc, st, 2)
    when = date_text(d.date)
    over = max(0.0, 4 + (len(when) - len(d.signature)) / 2)
    _para(doc, st["signature"], d.signature, right_indent=Pt(BODY_PT * over))
    _para(doc, st["signature"], when, right_indent=Pt(BODY_PT * 4))

    for i, annex in enumerate(d.annexes, start=1):
        label = "附件" if len(d.annexes) == 1 else f"附件{i}"
        _para(doc, st["annex_mark"], label, page_break_before=True)
        _blank(doc, st)
        _para(doc, st["title"], annex.title)
        _blank(doc, st)
        for block in annex.blocks:
            _block(doc, st, block)

    _record(doc, st, d, alone=record_alone)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _block(doc: Any, st: dict[str, Any], block: Any) -> None:
    if isinstance(block, Paragraph):
        _para(doc, st["body"], block.text)
    elif isinstance(block, Heading):
        _para(doc, st[f"heading{block.level}"], block.text)
    elif isinstance(block, Table):
        _table(doc, st, block)
    elif isinstance(block, Figure):
        _figure(doc, st, block)
    else:  # pragma: no cover - the model has four kinds of block
        raise TypeError(type(block).__name__)
