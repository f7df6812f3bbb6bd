"""How the API answers a refusal: one JSON shape, ``{"detail": message, "code": code}`` with
``problems`` (each ``message`` and where it is) when there are several.

- outside the user's scope, or missing (gaoxin.services.OutOfScope / NotFound, Http404): 404
  with one fixed message, never the name of what was asked for;
- not the role's to do (PermissionDenied): 403;
- a move the rules do not allow now (approval.Refused): 409;
- bad input (ProblemsError, ValidationError, LedgerError): 400 or 422, nothing changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from gaoxin.engine.problems import ProblemsError

NOT_FOUND = "未找到，或不在您的数据范围内"


class Unprocessable(exceptions.APIException):
    """Input that was understood but refused (values that fail the checks): 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "输入未通过检查，未做任何修改"
    default_code = "invalid"

    def __init__(self, detail: str, problems: list[dict] | None = None, code: str = "invalid"):
        super().__init__(detail, code)
        self.problems = problems or []


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "当前状态下不能这样做"
    default_code = "refused"


def _body(detail: str, code: str, problems: list[dict] | None = None) -> dict:
    body: dict = {"detail": detail, "code": code}
    if problems:
        body["problems"] = problems
    return body


def handle(exc, context):
    from gaoxin.policy.ledger import LedgerError
    from gaoxin.statistics.approval import Refused

    if isinstance(exc, Http404 | exceptions.NotFound):
        # gaoxin.services.OutOfScope and NotFound are Http404s: one answer for both, which
        # names nothing (an OutOfScope message names the scope that was asked for)
        return Response(_body(NOT_FOUND, "not_found"), status=404)
    if isinstance(exc, ProblemsError):
        problems = [
            {k: v for k, v in p.as_dict().items() if v is not None and k != "extra"}
            for p in exc.problems
        ]
        head = exc.problems[0].message if exc.problems else "输入有误"
        return Response(_body(head, "invalid", problems), status=422)
    if isinstance(exc, Refused):
        return Response(_body(str(exc), "refused"), status=409)
    if isinstance(exc, LedgerError):
        return Response(_body(str(exc), "invalid"), status=422)
    if isinstance(exc, PermissionDenied):
        return Response(_body(str(exc) or "无权进行此项操作", "permission_denied"), status=403)
    if isinstance(exc, Unprocessable):
        return Response(_body(str(exc.detail), "invalid", exc.problems), status=422)
    if isinstance(exc, exceptions.ValidationError):
        problems = _field_problems(exc.detail)
        return Response(_body(problems[0]["message"], "invalid", problems), status=400)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        codes = exc.get_codes()
        response.data = _body(str(detail), codes if isinstance(codes, str) else exc.default_code)
    return response


def _field_problems(detail, prefix: str = "") -> list[dict]:
    """A serializer's nested errors as a flat list: ``{"field": "values[2].value", "message"}``."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int) or str(key).isdigit():
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out += _field_problems(value, name)
    elif isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            out += [{"field": prefix, "message": str(d)} for d in detail]
        else:
            for i, d in enumerate(detail):
                if d:
                    out += _field_problems(d, f"{prefix}[{i}]")
    else:
        out.append({"field": prefix, "message": str(detail)})
    return out or [{"field": prefix, "message": "输入有误"}]
