# ruff: noqa: F811 (fixtures are imported, then named by each test)
"""In Chromium: the province's division opens the month's monitoring table, asks for the
月度监测通报 as Word, the job runs in the real queue (`gaoxin worker`), and the file it
downloads opens in python-docx as the bulletin. Runs with --browser-tests."""

from __future__ import annotations

import pytest
from docx import Document

from gaoxin.registry.models import Entity
from tests import factories
from tests.commands.test_monitor_command import gansu  # noqa: F401 (fixture)
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_journey_entry import browser, log_in  # noqa: F401
from tests.web.test_journey_import import run_the_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_the_monthly_bulletin_as_word(live_server, browser, gansu, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the real queue
    user = factories.user_in(Entity.objects.get(code="620000"), "gansu-division")
    tab = log_in(browser, live_server, user)
    tab.goto(f"{live_server.url}/statistics/monitor/?period=2025-07")
    form = tab.locator('form.official-download[data-kind="monitor"]')
    assert "月度监测通报（公文）" in form.inner_text()
    form.get_by_role("button", name="公文 Word").click()
    tab.wait_for_url("**/jobs/*/")
    run_the_worker(tab)
    link = tab.get_by_role("link", name="下载")
    link.wait_for(timeout=30_000)
    with tab.expect_download() as download:
        link.click()
    name = download.value.suggested_filename
    assert name.endswith("月度监测通报.docx"), name
    saved = tmp_path / name
    download.value.save_as(saved)
    doc = Document(str(saved))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "甘肃省科学技术厅文件"
    assert any(t.startswith("关于2025年7月") and t.endswith("月度监测通报") for t in texts)
    assert len(doc.inline_shapes) >= 1  # the charts
