"""Choice sets of evaluation runs; identifiers follow shared GLOSSARY.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """The kind of entity a framework ranks: zones (综合评价) or enterprises (亩均、创新积分)."""

    ZONE = "zone", _("高新区")
    ENTERPRISE = "enterprise", _("企业")


class RunStatus(models.TextChoices):
    COMPLETED = "completed", _("已完成")
    FAILED = "failed", _("失败")


class Approval(models.TextChoices):
    """Where a run stands in the division's review; the only thing about a run that changes."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审定")
    RETURNED = "returned", _("已退回")
