"""The moves of a submission through review, as one table (decision 024 records why a table and
not a state-machine library).

Each :class:`Transition` names the states it leaves from, the state it reaches, the roles that
may make it and whether it needs a comment. ``None`` among the sources is a (form, entity,
period) not yet started. The service that applies a move (scope, lock, history) reads only this
table; pages and the API offer a user exactly the transitions :func:`allowed` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaoxin.accounts.choices import Role
from gaoxin.accounts.roles import Action, can
from gaoxin.engine.problems import Problem
from gaoxin.registry.choices import RegionLevel
from gaoxin.registry.models import Entity, Region
from gaoxin.registry.models.entities import PATH_SEP
from gaoxin.services import OutOfScope
from gaoxin.statistics.models import (
    ReportingForm,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
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
        gettext_lazy("保存草稿"),
        frozenset({None, S.DRAFT, S.RETURNED}),
        S.DRAFT,
        frozenset({Role.ZONE_REPORTER}),
    ),
    Transition(
        "submit",
        gettext_lazy("提交"),
        frozenset({None, S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        frozenset({Role.ZONE_REPORTER}),
    ),
    Transition(
        "city_approve",
        gettext_lazy("审核通过"),
        frozenset({S.SUBMITTED}),
        S.CITY_APPROVED,
        frozenset({Role.CITY_REVIEWER}),
    ),
    Transition(
        "city_return",
        gettext_lazy("退回修改"),
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        frozenset({Role.CITY_REVIEWER}),
        needs_comment=True,
    ),
    Transition(
        "province_approve",
        gettext_lazy("审定"),
        frozenset({S.CITY_APPROVED}),
        S.PROVINCE_APPROVED,
        PROVINCE,
    ),
    Transition(
        "province_return",
        gettext_lazy("退回修改"),
        frozenset({S.CITY_APPROVED}),
        S.RETURNED,
        PROVINCE,
        needs_comment=True,
    ),
    Transition(
        "unlock",
        gettext_lazy("解锁"),
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


# --- who may move which submission -------------------------------------------------------


class Refused(Exception):
    """A move or an edit the rules do not allow now (state, role, lock, a missing comment);
    the message says why and what to do, in Chinese. Outside the user's scope is
    :class:`gaoxin.services.OutOfScope` instead (a 404)."""


#: The action of the role table (gaoxin.accounts.roles) each move needs.
MOVE_ACTION: dict[str, str] = {
    "save": Action.ENTER,
    "submit": Action.SUBMIT,
    "city_approve": Action.REVIEW_CITY,
    "city_return": Action.REVIEW_CITY,
    "province_approve": Action.REVIEW_PROVINCE,
    "province_return": Action.REVIEW_PROVINCE,
    "unlock": Action.UNLOCK,
}


def in_scope(user, entity: Entity) -> bool:
    return Entity.objects.restrict(user).filter(pk=entity.pk).exists()


def has_city_above(entity: Entity) -> bool:
    """Whether a 设区市 (a region of city level) lies between ``entity`` and its province.

    Zones of a 直辖市 (北京、上海、天津、重庆) and any zone registered directly under its province
    have none: their province takes the city's review step (decision 024)."""
    ancestors = [int(p) for p in entity.path.strip(PATH_SEP).split(PATH_SEP)[:-1] if p]
    return Region.objects.filter(entity_id__in=ancestors, level=RegionLevel.CITY).exists()


CITY_STEP = frozenset({"city_approve", "city_return"})


def available(user, submission: Submission) -> list[Transition]:
    """The moves ``user`` may make on ``submission`` now (an unsaved one is not started): the
    rows of :data:`TRANSITIONS` leaving its state whose action the user's role holds, inside
    their scope (:func:`gaoxin.accounts.roles.can`). Where no city lies above the reporting
    unit, a province reviewer also takes the city step (decision 024)."""
    entity = submission.entity
    if not in_scope(user, entity):
        return []
    state = submission.state if submission.pk else None
    moves = []
    for t in TRANSITIONS:
        if state not in t.sources:
            continue
        if can(user, MOVE_ACTION[t.action], entity) or (
            t.action in CITY_STEP
            and can(user, Action.REVIEW_PROVINCE, entity)
            and not has_city_above(entity)
        ):
            moves.append(t)
    return moves


def submission_for(form: ReportingForm, entity: Entity, period: str) -> Submission:
    """The stored submission of (form, entity, period), or an unsaved one: not started."""
    found = Submission.objects.filter(form=form, entity=entity, period=period).first()
    return found or Submission(form=form, entity=entity, period=period)


def check(user, submission: Submission, action: str, comment: str = "") -> Transition:
    """The transition ``action`` if ``user`` may make it on ``submission`` now; else
    :class:`OutOfScope` (another scope) or :class:`Refused` with the reason."""
    if action not in BY_ACTION:
        raise Refused(_("未知的操作"))
    if not in_scope(user, submission.entity):
        raise OutOfScope("此报送不在您的数据范围内", value=submission.entity.code)
    transition = BY_ACTION[action]
    if transition not in available(user, submission):
        state = submission.get_state_display() if submission.pk else _("未填报")
        words = {"state": state, "action": transition.label}
        if submission.pk and submission.locked:
            raise Refused(
                _(
                    "本期报送已由省级审定并锁定（%(state)s），不能「%(action)s」；"
                    "如需更正，请联系省级管理员解锁并说明原因"
                )
                % words
            )
        raise Refused(_("当前状态为「%(state)s」，您的角色不能执行「%(action)s」") % words)
    if transition.needs_comment and not comment.strip():
        if action == "unlock":
            raise Refused(
                _("「%(action)s」须填写原因，说明需要修改什么、为什么")
                % {"action": transition.label}
            )
        raise Refused(
            _("「%(action)s」须填写意见，说明需要修改什么、为什么") % {"action": transition.label}
        )
    return transition


@transaction.atomic
def move(submission: Submission, action: str, *, by, comment: str = "") -> SubmissionEvent:
    """Apply ``action`` (a row of :data:`TRANSITIONS`) to ``submission`` as ``by``: scope, role,
    state and comment are checked, the state moves and a :class:`SubmissionEvent` is appended.

    An unsaved submission (not started) is created by its first move."""
    # Re-read under a row lock: two reviewers acting at once must not both move it.
    current = (
        Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.pk
        else submission
    )
    transition = check(by, current, action, comment)
    before = current.state if current.pk else ""
    current.state = transition.target
    current.updated_by = by
    current.save()
    submission.pk, submission.state = current.pk, current.state
    submission.updated_by, submission.updated_at = by, current.updated_at
    # What the published and preview analytics count moved: a new data version.
    from gaoxin.statistics.analytics import changed

    changed("review", [current.period], by=by)
    return SubmissionEvent.objects.create(
        submission=current,
        action=transition.action,
        from_state=before,
        to_state=transition.target,
        by=by,
        comment=comment.strip(),
    )


# --- the lock, for every write path ------------------------------------------------------


def locked_submissions(observations: pl.DataFrame) -> pl.DataFrame:
    """Rows of ``observations`` (entity_id, entity_kind, variable, period, …) that a submission
    approved by the province covers, with ``submission_id``: a value of a reporting unit's roster
    (the unit itself or an entity in its subtree of the form's kind), of a variable of the form,
    for the submission's period. One vectorised join over each value's ancestors, no row loop."""
    empty = observations.head(0).with_columns(pl.lit(None, dtype=pl.Int64).alias("submission_id"))
    if observations.is_empty():
        return empty
    periods = observations["period"].unique().to_list()
    rows = list(
        Submission.objects.filter(state=SubmissionState.PROVINCE_APPROVED, period__in=periods)
        .values_list("pk", "entity_id", "period", "form__entity_kind", "form__variables__code")
        .distinct()
    )
    if not rows:
        return empty
    locks = pl.DataFrame(
        rows,
        schema={
            "submission_id": pl.Int64,
            "_ancestor": pl.Int64,
            "period": pl.String,
            "entity_kind": pl.String,
            "variable": pl.String,
        },
        orient="row",
    )
    paths = dict(
        Entity.objects.filter(pk__in=observations["entity_id"].unique().to_list()).values_list(
            "pk", "path"
        )
    )
    ancestors = (
        pl.DataFrame(
            {"entity_id": list(paths), "_path": list(paths.values())},
            schema={"entity_id": pl.Int64, "_path": pl.String},
        )
        .with_columns(pl.col("_path").str.strip_chars(PATH_SEP).str.split(PATH_SEP))
        .explode("_path")
        .select("entity_id", pl.col("_path").cast(pl.Int64).alias("_ancestor"))
    )
    return (
        observations.join(ancestors, on="entity_id", how="inner")
        .join(locks, on=["_ancestor", "period", "entity_kind", "variable"], how="inner")
        .drop("_ancestor")
        .unique(maintain_order=True)
    )


def lock_problems(observations: pl.DataFrame) -> list[Problem]:
    """One error per locked submission an import would write into, at its first row."""
    locked = locked_submissions(observations)
    if locked.is_empty():
        return []
    first = locked.sort("row").unique("submission_id", keep="first", maintain_order=True)
    names = dict(
        Submission.objects.filter(pk__in=first["submission_id"].to_list()).values_list(
            "pk", "form__name"
        )
    )
    units = dict(
        Submission.objects.filter(pk__in=first["submission_id"].to_list()).values_list(
            "pk", "entity__name"
        )
    )
    return [
        Problem(
            "submission_locked",
            f"{units[r['submission_id']]}「{names[r['submission_id']]}」{r['period']} 期已由省级审定并锁定："
            "如需更正，请由省级管理员解锁并说明原因",
            file=r.get("source_file"),
            sheet=r.get("sheet") or None,
            row=r.get("row"),
            column="期间",
            value=r["period"],
        )
        for r in first.iter_rows(named=True)
    ]


def observation_locked(entity: Entity, variable_code: str, period: str) -> bool:
    """Whether a province-approved submission covers this one value (the admin's change form)."""
    one = pl.DataFrame(
        {
            "entity_id": [entity.pk],
            "entity_kind": [entity.kind],
            "variable": [variable_code],
            "period": [period],
        },
        schema={
            "entity_id": pl.Int64,
            "entity_kind": pl.String,
            "variable": pl.String,
            "period": pl.String,
        },
    )
    return not locked_submissions(one).is_empty()
