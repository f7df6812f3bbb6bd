"""Binding a pack's inputs to data (decision 009): the frame ``run_rules`` reads, built from the
fact frame, evaluation runs and a file the user supplies, with where every value came from.

An input with ``formula`` is an engine formula (or a catalogue indicator code) computed over the
fact frame at the input's level for the period; one with ``evaluation`` is a field of an
evaluation run of one of the pack's frameworks; one with ``cases`` reads the cases earlier actions
opened (decision 042); one with none of them is supplied by the user
(``gaoxin awards --inputs FILE``). Missing stays missing (decision 007): a supplied input the
file does not give is null, and a rule that needs it puts the row in ``undetermined``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from gaoxin.engine.expr import ENGINE_FUNCTIONS, check
from gaoxin.engine.facts import ATTRIBUTES, LEVELS, FactFrame, latest
from gaoxin.engine.indicators import Indicator, compute, default_indicators
from gaoxin.engine.packs.loader import LoadedPack, facts_namespace
from gaoxin.engine.packs.schema import CASE_FIELDS, EVALUATION_FIELDS, Input, Pack
from gaoxin.engine.periods import Period
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.rules import consecutive_failures
from gaoxin.engine.tabular.numbers import parse_numbers
from gaoxin.engine.tabular.readers import ROW, read_grids

#: The columns of an evaluation history (``gaoxin.evaluation.store.history``); ``run`` (the
#: run's id) is optional and, when present, named in each value's origin.
HISTORY_COLUMNS = ("framework", "period", "entity", "score", "rank", "rank_change", "grade", "veto")
FAIL_GRADE = "不合格"
#: The columns of the cases frame (``gaoxin.cases.services.cases_frame``): one row per standing
#: case (withdrawn ones left out), ``outcome`` ``passed`` / ``failed`` or null while open,
#: ``number`` the case's number a reader can look up, ``deadline`` a Date or null.
CASE_SCHEMA = {
    "number": pl.String,
    "rule": pl.String,
    "entity": pl.String,
    "period": pl.String,
    "deadline": pl.Date,
    "outcome": pl.String,
}
CASE_COLUMNS = tuple(CASE_SCHEMA)
#: Headers a supplied file may use for the entity code.
ENTITY_HEADERS = ("entity", "代码", "主体代码", "单位代码", "园区代码", "统一社会信用代码")
#: Headers a supplied file may carry for people, ignored (the template's 主体类型 among them).
NAME_HEADERS = ("name", "名称", "主体名称", "单位名称", "园区名称", "kind", "类型", "主体类型")
_TRUE = ("是", "true", "True", "TRUE", "1", "√", "Y", "y", "yes")
_FALSE = ("否", "false", "False", "FALSE", "0", "×", "N", "n", "no")
_DTYPES: dict[str, pl.DataType] = {
    "number": pl.Float64(),
    "bool": pl.Boolean(),
    "string": pl.String(),
}


@dataclass(frozen=True)
class Bound:
    """``frame``: one row per entity (``entity``, ``kind``, ``name``, ``zone``) with a column
    per input the rules read. ``origin``: the same rows, one String column per input saying
    where that value came from. ``sources``: per input, its source kind and a description.
    ``runs``: the evaluation run ids read (when the history names them)."""

    frame: pl.DataFrame
    origin: pl.DataFrame
    sources: Mapping[str, tuple[str, str]]
    runs: tuple[int, ...] = ()
    evaluations_read: tuple[tuple[str, str], ...] = field(default=())

    def origin_of(self, entity: str) -> dict[str, str | None]:
        row = self.origin.filter(pl.col("entity") == entity)
        return {} if row.height == 0 else {k: v for k, v in row.row(0, named=True).items()}


class EvaluationMissing(ProblemsError):
    """A rule reads an evaluation for which there is no completed run: ``missing`` lists
    (framework, period) pairs to run first. The message says what to do on the pages (开展评价)
    and names the framework by its title (``titles``: framework id → title); the command line's
    equivalent is the problem's ``extra["command"]``, which the CLI prints under it."""

    def __init__(
        self,
        pack_id: str,
        missing: Iterable[tuple[str, str]],
        scope: str | None = None,
        titles: Mapping[str, str] | None = None,
    ):
        self.missing = sorted(set(missing))
        where = f" --scope {scope}" if scope else ""
        names = titles or {}
        super().__init__(
            Problem(
                "awards.evaluation_missing",
                f"规则需要「{names.get(fw, fw)}」{per} 的评价结果，但还没有已完成的评价："
                f"请先在「评价结果」页面点「开展评价」，选这个评价体系和期间 {per}，完成后再试",
                value=f"{fw} {per}",
                extra={
                    "command": f"gaoxin evaluate --pack {pack_id} --framework {fw} "
                    f"--period {per}{where}"
                },
            )
            for fw, per in self.missing
        )


def framework_titles(pack: LoadedPack) -> dict[str, str]:
    """The titles of the pack's evaluation frameworks (``frameworks/*.yaml``: ``framework`` →
    ``title``), for messages; empty for a pack without a directory."""
    import yaml

    out: dict[str, str] = {}
    if not pack.path:
        return out
    for f in sorted(Path(pack.path, "frameworks").glob("*.yaml")):
        spec = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        fid, title = spec.get("framework"), spec.get("title")
        if isinstance(fid, str) and isinstance(title, str):
            out[fid] = title
    return out


def inputs_read(pack: LoadedPack | Pack) -> list[Input]:
    """The inputs some rule of the pack reads, in the order the pack declares them."""
    loaded = pack if isinstance(pack, LoadedPack) else LoadedPack(pack, "")
    spec = loaded.spec
    ns = loaded.namespace()
    names: set[str] = set()
    for r in spec.rules:
        sources = [r.when]
        if r.money is not None:
            sources += [
                x for x in (r.money.amount, r.money.floor, r.money.cap, r.money.rule_cap) if x
            ]
        for src in sources:
            names.update(check(src, ns, functions=loaded.functions).names)
    return [i for i in spec.inputs if i.id in names]


def evaluations_needed(pack: LoadedPack | Pack, period: Period | str) -> list[tuple[str, str]]:
    """(framework, period) of every evaluation run the rules read for ``period``."""
    per = period if isinstance(period, Period) else Period.parse(period)
    out = {
        (i.evaluation.framework, str(per.shift(-i.evaluation.lag)))
        for i in inputs_read(pack)
        if i.evaluation is not None
    }
    return sorted(out)


def rules_frame(
    pack: LoadedPack | Pack,
    facts: FactFrame,
    period: Period | str,
    evaluations: pl.DataFrame | None = None,
    supplied: pl.DataFrame | None = None,
    *,
    supplied_name: str = "输入文件",
    scope: str | None = None,
    cases: pl.DataFrame | None = None,
    as_of: date | None = None,
) -> Bound:
    """The frame for ``run_rules(pack, frame, period)``: every entity of a kind the rules apply
    to that is in the facts for ``period``, with the inputs the rules read.

    ``evaluations``: the evaluation history (:data:`HISTORY_COLUMNS`, one row per framework,
    period and unit; several periods when inputs read earlier runs). ``supplied``: one row
    per entity, ``entity`` and a typed column per supplied input (see :func:`read_supplied`;
    its ``__row`` column, when present, is named in each value's origin). Raises
    :class:`EvaluationMissing` when an input reads a run the history does not hold, and
    :class:`ProblemsError` when the supplied frame names an entity not in the facts.
    ``scope`` (a region or zone code) only shapes the command the refusal suggests.
    ``cases``: the cases earlier actions opened (:data:`CASE_COLUMNS`; None: there are none),
    read by inputs with ``cases``; a case still open is overdue when its deadline is before
    ``as_of`` (None: no case counts as overdue).
    """
    loaded = pack if isinstance(pack, LoadedPack) else LoadedPack(pack, "")
    spec = loaded.spec
    per = period if isinstance(period, Period) else Period.parse(period)
    kinds = spec.rule_kinds
    known = facts.periods(per.kind)
    if str(per) not in known:
        have = "、".join(known[-6:]) or "无"
        raise ProblemsError(
            [
                Problem(
                    "awards.no_data",
                    f"数据中没有 {per} 的记录（已有：{have}）；请先导入该期间的数据",
                    value=str(per),
                )
            ]
        )
    wide = facts.wide(per.kind).filter(pl.col("period") == str(per))
    names = facts.entities.select("entity", "name").unique("entity")
    base = (
        wide.filter(pl.col("kind").is_in(kinds))
        .select("entity", "kind", "zone")
        .join(names, on="entity", how="left")
    )
    needed = inputs_read(loaded)

    missing_runs = [
        fp
        for fp in evaluations_needed(loaded, per)
        if evaluations is None
        or evaluations.filter(
            (pl.col("framework") == fp[0]) & (pl.col("period").cast(pl.String) == fp[1])
        ).is_empty()
    ]
    if missing_runs:
        raise EvaluationMissing(spec.id, missing_runs, scope, framework_titles(loaded))

    frame, origin = base, base.select("entity")
    sources: dict[str, tuple[str, str]] = {}
    formula_inputs = [i for i in needed if i.formula is not None]
    if formula_inputs:
        values, notes = _formula_values(formula_inputs, facts, per, kinds, wide)
        frame = frame.join(values, on="entity", how="left")
        origin = origin.join(notes, on="entity", how="left")
        for i in formula_inputs:
            words = formula_words(i.formula or "", _names(facts))
            sources[i.id] = ("formula", f"{words}（事实数据 {facts.input_hash[:12]}）")
    runs: set[int] = set()
    read: set[tuple[str, str]] = set()
    for i in (x for x in needed if x.evaluation is not None):
        assert evaluations is not None and i.evaluation is not None
        v, note, used, fp = _evaluation_values(i, evaluations, per)
        frame = frame.join(v, on="entity", how="left")
        origin = origin.join(note, on="entity", how="left")
        runs |= used
        read.add(fp)
        ev = i.evaluation
        lag = f"（上{ev.lag}期）" if ev.lag else ""
        sources[i.id] = (
            "evaluation",
            f"评价 {ev.framework} {fp[1]}{lag} 的{EVALUATION_FIELDS[ev.field]}",
        )
    for i in needed:
        if (case_source := i.cases) is None:
            continue
        v, note = _case_values(i, cases, per, as_of, frame.select("entity"))
        frame = frame.join(v, on="entity", how="left")
        origin = origin.join(note, on="entity", how="left")
        sources[i.id] = (
            "cases",
            f"整改案件（规则 {'、'.join(case_source.rules)}）：{CASE_FIELDS[case_source.field]}",
        )
    supplied_inputs = [i for i in needed if i.source == "supplied"]
    frame, origin = _join_supplied(
        frame, origin, supplied_inputs, supplied, supplied_name, spec.inputs
    )
    for i in supplied_inputs:
        sources[i.id] = (
            "supplied",
            f"用户提供（{supplied_name}）" if supplied is not None else "用户提供（未提供）",
        )
    cols = [i.id for i in needed]
    frame = frame.with_columns(
        [pl.col(i.id).cast(_DTYPES[i.type]) for i in needed if i.id in frame.columns]
    )
    return Bound(
        frame.select("entity", "kind", "name", "zone", *cols).sort("kind", "entity"),
        origin.select("entity", *cols),
        sources,
        tuple(sorted(runs)),
        tuple(sorted(read)),
    )


# --- formulas over the fact frame ------------------------------------------------------------


def _formula_values(
    inputs: list[Input],
    facts: FactFrame,
    per: Period,
    kinds: list[str],
    wide: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Compute formula inputs as indicators, one per input and level (an input without a
    level is computed at every level its rules apply to), and read attributes directly."""
    fact_levels = [k for k in kinds if k in LEVELS]
    attrs = [i for i in inputs if i.type == "string"]
    computed = [i for i in inputs if i.type != "string"]
    ns = facts_namespace()
    catalogue = {c.code: c for c in default_indicators()}
    mine: list[Indicator] = []
    codes: dict[str, list[str]] = {}
    deps: dict[str, Indicator] = {}
    for i in computed:
        assert i.formula is not None
        levels = [i.level] if i.level is not None else fact_levels
        for lv in levels:
            code = f"input__{i.id}__{lv}"
            codes.setdefault(i.id, []).append(code)
            mine.append(
                Indicator(
                    code=code,
                    zh=i.label,
                    en=i.id,
                    unit=i.unit or "",
                    level=lv,  # type: ignore[arg-type]
                    formula=i.formula,
                    source="pack input",
                )
            )
            stack = list(check(i.formula, ns, functions=ENGINE_FUNCTIONS, level=lv).names)
            while stack:
                n = stack.pop()
                if n in catalogue and n not in deps:
                    deps[n] = catalogue[n]
                    c = catalogue[n]
                    stack += check(c.formula, ns, functions=ENGINE_FUNCTIONS, level=c.level).names
    out = wide.select("entity")
    notes = wide.select("entity")
    if mine:
        res = compute([*deps.values(), *mine], facts, [str(per)], keep_frames=False)
        tidy = res.frame.filter(pl.col("indicator").is_in([m.code for m in mine]))
        got = tidy.pivot(on="indicator", index="entity", values="value")
        out = out.join(got, on="entity", how="left")
        exprs = []
        for i in computed:
            present = [c for c in codes[i.id] if c in out.columns]
            value = pl.coalesce(present) if present else pl.lit(None, dtype=pl.Float64)
            if i.type == "bool":
                value = value != 0
            exprs.append(value.alias(i.id))
        out = out.select("entity", *exprs)
        notes = notes.join(_batches(computed, facts, per), on="entity", how="left")
    for a in attrs:
        assert a.formula is not None
        name = a.formula.strip()
        out = out.join(wide.select("entity", pl.col(name).alias(a.id)), on="entity", how="left")
        notes = notes.with_columns(pl.lit(f"主体属性 {ATTRIBUTES[name][1]}").alias(a.id))
    return out, notes


def values_of(formula: str, level: str, facts: FactFrame, period: Period) -> pl.DataFrame:
    """``entity`` and ``value``: ``formula`` (a variable, a catalogue indicator or an expression
    over them) at ``level`` for ``period``, as a formula input reads it; an entity of another
    level, or without the data, has null. An empty frame when the facts lack the period."""
    if str(period) not in facts.periods(period.kind):
        return pl.DataFrame(schema={"entity": pl.String, "value": pl.Float64})
    wide = facts.wide(period.kind).filter(pl.col("period") == str(period))
    read = Input(id="value", label=formula, level=level, formula=formula)
    values, _ = _formula_values([read], facts, period, [level], wide)
    return values.select(pl.col("entity").cast(pl.String), pl.col("value").cast(pl.Float64))


def _names(facts: FactFrame) -> dict[str, str]:
    return {v.code: v.zh for v in facts.catalogue}


_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9_]*\b")


def formula_words(formula: str, names: Mapping[str, str]) -> str:
    """Where a formula input's value comes from, in words a person reads on the award pages: a
    constant as what the pack fixes (``True`` → 恒为「是」), else the formula with the variables'
    Chinese names for their codes (never ``公式 True``, never a raw code the catalogue names)."""
    f = formula.strip()
    if f in ("True", "False"):
        return f"政策包规定恒为「{'是' if f == 'True' else '否'}」"
    try:
        float(f)
    except ValueError:
        pass
    else:
        return f"政策包规定恒为 {f}"
    text = _IDENTIFIER.sub(lambda m: f"「{names[m[0]]}」" if m[0] in names else m[0], f)
    return f"由统计数据计算：{text}"


def _batches(inputs: list[Input], facts: FactFrame, per: Period) -> pl.DataFrame:
    """Each formula input's origin per entity: the batch of the observation for an input that
    reads one variable as it is, otherwise the formula (its lineage is in gaoxin.indicators)."""
    names = _names(facts)
    obs = facts.observations.filter(pl.col("period") == str(per))
    out = facts.entities.select("entity")
    for i in inputs:
        assert i.formula is not None
        name = i.formula.strip()
        generic = pl.lit(formula_words(i.formula, names))
        if name in names:
            b = latest(obs.filter(pl.col("variable") == name)).select(
                "entity",
                pl.concat_str(
                    [pl.lit(f"统计数据「{names[name]}」，批次 "), pl.col("batch").fill_null("?")]
                ).alias(i.id),
            )
            out = out.join(b, on="entity", how="left").with_columns(
                pl.col(i.id).fill_null(pl.lit(f"统计数据「{names[name]}」：未报送"))
            )
        else:
            out = out.with_columns(generic.alias(i.id))
    return out


# --- evaluation runs --------------------------------------------------------------------------


def _evaluation_values(
    i: Input, history: pl.DataFrame, per: Period
) -> tuple[pl.DataFrame, pl.DataFrame, set[int], tuple[str, str]]:
    ev = i.evaluation
    assert ev is not None
    target = str(per.shift(-ev.lag))
    mine = history.filter(pl.col("framework") == ev.framework).with_columns(
        pl.col("period").cast(pl.String), pl.col("entity").cast(pl.String)
    )
    if ev.field == "consecutive_failures":
        mine = mine.join(
            consecutive_failures(mine, fail_value=FAIL_GRADE), on=["entity", "period", "grade"]
        )
    elif ev.field == "units":
        mine = mine.with_columns(units=pl.len().over("period"))
    elif ev.field == "best_rank_before":
        earlier = (
            mine.filter(pl.col("period") < target)
            .group_by("entity")
            .agg(best_rank_before=pl.col("rank").min())
        )
        mine = mine.join(earlier, on="entity", how="left")
    elif ev.field == "veto":
        v = pl.col("veto")
        flag = v if mine.schema["veto"] == pl.Boolean else (v.cast(pl.String).fill_null("") != "")
        mine = mine.with_columns(veto=flag.fill_null(False))
    rows = mine.filter(pl.col("period") == target)
    run = pl.col("run").cast(pl.String) if "run" in rows.columns else pl.lit("?")
    runs = (
        set(rows["run"].drop_nulls().cast(pl.Int64).to_list()) if "run" in rows.columns else set()
    )
    values = rows.select("entity", pl.col(ev.field).alias(i.id))
    notes = rows.select(
        "entity",
        pl.concat_str(
            [pl.lit(f"评价 {ev.framework} {target} {EVALUATION_FIELDS[ev.field]}，评价运行 #"), run]
        ).alias(i.id),
    )
    return values, notes, runs, (ev.framework, target)


# --- cases of earlier actions ---------------------------------------------------------------


def _case_values(
    i: Input, cases: pl.DataFrame | None, per: Period, as_of: date | None, units: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per unit: whether an earlier period's case of the input's rules exists (``opened``) or
    failed (``failed``: judged 未到位, or still open after its deadline), and the cases that
    say so, cited by number in the origin. A unit with no such case reads False."""
    src = i.cases
    assert src is not None
    frame = pl.DataFrame(schema=CASE_SCHEMA) if cases is None else cases.select(*CASE_COLUMNS)
    overdue = (
        pl.lit(False)
        if as_of is None
        else pl.col("outcome").is_null() & (pl.col("deadline") < pl.lit(as_of))
    )
    word = (
        pl.when(pl.col("outcome") == "failed")
        .then(pl.lit("整改未到位"))
        .when(pl.col("outcome") == "passed")
        .then(pl.lit("整改到位"))
        .when(overdue)
        .then(pl.lit("逾期未整改到位"))
        .otherwise(pl.lit("整改中"))
    )
    mine = (
        frame.with_columns(pl.col("period").cast(pl.String), pl.col("entity").cast(pl.String))
        .filter(pl.col("rule").is_in(src.rules) & (pl.col("period") < str(per)))
        .with_columns(
            failed=(pl.col("outcome") == "failed").fill_null(False) | overdue,
            cite=pl.concat_str(
                [
                    pl.lit("整改案件 "),
                    pl.col("number"),
                    pl.lit("（"),
                    pl.col("period"),
                    pl.lit("，期限 "),
                    pl.col("deadline").dt.to_string("%Y-%m-%d").fill_null("未定"),
                    pl.lit("，"),
                    word,
                    pl.lit("）"),
                ]
            ),
        )
        .sort("period", "number")
    )
    wanted = pl.col("failed") if src.field == "failed" else pl.lit(True)
    per_unit = mine.group_by("entity").agg(
        pl.col("failed").any().alias("_failed"),
        pl.col("cite").filter(wanted).str.join("；").alias("_hit"),
        pl.col("cite").str.join("；").alias("_all"),
    )
    value = pl.col("_failed") if src.field == "failed" else pl.lit(True)
    got = units.join(per_unit, on="entity", how="left")
    has = pl.col("_all").is_not_null()
    values = got.select("entity", pl.when(has).then(value).otherwise(False).alias(i.id))
    notes = got.select(
        "entity",
        pl.when(has & (pl.col("_hit") != ""))
        .then(pl.col("_hit"))
        .when(has)
        .then(pl.col("_all"))
        .otherwise(pl.lit("此前没有相关的整改案件"))
        .alias(i.id),
    )
    return values, notes


# --- supplied inputs --------------------------------------------------------------------------


def _join_supplied(
    frame: pl.DataFrame,
    origin: pl.DataFrame,
    inputs: list[Input],
    supplied: pl.DataFrame | None,
    name: str,
    all_inputs: list[Input],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    if supplied is None or not inputs:
        return (
            frame.with_columns([pl.lit(None, dtype=_DTYPES[i.type]).alias(i.id) for i in inputs]),
            origin.with_columns([pl.lit("用户未提供").alias(i.id) for i in inputs]),
        )
    problems: list[Problem] = []
    bound_ids = {i.id for i in all_inputs if i.source != "supplied"}
    for c in supplied.columns:
        if c in bound_ids:
            problems.append(
                Problem(
                    "awards.input_bound",
                    f"「{c}」由政策包从数据中计算，不能在文件中提供；请删去这一列",
                    file=name,
                    column=c,
                )
            )
    row = supplied[ROW] if ROW in supplied.columns else pl.Series(ROW, [None] * supplied.height)
    given = [c for c in supplied.columns if c not in (ROW, "entity")]
    # a row that gives no value says nothing (a template lists every entity of the inputs'
    # levels, some without data in the period): only a row that gives one must be in the frame
    says = pl.any_horizontal(pl.col(given).is_not_null()) if given else pl.lit(False)
    unknown = supplied.with_columns(row.alias(ROW)).filter(
        ~pl.col("entity").is_in(frame["entity"].implode()) & says
    )
    for r in unknown.select(ROW, "entity").iter_rows():
        problems.append(
            Problem(
                "awards.unknown_entity",
                "本期数据中没有该主体（代码有误，或该主体不属于本政策包适用的对象）",
                file=name,
                row=r[0],
                column="entity",
                value=str(r[1]),
            )
        )
    if problems:
        raise ProblemsError(problems)
    have = [i for i in inputs if i.id in supplied.columns]
    lacking = [i for i in inputs if i.id not in supplied.columns]
    cols = supplied.select("entity", *[i.id for i in have])
    frame = frame.join(cols, on="entity", how="left").with_columns(
        [pl.lit(None, dtype=_DTYPES[i.type]).alias(i.id) for i in lacking]
    )
    where = (
        pl.concat_str([pl.lit(f"{name} 第"), pl.col(ROW).cast(pl.String), pl.lit("行")])
        if ROW in supplied.columns
        else pl.lit(name)
    )
    notes = supplied.select(
        "entity",
        *[pl.when(pl.col(i.id).is_not_null()).then(where).alias(i.id) for i in have],
    )
    origin = origin.join(notes, on="entity", how="left").with_columns(
        [pl.col(i.id).fill_null(pl.lit("用户未提供")) for i in have]
        + [pl.lit("用户未提供").alias(i.id) for i in lacking]
    )
    return frame, origin


def read_supplied(
    source: str | Path | bytes, pack: Pack, *, name: str | None = None
) -> pl.DataFrame:
    """Read a file of supplied inputs: one row per entity, a column for the entity code
    (:data:`ENTITY_HEADERS`) and one per input, headed by its id or its Chinese label (with or
    without the unit, ``一事一议核定金额（万元）``). Returns ``entity``, ``__row`` and a typed
    column per input given; raises :class:`ProblemsError` naming the file, row, column and value
    of every bad cell, unknown header or repeated entity."""
    frame, problems = read_supplied_rows(source, pack, name=name)
    if problems:
        raise ProblemsError(problems)
    assert frame is not None
    return frame


def read_supplied_rows(
    source: str | Path | bytes, pack: Pack, *, name: str | None = None
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """:func:`read_supplied` without the raise: the rows read (``entity``, ``__row``, a column
    per input given) with every problem found, so that a caller can add its own checks of the
    rows (the user's scope) and report all in one round; rows read with problems are for
    checking, never for use. The frame is None when the file has no rows to check (unreadable,
    empty, no entity column)."""
    grids, problems = read_grids(source, name=name)
    file = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    if problems:
        return None, problems
    if not grids or grids[0].frame.height == 0:
        return None, [Problem("awards.inputs_empty", "文件中没有数据", file=file)]
    grid = grids[0]
    frame = grid.frame
    cells = grid.cell_columns
    header = frame.row(0, named=True)
    by_header: dict[str, Input] = {}
    for i in pack.inputs:
        by_header[i.id] = i
        by_header[i.label] = i
        if i.unit:
            for left, right in (("（", "）"), ("(", ")")):
                by_header[f"{i.label}{left}{i.unit}{right}"] = i
    mapping: dict[str, str] = {}
    entity_col = None
    for c in cells:
        h = (header[c] or "").strip()
        if h in ENTITY_HEADERS:
            entity_col = c
        elif h in NAME_HEADERS or not h:
            continue
        elif h in by_header:
            mapping[c] = by_header[h].id
        else:
            problems.append(
                Problem(
                    "awards.unknown_column",
                    "表头不是本政策包的输入变量；可用："
                    + "、".join(f"{i.label}（{i.id}）" for i in pack.inputs),
                    file=file,
                    sheet=grid.sheet,
                    row=header[ROW],
                    column=h,
                    value=h,
                )
            )
    if entity_col is None:
        problems.append(
            Problem(
                "awards.no_entity_column",
                f"找不到主体代码列；表头应为 {'、'.join(ENTITY_HEADERS)} 之一",
                file=file,
                sheet=grid.sheet,
                row=header[ROW],
            )
        )
        return None, problems
    body = frame.slice(1)
    out = body.select(pl.col(ROW), pl.col(entity_col).alias("entity"))
    no_code = out.filter(pl.col("entity").is_null())
    problems += [
        Problem(
            "awards.entity_missing",
            "缺少主体代码",
            file=file,
            sheet=grid.sheet,
            row=r,
            column=header[entity_col],
        )
        for r in no_code[ROW].to_list()
    ]
    dup = out.filter(pl.col("entity").is_duplicated() & pl.col("entity").is_not_null())
    problems += [
        Problem(
            "awards.entity_repeated",
            "同一主体出现多行；每个主体只能有一行",
            file=file,
            sheet=grid.sheet,
            row=r,
            column=header[entity_col],
            value=e,
        )
        for r, e in dup.select(ROW, "entity").iter_rows()
    ]
    typed: list[pl.Series] = []
    for c, iid in mapping.items():
        inp = next(i for i in pack.inputs if i.id == iid)
        raw = body[c]
        if inp.type == "number":
            parsed = parse_numbers(raw)
            value = parsed["number"].cast(pl.Float64)
            bad = raw.is_not_null() & value.is_null() & ~parsed["missing"]
            reason = "应当是数字"
        elif inp.type == "bool":
            value = (
                pl.DataFrame({"r": raw})
                .select(
                    pl.when(pl.col("r").is_in(_TRUE))
                    .then(True)
                    .when(pl.col("r").is_in(_FALSE))
                    .then(False)
                )
                .to_series()
            )
            bad = raw.is_not_null() & value.is_null()
            reason = "应当是“是”或“否”"
        elif inp.values:
            value = raw.str.strip_chars()
            bad = value.is_not_null() & ~value.is_in(inp.values)
            reason = f"应当是{'、'.join(f'“{v}”' for v in inp.values)}之一"
        else:
            value, bad, reason = raw, pl.Series([False] * raw.len()), ""
        problems += [
            Problem(
                "awards.bad_value",
                f"{inp.label}{reason}",
                file=file,
                sheet=grid.sheet,
                row=r,
                column=header[c],
                value=v,
            )
            for r, v in pl.DataFrame({"r": body[ROW], "v": raw}).filter(bad).iter_rows()
        ]
        typed.append(value.alias(iid))
    return out.with_columns(typed), problems
