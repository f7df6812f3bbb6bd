"""Statistics jobs as application services (decision 023): the monitoring table (月监测/季分析),
importing a filled form, exporting observations, a blank reporting template. ``gaoxin monitor``,
``gaoxin import``, ``gaoxin export``, ``gaoxin template``, the pages and the API render what
they return; each checks the acting user's scope first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.services import check_scope, scope_for
from gaoxin.statistics import page_data

if TYPE_CHECKING:
    from gaoxin.engine.monitor import MonitorTable
    from gaoxin.engine.periods import Period
    from gaoxin.engine.pivot import PivotTable
    from gaoxin.registry.models import Entity
    from gaoxin.statistics.analytics import State, StoredIndicators
    from gaoxin.statistics.imports import ImportReport
    from gaoxin.statistics.missing import Missing

__all__ = [
    "IndicatorValues",
    "Monitoring",
    "NotComputed",
    "Pivot",
    "export_observations",
    "import_observations",
    "indicator_values",
    "monitor",
    "monitor_choices",
    "pivot",
    "reporting_template",
]


def subject(scope: Entity | None, *, everywhere: str = "") -> str:
    """Whose indicators a table's title names: a zone by its own name (三明高新技术产业开发区),
    a region's zones as 福建省高新区, everything as ``everywhere`` + 高新区."""
    from gaoxin.registry.choices import EntityKind

    if scope is not None and scope.kind == EntityKind.ZONE:
        return scope.name
    return f"{scope.name if scope is not None else everywhere}高新区"


def subject_text(scope: Entity | None, *, everywhere: str) -> str:
    """:func:`subject` in the page's language (decision 035): a zone or region's name is data,
    the words around it are not; ``everywhere`` is the whole subject when there is no scope."""
    from django.utils.translation import gettext

    from gaoxin.registry.choices import EntityKind

    if scope is not None and scope.kind == EntityKind.ZONE:
        return scope.name
    if scope is not None:
        return gettext("%(region)s高新区") % {"region": scope.name}
    return everywhere


@dataclass(frozen=True)
class Monitoring:
    """The monitoring table of ``period`` over ``scope``: one row per reporting zone, the key
    indicators' value, year-to-date, 同比 growth and rank (:class:`gaoxin.engine.monitor.
    MonitorTable`), under its title."""

    period: Period
    scope: Entity | None
    table: MonitorTable
    #: The analytics tables it was read from: data version, when built, stale or not.
    data: State | None = None
    #: The zones with statistics this year or last and none for this period, theirs or
    #: their enterprises', with where their returns stand (未报送, 已报送、待审核, 退回修改).
    missing: Missing | None = None

    @property
    def title(self) -> str:
        name = {"month": "月度监测表", "quarter": "季度分析表"}.get(self.period.kind, "监测表")
        return f"{subject(self.scope)}主要指标{name}（{self.period.label()}）"

    def write(self, path: Path) -> Path:
        """``.csv`` as it stands, anything else as the printed workbook (印发格式)."""
        from gaoxin.engine.monitor import write_monitor_xlsx

        if path.suffix.lower() == ".csv":
            return self.table.to_csv(path)
        notes = self.missing.lines() if self.missing is not None else []
        return write_monitor_xlsx(self.table, path, self.title, notes=notes)


def monitor(
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str] | None = None,
    preview: bool = False,
    fresh: bool = False,
) -> Monitoring:
    """The monitoring table (月监测 for a month, 季分析 for a quarter) of the zones in ``scope``
    (None: the whole store) with statistics in ``period``'s year, for ``indicators`` (default:
    the key indicators).

    Read from the analytics tables (gaoxin.statistics.analytics): published data, or with
    ``preview`` also data under review; ``fresh`` rebuilds them first when the store has moved
    on (the terminal), otherwise a stale build is read and ``data`` says so (pages).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError when no zone has data that year, for an unknown indicator code or a period
    without data. Kept per data version (:mod:`gaoxin.statistics.page_data`) unless
    ``fresh``."""
    check_scope(by, scope)
    if fresh:  # the terminal: rebuild first when stale, nothing kept
        return _monitor(period, scope, by=by, indicators=indicators, preview=preview, fresh=True)
    parts = (str(period), getattr(scope, "pk", None), tuple(indicators or ()))
    return page_data.cached(
        "monitor",
        parts,
        lambda: _monitor(period, scope, by=by, indicators=indicators, preview=preview),
        preview=preview,
    )


def _monitor(
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str] | None,
    preview: bool,
    fresh: bool = False,
) -> Monitoring:
    from gaoxin.engine.monitor import monitor_table
    from gaoxin.statistics import analytics
    from gaoxin.statistics.missing import missing

    code = str(period)
    year = code[:4]
    # This year, and the two before it: last year's same period and its previous one.
    facts, data = analytics.facts(
        scope, by=by, years=range(int(year) - 2, int(year) + 1), preview=preview, fresh=fresh
    )
    # Zones with any statistics this year (their own or their enterprises'): the registry
    # lists every national zone, most of which a provincial division has no data for.
    reporting = (
        facts.observations.filter(pl.col("period").cast(pl.String).str.starts_with(year))
        .select(pl.col("entity").cast(pl.String))
        .unique()
    )
    zones = (
        facts.entities.with_columns(pl.col("entity", "zone").cast(pl.String))
        .join(reporting, on="entity", how="semi")["zone"]
        .drop_nulls()
        .unique()
        .sort()
        .to_list()
    )
    if not zones:
        raise ProblemsError(
            [
                Problem(
                    "monitor.no_data",
                    f"{year} 年没有任何园区的统计数据：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）",
                    value=code,
                )
            ]
        )
    try:
        table = monitor_table(
            facts, code, indicators=list(indicators) if indicators else None, zones=zones
        )
    except (KeyError, ValueError) as exc:
        message = str(exc.args[0] if exc.args else exc)
        raise ProblemsError([Problem("monitor.request", message, value=code)]) from None
    return Monitoring(period, scope, table, data, missing(facts, period, by=by, preview=preview))


@dataclass(frozen=True)
class MonitorChoices:
    """What a monitoring page offers to pick, by name: the places (the user's scope, the
    provinces and cities in it that hold zones, the zones) and the periods with data (months,
    and the quarters whose months or own figures are stored), newest first."""

    places: list[Entity]
    periods: list[Period]


def monitor_choices(*, by: Any) -> MonitorChoices:
    """The places and periods :func:`monitor` can be asked for by ``by`` (within their scope)."""

    root = scope_for(by)
    # kept per data version (decision 048): the periods move only with it, and so does the list
    # of places worth offering (a zone arrives with its first data); the key is the scope
    return page_data.cached(
        "monitor_choices",
        (getattr(root, "pk", None),),
        lambda: _monitor_choices(root),
        preview=False,
    )


def _monitor_choices(root) -> MonitorChoices:
    from gaoxin.engine.periods import Period
    from gaoxin.registry.models import Entity
    from gaoxin.statistics.models import Observation

    zones = list(Entity.objects.within(root).filter(kind="zone").order_by("name"))
    # the provinces and cities above those zones, by the ids in the zones' paths (a prefix
    # scan of every region of the scope cost 11–16 ms a page on SQLite, decision 048)
    above = {int(i) for z in zones for i in z.path.strip("/").split("/")[:-1]}
    regions = [
        r
        for r in Entity.objects.filter(
            pk__in=above, kind="region", region__level__in=["province", "city"]
        ).order_by("path")
        if root is None or r.path.startswith(root.path)
    ]
    places = (
        ([root] if root is not None and root.kind == "region" else [])
        + [r for r in regions if r != root]
        + zones
    )
    codes = Observation.objects.within(root).values_list("period", flat=True).distinct()
    found: set[Period] = set()
    for code in codes:
        p = Period.parse(code)
        if p.kind == "quarter" or (p.kind == "month" and p.index % 3 == 0):
            found.add(p.containing("quarter"))  # a quarter's table needs its last month
        if p.kind == "month":
            found.add(p)
    # newest first, a quarter just after its last month (a month is the default table)
    periods = sorted(
        found, key=lambda p: (p.year, p.months()[-1].index, p.kind == "month"), reverse=True
    )
    return MonitorChoices(places, periods)


#: Largest pivot a page shows or exports (cells): a bigger one (every enterprise of a province
#: over many periods) is refused with the way to narrow it (decision 038).
PIVOT_MAX_CELLS = 60_000
ZONE_LEVELS = {"national": "国家级", "provincial": "省级"}


@dataclass(frozen=True)
class Pivot:
    """A pivot table over ``scope`` (:class:`gaoxin.engine.pivot.PivotTable`) under its title,
    with the note line its printed form carries (periods, level, filters, data date)."""

    scope: Entity | None
    table: PivotTable
    title: str
    note: str
    #: The analytics tables it was read from: data version, when built, stale or not.
    data: State | None = None
    #: The fact frame's input hash (the note's 输入哈希).
    input_hash: str = ""

    def write_xlsx(self, out: Any) -> Any:
        """The printed workbook (the monitoring tables' look) to a path or a binary file."""
        from gaoxin.engine.pivot import write_pivot_xlsx

        return write_pivot_xlsx(self.table, out, self.title, self.note)


def _scope_column(scope: Entity | None) -> tuple[str, str] | None:
    """The fact frame's column and code that select ``scope``'s subtree (None: everything)."""
    if scope is None:
        return None
    from gaoxin.registry.choices import EntityKind

    if scope.kind == EntityKind.REGION:
        level = getattr(getattr(scope, "region", None), "level", None)
        return ("province" if level == "province" else "city", scope.code)
    if scope.kind == EntityKind.ZONE:
        return ("zone", scope.code)
    return ("entity", scope.code)


def pivot_levels(scope: Entity | None) -> list[str]:
    """The entity levels a pivot over ``scope`` may show: the scope's own and those below (a
    city's data summed under its province's name would read as the province's)."""
    from gaoxin.engine.pivot import LEVELS

    column = _scope_column(scope)
    levels = list(LEVELS)
    if column is None:
        return levels
    if column[0] == "entity":
        return ["enterprise"]
    return levels[levels.index(column[0]) :]


def pivot(
    periods: Sequence[Period],
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str],
    rows: Sequence[str],
    columns: Sequence[str],
    level: str,
    zone_levels: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    preview: bool = False,
) -> Pivot:
    """The pivot table of ``indicators`` over ``periods`` for the entities of ``level`` in
    ``scope`` (None: the whole store), laid out with ``rows`` and ``columns`` (dimensions
    ``indicator``, ``entity``, ``period``), with the total of all members; only zones of
    ``zone_levels`` and enterprises of ``industries`` (GB/T 4754 sections or divisions) counted
    when given. Ratios' totals are recomputed from their parts (:mod:`gaoxin.engine.pivot`).
    Read from the analytics tables: published data, or with ``preview`` also data under review
    (a stale build is read, and ``data`` says so).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError (code ``pivot.request``) for a layout, indicator, level, filter or period that
    cannot be shown or a table over :data:`PIVOT_MAX_CELLS` cells. Kept per data version
    (:mod:`gaoxin.statistics.page_data`)."""
    check_scope(by, scope)
    parts = (
        tuple(str(p) for p in periods),
        getattr(scope, "pk", None),
        tuple(indicators),
        tuple(rows),
        tuple(columns),
        level,
        tuple(zone_levels or ()),
        tuple(industries or ()),
    )
    return page_data.cached(
        "pivot",
        parts,
        lambda: _pivot(
            periods,
            scope,
            by=by,
            indicators=indicators,
            rows=rows,
            columns=columns,
            level=level,
            zone_levels=zone_levels,
            industries=industries,
            preview=preview,
        ),
        preview=preview,
    )


def _pivot(
    periods: Sequence[Period],
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str],
    rows: Sequence[str],
    columns: Sequence[str],
    level: str,
    zone_levels: Sequence[str] | None,
    industries: Sequence[str] | None,
    preview: bool,
) -> Pivot:
    from gaoxin.engine.pivot import LEVELS, PivotError
    from gaoxin.engine.pivot import pivot as build
    from gaoxin.engine.reference import industries as industry_table
    from gaoxin.statistics import analytics

    def refuse(message: str) -> ProblemsError:
        return ProblemsError([Problem("pivot.request", message)])

    if level not in pivot_levels(scope):
        allowed = "、".join(LEVELS[lv] for lv in pivot_levels(scope))
        raise refuse(f"您的数据范围内只能按{allowed}展开")
    unknown = [z for z in zone_levels or () if z not in ZONE_LEVELS]
    if unknown:
        raise refuse(f"园区级别应为国家级或省级，不是「{'、'.join(unknown)}」")
    known = set(industry_table()["code"].to_list())
    unknown = [c for c in industries or () if c not in known]
    if unknown:
        raise refuse(f"未知的行业代码「{'、'.join(unknown)}」（GB/T 4754 门类或大类）")
    # only the observations the indicators read (a fifth of the store for the key money
    # indicators): reading the store is most of a pivot's time (docs/benchmarks.md)
    # Published data from the analytics tables (decision 036), the periods' years and the one
    # before (growth, the previous period); ``preview`` adds data under review.
    years = sorted({p.year for p in periods} | {p.year - 1 for p in periods})
    facts, data = analytics.facts(scope, by=by, years=years, preview=preview)
    try:
        table = build(
            facts,
            list(indicators),
            [str(p) for p in periods],
            rows=rows,
            columns=columns,
            level=level,
            within=_scope_column(scope),
            zone_levels=zone_levels,
            industries=industries,
        )
    except PivotError as err:
        raise refuse(str(err)) from None
    cells = len(table.row_headers) * len(table.column_headers)
    if cells > PIVOT_MAX_CELLS:
        raise refuse(
            f"透视表有 {cells:,} 格，超过上限 {PIVOT_MAX_CELLS:,} 格：请少选期间或指标，"
            "或选更高的层级、更小的范围"
        )
    labels = [p.label() for p in sorted(periods)]
    span = labels[0] if len(labels) == 1 else f"{labels[0]}至{labels[-1]}"
    title = f"{subject(scope, everywhere='全国')}主要指标数据透视表（{span}）"
    filters = [f"按{LEVELS[level]}"]
    if zone_levels:
        filters.append("、".join(ZONE_LEVELS[z] for z in zone_levels) + "高新区")
    if industries:
        names = dict(zip(*industry_table().select("code", "name"), strict=True))
        filters.append("行业：" + "、".join(f"{c} {names[c]}" for c in industries))
    note = (
        f"期间：{'、'.join(labels)}　{'；'.join(filters)}　{data.text()}"
        f"　输入哈希：{facts.input_hash[:12]}"
    )
    if "indicator" in table.fixed and len(table.indicators) == 1:
        note += f"　单位：{table.indicators[0].unit}"
    return Pivot(scope, table, title, note, data, facts.input_hash)


#: The kinds of entity the catalogue's indicators are stored for (gaoxin.engine.facts.LEVELS),
#: in the order the rows come in, with what a user calls them.
INDICATOR_KINDS: dict[str, str] = {
    "province": "省",
    "city": "市",
    "zone": "高新区",
    "enterprise": "企业",
    "institution": "机构",
}
#: The registry's kind of each stored kind (provinces and cities are regions there).
_REGISTRY_KIND = {"province": "region", "city": "region"}


#: How a period type's values and a variable's reporting are named in a note.
_TYPE_VALUES = {"year": "年度", "half": "半年度", "quarter": "季度", "month": "月度"}
_TYPE_UNIT = {"year": "年", "half": "半年", "quarter": "季度", "month": "月"}


@dataclass(frozen=True)
class NotComputed:
    """An indicator the analytics tables hold no values of for a period type (decision 072):
    a variable it reads is absent from that type's data, so it would be null on every row.
    ``note`` says so for a reader: 按年统计，无月度值（「土地面积」按年报送）."""

    indicator: str
    indicator_name: str
    period_type: str
    variables: tuple[str, ...]
    note: str


def _not_computed(indicator: Any, period_type: str, variables: Sequence[str]) -> NotComputed:
    from gaoxin.engine.periods import PER_YEAR
    from gaoxin.engine.variables import default_catalogue

    catalogue = default_catalogue()
    found = [catalogue[v] for v in variables if v in catalogue]
    coarser = sorted(
        {v.period for v in found if PER_YEAR[v.period] < PER_YEAR[period_type]},
        key=PER_YEAR.__getitem__,
    )
    reasons = [
        f"「{catalogue[v].zh}」按{_TYPE_UNIT[catalogue[v].period]}报送"
        if v in catalogue and catalogue[v].period in coarser
        else f"「{catalogue[v].zh if v in catalogue else v}」没有{_TYPE_VALUES[period_type]}数据"
        for v in variables
    ]
    head = (
        f"按{'、'.join(_TYPE_UNIT[t] for t in coarser)}统计，"
        if coarser and len(found) == len(variables) and all(v.period in coarser for v in found)
        else ""
    )
    return NotComputed(
        indicator.code,
        indicator.zh,
        period_type,
        tuple(variables),
        f"{head}无{_TYPE_VALUES[period_type]}值（{'、'.join(reasons)}）",
    )


@dataclass(frozen=True)
class IndicatorValues:
    """The catalogue's stored indicator values over ``scope`` (:func:`indicator_values`): one row
    per entity, period and indicator, in a fixed order — period, the catalogue's order of
    indicators, kind (province to institution), entity code — so that the same request on the
    same data version pages through the same rows.

    The rows are not held: ``groups`` says how many rows each (period, indicator, kind) has, in
    that order (:func:`_groups`, kept per data version and selection, decision 081), and
    :meth:`part` reads only the groups a page falls in from ``stored``. :meth:`rows` names a
    slice; :attr:`frame` is the whole selection (entity, kind, period, indicator, value,
    missing)."""

    scope: Entity | None
    #: The build and the scope's entities the rows are read from.
    stored: StoredIndicators
    #: period, indicator, kind, rows, start (the first row's place), in_order (the files hold
    #: the group's rows in entity order), in the rows' order.
    groups: pl.DataFrame
    #: The analytics tables it was read from: data version, when built, stale or not.
    data: State
    preview: bool = False
    #: The indicators asked for that have no values of a period type asked for, and why.
    not_computed: tuple[NotComputed, ...] = ()
    #: Only this entity's rows (its code), when one was asked for.
    entity: str | None = None

    def __len__(self) -> int:
        return int(self.groups["rows"].sum())

    @property
    def frame(self) -> pl.DataFrame:
        """Every row of the selection, in order (what :func:`in_row_order` gives)."""
        return self.part(0, len(self))

    def part(self, start: int, stop: int) -> pl.DataFrame:
        """Rows ``start`` to ``stop`` (exclusive) of the selection, as stored. Reads the groups
        the slice falls in and nothing else: a page of a national year is one group of an
        enterprise indicator (206,276 rows at scale 70), not the year's 632,985 rows, and needs
        no sort where the files hold the group in entity order (a whole build writes each
        period's indicator in entity order, ``engine.analytics._in_stored_order``)."""
        from gaoxin.engine.analytics import INDICATOR_SCHEMA

        stop = min(stop, len(self))
        hit = self.groups.with_row_index("group").filter(
            (pl.col("start") < stop) & (pl.col("start") + pl.col("rows") > start)
        )
        if start >= stop or hit.is_empty():
            return pl.DataFrame(schema=INDICATOR_SCHEMA)
        read = self.stored.read(
            indicators=hit["indicator"].unique().to_list(),
            periods=hit["period"].unique().to_list(),
        )
        if self.entity is not None:
            read = read.filter(pl.col("entity") == self.entity)
        if hit.height == 1:  # most pages: one group, the rows of one kind
            rows = read.filter(pl.col("kind") == hit["kind"][0])
            rows = rows if hit["in_order"][0] else rows.sort("entity")
        else:
            keys = ["period", "indicator", "kind"]
            rows = read.with_columns(pl.col("kind").cast(pl.String)).join(
                hit.select(*keys, "group"), on=keys, how="inner", maintain_order="left"
            )
            # the files' order within a group where it is the entity's (a stable sort by the
            # group alone); else the entity's too
            order = ["group"] if hit["in_order"].all() else ["group", "entity"]
            rows = rows.sort(order, maintain_order=True).drop("group")
        part = rows.slice(start - int(hit["start"][0]), stop - start)
        return part.with_columns(pl.col("kind").cast(pl.String))

    def rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Rows ``start`` to ``stop`` (exclusive) with the entity's id and name and the
        indicator's name and unit: one query of the registry for the slice, not the whole
        frame (a province's enterprises over a year are hundreds of thousands of rows)."""
        import math

        from gaoxin.engine.indicators import default_indicators
        from gaoxin.registry.models import Entity

        part = self.part(start, stop)
        codes = part["entity"].unique().to_list()
        found = {
            (kind, code): (pk, name)
            for kind, code, pk, name in Entity.objects.within(self.scope)
            .filter(code__in=codes)
            .values_list("kind", "code", "pk", "name")
        }
        catalogue = {i.code: i for i in default_indicators()}
        out = []
        for row in part.iter_rows(named=True):
            pk, name = found.get(
                (_REGISTRY_KIND.get(row["kind"], row["kind"]), row["entity"]), (None, "")
            )
            ind = catalogue.get(row["indicator"])
            value = row["value"]
            out.append(
                {
                    "entity": pk,
                    "entity_code": row["entity"],
                    "entity_name": name,
                    "kind": row["kind"],
                    "period": row["period"],
                    "indicator": row["indicator"],
                    "indicator_name": ind.zh if ind is not None else "",
                    "unit": ind.unit if ind is not None else "",
                    "value": value if value is not None and math.isfinite(value) else None,
                    "missing": row["missing"],
                }
            )
        return out


def indicator_values(
    periods: Sequence[Period],
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str] | None = None,
    kind: str | None = None,
    entity: Entity | None = None,
    preview: bool = False,
) -> IndicatorValues:
    """The catalogue's indicator values of ``periods`` for the entities in ``scope`` (None: the
    whole store) as the analytics tables store them (decision 071): optionally only
    ``indicators``, entities of ``kind`` (:data:`INDICATOR_KINDS`) or ``entity`` alone (which
    then stands for the scope). Values are in the catalogue's unit (万元, %, 家 …), computed
    over the whole store (a city's value counts every zone of the city, a rank is among all
    zones); ``missing`` counts the inputs that were missing (docs/indicators.md). Published
    data, or with ``preview`` also data under review; a stale build is read, and ``data`` says
    so. An indicator that has no values of a period type asked for, because a variable it reads
    is not reported for that type (decision 072), is named in ``not_computed`` with the reason
    (of the kind asked for, or of ``entity``'s, when given).

    How many rows each period, indicator and kind has is kept per data version, build, scope
    and selection (:mod:`gaoxin.statistics.page_data`, decision 081); each page then reads only
    the groups it shows.

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` or ``entity`` is outside
    ``by``'s, and ProblemsError naming the argument (``column``) and the value for an unknown
    indicator code or kind; nothing is read then."""
    from gaoxin.engine.indicators import default_indicators
    from gaoxin.statistics import analytics

    scope = entity if entity is not None else scope
    check_scope(by, scope)
    known = {i.code for i in default_indicators()}
    wanted = list(dict.fromkeys(indicators)) if indicators else None
    problems = [
        Problem(
            "indicator_values.indicator",
            f"指标目录中没有指标代码「{code}」",
            column="indicators",
            value=code,
        )
        for code in wanted or ()
        if code not in known
    ]
    if kind is not None and kind not in INDICATOR_KINDS:
        problems.append(
            Problem(
                "indicator_values.kind",
                f"主体类型应为 {'、'.join(f'{k}（{v}）' for k, v in INDICATOR_KINDS.items())} 之一，"
                f"不是「{kind}」",
                column="kind",
                value=kind,
            )
        )
    if problems:
        raise ProblemsError(problems)
    stored, data = analytics.stored_indicators(scope, by=by, preview=preview)
    codes = sorted({str(p) for p in periods})
    own = entity.code if entity is not None else None
    groups = page_data.cached(
        "indicator-values",
        (stored.key, own, kind, tuple(codes), tuple(wanted or ())),
        lambda: _groups(stored, codes, wanted, kind, own),
        preview=preview,
    )
    return IndicatorValues(
        scope,
        stored,
        groups,
        data,
        preview,
        _left_out(periods, wanted, kind, entity, preview=preview),
        own,
    )


def _groups(
    stored: StoredIndicators,
    periods: Sequence[str],
    indicators: Sequence[str] | None,
    kind: str | None,
    entity: str | None,
) -> pl.DataFrame:
    """:attr:`IndicatorValues.groups` of a selection: its rows counted per period, indicator
    and kind, in :func:`in_row_order`'s order, each group's first row's place, and whether the
    files hold the group's rows in entity order (so that a page need not sort them)."""
    values = stored.read(
        indicators=indicators, periods=periods, columns=["entity", "kind", "period", "indicator"]
    ).with_columns(pl.col("kind").cast(pl.String))
    if entity is not None:
        values = values.filter(pl.col("entity") == entity)
    if kind is not None:
        values = values.filter(pl.col("kind") == kind)
    keys = ["period", "indicator", "kind"]
    return (
        values.group_by(keys)
        .agg(
            rows=pl.len(),
            # rows in the files' order within a group: each entity after the one before
            in_order=(pl.col("entity") > pl.col("entity").shift(1)).fill_null(True).all(),
        )
        .sort(_row_order(), maintain_order=True)
        .with_columns(start=pl.col("rows").cum_sum() - pl.col("rows"))
        .select(*keys, pl.col("rows").cast(pl.Int64), pl.col("start").cast(pl.Int64), "in_order")
    )


def _left_out(
    periods: Sequence[Period],
    wanted: Sequence[str] | None,
    kind: str | None,
    entity: Entity | None,
    *,
    preview: bool,
) -> tuple[NotComputed, ...]:
    """What :func:`indicator_values` says of the indicators the tables hold no values of for a
    period type asked for: only those asked for, of the kind asked for (or ``entity``'s)."""
    from gaoxin.accounts.roles import scope_level
    from gaoxin.engine.indicators import default_indicators
    from gaoxin.engine.periods import PERIOD_TYPES
    from gaoxin.statistics import analytics

    left_out = analytics.not_computed(preview=preview)
    types = {p.kind for p in periods}
    level = kind if kind is not None else (scope_level(entity) if entity is not None else None)
    return tuple(
        _not_computed(ind, ptype, left_out[ptype][ind.code])
        for ptype in PERIOD_TYPES
        if ptype in types and ptype in left_out
        for ind in default_indicators()
        if ind.code in left_out[ptype]
        and (wanted is None or ind.code in wanted)
        and (level is None or ind.level == level)
    )


def in_row_order(values: pl.DataFrame) -> pl.DataFrame:
    """Stored indicator values in :class:`IndicatorValues`' order: period, the catalogue's order
    of indicators, kind (province to institution), entity code (the whole selection sorted at
    once: what the pages give, read group by group)."""
    return values.sort(*_row_order(), pl.col("entity"))


def _row_order() -> list[pl.Expr]:
    """The order of :class:`IndicatorValues`' groups: period, the catalogue's order of
    indicators, kind (province to institution); an indicator or a kind the catalogue does not
    know (a build older than the catalogue) after those it knows, by its code."""
    from gaoxin.engine.indicators import default_indicators

    order = {i.code: n for n, i in enumerate(default_indicators())}
    kinds = {k: n for n, k in enumerate(INDICATOR_KINDS)}
    return [
        pl.col("period"),
        pl.col("indicator").replace_strict(order, default=len(order), return_dtype=pl.Int32),
        pl.col("indicator"),
        pl.col("kind")
        .cast(pl.String)
        .replace_strict(kinds, default=len(kinds), return_dtype=pl.Int32),
        pl.col("kind").cast(pl.String),
    ]


def import_observations(
    path: Path,
    scope: Entity | None,
    *,
    by: Any,
    dry_run: bool = False,
    period: str | None = None,
    sheet: str | None = None,
    reason: str = "",
    progress: Callable[..., None] | None = None,
) -> ImportReport:
    """Import the CSV or Excel file ``path``, matching its entities within ``scope`` (None: the
    whole store), all or nothing: any error and nothing is written, every problem reported
    (file, sheet, row, column, value, reason). ``period`` is the period as a wide form writes it
    (``2025-07``, ``2025年1-7月``) for a file that does not say; ``sheet`` one sheet only;
    ``reason`` goes into the change history with ``by`` as the author. ``dry_run`` checks and
    counts exactly, then writes nothing. ``progress(step, done, total)`` hears its steps (the
    rows and sheets read; a background job's :class:`~gaoxin.jobs.services.Progress`).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s (a row naming
    an entity outside ``scope`` is one of the report's problems). ProblemsError when the file
    does not exist."""
    from gaoxin.statistics.imports import import_file

    check_scope(by, scope)
    if not path.is_file():
        raise ProblemsError([Problem("import.file", "找不到文件", file=str(path))])
    return import_file(
        path,
        user=by,
        scope=scope,
        dry_run=dry_run,
        period=period,
        sheet=sheet,
        reason=reason,
        progress=progress,
    )


def export_observations(
    scope: Entity | None,
    *,
    by: Any,
    variables: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    kind: str | None = None,
    wide: bool = False,
    codes: bool = False,
) -> pl.DataFrame:
    """The observations of the entities in ``scope`` (None: the whole store), optionally only
    of ``variables``, ``periods`` and entities of ``kind``; long (one value a row) or ``wide``
    (one row per entity and period). For people (Chinese headers and names: a CSV or XLSX that
    imports back as it is) or, with ``codes``, for programs (codes, one column per hierarchy
    level). Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s."""
    from gaoxin.statistics.facts import for_people, observations_frame, to_wide

    check_scope(by, scope)
    frame = observations_frame(
        scope=scope,
        variables=list(variables) if variables else None,
        periods=list(periods) if periods else None,
        kind=kind,
    )
    if codes:
        return to_wide(frame) if wide else frame
    return for_people(frame, wide=wide)


def reporting_template(
    out: Path, *, form: str | None = None, variables: Sequence[str] | None = None
) -> Path:
    """A blank XLSX template for reporting form ``form`` (its code) or for ``variables``, with
    the units and data-validation of each variable. It holds no data, so it needs no scope.
    ProblemsError for an unknown form or variable, or neither given."""
    from gaoxin.engine.tabular import form_template_xlsx
    from gaoxin.engine.variables import default_catalogue
    from gaoxin.statistics.models import ReportingForm

    catalogue = default_catalogue()
    if form:
        f = ReportingForm.objects.filter(code=form).first()
        if f is None:
            known = "、".join(ReportingForm.objects.values_list("code", flat=True)) or "（无）"
            raise ProblemsError(
                [
                    Problem(
                        "template.form",
                        f"找不到报表「{form}」：现有报表 {known}；升级后请先运行 gaoxin init 同步内置报表",
                        value=form,
                    )
                ]
            )
        codes = [fv.variable.code for fv in f.form_variables.select_related("variable")]
        title, period_type = f.name, f.period_type
    elif variables:
        codes, title, period_type = list(variables), "统计数据填报表", None
    else:
        raise ProblemsError(
            [Problem("template.what", "请用 --form 指定报表，或用 --variables 指定变量")]
        )
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        raise ProblemsError(
            [
                Problem(
                    "template.variable", f"未知变量：{'、'.join(unknown)}", value=",".join(unknown)
                )
            ]
        )
    form_template_xlsx([catalogue[c] for c in codes], out, title=title, period_type=period_type)
    return out
