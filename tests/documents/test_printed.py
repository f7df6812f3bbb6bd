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
from gaoxin.engine.official.inspect import is_red, read_layout
from tests.documents.test_services import DAY, tree  # noqa: F401 (fixture)
from tests.engine.test_official import TOLERANCE_MM, TYPE_LEFT, TYPE_RIGHT, needs_office

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
    keep = os.environ.get("GAOXIN_PREVIEWS")
    if keep:
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(Path(keep) / "official-awards")],
            check=True,
        )
