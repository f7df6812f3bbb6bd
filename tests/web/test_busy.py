"""A locked database gets a clear message, never a 500 debug page (issue 15, item 8)."""

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation

from gaoxin.web.busy import DatabaseBusyMiddleware


def test_a_locked_database_answers_503_in_chinese():
    def view(request):
        raise OperationalError("database is locked")

    middleware = DatabaseBusyMiddleware(view)
    request = RequestFactory().get("/")
    with pytest.raises(OperationalError):
        middleware(request)  # Django's handler calls process_exception with the error
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()
    assert "gaoxin.web.busy.DatabaseBusyMiddleware" in settings.MIDDLEWARE


def test_the_busy_page_speaks_the_chosen_language():
    middleware = DatabaseBusyMiddleware(lambda r: None)
    error = OperationalError("database is locked")
    with translation.override("en"):
        html = middleware.process_exception(RequestFactory().get("/"), error).content.decode()
    assert '<html lang="en">' in html and "busy" in html.lower() and "系统繁忙" not in html
    with translation.override("zh-hans"):
        html = middleware.process_exception(RequestFactory().get("/"), error).content.decode()
    assert '<html lang="zh-Hans">' in html and "系统繁忙，请稍后重试" in html


def test_other_database_errors_are_not_hidden():
    middleware = DatabaseBusyMiddleware(lambda r: None)
    error = OperationalError("no such table: x")
    assert middleware.process_exception(RequestFactory().get("/"), error) is None
