"""Frozen evaluation runs and the score, rank and grade each gave a unit (decision 009).

A run is written once, in one transaction with its results, and never edited: ``save`` on a
stored run or result, ``delete``, and ``QuerySet.update``/``delete`` all raise
:class:`gaoxin.audit.Frozen`. The one exception is the review state (``approval``,
``approved_by``, ``approved_at``), which the web app moves through ``EvaluationRun.set_approval``
(both from :mod:`gaoxin.audit`). A newer completed run of the same
framework, period and scope supersedes an older one: ``EvaluationRun.objects.current(...)``.
Scope rules are those of the registry (:mod:`gaoxin.accounts.scoping`): ``within(scope)`` keeps
runs whose scope lies inside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.audit import (
    AppendOnly,
    AppendOnlyQuerySet,
    Approval,
    Frozen,
    Reviewed,
    ReviewedQuerySet,
)
from gaoxin.evaluation.choices import RunStatus, UnitLevel
from gaoxin.registry.models import Entity

__all__ = ["EvaluationResult", "EvaluationRun", "Frozen", "ResultQuerySet", "RunQuerySet"]

HASH = {"max_length": 64}
APPROVAL_FIELDS = frozenset({"approval", "approved_by", "approved_at", "review_comment"})


class RunQuerySet(ScopedQuerySet, ReviewedQuerySet, AppendOnlyQuerySet):
    """Runs by the scope they were made over (a run over the whole store only for None)."""

    scope_path = "scope__path"

    def current(self, framework: str, period: str, scope: Entity | None = None, **selection):
        """The newest completed run of ``framework`` for ``period`` over exactly ``scope``;
        with ``level=`` and ``where=``, the newest that ranked that selection of units."""
        qs = self.filter(
            framework=framework, period=period, scope=scope, status=RunStatus.COMPLETED
        )
        if "level" in selection:
            qs = qs.filter(level=selection["level"])
        if "where" in selection:
            where = selection["where"]
            qs = (
                qs.filter(parameters__where=where)
                if where
                else qs.filter(models.Q(parameters__where=None) | models.Q(parameters__where=""))
            )
        return qs.order_by("-created_at", "-id").first()


class ResultQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    """Results by the unit's place in the hierarchy."""

    scope_path = "entity__path"


class EvaluationRun(Reviewed, models.Model):
    """One evaluation of a pack's framework for a period: what went in and how it was computed."""

    pack = models.CharField(_("政策包"), max_length=64)
    pack_hash = models.CharField(_("政策包哈希"), **HASH)
    framework = models.CharField(_("评价体系"), max_length=100, db_index=True)
    framework_version = models.CharField(_("评价体系版本"), max_length=64)
    framework_hash = models.CharField(_("评价体系哈希"), **HASH)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    period = models.CharField(_("期间"), max_length=10)
    scope = models.ForeignKey(
        Entity,
        verbose_name=_("范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("参评单位所在的辖区或园区；空表示全部"),
    )
    level = models.CharField(_("评价对象"), max_length=16, choices=UnitLevel.choices)
    parameters = models.JSONField(
        _("运行参数"), default=dict, help_text=_("单位筛选条件、上期运行、插补所用往期等")
    )
    engine_version = models.CharField(_("引擎版本"), max_length=64)
    data_hash = models.CharField(_("输入数据哈希"), **HASH)
    units = models.PositiveIntegerField(_("参评单位数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.COMPLETED
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上期运行"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("计算名次变化所对照的上期运行"),
    )
    record = models.JSONField(
        _("运行记录"), default=dict, help_text=_("引擎的完整运行记录：参数、权重、插补与异常值处理")
    )
    created_at = models.DateTimeField(_("运行时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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

    objects = RunQuerySet.as_manager()
    mutable_fields = APPROVAL_FIELDS
    frozen_remedy = "结果有误请重新运行评价，新的运行取代旧的"

    class Meta:
        verbose_name = _("评价运行")
        verbose_name_plural = _("评价运行")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["framework", "period", "created_at"], name="evalrun_fw_period"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title or self.framework} {self.period}"

    def is_current(self) -> bool:
        cur = EvaluationRun.objects.current(self.framework, self.period, self.scope)
        return cur is not None and cur.pk == self.pk


class EvaluationResult(AppendOnly, models.Model):
    """One unit's result in a run: index score, rank, change, grade, veto, every node's score."""

    run = models.ForeignKey(
        EvaluationRun, verbose_name=_("评价运行"), on_delete=models.PROTECT, related_name="results"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("参评单位"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField(_("总分"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    rank_change = models.IntegerField(
        _("名次变化"), null=True, blank=True, help_text=_("正数为名次上升")
    )
    grade = models.CharField(_("等级"), max_length=32, blank=True)
    veto = models.CharField(_("否决项"), max_length=200, blank=True)
    node_scores = models.JSONField(_("各级得分"), default=dict)
    inputs = models.JSONField(_("指标原始值"), default=dict)
    strengths = models.CharField(_("优势指标"), max_length=500, blank=True)
    weaknesses = models.CharField(_("薄弱指标"), max_length=500, blank=True)

    objects = ResultQuerySet.as_manager()
    frozen_remedy = "结果有误请重新运行评价，新的运行取代旧的"

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["run", "rank", "entity__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "entity"],
                name="evalresult_one_per_unit",
                violation_error_message=_("同一次评价中每个单位只有一条结果"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} #{self.rank} {self.score}"
