"""Evaluation pages: the runs of the user's scope and one run's ranking, with the review of a
run by a province reviewer (gaoxin.reviews). Readers see published (approved) runs only;
reviewers also the runs waiting for them (decision 026)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gaoxin.evaluation.models import EvaluationRun
from gaoxin.policy.titles import pack_title
from gaoxin.reviews import may_review
from gaoxin.web import review_pages


def _runs(user):
    runs = EvaluationRun.objects.restrict(user).select_related("scope", "approved_by")
    return runs if may_review(user) else runs.published()


@login_required
def run_list(request):
    reviewer = may_review(request.user)
    runs = _runs(request.user).order_by("approval", "-created_at", "-id")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/run_list.html",
        {"page": page, "reviewer": reviewer, "pending": _runs(request.user).pending().count()},
    )


@login_required
def run_detail(request, pk: int):
    run = get_object_or_404(_runs(request.user), pk=pk)
    results = run.results.select_related("entity").order_by("rank", "entity__name")
    page = Paginator(results, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/run_detail.html",
        {
            "run": run,
            "pack_title": pack_title(run.pack),
            "page": page,
            "can_review": may_review(request.user) and run.approval == "pending",
        },
    )


@login_required
@require_POST
def run_review(request, pk: int):
    review_pages.apply(request, EvaluationRun, [pk])
    return redirect("evaluation:run", pk)
