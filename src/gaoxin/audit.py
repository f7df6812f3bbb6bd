"""What may change in a stored record: nothing, except its review state (decision 014).

Observation history, evaluation runs and results, and award entries are written once and kept
as written. :class:`AppendOnly` (on the model) and :class:`AppendOnlyQuerySet` (on its manager)
refuse an edit or a delete one row at a time and in bulk, with one error, :class:`Frozen`. The
only fields that move are a model's ``mutable_fields``: the review state of :class:`Reviewed`
records, moved by :meth:`Reviewed.set_approval` through one choice set, :class:`Approval`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models
from django.db.models.signals import class_prepared
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Approval(models.TextChoices):
    """Where a record stands in the division's review (评价运行、奖补记录)."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审定")
    RETURNED = "returned", _("已退回")


class Frozen(ValueError):
    """An attempt to change or delete a stored row of an append-only record."""


def frozen(model: type[models.Model] | models.Model) -> Frozen:
    """The one error for every refused change, naming the record and what to do instead."""
    meta = model._meta
    remedy = getattr(model, "frozen_remedy", "")
    message = f"{meta.verbose_name}只能追加（append-only），已记录的不能修改或删除"
    return Frozen(f"{message}：{remedy}" if remedy else message)


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses ``delete()`` and any ``update()`` (hence ``bulk_update``) outside the model's
    ``mutable_fields``."""

    def delete(self):
        raise frozen(self.model)

    def update(self, **kwargs: Any) -> int:
        if not kwargs.keys() <= getattr(self.model, "mutable_fields", frozenset()):
            raise frozen(self.model)
        return super().update(**kwargs)


class AppendOnly:
    """Model mixin: a stored row is never saved again, except with ``update_fields`` inside
    ``mutable_fields``, and never deleted. ``frozen_remedy`` tells the user what to do instead.

    A new row given its primary key in advance is inserted, never allowed to overwrite the
    stored row of that key."""

    mutable_fields: ClassVar[frozenset[str]] = frozenset()
    frozen_remedy: ClassVar[str] = ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields: Iterable[str] | None = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.mutable_fields:
                raise frozen(self)
        elif self.pk is not None and not args:
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise frozen(self)


class ReviewedQuerySet(models.QuerySet):
    """What a page may publish: only reviewed results are published (decision 026)."""

    def published(self):
        """Records the division has approved (已审定); pages, bulletins and exports that show
        results to their readers read these only."""
        return self.filter(approval=Approval.APPROVED)

    def pending(self):
        """Records waiting for review (待审核)."""
        return self.filter(approval=Approval.PENDING)


def _guard_base_manager(sender: type[models.Model], **kwargs: Any) -> None:
    """Django's ``_base_manager`` (related lookups, and any code that reaches for it) is a plain
    manager unless ``Meta.base_manager_name`` names another: point every append-only record's at
    its guarded ``objects``, so that ``_base_manager.update()``/``delete()`` are refused too.
    Set on ``_meta`` when the class is prepared rather than in each ``Meta``: the option is then
    not part of the migration state, and no app needs a migration for it (decision 046)."""
    if (
        issubclass(sender, AppendOnly)
        and not sender._meta.abstract
        and "objects" in {m.name for m in sender._meta.managers}
    ):
        sender._meta.base_manager_name = "objects"


class_prepared.connect(_guard_base_manager)


class Reviewed(AppendOnly):
    """An append-only record with a review state in the field ``approval`` (choices
    :class:`Approval`), and, where the model keeps them, who reviewed it (``approved_by``),
    when (``approved_at``) and why (``review_comment``). The model lists those fields as its
    ``mutable_fields``."""

    def set_approval(self, state: str, user=None, comment: str = "") -> None:
        """Move the review state to ``state`` (ValueError if it is not an :class:`Approval`),
        recording ``user``, the time and ``comment`` where the model keeps them."""
        changes: dict[str, Any] = {"approval": Approval(state)}
        if "approved_by" in self.mutable_fields:
            changes["approved_by"] = user
        elif user is not None:
            raise TypeError(f"{type(self).__name__} does not record who reviewed it")
        if "approved_at" in self.mutable_fields:
            changes["approved_at"] = timezone.now()
        if "review_comment" in self.mutable_fields:
            changes["review_comment"] = comment
        elif comment:
            raise TypeError(f"{type(self).__name__} does not record a review comment")
        for name, value in changes.items():
            setattr(self, name, value)
        # save, not update: only these fields are written, and save signals fire for an audit log
        self.save(update_fields=list(changes))
