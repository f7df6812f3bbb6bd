"""Load on the pages people read, for locust (the [bench] extra): 50 users of the demo at once.

Each simulated user signs in as a demo account (``GAOXIN_BENCH_USER``, default the 省级审核员
``province_reviewer``; password ``gaoxin-demo``) or takes the session the driver opened once
(``GAOXIN_BENCH_SESSION``: fifty password checks at once would measure the password hash), finds from its own dashboard the cities and
zones it may open and from the evaluation list the newest run, then reads pages in a loop with
a pause of 1–5 s between two (a person reading a page), by weight: the dashboard (its own and a
city's), the monitoring table, the ranking of the evaluation run, a zone's profile and the
pivot table. Run it through ``benchmarks/bench_pages_load.py``, which starts the server, runs
locust headless and prints p50/p95/p99 per page with the server's CPU per request::

    .venv/bin/python benchmarks/bench_pages_load.py --home /tmp/gx-pages --users 50 --time 120

Every request is a GET; nothing is written. ``GAOXIN_BENCH_CLIENT=fast`` reads the pages with
locust's ``FastHttpUser`` (geventhttpclient) instead of ``HttpUser`` (requests): the same
requests from a lighter client, for a machine whose cores the load generator shares with the
server (``bench_pages_load.py --client fast``, decision 060).
"""

from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, HttpUser, between, task

USER = os.environ.get("GAOXIN_BENCH_USER", "province_reviewer")
PASSWORD = os.environ.get("GAOXIN_BENCH_PASSWORD", "gaoxin-demo")
SESSION = os.environ.get("GAOXIN_BENCH_SESSION")
FAST = os.environ.get("GAOXIN_BENCH_CLIENT", "") == "fast"


class Reader(FastHttpUser if FAST else HttpUser):
    wait_time = between(1, 5)
    if FAST:  # the driver's session goes with every request as a header
        default_headers = {"Cookie": f"sessionid={SESSION}"}

    def on_start(self) -> None:
        if FAST:
            if not SESSION:
                raise RuntimeError("GAOXIN_BENCH_CLIENT=fast needs GAOXIN_BENCH_SESSION")
        elif SESSION:  # signed in once by the driver: a person signs in once, not per page
            self.client.cookies.set("sessionid", SESSION)
        else:
            self.log_in()
        self.discover()

    def log_in(self) -> None:
        page = self.client.get("/accounts/login/", name="login")
        token = self.client.cookies.get("csrftoken") or re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
        ).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )

    def discover(self) -> None:
        dashboard = self.client.get("/dashboard/", name="dashboard")
        self.zones = sorted(set(re.findall(r'href="(/zones/\d+/)"', dashboard.text)))
        # the map's regions link to their dashboards (in the chart's JSON)
        self.places = [
            f"/dashboard/?place={p}"
            for p in sorted(set(re.findall(r"place=(\d+)", dashboard.text)))
        ]
        runs = self.client.get("/evaluation/runs/", name="runs")
        found = re.findall(r'href="(/evaluation/runs/\d+/)"', runs.text)
        self.run = found[0] if found else None
        if not self.zones or self.run is None:
            raise RuntimeError(f"{USER}: no zone or no evaluation run to read (load the demo)")

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="dashboard")

    @task(1)
    def city_dashboard(self) -> None:
        if self.places:
            self.client.get(random.choice(self.places), name="dashboard (city)")

    @task(3)
    def monitoring(self) -> None:
        self.client.get("/statistics/monitor/", name="monitoring")

    @task(2)
    def ranking(self) -> None:
        self.client.get(self.run, name="ranking")

    @task(2)
    def zone(self) -> None:
        self.client.get(random.choice(self.zones), name="zone profile")

    @task(2)
    def pivot(self) -> None:
        self.client.get("/statistics/pivot/", name="pivot")
