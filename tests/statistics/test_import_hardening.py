"""No wrong number is stored silently (issue 15): each malformed file is refused with a report
naming file, sheet, row, column, value and reason, and the database is left exactly as it was.
Each case here was accepted, or ended in a traceback, before the fix it tests."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import Observation, ValidationRule, Variable
from gaoxin.statistics.store import (
    sync_catalogue,
    sync_validation_rules,
    write_observations,
)
from tests import factories
from tests.statistics.test_imports import snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 20)
HEAD = "统一社会信用代码,企业名称,期间,营业收入（万元）,从业人员（人）"


@pytest.fixture
def tree():
    sync_catalogue()
    sync_validation_rules()
    return factories.small_tree()


def refused(path, code, **where):
    """Import ``path``: it must be refused, nothing written, and one problem of ``code`` must
    sit where ``where`` says (row, column, value, sheet)."""
    before = snapshot()
    report = import_file(path, today=TODAY)
    assert report.status == "rejected", report.summary()
    assert snapshot() == before
    found = [p for p in report.errors if p.code == code]
    assert found, f"no {code} in {[str(p) for p in report.problems]}"
    p = found[0]
    assert p.file == path.name
    for key, value in where.items():
        assert getattr(p, key) == value, (key, str(p))
    return report


def csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_an_unquoted_thousands_separator_shifting_the_columns_is_refused(tree, tmp_path):
    a, b = tree["a"], tree["b"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025,1,234.50,5\n{b.code},{b.name},2025,10,6\n")
    report = refused(f, "ragged_row", row=2)
    assert "千分位" in report.errors[0].message


def test_a_stray_quote_swallowing_the_rows_after_it_is_refused(tree, tmp_path):
    a, b = tree["a"], tree["b"]
    f = csv(
        tmp_path,
        f'{HEAD}\n{a.code},"{a.name},2025,100,5\n{b.code},{b.name},2025,200,6\n'
        f"{b.code},{b.name},2024,300,7\n",
    )
    refused(f, "multiline_cell", row=2, column="企业名称")


def test_rows_after_a_multiline_cell_are_numbered_by_their_line(tree, tmp_path):
    a, b = tree["a"], tree["b"]
    f = csv(tmp_path, f'{HEAD}\n{a.code},"{a.name}\n分部",2025,1,5\n{b.code},{b.name},2025,x,6\n')
    report = refused(f, "not_a_number", row=4, value="x")
    assert [p.row for p in report.errors if p.code == "multiline_cell"] == [2]


def test_cr_only_line_endings_are_read(tree, tmp_path):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\r{a.code},{a.name},2025,100,5\r")
    report = import_file(f, today=TODAY)
    assert report.status == "committed", [str(p) for p in report.problems]
    assert report.values == 2


def test_a_cell_over_excel_s_limit_is_refused(tree, tmp_path):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{'甲' * 200_000},2025,100,5\n")
    refused(f, "cell_too_long", row=2, column="B列")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("12 34", "not_a_number"),  # a space is not a thousands separator unless it groups 3s
        ("12345678901234567890", "too_many_digits"),
        ("123456789012345678901234", "too_many_digits"),
        ("1000000000000", "out_of_range"),  # 10¹² 万元: a hundred times China's GDP
    ],
)
def test_numbers_that_cannot_be_right_are_refused(tree, tmp_path, cell, code):
    a = tree["a"]
    f = csv(tmp_path, f'{HEAD}\n{a.code},{a.name},2025,"{cell}",5\n')
    refused(f, code, row=2, column="营业收入（万元）", value=cell)


@pytest.mark.parametrize(
    ("cell", "code"),
    [("0.37", "not_whole"), ("10000000000", "out_of_range")],
)
def test_counts_of_people_are_whole_and_plausible(tree, tmp_path, cell, code):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025,1,{cell}\n")
    refused(f, code, row=2, column="从业人员（人）", value=cell)


@pytest.mark.parametrize("period", ["1900", "2099"])
def test_periods_that_are_not_statistics_are_refused(tree, tmp_path, period):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},{period},1,5\n")
    refused(f, "bad_period", row=2, column="期间", value=period)


def test_a_single_month_never_overwrites_the_year_to_date_total(tree, tmp_path):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025年8月,100,5\n")
    refused(f, "period_not_cumulative", row=2, column="营业收入（万元）", value="2025年8月")


def test_one_firm_by_credit_code_and_by_name_is_refused_with_both_rows(tree, tmp_path):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},,2025,100,5\n,{a.name},2025,200,\n")
    report = refused(f, "duplicate_entity", row=2, column="营业收入（万元）", value="100")
    rows = {p.row for p in report.errors if p.code == "duplicate_entity"}
    assert rows == {2, 3}
    assert "第2行、第3行" in report.errors[0].message


def test_one_firm_on_two_sheets_is_refused(tree, tmp_path):
    a = tree["a"]
    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, code, firm in (("一", a.code, None), ("二", None, a.name)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, HEAD.split(","))
        sheet.write_row(1, 0, [code, firm, "2025", 100 if name == "一" else 200])
    book.close()
    report = refused(path, "duplicate_entity", row=2)
    assert {p.sheet for p in report.errors} == {"一", "二"}


def test_a_zone_by_code_and_by_name_is_refused(tree, tmp_path):
    z = tree["torch"]
    f = csv(
        tmp_path,
        f"代码,名称,期间,营业收入（万元）\n{z.code},,2025,100\n,{z.name},2025,200\n",
    )
    refused(f, "duplicate_entity", row=2)


def test_a_credit_code_beside_another_firm_s_name_is_refused(tree, tmp_path):
    a, b = tree["a"], tree["b"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{b.name},2025,100,5\n")
    report = refused(f, "uscc_name_mismatch", row=2, value=b.name)
    assert a.name in report.errors[0].message


def test_a_name_differing_only_in_width_and_spaces_is_the_same_firm(tree, tmp_path):
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code}, {a.name[:2]} {a.name[2:]},2025,100,5\n")
    report = import_file(f, today=TODAY)
    assert report.status == "committed", [str(p) for p in report.problems]


def _xlsx_with(tmp_path, cells, name="f.xlsx", hidden=False):
    """A workbook written by openpyxl (which saves formulas without their result)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "填报"
    sheet.append(HEAD.split(","))
    for row in cells:
        sheet.append(row)
    if hidden:
        other = book.create_sheet("备用")
        other.append(HEAD.split(","))
        for row in cells:
            other.append(row)
        other.sheet_state = "hidden"
    path = tmp_path / name
    book.save(path)
    return path


def test_a_formula_without_a_saved_result_is_refused(tree, tmp_path):
    a = tree["a"]
    f = _xlsx_with(tmp_path, [[a.code, a.name, "2025", "=40+60", 5]])
    refused(
        f, "formula_without_value", sheet="填报", row=2, column="营业收入（万元）", value="=40+60"
    )


def test_an_excel_error_cell_is_refused(tree, tmp_path):
    a = tree["a"]
    path = tmp_path / "e.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("填报")
    sheet.write_row(0, 0, HEAD.split(","))
    sheet.write_row(1, 0, [a.code, a.name, "2025"])
    sheet.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    sheet.write_number(1, 4, 5)
    book.close()
    refused(path, "excel_error_cell", row=2, column="营业收入（万元）", value="#DIV/0!")


def test_a_hidden_sheet_with_data_is_reported_not_imported(tree, tmp_path):
    a = tree["a"]
    f = _xlsx_with(tmp_path, [[a.code, a.name, "2025", 100, 5]], hidden=True)
    refused(f, "hidden_sheet", sheet="备用")


def test_the_untouched_template_gets_a_message_not_a_traceback(tree, tmp_path):
    from gaoxin.engine.tabular import form_template_xlsx
    from gaoxin.engine.variables import default_catalogue

    cat = default_catalogue()
    path = form_template_xlsx([cat["revenue"], cat["employees"]], tmp_path / "模板.xlsx", "模板")
    refused(path, "no_values")


def test_a_zip_bomb_is_refused_before_it_is_parsed(tree, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 1024 * 1024
    refused(path, "file_too_large")


def test_stored_bad_data_does_not_block_an_unrelated_import(tree, tmp_path):
    """The demo held 工业增加值 > 工业总产值 for two firm-months; importing 从业人员 for the same
    firm and month was refused. Now that is a warning about the stored data; an import that
    gives one of the rule's own values is still judged by the rule."""
    from gaoxin.statistics.models import Batch

    a = tree["a"]
    va, output = (
        Variable.objects.get(code="industrial_value_added"),
        Variable.objects.get(code="industrial_output"),
    )
    write_observations(
        [(a.pk, va.pk, "2025", 120), (a.pk, output.pk, "2025", 100)],
        Batch.objects.create(kind="manual", label="旧数据"),
    )
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025,500,5\n")
    report = import_file(f, today=TODAY)
    assert report.status == "committed", [str(p) for p in report.problems]
    stored = [p for p in report.warnings if p.code == "validation.stored_violation"]
    assert len(stored) == 1 and "非本次导入" in stored[0].message
    # Giving 工业增加值 itself is judged by the rule.
    g = csv(tmp_path, f"统一社会信用代码,期间,工业增加值（万元）\n{a.code},2025,130\n", "va.csv")
    refused(g, "validation.rule_violated", row=2)
    assert Observation.objects.get(entity=a, variable=va).value == Decimal("120")


def test_a_broken_validation_rule_does_not_break_imports(tree, tmp_path):
    ValidationRule.objects.bulk_create(
        [
            ValidationRule(
                code="broken",
                name="坏规则",
                left="no_such_variable",
                operator="<=",
                right="revenue",
                importance="high",
                entity_kind="enterprise",
            )
        ]
    )
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025,100,5\n")
    report = import_file(f, today=TODAY)
    assert report.status == "committed"
    assert [p.code for p in report.warnings] == ["validation.rule_unusable"]
    assert "坏规则" in report.warnings[0].message


@pytest.mark.parametrize(("suffix", "wide"), [(".csv", False), (".xlsx", True)])
def test_the_full_export_re_imports_into_a_fresh_database_unchanged(tmp_path, suffix, wide):
    """gaoxin's own export of the whole demo, imported into a database holding only the
    registry, stores every value as it was (the demo used to hold 工业增加值 > 工业总产值 for two
    firm-months, and the import refused the whole file)."""
    import dataclasses

    from django.db import transaction

    from gaoxin.engine import synth
    from gaoxin.engine.tabular import write_long
    from gaoxin.statistics.demo import load_jurisdiction
    from gaoxin.statistics.facts import for_people, observations_frame

    sync_catalogue()
    sync_validation_rules()
    demo = synth.generate("gansu", scale=0.02)
    path = tmp_path / f"全部{suffix}"

    def stored() -> set[tuple]:
        frame = observations_frame()
        return set(frame.select("entity_code", "variable", "period", "value").iter_rows())

    with transaction.atomic():
        load_jurisdiction(demo, label="演示")
        before = stored()
        write_long(for_people(observations_frame(), wide=wide), path)
        transaction.set_rollback(True)
    assert Observation.objects.count() == 0 and before

    load_jurisdiction(
        dataclasses.replace(demo, observations=demo.observations.head(0)), label="名录"
    )
    report = import_file(path, today=TODAY)
    assert report.errors == [], [str(p) for p in report.errors[:5]]
    assert report.status == "committed"
    assert stored() == before


def test_a_28_digit_figure_in_a_larger_unit_gets_a_message_not_a_traceback(tree, tmp_path):
    # 亿元 → 万元 multiplies by 10,000, which overflowed Decimal(38, 10) (found by the fuzz test).
    a = tree["a"]
    big = "9" * 28
    f = csv(tmp_path, f"统一社会信用代码,期间,营业收入（亿元）\n{a.code},2025,{big}\n")
    refused(f, "too_many_digits", row=2, column="营业收入（亿元）", value=big)


def test_a_truncated_utf8_file_with_a_bom_gets_a_message_not_a_traceback(tree, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(b"\xef\xbb\xbf\xe7")  # found by the fuzz test
    refused(path, "encoding_unknown")


def test_a_row_short_of_a_field_is_refused_not_shifted(tree, tmp_path):
    # A cell lost in the middle of a CSV row moves every later value one column left: 5 people
    # was stored as 5 万元 of revenue (found by scripts/probe_hardening.py).
    a = tree["a"]
    f = csv(tmp_path, f"{HEAD}\n{a.code},{a.name},2025,5\n")
    report = refused(f, "short_row", row=2)
    assert "少 1 个字段" in report.errors[0].message


def test_short_lines_that_are_not_data_rows_are_still_read(tree, tmp_path):
    # a title above the header, a quoted cell with a separator, a note below the table
    a, b = tree["a"], tree["b"]
    f = csv(
        tmp_path,
        f'2025年主要指标\n{HEAD}\n{a.code},"{a.name}",2025,"1,000",5\n{b.code},{b.name},2025,,\n'
        "注：数据来源于企业填报\n",
    )
    report = import_file(f, today=TODAY)
    assert report.status == "committed", [str(p) for p in report.problems]
    assert report.values == 2
