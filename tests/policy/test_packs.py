"""gaoxin.policy.packs: finding packs and checking them, as `gaoxin packs check` and the pages
call it."""

import shutil

import pytest

from gaoxin.policy.packs import check_packs, pack_dir, shipped_packs


def test_every_shipped_pack_checks_clean():
    checked = list(check_packs(shipped_packs()))
    assert [d for d, _ in checked] == shipped_packs()
    assert [(d.name, p) for d, p in checked if any(x.severity == "error" for x in p)] == []


def test_a_broken_case_file_is_reported_with_its_pack(tmp_path):
    d = tmp_path / "gansu"
    shutil.copytree(pack_dir("gansu"), d)
    (d / "cases").mkdir(exist_ok=True)
    (d / "cases" / "broken.yaml").write_text("cases: [unclosed\n", encoding="utf-8")
    [(where, problems)] = list(check_packs([d]))
    assert where == d
    assert [p.file for p in problems if p.severity == "error"] == [str(d / "cases" / "broken.yaml")]


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("NaN", "应当是数字"),
        ("Infinity", "应当是数字"),
        ("-inf", "应当是数字"),
        ("-20", "不能为负数"),
        ("1e12", "过大"),
        ("abc", "应当是数字"),
    ],
)
def test_nonsense_run_parameters_never_reach_the_ledger(given, reason):
    """--param values are refused before any rule runs or anything is recorded (issue 15)."""
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.policy.packs import parameters

    with pytest.raises(ProblemsError) as caught:
        parameters({"hte_award": given})
    (problem,) = caught.value.problems
    assert reason in problem.message and problem.value == given
    assert parameters({"hte_award": "20", "rate": "0.5"}) == {"hte_award": "20", "rate": "0.5"}
