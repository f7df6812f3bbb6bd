"""Progress reported against measures, and the evidence filed with each report.

The history is append-only (gaoxin.audit, decision 014): a report is never edited or deleted, a new one is filed; a measure (or a
document) with reports cannot be deleted, so deleting never takes history with it. The current status
of a measure or an assignment is its latest report (see ``Measure.objects.with_status``), kept on
the measure's and the assignments' rows by :func:`refresh_status` whenever a report is saved or
an assignment added, changed or deleted (decision 061).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.audit import AppendOnly, AppendOnlyQuerySet
from gaoxin.policy.choices import ProgressStatus
from gaoxin.policy.models.documents import Measure
from gaoxin.policy.models.units import Assignment


class ProgressReport(AppendOnly, models.Model):
    frozen_remedy = "进展有变请另行报送一条新的进展报告"

    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.PROTECT, related_name="reports"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("任务分工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text=_("由某一责任单位报送时填写；为空表示就整条措施报送"),
    )
    status = models.CharField(_("进展状态"), max_length=16, choices=ProgressStatus.choices)
    note = models.TextField(_("进展说明"), blank=True)
    reported_on = models.DateField(_("报送日期"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["measure", "reported_on", "id"]
        indexes = [
            models.Index(fields=["measure", "reported_on"], name="report_measure_date"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.number} {self.reported_on} {self.get_status_display()}"

    def clean(self) -> None:
        if self.assignment_id and self.assignment.measure_id != self.measure_id:
            raise ValidationError({"assignment": _("任务分工不属于该措施")})

    def save(self, *args, **kwargs) -> None:
        if self.assignment_id and self.assignment.measure_id != self.measure_id:
            raise ValueError("the assignment belongs to another measure")
        with transaction.atomic():
            # reports on one measure are written one after the other: each keeps the status
            # with every report before it (refresh_status reads them under the same lock)
            _lock([self.measure_id])
            super().save(*args, **kwargs)
            refresh_status([self.measure_id])


def _lock(measure_ids: Iterable[int]) -> None:
    """Lock the measures' rows until the transaction ends (no-op on SQLite, whose writers take
    the whole database). FOR NO KEY UPDATE: inserting a report takes FOR KEY SHARE on its
    measure, which this does not wait for."""
    list(
        Measure.objects.select_for_update(no_key=True)
        .filter(pk__in=list(measure_ids))
        .values_list("pk", flat=True)
    )


#: The kept columns and the ``with_reports`` annotations they hold.
_MEASURE_KEPT = {
    "kept_status": "reported_status",
    "kept_reported_on": "reported_on",
    "kept_note": "latest_note",
}
_ASSIGNMENT_KEPT = {"kept_status": "reported_status", "kept_note": "latest_note"}


def refresh_status(measure_ids: Iterable[int], batch: int = 500) -> int:
    """Store on the rows of the measures ``measure_ids`` and of all their assignments what
    ``with_reports`` reads from the reports now (the latest report; a collective unit's shares
    taken together), so that ``with_status`` reads columns instead of some 150 correlated
    subqueries per row (decision 061). Called by every write that changes it: a report saved,
    an assignment saved or deleted, shares added (``ledger.expand_collectives``). Returns how
    many rows changed."""
    ids = sorted(set(measure_ids))
    changed = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            _lock(chunk)
            for model, kept, rows in (
                (Measure, _MEASURE_KEPT, Measure.objects.filter(pk__in=chunk)),
                (Assignment, _ASSIGNMENT_KEPT, Assignment.objects.filter(measure__in=chunk)),
            ):
                n = len(kept)
                read = rows.with_reports().order_by().values_list("pk", *kept.values(), *kept)
                stale = [
                    model(pk=row[0], **dict(zip(kept, row[1 : n + 1], strict=True)))
                    for row in read
                    if row[1 : n + 1] != row[n + 1 :]
                ]
                model.objects.bulk_update(stale, list(kept), batch_size=batch)
                changed += len(stale)
    return changed


def _assignment_deleted(sender, instance: Assignment, **kwargs) -> None:
    """An assignment deleted (a share with its collective assignment, in the admin) may change
    its measure's status; a measure without reports has none to change (and one being deleted
    has no reports: they protect it)."""
    if ProgressReport.objects.filter(measure_id=instance.measure_id).exists():
        refresh_status([instance.measure_id])


post_delete.connect(_assignment_deleted, sender=Assignment, dispatch_uid="policy-kept-status")


def evidence_path(instance: Evidence, filename: str) -> str:
    """Content-addressed: evidence/ab/ab12…ef.pdf, so the same file is stored once."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class Evidence(AppendOnly, models.Model):
    """A file supporting a report (会议纪要, 文件, 照片), stored under MEDIA_ROOT/evidence/.
    Append-only like the report it supports (issue 15, item 6): a wrong file is corrected by a
    new report with the right one."""

    frozen_remedy = "材料有误请随一条新的进展报告另附"

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("进展报告"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["report", "id"]
        indexes = [models.Index(fields=["sha256"], name="evidence_sha256")]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs) -> None:
        # A file uploaded in the admin arrives bare: hash it before ``evidence_path`` names it.
        if not self.sha256 and self.file:
            digest = hashlib.sha256()
            for chunk in self.file.chunks():
                digest.update(chunk)
            self.sha256 = digest.hexdigest()
            self.size = self.file.size
            self.original_name = self.original_name or PurePath(self.file.name).name[:300]
        super().save(*args, **kwargs)


class Reminder(AppendOnly, models.Model):
    """A 督办 reminder a supervisor (province, city) sent to a unit about its share of a measure:
    who, when, to which unit, about which measure, what it said. Append-only; the unit sees it
    on its page and the 进展情况通报 lists it."""

    frozen_remedy = "督办已发出，不能修改；如需补充请再发一条"

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.PROTECT, related_name="reminders"
    )
    text = models.TextField(_("督办内容"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("督办时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment} {self.sent_at:%Y-%m-%d}"
