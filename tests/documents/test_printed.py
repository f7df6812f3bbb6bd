"""One service-made document printed through LibreOffice (the conversions are slow: one here,
the layout itself in tests/engine/test_official.py): the award plan's table and the 版记 stay in
the type area, the 版头 is red, fonts are embedded. With GAOXIN_PREVIEWS=docs/guide/img the
pages are also kept as PNG for the guide (pdftoppm)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gaoxin.documents.services import write_official_documents
from gaoxin.engine.official.inspect import MM, is_red, read_layout
from tests.commands.test_monitor_command import gansu  # noqa: F401 (fixture)
from tests.documents.test_services import DAY, tree  # noqa: F401 (fixture)
from tests.engine.test_official import (
    TOLERANCE_MM,
    TYPE_BOTTOM,
    TYPE_LEFT,
    TYPE_RIGHT,
    needs_office,
)

pytestmark = pytest.mark.django_db


@needs_office
def test_award_plan_prints_inside_the_type_area(tree, tmp_path):  # noqa: F811
    files = write_official_documents(
        "awards", tmp_path / "奖补资金分配方案.docx", pack="fujian-2021", period="2025",
        by=None, seq=12, pdf=True, today=DAY,
    )  # fmt: skip
    pdf = files[-1]
    layout = read_layout(pdf)
    assert all(layout.embedded.values())
    first = layout.pages[0]
    assert first.lines[0].text == "福建省科学技术厅文件" and all(
        is_red(c) for c in first.lines[0].colours
    )
    for page in layout.pages:
        for line in page.lines:
            assert line.left >= TYPE_LEFT - TOLERANCE_MM
            assert line.right <= TYPE_RIGHT + TOLERANCE_MM, line.text
    text = "".join(line.text for page in layout.pages for line in page.lines)
    assert "合计" in text and "抄送：" in text and "福建省科学技术厅办公室" in text
    # the 版记 at the foot of the last page, an even one (GB/T 9704-2012 §7.4)
    last = layout.pages[-1]
    assert last.number % 2 == 0
    foot = [line for line in last.lines if line.text.endswith("印发")]
    assert foot and TYPE_BOTTOM - 5 < foot[0].bottom <= TYPE_BOTTOM + TOLERANCE_MM
    keep = os.environ.get("GAOXIN_PREVIEWS")
    if keep:
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(Path(keep) / "official-awards")],
            check=True,
        )


@needs_office
def test_monthly_bulletin_prints_its_charts(gansu, tmp_path):  # noqa: F811
    """The bulletin's charts print inside the type area with their titles and sources under
    them; the 版记 at the foot of the last, even page."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTImage

    (_, pdf) = write_official_documents(
        "monitor", tmp_path / "月度监测通报.docx", pack="gansu", period="2025-07", by=None,
        pdf=True, today=DAY,
    )  # fmt: skip
    layout = read_layout(pdf)
    lines = [line for page in layout.pages for line in page.lines]
    titles = [i for i, line in enumerate(lines) if line.text.startswith("图1")]
    assert titles and lines[titles[0] + 1].text.startswith("数据来源：")
    images = []
    stack = list(extract_pages(str(pdf)))
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTImage):
            images.append(obj)
        elif hasattr(obj, "__iter__"):
            stack.extend(obj)
    assert images
    for img in images:
        assert img.x0 / MM >= TYPE_LEFT - TOLERANCE_MM and img.x1 / MM <= TYPE_RIGHT + TOLERANCE_MM
    assert layout.pages[-1].number % 2 == 0
    assert any(line.text.endswith("印发") for line in layout.pages[-1].lines)
    keep = os.environ.get("GAOXIN_PREVIEWS")
    if keep:
        subprocess.run(
            ["pdftoppm", "-r", "60", "-f", "1", "-l", "3", "-png", str(pdf),
             str(Path(keep) / "official-monitor")],
            check=True,
        )  # fmt: skip
