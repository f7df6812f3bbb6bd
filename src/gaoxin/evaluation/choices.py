"""Choice sets of evaluation runs; identifiers follow shared GLOSSARY.md. The review state,
``Approval``, is shared with the award ledger and lives in :mod:`gaoxin.audit`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.audit import Approval

__all__ = ["Approval", "RunStatus", "UnitLevel"]


class UnitLevel(models.TextChoices):
    """The kind of entity a framework ranks: zones (综合评价) or enterprises (亩均、创新积分)."""

    ZONE = "zone", _("高新区")
    ENTERPRISE = "enterprise", _("企业")


class RunStatus(models.TextChoices):
    COMPLETED = "completed", _("已完成")
    FAILED = "failed", _("失败")
