"""Imports are all or nothing: each kind of bad input gets its exact report and the database is
left exactly as it was; good input is written with its batch and history."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from gaoxin.registry.models import Entity
from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import (
    Batch,
    FormAssignment,
    FormVariable,
    Observation,
    ObservationChange,
    ReportingForm,
    Variable,
)
from gaoxin.statistics.store import sync_catalogue, sync_validation_rules
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    sync_catalogue()
    sync_validation_rules()
    return factories.small_tree()


def snapshot() -> tuple:
    return (
        tuple(
            Observation.objects.order_by("id").values_list(
                "entity_id", "variable_id", "period", "value"
            )
        ),
        ObservationChange.objects.count(),
        Batch.objects.count(),
    )


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def wide_xlsx(
    path: Path, rows: list[list], title: str = "2025年1-7月厦门火炬高新区重点企业主要经济指标"
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.append(["填报单位：厦门火炬高新区管委会"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def only_problem(report, code):
    found = [p for p in report.problems if p.code == code]
    assert found, f"no {code} in {[str(p) for p in report.problems]}"
    return found


def test_a_good_wide_workbook_is_written_with_batch_and_history(tree, tmp_path):
    a, b = tree["a"].code, tree["b"].code
    f = wide_xlsx(
        tmp_path / "企业.xlsx",
        [
            ["统一社会信用代码", "企业名称", "营业收入（亿元）", "从业人员（人）"],
            [a, "厦门甲科技有限公司", "1.2345", 88],
            [b, "厦门乙电子有限公司", 0.5, 12],
            ["", "合计", 1.7345, 100],
        ],
    )
    report = import_file(f)
    assert report.status == "committed", [str(p) for p in report.problems]
    assert (report.counts.created, report.counts.changed) == (4, 0)
    obs = Observation.objects.get(entity=tree["a"], variable__code="revenue", period="2025-07")
    assert obs.value == Decimal("12345")  # 1.2345 亿元 = 12,345 万元
    assert obs.batch.file_name == "企业.xlsx" and len(obs.batch.file_sha256) == 64
    assert [p.code for p in report.warnings] == ["total_row"]
    assert ObservationChange.objects.filter(batch=obs.batch).count() == 4
    assert any("亿元→万元" in line for line in report.column_map)


def test_a_dry_run_counts_exactly_and_writes_nothing(tree, tmp_path):
    a = tree["a"].code
    import_file(
        write_csv(tmp_path / "v1.csv", f"统一社会信用代码,期间,营业收入（万元）\n{a},2025-07,100\n")
    )
    before = snapshot()
    f = write_csv(
        tmp_path / "v2.csv",
        f"统一社会信用代码,期间,营业收入（万元）,从业人员（人）\n{a},2025-07,120,9\n",
    )
    report = import_file(f, dry_run=True)
    assert report.status == "dry_run"
    assert (report.counts.created, report.counts.changed, report.counts.unchanged) == (1, 1, 0)
    assert snapshot() == before


def test_gbk_csv_is_detected(tree, tmp_path):
    a = tree["a"].code
    f = write_csv(
        tmp_path / "gbk.csv",
        f'统一社会信用代码,企业名称,营业收入（万元）\n{a},厦门甲科技有限公司,"1,234.5"\n',
        encoding="gbk",
    )
    report = import_file(f, period="2025年1-7月")
    assert report.status == "committed", [str(p) for p in report.problems]
    assert Observation.objects.get(entity=tree["a"]).value == Decimal("1234.5")


@pytest.mark.parametrize(
    ("case", "code", "row", "column", "value"),
    [
        ("unknown entity", "unknown_entity", 2, "统一社会信用代码", "UNKNOWN"),
        ("unknown column", "unknown_column", 1, "营收总额XYZ（万元）", None),
        ("bad period", "bad_period", 2, None, "2025年13月"),
        ("not a number", "not_a_number", 2, "营业收入（万元）", "一百"),
        ("out of range", "out_of_range", 2, "从业人员（人）", "-5"),
        ("duplicate key", "duplicate_key", 3, None, None),
        ("unit mismatch", "unit_mismatch", 1, "营业收入（人）", None),
        ("uscc check digit", "uscc_check_digit", 2, "统一社会信用代码", "BADCHECK"),
        ("variable not for kind", "variable_not_for_kind", 2, None, None),
        ("unknown variable in a long table", "unknown_variable", 2, None, "营收总额XYZ"),
    ],
)
def test_each_bad_input_is_reported_precisely_and_changes_nothing(
    tree, tmp_path, case, code, row, column, value
):
    a = tree["a"].code
    bad_check = a[:-1] + ("0" if a[-1] != "0" else "1")
    unknown = factories.make_uscc(987654)
    files = {
        "unknown entity": f"统一社会信用代码,期间,营业收入（万元）\n{unknown},2025-07,1\n",
        "unknown column": f"统一社会信用代码,期间,营业收入（万元）,营收总额XYZ（万元）\n{a},2025-07,1,2\n",
        "bad period": f"统一社会信用代码,期间,营业收入（万元）\n{a},2025年13月,1\n",
        "not a number": f"统一社会信用代码,期间,营业收入（万元）\n{a},2025-07,一百\n",
        "out of range": f"统一社会信用代码,期间,从业人员（人）\n{a},2025-07,-5\n",
        "duplicate key": f"统一社会信用代码,期间,营业收入（万元）\n{a},2025-07,1\n{a},2025-07,2\n",
        "unit mismatch": f"统一社会信用代码,期间,营业收入（人）\n{a},2025-07,1\n",
        "uscc check digit": f"统一社会信用代码,期间,营业收入（万元）\n{bad_check},2025-07,1\n",
        "variable not for kind": f"统一社会信用代码,期间,高新技术企业数（家）\n{a},2025,1\n",
        "unknown variable in a long table": f"统一社会信用代码,期间,指标,数值\n{a},2025,营收总额XYZ,1\n",
    }
    import_file(
        write_csv(tmp_path / "seed.csv", f"统一社会信用代码,期间,营业收入（万元）\n{a},2025-06,7\n")
    )
    before = snapshot()
    report = import_file(write_csv(tmp_path / "bad.csv", files[case]))
    assert report.status == "rejected"
    problem = only_problem(report, code)[-1]
    assert problem.file == "bad.csv"
    assert problem.row == row
    if column is not None:
        assert problem.column == column
    expected_value = {"UNKNOWN": unknown, "BADCHECK": bad_check}.get(value, value)
    if expected_value is not None:
        assert problem.value == expected_value
    assert problem.message  # a sentence in Chinese saying what to do
    assert snapshot() == before, "a rejected import must not change the database"


def test_a_locked_period_is_refused_until_unlocked(tree, tmp_path):
    a = tree["a"].code
    form = ReportingForm.objects.create(
        code="monthly",
        name="企业月报",
        period_type="month",
        entity_kind="enterprise",
        deadline_days=15,
    )
    FormVariable.objects.create(form=form, variable=Variable.objects.get(code="revenue"))
    FormAssignment.objects.create(form=form, scope=tree["torch"])
    f = write_csv(tmp_path / "late.csv", f"统一社会信用代码,期间,营业收入（万元）\n{a},2025-07,1\n")
    before = snapshot()
    report = import_file(f, today=dt.date(2025, 8, 16))
    assert report.status == "rejected"
    (problem,) = only_problem(report, "period_locked")
    assert problem.row == 2 and problem.value == "2025-07" and "2025-08-15" in problem.message
    assert snapshot() == before
    assert import_file(f, today=dt.date(2025, 8, 15)).status == "committed"
    # An enterprise outside the form's scope is not locked by it.
    c = tree["c"].code
    g = write_csv(tmp_path / "fz.csv", f"统一社会信用代码,期间,营业收入（万元）\n{c},2025-07,1\n")
    assert import_file(g, today=dt.date(2025, 9, 1)).status == "committed"
    form.unlocks.create(period="2025-07", reason="企业更正")
    assert import_file(f, today=dt.date(2025, 9, 1)).status == "committed"


def test_names_resolve_within_scope(tree, tmp_path):
    f = write_csv(
        tmp_path / "names.csv", "企业名称,期间,营业收入（万元）\n福州丙软件有限公司,2025-07,3\n"
    )
    xiamen = Entity.objects.get(code="350200", kind="region")
    report = import_file(f, scope=xiamen)
    (problem,) = only_problem(report, "unknown_entity")
    assert "厦门市" in problem.message
    assert import_file(f).status == "committed"


def test_a_high_importance_rule_blocks_and_a_medium_one_warns(tree, tmp_path):
    a = tree["a"].code
    # R&D expenditure above revenue is impossible (high); exports above revenue only suspicious (medium).
    import_file(
        write_csv(tmp_path / "rev.csv", f"统一社会信用代码,期间,营业收入（万元）\n{a},2025,1000\n")
    )
    before = snapshot()
    bad = write_csv(
        tmp_path / "rd.csv", f"统一社会信用代码,期间,R&D经费内部支出（万元）\n{a},2025,1200\n"
    )
    report = import_file(bad)
    assert report.status == "rejected"
    (problem,) = [p for p in report.problems if p.code == "validation.rule_violated"]
    assert problem.row == 2 and problem.file == "rd.csv" and problem.value == "2025"
    assert (
        "R&D经费内部支出不超过营业收入" in problem.message
        and "1200" in problem.message
        and "1000" in problem.message
    )
    assert snapshot() == before
    warn = write_csv(
        tmp_path / "ex.csv", f"统一社会信用代码,期间,出口总额（万元）\n{a},2025,1500\n"
    )
    report = import_file(warn)
    assert report.status == "committed"
    assert [p.code for p in report.warnings] == ["validation.rule_violated"]


def test_a_credit_code_in_lower_case_or_spaced_still_matches(tree, tmp_path):
    a = tree["a"].code
    written = f"{a[:6]} {a[6:12]}-{a[12:]}".lower()
    f = write_csv(
        tmp_path / "lower.csv", f"统一社会信用代码,期间,营业收入（万元）\n{written},2025-07,5\n"
    )
    report = import_file(f)
    assert report.status == "committed", [str(p) for p in report.problems]
    assert Observation.objects.get(entity=tree["a"], period="2025-07").value == Decimal("5")


def _rename(entity, day: str, name: str) -> None:
    from gaoxin.registry.models import ZoneStatusEvent
    from gaoxin.registry.services import save_zone_event

    save_zone_event(
        ZoneStatusEvent(
            zone=entity.zone, status="renamed", date=dt.date.fromisoformat(day), name=name
        )
    )


@pytest.fixture
def renamed(tree):
    """石门高新技术产业开发区 renamed 石门科学城 on 2015-06-01; 青石工业园区 took the name
    石门高新技术产业开发区 on 2015-09-01 (so in 2015 two zones had it); 厦门火炬 renamed
    厦门火炬科学城 on 2021-01-01 (its old name no other zone ever had)."""
    shimen = factories.zone("350200P1", "石门高新技术产业开发区", tree["xm"])
    qingshi = factories.zone("350200P2", "青石工业园区", tree["xm"])
    _rename(shimen, "2015-06-01", "石门科学城")
    _rename(qingshi, "2015-09-01", "石门高新技术产业开发区")
    _rename(tree["torch"], "2021-01-01", "厦门火炬科学城")
    return {**tree, "shimen": shimen, "qingshi": qingshi}


def test_a_zone_named_by_a_former_name_lands_on_the_zone_that_had_it_in_that_period(
    renamed, tmp_path
):
    f = write_csv(
        tmp_path / "zones.csv",
        "高新区名称,期间,营业收入（万元）\n"
        "厦门火炬高技术产业开发区,2019,100\n"  # its only holder, renamed since
        "厦门火炬高技术产业开发区,2022,101\n"  # a file kept the old name after the rename
        "石门高新技术产业开发区,2014,200\n"  # 石门's name then
        "石门高新技术产业开发区,2016,300\n"  # 青石's since 2015-09
        "石门科学城,2016,400\n",
    )
    report = import_file(f)
    assert report.status == "committed", [str(p) for p in report.problems]
    stored = {
        (code, period): value
        for code, period, value in Observation.objects.values_list(
            "entity__code", "period", "value"
        )
    }
    assert stored == {
        ("350200N1", "2019"): Decimal("100"),
        ("350200N1", "2022"): Decimal("101"),
        ("350200P1", "2014"): Decimal("200"),
        ("350200P2", "2016"): Decimal("300"),
        ("350200P1", "2016"): Decimal("400"),
    }


def test_a_former_name_two_zones_had_is_refused_with_its_row_and_nothing_is_written(
    renamed, tmp_path
):
    before = snapshot()
    f = write_csv(
        tmp_path / "ambiguous.csv",
        "高新区名称,期间,营业收入（万元）\n"
        "厦门火炬科学城,2022,1\n"  # good, but the file is all or nothing
        "石门高新技术产业开发区,2015,2\n"  # both had it in 2015
        "石门高新技术产业开发区,2015-07,3\n"  # 石门 had given it up, 青石 not yet taken it
        "石门高新技术产业开发区,2015-10,4\n",  # 青石's: fine
    )
    report = import_file(f)
    assert report.status == "rejected"
    problems = only_problem(report, "ambiguous_entity")
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("ambiguous.csv", 3, "主体名称", "石门高新技术产业开发区"),
        ("ambiguous.csv", 4, "主体名称", "石门高新技术产业开发区"),
    ]
    both, neither = (p.message for p in problems)
    assert "在 2015 期对应多个主体" in both
    # each candidate named with its code and the days it had the name
    assert "石门科学城（高新区，350200P1）（2015-06-01 前用此名）" in both
    assert "石门高新技术产业开发区（高新区，350200P2）（2015-09-01 起用此名）" in both
    assert "在 2015-07 期不属于其中任何一个" in neither
    assert "请改用统一社会信用代码或主体代码" in neither
    assert snapshot() == before
