"""Start a service function as a background job, report its progress, keep its result.

The function is an ordinary application service face: module level, JSON-serialisable
arguments (ids, codes, period strings; it turns them into typed values itself), a keyword
argument ``progress``, and a return value of :class:`Outcome` (or a plain summary string,
or None). It runs in `gaoxin worker` (the database queue) in production and in `make run`,
and at once, in the caller, under the test suite's immediate backend.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from gaoxin.services import check_scope

# Messages are stored in Chinese and shown through {% translate job.message %}: a fixed message
# or step name is marked with gettext_noop so that the catalogue has it (decision 035); so are a
# fixed summary and the result page's link text ({% translate job.summary %}, job.result_link).
QUEUED_MESSAGE = gettext_noop("等待后台任务进程处理")
FAILED_MESSAGE = gettext_noop("任务出错，未能完成。错误详情已记入后台任务记录，请联系系统管理员。")
INTERRUPTED_MESSAGE = gettext_noop("任务中断：执行它的后台任务进程已停止，任务没有完成")
STALE_MESSAGE = "任务中断：超过 {minutes} 分钟没有进展，执行它的后台任务进程可能已停止"
NEVER_RAN_MESSAGE = "任务中断：排队超过 {minutes} 分钟仍未开始，后台任务进程可能没有运行"
INTERRUPTED_SUMMARY = gettext_noop(
    "未完成的部分不会生效（导入全有或全无，中断时未写入任何数据）。请重新提交；"
    "如果再次中断，请联系系统管理员检查后台任务进程（gaoxin worker）。"
)


@dataclass(frozen=True)
class Outcome:
    """What a job gives back: a summary in Chinese and, optionally, a file it wrote (moved
    into the data directory's media/jobs/ and offered for download as ``filename``), the
    page where its result is read (``url``, the link saying ``url_label``), and the warnings a
    person should read (listed like a refusal's problems)."""

    summary: str
    file: Path | None = None
    filename: str | None = None
    #: a page that shows the result (an evaluation run's ranking), linked from the job's page
    url: str | None = None
    url_label: str | None = None
    #: a small JSON-ready result that page reads (an award trial's would-be entries)
    data: dict[str, Any] | None = None
    problems: Sequence[Problem] = ()


class Refused(ProblemsError):
    """A job's refusal with a one-line summary above its problem list (an import's
    「已拒绝（未写入），发现 3 个错误…」)."""

    def __init__(self, problems, summary: str = "") -> None:
        super().__init__(problems)
        self.summary = summary


def problem_row(p: Problem) -> dict[str, Any]:
    """A problem as a job's page lists it (JSON on the job's row): level, file, sheet, row,
    the cells' columns (``extra["columns"]`` when the problem is about several cells, as a
    rule across variables is), value and reason."""
    columns = p.extra.get("columns") or ([p.column] if p.column else [])
    return {
        "error": p.severity == "error",
        "file": p.file or "",
        "sheet": p.sheet or "",
        "row": p.row,
        "columns": [str(c) for c in columns],
        "value": "" if p.value is None else str(p.value),
        "message": p.message,
    }


def start(
    function: Callable[..., Any],
    *,
    by: Any,
    label: str,
    scope: Any = None,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
) -> Job:
    """Record a job for ``function(*args, **kwargs, progress=...)`` started by user ``by``
    over ``scope`` (an Entity, None for the whole store) and put it in the queue. ``label``
    names it for people (如「生成 2025年12月 月监测表」). Refuses (OutOfScope) a scope outside
    ``by``'s; a function or arguments the queue cannot carry are a programming error."""
    check_scope(by, scope)
    kind = f"{function.__module__}.{function.__qualname__}"
    if import_string(kind) is not function:
        raise TypeError(f"{kind}: a job runs a module-level function, found by its path")
    arguments = {"args": list(args), "kwargs": dict(kwargs or {})}
    json.dumps(arguments)  # the queue stores JSON: fail here, not in the worker
    job = Job.objects.create(
        kind=kind,
        label=label,
        started_by=by,
        scope=scope,
        arguments=arguments,
        message=QUEUED_MESSAGE,
    )
    from gaoxin.jobs.tasks import run_job

    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


class Progress:
    """The ``progress`` callable a job's function is given: ``progress(step)`` names the step
    now running; ``progress(step, done, total)`` also says how far it is. Writes the job's
    row when the step changes, at the end, and otherwise once per 1/``resolution`` of the
    total, so that a function may report every row without flooding the database.

    Inside the function's own transaction (an all-or-nothing import) the row is written in
    that transaction and shows when it commits; report the steps before and after it.

    Every write is also the job's heartbeat (``heartbeat_at``): a job silent for
    ``settings.JOB_STALE_MINUTES`` is taken for dead (:func:`interrupt_stale`), so a function
    reports progress at least that often, and a skipped call writes anyway after 30 s."""

    def __init__(self, job_id: Any, resolution: int = 100) -> None:
        self.job_id = job_id
        self.resolution = resolution
        self.step: str | None = None
        self.total: int | None = None
        self.written = -1
        self.beat: dt.datetime | None = None

    #: A call that would otherwise be skipped still writes (the heartbeat) after this long.
    HEARTBEAT = dt.timedelta(seconds=30)

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        same = step == self.step and total == self.total
        small = done is not None and total and 0 <= done < total
        now = timezone.now()
        recent = self.beat is not None and now - self.beat < self.HEARTBEAT
        if same and small and recent and (done - self.written) * self.resolution < total:
            return
        self.beat = now
        fields: dict[str, Any] = {"message": step[:500], "heartbeat_at": now}
        if done is not None:
            fields.update(done=max(0, done), total=total)
            self.written = done
        elif step != self.step:
            fields.update(done=0, total=None)  # a new step without counts: indeterminate
            self.written = -1
        self.step, self.total = step, total
        Job.objects.filter(pk=self.job_id).update(**fields)


def run(job_id: str) -> None:
    """Run the job (the task the queue executes): its function with its arguments and a
    :class:`Progress`; then its outcome, or why it did not finish, on the job's row."""
    job = Job.objects.get(pk=job_id)
    if job.finished:  # a retried task whose job already ended, or one marked 中断
        return
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=worker_name(),
        message=gettext_noop("开始执行"),
    )
    try:
        function = import_string(job.kind)
        outcome = function(
            *job.arguments.get("args", []),
            progress=Progress(job.pk),
            **job.arguments.get("kwargs", {}),
        )
    except ProblemsError as e:  # refused with reasons a person can act on
        rows = [problem_row(p) for p in e.problems]
        errors = sum(row["error"] for row in rows) or len(rows)
        _finish(
            job,
            JobState.FAILED,
            f"发现 {errors} 个问题，请修正后重新提交",
            getattr(e, "summary", ""),
            problems=rows,
        )
        return
    except Exception:
        _finish(job, JobState.FAILED, FAILED_MESSAGE, "")
        raise  # the queue keeps the traceback for the administrator
    fields: dict[str, Any] = {}
    if isinstance(outcome, Outcome):
        summary, file, filename = outcome.summary, outcome.file, outcome.filename
        if outcome.url:
            fields.update(
                result_url=outcome.url, result_link=outcome.url_label or gettext_noop("查看结果")
            )
        if outcome.data is not None:
            fields["result_data"] = outcome.data
    else:
        summary, file, filename = ("" if outcome is None else str(outcome)), None, None
    if isinstance(outcome, Outcome) and outcome.problems:
        fields["problems"] = [problem_row(p) for p in outcome.problems]
    if file is not None:
        name = filename or Path(file).name
        with open(file, "rb") as handle:
            job.result_file.save(name, File(handle), save=False)
        Path(file).unlink(missing_ok=True)  # moved: the job's copy is the one kept
        fields.update(result_file=job.result_file.name, result_name=name)
    total = Job.objects.filter(pk=job.pk).values_list("total", flat=True).get()
    if total:
        fields["done"] = total
    _finish(job, JobState.SUCCEEDED, "", summary, **fields)


def _finish(job: Job, state: str, message: str, summary: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=state, message=message, summary=summary, finished_at=timezone.now(), **fields
    )


def worker_name() -> str:
    """This process as a job records who runs it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(worker: str) -> bool:
    """Whether the process ``host:pid`` is known to have ended: only a process of this host
    can be asked; another host's is judged by the heartbeat alone."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, run by another user
        return False
    return False


def interrupt_stale(jobs=None, *, now: dt.datetime | None = None) -> int:
    """Mark 中断 the unfinished jobs (of ``jobs``, default all) whose worker died: a running
    job whose process on this host is gone, or any queued or running job without a heartbeat
    for ``settings.JOB_STALE_MINUTES`` (decision 032). Called when a job's page or the job
    list is read and when `gaoxin worker` starts; returns how many were marked."""
    now = now or timezone.now()
    minutes = settings.JOB_STALE_MINUTES
    cutoff = now - dt.timedelta(minutes=minutes)
    base = (jobs if jobs is not None else Job.objects.all()).filter(
        state__in=[JobState.QUEUED, JobState.RUNNING]
    )
    marked = 0
    running = base.filter(state=JobState.RUNNING).exclude(worker="")
    for pk, worker in running.values_list("pk", "worker"):
        if _gone(worker):
            marked += _interrupt(pk, INTERRUPTED_MESSAGE, now)
    stale = base.filter(
        Q(state=JobState.RUNNING, heartbeat_at__lt=cutoff)
        | Q(state=JobState.RUNNING, heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    for pk in stale.values_list("pk", flat=True):
        marked += _interrupt(pk, STALE_MESSAGE.format(minutes=minutes), now)
    never = base.filter(state=JobState.QUEUED, created_at__lt=cutoff)
    for pk in never.values_list("pk", flat=True):
        marked += _interrupt(pk, NEVER_RAN_MESSAGE.format(minutes=minutes), now)
    return marked


def _interrupt(pk: Any, message: str, now: dt.datetime) -> int:
    """Mark one job 中断 unless it ended meanwhile (the state is checked in the update)."""
    return Job.objects.filter(pk=pk, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
        state=JobState.INTERRUPTED, message=message, summary=INTERRUPTED_SUMMARY, finished_at=now
    )
