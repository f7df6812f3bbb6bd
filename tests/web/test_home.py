"""The home page per role: forms due with their deadlines, returns sent back with the comment,
returns waiting for my move, results waiting for review; never another scope's rows."""

import datetime as dt
from unittest import mock

import pytest

from gaoxin.statistics.models import ReportingForm
from tests import workplace

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 20)  # zone_monthly 2026-11 closed on 2026-12-15; 2025 annual too


@pytest.fixture(autouse=True)
def today():
    with mock.patch("gaoxin.statistics.completeness.today", return_value=TODAY):
        yield


def page(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_logged_out_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_zone_reporter_sees_forms_due_overdue_in_red_and_returns_with_the_comment(client, t, users):
    monthly = ReportingForm.objects.get(code="zone_monthly")
    workplace.move(
        monthly,
        t["torch"],
        "2026-10",
        [("submit", "submitted"), ("city_return", "returned")],
        by=users["city_reviewer"],
        comment="营业收入同比增长异常，请核实",
    )
    workplace.move(
        monthly,
        t["fzz"],
        "2026-10",
        [("submit", "submitted"), ("city_return", "returned")],
        comment="福州的意见",
    )
    html = page(client, users["zone_reporter"])
    assert "待填报的报表" in html
    assert "高新区月度主要指标监测表" in html and "2026年11月" in html
    assert "高新区年度发展情况表" in html and "2025年" in html
    assert "已逾期 5 天" in html and 'class="row-overdue"' in html
    assert "营业收入同比增长异常，请核实" in html
    # another city's zone, its return and its comment are not shown
    assert "福州" not in html and "南昌" not in html
    assert "等待我审核" not in html


def test_before_the_deadline_days_left_and_no_red(client, t, users):
    with mock.patch("gaoxin.statistics.completeness.today", return_value=dt.date(2026, 12, 12)):
        html = page(client, users["zone_reporter"])
    assert "3 天" in html  # zone_monthly 2026-11: 2026-12-15
    assert html.count('class="row-overdue"') == 2  # the two annual forms of 2025 are late


def test_city_reviewer_sees_what_waits_for_their_approval_in_their_city(client, t, users):
    monthly = ReportingForm.objects.get(code="zone_monthly")
    workplace.move(monthly, t["torch"], "2026-11", [("submit", "submitted")])
    workplace.move(monthly, t["haicang"], "2026-11", [("save", "draft")])
    workplace.move(monthly, t["fzz"], "2026-11", [("submit", "submitted")])
    html = page(client, users["city_reviewer"])
    assert "等待我审核的报表（1）" in html
    assert "厦门火炬高技术产业开发区" in html
    assert "福州高新技术产业开发区" not in html
    assert "报送进度" in html and "50.0%" in html  # 1 of the 2 Xiamen zones
    assert "待填报的报表" not in html and "后台管理" not in html.split("<main")[1]


def test_province_reviewer_waits_for_city_approved_returns_and_results(client, t, users):
    monthly = ReportingForm.objects.get(code="zone_monthly")
    workplace.move(
        monthly, t["fzz"], "2026-11", [("submit", "submitted"), ("city_approve", "city_approved")]
    )
    workplace.move(monthly, t["torch"], "2026-11", [("submit", "submitted")])
    workplace.move(
        monthly, t["ncz"], "2026-11", [("submit", "submitted"), ("city_approve", "city_approved")]
    )
    html = page(client, users["province_reviewer"])
    assert "等待我审核的报表（1）" in html and "福州高新技术产业开发区" in html
    assert "南昌" not in html
    assert "等待审定的评价与奖补" in html


def test_viewer_and_reporter_see_no_review_queue(client, t, users):
    for name in ("viewer", "zone_reporter"):
        html = page(client, users[name])
        assert "等待审定的评价与奖补" not in html and "等待我审核" not in html


def test_system_admin_gets_the_admin_link(client, users):
    html = page(client, users["admin"])
    assert 'href="/admin/">进入后台管理' in html
    assert "系统管理员（全部数据）" in html


def test_the_window_title_names_the_page_then_the_platform(client, users):
    """The base template once tested ``self.title``, a Jinja name Django does not know, so the
    separator never showed and titles ran together (工作台高新区管理平台)."""
    client.force_login(users["province_admin"])
    for path, title in (
        ("/", "工作台 · 高新区管理平台"),
        ("/jobs/", "我的后台任务 · 高新区管理平台"),
    ):
        html = client.get(path).content.decode()
        assert f"<title>{title}</title>" in html, path
