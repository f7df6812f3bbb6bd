"""Read a policy pack directory and check it, reporting every problem with its file and line.

``check_pack(dir)`` returns problems (never raises on bad input); ``load_pack(dir)`` returns the
pack or raises :class:`ProblemsError` with all of them. Lines come from PyYAML's composed node
tree (``start_mark.line``), so a pydantic error, a bad formula or a quote missing from the
document points at the line of pack.yaml where it is written.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gaoxin.engine.expr import ExprError, ExprType, FunctionRegistry, NameInfo, Namespace, check
from gaoxin.engine.packs.schema import NATIONWIDE, Pack, as_region_code
from gaoxin.engine.packs.yaml_lines import YamlPath, line_of, read_yaml
from gaoxin.engine.problems import Problem, ProblemsError, Severity, yaml_problem

PACK_FILE = "pack.yaml"

Path_ = YamlPath


@dataclass(frozen=True)
class LoadedPack:
    """A checked pack: the spec, the document text beside it, and where each item was written."""

    spec: Pack
    document: str
    path: Path | None = None
    lines: Mapping[Path_, int] = field(default_factory=dict, repr=False)
    extra_names: Namespace = field(default_factory=Namespace, repr=False)
    functions: FunctionRegistry | None = field(default=None, repr=False)

    def namespace(self, parameter_values: Mapping[str, Any] | None = None) -> Namespace:
        return pack_namespace(self.spec, self.extra_names, parameter_values)

    def line(self, *path: str | int) -> int | None:
        return _line(self.lines, path)


# --- YAML with line numbers -------------------------------------------------------------------

_line = line_of


def _duplicate_keys(node: yaml.Node, file: str, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value in seen:
                    problems.append(
                        Problem(
                            "pack.duplicate_key",
                            f"键「{k.value}」重复出现",
                            file=file,
                            row=k.start_mark.line + 1,
                            value=k.value,
                        )
                    )
                seen.add(k.value)
            _duplicate_keys(v, file, problems)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            _duplicate_keys(v, file, problems)


# --- quotes --------------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"'}
)
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Fold full-width forms to half-width (NFKC), unify quote marks, drop whitespace — so a
    quote typed with ``,()`` matches a document printed with ``，（）`` and across line breaks."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub("", text)


# --- namespace -----------------------------------------------------------------------------------


def pack_namespace(
    pack: Pack, extra: Namespace | None = None, parameter_values: Mapping[str, Any] | None = None
) -> Namespace:
    """Names the pack's formulas may read: the catalogue (``extra``), the pack's inputs and its
    parameters (constants when ``parameter_values`` gives them)."""
    names: dict[str, NameInfo] = dict(extra.names) if extra is not None else {}
    for i in pack.inputs:
        names[i.id] = NameInfo(type=ExprType(i.type), kind="variable", level=i.level, label=i.label)
    values = parameter_values or {}
    for p in pack.parameters:
        v = values.get(p.id)
        names[p.id] = NameInfo(
            type=ExprType.NUMBER,
            kind="parameter",
            label=p.label,
            value=float(v) if v is not None else None,
        )
    return Namespace(names, dict(extra.parents) if extra is not None else {})


#: (path inside the item, expected type) for every formula of a rule.
_RULE_FORMULAS: tuple[tuple[Path_, ExprType], ...] = (
    (("when",), ExprType.BOOL),
    (("money", "amount"), ExprType.NUMBER),
    (("money", "floor"), ExprType.NUMBER),
    (("money", "cap"), ExprType.NUMBER),
    (("money", "rule_cap"), ExprType.NUMBER),
)


def _get(obj: Any, path: Path_) -> Any:
    for p in path:
        obj = getattr(obj, str(p), None)
        if obj is None:
            return None
    return obj


def _formula_line(node: yaml.Node | None, base: int | None, err: ExprError) -> int | None:
    if base is None:
        return None
    offset = (err.line or 1) - 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return base + 1 + offset  # a block scalar's text starts on the line after ``key: |``
    return base + offset


# --- check and load ------------------------------------------------------------------------------


def check_pack(
    directory: str | Path,
    *,
    names: Namespace | Mapping[str, Any] | None = None,
    functions: FunctionRegistry | None = None,
) -> list[Problem]:
    """Every problem in the pack at ``directory`` (empty when it is sound)."""
    return _load(Path(directory), names, functions)[1]


def load_pack(
    directory: str | Path,
    *,
    names: Namespace | Mapping[str, Any] | None = None,
    functions: FunctionRegistry | None = None,
) -> LoadedPack:
    """The pack at ``directory``; raises :class:`ProblemsError` listing every error found."""
    pack, problems = _load(Path(directory), names, functions)
    errors = [p for p in problems if p.severity == "error"]
    if errors or pack is None:
        raise ProblemsError(errors or problems)
    return pack


def _load(
    directory: Path, names: Namespace | Mapping[str, Any] | None, functions: FunctionRegistry | None
) -> tuple[LoadedPack | None, list[Problem]]:
    file = str(directory / PACK_FILE)
    problems: list[Problem] = []
    try:
        text = (directory / PACK_FILE).read_text(encoding="utf-8")
    except OSError as e:
        return None, [
            Problem("pack.missing", f"找不到政策包文件 {PACK_FILE}：{e.strerror}", file=file)
        ]
    try:
        doc = read_yaml(text)
    except yaml.YAMLError as e:
        return None, [yaml_problem("pack.yaml", e, file)]
    if doc.root is None:
        return None, [Problem("pack.empty", "政策包文件是空的", file=file)]
    lines, nodes, data = doc.lines, doc.nodes, doc.data
    _duplicate_keys(doc.root, file, problems)

    try:
        spec = Pack.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = tuple(err["loc"])
            field_name = ".".join(str(x) for x in loc)
            msg = pydantic_message_zh(err)
            problems.append(
                Problem(
                    f"pack.schema.{err['type']}",
                    f"「{field_name}」：{msg}",
                    file=file,
                    row=_line(lines, loc),
                    column=field_name,
                    value=None if err["type"] == "missing" else _short(err.get("input")),
                )
            )
        return None, problems

    # the document text
    doc_path = directory / spec.document
    try:
        document = doc_path.read_text(encoding="utf-8")
    except OSError:
        problems.append(
            Problem(
                "pack.document_missing",
                f"找不到政策原文 {spec.document}，无法核对引文",
                file=file,
                row=_line(lines, ("document",)),
            )
        )
        document = ""

    ns_extra = names if isinstance(names, Namespace) else Namespace.of(names or {})
    loaded = LoadedPack(spec, document, directory, lines, ns_extra, functions)

    # duplicate ids, per section and across the names formulas read
    for section in ("inputs", "parameters", "rules", "groups", "budgets", "targets", "measures"):
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(spec, section)):
            if item.id in seen:
                problems.append(
                    Problem(
                        "pack.duplicate_id",
                        f"{section} 中编号「{item.id}」重复（第一次在第{seen[item.id]}项）",
                        file=file,
                        row=_line(lines, (section, i, "id")),
                        value=item.id,
                    )
                )
            seen.setdefault(item.id, i + 1)
    input_ids = {i.id for i in spec.inputs}
    for i, p in enumerate(spec.parameters):
        if p.id in input_ids:
            problems.append(
                Problem(
                    "pack.duplicate_id",
                    f"参数「{p.id}」与输入变量同名",
                    file=file,
                    row=_line(lines, ("parameters", i, "id")),
                    value=p.id,
                )
            )

    # quotes
    if document:
        doc_norm = normalise_text(document)
        for path, cite in _cites(spec):
            if normalise_text(cite.quote) not in doc_norm:
                problems.append(
                    Problem(
                        "pack.quote_not_found",
                        f"引文在政策原文中找不到（{cite.article}），请核对原文或更正引文",
                        file=file,
                        row=_line(lines, (*path, "quote")),
                        value=cite.quote,
                    )
                )

    # formulas
    ns = pack_namespace(spec, ns_extra)
    rule_ids = {r.id for r in spec.rules}
    for i, rule in enumerate(spec.rules):
        for sub, expect in _RULE_FORMULAS:
            source = _get(rule, sub)
            if source is None:
                continue
            path = ("rules", i, *sub)
            try:
                check(source, ns, functions=functions, expect=expect)
            except ExprError as err:
                problems.append(
                    err.to_problem(
                        file=file,
                        row=_formula_line(nodes.get(path), _line(lines, path), err),
                        column=".".join(str(x) for x in path),
                    )
                )
        problems += _check_rule_text(rule, i, ns, file, lines)
    problems += _check_groups(spec, file, lines)
    param_ids = {p.id for p in spec.parameters}
    for i, b in enumerate(spec.budgets):
        path = ("budgets", i, "amount")
        try:
            if b.amount is not None:
                f = check(b.amount, ns, functions=functions, expect=ExprType.NUMBER)
                problems += _constant_only(f.names, param_ids, file, _line(lines, path), "预算总额")
        except ExprError as err:
            problems.append(
                err.to_problem(
                    file=file,
                    row=_formula_line(nodes.get(path), _line(lines, path), err),
                    column="budgets.amount",
                )
            )
        for r in b.rules or ():
            if r not in rule_ids:
                problems.append(
                    Problem(
                        "pack.unknown_rule",
                        f"预算「{b.id}」引用了不存在的规则「{r}」",
                        file=file,
                        row=_line(lines, ("budgets", i, "rules")),
                        value=r,
                    )
                )
            elif spec.rule(r).money is None:
                problems.append(
                    Problem(
                        "pack.unknown_rule",
                        f"预算「{b.id}」引用的规则「{r}」不是奖补规则",
                        file=file,
                        row=_line(lines, ("budgets", i, "rules")),
                        value=r,
                    )
                )
    problems += jurisdiction_problems(spec.jurisdiction, file, _line(lines, ("jurisdiction",)))
    problems += _check_bindings(spec, directory, file, lines, nodes)
    problems += _check_targets(spec, file, lines)
    problems += _check_demo(spec, file, lines)
    if spec.status == "draft":
        problems.append(
            Problem(
                "pack.draft",
                "该政策包依据的是征求意见稿，正式文件发布后请核对",
                file=file,
                row=_line(lines, ("status",)),
                severity="warning",
            )
        )
    return loaded, problems


# --- jurisdiction --------------------------------------------------------------------------------


def region_names() -> dict[str, str]:
    """GB/T 2260 code -> name, for every region of the catalogue (regions.csv)."""
    from gaoxin.engine.reference import regions

    r = regions()
    return dict(zip(r["code"], r["name"], strict=True))


def jurisdiction_label(code: str | None) -> str:
    """The words a user reads for a pack's region: 福建省, or 全国 for None."""
    return NATIONWIDE if code is None else region_names().get(code, code)


def jurisdiction_problems(value: str | None, file: str, row: int | None) -> list[Problem]:
    """A ``jurisdiction`` that is neither 全国 nor a code of the region catalogue."""
    if value is None or value == NATIONWIDE:
        return []
    names = region_names()
    if value in names:
        return []
    by_name = [c for c, n in names.items() if n == value]
    hint = (
        f"；「{value}」的代码是 {'、'.join(by_name)}"
        if by_name
        else "（应为 6 位行政区划代码，如 350000 福建省，或写「全国」）"
    )
    return [
        Problem(
            "pack.jurisdiction",
            f"适用范围「{value}」不在行政区划目录（regions.csv）中{hint}",
            file=file,
            row=row,
            column="jurisdiction",
            value=value,
        )
    ]


def read_jurisdiction(directory: str | Path) -> str | None:
    """The region code a pack directory applies to (None: the whole country, or no pack.yaml),
    read without checking the rest of the pack; ProblemsError when the code is unknown."""
    f = Path(directory) / PACK_FILE
    if not f.is_file():
        return None
    doc = read_yaml(f.read_text(encoding="utf-8"))
    data = doc.data if isinstance(doc.data, dict) else {}
    value = as_region_code(data.get("jurisdiction"))
    value = None if value is None else str(value)
    problems = jurisdiction_problems(value, str(f), _line(doc.lines, ("jurisdiction",)))
    if problems:
        raise ProblemsError(problems)
    return None if value in (None, NATIONWIDE) else value


def framework_ids(directory: Path) -> dict[str, Path]:
    """The evaluation frameworks shipped with a pack (``frameworks/*.yaml``), by their id
    (``framework:``, else the file name, as gaoxin.evaluation names them)."""
    out: dict[str, Path] = {}
    for f in sorted((directory / "frameworks").glob("*.yaml")):
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue  # the framework's own check reports it
        fid = data.get("framework") if isinstance(data, dict) else None
        out[fid if isinstance(fid, str) and fid else f.stem] = f
    return out


def facts_namespace() -> Namespace:
    """Names an input's ``formula`` may read: the variable catalogue at every level, the
    entity attributes and the indicator catalogue (gaoxin.engine.indicators)."""
    from gaoxin.engine.facts import PARENTS, variable_names
    from gaoxin.engine.indicators import default_indicators, indicator_names
    from gaoxin.engine.variables import default_catalogue

    names = variable_names(default_catalogue()) | indicator_names(default_indicators())
    return Namespace(names, dict(PARENTS))


_INPUT_TYPES = {"number": ExprType.NUMBER, "bool": ExprType.BOOL, "string": ExprType.STRING}


def _check_bindings(
    spec: Pack, directory: Path, file: str, lines: Mapping[Path_, int], nodes: Mapping[Path_, Any]
) -> list[Problem]:
    """Where each input comes from (decision 009): a formula that checks at the input's level,
    or an evaluation field of a framework the pack ships."""
    from gaoxin.engine.expr import ENGINE_FUNCTIONS
    from gaoxin.engine.facts import ATTRIBUTES, LEVELS
    from gaoxin.engine.packs.schema import EVALUATION_FIELDS

    out: list[Problem] = []
    frameworks: dict[str, Path] | None = None
    ns: Namespace | None = None
    for i, inp in enumerate(spec.inputs):
        if inp.formula is not None:
            path: Path_ = ("inputs", i, "formula")
            row = _line(lines, path)
            if inp.level is not None and inp.level not in LEVELS:
                out.append(
                    Problem(
                        "pack.input_level",
                        f"输入「{inp.id}」由公式计算，其层级「{inp.level}」不在事实数据中"
                        f"（可用：{'、'.join(LEVELS)}）",
                        file=file,
                        row=_line(lines, ("inputs", i, "level")),
                        value=inp.level,
                    )
                )
                continue
            if inp.type == "string":
                if inp.formula.strip() not in ATTRIBUTES:
                    out.append(
                        Problem(
                            "pack.input_formula",
                            f"文本型输入「{inp.id}」只能直接读取主体属性"
                            f"（{'、'.join(ATTRIBUTES)}）",
                            file=file,
                            row=row,
                            column="inputs.formula",
                            value=inp.formula,
                        )
                    )
                continue
            ns = ns or facts_namespace()
            try:
                check(
                    inp.formula,
                    ns,
                    functions=ENGINE_FUNCTIONS,
                    level=inp.level,
                    expect=_INPUT_TYPES[inp.type],
                )
            except ExprError as err:
                out.append(
                    err.to_problem(
                        file=file,
                        row=_formula_line(nodes.get(path), row, err),
                        column="inputs.formula",
                    )
                )
        elif inp.evaluation is not None:
            frameworks = frameworks if frameworks is not None else framework_ids(directory)
            ev = inp.evaluation
            if ev.framework not in frameworks:
                # A pack copied without its frameworks/ (a draft, a test) cannot be checked
                # against them: say so, but only an id missing from a present list is an error.
                present = (directory / "frameworks").is_dir()
                known = "、".join(frameworks) or "（无）"
                out.append(
                    Problem(
                        "pack.unknown_framework",
                        f"输入「{inp.id}」读取的评价体系「{ev.framework}」不在本政策包的 "
                        f"frameworks/ 中；可用：{known}"
                        if present
                        else f"输入「{inp.id}」读取评价体系「{ev.framework}」，但本政策包没有 "
                        "frameworks/ 目录，无法核对",
                        file=file,
                        row=_line(lines, ("inputs", i, "evaluation", "framework")),
                        value=ev.framework,
                        severity="error" if present else "warning",
                    )
                )
            if ev.field not in EVALUATION_FIELDS:
                out.append(
                    Problem(
                        "pack.unknown_evaluation_field",
                        f"输入「{inp.id}」读取的评价结果字段「{ev.field}」不存在；可用："
                        + "、".join(f"{k}（{v}）" for k, v in EVALUATION_FIELDS.items()),
                        file=file,
                        row=_line(lines, ("inputs", i, "evaluation", "field")),
                        value=ev.field,
                    )
                )
        elif inp.cases is not None:
            actions = {r.id for r in spec.rules if r.action is not None}
            for j, rid in enumerate(inp.cases.rules):
                if rid not in actions:
                    out.append(
                        Problem(
                            "pack.unknown_case_rule",
                            f"输入「{inp.id}」读取规则「{rid}」的整改案件，但本政策包没有这条"
                            "处理措施规则；可用：" + ("、".join(sorted(actions)) or "（无）"),
                            file=file,
                            row=_line(lines, ("inputs", i, "cases", "rules", j)),
                            value=rid,
                        )
                    )
    return out


_TYPE_ZH = {"number": "数值", "bool": "是/否", "string": "文本"}
_IDENTIFIER_ONLY = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_demo(spec: Pack, file: str, lines: Mapping[Path_, int]) -> list[Problem]:
    """Each demo recipe (decision 083) makes a supplied input of the pack, once, at a level the
    facts hold, of the input's type and values, from a variable or indicator of that level and
    attributes of that level."""
    from gaoxin.engine.expr import ENGINE_FUNCTIONS
    from gaoxin.engine.facts import ATTRIBUTES, LEVELS
    from gaoxin.engine.packs.demo import ENTITY_ZH, VALUE_ZH
    from gaoxin.engine.packs.schema import DEMO_METHOD_TYPES, DEMO_METHODS

    if spec.demo is None:
        return []
    out: list[Problem] = []
    inputs = {i.id: i for i in spec.inputs}
    supplied = [i.id for i in spec.inputs if i.source == "supplied"]
    seen: set[str] = set()
    ns: Namespace | None = None
    for j, r in enumerate(spec.demo.inputs):
        problem = partial(_demo_problem, j, r.input, file, lines)
        inp = inputs.get(r.input)
        if inp is None or inp.source != "supplied":
            why = (
                "政策包的 inputs 中没有这个输入变量"
                if inp is None
                else f"该输入由{_SOURCE_ZH[inp.source]}得到，不由用户提供，演示不生成它"
            )
            out.append(
                problem(
                    ("input",),
                    f"{why}；由用户提供的输入：{'、'.join(supplied) or '（无）'}",
                    r.input,
                )
            )
            continue
        if r.input in seen:
            out.append(problem(("input",), "重复：一个输入只能有一条演示规则", r.input))
        seen.add(r.input)
        if r.method not in DEMO_METHODS:
            methods = "、".join(f"{k}（{v}）" for k, v in DEMO_METHODS.items())
            out.append(
                problem(("method",), f"不认识的方法「{r.method}」；可用：{methods}", r.method)
            )
            continue
        out += [problem((key,), why, value) for key, why, value in _demo_shape(r)]
        if inp.level not in LEVELS:
            out.append(
                problem(
                    ("input",),
                    f"输入的层级「{inp.level or '（未写）'}」不在事实数据中"
                    f"（可用：{'、'.join(LEVELS)}），无法由演示数据生成",
                    inp.level,
                )
            )
            continue
        level = inp.level
        made = DEMO_METHOD_TYPES[r.method]
        if made != inp.type:
            out.append(
                problem(
                    ("method",),
                    f"{DEMO_METHODS[r.method]}（{r.method}）生成{_TYPE_ZH[made]}，"
                    f"而该输入是{_TYPE_ZH[inp.type]}型",
                    r.method,
                )
            )
        for k, g in enumerate(r.grades or ()):
            if inp.values is not None and g not in inp.values:
                out.append(
                    problem(
                        ("grades", k),
                        f"分档的值「{g}」不在该输入的可选值（{'、'.join(inp.values)}）中",
                        g,
                    )
                )
        ns = ns or facts_namespace()
        if not _IDENTIFIER_ONLY.match(r.by) or r.by not in ns:
            near = difflib.get_close_matches(r.by, list(ns), n=3)
            hint = f"；是否是 {'、'.join(near)}？" if near else ""
            out.append(
                problem(
                    ("by",),
                    f"排列依据「{r.by}」不是统计变量或指标目录中的指标{hint}",
                    r.by,
                )
            )
        else:
            try:
                check(r.by, ns, functions=ENGINE_FUNCTIONS, level=level, expect=ExprType.NUMBER)
            except ExprError as err:
                out.append(
                    problem(
                        ("by",),
                        f"排列依据「{r.by}」不能在{ENTITY_ZH.get(level, level)}层级读取："
                        f"{err.message}",
                        r.by,
                    )
                )
        for attr, value in r.among.items():
            on = ATTRIBUTES.get(attr)
            if on is None or on[0] != level:
                here = [a for a, (lv, _) in ATTRIBUTES.items() if lv == level]
                out.append(
                    problem(
                        ("among", attr),
                        f"筛选条件「{attr}」不是{ENTITY_ZH.get(level, level)}的属性"
                        f"（可用：{'、'.join(here) or '无'}）",
                        attr,
                    )
                )
            elif attr in VALUE_ZH and value not in VALUE_ZH[attr]:
                out.append(
                    problem(
                        ("among", attr),
                        f"{on[1]}「{value}」不是可用的取值（{'、'.join(VALUE_ZH[attr])}）",
                        value,
                    )
                )
    return out


def _demo_shape(r: Any) -> list[tuple[str, str, object]]:
    """(field, reason, value) for each field a recipe's method lacks, forbids or has out of
    range (decision 083)."""
    from gaoxin.engine.packs.schema import DEMO_METHODS

    m, zh = r.method, DEMO_METHODS[r.method]
    out: list[tuple[str, str, object]] = []
    if m == "grades" and (r.grades is None or len(r.grades) < 2):
        out.append(("grades", f"{zh}（grades）要写 grades：至少两档的值", r.grades))
    if m != "grades" and r.grades is not None:
        out.append(("grades", f"只有按名次分档（grades）写 grades，{zh}（{m}）不写", None))
    if m == "amount" and r.factor is None:
        out.append(("factor", f"{zh}（amount）要写 factor（系数）", None))
    if m != "amount" and r.factor is not None:
        out.append(("factor", f"只有金额（amount）写 factor，{zh}（{m}）不写", r.factor))
    if m != "amount" and "digits" in r.model_fields_set:
        out.append(("digits", f"只有金额（amount）写 digits，{zh}（{m}）不写", r.digits))
    if not 0 <= r.digits <= 6:
        out.append(("digits", "保留小数位数 digits 应在 0 到 6 之间", r.digits))
    if r.count is not None and r.share is not None:
        out.append(("share", "count（前几名）和 share（前百分之几）只能写一个", r.share))
    if m == "top" and r.count is None and r.share is None:
        out.append(("method", f"{zh}（top）要写 count（名数）或 share（比例）", m))
    if m in ("grades", "rank") and (r.count is not None or r.share is not None):
        key = "count" if r.count is not None else "share"
        out.append((key, f"{zh}（{m}）不写 count 或 share", getattr(r, key)))
    if r.count is not None and r.count < 1:
        out.append(("count", "名数 count 至少为 1", r.count))
    if r.share is not None and not 0 < r.share <= 1:
        out.append(("share", "比例 share 应大于 0、不超过 1（如 0.1 即前10%）", r.share))
    if r.lag < 0:
        out.append(("lag", "lag（往前几年）不能为负数", r.lag))
    return out


def _demo_problem(
    j: int,
    input_id: str,
    file: str,
    lines: Mapping[Path_, int],
    key: tuple[str | int, ...],
    reason: str,
    value: object,
) -> Problem:
    path = ("demo", "inputs", j, *key)
    return Problem(
        "pack.demo",
        f"演示输入「{input_id}」：{reason}",
        file=file,
        row=_line(lines, path),
        column=".".join(str(x) for x in path),
        value=None if value is None else str(value),
    )


_SOURCE_ZH = {"formula": "公式（formula）", "evaluation": "评价结果", "cases": "整改案件"}


def _check_targets(spec: Pack, file: str, lines: Mapping[Path_, int]) -> list[Problem]:
    """Each target reads a catalogue indicator (unless it says what the catalogue still lacks,
    ``pending``), in the indicator's unit, at a level its scope can use. A ``jurisdiction``
    target is left to ``gaoxin targets``: whether a zone- or city-level indicator reaches the
    jurisdiction depends on the region the pack is applied to, which the pack does not name."""
    from gaoxin.engine.indicators import default_indicators
    from gaoxin.engine.targets import IndicatorInfo, unavailable_reason

    catalogue = {i.code: i for i in default_indicators()}
    out: list[Problem] = []

    def problem(i: int, key: str, message: str, severity: Severity = "error") -> Problem:
        t = spec.targets[i]
        return Problem(
            f"pack.target_{key}",
            f"目标「{t.id}」{message}",
            file=file,
            row=_line(lines, ("targets", i, key)),
            column=f"targets.{key}",
            value=str(getattr(t, key)),
            severity=severity,
        )

    for i, t in enumerate(spec.targets):
        ind = catalogue.get(t.indicator)
        if ind is None:
            if t.pending is None:
                near = difflib.get_close_matches(t.indicator, catalogue, n=3)
                hint = f"；是否是 {'、'.join(near)}？" if near else ""
                msg = f"读取的指标「{t.indicator}」不在指标目录中{hint}"
                out.append(
                    problem(
                        i, "indicator", msg + "（目录尚无此指标时，用 pending 写明还缺什么数据）"
                    )
                )
            continue
        if t.pending is not None:
            msg = f"的指标「{t.indicator}」已在指标目录中，可删去 pending"
            out.append(problem(i, "pending", msg, "warning"))
        if t.unit is not None and t.unit != ind.unit:
            fix = (
                "（倍增目标的 value 是倍数，不用换算）"
                if t.kind == "multiple"
                else f"，并把 value 换算成{ind.unit}"
            )
            msg = (
                f"的单位「{t.unit}」与指标「{t.indicator}」（{ind.zh}）的单位「{ind.unit}」不同："
                f"目标按指标的单位比较，请改写为「{ind.unit}」{fix}"
            )
            out.append(problem(i, "unit", msg))
        if t.scope != "jurisdiction":
            why = unavailable_reason(t, IndicatorInfo(ind.level, ind.additive, ind.zh), None)
            if why is not None:
                out.append(problem(i, "scope", f"：{why}"))
    return out


def _check_groups(spec: Pack, file: str, lines: Mapping[Path_, int]) -> list[Problem]:
    """Each rule of a group (就高不重复) exists, pays money and belongs to no other group."""
    rules = {r.id: r for r in spec.rules}
    first_group: dict[str, str] = {}
    out: list[Problem] = []
    for i, g in enumerate(spec.groups):
        for j, r in enumerate(g.rules):
            row = _line(lines, ("groups", i, "rules", j))
            if r not in rules:
                msg = f"规则组「{g.id}」引用了不存在的规则「{r}」"
            elif rules[r].money is None:
                msg = f"规则组「{g.id}」中的规则「{r}」不是奖补规则（就高只比较金额）"
            elif r in first_group:
                msg = f"规则「{r}」已在规则组「{first_group[r]}」中，一条规则只能属于一个规则组"
            else:
                first_group[r] = g.id
                continue
            out.append(Problem("pack.group_rule", msg, file=file, row=row, value=r))
    return out


def _constant_only(
    names: tuple[str, ...], params: set[str], file: str, row: int | None, what: str
) -> list[Problem]:
    return [
        Problem(
            "pack.not_constant",
            f"{what}只能由数字和参数组成，不能读取数据列「{n}」",
            file=file,
            row=row,
            value=n,
        )
        for n in names
        if n not in params
    ]


#: Placeholders an ``explain:`` template may use besides the names its rule reads.
EXPLAIN_STEPS = ("raw", "tiered", "floor", "cap")


def _check_rule_text(
    rule: Any, i: int, ns: Namespace, file: str, lines: Mapping[Path_, int]
) -> list[Problem]:
    out: list[Problem] = []
    if rule.money is not None and rule.money.rule_cap is not None:
        try:
            f = check(rule.money.rule_cap, ns)
            params = {n for n in ns if ns[n].kind == "parameter"}
            out += _constant_only(
                f.names,
                params,
                file,
                _line(lines, ("rules", i, "money", "rule_cap")),
                "条款年度总额（rule_cap）",
            )
        except ExprError:
            pass  # already reported with the rule's formulas
    if rule.explain is None:
        return out
    allowed = set(ns) | (set(EXPLAIN_STEPS) if rule.money is not None else set())
    try:
        fields = [
            (f, spec) for _, f, spec, _ in string.Formatter().parse(rule.explain) if f is not None
        ]
    except ValueError as e:
        return [
            *out,
            Problem(
                "pack.explain",
                f"说明模板格式错误：{e}",
                file=file,
                row=_line(lines, ("rules", i, "explain")),
                value=rule.explain,
            ),
        ]
    for f, spec in fields:
        if f not in allowed or spec not in ("", "label"):
            out.append(
                Problem(
                    "pack.explain",
                    f"说明模板中的占位符「{{{f}}}」不认识；可用规则读取的名称、"
                    f"{'、'.join(EXPLAIN_STEPS)}，或写成 {{名称:label}} 显示中文名",
                    file=file,
                    row=_line(lines, ("rules", i, "explain")),
                    value=f,
                )
            )
    return out


def _cites(spec: Pack) -> list[tuple[Path_, Any]]:
    out: list[tuple[Path_, Any]] = []
    for section in ("parameters", "rules", "groups", "budgets", "targets", "measures"):
        for i, item in enumerate(getattr(spec, section)):
            out.append(((section, i, "cite"), item.cite))
            if section == "rules" and item.deadline is not None:
                out.append(((section, i, "deadline", "cite"), item.deadline.cite))
            if section == "parameters":
                for j, v in enumerate(item.values):
                    if v.cite is not None:
                        out.append(((section, i, "values", j, "cite"), v.cite))
    return out


_PYDANTIC_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（拼写错误？）",
    "literal_error": "取值不在允许的范围内",
    "string_pattern_mismatch": "编号只能用小写字母、数字、下划线和短横线",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "decimal_parsing": "应当是数字",
    "int_parsing": "应当是整数",
    "string_type": "应当是文本",
    "list_type": "应当是列表",
    "bool_parsing": "应当是 true 或 false",
}


def pydantic_message_zh(err: Mapping[str, Any]) -> str:
    """The Chinese message for one pydantic error (``ValidationError.errors()`` item)."""
    t = err["type"]
    if t == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return _PYDANTIC_ZH.get(t, err["msg"])


def _short(v: Any) -> str | None:
    if v is None or isinstance(v, dict | list):
        return None
    s = str(v)
    return s if len(s) <= 80 else s[:77] + "…"
