"""The site's own login page: Chinese, an error summary on a wrong password, vendored htmx."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_loads_only_local_assets(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<h1>登录</h1>" in html
    assert "/static/vendor/htmx.min.js" in html
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html


def test_wrong_password_shows_the_error_summary(client):
    get_user_model().objects.create_user("zhang", password="right-password-1")
    html = client.post(
        "/accounts/login/", {"username": "zhang", "password": "wrong"}
    ).content.decode()
    assert "请更正以下问题" in html
    assert "用户名" in html


def test_login_then_logout(client):
    get_user_model().objects.create_user("zhang", password="right-password-1")
    r = client.post("/accounts/login/", {"username": "zhang", "password": "right-password-1"})
    assert r.status_code == 302
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"].endswith("/accounts/login/")
