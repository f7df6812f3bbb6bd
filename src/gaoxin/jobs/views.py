"""A job's page: its progress while it runs (htmx polls it), then its result and file, and the
user's file it read (a trial's inputs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from gaoxin.jobs.models import Job
from gaoxin.jobs.services import interrupt_stale

POLL_SECONDS = 2
RECENT = 50


def _job(request, pk) -> Job:
    """The job, if the requesting user started it and it lies in their scope; else 404. One
    whose worker died is marked 中断 first (decision 032)."""
    interrupt_stale(Job.objects.visible_to(request.user).filter(pk=pk))
    return get_object_or_404(
        Job.objects.visible_to(request.user).select_related("scope", "started_by"), pk=pk
    )


@login_required
def index(request):
    """The user's own recent jobs, newest first (those whose worker died marked 中断)."""
    interrupt_stale(Job.objects.visible_to(request.user))
    jobs = Job.objects.visible_to(request.user).select_related("scope")[:RECENT]
    return render(request, "jobs/index.html", {"jobs": jobs, "recent": RECENT})


@login_required
def detail(request, pk):
    job = _job(request, pk)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job, "poll_seconds": POLL_SECONDS})


@login_required
def download(request, pk):
    job = _job(request, pk)
    if not job.result_file:
        raise Http404("此任务没有结果文件")
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_name or job.result_file.name.rsplit("/", 1)[-1],
    )


@login_required
def inputs(request, pk):
    """The user's file the job read (a trial's or a recording's inputs, decision 082), under the
    job's own access: 404 to whoever cannot see the job, and once the file is gone."""
    path = _job(request, pk).inputs_file
    if path is None:
        raise Http404("此任务没有保留的输入文件")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
