"""Reporting forms (in the manner of DHIS2's data sets) and validation rules across variables.

A form is a set of variables with a period type, assigned to the entities of one kind inside
the subtrees it is assigned to, with an entry deadline after which its periods lock.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.engine.periods import Period
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics.choices import Importance, MissingStrategy, PeriodType
from gaoxin.statistics.models.variables import Variable


class ReportingForm(models.Model):
    code = models.CharField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    period_type = models.CharField(_("报送周期"), max_length=8, choices=PeriodType.choices)
    entity_kind = models.CharField(_("填报主体类型"), max_length=16, choices=EntityKind.choices)
    deadline_days = models.PositiveSmallIntegerField(
        _("填报截止（期末后天数）"),
        default=15,
        help_text=_("期间结束后第几天截止；截止后该期数据锁定，修改需先解锁"),
    )
    variables = models.ManyToManyField(Variable, through="FormVariable", verbose_name=_("变量"))

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")

    def __str__(self) -> str:
        return self.name

    def deadline(self, period: Period) -> dt.date:
        return period.end_date() + dt.timedelta(days=self.deadline_days)

    def is_locked(self, period: Period, today: dt.date) -> bool:
        if self.unlocks.filter(period=str(period)).exists():
            return False
        return today > self.deadline(period)


class FormVariable(models.Model):
    form = models.ForeignKey(
        ReportingForm,
        verbose_name=_("报表"),
        on_delete=models.CASCADE,
        related_name="form_variables",
    )
    variable = models.ForeignKey(
        Variable, verbose_name=_("变量"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    required = models.BooleanField(_("必填"), default=True)

    class Meta:
        ordering = ["form", "order"]
        constraints = [
            models.UniqueConstraint(fields=["form", "variable"], name="form_variable_unique"),
        ]


class FormAssignment(models.Model):
    """The form applies to every entity of its kind inside ``scope``'s subtree."""

    form = models.ForeignKey(
        ReportingForm, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="assignments"
    )
    scope = models.ForeignKey(
        Entity, verbose_name=_("范围"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("报表分配")
        verbose_name_plural = _("报表分配")
        constraints = [
            models.UniqueConstraint(fields=["form", "scope"], name="form_assignment_unique"),
        ]


class FormUnlock(models.Model):
    """A locked period reopened for corrections, with who and why."""

    form = models.ForeignKey(
        ReportingForm, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="unlocks"
    )
    period = models.CharField(_("期间"), max_length=10)
    reason = models.CharField(_("原因"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报表解锁")
        verbose_name_plural = _("报表解锁")
        constraints = [
            models.UniqueConstraint(fields=["form", "period"], name="form_unlock_unique"),
        ]


class ValidationRule(models.Model):
    code = models.CharField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    left = models.CharField(_("左侧表达式"), max_length=500)
    operator = models.CharField(
        _("运算符"),
        max_length=2,
        choices=[(o, o) for o in ("==", "!=", "<", "<=", ">", ">=")],
    )
    right = models.CharField(_("右侧表达式"), max_length=500)
    importance = models.CharField(
        _("重要性"), max_length=8, choices=Importance.choices, default=Importance.MEDIUM
    )
    missing = models.CharField(
        _("缺失值处理"),
        max_length=24,
        choices=MissingStrategy.choices,
        default=MissingStrategy.SKIP_IF_ANY_MISSING,
    )
    entity_kind = models.CharField(_("适用主体类型"), max_length=16, choices=EntityKind.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")

    def __str__(self) -> str:
        return f"{self.name}: {self.left} {self.operator} {self.right}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from gaoxin.statistics.validation import rule_problem

        problem = rule_problem(self)
        if problem is not None:
            raise ValidationError(f"校验规则无法检查：{problem}")

    def save(self, *args, **kwargs) -> None:
        # Checked on every save, not only in the admin's form: one rule that cannot be
        # evaluated would otherwise stop every import of its entity kind.
        self.clean()
        super().save(*args, **kwargs)
