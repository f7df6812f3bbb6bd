"""Data entry as a service: the roster a zone fills, values checked by the import's engine and
written all or nothing with their history, refused outside the user's scope or under a lock."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.http import Http404

from gaoxin.registry.models import Membership
from gaoxin.statistics import approval
from gaoxin.statistics.approval import Refused
from gaoxin.statistics.entry import (
    check_values,
    entry_text,
    roster,
    save_values,
    template_xlsx,
    upload,
    value_history,
)
from gaoxin.statistics.models import (
    Batch,
    FormAssignment,
    Observation,
    ObservationChange,
    SubmissionEvent,
)
from tests import factories
from tests.statistics.entry_fixtures import world  # noqa: F401

pytestmark = pytest.mark.django_db

DEC = "2025-12"


def snapshot():
    return (
        tuple(Observation.objects.order_by("id").values_list("entity_id", "variable_id", "value")),
        ObservationChange.objects.count(),
        Batch.objects.count(),
        SubmissionEvent.objects.count(),
    )


def test_roster_of_an_enterprise_form_is_the_zones_members_in_that_period(world):  # noqa: F811
    a, b = world["a"], world["b"]
    gone = factories.enterprise("厦门丁已迁出有限公司", world["torch"])
    Membership.objects.create(
        child=gone,
        parent=world["torch"],
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    later = factories.enterprise("厦门戊新入驻有限公司", world["torch"])
    Membership.objects.create(child=later, parent=world["torch"], valid_from=dt.date(2026, 2, 1))
    r = roster(world["enterprise_monthly"], world["torch"].pk, DEC, user=world["zone_reporter"])
    assert [row.name for row in r.rows] == sorted([a.name, b.name])
    assert r.columns[0].header == "营业收入（万元）"
    assert r.reported_period.label() == "2025年1-12月"
    june = roster(
        world["enterprise_monthly"], world["torch"].pk, "2025-06", user=world["zone_reporter"]
    )
    assert gone.name in [row.name for row in june.rows]


def test_a_zone_form_has_the_zone_as_its_one_row(world):  # noqa: F811
    r = roster(world["zone_monthly"], world["torch"].pk, DEC, user=world["zone_reporter"])
    assert [row.entity_id for row in r.rows] == [world["torch"].pk]


def test_another_scope_or_a_unit_that_does_not_report_is_not_found(world):  # noqa: F811
    form = world["zone_monthly"]
    with pytest.raises(Http404):
        roster(form, world["fzz"].pk, DEC, user=world["zone_reporter"])
    with pytest.raises(Http404):
        roster(form, world["a"].pk, DEC, user=world["zone_reporter"])  # an enterprise, not a zone
    with pytest.raises(Http404):
        roster(form, world["torch"].pk, "2025", user=world["zone_reporter"])  # a year, monthly form
    FormAssignment.objects.create(form=form, scope=world["fz"])
    with pytest.raises(Http404):
        roster(form, world["torch"].pk, DEC, user=world["city"])


def test_money_shows_two_decimals_and_never_loses_a_stored_digit():
    assert entry_text(Decimal("1234.5"), "万元") == "1234.50"
    assert entry_text(Decimal("1234.5678"), "万元") == "1234.5678"
    assert entry_text(Decimal("88.000000"), "人") == "88"


def test_a_good_save_writes_a_manual_batch_with_history_and_a_draft(world):  # noqa: F811
    form, torch, user = world["zone_monthly"], world["torch"], world["zone_reporter"]
    result = save_values(
        form,
        torch,
        DEC,
        {(torch.pk, "revenue"): "1,234.5", (torch.pk, "exports"): "300"},
        by=user,
    )
    assert result.saved and not result.problems
    assert (result.counts.created, result.counts.changed) == (2, 0)
    batch = Batch.objects.get(pk=result.batch_id)
    assert batch.kind == "manual" and batch.created_by == user
    obs = Observation.objects.get(entity=torch, variable__code="revenue", period=DEC)
    assert obs.value == Decimal("1234.5") and obs.batch == batch
    save_values(form, torch, DEC, {(torch.pk, "revenue"): "1300"}, by=user)
    r = roster(form, torch.pk, DEC, user=user)
    lines = value_history(r, torch.pk, "revenue", user=user)
    assert [(h.old, h.new, h.by) for h in lines] == [
        ("1,234.50", "1,300.00", "火炬填报员"),
        ("（无）", "1,234.50", "火炬填报员"),
    ]
    assert "手工录入" in lines[0].source
    assert r.submission.state == "draft"
    # The first save started the submission; saving the draft again is no move.
    assert [e.action for e in r.submission.events.all()] == ["save"]


def test_one_bad_value_writes_nothing_and_names_its_cell(world):  # noqa: F811
    form, torch, user = world["zone_monthly"], world["torch"], world["zone_reporter"]
    before = snapshot()
    result = save_values(
        form,
        torch,
        DEC,
        {
            (torch.pk, "revenue"): "1000",
            (torch.pk, "exports"): "-50",
            (torch.pk, "taxes_paid"): "abc",
        },
        by=user,
    )
    assert not result.saved
    messages = {p.cells: p.message for p in result.problems}
    assert "不小于0" in messages[((torch.pk, "exports"),)]
    assert "应填数字" in messages[((torch.pk, "taxes_paid"),)]
    assert snapshot() == before


def test_a_rule_across_variables_names_both_cells_and_blocks(world):  # noqa: F811
    form, torch, user = world["zone_monthly"], world["torch"], world["zone_reporter"]
    # 规上 rule of high importance on zones: hte_count <= enterprise_count is yearly; the monthly
    # zone form carries 高新技术产业增加值 <= 工业增加值 (medium: a warning, still saved).
    result = save_values(
        form,
        torch,
        DEC,
        {
            (torch.pk, "industrial_value_added"): "100",
            (torch.pk, "hightech_industry_value_added"): "150",
        },
        by=user,
    )
    (warning,) = result.check.warnings
    assert set(warning.cells) == {
        (torch.pk, "industrial_value_added"),
        (torch.pk, "hightech_industry_value_added"),
    }
    assert result.saved
    before = snapshot()
    a = world["a"]
    annual = world["enterprise_annual"]
    blocked = save_values(
        annual,
        torch,
        "2025",
        {(a.pk, "revenue"): "1000", (a.pk, "rd_expenditure"): "1200"},
        by=user,
    )
    (error,) = blocked.check.errors
    assert set(error.cells) == {(a.pk, "rd_expenditure"), (a.pk, "revenue")}
    assert "R&D经费内部支出不超过营业收入" in error.message and "rd_" not in error.message
    assert not blocked.saved and snapshot() == before


def test_a_stored_value_cannot_be_blanked(world):  # noqa: F811
    form, torch, user = world["zone_monthly"], world["torch"], world["zone_reporter"]
    save_values(form, torch, DEC, {(torch.pk, "revenue"): "10"}, by=user)
    before = snapshot()
    result = save_values(form, torch, DEC, {(torch.pk, "revenue"): ""}, by=user)
    assert [p.cells for p in result.check.errors] == [((torch.pk, "revenue"),)]
    assert snapshot() == before


def test_submit_needs_every_required_cell(world):  # noqa: F811
    form, torch, user = world["zone_monthly"], world["torch"], world["zone_reporter"]
    result = save_values(form, torch, DEC, {(torch.pk, "revenue"): "10"}, by=user, submit=True)
    assert not result.saved
    assert len(result.check.errors) == len(form.form_variables.all()) - 1
    assert all("未填写" in p.message for p in result.check.errors)


def test_values_outside_the_roster_or_the_scope_are_refused(world):  # noqa: F811
    form, user = world["enterprise_monthly"], world["zone_reporter"]
    before = snapshot()
    with pytest.raises(Http404):
        save_values(form, world["torch"], DEC, {(world["c"].pk, "revenue"): "99999"}, by=user)
    with pytest.raises(Http404):
        save_values(form, world["fzz"], DEC, {(world["c"].pk, "revenue"): "1"}, by=user)
    with pytest.raises(Http404):
        save_values(
            world["zone_monthly"],
            world["torch"],
            DEC,
            {(world["torch"].pk, "revenue"): "1"},
            by=world["other_reporter"],
        )
    assert snapshot() == before


def test_only_the_reporter_edits_and_a_submitted_return_is_read_only(world):  # noqa: F811
    form, torch = world["zone_monthly"], world["torch"]
    with pytest.raises(Refused):
        save_values(form, torch, DEC, {(torch.pk, "revenue"): "1"}, by=world["city"])
    full = {
        (torch.pk, fv.variable.code): "1" for fv in form.form_variables.select_related("variable")
    }
    assert save_values(form, torch, DEC, full, by=world["zone_reporter"], submit=True).saved
    with pytest.raises(Refused, match="已提交"):
        save_values(form, torch, DEC, {(torch.pk, "revenue"): "2"}, by=world["zone_reporter"])


def test_a_province_approved_return_is_locked_until_an_audited_unlock(world):  # noqa: F811
    form, torch, reporter = world["zone_monthly"], world["torch"], world["zone_reporter"]
    full = {
        (torch.pk, fv.variable.code): "1" for fv in form.form_variables.select_related("variable")
    }
    save_values(form, torch, DEC, full, by=reporter, submit=True)
    s = approval.submission_for(form, torch, DEC)
    approval.move(s, "city_approve", by=world["city"])
    approval.move(s, "province_approve", by=world["province"])
    before = snapshot()
    with pytest.raises(Refused, match="锁定"):
        save_values(form, torch, DEC, {(torch.pk, "revenue"): "5"}, by=reporter)
    assert snapshot() == before
    approval.move(s, "unlock", by=world["province_admin"], comment="营业收入口径更正")
    assert save_values(form, torch, DEC, {(torch.pk, "revenue"): "5"}, by=reporter).saved


def test_a_period_past_its_deadline_is_locked_where_the_form_is_assigned(world):  # noqa: F811
    form, torch, reporter = world["zone_monthly"], world["torch"], world["zone_reporter"]
    FormAssignment.objects.create(form=form, scope=world["fj"])
    late = dt.date(2026, 2, 1)
    with pytest.raises(Refused, match="截止锁定"):
        save_values(form, torch, DEC, {(torch.pk, "revenue"): "5"}, by=reporter, today=late)
    assert save_values(
        form, torch, DEC, {(torch.pk, "revenue"): "5"}, by=reporter, today=dt.date(2026, 1, 10)
    ).saved


def test_check_values_writes_nothing(world):  # noqa: F811
    r = roster(world["zone_monthly"], world["torch"].pk, DEC, user=world["zone_reporter"])
    before = snapshot()
    result = check_values(r, {(world["torch"].pk, "revenue"): "12"})
    assert not result.problems and snapshot() == before


def test_the_template_comes_back_prefilled_and_reads_back(world, tmp_path):  # noqa: F811
    form, torch, reporter = world["enterprise_monthly"], world["torch"], world["zone_reporter"]
    a = world["a"]
    save_values(form, torch, DEC, {(a.pk, "revenue"): "1234.56"}, by=reporter)
    r = roster(form, torch.pk, DEC, user=reporter)
    path = template_xlsx(r, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["填报"]
    assert [c.value for c in sheet[2][:4]] == [
        "统一社会信用代码",
        "单位名称",
        "期间",
        "营业收入（万元）",
    ]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3, max_row=4)}
    assert rows[a.code][2].value == "2025年1-12月" and rows[a.code][3].value == 1234.56
    assert rows[world["b"].code][3].value is None


def _filled(path, rows):
    book = openpyxl.load_workbook(path)
    sheet = book["填报"]
    for r, values in rows.items():
        for c, v in values.items():
            sheet.cell(row=r, column=c, value=v)
    book.save(path)
    return path.read_bytes()


def test_an_upload_with_one_bad_row_writes_nothing_and_points_at_the_cells(world, tmp_path):  # noqa: F811
    form, torch, reporter = world["enterprise_annual"], world["torch"], world["zone_reporter"]
    r = roster(form, torch.pk, "2025", user=reporter)
    path = template_xlsx(r, tmp_path / "年报.xlsx")
    headers = [c.value for c in openpyxl.load_workbook(path)["填报"][2]]
    revenue, rd = (
        headers.index("营业收入（万元）") + 1,
        headers.index("R&D经费内部支出（万元）") + 1,
    )
    data = _filled(path, {3: {revenue: 1000, rd: 1200}, 4: {revenue: 500, rd: 10}})
    before = snapshot()
    result = upload(form, torch.pk, "2025", data, "年报.xlsx", by=reporter)
    assert not result.committed and snapshot() == before
    (rule,) = [p for p in result.problems if p["error"]]
    assert rule["row"] == 3
    assert rule["columns"] == ["R&D经费内部支出（万元）", "营业收入（万元）"]
    good = _filled(path, {3: {revenue: 1000, rd: 120}, 4: {revenue: 500, rd: 10}})
    assert upload(form, torch.pk, "2025", good, "年报.xlsx", by=reporter).committed
    assert Observation.objects.filter(period="2025", variable__code="rd_expenditure").count() == 2
    assert approval.submission_for(form, torch, "2025").state == "draft"


def test_an_upload_for_another_period_is_refused_whole(world, tmp_path):  # noqa: F811
    form, torch, reporter = world["zone_monthly"], world["torch"], world["zone_reporter"]
    r = roster(form, torch.pk, DEC, user=reporter)
    path = template_xlsx(r, tmp_path / "月报.xlsx")
    data = _filled(path, {3: {3: "2025年1-11月", 4: 100}})
    before = snapshot()
    result = upload(form, torch.pk, DEC, data, "月报.xlsx", by=reporter)
    assert not result.committed and snapshot() == before
    assert "本页只接收 2025年1-12月" in result.problems[0]["message"]
