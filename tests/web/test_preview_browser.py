"""The preview switch in Chromium (decision 041): the province analyst turns the preview on
from the monitoring page, reads the total with 厦门火炬's submitted values under the banner
「预览：含未审核数据」, keeps it when picking another period, and turns it off; a city reviewer
is offered no switch and is refused the preview's address. The world is that of
tests/statistics/test_preview_pages.py."""

from __future__ import annotations

import pytest

from tests.statistics.entry_fixtures import world  # noqa: F401 (fixture)
from tests.statistics.test_analytics import under_review  # noqa: F401 (fixture)
from tests.statistics.test_preview_pages import BANNER, submitted
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_journey_entry import browser, log_in, shots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def total_revenue(tab) -> list[str]:
    """The 合计 row's cells."""
    return tab.locator("table.monitor-table tr.total td").all_inner_texts()


def test_the_province_analyst_previews_data_under_review(
    live_server,
    browser,  # noqa: F811
    under_review,  # noqa: F811
    shots,  # noqa: F811
):
    submitted(under_review)
    tab = log_in(browser, live_server, under_review["province"])
    tab.goto(f"{live_server.url}/statistics/monitor/?period=2025-12")
    assert BANNER not in tab.content()
    published = total_revenue(tab)
    tab.locator("#preview-on").click()
    tab.wait_for_url("**preview=1**")
    banner = tab.locator("#preview-banner")
    assert BANNER in banner.inner_text()
    # 福州's 30 alone is published; the preview adds 厦门火炬's 10 + 20
    assert "60.00" in total_revenue(tab) and "60.00" not in published
    assert tab.locator("#monitor-download").count() == 0
    shots(tab, "monitor-preview")
    tab.get_by_role("button", name="查看").click()  # the picker keeps the preview
    tab.wait_for_load_state()
    assert "preview=1" in tab.url and tab.locator("#preview-banner").count() == 1
    tab.get_by_role("link", name="返回已发布数据").click()
    tab.wait_for_load_state()
    assert tab.locator("#preview-banner").count() == 0
    assert total_revenue(tab) == published


def test_a_city_reviewer_has_no_preview(live_server, browser, under_review):  # noqa: F811
    submitted(under_review)
    tab = log_in(browser, live_server, under_review["city"])
    tab.goto(f"{live_server.url}/statistics/monitor/?period=2025-12")
    assert tab.locator("#preview-on").count() == 0
    response = tab.goto(f"{live_server.url}/statistics/monitor/?period=2025-12&preview=1")
    assert response.status == 403
    assert "60.00" not in tab.content()


def test_the_province_analyst_previews_a_zone_profile(
    live_server,
    browser,  # noqa: F811
    under_review,  # noqa: F811
):
    """The zone profile takes the same switch (decision 048): 厦门火炬's only 2025 return is under
    review, so its published profile has no figures for the year and the preview has them."""
    submitted(under_review)
    tab = log_in(browser, live_server, under_review["province"])
    tab.goto(f"{live_server.url}/zones/{under_review['torch'].pk}/")
    assert BANNER not in tab.content() and "所在年度没有统计数据" in tab.content()
    tab.locator("#preview-on").click()
    tab.wait_for_url("**preview=1**")
    assert BANNER in tab.locator("#preview-banner").inner_text()
    assert "所在年度没有统计数据" not in tab.content()
    tab.get_by_role("link", name="返回已发布数据").click()
    tab.wait_for_load_state()
    assert tab.locator("#preview-banner").count() == 0
