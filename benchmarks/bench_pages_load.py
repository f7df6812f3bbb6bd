"""Pages under load: 50 users at once on the national demo, p50/p95/p99 per page.

Not collected by pytest; figures in docs/benchmarks.md. Starts the web server as a deployment
runs it (``gaoxin serve``: gunicorn, ``--workers`` processes) on a loopback port over the data
directory ``--home`` (a loaded demo), warms it up with a short run that is not counted, then runs
locust headless (``benchmarks/locust_pages.py``, the [bench] extra) and prints, per page, the
requests, failures and the 50th/95th/99th percentile response times, with the server's CPU time
(user + system, all its processes) per request and the load average.

One command each (``--prepare`` first loads what the pages read when ``--home`` or the database
does not hold it yet: ``gaoxin init``, ``gaoxin demo -j national``, the Jiangsu runs of
``national-zones-2021`` for 2024 and 2025, approved by the demo's 省级审核员; a second run skips
all of it)::

    .venv/bin/python benchmarks/bench_pages_load.py --prepare --home /tmp/gx-pages
    .venv/bin/python benchmarks/bench_pages_load.py --prepare --home /tmp/gx-pages-pg \
        --database-url postgres://gaoxin:gaoxin@127.0.0.1:5432/gaoxin_pages_bench

PostgreSQL: ``--prepare`` creates the database when it does not exist (the role needs CREATEDB);
its analytics tables live under its own ``--home``. ``--cache-url redis://127.0.0.1:6379/0``
makes the processes share one cache; ``--workers`` and ``--threads`` set gunicorn's.
``--one-at-a-time N`` runs no locust: it reads each page N times, one request at a time, and
prints the server's CPU per request of each page (decision 054).

Beside locust's figures (time from the request sent to the answer read, in the load generator,
which shares the cores) it prints the **server's own time** per page: gunicorn's access log
(``%(M)s``, from the request read to the answer written, in the worker) of the measured run. A
gap between the two is time the request waited for a free process or the load generator waited
for a core; a server time with the same tail is the page's own cost (decision 060).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid``'s process tree (the live processes' own time)."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def wait_for(url: str, server: subprocess.Popen | None = None, seconds: float = 600) -> None:
    """Until ``url`` answers; stop at once if ``server`` exits (a database not migrated since
    the last pull, say: ``--prepare`` runs ``gaoxin init``)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server is not None and server.poll() is not None:
            raise SystemExit(
                f"the server stopped (exit code {server.returncode}): run `gaoxin serve` with the "
                "same GAOXIN_HOME to see why, or pass --prepare (it runs gaoxin init)"
            )
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def sign_in(host: str, user: str, password: str = "gaoxin-demo") -> str:
    """Sign in once through the login form; the session id."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{host}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": user, "password": password, "csrfmiddlewaretoken": token}
    request = urllib.request.Request(
        f"{host}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{host}/accounts/login/"},
    )
    opener.open(request).read()
    found = {c.name: c.value for c in jar}
    if "sessionid" not in found:
        raise SystemExit(f"could not sign in as {user}")
    return found["sessionid"]


def locust(host: str, users: int, rate: float, seconds: int, prefix: str | None, env) -> None:
    argv = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locust_pages.py"),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--only-summary",
        "--stop-timeout",
        "10",
    ]
    if prefix:
        argv += ["--csv", prefix]
    subprocess.run(argv, env=env, check=False, stdout=subprocess.DEVNULL)


#: What ``--prepare`` loads: the evaluation runs the ranking page reads (Jiangsu's zones, the
#: province of the demo's 省级审核员), then approves them as that reviewer.
RUNS = [
    ["--pack", "national-14th-fyp", "--framework", "national-zones-2021"]
    + ["--period", year, "--scope", "320000"]
    for year in ("2024", "2025")
]
STATE = """
from gaoxin.commands import django_env
django_env.setup()
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.registry.models import Entity
runs = EvaluationRun.objects.filter(scope__code="320000")
print(Entity.objects.filter(kind="enterprise").count(), runs.count(), runs.published().count())
"""
APPROVE = """
from gaoxin.commands import django_env
django_env.setup()
from django.contrib.auth import get_user_model
from gaoxin import reviews
from gaoxin.evaluation.models import EvaluationRun
by = get_user_model().objects.get(username="province_reviewer")
runs = EvaluationRun.objects.filter(approval="pending", scope__code="320000")
ids = list(runs.values_list("pk", flat=True))
reviews.review(EvaluationRun, ids, "approve", by=by, comment="benchmark")
print(f"approved {len(ids)} runs")
"""


def _create_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names unless it exists."""
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    name = urlparse(url).path.lstrip("/")
    admin = url[: url.rindex("/")] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        print(f"created database {name}")


def prepare(env: dict) -> None:
    """Load the national demo and the approved Jiangsu runs into ``env``'s home and database,
    each step only when it is missing (a second call does nothing)."""
    if env.get("GAOXIN_DATABASE_URL"):
        _create_database(env["GAOXIN_DATABASE_URL"])
    gaoxin = str(BIN / "gaoxin")
    subprocess.run([gaoxin, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    state = subprocess.run(
        [sys.executable, "-c", STATE], env=env, check=True, capture_output=True, text=True
    )
    enterprises, runs, published = (int(x) for x in state.stdout.split()[-3:])
    if not enterprises:
        print("loading the national demo (1–6 minutes)")
        subprocess.run([gaoxin, "demo", "-j", "national"], env=env, check=True)
    if not runs:
        for argv in RUNS:
            subprocess.run([gaoxin, "evaluate", *argv], env=env, check=True)
    if not published:
        subprocess.run([sys.executable, "-c", APPROVE], env=env, check=True)


def pages_of(get) -> dict[str, str]:
    """The pages locust reads, found as ``locust_pages.Reader.discover`` finds them: the
    user's dashboard, the first city's, monitoring, the newest run's ranking, the first zone's
    profile and the pivot."""
    import re

    dashboard = get("/dashboard/").decode()
    zones = sorted(set(re.findall(r'href="(/zones/\d+/)"', dashboard)))
    places = sorted(set(re.findall(r"place=(\d+)", dashboard)))
    runs = re.findall(r'href="(/evaluation/runs/\d+/)"', get("/evaluation/runs/").decode())
    found = {"dashboard": "/dashboard/", "monitoring": "/statistics/monitor/"}
    if places:
        found["dashboard (city)"] = f"/dashboard/?place={places[0]}"
    if runs:
        found["ranking"] = runs[0]
    if zones:
        found["zone profile"] = zones[0]
    found["pivot"] = "/statistics/pivot/"
    return found


def one_at_a_time(host: str, session: str, server: subprocess.Popen, n: int, workers: int):
    """Each page ``n`` times, one request at a time, after enough reads for every process to
    keep its parts: the server's CPU per request of each page (user + system of all its
    processes), which a loaded machine distorts less than it does a 50-user run's latencies."""
    import statistics

    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"sessionid={session}")]

    def get(url: str) -> bytes:
        with opener.open(host + url) as response:  # noqa: S310 (loopback)
            return response.read()

    pages = pages_of(get)
    for url in pages.values():
        for _ in range(4 * workers):
            get(url)
    print(f"one request at a time, {n} a page; load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<18} {'server CPU ms':>13} {'wall p50 ms':>11}  url")
    for name, url in pages.items():
        before, walls = cpu_seconds(server.pid), []
        for _ in range(n):
            started = time.perf_counter()
            get(url)
            walls.append((time.perf_counter() - started) * 1000)
        cpu = (cpu_seconds(server.pid) - before) * 1000 / n
        print(f"{name:<18} {cpu:>13.1f} {statistics.median(walls):>11.1f}  {url}")


#: gunicorn's access-log line for :func:`server_times`: method, path, query, status, ms
LOG_FORMAT = 'gx %(m)s "%(U)s" "%(q)s" %(s)s %(M)s'
LOG_LINE = re.compile(r'^gx (\w+) "([^"]*)" "([^"]*)" (\d+) (\d+)$')


def page_name(path: str, query: str) -> str | None:
    """The name locust_pages.py gives a request for ``path``, or None (sign-in, the run list)."""
    if path == "/dashboard/":
        return "dashboard (city)" if "place=" in query else "dashboard"
    if path == "/statistics/monitor/":
        return "monitoring"
    if path == "/statistics/pivot/":
        return "pivot"
    if re.fullmatch(r"/evaluation/runs/\d+/", path):
        return "ranking"
    if re.fullmatch(r"/zones/\d+/", path):
        return "zone profile"
    return None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def server_times(lines: list[str]) -> dict[str, list[int]]:
    """Milliseconds each page took in the server, from gunicorn access-log ``lines``, by page
    name and for all pages ("all")."""
    found: dict[str, list[int]] = {}
    for line in lines:
        m = LOG_LINE.match(line.strip())
        if not m or (name := page_name(m.group(2), m.group(3))) is None:
            continue
        found.setdefault(name, []).append(int(m.group(5)))
        found.setdefault("all", []).append(int(m.group(5)))
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", required=True, help="GAOXIN_HOME with the demo loaded")
    ap.add_argument("--database-url", help="GAOXIN_DATABASE_URL (PostgreSQL)")
    ap.add_argument("--cache-url", help="GAOXIN_CACHE_URL (Redis)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--rate", type=float, default=10, help="users started per second")
    ap.add_argument("--time", type=int, default=120, help="seconds measured")
    ap.add_argument("--warmup", type=int, default=30, help="seconds of load not counted")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--threads", type=int, default=1, help="threads per gunicorn process")
    ap.add_argument("--user", default="province_reviewer", help="demo account the users sign in as")
    ap.add_argument("--server-log", help="keep the server's access log in this file")
    ap.add_argument(
        "--client",
        choices=["requests", "fast"],
        default="requests",
        help="locust's HttpUser (requests) or FastHttpUser (geventhttpclient, less CPU)",
    )
    ap.add_argument(
        "--prepare", action="store_true", help="first load the demo and the runs if missing"
    )
    ap.add_argument(
        "--one-at-a-time",
        type=int,
        metavar="N",
        help="no locust: each page N times, one request at a time, with the server's CPU a request",
    )
    args = ap.parse_args()

    env = {**os.environ, "GAOXIN_HOME": args.home, "GAOXIN_BENCH_USER": args.user}
    env["GUNICORN_CMD_ARGS"] = f"--access-logformat '{LOG_FORMAT}'"
    env["GAOXIN_BENCH_CLIENT"] = args.client
    env.pop("GAOXIN_DATABASE_URL", None)
    if args.database_url:
        env["GAOXIN_DATABASE_URL"] = args.database_url
    if args.cache_url:
        env["GAOXIN_CACHE_URL"] = args.cache_url
    if args.prepare:
        prepare(env)
    host = f"http://127.0.0.1:{args.port}"
    with socket.socket() as probe:  # a server left from an interrupted run would be measured
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            raise SystemExit(
                f"port {args.port} already answers: stop that server (an interrupted run's?) or"
                " pass --port"
            )
    log = (  # closed below, after the server
        open(args.server_log, "w+", encoding="utf-8")  # noqa: SIM115
        if args.server_log
        else tempfile.NamedTemporaryFile("w+", encoding="utf-8", prefix="gx-serve-", suffix=".log")  # noqa: SIM115
    )
    server = subprocess.Popen(
        [str(BIN / "gaoxin"), "serve", "--addr", f"127.0.0.1:{args.port}"]
        + ["--workers", str(args.workers), "--threads", str(args.threads)],
        env=env,
        stdout=log,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"{host}/accounts/login/", server)
        env["GAOXIN_BENCH_SESSION"] = sign_in(host, args.user)
        if args.one_at_a_time:
            one_at_a_time(host, env["GAOXIN_BENCH_SESSION"], server, args.one_at_a_time,
                          args.workers)  # fmt: skip
            return
        if args.warmup:
            locust(host, min(args.users, 10), args.rate, args.warmup, None, env)
        load_before = os.getloadavg()
        cpu_before = cpu_seconds(server.pid)
        log_start = os.path.getsize(log.name)
        with tempfile.TemporaryDirectory() as tmp:
            prefix = str(Path(tmp) / "run")
            locust(host, args.users, args.rate, args.time, prefix, env)
            cpu = cpu_seconds(server.pid) - cpu_before
            load_after = os.getloadavg()
            with open(log.name, encoding="utf-8", errors="replace") as f:
                f.seek(log_start)
                served = server_times(f.readlines())
            with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
    finally:
        if server.poll() is None:  # else its own error is the one to show
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()

    total = next(r for r in rows if r["Name"] == "Aggregated")
    n = int(total["Request Count"])
    print(
        f"{args.users} users, {args.time} s, {args.workers} workers × {args.threads} threads, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}"
        f"{', Redis cache' if args.cache_url else ''}, locust client {args.client}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"{'page':<18} {'requests':>8} {'fails':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for r in rows:
        if r["Name"] in ("login", "runs"):
            continue
        print(
            f"{r['Name']:<18} {r['Request Count']:>8} {r['Failure Count']:>6} "
            f"{r['50%']:>7} {r['95%']:>7} {r['99%']:>7}"
        )
    print(f"server CPU {cpu:.1f} s for {n} requests: {1000 * cpu / max(n, 1):.1f} ms a request")
    print("in the server (gunicorn's access log: request read to answer written):")
    print(f"{'page':<18} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, ms in sorted(served.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        figures = [percentile(ms, q) for q in (50, 95, 99)] + [max(ms)]
        print(f"{name:<18} {len(ms):>8} " + " ".join(f"{x:>7}" for x in figures))


if __name__ == "__main__":
    main()
