"""Evaluation pages: the runs of the user's scope and one run's ranking, with the review of a
run by a province reviewer (gaoxin.reviews); the form that starts a run as a background job;
two runs compared; one unit's score explained. Readers see published (approved) runs only;
reviewers also the runs waiting for them (decision 026). Everything shown comes from
gaoxin.evaluation.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gaoxin.accounts.roles import Action, can
from gaoxin.evaluation import services
from gaoxin.evaluation.forms import EvaluationForm
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.evaluation.report import _framework, _names
from gaoxin.policy.titles import pack_title
from gaoxin.reviews import may_review
from gaoxin.statistics import page_data
from gaoxin.web import review_pages


def _runs(user):
    return services.visible_runs(user)


@login_required
def run_list(request):
    reviewer = may_review(request.user)
    runs = _runs(request.user).order_by("approval", "-created_at", "-id")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/run_list.html",
        {
            "page": page,
            "reviewer": reviewer,
            "pending": _runs(request.user).pending().count(),
            "can_run": can(request.user, Action.RUN),
        },
    )


@login_required
def run_detail(request, pk: int):
    from gaoxin.documents.services import issues

    run = get_object_or_404(_runs(request.user), pk=pk)
    results = run.results.select_related("entity").order_by("rank", "entity__name")
    page = Paginator(results, 200).get_page(request.GET.get("page"))
    previous = _runs(request.user).filter(pk=run.previous_id).first() if run.previous_id else None

    def draw() -> str:
        changes = {}
        if previous is not None:
            rows = services.compare_runs(previous.pk, run.pk, by=request.user).rows
            changes = dict(zip(rows["entity"], rows["score_change"], strict=True))
        names = _names(_framework(run))

        def named(codes: str) -> str:
            return "、".join(names.get(c, c) for c in codes.split(";") if c)

        lines = [
            {
                "r": r,
                "score_change": changes.get(r.entity_id),
                "strengths": named(r.strengths),
                "weaknesses": named(r.weaknesses),
            }
            for r in page
        ]
        return render_to_string("evaluation/_run_table.html", {"run": run, "lines": lines})

    # the ranking is drawn once per run and page (decision 048): the run and the one it is
    # compared with never change (decision 014); the previous run is compared only for a user
    # who may read it, so whether it is is part of the key
    table_html = page_data.kept(
        "run_table",
        (run.pk, run.created_at.isoformat(), getattr(previous, "pk", None), page.number),
        draw,
    )
    return render(
        request,
        "evaluation/run_detail.html",
        {
            "run": run,
            "pack_title": pack_title(run.pack),
            "page": page,
            "table_html": mark_safe(table_html),  # noqa: S308 (our template's output)
            "previous": previous,
            "can_review": may_review(request.user) and run.approval == "pending",
            # 下载公文: only an approved run is issued (decision 026)
            "issuer": run.pack if run.approval == "approved" and issues(run.pack) else None,
        },
    )


@login_required
def start(request):
    """开展评价: the form; on a valid POST the run starts as a background job and the user
    lands on the job's page, which links to the ranking once it is done."""
    if not can(request.user, Action.RUN):
        raise PermissionDenied("只有省级管理员和系统管理员可以开展评价")
    from gaoxin.evaluation.jobs import evaluate_job
    from gaoxin.jobs.services import start as start_job

    form = EvaluationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        chosen, period, scope = (
            form.chosen(),
            form.cleaned_data["period"],
            form.cleaned_data["scope"],
        )
        job = start_job(
            evaluate_job,
            by=request.user,
            scope=scope,
            label=f"{scope.name}{period.label()}评价：{chosen.label.split('：', 1)[-1]}",
            args=[chosen.pack, chosen.framework, str(period), scope.pk],
            kwargs={"user_id": request.user.pk},
        )
        return redirect("jobs:detail", job.pk)
    return render(request, "evaluation/start.html", {"form": form})


@login_required
def compare(request, pk: int):
    """对比两次评价: run ``pk`` against the run picked (by default the run it compared its
    ranks with)."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    others = _runs(request.user).exclude(pk=pk).order_by("-created_at", "-id")[:200]
    before = request.GET.get("before") or run.previous_id
    try:
        before_id = int(before) if before else None
    except ValueError:
        raise Http404("没有这次评价运行") from None
    comparison = None
    if before_id is not None and before_id != run.pk:
        comparison = services.compare_runs(before_id, run.pk, by=request.user)
    return render(
        request,
        "evaluation/compare.html",
        {
            "run": run,
            "others": others,
            "comparison": comparison,
            "rows": comparison.rows.to_dicts() if comparison else [],
            "before_id": before_id,
        },
    )


@login_required
def explain(request, pk: int, entity_id: int):
    """得分说明: one unit's score in run ``pk``, indicator by indicator."""
    ex = services.explain_score(pk, entity_id, by=request.user)
    return render(
        request,
        "evaluation/explain.html",
        {"ex": ex, "run": ex.run, "pack_title": pack_title(ex.run.pack)},
    )


@login_required
@require_POST
def run_review(request, pk: int):
    review_pages.apply(request, EvaluationRun, [pk])
    return redirect("evaluation:run", pk)
