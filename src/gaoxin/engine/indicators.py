"""Indicators: named formulas over the fact frame, computed for entities and periods, with lineage.

An indicator is data (``packs/catalogue/indicators.yaml``): a code, names, unit, the level it is
computed at (enterprise, institution, zone, city, province), a formula in the expression language
and the article or note it comes from. :func:`compute` evaluates a set of them on a
:class:`~gaoxin.engine.facts.FactFrame` in dependency order (an indicator may use another) and
returns a tidy frame ``(entity, kind, period, indicator, value, missing)``;
``Result.lineage(entity, period, indicator)`` explains one cell down to the observations.

Missing values (the null rule):

- a cell whose formula reads a missing value directly is missing (arithmetic, comparisons and
  scalar functions propagate nulls; ``coalesce`` is the explicit default);
- aggregates over children leave out children whose value is missing and are missing only when
  every selected child is (see ``gaoxin.engine.expr.hierarchy``);
- period functions are missing when the earlier period's row or value is;
- every cell reports ``missing``: how many of the inputs it read were missing (a child with a
  missing input counts once; an absent earlier period counts once). A value with ``missing > 0``
  was computed from incomplete data; it was never filled with zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field

from gaoxin.engine.expr import ENGINE_FUNCTIONS, MISSING_RULES, ExprError, Formula, check
from gaoxin.engine.expr.builtins import full_length
from gaoxin.engine.expr.checker import Checked
from gaoxin.engine.expr.compiler import Compiler
from gaoxin.engine.expr.functions import CallArgs, CompileContext
from gaoxin.engine.expr.hierarchy import (
    EMPTY,
    child_level,
    group_keys,
    grouped,
    grouped_selected,
    selected,
    top_share_frame,
    top_share_ratio,
    top_share_total,
)
from gaoxin.engine.expr.namespace import ExprType, NameInfo, Namespace
from gaoxin.engine.expr.periodic import lag, per_year
from gaoxin.engine.expr.ranking import change_periods, rank_expr
from gaoxin.engine.expr.syntax import Binary, BoolOp, Call, Compare, Name, Node, Unary, walk
from gaoxin.engine.expr.syntax import Literal as Lit
from gaoxin.engine.facts import (
    HIERARCHY_COLUMNS,
    PARENTS,
    FactFrame,
    cert_column,
    latest,
    source_column,
    variable_names,
)
from gaoxin.engine.periods import Period
from gaoxin.engine.variables import Catalogue

Level = Literal["enterprise", "institution", "zone", "city", "province"]
PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}
#: How many indicators of a dependency wave are computed in one ``with_columns``.
WAVE_BATCH = 8
#: How many children a lineage lists before it only counts them.
LINEAGE_CAP = 20
_MISSING = "__missing__"
#: The null runs of the columns padded during one :func:`compute` (:func:`_spread`), by length
#: and type: the same few lengths (a level's rows before and after its block) come back for
#: every column of a level, and a Polars column holds a shared run without copying it.
_NULLS: ContextVar[dict[tuple[int, str], pl.Series] | None] = ContextVar("_NULLS", default=None)


class IndicatorError(ValueError):
    """An indicator catalogue that cannot be computed: a formula error, an unknown reference, a
    cycle. ``code`` names the indicator; the message is in Chinese."""

    def __init__(self, message: str, code: str | None = None, cause: ExprError | None = None):
        super().__init__(message)
        self.code = code
        self.cause = cause


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    zh: str
    en: str
    unit: str
    level: Level
    formula: str
    source: str
    confidence: Literal["A", "B", "C"] | None = None
    cumulative: bool = False
    additive: bool = False
    key: bool = False
    note: str | None = None


def load_indicators(path: Path | str | None = None) -> list[Indicator]:
    if path is None:
        text = (
            resources.files("gaoxin.packs").joinpath("catalogue/indicators.yaml").read_text("utf-8")
        )
    else:
        text = Path(path).read_text("utf-8")
    rows = [Indicator.model_validate(r) for r in yaml.safe_load(text)["indicators"]]
    seen: set[str] = set()
    for r in rows:
        if r.code in seen:
            raise IndicatorError(f"指标代码「{r.code}」重复", r.code)
        seen.add(r.code)
    return rows


@cache
def default_indicators() -> tuple[Indicator, ...]:
    return tuple(load_indicators())


def indicator_names(indicators: Iterable[Indicator]) -> dict[str, NameInfo]:
    return {i.code: NameInfo(ExprType.NUMBER, "indicator", i.level, i.zh, None) for i in indicators}


def namespace_for(facts: FactFrame, indicators: Iterable[Indicator]) -> Namespace:
    return facts.namespace(indicator_names(indicators))


def check_indicators(indicators: Sequence[Indicator], namespace: Namespace) -> dict[str, Formula]:
    """Check every formula against the namespace; raise :class:`IndicatorError` naming the
    indicator and the position of the first mistake."""
    out: dict[str, Formula] = {}
    for ind in indicators:
        if ind.code in namespace and namespace[ind.code].kind != "indicator":
            raise IndicatorError(f"指标代码「{ind.code}」与变量同名", ind.code)
        try:
            f = check(ind.formula, namespace, functions=ENGINE_FUNCTIONS, level=ind.level)
        except ExprError as err:
            raise IndicatorError(
                f"指标「{ind.code}」（{ind.zh}）的公式有误：{err}", ind.code, err
            ) from err
        if f.type == ExprType.STRING:
            raise IndicatorError(
                f"指标「{ind.code}」（{ind.zh}）的公式结果是文本，应为数值", ind.code
            )
        out[ind.code] = f
    return out


def dependency_order(
    indicators: Sequence[Indicator], formulas: Mapping[str, Formula]
) -> list[list[str]]:
    """Waves of indicator codes: each wave uses only indicators of earlier waves."""
    codes = {i.code for i in indicators}
    deps = {c: {n for n in formulas[c].names if n in codes} for c in codes}
    order = [i.code for i in indicators]
    done: set[str] = set()
    waves: list[list[str]] = []
    while len(done) < len(codes):
        wave = [c for c in order if c not in done and deps[c] <= done]
        if not wave:
            raise IndicatorError(f"指标循环引用：{_cycle(deps, done)}", None)
        waves.append(wave)
        done.update(wave)
    return waves


def _cycle(deps: Mapping[str, set[str]], done: set[str]) -> str:
    start = min(c for c in deps if c not in done)
    path = [start]
    cur = start
    while True:
        cur = min(d for d in deps[cur] if d not in done)
        if cur in path:
            path = path[path.index(cur) :] + [cur]
            return " → ".join(path)
        path.append(cur)


# ---------------------------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------------------------
def _context(
    facts: FactFrame, ns: Namespace, level: str, ptype: str, cumulative: frozenset[str]
) -> CompileContext:
    return CompileContext(
        namespace=ns,
        level=level,
        period_column="period",
        entity_column="entity",
        hierarchy_columns=HIERARCHY_COLUMNS,
        options={
            "kind_column": "kind",
            "seq_column": "seq",
            "year_column": "year",
            "sub_column": "sub",
            "per_year": PER_YEAR[ptype],
            "cumulative": cumulative,
        },
    )


@dataclass
class Result:
    """Computed indicators: ``frame`` is tidy (entity, kind, period, indicator, value, missing)."""

    frame: pl.DataFrame
    facts: FactFrame
    indicators: Mapping[str, Indicator]
    formulas: Mapping[str, Formula]
    computed: Mapping[str, pl.DataFrame] = field(repr=False, default_factory=dict)
    namespace: Namespace = field(default_factory=Namespace)
    plans: Mapping[str, Mapping[int, str]] = field(repr=False, default_factory=dict)
    #: per period type computed, the indicators null on every row because a variable they read
    #: is absent from that type's frame, each with those variables (:func:`null_by_absence`)
    null_by_absence: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def input_hash(self) -> str:
        return self.facts.input_hash

    def value(self, entity: str, period: str, indicator: str) -> float | None:
        row = self.frame.filter(
            (pl.col("entity") == entity)
            & (pl.col("period") == period)
            & (pl.col("indicator") == indicator)
        )
        return None if row.height == 0 else row["value"][0]

    def wide(self) -> pl.DataFrame:
        """One row per entity and period, one column per indicator."""
        return self.frame.pivot(on="indicator", index=["entity", "kind", "period"], values="value")

    def lineage(
        self, entity: str, period: str, indicator: str, *, cap: int = LINEAGE_CAP
    ) -> dict[str, Any]:
        return _Lineage(self, cap).cell(entity, period, indicator, depth=0)


def compute(
    indicators: Sequence[Indicator] | None,
    facts: FactFrame,
    periods: Sequence[str] | str,
    *,
    keep_frames: bool = True,
    absent_cells: bool = True,
) -> Result:
    """Compute ``indicators`` (default: the shipped catalogue) for ``periods`` on ``facts``.

    ``absent_cells=False``: an indicator null on every row of a period type because a variable
    it reads is absent from that type's frame (:func:`null_by_absence`) has no cells of that
    type in the result (``Result.null_by_absence`` names it either way; decision 072)."""
    token = _NULLS.set({})
    try:
        return _compute(indicators, facts, periods, keep_frames, absent_cells)
    finally:
        _NULLS.reset(token)


def _compute(
    indicators: Sequence[Indicator] | None,
    facts: FactFrame,
    periods: Sequence[str] | str,
    keep_frames: bool,
    absent_cells: bool,
) -> Result:
    inds = list(indicators if indicators is not None else default_indicators())
    if isinstance(periods, str):
        periods = [periods]
    ns = namespace_for(facts, inds)
    formulas = check_indicators(inds, ns)
    waves = dependency_order(inds, formulas)
    by_code = {i.code: i for i in inds}
    cumulative = facts.cumulative | {i.code for i in inds if i.cumulative}
    by_type: dict[str, list[str]] = defaultdict(list)
    for p in periods:
        by_type[Period.parse(p).kind].append(p)
    parts: dict[str, list[pl.DataFrame]] = defaultdict(list)
    computed: dict[str, pl.DataFrame] = {}
    plans: dict[str, dict[int, str]] = {}
    null_by_type: dict[str, dict[str, tuple[str, ...]]] = {}
    for ptype, plist in by_type.items():
        per = PER_YEAR[ptype]
        frame = facts.wide(ptype)
        if not keep_frames:  # the variables no formula reads are not carried through the steps
            frame = frame.select(_columns_read(frame, formulas, ns, facts))
        frame = _rows_needed(frame, plist, formulas, per)
        blocks = _blocks(frame)
        frame, absent_columns = _prepare(frame, formulas, ns, blocks)
        absent = _Absent(absent_columns, ns)
        orders: dict[str, pl.Series] = {}  # each level's cells in the result's order (_tidy)
        group_codes: dict[tuple[str, ...], pl.Series] = {}  # the batches' keys (_Pending.code)
        group_orders: dict[tuple[str, ...], pl.Series] = {}  # their children's order
        # Without lineage, a computed column is kept only while a later formula reads it.
        read_later = {n for f in formulas.values() for n in f.names}
        for whole_wave in waves:
            # A few indicators at a time: Polars runs a with_columns' expressions in parallel, each
            # with its own window buffers, so a wave of sixty at once multiplies the peak memory.
            for start in range(0, len(whole_wave), WAVE_BATCH):
                wave = whole_wave[start : start + WAVE_BATCH]
                cols: dict[str, list[pl.Expr]] = defaultdict(list)
                nulls: list[str] = []  # the indicators null on every row (_Absent)
                left_out: set[str] = set()  # and their cells not wanted (absent_cells)
                pending = _Pending(blocks, group_codes, absent, group_orders)
                for code in wave:
                    ind = by_code[code]
                    ctx = _context(facts, ns, ind.level, ptype, cumulative)
                    f = formulas[code]
                    columns: dict[int, str] = {}
                    missing_columns: dict[int, str] = {}
                    why = absent.why(f.tree, f.checked)
                    if why is not None:
                        absent.indicators[code] = why
                        if not absent_cells:
                            left_out.add(code)
                            if code not in read_later:
                                # no cell and no formula reads it: nothing of it is computed
                                plans[code] = columns
                                continue
                    # Aggregates and windows nested in windows are computed first: aggregates by
                    # a group-by over the children (a batch's together), nested windows over the
                    # whole frame (Polars evaluates an inner .over() inside the outer window's
                    # partition).
                    for i, (node, stage) in enumerate(_stages(f)):
                        at = ctx.at_level(f.checked.levels.get(node, ind.level))
                        name = f"__t__{code}__{i}"
                        if pending.reads(node):
                            frame = pending.flush(frame)
                        if stage == "aggregate":
                            assert isinstance(node, Call)
                            pending.add(node, f.checked, at, columns, missing_columns, name)
                            continue
                        if stage == "rank":
                            # rank_change = previous rank − rank: the rank is a column first.
                            assert isinstance(node, Call)
                            b = f.checked.bindings[node]
                            comp = _Compiler(f.checked, columns)
                            args = CallArgs(
                                b.spec, node, b.nodes, b.rest, at, comp.compile, comp.type
                            )
                            frame = frame.with_columns(rank_expr(args, at).alias(name))
                            columns[(id(node), "rank")] = name  # type: ignore[index]
                            continue
                        value = _Compiler(f.checked, columns).compile(node, at)
                        miss = _Missing(f.checked, ctx, columns, missing_columns).expr(node, at)
                        frame = frame.with_columns(value.alias(name), miss.alias(_MISSING + name))
                        columns[id(node)] = name
                        missing_columns[id(node)] = _MISSING + name
                    plans[code] = columns
                    missing = _Missing(f.checked, ctx, columns, missing_columns).expr(f.tree)
                    missing = missing.cast(pl.Int32).alias(_MISSING + code)
                    if why is not None:
                        # Null on every row whatever the data: not evaluated row by row (its
                        # missing count still is, from the inputs that are there).
                        nulls.append(code)
                        cols[ind.level].append(missing)
                        continue
                    value = _Compiler(f.checked, columns).compile(f.tree, ctx)
                    value = full_length(value, f.type).cast(pl.Float64)
                    cols[ind.level] += [value.alias(code), missing]
                frame = pending.flush(frame)
                frame = frame.with_columns(
                    *[
                        s
                        for level, exprs in cols.items()
                        for s in _on_level(frame, blocks, level, exprs)
                    ],
                    *[_nulls(frame.height, pl.Float64).alias(c) for c in nulls],
                )
                frame = _broadcast_upward(frame, wave, by_code, formulas)
                tidied = [c for c in wave if c not in left_out]
                for code, cells in _tidy(frame, blocks, plist, tidied, by_code, orders).items():
                    parts[code].append(cells)
                if not keep_frames:
                    temp = [c for c in frame.columns if c.startswith(("__t__", _MISSING + "__t__"))]
                    done = [c for c in wave if c not in read_later and c in frame.columns]
                    frame = frame.drop(*temp, *done, *[_MISSING + c for c in done])
        if keep_frames:
            computed[ptype] = frame
        null_by_type[ptype] = {c: tuple(sorted(w)) for c, w in sorted(absent.indicators.items())}
    schema = {
        "entity": pl.String,
        "kind": pl.String,
        "period": pl.String,
        "indicator": pl.String,
        "value": pl.Float64,
        "missing": pl.Int32,
    }
    # Each code's cells are in (period, entity) order; with one period type, putting the codes in
    # order is the whole sort (periods of different types interleave as text: sort those).
    pieces = [p for code in sorted(parts) for p in parts[code]]
    out = pl.concat(pieces) if pieces else pl.DataFrame(schema=schema)
    out = out.with_columns(pl.col("missing").fill_null(0).cast(pl.Int32))
    if len(by_type) > 1:
        out = out.sort("indicator", "period", "entity")
    return Result(out, facts, by_code, formulas, computed, ns, plans, null_by_type)


def _tidy(
    frame: pl.DataFrame,
    blocks: Mapping[str, tuple[int, int] | None],
    periods: Sequence[str],
    wave: list[str],
    by_code: Mapping[str, Indicator],
    orders: dict[str, pl.Series],
) -> dict[str, pl.DataFrame]:
    """Each indicator's cells in ``periods``, ordered by period then entity (the order of the
    result). ``orders``: each level's row numbers in that order, found once per frame (its rows
    never change between waves, only its columns)."""
    out = {}
    for level in dict.fromkeys(by_code[c].level for c in wave):
        codes = [c for c in wave if by_code[c].level == level]
        rows = _level_rows(frame, blocks, level)
        if level not in orders:
            orders[level] = _cell_order(rows, periods)
        rows = rows.select(
            "entity", "kind", "period", "seq", *codes, *[_MISSING + c for c in codes]
        )[orders[level]]
        for c in codes:
            out[c] = rows.select(
                "entity",
                "kind",
                "period",
                pl.lit(c, pl.String).alias("indicator"),
                pl.col(c).alias("value"),
                pl.col(_MISSING + c).alias("missing"),
            )
    return out


def _cell_order(rows: pl.DataFrame, periods: Sequence[str]) -> pl.Series:
    """The numbers of ``rows`` in ``periods``, in the order of (period, entity)."""
    rows = rows.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), "entity", "seq", "period"
    ).filter(pl.col("period").is_in(periods))
    # The fact frame is sorted by entity then period within a kind: a stable sort by period
    # alone gives (period, entity), far cheaper than sorting the cells by text keys.
    in_entity_order = rows.select((pl.col("entity").shift(1) <= pl.col("entity")).all()).item()
    if in_entity_order:
        return rows.sort("seq", maintain_order=True)["row"]
    return rows.sort("seq", "entity")["row"]


def _blocks(frame: pl.DataFrame) -> dict[str, tuple[int, int] | None]:
    """Each kind's rows as (first row, number of rows) when they are one block (the fact frame is
    sorted by kind), else None."""
    runs = frame.select(pl.col("kind").rle()).unnest("kind")
    at = runs["len"].cum_sum() - runs["len"]
    spans = (
        runs.with_columns(first=at, last=at + runs["len"] - 1)
        .group_by("value")
        .agg(pl.col("first").min(), pl.col("last").max(), n=pl.col("len").sum())
        .select(pl.col("value").cast(pl.String).alias("kind"), "first", "last", "n")
    )
    return {
        k: (first, n) if last - first + 1 == n else None for k, first, last, n in spans.iter_rows()
    }


def _level_rows(
    frame: pl.DataFrame, blocks: Mapping[str, tuple[int, int] | None], level: str
) -> pl.DataFrame:
    """The rows of ``level`` (a slice when they are one block)."""
    span = blocks.get(level, (0, 0))
    if span is None:
        return frame.filter(pl.col("kind") == level)
    return frame.slice(*span)


def _on_level(
    frame: pl.DataFrame,
    blocks: Mapping[str, tuple[int, int] | None],
    level: str,
    exprs: Sequence[pl.Expr],
) -> list[pl.Series]:
    """``exprs`` evaluated on ``level``'s rows, null on the others. A level's rows are one block
    of the sorted frame: the expressions run on that slice alone (a zone's formula need not run
    on every enterprise's row) and are padded with nulls."""
    span = blocks.get(level, (0, 0))
    if span is None:
        on_level = pl.col("kind") == level
        # not .name.keep(): that is the expression's first input column, not its alias
        return frame.select(
            pl.when(on_level).then(e).alias(e.meta.output_name()) for e in exprs
        ).get_columns()
    first, n = span
    names = [e.meta.output_name() for e in exprs]
    part = frame.slice(first, n).with_columns(exprs).select(names)
    return [_padded(s, first, frame.height) for s in part.get_columns()]


def _padded(values: pl.Series, first: int, height: int) -> pl.Series:
    """``values`` at rows ``first``… of a column of ``height`` rows, null elsewhere."""
    return _spread([(first, values)], height, values.dtype).alias(values.name)


def _spread(parts: Sequence[tuple[int, pl.Series]], height: int, dtype: Any) -> pl.Series:
    """A column of ``height`` rows: each part's values from its first row on (the parts in
    order, not overlapping), null elsewhere."""
    if len(parts) == 1 and parts[0][0] == 0 and parts[0][1].len() == height:
        return parts[0][1]
    pieces, at = [], 0
    for first, values in parts:
        if first > at:
            pieces.append(_nulls(first - at, dtype))
        pieces.append(values.cast(dtype))
        at = first + values.len()
    if height > at:
        pieces.append(_nulls(height - at, dtype))
    if not pieces:
        return pl.Series(dtype=dtype)
    return pl.concat(pieces, rechunk=False)


def _nulls(n: int, dtype: Any) -> pl.Series:
    """``n`` nulls of ``dtype``: one run shared by every column of the :func:`compute` call."""
    made = _NULLS.get()
    key = (n, str(dtype))
    if made is not None and key in made:
        return made[key]
    nulls = pl.repeat(None, n, dtype=dtype, eager=True)
    if made is not None:
        made[key] = nulls
    return nulls


def columns_read(
    indicators: Sequence[Indicator], catalogue: Catalogue, columns: Sequence[str]
) -> list[str]:
    """``columns`` (a wide frame's, in their order) less those :func:`compute` without lineage
    (``keep_frames=False``) never reads: the variables no formula names (:func:`_columns_read`)
    and the certification columns of kinds no formula asks about. A reader of the facts for that
    computation (the analytics build's indicator step) can leave the others unread."""
    ns = Namespace({**variable_names(catalogue), **indicator_names(indicators)}, dict(PARENTS))
    formulas = check_indicators(list(indicators), ns)
    variables = {v.code for v in catalogue}
    read = _variables_read(formulas, ns)
    certs = {cert_column(k, prev) for k in _certs_read(formulas) for prev in (False, True)}
    return [
        c
        for c in columns
        if (c in read if c in variables else c in certs if c.startswith(_CERT_PREFIXES) else True)
    ]


_CERT_PREFIXES = (cert_column(""), cert_column("", prev=True))


def _columns_read(
    frame: pl.DataFrame, formulas: Mapping[str, Formula], ns: Namespace, facts: FactFrame
) -> list[str]:
    """``frame``'s columns less the variables no formula names (by name, as the variable a
    prefixed name reads, or as a text argument): each step that copies rows copies every
    column, and the wide frame has a column per variable of the catalogue. Every other column
    (entity, period, hierarchy, attributes, certifications) is kept."""
    read = _variables_read(formulas, ns)
    variables = {v.code for v in facts.catalogue}
    return [c for c in frame.columns if c not in variables or c in read]


def _variables_read(formulas: Mapping[str, Formula], ns: Namespace) -> set[str]:
    """The wide-frame columns the formulas name: by name, as the variable a prefixed name
    reads, or as a text argument."""
    read: set[str] = set()
    for f in formulas.values():
        for name in f.names:
            info = ns.get(name)
            read.add(source_column(name, info) if info is not None else name)
        read.update(
            n.value for n in walk(f.tree) if isinstance(n, Lit) and isinstance(n.value, str)
        )
    return read


def _certs_read(formulas: Mapping[str, Formula]) -> set[str]:
    """The certification kinds the formulas ask about (``certified``, ``became``, ``lost``)."""
    certs: set[str] = set()
    for f in formulas.values():
        for node in walk(f.tree):
            if isinstance(node, Call) and node.func in ("certified", "became", "lost"):
                arg = (
                    node.args[0]
                    if node.args
                    else next(k.value for k in node.keywords if k.name == "kind")
                )
                if isinstance(arg, Lit):
                    certs.add(str(arg.value))
    return certs


def _rows_needed(
    frame: pl.DataFrame, periods: Sequence[str], formulas: Mapping[str, Formula], per: int
) -> pl.DataFrame:
    """The periods the formulas can reach back to from the earliest one asked for."""
    back = look_back(formulas, per)
    asked = frame.select(pl.col("seq").filter(pl.col("period").is_in(list(periods))))["seq"]
    if asked.len() == 0:
        return frame.head(0)
    lo, hi = asked.min() - back, asked.max()  # type: ignore[operator]
    seq = frame["seq"]
    if seq.min() >= lo and seq.max() <= hi:  # type: ignore[operator]
        return frame  # every row is needed: no copy of the whole frame
    return frame.filter(pl.col("seq").is_between(lo, hi))


def look_back(formulas: Mapping[str, Formula], per: int) -> int:
    """How many periods (``per`` a year) back the formulas read, through their dependencies."""
    codes = set(formulas)
    own = {c: max(_offsets(f.tree, per)) for c, f in formulas.items()}
    reach: dict[str, int] = {}

    def depth(code: str, seen: frozenset[str] = frozenset()) -> int:
        if code in reach:
            return reach[code]
        deps = [n for n in formulas[code].names if n in codes and n not in seen]
        reach[code] = own[code] + max((depth(d, seen | {code}) for d in deps), default=0)
        return reach[code]

    return max((depth(c) for c in codes), default=0)


def _prepare(
    frame: pl.DataFrame,
    formulas: Mapping[str, Formula],
    ns: Namespace,
    blocks: Mapping[str, tuple[int, int] | None],
) -> tuple[pl.DataFrame, frozenset[str]]:
    """Add what the formulas read that the frame lacks: broadcast columns for names read above
    their own rows (``city_gdp``), null columns for variables not observed in this period type,
    empty certification columns. Also returns the names of the null columns added for absent
    variables (and for the names read above their rows of such a variable): :class:`_Absent`."""
    certs = _certs_read(formulas)
    add: list[pl.Expr | pl.Series] = []
    have = set(frame.columns)
    absent = _absent_columns(have, formulas, ns)
    added: set[str] = set()
    for name, src, info in _variables_named(formulas, ns):
        if src not in have and src not in added:
            added.add(src)
            add.append(pl.lit(None, pl.Float64).alias(src))
        if src != name and info.level is not None:
            if src in have:
                add.append(_broadcast(frame, blocks, name, src, info.level, formulas))
            else:
                add.append(pl.lit(None, pl.Float64).alias(name))
    for kind in sorted(certs):
        for prefix in ("__cert__", "__certprev__"):
            if prefix + kind not in have:
                add.append(pl.lit(None, pl.Int8).alias(prefix + kind))
    return (frame.with_columns(add) if add else frame), absent


def _variables_named(
    formulas: Mapping[str, Formula], ns: Namespace
) -> list[tuple[str, str, NameInfo]]:
    """The variables the formulas name, sorted: (name, the column it reads, its info)."""
    used = {n for f in formulas.values() for n in f.names}
    out = []
    for name in sorted(used):
        info = ns.get(name)
        if info is not None and info.kind == "variable":
            out.append((name, source_column(name, info), info))
    return out


def _absent_columns(
    have: Collection[str], formulas: Mapping[str, Formula], ns: Namespace
) -> frozenset[str]:
    """The columns :func:`_prepare` adds null to a frame of columns ``have`` because a variable
    the formulas read is absent from it: the variable's, and the names read above their rows
    of such a variable (``city_gdp``)."""
    absent: set[str] = set()
    for name, src, info in _variables_named(formulas, ns):
        if src not in have:
            absent.add(src)
            if src != name and info.level is not None:
                absent.add(name)
    return frozenset(absent)


def null_by_absence(
    indicators: Sequence[Indicator], catalogue: Catalogue, columns: Collection[str]
) -> dict[str, tuple[str, ...]]:
    """The indicators null on every row of a wide frame of ``columns`` because a variable they
    read has no column there (decision 069's rule, :class:`_Absent`), each with those variables
    sorted: what :func:`compute` finds on such a frame, and leaves out with
    ``absent_cells=False``. Decided from the formulas and the columns alone (no rows)."""
    ns = Namespace({**variable_names(catalogue), **indicator_names(indicators)}, dict(PARENTS))
    formulas = check_indicators(list(indicators), ns)
    absent = _Absent(_absent_columns(set(columns), formulas, ns), ns)
    for wave in dependency_order(list(indicators), formulas):
        for code in wave:
            why = absent.why(formulas[code].tree, formulas[code].checked)
            if why is not None:
                absent.indicators[code] = why
    return {code: tuple(sorted(why)) for code, why in sorted(absent.indicators.items())}


def _broadcast(
    frame: pl.DataFrame,
    blocks: Mapping[str, tuple[int, int] | None],
    name: str,
    src: str,
    level: str,
    formulas: Mapping[str, Formula],
) -> pl.Expr | pl.Series:
    """``name``: the column ``src`` of a ``level`` entity's own row (``city_gdp``: the city's
    ``gdp``), on the rows of the entities below it in the same period. Only the rows of the
    levels whose formulas read ``name`` get it (a join of their block to the level's rows);
    where a level is unknown or the frame is not in blocks, every row, by a window."""
    keys = [HIERARCHY_COLUMNS[level], "period"]
    readers = {
        f.checked.levels.get(node)
        for f in formulas.values()
        for node in walk(f.tree)
        if isinstance(node, Name) and node.id == name
    }
    spans = [blocks.get(str(r), (0, 0)) for r in readers]
    if None in readers or None in spans or blocks.get(level) is None:
        on = pl.col("kind") == level
        return pl.when(on).then(pl.col(src)).max().over(keys).alias(name)
    own = _level_rows(frame, blocks, level).group_by(keys).agg(pl.col(src).max().alias(name))
    parts = []
    for first, n in sorted(s for s in spans if s is not None and s[1] > 0):
        rows = frame.slice(first, n).select(keys)
        values = rows.join(own, on=keys, how="left", maintain_order="left")[name]
        parts.append((first, values))
    return _spread(parts, frame.height, pl.Float64).alias(name)


def _broadcast_upward(
    frame: pl.DataFrame,
    wave: list[str],
    by_code: Mapping[str, Indicator],
    formulas: Mapping[str, Formula],
) -> pl.DataFrame:
    """Spread an indicator onto the rows below its level when a lower-level formula reads it."""
    order = {"enterprise": 0, "institution": 0, "zone": 1, "city": 2, "province": 3}
    needed = []
    for code in wave:
        lv = order[by_code[code].level]
        if lv == 0:
            continue
        if any(code in formulas[c].names and order[by_code[c].level] < lv for c in formulas):
            needed.append(code)
    if not needed:
        return frame
    exprs = []
    for code in needed:
        keys = [HIERARCHY_COLUMNS[by_code[code].level], "period"]
        on = pl.col("kind") == by_code[code].level
        exprs.append(pl.when(on).then(pl.col(code)).max().over(keys).alias(code))
        exprs.append(
            pl.when(on).then(pl.col(_MISSING + code)).max().over(keys).alias(_MISSING + code)
        )
    return frame.with_columns(exprs)


_WINDOWED = {"aggregate", "lag", "lag+", "ytd"}


def _is_window(node: Node, checked: Checked) -> bool:
    if not isinstance(node, Call) or node not in checked.bindings:
        return False
    return MISSING_RULES.get(node.func) in _WINDOWED or node.func in (
        "rank",
        "consecutive",
        "every_since",
    )


def _stages(f: Formula) -> list[tuple[Node, str]]:
    """What is computed before the formula, innermost first: every hierarchy aggregate
    ("aggregate", by a group-by over the children), the rank inside each ``rank_change``
    ("rank"), and other window calls nested in another window call ("window")."""
    from gaoxin.engine.expr.syntax import children

    out: list[tuple[Node, str]] = []

    def visit(node: Node, inside: bool) -> None:
        here = _is_window(node, f.checked)
        for c in children(node):
            visit(c, inside or here)
        if isinstance(node, Call) and node.func == "rank_change" and node in f.checked.bindings:
            out.append((node, "rank"))
        if here and f.checked.bindings[node].spec.aggregates:  # type: ignore[index]
            out.append((node, "aggregate"))
        elif here and inside:
            out.append((node, "window"))

    visit(f.tree, False)
    return out


#: Functions null wherever one of the arguments named is null (and whose missing count, by
#: MISSING_RULES, counts those arguments' missing inputs): their compiled forms propagate nulls.
_NULL_IF_ANY: dict[str, tuple[str, ...]] = {
    "prev": ("x",),
    "delta": ("x",),
    "yoy": ("x",),
    "growth": ("x",),
    "cagr": ("x",),
    "ytd": ("x",),
    "single": ("x",),
    "abs": ("x",),
    "sqrt": ("x",),
    "round": ("x",),
    "log": ("x", "base"),
    "clip": ("x", "lo", "hi"),
    "if_": ("cond",),
    "min": ("a", "b", "*"),
    "max": ("a", "b", "*"),
}
#: Aggregates whose value over children that are all null is known without summing them: a
#: ``sum`` is 0 where it selects no child and null otherwise; the others are null.
_AGGREGATES_OF_NULLS = ("sum", "mean", "median", "share")


class _Absent:
    """Which parts of a formula are null on every row because a column they read is absent from
    the period type's frame (a variable never observed in it: :func:`_prepare`'s null columns),
    not merely null on some rows.

    Such a part also has at least one missing input on every row (the absent name counts one),
    so its value and missing count need no row-wise evaluation where they are read whole: an
    indicator's value is a null column, an aggregate's a count of the children it selects. A
    rule not known to propagate nulls (``coalesce``, ``and``/``or`` with a present operand, an
    aggregate, ranks, certifications) makes the part "not known null": it is computed as before.
    """

    def __init__(self, columns: frozenset[str], ns: Namespace) -> None:
        self.columns = columns
        self.ns = ns
        #: the indicators found null on every row (computed in dependency order), each with the
        #: absent variables that make it so
        self.indicators: dict[str, frozenset[str]] = {}

    def null(self, node: Node, checked: Checked) -> bool:
        return self.why(node, checked) is not None

    def why(self, node: Node, checked: Checked) -> frozenset[str] | None:
        """The absent variables that make ``node`` null on every row (every operand that is so
        gives its own), or None when it is not known null."""
        if not self.columns:
            return None
        if isinstance(node, Name):
            info = self.ns.get(node.id)
            if info is None:
                return None
            if info.kind == "indicator":
                return self.indicators.get(node.id)
            if info.kind == "variable" and (info.column or node.id) in self.columns:
                return frozenset({source_column(node.id, info)})
            return None
        if isinstance(node, Unary):
            return self.why(node.operand, checked)
        if isinstance(node, Binary):
            return self._any(checked, node.left, node.right)
        if isinstance(node, Compare):
            # a chain is the "and" of its comparisons: null only when each of them is
            pairs = [self._any(checked, a, b) for a, b in pairwise(node.operands)]
            return _union(pairs)
        if isinstance(node, BoolOp):  # Kleene: null and false is false, null or true is true
            return _union([self.why(v, checked) for v in node.values])
        if isinstance(node, Call) and node in checked.bindings:
            b = checked.bindings[node]
            params = _NULL_IF_ANY.get(b.spec.name)
            if params is not None:
                args = [b.nodes[p] for p in params if p in b.nodes]
                if "*" in params:
                    args += b.rest
                return self._any(checked, *args)
            if b.spec.name == "coalesce":
                return _union([self.why(a, checked) for a in (*b.nodes.values(), *b.rest)])
        return None

    def _any(self, checked: Checked, *nodes: Node) -> frozenset[str] | None:
        """Null when one of ``nodes`` is: the variables of every one that is."""
        found = [w for n in nodes if (w := self.why(n, checked)) is not None]
        return frozenset().union(*found) if found else None

    def aggregate_of_nulls(self, node: Call, checked: Checked) -> bool:
        """Whether ``node`` aggregates a value null on every child's row."""
        b = checked.bindings[node]
        x = b.nodes.get("x")
        return b.spec.name in _AGGREGATES_OF_NULLS and x is not None and self.null(x, checked)


def _union(reasons: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    """Null when every one is (and there is one): the variables of them all."""
    if not reasons or any(r is None for r in reasons):
        return None
    return frozenset().union(*reasons)  # type: ignore[arg-type]


class _Pending:
    """Aggregates waiting to be computed together: one group-by per (parent keys, child level)
    over the children's rows, joined back onto the frame by the parent's keys (every row of the
    parent's group gets the value, as the window form gives; the parent's own row is the one read).
    """

    def __init__(
        self,
        blocks: Mapping[str, tuple[int, int] | None],
        codes: dict[tuple[str, ...], pl.Series] | None = None,
        absent: _Absent | None = None,
        orders: dict[tuple[str, ...], pl.Series] | None = None,
    ) -> None:
        self.blocks = blocks
        self.codes = codes if codes is not None else {}
        #: per (keys, child level), the child level's rows in the order of their group code
        self.orders = orders if orders is not None else {}
        self.absent = absent
        self.items: list[tuple[Call, Checked, CompileContext, str, Mapping[int, str]]] = []
        self.missing: dict[str, pl.Expr] = {}
        #: the aggregates of children whose value is null on every row (_Absent), by name
        self.of_nulls: set[str] = set()
        self.ids: set[int] = set()

    def reads(self, node: Node) -> bool:
        """Whether ``node`` reads an aggregate not computed yet."""
        return bool(self.ids) and any(id(n) in self.ids for n in walk(node) if n is not node)

    def add(
        self,
        node: Call,
        checked: Checked,
        at: CompileContext,
        columns: dict[int, str],
        missing_columns: dict[int, str],
        name: str,
    ) -> None:
        # columns: the indicator's computed sub-expressions, so that an aggregate over an inner
        # aggregate reads the inner one's column
        self.items.append((node, checked, at, name, columns))
        if self.absent is not None and self.absent.aggregate_of_nulls(node, checked):
            # every child's value is null and has a missing input: each child selected counts
            self.of_nulls.add(name)
            b = checked.bindings[node]
            comp = _Compiler(checked, columns)
            inner = at.at_level(checked.inner_levels.get(node, at.level))
            args = CallArgs(b.spec, node, b.nodes, b.rest, inner, comp.compile, comp.type)
            self.missing[name] = _chosen(args).cast(pl.Int32)
        else:
            self.missing[name] = _Missing(checked, at, columns, missing_columns).grouped(node, at)
        self.ids.add(id(node))
        columns[id(node)] = name
        missing_columns[id(node)] = _MISSING + name

    def flush(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self.items:
            return frame
        batches: dict[tuple[str, tuple[str, ...], str], list[tuple[CallArgs, CompileContext, str]]]
        batches = defaultdict(list)
        for node, checked, at, name, columns in self.items:
            b = checked.bindings[node]
            comp = _Compiler(checked, columns)
            inner = at.at_level(checked.inner_levels.get(node, at.level))
            args = CallArgs(b.spec, node, b.nodes, b.rest, inner, comp.compile, comp.type)
            key = (str(at.level), tuple(group_keys(at)), child_level(args, at))
            batches[key].append((args, at, name))
        for (level, keys, child), calls in batches.items():
            frame = frame.with_columns(self._batch(frame, level, list(keys), child, calls))
        self.items.clear()
        self.ids.clear()
        return frame

    def _batch(
        self,
        frame: pl.DataFrame,
        level: str,
        keys: list[str],
        child: str,
        calls: list[tuple[CallArgs, CompileContext, str]],
    ) -> list[pl.Series]:
        """The columns of one (parent level, child level) batch: values on the parent's rows,
        null on the others (no formula reads an aggregate off its own level's rows)."""
        aggs: list[pl.Expr] = [pl.len().alias("__rows__")]
        empty: dict[str, Any] = {}
        read: set[str] = set()  # and the group code
        tops = []
        for args, at, name in calls:
            if args.spec.name == "top_share":
                tops.append((args, at, name))
                parts = [top_share_total(args).alias("__total__" + name)]
                aggs.append(parts[0])
                read.add(str(args.literal("by", "industry")))
            elif name in self.of_nulls:
                # the children's values are all null: a sum is 0 where none is selected (as
                # grouped() gives), anything else null; no float sums of nulls
                value = pl.lit(None, pl.Float64)
                if args.spec.name == "sum":
                    value = pl.when(_chosen(args) == 0).then(pl.lit(0.0))
                parts = [value.alias(name)]
                aggs.append(parts[0])
            else:
                parts = [grouped(args, at).alias(name)]
                aggs.append(parts[0])
            aggs.append(self.missing[name].alias(_MISSING + name))
            parts.append(aggs[-1])
            for e in parts:
                read.update(e.meta.root_names())
            empty[name] = EMPTY.get(args.spec.name)
            empty[_MISSING + name] = 0
        # Only the columns read, of the children's rows only (eager steps: see in_row_order).
        # Grouped by one integer code of the keys (the same groups, each group's rows in the
        # same order: the same values): the per-group path of the aggregates took three times
        # as long on two text keys. top_share's own group-bys too: told that its parent's column
        # is the code and that there is no period column, it groups by the code alone.
        frame = frame.with_columns(self.code(frame, keys))
        by = [_GROUP]
        children = _level_rows(frame, self.blocks, child).select(sorted(read | set(by)))
        # The children in the order of their group code, each group's rows in the frame's order
        # (a stable sort, found once per frame and level): a group-by over a sorted key reads
        # each group as one slice; over the frame's order it gathered every group's rows by
        # their row numbers, three to six times the aggregates' CPU (decision 087).
        order = self.orders.get((*keys, child))
        if order is None:
            order = children.select(pl.arg_sort_by(_GROUP, maintain_order=True)).to_series()
            self.orders[(*keys, child)] = order
        children = children[order].with_columns(pl.col(_GROUP).set_sorted())
        per_parent = children.group_by(by).agg(aggs)
        for args, at, name in tops:
            coded = replace(
                at,
                hierarchy_columns={**at.hierarchy_columns, str(at.level): _GROUP},
                period_column=None,
            )
            top = top_share_frame(children, args, coded, "__top__" + name)
            per_parent = per_parent.join(top, on=by, how="left").with_columns(
                top_share_ratio(pl.col("__top__" + name), pl.col("__total__" + name)).alias(name)
            )
        del children
        span = self.blocks.get(level)
        if span is not None:  # the parent level's block alone, not a filter of every row
            first, n = span
            own = (
                frame.lazy()
                .slice(first, n)
                .select(pl.int_range(first, first + n, dtype=pl.UInt32).alias("__row__"), *by)
            )
        else:
            own = (
                frame.lazy()
                .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("__row__"), "kind", *by)
                .filter(pl.col("kind") == level)
            )
        parents = (
            own.join(per_parent.lazy(), on=by, how="left", maintain_order="left")
            .select(
                "__row__",
                *[
                    (
                        pl.when(pl.col("__rows__").is_null()).then(pl.lit(v)).otherwise(pl.col(c))
                        if v is not None
                        else pl.col(c)
                    ).alias(c)
                    for c, v in empty.items()
                ],
            )
            .collect()
        )
        rows = parents["__row__"]
        out = []
        # The frame is sorted by kind: a level's rows are usually one block, and a column is then
        # nulls, the values, nulls (no scatter into a full-length column).
        first = int(rows[0]) if rows.len() else 0
        block = rows.len() > 0 and int(rows[-1]) - first + 1 == rows.len()
        for c in empty:
            values = parents[c]
            if block:
                full = _padded(values, first, frame.height)
            else:
                full = pl.repeat(None, frame.height, dtype=values.dtype, eager=True)
                full = full.scatter(rows, values)
            out.append(full.alias(c))
        return out

    def code(self, frame: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
        """One integer per distinct value of ``keys`` on each row of ``frame`` (null where a key
        is), found once per frame: its rows never change during a computation."""
        found = self.codes.get(tuple(keys))
        if found is None:
            parts = [
                # a period is its sequence number in the fact frame (one to one)
                (pl.col("seq") - pl.col("seq").min()).cast(pl.UInt64)
                if k == "period" and "seq" in frame.columns
                else pl.col(k).cast(pl.Categorical).to_physical().cast(pl.UInt64)
                if frame.schema[k] in (pl.String, pl.Categorical)
                else pl.col(k).rank("dense").cast(pl.UInt64)
                for k in keys
            ]
            codes = frame.select(parts).get_columns()
            key = codes[0]
            for more in codes[1:]:
                top = more.max()
                key = key * (int(top) + 1 if top is not None else 1) + more  # type: ignore[arg-type]
            found = self.codes[tuple(keys)] = key.alias(_GROUP)
        return found


def _chosen(args: CallArgs) -> pl.Expr:
    """How many of a group's children an aggregate selects (its ``where``), in a group-by."""
    return pl.len() if "where" not in args else args["where"].fill_null(False).sum()


#: The column of a batch's integer group code (:meth:`_Pending.code`).
_GROUP = "__group__"


class _Compiler(Compiler):
    """The expression compiler, reading already computed sub-expressions from columns."""

    def __init__(self, checked: Checked, columns: Mapping[int, str]) -> None:
        super().__init__(checked)
        self.columns = columns

    def compile(self, node: Node, ctx: CompileContext) -> pl.Expr:
        name = self.columns.get(id(node))
        if name is not None:
            return pl.col(name)
        rank = self.columns.get((id(node), "rank"))  # type: ignore[call-overload]
        if rank is not None:
            assert isinstance(node, Call)
            n = _lag_periods(node.func, self.checked.bindings[node].nodes, ctx)
            return lag(pl.col(rank), n, ctx) - pl.col(rank)
        return super().compile(node, ctx)


class _Missing:
    """The missing-input count of a formula, as a Polars expression (see the module's rule)."""

    def __init__(
        self,
        checked: Checked,
        ctx: CompileContext,
        columns: Mapping[int, str] | None = None,
        missing_columns: Mapping[int, str] | None = None,
    ) -> None:
        self.checked = checked
        self.compiler = _Compiler(checked, columns or {})
        self.ctx = ctx
        self.missing_columns = missing_columns or {}

    def expr(self, node: Node, ctx: CompileContext | None = None) -> pl.Expr:
        ctx = ctx or self.ctx
        zero = pl.lit(0, pl.Int32)
        done = self.missing_columns.get(id(node))
        if done is not None:
            return pl.col(done)
        if isinstance(node, Lit):
            return zero
        if isinstance(node, Name):
            info = ctx.namespace.get(node.id)
            if info is None or info.kind in ("attribute", "parameter"):
                return zero
            if info.kind == "indicator":
                return pl.col(_MISSING + node.id).fill_null(
                    pl.col(node.id).is_null().cast(pl.Int32)
                )
            return pl.col(info.column or node.id).is_null().cast(pl.Int32)
        if isinstance(node, Unary):
            return self.expr(node.operand, ctx)
        if isinstance(node, Binary):
            return self.expr(node.left, ctx) + self.expr(node.right, ctx)
        if isinstance(node, Compare):
            return pl.sum_horizontal([self.expr(o, ctx) for o in node.operands])
        if isinstance(node, BoolOp):
            return pl.sum_horizontal([self.expr(v, ctx) for v in node.values])
        if isinstance(node, Call):
            return self.call(node, ctx)
        return zero

    def grouped(self, node: Call, ctx: CompileContext) -> pl.Expr:
        """An aggregate's missing-input count inside a group-by over its children's rows."""
        b = self.checked.bindings[node]
        inner = ctx.at_level(self.checked.inner_levels.get(node, ctx.level))
        args = CallArgs(
            b.spec, node, b.nodes, b.rest, inner, self.compiler.compile, self.compiler.type
        )
        m = self._args(node, inner, skip=("where", "by", "n"))
        return (grouped_selected(args) & (m > 0)).sum().cast(pl.Int32)

    def _args(self, node: Call, ctx: CompileContext, skip: tuple[str, ...] = ()) -> pl.Expr:
        b = self.checked.bindings[node]
        parts = [self.expr(n, ctx) for p, n in b.nodes.items() if p not in skip]
        parts += [self.expr(n, ctx) for n in b.rest]
        return pl.sum_horizontal(parts) if parts else pl.lit(0, pl.Int32)

    def call(self, node: Call, ctx: CompileContext) -> pl.Expr:
        rule = MISSING_RULES.get(node.func, "args")
        b = self.checked.bindings[node]
        if rule == "none":
            return pl.lit(0, pl.Int32)
        if rule == "aggregate":
            inner = ctx.at_level(self.checked.inner_levels.get(node, ctx.level))
            args = CallArgs(
                b.spec, node, b.nodes, b.rest, inner, self.compiler.compile, self.compiler.type
            )
            m = self._args(node, inner, skip=("where", "by", "n"))
            return (
                pl.when(selected(args, ctx) & (m > 0))
                .then(1)
                .otherwise(0)
                .sum()
                .over(group_keys(ctx))
            )
        m = self._args(node, ctx, skip=("n", "years", "within", "order"))
        if rule == "args":
            return m
        if rule == "lag":
            n = int(_literal(b.nodes.get("n"), 1))
            return lag(m, n, ctx).fill_null(1)
        if rule == "ytd":
            from gaoxin.engine.expr.periodic import is_cumulative

            args = CallArgs(
                b.spec, node, b.nodes, b.rest, ctx, self.compiler.compile, self.compiler.type
            )
            if per_year(ctx) == 1 or is_cumulative(args, ctx):
                return m
            return m.cum_sum().over(["entity", "year"])
        # lag+: this period's inputs and the base period's
        n = _lag_periods(node.func, b.nodes, ctx)
        if n == 0:
            return m
        return m + lag(m, n, ctx).fill_null(1)


def _literal(node: Node | None, default: Any) -> Any:
    if node is None:
        return default
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Unary) and isinstance(node.operand, Lit):
        return -node.operand.value  # type: ignore[operator]
    return default


def _lag_periods(func: str, nodes: Mapping[str, Node], ctx: CompileContext) -> int:
    if func in ("yoy", "growth"):
        return per_year(ctx)
    if func == "cagr":
        return int(_literal(nodes.get("years"), 1)) * per_year(ctx)
    if func == "delta":
        return int(_literal(nodes.get("n"), 1))
    if func == "rank_change":
        return change_periods(_literal(nodes.get("lag"), "period"), per_year(ctx))
    if func == "single":
        x = nodes.get("x")
        cumulative = ctx.options.get("cumulative", frozenset())
        if per_year(ctx) == 1 or not (isinstance(x, Name) and x.id in cumulative):
            return 0
        return 1
    return 1


# ---------------------------------------------------------------------------------------------
# Lineage
# ---------------------------------------------------------------------------------------------
def _offsets(tree: Node, per: int) -> set[int]:
    """How many periods back the formula reads (0 = this period)."""
    out = {0}
    for node in walk(tree):
        if not isinstance(node, Call):
            continue
        if node.func in ("prev", "delta"):
            n = 1
            for kw in node.keywords:
                if kw.name == "n":
                    n = int(_literal(kw.value, 1))
            if len(node.args) > 1:
                n = int(_literal(node.args[1], 1))
            out.add(n)
        elif node.func in ("yoy", "growth"):
            out.add(per)
        elif node.func == "cagr":
            years = (
                _literal(node.args[1], 1)
                if len(node.args) > 1
                else next((_literal(k.value, 1) for k in node.keywords if k.name == "years"), 1)
            )
            out.add(int(years) * per)
        elif node.func == "rank_change":
            since = next((_literal(k.value, "") for k in node.keywords if k.name == "lag"), "")
            out.add(change_periods(since, per))
        elif node.func == "single":
            out.add(1)
        elif node.func == "consecutive":
            n = (
                _literal(node.args[1], 1)
                if len(node.args) > 1
                else next((_literal(k.value, 1) for k in node.keywords if k.name == "n"), 1)
            )
            out.add(max(int(n) - 1, 0))
        elif node.func == "ytd" and per > 1:
            out.update(range(per))
        elif node.func == "every_since":  # back to its start year: at most 60 years
            out.update(range(60 * per + 1))
    return out


def _top_aggregates(tree: Node, checked: Checked) -> list[Call]:
    """Aggregating calls not nested inside another aggregating call."""
    found: list[Call] = []

    def visit(node: Node) -> None:
        if (
            isinstance(node, Call)
            and node in checked.bindings
            and checked.bindings[node].spec.aggregates
        ):
            found.append(node)
            return
        from gaoxin.engine.expr.syntax import children

        for c in children(node):
            visit(c)

    visit(tree)
    return found


def _direct_names(tree: Node, checked: Checked) -> list[str]:
    aggs = set(map(id, _top_aggregates(tree, checked)))
    out: list[str] = []

    def visit(node: Node) -> None:
        if id(node) in aggs:
            return
        if isinstance(node, Name):
            out.append(node.id)
        from gaoxin.engine.expr.syntax import children

        for c in children(node):
            visit(c)

    visit(tree)
    return list(dict.fromkeys(out))


class _Lineage:
    def __init__(self, result: Result, cap: int) -> None:
        self.r = result
        self.cap = cap

    def _name(self, entity: str) -> str | None:
        hit = self.r.facts.entities.filter(pl.col("entity") == entity)
        return hit["name"][0] if hit.height else None

    def cell(self, entity: str, period: str, code: str, depth: int) -> dict[str, Any]:
        r = self.r
        if code not in r.indicators:
            raise KeyError(f"unknown indicator {code!r}")
        ind, f = r.indicators[code], r.formulas[code]
        ptype = Period.parse(period).kind
        frame = r.computed.get(ptype)
        if frame is None:
            raise KeyError(f"period type {ptype} was not computed (or keep_frames=False)")
        row = frame.filter((pl.col("entity") == entity) & (pl.col("period") == period))
        if row.height == 0:
            raise KeyError(f"no row for {entity} {period}")
        seq = int(row["seq"][0])
        per = PER_YEAR[ptype]
        seqs = sorted({seq - k for k in _offsets(f.tree, per)}, reverse=True)
        periods = (
            frame.filter(pl.col("seq").is_in(seqs))
            .select("period", "seq")
            .unique()
            .sort("seq", descending=True)
        )
        period_list = periods["period"].to_list()
        out: dict[str, Any] = {
            "indicator": code,
            "name": ind.zh,
            "unit": ind.unit,
            "level": ind.level,
            "formula": ind.formula,
            "description": f.describe().text,
            "source": ind.source,
            "entity": entity,
            "entity_name": self._name(entity),
            "period": period,
            "value": row[code][0],
            "missing": int(row[_MISSING + code][0] or 0),
            "periods_read": period_list,
            "inputs": [],
            "aggregates": [],
            "indicators": [],
        }
        ns = r.namespace
        direct = _direct_names(f.tree, f.checked)
        var_targets: list[tuple[str, str, str]] = []  # (entity, variable, name)
        for name in direct:
            info = ns.get(name)
            if info is None:
                continue
            if info.kind == "variable":
                target = entity
                if info.level and info.level != ind.level:
                    target = row[HIERARCHY_COLUMNS[info.level]][0]
                var_targets.append((target, source_column(name, info), name))
            elif info.kind == "attribute":
                out["inputs"].append(
                    {"name": name, "value": row[name][0] if name in row.columns else None}
                )
            elif info.kind == "indicator" and depth < 3:
                target = entity
                if info.level != ind.level:
                    target = row[HIERARCHY_COLUMNS[info.level]][0]  # type: ignore[index]
                for p in period_list:
                    try:
                        out["indicators"].append(self.cell(target, p, name, depth + 1))
                    except KeyError:
                        out["indicators"].append(
                            {"indicator": name, "entity": target, "period": p, "value": None}
                        )
        out["inputs"].extend(self._observations(var_targets, period_list))
        for call in _top_aggregates(f.tree, f.checked):
            out["aggregates"].append(self._aggregate(call, f, ind, frame, entity, period, ptype))
        return out

    def _observations(
        self, targets: list[tuple[str, str, str]], periods: list[str]
    ) -> list[dict[str, Any]]:
        if not targets:
            return []
        wanted = sorted({e for e, _, _ in targets})
        obs = latest(self.r.facts.observations.filter(pl.col("entity").is_in(wanted)))
        keys = pl.DataFrame(
            [(e, v, n, p) for e, v, n in targets for p in periods],
            schema={
                "entity": pl.String,
                "variable": pl.String,
                "name": pl.String,
                "period": pl.String,
            },
            orient="row",
        )
        found = keys.join(obs, on=["entity", "variable", "period"], how="left")
        return found.select("entity", "name", "variable", "period", "value", "batch").to_dicts()

    def _aggregate(
        self,
        call: Call,
        f: Formula,
        ind: Indicator,
        frame: pl.DataFrame,
        entity: str,
        period: str,
        ptype: str,
    ) -> dict[str, Any]:
        r = self.r
        checked = f.checked
        b = checked.bindings[call]
        cumulative = r.facts.cumulative | {i.code for i in r.indicators.values() if i.cumulative}
        ctx = _context(r.facts, r.namespace, ind.level, ptype, cumulative)
        inner = ctx.at_level(checked.inner_levels.get(call, ind.level))
        compiler = _Compiler(checked, r.plans.get(ind.code, {}))
        args = CallArgs(b.spec, call, b.nodes, b.rest, inner, compiler.compile, compiler.type)
        child = inner.level or "enterprise"
        if args.ctx.level is None:
            from gaoxin.engine.expr.hierarchy import child_level

            child = child_level(args, ctx)
        group_col = HIERARCHY_COLUMNS[ind.level]
        group = frame.filter((pl.col(group_col) == entity) & (pl.col("period") == period))
        sel = group.with_columns(__sel=selected(args, ctx)).filter(pl.col("__sel"))
        value_cols = []
        if "x" in b.nodes:
            value_cols.append(compiler.compile(b.nodes["x"], inner).cast(pl.Float64).alias("x"))
        shown = sel.select("entity", *value_cols).join(
            r.facts.entities.select("entity", "name"), on="entity", how="left"
        )
        names = [
            n
            for n in _names_in(call)
            if (i := r.namespace.get(n)) is not None and i.kind == "variable"
        ]
        missing = 0
        if "x" in shown.columns:
            missing = int(shown["x"].null_count())
            shown = shown.sort("x", descending=True, nulls_last=True)
        listed = shown.head(self.cap)
        children = listed.to_dicts()
        if names and children:
            obs = latest(
                r.facts.observations.filter(
                    pl.col("entity").is_in(listed["entity"].implode())
                    & (pl.col("period") == period)
                    & pl.col("variable").is_in([source_column(n, r.namespace[n]) for n in names])
                )
            )
            batches = {
                (o["entity"], o["variable"]): (o["value"], o["batch"]) for o in obs.to_dicts()
            }
            for c in children:
                c["observations"] = {
                    n: {
                        "value": batches.get((c["entity"], n), (None, None))[0],
                        "batch": batches.get((c["entity"], n), (None, None))[1],
                    }
                    for n in names
                }
        where = None
        if "where" in b.nodes:
            src = f.source
            node = b.nodes["where"]
            where = _segment(src, node)
        return {
            "function": call.func,
            "text": _segment(f.source, call),
            "child_level": child,
            "where": where,
            "children": sel.height,
            "children_missing": missing,
            "shown": children,
            "truncated": sel.height > len(children),
        }


def _names_in(node: Node) -> list[str]:
    return list(dict.fromkeys(n.id for n in walk(node) if isinstance(n, Name)))


def _segment(source: str, node: Node) -> str:
    from gaoxin.engine.expr.syntax import segment

    return segment(source, node.span)
