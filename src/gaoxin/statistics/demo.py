"""Loading a synthetic jurisdiction (``gaoxin.engine.synth``) into the store, for the demo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import transaction

from gaoxin.registry import loading
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics.choices import BatchKind
from gaoxin.statistics.models import Batch, Variable
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
    progress("行政区", 0, steps)
    loading.load_regions(j.regions)
    progress("高新区", 1, steps)
    loading.load_zones(j.zones, j.zone_events)
    progress("企业", 2, steps)
    loading.load_enterprises(j.enterprises)
    progress("创新机构", 3, steps)
    loading.load_institutions(j.institutions)
    ids = entity_ids()
    progress("资质认定", 4, steps)
    keyed = {
        code: eid
        for (kind, code), eid in ids.items()
        if kind in (EntityKind.ENTERPRISE, EntityKind.INSTITUTION)
    }
    n_cert = loading.load_certifications(j.certifications, keyed)
    progress("统计数据", 5, steps)
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
    progress("完成", steps, steps)
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
