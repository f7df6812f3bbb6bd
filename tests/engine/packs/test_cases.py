"""The case runner: a failing case shows a diff, a bad case file names its file and line, and the
`gaoxin packs` commands exit 0 / 1 as documented (docs/packs.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.engine.packs import load_pack
from gaoxin.engine.packs.cases import discover, load_cases, run_cases
from gaoxin.engine.problems import ProblemsError

GANSU = Path(__file__).parents[3] / "src" / "gaoxin" / "packs" / "gansu"
runner = CliRunner()


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the Gansu pack with no cases, to write cases into."""
    d = tmp_path / "gansu"
    d.mkdir()
    for name in ("pack.yaml", "document.txt"):
        shutil.copy(GANSU / name, d / name)
    (d / "cases").mkdir()
    return d


def write(pack: Path, text: str, name: str = "t.yaml") -> Path:
    f = pack / "cases" / name
    f.write_text(text, encoding="utf-8")
    return f


HTE = """\
- name: 新认定高企
  period: 2023
  rules: [new-hte]
  entities:
    - {entity: e1, kind: enterprise, in_zone: true, newly_certified_hte: true}
    - {entity: e2, kind: enterprise, in_zone: true, newly_certified_hte: true}
  expect:
    - {rule: new-hte, entity: e1, amount: "%s"}
"""


def test_a_passing_case(pack: Path):
    f = write(pack, (HTE % "20") + '    - {rule: new-hte, entity: e2, amount: "20.00"}\n')
    [r] = run_cases(pack, [f])
    assert r.passed, r.diff()
    assert r.where == f"{f}:1"


def test_a_failing_case_shows_expected_got_and_the_trace(pack: Path):
    f = write(pack, HTE % "25")
    [r] = run_cases(pack, [f])
    assert not r.passed
    by = {(m.rule, m.entity): m for m in r.mismatches}
    wrong, extra = by[("new-hte", "e1")], by[("new-hte", "e2")]
    assert (wrong.expected, wrong.got) == ("25", "20")
    assert (extra.expected, extra.got) == (None, "20")
    diff = r.diff()
    assert "规则 new-hte · 主体 e1：期望 25 万元，实际 20 万元" in diff
    assert "规则 new-hte · 主体 e2：期望 无结果，实际 20 万元（用例未预期此结果）" in diff
    assert "说明：依据《甘肃省科技厅关于促进高新技术产业开发区高质量发展的若干措施》四、10" in diff


def test_an_expected_row_that_is_missing_and_one_left_undetermined(pack: Path):
    f = write(
        pack,
        """\
- name: 缺数据
  period: 2023
  rules: [national-project]
  entities:
    - {entity: a, kind: enterprise, in_zone: true}
    - {entity: b, kind: enterprise, in_zone: true, national_project_funds: 100}
  expect:
    - {rule: national-project, entity: a, amount: "30"}
    - {rule: national-project, entity: b, amount: "10"}
""",
    )
    [r] = run_cases(pack, [f])
    diff = r.diff()
    assert "主体 a：期望 30 万元，实际 无结果（缺少数据，无法判断：national_project_funds）" in diff
    assert "主体 b：期望 10 万元，实际 无结果" in diff


def test_a_run_error_is_a_failed_case_naming_the_parameter(pack: Path):
    f = write(
        pack,
        """\
- name: 未设定门槛
  period: 2023
  rules: [rank-fall-summon]
  entities:
    - {entity: z, kind: zone, zone_level: provincial, provincial_rank: 9, provincial_rank_prev: 1}
  expect:
    - {rule: rank-fall-summon, entity: z, action: summon}
""",
    )
    [r] = run_cases(pack, [f])
    assert not r.passed
    assert "rank_fall_threshold" in (r.error or "")


def test_expect_none_names_the_rule_that_should_not_fire(pack: Path):
    f = write(
        pack,
        """\
- name: 不应表扬
  period: 2023
  entities:
    - {entity: z, kind: zone, zone_level: provincial, new_hte_rising_every_year: true}
  rules: [hte-growth-commend]
  expect_none: [hte-growth-commend]
""",
    )
    [r] = run_cases(pack, [f])
    assert "期望 无结果，实际 commend（此规则应当没有结果）" in r.diff()


BAD = """\
- name: 坏用例
  period: 2023
  entities:
    - {entity: e1, kind: enterprise, in_zone: yes please}
    - {entity: e2, kind: enterprise, turnover: 3}
  parameters: {no_such: 1}
  expect:
    - {rule: no-such-rule, entity: e1, amount: "20"}
    - {rule: new-hte, entity: e1, amount: 20.5}
    - {rule: new-hte, entity: e2, action: commend}
- name: 缺期间
  entities:
    - {entity: e1, kind: enterprise}
"""


def test_a_bad_case_file_names_file_and_line_of_every_problem(pack: Path):
    f = write(pack, BAD)
    with pytest.raises(ProblemsError) as e:
        load_cases(f, load_pack(pack))
    got = {(p.code, p.row) for p in e.value.problems}
    assert all(p.file == str(f) for p in e.value.problems)
    assert got == {
        ("cases.schema.value_error", 9),  # amount written as a float
        ("cases.schema.missing", 11),  # the second case has no period
    }
    # once the schema is right, the checks against the pack
    f = write(
        pack,
        BAD.replace("amount: 20.5", 'amount: "20.5"').replace(
            "- name: 缺期间\n  entities:\n    - {entity: e1, kind: enterprise}\n", ""
        ),
    )
    with pytest.raises(ProblemsError) as e:
        load_cases(f, load_pack(pack))
    got = {(p.code, p.row) for p in e.value.problems}
    assert got == {
        ("cases.type", 4),
        ("cases.unknown_column", 5),
        ("cases.unknown_parameter", 6),
        ("cases.unknown_rule", 8),
        ("cases.outcome", 10),
    }


def test_yaml_syntax_error_has_its_line(pack: Path):
    f = write(pack, "- name: x\n  period: 2023\n  entities: [\n")
    with pytest.raises(ProblemsError) as e:
        run_cases(pack, [f])
    [p] = e.value.problems
    assert (p.code, p.file, p.row) == ("cases.yaml", str(f), 4)


def test_discover_a_pack_or_a_file(pack: Path):
    f = write(pack, HTE % "20")
    assert discover(pack) == (pack, [f])
    assert discover(f) == (pack, [f])


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_test_passes_with_exit_0(pack: Path):
    write(pack, (HTE % "20") + '    - {rule: new-hte, entity: e2, amount: "20"}\n')
    r = runner.invoke(app, ["packs", "test", str(pack)])
    assert r.exit_code == 0, r.output
    assert "用例 1 个：通过 1 个，失败 0 个。" in r.output


def test_cli_test_fails_with_exit_1_and_prints_the_diff(pack: Path):
    write(pack, HTE % "25")
    r = runner.invoke(app, ["packs", "test", str(pack)])
    assert r.exit_code == 1
    assert "期望 25 万元，实际 20 万元" in r.output
    assert "失败 1 个" in r.output


def test_cli_test_bad_case_file_exit_1_with_file_and_line(pack: Path):
    f = write(pack, BAD)
    r = runner.invoke(app, ["packs", "test", str(f)], terminal_width=300)
    assert r.exit_code == 1
    assert f"{f}:9" in r.output.replace("\n", "")


def test_cli_check(pack: Path):
    r = runner.invoke(app, ["packs", "check", str(pack)])
    assert r.exit_code == 0, r.output
    assert "0 个错误" in r.output
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    (pack / "pack.yaml").write_text(
        text.replace("一次性给予200万元奖励", "一次性给予300万元奖励"), encoding="utf-8"
    )
    r = runner.invoke(app, ["packs", "check", str(pack)], terminal_width=300)
    assert r.exit_code == 1
    assert "pack.quote_not_found" in r.output
    assert "2 个错误" in r.output  # the parameter and the rule quote it


def test_cli_check_reports_bad_case_files(pack: Path):
    f = write(pack, BAD)
    r = runner.invoke(app, ["packs", "check", str(pack)], terminal_width=300)
    assert r.exit_code == 1
    assert f"{f}:11" in r.output.replace("\n", "")


def test_cli_list_and_shipped_default():
    r = runner.invoke(app, ["packs", "list"], terminal_width=300)
    assert r.exit_code == 0, r.output
    assert "gansu" in r.output
    assert "现行有效" in r.output
    assert runner.invoke(app, ["packs", "test"]).exit_code == 0
    assert runner.invoke(app, ["packs", "check"]).exit_code == 0


def test_paid_in_is_compared_when_given(pack: Path):
    f = write(
        pack,
        """\
- name: 下年度拨付
  period: 2023
  rules: [new-provincial-zone]
  entities:
    - {entity: z, kind: zone, newly_provincial: true}
  expect:
    - {rule: new-provincial-zone, entity: z, amount: "200", paid_in: 2023}
""",
    )
    [r] = run_cases(pack, [f])
    assert "应于 2023 年拨付，实际 2024 年" in r.diff()


def test_the_case_example_in_docs_packs_md_passes_against_shipped_gansu(tmp_path: Path):
    docs = Path(__file__).parents[3] / "docs" / "packs.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("## 8.", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    f = tmp_path / "example.yaml"
    f.write_text(example, encoding="utf-8")
    results = run_cases(GANSU, [f])
    assert len(results) == 3
    assert all(r.passed for r in results), [r.diff() for r in results]


def test_the_failure_shown_in_docs_packs_md_is_what_the_runner_prints(pack: Path):
    docs = (Path(__file__).parents[3] / "docs" / "packs.md").read_text(encoding="utf-8")
    f = write(pack, HTE % "25")
    [r] = run_cases(pack, [f])
    shown = r.diff().splitlines()[:2]
    assert all(line.strip() in docs for line in shown)


GROUP = """
groups:
  - id: hte-or-sti
    label: 新认定企业奖补
    rules: [new-sti, new-hte]
    cite: {article: "四、10", quote: "分别给予一次性奖补20万元、5万元"}
    interpretation: 测试用的读法：同一年获两种认定的企业只奖较高的一项。
"""

GROUP_CASES = """\
- name: 同年获两种认定，就高发放高企奖补，科技创新型企业一项记为被替代
  period: 2023
  rules: [new-hte, new-sti]
  entities:
    - {entity: 两项, kind: enterprise, in_zone: true, newly_certified_hte: true, newly_certified_sti: true}
    - {entity: 一项, kind: enterprise, in_zone: true, newly_certified_hte: false, newly_certified_sti: true}
  expect:
    - {rule: new-hte, entity: 两项, amount: "20"}
    - {rule: new-sti, entity: 两项, amount: "0"}
    - {rule: new-sti, entity: 一项, amount: "5"}

- name: 金额相同时按组内先列的规则发放
  period: 2023
  rules: [new-hte, new-sti]
  parameters: {sti_award: 20}
  entities:
    - {entity: 两项, kind: enterprise, in_zone: true, newly_certified_hte: true, newly_certified_sti: true}
  expect:
    - {rule: new-sti, entity: 两项, amount: "20"}
    - {rule: new-hte, entity: 两项, amount: "0"}
"""


def test_cases_of_a_highest_award_group_including_a_tie(pack: Path):
    with (pack / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write(GROUP)
    results = run_cases(pack, [write(pack, GROUP_CASES)])
    assert [r.passed for r in results] == [True, True], [r.diff() for r in results]
    # expecting both awards fails, and the diff says which rule was paid instead
    wrong = GROUP_CASES.split("\n- name: 金额相同")[0].replace(
        '{rule: new-sti, entity: 两项, amount: "0"}', '{rule: new-sti, entity: 两项, amount: "5"}'
    )
    [bad] = run_cases(pack, [write(pack, wrong, "wrong.yaml")])
    assert not bad.passed
    assert "本期已按「新认定高新技术企业奖补」核定" in bad.diff()
