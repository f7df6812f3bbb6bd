"""GET /api/v1/indicator-values/ (decision 071) on a loaded home: each query a few times through
Django's test client with the demo users' tokens (no network, no server), one page of 100 rows
and one of 1000; the rows counted, CPU and wall per request; then (decision 081) a client
paging through a whole month and a year of the whole store, 100 rows a page: the first page and
the later ones. With ``--build DIR`` (a build's mode directory, e.g. one of ``bench_analytics.py
--step build --scale 70``), without Django's requests: what a page read before decision 081
(the whole selection read and sorted) against what a page reads now — the first page (the
selection's groups counted, then its rows) and a later one (the groups kept: its rows only) —
for whole-store periods, or a province's (``--province 320000``, its codes from the build's
entities).

    GAOXIN_HOME=<home with `gaoxin demo --jurisdiction national`> \\
        .venv/bin/python benchmarks/bench_api_indicator_values.py [--repeat 5]
    .venv/bin/python benchmarks/bench_api_indicator_values.py --build <work>/full [--province 320000]

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


def paging(repeat: int) -> None:
    """A client of the whole store paging through a month and a year, 100 rows a page: the
    first page, then pages further on (the groups kept per data version, decision 081)."""
    from django.test import Client

    from gaoxin.accounts.services import api_token

    c = Client(headers={"Authorization": f"Token {api_token('demo').key}"})
    for periods in ("2025-12", "2025"):
        first = c.get(URL, {"periods": periods, "offset": 1})  # a first page whatever was kept
        count = first.json()["count"]
        for offset in (0, count // 3, count // 2, count - 100):
            walls, cpus = [], []
            for _ in range(repeat):
                w, t = time.perf_counter(), cpu()
                answer = c.get(URL, {"periods": periods, "offset": offset})
                walls.append(time.perf_counter() - w)
                cpus.append(cpu() - t)
                assert answer.status_code == 200, answer.content
            print(
                f"demo paging periods={periods} offset={offset:,} of {count:,}: CPU median "
                f"{statistics.median(cpus) * 1000:.0f} ms, wall median "
                f"{statistics.median(walls) * 1000:.0f} ms"
            )


def reads(build: Path, repeat: int, province: str | None) -> None:
    import hashlib

    import polars as pl

    from gaoxin.engine.analytics import load_indicators
    from gaoxin.statistics.analytics import StoredIndicators
    from gaoxin.statistics.services import IndicatorValues, _groups, in_row_order

    codes = None
    if province:
        entities = pl.read_parquet(build / "entities.parquet", columns=["entity", "province"])
        codes = tuple(sorted(entities.filter(pl.col("province") == province)["entity"]))
    digest = "*" if codes is None else hashlib.sha256("\n".join(codes).encode()).hexdigest()
    stored = StoredIndicators(build, codes, (str(build), digest))

    def timed(what: str, run) -> None:
        w, t = time.perf_counter(), cpu()
        n = run()
        print(f"{what}: {n:,} rows, {time.perf_counter() - w:.3f} s wall, {cpu() - t:.3f} s CPU")

    def page(periods: list[str], offset: int) -> int:
        groups = _groups(stored, periods, None, None, None)
        values = IndicatorValues(None, stored, groups, None)  # type: ignore[arg-type]
        return values.part(offset, offset + 100).height

    where = f"province {province}" if province else "whole store"
    for periods in (["2025-06"], ["2025"]):
        for _ in range(repeat):
            timed(
                f"{where} {periods} before (read and sorted whole)",
                lambda p=periods: (
                    in_row_order(load_indicators(build, entities=codes, periods=p))
                    .slice(0, 100)
                    .height
                ),
            )
        for _ in range(repeat):
            timed(f"{where} {periods} first page (groups counted)", lambda p=periods: page(p, 0))
        groups = _groups(stored, periods, None, None, None)
        values = IndicatorValues(None, stored, groups, None)  # type: ignore[arg-type]
        total = len(values)
        for offset in (0, total // 3, total // 2, total - 100):
            for _ in range(repeat):
                timed(
                    f"{where} {periods} later page at {offset:,} of {total:,}",
                    lambda o=offset, v=values: v.part(o, o + 100).height,
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build", type=Path, help="time the reads of pages on this build only")
    parser.add_argument("--province", help="with --build: a province's entities (its code)")
    args = parser.parse_args()
    if args.build:
        os.environ.setdefault("GAOXIN_HOME", tempfile.mkdtemp(prefix="gx-api-values-"))
    from gaoxin.commands import django_env

    django_env.setup(migrated=args.build is None)
    if args.build:
        reads(args.build, args.repeat, args.province)
    else:
        requests(args.repeat)
        paging(args.repeat)


if __name__ == "__main__":
    main()
