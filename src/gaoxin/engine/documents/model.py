"""What a parsed policy document is made of: headings, measures, money amounts, targets.

Plain dataclasses; ``as_dict`` gives the machine-readable JSON contract of ``gaoxin doc parse --json``.
Spans are ``(start, end)`` character offsets into the text the document was read as.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from gaoxin.engine.problems import Problem

Span = tuple[int, int]

AmountRole = Literal["award", "cap", "floor", "threshold", "amount"]


@dataclass(slots=True)
class Amount:
    """A money amount as written, and its value in 万元."""

    text: str
    value_wan: float
    unit: str  # as written: 元, 万元, 亿元, 万亿元 ...
    role: AmountRole
    span: Span
    #: money the measure grants (``amounts.GRANTED``): a total of a unit's funding counts these,
    #: never a threshold (200万元以上), a statistic (13.6万亿元) or an award a cap bounds
    granted: bool = False


@dataclass(slots=True)
class Percentage:
    """A rate of money given as a share of something (按技术交易额的3%给予奖励)."""

    text: str
    value: float
    basis: str
    span: Span


@dataclass(slots=True)
class Target:
    """A quantitative goal: by ``year``, ``indicator`` ``comparator`` ``value`` ``unit``."""

    text: str
    year: int | None
    span: Span
    indicator: str | None = None
    comparator: str | None = None  # ">=", ">", "=", "double", "full_coverage", "rise"
    value: float | None = None
    unit: str | None = None
    baseline: float | None = None
    path: list[str] = field(default_factory=list)


DecisionKind = Literal[
    "approve", "upgrade", "rename", "adjust_boundary", "evaluation", "commend", "warn", "revoke"
]
DECISION_LABELS: dict[str, str] = {
    "approve": "批准设立",
    "upgrade": "升级为国家高新区",
    "rename": "更名",
    "adjust_boundary": "调整范围",
    "evaluation": "评价结果",
    "commend": "表扬",
    "warn": "警告",
    "revoke": "撤销",
}


@dataclass(slots=True)
class Decision:
    """What a 批复 or 通报 decides about named zones: approved, upgraded, renamed, re-bounded,
    graded, commended, warned, revoked. ``value`` is the grade (优秀) or the new name."""

    kind: DecisionKind
    zones: list[str]
    text: str  # the clause as written
    span: Span
    value: str | None = None
    path: list[str] = field(default_factory=list)  # the measure the clause sits in

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.kind]


@dataclass(slots=True)
class Heading:
    path: list[str]
    title: str
    span: Span


@dataclass(slots=True)
class Measure:
    path: list[str]
    title: str
    text: str
    span: Span
    lead_units: list[str] = field(default_factory=list)
    participating_units: list[str] = field(default_factory=list)
    units_span: Span | None = None
    amounts: list[Amount] = field(default_factory=list)
    percentages: list[Percentage] = field(default_factory=list)
    deadline: str | None = None
    box: bool = False  # a 专栏 box

    @property
    def amounts_wan(self) -> list[float]:
        return [a.value_wan for a in self.amounts]

    @property
    def number(self) -> str:
        """The path as a ledger prints it: 四（九）, 三(一)2."""
        return "".join(self.path)


@dataclass(slots=True)
class Document:
    title: str | None
    issuer: str | None
    doc_number: str | None
    issued: str | None  # ISO date
    headings: list[Heading]
    measures: list[Measure]
    targets: list[Target]
    status: str | None = None  # "draft" for a 征求意见稿
    published: str | None = None  # 发布日期 where given apart from the date signed
    title_span: Span | None = None
    source: str | None = None  # the file read, where there was one
    problems: list[Problem] = field(default_factory=list)
    text: str = field(default="", repr=False)  # the text all spans point into
    kind: str | None = None  # the type the title ends in: 方案, 意见, 批复, 通报…
    addressees: list[str] = field(default_factory=list)  # 某省人民政府： (who 你省 means)
    decisions: list[Decision] = field(default_factory=list)  # of a 批复, 通报 or 决定

    def sentence_at(self, span: Span) -> str:
        """The sentence of the source around ``span``, as written (for citing a clause)."""
        start, end = span
        while start > 0 and self.text[start - 1] not in "。；;！？\n":
            start -= 1
        while end < len(self.text) and self.text[end] not in "。；;！？\n":
            end += 1
        return self.text[start:end].strip()

    def as_dict(self) -> dict[str, Any]:
        def measure(m: Measure) -> dict[str, Any]:
            d = asdict(m)
            d["amounts_wan"] = m.amounts_wan
            d["span"] = list(m.span)
            return d

        return {
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "issued": self.issued,
            "published": self.published,
            "status": self.status,
            "kind": self.kind,
            "addressees": self.addressees,
            "source": self.source,
            "title_span": list(self.title_span) if self.title_span else None,
            "headings": [
                {"path": h.path, "title": h.title, "span": list(h.span)} for h in self.headings
            ],
            "measures": [measure(m) for m in self.measures],
            "targets": [asdict(t) | {"span": list(t.span)} for t in self.targets],
            "decisions": [asdict(d) | {"span": list(d.span)} for d in self.decisions],
            "problems": [p.as_dict() for p in self.problems],
        }
