"""Statistics services as background jobs (decision 020): the faces the import and monitoring
pages start with :func:`gaoxin.jobs.services.start`. The queue carries JSON, so each takes ids
and text (a stored file's path, an entity's id, a period code, the user's id) and turns them
into the typed values of the service it calls; what the service returns becomes the job's
:class:`~gaoxin.jobs.services.Outcome`, an import's refusal its problem list."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop

from gaoxin.engine.periods import Period
from gaoxin.engine.problems import Problem
from gaoxin.jobs.services import Outcome, Refused
from gaoxin.registry.models import Entity
from gaoxin.statistics import services


def _user_and_scope(user_id: int, scope_id: int | None) -> tuple[Any, Entity | None]:
    user = get_user_model().objects.get(pk=user_id)
    scope = None if scope_id is None else Entity.objects.get(pk=scope_id)
    return user, scope


def with_cells(p: Problem) -> Problem:
    """The problem with the columns of every cell it is about: a validation rule across
    variables names its variables' columns (「营业收入（万元）」「出口总额（万元）」), not the 期间
    column (issue 10; the entry page's upload does the same through ``entry.problem_row``)."""
    from gaoxin.statistics.entry import problem_columns

    columns = problem_columns(p)
    if columns == ([p.column] if p.column else []):
        return p
    # the value of a rule's problem is the 期间 cell's: the reason names the values compared
    return replace(p, value=None, extra={**p.extra, "columns": columns})


def import_upload(
    path: str,
    scope_id: int | None,
    user_id: int,
    *,
    progress,
    period: str | None = None,
    dry_run: bool = False,
    file_name: str = "",
) -> Outcome:
    """Import the uploaded file at ``path`` over the scope as the user (all or nothing, the
    service :func:`~gaoxin.statistics.services.import_observations`), then delete the file.
    A refusal raises :class:`~gaoxin.jobs.services.Refused`: the job lists its problems."""
    user, scope = _user_and_scope(user_id, scope_id)
    upload = Path(path)
    name = file_name or upload.name
    try:
        report = services.import_observations(
            upload,
            scope,
            by=user,
            dry_run=dry_run,
            period=period or None,
            reason=f"网页导入 {name}",
            progress=progress,
        )
    finally:
        upload.unlink(missing_ok=True)
        if upload.parent.name.startswith("import-") and not any(upload.parent.iterdir()):
            upload.parent.rmdir()
    problems = [with_cells(p) for p in report.problems]
    if report.status == "rejected":
        raise Refused(problems, report.summary())
    summary = report.summary()
    if report.batch_id:
        summary += f"\n数据批次：第 {report.batch_id} 批（导入 {name}），可在数值的修改记录中查到。"
    return Outcome(summary, problems=problems)


def monitor_workbook(period: str, scope_id: int | None, user_id: int, *, progress) -> Outcome:
    """The monitoring workbook (月监测/季分析, printed layout) of ``period`` over the scope."""
    user, scope = _user_and_scope(user_id, scope_id)
    progress(gettext_noop("汇总数据、计算指标"))
    done = services.monitor(Period.parse(period), scope, by=user)
    progress(gettext_noop("生成 Excel 文件"))
    folder = Path(tempfile.mkdtemp(prefix="monitor-"))
    out = done.write(folder / "monitor.xlsx")
    zones = done.table.frame.height - 1  # the totals row
    return Outcome(
        f"{done.title}：{zones} 个园区、{len(done.table.indicators)} 项指标。",
        file=out,
        filename=f"{done.title}.xlsx",
    )
