"""Pages of the task ledger (任务台账): thin faces over :mod:`gaoxin.policy.services`. A unit's
measures, one unit's share of a measure with its reports, a progress report with evidence
(decision 031). Every object outside the user's scope answers 404 (the services raise
``NotFound``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gaoxin.policy import services
from gaoxin.policy.choices import ProgressStatus
from gaoxin.policy.ledger import LedgerError
from gaoxin.services import scope_for

#: A unit files what it has done; 滞后 is what the ledger shows once the deadline passes, and a
#: unit may say so itself.
REPORTED = [(s.value, s.label) for s in ProgressStatus if s != ProgressStatus.NOT_STARTED]


LABELS = dict(ProgressStatus.choices)


def _labelled(rows):
    """Give each annotated assignment its status in words (``status_label``)."""
    for row in rows:
        row.status_label = LABELS[row.status]
    return rows


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label=_("进展状态"), choices=REPORTED, widget=forms.RadioSelect, initial="in_progress"
    )
    note = forms.CharField(
        label=_("进展说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("做了什么、完成到什么程度、下一步安排"),
    )


@login_required
def ledger_index(request):
    """The units the user may see: their own first (they report for them), then the units of
    their scope with how many measures are 滞后."""
    units = services.ledger_units(by=request.user)
    mine = [u for u in units if u.mine]
    others = [u for u in units if not u.mine]
    unlinked = (
        services.unlinked_units(by=request.user)
        if request.user.is_superuser or request.user.has_perm("policy.add_unitlink")
        else []
    )
    from gaoxin.documents.services import issuing_pack

    # 下载公文: the 任务落实进展情况通报 of the pack issuing for the user's region, this year
    issuer = issuing_pack(scope_for(request.user))
    return render(
        request,
        "policy/ledger_index.html",
        {
            "others": others,
            "mine": mine,
            "unlinked": unlinked,
            "issuer": issuer,
            "year": timezone.localdate().year,
        },
    )


@login_required
def late_page(request):
    """The supervisors' list: 滞后 shares in the user's scope, by unit and by document."""
    late = services.late_tasks(by=request.user, page=request.GET.get("page", 1))
    _labelled(late.tasks)
    return render(request, "policy/late.html", {"late": late, "page": late.page})


@login_required
def unit_page(request, pk: int):
    """One unit's measures, lead and participating, with deadline and status, a page at a
    time; ``?status=`` keeps one status (an unknown one shows them all)."""
    tasks = services.unit_tasks(
        pk, by=request.user, status=request.GET.get("status"), page=request.GET.get("page", 1)
    )
    _labelled(tasks.assignments)
    statuses = [
        {"code": code, "label": label, "count": tasks.counts[code]}
        for code, label in ProgressStatus.choices
    ]
    return render(
        request,
        "policy/unit.html",
        {
            "t": tasks,
            "statuses": statuses,
            "page": tasks.page,
            # the pager's links keep the filter
            "query": urlencode({"status": tasks.status}) if tasks.status else "",
        },
    )


@login_required
def task_page(request, pk: int):
    """One unit's share of a measure: the text, the units, the reports; POST files a report."""
    form = ProgressForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not services.task_detail(pk, by=request.user).can_report:
            raise Http404("找不到此任务")
        if form.is_valid():
            try:
                services.report_task_progress(
                    pk,
                    form.cleaned_data["status"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                    files=request.FILES.getlist("evidence"),
                )
            except LedgerError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, gettext("进展已报送。"))
                return redirect("policy:task", pk)
        status = 422
    detail = services.task_detail(pk, by=request.user)
    _labelled([detail.assignment, *detail.others])
    return render(
        request,
        "policy/task.html",
        {
            "d": detail,
            "form": form if detail.can_report else None,
            "max_mb": services.EVIDENCE_MAX_BYTES // 1048576,
            "max_files": services.EVIDENCE_MAX_FILES,
            "accept": ",".join(services.EVIDENCE_TYPES),
        },
        status=status,
    )


@login_required
def evidence_download(request, pk: int):
    """An evidence file, to a user who may see its report."""
    evidence = services.evidence_file(pk, by=request.user)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


class ReminderForm(forms.Form):
    text = forms.CharField(
        label=_("督办内容"),
        max_length=services.REMINDER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请说明要求：何时前报送进展、需要补充什么材料"),
        error_messages={"required": _("请填写督办内容")},
    )


@login_required
def remind_page(request, pk: int):
    """Send a 督办 reminder to the unit of a share: a supervisor (province, city) only."""
    a = services.task_detail(pk, by=request.user)
    if not a.can_remind:
        raise Http404("找不到此任务")
    form = ReminderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.send_reminder(pk, form.cleaned_data["text"], by=request.user)
            except LedgerError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, gettext("督办已发送，该单位在本单位页面上可以看到。"))
                return redirect("policy:task", pk)
        status = 422
    _labelled([a.assignment])
    return render(request, "policy/remind.html", {"a": a.assignment, "form": form}, status=status)


class LinkForm(forms.Form):
    entity = forms.ModelChoiceField(
        label=_("对应主体"),
        queryset=None,
        help_text=_("文件适用范围内的行政区或高新区；省直部门关联到省，市直部门关联到市"),
        error_messages={
            "required": _("请选择对应主体"),
            "invalid_choice": _("只能选择文件适用范围内的行政区或高新区"),
        },
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, candidates, suggested, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["entity"]
        field.queryset = candidates
        first = [e.pk for e in suggested]
        rest = [e for e in candidates if e.pk not in first]
        field.choices = [
            ("", _("请选择")),
            *[(e.pk, e.name) for e in suggested],
            *[(e.pk, e.name) for e in rest],
        ]


@login_required
def links_page(request):
    """单位关联: the units nobody has linked yet, then the linked ones (province admin)."""
    unlinked = services.unlinked_units(by=request.user)
    return render(
        request,
        "policy/links.html",
        {"unlinked": unlinked, "linked": services.linked_units(by=request.user)},
    )


@login_required
def link_page(request, pk: int):
    """One unit of the alias table: pick its entity; every link is kept in its history."""
    page = services.unit_link_page(pk, by=request.user)
    form = LinkForm(
        request.POST or None,
        candidates=services.link_candidates(page.unit),
        suggested=page.suggested,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.link_responsible_unit(
                    pk,
                    form.cleaned_data["entity"].pk,
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
            except LedgerError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, gettext("已关联，该主体的用户可以为此单位报送进展。"))
                return redirect("policy:link", pk)
        status = 422
    return render(request, "policy/link.html", {"p": page, "form": form}, status=status)


class TargetsForm(forms.Form):
    pack = forms.ChoiceField(label=_("政策文件"), help_text=_("查看哪份政策文件的发展目标"))

    def __init__(self, *args, **kwargs):
        from gaoxin.policy.packs import page_packs

        super().__init__(*args, **kwargs)
        self.fields["pack"].choices = [("", _("请选择")), *page_packs("targets")]


#: The engine's words for a target's status and scope (gaoxin.engine.targets.STATUS_ZH,
#: SCOPE_ZH), listed for the catalogue: the pages show them with {% translate %} (decision 035).
TARGET_WORDS = (
    gettext_noop("超出区间"),
    gettext_noop("已实现"),
    gettext_noop("进度正常"),
    gettext_noop("有风险"),
    gettext_noop("滞后"),
    gettext_noop("无法判断"),
    gettext_noop("无法计算"),
    gettext_noop("全辖区"),
    gettext_noop("每个高新区"),
    gettext_noop("每个设区市"),
)
#: The words the engine's target notes translate whole through the page's gettext: the levels
#: (LEVEL_ZH), 全国 and NO_DATA, listed for the catalogue.
NOTE_WORDS = (
    gettext_noop("企业"),
    gettext_noop("机构"),
    gettext_noop("高新区"),
    gettext_noop("设区市"),
    gettext_noop("省"),
    gettext_noop("全国"),
    gettext_noop("辖区内没有该指标的数据"),
)

#: How each status (gaoxin.engine.targets.STATUS_ZH) looks: the worrying ones stand out.
STATUS_TAGS = {
    "滞后": "tag-error",
    "有风险": "tag-warn",
    "超出区间": "tag-warn",
    "已实现": "tag-ok",
    "进度正常": "tag-ok",
}


@login_required
def targets_page(request):
    """发展目标进度: a pack's targets over the user's part of its region — baseline, latest value,
    target, progress, the trend's projection to each deadline and the status
    (:func:`gaoxin.policy.services.target_progress`)."""
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.policy.packs import find_pack, user_pack_scope
    from gaoxin.services import OutOfScope

    form = TargetsForm(request.GET or None)
    progress, problems = None, []
    if request.GET and form.is_valid():
        loaded = find_pack(form.cleaned_data["pack"])
        try:
            scope = user_pack_scope(request.user, loaded.spec.region)
            progress = services.target_progress(loaded, scope, by=request.user, gettext=gettext)
        except OutOfScope as e:
            form.add_error("pack", e.message)
        except ProblemsError as e:
            problems = e.problems
    context: dict = {"form": form, "progress": progress, "problems": problems}
    if progress is not None:
        context["title"] = progress.heading(gettext)
        rows = progress.table.to_dicts()
        for r in rows:
            r["tag"] = STATUS_TAGS.get(r["状态"], "")
        deadlines = sorted({r["期限"] for r in rows if r["期限"] is not None})
        measured = [r for r in rows if r["进度"] is not None]
        context.update(
            chart=_progress_chart(measured) if measured else None,
            rows=rows,
            deadlines=deadlines,
            projections=[
                {
                    "target": r["目标"],
                    "scope": r["范围"],
                    "goal": r["目标值"],
                    "cells": [r["预测"] if r["期限"] == d else None for d in deadlines],
                }
                for r in rows
                if r["预测"] is not None
            ],
        )
    return render(request, "policy/targets.html", context)


def _progress_chart(rows: list[dict]):
    """Each measured target's progress from its baseline towards its goal, in %: one bar per
    target (the numbers again under 查看数据), drawn by the dashboards' chart component."""
    from gaoxin.dashboards.charts import Chart, Series

    return Chart(
        key="target-progress",
        title=gettext("各目标完成进度"),
        kind="hbar",
        unit="%",
        categories=[
            r["目标"] if r["范围"] == "全辖区" else f"{r['目标']}（{gettext(r['范围'])}）"
            for r in rows
        ],
        series=[Series(gettext("进度"), [round(100 * r["进度"], 1) for r in rows])],
        category_heading=gettext("目标"),
        note=gettext("进度 = (现值 − 基期值) ÷ (目标值 − 基期值)；预测值见下表。"),
    )
