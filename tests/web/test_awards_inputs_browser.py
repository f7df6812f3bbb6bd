"""In Chromium, on the Fujian demo: a province admin downloads the template of the inputs
Fujian's rules read from the user, is refused a file with a bad value and an entity outside the
scope, both at the top of the form in one round (file, row, column, value) with nothing started,
then uploads the filled template, reads on the trial the file used and the 约谈 of the zone graded
较差, records it and downloads the file from the recording's job page under its Chinese name
(decisions 082, 084). Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the pages are saved to
docs/guide/img/ for the user guide (docs/guide/results.md)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.engine import synth
from gaoxin.jobs.models import Job
from gaoxin.registry.models import Entity
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_home_browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-inputs-1"
EVALUATION = "评价考核结果（好、一般、较差）"


@pytest.fixture
def admin(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    sync_catalogue()
    load_jurisdiction(synth.generate("fujian", scale=0.05), label="测试 fujian")
    province = Entity.objects.get(kind="region", code="350000")
    user = get_user_model().objects.create_user("fj-admin", password=PASSWORD)
    Profile.objects.create(
        user=user, organisation="福建省科技厅", scope=province, role=Role.PROVINCE_ADMIN
    )
    return user


def test_a_province_admin_uploads_the_inputs_and_reads_the_trial(
    live_server,
    page,  # noqa: F811
    admin,
    tmp_path,
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "fj-admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/awards/trials/new/")
    row = page.locator("tr", has_text="促进高新技术产业开发区高质量发展实施方案")
    assert EVALUATION in row.inner_text()
    with page.expect_download() as got:
        row.get_by_role("link", name="下载输入模板").click()
    template = tmp_path / got.value.suggested_filename
    got.value.save_as(template)
    book = openpyxl.load_workbook(template)
    sheet = book["填写"]
    col = [c.value for c in sheet[1]].index(EVALUATION) + 1
    zone = Entity.objects.get(kind="zone", name="福州高新技术产业开发区")
    line = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == zone.code)

    # a bad value and a zone of another province: both refused on the form in one round, where
    # and why, nothing started
    other = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    far = Entity.objects.create(kind="zone", code="GS-ZONE-1", name="兰州高新区", parent=other)
    bad = tmp_path / "结论.csv"
    bad.write_text(f"主体代码,{EVALUATION}\n{zone.code},差\n{far.code},好\n", encoding="utf-8")
    page.select_option("#id_pack", "fujian-2021")
    page.fill("#id_period", "2024")
    page.set_input_files("#id_inputs", str(bad))
    shoot(page, "awards-inputs-form")
    page.get_by_role("button", name="开始测算").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert f"结论.csv，第2行，列「{EVALUATION}」" in text and "「差」" in text
    assert "结论.csv，第3行，列「主体代码」" in text and f"「{far.code}」" in text
    assert "兰州高新区" not in text
    assert Job.objects.count() == 0
    shoot(page, "awards-inputs-problems")

    # the filled template: the trial runs with it and names it
    sheet.cell(line, col).value = "较差"
    good = tmp_path / "省评价考核结论.xlsx"
    book.save(good)
    page.select_option("#id_pack", "fujian-2021")
    page.fill("#id_period", "2024")
    page.set_input_files("#id_inputs", str(good))
    page.get_by_role("button", name="开始测算").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.get_by_role("link", name="查看测算结果").click()
    page.wait_for_url(re.compile(r"/awards/trials/[0-9a-f-]+/$"))
    assert page.get_by_role("link", name="省评价考核结论.xlsx", exact=True).is_visible()
    summoned = page.locator("tr", has_text=zone.name).filter(has_text="约谈")
    assert summoned.count() == 1
    shoot(page, "awards-inputs-trial")

    # 记入台账: the recording's job page links the same file, downloaded under its Chinese name
    page.get_by_role("button", name="记入台账").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.get_by_text("已记入奖补台账").wait_for()
    shoot(page, "awards-inputs-recorded")
    with page.expect_download() as got:
        page.get_by_role("link", name="省评价考核结论.xlsx", exact=True).click()
    assert got.value.suggested_filename == "省评价考核结论.xlsx"
    assert Path(got.value.path()).read_bytes() == good.read_bytes()
