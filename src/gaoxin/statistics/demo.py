"""Loading a synthetic jurisdiction (``gaoxin.engine.synth``) into the store, for the demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import transaction
from django.utils.translation import gettext_noop  # job steps: shown translated

from gaoxin.registry import loading
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics.choices import BatchKind
from gaoxin.statistics.models import Batch, Submission, SubmissionState, Variable
from gaoxin.statistics.store import write_observations

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LoadSummary:
    regions: int
    zones: int
    enterprises: int
    institutions: int
    certifications: int
    observations: int
    changes: int


def _noop(step: str, done: int, total: int) -> None:
    pass


@transaction.atomic
def load_jurisdiction(j, *, label: str, progress: Progress = _noop) -> LoadSummary:
    steps = 6
    progress(gettext_noop("行政区"), 0, steps)
    loading.load_regions(j.regions)
    progress(gettext_noop("高新区"), 1, steps)
    loading.load_zones(j.zones, j.zone_events)
    progress(gettext_noop("企业"), 2, steps)
    loading.load_enterprises(j.enterprises)
    progress(gettext_noop("创新机构"), 3, steps)
    loading.load_institutions(j.institutions)
    ids = entity_ids()
    progress(gettext_noop("资质认定"), 4, steps)
    keyed = {
        code: eid
        for (kind, code), eid in ids.items()
        if kind in (EntityKind.ENTERPRISE, EntityKind.INSTITUTION)
    }
    n_cert = loading.load_certifications(j.certifications, keyed)
    progress(gettext_noop("统计数据"), 5, steps)
    written = changed = 0
    variables = dict(Variable.objects.values_list("code", "id"))
    obs = j.observations
    # Batches in order: a later batch (a revision) overwrites and leaves history.
    # A synthetic batch is a source like a file: loading the same source again is a no-op, so a
    # reload does not replay the original values over their revisions.
    for batch_label in obs["batch"].unique(maintain_order=True).sort().to_list():
        source = f"synth:{j.key}:seed={j.seed}:scale={j.scale:g}:{batch_label}"
        if Batch.objects.filter(kind=BatchKind.DEMO, file_name=source).exists():
            continue
        part = obs.filter(pl.col("batch") == batch_label)
        batch = Batch.objects.create(
            kind=BatchKind.DEMO,
            label=f"{label} {batch_label}",
            file_name=source,
            rows_read=part.height,
        )
        rows = (
            (ids[(kind, key)], variables[var], period, value)
            for kind, key, var, period, value in part.select(
                "entity_kind", "entity_key", "variable", "period", "value"
            ).iter_rows()
            if value is not None
        )
        counts = write_observations(rows, batch, reason=f"演示数据 {batch_label}")
        batch.values_written, batch.values_changed = counts.created, counts.changed
        batch.save(update_fields=["values_written", "values_changed"])
        written += counts.created
        changed += counts.changed
    assign_forms()
    progress(gettext_noop("完成"), steps, steps)
    return LoadSummary(
        regions=j.regions.height,
        zones=j.zones.height,
        enterprises=j.enterprises.height,
        institutions=j.institutions.height,
        certifications=n_cert,
        observations=written,
        changes=changed,
    )


def entity_ids() -> dict[tuple[str, str], int]:
    return {
        (kind, code): eid for eid, kind, code in Entity.objects.values_list("id", "kind", "code")
    }


def assign_forms() -> int:
    """The demo as a deployment: every shipped reporting form assigned to every province that
    holds a zone, so the home pages, completeness and reminders have forms due. Returns the
    number of assignments added (none on a second run)."""
    from gaoxin.registry.choices import RegionLevel
    from gaoxin.statistics.models import FormAssignment, ReportingForm

    provinces = [
        p
        for p in Entity.objects.filter(kind=EntityKind.REGION, region__level=RegionLevel.PROVINCE)
        if Entity.objects.filter(kind=EntityKind.ZONE, path__startswith=p.path).exists()
    ]
    added = 0
    for form in ReportingForm.objects.all():
        for province in provinces:
            added += FormAssignment.objects.get_or_create(form=form, scope=province)[1]
    return added


# --- a reporting history, so that completeness, the home pages and review have something to show


S = SubmissionState
#: Where the demo's latest return of each form stands, by a zone's place in code order (of ten):
#: six approved by the province, one approved by the city, one submitted, one returned by the
#: city, one draft. Every earlier return is approved by the province (locked). Every zone of the
#: demo holds data, so none is "not started": only approved values are published (decision 036),
#: and the latest monitoring table leaves out, and names, the four zones still in review.
LATEST_MIX: tuple[str, ...] = (
    S.PROVINCE_APPROVED,
    S.PROVINCE_APPROVED,
    S.PROVINCE_APPROVED,
    S.PROVINCE_APPROVED,
    S.PROVINCE_APPROVED,
    S.PROVINCE_APPROVED,
    S.CITY_APPROVED,
    S.SUBMITTED,
    S.RETURNED,
    S.DRAFT,
)
#: The moves that lead to each state (action, state reached, days after the deadline: negative
#: is before it) and the comment a returned one carries.
MOVES: dict[str, tuple[tuple[str, str, int], ...]] = {
    S.DRAFT: (("save", S.DRAFT, -5),),
    S.SUBMITTED: (("submit", S.SUBMITTED, -3),),
    S.RETURNED: (("submit", S.SUBMITTED, -3), ("city_return", S.RETURNED, -1)),
    S.CITY_APPROVED: (("submit", S.SUBMITTED, -3), ("city_approve", S.CITY_APPROVED, 2)),
    S.PROVINCE_APPROVED: (
        ("submit", S.SUBMITTED, -3),
        ("city_approve", S.CITY_APPROVED, 2),
        ("province_approve", S.PROVINCE_APPROVED, 5),
    ),
}
RETURN_COMMENT = "演示：研发费用与营业收入之比明显高于上期，请核实后重新提交"
HISTORY_COMMENT = "演示数据：历史报送"


@dataclass(frozen=True)
class HistorySummary:
    submissions: int
    events: int


@transaction.atomic
def record_reporting_history(
    *, keep_open: Entity | None = None, waiting: Entity | None = None
) -> HistorySummary:
    """Record the demo's reporting history: for every assigned form, every zone that holds
    data and every period of the form's kind that the data covers, the zone's return, approved
    by the province for every period but the latest, where the returns stand as
    :data:`LATEST_MIX` says. The moves are dated around each period's deadline. ``keep_open``
    (the demo zone reporter's zone) has no return for the latest periods, so that the data-entry
    journey of docs/guide/data-entry.md can be walked on it; the latest returns of the other
    zones inside ``waiting`` (the demo city reviewer's city) are submitted, so that reviewer has
    work on logging in. Returns already recorded are kept:
    running it again adds nothing."""
    from gaoxin.engine.clock import DISPLAY_ZONE
    from gaoxin.engine.periods import Period, PeriodError
    from gaoxin.statistics.completeness import reporting_units
    from gaoxin.statistics.models import Observation, ReportingForm, SubmissionEvent

    with_data = set(
        Observation.objects.filter(entity__kind=EntityKind.ZONE)
        .values_list("entity_id", flat=True)
        .distinct()
    )
    submissions: list[Submission] = []
    moves: list[list[tuple[str, str, dt.datetime]]] = []
    for form in ReportingForm.objects.filter(assignments__isnull=False).distinct():
        zones = sorted(
            (z for z in reporting_units(form) if z.pk in with_data), key=lambda z: z.code
        )
        periods = []
        for text in (
            Observation.objects.filter(variable__in=form.variables.all())
            .values_list("period", flat=True)
            .distinct()
        ):
            try:
                period = Period.parse(text)
            except PeriodError:
                continue
            if period.kind == form.period_type:
                periods.append(period)
        if not zones or not periods:
            continue
        latest = max(periods)
        done = set(Submission.objects.filter(form=form).values_list("entity_id", "period"))
        for period in sorted(periods):
            for i, zone in enumerate(zones):
                if period < latest:
                    state = S.PROVINCE_APPROVED
                elif waiting is not None and zone.path.startswith(waiting.path):
                    state = S.SUBMITTED
                else:
                    state = LATEST_MIX[i % len(LATEST_MIX)]
                if (zone.pk, str(period)) in done:
                    continue
                if period == latest and keep_open is not None and zone.pk == keep_open.pk:
                    continue
                submissions.append(
                    Submission(form=form, entity=zone, period=str(period), state=state)
                )
                deadline = dt.datetime.combine(form.deadline(period), dt.time(10), DISPLAY_ZONE)
                moves.append(
                    [(a, to, deadline + dt.timedelta(days=d)) for a, to, d in MOVES[state]]
                )
    Submission.objects.bulk_create(submissions, batch_size=2000)
    events = []
    for submission, steps in zip(submissions, moves, strict=True):
        before = ""
        for action, to, at in steps:
            comment = RETURN_COMMENT if action == "city_return" else HISTORY_COMMENT
            events.append(
                SubmissionEvent(
                    submission=submission,
                    action=action,
                    from_state=before,
                    to_state=to,
                    at=at,
                    comment=comment,
                )
            )
            before = to
    SubmissionEvent.objects.bulk_create(events, batch_size=2000)
    if submissions:  # what is published changed (decision 036): the analytics tables follow
        from gaoxin.statistics.analytics import changed

        changed("review", {s.period for s in submissions})
    return HistorySummary(submissions=len(submissions), events=len(events))
