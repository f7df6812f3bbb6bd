"""The moves of a submission through review, as one table (decision 024 records why a table and
not a state-machine library).

Each :class:`Transition` names the states it leaves from, the state it reaches, the roles that
may make it and whether it needs a comment. ``None`` among the sources is a (form, entity,
period) not yet started. The service that applies a move (scope, lock, history) reads only this
table; pages and the API offer a user exactly the transitions :func:`allowed` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaoxin.accounts.choices import Role
from gaoxin.statistics.models.submissions import SubmissionState as S


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str | None]
    target: str
    roles: frozenset[str]
    needs_comment: bool = False


PROVINCE = frozenset({Role.PROVINCE_REVIEWER, Role.PROVINCE_ADMIN})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "save",
        "保存草稿",
        frozenset({None, S.DRAFT, S.RETURNED}),
        S.DRAFT,
        frozenset({Role.ZONE_REPORTER}),
    ),
    Transition(
        "submit",
        "提交",
        frozenset({None, S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        frozenset({Role.ZONE_REPORTER}),
    ),
    Transition(
        "city_approve",
        "审核通过",
        frozenset({S.SUBMITTED}),
        S.CITY_APPROVED,
        frozenset({Role.CITY_REVIEWER}),
    ),
    Transition(
        "city_return",
        "退回修改",
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        frozenset({Role.CITY_REVIEWER}),
        needs_comment=True,
    ),
    Transition(
        "province_approve", "审定", frozenset({S.CITY_APPROVED}), S.PROVINCE_APPROVED, PROVINCE
    ),
    Transition(
        "province_return",
        "退回修改",
        frozenset({S.CITY_APPROVED}),
        S.RETURNED,
        PROVINCE,
        needs_comment=True,
    ),
    Transition(
        "unlock",
        "解锁",
        frozenset({S.PROVINCE_APPROVED}),
        S.RETURNED,
        frozenset({Role.PROVINCE_ADMIN}),
        needs_comment=True,
    ),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}


def allowed(state: str | None, role: str) -> list[Transition]:
    """The moves a user of ``role`` may make from ``state`` (scope is checked by the service)."""
    return [t for t in TRANSITIONS if state in t.sources and role in t.roles]
