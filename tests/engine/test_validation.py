"""Validation rules across variables: loading, running over a frame, missing values, messages."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine.expr import ExprError, ExprType, NameInfo, Namespace, UnknownNameError
from gaoxin.engine.problems import ProblemsError
from gaoxin.engine.validation import (
    Importance,
    MissingStrategy,
    ValidationRule,
    check_rules,
    load_rules,
    run_rules,
    violations_to_problems,
)

NS = Namespace.of(
    {
        "revenue": NameInfo(ExprType.NUMBER, label="营业收入"),
        "rd_expenditure": NameInfo(ExprType.NUMBER, label="R&D经费内部支出"),
        "hte_count": NameInfo(ExprType.NUMBER, label="高新技术企业数"),
        "enterprise_count": NameInfo(ExprType.NUMBER, label="企业数"),
        "rd_gov": NameInfo(ExprType.NUMBER, label="政府资金"),
        "tolerance": NameInfo(ExprType.NUMBER, kind="parameter", value=1.1, label="容差"),
    }
)
KEYS = ["entity", "period"]

RULES_YAML = """
rules:
  - code: rd-le-revenue
    name: 研发经费不超过营业收入
    left: rd_expenditure
    operator: "<="
    right: revenue
    importance: high
  - code: hte-le-enterprises
    name: 高企数不超过企业数
    left: hte_count
    operator: "<="
    right: enterprise_count
  - code: rd-gov-part
    name: 政府资金不超过研发经费的1.1倍
    left: rd_gov
    operator: "<="
    right: rd_expenditure * tolerance
    importance: low
"""


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "entity": ["E1", "E2", "E3", "E4", "E5"],
            "period": ["2025", "2025", "2025", "2025", "2025"],
            "revenue": [1000.0, 500.0, None, None, 0.0],
            "rd_expenditure": [1200.0, 100.0, 50.0, None, 0.0],
            "hte_count": [3, 9, None, 2, 0],
            "enterprise_count": [5, 8, 4, None, 0],
            "rd_gov": [10.0, 200.0, 80.0, None, None],
        }
    )


def test_load_rules_from_yaml_and_dicts(tmp_path: Path) -> None:
    rules = load_rules(RULES_YAML)
    assert [r.code for r in rules] == ["rd-le-revenue", "hte-le-enterprises", "rd-gov-part"]
    assert rules[0].importance is Importance.HIGH
    assert rules[1].importance is Importance.MEDIUM
    assert rules[1].missing is MissingStrategy.SKIP_IF_ANY_MISSING
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_YAML, encoding="utf-8")
    assert load_rules(path) == rules
    assert load_rules([r.model_dump() for r in rules]) == rules


def test_load_rules_reports_every_problem() -> None:
    with pytest.raises(ProblemsError) as info:
        load_rules(
            [
                {"code": "a", "name": "甲", "left": "revenue", "operator": "=<", "right": "1"},
                {
                    "code": "b",
                    "name": "乙",
                    "left": "revenue",
                    "operator": "<",
                    "right": "1",
                    "importance": "urgent",
                    "colour": "red",
                },  # fmt: skip
                {"code": "c", "name": "丙", "left": "revenue", "operator": "<", "right": "1"},
                {"code": "c", "name": "丙2", "left": "revenue", "operator": "<", "right": "1"},
            ]
        )
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 4
    assert messages[0].startswith("第1条校验规则「a」的字段「operator」有误")
    assert any(m.startswith("第2条校验规则「b」的字段「importance」有误") for m in messages)
    assert any(m.startswith("第2条校验规则「b」的字段「colour」有误") for m in messages)
    assert messages[3] == "第4条校验规则的代码「c」与第3条重复"


def test_load_rules_rejects_non_lists() -> None:
    with pytest.raises(ProblemsError, match="应当是一个列表"):
        load_rules("code: x")
    with pytest.raises(ProblemsError, match="不是有效的 YAML"):
        load_rules("rules: [")


def test_run_rules_default_strategy(frame: pl.DataFrame) -> None:
    out = run_rules(load_rules(RULES_YAML), frame, NS, keys=KEYS)
    assert out.columns == ["rule", "entity", "period", "left", "right", "importance"]
    assert out.rows()[:2] == [
        ("rd-le-revenue", "E1", "2025", 1200.0, 1000.0, "high"),
        ("hte-le-enterprises", "E2", "2025", 9.0, 8.0, "medium"),
    ]
    # rd_gov <= rd_expenditure * 1.1: E2 200 > 110 and E3 80 > 55 are broken.
    gov = out.filter(pl.col("rule") == "rd-gov-part")
    assert gov["entity"].to_list() == ["E2", "E3"]
    assert gov["left"].to_list() == [200.0, 80.0]
    assert gov["right"].to_list() == pytest.approx([110.0, 55.0])
    assert gov["importance"].to_list() == ["low", "low"]


def _rule(missing: str, left: str = "hte_count", right: str = "enterprise_count") -> ValidationRule:
    return ValidationRule(
        code="r", name="规则", left=left, operator="<=", right=right, missing=missing
    )  # type: ignore[arg-type]


def test_skip_if_any_missing(frame: pl.DataFrame) -> None:
    out = run_rules([_rule("skip_if_any_missing")], frame, NS, keys=["entity"])
    # E3 (hte missing) and E4 (enterprises missing) are skipped.
    assert out.select("entity", "left", "right").rows() == [("E2", 9.0, 8.0)]


def test_skip_if_all_missing_counts_the_missing_as_zero(frame: pl.DataFrame) -> None:
    out = run_rules([_rule("skip_if_all_missing")], frame, NS, keys=["entity"])
    # E4: hte 2 <= enterprises missing (0) is broken; E3: missing (0) <= 4 holds.
    assert out.select("entity", "left", "right").rows() == [("E2", 9.0, 8.0), ("E4", 2.0, 0.0)]
    both = _rule("skip_if_all_missing", left="rd_gov", right="revenue")
    out = run_rules([both], frame, NS, keys=["entity"])
    # E4: both missing, skipped; E3: 80 > missing revenue (0), broken; E5: missing (0) <= 0 holds.
    assert out.select("entity", "left", "right").rows() == [("E3", 80.0, 0.0)]


def test_never_skip_counts_every_missing_side_as_zero(frame: pl.DataFrame) -> None:
    rule = _rule("never_skip", left="rd_gov + 1", right="revenue")
    out = run_rules([rule], frame, NS, keys=["entity"])
    # E1 11 <= 1000 holds; E2 201 <= 500 holds; E3 81 > 0; E4 1 > 0; E5 1 > 0.
    assert out.select("entity", "left", "right").rows() == [
        ("E3", 81.0, 0.0),
        ("E4", 1.0, 0.0),
        ("E5", 1.0, 0.0),
    ]


def test_a_side_that_cannot_be_computed(frame: pl.DataFrame) -> None:
    ratio = "rd_expenditure / revenue"
    # E5: 0 / 0 is missing. Skipped by default, 0 under never_skip (0 > -1 is broken).
    skipping = ValidationRule(code="x", name="x", left=ratio, operator="<=", right="-1")
    assert run_rules([skipping], frame, NS, keys=["entity"])["entity"].to_list() == ["E1", "E2"]
    never = skipping.model_copy(update={"missing": MissingStrategy.NEVER_SKIP})
    out = run_rules([never], frame, NS, keys=["entity"])
    assert out["entity"].to_list() == ["E1", "E2", "E3", "E4", "E5"]
    assert out["left"].to_list() == [1.2, 0.2, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("operator", "broken_by"),
    [
        ("==", ["E1", "E2"]),
        ("!=", ["E5"]),
        ("<", ["E5"]),
        ("<=", []),
        (">", ["E1", "E2", "E5"]),
        (">=", ["E1", "E2"]),
    ],
)
def test_every_operator(frame: pl.DataFrame, operator: str, broken_by: list[str]) -> None:
    rule = ValidationRule(
        code="op",
        name="op",
        left="0",
        operator=operator,  # type: ignore[arg-type]
        right="coalesce(enterprise_count, 1) - hte_count * 0",
    )
    # Right side: E1 5, E2 8, E5 0; E3 and E4 are skipped, as hte_count or enterprise_count is
    # missing there (skip_if_any_missing looks at the variables, not at what coalesce makes of them).
    out = run_rules([rule], frame, NS, keys=["entity"])
    assert out["entity"].to_list() == broken_by


def test_empty_rules_give_an_empty_frame_with_the_schema(frame: pl.DataFrame) -> None:
    out = run_rules([], frame, NS, keys=KEYS)
    assert out.columns == ["rule", "entity", "period", "left", "right", "importance"]
    assert out.height == 0


def test_missing_columns_are_reported(frame: pl.DataFrame) -> None:
    with pytest.raises(ProblemsError) as info:
        run_rules(load_rules(RULES_YAML), frame.drop("rd_gov"), NS, keys=["entity", "zone"])
    assert [p.message for p in info.value.problems] == [
        "数据中没有列「zone」",
        "数据中没有列「rd_gov」",
    ]


def test_a_bad_formula_raises_with_its_position(frame: pl.DataFrame) -> None:
    bad = ValidationRule(code="bad", name="坏规则", left="rd_expenditure", operator="<=",
                         right="revenu * 2")  # fmt: skip
    with pytest.raises(UnknownNameError) as info:
        run_rules([bad], frame, NS, keys=KEYS)
    err = info.value
    assert (err.line, err.col, err.end_col, err.text) == (1, 1, 7, "revenu")
    assert str(err).startswith("第1行第1列：未知名称「revenu」，你是不是要写「revenue」？")
    assert "validation rule 'bad', right side" in err.__notes__


def test_a_side_must_be_a_number(frame: pl.DataFrame) -> None:
    bad = ValidationRule(code="b", name="b", left="revenue > 0", operator="==", right="1")
    with pytest.raises(ExprError) as info:
        run_rules([bad], frame, NS)
    assert info.value.message == "公式的结果应当是数值，实际是逻辑值（是/否）"


def test_check_rules_collects_every_formula_error() -> None:
    rules = [
        ValidationRule(code="a", name="甲", left="revenu", operator="<", right="1"),
        ValidationRule(code="b", name="乙", left="revenue", operator="<", right="abs(1, 2)"),
        ValidationRule(code="c", name="丙", left="revenue", operator="<", right="1"),
    ]
    problems = check_rules(rules, NS)
    assert [(p.code, p.extra["rule"], p.column) for p in problems] == [
        ("expr.unknown_name", "a", "left"),
        ("expr.arity", "b", "right"),
    ]
    assert problems[0].message.startswith(
        "校验规则「甲」（a）的左边公式第1行第1列：未知名称「revenu」"
    )
    assert problems[1].extra["col"] == 8  # the first argument too many


def test_violations_become_problems_in_chinese(frame: pl.DataFrame) -> None:
    rules = load_rules(RULES_YAML)
    out = run_rules(rules, frame, NS, keys=KEYS)
    problems = violations_to_problems(out, rules, NS, keys=KEYS)
    assert problems[0].message == (
        "校验规则「研发经费不超过营业收入」不满足：R&D经费内部支出 1200 > 营业收入 1000"
        "（entity=E1，period=2025）"
    )
    assert problems[0].severity == "error"
    assert problems[0].extra["keys"] == {"entity": "E1", "period": "2025"}
    assert problems[1].message.startswith(
        "校验规则「高企数不超过企业数」不满足：高新技术企业数 9 > 企业数 8"
    )
    assert problems[1].severity == "warning"
    assert problems[2].message.startswith(
        "校验规则「政府资金不超过研发经费的1.1倍」不满足：政府资金 200 > R&D经费内部支出 × 容差 110"
    )


def test_one_evaluation_per_rule_scales_to_many_rows() -> None:
    n = 200_000
    frame = pl.DataFrame(
        {
            "entity": pl.int_range(n, eager=True),
            "revenue": pl.Series([100.0] * n),
            "rd_expenditure": pl.Series([50.0] * (n - 1) + [150.0]),
        }
    )
    rule = ValidationRule(code="r", name="r", left="rd_expenditure", operator="<=", right="revenue")
    out = run_rules([rule], frame, NS, keys=["entity"])
    assert out["entity"].to_list() == [n - 1]
