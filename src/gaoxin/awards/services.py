"""The award jobs as application services (decision 023): :func:`decide` runs a pack's rules on
the store for a period and scope and records the ledger; :func:`explain` says what one entry
rests on. The CLI (``gaoxin awards``, ``gaoxin explain``), the pages and the API render the
result objects they return; the workbook is :mod:`gaoxin.awards.workbook`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from gaoxin.engine.money import FEN_PER_WAN
from gaoxin.engine.problems import ProblemsError
from gaoxin.services import NotFound, check_scope, scope_for

if TYPE_CHECKING:
    from gaoxin.awards.ledger import Recorded
    from gaoxin.awards.models import AwardEntry
    from gaoxin.engine.packs import LoadedPack
    from gaoxin.engine.periods import Period
    from gaoxin.registry.models import Entity

__all__ = [
    "AwardDecision",
    "Explanation",
    "NotRecorded",
    "cap_labels",
    "decide",
    "explain",
    "inputs_template",
    "supplied_inputs",
    "raw_text",
    "trial_decision",
    "totals",
    "wan_text",
]

#: The steps of an award's trace, in the words a reader expects.
STEP_ZH = {
    "raw": "按公式计算",
    "tiered_fen": "按阶梯、舍入后",
    "floor_fen": "下限",
    "cap_fen": "上限",
    "capped_fen": "适用上下限后",
    "rule_cap_fen": "本条款年度总额",
    "after_rule_cap_fen": "按本条款年度总额核减后",
}
#: The limits an award can touch (``capped_by``), before the pack names its own.
CAP_ZH = {"cap": "单个主体上限", "rule_cap": "本条款年度总额", "once": "一次性奖励已发放"}

Totals = dict[str, list[dict[str, Any]]]


class NotRecorded(ProblemsError):
    """The awards were decided but the ledger refused them (an entity not in the registry);
    nothing was written."""


def wan_text(fen: int | None) -> str:
    """分 as 万元 with two decimals and thousands separators (``""`` for none)."""
    return "" if fen is None else f"{Decimal(fen) / FEN_PER_WAN:,.2f}"


def raw_text(v: Any) -> str:
    """A formula's Float64 result as the engine snaps it (10⁻⁸ 万元, gaoxin.engine.money):
    63.423300000000005 reads 63.4233."""
    if not isinstance(v, int | float):
        return str(v)
    return f"{v:,.8f}".rstrip("0").rstrip(".")


def cap_labels(capped_by: list[str] | None, rule_id: str, spec: Any) -> str:
    """The limits that bit, in the words of the pack: the rule's own cap label, budget labels."""
    names = dict(CAP_ZH) | {f"budget:{b.id}": b.label for b in spec.budgets}
    rule = next((r for r in spec.rules if r.id == rule_id), None)
    if rule is not None and rule.money is not None:
        names["cap"] = rule.money.cap_label
    return "、".join(names.get(c, c) for c in capped_by or [])


def totals(ledger: pl.DataFrame, spec: Any) -> Totals:
    """Money by rule, and by the pack's budget lines (the rules each line covers); money on no
    line gets its own row so that the lines add up to the total."""
    money = ledger.filter(pl.col("outcome") == "money")
    by_rule = []
    for r in spec.rules:
        rows = ledger.filter(pl.col("rule") == r.id)
        if r.money is None and rows.is_empty():
            continue
        by_rule.append(
            {
                "rule": r.id,
                "title": r.title or r.id,
                "article": r.cite.article,
                "count": rows.height,
                "amount_fen": int(rows["amount_fen"].fill_null(0).sum()) if r.money else None,
            }
        )
    by_budget = []
    for b in spec.budgets:
        members = b.rules if b.rules is not None else [r.id for r in spec.rules if r.money]
        rows = money.filter(pl.col("rule").is_in(members))
        by_budget.append(
            {
                "budget": b.id,
                "label": b.label,
                "count": rows.height,
                "amount_fen": int(rows["amount_fen"].fill_null(0).sum()),
            }
        )
    on_a_line = {
        r for b in spec.budgets for r in (b.rules or [x.id for x in spec.rules if x.money])
    }
    off = money.filter(~pl.col("rule").is_in(sorted(on_a_line)))
    if by_budget and off.height:
        by_budget.append(
            {
                "budget": None,
                "label": "原文未列明资金渠道",
                "count": off.height,
                "amount_fen": int(off["amount_fen"].fill_null(0).sum()),
            }
        )
    total = int(money["amount_fen"].fill_null(0).sum())
    return {"by_rule": by_rule, "by_budget": by_budget, "total": [{"amount_fen": total}]}


@dataclass(frozen=True)
class MissingInput:
    """One input a rule lacked for some entities: what it is, where it would come from, how
    many entities it left undetermined and the first few of them, in the words an official
    acts on (the working file 待补数据, the trial page): the rule's title and article, the
    input's label and unit (or the values it takes), where its values come from and who
    supplies them, and what to do to fill it. ``source`` is the run's own account of the input
    (:attr:`AwardDecision.sources`, with the data's hash or the file's name)."""

    rule: str
    input: str | None
    label: str
    source: str
    entities: int
    examples: list[str]
    title: str
    article: str
    unit: str
    origin: str
    remedy: str


#: Frame columns a rule may read that are not the pack's inputs, in words.
FRAME_COLUMNS_ZH = {"kind": "主体类型", "zone": "所在高新区", "name": "主体名称"}


def _unit_text(inp: Any) -> str:
    """An input's unit, or the values its cells take when it has none."""
    if inp.unit:
        return str(inp.unit)
    if inp.type == "bool":
        return "是/否"
    if inp.values:
        return "、".join(inp.values)
    return "数字" if inp.type == "number" else "文本"


def _period_text(per: Period) -> str:
    return f"{per} 年" if per.kind == "year" else str(per)


def _origin_and_remedy(inp: Any, decision: AwardDecision) -> tuple[str, str]:
    """Where ``inp``'s values come from and who supplies them, and what an official does to
    fill them for the entities that lack them: the page (and command) and the file or data."""
    import re

    from gaoxin.engine.packs.bindings import formula_words, framework_titles
    from gaoxin.engine.packs.schema import CASE_FIELDS, EVALUATION_FIELDS
    from gaoxin.engine.variables import default_catalogue

    spec, per = decision.spec, decision.period
    source = inp.source
    if source == "formula":
        catalogue = default_catalogue()
        names = {v.code: v.zh for v in catalogue}
        read = [
            catalogue[c]
            for c in dict.fromkeys(re.findall(r"\b[a-z][a-z0-9_]*\b", inp.formula or ""))
            if c in catalogue
        ]
        data = "、".join(f"「{v.zh}」（{v.unit}）" if v.unit else f"「{v.zh}」" for v in read)
        origin = formula_words(inp.formula or "", names)
        if inp.note:
            origin += f"（{inp.note}）"
        return f"{origin}；统计数据由园区填报员报送", (
            f"由园区填报员在「数据导入」页（或命令 gaoxin import）补报这些主体 "
            f"{_period_text(per)}的{data or '相关统计数据'}，经审核发布后重新测算"
        )
    if source == "evaluation":
        ev = inp.evaluation
        title = framework_titles(decision.pack).get(ev.framework) or "本政策文件的评价体系"
        run = _period_text(per.shift(-ev.lag))
        field_zh = EVALUATION_FIELDS.get(ev.field, "评价结果")
        return (
            f"评价结果：「{title}」{run}的{field_zh}",
            f"这些主体不在「{title}」{run}的评价结果中：补齐其评价数据后，在「评价结果」页重新"
            "开展该期评价，再重新测算",
        )
    if source == "cases":
        titles = {r.id: r.title or "" for r in spec.rules}
        rules = "、".join(f"「{titles[r]}」" for r in inp.cases.rules if titles.get(r))
        return (
            f"整改案件（{rules}）：{CASE_FIELDS[inp.cases.field]}",
            "在「整改案件」页核对并登记这些主体的整改情况后重新测算",
        )
    header = f"{inp.label}（{inp.unit}）" if inp.unit else inp.label
    return (
        f"用户提供：{inp.note}" if inp.note else "用户提供（数据库中没有）",
        f"在「奖补台账」→「测算奖补」页点「下载输入模板」，在模板（或本次所用的输入文件）中为"
        f"这些主体填写「{header}」列，上传后重新测算（命令行：gaoxin awards --inputs 文件）",
    )


@dataclass(frozen=True)
class AwardDecision:
    """What :func:`decide` decided: the ledger rows (one per rule and entity, sorted), their
    totals, the rows left undetermined for want of an input, the rules not run for want of a
    parameter, where each input came from, and what was recorded (None on a dry run)."""

    pack: LoadedPack
    period: Period
    scope: Entity | None
    ledger: pl.DataFrame
    totals: Totals
    undetermined: pl.DataFrame
    #: rule id -> the parameters the document leaves open that it still needs
    skipped: dict[str, list[str]]
    #: input id -> (kind, description) of where its values came from
    sources: dict[str, tuple[str, str]]
    evaluation_runs: tuple[int, ...]
    names: dict[str, str]
    parameters: dict[str, str]
    recorded: Recorded | None = None
    #: (rule, entity code) -> ledger entry id of the standing entry, once recorded
    ids: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def spec(self) -> Any:
        return self.pack.spec

    @property
    def total_fen(self) -> int:
        return int(self.totals["total"][0]["amount_fen"])

    def missing_inputs(self) -> list[MissingInput]:
        """The undetermined rows summed per rule and missing input (待补数据), in the pack's
        order of rules and inputs."""
        und = self.undetermined
        if und.is_empty():
            return []
        spec = self.spec
        inputs = {i.id: i for i in spec.inputs}
        rules = {r.id: r for r in spec.rules}
        rule_order = {r: n for n, r in enumerate(rules)}
        input_order = {i: n for n, i in enumerate(inputs)}
        by = (
            und.explode("missing")
            .group_by("rule", "missing")
            .agg(pl.len().alias("n"), pl.col("entity").sort().head(3).alias("e"))
            .sort(
                pl.col("rule").replace_strict(rule_order, default=len(rule_order)),
                pl.col("missing").replace_strict(input_order, default=len(input_order)),
                "rule",
                "missing",
                nulls_last=True,
            )
        )
        out = []
        for rule, miss, n, e in by.iter_rows():
            inp = inputs.get(miss) if miss else None
            if inp is not None:
                label, unit = inp.label, _unit_text(inp)
                origin, remedy = _origin_and_remedy(inp, self)
            else:  # a column of the frame, or an amount no single input explains
                label = FRAME_COLUMNS_ZH.get(miss or "", "未能确定缺少哪项数据")
                unit, origin = "", "登记库与统计数据"
                remedy = "核对这些主体在该条款读取的登记信息和统计数据后重新测算"
            r = rules.get(rule)
            out.append(
                MissingInput(
                    rule=rule,
                    input=miss,
                    label=label,
                    source=self.sources.get(miss, ("", ""))[1] if miss else "",
                    entities=n,
                    examples=list(e),
                    title=(r.title or f"第{r.cite.article}条") if r is not None else "",
                    article=r.cite.article if r is not None else "",
                    unit=unit,
                    origin=origin,
                    remedy=remedy,
                )
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data (``gaoxin awards --json``; the API)."""
        rows = []
        for r in self.ledger.to_dicts():
            rows.append(
                {
                    "id": self.ids.get((r["rule"], r["entity"])),
                    "rule": r["rule"],
                    "article": r["article"],
                    "entity": r["entity"],
                    "name": r["name"],
                    "period": r["period"],
                    "outcome": r["outcome"],
                    "amount_fen": r["amount_fen"],
                    "amount_wan": None if r["amount_fen"] is None else str(r["amount"]),
                    "action": r["action"],
                    "paid_in": r["paid_in"],
                    "capped_by": r["capped_by"],
                    "text": r["text"],
                    "inputs": json.loads(r["inputs"] or "{}"),
                }
            )
        und = self.undetermined
        return {
            "pack": self.spec.id,
            "title": self.spec.title,
            "period": str(self.period),
            "ledger": rows,
            "totals": self.totals,
            "undetermined": und.to_dicts() if und.height else [],
            "sources": {k: {"kind": v[0], "description": v[1]} for k, v in self.sources.items()},
            "evaluation_runs": list(self.evaluation_runs),
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )


def trial_decision(data: Mapping[str, Any], scope: Entity | None, *, by: Any) -> AwardDecision:
    """A trial's decision again, from what its job kept (``Job.result_data``: :meth:`AwardDecision.
    as_dict`) and the registry's names within ``scope`` that ``by`` may see: enough for
    :meth:`AwardDecision.missing_inputs` and the working file 待补数据 (the ledger rows are not
    kept as frames; nothing is decided or recorded). Refuses (OutOfScope) a scope outside
    ``by``'s."""
    from gaoxin.engine.periods import Period
    from gaoxin.policy.packs import find_pack
    from gaoxin.registry.models import Entity

    check_scope(by, scope)
    und = pl.DataFrame(
        [
            {k: r.get(k) for k in ("rule", "entity", "reason", "missing")}
            for r in data["undetermined"]
        ],
        schema={
            "rule": pl.String,
            "entity": pl.String,
            "reason": pl.String,
            "missing": pl.List(pl.String),
        },
        orient="row",
    )
    entities = Entity.objects.within(scope)
    if by is not None:
        entities = entities.restrict(by)
    codes = und["entity"].unique().to_list()
    return AwardDecision(
        pack=find_pack(data["pack"]),
        period=Period.parse(data["period"]),
        scope=scope,
        ledger=pl.DataFrame(),
        totals=data["totals"],
        undetermined=und,
        skipped={},
        sources={k: (v["kind"], v["description"]) for k, v in data["sources"].items()},
        evaluation_runs=tuple(data["evaluation_runs"]),
        names=dict(entities.filter(code__in=codes).values_list("code", "name")),
        parameters={},
    )


def _pack_hash(d: Path) -> str:
    from gaoxin.evaluation.frameworks import pack_hash

    return pack_hash(d)


def paid_before(pack_id: str, period: str) -> pl.DataFrame:
    """(rule, entity, period) of the money a pack's rules paid in other periods and still
    standing: a one-off award is not paid twice."""
    from gaoxin.awards.models import AwardEntry

    rows = list(
        AwardEntry.objects.standing()
        .filter(pack=pack_id, outcome="money", amount_fen__gt=0)
        .exclude(period=period)
        .values_list("rule", "entity__code", "period")
    )
    return pl.DataFrame(
        rows, schema={"rule": pl.String, "entity": pl.String, "period": pl.String}, orient="row"
    )


# --- inputs the user supplies (decision 082) -------------------------------------------------


@dataclass(frozen=True)
class InputsTemplate:
    """What a template of a pack's supplied inputs holds: the inputs (``inputs``), the kinds of
    entity each is given for (``kinds``: input id → kinds), and one row per entity of those
    kinds in the scope (``entities``: ``kind``, ``entity`` (its code), ``name``), ordered by kind
    as the pack's levels run, then by code."""

    inputs: list[Any]
    kinds: dict[str, list[str]]
    entities: pl.DataFrame


def supplied_needed(pack: LoadedPack) -> list[Any]:
    """The inputs some rule of ``pack`` reads that the user supplies, in the pack's order."""
    from gaoxin.engine.packs.bindings import inputs_read

    return [i for i in inputs_read(pack) if i.source == "supplied"]


def _input_kinds(pack: LoadedPack, inp: Any) -> list[str]:
    """The kinds of entity ``inp`` is given for: its level, else every kind the rules apply to."""
    return [inp.level] if inp.level is not None else pack.spec.rule_kinds


def inputs_template(pack: LoadedPack, scope: Entity | None, *, by: Any) -> InputsTemplate:
    """The rows a file of ``pack``'s supplied inputs has over ``scope``: every entity of the
    inputs' levels there (a level with no entity in the registry, such as 科技城, has no row).
    Refuses (OutOfScope) a scope outside ``by``'s."""
    from gaoxin.registry.models import Entity

    check_scope(by, scope)
    inputs = supplied_needed(pack)
    kinds = {i.id: _input_kinds(pack, i) for i in inputs}
    wanted = list(dict.fromkeys(k for ks in kinds.values() for k in ks))
    rows = (
        Entity.objects.within(scope)
        .filter(kind__in=wanted)
        .order_by("code")
        .values_list("kind", "code", "name")
    )
    entities = pl.DataFrame(
        list(rows), schema={"kind": pl.String, "entity": pl.String, "name": pl.String}, orient="row"
    )
    order = {k: n for n, k in enumerate(wanted)}
    entities = entities.sort(pl.col("kind").replace_strict(order), "entity")
    return InputsTemplate(inputs, kinds, entities)


def supplied_inputs(
    pack: LoadedPack, source: Path | bytes, scope: Entity | None, *, name: str | None = None
) -> pl.DataFrame:
    """Read a file of ``pack``'s supplied inputs (:func:`~gaoxin.engine.packs.bindings.
    read_supplied`) and refuse any entity that is not, in the registry, of a kind the pack's
    rules apply to within ``scope``: an entity of another scope reads as an unknown one (file,
    row, code), never used. Raises :class:`ProblemsError` with every problem of the file in one
    round, bad values and entities alike, by row."""
    from gaoxin.engine.packs.bindings import read_supplied_rows
    from gaoxin.engine.problems import Problem
    from gaoxin.registry.models import Entity

    frame, problems = read_supplied_rows(source, pack.spec, name=name)
    if frame is None:
        raise ProblemsError(problems)
    file = name or (Path(source).name if isinstance(source, Path) else "upload")
    kinds = pack.spec.rule_kinds
    known = pl.Series(
        "entity",
        list(Entity.objects.within(scope).filter(kind__in=kinds).values_list("code", flat=True)),
        dtype=pl.String,
    )
    unknown = frame.filter(~pl.col("entity").cast(pl.String).is_in(known.implode()))
    where = scope.name if scope is not None else "全部数据"
    outside = [
        Problem(
            "awards.entity_out_of_scope",
            f"「{where}」范围内没有该主体（代码有误、不在本次测算的范围内，"
            "或不属于本政策包适用的对象）；请删去这一行或更正代码",
            file=file,
            row=row,
            column="主体代码",
            value=str(code),
        )
        for row, code in unknown.select("__row", "entity").iter_rows()
    ]
    if outside or problems:
        # by row, the entity's code before the row's values (a stable sort keeps each row's order)
        together = sorted(outside + problems, key=lambda p: (p.row is not None, p.row or 0))
        raise ProblemsError(together)
    return frame


def decide(
    pack: LoadedPack,
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    dry_run: bool = False,
    inputs: Path | None = None,
    params: Mapping[str, Any] | None = None,
    decided_on: date | None = None,
) -> AwardDecision:
    """Decide the awards and actions of ``pack``'s rules for ``period`` over ``scope`` (None:
    the whole store) from the store, the current evaluation runs and the user's ``inputs`` file
    (XLSX/CSV, one row per entity, Chinese headers), with ``params`` setting what the document
    leaves open; unless ``dry_run``, record them in the ledger (only what changed, as ``by``, on
    ``decided_on``, default today).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    :class:`~gaoxin.engine.problems.ProblemsError` on bad input (the inputs file, a parameter, a
    missing evaluation run); in both cases nothing is written."""
    from django.utils import timezone

    import gaoxin
    from gaoxin.awards.ledger import Receipt, record
    from gaoxin.awards.models import AwardEntry
    from gaoxin.cases.services import cases_frame
    from gaoxin.engine.packs.bindings import evaluations_needed, rules_frame
    from gaoxin.engine.problems import Problem
    from gaoxin.engine.rules import run_rules
    from gaoxin.evaluation.store import rules_history
    from gaoxin.policy.packs import parameters, runnable_rules, scope_hint
    from gaoxin.statistics import analytics

    check_scope(by, scope)
    spec = pack.spec
    day = decided_on or timezone.localdate()
    try:
        given = parameters(params)
        supplied = supplied_inputs(pack, inputs, scope) if inputs is not None else None
        # published data only (decision 041): the analytics tables, brought up to date first
        facts, _ = analytics.facts(scope, by=by, fresh=True)
        hist, _runs = rules_history(evaluations_needed(pack, period), scope)
        bound = rules_frame(
            pack,
            facts,
            period,
            hist,
            supplied,
            supplied_name=inputs.name if inputs else "输入文件",
            scope=scope_hint(spec.region, scope),
            cases=cases_frame(spec.id, scope),
            as_of=day,
        )
        ok, skipped = runnable_rules(pack, given)
        outcomes = run_rules(
            pack,
            bound.frame,
            period,
            parameters=given,
            rules=ok,
            paid_before=paid_before(spec.id, str(period)),
        )
    except ValueError as e:  # the engine's refusal of a value it cannot use
        raise ProblemsError([Problem("awards.input", str(e))]) from None

    names = dict(bound.frame.select("entity", "name").iter_rows())
    ledger = outcomes.traces.with_columns(
        name=pl.col("entity").replace_strict(names, default=None)
    ).sort("rule", "entity")
    recorded = None
    ids: dict[tuple[str, str], int] = {}
    if not dry_run:
        receipt = Receipt(
            spec.id,
            _pack_hash(pack.path) if pack.path else "",
            f"gaoxin {gaoxin.__version__}",
            facts.input_hash,
            bound.runs,
        )
        try:
            recorded = record(
                outcomes,
                bound,
                receipt,
                str(period),
                decided_on=day,
                parameters=given,
                scope=scope,
                by=by,
            )
        except ProblemsError as e:
            raise NotRecorded(e.problems) from None
        standing = AwardEntry.objects.standing().filter(pack=spec.id, period=str(period))
        ids = {
            (r, c): i
            for r, c, i in standing.within(scope).values_list("rule", "entity__code", "id")
        }
    return AwardDecision(
        pack=pack,
        period=period,
        scope=scope,
        ledger=ledger,
        totals=totals(ledger, spec),
        undetermined=outcomes.undetermined,
        skipped=skipped,
        sources=dict(bound.sources),
        evaluation_runs=tuple(bound.runs),
        names=names,
        parameters=given,
        recorded=recorded,
        ids=ids,
    )


# ---------------------------------------------------------------------------------------------
# explain


@dataclass(frozen=True)
class ExplainedInput:
    """One input of an entry: its label, id, value as read and where it came from."""

    label: str
    name: str
    value: str
    origin: str


@dataclass(frozen=True)
class Explanation:
    """What one ledger entry rests on, in the words a reader needs: the entry, the entry that
    reversed it (if any), the outcome, each input with its origin, the calculation steps, the
    limits that bit and the receipt."""

    entry: AwardEntry
    reversed_by: AwardEntry | None
    result: str
    inputs: list[ExplainedInput]
    #: (step, amount text in 万元) in the order the rule applied them
    steps: list[tuple[str, str]]
    caps: str
    receipt: str

    @property
    def kind(self) -> str:
        return "冲销" if self.entry.kind == "reversal" else "核定"


def _value(v: Any) -> str:
    if v is None:
        return "缺失"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def explain(entry_id: int, *, by: Any) -> Explanation:
    """Explain ledger entry ``entry_id``. :class:`~gaoxin.services.NotFound` when there is no
    such entry in ``by``'s scope (one answer for both)."""
    from gaoxin.awards.models import AwardEntry
    from gaoxin.engine.packs import ACTION_ZH
    from gaoxin.policy.packs import find_pack

    e = (
        AwardEntry.objects.within(scope_for(by))
        .select_related("entity", "reverses")
        .filter(pk=entry_id)
        .first()
    )
    if e is None:
        raise NotFound(f"台账中没有第 {entry_id} 号记录", value=str(entry_id))
    labels: dict[str, str] = {}
    notes: dict[str, str] = {}
    cap_zh = dict(CAP_ZH)
    try:
        spec = find_pack(e.pack).spec
        labels = {i.id: i.label for i in spec.inputs} | {p.id: p.label for p in spec.parameters}
        notes = {i.id: i.note for i in spec.inputs if i.note}
        cap_zh |= {f"budget:{b.id}": b.label for b in spec.budgets}
        rule = next((r for r in spec.rules if r.id == e.rule), None)
        if rule is not None and rule.money is not None:
            cap_zh["cap"] = rule.money.cap_label
    except ProblemsError:
        pass  # the pack is gone or broken: the entry still explains itself in its own words
    if e.outcome == "action":
        result = ACTION_ZH.get(e.action, e.action)
    else:
        result = f"{wan_text(e.amount_fen)} 万元"
    trace = e.trace or {}
    params = trace.get("parameters") or {}
    inputs = []
    for k, v in (trace.get("inputs") or {}).items():
        origin = (trace.get("origins") or {}).get(k) or (trace.get("sources") or {}).get(k)
        if origin is None:
            origin = "运行时设定的参数" if k in params else "政策包参数"
        if k in notes:
            origin = f"{origin}（{notes[k]}）"
        inputs.append(ExplainedInput(labels.get(k, k), k, _value(v), origin))
    steps = []
    for k, v in trace.items():
        if v is None or not (k in STEP_ZH or k.startswith("after_")):
            continue
        name = (
            STEP_ZH.get(k)
            or "按"
            + cap_zh.get("budget:" + k.removeprefix("after_").removesuffix("_fen"), k)
            + "核减后"
        )
        steps.append((name, raw_text(v) if k == "raw" else wan_text(int(v))))
    from django.utils.translation import gettext

    receipt = gettext(
        "引擎 %(engine)s；政策包哈希 %(pack)s；输入数据哈希 %(input)s；评价运行 %(runs)s"
    ) % {
        "engine": e.engine_version,
        "pack": e.pack_hash[:16],
        "input": e.input_hash[:16],
        "runs": ", ".join(f"#{r}" for r in e.evaluation_runs) or gettext("无"),
    }
    return Explanation(
        entry=e,
        reversed_by=AwardEntry.objects.filter(reverses=e).first(),
        result=result,
        inputs=inputs,
        steps=steps,
        caps="、".join(cap_zh.get(c, c) for c in e.capped_by or []),
        receipt=receipt,
    )


# ---------------------------------------------------------------------------------------------
# eligible (免申即享)


@dataclass(frozen=True)
class EligibleList:
    """Who qualifies (``qualified``: rule, entity, outcome, amount_fen, action, text) and who
    might, with the data still missing (``possible``: rule, entity, missing_labels, needs) under
    the chosen rules; the rules left out for want of a parameter (``skipped``) or of an
    evaluation run not made yet (``waiting``: rule -> the (framework, period) runs it reads)."""

    pack: LoadedPack
    period: Period
    scope: Entity | None
    qualified: pl.DataFrame
    possible: pl.DataFrame
    skipped: dict[str, list[str]]
    waiting: dict[str, list[tuple[str, str]]]
    names: dict[str, str]

    @property
    def spec(self) -> Any:
        return self.pack.spec

    @property
    def titles(self) -> dict[str, str]:
        return {r.id: r.title or r.id for r in self.spec.rules}


def _rules_reading(pack: LoadedPack, period: Period, missing: Any) -> list[str]:
    """The rules that read an input bound to one of the ``missing`` (framework, period) runs."""
    from dataclasses import replace

    from gaoxin.engine.packs.bindings import evaluations_needed

    spec, missing = pack.spec, set(missing)
    return [
        r.id
        for r in spec.rules
        if missing
        & set(
            evaluations_needed(replace(pack, spec=spec.model_copy(update={"rules": [r]})), period)
        )
    ]


def eligible(
    pack: LoadedPack,
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    rules: list[str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> EligibleList:
    """免申即享: who qualifies under ``pack``'s ``rules`` (default: all) for ``period`` over
    ``scope`` from the data the store already holds, and who might, with the data still
    missing. Records nothing. A rule reading an evaluation not yet run is left out (and said
    so in ``waiting``), not the list.

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError on an unknown rule or a bad parameter."""
    from dataclasses import replace

    from django.utils import timezone

    from gaoxin.cases.services import cases_frame
    from gaoxin.engine.eligibility import eligibility
    from gaoxin.engine.packs.bindings import EvaluationMissing, evaluations_needed, rules_frame
    from gaoxin.engine.problems import Problem
    from gaoxin.evaluation.store import rules_history
    from gaoxin.policy.packs import parameters, runnable_rules, scope_hint
    from gaoxin.statistics import analytics

    check_scope(by, scope)
    spec = pack.spec
    unknown = sorted(set(rules or ()) - {r.id for r in spec.rules})
    if unknown:
        raise ProblemsError(
            Problem("eligible.rule", f"政策包中没有规则「{r}」", value=r) for r in unknown
        )
    given = parameters(params)
    ok, skipped = runnable_rules(pack, given)
    chosen = [r for r in ok if not rules or r in rules]
    facts, _ = analytics.facts(scope, by=by, fresh=True)  # published data only (decision 041)
    waiting: dict[str, list[tuple[str, str]]] = {}
    while True:
        subset = replace(
            pack, spec=spec.model_copy(update={"rules": [r for r in spec.rules if r.id in chosen]})
        )
        try:
            hist, _ = rules_history(evaluations_needed(subset, period), scope)
            bound = rules_frame(
                subset,
                facts,
                period,
                hist,
                None,
                scope=scope_hint(spec.region, scope),
                cases=cases_frame(spec.id, scope),
                as_of=timezone.localdate(),
            )
            break
        except EvaluationMissing as e:
            blocked = _rules_reading(subset, period, e.missing)
            for r in blocked:
                waiting[r] = list(e.missing)
            chosen = [r for r in chosen if r not in blocked]
            if not blocked:
                raise
    result = eligibility(pack, bound.frame, period, rules=chosen, parameters=given)
    return EligibleList(
        pack=pack,
        period=period,
        scope=scope,
        qualified=result.qualified,
        possible=result.possible,
        skipped={r: need for r, need in skipped.items() if not rules or r in rules},
        waiting=waiting,
        names=dict(bound.frame.select("entity", "name").iter_rows()),
    )
