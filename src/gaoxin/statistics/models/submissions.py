"""Submissions: where one reporting unit's return of one form for one period stands in review.

DHIS2's data approval: a (form, entity, period) moves 草稿 → 已提交 → 市级已审核 → 省级已审定
(locked), with 退回 and a comment at every step. ``entity`` is the unit that reports: a zone
fills an enterprise form for its roster of enterprises, so the zone is the submission's entity.
A (form, entity, period) with no row has not been started. The moves themselves are one table,
:mod:`gaoxin.statistics.approval`; every move appends a :class:`SubmissionEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.audit import AppendOnly, AppendOnlyQuerySet
from gaoxin.registry.models import Entity
from gaoxin.statistics.models.forms import ReportingForm


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    CITY_APPROVED = "city_approved", _("市级已审核")
    PROVINCE_APPROVED = "province_approved", _("省级已审定")


class SubmissionQuerySet(ScopedQuerySet):
    scope_path = "entity__path"


class Submission(models.Model):
    form = models.ForeignKey(
        ReportingForm, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="submissions"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.CharField(_("期间"), max_length=10)
    state = models.CharField(
        _("状态"), max_length=24, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "entity", "period"],
                name="submission_unique_form_entity_period",
                violation_error_message=_("同一报表、单位和期间只能有一份报送"),
            ),
        ]
        indexes = [models.Index(fields=["form", "period", "state"], name="submission_form_period")]

    def __str__(self) -> str:
        return f"{self.form} · {self.entity} · {self.period}"

    @property
    def locked(self) -> bool:
        """Approved by the province: values change only after an audited unlock."""
        return self.state == SubmissionState.PROVINCE_APPROVED


class SubmissionEventQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    scope_path = "submission__entity__path"


class SubmissionEvent(AppendOnly, models.Model):
    """One move of a submission: who, when, from which state to which, and why. Append-only."""

    frozen_remedy = "报送记录不能修改；如需更正，请再做一次退回或解锁并说明原因"

    submission = models.ForeignKey(
        Submission, verbose_name=_("报送"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(
        _("原状态"), max_length=24, choices=SubmissionState.choices, blank=True
    )
    to_state = models.CharField(_("新状态"), max_length=24, choices=SubmissionState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # a default, not auto_now_add: the demo records a reporting history with its own dates
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    comment = models.TextField(_("意见"), blank=True)

    objects = SubmissionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")
        ordering = ["at", "id"]
