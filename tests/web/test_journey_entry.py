"""The data-entry journey in Chromium, as the people who do it walk it.

A zone's reporter fills December 2025, meets an inline validation error, fixes it and submits;
the city returns it with a comment; the zone corrects and resubmits; the city approves; the
province approves and the return locks; an edit is refused until an audited unlock. Then an
upload with one bad row: the problem list shows and nothing is written.

Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the main steps are saved to
docs/guide/img/ for the user guide (docs/guide/data-entry.md)."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from gaoxin.statistics.models import Observation, SubmissionEvent
from tests.statistics.entry_fixtures import world  # noqa: F401
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
PASSWORD = "journey-pw-2025"


@pytest.fixture
def browser(page):  # noqa: F811
    """The Chromium of tests/web/test_browser.py, to open one page per person."""
    return page.context.browser


@pytest.fixture
def shots(tmp_path):
    folder = GUIDE_IMAGES if os.environ.get("GAOXIN_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def shot(tab, name, *, full_page=True):
        path = folder / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 1000
        return path

    return shot


def log_in(browser, live_server, user, *, viewport=None):
    user.set_password(PASSWORD)
    user.save()
    tab = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    tab.goto(f"{live_server.url}/accounts/login/")
    tab.fill("#id_username", user.get_username())
    tab.fill("#id_password", PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_load_state()
    return tab


def cell(page, world, code):  # noqa: F811
    return page.locator(f"#in-{world['torch'].pk}-{code}")


def test_the_approval_journey(live_server, browser, world, shots):  # noqa: F811
    form, torch = world["zone_monthly"], world["torch"]
    entry = live_server.url + reverse("statistics:entry", args=[form.code, torch.pk, "2025-12"])
    codes = [fv.variable.code for fv in form.form_variables.select_related("variable")]

    # The zone's reporter finds the form from the nav, fills it, and meets an inline error.
    zone = log_in(
        browser, live_server, world["zone_reporter"], viewport={"width": 390, "height": 844}
    )
    zone.get_by_role("link", name="数据填报").click()
    zone.select_option("#pick-form", form.code)
    zone.fill("#pick-period", "2025-12")
    zone.get_by_role("button", name="打开").click()
    zone.wait_for_url(f"**{reverse('statistics:entry', args=[form.code, torch.pk, '2025-12'])}")
    assert zone.get_by_text("未填报").first.is_visible()
    figures = dict(
        zip(
            codes,
            ["52300.5", "18000", "30100", "12000", "2100", "1500", "8000", "-50"],
            strict=True,
        )
    )
    for code, value in figures.items():
        cell(zone, world, code).fill(value)
    cell(zone, world, "exports").press("Tab")  # leaving the cell checks it
    error = zone.locator(f"#err-{torch.pk}-exports")
    error.get_by_text("不小于0").wait_for()
    assert zone.locator(".error-summary").get_by_text("请更正以下问题").is_visible()
    shots(zone, "entry-phone-inline-error")
    cell(zone, world, "exports").fill("6400")
    cell(zone, world, "exports").press("Tab")
    zone.locator(f"#err-{torch.pk}-exports:empty").wait_for(state="attached")
    assert zone.locator(".error-summary").count() == 0
    zone.get_by_role("button", name="提交审核").click()
    zone.get_by_text("已提交，等待审核").wait_for()
    assert Observation.objects.filter(entity=torch, period="2025-12").count() == len(codes)
    zone.close()

    # The city returns it with a comment.
    city = log_in(browser, live_server, world["city"])
    city.goto(entry)
    city.get_by_role("button", name="退回修改").click()
    city.get_by_text("须填写意见").wait_for()  # a return without a comment is refused
    city.fill("#comment-city_return", "出口总额与海关数据差距较大，请核实后重报")
    city.get_by_role("button", name="退回修改").click()
    city.get_by_text("当前状态「已退回」").wait_for()
    shots(city, "entry-city-returned")
    city.close()

    # The zone sees the comment, corrects and resubmits.
    zone = log_in(browser, live_server, world["zone_reporter"])
    zone.goto(entry)
    assert zone.locator("#events").get_by_text("出口总额与海关数据差距较大").is_visible()
    cell(zone, world, "exports").fill("5400")
    zone.get_by_role("button", name="提交审核").click()
    zone.get_by_text("已提交，等待审核").wait_for()
    zone.locator(".history-link").nth(codes.index("exports")).click()
    zone.locator("#history-card").get_by_text("6,400.00").first.wait_for()
    assert zone.locator("#history-card").get_by_text("5,400.00").first.is_visible()
    shots(zone, "entry-value-history")
    zone.close()

    # The city approves; the province approves and the return locks.
    city = log_in(browser, live_server, world["city"])
    city.goto(entry)
    city.get_by_role("button", name="审核通过").click()
    city.get_by_text("当前状态「市级已审核」").wait_for()
    city.close()
    province = log_in(browser, live_server, world["province"])
    province.goto(entry)
    assert province.get_by_role("button", name="解锁").count() == 0
    province.get_by_role("button", name="审定").click()
    province.get_by_text("当前状态「省级已审定」").wait_for()
    shots(province, "entry-province-approved")
    province.close()

    # An edit after the lock is refused until an audited unlock.
    zone = log_in(browser, live_server, world["zone_reporter"])
    zone.goto(entry)
    assert zone.locator("input[name^='v-']").count() == 0
    assert zone.locator("#read-only-reason").get_by_text("锁定").is_visible()
    # A save sent anyway (as a stale tab would) is refused by the server, not only hidden.
    token = next(c["value"] for c in zone.context.cookies() if c["name"] == "csrftoken")
    response = zone.request.post(
        entry,
        form={"action": "save", f"v-{torch.pk}-exports": "1"},
        headers={"X-CSRFToken": token, "Referer": entry},
    )
    assert response.status == 409 and "锁定" in response.text()
    assert not Observation.objects.filter(period="2025-12", value=1).exists()
    zone.close()
    admin = log_in(browser, live_server, world["province_admin"])
    admin.goto(entry)
    admin.fill("#comment-unlock", "市统计局反馈12月出口总额口径调整，需更正")
    admin.get_by_role("button", name="解锁").click()
    admin.get_by_text("当前状态「已退回」").wait_for()
    admin.close()
    zone = log_in(browser, live_server, world["zone_reporter"])
    zone.goto(entry)
    cell(zone, world, "exports").fill("5300")
    zone.get_by_role("button", name="保存草稿").click()
    zone.get_by_text("草稿已保存").wait_for()
    shots(zone, "entry-after-unlock")
    zone.close()
    actions = list(SubmissionEvent.objects.values_list("action", flat=True))
    assert actions == [
        "submit",
        "city_return",
        "submit",
        "city_approve",
        "province_approve",
        "unlock",
        "save",
    ]


def test_an_upload_with_one_bad_row_writes_nothing(live_server, browser, world, shots):  # noqa: F811
    form, torch = world["enterprise_annual"], world["torch"]
    entry = live_server.url + reverse("statistics:entry", args=[form.code, torch.pk, "2025"])
    tab = log_in(browser, live_server, world["zone_reporter"])
    tab.goto(entry)
    with tab.expect_download() as download:
        tab.get_by_role("link", name="下载填报模板").click()
    assert download.value.suggested_filename.endswith("企业年报（火炬统计）-2025年.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book["填报"]
    headers = [c.value for c in sheet[2]]
    for row, (revenue, rd) in zip((3, 4), ((8000, 600), (3000, 4200)), strict=True):
        sheet.cell(row=row, column=headers.index("营业收入（万元）") + 1, value=revenue)
        sheet.cell(row=row, column=headers.index("R&D经费内部支出（万元）") + 1, value=rd)
        sheet.cell(row=row, column=headers.index("从业人员（人）") + 1, value=120)
    data = io.BytesIO()
    book.save(data)
    tab.set_input_files(
        "#upload-file",
        files=[
            {
                "name": "火炬高新区企业年报.xlsx",
                "mimeType": "application/vnd.ms-excel",
                "buffer": data.getvalue(),
            }
        ],
    )
    tab.get_by_role("button", name="上传并导入").click()
    problems = tab.locator("#upload-problems")
    problems.wait_for()
    assert tab.get_by_text("上传的文件有问题，未写入任何数据").is_visible()
    bad = problems.locator("tr", has_text="R&D经费内部支出不超过营业收入")
    assert bad.locator("td").nth(2).inner_text() == "4"
    assert (
        bad.locator("td").nth(3).inner_text() == "「R&D经费内部支出（万元）」「营业收入（万元）」"
    )
    shots(tab, "entry-upload-problems")
    assert not Observation.objects.filter(period="2025").exists()
