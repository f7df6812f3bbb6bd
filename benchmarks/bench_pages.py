"""Latency of the pages people work in, as a user of the demo sees it: p50/p95/max per page.

Not collected by pytest; figures in docs/benchmarks.md. Each page is requested in-process
through Django's test client (URL routing, middleware, session, the view, its queries and the
template; no network, no static files) as a user of the role that works there. Everything a
page writes is rolled back at the end, so the demo database is left as it was.

    GAOXIN_HOME=/tmp/gx-pages .venv/bin/gaoxin init
    GAOXIN_HOME=/tmp/gx-pages .venv/bin/gaoxin demo -j national
    GAOXIN_HOME=/tmp/gx-pages .venv/bin/python benchmarks/bench_pages.py
    GAOXIN_HOME=/tmp/gx-pages .venv/bin/python benchmarks/bench_pages.py --page entry_get -n 100

Or load the demo first into a new scratch directory (kept for reuse)::

    .venv/bin/python benchmarks/bench_pages.py --jurisdiction national

Adding a page: write a function ``(world) -> Request`` that prepares what the page needs (a
user, an object) and returns the request to time, and register it in :data:`PAGES`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Request:
    """One timed request: ``make()`` returns (method, url, data) for each call, so a page
    that writes can send a different value every time."""

    user: object
    make: Callable[[int], tuple[str, str, dict]]
    expect: tuple[int, ...] = (200,)
    note: str = ""
    #: CPU time of each timed request (ms), which the machine's load does not distort
    cpu: list[float] = field(default_factory=list)


@dataclass
class World:
    """What several pages share: the reporting unit with the largest roster, its period and
    one user per role, created once."""

    period: str = "2025-12"
    users: dict[str, object] = field(default_factory=dict)
    zone: object = None

    def user(self, role: str, scope) -> object:
        from django.contrib.auth import get_user_model

        from gaoxin.accounts.models import Profile

        key = f"{role}:{scope.pk}"
        if key not in self.users:
            user, _ = get_user_model().objects.get_or_create(username=f"bench-{role}-{scope.pk}")
            Profile.objects.update_or_create(
                user=user, defaults={"organisation": scope.name, "scope": scope, "role": role}
            )
            self.users[key] = get_user_model().objects.get(pk=user.pk)
        return self.users[key]


def largest_zone():
    """The zone with the most enterprises: the heaviest roster a zone reporter opens."""
    from django.db.models import Count

    from gaoxin.registry.models import Entity

    return (
        Entity.objects.filter(kind="zone")
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )


def _entry(world: World, form_code: str, *, save: bool) -> Request:
    from django.urls import reverse

    from gaoxin.statistics.entry import entry_text, roster
    from gaoxin.statistics.models import ReportingForm

    form = ReportingForm.objects.get(code=form_code)
    unit = world.zone  # the zone itself reports a zone form, and its roster an enterprise form
    user = world.user("zone_reporter", unit)
    url = reverse("statistics:entry", args=[form.code, unit.pk, world.period])
    r = roster(form, unit.pk, world.period, user=user)
    cells = {
        f"v-{row.entity_id}-{c.code}": entry_text(r.values.get((row.entity_id, c.code)), c.unit)
        for row in r.rows
        for c in r.columns
    }
    note = f"{unit.name}, {len(r.rows)} rows × {len(r.columns)} columns"
    if not save:
        return Request(user, lambda i: ("get", url, {}), note=note)
    first = f"v-{r.rows[0].entity_id}-{r.columns[0].code}"
    base = r.values.get((r.rows[0].entity_id, r.columns[0].code))

    def make(i: int) -> tuple[str, str, dict]:
        # Every cell posted as the page sends it; one value changed each time (one history row).
        data = {**cells, "action": "save"}
        data[first] = str((base or 0) + i + 1)
        return "post", url, data

    return Request(user, make, expect=(302,), note=note + ", every cell posted, one changed")


def _returns(world: World, form_code: str) -> None:
    """The demo as a deployment in mid-month: every form assigned (gaoxin.statistics.demo), and
    for ``form_code`` in the world's period one zone in six not started and the others spread
    over draft, submitted, city-approved and province-approved, each with its events (all
    rolled back with the rest)."""
    from gaoxin.registry.models import Entity
    from gaoxin.statistics.demo import assign_forms
    from gaoxin.statistics.models import ReportingForm, Submission, SubmissionEvent

    assign_forms()
    form = ReportingForm.objects.get(code=form_code)
    if Submission.objects.filter(form=form, period=world.period).exists():
        return
    chain = ["draft", "submitted", "city_approved", "province_approved"]
    zones = list(Entity.objects.filter(kind="zone").order_by("pk").values_list("pk", flat=True))
    subs = Submission.objects.bulk_create(
        Submission(form=form, entity_id=z, period=world.period, state=chain[i % 6 - 2])
        for i, z in enumerate(zones)
        if i % 6 >= 2  # 0, 1: not started (2/6); then draft, submitted, city, province
    )
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(submission=sub, action=a, from_state=f, to_state=to)
        for sub in subs
        for a, f, to in [
            ("save", "", "draft"),
            ("submit", "draft", "submitted"),
            ("city_approve", "submitted", "city_approved"),
            ("province_approve", "city_approved", "province_approved"),
        ][: chain.index(sub.state) + 1]
    )


def _completeness(world: World, who: str) -> Request:
    """The completeness page of the zone monthly form, as a superuser (every zone of the
    country) or a city reviewer of the world zone's city."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    _returns(world, "zone_monthly")
    url = reverse("statistics:completeness", args=["zone_monthly", world.period])
    if who == "all":
        user, _ = get_user_model().objects.get_or_create(
            username="bench-superuser", defaults={"is_superuser": True, "is_staff": True}
        )
        return Request(user, lambda i: ("get", url, {}), note="superuser: every zone")
    city = world.zone.parent
    while city.kind != "region" or city.region.level != "city":
        city = city.parent
    user = world.user("city_reviewer", city)
    return Request(user, lambda i: ("get", url, {}), note=f"市级审核员 of {city.name}")


def _home(world: World) -> Request:
    """The home page of a province reviewer: every assigned form's progress in the province
    and the returns waiting for them."""
    _returns(world, "zone_monthly")
    province = world.zone.parent
    while province.parent_id:
        province = province.parent
    user = world.user("province_reviewer", province)
    return Request(user, lambda i: ("get", "/", {}), note=f"省级审核员 of {province.name}")


def _pivot(world: World, who: str) -> Request:
    """The pivot page: the key money indicators and R&D intensity of 2025 by zone, as a 省级
    审核员 of the world zone's province, or by province as a superuser (the whole country)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    query = {
        "indicator": ["revenue_total", "taxes_total", "exports_total", "rd_intensity"],
        "period": "2025",
        "rows": "entity",
        "level": "zone",
    }
    url = reverse("statistics:pivot")
    if who == "all":
        user, _ = get_user_model().objects.get_or_create(
            username="bench-superuser", defaults={"is_superuser": True, "is_staff": True}
        )
        return Request(
            user, lambda i: ("get", url, {**query, "level": "province"}), note="全国按省"
        )
    province = world.zone.parent
    while province.parent_id:
        province = province.parent
    user = world.user("province_reviewer", province)
    return Request(user, lambda i: ("get", url, query), note=f"{province.name}按高新区")


def _province(world: World):
    province = world.zone.parent
    while province.parent_id:
        province = province.parent
    return province


def _reader(world: World, who: str, url: str, note: str) -> Request:
    """A page read as a 省级审核员 of the world zone's province (``who="province"``) or as a
    superuser (``"all"``: the whole country)."""
    from django.contrib.auth import get_user_model

    if who == "all":
        user, _ = get_user_model().objects.get_or_create(
            username="bench-superuser", defaults={"is_superuser": True, "is_staff": True}
        )
    else:
        user = world.user("province_reviewer", _province(world))
    return Request(user, lambda i: ("get", url, {}), note=note)


def _ranking(world: World) -> Request:
    """The ranking of the newest published evaluation run of the province (or any)."""
    from gaoxin.evaluation.models import EvaluationRun

    province = _province(world)
    run = (
        EvaluationRun.objects.published().filter(scope=province).order_by("-id").first()
        or EvaluationRun.objects.published().order_by("-id").first()
    )
    if run is None:
        raise SystemExit(
            "no published evaluation run: run and approve one first (see the docstring)"
        )
    who = "province" if run.scope_id == province.pk else "all"
    return _reader(world, who, f"/evaluation/runs/{run.pk}/", f"run #{run.pk}, {run.units} units")


PAGES: dict[str, Callable[[World], Request]] = {
    "dashboard_province": lambda w: _reader(w, "province", "/dashboard/", "省级审核员's dashboard"),
    "dashboard_all": lambda w: _reader(w, "all", "/dashboard/", "superuser: the country"),
    "monitor_province": lambda w: _reader(
        w, "province", "/statistics/monitor/", "省级审核员, newest month"
    ),
    "zone_profile": lambda w: _reader(
        w, "province", f"/zones/{w.zone.pk}/", "the world zone's profile"
    ),
    "ranking": _ranking,
    "entry_get": lambda w: _entry(w, "enterprise_monthly", save=False),
    "entry_save": lambda w: _entry(w, "enterprise_monthly", save=True),
    "entry_zone_get": lambda w: _entry(w, "zone_monthly", save=False),
    "entry_zone_save": lambda w: _entry(w, "zone_monthly", save=True),
    "completeness_all": lambda w: _completeness(w, "all"),
    "completeness_city": lambda w: _completeness(w, "city"),
    "home_province": _home,
    "pivot_province": lambda w: _pivot(w, "province"),
    "pivot_all": lambda w: _pivot(w, "all"),
}


def measure(request: Request, n: int, warmup: int, profile=None) -> list[float]:
    """Wall times (ms) of ``n`` requests after ``warmup``; their CPU goes to ``request.cpu``,
    and with ``profile`` (a cProfile.Profile) the timed requests are profiled."""
    from django.test import Client

    client = Client()
    client.force_login(request.user)
    times = []
    for i in range(warmup + n):
        method, url, data = request.make(i)
        if profile is not None and i >= warmup:
            profile.enable()
        started = time.perf_counter()
        cpu = time.process_time()
        response = getattr(client, method)(url, data)
        elapsed = time.perf_counter() - started
        if profile is not None:
            profile.disable()
        if i >= warmup:
            request.cpu.append((time.process_time() - cpu) * 1000)
        if response.status_code not in request.expect:
            raise SystemExit(f"{url}: HTTP {response.status_code}\n{response.content[:2000]!r}")
        if i >= warmup:
            times.append(elapsed * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--page", action="append", choices=sorted(PAGES), help="default: all")
    ap.add_argument("-n", type=int, default=50, help="timed requests per page")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--period", default="2025-12")
    ap.add_argument("--jurisdiction", help="load this demo first (gaoxin init + gaoxin demo)")
    ap.add_argument(
        "--uncached",
        action="store_true",
        help="compute every page afresh (no page data kept per data version: the cost it saves)",
    )
    ap.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="profile the timed requests (cProfile) and print each page's N costliest calls",
    )
    args = ap.parse_args()
    if args.jurisdiction:
        os.environ.setdefault("GAOXIN_HOME", tempfile.mkdtemp(prefix="gx-bench-pages-"))
        gaoxin = str(Path(sys.executable).with_name("gaoxin"))
        for command in (["init"], ["demo", "-j", args.jurisdiction]):
            subprocess.run([gaoxin, *command], check=True, stdout=subprocess.DEVNULL)
        print(f"loaded {args.jurisdiction} into {os.environ['GAOXIN_HOME']}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.uncached:
        from django.core.cache.backends.dummy import DummyCache

        from gaoxin.statistics import page_data

        page_data.cache = DummyCache("uncached", {})
    from gaoxin.statistics.models import Observation

    print(f"{connection.vendor}, {Observation.objects.count():,} values stored")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<18} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'cpu p50':>8}  what")
    with transaction.atomic():
        world = World(period=args.period, zone=largest_zone())
        for name in args.page or list(PAGES):
            request = PAGES[name](world)
            profile = cProfile.Profile() if args.profile else None
            times = sorted(measure(request, args.n, args.warmup, profile))
            p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
            print(
                f"{name:<18} {len(times):>4} {statistics.median(times):>9.1f} {p95:>9.1f} "
                f"{times[-1]:>9.1f} {statistics.median(request.cpu):>8.1f}  {request.note}"
            )
            if profile is not None:
                pstats.Stats(profile).sort_stats(
                    os.environ.get("GX_PROFILE_SORT", "cumulative")
                ).print_stats(args.profile)
        transaction.set_rollback(True)  # leave the demo database as it was


if __name__ == "__main__":
    main()
