"""Entities: one table for every reporting unit, placed in one hierarchy.

Province -> city -> (county) -> zone -> enterprise / institution. The materialised ``path``
makes a subtree one prefix filter; the same filter scopes a user's access, so every scoped
query goes through ``Entity.objects.within(scope)`` (the rule itself is in
``gaoxin.accounts.scoping``). Placement changes keep their history in
``Membership`` rows with validity dates, so a reorganisation does not rewrite the past.
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.scoping import ScopedQuerySet
from gaoxin.registry.choices import EntityKind

PATH_SEP = "/"


class EntityQuerySet(ScopedQuerySet):
    """Entities are scoped by their own path: views, the API, imports and exports go through
    ``within(scope)``, access control through ``restrict(user)`` (gaoxin.accounts.scoping)."""

    scope_path = "path"

    def of_kind(self, kind: str) -> EntityQuerySet:
        return self.filter(kind=kind)


class Entity(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=EntityKind.choices)
    code = models.CharField(
        _("代码"),
        max_length=64,
        help_text=_("行政区划代码、高新区代码、统一社会信用代码或机构代码"),
    )
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("主体")
        verbose_name_plural = _("主体")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                name="entity_unique_kind_code",
                violation_error_message=_("同一类型下代码不能重复"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"], name="entity_kind_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path needs the primary key, so a new row is saved twice.
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in {"force_insert", "using"}}
        self.path = self.compute_path()
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        base = self.parent.path if self.parent_id else PATH_SEP
        return f"{base}{self.pk}{PATH_SEP}"

    @transaction.atomic
    def move(self, new_parent: Entity | None, on: dt.date, reason: str = "") -> None:
        """Place this entity under ``new_parent`` from ``on``: close the current membership,
        open a new one and rewrite the paths of the whole subtree in one UPDATE."""
        if new_parent is not None and new_parent.path.startswith(self.path):
            raise ValueError("cannot move an entity under its own subtree")
        Membership.objects.filter(child=self, valid_to__isnull=True).update(valid_to=on)
        old_path = self.path
        self.parent = new_parent
        self.save()
        Entity.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr(F("path"), len(old_path) + 1))
        )
        if new_parent is not None:
            Membership.objects.create(child=self, parent=new_parent, valid_from=on, note=reason)


class Membership(models.Model):
    """Which parent an entity belonged to, and when (an enterprise moving between zones,
    a zone's boundary adjusted)."""

    child = models.ForeignKey(
        Entity, verbose_name=_("主体"), on_delete=models.CASCADE, related_name="memberships"
    )
    parent = models.ForeignKey(
        Entity, verbose_name=_("所属"), on_delete=models.PROTECT, related_name="member_history"
    )
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("隶属关系")
        verbose_name_plural = _("隶属关系")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="membership_dates_ordered",
                violation_error_message=_("终止日期不能早于起始日期"),
            ),
        ]
        indexes = [models.Index(fields=["parent", "valid_from"], name="membership_parent_from")]

    def __str__(self) -> str:
        return f"{self.child} ∈ {self.parent} ({self.valid_from or '…'}–{self.valid_to or '…'})"
