"""Targets (发展目标): how far each scope has come towards a pack's targets, and whether the trend
gets it there by the deadline.

``assess(targets, series, as_of)`` works on every (target, scope) pair at once with Polars
group-bys — no loop over zones or cities. For each it gives the baseline, the current value, the
goal, the progress (share of the distance from baseline to goal covered), the change needed each
remaining year, a projection to the deadline and a status. Methods and thresholds are in
docs/packs.md ("Targets"):

* projection — least-squares linear trend over the last ``k`` years of data (default 5) for
  absolute, relative and count targets; for ``multiple`` targets (双倍增: 2× the baseline) the
  compound annual growth rate (CAGR) over the same years, because such a target is a statement
  about growth rates, and a quantity that grows by a steady rate is under-projected by a line;
* ``increase`` targets (2-3 more 认定类 zones than in the baseline year) — the goal is the
  baseline plus ``value``, so a count of zones serves as the count of conversions;
* range targets (``upper``: 2-3 conversions) — the lower bound is the goal (progress and
  projections are measured against it); ``exceeded`` when the current value is above the upper
  bound — the commitment is met, and the status tells the planner the range was passed;
* status — ``achieved`` when the current value already meets the goal; otherwise ``on_track``
  when the projection meets it at the deadline; ``at_risk`` when the projection covers at least
  :data:`AT_RISK_SHARE` (80 %) of the distance from baseline to goal; ``off_track`` below that,
  or when the deadline has passed unmet; ``unknown`` with fewer than 2 years of data and the goal
  not yet met (no trend can be drawn from one point).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gaoxin.engine.expr import Formula, Namespace
from gaoxin.engine.facts import source_column
from gaoxin.engine.packs.schema import Target
from gaoxin.engine.tabular import printed

#: Share of the baseline-to-goal distance a projection must cover to count as at risk rather
#: than off track.
AT_RISK_SHARE = 0.8
#: Years of data the trend is fitted on.
TREND_YEARS = 5

SCOPE_KIND = {"jurisdiction": "jurisdiction", "each_zone": "zone", "each_city": "city"}

STATUSES = ("exceeded", "achieved", "on_track", "at_risk", "off_track", "unknown")


def targets_frame(targets: Iterable[Target]) -> pl.DataFrame:
    rows = [
        {
            "target": t.id,
            "indicator": t.indicator,
            "scope_kind": SCOPE_KIND[t.scope],
            "comparison": t.comparison,
            "kind": t.kind,
            "value": float(t.value),
            "upper": float(t.upper) if t.upper is not None else None,
            "deadline": t.deadline,
            "baseline_year": t.baseline_year,
            "baseline_value": float(t.baseline_value) if t.baseline_value is not None else None,
            "article": t.cite.article,
        }
        for t in targets
    ]
    schema = {
        "target": pl.String,
        "indicator": pl.String,
        "scope_kind": pl.String,
        "comparison": pl.String,
        "kind": pl.String,
        "value": pl.Float64,
        "upper": pl.Float64,
        "deadline": pl.Int64,
        "baseline_year": pl.Int64,
        "baseline_value": pl.Float64,
        "article": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _meets(value: pl.Expr, goal: pl.Expr) -> pl.Expr:
    c = pl.col("comparison")
    return (
        pl.when(c == ">=")
        .then(value >= goal)
        .when(c == ">")
        .then(value > goal)
        .when(c == "<=")
        .then(value <= goal)
        .when(c == "<")
        .then(value < goal)
        .otherwise((value - goal).abs() < 1e-9)
    )


def assess(
    targets: Iterable[Target] | pl.DataFrame,
    series: pl.DataFrame,
    as_of: int,
    *,
    k: int = TREND_YEARS,
) -> pl.DataFrame:
    """Progress of every target in every scope it applies to.

    ``series``: columns ``indicator``, ``scope_kind`` (``jurisdiction`` / ``zone`` / ``city``),
    ``scope`` (the id of the jurisdiction, zone or city), ``year`` and ``value``; years after
    ``as_of`` are ignored. Returns one row per (target, scope) with ``baseline``, ``current``,
    ``current_year``, ``goal``, ``goal_upper`` (range targets), ``progress``, ``required_per_year``, ``required_growth``,
    ``method``, ``projected``, ``projected_progress`` and ``status``.
    """
    tf = targets if isinstance(targets, pl.DataFrame) else targets_frame(targets)
    s = series.select(
        pl.col("indicator").cast(pl.String),
        pl.col("scope_kind").cast(pl.String),
        pl.col("scope").cast(pl.String),
        pl.col("year").cast(pl.Int64),
        pl.col("value").cast(pl.Float64).alias("observed"),
    ).filter((pl.col("year") <= as_of) & pl.col("observed").is_not_null())
    data = tf.join(s, on=["indicator", "scope_kind"], how="inner").sort("target", "scope", "year")
    key = ["target", "scope"]
    recent = data.filter(pl.col("year").rank("ordinal", descending=True).over(key) <= k)

    x, y = pl.col("year").cast(pl.Float64), pl.col("observed")
    trend = recent.group_by(key).agg(
        slope=pl.cov(x, y) / x.var(),
        x_mean=x.mean(),
        y_mean=y.mean(),
        first_year=pl.col("year").first(),
        first_value=y.first(),
        n_years=pl.len(),
    )
    state = data.group_by(key).agg(
        pl.col(
            "indicator",
            "scope_kind",
            "comparison",
            "kind",
            "value",
            "upper",
            "deadline",
            "baseline_year",
            "baseline_value",
            "article",
        ).first(),
        current=y.last(),
        current_year=pl.col("year").last(),
        observed_baseline=y.filter(pl.col("year") == pl.col("baseline_year")).first(),
        earliest=y.first(),
    )
    out = state.join(trend, on=key, how="left")

    baseline = pl.coalesce("baseline_value", "observed_baseline", "earliest")
    out = out.with_columns(baseline=baseline)

    def relative_to_baseline(v: str) -> pl.Expr:
        kind = pl.col("kind")
        return (
            pl.when(kind == "multiple")
            .then(pl.col("baseline") * pl.col(v))
            .when(kind == "increase")
            .then(pl.col("baseline") + pl.col(v))
            .otherwise(pl.col(v))
        )

    goal, goal_upper = relative_to_baseline("value"), relative_to_baseline("upper")
    out = out.with_columns(goal=goal, goal_upper=goal_upper)
    distance = pl.col("goal") - pl.col("baseline")
    years_left = (pl.col("deadline") - pl.col("current_year")).cast(pl.Float64)
    achieved = _meets(pl.col("current"), pl.col("goal"))
    multiplicative = pl.col("kind") == "multiple"
    span = (pl.col("current_year") - pl.col("first_year")).cast(pl.Float64)
    cagr = pl.when((span > 0) & (pl.col("first_value") > 0) & (pl.col("current") > 0)).then(
        (pl.col("current") / pl.col("first_value")) ** (1.0 / span) - 1.0
    )
    linear = pl.col("y_mean") + pl.col("slope") * (
        pl.col("deadline").cast(pl.Float64) - pl.col("x_mean")
    )
    compound = pl.col("current") * (1.0 + cagr) ** years_left
    projected = (
        pl.when(pl.col("n_years") < 2)
        .then(None)
        .when(multiplicative)
        .then(compound)
        .otherwise(linear)
    )
    out = out.with_columns(
        # A share of the way from a baseline that already met the goal means nothing (it
        # would read −893 % for a zone at 35 % against a goal of 10 % from 12.5 %): left out.
        progress=pl.when(_meets(pl.col("baseline"), pl.col("goal")) & (distance != 0))
        .then(None)
        .when(distance != 0)
        .then((pl.col("current") - pl.col("baseline")) / distance)
        .otherwise(pl.when(achieved).then(1.0).otherwise(0.0)),
        required_per_year=pl.when(years_left > 0).then(
            (pl.col("goal") - pl.col("current")) / years_left
        ),
        required_growth=pl.when(
            (years_left > 0) & (pl.col("current") > 0) & (pl.col("goal") > 0)
        ).then((pl.col("goal") / pl.col("current")) ** (1.0 / years_left) - 1.0),
        method=pl.when(multiplicative)
        .then(pl.lit(f"cagr_last_{k}"))
        .otherwise(pl.lit(f"ols_last_{k}")),
        projected=projected,
        _achieved=achieved,
    )
    out = out.with_columns(
        projected_progress=pl.when(
            (distance != 0) & ~_meets(pl.col("baseline"), pl.col("goal"))
        ).then((pl.col("projected") - pl.col("baseline")) / distance),
        _proj_meets=_meets(pl.col("projected"), pl.col("goal")),
    )
    status = (
        pl.when(pl.col("_achieved") & (pl.col("current") > pl.col("goal_upper")).fill_null(False))
        .then(pl.lit("exceeded"))
        .when(pl.col("_achieved"))
        .then(pl.lit("achieved"))
        .when(pl.col("deadline") <= as_of)
        .then(pl.lit("off_track"))
        .when(pl.col("projected").is_null())
        .then(pl.lit("unknown"))
        .when(pl.col("_proj_meets"))
        .then(pl.lit("on_track"))
        .when(pl.col("projected_progress") >= AT_RISK_SHARE)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
    )
    return (
        out.with_columns(status=status)
        .select(
            "target",
            "indicator",
            "scope_kind",
            "scope",
            "article",
            "kind",
            "comparison",
            "deadline",
            "baseline",
            "current",
            "current_year",
            "goal",
            "goal_upper",
            "progress",
            "required_per_year",
            "required_growth",
            "method",
            "n_years",
            "projected",
            "projected_progress",
            "status",
        )
        .sort("target", "scope")
    )


# --- targets over the store's facts ----------------------------------------------------------

#: The Chinese word for each status, as printed (``unavailable``: the indicator cannot be
#: computed from the data for this scope; the target is listed, never dropped).
STATUS_ZH = {
    "exceeded": "超出区间",
    "achieved": "已实现",
    "on_track": "进度正常",
    "at_risk": "有风险",
    "off_track": "滞后",
    "unknown": "无法判断",
    "unavailable": "无法计算",
}
SCOPE_ZH = {"jurisdiction": "全辖区", "each_zone": "每个高新区", "each_city": "每个设区市"}
LEVEL_ZH = {
    "enterprise": "企业",
    "institution": "机构",
    "zone": "高新区",
    "city": "设区市",
    "province": "省",
}


def chinese(text: str) -> str:
    """The texts of this module as written, in Chinese (the printed table, the CLI). A page
    passes Django's ``gettext`` instead, so the English catalogue translates the same msgids
    (decision 035); the engine itself stays free of Django."""
    return text


#: what turns one of this module's msgids into the reader's language (:func:`chinese`, or
#: Django's ``gettext`` on a page); texts with numbers are msgids with named placeholders
Translate = Callable[[str], str]


@dataclass(frozen=True)
class IndicatorInfo:
    """What :func:`target_series` needs to know of a catalogue indicator."""

    level: str
    additive: bool = False
    #: the catalogue's Chinese name, which the notes on pages use (never the code)
    zh: str | None = None


#: Levels a jurisdiction can sum additive indicators over, from the bottom.
_SUMMABLE = ("zone", "city", "province")


def _below(level: str, jurisdiction_kind: str | None) -> bool:
    if level not in _SUMMABLE:
        return False
    if jurisdiction_kind is None:
        return True
    top = _SUMMABLE.index(jurisdiction_kind) if jurisdiction_kind in _SUMMABLE else -1
    return _SUMMABLE.index(level) < top


def unavailable_reason(
    target: Target,
    info: IndicatorInfo | None,
    jurisdiction_kind: str | None,
    gettext: Translate = chinese,
) -> str | None:
    """Why ``target`` cannot be computed from the catalogue for its scope (None when it can).
    A jurisdiction's value is the indicator at the jurisdiction's own level, or the sum over the
    zones, cities or provinces inside it of an additive indicator of that level (a count or an
    amount, never a ratio); the whole country (``jurisdiction_kind`` None) is above them all."""
    if info is None:
        # not in the catalogue, so no Chinese name: the page's row quotes the target itself
        why = gettext("指标目录中还没有这项指标，无法由数据计算")
        if target.pending is None:
            return why
        return gettext("%(why)s：还缺%(pending)s") % {"why": why, "pending": target.pending}
    level = gettext(LEVEL_ZH.get(info.level, info.level))
    name = info.zh or target.indicator
    if target.scope == "each_zone" and info.level != "zone":
        return gettext("指标「%(name)s」按%(level)s计算，不能逐个高新区评估") % {
            "name": name,
            "level": level,
        }
    if target.scope == "each_city" and info.level != "city":
        return gettext("指标「%(name)s」按%(level)s计算，不能逐个设区市评估") % {
            "name": name,
            "level": level,
        }
    if target.scope == "jurisdiction":
        if info.level == jurisdiction_kind or (
            info.additive and _below(info.level, jurisdiction_kind)
        ):
            return None
        where = gettext(LEVEL_ZH.get(jurisdiction_kind or "", "全国"))
        return gettext(
            "指标「%(name)s」按%(level)s计算且不可加总，得不到%(where)s一级的值（需要该层级的指标）"
        ) % {"name": name, "level": level, "where": where}
    return None


def _inside(jurisdiction: str | None) -> pl.Expr:
    """Rows (with entity, province, city) of the jurisdiction and the entities inside it."""
    if jurisdiction is None:
        return pl.lit(True)
    return (
        (pl.col("province") == jurisdiction)
        | (pl.col("city") == jurisdiction)
        | (pl.col("entity") == jurisdiction)
    )


def target_series(
    values: pl.DataFrame,
    entities: pl.DataFrame,
    indicators: Mapping[str, IndicatorInfo],
    *,
    jurisdiction: str | None,
    zones: Iterable[str],
) -> pl.DataFrame:
    """The yearly series :func:`assess` reads, from computed indicators.

    ``values``: (entity, kind, period, indicator, value), as ``indicators.compute`` returns
    (non-yearly periods are ignored); ``entities``: entity, kind, province, city (the fact
    frame's hierarchy columns); ``jurisdiction``: the entity code of the jurisdiction, None for
    the whole country; ``zones``: the zones that report data, the only ones listed one by one
    and summed (the registry also lists zones the jurisdiction holds no statistics for).
    """
    zone_ids = pl.Series("entity", list(zones), dtype=pl.String)
    ents = entities.select(pl.col("entity", "kind", "province", "city").cast(pl.String))
    inside = _inside(jurisdiction)
    yearly = (
        values.filter(pl.col("period").cast(pl.String).str.contains(r"^\d{4}$"))
        .select(
            pl.col("entity", "indicator").cast(pl.String),
            pl.col("period").cast(pl.Int64).alias("year"),
            pl.col("value").cast(pl.Float64),
        )
        .join(ents, on="entity", how="inner")
    )
    zones_in = yearly.filter(
        (pl.col("kind") == "zone") & inside & pl.col("entity").is_in(zone_ids.implode())
    )
    each_zone = zones_in.select(
        "indicator",
        pl.lit("zone").alias("scope_kind"),
        pl.col("entity").alias("scope"),
        "year",
        "value",
    )
    each_city = yearly.filter((pl.col("kind") == "city") & inside).select(
        "indicator",
        pl.lit("city").alias("scope_kind"),
        pl.col("entity").alias("scope"),
        "year",
        "value",
    )
    scope = jurisdiction if jurisdiction is not None else "全国"
    own = yearly.filter(pl.col("entity") == (jurisdiction or "")).select(
        "indicator",
        pl.lit("jurisdiction").alias("scope_kind"),
        pl.lit(scope).alias("scope"),
        "year",
        "value",
    )
    kinds = ents.filter(pl.col("entity") == (jurisdiction or ""))["kind"].to_list()
    j_kind = kinds[0] if kinds else None
    summable = {c: i.level for c, i in indicators.items() if i.additive and _below(i.level, j_kind)}
    not_own = pl.lit(True) if j_kind is None else pl.col("kind") != j_kind
    parts = yearly.filter((pl.col("kind") != "zone") & not_own & inside)
    below = pl.concat([zones_in, parts]).filter(
        pl.col("indicator").is_in(list(summable))
        & (pl.col("kind") == pl.col("indicator").replace_strict(summable, default=None))
    )
    # Parts with the value missing are left out of the sum, and a year where every part's is
    # missing stays missing (decision 007), as the catalogue's own sum() does.
    summed = (
        below.group_by("indicator", "year")
        .agg(value=pl.when(pl.col("value").is_not_null().any()).then(pl.col("value").sum()))
        .select(
            "indicator",
            pl.lit("jurisdiction").alias("scope_kind"),
            pl.lit(scope).alias("scope"),
            "year",
            "value",
        )
    )
    return pl.concat([each_zone, each_city, own, summed]).sort(
        "indicator", "scope_kind", "scope", "year"
    )


#: Said of a computable target that has no value anywhere in scope.
NO_DATA = "辖区内没有该指标的数据"


def variables_read(
    indicator: str, formulas: Mapping[str, Formula], namespace: Namespace
) -> list[str]:
    """The variable names ``indicator`` reads, through the indicators it reads, in the order
    they appear with each indicator written out (``gdp``, ``province_gdp``); attributes and
    functions are not variables."""
    out: dict[str, None] = {}
    seen: set[str] = set()

    def visit(code: str) -> None:
        seen.add(code)
        for name in formulas[code].names:
            info = namespace.names.get(name)
            if info is not None and info.kind == "variable":
                out.setdefault(name, None)
            elif name in formulas and name not in seen:
                visit(name)

    if indicator in formulas:
        visit(indicator)
    return list(out)


def no_data_reasons(
    targets: Iterable[Target],
    formulas: Mapping[str, Formula],
    namespace: Namespace,
    observations: pl.DataFrame,
    entities: pl.DataFrame,
    *,
    jurisdiction: str | None,
    as_of: int,
    gettext: Translate = chinese,
) -> dict[str, str]:
    """For each target, what :data:`NO_DATA` says when its indicator has no value in scope: the
    variables it reads that no entity of their level inside ``jurisdiction`` (None: the whole
    country) reported up to ``as_of``. ``observations``: entity, variable, period, value."""
    inside = _inside(jurisdiction)
    ents = entities.select(pl.col("entity", "kind", "province", "city").cast(pl.String))
    reported = (
        observations.select(pl.col("entity", "variable", "period").cast(pl.String), pl.col("value"))
        .filter(
            pl.col("value").is_not_null()
            & (pl.col("period").str.slice(0, 4).cast(pl.Int64, strict=False) <= as_of)
        )
        .join(ents.filter(inside), on="entity", how="inner")
        .select("variable", "kind")
        .unique()
    )
    present = set(reported.iter_rows())
    out: dict[str, str] = {}
    for t in targets:
        absent = []
        for name in variables_read(t.indicator, formulas, namespace):
            info = namespace[name]
            if (source_column(name, info), info.level) not in present:
                absent.append(f"「{info.label}」" if info.label else name)
        none = gettext(NO_DATA)
        out[t.id] = (
            gettext("%(none)s：所读变量%(variables)s截至%(year)s年没有数值")
            % {"none": none, "variables": "、".join(absent), "year": as_of}
            if absent
            else none
        )
    return out


def targets_table(
    targets: Iterable[Target],
    assessed: pl.DataFrame,
    unavailable: Mapping[str, str],
    names: Mapping[str, str],
    no_data: Mapping[str, str] | None = None,
    gettext: Translate = chinese,
) -> pl.DataFrame:
    """The printed table, in Chinese: one row per (target, scope), in the pack's order; a target
    whose indicator cannot be computed is one row saying why, and so is one with no value in
    scope (``no_data``: why, by target id; default :data:`NO_DATA`). Numbers stay numbers (the
    XLSX formats them); text columns say what a number cannot. ``gettext`` turns the free texts
    (基期, 目标值, 说明) into the reader's language; 范围 and 状态 stay the words of
    :data:`SCOPE_ZH` and :data:`STATUS_ZH`, which pages translate and key their looks on."""
    order = {t.id: i for i, t in enumerate(targets)}
    by_id = {t.id: t for t in targets}
    rows = []
    for t_id, i in order.items():
        t = by_id[t_id]
        if t_id in unavailable:
            rows.append(_row(t, i, None, unavailable[t_id], names, gettext))
    for r in assessed.to_dicts():
        rows.append(_row(by_id[r["target"]], order[r["target"]], r, None, names, gettext))
    listed = {r[0] for r in rows}
    for t_id, i in order.items():
        if i not in listed:
            why = (no_data or {}).get(t_id) or gettext(NO_DATA)
            rows.append(_row(by_id[t_id], i, None, why, names, gettext))
    frame = pl.DataFrame(rows, schema=_TABLE_SCHEMA, orient="row")
    return frame.sort("_order", "范围", maintain_order=True).drop("_order")


_TABLE_SCHEMA = {
    "_order": pl.Int64,
    "目标": pl.String,
    "条款": pl.String,
    "范围": pl.String,
    "指标": pl.String,
    "基期": pl.String,
    "现值": pl.Float64,
    "现值年份": pl.Int64,
    "目标值": pl.String,
    "期限": pl.Int64,
    "进度": pl.Float64,
    "预测": pl.Float64,
    "状态": pl.String,
    "说明": pl.String,
}

_CMP_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:,.2f}".rstrip("0").rstrip(".")


def _row(
    t: Target,
    order: int,
    r: dict[str, Any] | None,
    why: str | None,
    names: Mapping[str, str],
    gettext: Translate,
) -> tuple[Any, ...]:
    title = t.cite.quote  # the clause's own words name the target best
    unit = t.unit or ""
    if r is None:
        v = _num(float(t.value))
        if t.upper is not None:
            v = f"{v}–{_num(float(t.upper))}"
        if t.kind == "multiple":
            goal = gettext("%(year)s年的 %(value)s 倍") % {"year": t.baseline_year, "value": v}
        elif t.kind == "increase":
            goal = gettext("比%(year)s年增加 %(value)s%(unit)s") % {
                "year": t.baseline_year,
                "value": v,
                "unit": unit,
            }
        else:
            goal = f"{v}{unit}" if t.upper is not None else f"{_CMP_ZH[t.comparison]} {v}{unit}"
        return (
            order,
            title,
            t.cite.article,
            SCOPE_ZH[t.scope],
            t.indicator,
            "",
            None,
            None,
            goal,
            t.deadline,
            None,
            None,
            STATUS_ZH["unavailable"],
            why,
        )
    goal = _num(r["goal"])
    if r.get("goal_upper") is not None:
        goal = f"{goal}–{_num(r['goal_upper'])}"
    else:
        goal = f"{_CMP_ZH[t.comparison]} {goal}"
    base = _num(r["baseline"])
    if t.baseline_year is not None:
        base = gettext("%(value)s（%(year)s年）") % {"value": base, "year": t.baseline_year}
    scope = (
        SCOPE_ZH[t.scope]
        if r["scope_kind"] == "jurisdiction"
        else names.get(r["scope"], r["scope"])
    )
    if r["method"].startswith("cagr"):
        note = gettext("预测按年均复合增长率（近%(n)s年）") % {"n": r["n_years"]}
    else:
        note = gettext("预测按线性趋势（近%(n)s年）") % {"n": r["n_years"]}
    return (
        order,
        title,
        t.cite.article,
        scope,
        t.indicator,
        base,
        r["current"],
        r["current_year"],
        f"{goal}{unit}",
        t.deadline,
        # past the goal the share of the way means nothing more than "all of it" (8.7 → 27.7
        # against 10 would read 1454 %); a fall below the baseline stays negative
        None if r["progress"] is None else min(r["progress"], 1.0),
        r["projected"],
        STATUS_ZH[r["status"]],
        note,
    )


def write_targets_xlsx(table: pl.DataFrame, path: str | Path, title: str, note: str) -> Path:
    """The table as printed, on A4 landscape fitted to the page width: a title row, a note row
    (pack, data date, input hash), headers, then one row per target and scope."""
    import xlsxwriter

    path = Path(path)
    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    ws = wb.add_worksheet("目标进度")
    look = printed.formats(wb, font={"valign": "vcenter"})
    f_title, f_note, f_head, f_text = look.title, look.note, look.head, look.wrapped
    f_center = look.cell(align="center")
    # baselines and goals carry their year or unit ("1,341,198.92（2020年）"): wrap, not cut
    f_wrapped = look.cell(align="center", text_wrap=True)
    f_value = look.cell(num_format="#,##0.00")
    f_pct = look.cell(num_format="0.0%")
    status_fill = {
        "超出区间": "#C6EFCE",
        "已实现": "#C6EFCE",
        "进度正常": "#E2EFDA",
        "有风险": "#FFEB9C",
        "滞后": "#FFC7CE",
    }
    f_status = {k: look.cell(align="center", bg_color=v) for k, v in status_fill.items()}
    columns = [
        ("目标", 36, f_text),
        ("条款", 9, f_center),
        ("范围", 22, f_text),
        ("基期", 14, f_wrapped),
        ("现值", 11, f_value),
        ("现值年份", 7, f_center),
        ("目标值", 11, f_wrapped),
        ("期限", 6, f_center),
        ("进度", 8, f_pct),
        ("预测", 11, f_value),
        ("状态", 9, f_center),
        ("说明", 44, f_text),
    ]
    last = len(columns) - 1
    ws.merge_range(0, 0, 0, last, title, f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, note, f_note)
    for c, (name, width, _) in enumerate(columns):
        ws.write(2, c, name, f_head)
        ws.set_column(c, c, width)
    for r, row in enumerate(table.select([c for c, _, _ in columns]).iter_rows(), start=3):
        # xlsxwriter cannot measure text: a wrapped cell gets a row tall enough for its lines
        # (a Chinese character is about two column-width units).
        lines = (
            max(
                -(-sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) // max(width - 1, 1))
                for v, (_, width, fmt) in zip(row, columns, strict=True)
                if v is not None and fmt in (f_text, f_wrapped)
            )
            if any(v is not None for v in row)
            else 1
        )
        ws.set_row(r, 14 * max(lines, 1))
        for c, (name, _, fmt) in enumerate(columns):
            v = row[c]
            if name == "状态":
                ws.write(r, c, v, f_status.get(v, f_center))
            elif v is None:
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write(r, c, v, fmt)
    ws.freeze_panes(3, 1)
    printed.page_setup(ws, 2, top=0.5, bottom=0.5)
    printed.close(wb)
    return path
