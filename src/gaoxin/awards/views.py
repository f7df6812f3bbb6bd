"""Award pages: the ledger as published (approved entries of the user's scope, amounts in 万元,
rules by name), one entry with its explanation, and the review of pending entries by a province
reviewer (gaoxin.reviews; decision 026); 测算奖补 (a dry run as a background job, its would-be
entries, then recorded by a province admin; decision 033) and 免申即享 lists. Everything shown
comes from gaoxin.awards.services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gaoxin.accounts.roles import Action, can
from gaoxin.awards import services
from gaoxin.awards.forms import PackYearForm, TrialForm
from gaoxin.awards.models import AwardEntry
from gaoxin.awards.services import wan_text
from gaoxin.engine.problems import ProblemsError, first_shown, more_text
from gaoxin.jobs.models import Job
from gaoxin.policy.titles import action_title, pack_title, rule_title
from gaoxin.reviews import may_review
from gaoxin.web import review_pages, uploads

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
            action=action_title(e.action),
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
    # 下载公文: the 分配方案 and its 公示 of one pack and year, when the filter names both and the
    # pack issues documents (decision 045)
    from gaoxin.documents.services import issues

    chosen = context["chosen"]
    issuer = chosen["pack"] if len(chosen) == 2 and issues(chosen["pack"]) else None
    return render(
        request,
        "awards/ledger.html",
        {
            **context,
            "reviewer": may_review(request.user),
            "may_try": may_try(request.user),
            "issuer": issuer,
        },
    )


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
    explanation = services.explain(entry.pk, by=request.user)
    return render(
        request,
        "awards/entry.html",
        {
            "row": rows([entry])[0],
            "ex": explanation,
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


# ---------------------------------------------------------------------------------------------
# 测算奖补: a dry run as a background job, its would-be entries, then recorded (decision 033)

DECIDE_JOB = "gaoxin.awards.jobs.decide_job"


def may_try(user) -> bool:
    """Who may run a trial: the roles that 运行评价与奖补测算 (docs/permissions.md)."""
    return can(user, Action.RUN)


def _start_decision(
    request, pack: str, period: str, scope, *, dry_run: bool, inputs: str | None = None
) -> Job:
    from gaoxin.awards.jobs import decide_job
    from gaoxin.jobs.services import start

    verb = "测算" if dry_run else "核定"
    given = f"，输入：{Path(inputs).name}" if inputs else ""
    return start(
        decide_job,
        by=request.user,
        scope=scope,
        label=f"{verb}奖补：{pack_title(pack)} {period}年（{scope.name if scope else '全国'}{given}）",
        args=[pack, period, scope.pk if scope else None],
        kwargs={
            "user_id": request.user.pk,
            "dry_run": dry_run,
            **({"inputs": inputs} if inputs else {}),
        },
    )


def _packs_with_inputs() -> list[dict]:
    """The packs of the form whose rules read inputs the user supplies, with those inputs."""
    from gaoxin.awards.workbook import input_header
    from gaoxin.policy.packs import find_pack, page_packs

    out = []
    for pack, title in page_packs("rules"):
        needed = services.supplied_needed(find_pack(pack))
        if needed:
            out.append({"pack": pack, "title": title, "inputs": [input_header(i) for i in needed]})
    return out


@login_required
def trial_start(request):
    """测算奖补: pick a pack and a year and, when its rules read inputs the user supplies, the
    file of those inputs; the file is read and checked here (a bad one is refused on the form,
    nothing started), and the dry run starts as a background job over the user's part of the
    pack's region, the user landing on the job's page."""
    from gaoxin.policy.packs import find_pack, user_pack_scope
    from gaoxin.services import OutOfScope

    if not may_try(request.user):
        raise PermissionDenied("只有省级管理员和系统管理员可以测算奖补")
    form = TrialForm(request.POST or None, request.FILES or None)
    problems: list = []
    more = 0
    if request.method == "POST" and form.is_valid():
        pack, period = form.cleaned_data["pack"], form.cleaned_data["period"]
        loaded = find_pack(pack)
        file = form.cleaned_data.get("inputs")
        try:
            scope = user_pack_scope(request.user, loaded.spec.region)
        except OutOfScope as e:
            form.add_error("pack", e.message)
        else:
            kept = None
            if file is not None and (refusal := uploads.refusal(file, "上传")):
                form.add_error("inputs", refusal)
            elif file is not None:
                try:
                    services.supplied_inputs(loaded, file.read(), scope, name=Path(file.name).name)
                except ProblemsError as e:
                    problems, more = first_shown(e.problems)
                else:
                    # the job and a later 记入台账 read it (the trial page names it)
                    kept = str(uploads.keep(file, "awards-inputs"))
            if not form.errors and not problems:
                job = _start_decision(request, pack, str(period), scope, dry_run=True, inputs=kept)
                return redirect("jobs:detail", job.pk)
    return render(
        request,
        "awards/trial_start.html",
        {
            "form": form,
            "problems": problems,
            "problems_more": more_text(more),
            "with_inputs": _packs_with_inputs(),
        },
        status=422 if problems or form.has_error("inputs") else 200,
    )


@login_required
def inputs_template(request, pack: str):
    """The template of ``pack``'s supplied inputs over the user's part of its region: one row
    per entity of the inputs' levels, one column per input (decision 082)."""
    from gaoxin.awards.workbook import write_inputs_template
    from gaoxin.policy.packs import find_pack, page_packs, user_pack_scope
    from gaoxin.services import OutOfScope

    if not may_try(request.user):
        raise PermissionDenied("只有省级管理员和系统管理员可以测算奖补")
    if pack not in dict(page_packs("rules")):
        raise Http404("没有这个政策文件")
    loaded = find_pack(pack)
    try:
        scope = user_pack_scope(request.user, loaded.spec.region)
    except OutOfScope as e:
        raise PermissionDenied(e.message) from None
    template = services.inputs_template(loaded, scope, by=request.user)
    if not template.inputs:
        raise Http404("该政策文件的条款不需要用户提供数据")
    name = f"用户提供输入模板_{pack}.xlsx"
    where = scope.name if scope is not None else "全国"
    title = f"{pack_title(pack)} 用户提供的输入（{where}）"
    return _workbook(name, lambda path: write_inputs_template(template, path, title=title))


def _trial_job(request, pk) -> Job:
    job = get_object_or_404(
        Job.objects.visible_to(request.user).select_related("scope"), pk=pk, kind=DECIDE_JOB
    )
    if not job.arguments.get("kwargs", {}).get("dry_run") or job.result_data is None:
        raise Http404("没有这次测算的结果")
    return job


@dataclass(frozen=True)
class TrialRow:
    name: str
    rule: str
    article: str
    amount: str
    action: str
    caps: str
    text: str


@login_required
def trial(request, pk):
    """The would-be entries of a dry run, in 万元, with totals by article and funding line."""
    from gaoxin.policy.packs import find_pack

    job = _trial_job(request, pk)
    data = job.result_data
    pack = data["pack"]
    spec = find_pack(pack).spec
    lines = [
        TrialRow(
            name=r["name"] or "",
            rule=rule_title(pack, r["rule"]),
            article=r["article"] or "",
            amount=wan_text(r["amount_fen"]),
            action=action_title(r["action"] or ""),
            caps=services.cap_labels(r["capped_by"], r["rule"], spec),
            text=r["text"] or "",
        )
        for r in data["ledger"]
    ]
    by_rule = [
        {**t, "amount": wan_text(t["amount_fen"]) if t["amount_fen"] is not None else ""}
        for t in data["totals"]["by_rule"]
    ]
    by_budget = [{**t, "amount": wan_text(t["amount_fen"])} for t in data["totals"]["by_budget"]]
    return render(
        request,
        "awards/trial.html",
        {
            "job": job,
            "pack_title": pack_title(pack),
            "period": data["period"],
            "lines": lines,
            "by_rule": by_rule,
            "by_budget": by_budget,
            "total": wan_text(data["totals"]["total"][0]["amount_fen"]),
            "undetermined": len(data["undetermined"]),
            "missing": [
                {**m, "rule": rule_title(pack, m["rule"])} for m in data.get("missing", [])
            ],
            "can_record": can(request.user, Action.RUN),
        },
    )


@login_required
def trial_pending(request, pk):
    """The trial's working file 待补数据 (汇总 per rule and missing input, 明细 per entity),
    written from what the trial kept; only for a trial that left rows undetermined."""
    from gaoxin.awards.workbook import working_path, write_working_xlsx

    job = _trial_job(request, pk)
    data = job.result_data
    if not data.get("undetermined"):
        raise Http404("这次测算没有待补数据")
    decision = services.trial_decision(data, job.scope, by=request.user)
    name = working_path(Path(f"奖补测算_{data['pack']}_{data['period']}.xlsx")).name
    return _workbook(name, lambda path: write_working_xlsx(decision, path))


def _workbook(name: str, write: Callable[[Path], object]) -> FileResponse:
    """A workbook ``write`` makes at the path it is given, sent as ``name``: written in a
    temporary folder that goes once it is read, so that no download leaves a file behind."""
    with TemporaryDirectory(prefix="gaoxin-awards-") as folder:
        path = Path(folder) / name
        write(path)
        data = BytesIO(path.read_bytes())
    return FileResponse(data, as_attachment=True, filename=name)


@login_required
@require_POST
def trial_record(request, pk):
    """记入台账: decide again, recording, over the trial's pack, year, scope and inputs file (a
    trial whose file is gone is not recorded without it: the page asks for a new trial)."""
    job = _trial_job(request, pk)
    if not can(request.user, Action.RUN):
        raise PermissionDenied("只有省级管理员和系统管理员可以将测算结果记入台账")
    if job.inputs_name and job.inputs_file is None:
        return redirect("awards:trial", job.pk)
    pack, period, _scope_id = job.arguments["args"]
    inputs = job.arguments.get("kwargs", {}).get("inputs")
    recording = _start_decision(request, pack, period, job.scope, dry_run=False, inputs=inputs)
    return redirect("jobs:detail", recording.pk)


@login_required
def eligible(request):
    """免申即享: who qualifies under a pack's rules for a year, from the data already held, and
    who might with the data still missing."""
    from gaoxin.policy.packs import find_pack, user_pack_scope
    from gaoxin.services import OutOfScope

    form = PackYearForm(request.GET or None)
    found, problems = None, []
    if request.GET and form.is_valid():
        loaded = find_pack(form.cleaned_data["pack"])
        try:
            scope = user_pack_scope(request.user, loaded.spec.region)
            found = services.eligible(loaded, form.cleaned_data["period"], scope, by=request.user)
        except OutOfScope as e:
            form.add_error("pack", e.message)
        except ProblemsError as e:
            problems = e.problems
    context = {"form": form, "found": found, "problems": problems}
    if found is not None:
        titles = found.titles
        context["qualified"] = [
            {
                "name": found.names.get(r["entity"], ""),
                "rule": titles.get(r["rule"], r["rule"]),
                "amount": wan_text(r["amount_fen"]) if r["outcome"] == "money" else "",
                "action": action_title(r["action"] or ""),
            }
            for r in found.qualified.to_dicts()
        ]
        context["possible"] = [
            {
                "name": found.names.get(r["entity"], ""),
                "rule": titles.get(r["rule"], r["rule"]),
                "missing": r["missing_labels"],
            }
            for r in found.possible.to_dicts()
        ]
        context["waiting"] = [titles.get(r, r) for r in found.waiting]
        context["skipped"] = [titles.get(r, r) for r in found.skipped]
    return render(request, "awards/eligible.html", context)
