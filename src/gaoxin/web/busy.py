"""A database busy past its timeout (SQLite locked by a long write, PostgreSQL lock or
serialization failure) answers 503 with a message in the page's language and Retry-After, never a
500 page."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

_BUSY = ("database is locked", "database table is locked", "could not obtain lock", "deadlock")


def busy_page() -> str:
    """The 503 page in the request's language (decision 035): plain HTML made here, with
    nothing read from the database that is busy."""
    return format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>",
        "en" if get_language() == "en" else "zh-Hans",
        gettext("系统繁忙"),
        gettext("系统繁忙，请稍后重试"),
        gettext(
            "数据库正在写入大量数据（例如正在导入），本次操作未完成、未作任何修改。"
            "请过几秒钟后刷新页面或重新提交。"
        ),
    )


def is_busy(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and any(t in str(error).lower() for t in _BUSY)


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        response = HttpResponse(busy_page(), status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "5"
        return response
