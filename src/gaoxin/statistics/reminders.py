"""Reminders: mail the reporters of zones that have not submitted, before a deadline and after it.

For every assigned form the period that matters today (:func:`gaoxin.statistics.completeness.
due_period`) is looked at: within ``days_before`` days of its deadline, every zone that has not
submitted gets a 截止前提醒, once; after the deadline a 逾期催报, again every ``overdue_every``
days until it is submitted. The recipients are the zone reporters (园区填报员) of the zone with an
e-mail address; each gets one mail, in Chinese, listing all their forms. What was sent is
recorded (:class:`~gaoxin.statistics.models.Reminder`), so running twice a day sends nothing
twice: run ``gaoxin remind`` once a day (cron, a systemd timer).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.statistics import completeness as comp
from gaoxin.statistics.models import Reminder, ReminderKind, ReportingForm

SUBJECT = "【高新区管理平台】报表填报提醒"


@dataclass(frozen=True)
class Due:
    """One form one zone owes, as a reminder names it."""

    form: ReportingForm
    entity_id: int
    zone: str
    period: comp.Period
    deadline: dt.date
    kind: str
    days: int  # days left before the deadline, or days past it

    def line(self) -> str:
        when = f"截止日期 {self.deadline:%Y年%m月%d日}"
        if self.kind == ReminderKind.OVERDUE:
            state = f"已逾期 {self.days} 天，请尽快填报并提交"
        elif self.days == 0:
            state = "今天截止"
        else:
            state = f"还剩 {self.days} 天"
        return f"· {self.zone}：{self.form.name}（{self.period.label()}），{when}，{state}"


@dataclass(frozen=True)
class Mail:
    """One mail to one user."""

    user_id: int
    username: str
    email: str
    items: list[Due]

    @property
    def body(self) -> str:
        late = [d for d in self.items if d.kind == ReminderKind.OVERDUE]
        soon = [d for d in self.items if d.kind == ReminderKind.BEFORE]
        parts = [f"{self.username}，您好：", ""]
        if late:
            parts += ["以下报表已过填报截止日期，尚未提交：", *(d.line() for d in late), ""]
        if soon:
            parts += ["以下报表即将截止，尚未提交：", *(d.line() for d in soon), ""]
        parts += [
            "请登录高新区管理平台，在“工作台”中打开报表填报并提交。已提交的请忽略本邮件。",
            "",
            "（本邮件由系统自动发送，请勿直接回复。）",
        ]
        return "\n".join(parts)

    @property
    def subject(self) -> str:
        late = sum(d.kind == ReminderKind.OVERDUE for d in self.items)
        return f"{SUBJECT}：{len(self.items)} 张报表未提交" + (
            f"（{late} 张已逾期）" if late else ""
        )


@dataclass(frozen=True)
class Outcome:
    sent: list[Mail]
    failed: list[tuple[Mail, str]]
    skipped: int  # reminders already sent within their interval


def _owed(on: dt.date, days_before: int) -> list[Due]:
    owed = []
    forms = ReportingForm.objects.filter(assignments__isnull=False).distinct().order_by("id")
    for form in forms:
        period = comp.due_period(form, on)
        c = comp.completeness(form, period, on=on)
        if c.days_left > days_before:
            continue
        kind = ReminderKind.BEFORE if c.days_left >= 0 else ReminderKind.OVERDUE
        owed += [
            Due(form, u.entity_id, u.name, period, c.deadline, kind, abs(c.days_left))
            for u in c.units
            if not u.reported
        ]
    return owed


def _reporters(entity_ids: set[int]) -> dict[int, list[Profile]]:
    """The zone reporters with an e-mail address of each zone (their scope is the zone)."""
    found: dict[int, list[Profile]] = defaultdict(list)
    profiles = Profile.objects.filter(
        role=Role.ZONE_REPORTER, scope_id__in=entity_ids, user__is_active=True
    ).exclude(user__email="")
    for profile in profiles.select_related("user"):
        found[profile.scope_id].append(profile)
    return found


def _already_sent(due: Due, user_id: int, on: dt.date, overdue_every: int) -> bool:
    sent = Reminder.objects.filter(
        user_id=user_id, form=due.form, entity_id=due.entity_id, period=str(due.period)
    )
    if due.kind == ReminderKind.BEFORE:
        return sent.filter(kind=ReminderKind.BEFORE).exists()
    since = on - dt.timedelta(days=overdue_every - 1)
    return sent.filter(kind=ReminderKind.OVERDUE, sent_on__gte=since).exists()


def plan(
    *, on: dt.date | None = None, days_before: int = 3, overdue_every: int = 7
) -> tuple[list[Mail], int]:
    """The mails a run on day ``on`` would send, and how many reminders it skips as sent."""
    if days_before < 0 or overdue_every < 1:
        raise ValueError("提前天数不能为负，逾期催报间隔至少 1 天")
    on = on or comp.today()
    owed = _owed(on, days_before)
    reporters = _reporters({d.entity_id for d in owed})
    per_user: dict[int, list[Due]] = defaultdict(list)
    users: dict[int, Profile] = {}
    skipped = 0
    for due in owed:
        for profile in reporters.get(due.entity_id, []):
            if _already_sent(due, profile.user_id, on, overdue_every):
                skipped += 1
                continue
            per_user[profile.user_id].append(due)
            users[profile.user_id] = profile
    mails = [
        Mail(
            uid,
            users[uid].user.get_full_name() or users[uid].user.username,
            users[uid].user.email,
            items,
        )
        for uid, items in per_user.items()
    ]
    return mails, skipped


def send_reminders(
    *, on: dt.date | None = None, days_before: int = 3, overdue_every: int = 7
) -> Outcome:
    """Send the day's reminders (one mail per user) and record each; a mail that fails is
    reported and not recorded, so the next run tries it again."""
    on = on or comp.today()
    mails, skipped = plan(on=on, days_before=days_before, overdue_every=overdue_every)
    sent, failed = [], []
    for mail in mails:
        try:
            with transaction.atomic():
                Reminder.objects.bulk_create(
                    Reminder(
                        user_id=mail.user_id,
                        form=d.form,
                        entity_id=d.entity_id,
                        period=str(d.period),
                        kind=d.kind,
                        sent_on=on,
                        email=mail.email,
                    )
                    for d in mail.items
                )
                send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.email])
        except Exception as exc:  # noqa: BLE001 - one bad address must not stop the others
            failed.append((mail, str(exc)))
        else:
            sent.append(mail)
    return Outcome(sent, failed, skipped)
