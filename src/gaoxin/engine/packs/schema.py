"""The policy pack format (``format: 1``): what a pack.yaml may contain, as pydantic models.

A pack is a policy document turned into data: its parameters (dated values, each citing the
clause it comes from), its rules (who qualifies, for what money or action), its targets and its
measures. Every item quotes the document it implements; see docs/packs.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Formulas are strings in the expression language (docs/expressions.md); a bare number is a
#: formula too, so ``cap: 100`` and ``cap: "if_(rank <= 100, 300, 150)"`` both work.
FormulaText = Annotated[str, Field(min_length=1)]

Action = Literal["commend", "warn", "summon", "rectify", "revoke", "recommend", "prefer", "support"]

#: The Chinese words a user reads for each action (GLOSSARY.md).
ACTION_ZH: dict[str, str] = {
    "commend": "通报表扬",
    "warn": "督促警告",
    "summon": "约谈",
    "rectify": "限期整改",
    "revoke": "撤销资格",
    "recommend": "优先推荐",
    "prefer": "倾斜支持",
    "support": "综合支持",
}

#: Rounding units a pack may declare, in 分 (1 万元 = 1,000,000 分).
ROUNDING_UNITS: dict[str, int] = {"0.01万元": 10_000, "1万元": 1_000_000, "1元": 100, "1分": 1}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def _formula(v: object) -> object:
    # YAML reads ``cap: 100`` as a number; the formula language reads it back the same.
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int | float | Decimal):
        return str(v)
    return v


#: The ``jurisdiction`` of a pack that applies to the whole country (the same as none).
NATIONWIDE = "全国"


def as_region_code(v: object) -> object:
    # YAML reads ``jurisdiction: 350000`` as a number; the code is text.
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Cite(Strict):
    """The clause an item implements: its article number and a verbatim quote of its text."""

    article: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class ParameterValue(Strict):
    start: date = Field(alias="from")
    value: Decimal
    cite: Cite | None = None


class Parameter(Strict):
    """A named amount or rate. ``values`` change on dates (OpenFisca-style); with no value at
    all the document leaves the amount open (e.g. 予以补贴) and the user must set it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    unit: str | None = None
    cite: Cite
    interpretation: str | None = None
    values: list[ParameterValue] = []

    @field_validator("values")
    @classmethod
    def _sorted(cls, v: list[ParameterValue]) -> list[ParameterValue]:
        starts = [x.start for x in v]
        if len(set(starts)) != len(starts):
            raise ValueError("同一日期有两个取值")
        return sorted(v, key=lambda x: x.start)

    def value_at(self, day: date) -> Decimal | None:
        """The value in force on ``day``: the last one that started on or before it."""
        current = None
        for v in self.values:
            if v.start <= day:
                current = v.value
        return current


#: Fields of an evaluation run an input may read (decision 009), with the words a user reads.
#: ``consecutive_failures`` counts failed evaluations in a row (``rules.consecutive_failures``),
#: ``units`` the number of units ranked in the run, ``best_rank_before`` the best rank in the
#: runs before this one.
EVALUATION_FIELDS: dict[str, str] = {
    "score": "综合得分",
    "rank": "排名",
    "rank_change": "名次变化",
    "grade": "等级",
    "veto": "一票否决",
    "consecutive_failures": "连续评价不合格次数",
    "units": "参评单位数",
    "best_rank_before": "以往最好名次",
}


class EvaluationSource(Strict):
    """An input read from an evaluation run of one of the pack's frameworks: ``field`` of the
    run for the period ``lag`` periods before the one the rules run for."""

    framework: str = Field(min_length=1)
    field: str = Field(min_length=1)
    lag: int = Field(default=0, ge=0)


#: What an input may read of the cases its pack's earlier actions opened (decision 042):
#: ``failed`` — an earlier case of the rules was judged 整改未到位, or its deadline passed
#: before it was judged 整改到位; ``opened`` — an earlier case of the rules exists.
CASE_FIELDS: dict[str, str] = {
    "failed": "整改不力（未到位或逾期未到位）",
    "opened": "此前已作出该处理",
}


class CaseSource(Strict):
    """An input read from the cases (动态管理案件) that earlier periods' decisions of ``rules``
    (rule ids of the same pack) opened for the unit (decision 042)."""

    rules: list[str] = Field(min_length=1)
    field: Literal["failed", "opened"]


class Input(Strict):
    """A column of the frame the pack's rules read, and where its values come from: an engine
    formula or catalogue indicator over the fact frame (``formula``), a field of an evaluation
    run (``evaluation``), the cases of earlier actions (``cases``), or none — then the user
    supplies it (``gaoxin awards --inputs``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: Literal["number", "bool", "string"] = "number"
    unit: str | None = None
    level: str | None = None
    formula: FormulaText | None = None
    evaluation: EvaluationSource | None = None
    cases: CaseSource | None = None
    note: str | None = None
    #: The values a supplied text input may take (如 好、一般、较差): the file's cells are checked
    #: against them and the template offers them as a list; None: any text.
    values: list[str] | None = None

    _f = field_validator("formula", mode="before")(_formula)

    @model_validator(mode="after")
    def _one_source(self) -> Input:
        if sum(x is not None for x in (self.formula, self.evaluation, self.cases)) > 1:
            raise ValueError(
                "输入变量只能有一个来源：formula（公式）、evaluation（评价结果）或 cases（整改案件）"
            )
        if self.cases is not None and self.type != "bool":
            raise ValueError("读取整改案件（cases）的输入变量类型必须是 bool")
        if self.values is not None and self.type != "string":
            raise ValueError("可选值（values）只用于文本型（type: string）的输入变量")
        return self

    @property
    def source(self) -> Literal["formula", "evaluation", "cases", "supplied"]:
        if self.formula is not None:
            return "formula"
        if self.evaluation is not None:
            return "evaluation"
        return "cases" if self.cases is not None else "supplied"


#: How ``gaoxin demo`` makes up a supplied input from the demo's own data (decision 083), with
#: the words a user reads: a grade by place, the place itself, 是 for the first places, an
#: amount from a figure times a factor.
DEMO_METHODS: dict[str, str] = {
    "grades": "按名次分档",
    "rank": "名次",
    "top": "前若干名为“是”",
    "amount": "数值乘以系数",
}
#: The input type each demo method gives.
DEMO_METHOD_TYPES: dict[str, str] = {
    "grades": "string",
    "rank": "number",
    "top": "bool",
    "amount": "number",
}


class DemoInput(Strict):
    """One supplied input's example for the demo (decision 083, docs/packs.md §演示输入): the
    entities of the input's level in the pack's region (``among``: those whose attributes have
    these values), placed by ``by`` (a variable or catalogue indicator at that level, of the
    period ``lag`` years before) from the highest (``order: high_first``) or the lowest, an
    entity without it last, ties by code; then ``method``. For the demo only: never read by a
    rule."""

    input: str = Field(min_length=1)
    #: One of :data:`DEMO_METHODS`; checked, with the fields each method takes, by the pack
    #: check (gaoxin.engine.packs.loader), whose messages name the input.
    method: str = Field(min_length=1)
    by: str = Field(min_length=1)
    order: Literal["high_first", "low_first"] = "high_first"
    lag: int = 0
    among: dict[str, str] = {}
    #: ``grades``: the values from the first places to the last, in equal shares by place.
    grades: list[str] | None = None
    #: ``top`` (and, optionally, ``amount``): the first ``count`` places, or the first ``share``
    #: of them (rounded up).
    count: int | None = None
    share: Decimal | None = None
    #: ``amount``: ``by`` times ``factor``, rounded half up to ``digits`` decimals.
    factor: Decimal | None = None
    digits: int = 2


class Demo(Strict):
    """The demo's example of the inputs the user supplies (decision 083): ``gaoxin demo`` writes
    them into a file, marked 仅供演示, and decides the demo year with it."""

    inputs: list[DemoInput] = Field(min_length=1)


class Effective(Strict):
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")


class Bracket(Strict):
    """One step of a scale (阶梯). ``rate`` applies to the part of the base inside the bracket
    (marginal scales); ``amount`` is the award for a base that falls in it (step scales)."""

    start: Decimal = Field(alias="from")
    end: Decimal | None = Field(default=None, alias="to")
    rate: Decimal | None = None
    amount: Decimal | None = None

    @model_validator(mode="after")
    def _one(self) -> Bracket:
        if (self.rate is None) == (self.amount is None):
            raise ValueError("每一档必须且只能写 rate（比例）或 amount（金额）之一")
        if self.end is not None and self.end <= self.start:
            raise ValueError("档位的 to 必须大于 from")
        return self


class Tiers(Strict):
    mode: Literal["marginal", "step"] = "step"
    brackets: list[Bracket] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Tiers:
        want = "rate" if self.mode == "marginal" else "amount"
        for b in self.brackets:
            if getattr(b, want) is None:
                raise ValueError(f"{self.mode} 阶梯的每一档都要写 {want}")
        return self


class Money(Strict):
    """An award in 万元. Order: amount → tiers → rounding → floor → cap → rule_cap → pack caps."""

    amount: FormulaText
    tiers: Tiers | None = None
    floor: FormulaText | None = None
    cap: FormulaText | None = None
    cap_label: str = "单个主体年度上限"
    rule_cap: FormulaText | None = None
    once: bool = False
    paid: Literal["same_year", "next_year"] = "same_year"
    unit: Literal["万元"] = "万元"

    _f = field_validator("amount", "floor", "cap", "rule_cap", mode="before")(_formula)


class Deadline(Strict):
    """How long a zone has to carry out an action (整改期限), counted from the day the decision
    is published (the case opens): ``months`` and/or ``days``. The pack cites the clause it
    reads the length from and, where the document names no length, says its reading
    (``interpretation``); docs/packs.md §处理措施."""

    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)
    cite: Cite
    interpretation: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Deadline:
        if self.months == 0 and self.days == 0:
            raise ValueError("整改期限（deadline）至少要写 months（月数）或 days（天数）之一")
        return self

    def due(self, opened: date) -> date:
        """The last day of the period that starts on ``opened`` (a month later on the 31st is
        the last day of the shorter month)."""
        import calendar
        from datetime import timedelta

        month0 = opened.month - 1 + self.months
        year, month = opened.year + month0 // 12, month0 % 12 + 1
        day = min(opened.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = None
    cite: Cite
    interpretation: str | None = None
    applies_to: str
    effective: Effective | None = None
    when: FormulaText = "True"
    money: Money | None = None
    action: Action | None = None
    #: The time the zone has to carry out the action (限期整改's 限期): its case then waits
    #: for a rectification plan, evidence and review (decision 042).
    deadline: Deadline | None = None
    explain: str | None = None

    _f = field_validator("when", mode="before")(_formula)

    @model_validator(mode="after")
    def _one_outcome(self) -> Rule:
        if (self.money is None) == (self.action is None):
            raise ValueError("规则必须且只能有一种结果：money（奖补金额）或 action（处理措施）")
        if self.deadline is not None and self.action is None:
            raise ValueError("只有处理措施（action）的规则可以写整改期限（deadline）")
        return self


class Budget(Strict):
    """A funding line (资金渠道) that pays the awards of some rules (all money rules when
    ``rules`` is omitted). With an ``amount`` it is also a total they may not exceed in one
    year: when they would, every award under it is pro-rated. Without one (the document names
    the source of the money but no sum) it only totals them (docs/packs.md)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    amount: FormulaText | None = None
    rules: list[str] | None = None
    per: Literal["year", "entity_year"] = "year"
    cite: Cite
    interpretation: str | None = None

    _f = field_validator("amount", mode="before")(_formula)


class RuleGroup(Strict):
    """Rules of which an entity is paid only one in a period (就高不重复): among the money rules
    of the group that award it something, the highest award is paid and the others are kept in
    the trace as superseded by it, with 0. A tie goes to the rule listed first (docs/packs.md)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    rules: list[str] = Field(min_length=2)
    pick: Literal["highest"] = "highest"
    cite: Cite
    interpretation: str | None = None


class Target(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    cite: Cite
    interpretation: str | None = None
    indicator: str
    comparison: Literal[">=", ">", "<=", "<", "=="] = ">="
    value: Decimal
    deadline: int
    scope: Literal["jurisdiction", "each_zone", "each_city"] = "jurisdiction"
    kind: Literal["absolute", "relative", "multiple", "count", "increase"] = "absolute"
    #: The top of a range target (2-3家: ``value: 2``, ``upper: 3``, comparison ``>=``): the
    #: goal is met from ``value`` on; above ``upper`` the status is ``exceeded`` (docs/packs.md).
    upper: Decimal | None = None
    baseline_year: int | None = None
    baseline_value: Decimal | None = None
    unit: str | None = None
    #: What the indicator catalogue still lacks to compute this target (the data it needs):
    #: ``packs check`` then accepts an ``indicator`` the catalogue does not have, and
    #: ``gaoxin targets`` prints this text beside 无法计算 (docs/packs.md).
    pending: str | None = None

    @model_validator(mode="after")
    def _baseline(self) -> Target:
        if self.kind in ("multiple", "increase") and self.baseline_year is None:
            raise ValueError(
                "倍增目标（multiple）和增量目标（increase）必须写 baseline_year（基期年份）"
            )
        if self.upper is not None:
            if self.comparison != ">=":
                raise ValueError("区间目标（写了 upper）的 comparison 只能是 >=（不少于下限）")
            if self.upper <= self.value:
                raise ValueError("区间目标的上限 upper 必须大于下限 value")
        return self


class Measure(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    cite: Cite
    interpretation: str | None = None
    title: str
    lead_units: list[str] = []
    participating_units: list[str] = []


class Documents(Strict):
    """Who issues the official documents made under the pack (docs/packs.md §documents):
    the 版头, the 发文字号 pattern, 主送, 抄送 and 印发 (GB/T 9704-2012)."""

    #: 发文机关标志 in the red 版头, e.g. 甘肃省科学技术厅文件.
    organ: str
    #: 落款: the issuing organ's name over the date.
    signature: str
    #: 发文字号 with ``{year}`` and ``{seq}``, e.g. 甘科高〔{year}〕{seq}号.
    number: str = Field(pattern=r"\{year\}.*\{seq\}")
    #: 主送机关 of a bulletin to the whole jurisdiction.
    addressees: str
    #: 抄送 (without 抄送：), may be empty.
    copy_to: str = ""
    #: 印发机关 in the 版记.
    printer: str
    #: A .docx beside pack.yaml whose styles (公文正文, 公文标题, 版头, …) the documents use.
    template: str | None = None


class Pack(Strict):
    format: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    issuer: str
    number: str | None = None
    issued: date
    effective: Effective | None = None
    #: The region the document applies to: a GB/T 2260 code of the region catalogue
    #: (``350000`` 福建省, ``331000`` 台州市); None or ``全国``: the whole country. The pack
    #: commands run over it unless ``--scope`` says otherwise (docs/packs.md).
    jurisdiction: str | None = None
    status: Literal["draft", "in_force", "expired"] = "in_force"
    document: str = "document.txt"
    rounding: Literal["0.01万元", "1万元", "1元", "1分"] = "0.01万元"
    rounding_mode: Literal["half_up", "down"] = "half_up"
    inputs: list[Input] = []
    parameters: list[Parameter] = []
    rules: list[Rule] = []
    groups: list[RuleGroup] = []
    budgets: list[Budget] = []
    targets: list[Target] = []
    measures: list[Measure] = []
    #: Who issues the official documents made under the pack; None: the pack cannot issue
    #: them (``gaoxin doc write`` says so).
    documents: Documents | None = None
    #: How the demo makes up the inputs the user supplies (decision 083); None: it does not.
    demo: Demo | None = None

    _j = field_validator("jurisdiction", mode="before")(as_region_code)

    @property
    def region(self) -> str | None:
        """The region code the pack applies to; None for the whole country."""
        return None if self.jurisdiction in (None, NATIONWIDE) else self.jurisdiction

    @property
    def rounding_fen(self) -> int:
        return ROUNDING_UNITS[self.rounding]

    @property
    def rule_kinds(self) -> list[str]:
        """The kinds of entity the pack's rules apply to (``applies_to``), sorted."""
        return sorted({r.applies_to for r in self.rules})

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def parameter(self, pid: str) -> Parameter:
        for p in self.parameters:
            if p.id == pid:
                return p
        raise KeyError(pid)
