"""The pivot page (数据透视): a thin face over :func:`gaoxin.statistics.services.pivot`.

The form's GET builds the table (htmx swaps only the result in), the export link downloads the
same table as the printed workbook. Everything is read through the service with the user as
``by``, so the page shows only the user's subtree; the scope picker offers the user's own
scope, its cities and its zones by name.
"""

from __future__ import annotations

import io
from functools import cache

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from gaoxin.engine.indicators import default_indicators
from gaoxin.engine.monitor import cell_text
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.pivot import TOTAL, PivotTable, footnote
from gaoxin.engine.problems import ProblemsError
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope, scope_for
from gaoxin.statistics import page_data, services
from gaoxin.web.preview import preview_of, switch
from gaoxin.web.template_filters import period_text

#: Row layouts offered; the columns take the other dimensions (indicator, period, entity).
ROW_CHOICES = [
    ("entity", _("对象（省、市、高新区或企业）")),
    ("indicator", _("指标")),
    ("period", _("期间")),
    ("entity,period", _("对象 × 期间")),
    ("entity,indicator", _("对象 × 指标")),
    ("indicator,entity", _("指标 × 对象")),
    ("period,entity", _("期间 × 对象")),
]
LEVEL_NAMES = {"province": _("省"), "city": _("市"), "zone": _("高新区"), "enterprise": _("企业")}
#: the note's "按市": what the table sums by
BY_LEVEL = {
    "province": _("按省"),
    "city": _("按市"),
    "zone": _("按高新区"),
    "enterprise": _("按企业"),
}
#: the headings of the row label columns but the entities' (gaoxin.engine.pivot.DIMENSIONS)
DIMENSION_NAMES = {"indicator": _("指标"), "period": _("期间"), "entity": _("对象")}
ZONE_LEVEL_NAMES = {"national": _("国家级"), "provincial": _("省级")}
DEFAULT_INDICATORS = ("revenue_total", "taxes_total", "rd_intensity")
_LEVEL_GROUPS = {
    "zone": _("高新区指标"),
    "city": _("市级指标"),
    "province": _("省级指标"),
    "enterprise": _("企业指标"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cache
def _indicator_choices() -> list:
    groups: dict[str, list[tuple[str, str]]] = {k: [] for k in _LEVEL_GROUPS}
    for ind in default_indicators():
        if ind.level in groups:
            groups[ind.level].append((ind.code, f"{ind.zh}（{ind.unit}）"))
    return [(_LEVEL_GROUPS[k], v) for k, v in groups.items() if v]


def _industry_choices() -> list:
    return _industry_choices_in(get_language())


@cache
def _industry_choices_in(language: str | None) -> list:
    """GB/T 4754 sections, each with its divisions (shipped reference data: built once per
    language; the names are data, 整个门类 is not)."""
    from gaoxin.engine.reference import industries

    frame = industries()
    out: list = [("", gettext("全部行业"))]
    sections = frame.filter(frame["level"] == "section").select("code", "name").rows()
    for code, name in sections:
        divisions = frame.filter((frame["section"] == code) & (frame["level"] == "division"))
        whole = gettext("%(code)s %(name)s（整个门类）") % {"code": code, "name": name}
        out.append(
            (
                f"{code} {name}",
                [(code, whole)]
                + [(c, f"{c} {n}") for c, n in divisions.select("code", "name").rows()],
            )
        )
    return out


def _period_choices() -> tuple[list, str | None]:
    """Years of the analytics tables, quarters and months of their last two years; and the
    latest year (the default)."""
    from gaoxin.statistics import analytics
    from gaoxin.web.template_filters import period_text

    spans = analytics.period_span().values()
    if not spans:
        return [], None
    # the years of any period type (a store of monthly returns only still offers its months)
    first = min(int(span[0][:4]) for span in spans)
    last = max(int(span[1][:4]) for span in spans)
    years = [(str(y), period_text(Period("year", y))) for y in range(last, first - 1, -1)]
    quarters, months = [], []
    for y in range(last, max(first, last - 1) - 1, -1):
        quarters += [(f"{y}Q{q}", period_text(Period("quarter", y, q))) for q in range(4, 0, -1)]
        months += [(f"{y}-{m:02d}", period_text(Period("month", y, m))) for m in range(12, 0, -1)]
    return [(_("年度"), years), (_("季度"), quarters), (_("月度"), months)], str(last)


def _scope_choices(root: Entity | None) -> list[tuple[str, str]]:
    """The user's scope, then its provinces, cities and zones, by name (values are codes)."""
    zones = Entity.objects.filter(kind=EntityKind.ZONE)
    inside = Entity.objects.all()
    if root is not None:
        zones = zones.filter(path__startswith=root.path).exclude(pk=root.pk)
        inside = inside.filter(path__startswith=root.path).exclude(pk=root.pk)
    found = list(zones.values_list("code", "name", "parent__name", "path"))
    below = [(code, name, parent) for code, name, parent, _path in found]

    def above(n: int) -> set[int]:
        """The ids n levels above the zones, from their paths (a join over every region of
        the scope cost 11 ms a page on SQLite, decision 048)."""
        ids = [path.strip("/").split("/") for *_, path in found]
        return {int(i[-1 - n]) for i in ids if len(i) > n}

    cities = dict(
        inside.filter(pk__in=above(1), kind=EntityKind.REGION).values_list("code", "name")
    )
    provinces = dict(
        inside.filter(
            pk__in=above(2), kind=EntityKind.REGION, region__level="province"
        ).values_list("code", "name")
    )
    out = [("", root.name if root is not None else gettext("全国（全部数据）"))]
    out += sorted(provinces.items())
    out += sorted(cities.items())
    out += sorted((code, f"{name}（{parent}）") for code, name, parent in below)
    return out


def _default_level(scope: Entity | None) -> str:
    levels = services.pivot_levels(scope)
    return levels[1] if len(levels) > 1 else levels[0]


class PivotForm(forms.Form):
    indicator = forms.MultipleChoiceField(label=_("指标"), help_text=_("可多选（按住 Ctrl 或 ⌘）"))
    period = forms.MultipleChoiceField(
        label=_("期间"), help_text=_("可多选，须同为年度、季度或月度")
    )
    rows = forms.ChoiceField(label=_("行"), choices=ROW_CHOICES, initial="entity")
    level = forms.ChoiceField(label=_("对象层级"), help_text=_("按哪一级汇总"))
    scope = forms.ChoiceField(label=_("范围"), required=False)
    zone_level = forms.MultipleChoiceField(
        label=_("园区级别"),
        choices=list(ZONE_LEVEL_NAMES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即全部"),
    )
    industry = forms.ChoiceField(label=_("行业"), required=False)

    def __init__(self, data, *, root: Entity | None, periods: list) -> None:
        super().__init__(data)
        self.fields["indicator"].choices = _indicator_choices()
        self.fields["period"].choices = periods
        self.fields["scope"].choices = _scope_choices(root)
        self.fields["industry"].choices = _industry_choices()
        self.fields["indicator"].widget.attrs["size"] = 8
        self.fields["period"].widget.attrs["size"] = 6


def _layout(rows: str, n_indicators: int, n_periods: int) -> tuple[list[str], list[str]]:
    """The rows chosen and the other dimensions as columns, leaving out an indicator or period
    that has one value (the title and the note name it)."""
    row_dims = rows.split(",")
    single = {"indicator": n_indicators == 1, "period": n_periods == 1, "entity": False}
    columns = [d for d in ("indicator", "period", "entity") if d not in row_dims and not single[d]]
    if not columns and "indicator" not in row_dims:
        columns = ["indicator"]  # one column headed by the indicator's name
    return row_dims, columns


def _query(
    request, root: Entity | None, *, preview: bool = False
) -> tuple[PivotForm, services.Pivot | None, list]:
    """The form bound to the query (or the defaults), the pivot it asks for (None when the
    form has errors or the engine refused, both shown in the summary) and the engine's
    refusals (its problems, in Chinese on every page: decision 035)."""
    choices, latest = _period_choices()
    data = request.GET.copy()
    if "indicator" not in data:
        data.setlistdefault("indicator", list(DEFAULT_INDICATORS))
        data.setlistdefault("period", [latest] if latest else [])
    data.setdefault("rows", "entity")
    data.setdefault("level", _default_level(root))
    form = PivotForm(data, root=root, periods=choices)
    scope = root
    offered = {code for code, _ in form.fields["scope"].choices if code}
    if data.get("scope") in offered:  # anything else fails the form's own validation
        scope = Entity.objects.get(code=data["scope"])
    form.fields["level"].choices = [(lv, LEVEL_NAMES[lv]) for lv in services.pivot_levels(scope)]
    if not form.is_valid():
        return form, None, []
    c = form.cleaned_data
    try:
        periods = [Period.parse(p) for p in c["period"]]
    except PeriodError as err:
        form.add_error("period", str(err))
        return form, None, []
    rows, columns = _layout(c["rows"], len(c["indicator"]), len(periods))
    try:
        result = services.pivot(
            periods,
            scope,
            by=request.user,
            indicators=c["indicator"],
            rows=rows,
            columns=columns,
            level=c["level"],
            zone_levels=c["zone_level"] or None,
            industries=[c["industry"]] if c["industry"] else None,
            preview=preview,
        )
    except OutOfScope:
        raise
    except ProblemsError as err:
        return form, None, list(err.problems)
    return form, result, []


def _labeller(table: PivotTable):
    """How a header label of the engine (Chinese, as printed) reads on the page: a period in
    the page's language, 合计 translated; indicator and entity names are data."""
    periods = {}
    for code in table.periods:
        try:
            periods[Period.parse(code).label()] = period_text(code)
        except PeriodError:
            continue
    total = gettext("合计")

    def label(dimension: str, text: str) -> str:
        if dimension == "period":
            return periods.get(text, text)
        if dimension == "entity" and text == TOTAL:
            return total
        return text

    return label


def _header_rows(table: PivotTable) -> list[list[tuple[str, int]]]:
    """Per column dimension the header cells as (label, colspan): equal neighbours under the
    same parent labels merged."""
    label = _labeller(table)
    out = []
    for level, dimension in enumerate(table.columns):
        cells: list[tuple[str, int]] = []
        prev = None
        for h in table.column_headers:
            key = h[: level + 1]
            if key == prev:
                cells[-1] = (cells[-1][0], cells[-1][1] + 1)
            else:
                cells.append((label(dimension, h[level]), 1))
            prev = key
        out.append(cells)
    return out


def _row_titles(table: PivotTable) -> list[str]:
    """:meth:`PivotTable.row_titles` in the page's language."""
    return [
        str(LEVEL_NAMES[table.level] if d == "entity" else DIMENSION_NAMES[d]) for d in table.rows
    ]


def _fixed(table: PivotTable) -> list[tuple[str, str]]:
    """What is on no axis (:attr:`PivotTable.fixed`) as (dimension, label) for the page."""
    label = _labeller(table)
    return [(d, label(d, v)) for d, v in table.fixed.items()]


def _title(result: services.Pivot) -> str:
    """The pivot's title (:func:`services.pivot`'s, which the workbook keeps) in the page's
    language."""
    spans = [period_text(p) for p in result.table.periods]
    span = (
        spans[0]
        if len(spans) == 1
        else gettext("%(first)s至%(last)s")
        % {
            "first": spans[0],
            "last": spans[-1],
        }
    )
    subject = services.subject_text(result.scope, everywhere=gettext("全国高新区"))
    return gettext("%(subject)s主要指标数据透视表（%(span)s）") % {"subject": subject, "span": span}


def _note(result: services.Pivot, query: dict) -> str:
    """The line under the title: periods, level and filters, the data it was computed from
    (the workbook's note, :func:`services.pivot`, in the page's language; the data version and
    whether it is stale are the line below it)."""
    from gaoxin.engine.reference import industries

    between = gettext("、")
    table = result.table
    filters = [str(BY_LEVEL[table.level])]
    if query.get("zone_level"):
        levels = between.join(str(ZONE_LEVEL_NAMES[z]) for z in query["zone_level"])
        filters.append(gettext("%(levels)s高新区") % {"levels": levels})
    if query.get("industry"):
        names = dict(industries().select("code", "name").rows())
        code = query["industry"]
        filters.append(gettext("行业：%(industry)s") % {"industry": f"{code} {names[code]}"})
    parts = [
        gettext("期间：%(periods)s")
        % {"periods": between.join(period_text(p) for p in table.periods)},
        gettext("；").join(filters),
        gettext("输入哈希：%(hash)s") % {"hash": result.input_hash[:12]},
    ]
    if result.data is not None and result.data.preview and result.data.preview_differs:
        parts.insert(2, gettext("含待审核数据（预览）"))
    if "indicator" in table.fixed and len(table.indicators) == 1:
        parts.append(gettext("单位：%(unit)s") % {"unit": table.indicators[0].unit})
    return "　".join(parts)


def _body(table: PivotTable) -> list[dict]:
    label = _labeller(table)
    rows = []
    for i, headers in enumerate(table.row_headers):
        labels = [label(d, h) for d, h in zip(table.rows, headers, strict=True)]
        cells = []
        for j, v in enumerate(table.values[i]):
            missing = table.missing[i][j]
            cells.append(
                {
                    "text": cell_text(v, table.kinds[i][j]) if v is not None else "—",
                    "blank": v is None,
                    "missing": missing,
                    "total": j in table.total_columns,
                }
            )
        rows.append({"labels": labels, "total": i in table.total_rows, "cells": cells})
    return rows


def options_html(choices, selected: set[str]) -> str:
    """A select's options (with optgroups) as HTML, built once: Django's widget templates
    render each option through a template, hundreds of times for the scope and industry lists."""
    from django.utils.html import escape

    def one(value, label) -> str:
        mark = " selected" if str(value) in selected else ""
        return f'<option value="{escape(value)}"{mark}>{escape(label)}</option>'

    parts = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            inner = "".join(one(v, lbl) for v, lbl in label)
            parts.append(f'<optgroup label="{escape(value)}">{inner}</optgroup>')
        else:
            parts.append(one(value, label))
    return "".join(parts)


def _selects(form: PivotForm) -> list[dict]:
    """The form's selects as the template draws them (name, label, hint, errors, options)."""
    out = []
    for name in ("indicator", "period", "rows", "level", "scope", "industry"):
        bound = form[name]
        value = bound.value()
        values = {str(v) for v in value} if isinstance(value, list) else {str(value or "")}
        field = form.fields[name]
        out.append(
            {
                "name": name,
                "id": bound.id_for_label,
                "label": field.label,
                "help": field.help_text,
                "errors": bound.errors,
                "multiple": isinstance(field, forms.MultipleChoiceField),
                "size": field.widget.attrs.get("size"),
                "options": mark_safe(options_html(field.choices, values)),  # noqa: S308 (escaped)
            }
        )
    return out


@login_required
def pivot_page(request):
    root = scope_for(request.user)
    preview = preview_of(request)
    form, result, problems = _query(request, root, preview=preview)
    context = {
        "form": form,
        "result": result,
        "problems": problems,
        "selects": _selects(form),
        **switch(request, preview),
    }
    if result is not None:
        table = result.table

        def draw() -> str:
            parts = {"head": _header_rows(table), "body": _body(table)}
            return render_to_string(
                "statistics/_pivot_table.html", {**parts, "row_titles": _row_titles(table)}
            )

        # the table is drawn once per data version, scope and query (decision 048)
        query = tuple(
            sorted(
                (k, tuple(v) if isinstance(v, list) else v) for k, v in form.cleaned_data.items()
            )
        )
        context.update(
            table=table,
            table_html=page_data.rendered(
                "pivot_table", query, draw, by=request.user, preview=preview
            ),
            title=_title(result),
            note=_note(result, form.cleaned_data),
            fixed=_fixed(table),
            units=_units_line(table),
            footnote=footnote(table, gettext),
            export_query=request.GET.urlencode(),
        )
    # htmx takes #pivot-page out of the whole page (hx-select): the error summary stays on top
    return render(request, "statistics/pivot.html", context)


def _units_line(table: PivotTable) -> str:
    return "；".join(f"{i.zh}：{i.unit}" for i in table.indicators)


@login_required
def pivot_export(request):
    """The same pivot as the page, as the printed workbook (synchronous: decision 038)."""
    root = scope_for(request.user)
    form, result, problems = _query(request, root, preview=preview_of(request))
    if result is None:
        context = {"form": form, "result": None, "problems": problems, "selects": _selects(form)}
        return render(request, "statistics/pivot.html", context, status=400)
    data = io.BytesIO()
    result.write_xlsx(data)
    response = HttpResponse(data.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{result.title}.xlsx")
    return response
