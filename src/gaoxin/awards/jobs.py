"""Award decisions as background jobs (gaoxin.jobs): :func:`decide_job` calls
:func:`gaoxin.awards.services.decide` with the values the queue carries. A dry run (测算) keeps
its would-be entries on the job (``Job.result_data``, read by the trial page) and its workbook
as the job's file; a recording run links to the review list (decision 033)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from tempfile import mkdtemp

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_noop

from gaoxin.engine.periods import Period
from gaoxin.jobs.services import Outcome
from gaoxin.registry.models import Entity


def decide_job(
    pack: str,
    period: str,
    scope_id: int | None,
    *,
    user_id: int,
    dry_run: bool,
    progress: Callable[..., None],
    inputs: str | None = None,
) -> Outcome:
    """Decide ``pack``'s awards for ``period`` over entity ``scope_id`` as user ``user_id``:
    a trial (``dry_run``) or the ledger recorded, with the supplied inputs of the file at
    ``inputs`` (the upload the trial page kept, decision 082; None: none supplied)."""
    from urllib.parse import urlencode

    from gaoxin.awards.services import decide, wan_text
    from gaoxin.awards.workbook import write_ledger_xlsx
    from gaoxin.policy.packs import find_pack

    by = get_user_model().objects.get(pk=user_id)
    scope = Entity.objects.get(pk=scope_id) if scope_id is not None else None
    progress(gettext_noop("读取政策包与数据"), 0, 3)
    loaded = find_pack(pack)
    progress(gettext_noop("按条款测算") if dry_run else gettext_noop("核定并记入台账"), 1, 3)
    decision = decide(
        loaded,
        Period.parse(period),
        scope,
        by=by,
        dry_run=dry_run,
        inputs=Path(inputs) if inputs else None,
    )
    progress(gettext_noop("生成工作簿"), 2, 3)
    money = decision.ledger.filter(decision.ledger["outcome"] == "money").height
    total = wan_text(decision.total_fen)
    name = (
        f"奖补测算_{loaded.spec.id}_{period}.xlsx"
        if dry_run
        else f"奖补台账_{loaded.spec.id}_{period}.xlsx"
    )
    path = Path(mkdtemp(prefix="gaoxin-awards-")) / name
    # the job keeps one file; a trial's page writes its 待补数据 when asked (trial_pending)
    write_ledger_xlsx(decision, path, working=False)
    if dry_run:
        job_id = getattr(progress, "job_id", None)
        return Outcome(
            f"测算完成（未记入台账）：{decision.ledger.height} 条拟核定记录，其中奖补 {money} 条，"
            f"合计 {total} 万元。",
            file=path,
            filename=name,
            url=reverse("awards:trial", args=[job_id]) if job_id else None,
            url_label=gettext_noop("查看测算结果"),
            data={
                **decision.as_dict(),
                # what the workbook's working file 待补数据 holds, for the trial page
                "missing": [
                    {
                        "rule": m.rule,
                        "label": m.label,
                        "source": m.source,
                        "origin": m.origin,
                        "remedy": m.remedy,
                        "entities": m.entities,
                        "examples": [decision.names.get(e) or e for e in m.examples],
                    }
                    for m in decision.missing_inputs()
                ],
            },
        )
    recorded = decision.recorded
    lines = [f"已记入奖补台账：合计 {total} 万元，待省级审定后发布。"]
    if recorded is not None:
        lines.append(
            f"新增 {len(recorded.added)} 条，冲销 {len(recorded.reversals)} 条，"
            f"未变 {recorded.unchanged} 条。"
        )
    query = urlencode({"pack": loaded.spec.id, "period": period})
    return Outcome(
        "\n".join(lines),
        file=path,
        filename=name,
        url=f"{reverse('awards:review')}?{query}",
        url_label=gettext_noop("去审定"),
    )
