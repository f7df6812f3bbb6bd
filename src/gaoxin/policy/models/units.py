"""Responsible units (责任单位) and which measures they lead or take part in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gaoxin.audit import AppendOnly, AppendOnlyQuerySet
from gaoxin.policy.choices import AssignmentRole, ProgressStatus
from gaoxin.policy.models.documents import Measure, effective_status
from gaoxin.registry.models import Entity

_SPACE = re.compile(r"\s+")


def normalise_unit(name: str) -> str:
    """One spelling per unit: no spaces, full-width brackets (省市场监管局（知识产权局）)."""
    return _SPACE.sub("", name).replace("(", "（").replace(")", "）")


class ResponsibleUnit(models.Model):
    """A unit as the documents of one jurisdiction name it (省科技厅 of Fujian's documents is not
    省科技厅 of Gansu's), and the registry entity a person linked it to: the reviewed alias table
    (decision 043). ``expands`` names the collective rule (catalogue/collective_units.yaml) when
    the name stands for many entities (各设区市人民政府): each of them reports its own share."""

    jurisdiction = models.ForeignKey(
        Entity,
        verbose_name=_("适用范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("文件适用的行政区；同一名称在不同行政区的文件中是不同的单位"),
    )
    name = models.CharField(_("名称"), max_length=200)
    expands = models.CharField(
        _("集体单位规则"),
        max_length=40,
        blank=True,
        help_text=_("“各设区市人民政府”等集体单位按规则拆分为名录中的各主体分别报送"),
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("对应主体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("在主体名录中有对应记录时关联"),
    )

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"],
                name="unit_unique_jurisdiction_name",
                violation_error_message=_("同一行政区的文件中单位名称不能重复"),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(jurisdiction__isnull=True),
                name="unit_unique_name_without_jurisdiction",
                violation_error_message=_("单位名称不能重复"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitLink(AppendOnly, models.Model):
    """One decision of the alias table: a person linked a unit to an entity (or cleared the
    link). Append-only: the unit's current link is its latest decision, every one is kept."""

    frozen_remedy = "关联有误请重新关联，历次关联都会保留"

    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="links"
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("对应主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous = models.ForeignKey(
        Entity,
        verbose_name=_("原对应主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位关联记录")
        verbose_name_plural = _("单位关联记录")
        ordering = ["unit", "-linked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} → {self.entity or '—'}"


def share_counts(**outer: Any) -> dict[str, Any]:
    """How many shares of collective units (``Assignment.part_of`` set) match ``outer`` (field
    lookups on the shares, e.g. ``part_of=OuterRef("pk")``), and how many of them are reported
    done, late, or at all (each share's latest report, or its measure's as a whole)."""
    from gaoxin.policy.models.progress import ProgressReport

    latest = ProgressReport.objects.filter(
        Q(assignment=OuterRef("pk")) | Q(assignment__isnull=True, measure=OuterRef("measure_id"))
    ).order_by("-reported_on", "-id")
    shares = Assignment.objects.filter(part_of__isnull=False, **outer).annotate(
        share_status=Subquery(latest.values("status")[:1])
    )

    def count(q: Q) -> Coalesce:
        rows = shares.filter(q).order_by().values("part_of__measure").annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n")[:1]), Value(0))

    return {
        "shares_n": count(Q()),
        "shares_done": count(Q(share_status=ProgressStatus.DONE)),
        "shares_late": count(Q(share_status=ProgressStatus.LATE)),
        "shares_reported": count(Q(share_status__isnull=False)),
    }


def aggregate_shares(own: str) -> Case:
    """The reported status of shares taken together (annotations of :func:`share_counts`), with
    ``own`` (an annotation: the latest report not on a share) where there are no shares: every
    share done is done; any share late is late; any reported is under way."""
    return Case(
        When(shares_n=0, then=F(own)),
        When(shares_late__gt=0, then=Value(ProgressStatus.LATE)),
        When(shares_done=F("shares_n"), then=Coalesce(F(own), Value(ProgressStatus.DONE))),
        When(Q((own, ProgressStatus.DONE)), then=Value(ProgressStatus.IN_PROGRESS)),
        When(shares_reported__gt=0, then=Coalesce(F(own), Value(ProgressStatus.IN_PROGRESS))),
        default=F(own),
        output_field=models.CharField(max_length=16, null=True),
    )


class AssignmentQuerySet(models.QuerySet):
    def with_status(self, today: dt.date | None = None) -> AssignmentQuerySet:
        """Annotate each assignment's progress, like ``Measure.objects.with_status``:
        ``reported_status`` and ``latest_note`` (:meth:`with_reports`, as kept on the row by
        ``progress.refresh_status``, decision 061), ``status`` against the measure's deadline
        and ``is_late``."""
        return self.annotate(reported_status=F("kept_status"), latest_note=F("kept_note")).annotate(
            status=effective_status("reported_status", "measure__deadline", today),
            is_late=ExpressionWrapper(Q(status=ProgressStatus.LATE), models.BooleanField()),
        )

    def with_reports(self) -> AssignmentQuerySet:
        """Annotate ``reported_status`` and ``latest_note`` from the reports themselves.

        An assignment's reports are those filed against it and those filed against its measure
        as a whole (naming no unit); the latest of them wins. A collective unit's assignment
        (各设区市人民政府) takes its status from its shares (:func:`aggregate_shares`). What the
        kept columns hold; correlated subqueries, for the rows a report touches.
        """
        from gaoxin.policy.models.progress import ProgressReport

        latest = ProgressReport.objects.filter(
            Q(assignment=OuterRef("pk"))
            | Q(assignment__isnull=True, measure=OuterRef("measure_id"))
        ).order_by("-reported_on", "-id")
        return self.annotate(
            own_status=Subquery(latest.values("status")[:1]),
            latest_note=Subquery(latest.values("note")[:1]),
            **share_counts(part_of=OuterRef("pk")),
        ).annotate(reported_status=aggregate_shares("own_status"))


class Assignment(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        ResponsibleUnit,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=16, choices=AssignmentRole.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("所属集体任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares",
        help_text=_("集体单位（如各设区市人民政府）拆分出的一份"),
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("报送主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("集体单位拆分出的一份由此主体报送；其他任务由单位的对应主体报送"),
    )
    # ``with_reports`` kept on the row by every report written (progress.refresh_status)
    kept_status = models.CharField(
        _("进展状态"),
        max_length=16,
        choices=ProgressStatus.choices,
        null=True,
        blank=True,
        editable=False,
    )
    kept_note = models.TextField(_("最新进展"), null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        ordering = ["measure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit"],
                condition=Q(part_of__isnull=True),
                name="assignment_unique_unit",
                violation_error_message=_("同一措施中一个单位只能出现一次"),
            ),
            models.UniqueConstraint(
                fields=["part_of", "entity"],
                name="assignment_unique_share",
                violation_error_message=_("集体任务中一个主体只能有一份"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="assignment_unit_role")]

    def __str__(self) -> str:
        return f"{self.measure.number} {self.unit_label}（{self.get_role_display()}）"

    def save(self, *args, **kwargs) -> None:
        """Saved (added in the admin, or moved to another measure): the kept status of its
        measure, and of the one it left, read again (``progress.refresh_status``)."""
        from gaoxin.policy.models.progress import refresh_status

        measures = {self.measure_id}
        if self.pk is not None:
            measures |= set(Assignment.objects.filter(pk=self.pk).values_list("measure", flat=True))
        with transaction.atomic():
            super().save(*args, **kwargs)
            refresh_status(measures)

    @property
    def unit_label(self) -> str:
        """The unit as a page shows it: a share of a collective unit names its entity
        (各设区市人民政府：福州市)."""
        if self.part_of_id and self.entity_id:
            return f"{self.unit.name}：{self.entity.name}"
        return self.unit.name

    @property
    def is_collective(self) -> bool:
        """A collective unit's assignment as a whole (各设区市人民政府 on a measure): its shares
        report, it does not."""
        if self.part_of_id is not None or not self.unit.expands:
            return False
        from gaoxin.engine.documents.collectives import rule_by_id

        rule = rule_by_id(self.unit.expands)
        return rule is not None and not rule.stays

    @property
    def reporting_entity_id(self) -> int | None:
        """The entity whose users report this share: the share's own, else the unit's link."""
        return self.entity_id or self.unit.entity_id
