"""What the reminders mailed: one row per (user, form, zone, period, kind) and day, so that a
second run the same day sends nothing again and an overdue return is chased at a set interval
(:mod:`gaoxin.statistics.reminders`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.registry.models import Entity
from gaoxin.statistics.models.forms import ReportingForm


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("截止前提醒")
    OVERDUE = "overdue", _("逾期催报")


class ReminderQuerySet(ScopedQuerySet):
    scope_path = "entity__path"


class Reminder(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    form = models.ForeignKey(
        ReportingForm, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="+"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("填报单位"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=10)
    kind = models.CharField(_("类型"), max_length=8, choices=ReminderKind.choices)
    sent_on = models.DateField(_("发送日期"), help_text=_("北京时间的日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    email = models.EmailField(_("邮箱"))

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("催报提醒")
        verbose_name_plural = _("催报提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "form", "entity", "period", "kind", "sent_on"],
                name="reminder_once_a_day",
                violation_error_message=_("同一提醒每天只发送一次"),
            ),
        ]
