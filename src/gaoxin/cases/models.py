"""A case (案件) is one published action of a pack's rule for one unit and period, and what
followed it: the rectification plan, evidence, reviews and the outcome (decision 042).

The decision fields are copied from the ledger entry that opened the case and never change;
the state moves only through :func:`gaoxin.cases.services.move`, which appends a
:class:`CaseEvent`. Events and files are append-only (decision 014). Scope follows the unit's
path (decision 003): a zone user sees its own cases only.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.audit import AppendOnly, AppendOnlyQuerySet
from gaoxin.awards.models import AwardEntry
from gaoxin.registry.models import Entity


class CaseState(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("已报整改方案")
    CITY_REVIEWED = "city_reviewed", _("市级已审核")
    RETURNED = "returned", _("已退回")
    PASSED = "passed", _("整改到位")
    FAILED = "failed", _("整改未到位")
    AWAITING = "awaiting", _("待省级决定")
    REVOKED = "revoked", _("同意撤销")
    KEPT = "kept", _("不予撤销")
    NOTED = "noted", _("已登记")
    WITHDRAWN = "withdrawn", _("已撤回")


#: States in which a case is still being worked on (its deadline can pass).
ACTIVE = frozenset(
    {CaseState.OPEN, CaseState.SUBMITTED, CaseState.CITY_REVIEWED, CaseState.RETURNED}
)
#: What the rules read of a case's state (``gaoxin.engine.packs.bindings.CASE_COLUMNS``).
OUTCOMES = {CaseState.PASSED: "passed", CaseState.FAILED: "failed"}


class CaseQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    scope_path = "entity__path"

    def standing(self) -> CaseQuerySet:
        """Cases whose ledger entry stands (not withdrawn)."""
        return self.exclude(state=CaseState.WITHDRAWN)

    def overdue(self, today) -> CaseQuerySet:
        """Cases still being worked on after their deadline."""
        return self.filter(state__in=ACTIVE, deadline__lt=today)


class Case(AppendOnly, models.Model):
    """One action decided for one unit, and its follow-through. Only the state moves."""

    mutable_fields = frozenset({"state", "updated_at"})
    frozen_remedy = "案件的处理依据来自台账记录，不能修改；台账记录冲销后案件自动撤回"

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    entry = models.OneToOneField(
        AwardEntry,
        verbose_name=_("台账记录"),
        on_delete=models.PROTECT,
        related_name="case",
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="cases"
    )
    pack = models.CharField(_("政策包"), max_length=64)
    rule = models.CharField(_("规则"), max_length=64)
    action = models.CharField(_("处理措施"), max_length=16)
    period = models.CharField(_("数据期间"), max_length=10)
    article = models.CharField(_("条款"), max_length=128)
    quote = models.TextField(_("原文"))
    text = models.TextField(_("处理依据"))
    opened_on = models.DateField(_("开启日期"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    deadline_reading = models.TextField(_("期限依据"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("动态管理案件")
        verbose_name_plural = _("动态管理案件")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="case_state_deadline")]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state in ACTIVE and self.deadline is not None and self.deadline < today

    @property
    def outcome(self) -> str | None:
        return OUTCOMES.get(self.state)


class CaseEventQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    scope_path = "case__entity__path"


class CaseEvent(AppendOnly, models.Model):
    """One step of a case: opened, a plan or evidence, a review, the outcome. Append-only."""

    frozen_remedy = "案件记录不能修改；如需更正，请再做一次退回或说明"

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=CaseState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    comment = models.TextField(_("内容"), blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")
        ordering = ["at", "id"]


def case_file_path(instance: CaseFile, filename: str) -> str:
    """Content-addressed: cases/ab/ab12…ef.pdf, so the same file is stored once."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"cases/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class CaseFileQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    scope_path = "event__case__entity__path"


class CaseFile(AppendOnly, models.Model):
    """A file of a step: the rectification plan, evidence (文件、照片、会议纪要)."""

    event = models.ForeignKey(
        CaseEvent, verbose_name=_("案件记录"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to=case_file_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件材料")
        verbose_name_plural = _("案件材料")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()
