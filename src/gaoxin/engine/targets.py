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

from collections.abc import Iterable

import polars as pl

from gaoxin.engine.packs.schema import Target

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
        progress=pl.when(distance != 0)
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
        projected_progress=pl.when(distance != 0).then(
            (pl.col("projected") - pl.col("baseline")) / distance
        ),
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
