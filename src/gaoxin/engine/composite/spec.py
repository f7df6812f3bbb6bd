"""Evaluation framework specs: an index -> dimensions -> indicators tree, read from YAML.

A framework says, for every node, its weight and direction and, for every indicator, its
column, denominator and scoring rule; it also names the pipeline's steps (impute, screen,
treat, normalise, aggregate) and the bonus, penalty, veto and grading rules, and where each
part comes from (``source``: document, article, url, confidence) and what is assumed.
Validation reports every problem at once, with the YAML path and line of each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from gaoxin.engine.packs.yaml_lines import YamlPath, line_of, read_yaml
from gaoxin.engine.problems import Problem, ProblemsError, yaml_problem

ScoringMethod = Literal[
    "minmax",
    "zscore",
    "rank",
    "percentile",
    "ratio_to_max",
    "distance_to_target",
    "distance_to_best",
    "goalposts",
    "efficacy",
    "threshold",
    "capped",
    "none",
]


def _aggregation_method(v: Any) -> Any:
    """A base method name or ``generalised:p`` (see ``aggregate.parse_method``)."""
    if isinstance(v, str):
        from gaoxin.engine.composite.aggregate import parse_method

        parse_method(v)  # raises ValueError with the Chinese message
    return v


AggregationMethod = Annotated[str, BeforeValidator(_aggregation_method)]
WeightMethod = Literal["explicit", "equal", "entropy", "critic", "ahp", "pca", "pca_signed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where a framework, node or item comes from. ``confidence`` grades the evidence as the
    reference notes do: A = the official text (or an official-media report) seen directly,
    B = a secondary report, mirror or analysis, C = third-party code or inference."""

    document: str = Field(min_length=1)  # title and number, e.g. 国科发火〔2021〕106号
    article: str | None = None  # 条款, e.g. 第十条 or 七(二)
    url: str | None = None
    confidence: Literal["A", "B", "C"] | None = None
    note: str | None = None  # how the text is read here

    @field_validator("url")
    @classmethod
    def _web_address(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("网址应以 http:// 或 https:// 开头")
        return v


def _sources(v: Any) -> Any:
    """``source:`` takes one mapping or a list of them."""
    return [v] if isinstance(v, dict) else v


class _Sourced(_Model):
    source: list[Source] = Field(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return _sources(v)


class Scoring(_Model):
    """How one indicator's (treated) values become scores."""

    method: ScoringMethod = "minmax"
    low: float = 0.0  # minmax / affine range lower end
    high: float = 100.0  # minmax / affine range upper end
    scale: float = 100.0  # full marks for ratio, target, goalpost, threshold and capped scores
    target: float | None = None  # distance_to_target; threshold's standard; capped's reference
    worst: float | None = None  # goalposts
    best: float | None = None  # goalposts
    cap: float = 1.2  # capped: at most cap * scale
    base: float = 60.0  # efficacy (功效系数法): base + span * (x - min) / (max - min)
    span: float = 40.0
    # zscore: scaled to this mean and standard deviation (COINr n_zscore's m_sd, e.g. 10, 2)
    mean: float = 0.0
    sd: float = Field(default=1.0, gt=0)
    # distance_to_target: false leaves values beyond the target above full marks (COINr's
    # n_dist2targ default, cap_max = FALSE); true (ours) caps them at full marks
    cap_max: bool = True
    # ratio_to_max on a negative indicator: "inverse" scale * min / x (best gets full marks);
    # "coinr" COINr's n_fracmax of the direction-reversed values, (-x) / max(-x) = x / min(x)
    negative: Literal["inverse", "coinr"] = "inverse"


class Node(_Sourced):
    code: str
    name: str | None = None
    weight: float = 1.0
    direction: Literal[1, -1] = 1
    # indicator fields
    column: str | None = None  # data column; defaults to code
    denominator: str | None = None
    previous: str | None = None  # growth-rate scoring: 100 * (x - previous) / |previous|
    scoring: Scoring | None = None
    treat: bool = True  # false: leave this indicator's outliers alone (COINr indiv_specs "none")
    # aggregate fields
    children: list[Node] = Field(default_factory=list)
    aggregation: AggregationMethod | None = None
    weights: WeightMethod = "explicit"
    pairwise: list[list[float]] | None = (
        None  # AHP judgement matrix, children in order; "1/3" allowed
    )
    weights_sum: float | None = None  # if set, the children's explicit weights must sum to it

    @property
    def is_indicator(self) -> bool:
        return not self.children

    @field_validator("pairwise", mode="before")
    @classmethod
    def _fractions(cls, v: Any) -> Any:
        """Judgement matrices are written with fractions (1/3, 1/5): accept "a/b" strings."""
        if not isinstance(v, list):
            return v
        return [[_fraction(x) for x in row] if isinstance(row, list) else row for row in v]


def _fraction(x: Any) -> Any:
    if isinstance(x, str) and "/" in x:
        a, _, b = x.partition("/")
        try:
            return float(a) / float(b)
        except (ValueError, ZeroDivisionError):
            return x  # left for the float check to report
    return x


class Impute(_Model):
    method: Literal["none", "group_mean", "group_median", "mean", "median", "last"] = "none"
    group: str | None = None


class Screen(_Model):
    min_data: float = 0.0  # keep a unit when at least this share of its indicators is present


class Treat(_Model):
    method: Literal["none", "coinr"] = "none"
    winmax: int = 5
    skew: float = 2.0
    kurt: float = 3.5
    # "coinr": the loop counter is what COINr's winsorise() computes (size of the last
    # winsorised tie group), "points": at most winmax points in total (what its docs say)
    count: Literal["coinr", "points"] = "coinr"


class Item(_Sourced):
    code: str
    column: str
    points: float | None = None  # fixed points when the column is truthy; else the column's value
    cap: float | None = None


class Veto(_Sourced):
    code: str
    column: str
    grade: str
    reason: str | None = None


class GradeLevel(_Model):
    grade: str
    min: float | None = None  # thresholds: score >= min
    top: float | None = None  # quotas: cumulative share of units from the top, e.g. 0.2


class Grading(_Model):
    method: Literal["thresholds", "quotas"] = "thresholds"
    levels: list[GradeLevel]
    rest: str | None = None  # grade of units below every level
    by: str | None = None  # quotas within the groups of this column (e.g. zone level)


class Units(_Sourced):
    """Which units the framework ranks when it runs over the store (``gaoxin evaluate --pack``):
    entities of ``level``, and of those the ones whose fact row meets ``where`` (a condition in
    the expression language over the fact row: variables, attributes such as ``level``, and
    certifications as 0/1, e.g. ``above_scale == 1``). ``source`` cites the reading."""

    level: Literal["zone", "enterprise"] = "zone"
    where: str | None = None

    @field_validator("where")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v if v is None or v.strip() else None


class Framework(_Sourced):
    framework: str
    version: str = "1"
    title: str | None = None
    assumptions: list[str] = Field(default_factory=list)  # what is not in the sources
    unit: str = "unit"
    units: Units | None = None  # which entities are ranked from the store (None: every zone)
    groups: list[str] = Field(default_factory=list)  # columns to rank within (rank_<column>)
    impute: Impute = Impute()
    screen: Screen = Screen()
    treat: Treat = Treat()
    scoring: Scoring = Scoring()  # default for every indicator
    aggregation: AggregationMethod = "arithmetic"  # default for every aggregate
    bonus: list[Item] = Field(default_factory=list)
    bonus_cap: float | None = None
    penalty: list[Item] = Field(default_factory=list)
    penalty_cap: float | None = None
    veto: list[Veto] = Field(default_factory=list)
    grading: Grading | None = None
    index: Node

    @field_validator("index")
    @classmethod
    def _index_has_children(cls, v: Node) -> Node:
        if not v.children:
            raise ValueError("根节点 index 须有下级指标 children")
        return v

    # -- tree helpers --------------------------------------------------------------
    def nodes(self) -> list[tuple[Node, Node | None, int]]:
        """Every node with its parent and depth (index = 0), depth-first in YAML order."""
        out: list[tuple[Node, Node | None, int]] = []

        def walk(n: Node, parent: Node | None, depth: int) -> None:
            out.append((n, parent, depth))
            for c in n.children:
                walk(c, n, depth + 1)

        walk(self.index, None, 0)
        return out

    def indicators(self) -> list[Node]:
        return [n for n, _, _ in self.nodes() if n.is_indicator]

    def aggregates_bottom_up(self) -> list[Node]:
        """Aggregate nodes, deepest first, so every child is computed before its parent."""
        agg = [(n, d) for n, _, d in self.nodes() if not n.is_indicator]
        return [n for n, _ in sorted(agg, key=lambda t: -t[1])]

    def scoring_of(self, node: Node) -> Scoring:
        return node.scoring or self.scoring

    def content_hash(self) -> str:
        """Hash of what the framework computes. Sources and assumptions are left out: citing a
        document or correcting a url does not make a new framework (decision 012)."""
        body = json.dumps(
            _without_citations(self.model_dump(mode="json")), sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(body.encode()).hexdigest()


# Options added after frameworks were first stored: left out of the hash while they hold their
# default, so a framework that does not use them keeps the hash its stored runs carry.
_ADDED_DEFAULTS: dict[str, Any] = {
    "mean": 0.0,
    "sd": 1.0,
    "cap_max": True,
    "negative": "inverse",
}


def _without_citations(d: Any) -> Any:
    if isinstance(d, dict):
        return {
            k: _without_citations(v)
            for k, v in d.items()
            if k not in ("source", "assumptions")
            and not (k in _ADDED_DEFAULTS and v == _ADDED_DEFAULTS[k])
        }
    if isinstance(d, list):
        return [_without_citations(v) for v in d]
    return d


# -- loading and validation ------------------------------------------------------------


def _lines(text: str | None) -> dict[YamlPath, int]:
    """YAML path -> 1-based line of ``text`` (empty when there is no text or it does not parse:
    the problem is then reported without a line)."""
    if not text:
        return {}
    try:
        return dict(read_yaml(text).lines)
    except yaml.YAMLError:
        return {}


def _path_str(path: tuple[Any, ...]) -> str:
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s or "(根)"


def _node_paths(raw: dict[str, Any]) -> list[tuple[dict[str, Any], tuple[Any, ...]]]:
    out: list[tuple[dict[str, Any], tuple[Any, ...]]] = []

    def walk(n: Any, path: tuple[Any, ...], seen: set[int]) -> None:
        if not isinstance(n, dict):
            return
        if id(n) in seen:  # a YAML alias pointing at an ancestor
            raise ProblemsError(
                [Problem("framework.cycle", f"指标树存在循环引用：{_path_str(path)}")]
            )
        out.append((n, path))
        for i, c in enumerate(n.get("children") or []):
            walk(c, (*path, "children", i), seen | {id(n)})

    walk(raw.get("index"), ("index",), set())
    return out


_TOL = 1e-6


def check_framework(raw: Any, file: str | None = None, text: str | None = None) -> Framework:
    """Validate a parsed framework document; raise ProblemsError listing every problem (with
    lines when ``text``, the document's YAML, is given)."""
    return _check(raw, file, _lines(text))


def _check(raw: Any, file: str | None, lines: dict[YamlPath, int]) -> Framework:

    def problem(code: str, message: str, path: tuple[Any, ...], value: Any = None) -> Problem:
        return Problem(
            code,
            message,
            file=file,
            row=line_of(lines, path),
            column=_path_str(path),
            value=None if value is None else str(value),
        )

    if not isinstance(raw, dict):
        raise ProblemsError([problem("framework.shape", "评价体系文件应是一个 YAML 映射", ())])
    problems: list[Problem] = []
    nodes = _node_paths(raw)  # raises on a cycle
    seen: dict[str, tuple[Any, ...]] = {}
    for n, path in nodes:
        code = n.get("code")
        if code is None:
            continue
        if code in seen:
            problems.append(
                problem(
                    "framework.duplicate",
                    f"代码「{code}」重复（首次出现在 {_path_str(seen[code])}），每个节点的代码必须唯一",
                    (*path, "code"),
                    code,
                )
            )
        else:
            seen[code] = path
    try:
        fw = Framework.model_validate(raw)
    except ValidationError as e:
        for err in e.errors():
            loc = _yaml_loc(raw, tuple(err["loc"]))
            problems.append(
                problem("framework.invalid", _zh_pydantic(dict(err)), loc, err.get("input"))
            )
        raise ProblemsError(problems) from None
    # fw.nodes() and _node_paths walk the same tree in the same order
    path_of = {id(n): pth for (n, _, _), (_, pth) in zip(fw.nodes(), nodes, strict=True)}
    for node, _parent, _ in fw.nodes():
        path = path_of[id(node)]
        if node.is_indicator:
            continue
        if node.weights_sum is not None and node.weights == "explicit":
            total = sum(c.weight for c in node.children)
            if abs(total - node.weights_sum) > _TOL * max(1.0, abs(node.weights_sum)):
                problems.append(
                    problem(
                        "framework.weights_sum",
                        f"「{node.code}」下各项权重之和为 {total:g}，应为 {node.weights_sum:g}",
                        (*path, "children"),
                        total,
                    )
                )
        if node.weights == "ahp":
            from gaoxin.engine.composite.weights import AHPError, ahp_weights

            if node.pairwise is None:
                problems.append(
                    problem(
                        "framework.ahp",
                        f"「{node.code}」使用层次分析法但未给出判断矩阵 pairwise",
                        path,
                    )
                )
            else:
                try:
                    ahp_weights(node.pairwise)
                except AHPError as err:
                    problems.append(problem("framework.ahp", str(err), (*path, "pairwise")))
                if node.pairwise is not None and len(node.pairwise) != len(node.children):
                    problems.append(
                        problem(
                            "framework.ahp",
                            f"「{node.code}」判断矩阵为 {len(node.pairwise)} 阶，但有 {len(node.children)} 个下级指标",
                            (*path, "pairwise"),
                        )
                    )
        for c in node.children:
            if c.weight < 0:
                problems.append(
                    problem("framework.weight", f"「{c.code}」权重不能为负", path, c.weight)
                )
    for ind in fw.indicators():
        sc = fw.scoring_of(ind)
        path = path_of[id(ind)]
        if sc.method == "distance_to_target" and sc.target is None:
            problems.append(
                problem("framework.scoring", f"指标「{ind.code}」按目标值计分，需给出 target", path)
            )
        if sc.method in ("threshold", "capped") and sc.target is None:
            problems.append(
                problem("framework.scoring", f"指标「{ind.code}」需给出标准值 target", path)
            )
        if sc.method == "goalposts" and (sc.worst is None or sc.best is None):
            problems.append(
                problem(
                    "framework.scoring",
                    f"指标「{ind.code}」按固定阈值计分，需给出 worst 与 best",
                    path,
                )
            )
    if fw.grading is not None:
        lv = fw.grading.levels
        key = "min" if fw.grading.method == "thresholds" else "top"
        for j, level in enumerate(lv):
            if getattr(level, key) is None:
                problems.append(
                    problem(
                        "framework.grading",
                        f"等级「{level.grade}」缺少 {key}",
                        ("grading", "levels", j),
                    )
                )
    if fw.units is not None and fw.units.where is not None:
        problems.extend(_where_problems(fw.units.where, problem))
    if problems:
        raise ProblemsError(problems)
    return fw


def _where_problems(source: str, problem: Callable[..., Problem]) -> list[Problem]:
    """A syntax error in ``units.where``, at its YAML line and its position in the formula. The
    names are checked against the fact row when the framework runs over the store."""
    from gaoxin.engine.expr import ExprError, names_used

    try:
        names_used(source)
    except ExprError as e:
        p = problem("framework.units", f"参评单位条件 units.where 有误：{e}", ("units", "where"))
        return [replace(p, value=source, extra=dict(e.to_problem().extra))]
    return []


def _yaml_loc(raw: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The error's path as written in the YAML: a single ``source`` mapping is validated as a
    list of one, so drop the ``[0]`` the YAML does not have."""
    out: list[Any] = []
    node = raw
    for i, key in enumerate(loc):
        if key == 0 and i > 0 and loc[i - 1] == "source" and isinstance(node, dict):
            continue
        out.append(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def _zh_pydantic(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "未知的字段（拼写是否有误？）"
    if kind.startswith("literal_error"):
        return f"取值不在允许范围内：{err.get('ctx', {}).get('expected', '')}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return "应为数字"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_type":
        return "应为文字"
    if kind == "list_type":
        return "应为列表"
    if kind == "model_type":
        return "应为映射（键: 值）"
    if kind == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])
    return f"格式不正确：{err.get('msg', '')}"


def load_framework(path: str | Path) -> Framework:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ProblemsError(
            [Problem("framework.file", f"无法读取评价体系文件：{e}", file=str(p))]
        ) from None
    try:
        doc = read_yaml(text)
    except yaml.YAMLError as e:
        raise ProblemsError([yaml_problem("framework.yaml", e, str(p))]) from None
    return _check(doc.data, str(p), dict(doc.lines))


def check_columns(fw: Framework, columns: list[str], file: str | None = None) -> list[Problem]:
    """Problems for framework columns missing from the data (unknown indicators)."""
    have = set(columns)
    out: list[Problem] = []
    if fw.unit not in have:
        out.append(
            Problem("data.unit", f"数据中没有单位列「{fw.unit}」", file=file, column=fw.unit)
        )
    needed: list[tuple[str, str]] = []
    for n in fw.indicators():
        needed.append((n.column or n.code, f"指标「{n.code}」"))
        if n.denominator:
            needed.append((n.denominator, f"指标「{n.code}」的分母"))
        if n.previous:
            needed.append((n.previous, f"指标「{n.code}」的上期值"))
    if fw.impute.group:
        needed.append((fw.impute.group, "插补分组"))
    for g in fw.groups:
        needed.append((g, "分组"))
    if fw.grading is not None and fw.grading.by:
        needed.append((fw.grading.by, "分组定等"))
    items: list[Item | Veto] = [*fw.bonus, *fw.penalty, *fw.veto]
    for it in items:
        needed.append((it.column, f"「{it.code}」"))
    for col, what in needed:
        if col not in have:
            out.append(
                Problem(
                    "data.missing_column",
                    f"数据中没有{what}所需的列「{col}」",
                    file=file,
                    column=col,
                )
            )
    return out
