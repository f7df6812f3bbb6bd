"""Start a service function as a background job, report its progress, keep its result.

The function is an ordinary application service face: module level, JSON-serialisable
arguments (ids, codes, period strings; it turns them into typed values itself), a keyword
argument ``progress``, and a return value of :class:`Outcome` (or a plain summary string,
or None). It runs in `gaoxin worker` (the database queue) in production and in `make run`,
and at once, in the caller, under the test suite's immediate backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.utils import timezone
from django.utils.module_loading import import_string

from gaoxin.engine.problems import ProblemsError
from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from gaoxin.services import check_scope

QUEUED_MESSAGE = "等待后台任务进程处理"
FAILED_MESSAGE = "任务出错，未能完成。错误详情已记入后台任务记录，请联系系统管理员。"


@dataclass(frozen=True)
class Outcome:
    """What a job gives back: a summary in Chinese and, optionally, a file it wrote (moved
    into the data directory's media/jobs/ and offered for download as ``filename``) and the
    page where its result is read (``url``, the link saying ``url_label``)."""

    summary: str
    file: Path | None = None
    filename: str | None = None
    #: a page that shows the result (an evaluation run's ranking), linked from the job's page
    url: str | None = None
    url_label: str | None = None
    #: a small JSON-ready result that page reads (an award trial's would-be entries)
    data: dict[str, Any] | None = None


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
    that transaction and shows when it commits; report the steps before and after it."""

    def __init__(self, job_id: Any, resolution: int = 100) -> None:
        self.job_id = job_id
        self.resolution = resolution
        self.step: str | None = None
        self.total: int | None = None
        self.written = -1

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        same = step == self.step and total == self.total
        small = done is not None and total and 0 <= done < total
        if same and small and (done - self.written) * self.resolution < total:
            return
        fields: dict[str, Any] = {"message": step[:500]}
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
    if job.finished:  # a retried task whose job already ended
        return
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), message="开始执行"
    )
    try:
        function = import_string(job.kind)
        outcome = function(
            *job.arguments.get("args", []),
            progress=Progress(job.pk),
            **job.arguments.get("kwargs", {}),
        )
    except ProblemsError as e:  # refused with reasons a person can act on
        lines = [str(p) for p in e.problems]
        _finish(
            job, JobState.FAILED, f"发现 {len(lines)} 个问题，请修正后重新提交", "\n".join(lines)
        )
        return
    except Exception:
        _finish(job, JobState.FAILED, FAILED_MESSAGE, "")
        raise  # the queue keeps the traceback for the administrator
    fields: dict[str, Any] = {}
    if isinstance(outcome, Outcome):
        summary, file, filename = outcome.summary, outcome.file, outcome.filename
        if outcome.url:
            fields.update(result_url=outcome.url, result_link=outcome.url_label or "查看结果")
        if outcome.data is not None:
            fields["result_data"] = outcome.data
    else:
        summary, file, filename = ("" if outcome is None else str(outcome)), None, None
    if file is not None:
        name = filename or Path(file).name
        with open(file, "rb") as handle:
            job.result_file.save(name, File(handle), save=False)
        fields.update(result_file=job.result_file.name, result_name=name)
    total = Job.objects.filter(pk=job.pk).values_list("total", flat=True).get()
    if total:
        fields["done"] = total
    _finish(job, JobState.SUCCEEDED, "", summary, **fields)


def _finish(job: Job, state: str, message: str, summary: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=state, message=message, summary=summary, finished_at=timezone.now(), **fields
    )
