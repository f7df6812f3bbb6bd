"""The endpoints of /api/v1/: thin faces over the services and scoping functions the pages use
(decision 034). Reading a list goes through the same scoped querysets (``restrict(user)``), an
object through the same lookups, so another scope's object answers 404 exactly as a missing one
does and never appears in a list. Writes (saving and moving a submission, a progress report)
call the pages' services, with their checks; a refusal changes nothing.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gaoxin.accounts.roles import ROLE_ACTIONS, role_label
from gaoxin.api import serializers as s
from gaoxin.api.errors import Unprocessable
from gaoxin.api.pagination import StoredPages, StoredRows
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.problems import ProblemsError
from gaoxin.registry.choices import EntityKind, RegionLevel
from gaoxin.registry.models import Entity
from gaoxin.statistics.services import INDICATOR_KINDS
from gaoxin.web.preview import preview_of

# --- what every endpoint may answer ----------------------------------------------------------

ERR = s.ErrorSerializer
READ_ERRORS = {
    400: OpenApiResponse(ERR, description="查询参数有误"),
    401: OpenApiResponse(ERR, description="未登录：缺少或无效的令牌"),
    404: OpenApiResponse(ERR, description="不存在，或不在您的数据范围内（两者同一回答）"),
    429: OpenApiResponse(ERR, description="请求过于频繁"),
}
LIST_ERRORS = {
    400: READ_ERRORS[400],
    401: READ_ERRORS[401],
    429: READ_ERRORS[429],
}
WRITE_ERRORS = {
    **READ_ERRORS,
    400: OpenApiResponse(ERR, description="请求格式有误（字段缺失、类型不对）"),
    403: OpenApiResponse(ERR, description="本角色不能做此操作"),
    409: OpenApiResponse(ERR, description="当前状态不允许（已锁定、已截止、流转不合规）"),
    422: OpenApiResponse(ERR, description="数值未通过检查，未做任何修改"),
}


#: how a period is written: 2025, 2025H1, 2025Q3, 2025-07
PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?$"
ID = {"type": "integer", "minimum": 1}
PERIOD = {"type": "string", "pattern": PERIOD_PATTERN}


def _param(name: str, type_: Any, description: str, *, required: bool = False, enum=None):
    """A query parameter; ``int`` means an id (a positive integer), ``"period"`` a period."""
    if type_ is int:
        type_ = ID
    elif type_ == "period":
        type_ = PERIOD
    return OpenApiParameter(
        name, type_, OpenApiParameter.QUERY, required=required, description=description, enum=enum
    )


def _bad(field: str, message: str):
    return Unprocessable(message, [{"field": field, "message": message}], code="invalid")


def _int(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise _Bad400(name, f"参数 {name} 应为正整数，实为「{text}」")
    return int(text)


class _Bad400(Exception):
    pass


def _period(name: str, text: str) -> Period:
    try:
        return Period.parse(text)
    except (PeriodError, ValueError) as err:
        raise _Bad400(name, f"参数 {name} 不是期间（如 2025、2025Q3、2025-07）：{err}") from err


def _json_safe(value: Any) -> Any:
    """A cell of a polars frame as JSON: no NaN or infinity (null instead), dates as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)


class Base(APIView):
    """Turns a bad query parameter into a 400 with its name (the handler for the rest)."""

    def handle_exception(self, exc):
        if isinstance(exc, _Bad400):
            field, message = exc.args
            return Response(
                {
                    "detail": message,
                    "code": "invalid",
                    "problems": [{"field": field, "message": message}],
                },
                status=400,
            )
        return super().handle_exception(exc)


class ListBase(Base, generics.ListAPIView):
    pass


# --- who am I ----------------------------------------------------------------------------------


class MeView(Base):
    """The signed-in user: role, scope and what the role may do."""

    @extend_schema(responses={200: s.MeSerializer, **READ_ERRORS}, tags=["账号"])
    def get(self, request):
        user = request.user
        profile = getattr(user, "gaoxin_profile", None)
        role = profile.role if profile is not None else ("admin" if user.is_superuser else None)
        scope = None if user.is_superuser or profile is None else profile.scope
        actions = sorted(ROLE_ACTIONS.get(role, ())) if role else []
        data = {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "role": role,
            "role_name": role_label(role) if role else None,
            "scope": scope.pk if scope is not None else None,
            "scope_name": scope.name if scope is not None else None,
            "actions": [str(a) for a in actions],
        }
        return Response(s.MeSerializer(data).data)


# --- the registry ------------------------------------------------------------------------------

LEVELS = [*RegionLevel.values, EntityKind.ZONE, EntityKind.ENTERPRISE, EntityKind.INSTITUTION]


@extend_schema(
    tags=["名录"],
    parameters=[
        _param("level", str, "层级", enum=LEVELS),
        _param("parent", int, "上级主体编号（直接下级）"),
        _param("within", int, "某主体及其全部下级"),
        _param("code", str, "代码（精确）"),
        _param("name", str, "名称包含"),
    ],
    responses={200: s.EntitySerializer(many=True), **LIST_ERRORS},
)
class EntityList(ListBase):
    """Entities of the user's scope (the scope itself and everything under it)."""

    serializer_class = s.EntitySerializer

    def get_queryset(self):
        q = self.request.query_params
        qs = Entity.objects.restrict(self.request.user).select_related("region")
        level = q.get("level", "")
        if level:
            if level not in LEVELS:
                raise _Bad400("level", f"参数 level 应为 {'、'.join(LEVELS)} 之一")
            if level in RegionLevel.values:
                qs = qs.filter(kind=EntityKind.REGION, region__level=level)
            else:
                qs = qs.filter(kind=level)
        parent = _int(self.request, "parent")
        if parent is not None:
            qs = qs.filter(parent_id=parent)
        within = _int(self.request, "within")
        if within is not None:
            root = Entity.objects.restrict(self.request.user).filter(pk=within).first()
            qs = qs.within(root) if root is not None else qs.none()
        if q.get("code"):
            qs = qs.filter(code=q["code"].strip())
        if q.get("name"):
            qs = qs.filter(name__contains=q["name"].strip())
        return qs.order_by("path", "id")


@extend_schema(tags=["名录"], responses={200: s.EntitySerializer, **READ_ERRORS})
class EntityDetail(Base, generics.RetrieveAPIView):
    """One entity of the user's scope."""

    serializer_class = s.EntitySerializer

    def get_queryset(self):
        return Entity.objects.restrict(self.request.user).select_related("region")


# --- catalogues --------------------------------------------------------------------------------


@extend_schema(
    tags=["目录"],
    parameters=[_param("period_type", str, "报送周期", enum=["month", "quarter", "year"])],
    responses={200: s.VariableSerializer(many=True), **LIST_ERRORS},
)
class VariableList(ListBase):
    """The statistical variables (the catalogue every form and import reads)."""

    serializer_class = s.VariableSerializer

    def get_queryset(self):
        from gaoxin.statistics.models import Variable

        qs = Variable.objects.order_by("id")
        if self.request.query_params.get("period_type"):
            qs = qs.filter(period_type=self.request.query_params["period_type"])
        return qs


@extend_schema(
    tags=["目录"],
    parameters=[_param("key", bool, "只列主要指标（监测表的指标）")],
    responses={200: s.IndicatorSerializer(many=True), **LIST_ERRORS},
)
class IndicatorList(ListBase):
    """The indicators computed from the variables (gaoxin.engine.indicators)."""

    serializer_class = s.IndicatorSerializer

    def get_queryset(self):
        from gaoxin.engine.indicators import default_indicators

        rows = list(default_indicators())
        if self.request.query_params.get("key", "").lower() in ("1", "true"):
            rows = [i for i in rows if i.key]
        return rows


@extend_schema(tags=["目录"], responses={200: s.FormSerializer(many=True), **LIST_ERRORS})
class FormList(ListBase):
    """The reporting forms."""

    serializer_class = s.FormSerializer

    def get_queryset(self):
        from gaoxin.statistics.models import ReportingForm

        return ReportingForm.objects.order_by("id")


# --- observations ------------------------------------------------------------------------------

PERIOD_SHAPES = {
    "year": r"^[0-9]{4}$",
    "half": r"^[0-9]{4}H[12]$",
    "quarter": r"^[0-9]{4}Q[1-4]$",
    "month": r"^[0-9]{4}-[0-9]{2}$",
}


@extend_schema(
    tags=["统计数据"],
    parameters=[
        _param("variable", str, "变量代码（可多个，逗号分隔）"),
        _param("entity", int, "主体编号（只此主体）"),
        _param("within", int, "某主体及其全部下级"),
        _param("period", "period", "期间，如 2025-07"),
        _param("period_from", "period", "起始期间（含），与 period_to 同类"),
        _param("period_to", "period", "截止期间（含）"),
    ],
    responses={200: s.ObservationSerializer(many=True), **LIST_ERRORS},
)
class ObservationList(ListBase):
    """Stored values of the user's scope, newest period first; decimals as strings, with units."""

    serializer_class = s.ObservationSerializer

    def get_queryset(self):
        from gaoxin.statistics.models import Observation

        q = self.request.query_params
        qs = Observation.objects.restrict(self.request.user).select_related("entity", "variable")
        if q.get("variable"):
            qs = qs.filter(variable__code__in=[c.strip() for c in q["variable"].split(",")])
        entity = _int(self.request, "entity")
        if entity is not None:
            qs = qs.filter(entity_id=entity)
        within = _int(self.request, "within")
        if within is not None:
            root = Entity.objects.restrict(self.request.user).filter(pk=within).first()
            qs = qs.filter(entity__path__startswith=root.path) if root is not None else qs.none()
        if q.get("period"):
            qs = qs.filter(period=str(_period("period", q["period"])))
        first = _period("period_from", q["period_from"]) if q.get("period_from") else None
        last = _period("period_to", q["period_to"]) if q.get("period_to") else None
        if first is not None and last is not None and first.kind != last.kind:
            raise _Bad400("period_to", "period_from 与 period_to 应为同类期间（同为月、季或年）")
        for bound, lookup in ((first, "gte"), (last, "lte")):
            if bound is not None:
                qs = qs.filter(
                    **{f"period__{lookup}": str(bound)}, period__regex=PERIOD_SHAPES[bound.kind]
                )
        return qs.order_by("-period", "entity__path", "variable_id", "id")


# --- monitoring and completeness ---------------------------------------------------------------


#: ``?preview=1`` of the endpoints that read the analytics tables (decisions 041, 048)
PREVIEW = _param(
    "preview",
    str,
    "1：预览，含已提交、尚未省级审定的数据（仅省级审核员、省级管理员和系统管理员，其他用户 403）",
    enum=["0", "1"],
)


def _scope_param(request: Request, name: str = "scope") -> Entity | None:
    """The entity named by ``?scope=`` within the user's scope (404 outside it), else the
    user's own scope (None: everything, for a superuser)."""
    from gaoxin.services import NotFound, scope_for

    wanted = _int(request, name)
    if wanted is None:
        return scope_for(request.user)
    found = Entity.objects.restrict(request.user).filter(pk=wanted).first()
    if found is None:
        raise NotFound("不在数据范围内")
    return found


@extend_schema(
    tags=["监测"],
    parameters=[
        OpenApiParameter(
            "period",
            {"type": "string", "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])$"},
            OpenApiParameter.QUERY,
            required=True,
            description="月（2025-12）或季度（2025Q4）",
        ),
        _param("scope", int, "行政区或园区编号（默认：本人数据范围）"),
        _param("indicators", str, "指标代码，逗号分隔（默认：主要指标）"),
        PREVIEW,
    ],
    responses={200: s.MonitoringSerializer, 422: OpenApiResponse(ERR), **READ_ERRORS},
)
class MonitoringView(Base):
    """The monitoring table (月监测/季分析) of the zones in a scope: what `gaoxin monitor` and the
    page print (gaoxin.statistics.services.monitor)."""

    def get(self, request):
        from gaoxin.statistics.missing import STATUS_LABELS
        from gaoxin.statistics.services import monitor

        text = request.query_params.get("period", "")
        if not text:
            raise _Bad400("period", "请给出期间 period，如 2025-12 或 2025Q4")
        period = _period("period", text)
        if period.kind not in ("month", "quarter"):
            raise _Bad400("period", "监测表按月或季度：period 应如 2025-12 或 2025Q4")
        scope = _scope_param(request)
        preview = preview_of(request)  # 403 for a user who may not see data under review
        result = monitor(
            period,
            scope,
            by=request.user,
            indicators=_codes(request, "indicators"),
            preview=preview,
        )
        frame = result.table.frame
        keys = [c for c in frame.columns if c != "is_total"]
        columns = [{"key": k, "name": h} for k, h in zip(keys, result.table.headers(), strict=True)]
        rows = [
            {k: _json_safe(v) for k, v in row.items() if k != "is_total"}
            for row in frame.iter_rows(named=True)
        ]
        data = {
            "title": result.title,
            "period": str(period),
            "scope": scope.pk if scope is not None else None,
            "input_hash": result.table.input_hash,
            "built_at": str(result.table.built_at),
            "preview": preview,
            "columns": columns,
            "rows": rows,
            # Missing is falsy when no zone is left out: its count of the zones expected
            # stands all the same
            "expected": result.missing.expected if result.missing is not None else frame.height - 1,
            "missing": [
                {
                    "code": z.code,
                    "name": z.name,
                    "status": z.status,
                    "status_label": STATUS_LABELS[z.status],
                    "state": z.state,
                    "since": z.since,
                    "deadline": z.deadline,
                }
                for z in (result.missing.zones if result.missing else ())
            ],
            "missing_lines": result.missing.lines() if result.missing else [],
        }
        return Response(s.MonitoringSerializer(data).data)


def _codes(request: Request, name: str) -> list[str]:
    """A comma-separated list of codes (empty items dropped)."""
    return [c.strip() for c in request.query_params.get(name, "").split(",") if c.strip()]


@extend_schema(
    tags=["监测"],
    parameters=[
        OpenApiParameter(
            "periods",
            {"type": "string", "pattern": rf"^{PERIOD_PATTERN[1:-1]}(,{PERIOD_PATTERN[1:-1]})*$"},
            OpenApiParameter.QUERY,
            required=True,
            description="期间，逗号分隔：年 2025、半年 2025H1、季度 2025Q1、月 2025-03",
        ),
        _param("indicators", str, "指标代码，逗号分隔（默认：全部指标；见 /api/v1/indicators/）"),
        _param("kind", str, "只列此类主体的值", enum=list(INDICATOR_KINDS)),
        _param("scope", int, "行政区、园区或企业编号：它及其全部下级（默认：本人数据范围）"),
        _param("entity", int, "只列这一个主体的值（与 scope 二选一）"),
        PREVIEW,
    ],
    responses={
        200: s.IndicatorValueSerializer(many=True),
        403: OpenApiResponse(ERR, description="preview=1：本角色不能预览尚未审定的数据"),
        **READ_ERRORS,
    },
)
class IndicatorValueList(ListBase):
    """The catalogue's indicator values as the analytics tables store them (decision 071), one
    row per entity, period and indicator, in the catalogue's unit, with how many inputs were
    missing; each page says which build it was read from (data version, when built, stale or
    not). A city's user sees its city's own row and those of its zones and enterprises
    (gaoxin.statistics.services.indicator_values)."""

    serializer_class = s.IndicatorValueSerializer
    pagination_class = StoredPages

    def get_queryset(self):
        from gaoxin.statistics.services import indicator_values

        request = self.request
        texts = _codes(request, "periods")
        if not texts:
            raise _Bad400("periods", "请给出期间 periods，如 2025 或 2025-01,2025-02")
        periods = [_period("periods", t) for t in texts]
        if request.query_params.get("scope") and request.query_params.get("entity"):
            raise _Bad400("entity", "scope 与 entity 只能给一个：entity 只列该主体，scope 含其下级")
        entity = _int(request, "entity")
        scope = _scope_param(request, "entity" if entity is not None else "scope")
        preview = preview_of(request)  # 403 for a user who may not see data under review
        try:
            values = indicator_values(
                periods,
                None if entity is not None else scope,
                by=request.user,
                indicators=_codes(request, "indicators") or None,
                kind=request.query_params.get("kind") or None,
                entity=scope if entity is not None else None,
                preview=preview,
            )
        except ProblemsError as err:  # an unknown indicator code or kind: the parameter's fault
            first = err.problems[0]
            raise _Bad400(first.column, f"参数 {first.column}：{first.message}") from err
        return StoredRows(values)


@extend_schema(tags=["报送"], responses={200: s.CompletenessSerializer, **READ_ERRORS})
class CompletenessView(Base):
    """Where every zone expected to report a form for a period stands, with reporting rates per
    city and province, inside the user's scope (gaoxin.statistics.completeness)."""

    def get(self, request, form: str, period: str):
        from gaoxin.statistics import completeness as comp
        from gaoxin.statistics.views import _form_and_period

        found, p = _form_and_period(form, period)
        result = comp.completeness(found, p, user=request.user)
        return Response(s.CompletenessSerializer(result).data)


# --- submissions ---------------------------------------------------------------------------------


@extend_schema(
    tags=["报送"],
    parameters=[
        _param("form", str, "报表代码"),
        _param("period", str, "期间"),
        _param(
            "state",
            str,
            "状态",
            enum=["draft", "submitted", "returned", "city_approved", "province_approved"],
        ),
        _param("entity", int, "填报单位编号"),
    ],
    responses={200: s.SubmissionSerializer(many=True), **LIST_ERRORS},
)
class SubmissionList(ListBase):
    """Submissions of the user's scope."""

    serializer_class = s.SubmissionSerializer

    def get_queryset(self):
        from gaoxin.statistics.models import Submission

        q = self.request.query_params
        qs = Submission.objects.restrict(self.request.user).select_related("form", "entity")
        for name in ("period", "state"):
            if q.get(name):
                qs = qs.filter(**{name: q[name]})
        if q.get("form"):
            qs = qs.filter(form__code=q["form"])
        entity = _int(self.request, "entity")
        if entity is not None:
            qs = qs.filter(entity_id=entity)
        return qs.order_by("-period", "form_id", "entity__path", "id")


def _roster(request, form_code: str, entity_id: int, period: str):
    from gaoxin.statistics import entry
    from gaoxin.statistics.models import ReportingForm

    form = get_object_or_404(ReportingForm, code=form_code)
    return entry.roster(form, entity_id, period, user=request.user)


def _sheet(request, r) -> dict:
    from gaoxin.statistics import approval, entry

    try:
        entry.may_edit(r, request.user)
        editable = True
    except approval.Refused:
        editable = False
    submission = r.submission
    return {
        "form": r.form.code,
        "entity": r.unit.pk,
        "entity_name": r.unit.name,
        "period": str(r.period),
        "state": submission.state if submission.pk else "",
        "editable": editable,
        "moves": [t.action for t in approval.available(request.user, submission)],
        "columns": [vars(c) for c in r.columns],
        "rows": r.rows,
        "values": [
            {"entity": e, "variable": code, "value": v} for (e, code), v in r.values.items()
        ],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "by": (e.by.get_full_name() or e.by.get_username()) if e.by else None,
                "at": e.at,
                "comment": e.comment,
            }
            for e in entry.events(submission)
        ],
    }


SHEET_PATH = "<str:form_code>/<int:entity_id>/<str:period>"


@extend_schema(tags=["报送"], responses={200: s.SheetSerializer, **READ_ERRORS})
class SheetView(Base):
    """One (form, reporting unit, period) as the data-entry page shows it: the roster, the
    columns with units, the stored values, the state, what this user may do and the history."""

    def get(self, request, form_code: str, entity_id: int, period: str):
        r = _roster(request, form_code, entity_id, period)
        return Response(s.SheetSerializer(_sheet(request, r)).data)


@extend_schema(
    tags=["报送"],
    request=s.SaveInSerializer,
    responses={200: s.SaveOutSerializer, **WRITE_ERRORS},
)
class SheetSave(Base):
    """Save values (a draft) or save and submit, through the data-entry page's service
    (gaoxin.statistics.entry.save_values): the same checks; any error and nothing is written,
    each problem naming its cells."""

    def post(self, request, form_code: str, entity_id: int, period: str):
        from gaoxin.statistics import approval, entry

        body = s.SaveInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        r = _roster(request, form_code, entity_id, period)
        values: dict[tuple[int, str], Any] = {}
        for v in body.validated_data["values"]:
            key = (v["entity"], v["variable"])
            if key in values:
                raise _bad("values", f"单元格（{key[0]}，{key[1]}）重复给出")
            values[key] = v["value"]
        submit = body.validated_data["submit"]
        result = entry.save_values(
            r.form, r.unit, str(r.period), values, by=request.user, submit=submit
        )
        if not result.saved:
            problems = [
                {
                    "message": p.message,
                    "severity": p.severity,
                    "cells": [{"entity": e, "variable": c} for e, c in p.cells],
                }
                for p in result.problems
            ]
            head = result.check.errors[0].message
            raise Unprocessable(
                f"{len(result.check.errors)} 处错误，未做任何修改：{head}", problems
            )
        submission = approval.submission_for(r.form, r.unit, str(r.period))
        data = {
            "saved": True,
            "created": result.counts.created,
            "changed": result.counts.changed,
            "state": submission.state,
            "warnings": [p.message for p in result.check.warnings],
        }
        return Response(s.SaveOutSerializer(data).data)


@extend_schema(
    tags=["报送"],
    request=s.MoveInSerializer,
    responses={200: s.MoveOutSerializer, **WRITE_ERRORS},
)
class SheetMove(Base):
    """A review move (审核通过, 退回, 审定, 解锁) with its comment, through gaoxin.statistics.
    approval.move: the same transition table and role checks as the page."""

    def post(self, request, form_code: str, entity_id: int, period: str):
        from gaoxin.statistics import approval

        body = s.MoveInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        r = _roster(request, form_code, entity_id, period)
        event = approval.move(
            r.submission,
            body.validated_data["action"],
            by=request.user,
            comment=body.validated_data["comment"],
        )
        return Response(s.MoveOutSerializer(event).data)


# --- evaluation ----------------------------------------------------------------------------------


def _runs(user):
    from gaoxin.evaluation.views import _runs as visible

    return visible(user)


@extend_schema(
    tags=["评价"],
    parameters=[
        _param("pack", str, "政策包"),
        _param("period", str, "期间"),
        _param(
            "approval",
            str,
            "审核状态（审核员可见待审核）",
            enum=["pending", "approved", "returned"],
        ),
    ],
    responses={200: s.RunSerializer(many=True), **LIST_ERRORS},
)
class RunList(ListBase):
    """Evaluation runs of the user's scope: published (审定) ones for readers, pending and
    returned ones too for a reviewer (decision 026)."""

    serializer_class = s.RunSerializer

    def get_queryset(self):
        q = self.request.query_params
        qs = _runs(self.request.user)
        for name in ("pack", "period", "approval"):
            if q.get(name):
                qs = qs.filter(**{name: q[name]})
        return qs.order_by("-created_at", "-id")


@extend_schema(tags=["评价"], responses={200: s.RunSerializer, **READ_ERRORS})
class RunDetail(Base, generics.RetrieveAPIView):
    """One evaluation run (published, or any for a reviewer)."""

    serializer_class = s.RunSerializer

    def get_queryset(self):
        return _runs(self.request.user)


@extend_schema(tags=["评价"], responses={200: s.ResultSerializer(many=True), **READ_ERRORS})
class RunResults(ListBase):
    """One run's results, by rank."""

    serializer_class = s.ResultSerializer

    def get_queryset(self):
        run = get_object_or_404(_runs(self.request.user), pk=self.kwargs["pk"])
        return run.results.select_related("entity").order_by("rank", "entity__name", "id")


# --- awards --------------------------------------------------------------------------------------


def _awards(user):
    from gaoxin.awards.views import _visible

    return _visible(user)


def _award_row(e) -> dict:
    from gaoxin.policy.titles import rule_title

    wan = (
        None
        if e.amount_fen is None
        else (Decimal(e.amount_fen) / 1_000_000).quantize(Decimal("0.01"))
    )
    return {
        "id": e.pk,
        "pack": e.pack,
        "rule": e.rule,
        "rule_name": rule_title(e.pack, e.rule),
        "article": e.article,
        "entity_id": e.entity_id,
        "entity": e.entity,
        "period": e.period,
        "decided_on": e.decided_on,
        "outcome": e.outcome,
        "amount_wan": wan,
        "amount_fen": e.amount_fen,
        "action": e.action,
        "kind": e.kind,
        "approval": e.approval,
        "text": e.text,
        "quote": e.quote,
    }


class _AwardPage(s.AwardSerializer):
    def to_representation(self, instance):
        return super().to_representation(_award_row(instance))


@extend_schema(
    tags=["奖补"],
    parameters=[
        _param("pack", str, "政策包"),
        _param("period", str, "数据期间"),
        _param("entity", int, "主体编号"),
    ],
    responses={200: s.AwardSerializer(many=True), **LIST_ERRORS},
)
class AwardList(ListBase):
    """The award ledger of the user's scope as published (审定); a reviewer also sees pending
    and returned entries. Amounts in 万元 (decimal string) and in 分 (integer)."""

    serializer_class = _AwardPage

    def get_queryset(self):
        q = self.request.query_params
        qs = _awards(self.request.user)
        for name in ("pack", "period"):
            if q.get(name):
                qs = qs.filter(**{name: q[name]})
        entity = _int(self.request, "entity")
        if entity is not None:
            qs = qs.filter(entity_id=entity)
        return qs.order_by("-period", "pack", "rule", "entity__name", "id")


@extend_schema(tags=["奖补"], responses={200: s.AwardDetailSerializer, **READ_ERRORS})
class AwardDetail(Base):
    """One ledger entry with its explanation: inputs and where they came from, the steps of
    the calculation, the limits that bit (gaoxin.awards.services.explain)."""

    def get(self, request, pk: int):
        from gaoxin.awards.services import explain

        entry = get_object_or_404(_awards(request.user), pk=pk)
        ex = explain(entry.pk, by=request.user)
        data = _award_row(entry) | {
            "explanation": {
                "result": ex.result,
                "inputs": [vars(i) for i in ex.inputs],
                "steps": [{"step": a, "amount_wan": b} for a, b in ex.steps],
                "caps": ex.caps,
                "receipt": ex.receipt,
            }
        }
        return Response(s.AwardDetailSerializer(data).data)


# --- cases (decision 042) ------------------------------------------------------------------------


def _case_row(c) -> dict:
    from gaoxin.policy.titles import action_title, rule_title

    c.rule_name = rule_title(c.pack, c.rule)
    c.action_name = action_title(c.action)
    c.state_name = c.get_state_display()
    c.overdue = c.is_overdue()
    return c


class _CasePage(s.CaseSerializer):
    def to_representation(self, instance):
        return super().to_representation(_case_row(instance))


@extend_schema(
    tags=["动态管理"],
    parameters=[
        _param(
            "state",
            str,
            "状态",
            enum=[
                "open",
                "submitted",
                "city_reviewed",
                "returned",
                "passed",
                "failed",
                "awaiting",
                "revoked",
                "kept",
                "noted",
                "withdrawn",
            ],
        ),
        _param("overdue", bool, "只列整改中且已过期限的"),
        _param("entity", int, "主体编号（含其下级）"),
    ],
    responses={200: s.CaseSerializer(many=True), **LIST_ERRORS},
)
class CaseList(ListBase):
    """The cases of the user's scope (动态管理案件), newest first, as on the case list page."""

    serializer_class = _CasePage

    def get_queryset(self):
        from gaoxin.cases.services import listing
        from gaoxin.registry.models import Entity

        q = self.request.query_params
        entity = _int(self.request, "entity")
        within = None
        if entity is not None:
            within = Entity.objects.restrict(self.request.user).filter(pk=entity).first()
            if within is None:
                from gaoxin.cases.models import Case

                return Case.objects.none()
        return listing(
            self.request.user,
            state=q.get("state") or None,
            overdue=q.get("overdue", "").lower() in ("1", "true", "yes"),
            entity=within,
        ).order_by("-opened_on", "-id")


@extend_schema(tags=["动态管理"], responses={200: s.CaseDetailSerializer, **READ_ERRORS})
class CaseDetail(Base):
    """One case with its timeline: the plan, evidence (file names), reviews and outcome."""

    def get(self, request, pk: int):
        from gaoxin.cases.services import event_label, get_case

        c = _case_row(get_case(pk, by=request.user))
        events = [
            {
                "action": e.action,
                "label": event_label(e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "by": e.by.username if e.by else None,
                "at": e.at,
                "comment": e.comment,
                "files": [f.original_name for f in e.files.all()],
            }
            for e in c.events.select_related("by").prefetch_related("files")
        ]
        c.timeline = events
        return Response(s.CaseDetailSerializer(c).data)


# --- targets -------------------------------------------------------------------------------------


def _pack_names() -> list[str]:
    from gaoxin.policy.packs import shipped_packs

    return sorted(p.name for p in shipped_packs())


@extend_schema(
    tags=["目标"],
    parameters=[
        _param("pack", str, "政策包，如 fujian-2021", required=True, enum=_pack_names()),
        _param("scope", int, "行政区或园区编号（默认：本人数据范围）"),
        OpenApiParameter(
            "as_of",
            {"type": "integer", "minimum": 1900, "maximum": 2200},
            OpenApiParameter.QUERY,
            description="截至年份（默认：有数据的最近一年）",
        ),
        PREVIEW,
    ],
    responses={200: s.TargetSerializer, 422: OpenApiResponse(ERR), **READ_ERRORS},
)
class TargetsView(Base):
    """Progress towards a pack's targets over a scope (gaoxin.policy.services.target_progress)."""

    def get(self, request):
        from gaoxin.policy.packs import find_pack
        from gaoxin.policy.services import target_progress

        name = request.query_params.get("pack", "").strip()
        if not name or "/" in name or name.startswith("."):
            raise _Bad400("pack", "请给出政策包 pack，如 fujian-2021")
        as_of = _int(request, "as_of")
        if as_of is not None and not 1900 <= as_of <= 2200:
            raise _Bad400("as_of", "as_of 应为年份，如 2025")
        scope = _scope_param(request)
        preview = preview_of(request)  # 403 for a user who may not see data under review
        progress = target_progress(
            find_pack(name), scope, by=request.user, as_of=as_of, preview=preview
        )
        table = progress.table
        data = {
            "title": progress.title,
            "pack": name,
            "year": progress.year,
            "place": progress.place,
            "input_hash": progress.input_hash,
            "built_at": progress.built_at,
            "preview": preview,
            "columns": table.columns,
            "rows": [
                {k: _json_safe(v) for k, v in row.items()} for row in table.iter_rows(named=True)
            ],
        }
        return Response(s.TargetSerializer(data).data)


# --- the task ledger -----------------------------------------------------------------------------


@extend_schema(
    tags=["任务台账"],
    parameters=[
        _param("status", str, "进展状态", enum=["not_started", "in_progress", "done", "late"]),
        _param("unit", int, "责任单位编号"),
    ],
    responses={200: s.TaskSerializer(many=True), **LIST_ERRORS},
)
class TaskList(ListBase):
    """The shares of measures the user may see: their units' (linked to an entity in their
    scope) and those of measures one of their units leads (gaoxin.policy.services)."""

    serializer_class = s.TaskSerializer

    def get_queryset(self):
        from gaoxin.policy.services import visible_tasks

        qs = visible_tasks(by=self.request.user)
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        unit = _int(self.request, "unit")
        if unit is not None:
            qs = qs.filter(unit_id=unit)
        return qs


def _task_detail(request, pk: int) -> dict:
    from gaoxin.policy.services import task_detail

    d = task_detail(pk, by=request.user)
    a = d.assignment
    out = s.TaskSerializer(a).data | {
        "can_report": d.can_report,
        "reports": [
            {
                "id": r.pk,
                "unit_name": r.assignment.unit_label if r.assignment_id else None,
                "status": r.status,
                "note": r.note,
                "reported_on": r.reported_on,
                "reported_by": (r.reported_by.get_full_name() or r.reported_by.get_username())
                if r.reported_by
                else None,
            }
            for r in d.reports
        ],
    }
    return out


@extend_schema(tags=["任务台账"], responses={200: s.TaskDetailSerializer, **READ_ERRORS})
class TaskDetail(Base):
    """One unit's share of a measure with the progress reports the user may read."""

    def get(self, request, pk: int):
        return Response(s.TaskDetailSerializer(_task_detail(request, pk)).data)


@extend_schema(
    tags=["任务台账"],
    request=s.ReportInSerializer,
    responses={201: s.TaskDetailSerializer, **WRITE_ERRORS},
)
class TaskReport(Base):
    """Report progress on a share of a measure, as a user who reports for its unit
    (gaoxin.policy.services.report_task_progress; evidence files go through the page)."""

    def post(self, request, pk: int):
        from gaoxin.policy.services import report_task_progress

        body = s.ReportInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report_task_progress(
            pk, body.validated_data["status"], by=request.user, note=body.validated_data["note"]
        )
        return Response(s.TaskDetailSerializer(_task_detail(request, pk)).data, status=201)


# --- jobs ----------------------------------------------------------------------------------------


@extend_schema(tags=["后台任务"], responses={200: s.JobSerializer(many=True), **LIST_ERRORS})
class JobList(ListBase):
    """The user's own jobs in their scope, newest first (as the jobs page lists them)."""

    serializer_class = s.JobSerializer

    def get_queryset(self):
        from gaoxin.jobs.models import Job

        return Job.objects.visible_to(self.request.user).order_by("-created_at", "id")


@extend_schema(tags=["后台任务"], responses={200: s.JobSerializer, **READ_ERRORS})
class JobDetail(Base, generics.RetrieveAPIView):
    """One of the user's jobs: state, progress, summary."""

    serializer_class = s.JobSerializer

    def get_queryset(self):
        from gaoxin.jobs.models import Job

        return Job.objects.visible_to(self.request.user)


@extend_schema(exclude=True)
class NoSuchEndpoint(Base):
    """Any other address under /api/v1/: a JSON 404 like the API's own, not Django's HTML page
    (a path whose id is not a number, say, matches no endpoint)."""

    def get(self, request, *args, **kwargs):
        raise Http404

    post = put = patch = delete = get
