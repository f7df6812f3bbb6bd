"""Choice sets of the task ledger; identifiers follow shared GLOSSARY.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("征求意见稿")
    FINAL = "final", _("正式")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    PARTICIPATING = "participating", _("参与")


class AmountRole(models.TextChoices):
    AWARD = "award", _("奖励/补助")
    CAP = "cap", _("最高不超过")
    FLOOR = "floor", _("不少于")
    THRESHOLD = "threshold", _("门槛")
    AMOUNT = "amount", _("金额")


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    LATE = "late", _("滞后")
