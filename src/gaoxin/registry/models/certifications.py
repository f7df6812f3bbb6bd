"""Certifications: a dated qualification granted to an entity.

An enterprise's 高新技术企业 certificate and an incubator's recognition as national are the
same concept: a kind, an optional level, the date granted and the dates it ended. Rules such
as "newly certified in the period" or "newly recognised national incubator" read this table.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gaoxin.registry.choices import CERTIFICATION_KINDS, Level
from gaoxin.registry.models.entities import Entity


class CertificationQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> CertificationQuerySet:
        return (
            self.filter(granted_on__lte=day)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
            .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
        )


class Certification(models.Model):
    entity = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("认定类型"), max_length=32, choices=CERTIFICATION_KINDS)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, blank=True)
    granted_on = models.DateField(_("认定日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销或终止日期"), null=True, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("资质认定")
        verbose_name_plural = _("资质认定")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "kind", "level", "granted_on"],
                name="certification_unique_grant",
                violation_error_message=_("同一主体同一资质在同一日期只能认定一次"),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("granted_on")),
                name="certification_expiry_after_grant",
                violation_error_message=_("有效期不能早于认定日期"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "granted_on"], name="certification_kind_date")]

    def __str__(self) -> str:
        return f"{self.entity} {self.get_kind_display()} {self.granted_on}"
