"""Screenshots of the demo for the user guide (docs/guide/img/demo-*.png), made with Playwright
driving Debian's Chromium (the [browser] extra) against a running gaoxin.

    make run JURISDICTION=national            # or: gaoxin serve over a loaded demo
    .venv/bin/python scripts/guide_screenshots.py --url http://127.0.0.1:8000

Signs in as the demo's 省级审核员 (``province_reviewer`` / ``gaoxin-demo``) and saves, after the
charts have drawn: the dashboard of the province with its charts and map, a city's dashboard, a
zone's profile, the monitoring table (and its preview with data under review), the pivot, the list of evaluation runs and the newest
run's ranking, the award ledger and the targets page. Pages the account cannot open (no run
yet, no pack with targets) are skipped and named.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "guide" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--user", default="province_reviewer")
    ap.add_argument("--password", default="gaoxin-demo")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(f"{base}/accounts/login/")
        tab.fill("#id_username", args.user)
        tab.fill("#id_password", args.password)
        tab.get_by_role("button", name="登录").click()
        tab.wait_for_load_state()

        def shot(name: str, path: str, *, charts: bool = False) -> str:
            response = tab.goto(f"{base}{path}", timeout=120_000)
            if response is None or response.status != 200:
                print(f"skipped {name}: {path} answered {response and response.status}")
                return ""
            if charts:  # ECharts draws into canvases after the page has loaded
                tab.wait_for_selector("canvas", timeout=60_000)
                tab.wait_for_timeout(1500)
            target = args.out / f"demo-{name}.png"
            tab.screenshot(path=str(target), full_page=True)
            print(f"saved {target}")
            return tab.content()

        page = shot("dashboard-province", "/dashboard/", charts=True)
        places = sorted(set(re.findall(r"place=(\d+)", page)))
        zones = sorted(set(re.findall(r'href="(/zones/\d+/)"', page)))
        if places:
            shot("dashboard-city", f"/dashboard/?place={places[0]}", charts=True)
        if zones:
            shot("zone-profile", zones[0], charts=True)
        shot("monitor", "/statistics/monitor/")
        shot("monitor-preview", "/statistics/monitor/?preview=1")  # data under review
        shot("pivot", "/statistics/pivot/")
        runs = shot("evaluation-runs", "/evaluation/runs/")
        found = re.findall(r'href="(/evaluation/runs/\d+/)"', runs)
        if found:
            shot("evaluation-ranking", found[0])
        shot("awards-ledger", "/awards/")
        shot("targets", "/policy/targets/")
        browser.close()


if __name__ == "__main__":
    main()
