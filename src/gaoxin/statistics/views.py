"""Pages of the statistics app: thin faces over its services (:mod:`gaoxin.statistics.
completeness`, ...). Every page is scoped through the services' ``user`` argument."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gaoxin.accounts.roles import Action, can
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics import approval, entry
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


# --- data entry ----------------------------------------------------------------------------
# Thin faces over gaoxin.statistics.entry and gaoxin.statistics.approval: every view reads the
# roster through entry.roster(…, user=…), which answers 404 outside the user's scope.

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
STATE_TAGS = {
    "draft": "tag-warn",
    "submitted": "",
    "returned": "tag-error",
    "city_approved": "tag-ok",
    "province_approved": "tag-ok",
}


def _entry_roster(request, form_code: str, entity_id: int, period: str) -> entry.Roster:
    form = get_object_or_404(ReportingForm, code=form_code)
    return entry.roster(form, entity_id, period, user=request.user)


def _posted_values(request, r: entry.Roster) -> dict[tuple[int, str], str]:
    values = {}
    for row in r.rows:
        for c in r.columns:
            name = f"v-{row.entity_id}-{c.code}"
            if name in request.POST:
                values[(row.entity_id, c.code)] = request.POST[name]
    return values


def _cells(r: entry.Roster, typed: dict | None, checked: entry.CheckResult | None) -> list[dict]:
    """The table as the template draws it: per row its cells, each with what the input shows,
    the messages beside it and the link to its history (built here once: a roster of a large
    zone has hundreds of cells, and a template tag per cell would dominate the page's time)."""
    problems = checked.by_cell() if checked else {}
    history = reverse("statistics:entry_history", args=_args(r))
    rows = []
    for row in r.rows:
        cells = []
        for c in r.columns:
            key = (row.entity_id, c.code)
            stored = r.values.get(key)
            found = problems.get(key, [])
            cells.append(
                {
                    "name": f"v-{row.entity_id}-{c.code}",
                    "id": f"{row.entity_id}-{c.code}",
                    "label": f"{row.name} {c.header}",
                    "text": typed[key]
                    if typed is not None and key in typed
                    else entry.entry_text(stored, c.unit),
                    "display": entry.display_text(stored, c.unit),
                    "error": " ".join(p.message for p in found if p.is_error),
                    "warning": " ".join(p.message for p in found if not p.is_error),
                    "history": f"{history}?entity={row.entity_id}&variable={c.code}",
                }
            )
        rows.append({"row": row, "cells": cells})
    return rows


def _summary(r: entry.Roster, checked: entry.CheckResult | None) -> dict[str, list[dict]]:
    """The error summary's lines (errors, then warnings): each problem once, linked to its
    first cell."""
    if checked is None:
        return {"summary_errors": [], "summary_warnings": []}
    names = {row.entity_id: row.name for row in r.rows}
    lines = []
    for p in checked.problems:
        where = ""
        anchor = ""
        if p.cells:
            entity_id, code = p.cells[0]
            column = r.column_of(code)
            where = f"{names.get(entity_id, '')} · " + "、".join(
                r.column_of(c).name for _, c in p.cells if r.column_of(c)
            )
            anchor = f"in-{entity_id}-{code}" if column else ""
        lines.append({"where": where, "anchor": anchor, "message": p.message, "error": p.is_error})
    return {
        "summary_errors": [line for line in lines if line["error"]],
        "summary_warnings": [line for line in lines if not line["error"]],
    }


def _entry_context(request, r: entry.Roster, **extra) -> dict:
    submission = r.submission
    try:
        entry.may_edit(r, request.user)
        editable, reason = True, ""
    except approval.Refused as refused:
        editable, reason = False, str(refused)
    moves = approval.available(request.user, submission)
    state = submission.state if submission.pk else ""
    events = [
        {
            "at": e.at,
            "by": (e.by.get_full_name() or e.by.get_username()) if e.by else "系统",
            "label": approval.BY_ACTION[e.action].label if e.action in approval.BY_ACTION else "",
            "from": e.get_from_state_display() if e.from_state else "未填报",
            "to": e.get_to_state_display(),
            "comment": e.comment,
        }
        for e in entry.events(submission)
    ]
    checked = extra.pop("checked", None)
    typed = extra.pop("typed", None)
    context = {
        "r": r,
        "title": f"{r.unit.name} · {r.form.name} · {r.reported_period.label()}",
        "rows": _cells(r, typed, checked),
        **_summary(r, checked),
        "editable": editable,
        "reporter": can(request.user, Action.ENTER, r.unit),
        "reason": reason,
        "can_submit": any(t.action == "submit" for t in moves),
        "reviews": [t for t in moves if t.action not in ("save", "submit")],
        "state_label": submission.get_state_display() if submission.pk else "未填报",
        "state_tag": STATE_TAGS.get(state, ""),
        "events": list(reversed(events)),
        "deadline": r.form.deadline(r.period),
        "args": [r.form.code, r.unit.pk, str(r.period)],
    }
    context.update(extra)
    return context


@login_required
def entry_page(request, form_code: str, entity_id: int, period: str):
    """The data-entry page of (form, unit, period): GET shows it; POST saves or submits."""
    r = _entry_roster(request, form_code, entity_id, period)
    if request.method != "POST":
        return render(request, "statistics/entry.html", _entry_context(request, r))
    typed = _posted_values(request, r)
    submit = request.POST.get("action") == "submit"
    try:
        result = entry.save_values(
            r.form, r.unit, str(r.period), typed, by=request.user, submit=submit
        )
    except approval.Refused as refused:
        context = _entry_context(request, r, typed=typed, refusal=str(refused))
        return render(request, "statistics/entry.html", context, status=409)
    if not result.saved:
        context = _entry_context(request, r, typed=typed, checked=result.check)
        return render(request, "statistics/entry.html", context, status=422)
    c = result.counts
    done = "已提交，等待审核" if submit else "草稿已保存"
    warned = f"；{len(result.check.warnings)} 条提示请核实" if result.check.warnings else ""
    messages.success(request, f"{done}：新增 {c.created} 个数值，修改 {c.changed} 个{warned}。")
    return redirect("statistics:entry", *_args(r))


def _args(r: entry.Roster) -> list:
    return [r.form.code, r.unit.pk, str(r.period)]


@login_required
@require_POST
def entry_check(request, form_code: str, entity_id: int, period: str):
    """htmx: check the typed cells with the import's engine and answer the messages beside each
    cell and the error summary, as out-of-band swaps. Writes nothing."""
    r = _entry_roster(request, form_code, entity_id, period)
    typed = _posted_values(request, r)
    checked = entry.check_values(r, typed)
    context = {"rows": _cells(r, typed, checked), **_summary(r, checked)}
    return render(request, "statistics/entry_check.html", context)


@login_required
@require_POST
def entry_move(request, form_code: str, entity_id: int, period: str):
    """A review move (审核通过, 退回修改, 审定, 解锁) with its comment."""
    r = _entry_roster(request, form_code, entity_id, period)
    action = request.POST.get("action", "")
    if action in ("save", "submit"):
        raise Http404("填报与提交请用本页的保存和提交按钮")
    comment = request.POST.get("comment", "")
    try:
        event = approval.move(r.submission, action, by=request.user, comment=comment)
    except approval.Refused as refused:
        context = _entry_context(request, r, refusal=str(refused), comment=comment)
        return render(request, "statistics/entry.html", context, status=409)
    messages.success(
        request,
        f"已{approval.BY_ACTION[event.action].label}：当前状态「{event.get_to_state_display()}」。",
    )
    return redirect("statistics:entry", *_args(r))


@login_required
def entry_history(request, form_code: str, entity_id: int, period: str):
    """The history of one value: who, when, old → new, from which batch or form."""
    r = _entry_roster(request, form_code, entity_id, period)
    try:
        row_id = int(request.GET.get("entity", ""))
    except ValueError as err:
        raise Http404("本表中没有此数值") from err
    code = request.GET.get("variable", "")
    lines = entry.value_history(r, row_id, code, user=request.user)
    row, column = r.row_of(row_id), r.column_of(code)
    context = {"r": r, "lines": lines, "row": row, "column": column, "args": _args(r)}
    if request.headers.get("HX-Request"):
        return render(request, "statistics/entry_history.html", context)
    return render(request, "statistics/entry_history_page.html", context)


@login_required
def entry_template(request, form_code: str, entity_id: int, period: str):
    """The form's Excel template, prefilled with the roster and its stored values."""
    r = _entry_roster(request, form_code, entity_id, period)
    with tempfile.TemporaryDirectory() as folder:
        path = entry.template_xlsx(r, Path(folder) / "template.xlsx")
        data = path.read_bytes()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{r.unit.name}-{r.form.name}-{r.reported_period.label()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def entry_upload(request, form_code: str, entity_id: int, period: str):
    """Upload a filled template: all or nothing, with the same problem list as gaoxin import."""
    r = _entry_roster(request, form_code, entity_id, period)
    file = request.FILES.get("file")
    if file is None:
        context = _entry_context(request, r, refusal="请选择要上传的 Excel 或 CSV 文件")
        return render(request, "statistics/entry.html", context, status=422)
    if file.size > MAX_UPLOAD_BYTES:
        context = _entry_context(request, r, refusal="文件超过 10 MB：请只上传本表的数据")
        return render(request, "statistics/entry.html", context, status=422)
    try:
        result = entry.upload(
            r.form, r.unit.pk, str(r.period), file.read(), file.name, by=request.user
        )
    except approval.Refused as refused:
        context = _entry_context(request, r, refusal=str(refused))
        return render(request, "statistics/entry.html", context, status=409)
    if not result.committed:
        context = _entry_context(request, r, upload=result)
        return render(request, "statistics/entry.html", context, status=422)
    messages.success(request, result.report.summary())
    return redirect("statistics:entry", *_args(r))


@login_required
def entry_index(request):
    """Pick a form, a reporting unit in scope and a period; lands on the entry page."""
    forms = list(ReportingForm.objects.order_by("id"))
    units = Entity.objects.restrict(request.user).filter(kind=EntityKind.ZONE).order_by("name")
    form_code, unit, period = (request.GET.get(k, "") for k in ("form", "unit", "period"))
    if form_code and unit and period:
        found = get_object_or_404(ReportingForm, code=form_code)
        try:
            p = Period.parse(period)
        except PeriodError:
            p = None
        if p is None or p.kind != found.period_type:
            messages.error(
                request, f"「{found.name}」按{found.get_period_type_display()}报送，请填写相应期间"
            )
        else:
            unit_id = int(unit) if unit.isdigit() else 0
            return redirect("statistics:entry", found.code, unit_id, str(p))
    today = comp.today()
    choices = [{"form": f, "due": comp.due_period(f, today)} for f in forms]
    return render(
        request,
        "statistics/entry_index.html",
        {"choices": choices, "units": units[:500], "selected": form_code},
    )
