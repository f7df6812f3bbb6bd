"""Checking a pack: every problem is reported with its file and line."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from gaoxin.engine.packs import check_pack, load_pack, normalise_text
from gaoxin.engine.problems import ProblemsError

DATA = Path(__file__).parent / "data"

DOC = "一、总则\n（一）对新认定的高新技术企业，给予一次性奖补20万元。\n（二）对认定为孵化器的，予以补贴。\n"

HEAD = """\
format: 1
id: mini
title: 测试政策
issuer: 测试厅
issued: 2023-01-01
inputs:
  - {id: newly_certified_hte, label: 当年新认定高企, type: bool}
"""


def write(tmp_path: Path, body: str, doc: str = DOC) -> Path:
    (tmp_path / "pack.yaml").write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    (tmp_path / "document.txt").write_text(doc, encoding="utf-8")
    return tmp_path


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate((path / "pack.yaml").read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


GOOD_RULE = """\
rules:
  - id: hte
    cite: {article: "（一）", quote: "对新认定的高新技术企业，给予一次性奖补20万元"}
    applies_to: enterprise
    when: newly_certified_hte
    money: {amount: 20, once: true}
"""


def test_shipped_fixture_packs_are_clean():
    for name in ("fujian", "gansu"):
        assert [p for p in check_pack(DATA / name) if p.severity == "error"] == [], name


def test_a_sound_pack_loads(tmp_path):
    pack = load_pack(write(tmp_path, GOOD_RULE))
    assert pack.spec.rules[0].money.once is True
    assert pack.spec.rules[0].money.amount == "20"  # a bare number is a formula


def test_quote_matching_ignores_width_quotes_and_whitespace():
    assert normalise_text("给予 一次性奖补20万元，\n最高(300)") == normalise_text(
        "给予一次性奖补20万元,最高（300）"
    )
    assert normalise_text("“新增高新技术企业数”") == normalise_text('"新增高新技术企业数"')


def test_a_quote_not_in_the_document_is_reported_with_its_line(tmp_path):
    d = write(tmp_path, GOOD_RULE.replace("给予一次性奖补20万元", "给予一次性奖补30万元"))
    [p] = check_pack(d)
    assert p.code == "pack.quote_not_found"
    assert p.row == line_of(d, "30万元")
    assert p.value == "对新认定的高新技术企业，给予一次性奖补30万元"
    assert p.file.endswith("pack.yaml")


def test_a_quote_written_in_half_width_across_lines_still_matches(tmp_path):
    body = GOOD_RULE.replace(
        'cite: {article: "（一）", quote: "对新认定的高新技术企业，给予一次性奖补20万元"}',
        'cite:\n      article: "(一)"\n      quote: >-\n        对新认定的高新技术企业,\n        给予一次性奖补20万元',
    )
    assert check_pack(write(tmp_path, body)) == []


def test_a_bad_formula_points_at_its_line(tmp_path):
    d = write(
        tmp_path,
        GOOD_RULE.replace("money: {amount: 20, once: true}", "money:\n      amount: 20 +* 3"),
    )
    [p] = check_pack(d)
    assert p.code == "expr.syntax"
    assert p.row == line_of(d, "20 +* 3")
    assert p.column == "rules.0.money.amount"


def test_a_bad_formula_in_a_block_scalar_points_at_the_line_inside_it(tmp_path):
    body = GOOD_RULE.replace(
        "when: newly_certified_hte",
        "when: |\n      newly_certified_hte and (\n        newly_certified_hte +* 2)",
    )
    d = write(tmp_path, body)
    [p] = check_pack(d)
    assert p.row == line_of(d, "newly_certified_hte +* 2")


def test_unknown_names_and_wrong_types_are_formula_problems(tmp_path):
    d = write(
        tmp_path, GOOD_RULE.replace("when: newly_certified_hte", "when: newly_certified_gazelle")
    )
    [p] = check_pack(d)
    assert p.code == "expr.unknown_name" or "unknown" in p.code
    assert "newly_certified_gazelle" in p.message
    assert p.row == line_of(d, "newly_certified_gazelle")
    d2 = write(tmp_path, GOOD_RULE.replace("when: newly_certified_hte", "when: 20"))
    [p2] = check_pack(d2)
    assert p2.row == line_of(d2, "when: 20")


def test_unknown_fields_and_missing_fields_are_reported_with_lines(tmp_path):
    d = write(
        tmp_path,
        GOOD_RULE.replace("applies_to: enterprise", "applies_to: enterprise\n    ammount: 3"),
    )
    problems = check_pack(d)
    [p] = problems
    assert p.code == "pack.schema.extra_forbidden"
    assert p.row == line_of(d, "ammount")
    d2 = write(tmp_path, GOOD_RULE.replace("    applies_to: enterprise\n", ""))
    [p2] = check_pack(d2)
    assert p2.code == "pack.schema.missing" and p2.column == "rules.0.applies_to"
    assert p2.row == line_of(d2, "- id: hte")


def test_duplicate_ids_are_reported(tmp_path):
    d = write(tmp_path, GOOD_RULE + GOOD_RULE.replace("rules:\n", ""))
    [p] = check_pack(d)
    assert p.code == "pack.duplicate_id" and p.value == "hte"
    assert (
        p.row
        == [
            i
            for i, x in enumerate((d / "pack.yaml").read_text().splitlines(), 1)
            if "- id: hte" in x
        ][1]
    )


def test_a_rule_needs_exactly_one_outcome(tmp_path):
    d = write(
        tmp_path,
        GOOD_RULE.replace(
            "    money: {amount: 20, once: true}\n",
            "    money: {amount: 20}\n    action: commend\n",
        ),
    )
    [p] = check_pack(d)
    assert "只能有一种结果" in p.message


def test_open_amounts_are_parameters_without_values(tmp_path):
    body = """\
    parameters:
      - id: incubator_subsidy
        label: 孵化器补贴
        unit: 万元
        cite: {article: "（二）", quote: "予以补贴"}
      - id: hte_award
        label: 新认定高企奖补
        unit: 万元
        cite: {article: "（一）", quote: "给予一次性奖补20万元"}
        values:
          - {from: 2023-01-01, value: 20}
          - {from: 2025-01-01, value: 25}
    """
    pack = load_pack(write(tmp_path, body))
    p, hte = pack.spec.parameters
    assert p.values == [] and p.value_at(__import__("datetime").date(2024, 1, 1)) is None
    from datetime import date

    assert hte.value_at(date(2022, 12, 31)) is None
    assert hte.value_at(date(2024, 6, 1)) == Decimal(20)
    assert hte.value_at(date(2025, 1, 1)) == Decimal(25)


def test_load_pack_raises_with_every_error(tmp_path):
    d = write(
        tmp_path,
        GOOD_RULE.replace("20万元", "99万元").replace("when: newly_certified_hte", "when: nope"),
    )
    with pytest.raises(ProblemsError) as e:
        load_pack(d)
    assert {p.code for p in e.value.problems} >= {"pack.quote_not_found"}
    assert len(e.value.problems) == 2


def test_a_draft_pack_is_a_warning_not_an_error(tmp_path):
    d = write(tmp_path, "status: draft\n" + GOOD_RULE)
    [p] = check_pack(d)
    assert p.severity == "warning" and p.code == "pack.draft"
    load_pack(d)


def test_yaml_syntax_errors_have_a_line(tmp_path):
    d = write(tmp_path, "rules: [\n  - id: x\n")
    [p] = check_pack(d)
    assert p.code == "pack.yaml" and p.row is not None


def test_explain_placeholders_are_checked(tmp_path):
    d = write(
        tmp_path, GOOD_RULE + '    explain: "新认定 {newly_certified_hte:label}，计 {rawx} 万元"\n'
    )
    [p] = check_pack(d)
    assert p.code == "pack.explain" and p.value == "rawx" and p.row == line_of(d, "explain:")


def test_budget_totals_may_not_read_data(tmp_path):
    body = GOOD_RULE + textwrap.dedent(
        """\
        budgets:
          - id: fund
            label: 资金
            amount: if_(newly_certified_hte, 1, 2)
            cite: {article: "（一）", quote: "给予一次性奖补20万元"}
        """
    )
    d = write(tmp_path, body)
    [p] = check_pack(d)
    assert p.code == "pack.not_constant" and p.value == "newly_certified_hte"
    assert p.row == line_of(d, "amount: if_")


def test_the_example_in_docs_packs_md_checks_clean_against_the_gansu_text(tmp_path):
    docs = Path(__file__).parents[3] / "docs" / "packs.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("## 1.", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "pack.yaml").write_text(example, encoding="utf-8")
    (tmp_path / "document.txt").write_text(
        (DATA / "gansu" / "document.txt").read_text(encoding="utf-8")
    )
    assert check_pack(tmp_path) == []


def test_rule_groups_name_existing_money_rules_each_in_one_group(tmp_path):
    body = GOOD_RULE + textwrap.dedent(
        """\
          - id: commend
            cite: {article: "（一）", quote: "对新认定的高新技术企业"}
            applies_to: enterprise
            when: newly_certified_hte
            action: commend
        groups:
          - id: g1
            label: 同类奖励
            cite: {article: "（一）", quote: "给予一次性奖补20万元"}
            rules: [hte, nope]
          - id: g2
            label: 另一组
            cite: {article: "（一）", quote: "给予一次性奖补20万元"}
            rules: [hte, commend]
        """
    )
    path = write(tmp_path, body)
    got = [(p.code, p.row, p.value) for p in check_pack(path) if p.code == "pack.group_rule"]
    g1 = line_of(path, "rules: [hte, nope]")
    g2 = line_of(path, "rules: [hte, commend]")
    # a flow sequence's items sit on the line of the list itself
    assert got == [
        ("pack.group_rule", g1, "nope"),
        ("pack.group_rule", g2, "hte"),  # already in g1
        ("pack.group_rule", g2, "commend"),  # an action has no amount to compare
    ]


def test_a_group_needs_two_rules(tmp_path):
    body = GOOD_RULE + textwrap.dedent(
        """\
        groups:
          - {id: g, label: 组, cite: {article: "（一）", quote: "给予一次性奖补20万元"}, rules: [hte]}
        """
    )
    problems = check_pack(write(tmp_path, body))
    assert [p.column for p in problems if p.code.startswith("pack.schema")] == ["groups.0.rules"]
