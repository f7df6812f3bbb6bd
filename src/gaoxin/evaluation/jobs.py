"""Evaluation as a background job (gaoxin.jobs): the page's form starts :func:`evaluate_job`,
which calls :func:`gaoxin.evaluation.services.evaluate` with the values the queue carries (ids,
codes, the period's text) and links the job to the run it made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_noop

from gaoxin.engine.periods import Period
from gaoxin.jobs.services import Outcome
from gaoxin.registry.models import Entity

#: The steps gaoxin.evaluation.store.run_framework reports, in order: the job's progress bar.
STEPS = ("读取评价体系", "读取统计数据", "计算指标", "综合评价", "保存结果")


def evaluate_job(
    pack: str,
    framework: str,
    period: str,
    scope_id: int | None,
    *,
    user_id: int,
    progress: Callable[..., None],
) -> Outcome:
    """Evaluate ``framework`` of ``pack`` for ``period`` over entity ``scope_id`` as user
    ``user_id``; the outcome links to the run's ranking."""
    from gaoxin.evaluation.services import evaluate

    by = get_user_model().objects.get(pk=user_id)
    scope = Entity.objects.get(pk=scope_id) if scope_id is not None else None

    def step(name: str, *_: Any) -> None:
        done = STEPS.index(name) if name in STEPS else None
        progress(name, done, len(STEPS) if done is not None else None)

    outcome = evaluate(pack, Period.parse(period), scope, by=by, framework=framework, progress=step)
    run = outcome.run
    lines = [
        f"{run.title or run.framework}：{run.units} 个{outcome.unit_label}参评，结果待审定后发布。"
    ]
    lines += [w["message"] for w in outcome.warnings[:5]]
    return Outcome(
        "\n".join(lines),
        url=reverse("evaluation:run", args=[run.pk]),
        url_label=gettext_noop("查看排名"),
    )
