"""A database busy past its timeout (SQLite locked by a long write, PostgreSQL lock or
serialization failure) answers 503 with a Chinese message and Retry-After, never a 500 page."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpResponse

_BUSY = ("database is locked", "database table is locked", "could not obtain lock", "deadlock")

MESSAGE = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
    "<title>系统繁忙</title></head><body><h1>系统繁忙，请稍后重试</h1>"
    "<p>数据库正在写入大量数据（例如正在导入），本次操作未完成、未作任何修改。"
    "请过几秒钟后刷新页面或重新提交。</p></body></html>"
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
        response = HttpResponse(MESSAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "5"
        return response
