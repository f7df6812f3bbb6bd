"""Pages of the task ledger (任务台账): thin faces over :mod:`gaoxin.policy.services`. A unit's
measures, one unit's share of a measure with its reports, a progress report with evidence
(decision 031). Every object outside the user's scope answers 404 (the services raise
``NotFound``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from gaoxin.policy import services
from gaoxin.policy.choices import ProgressStatus
from gaoxin.policy.ledger import LedgerError

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
        label="进展状态", choices=REPORTED, widget=forms.RadioSelect, initial="in_progress"
    )
    note = forms.CharField(
        label="进展说明",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="做了什么、完成到什么程度、下一步安排",
    )


@login_required
def ledger_index(request):
    """The units the user may see: their own first (they report for them), then the units of
    their scope with how many measures are 滞后."""
    units = services.ledger_units(by=request.user)
    mine = [u for u in units if u.mine]
    unlinked = services.unlinked_units() if request.user.is_superuser else []
    return render(
        request,
        "policy/ledger_index.html",
        {"units": units, "mine": mine, "unlinked": unlinked},
    )


@login_required
def late_page(request):
    """The supervisors' list: 滞后 shares in the user's scope, by unit and by document."""
    late = services.late_tasks(by=request.user)
    _labelled(late.tasks)
    return render(request, "policy/late.html", {"late": late})


@login_required
def unit_page(request, pk: int):
    """One unit's measures, lead and participating, with deadline and status."""
    tasks = services.unit_tasks(pk, by=request.user)
    _labelled(tasks.assignments)
    return render(request, "policy/unit.html", {"t": tasks})


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
                messages.success(request, "进展已报送。")
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
