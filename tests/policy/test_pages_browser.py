"""Browser journey (decision 031): on a phone-sized screen, a zone's reporter opens the task
ledger, finds a 滞后 measure of its unit, reports it done with a PDF and sees the report.

Runs with --browser-tests (Debian's chromium and the [browser] extra)."""

from __future__ import annotations

import pytest

from gaoxin.policy.models import Evidence, ProgressReport
from tests.policy.test_pages import PDF, w  # noqa: F401  (the fixture)
from tests.web.test_browser import page  # noqa: F401  (the fixture)
from tests.workplace import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_reports_progress_from_a_phone(live_server, page, w, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "zone_reporter")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/policy/ledger/")
    page.get_by_role("link", name="区科技局").first.click()
    page.wait_for_url("**/policy/ledger/unit/**")
    late = page.locator(".card", has=page.locator(".tag-error", has_text="滞后"))
    assert late.count() == 1
    late.get_by_role("link", name="报送进展").click()
    page.wait_for_url("**/policy/ledger/task/**")
    page.get_by_label("已完成").check()
    page.get_by_label("进展说明").fill("两家孵化器均已投入运营")
    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#id_evidence", str(evidence))
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    assert page.get_by_text("进展已报送").is_visible()
    assert page.get_by_role("link", name="会议纪要.pdf").is_visible()
    # nothing on the page is wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    report = ProgressReport.objects.get()
    assert (report.status, report.note, report.assignment.unit.name) == (
        "done",
        "两家孵化器均已投入运营",
        "区科技局",
    )
    assert Evidence.objects.get().original_name == "会议纪要.pdf"
    page.screenshot(path=str(tmp_path / "task.png"), full_page=True)
    assert (tmp_path / "task.png").stat().st_size > 1000
