"""Policy documents as imported, and the measures (with their money amounts) parsed from them.

A document is identified by the SHA-256 of what was imported (the file's bytes, or the text's
UTF-8 bytes): importing the same file twice finds the first import. (doc_number, title) is not
the key, because many documents carry no number (drafts for comment never do) and a draft and
the final version may share both title and number while their measures differ.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.policy.choices import AmountRole, DocumentStatus, ProgressStatus

MONEY_DIGITS = {"max_digits": 24, "decimal_places": 6}


class PolicyDocument(models.Model):
    title = models.CharField(_("标题"), max_length=300, blank=True)
    issuer = models.CharField(_("发文单位"), max_length=200, blank=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued = models.DateField(_("成文日期"), null=True, blank=True)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.FINAL
    )
    source_name = models.CharField(
        _("来源文件名"), max_length=300, blank=True, help_text=_("从文本导入时为空")
    )
    source_sha256 = models.CharField(
        _("来源SHA-256"), max_length=64, help_text=_("导入文件（或文本的UTF-8编码）的SHA-256")
    )
    text = models.TextField(_("全文"), help_text=_("解析时读出的全文；各措施的位置指向此文本"))
    jurisdiction = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("适用范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "文件适用的行政区：“各设区市人民政府”拆分为其下各市，单位名称按此行政区关联主体"
        ),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Not a column: set by ``ledger.import_document`` to say whether this import found the
    # document already stored (True) or wrote it (False).
    already_imported: bool = False

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_sha256"],
                name="policy_document_unique_source",
                violation_error_message=_("该文件已导入过"),
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("（未识别标题）"))


class MeasureQuerySet(models.QuerySet):
    def with_status(self, today: dt.date | None = None) -> MeasureQuerySet:
        """Annotate each measure's progress.

        - ``reported_status``, ``reported_on``, ``latest_note``: its latest progress report, filed
          against the measure or any of its assignments (latest ``reported_on``, then latest
          entry), or null; a collective unit's shares taken together (:meth:`with_reports`);
        - ``status``: what the ledger shows. 已完成 once reported done; 滞后 where reported late,
          or where the deadline has passed (before ``today``, default the local date) and it is
          not done, report or no report; otherwise the reported status, 未启动 without one;
        - ``is_late``: ``status`` is 滞后.

        The reported columns are read from the measure's row, where every report written keeps
        them (``progress.refresh_status``, decision 061): only the deadline is compared here.
        """
        return self.annotate(
            reported_status=F("kept_status"),
            reported_on=F("kept_reported_on"),
            latest_note=F("kept_note"),
        ).annotate(
            status=effective_status("reported_status", "deadline", today),
            is_late=ExpressionWrapper(Q(status=ProgressStatus.LATE), models.BooleanField()),
        )

    def with_reports(self) -> MeasureQuerySet:
        """Annotate ``reported_status``, ``reported_on`` and ``latest_note`` from the reports
        themselves: what the measure's kept columns hold (``progress.refresh_status`` stores
        them). Correlated subqueries, about 40 per row: for the rows a report touches, not for
        pages."""
        from gaoxin.policy.models.progress import ProgressReport
        from gaoxin.policy.models.units import aggregate_shares, share_counts

        latest = ProgressReport.objects.filter(measure=OuterRef("pk")).order_by(
            "-reported_on", "-id"
        )
        # a share of a collective unit (福州市's of 各设区市人民政府) does not speak for the
        # measure alone: the shares are taken together (aggregate_shares)
        own = latest.filter(Q(assignment__isnull=True) | Q(assignment__part_of__isnull=True))
        return self.annotate(
            own_status=Subquery(own.values("status")[:1]),
            reported_on=Subquery(latest.values("reported_on")[:1]),
            latest_note=Subquery(latest.values("note")[:1]),
            **share_counts(measure=OuterRef("pk")),
        ).annotate(reported_status=aggregate_shares("own_status"))

    def late(self, today: dt.date | None = None) -> MeasureQuerySet:
        return self.with_status(today).filter(status=ProgressStatus.LATE)


def effective_status(reported: str, deadline: str, today: dt.date | None) -> Case:
    """The status a ledger shows, from the latest reported status (the annotation named
    ``reported``) and the deadline (the field path ``deadline``)."""
    today = today or timezone.localdate()
    return Case(
        When(Q((reported, ProgressStatus.DONE)), then=Value(ProgressStatus.DONE)),
        When(Q((reported, ProgressStatus.LATE)), then=Value(ProgressStatus.LATE)),
        When(Q((f"{deadline}__lt", today)), then=Value(ProgressStatus.LATE)),
        default=Coalesce(F(reported), Value(ProgressStatus.NOT_STARTED)),
        output_field=models.CharField(max_length=16, choices=ProgressStatus.choices),
    )


class Measure(models.Model):
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("政策文件"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    order = models.PositiveIntegerField(_("顺序"))
    path = models.CharField(
        _("条目"), max_length=100, help_text=_("各级编号以“/”相连，如 四/（九）")
    )
    path_parts = models.JSONField(_("各级编号"), default=list)
    title = models.CharField(_("标题"), max_length=500, blank=True)
    text = models.TextField(_("原文"))
    span_start = models.PositiveIntegerField(_("起始位置"))
    span_end = models.PositiveIntegerField(_("结束位置"))
    units_span_start = models.PositiveIntegerField(_("单位列表起始位置"), null=True, blank=True)
    units_span_end = models.PositiveIntegerField(_("单位列表结束位置"), null=True, blank=True)
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    deadline = models.DateField(
        _("完成时限"), null=True, blank=True, help_text=_("能读出日期时填写；长期坚持等为空")
    )
    box = models.BooleanField(_("专栏"), default=False)
    # The latest report as ``with_reports`` reads it, kept by every report written
    # (progress.refresh_status, decision 061); ``with_status`` reads them
    kept_status = models.CharField(
        _("进展状态"),
        max_length=16,
        choices=ProgressStatus.choices,
        null=True,
        blank=True,
        editable=False,
    )
    kept_reported_on = models.DateField(_("报送日期"), null=True, blank=True, editable=False)
    kept_note = models.TextField(_("最新进展"), null=True, blank=True, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["document", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "order"],
                name="measure_unique_order",
                violation_error_message=_("同一文件中措施顺序不能重复"),
            ),
            models.CheckConstraint(
                condition=Q(span_end__gte=F("span_start")),
                name="measure_span_ordered",
                violation_error_message=_("结束位置不能早于起始位置"),
            ),
        ]
        indexes = [models.Index(fields=["deadline"], name="measure_deadline")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def number(self) -> str:
        """The path as a ledger prints it: 四（九）."""
        return "".join(self.path_parts)


class MeasureAmount(models.Model):
    """One money amount written in a measure, in 万元 (Decimal: what was read is what is stored)."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="amounts"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    value_wan = models.DecimalField(_("金额（万元）"), **MONEY_DIGITS)
    text = models.CharField(_("原文"), max_length=100)
    unit = models.CharField(_("原文单位"), max_length=8)
    role = models.CharField(_("性质"), max_length=16, choices=AmountRole.choices)
    granted = models.BooleanField(
        _("计入资金"),
        default=False,
        help_text=_("措施给予的资金（奖励、补助、上限）；门槛（200万元以上）和统计数不计入"),
    )
    span_start = models.PositiveIntegerField(_("起始位置"))
    span_end = models.PositiveIntegerField(_("结束位置"))

    class Meta:
        verbose_name = _("资金")
        verbose_name_plural = _("资金")
        ordering = ["measure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "order"],
                name="measure_amount_unique_order",
                violation_error_message=_("同一措施中资金顺序不能重复"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value_wan.normalize():f}万元"
