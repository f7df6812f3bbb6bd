"""Responsible units (责任单位) and which measures they lead or take part in."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import ExpressionWrapper, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from gaoxin.policy.choices import AssignmentRole, ProgressStatus
from gaoxin.policy.models.documents import Measure, effective_status
from gaoxin.registry.models import Entity

_SPACE = re.compile(r"\s+")


def normalise_unit(name: str) -> str:
    """One spelling per unit: no spaces, full-width brackets (省市场监管局（知识产权局）)."""
    return _SPACE.sub("", name).replace("(", "（").replace(")", "）")


class ResponsibleUnit(models.Model):
    name = models.CharField(_("名称"), max_length=200, unique=True)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("对应主体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("在主体名录中有对应记录时关联"),
    )

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssignmentQuerySet(models.QuerySet):
    def with_status(self, today: dt.date | None = None) -> AssignmentQuerySet:
        """Annotate each assignment's progress, like ``Measure.objects.with_status``.

        An assignment's reports are those filed against it and those filed against its measure
        as a whole (naming no unit); the latest of them wins. Its deadline is the measure's.
        """
        from gaoxin.policy.models.progress import ProgressReport

        latest = ProgressReport.objects.filter(
            Q(assignment=OuterRef("pk"))
            | Q(assignment__isnull=True, measure=OuterRef("measure_id"))
        ).order_by("-reported_on", "-id")
        return self.annotate(
            reported_status=Subquery(latest.values("status")[:1]),
            latest_note=Subquery(latest.values("note")[:1]),
        ).annotate(
            status=effective_status("reported_status", "measure__deadline", today),
            is_late=ExpressionWrapper(Q(status=ProgressStatus.LATE), models.BooleanField()),
        )


class Assignment(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        ResponsibleUnit,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=16, choices=AssignmentRole.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        ordering = ["measure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit"],
                name="assignment_unique_unit",
                violation_error_message=_("同一措施中一个单位只能出现一次"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="assignment_unit_role")]

    def __str__(self) -> str:
        return f"{self.measure.number} {self.unit}（{self.get_role_display()}）"
