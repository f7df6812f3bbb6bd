"""`gaoxin eligible`: 免申即享 on a small Gansu demo — an enterprise certified this year is listed
with its award without applying, one certified years ago is not, and the data still missing
for the project award is named with the threshold it must reach."""

from datetime import date

import openpyxl
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.registry.models import Certification, Entity

ENV = {"COLUMNS": "250"}


def _enterprises(n: int) -> list[Entity]:
    return list(Entity.objects.filter(kind="enterprise").order_by("code")[:n])


def test_newly_certified_is_listed_without_applying_and_missing_data_is_named(gansu, tmp_path):
    new, old = _enterprises(2)
    Certification.objects.filter(entity__in=[new, old], kind="hte").delete()
    # 新认定: holds it at the end of 2025, not at the end of 2024 → 20 万元 (四、10)
    Certification.objects.create(entity=new, kind="hte", granted_on=date(2025, 6, 1))
    # certified in 2020 and still valid: not new in 2025
    Certification.objects.create(entity=old, kind="hte", granted_on=date(2020, 3, 1))
    out = tmp_path / "免申即享.xlsx"
    result = CliRunner().invoke(
        app,
        ["eligible", "--pack", "gansu", "--period", "2025", "--rule", "new-hte",
         "--rule", "national-project", "--limit", "5000", "--out", str(out)],
        env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    qualified = list(wb["符合条件"].iter_rows(min_row=2, values_only=True))
    by_code = {(r[0], r[1]): r for r in qualified}
    assert by_code[("新认定高新技术企业奖补", new.code)][3] == 20
    assert ("新认定高新技术企业奖补", old.code) not in by_code
    assert {r[0] for r in qualified} == {"新认定高新技术企业奖补"}  # no project funds held
    possible = {(r[0], r[1]): r for r in wb["可能符合"].iter_rows(min_row=2, values_only=True)}
    row = possible[("国家科技项目落地奖励", new.code)]
    assert row[3] == "国家重大专项和重点研发计划项目在甘落地资金"
    assert row[4] == "须国家重大专项和重点研发计划项目在甘落地资金 ≥ 300"
    # an entity certified long ago is neither qualified nor "possible" under new-hte
    assert ("新认定高新技术企业奖补", old.code) not in possible


def test_rules_waiting_for_parameters_or_evaluations_are_named_not_dropped(gansu):
    result = CliRunner().invoke(
        app, ["eligible", "--pack", "gansu", "--period", "2025", "--limit", "1"], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert "top-rank-award：需要设定参数 top_rank_award、top_rank_cutoff" in result.output
    assert (
        "revoke-after-two-fails：需要尚未运行的评价结果，请先运行 gaoxin evaluate --pack gansu "
        "--framework gansu-provincial-zones-annual --period 2025"
    ) in result.output


def test_an_unknown_rule_is_a_clear_error(gansu):
    result = CliRunner().invoke(
        app, ["eligible", "--pack", "gansu", "--period", "2025", "--rule", "nope"], env=ENV
    )
    assert result.exit_code == 1
    assert "政策包中没有规则「nope」" in result.output
