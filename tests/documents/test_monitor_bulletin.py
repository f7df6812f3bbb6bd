"""The monthly monitoring bulletin and the quarterly report: one table per key indicator from the
monitoring table of the pack's region, the data version in the 版记."""

import struct
from pathlib import Path

import pytest
from docx import Document

from gaoxin.documents.services import official_documents, write_official_documents
from gaoxin.engine.official import Figure, Table
from gaoxin.engine.official.charts import cjk_font
from tests.commands.test_monitor_command import gansu  # noqa: F401 (fixture)
from tests.documents.test_services import DAY

pytestmark = pytest.mark.django_db


def test_monthly_bulletin_and_quarterly_report(gansu):  # noqa: F811
    (month,) = official_documents("monitor", pack="gansu", period="2025-07", by=None, today=DAY)
    assert month.title.endswith("月度监测通报") and month.organ == "甘肃省科学技术厅文件"
    tables = [b for b in month.blocks if hasattr(b, "rows")]
    assert tables and all(t.headers[0] == "园区" and len(t.headers) == 5 for t in tables)
    assert tables[0].rows[0][0] == "合计" and len(tables[0].rows) > 2
    assert month.receipt[0].startswith("依据：监测表") and "数据版本" in month.receipt[0]
    (quarter,) = official_documents("monitor", pack="gansu", period="2025Q3", by=None, today=DAY)
    assert quarter.title.endswith("季度分析报告")
    for doc in (month, quarter):
        # a chart under each indicator's table, its title and data source under the picture
        figures = [b for b in doc.blocks if isinstance(b, Figure)]
        assert len(figures) == len(tables)
        after = [doc.blocks[doc.blocks.index(f) - 1] for f in figures]
        assert all(isinstance(b, Table) for b in after)
        assert [f.title[:2] for f in figures] == [f"图{i}" for i in range(1, len(figures) + 1)]
        assert figures[0].title.startswith(f"图1　各高新区{tables[0].caption}（累计，")
        assert all(f.source.startswith("数据来源：各高新区报送的") for f in figures)
        assert all(f.image.startswith(b"\x89PNG") for f in figures)
        # the picture's size: 150 mm at 200 dpi, one bar per zone with a value
        width, height = struct.unpack(">II", figures[0].image[16:24])
        assert width == round(150 / 25.4 * 200) and height > 300


def test_monthly_bulletin_docx_has_the_pictures(gansu, tmp_path):  # noqa: F811
    (path,) = write_official_documents(
        "monitor", tmp_path / "月度监测通报.docx", pack="gansu", period="2025-07", by=None,
        today=DAY,
    )  # fmt: skip
    doc = Document(str(path))
    assert len(doc.inline_shapes) >= 1
    texts = [p.text for p in doc.paragraphs]
    first = next(i for i, t in enumerate(texts) if t.startswith("图1　"))
    assert texts[first + 1].startswith("数据来源：")
    assert "graphic" in doc.paragraphs[first - 1]._p.xml  # the picture just above its title


def test_charts_use_a_chinese_font():
    """fontconfig finds a font covering simplified Chinese (fonts-noto-cjk), else the chart's
    labels would be boxes."""
    assert cjk_font() is not None and Path(cjk_font()).exists()
