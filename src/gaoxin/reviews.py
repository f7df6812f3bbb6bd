"""Reviewing evaluation runs and award decisions: one service for both (decision 026).

A run or a ledger entry is written 待审核. A province reviewer or administrator (the action
``review_province`` of :mod:`gaoxin.accounts.roles`) approves it (已审定) or returns it (已退回,
with a comment), once: a returned result is corrected by running again (a new run supersedes
the old, a new decision reverses the old entry), and the new record is reviewed in its turn, so
no review is ever overwritten. Only approved records are published
(:meth:`gaoxin.audit.ReviewedQuerySet.published`).

:func:`review` takes the records by id inside the reviewer's scope: an id outside it answers
:class:`~gaoxin.services.NotFound` (404) and nothing changes, for any of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gaoxin.audit import Approval
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.services import NotFound

DECISIONS = {"approve": Approval.APPROVED, "return": Approval.RETURNED}


class ReviewRefused(ProblemsError):
    """The review cannot be made as asked (already reviewed, a return without a comment);
    nothing was changed."""


def label(record: Any) -> str:
    """How a reviewer names the record: the unit, rule and period of an award; the title and
    period of a run (no ids)."""
    from gaoxin.policy.titles import rule_title

    if hasattr(record, "rule"):
        return f"{record.entity.name} · {rule_title(record.pack, record.rule)} · {record.period}"
    return f"{record.title or record.framework}（{record.period}）"


def may_review(user: Any) -> bool:
    """Whether ``user``'s role reviews results (省级审核员, 省级管理员, 系统管理员)."""
    from gaoxin.accounts.roles import Action, can

    return can(user, Action.REVIEW_PROVINCE)


@transaction.atomic
def review(model: Any, ids: Iterable[int], decision: str, *, by: Any, comment: str = "") -> list:
    """Approve or return (``decision``: ``approve`` / ``return``) the records of ``model``
    (EvaluationRun or AwardEntry) with these ids, as ``by``; all or none."""
    if not may_review(by):
        raise PermissionDenied("只有省级审核员、省级管理员和系统管理员可以审定评价结果和奖补记录")
    if decision not in DECISIONS:
        raise ReviewRefused(
            [Problem("review.decision", _("审核结论只能是审定或退回"), value=decision)]
        )
    comment = comment.strip()
    if decision == "return" and not comment:
        raise ReviewRefused(
            [Problem("review.comment", _("退回时请填写退回意见，说明需要如何更正"))]
        )
    wanted = {int(i) for i in ids}
    if not wanted:
        raise ReviewRefused([Problem("review.empty", _("请至少选择一条记录"))])
    records = list(
        model.objects.restrict(by).select_for_update().filter(pk__in=wanted).order_by("pk")
    )
    if len(records) != len(wanted):
        raise NotFound(f"没有找到要审核的{model._meta.verbose_name}，或不在您的数据范围内")
    done = [r for r in records if r.approval != Approval.PENDING]
    if done:
        raise ReviewRefused(
            [
                Problem(
                    "review.done",
                    _("「%(record)s」已%(state)s，不能再次审核；如需更正请重新运行或核定")
                    % {"record": label(r), "state": r.get_approval_display()},
                )
                for r in done
            ]
        )
    for record in records:
        record.set_approval(DECISIONS[decision], by, comment)
    if decision == "approve" and model._meta.label == "awards.AwardEntry":
        # a published action opens its case; a published reversal withdraws it (decision 042)
        from gaoxin.cases.services import sync

        sync(records)
    return records
