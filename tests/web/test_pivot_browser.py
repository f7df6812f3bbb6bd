"""The pivot in Chromium: the province analyst builds a pivot, exports it and opens the file; a
city reviewer on a 390 px phone scrolls the table sideways, the page no wider than the screen.

Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the pages are saved to docs/guide/img/
for the user guide (docs/guide/pivot.md). The world and its numbers are those of
tests/statistics/test_pivot_pages.py."""

from __future__ import annotations

import openpyxl
import pytest

from tests.statistics.test_pivot_pages import world  # noqa: F401
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_journey_entry import browser, log_in, shots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_analyst_builds_and_exports_a_pivot(
    live_server,
    browser,  # noqa: F811
    world,  # noqa: F811
    shots,  # noqa: F811
    tmp_path,
):
    tab = log_in(browser, live_server, world["users"]["province_reviewer"])
    tab.get_by_role("link", name="数据透视").click()
    tab.wait_for_url("**/statistics/pivot/")
    tab.select_option("#id_indicator", ["revenue_total", "rd_intensity"])
    tab.select_option("#id_period", ["2025"])
    tab.select_option("#id_rows", "entity")
    tab.select_option("#id_level", "zone")
    tab.get_by_role("button", name="生成透视表").click()
    tab.wait_for_url("**level=zone**")  # htmx pushed the query into the address bar
    table = tab.locator("table.pivot")
    total = table.locator("tr.pivot-total")
    assert total.locator("th").inner_text() == "合计"
    # R&D not reported by 乙 and 戊: the ratio is marked as computed from incomplete data
    assert total.locator("td").all_inner_texts() == ["200.00", "2.5*"]
    rows = table.locator("tbody th").all_inner_texts()
    assert rows == [
        "合计",
        "福州高新技术产业开发区",
        "厦门火炬高技术产业开发区",
        "厦门海沧高新技术产业园区",
    ]
    assert "南昌" not in tab.content()
    shots(tab, "pivot-province")
    with tab.expect_download() as info:
        tab.locator("#pivot-export").click()
    download = info.value
    assert download.suggested_filename == "福建省高新区主要指标数据透视表（2025年）.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    ws = openpyxl.load_workbook(saved).active
    grid = list(ws.iter_rows(values_only=True))
    assert grid[0][0] == "福建省高新区主要指标数据透视表（2025年）"
    assert grid[2] == ("高新区", "营业收入", "研发投入占营收比例")
    assert grid[3] == ("单位", "万元", "%")
    assert grid[4][0] == "合计" and grid[4][1] == 200.0
    assert grid[4][2] == pytest.approx(2.5)  # 100 × (4 + 1) / 200: from the parts
    assert [r[0] for r in grid[5:8]] == rows[1:]
    assert grid[7][1] == 30.0  # 海沧
    assert grid[-1][0].startswith("注：按已报数据计算，缺报不按零计")


def test_a_city_reviewer_reads_the_pivot_on_a_phone(live_server, browser, world, shots):  # noqa: F811
    phone = {"width": 390, "height": 844}
    tab = log_in(browser, live_server, world["users"]["city_reviewer"], viewport=phone)
    query = "indicator=revenue_total&indicator=rd_intensity&period=2025&rows=entity&level=zone"
    tab.goto(f"{live_server.url}/statistics/pivot/?{query}")
    assert tab.locator("table.pivot tr.pivot-total td").first.inner_text() == "180.00"
    assert "福州" not in tab.content()
    wide = tab.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide} px wide on a 390 px screen"
    wrap = tab.locator(".table-wrap").first
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    shots(tab, "pivot-phone")
