"""The first read of a city's dashboard after a new analytics build, without and with the
warm-up of decision 064 (the rebuild job's last step): CPU of the request, in-process.

Not collected by pytest; figures in docs/benchmarks.md. Needs a loaded national demo (the home of
``bench_pages_load.py --prepare``) and a Redis server (the warm-up only warms a shared cache)::

    .venv/bin/python benchmarks/bench_warm.py --home /tmp/gx-pages \\
        --cache-url redis://127.0.0.1:6379/11

Each round makes a new build (``analytics.build(full=True)``: new keys, nothing kept for them),
then reads as the benchmark's user (省级审核员) the province's dashboard and its first city's,
first without a warm-up, then after another new build and :func:`gaoxin.dashboards.warm.warm`.
The process's own copy of what it read in Redis is emptied before each read, as another web
process would find it. The Redis database given is emptied first: give one of its own. The
keys' prefix is the server's (``GAOXIN_CACHE_PREFIX``, default ``gaoxin``), so that a server
started on the same database reads what ``--new-build warm`` kept.

``--new-build cold`` (or ``warm``) only empties the cache and makes a new build (then warms),
for a ``bench_pages_load.py --warmup 0`` run right after it (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", required=True)
    ap.add_argument("--cache-url", required=True, help="redis://host:port/db (emptied first)")
    ap.add_argument("--user", default="province_reviewer")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--new-build",
        choices=["cold", "warm"],
        help="only empty the cache and make a new build (warm: then the warm-up), for a run of"
        " bench_pages_load.py --warmup 0 right after it",
    )
    args = ap.parse_args()
    os.environ["GAOXIN_HOME"] = args.home
    os.environ["GAOXIN_CACHE_URL"] = args.cache_url
    os.environ["GAOXIN_ANALYTICS_ON_CHANGE"] = "read"
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from gaoxin.dashboards import warm
    from gaoxin.statistics import analytics, page_data

    cache.clear()
    if args.new_build:
        analytics.build(full=True)
        if args.new_build == "warm":
            began, wall = time.process_time(), time.monotonic()
            outcome = warm.warm(progress=lambda *a: None)
            took = f"{time.process_time() - began:.1f} s CPU, {time.monotonic() - wall:.1f} s wall"
            print(f"warm-up: {outcome}; {took}")
        return
    user = get_user_model().objects.get(username=args.user)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    analytics.build()
    page = client.get("/dashboard/").content.decode()
    city = sorted(set(re.findall(r"place=(\d+)", page)))[0]
    urls = {"province": "/dashboard/", "city": f"/dashboard/?place={city}"}

    def read(url: str) -> float:
        page_data._local.clear()  # as another web process finds it: in Redis only
        began = time.process_time()
        response = client.get(url)
        assert response.status_code == 200, url
        return 1000 * (time.process_time() - began)

    def new_build() -> float:
        began = time.process_time()
        analytics.build(full=True)
        return time.process_time() - began

    print(f"load average {os.getloadavg()[0]:.1f}; user {args.user}; city place={city}")
    for n in range(args.rounds):
        new_build()
        cold = {name: read(url) for name, url in urls.items()}
        again = {name: read(url) for name, url in urls.items()}
        new_build()
        began, wall = time.process_time(), time.monotonic()
        outcome = warm.warm(progress=lambda *a: None)
        warm_cpu, warm_wall = time.process_time() - began, time.monotonic() - wall
        warmed = {name: read(url) for name, url in urls.items()}
        print(
            f"round {n + 1}: "
            + "; ".join(
                f"{name} first read {cold[name]:.0f} ms, second {again[name]:.0f} ms, "
                f"first after the warm-up {warmed[name]:.0f} ms"
                for name in urls
            )
        )
        print(f"  warm-up: {outcome}; {warm_cpu:.1f} s CPU, {warm_wall:.1f} s wall")
    print(f"load average {os.getloadavg()[0]:.1f}")
    cache.clear()


if __name__ == "__main__":
    sys.exit(main())
