"""The rules engine: who qualifies under a pack's rules in a period, for what money or action.

``run_rules(pack, frame, period)`` evaluates every rule as Polars expressions over the whole
frame (one row per entity; no loop over entities) and returns :class:`Outcomes`: a ledger (one
row per rule and qualifying entity) and a trace for each row — the clause and its quote, every
input the formulas read, each intermediate amount, the caps that bit, and one Chinese sentence.

Money order (docs/packs.md): amount → tiers → rounding to the pack's unit → floor → cap (per
entity per year) → once (never paid twice) → groups (就高不重复: only the highest award of a
group per entity) → rule_cap (the rule's yearly total) → budgets with an ``amount`` in the order
declared (a funding line without one only totals). Totals that overflow are pro-rated by the
largest-remainder method, so the awards under a total sum to exactly that total (to the
rounding unit) and no award grows.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from gaoxin.engine.expr import ExprType, Formula, Namespace, check
from gaoxin.engine.money import FEN_PER_WAN, fen_decimal, fen_text, wan_to_fen
from gaoxin.engine.packs.loader import LoadedPack, pack_namespace
from gaoxin.engine.packs.schema import ACTION_ZH, Pack, Rule, Tiers
from gaoxin.engine.periods import Period
from gaoxin.engine.problems import Problem, ProblemsError

LEDGER_COLUMNS = (
    "rule",
    "entity",
    "period",
    "outcome",
    "amount_fen",
    "amount",
    "action",
    "paid_in",
    "capped_by",
    "article",
)


@dataclass(frozen=True)
class Outcomes:
    """``traces``: every column; ``ledger``: the columns a payment or action list needs;
    ``undetermined``: (rule, entity, missing) for rows whose condition or amount was unknown
    because an input was missing — neither paid nor refused."""

    traces: pl.DataFrame
    undetermined: pl.DataFrame

    @property
    def ledger(self) -> pl.DataFrame:
        return self.traces.select(LEDGER_COLUMNS)

    def trace(self, rule: str, entity: str) -> dict[str, Any]:
        rows = self.traces.filter((pl.col("rule") == rule) & (pl.col("entity") == entity))
        if rows.height != 1:
            raise KeyError((rule, entity))
        return rows.row(0, named=True)

    def total(self, rule: str | None = None) -> Decimal:
        t = self.traces if rule is None else self.traces.filter(pl.col("rule") == rule)
        return Decimal(int(t["amount_fen"].fill_null(0).sum())) / FEN_PER_WAN


def consecutive_failures(
    history: pl.DataFrame,
    grade_column: str = "grade",
    fail_value: Any = "不合格",
    *,
    entity: str = "entity",
    period: str = "period",
) -> pl.DataFrame:
    """For each (entity, period) of an evaluation history, how many evaluations in a row up to
    and including this one the entity failed (0 when it passed). ``consecutive(grade ==
    "不合格", 2)`` is then ``consecutive_failures >= 2``: join the result on (entity, period)
    into the frame before ``run_rules``. Evaluations count in the order of ``period``; a year
    with no evaluation neither breaks nor extends a run (连续2次评价, not 2 calendar years)."""
    fail = (pl.col(grade_column) == fail_value).fill_null(False)
    return (
        history.select(entity, period, grade_column)
        .sort(entity, period)
        .with_columns(_fail=fail)
        .with_columns(_run=(~pl.col("_fail")).cast(pl.Int64).cum_sum().over(entity))
        .with_columns(
            consecutive_failures=pl.col("_fail").cast(pl.Int64).cum_sum().over(entity, "_run")
        )
        .drop("_fail", "_run")
    )


# --- preparing a rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    when: Formula
    amount: Formula | None
    floor: Formula | None
    cap: Formula | None
    rule_cap: Formula | None
    reads: tuple[str, ...]  # frame columns read
    params: tuple[str, ...]  # parameters read


def parameter_values(
    pack: Pack, period: Period, given: Mapping[str, Any] | None
) -> dict[str, Decimal | None]:
    """Each parameter's value for ``period``. User values first; otherwise the value in force on the period's first day, or, for a
    parameter that only starts within the period, its first value (a pack effective from
    2021-07-27 is run for the year 2021 with the values it starts with)."""
    given = dict(given or {})
    out: dict[str, Decimal | None] = {}
    first, last = period.start_date(), period.end_date()
    for p in pack.parameters:
        v = given.pop(p.id, None)
        if v is not None:
            out[p.id] = Decimal(str(v))
            continue
        value = p.value_at(first)
        if value is None:
            value = next((x.value for x in p.values if first <= x.start <= last), None)
        out[p.id] = value
    if given:
        raise ProblemsError(
            Problem("rules.unknown_parameter", f"政策包中没有参数「{k}」", value=k) for k in given
        )
    return out


def _compile(rule: Rule, ns: Namespace, functions: Any, params: set[str]) -> _Compiled:
    def f(src: str | None, t: ExprType) -> Formula | None:
        return None if src is None else check(src, ns, functions=functions, expect=t)

    when = check(rule.when, ns, functions=functions, expect=ExprType.BOOL)
    m = rule.money
    fs = [when]
    amount = floor = cap = rule_cap = None
    if m is not None:
        amount = f(m.amount, ExprType.NUMBER)
        floor, cap, rule_cap = (f(x, ExprType.NUMBER) for x in (m.floor, m.cap, m.rule_cap))
        fs += [x for x in (amount, floor, cap, rule_cap) if x is not None]
    names: dict[str, None] = {}
    for x in fs:
        for n in x.names:
            names.setdefault(n, None)
    reads = tuple(n for n in names if n not in params)
    used = tuple(n for n in names if n in params)
    return _Compiled(rule, when, amount, floor, cap, rule_cap, reads, used)


def _overlaps(rule: Rule, pack: Pack, period: Period) -> bool:
    eff = rule.effective or pack.effective
    if eff is None:
        return True
    if eff.start is not None and period.end_date() < eff.start:
        return False
    return not (eff.end is not None and period.start_date() > eff.end)


# --- vectorised pieces ---------------------------------------------------------------------


def _tiers(base: pl.Expr, tiers: Tiers) -> pl.Expr:
    parts = []
    for b in tiers.brackets:
        lo = float(b.start)
        if tiers.mode == "marginal":
            width = base - lo if b.end is None else pl.min_horizontal(base, float(b.end)) - lo
            parts.append(pl.max_horizontal(width, 0.0) * float(b.rate or 0))
        else:
            inside = base >= lo if b.end is None else (base >= lo) & (base < float(b.end))
            parts.append(pl.when(inside).then(float(b.amount or 0)).otherwise(0.0))
    total = pl.sum_horizontal(parts)
    return pl.when(base.is_null()).then(None).otherwise(total)


def _value_text(col: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    if dtype == pl.Boolean:
        t = pl.when(c).then(pl.lit("是")).otherwise(pl.lit("否"))
    elif dtype.is_numeric():
        t = c.cast(pl.String).str.replace(r"\.0$", "")
    else:
        t = c.cast(pl.String)
    return t.fill_null("缺失")


def _template(
    text: str, labels: Mapping[str, str], values: Mapping[str, pl.Expr], where: str
) -> pl.Expr:
    parts: list[pl.Expr] = []
    for literal, field, spec, _conv in string.Formatter().parse(text):
        if literal:
            parts.append(pl.lit(literal))
        if field is None:
            continue
        if spec == "label":
            parts.append(pl.lit(labels.get(field, field)))
        elif field in values:
            parts.append(values[field])
        else:
            raise ProblemsError(
                [
                    Problem(
                        "rules.explain_field",
                        f"{where} 的 explain 中有未知占位符「{field}」",
                        value=field,
                    )
                ]
            )
    return pl.concat_str(parts) if parts else pl.lit("")


def _prorate(
    df: pl.DataFrame, group: list[str], limit_col: str, unit: int, label: str
) -> pl.DataFrame:
    """Cut awards in each group whose total exceeds its limit to shares of the limit, in whole
    rounding units, largest remainders first (ties by rule, then entity): the group then sums to
    the limit rounded down to the unit, and no award grows."""
    a = pl.col("amount_fen").cast(pl.Int128)
    total = a.sum().over(group)
    limit_units = (pl.col(limit_col) // unit).cast(pl.Int128)
    over = (pl.col("amount_fen").sum().over(group) > pl.col(limit_col)) & pl.col(
        limit_col
    ).is_not_null()
    df = df.with_columns(
        _num=a * limit_units,
        _total=total,
        _over=over,
    ).with_columns(
        _q=pl.when(pl.col("_total") > 0).then(pl.col("_num") // pl.col("_total")).otherwise(0),
        _rem=pl.when(pl.col("_total") > 0).then(pl.col("_num") % pl.col("_total")).otherwise(0),
    )
    df = df.with_columns(_left=limit_units - pl.col("_q").sum().over(group))
    df = df.sort(
        [*group, "_rem", "rule", "entity"], descending=[False] * len(group) + [True, False, False]
    )
    df = df.with_columns(_order=pl.int_range(pl.len()).over(group))
    new = ((pl.col("_q") + (pl.col("_order") < pl.col("_left")).cast(pl.Int128)) * unit).cast(
        pl.Int64
    )
    bit = pl.col("_over") & (new < pl.col("amount_fen"))
    return df.with_columns(
        amount_fen=pl.when(pl.col("_over")).then(new).otherwise(pl.col("amount_fen")),
        capped_by=pl.when(bit)
        .then(pl.concat_list([pl.col("capped_by"), pl.lit(label)]))
        .otherwise(pl.col("capped_by")),
    ).drop("_num", "_total", "_over", "_q", "_rem", "_left", "_order")


# --- the run -------------------------------------------------------------------------------


def run_rules(
    pack: LoadedPack | Pack,
    frame: pl.DataFrame,
    period: Period | str,
    *,
    paid_before: pl.DataFrame | None = None,
    parameters: Mapping[str, Any] | None = None,
    rules: Iterable[str] | None = None,
    entity: str = "entity",
    kind: str = "kind",
    period_column: str = "period",
) -> Outcomes:
    """Evaluate every rule of ``pack`` in force in ``period`` over ``frame``.

    ``frame``: one row per entity (rows of other periods are dropped when it has a
    ``period_column``); a ``kind`` column, when present, selects each rule's ``applies_to``.
    ``paid_before``: the ledger of earlier payments (columns ``rule``, ``entity``, optionally
    ``period``), for ``once: true`` rules. ``parameters``: values the user sets (and overrides),
    in the parameter's unit. Raises :class:`ProblemsError` when a rule in force needs a
    parameter that has no value.
    """
    loaded = pack if isinstance(pack, LoadedPack) else LoadedPack(pack, "")
    spec = loaded.spec
    per = period if isinstance(period, Period) else Period.parse(period)
    pvalues = parameter_values(spec, per, parameters)
    param_ids = set(pvalues)
    ns = pack_namespace(
        spec, loaded.extra_names, {k: v for k, v in pvalues.items() if v is not None}
    )
    labels = {n: (ns[n].label or n) for n in ns}
    if period_column in frame.columns:
        frame = frame.filter(pl.col(period_column).cast(pl.String) == str(per))
    unit = spec.rounding_fen
    mode = spec.rounding_mode

    wanted = set(rules) if rules is not None else None
    if wanted is not None and (unknown_ids := wanted - {r.id for r in spec.rules}):
        raise ProblemsError(
            Problem("rules.unknown_rule", f"政策包中没有规则「{r}」", value=r)
            for r in sorted(unknown_ids)
        )
    selected = [
        r for r in spec.rules if _overlaps(r, spec, per) and (wanted is None or r.id in wanted)
    ]
    compiled = [_compile(r, ns, loaded.functions, param_ids) for r in selected]
    missing = [
        Problem(
            "rules.parameter_unset",
            f"规则「{c.rule.id}」（{c.rule.cite.article}）需要参数「{p}」（{labels[p]}），但政策原文未规定、"
            f"{per}也没有生效的取值；请在运行时设定，例如 parameters={{'{p}': …}}",
            value=p,
        )
        for c in compiled
        for p in c.params
        if pvalues[p] is None
    ]
    if missing:
        raise ProblemsError(missing)

    paid = _paid_keys(paid_before)
    pieces: list[pl.DataFrame] = []
    unknown: list[pl.DataFrame] = []
    for c in compiled:
        rows = frame
        if kind in frame.columns:
            rows = rows.filter(pl.col(kind) == c.rule.applies_to)
            if rows.is_empty():
                continue  # no entity of this kind in the frame: nothing to read
        absent = [n for n in c.reads if n not in rows.columns]
        if absent:
            raise ProblemsError(
                [
                    Problem(
                        "rules.column_missing",
                        f"规则「{c.rule.id}」要读取的数据列「{n}」（{labels.get(n, n)}）不在数据中",
                        value=n,
                    )
                    for n in absent
                ]
            )
        piece, unk = _evaluate(c, rows, spec, per, entity, labels, pvalues, paid, unit, mode)
        pieces.append(piece)
        unknown.append(unk)

    out = pl.concat([_empty(), *pieces], how="diagonal_relaxed")
    out = _apply_totals(out, compiled, spec, unit, ns)
    suffix = (
        pl.when(pl.col("outcome") == "money")
        .then(pl.concat_str([pl.lit("，核定 "), fen_text(pl.col("amount_fen")), pl.lit(" 万元。")]))
        .otherwise(pl.concat_str([pl.lit("，"), pl.col("action_zh").fill_null(""), pl.lit("。")]))
    )
    out = out.with_columns(
        amount=fen_decimal(pl.col("amount_fen")),
        text=pl.concat_str([pl.col("_body"), suffix]),
    ).drop("_body")
    und = pl.concat(unknown, how="diagonal_relaxed") if unknown else pl.DataFrame()
    return Outcomes(out.sort("rule", "entity", maintain_order=True), und)


def _paid_keys(paid_before: pl.DataFrame | None) -> pl.DataFrame | None:
    if paid_before is None:
        return None
    cols = ["rule", "entity"] + (["period"] if "period" in paid_before.columns else [])
    p = paid_before.select(cols).with_columns(pl.col("entity").cast(pl.String))
    if "period" not in p.columns:
        p = p.with_columns(period=pl.lit(None, dtype=pl.String))
    return p.group_by("rule", "entity").agg(paid_period=pl.col("period").cast(pl.String).min())


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "rule": pl.String,
            "entity": pl.String,
            "period": pl.String,
            "outcome": pl.String,
            "amount_fen": pl.Int64,
            "action": pl.String,
            "action_zh": pl.String,
            "paid_in": pl.Int32,
            "capped_by": pl.List(pl.String),
            "article": pl.String,
            "superseded_by": pl.String,
            "_body": pl.String,
        }
    )


def _evaluate(
    c: _Compiled,
    rows: pl.DataFrame,
    spec: Pack,
    per: Period,
    entity: str,
    labels: Mapping[str, str],
    pvalues: Mapping[str, Decimal | None],
    paid: pl.DataFrame | None,
    unit: int,
    mode: Any,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    rule, m = c.rule, c.rule.money
    base = rows.select(
        pl.col(entity).cast(pl.String).alias("entity"),
        *[pl.col(n) for n in c.reads],
        *[pl.lit(float(pvalues[p])).alias(p) for p in c.params],  # type: ignore[arg-type]
        _when=c.when.to_polars(),
        **({"raw": c.amount.to_polars()} if c.amount is not None else {}),
    )
    inputs_json = (
        pl.struct([*c.reads, *c.params]).struct.json_encode()
        if (c.reads or c.params)
        else pl.lit("{}")
    )
    unknown_cond = pl.col("_when").is_null()
    if m is not None:
        unknown_cond = unknown_cond | (pl.col("_when") & pl.col("raw").is_null())

    def nulls(names: Iterable[str]) -> pl.Expr:
        names = list(names)
        if not names:
            return pl.lit([], dtype=pl.List(pl.String))
        return pl.concat_list(
            [pl.when(pl.col(n).is_null()).then(pl.lit(n)) for n in names]
        ).list.drop_nulls()

    # A condition that is unknown lists the inputs of the condition that are missing; a known
    # condition with an unknown amount lists every missing input of the money formulas.
    when_reads = [n for n in c.when.names if n in c.reads]
    undetermined = base.filter(unknown_cond).select(
        pl.lit(rule.id).alias("rule"),
        "entity",
        reason=pl.when(pl.col("_when").is_null())
        .then(pl.lit("condition"))
        .otherwise(pl.lit("amount")),
        missing=pl.when(pl.col("_when").is_null())
        .then(nulls(when_reads))
        .otherwise(nulls(c.reads)),
    )
    df = base.filter(pl.col("_when").fill_null(False) & ~unknown_cond)

    values = {n: _value_text(n, df.schema[n]) for n in (*c.reads, *c.params)}
    head = pl.lit(f"依据《{spec.title}》{rule.cite.article}：")
    common = dict(
        rule=pl.lit(rule.id),
        period=pl.lit(str(per)),
        article=pl.lit(rule.cite.article),
        quote=pl.lit(rule.cite.quote),
        interpretation=pl.lit(rule.interpretation, dtype=pl.String),
        inputs=inputs_json,
        paid_in=pl.lit(
            per.year + (1 if m is not None and m.paid == "next_year" else 0), dtype=pl.Int32
        ),
    )
    if m is None:
        body = (
            _template(rule.explain, labels, values, rule.id)
            if rule.explain
            else _default_condition(c, labels, values)
        )
        df = df.with_columns(
            **common,
            outcome=pl.lit("action"),
            action=pl.lit(rule.action),
            action_zh=pl.lit(ACTION_ZH[rule.action or ""]),
            capped_by=pl.lit([], dtype=pl.List(pl.String)),
            _body=pl.concat_str([head, body]),
        )
        return df.drop("_when", *c.reads, *c.params, strict=False), undetermined

    # money: amount → tiers → rounding → floor → cap → once
    tiered = _tiers(pl.col("raw"), m.tiers) if m.tiers is not None else pl.col("raw")
    df = df.with_columns(
        tiered_fen=wan_to_fen(tiered, unit, mode),
        floor_fen=wan_to_fen(c.floor.to_polars())
        if c.floor is not None
        else pl.lit(None, dtype=pl.Int64),
        cap_fen=wan_to_fen(c.cap.to_polars())
        if c.cap is not None
        else pl.lit(None, dtype=pl.Int64),
        rule_cap_fen=wan_to_fen(c.rule_cap.to_polars())
        if c.rule_cap is not None
        else pl.lit(None, dtype=pl.Int64),
    )
    floored = pl.max_horizontal("tiered_fen", pl.col("floor_fen").fill_null(pl.col("tiered_fen")))
    df = df.with_columns(floored_fen=floored)
    capped = pl.min_horizontal("floored_fen", pl.col("cap_fen").fill_null(pl.col("floored_fen")))
    df = df.with_columns(capped_fen=capped)
    floor_bit = pl.col("floor_fen").is_not_null() & (pl.col("tiered_fen") < pl.col("floor_fen"))
    cap_bit = pl.col("cap_fen").is_not_null() & (pl.col("floored_fen") > pl.col("cap_fen"))
    df = df.with_columns(
        capped_by=pl.concat_list([pl.when(cap_bit).then(pl.lit("cap"))]).list.drop_nulls(),
        _floor_bit=floor_bit,
        _cap_bit=cap_bit,
    )
    if m.once and paid is not None:
        mine = paid.filter(pl.col("rule") == rule.id).drop("rule").with_columns(_hit=pl.lit(True))
        df = df.join(mine, on="entity", how="left")
        df = df.with_columns(_paid=pl.col("_hit").fill_null(False)).drop("_hit")
    else:
        df = df.with_columns(_paid=pl.lit(False), paid_period=pl.lit(None, dtype=pl.String))
    df = df.with_columns(
        amount_fen=pl.when(pl.col("_paid")).then(0).otherwise(pl.col("capped_fen")).cast(pl.Int64),
        capped_by=pl.when(pl.col("_paid"))
        .then(pl.concat_list([pl.col("capped_by"), pl.lit("once")]))
        .otherwise(pl.col("capped_by")),
    )

    steps = {
        **values,
        "raw": pl.col("raw").round(6).cast(pl.String).str.replace(r"\.0$", ""),
        "tiered": fen_text(pl.col("tiered_fen")),
        "floor": fen_text(pl.col("floor_fen")),
        "cap": fen_text(pl.col("cap_fen")),
    }
    if rule.explain:
        body = _template(rule.explain, labels, steps, rule.id)
    else:
        amount_desc = c.amount.describe().text if c.amount is not None else ""
        body = pl.concat_str(
            [
                _default_condition(c, labels, values),
                pl.lit(f"，按{amount_desc}计 "),
                steps["raw"],
                pl.lit(" 万元"),
            ]
        )
        if m.tiers is not None:
            body = pl.concat_str([body, pl.lit("，按阶梯计 "), steps["tiered"], pl.lit(" 万元")])
    if c.floor is not None:
        body = pl.concat_str(
            [
                body,
                pl.when(pl.col("_floor_bit"))
                .then(
                    pl.concat_str(
                        [pl.lit("，低于下限 "), steps["floor"], pl.lit(" 万元，按下限计")]
                    )
                )
                .otherwise(
                    pl.concat_str([pl.lit("，不低于下限 "), steps["floor"], pl.lit(" 万元")])
                ),
            ]
        )
    if c.cap is not None:
        body = pl.concat_str(
            [
                body,
                pl.when(pl.col("_cap_bit"))
                .then(
                    pl.concat_str(
                        [pl.lit(f"，超过{m.cap_label} "), steps["cap"], pl.lit(" 万元，按上限计")]
                    )
                )
                .otherwise(
                    pl.concat_str(
                        [pl.lit(f"，未超过{m.cap_label} "), steps["cap"], pl.lit(" 万元")]
                    )
                ),
            ]
        )
    once_text = pl.concat_str(
        [
            pl.lit("；该主体已于"),
            pl.col("paid_period").fill_null("以前年度"),
            pl.lit("获得本项一次性奖励，不再重复发放"),
        ]
    )
    body = pl.concat_str(
        [head, body, pl.when(pl.col("_paid")).then(once_text).otherwise(pl.lit(""))]
    )
    df = df.with_columns(
        **common,
        outcome=pl.lit("money"),
        action=pl.lit(None, dtype=pl.String),
        action_zh=pl.lit(None, dtype=pl.String),
        _body=body,
    )
    return df.drop(
        "_when", "_floor_bit", "_cap_bit", "_paid", *c.reads, *c.params, strict=False
    ), undetermined


def _default_condition(
    c: _Compiled, labels: Mapping[str, str], values: Mapping[str, pl.Expr]
) -> pl.Expr:
    cond = c.when.describe().text
    shown = [n for n in (*c.reads, *c.params) if n in values]
    if not shown:
        return pl.lit(cond)
    parts: list[pl.Expr] = [pl.lit(f"{cond}（")]
    for i, n in enumerate(shown):
        parts += [pl.lit(("" if i == 0 else "，") + f"{labels.get(n, n)} "), values[n]]
    parts.append(pl.lit("）"))
    return pl.concat_str(parts)


def _apply_totals(
    out: pl.DataFrame, compiled: list[_Compiled], spec: Pack, unit: int, ns: Namespace
) -> pl.DataFrame:
    if out.is_empty():
        return out
    money = pl.col("outcome") == "money"
    out = _apply_groups(out, spec)
    # the rule's yearly total
    if "rule_cap_fen" in out.columns and out["rule_cap_fen"].is_not_null().any():
        lim = out.with_columns(_lim=pl.col("rule_cap_fen").max().over("rule"))
        m, rest = lim.filter(money), lim.filter(~money)
        m = _prorate(m, ["rule"], "_lim", unit, "rule_cap")
        out = pl.concat([m, rest], how="diagonal_relaxed").drop("_lim")
        out = out.with_columns(pl.col("amount_fen").alias("after_rule_cap_fen"))
        out = _note(out, "rule_cap", "本条款年度总额 ", pl.col("rule_cap_fen"))
    # budgets, in the order declared
    if spec.budgets:
        for b in spec.budgets:
            if b.amount is None:  # a funding line without a sum: totalled, never pro-rated
                continue
            limit_fen = _constant(b.amount, ns)
            members = (
                b.rules if b.rules is not None else [c.rule.id for c in compiled if c.rule.money]
            )
            inside = money & pl.col("rule").is_in(members)
            m, rest = out.filter(inside), out.filter(~inside)
            if m.is_empty():
                continue
            group = ["_b"] if b.per == "year" else ["_b", "entity"]
            m = m.with_columns(_b=pl.lit(b.id), _lim=pl.lit(limit_fen, dtype=pl.Int64))
            m = _prorate(m, group, "_lim", unit, f"budget:{b.id}").drop("_b", "_lim")
            out = pl.concat([m, rest], how="diagonal_relaxed")
            out = out.with_columns(pl.col("amount_fen").alias(f"after_{b.id}_fen"))
            out = _note(out, f"budget:{b.id}", f"{b.label}总额 ", pl.lit(limit_fen, dtype=pl.Int64))
    return out


def _apply_groups(out: pl.DataFrame, spec: Pack) -> pl.DataFrame:
    """就高不重复: within each group, per entity, the highest award (after its own floor, cap and
    once) is paid; the others become 0 with ``superseded_by`` naming the rule paid. A tie goes
    to the rule listed first in the group. Totals (rule_cap, budgets) come after, so a
    superseded award takes no share of them."""
    titles = {r.id: r.title or r.id for r in spec.rules}
    for g in spec.groups:
        order = {r: i for i, r in enumerate(g.rules)}
        inside = (pl.col("outcome") == "money") & pl.col("rule").is_in(g.rules)
        m, rest = out.filter(inside), out.filter(~inside)
        if m.is_empty():
            continue
        m = m.with_columns(_order=pl.col("rule").replace_strict(order, return_dtype=pl.Int32))
        m = m.sort(["entity", "amount_fen", "_order"], descending=[False, True, False])
        winner = pl.col("rule").first().over("entity")
        lost = pl.col("rule") != winner
        m = m.with_columns(_winner=winner).with_columns(
            superseded_by=pl.when(lost).then(pl.col("_winner")),
            amount_fen=pl.when(lost).then(0).otherwise(pl.col("amount_fen")).cast(pl.Int64),
            capped_by=pl.when(lost)
            .then(pl.concat_list([pl.col("capped_by"), pl.lit(f"group:{g.id}")]))
            .otherwise(pl.col("capped_by")),
            _body=pl.when(lost)
            .then(
                pl.concat_str(
                    [
                        pl.col("_body"),
                        pl.lit(f"；{g.label}就高不重复，本期已按「"),
                        pl.col("_winner").replace_strict(titles, return_dtype=pl.String),
                        pl.lit("」核定，本项不再发放"),
                    ]
                )
            )
            .otherwise(pl.col("_body")),
        )
        out = pl.concat([m.drop("_order", "_winner"), rest], how="diagonal_relaxed")
    return out


def _note(out: pl.DataFrame, label: str, what: str, limit: pl.Expr) -> pl.DataFrame:
    bit = pl.col("capped_by").list.contains(label)
    return out.with_columns(
        _body=pl.when(bit)
        .then(
            pl.concat_str(
                [
                    pl.col("_body"),
                    pl.lit(f"；{what}"),
                    fen_text(limit),
                    pl.lit(" 万元不足，按比例核减"),
                ]
            )
        )
        .otherwise(pl.col("_body"))
    )


def _constant(source: str, ns: Namespace) -> int:
    """A budget amount (numbers and parameters only) in 分."""
    f = check(source, ns, expect=ExprType.NUMBER)
    return int(pl.DataFrame({"_": [0]}).select(wan_to_fen(f.to_polars())).item())
