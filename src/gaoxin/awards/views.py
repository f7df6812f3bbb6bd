"""Award pages: the ledger as published (approved entries of the user's scope, amounts in 万元,
rules by name), one entry with its explanation, and the review of pending entries by a province
reviewer (gaoxin.reviews; decision 026)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gaoxin.awards.models import AwardEntry
from gaoxin.awards.services import wan_text
from gaoxin.policy.titles import ACTION_ZH, pack_title, rule_title
from gaoxin.reviews import may_review
from gaoxin.web import review_pages

PAGE = 100


@dataclass(frozen=True)
class Row:
    """An entry as a reader reads it: names and 万元, no codes."""

    entry: AwardEntry
    rule: str
    pack: str
    amount: str
    action: str


def rows(entries) -> list[Row]:
    return [
        Row(
            entry=e,
            rule=rule_title(e.pack, e.rule),
            pack=pack_title(e.pack),
            amount=wan_text(e.amount_fen),
            action=ACTION_ZH.get(e.action, e.action),
        )
        for e in entries
    ]


def _filtered(request, qs):
    pack, period = request.GET.get("pack", ""), request.GET.get("period", "")
    if pack:
        qs = qs.filter(pack=pack)
    if period:
        qs = qs.filter(period=period)
    return qs, {k: v for k, v in (("pack", pack), ("period", period)) if v}


def _choices(qs):
    packs = sorted(set(qs.values_list("pack", flat=True)))
    periods = sorted(set(qs.values_list("period", flat=True)), reverse=True)
    return [(p, pack_title(p)) for p in packs], periods


@login_required
def ledger(request):
    published = (
        AwardEntry.objects.restrict(request.user)
        .published()
        .select_related("entity", "approved_by")
    )
    context = _listing(request, published, ("-period", "pack", "rule", "entity__name"))
    return render(request, "awards/ledger.html", {**context, "reviewer": may_review(request.user)})


def _listing(request, entries, order: tuple[str, ...]) -> dict:
    """One page of ``entries`` filtered by the request's pack and period, with the choices
    those filters offer and the total in 万元: what the ledger and the review list both show."""
    qs, chosen = _filtered(request, entries)
    qs = qs.order_by(*order)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    packs, periods = _choices(entries)
    return {
        "page": page,
        "rows": rows(page),
        "total": wan_text(qs.aggregate(s=Sum("amount_fen"))["s"] or 0),
        "packs": packs,
        "periods": periods,
        "chosen": chosen,
        "query": urlencode(chosen),
    }


def _visible(user):
    qs = AwardEntry.objects.restrict(user).select_related("entity", "approved_by")
    return qs if may_review(user) else qs.published()


@login_required
def entry_detail(request, pk: int):
    entry = get_object_or_404(_visible(request.user), pk=pk)
    return render(
        request,
        "awards/entry.html",
        {
            "row": rows([entry])[0],
            "can_review": may_review(request.user) and entry.approval == "pending",
        },
    )


@login_required
@require_POST
def entry_review(request, pk: int):
    review_pages.apply(request, AwardEntry, [pk])
    return redirect("awards:entry", pk)


@login_required
def review_list(request):
    if not may_review(request.user):
        raise PermissionDenied("只有省级审核员、省级管理员和系统管理员可以审定奖补记录")
    if request.method == "POST":
        review_pages.apply(request, AwardEntry, request.POST.getlist("entry"))
        return redirect(f"{request.path}?{request.POST.get('query', '')}")
    pending = AwardEntry.objects.restrict(request.user).pending().select_related("entity")
    context = _listing(request, pending, ("pack", "period", "rule", "entity__name"))
    return render(request, "awards/review.html", context)
