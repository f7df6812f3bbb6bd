"""Completeness of a form for a period: every expected zone's state, rates per city and province,
scoped to the user; the downloads carry the same table."""

import datetime as dt
import io

import openpyxl
import pytest

from gaoxin.engine.periods import Period
from gaoxin.statistics import completeness as c
from gaoxin.statistics.models import ReportingForm
from tests import workplace

pytestmark = pytest.mark.django_db

NOV = Period.parse("2026-11")  # zone_monthly: deadline 15 days after the month, 2026-12-15


@pytest.fixture
def form(t):
    return ReportingForm.objects.get(code="zone_monthly")


def test_due_period_is_the_latest_ended_one(form):
    assert c.due_period(form, dt.date(2026, 12, 3)) == NOV
    annual = ReportingForm.objects.get(code="zone_annual")
    assert c.due_period(annual, dt.date(2026, 12, 3)) == Period.parse("2025")
    assert c.recent_periods(form, dt.date(2026, 12, 3))[:2] == [NOV, NOV - 1]


def test_every_expected_zone_with_its_state_and_rates(t, form):
    on_time, late = workplace.at(dt.date(2026, 12, 10)), workplace.at(dt.date(2026, 12, 16))
    workplace.move(form, t["torch"], "2026-11", [("submit", "submitted")], when=on_time)
    workplace.move(
        form,
        t["fzz"],
        "2026-11",
        [("submit", "submitted"), ("city_approve", "city_approved")],
        when=late,
    )
    workplace.move(form, t["haicang"], "2026-11", [("save", "draft")], when=on_time)

    result = c.completeness(form, NOV, on=dt.date(2026, 12, 20))

    by_name = {u.name: u for u in result.units}
    assert set(by_name) == {
        "厦门火炬高技术产业开发区",
        "厦门海沧高新技术产业园区",
        "福州高新技术产业开发区",
        "南昌高新技术产业开发区",
    }
    torch = by_name["厦门火炬高技术产业开发区"]
    assert (torch.state_label, torch.city, torch.province) == ("已提交", "厦门市", "福建省")
    assert torch.on_time and not torch.overdue
    fzz = by_name["福州高新技术产业开发区"]
    assert fzz.state == "city_approved" and fzz.reported and not fzz.on_time
    assert by_name["厦门海沧高新技术产业园区"].overdue  # a draft is not a return
    nc = by_name["南昌高新技术产业开发区"]
    assert nc.state_label == "未开始" and nc.overdue

    rates = {r.name: r for r in [*result.cities, *result.provinces]}
    assert (rates["厦门市"].expected, rates["厦门市"].reported, rates["厦门市"].rate) == (2, 1, 50)
    assert rates["福建省"].reported == 2 and rates["福建省"].on_time == 1
    assert rates["福建省"].on_time_rate == pytest.approx(100 / 3)
    assert rates["江西省"].rate == 0
    assert result.total.expected == 4 and result.total.reported == 2
    assert result.past_deadline and result.days_left == -5


def test_before_the_deadline_nothing_is_overdue(t, form):
    result = c.completeness(form, NOV, on=dt.date(2026, 12, 15))
    assert result.days_left == 0 and not any(u.overdue for u in result.units)


def test_a_city_reviewer_sees_their_city_only(t, form):
    users = workplace.users(t)
    result = c.completeness(form, NOV, user=users["city_reviewer"], on=dt.date(2026, 12, 20))
    assert {u.name for u in result.units} == {
        "厦门火炬高技术产业开发区",
        "厦门海沧高新技术产业园区",
    }
    assert [r.name for r in result.provinces] == ["福建省"]
    assert [r.name for r in result.cities] == ["厦门市"]
    zone = c.completeness(form, NOV, user=users["zone_reporter"], on=dt.date(2026, 12, 20))
    assert [u.name for u in zone.units] == ["厦门火炬高技术产业开发区"]


def test_a_form_assigned_nowhere_expects_nobody(t):
    form = ReportingForm.objects.get(code="incubator_annual")
    result = c.completeness(form, Period.parse("2025"), on=dt.date(2026, 12, 3))
    assert result.units == [] and result.total.expected == 0 and result.total.rate is None


def test_downloads_carry_the_page_table(t, form):
    workplace.move(
        form,
        t["torch"],
        "2026-11",
        [("submit", "submitted")],
        when=workplace.at(dt.date(2026, 12, 1)),
    )
    result = c.completeness(form, NOV, on=dt.date(2026, 12, 20))
    text = io.StringIO()
    c.write_csv(result, text)
    lines = text.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0].split(",") == list(c.UNIT_HEADERS)
    assert "福建省,厦门市,厦门火炬高技术产业开发区,已提交,2026-12-01 10:00,是," in lines
    assert "江西省,南昌市,南昌高新技术产业开发区,未开始,,否,逾期" in lines

    buffer = io.BytesIO()
    c.write_xlsx(result, buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    zones = book["各高新区"]
    assert zones["A1"].value == "高新区月度主要指标监测表（2026年11月）报送完成情况"
    rows = {r[2]: r for r in zones.iter_rows(min_row=4, values_only=True)}
    assert rows["南昌高新技术产业开发区"][-1] == "逾期"
    late_font = next(
        cell.font for cell in zones[4 + [*rows].index("南昌高新技术产业开发区")] if cell.value
    )
    assert late_font.color.rgb.endswith("C4161C")
    rates = {r[0]: r for r in book["报送率"].iter_rows(min_row=4, values_only=True)}
    assert rates["厦门市"][1] == 2 and rates["厦门市"][-3] == "50.0"


def test_the_demo_assigns_every_form_to_each_province_with_zones():
    from gaoxin.statistics.demo import assign_forms
    from gaoxin.statistics.store import sync_catalogue, sync_forms
    from tests import factories

    t = factories.small_tree()
    factories.region("360000", "江西省", "province")  # no zone: expects nothing
    sync_catalogue()
    n_forms = sync_forms()
    assert assign_forms() == n_forms and assign_forms() == 0
    annual = ReportingForm.objects.get(code="zone_annual")
    result = c.completeness(annual, Period.parse("2025"), on=dt.date(2026, 12, 3))
    assert [r.name for r in result.provinces] == ["福建省"] and result.total.expected == 2
    assert t["torch"].name in {u.name for u in result.units}
