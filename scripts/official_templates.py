"""Write the editable template of official documents (公文模板.docx) of every shipped pack with a
``documents:`` section, and name it in the pack (``documents.template``).

The template is a specimen 公文 in the pack's issuer's name, every part in its named paragraph
style (版头, 发文字号, 公文标题, 主送机关, 公文正文, 公文一级标题 … 版记, 页码; 图, 图题 and 图注 are
in the style list without a specimen, which would leave a picture in the template). A
jurisdiction's office opens it in Word, changes the styles (样式 → 修改), and saves it: gaoxin
then writes every document of the pack over those styles and drops the specimen text
(docs/guide/official-documents.md, decision 045). Run again to reset a template:

    .venv/bin/python scripts/official_templates.py [pack ...]
"""

from __future__ import annotations

import re
import sys
from datetime import date

from gaoxin.engine.official import (
    Annex,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    write_docx,
)
from gaoxin.policy.packs import find_pack, shipped_packs

NAME = "公文模板.docx"


def specimen(docs) -> OfficialDocument:
    text = "（正文。样式「公文正文」：仿宋_GB2312 三号，首行缩进二字，固定行距 28.9 磅。）"
    return OfficialDocument(
        kind="通报",
        title="关于（标题）的通报（样式「公文标题」）",
        organ=docs.organ,
        number=docs.number.format(year=2026, seq=1),
        addressees=docs.addressees,
        blocks=(
            Paragraph(text),
            Heading(1, "一、一级标题（样式「公文一级标题」）"),
            Heading(2, "（一）二级标题（样式「公文二级标题」）"),
            Heading(3, "1. 三级标题（样式「公文三级标题」）"),
            Heading(4, "（1）四级标题（样式「公文四级标题」）"),
            Paragraph(text),
            Table(
                "表题（样式「表题」）",
                ("序号", "单位", "金额（万元）"),
                (("1", "表格文字（样式「表格文字」）", "1.00"),),
                numeric=(2,),
            ),
        ),
        annexes=(Annex("附件标题", (Paragraph(text),)),),
        signature=docs.signature,
        date=date(2026, 1, 1),
        copy_to=docs.copy_to,
        printer=docs.printer,
        printed_on=date(2026, 1, 1),
        receipt=("依据：（运行、数据版本、政策包哈希，由 gaoxin 填写）",),
    )


def main(names: list[str]) -> None:
    for d in shipped_packs():
        if names and d.name not in names:
            continue
        docs = find_pack(d.name).spec.documents
        if docs is None:
            continue
        write_docx(specimen(docs), d / NAME)
        yaml_path = d / "pack.yaml"
        text = yaml_path.read_text(encoding="utf-8")
        if not re.search(r"^  template:", text, flags=re.M):
            # the last line of the documents: section (two-space indented keys)
            m = re.search(r"^documents:\n((?:  .*\n)+)", text, flags=re.M)
            assert m is not None, d
            text = text[: m.end()] + f"  template: {NAME}\n" + text[m.end() :]
            yaml_path.write_text(text, encoding="utf-8")
        print(d / NAME)


if __name__ == "__main__":
    main(sys.argv[1:])
