"""In Chromium, on the Gansu demo with last year's evaluation run: a province admin starts an evaluation from the form, follows
the job to the ranking and opens a zone's 得分说明; then runs an award trial and reads the
would-be entries in 万元; and reads the targets page. Runs with --browser-tests. With GAOXIN_SCREENSHOTS=1 the pages are
saved to docs/guide/img/ for the user guide (docs/guide/results.md).

Under the test suite's immediate task backend the job has finished when the page opens, so the
job page shows its finished state and the link; the polling itself is tested in
tests/jobs/test_job_page_browser.py."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.engine import synth
from gaoxin.engine.periods import Period
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.evaluation.services import evaluate
from gaoxin.registry.models import Entity
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_home_browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-results-1"


@pytest.fixture
def admin():
    sync_catalogue()
    load_jurisdiction(synth.generate("gansu", scale=0.05), label="测试 gansu")
    province = Entity.objects.get(kind="region", code="620000")
    user = get_user_model().objects.create_user("gs-admin", password=PASSWORD)
    Profile.objects.create(
        user=user, organisation="甘肃省科技厅", scope=province, role=Role.PROVINCE_ADMIN
    )
    # last year's run: the ranking shows changes against it and the award rules read both years
    evaluate("gansu", Period.parse("2024"), province, by=user)
    return user


def test_a_province_admin_evaluates_explains_and_tries_awards(live_server, page, admin):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "gs-admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()  # not the header's 中文/English buttons
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/evaluation/runs/")
    page.get_by_role("link", name="开展评价").click()
    page.select_option("#id_framework", "gansu/gansu-provincial-zones-annual")
    page.fill("#id_period", "2025")
    shoot(page, "evaluation-start")
    page.get_by_role("button", name="开始评价").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    assert page.get_by_text("已完成").first.is_visible()
    shoot(page, "evaluation-job")
    page.get_by_role("link", name="查看排名").click()

    run = EvaluationRun.objects.get(period="2025")
    first = run.results.select_related("entity").get(rank=1)
    page.wait_for_url(f"{live_server.url}/evaluation/runs/{run.pk}/")
    row = page.locator("tr", has_text=first.entity.name).first
    assert row.locator("td").nth(2).inner_text() == f"{first.score:.2f}"
    shoot(page, "evaluation-ranking")
    row.get_by_role("link", name="得分说明").click()
    page.get_by_role("heading", name=f"{first.entity.name} · 得分说明").wait_for()
    assert page.get_by_text("各项贡献合计").is_visible()
    shoot(page, "evaluation-explain")

    page.goto(f"{live_server.url}/awards/")
    page.get_by_role("link", name="测算奖补").click()
    page.select_option("#id_pack", "gansu")
    page.fill("#id_period", "2025")
    page.get_by_role("button", name="开始测算").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.get_by_role("link", name="查看测算结果").click()
    page.get_by_role("heading", name="奖补测算结果").wait_for()
    assert page.get_by_text("测算，未记入台账").is_visible()
    assert page.get_by_text(re.compile(r"^[0-9,]+\.\d\d 万元$")).first.is_visible()
    shoot(page, "awards-trial")

    page.goto(f"{live_server.url}/policy/targets/")
    page.select_option("#id_pack", "gansu")
    page.get_by_role("button", name="查看").click()
    page.get_by_role("heading", name=re.compile("发展目标进度（")).wait_for()
    assert page.get_by_role("heading", name="按期限的预测值").is_visible()
    shoot(page, "targets")
