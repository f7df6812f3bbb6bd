"""Observations keyed by (entity, variable, period), their source batches and change history.

Nothing is overwritten without a trace: every insert, change or deletion of a value appends an
``ObservationChange`` row (old value, new value, batch, who, when, why). History is append-only
(``gaoxin.audit``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.audit import AppendOnly, AppendOnlyQuerySet
from gaoxin.registry.models import Entity
from gaoxin.statistics.choices import BatchKind
from gaoxin.statistics.models.variables import Variable

VALUE_DIGITS = {"max_digits": 24, "decimal_places": 6}


class Batch(models.Model):
    """One source of observations: an imported file, a demo load, a manual entry session."""

    kind = models.CharField(_("来源类型"), max_length=16, choices=BatchKind.choices)
    label = models.CharField(_("名称"), max_length=200)
    file_name = models.CharField(_("文件名"), max_length=300, blank=True)
    file_sha256 = models.CharField(_("文件SHA-256"), max_length=64, blank=True)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    rows_read = models.PositiveIntegerField(_("读取行数"), default=0)
    values_written = models.PositiveIntegerField(_("写入数值数"), default=0)
    values_changed = models.PositiveIntegerField(_("修改数值数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("数据批次")
        verbose_name_plural = _("数据批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label}"


class Unrecorded(ValueError):
    """A change of a stored value by a path that would leave no history."""


UNRECORDED = (
    "数值只能通过导入或网页填报修改（gaoxin.statistics.store.write_observations），"
    "以便每次修改都留下变更记录；不能直接更新或删除"
)


def _through_store() -> bool:
    from gaoxin.statistics.store import store_is_writing

    return store_is_writing()


class ObservationQuerySet(ScopedQuerySet):
    """Observations of entities in a scope's subtree: the same scope rule as entities.

    ``update`` (hence ``bulk_update``) and ``delete`` work only inside the store's writer,
    which records history; anywhere else they raise :class:`Unrecorded`."""

    scope_path = "entity__path"

    def update(self, **kwargs):
        if not _through_store():
            raise Unrecorded(UNRECORDED)
        return super().update(**kwargs)

    def delete(self):
        if not _through_store():
            raise Unrecorded(UNRECORDED)
        return super().delete()


class ChangeQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    """Value history, scoped like the observations it records; never edited or deleted."""

    scope_path = "entity__path"


class Observation(models.Model):
    entity = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="observations"
    )
    variable = models.ForeignKey(
        Variable, verbose_name=_("变量"), on_delete=models.PROTECT, related_name="observations"
    )
    period = models.CharField(
        _("期间"), max_length=10, help_text=_("2025、2025H1、2025Q3、2025-07")
    )
    value = models.DecimalField(_("数值"), **VALUE_DIGITS)
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="observations"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("观测值")
        base_manager_name = "objects"  # _base_manager goes through the same guard
        verbose_name_plural = _("观测值")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "variable", "period"],
                name="observation_unique_grain",
                violation_error_message=_("同一主体、变量、期间只能有一个值"),
            ),
        ]
        indexes = [models.Index(fields=["variable", "period"], name="observation_var_period")]

    def __str__(self) -> str:
        return f"{self.entity} {self.variable.code} {self.period} = {self.value}"

    def save(self, *args, **kwargs) -> None:
        if not _through_store():
            raise Unrecorded(UNRECORDED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Unrecorded(UNRECORDED)


class ObservationChange(AppendOnly, models.Model):
    """Append-only history of every value: created (old is null), changed, deleted (new is null)."""

    entity = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    variable = models.ForeignKey(
        Variable, verbose_name=_("变量"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=10)
    old_value = models.DecimalField(_("原值"), null=True, blank=True, **VALUE_DIGITS)
    new_value = models.DecimalField(_("新值"), null=True, blank=True, **VALUE_DIGITS)
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    objects = ChangeQuerySet.as_manager()
    frozen_remedy = "数值有误请重新导入或填报，改动会另记一条"

    class Meta:
        verbose_name = _("数值变更记录")
        verbose_name_plural = _("数值变更记录")
        ordering = ["entity", "variable", "period", "changed_at", "id"]
        indexes = [
            models.Index(fields=["entity", "variable", "period"], name="change_grain"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}/{self.variable_id}/{self.period}: {self.old_value} → {self.new_value}"
