from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Importance(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class MissingStrategy(models.TextChoices):
    SKIP_IF_ANY = "skip_if_any_missing", _("任一侧缺失时跳过")
    SKIP_IF_ALL = "skip_if_all_missing", _("两侧都缺失时跳过")
    NEVER_SKIP = "never_skip", _("从不跳过（缺失按0计）")
