"""The task ledger at a province's scale: its pages and services with each measure's and
assignment's status (``with_status``), timed with their query counts, and the status query's
plan.

Not collected by pytest; figures in docs/benchmarks.md ("Task ledger at scale"). A fresh
database is filled directly (bulk inserts, no parsing): ``--documents`` documents holding
``--measures`` measures in all, each with ``--per-measure`` assignments (one lead, the rest
participating) drawn from ``--units`` units of one province; ``--collective`` of the measures
name 各设区市人民政府, which has one share per city (``--cities``); reports on about
``--reported`` of the assignments (one to three each, some late or done) and on a tenth of the
measures as a whole; deadlines past, future or none in thirds.

    .venv/bin/python benchmarks/bench_ledger.py                      # SQLite, 5,000 × 4
    GAOXIN_DATABASE_URL=postgres://gaoxin@127.0.0.1:5432/gx_ledger_bench \\
        .venv/bin/python benchmarks/bench_ledger.py                  # PostgreSQL (dropped after)
    .venv/bin/python benchmarks/bench_ledger.py --measures 500 --repeat 3 --explain

The unit page and the late list show 50 rows a page (``services.PAGE_SIZE``): their page jobs
time the first page and the last (``?page=9999`` shows the last, the deepest OFFSET), the
``unit_tasks``/``late_tasks`` service jobs every row and one page.

Each service and page runs once untimed (caches warm), then ``--repeat`` times: the median wall
and CPU time and the number of queries of one run are printed. Pages go through Django's test
client (routing, middleware, session, view, template), as a superuser and as the province's
reviewer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 3)
DEADLINES = (dt.date(2025, 12, 31), dt.date(2027, 12, 31), None)


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def setup_database() -> str | None:
    """Point Django at a new database: a temporary SQLite file, or the PostgreSQL database
    named by GAOXIN_DATABASE_URL, created afresh (returned, to drop at the end)."""
    os.environ.setdefault("GAOXIN_HOME", tempfile.mkdtemp(prefix="gx-ledger-bench-"))
    url = os.environ.get("GAOXIN_DATABASE_URL", "")
    name = None
    if url:
        import psycopg

        from gaoxin.web.settings import database_from_url

        db = database_from_url(url)
        name = db["NAME"]
        with psycopg.connect(
            dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    from gaoxin.commands import django_env

    django_env.setup(migrated=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return name


def drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    from gaoxin.web.settings import database_from_url

    connections.close_all()
    db = database_from_url(os.environ["GAOXIN_DATABASE_URL"])
    with psycopg.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')


def fill(args) -> dict:
    """The province, its cities (each with a zone), the units, documents, measures,
    assignments with the collective's shares, reports and reminders."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from tests import factories

    from gaoxin.accounts.models import Profile
    from gaoxin.policy.models import (
        Assignment,
        Measure,
        PolicyDocument,
        ProgressReport,
        Reminder,
        ResponsibleUnit,
    )

    rng = random.Random(20261203)
    with transaction.atomic():
        fj = factories.region("350000", "福建省", "province")
        cities = []
        for i in range(args.cities):
            city = factories.region(f"35{i + 1:02d}00", f"城市{i + 1}市", "city", fj)
            factories.zone(f"35{i + 1:02d}00N1", f"城市{i + 1}高新技术产业开发区", city)
            cities.append(city)
        User = get_user_model()
        admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
        reviewer = User.objects.create_user("reviewer", "reviewer@example.org", "pw")
        Profile.objects.create(
            user=reviewer, organisation=fj.name, scope=fj, role="province_reviewer"
        )
        units = ResponsibleUnit.objects.bulk_create(
            ResponsibleUnit(
                name=f"省直单位{i:03d}",
                jurisdiction=fj,
                entity=fj if i % 3 else cities[i % len(cities)],
            )
            for i in range(args.units)
        )
        collective = ResponsibleUnit.objects.create(
            name="各设区市人民政府", jurisdiction=fj, expands="cities"
        )
        docs = PolicyDocument.objects.bulk_create(
            PolicyDocument(
                title=f"文件{d + 1}", source_sha256=f"{d:064d}", text="", jurisdiction=fj
            )
            for d in range(args.documents)
        )
        measures = Measure.objects.bulk_create(
            Measure(
                document=docs[i % len(docs)],
                order=i // len(docs) + 1,
                path=str(i),
                path_parts=[str(i)],
                title=f"措施{i}",
                text="",
                span_start=0,
                span_end=0,
                deadline=DEADLINES[i % 3],
            )
            for i in range(args.measures)
        )
        # a few units lead often (省科技厅), the rest share what is left
        weights = [1 / (k + 1) for k in range(len(units))]
        rows, collective_of = [], {}
        for m in measures:
            chosen: list = []
            while len(chosen) < args.per_measure:
                u = rng.choices(units, weights)[0]
                if u not in chosen:
                    chosen.append(u)
            if rng.random() < args.collective:
                chosen[-1] = collective
            for k, u in enumerate(chosen):
                rows.append(
                    Assignment(
                        measure=m, unit=u, role="lead" if k == 0 else "participating", order=k + 1
                    )
                )
        parents = Assignment.objects.bulk_create(rows, batch_size=2000)
        shares = Assignment.objects.bulk_create(
            (
                Assignment(
                    measure_id=p.measure_id,
                    unit=collective,
                    role=p.role,
                    order=p.order,
                    part_of=p,
                    entity=c,
                )
                for p in parents
                if p.unit_id == collective.pk
                for c in cities
            ),
            batch_size=2000,
        )
        collective_of = {p.pk for p in parents if p.unit_id == collective.pk}
        reports = []
        statuses = ["in_progress"] * 5 + ["done"] * 3 + ["late"] * 2
        for a in [*parents, *shares]:
            if a.pk in collective_of or rng.random() >= args.reported:
                continue
            for _ in range(rng.randint(1, 3)):
                reports.append(
                    ProgressReport(
                        measure_id=a.measure_id,
                        assignment_id=a.pk,
                        status=rng.choice(statuses),
                        note="进展说明",
                        reported_on=dt.date(2026, rng.randint(1, 11), rng.randint(1, 28)),
                    )
                )
        for m in measures:
            if rng.random() < 0.1:
                reports.append(
                    ProgressReport(
                        measure_id=m.pk,
                        status=rng.choice(statuses),
                        note="整条措施",
                        reported_on=dt.date(2026, rng.randint(1, 11), rng.randint(1, 28)),
                    )
                )
        ProgressReport.objects.bulk_create(reports, batch_size=2000)
        after_reports(measures)
        reminded = rng.sample([*parents, *shares], k=min(len(parents) // 20, 2000))
        Reminder.objects.bulk_create(
            (
                Reminder(assignment=a, text="请加快推进", sent_by=admin)
                for a in reminded
                if a.pk not in collective_of
            ),
            batch_size=2000,
        )
    busiest = max(units, key=lambda u: sum(1 for r in rows if r.unit_id == u.pk))
    task = next(a for a in parents if a.unit_id == busiest.pk and a.role == "lead")
    print(
        f"filled: {len(docs)} documents, {len(measures)} measures, {len(parents)} assignments "
        f"+ {len(shares)} shares of {len(collective_of)} collective ones, {len(reports)} "
        f"reports, {len(reminded)} reminders; {len(units) + 1} units, {len(cities)} cities"
    )
    return {
        "admin": admin,
        "reviewer": reviewer,
        "document": docs[0],
        "unit": busiest,
        "collective": collective,
        "task": task,
        "fj": fj,
    }


def after_reports(measures) -> None:
    """What the write path keeps after the reports stored in bulk (decision 061: each measure's
    and assignment's latest report on its row); nothing on code before it."""
    try:
        from gaoxin.policy.models.progress import refresh_status
    except ImportError:  # the status computed when read
        return
    c, w = cpu(), time.perf_counter()
    refresh_status(m.pk for m in measures)
    print(f"kept status refreshed: {cpu() - c:.1f} s CPU, {time.perf_counter() - w:.1f} s wall")


def run(label: str, job, repeat: int, results: list) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job()  # caches warm, the scope and permissions of the user read
    walls, cpus = [], []
    for _ in range(repeat):
        c, w = cpu(), time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            job()
        walls.append(time.perf_counter() - w)
        cpus.append(cpu() - c)
    longest = max((len(x["sql"]) for x in q.captured_queries), default=0)
    subqueries = max((x["sql"].count("SELECT") for x in q.captured_queries), default=0) - 1
    row = (label, statistics.median(walls) * 1000, statistics.median(cpus) * 1000, len(q))
    results.append(row + (longest, subqueries))
    print(
        f"{label:<44} {row[1]:9.1f} ms wall {row[2]:9.1f} ms CPU {row[3]:4d} queries"
        f"  longest {longest:6d} chars, {subqueries:4d} subqueries",
        flush=True,
    )


def explain(world: dict) -> None:
    """The plan of the status query of one document's measures and of one unit's shares."""
    from django.db import connection

    from gaoxin.policy.models import Assignment, Measure

    measures = Measure.objects.with_status(TODAY).filter(document=world["document"])
    shares = Assignment.objects.with_status(TODAY).filter(unit=world["unit"])
    for label, qs in (("measures of one document", measures), ("shares of one unit", shares)):
        sql = str(qs.query)
        print(f"\n--- EXPLAIN: {label} ({len(sql)} chars, {sql.count('SELECT') - 1} subqueries)")
        options = {"analyze": True} if connection.vendor == "postgresql" else {}
        plan = qs.explain(**options)
        lines = plan.splitlines()
        print("\n".join(lines[:40]))
        if len(lines) > 40:
            print(f"… {len(lines) - 40} more lines")
            print("\n".join(lines[-3:]))


def check() -> None:
    """Every measure's and assignment's kept status equals what its reports say now
    (``with_reports``, the definition): the bulk fill above went through ``refresh_status``."""
    from gaoxin.policy.models import Assignment, Measure

    for model, columns in (
        (Measure, ("reported_status", "reported_on", "latest_note")),
        (Assignment, ("reported_status", "latest_note")),
    ):
        kept = set(model.objects.with_status().values_list("pk", *columns))
        read = set(model.objects.with_reports().values_list("pk", *columns))
        assert kept == read, (model.__name__, len(kept ^ read))
        print(f"check: {len(kept)} {model.__name__} rows, kept status = reports")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=4)
    parser.add_argument("--measures", type=int, default=5000)
    parser.add_argument("--per-measure", type=int, default=4)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--cities", type=int, default=9)
    parser.add_argument("--collective", type=float, default=0.1)
    parser.add_argument("--reported", type=float, default=0.6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run only the jobs whose label matches this regex")
    parser.add_argument("--explain", action="store_true", help="print the status query plans")
    parser.add_argument(
        "--profile", action="store_true", help="profile each job once (top 25 by own time)"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare the kept status with the reports"
    )
    args = parser.parse_args()

    dropped = setup_database()
    try:
        from django.db import connection

        print(f"database: {connection.vendor}; load: {os.getloadavg()}")
        c, w = cpu(), time.perf_counter()
        world = fill(args)
        print(f"fill: {cpu() - c:.1f} s CPU, {time.perf_counter() - w:.1f} s wall")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        if args.check:
            check()
        jobs(world, args)
        if args.explain:
            explain(world)
        print(f"load at the end: {os.getloadavg()}")
    finally:
        if dropped:
            drop_database(dropped)


def jobs(world: dict, args) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from gaoxin.policy import ledger, services

    admin, reviewer = world["admin"], world["reviewer"]
    doc, unit, task = world["document"], world["unit"], world["task"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {}
    for who, user in (("admin", admin), ("reviewer", reviewer)):
        clients[who] = Client()
        clients[who].force_login(user)

    def page(who: str, url: str):
        def get():
            response = clients[who].get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    table = [
        ("service ledger_measures (one document)", lambda: services.ledger_measures(by=admin, document=doc.pk)),
        ("service ledger_measures (late, all)", lambda: services.ledger_measures(by=admin, status="late")),
        ("service summary_by_document", lambda: ledger.summary_by_document(TODAY)),
        ("service summary_by_unit (all)", lambda: ledger.summary_by_unit(None, TODAY)),
        ("service summary_by_unit (one document)", lambda: ledger.summary_by_unit(doc, TODAY)),
        ("service ledger_units (province)", lambda: services.ledger_units(by=reviewer, today=TODAY)),
        ("service unit_tasks (busiest unit)", lambda: services.unit_tasks(unit.pk, by=reviewer, today=TODAY)),
        ("service late_tasks (province)", lambda: services.late_tasks(by=reviewer, today=TODAY)),
        ("service unit_tasks (busiest unit, page 1)", lambda: services.unit_tasks(unit.pk, by=reviewer, today=TODAY, page=1)),
        ("service late_tasks (province, page 1)", lambda: services.late_tasks(by=reviewer, today=TODAY, page=1)),
        ("service task_detail", lambda: services.task_detail(task.pk, by=reviewer, today=TODAY)),
        ("service report_task_progress (write)", lambda: services.report_task_progress(task.pk, "in_progress", by=admin, note="推进中")),
        ("service reminders (督办, province)", lambda: services.reminders(by=reviewer)),
        ("service Measure.late (all)", lambda: list(__import__("gaoxin.policy.models").policy.models.Measure.objects.late(TODAY))),
        ("page ledger index (province)", page("reviewer", reverse("policy:ledger"))),
        ("page unit (busiest unit, province)", page("reviewer", reverse("policy:unit", args=[unit.pk]))),
        ("page unit (busiest unit, last page)", page("reviewer", reverse("policy:unit", args=[unit.pk]) + "?page=9999")),
        ("page unit (busiest unit, 滞后 only)", page("reviewer", reverse("policy:unit", args=[unit.pk]) + "?status=late")),
        ("page late list (province)", page("reviewer", reverse("policy:late"))),
        ("page late list (province, last page)", page("reviewer", reverse("policy:late") + "?page=9999")),
        ("page task (province)", page("reviewer", reverse("policy:task", args=[task.pk]))),
        ("page admin measures (superuser)", page("admin", "/admin/policy/measure/")),
    ]  # fmt: skip
    pattern = re.compile(args.only) if args.only else None
    results: list = []
    for label, job in table:
        if pattern is None or pattern.search(label):
            run(label, job, args.repeat, results)
            if args.profile:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(job)
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
