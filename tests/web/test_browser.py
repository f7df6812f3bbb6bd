"""Browser suite: a person logs in to the admin in Chromium and finds the zones.

Runs with --browser-tests (CI=true .ci/run installs Debian's chromium and the [browser] extra)."""

import os
import shutil

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            # the browser's own words in Chinese (a file field's 选择文件, with Debian's
            # chromium-l10n): LANGUAGE picks Chromium's interface language, locale the page's
            env={**os.environ, "LANGUAGE": "zh_CN"},
            args=[
                "--lang=zh-CN",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser.new_page(locale="zh-CN")
        browser.close()


def test_login_and_find_a_zone(live_server, page, tmp_path):
    from django.contrib.auth import get_user_model

    factories.small_tree()
    get_user_model().objects.create_superuser("demo", "d@example.org", "gaoxin-demo")
    page.goto(f"{live_server.url}/admin/")  # "/" is the site's home page now
    page.fill("#id_username", "demo")
    page.fill("#id_password", "gaoxin-demo")
    page.click("input[type=submit]")
    page.get_by_role("link", name="高新区", exact=True).first.click()
    page.wait_for_url("**/admin/registry/zone/")
    assert page.get_by_role("link", name="厦门火炬高技术产业开发区").is_visible()
    assert page.get_by_text("国家级").first.is_visible()
    page.screenshot(path=str(tmp_path / "zones.png"), full_page=True)
    assert (tmp_path / "zones.png").stat().st_size > 1000
