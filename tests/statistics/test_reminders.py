"""Reminders: one Chinese mail per reporter listing their forms, before the deadline and after
it, never twice a day; the record of what was sent (Django's locmem mail backend)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from gaoxin.accounts.models import Profile
from gaoxin.statistics import reminders
from gaoxin.statistics.models import Reminder, ReportingForm
from tests import workplace

pytestmark = pytest.mark.django_db

# zone_monthly 2026-11 closes 2026-12-15; the annual forms of 2025 closed 2026-03-31
BEFORE = dt.date(2026, 12, 13)


@pytest.fixture
def t():
    t = workplace.tree()
    workplace.users(t)
    User = get_user_model()
    nc = User.objects.create_user("nc", "nc@example.org", workplace.PASSWORD)
    Profile.objects.create(user=nc, organisation="南昌", scope=t["ncz"], role="zone_reporter")
    quiet = User.objects.create_user("no_mail", "", workplace.PASSWORD)
    Profile.objects.create(user=quiet, organisation="火炬", scope=t["torch"], role="zone_reporter")
    return t


def mine_in(mails) -> bool:
    return any(m.email == "zone_reporter@example.org" for m in mails)


def test_one_mail_per_reporter_listing_their_forms(t, mailoutbox):
    outcome = reminders.send_reminders(on=BEFORE, days_before=3)
    by_address = {m.to[0]: m for m in mailoutbox}
    # reporters only (not the viewer of the same zone, not the one without an address)
    assert set(by_address) == {"zone_reporter@example.org", "nc@example.org"}
    mail = by_address["zone_reporter@example.org"]
    assert mail.subject == "【高新区管理平台】报表填报提醒：3 张报表未提交（2 张已逾期）"
    assert (
        "· 厦门火炬高技术产业开发区：高新区月度主要指标监测表（2026年11月），截止日期 2026年12月15日，还剩 2 天"
        in mail.body
    )
    assert "高新区年度发展情况表（2025年），截止日期 2026年03月31日，已逾期 257 天" in mail.body
    assert "南昌" not in mail.body
    assert len(outcome.sent) == 2 and not outcome.failed
    assert Reminder.objects.filter(user__username="zone_reporter").count() == 3


def test_a_second_run_the_same_day_sends_nothing(t, mailoutbox):
    reminders.send_reminders(on=BEFORE)
    again = reminders.send_reminders(on=BEFORE)
    assert len(mailoutbox) == 2 and again.sent == [] and again.skipped == 6


def test_submitted_zones_get_nothing_and_overdue_is_chased_at_its_interval(t, mailoutbox):
    for code in ("zone_annual", "enterprise_monthly"):
        form = ReportingForm.objects.get(code=code)
        period = "2025" if code == "zone_annual" else "2026-11"
        workplace.move(form, t["torch"], period, [("submit", "submitted")])
    reminders.send_reminders(on=BEFORE)
    mail = next(m for m in mailoutbox if m.to == ["zone_reporter@example.org"])
    assert "高新区年度发展情况表" not in mail.body and "企业月度" not in mail.body
    # the monthly form: reminded once before its deadline, then chased after it every 7 days
    assert not mine_in(reminders.plan(on=dt.date(2026, 12, 14))[0])
    late = reminders.send_reminders(on=dt.date(2026, 12, 16))
    mine = next(m for m in late.sent if m.email == "zone_reporter@example.org")
    assert [d.line() for d in mine.items] == [
        "· 厦门火炬高技术产业开发区：高新区月度主要指标监测表（2026年11月），截止日期 2026年12月15日，已逾期 1 天，请尽快填报并提交"
    ]
    assert not mine_in(reminders.plan(on=dt.date(2026, 12, 22))[0])
    assert mine_in(reminders.plan(on=dt.date(2026, 12, 23))[0])


def test_far_from_the_deadline_nothing_is_sent(t, mailoutbox):
    for code, period in (("zone_annual", "2025"), ("enterprise_monthly", "2026-11")):
        form = ReportingForm.objects.get(code=code)
        for zone in ("torch", "ncz"):
            workplace.move(form, t[zone], period, [("submit", "submitted")])
    assert reminders.send_reminders(on=dt.date(2026, 12, 5), days_before=3).sent == []
    assert mailoutbox == []


def test_the_command_sends_and_dry_run_does_not(t, mailoutbox):
    from gaoxin.cli import app

    dry = CliRunner().invoke(app, ["remind", "--date", "2026-12-13", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "将发送：zone_reporter <zone_reporter@example.org>，3 张报表" in dry.output
    assert mailoutbox == [] and not Reminder.objects.exists()
    run = CliRunner().invoke(app, ["remind", "--date", "2026-12-13", "--days-before", "3"])
    assert run.exit_code == 0, run.output
    assert "已发送 2 封提醒邮件" in run.output and len(mailoutbox) == 2
    bad = CliRunner().invoke(app, ["remind", "--date", "12/13"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
