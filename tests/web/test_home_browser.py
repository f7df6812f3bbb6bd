"""Browser journeys of the workplace pages: each role logs in and finds its home page; a city
reviewer opens the completeness of their city; a province reviewer approves an award.

Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the pages are saved to docs/guide/img/
for the user guide (docs/guide/workplace.md)."""

import datetime as dt
import os
from pathlib import Path
from unittest import mock

import pytest

from gaoxin.audit import Approval
from gaoxin.statistics.models import ReportingForm
from tests import workplace
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMG = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
TODAY = dt.date(2026, 12, 13)


@pytest.fixture
def world():
    with mock.patch("gaoxin.statistics.completeness.today", return_value=TODAY):
        t = workplace.tree()
        t["users"] = workplace.users(t)
        monthly = ReportingForm.objects.get(code="zone_monthly")
        city = t["users"]["city_reviewer"]
        workplace.move(
            monthly,
            t["torch"],
            "2026-10",
            [("submit", "submitted"), ("city_return", "returned")],
            by=city,
            comment="工业增加值与营业收入之比偏高，请核实后重新提交",
        )
        workplace.move(monthly, t["haicang"], "2026-11", [("submit", "submitted")])
        workplace.move(
            monthly,
            t["fzz"],
            "2026-11",
            [("submit", "submitted"), ("city_approve", "city_approved")],
            when=workplace.at(dt.date(2026, 12, 8)),
        )
        t["award"] = workplace.award(t["torch"])
        yield t


def shoot(page, name: str) -> None:  # noqa: F811
    if os.environ.get("GAOXIN_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(IMG / f"{name}.png"), full_page=True)


def login(page, live_server, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", username)
    page.fill("#id_password", workplace.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


EXPECT = {
    "zone_reporter": ["待填报的报表", "退回给我修改的", "工业增加值与营业收入之比偏高"],
    "city_reviewer": ["等待我审核的报表（1）", "厦门海沧高新技术产业园区", "报送进度"],
    "province_reviewer": [
        "等待我审核的报表（1）",
        "福州高新技术产业开发区",
        "等待审定的评价与奖补",
    ],
    "province_admin": ["等待审定的评价与奖补", "报送进度"],
    "viewer": ["报送进度"],
    "admin": ["进入后台管理"],
}


@pytest.mark.parametrize("role", list(EXPECT))
def test_each_role_logs_in_and_sees_its_home_page(live_server, page, world, role):  # noqa: F811
    login(page, live_server, role)
    assert page.get_by_role("heading", name="工作台").is_visible()
    for text in EXPECT[role]:
        assert page.get_by_text(text).first.is_visible(), text
    if role == "zone_reporter":
        assert page.locator("tr.row-overdue").count() == 2  # the annual forms of 2025
    shoot(page, f"home-{role}")


def test_city_reviewer_opens_the_completeness_of_their_city(live_server, page, world):  # noqa: F811
    login(page, live_server, "city_reviewer")
    page.get_by_role("link", name="报送情况").first.click()
    page.get_by_role("link", name="高新区月度主要指标监测表").click()
    assert page.get_by_role(
        "heading", name="高新区月度主要指标监测表（2026年11月）报送完成情况"
    ).is_visible()
    assert page.get_by_text("还剩 2 天").is_visible()
    assert page.locator("table.data").nth(1).get_by_text("厦门海沧高新技术产业园区").is_visible()
    assert page.get_by_text("福州").count() == 0
    shoot(page, "completeness-city")
    page.select_option("#picker-period", "2026-10")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/completeness/zone_monthly/2026-10/")
    assert page.get_by_text("已过截止日").is_visible()


def test_province_reviewer_approves_an_award(live_server, page, world):  # noqa: F811
    login(page, live_server, "province_reviewer")
    page.get_by_role("link", name="奖补与处理记录").click()
    assert page.get_by_role("heading", name="审定奖补与处理记录").is_visible()
    assert page.get_by_text("国家级高新区争先晋位奖励").first.is_visible()
    shoot(page, "awards-review")
    page.get_by_role("button", name="审定所选（发布）").click()
    assert page.get_by_text("已审定 1 条").is_visible()
    world["award"].refresh_from_db()
    assert world["award"].approval == Approval.APPROVED
    page.get_by_role("link", name="奖补台账").first.click()
    page.wait_for_url("**/awards/")
    assert page.get_by_text("1,234.57").first.is_visible()
    shoot(page, "awards-ledger")
