"""Pages of dynamic management (动态管理案件, decision 042): thin faces over
:mod:`gaoxin.cases.services`. The list (filters: state, overdue), a case with its timeline and
the forms of the moves the user may make now (plan, evidence, reviews). Every case outside the
user's scope answers 404 (the services raise ``NotFound``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaoxin.cases import services
from gaoxin.cases.models import CaseFile, CaseState
from gaoxin.policy.titles import action_title, pack_title, rule_title
from gaoxin.services import NotFound

PAGE = 50


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *CaseState.choices]
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)


class MoveForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), choices=[], widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("内容"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, moves, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(t.action, t.label) for t in moves]


@login_required
def case_list(request):
    """The cases of the user's scope, newest first, with state and overdue filters."""
    form = FilterForm(request.GET or None)
    state, overdue = "", False
    if form.is_valid():
        state, overdue = form.cleaned_data["state"], form.cleaned_data["overdue"]
    today = timezone.localdate()
    qs = services.listing(request.user, state=state, overdue=overdue, today=today)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    rows = list(page)
    for c in rows:
        c.action_text = action_title(c.action)
        c.overdue_now = c.is_overdue(today)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    context = {"form": form, "rows": rows, "page": page, "query": query}
    return render(request, "cases/list.html", context)


def _detail(request, pk, form=None, status=200):
    case = services.get_case(pk, by=request.user)
    moves = services.available(request.user, case)
    events = list(case.events.select_related("by").prefetch_related("files"))
    for e in events:
        e.label = services.event_label(e.action)
    context = {
        "case": case,
        "action_text": action_title(case.action),
        "pack_text": pack_title(case.pack),
        "rule_text": rule_title(case.pack, case.rule),
        "overdue": case.is_overdue(),
        "events": events,
        "moves": moves,
        "form": form or MoveForm(moves),
        "accept": ",".join(services.FILE_SUFFIXES),
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    """One case: the decision and its article, the deadline, the timeline; POST makes a move."""
    if request.method != "POST":
        return _detail(request, pk)
    case = services.get_case(pk, by=request.user)
    form = MoveForm(services.available(request.user, case), request.POST)
    if form.is_valid():
        uploads = [services.Upload(f.name, f.read()) for f in request.FILES.getlist("files")]
        try:
            event = services.move(
                pk,
                form.cleaned_data["action"],
                by=request.user,
                text=form.cleaned_data["text"],
                files=uploads,
            )
        except services.Refused as refused:
            for p in refused.problems:
                field = p.column if p.column in ("text",) else None
                form.add_error(field, p.message)
        else:
            messages.success(
                request,
                gettext("已完成「%(action)s」。") % {"action": services.event_label(event.action)},
            )
            return redirect("cases:detail", pk)
    return _detail(request, pk, form, status=422)


@login_required
def case_file(request, pk: int):
    """A file of a case, to a user who may see the case."""
    found = CaseFile.objects.restrict(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("没有找到该文件，或不在您的数据范围内"))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)
