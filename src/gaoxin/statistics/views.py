"""Pages of the statistics app: thin faces over its services (:mod:`gaoxin.statistics.
completeness`, ...). Every page is scoped through the services' ``user`` argument."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gaoxin.accounts.roles import Action, can
from gaoxin.engine.monitor import MEASURES, MISSING, cell_text
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.problems import ProblemsError
from gaoxin.jobs import services as jobs
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.services import scope_for
from gaoxin.statistics import approval, entry, page_data, services
from gaoxin.statistics import completeness as comp
from gaoxin.statistics import jobs as stat_jobs
from gaoxin.statistics.models import ReportingForm
from gaoxin.statistics.pivot_views import options_html
from gaoxin.web import uploads
from gaoxin.web.preview import preview_of, switch
from gaoxin.web.template_filters import period_text


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
            "title": _("%(form)s（%(period)s）报送完成情况")
            % {"form": result.form.name, "period": period_text(result.period)},
            "rows": rows,
            "rates": [*result.provinces, *result.cities] if result.units else [],
            "states": [comp.state_label(s) for s in comp.STATES],
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
            "by": (e.by.get_full_name() or e.by.get_username()) if e.by else _("系统"),
            "label": approval.BY_ACTION[e.action].label if e.action in approval.BY_ACTION else "",
            "from": e.get_from_state_display() if e.from_state else _("未填报"),
            "to": e.get_to_state_display(),
            "comment": e.comment,
        }
        for e in entry.events(submission)
    ]
    checked = extra.pop("checked", None)
    typed = extra.pop("typed", None)
    context = {
        "r": r,
        "title": f"{r.unit.name} · {r.form.name} · {period_text(r.reported_period)}",
        "rows": _cells(r, typed, checked),
        **_summary(r, checked),
        "editable": editable,
        "reporter": can(request.user, Action.ENTER, r.unit),
        "reason": reason,
        "can_submit": any(t.action == "submit" for t in moves),
        "reviews": [t for t in moves if t.action not in ("save", "submit")],
        "state_label": submission.get_state_display() if submission.pk else _("未填报"),
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
    done = _("已提交，等待审核") if submit else _("草稿已保存")
    counts = {"created": c.created, "changed": c.changed, "warnings": len(result.check.warnings)}
    if result.check.warnings:
        text = _(
            "%(done)s：新增 %(created)s 个数值，修改 %(changed)s 个；%(warnings)s 条提示请核实。"
        )
    else:
        text = _("%(done)s：新增 %(created)s 个数值，修改 %(changed)s 个。")
    messages.success(request, text % {"done": done, **counts})
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
        _("已%(action)s：当前状态「%(state)s」。")
        % {"action": approval.BY_ACTION[event.action].label, "state": event.get_to_state_display()},
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
        context = _entry_context(request, r, refusal=_("请选择要上传的 Excel 或 CSV 文件"))
        return render(request, "statistics/entry.html", context, status=422)
    if file.size > MAX_UPLOAD_BYTES:
        context = _entry_context(request, r, refusal=_("文件超过 10 MB：请只上传本表的数据"))
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
                request,
                _("「%(form)s」按%(period_type)s报送，请填写相应期间")
                % {"form": found.name, "period_type": found.get_period_type_display()},
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


# --- import page and monitoring page -------------------------------------------------------
# The import and the monitoring workbook run as background jobs (gaoxin.statistics.jobs); the
# page starts one and sends the user to its page, which shows the progress, then the summary
# or the problem list, then the file.


def _import_scope(request):
    """The scope an import by this user runs over (their own; everything for a superuser), or
    403 for a role that may not enter data."""
    scope = scope_for(request.user)
    if not can(request.user, Action.ENTER, scope):
        raise PermissionDenied("您的角色不能导入数据：导入由园区填报员或系统管理员进行")
    return scope


@login_required
def import_page(request):
    """数据导入: upload a file; the import runs as a background job over the user's scope."""
    scope = _import_scope(request)
    limit = settings.IMPORT_MAX_MB
    context = {"scope": scope, "limit_mb": limit, "period": "", "dry_run": False}
    if request.method != "POST":
        return render(request, "statistics/import.html", context)
    file = request.FILES.get("file")
    period = request.POST.get("period", "").strip()
    dry_run = request.POST.get("dry_run") == "1"
    context.update(period=period, dry_run=dry_run)
    refusal = uploads.refusal(file, "导入", too_big="请分成几个文件导入")
    if not refusal and period:
        try:
            Period.parse(period)
        except PeriodError as err:
            refusal = (
                f"期间「{period}」无法识别：{err}；如 2025-12、2025年1-12月，文件中有期间列时留空"
            )
    if refusal:
        context["refusal"] = refusal
        return render(request, "statistics/import.html", context, status=422)
    name = Path(file.name).name
    path = uploads.keep(file, "import")  # the batch and the problem list name the user's file
    verb = "试导入" if dry_run else "导入"
    job = jobs.start(
        stat_jobs.import_upload,
        by=request.user,
        scope=scope,
        label=f"{verb} {name}",
        args=[str(path), scope.pk if scope else None, request.user.pk],
        kwargs={"period": period, "dry_run": dry_run, "file_name": name},
    )
    return redirect("jobs:detail", job.pk)


def _monitor_request(request, choices) -> tuple[Entity | None, Period | None]:
    """The place and period asked for (by their select's value), defaulting to the user's
    scope and the newest period with data; a place outside the scope is 404."""
    data = request.POST if request.method == "POST" else request.GET
    place = scope_for(request.user)
    wanted = data.get("scope", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("没有这个地区或园区")
        place = get_object_or_404(Entity.objects.restrict(request.user), pk=int(wanted))
    period = choices.periods[0] if choices.periods else None
    if data.get("period"):
        try:
            period = Period.parse(data["period"])
        except PeriodError as err:
            raise Http404(str(err)) from err
        if period.kind not in ("month", "quarter"):
            raise Http404("监测表按月或按季度")
    return place, period


def _monitor_title(done: services.Monitoring) -> str:
    """:attr:`services.Monitoring.title` in the page's language (the workbook keeps the
    Chinese): 福建省高新区主要指标月度监测表（2025年7月）."""
    values = {
        "subject": services.subject_text(done.scope, everywhere=pgettext("监测表标题", "高新区")),
        "period": period_text(done.period),
    }
    if done.period.kind == "quarter":
        return _("%(subject)s主要指标季度分析表（%(period)s）") % values
    return _("%(subject)s主要指标月度监测表（%(period)s）") % values


def _measure_heading(indicator, key: str) -> str:
    """A measure's heading over the monitoring table's column in the page's language; in
    Chinese the engine's own (:meth:`gaoxin.engine.monitor.MonitorTable.headers`: 累计（万元）)."""
    fixed = {
        "rank": _("排名（位）"),
        "rank_change": _("位次较上期（位）"),
        "rank_change_yoy": _("位次较上年同期（位）"),
        MISSING: _("缺报数（个）"),
    }
    if key in fixed:
        return fixed[key]
    measure = {"current": _("本期"), "cumulative": _("累计"), "yoy": _("累计同比")}[key]
    unit = "%" if key == "yoy" else indicator.unit  # an indicator's unit is data (万元)
    return _("%(measure)s（%(unit)s）") % {"measure": measure, "unit": unit}


def _monitor_rows(done: services.Monitoring) -> dict:
    """The table as the page draws it: per indicator its measures' headings (with units), then
    per zone its cells as printed (万元 with 2 decimals, % with 1, ranks)."""
    table = done.table
    kinds = table.kinds()[2:]
    keys = [key for key, _zh in MEASURES] + [MISSING]
    groups = [
        {
            "name": ind.zh,
            "span": len(keys),
            "measures": [_measure_heading(ind, key) for key in keys],
        }
        for ind in table.indicators
    ]
    body = table.frame.drop("is_total")
    rows = []
    for total, values in zip(table.frame["is_total"], body.iter_rows(), strict=True):
        cells = [cell_text(v, k) for v, k in zip(values[2:], kinds, strict=True)]
        name = _("合计") if total else values[1]
        rows.append({"total": total, "code": values[0], "name": name, "cells": cells})
    return {"groups": groups, "rows": rows}


@login_required
def monitor_page(request):
    """月监测/季分析: the table of a period over a place, both picked by name; who has not
    reported is listed above it; the workbook is made by a background job."""
    choices = services.monitor_choices(by=request.user)
    place, period = _monitor_request(request, choices)
    preview = preview_of(request)
    # the pickers' options as HTML built once in Python: a superuser's lists the country's ~400
    # places, which Django's template loop drew at ~10 ms a page (decision 048)
    places = [(e.pk, e.name) for e in choices.places]
    periods = [(str(p), period_text(p)) for p in choices.periods]
    context = {
        "choices": choices,
        "place": place,
        "period": period,
        "place_options": mark_safe(options_html(places, {str(getattr(place, "pk", ""))})),  # noqa: S308
        "period_options": mark_safe(options_html(periods, {str(period)})),  # noqa: S308
        **switch(request, preview),
    }
    if period is not None:
        try:
            done = services.monitor(period, place, by=request.user, preview=preview)
        except ProblemsError as err:
            if isinstance(err, Http404):
                raise
            context["refusal"] = "；".join(p.message for p in err.problems)
        else:
            # the table is drawn once per data version and scope (decision 048)
            context["done"] = done
            context["title"] = _monitor_title(done)
            # the zones left out, by where their returns stand: the terminal's and the
            # workbook's words (gaoxin.statistics.missing), dated today
            context["missing_groups"] = done.missing.groups() if done.missing else []
            context["table_html"] = page_data.rendered(
                "monitor_table",
                (getattr(place, "pk", None), str(period)),
                lambda: render_to_string("statistics/_monitor_table.html", _monitor_rows(done)),
                by=request.user,
                preview=preview,
            )
            from gaoxin.documents.services import issuing_pack

            # 下载公文: the 月度监测通报 / 季度分析报告 of the pack issuing for this place
            context["issuer"] = issuing_pack(place or scope_for(request.user))
    return render(request, "statistics/monitor.html", context)


@login_required
@require_POST
def monitor_download(request):
    """下载 Excel: start the monitoring workbook as a background job and go to its page."""
    choices = services.monitor_choices(by=request.user)
    place, period = _monitor_request(request, choices)
    if period is None:
        raise Http404("没有可生成监测表的期间")
    name = "季度分析表" if period.kind == "quarter" else "月度监测表"
    where = place.name if place is not None else "全部"
    job = jobs.start(
        stat_jobs.monitor_workbook,
        by=request.user,
        scope=place,
        label=f"生成 {where} {period.label()} {name}",
        args=[str(period), place.pk if place else None, request.user.pk],
    )
    return redirect("jobs:detail", job.pk)
