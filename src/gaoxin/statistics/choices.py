from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.engine import validation


class PeriodType(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季")
    HALF = "half", _("半年")
    YEAR = "year", _("年")


class Aggregation(models.TextChoices):
    SUM = "sum", _("求和")
    MEAN = "mean", _("平均")
    MIN = "min", _("最小")
    MAX = "max", _("最大")
    NONE = "none", _("不汇总")


class BatchKind(models.TextChoices):
    IMPORT = "import", _("文件导入")
    DEMO = "demo", _("演示数据")
    MANUAL = "manual", _("手工录入")
    API = "api", _("接口")


# Validation rule settings are the engine's; the database offers the same values as choices.
Importance = models.TextChoices(
    "Importance", [(m.name, (m.value, m.zh)) for m in validation.Importance]
)
_MISSING_LABELS = {
    validation.MissingStrategy.SKIP_IF_ANY_MISSING: _("任一侧缺失时跳过"),
    validation.MissingStrategy.SKIP_IF_ALL_MISSING: _("两侧都缺失时跳过（缺失按0计）"),
    validation.MissingStrategy.NEVER_SKIP: _("从不跳过（缺失按0计）"),
}
MissingStrategy = models.TextChoices(
    "MissingStrategy", [(m.name, (m.value, _MISSING_LABELS[m])) for m in validation.MissingStrategy]
)
