"""Variables: the database mirror of the shipped catalogue (gaoxin/packs/catalogue/variables.yaml)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.statistics.choices import Aggregation, PeriodType


class Variable(models.Model):
    code = models.CharField(_("代码"), max_length=64, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=16)
    kinds = models.CharField(
        _("适用主体"), max_length=64, help_text=_("逗号分隔：enterprise,institution,zone,region")
    )
    period_type = models.CharField(_("报送周期"), max_length=8, choices=PeriodType.choices)
    cumulative = models.BooleanField(_("累计值（1-N月）"), default=False)
    aggregation = models.CharField(_("汇总方式"), max_length=8, choices=Aggregation.choices)
    min_value = models.DecimalField(
        _("最小值"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    aliases = models.CharField(_("别名"), max_length=300, blank=True, help_text=_("以“|”分隔"))

    class Meta:
        verbose_name = _("统计变量")
        verbose_name_plural = _("统计变量")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name_zh}（{self.unit}）"

    @property
    def kind_list(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]
