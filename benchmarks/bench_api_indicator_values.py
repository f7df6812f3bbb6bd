"""GET /api/v1/indicator-values/ (decision 071) on a loaded home: each query a few times through
Django's test client with the demo users' tokens (no network, no server), one page of 100 rows
and one of 1000; the rows counted, CPU and wall per request. With ``--build DIR`` (a build's
mode directory, e.g. one of ``bench_analytics.py --step build``), only what every page repeats:
the stored values of whole-store periods read and put in the endpoint's order.

    GAOXIN_HOME=<home with `gaoxin demo --jurisdiction national`> \\
        .venv/bin/python benchmarks/bench_api_indicator_values.py [--repeat 5]
    .venv/bin/python benchmarks/bench_api_indicator_values.py --build <work>/full

Results in docs/benchmarks.md ("API: stored indicator values")."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

URL = "/api/v1/indicator-values/"
QUERIES = [
    ("demo", {"periods": "2025-12"}),
    ("demo", {"periods": "2025-12", "limit": 1000, "offset": 11000}),
    ("demo", {"periods": "2025", "kind": "zone"}),
    ("demo", {"periods": "2019,2020,2021,2022,2023,2024,2025", "indicators": "revenue_total"}),
    ("province_admin", {"periods": "2025-12"}),
    ("city_reviewer", {"periods": "2025-12,2025Q4,2025", "limit": 1000}),
]


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def requests(repeat: int) -> None:
    from django.conf import settings
    from django.test import Client

    from gaoxin.accounts.services import api_token

    settings.ALLOWED_HOSTS = ["*"]
    clients = {}
    for user, _ in QUERIES:
        if user not in clients:
            key = api_token(user).key
            clients[user] = Client(headers={"Authorization": f"Token {key}"})
            clients[user].get("/api/v1/me/")  # the URLconf and the views imported once
    for user, query in QUERIES:
        c = clients[user]
        walls, cpus = [], []
        for _ in range(repeat):
            w, t = time.perf_counter(), cpu()
            answer = c.get(URL, query)
            walls.append(time.perf_counter() - w)
            cpus.append(cpu() - t)
            assert answer.status_code == 200, answer.content
        body = answer.json()
        print(
            f"{user:15} {query}: {body['count']:,} rows, page of {len(body['results'])}; "
            f"wall first {walls[0] * 1000:.0f} ms, median {statistics.median(walls) * 1000:.0f} "
            f"ms; CPU median {statistics.median(cpus) * 1000:.0f} ms (data version "
            f"{body['data_version']}, stale {body['stale']})"
        )


def reads(build: Path, repeat: int) -> None:
    from gaoxin.engine.analytics import load_indicators
    from gaoxin.statistics.services import in_row_order

    for periods in (["2025-06"], ["2025"]):
        for _ in range(repeat):
            w, t = time.perf_counter(), cpu()
            rows = in_row_order(load_indicators(build, periods=periods))
            print(
                f"{periods}: {rows.height:,} rows, {time.perf_counter() - w:.2f} s wall, "
                f"{cpu() - t:.2f} s CPU"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build", type=Path, help="time the read and sort on this build only")
    args = parser.parse_args()
    if args.build:
        os.environ.setdefault("GAOXIN_HOME", tempfile.mkdtemp(prefix="gx-api-values-"))
    from gaoxin.commands import django_env

    django_env.setup(migrated=args.build is None)
    if args.build:
        reads(args.build, args.repeat)
    else:
        requests(args.repeat)


if __name__ == "__main__":
    main()
