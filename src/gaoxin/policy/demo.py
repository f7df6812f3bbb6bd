"""The demo's task ledger (decision 065): the demo pack's policy document imported as
``gaoxin doc ledger import`` imports it (its units.yaml links, the pack's jurisdiction), and a
progress history reported through the page's own service (``report_task_progress``), so that
the ledger index, a unit's page and the late list have something to show.

The history is deterministic. The measures that some unit can report for take, in document
order, the statuses of :data:`PLAN` in turn:

- 已完成: every share reports 推进中 at mid-year, then 已完成 after the year's end;
- 推进中: every share reports 推进中 at mid-year;
- 滞后: every share reports 推进中 at mid-year, then the first-named unit 滞后 after the
  year's end (a collective unit's: the share of the demo city, whose reviewer then has
  滞后 tasks on logging in);
- 未启动: no report.

No measure of the shipped documents states a deadline (完成时限), so no measure is 滞后 by its
date: the 滞后 ones are those their lead unit reported so, which the late list shows all the
same. The year is the demo's latest year of yearly statistics (its reporting period), the dates
never later than today. A share is reported by the demo user whose scope is the entity that
reports it (province_admin for 省直部门, city_reviewer for its city's share, zone_reporter for
its zone's), else by the operator at the terminal (``by=None``, as ``gaoxin doc ledger report``
without ``--user``). A report already there (same share, status and date) is not written again:
running it twice is once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaoxin.policy.choices import ProgressStatus

S = ProgressStatus
#: The status of each measure that can be reported, in document order, in turn.
PLAN: tuple[str, ...] = (S.DONE, S.IN_PROGRESS, S.LATE, S.IN_PROGRESS, S.NOT_STARTED)

NOTES = {
    "mid": "已制定年度工作方案，明确责任分工，正在按计划推进。",
    S.DONE: "年度任务已完成，相关文件和验收材料已归档。",
    S.LATE: "受项目审批和资金拨付进度影响，未能按计划推进，已制定整改措施，下一步加快推进。",
}


@dataclass(frozen=True)
class LedgerDemo:
    """What the demo put in the ledger: the document, its measures by current status, how many
    reports this run wrote, and the dates of the history."""

    document: Any
    already_imported: bool
    measures: int
    counts: dict[str, int]
    reports: int
    dates: tuple[dt.date, dt.date]
    #: measures some unit can report for (the national plan names no unit: none)
    reportable: int = 0


def reporting_year() -> int:
    """The demo's latest year with yearly statistics (the previous calendar year if none)."""
    from django.db.models import Max
    from django.utils import timezone

    from gaoxin.statistics.models import Observation

    latest = Observation.objects.filter(period__regex=r"^\d{4}$").aggregate(y=Max("period"))["y"]
    return int(latest) if latest else timezone.localdate().year - 1


def history_dates(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Mid-year (10 July) and after the year's end (15 January next), never after today."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return min(dt.date(year, 7, 10), today), min(dt.date(year + 1, 1, 15), today)


def _reporters() -> dict[int, Any]:
    """Entity id -> the demo user who reports for it (the first in ROLE_USERS' order)."""
    from django.contrib.auth import get_user_model

    from gaoxin.accounts.demo import ROLE_USERS
    from gaoxin.accounts.models import NoScope, scope_of

    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLE_USERS)}
    out: dict[int, Any] = {}
    for name in ROLE_USERS:
        user = users.get(name)
        if user is None or not user.is_active or not user.has_perm("policy.add_progressreport"):
            continue
        try:
            scope = scope_of(user)
        except NoScope:
            continue
        if scope is not None:
            out.setdefault(scope.pk, user)
    return out


def _shares(measure: Any) -> list[Any]:
    """The shares of ``measure`` someone reports for: not a collective unit as a whole, with an
    entity that reports them; the lead's first."""
    from gaoxin.policy.models import Assignment

    rows = (
        Assignment.objects.filter(measure=measure)
        .select_related("unit")
        .order_by("order", "entity__code", "pk")
    )
    return [a for a in rows if not a.is_collective and a.reporting_entity_id is not None]


def _late_share(shares: list[Any], reporters: dict[int, Any]) -> Any:
    """The share a 滞后 measure's lead reports late: of the first-named unit's shares, one a
    demo user reports for if there is one (各设区市人民政府's: the demo city's), else the
    first."""
    lead = [a for a in shares if a.order == shares[0].order]
    return next((a for a in lead if a.reporting_entity_id in reporters), lead[0])


def plan(document: Any) -> list[tuple[Any, str]]:
    """Each measure of ``document`` that some unit can report for, with its planned status."""
    return [(measure, status) for measure, status, _ in _planned(document)]


def _planned(document: Any) -> list[tuple[Any, str, list[Any]]]:
    """:func:`plan` with each measure's shares (:func:`_shares`), read once."""
    out = []
    for measure in document.measures.order_by("order"):
        shares = _shares(measure)
        if shares:
            out.append((measure, PLAN[len(out) % len(PLAN)], shares))
    return out


def _importer() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="province_admin", is_active=True).first()


def load_demo_ledger(pack: Any, *, today: dt.date | None = None) -> LedgerDemo:
    """Import ``pack``'s document into the ledger (its units.yaml links, its jurisdiction), by
    the demo province administrator if there is one, and record the demo's progress history.
    ProblemsError (nothing written) where the document or its links cannot be read."""
    from django.db import transaction

    from gaoxin.policy.models import Measure, ProgressReport
    from gaoxin.policy.services import import_policy_document, report_task_progress
    from gaoxin.registry.models import Entity

    directory = Path(pack.path)
    links = directory / "units.yaml"
    region = pack.spec.region
    jurisdiction = (
        Entity.objects.filter(kind="region", code=region).first() if region is not None else None
    )
    with transaction.atomic():  # one commit for the whole history, not one per report
        done = import_policy_document(
            directory / pack.spec.document,
            by=_importer(),
            jurisdiction=jurisdiction,
            links=links if links.is_file() else None,
        )
        document = done.document
        mid, end = history_dates(reporting_year(), today)
        reporters = _reporters()
        there = set(
            ProgressReport.objects.filter(measure__document=document).values_list(
                "assignment_id", "status", "reported_on"
            )
        )
        written = 0
        planned = _planned(document)
        for _measure, status, shares in planned:
            if status == S.NOT_STARTED:
                continue
            wanted = [(a, S.IN_PROGRESS, mid, NOTES["mid"]) for a in shares]
            if status == S.DONE:
                wanted += [(a, S.DONE, end, NOTES[S.DONE]) for a in shares]
            elif status == S.LATE:
                wanted.append((_late_share(shares, reporters), S.LATE, end, NOTES[S.LATE]))
            for a, s, on, note in wanted:
                if (a.pk, str(s), on) in there:
                    continue
                report_task_progress(
                    a.pk,
                    s,
                    by=reporters.get(a.reporting_entity_id),
                    note=note,
                    reported_on=on,
                    today=today,
                )
                written += 1
    rows = Measure.objects.with_status(today).filter(document=document)
    counts = {s.value: 0 for s in S}
    for s in rows.values_list("status", flat=True):
        counts[s] += 1
    return LedgerDemo(
        document=document,
        already_imported=done.already_imported,
        measures=sum(counts.values()),
        counts=counts,
        reports=written,
        dates=(mid, end),
        reportable=len(planned),
    )
