# ruff: noqa: F811 (fixtures are imported, then named by each test)
"""The import and monitoring journey in Chromium: a zone's reporter uploads a workbook with one
bad row and reads the problem list (nothing written), uploads a corrected one and watches the
job run in the real queue (`gaoxin worker`) to its summary, then opens the month's monitoring
table and downloads its workbook, made by another job.

Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the main steps are saved to
docs/guide/img/ for the user guide (docs/guide/import-export.md, docs/guide/monitoring.md)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from gaoxin.jobs.models import Job
from gaoxin.statistics.models import Observation
from tests.statistics.entry_fixtures import world  # noqa: F401
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_journey_entry import browser, log_in, shots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def workbooks(world, folder):
    """The torch zone's enterprise monthly template for December 2025, as the entry page gives
    it, filled twice: with one bad row (a value added above the output) and corrected."""
    client = Client()
    client.force_login(world["zone_reporter"])
    url = reverse(
        "statistics:entry_template",
        args=[world["enterprise_monthly"].code, world["torch"].pk, "2025-12"],
    )
    made = {}
    for name, value_added in (("bad", 500), ("good", 50)):
        book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
        sheet = book["填报"]
        headers = [c.value for c in sheet[2]]
        for row, values in {
            3: {"营业收入（万元）": 1200.5, "工业总产值（万元）": 800, "工业增加值（万元）": 300},
            4: {
                "营业收入（万元）": 45.25,
                "工业总产值（万元）": 100,
                "工业增加值（万元）": value_added,
            },
        }.items():
            for header, value in values.items():
                sheet.cell(row=row, column=headers.index(header) + 1, value=value)
        made[name] = folder / f"12月快报-{name}.xlsx"
        book.save(made[name])
    return made


def run_the_worker(tab):
    """What `gaoxin worker --batch` runs, while the page's polls wait: the test database is
    SQLite in memory with a shared cache, where a lock is an error at once rather than a wait
    (the worker claims its task with BEGIN EXCLUSIVE). A request the page sends meanwhile is
    held by the route until the worker is done; one in flight is let finish first."""
    from gaoxin.commands.site import worker

    tab.route("**/jobs/**", lambda route: route.continue_())
    tab.wait_for_timeout(500)
    worker(interval=0.1, batch=True)
    tab.unroute("**/jobs/**")


def test_upload_problems_then_progress_then_summary_then_monitoring(
    live_server, browser, world, shots, settings, tmp_path
):
    files = workbooks(world, tmp_path)
    zone = log_in(browser, live_server, world["zone_reporter"])

    # One bad row: the job refuses the file and lists the problem at its cells.
    zone.get_by_role("link", name="数据导入").click()
    zone.wait_for_url("**/statistics/import/")
    zone.set_input_files("#import-file", str(files["bad"]))
    zone.get_by_role("button", name="上传并导入").click()
    zone.wait_for_url("**/jobs/*/")
    zone.get_by_text("问题清单（未写入任何数据）").wait_for()
    problems = zone.locator("#job-problems tbody tr")
    assert problems.count() == 1
    row = problems.first.inner_text()
    assert "12月快报-bad.xlsx" in row and "填报" in row and "4" in row
    assert "「工业增加值（万元）」「工业总产值（万元）」" in row
    assert not Observation.objects.exists()
    shots(zone, "import-problems")

    # Corrected, with the real queue: the page waits for the worker, then shows the summary.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    zone.get_by_role("link", name="数据导入").click()
    zone.set_input_files("#import-file", str(files["good"]))
    zone.get_by_role("button", name="上传并导入").click()
    zone.wait_for_url("**/jobs/*/")
    assert zone.get_by_text("排队中").is_visible() and zone.locator("progress").count() == 1
    zone.evaluate("window.stillTheSamePage = true")
    shots(zone, "import-queued")
    run_the_worker(zone)
    zone.get_by_text("已导入，读取 2 行、6 个数值").wait_for(timeout=15_000)
    assert zone.evaluate("window.stillTheSamePage") is True  # htmx brought the result
    assert zone.get_by_text("数据批次：第").is_visible()
    assert Observation.objects.count() == 6
    shots(zone, "import-summary")

    # The month's monitoring table, then its workbook from another job.
    zone.get_by_role("link", name="月监测").click()
    zone.wait_for_url("**/statistics/monitor/")
    assert zone.locator("#monitor-period option:checked").inner_text() == "2025年12月"
    assert zone.get_by_role("heading", level=1).inner_text().endswith("月度监测表（2025年12月）")
    table = zone.locator("table.monitor-table").inner_text()
    assert "厦门火炬高技术产业开发区" in table and "1,245.75" in table  # 万元, 2 decimals
    shots(zone, "monitor")
    zone.get_by_role("button", name="下载 Excel").click()
    zone.wait_for_url("**/jobs/*/")
    run_the_worker(zone)
    link = zone.get_by_role("link", name="下载")
    link.wait_for(timeout=15_000)
    with zone.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("月度监测表（2025年12月）.xlsx")
    assert Job.objects.filter(state="succeeded").count() == 2
