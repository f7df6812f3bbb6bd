"""Test cases for a policy pack, in the manner of OpenFisca's YAML tests: a policy officer writes
who the entities are and what the document says they should get; ``run_cases`` runs the pack's
rules on them and compares exactly.

A case file (``<pack>/cases/*.yaml``) is a list of cases::

    - name: 新认定高新技术企业奖补20万元
      period: 2023
      entities:
        - {entity: e1, kind: enterprise, in_zone: true, newly_certified_hte: true}
      paid_before: [{rule: new-hte, entity: e0, period: "2022"}]   # optional
      history: [{entity: z1, period: "2022", grade: 不合格}]          # optional
      parameters: {rank_fall_threshold: 5}                            # optional
      rules: [new-hte]                                                # optional: run only these
      expect:
        - {rule: new-hte, entity: e1, amount: "20"}
        - {rule: revoke-after-two-fails, entity: z1, action: revoke}
      expect_none: [new-sti]

The comparison is exact: every ledger row of the rules run must be expected, and every expected
row must be in the ledger with the same amount (Decimal, 万元) or action. A row paid 0 because
of ``once`` is still a row: expect it with ``amount: "0"``. ``history`` (entity, period, grade)
gives ``consecutive_failures`` for the case's period (docs/packs.md). A bad case file raises
:class:`ProblemsError` naming the file and line of each problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gaoxin.engine.packs.loader import LoadedPack, load_pack, pydantic_message_zh
from gaoxin.engine.packs.yaml_lines import YamlPath, line_of, read_yaml
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.problems import Problem, ProblemsError, yaml_problem
from gaoxin.engine.rules import consecutive_failures, run_rules

CASES_DIR = "cases"
FAIL_GRADE = "不合格"


# --- the case file format --------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(v: object) -> object:
    # YAML reads ``period: 2023`` as a number; a period is text.
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class ExpectSpec(_Strict):
    rule: str
    entity: str
    amount: str | None = None
    action: str | None = None
    paid_in: int | None = None  # the year of payment, for ``paid: next_year`` rules

    _t = field_validator("entity", mode="before")(_text)

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, v: object) -> object:
        if isinstance(v, float):
            raise ValueError(f'金额请写成带引号的字符串（如 "{v}"），以免按浮点数读取')
        v = _text(v)
        if isinstance(v, str):
            try:
                Decimal(v)
            except InvalidOperation:
                raise ValueError(f"金额「{v}」不是数字（单位：万元）") from None
        return v

    @model_validator(mode="after")
    def _one(self) -> ExpectSpec:
        if (self.amount is None) == (self.action is None):
            raise ValueError("每条期望必须且只能写 amount（金额，万元）或 action（措施）之一")
        return self


class PaidSpec(_Strict):
    rule: str
    entity: str
    period: str | None = None

    _t = field_validator("entity", "period", mode="before")(_text)


class HistorySpec(_Strict):
    entity: str
    period: str
    grade: str

    _t = field_validator("entity", "period", mode="before")(_text)


class CaseSpec(_Strict):
    name: str = Field(min_length=1)
    period: str
    entities: list[dict[str, Any]] = Field(min_length=1)
    history: list[HistorySpec] = []
    paid_before: list[PaidSpec] = []
    parameters: dict[str, Decimal] = {}
    rules: list[str] | None = None
    expect: list[ExpectSpec] = []
    expect_none: list[str] = []

    _t = field_validator("period", mode="before")(_text)

    @field_validator("parameters", mode="before")
    @classmethod
    def _no_float(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: str(x) if isinstance(x, int | float) else x for k, x in v.items()}
        return v


@dataclass(frozen=True)
class Case:
    spec: CaseSpec
    file: str
    line: int | None
    lines: Mapping[YamlPath, int] = field(default_factory=dict, repr=False)
    index: int = 0

    @property
    def name(self) -> str:
        return self.spec.name

    def line_of(self, *path: str | int) -> int | None:
        return line_of(self.lines, (self.index, *path))


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One (rule, entity) where the expectation and the run differ. ``expected``/``got`` are the
    amount in 万元 (``"20"``) or the action (``"revoke"``); None where there is no row."""

    rule: str
    entity: str
    expected: str | None
    got: str | None
    text: str | None = None  # the trace sentence of the row that was computed
    note: str | None = None  # e.g. why there is no row (missing data)

    def __str__(self) -> str:
        exp = "无结果" if self.expected is None else _show(self.expected)
        got = "无结果" if self.got is None else _show(self.got)
        out = f"规则 {self.rule} · 主体 {self.entity}：期望 {exp}，实际 {got}"
        if self.note:
            out += f"（{self.note}）"
        if self.text:
            out += f"\n    说明：{self.text}"
        return out


@dataclass(frozen=True)
class CaseResult:
    case: Case
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches

    @property
    def where(self) -> str:
        return f"{self.case.file}:{self.case.line}" if self.case.line else self.case.file

    def diff(self) -> str:
        """The readable difference: expected vs got per (rule, entity), with the trace."""
        if self.error:
            return f"运行出错：{self.error}"
        return "\n".join(str(m) for m in self.mismatches)


def _show(v: str) -> str:
    try:
        return f"{_plain(Decimal(v))} 万元"
    except InvalidOperation:
        return v


def _plain(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s


# --- finding case files ----------------------------------------------------------------------


def discover(path: str | Path) -> tuple[Path, list[Path]]:
    """A pack directory gives (itself, its ``cases/*.yaml``); a case file gives (the pack it
    belongs to — the directory above ``cases/`` — , [the file])."""
    p = Path(path)
    if p.is_dir():
        return p, sorted([*(p / CASES_DIR).glob("*.yaml"), *(p / CASES_DIR).glob("*.yml")])
    pack_dir = p.parent.parent if p.parent.name == CASES_DIR else p.parent
    return pack_dir, [p]


# --- reading ---------------------------------------------------------------------------------


def load_cases(path: str | Path, pack: LoadedPack) -> list[Case]:
    """The cases of one file, checked against ``pack``; raises :class:`ProblemsError` with the
    file and line of every problem found."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ProblemsError(
            [Problem("cases.missing", f"无法读取用例文件：{e.strerror}", file=file)]
        ) from e
    try:
        doc = read_yaml(text)
    except yaml.YAMLError as e:
        raise ProblemsError([yaml_problem("cases.yaml", e, file)]) from e
    if doc.root is None:
        raise ProblemsError([Problem("cases.empty", "用例文件是空的", file=file)])
    lines, data = doc.lines, doc.data
    if not isinstance(data, list):
        raise ProblemsError(
            [
                Problem(
                    "cases.not_list",
                    "用例文件应当是用例的列表（每项以 - name: 开头）",
                    file=file,
                    row=1,
                )
            ]
        )
    problems: list[Problem] = []
    cases: list[Case] = []
    for i, item in enumerate(data):
        try:
            spec = CaseSpec.model_validate(item)
        except ValidationError as e:
            for err in e.errors():
                loc = (i, *err["loc"])
                where = ".".join(str(x) for x in err["loc"]) or "用例"
                problems.append(
                    Problem(
                        f"cases.schema.{err['type']}",
                        f"第{i + 1}个用例「{where}」：{pydantic_message_zh(err)}",
                        file=file,
                        row=line_of(lines, loc),
                        column=where,
                    )
                )
            continue
        case = Case(spec, file, line_of(lines, (i,)), lines, i)
        problems += _check_case(case, pack)
        cases.append(case)
    if problems:
        raise ProblemsError(problems)
    return cases


def _check_case(case: Case, pack: LoadedPack) -> list[Problem]:
    spec, s = pack.spec, case.spec
    rule_ids = {r.id for r in spec.rules}
    inputs = {i.id: i for i in spec.inputs}
    params = {p.id for p in spec.parameters}
    out: list[Problem] = []

    def bad(code: str, msg: str, *path: str | int, value: Any = None) -> None:
        out.append(
            Problem(
                f"cases.{code}",
                f"用例「{s.name}」：{msg}",
                file=case.file,
                row=case.line_of(*path),
                value=None if value is None else str(value),
            )
        )

    try:
        Period.parse(s.period)
    except PeriodError as e:
        bad("period", f"期间无法识别：{e}", "period", value=s.period)
    for j, r in enumerate(s.rules or []):
        if r not in rule_ids:
            bad("unknown_rule", f"政策包中没有规则「{r}」", "rules", j, value=r)
    for j, r in enumerate(s.expect_none):
        if r not in rule_ids:
            bad("unknown_rule", f"政策包中没有规则「{r}」", "expect_none", j, value=r)
    for j, x in enumerate(s.expect):
        if x.rule not in rule_ids:
            bad("unknown_rule", f"政策包中没有规则「{x.rule}」", "expect", j, "rule", value=x.rule)
        else:
            rule = spec.rule(x.rule)
            if rule.money is not None and x.action is not None:
                bad("outcome", f"规则「{x.rule}」是奖补规则，请写 amount", "expect", j)
            if rule.action is not None and x.amount is not None:
                bad("outcome", f"规则「{x.rule}」是措施（{rule.action}），请写 action", "expect", j)
            if rule.action is not None and x.action not in (None, rule.action):
                bad(
                    "outcome",
                    f"规则「{x.rule}」的措施是 {rule.action}",
                    "expect",
                    j,
                    value=x.action,
                )
        if x.rule in s.expect_none:
            bad("contradiction", f"规则「{x.rule}」既在 expect 又在 expect_none", "expect", j)
    for p in s.parameters:
        if p not in params:
            bad("unknown_parameter", f"政策包中没有参数「{p}」", "parameters", p, value=p)
    seen: set[str] = set()
    for j, row in enumerate(s.entities):
        ent = row.get("entity")
        if ent is None:
            bad("entity", "每个主体都要写 entity（编号）", "entities", j)
        elif str(ent) in seen:
            bad("entity", f"主体编号「{ent}」重复", "entities", j, "entity", value=ent)
        else:
            seen.add(str(ent))
        if "kind" not in row:
            bad("entity", "每个主体都要写 kind（主体类型，如 zone、enterprise）", "entities", j)
        for k, v in row.items():
            if k in ("entity", "kind"):
                continue
            if k not in inputs:
                bad("unknown_column", f"「{k}」不是政策包的输入数据列", "entities", j, k, value=k)
                continue
            t = inputs[k].type
            ok = (
                v is None
                or (t == "bool" and isinstance(v, bool))
                or (t == "number" and isinstance(v, int | float) and not isinstance(v, bool))
                or (t == "string" and isinstance(v, str))
            )
            if not ok:
                want = {"bool": "true/false", "number": "数字", "string": "文字"}[t]
                bad("type", f"「{k}」应为{want}", "entities", j, k, value=v)
    return out


# --- running ---------------------------------------------------------------------------------

_DTYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "number": pl.Float64(),
    "string": pl.String(),
}


def _frame(case: Case, pack: LoadedPack) -> pl.DataFrame:
    """One row per entity, with every input column of the pack (null where the case is silent:
    a rule that reads it leaves the entity undetermined rather than failing the whole run)."""
    schema: dict[str, pl.DataType] = {"entity": pl.String(), "kind": pl.String()}
    for i in pack.spec.inputs:
        schema[i.id] = _DTYPES[i.type]
    rows = [{k: (str(v) if k == "entity" else v) for k, v in r.items()} for r in case.spec.entities]
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    if case.spec.history:
        hist = pl.DataFrame(
            [h.model_dump() for h in case.spec.history],
            schema={"entity": pl.String, "period": pl.String, "grade": pl.String},
        )
        runs = consecutive_failures(hist, "grade", FAIL_GRADE)
        now = runs.filter(pl.col("period") == str(Period.parse(case.spec.period))).select(
            "entity", pl.col("consecutive_failures").cast(pl.Float64).alias("_cf")
        )
        frame = frame.join(now, on="entity", how="left")
        if "consecutive_failures" in frame.columns:
            frame = frame.with_columns(
                consecutive_failures=pl.coalesce("consecutive_failures", "_cf")
            ).drop("_cf")
        else:
            frame = frame.rename({"_cf": "consecutive_failures"})
    return frame


def run_case(case: Case, pack: LoadedPack) -> CaseResult:
    s = case.spec
    frame = _frame(case, pack)
    paid = (
        pl.DataFrame(
            [p.model_dump() for p in s.paid_before],
            schema={"rule": pl.String, "entity": pl.String, "period": pl.String},
        )
        if s.paid_before
        else None
    )
    try:
        out = run_rules(
            pack,
            frame,
            s.period,
            paid_before=paid,
            parameters={k: v for k, v in s.parameters.items()},
            rules=s.rules,
        )
    except ProblemsError as e:
        return CaseResult(case, error="；".join(p.message for p in e.problems))

    got: dict[tuple[str, str], tuple[str, str, int]] = {}
    for r in out.traces.select(
        "rule", "entity", "outcome", "amount_fen", "action", "text", "paid_in"
    ).iter_rows(named=True):
        value = (
            _plain(Decimal(int(r["amount_fen"])) / Decimal(1_000_000))
            if r["outcome"] == "money"
            else r["action"]
        )
        got[(r["rule"], r["entity"])] = (value, r["text"], r["paid_in"])
    missing: dict[tuple[str, str], list[str]] = {}
    if out.undetermined.height:
        for r in out.undetermined.iter_rows(named=True):
            missing[(r["rule"], r["entity"])] = list(r["missing"] or [])

    mismatches: list[Mismatch] = []
    expected: dict[tuple[str, str], tuple[str, int | None]] = {}
    for x in s.expect:
        want = _plain(Decimal(x.amount)) if x.amount is not None else str(x.action)
        expected[(x.rule, x.entity)] = (want, x.paid_in)
    for key, (want, paid_in) in expected.items():
        if key not in got:
            note = None
            if key in missing:
                note = "缺少数据，无法判断：" + "、".join(missing[key])
            mismatches.append(Mismatch(*key, want, None, None, note))
            continue
        value, text, got_paid = got[key]
        if not _same(value, want):
            mismatches.append(Mismatch(*key, want, value, text))
        elif paid_in is not None and got_paid != paid_in:
            mismatches.append(
                Mismatch(*key, want, value, text, f"应于 {paid_in} 年拨付，实际 {got_paid} 年")
            )
    for key, (value, text, _paid) in got.items():
        if key not in expected:
            note = "此规则应当没有结果" if key[0] in s.expect_none else "用例未预期此结果"
            mismatches.append(Mismatch(*key, None, value, text, note))
    return CaseResult(case, sorted(mismatches, key=lambda m: (m.rule, m.entity)))


def _same(got: str, want: str) -> bool:
    try:
        return Decimal(got) == Decimal(want)
    except InvalidOperation:
        return got == want


def run_cases(pack_dir: str | Path, case_paths: Iterable[str | Path]) -> list[CaseResult]:
    """Run every case of ``case_paths`` against the pack at ``pack_dir``. Raises
    :class:`ProblemsError` (every problem, with file and line) when the pack or a case file is
    bad; a case whose run fails (e.g. a parameter left unset) is a failed :class:`CaseResult`."""
    pack = load_pack(pack_dir)
    problems: list[Problem] = []
    cases: list[Case] = []
    for path in case_paths:
        try:
            cases += load_cases(path, pack)
        except ProblemsError as e:
            problems += e.problems
    if problems:
        raise ProblemsError(problems)
    return [run_case(c, pack) for c in cases]
