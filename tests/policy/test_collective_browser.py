"""Browser journey (decision 043): on a phone-sized screen, 厦门市's city reviewer opens the
task ledger, finds its share of a measure of 各设区市人民政府 and reports it 滞后; the province
sees it in the 滞后 list by unit and sends a 督办 reminder; the city sees the reminder on its page.

Runs with --browser-tests (Debian's chromium and the [browser] extra)."""

from __future__ import annotations

import pytest

from gaoxin.policy.models import ProgressReport, Reminder
from tests.policy.test_collective import CITIES, w  # noqa: F401  (the fixture)
from tests.web.test_browser import page  # noqa: F401  (the fixture)
from tests.workplace import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, username):  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{url}/")


def test_a_city_reports_its_share_and_the_province_chases_it(live_server, page, w, tmp_path):  # noqa: F811
    url = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, url, "city_reviewer")
    page.goto(f"{url}/policy/ledger/")
    page.get_by_role("link", name=CITIES).first.click()
    page.wait_for_url("**/policy/ledger/unit/**")
    cards = page.locator(".card")
    assert cards.count() == 10  # one share per measure naming 各设区市人民政府
    assert page.get_by_text("福州市").count() == 0  # 厦门's shares only
    cards.first.get_by_role("link", name="报送进展").click()
    page.wait_for_url("**/policy/ledger/task/**")
    page.get_by_label("滞后").check()
    page.get_by_label("进展说明").fill("用地指标尚未落实，预计延后一个季度")
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    assert page.get_by_text("进展已报送").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    report = ProgressReport.objects.get()
    assert (report.status, report.assignment.entity.name) == ("late", "厦门市")

    _login(page, url, "province_reviewer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/policy/ledger/late/")
    assert page.get_by_role("link", name=f"{CITIES}：厦门市").is_visible()
    late = page.locator(".card.row-overdue", has_text="用地指标尚未落实")
    late.get_by_role("link", name="督办").click()
    page.wait_for_url("**/remind/")
    page.get_by_label("督办内容").fill("请于12月20日前报送用地落实情况")
    page.get_by_role("button", name="发送督办").click()
    page.wait_for_load_state()
    assert page.get_by_text("督办已发送").is_visible()
    reminder = Reminder.objects.get()
    assert reminder.assignment_id == report.assignment_id

    _login(page, url, "city_reviewer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/policy/ledger/unit/{report.assignment.unit_id}/")
    assert page.get_by_text("请于12月20日前报送用地落实情况").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "share.png"), full_page=True)
