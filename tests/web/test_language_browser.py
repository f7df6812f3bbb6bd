"""The language switch in Chromium at phone width (390 px): a zone reporter turns the home page
and the entry page English, the choice holds from page to page and after a new visit, and 中文
brings the same page back in Chinese. No script: the switch is a plain form (decision 035).

Runs with --browser-tests."""

import pytest
from django.urls import reverse

from tests import workplace
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits(tab) -> bool:
    """No sideways scrolling: the page is as wide as the phone."""
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_switching_language_on_a_phone(live_server, page):  # noqa: F811
    t = workplace.tree()
    users = workplace.users(t)
    context = page.context.browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/accounts/login/")
    assert tab.get_by_role("button", name="English").is_visible()  # on the login page too
    tab.fill("#id_username", users["zone_reporter"].get_username())
    tab.fill("#id_password", workplace.PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url(f"{live_server.url}/")
    assert tab.get_by_role("heading", name="工作台").is_visible()
    assert fits(tab)

    english = tab.get_by_role("button", name="English")
    box = english.bounding_box()
    assert box["height"] >= 36 and box["x"] + box["width"] <= PHONE["width"]
    english.click()
    tab.wait_for_url(f"{live_server.url}/")
    assert tab.get_by_role("heading", name="Workplace").is_visible()
    assert tab.get_by_role("link", name="Data entry").is_visible()
    assert tab.locator("html").get_attribute("lang") == "en"
    assert fits(tab)

    entry = reverse(
        "statistics:entry",
        kwargs={"form_code": "zone_monthly", "entity_id": t["torch"].pk, "period": "2026-11"},
    )
    tab.goto(f"{live_server.url}{entry}")  # the choice holds on the next page
    assert tab.get_by_role("button", name="Save draft").is_visible()
    assert tab.get_by_role("heading", name="Enter data with Excel").is_visible()

    tab.get_by_role("button", name="中文").click()  # back to Chinese, on the same page
    tab.wait_for_url(f"{live_server.url}{entry}")
    assert tab.get_by_role("button", name="保存草稿").is_visible()
    assert tab.locator("html").get_attribute("lang") == "zh-Hans"

    tab.get_by_role("button", name="English").click()
    tab.wait_for_url(f"{live_server.url}{entry}")
    assert tab.get_by_role("button", name="Save draft").is_visible()
    again = context.new_page()  # a later visit in the same browser remembers it
    again.goto(f"{live_server.url}/")
    assert again.get_by_role("heading", name="Workplace").is_visible()
