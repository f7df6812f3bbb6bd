"""The monthly monitoring bulletin and the quarterly report: one table per key indicator from the
monitoring table of the pack's region, the data version in the 版记."""

import pytest

from gaoxin.documents.services import official_documents
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
