"""Data versions: one row per committed change of what the analytics tables read.

Values written through the store (an import, a page's entry, the demo) and every move of a
submission through review append a row in the same transaction as the change, so a refused
import (rolled back) adds none. The newest row's id is the store's data version; the analytics
tables say which version they were built from, and are stale while a newer one exists
(decision 036).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.audit import AppendOnly, AppendOnlyQuerySet


class DataVersionKind(models.TextChoices):
    VALUES = "values", _("数值写入")
    REVIEW = "review", _("报送审核")


class DataVersion(AppendOnly, models.Model):
    """One committed change: its id is the data version. ``periods`` are the period codes it
    touched (an empty list: it could touch any, and the next build rebuilds everything)."""

    frozen_remedy = "数据版本是变更记录，不能修改"

    kind = models.CharField(_("类型"), max_length=16, choices=DataVersionKind.choices)
    periods = models.JSONField(_("涉及期间"), default=list, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"数据版本 {self.pk}"
