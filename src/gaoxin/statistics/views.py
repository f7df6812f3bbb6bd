"""Pages of the statistics app: thin faces over its services (:mod:`gaoxin.statistics.
completeness`, ...). Every page is scoped through the services' ``user`` argument."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header

from gaoxin.engine.periods import Period, PeriodError
from gaoxin.statistics import completeness as comp
from gaoxin.statistics.models import ReportingForm


def entry_url(form_code: str, entity_id: int, period: str) -> str | None:
    """The data-entry page of (form, entity, period), or None while there is none."""
    try:
        return reverse("statistics:entry", args=[form_code, entity_id, period])
    except NoReverseMatch:
        return None


def _assigned_forms():
    return ReportingForm.objects.filter(assignments__isnull=False).distinct().order_by("id")


def _form_and_period(form: str, period: str) -> tuple[ReportingForm, Period]:
    found = get_object_or_404(_assigned_forms(), code=form)
    try:
        p = Period.parse(period)
    except PeriodError as err:
        raise Http404(str(err)) from err
    if p.kind != found.period_type or str(p) != period:
        raise Http404("期间与报表的报送周期不符")
    return found, p


@login_required
def completeness_index(request):
    """Every assigned form at its due period; the picker's GET lands here and is redirected."""
    form, period = request.GET.get("form"), request.GET.get("period")
    if form and period:
        found, p = _form_and_period(form, period)
        return redirect("statistics:completeness", found.code, str(p))
    today = comp.today()
    overview = [
        comp.completeness(f, comp.due_period(f, today), user=request.user, on=today)
        for f in _assigned_forms()
    ]
    return render(request, "statistics/completeness_index.html", {"overview": overview})


@login_required
def completeness_page(request, form: str, period: str):
    found, p = _form_and_period(form, period)
    result = comp.completeness(found, p, user=request.user)
    rows = [(u, entry_url(found.code, u.entity_id, str(p))) for u in result.units]
    return render(
        request,
        "statistics/completeness.html",
        {
            "c": result,
            "title": comp.title(result),
            "rows": rows,
            "rates": [*result.provinces, *result.cities] if result.units else [],
            "states": [comp.STATE_LABELS[s] for s in comp.STATES],
            "forms": _assigned_forms(),
            "periods": comp.recent_periods(found, result.today),
        },
    )


@login_required
def completeness_download(request, form: str, period: str, fmt: str):
    found, p = _form_and_period(form, period)
    result = comp.completeness(found, p, user=request.user)
    name = f"{comp.title(result)}.{fmt}"
    if fmt == "csv":
        text = io.StringIO()
        comp.write_csv(result, text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        data = io.BytesIO()
        comp.write_xlsx(result, data)
        response = HttpResponse(
            data.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("只提供 csv 和 xlsx 两种下载")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
