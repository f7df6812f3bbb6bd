"""The award ledger: one row per money award or action decided under a pack's rule, append-only.

A row is written once and never edited or deleted: ``save`` on a stored row, ``delete`` and
``QuerySet.update``/``delete`` raise :class:`gaoxin.audit.Frozen`. The one thing that moves is
the review state (``approval``), which the web app changes through
:meth:`AwardEntry.set_approval` (both from :mod:`gaoxin.audit`). A
correction is a reversal row (``kind=reversal``, the negated amount, ``reverses`` the row it
cancels) plus a new row; see :mod:`gaoxin.awards.ledger`. Scope follows the registry: an entry
is in a user's scope when its entity is (:mod:`gaoxin.accounts.scoping`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.audit import AppendOnlyQuerySet, Approval, Frozen, Reviewed, ReviewedQuerySet
from gaoxin.engine.money import FEN_PER_WAN
from gaoxin.registry.models import Entity

__all__ = ["Approval", "AwardEntry", "AwardQuerySet", "EntryKind", "Frozen", "Outcome"]


class EntryKind(models.TextChoices):
    AWARD = "award", _("核定")
    REVERSAL = "reversal", _("冲销")


class Outcome(models.TextChoices):
    MONEY = "money", _("奖补资金")
    ACTION = "action", _("处理措施")


class AwardQuerySet(ScopedQuerySet, ReviewedQuerySet, AppendOnlyQuerySet):
    """Entries of entities in a scope's subtree; never edited or deleted in bulk."""

    scope_path = "entity__path"

    def standing(self) -> AwardQuerySet:
        """Awards not reversed: the ledger as it stands."""
        return self.filter(kind=EntryKind.AWARD, reversed_by__isnull=True)


class AwardEntry(Reviewed, models.Model):
    """One decision of a pack's rule for one entity and period, with its trace and receipt."""

    pack = models.CharField(_("政策包"), max_length=64, db_index=True)
    pack_hash = models.CharField(_("政策包哈希"), max_length=64)
    rule = models.CharField(_("规则"), max_length=64)
    article = models.CharField(_("条款"), max_length=128)
    quote = models.TextField(_("原文"))
    entity = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="awards"
    )
    period = models.CharField(_("数据期间"), max_length=10)
    decided_on = models.DateField(_("核定日期"))
    recorded_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("核定并记账的用户；空为命令行操作"),
    )
    outcome = models.CharField(_("结果类型"), max_length=8, choices=Outcome.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    action = models.CharField(_("处理措施"), max_length=16, blank=True)
    paid_in = models.IntegerField(_("兑现年度"), null=True, blank=True)
    capped_by = models.JSONField(_("触及的上限"), default=list)
    trace = models.JSONField(_("计算过程"), default=dict)
    text = models.TextField(_("说明"))
    engine_version = models.CharField(_("引擎版本"), max_length=32)
    input_hash = models.CharField(_("输入数据哈希"), max_length=64)
    evaluation_runs = models.JSONField(_("所依据的评价运行"), default=list)
    kind = models.CharField(
        _("记录类型"), max_length=8, choices=EntryKind.choices, default=EntryKind.AWARD
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    approval = models.CharField(
        _("审核状态"), max_length=16, choices=Approval.choices, default=Approval.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = AwardQuerySet.as_manager()
    mutable_fields = frozenset({"approval", "approved_by", "approved_at", "review_comment"})
    frozen_remedy = "更正请重新核定（gaoxin awards），系统会记一笔冲销和一条新记录"

    class Meta:
        verbose_name = _("奖补与处理记录")
        verbose_name_plural = _("奖补与处理台账")
        ordering = ["id"]
        indexes = [models.Index(fields=["pack", "period", "rule"], name="award_pack_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="award", reverses__isnull=True)
                | models.Q(kind="reversal", reverses__isnull=False),
                name="award_reversal_names_its_row",
                violation_error_message=_("冲销记录必须指明被冲销的记录，核定记录不能指明"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.pack} {self.rule} {self.entity_id} {self.period}"

    @property
    def amount(self) -> Decimal | None:
        """The amount in 万元, exact."""
        return None if self.amount_fen is None else Decimal(self.amount_fen) / FEN_PER_WAN
