"""Login throttling (django-axes), the content-security policy (django-csp) and the schema's
access, as the settings of docs/deployment.md give them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "gaoxin"

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def official(db):
    return get_user_model().objects.create_user("zhang", password="right-password-1", is_staff=True)


def login(client: Client, page: str, username: str, password: str):
    return client.post(page, {"username": username, "password": password})


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_five_wrong_passwords_lock_the_name_out_with_a_chinese_page(official, settings, page):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, page, "zhang", "wrong")
        assert response.status_code == 200  # the form again, with its error
    locked = login(client, page, "zhang", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录已暂停" in html and "密码连续输错 5 次" in html and "15 分钟后再试" in html
    # now even the right password is refused, and nobody is logged in
    again = login(client, page, "zhang", "right-password-1")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_that_name_only(official, settings):
    get_user_model().objects.create_user("li", password="other-password-2")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "/accounts/login/", "zhang", "wrong")
    assert login(client, "/accounts/login/", "zhang", "right-password-1").status_code == 429
    response = login(client, "/accounts/login/", "li", "other-password-2")
    assert response.status_code == 302  # a colleague at the same office address still gets in


def test_a_success_before_the_limit_starts_the_count_again(official, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "/accounts/login/", "zhang", "wrong")
    assert login(client, "/accounts/login/", "zhang", "right-password-1").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "/accounts/login/", "zhang", "wrong").status_code == 200
    assert login(client, "/accounts/login/", "zhang", "right-password-1").status_code == 302


def test_the_test_clients_login_still_works(official):
    """authenticate() without a request (Client.login, a command-line check) is not throttled,
    and is not broken either."""
    client = Client()
    assert client.login(username="zhang", password="right-password-1")
    assert not client.login(username="zhang", password="wrong")


@pytest.mark.django_db
def test_pages_carry_a_policy_that_allows_nothing_inline_or_from_elsewhere():
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy and "http" not in policy


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "脚本"),
    (re.compile(r"<style\b", re.I), "样式表"),
    (re.compile(r"\sstyle=", re.I), "style 属性"),
    (re.compile(r"\son[a-z]+=", re.I), "事件属性"),
]


def test_no_template_has_inline_script_or_style():
    """The policy above blocks them: a template that has one breaks in the browser."""
    found = []
    for template in sorted(SRC.rglob("templates/**/*.html")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"))  # comments
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line}: 内联{what} {match.group(0)!r}")
    assert len(list(SRC.rglob("templates/**/*.html"))) > 2
    assert found == []


@pytest.mark.django_db
def test_the_api_schema_needs_a_login_when_debug_is_off(settings, official):
    settings.DEBUG = False
    assert Client().get("/api/schema/").status_code in (401, 403)
    client = Client()
    client.force_login(official)
    assert client.get("/api/schema/").status_code == 200
    settings.DEBUG = True
    assert Client().get("/api/schema/").status_code == 200
