"""In Chromium: a job's page follows the job by itself (htmx polling) under the site's
content-security policy, with no policy violation. Runs with --browser-tests."""

import os
import shutil

import pytest

from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield browser.new_page()
        browser.close()


def test_the_job_page_updates_itself_until_the_job_ends(live_server, page):
    tree = factories.small_tree()
    user = factories.user_in(tree["torch"], "torch-filler")
    user.set_password("right-password-1")
    user.save()
    job = Job.objects.create(
        kind="x.y", label="导入统计数据", started_by=user, scope=tree["torch"],
        state=JobState.RUNNING, done=1, total=4, message="校验数据",
    )  # fmt: skip
    complaints = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "torch-filler")
    page.fill("#id_password", "right-password-1")
    page.get_by_role("button", name="登录").click()  # not the header's 中文/English buttons
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.get_by_text("25%（1 / 4）").is_visible()
    page.evaluate("window.stillTheSamePage = true")  # a reload would forget it

    Job.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED, done=4, message="", summary="共导入 4 个数值"
    )
    page.get_by_text("共导入 4 个数值").wait_for(timeout=15_000)  # the next poll brings it
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the section in
    assert page.locator("progress").count() == 0
    assert not [c for c in complaints if "Content Security Policy" in c or "htmx" in c], complaints
