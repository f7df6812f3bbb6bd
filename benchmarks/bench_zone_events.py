"""Writing the national demo's shipped zone events (177 zones, 299 events) on a fresh SQLite
store: through ``save_zone_event`` one by one, and through its bulk form ``save_zone_events``
(what ``load_zones`` calls, decision 053), each from the same state; then a reload.

    .venv/bin/python benchmarks/bench_zone_events.py

Results in docs/benchmarks.md ("Zone events: the loaders through the service")."""

import os
import resource
import shutil
import sys
import tempfile
import time

os.environ["GAOXIN_HOME"] = tempfile.mkdtemp(prefix="gx-zone-events-")

from gaoxin.commands import django_env  # noqa: E402

django_env.setup(migrated=False)
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from gaoxin.engine import synth  # noqa: E402
from gaoxin.registry import loading  # noqa: E402
from gaoxin.registry.models import Zone, ZoneStatusEvent  # noqa: E402
from gaoxin.registry.services import save_zone_event, save_zone_events  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(label: str, job) -> None:
    c, w = cpu(), time.perf_counter()
    job()
    print(f"{label}: {cpu() - c:.3f} s CPU, {time.perf_counter() - w:.3f} s wall")


def reset(j) -> None:
    """No events, each zone's level and approval as the zone list has them."""
    ZoneStatusEvent.objects.all().delete()
    for code, level, approved in j.zones.select("code", "level", "approved_on").iter_rows():
        Zone.objects.filter(entity__code=code).update(level=level, approved_on=approved)


def one_by_one(j) -> None:
    zones = {z.entity.code: z for z in Zone.objects.select_related("entity")}
    with transaction.atomic():
        for r in j.zone_events.iter_rows(named=True):
            save_zone_event(
                ZoneStatusEvent(
                    zone=zones[r["zone_code"]],
                    status=r["status"],
                    date=r["date"],
                    level=r["level"] or "",
                    note=r["note"] or "",
                )
            )


call_command("migrate", interactive=False, verbosity=0)
j = synth.generate("national", scale=0.02)
loading.load_regions(j.regions)
loading.load_zones(j.zones)
n = j.zone_events.height
timed(f"{n} events one by one (save_zone_event)", lambda: one_by_one(j))
reset(j)
timed(f"{n} events in bulk (save_zone_events)", lambda: save_zone_events(j.zone_events))
timed("the same again (writes nothing)", lambda: save_zone_events(j.zone_events))
print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
shutil.rmtree(os.environ["GAOXIN_HOME"])
