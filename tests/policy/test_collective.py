"""Collective units expand into the registry's entities, each reporting its own share; the
alias table links the units the parser read to entities, reviewed by a person with history;
supervisors send 督办 reminders (decision 043).

The Fujian plan is imported for 福建省 of the workplace tree (厦门市 with 火炬 and 海沧, 福州市
with 福州高新区; 江西省 apart): 各设区市人民政府 expands into 厦门市 and 福州市 on each of its
measures, the city reviewer of 厦门市 reports 厦门's share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gaoxin.policy import services
from gaoxin.policy.ledger import LedgerError, expand_collectives, import_document, report_progress
from gaoxin.policy.models import (
    Assignment,
    Measure,
    ProgressReport,
    Reminder,
    ResponsibleUnit,
    UnitLink,
)
from gaoxin.services import NotFound
from tests import workplace
from tests.policy.conftest import PACKS

pytestmark = pytest.mark.django_db

CITIES = "各设区市人民政府"
TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def w():
    t = workplace.tree()
    users = workplace.users(t)
    document = import_document(PACKS / "fujian-2021/document.txt")
    return {**t, "users": users, "doc": document}


def _unit(name, w):
    return ResponsibleUnit.objects.get(name=name, jurisdiction=w["fj"])


def _share(w, city, measure=None):
    qs = Assignment.objects.filter(unit=_unit(CITIES, w), entity=w[city])
    if measure is not None:
        qs = qs.filter(measure=measure)
    return qs.order_by("measure__order").first()


# ------------------------------------------------------------------------ expansion and scope
def test_the_document_applies_to_its_issuers_province_and_collectives_expand(w):
    assert w["doc"].jurisdiction == w["fj"]
    cities = _unit(CITIES, w)
    assert cities.expands == "cities" and cities.entity is None
    parents = Assignment.objects.filter(unit=cities, part_of__isnull=True)
    assert parents.count() == 10  # the measures naming 各设区市人民政府
    shares = Assignment.objects.filter(unit=cities, part_of__isnull=False)
    # one share per city of 福建省 in the registry, none for 江西's 南昌市
    assert sorted(set(shares.values_list("entity__name", flat=True))) == ["厦门市", "福州市"]
    assert shares.count() == 20
    # run again (the registry unchanged): nothing added
    assert expand_collectives(w["doc"]) == 0
    # a city joins the registry: importing the same file again gives it its shares only
    from tests import factories

    factories.region("350500", "泉州市", "city", w["fj"])
    again = import_document(PACKS / "fujian-2021/document.txt")
    assert again.already_imported and again.pk == w["doc"].pk
    shares = Assignment.objects.filter(unit=cities, part_of__isnull=False)
    assert shares.count() == 30 and shares.filter(entity__name="泉州市").count() == 10


def test_the_same_name_in_another_provinces_document_is_another_unit(w):
    gansu = import_document(PACKS / "gansu/document.txt", jurisdiction=w["jx"])
    assert gansu.jurisdiction == w["jx"]
    assert ResponsibleUnit.objects.filter(name="省科技厅").count() == 2
    assert {u.jurisdiction for u in ResponsibleUnit.objects.filter(name="省科技厅")} == {
        w["fj"],
        w["jx"],
    }


def test_a_city_reports_its_share_and_the_measure_aggregates_the_shares(w):
    city = w["users"]["city_reviewer"]  # 厦门市
    units = services.ledger_units(by=city, today=TODAY)
    assert [(u.name, u.mine) for u in units] == [(CITIES, True)]
    tasks = services.unit_tasks(_unit(CITIES, w).pk, by=city, today=TODAY)
    assert {a.entity.name for a in tasks.assignments} == {"厦门市"}
    assert all(a.can_report for a in tasks.assignments) and tasks.mine
    xm = _share(w, "xm")
    fz = _share(w, "fz", xm.measure)
    # 福州's share is not 厦门's to see
    with pytest.raises(NotFound):
        services.task_detail(fz.pk, by=city)
    with pytest.raises(NotFound):
        services.report_task_progress(fz.pk, "done", by=city, note="代报")
    services.report_task_progress(xm.pk, "done", by=city, note="厦门已完成", today=TODAY)
    measure = Measure.objects.with_status(TODAY).get(pk=xm.measure_id)
    parent = Assignment.objects.with_status(TODAY).get(pk=xm.part_of_id)
    # one city done of two: neither the measure nor the collective unit is done
    assert parent.status != "done" and measure.status != "done"
    services.report_task_progress(fz.pk, "done", by=w["users"]["admin"], note="福州已完成")
    parent = Assignment.objects.with_status(TODAY).get(pk=xm.part_of_id)
    assert parent.status == "done"
    services.report_task_progress(fz.pk, "late", by=w["users"]["admin"], note="福州又滞后")
    parent = Assignment.objects.with_status(TODAY).get(pk=xm.part_of_id)
    measure = Measure.objects.with_status(TODAY).get(pk=xm.measure_id)
    assert parent.status == "late" and measure.status == "late"


def test_nobody_reports_on_a_collective_unit_as_a_whole(w):
    parent = _share(w, "xm").part_of
    with pytest.raises(NotFound):
        services.report_task_progress(parent.pk, "done", by=w["users"]["admin"], note="整体")
    assert not ProgressReport.objects.exists()


def test_the_terminal_refuses_a_collective_unit_as_a_whole_too(w):
    # `gaoxin doc ledger report --unit 各设区市人民政府` goes through report_measure_progress
    parent = _share(w, "xm").part_of
    with pytest.raises(LedgerError, match="是集体单位"):
        services.report_measure_progress(parent.measure_id, "done", by=None, unit=CITIES)
    with pytest.raises(LedgerError, match="是集体单位"):
        report_progress(parent, "done", "整体")
    assert not ProgressReport.objects.exists()
    # its share, reported by its own city, is taken
    report_progress(_share(w, "xm", parent.measure), "done", "厦门完成")
    assert ProgressReport.objects.count() == 1


def test_the_lead_unit_sees_the_cities_reports(w):
    lead = _unit("省科技厅", w)
    services.link_responsible_unit(lead.pk, w["fj"].pk, by=w["users"]["province_admin"])
    xm = Assignment.objects.filter(
        unit=_unit(CITIES, w), entity=w["xm"], measure__assignments__unit=lead
    ).first()
    services.report_task_progress(
        xm.pk, "in_progress", by=w["users"]["city_reviewer"], note="厦门进展"
    )
    mine = Assignment.objects.get(measure=xm.measure, unit=lead)
    detail = services.task_detail(mine.pk, by=w["users"]["province_admin"])
    assert detail.sees_all and "厦门进展" in [r.note for r in detail.reports]
    assert {o.unit_label for o in detail.others} >= {f"{CITIES}：厦门市", f"{CITIES}：福州市"}


def test_the_city_reviewer_may_file_progress_but_not_a_viewer(w):
    assert w["users"]["city_reviewer"].has_perm("policy.add_progressreport")
    assert not w["users"]["viewer"].has_perm("policy.add_progressreport")


# ---------------------------------------------------------------------------------- 督办
def test_the_province_sees_late_shares_and_sends_a_reminder_the_city_sees(w):
    province = w["users"]["province_reviewer"]
    share = _share(w, "xm")
    services.report_task_progress(
        share.pk, "late", by=w["users"]["city_reviewer"], note="用地未落实"
    )
    late = services.late_tasks(by=province, today=TODAY)
    xm = next(a for a in late.tasks if a.entity_id == w["xm"].pk)
    assert xm.can_remind
    assert any(u["entity__name"] == "厦门市" for u in late.by_unit)
    with pytest.raises(LedgerError):
        services.send_reminder(xm.pk, "   ", by=province)
    services.send_reminder(xm.pk, "请于12月10日前报送进展", by=province)
    reminder = Reminder.objects.get()
    assert (reminder.assignment_id, reminder.sent_by, reminder.text) == (
        xm.pk,
        province,
        "请于12月10日前报送进展",
    )
    tasks = services.unit_tasks(_unit(CITIES, w).pk, by=w["users"]["city_reviewer"])
    shown = {a.pk: [r.text for r in a.reminders.all()] for a in tasks.assignments}
    assert shown[xm.pk] == ["请于12月10日前报送进展"]


def test_a_zone_reporter_does_not_send_reminders_and_other_scopes_are_missing(w):
    xm = _share(w, "xm")
    with pytest.raises(NotFound):
        services.send_reminder(xm.pk, "督办", by=w["users"]["zone_reporter"])
    fz = _share(w, "fz")
    with pytest.raises(NotFound):  # another city's share: missing to 厦门
        services.send_reminder(fz.pk, "督办", by=w["users"]["city_reviewer"])
    assert not Reminder.objects.exists()


# ------------------------------------------------------------------------------ alias table
def test_linking_keeps_history_and_refuses_an_entity_outside_the_jurisdiction(w):
    admin = w["users"]["province_admin"]
    unit = _unit("福州市人民政府", w)
    page = services.unit_link_page(unit.pk, by=admin)
    assert page.suggested[0] == w["fz"]
    assert w["ncz"] not in page.candidates
    with pytest.raises(LedgerError):
        services.link_responsible_unit(unit.pk, w["ncz"].pk, by=admin)
    assert not UnitLink.objects.filter(unit=unit).exists()
    services.link_responsible_unit(unit.pk, w["xm"].pk, by=admin, note="误选")
    services.link_responsible_unit(unit.pk, w["fz"].pk, by=admin, note="更正")
    unit.refresh_from_db()
    assert unit.entity == w["fz"]
    history = [
        (h.previous, h.entity, h.note) for h in services.unit_link_page(unit.pk, by=admin).history
    ]
    assert history == [(w["xm"], w["fz"], "更正"), (None, w["xm"], "误选")]
    assert unit not in services.unlinked_units(by=admin)


def test_only_a_province_admin_reviews_links_and_only_in_scope(w):
    unit = _unit("省科技厅", w)
    with pytest.raises(PermissionDenied):
        services.unit_link_page(unit.pk, by=w["users"]["city_reviewer"])
    gansu = import_document(PACKS / "gansu/document.txt", jurisdiction=w["jx"])
    other = ResponsibleUnit.objects.get(name="省科技厅", jurisdiction=gansu.jurisdiction)
    with pytest.raises(NotFound):
        services.unit_link_page(other.pk, by=w["users"]["province_admin"])
    names = [u.name for u in services.unlinked_units(by=w["users"]["province_admin"])]
    assert "省科技厅" in names and CITIES not in names and names.count("省科技厅") == 1


# -------------------------------------------------------------------------------------- pages
def test_pages_link_report_and_remind(client, w):
    admin = w["users"]["province_admin"]
    client.force_login(admin)
    unit = _unit("省科技厅", w)
    page = client.get(reverse("policy:links")).content.decode()
    assert "省科技厅" in page and "尚未关联" in page
    bad = client.post(reverse("policy:link", args=[unit.pk]), {"entity": w["ncz"].pk})
    assert (
        bad.status_code == 422 and "只能选择文件适用范围内的行政区或高新区" in bad.content.decode()
    )
    ok = client.post(
        reverse("policy:link", args=[unit.pk]), {"entity": w["fj"].pk, "note": "省直部门"}
    )
    assert ok.status_code == 302
    assert "省直部门" in client.get(reverse("policy:link", args=[unit.pk])).content.decode()

    client.force_login(w["users"]["city_reviewer"])
    xm = _share(w, "xm")
    assert client.get(reverse("policy:link", args=[unit.pk])).status_code == 403
    r = client.post(
        reverse("policy:task", args=[xm.pk]), {"status": "in_progress", "note": "推进中"}
    )
    assert r.status_code == 302

    client.force_login(w["users"]["province_reviewer"])
    empty = client.post(reverse("policy:remind", args=[xm.pk]), {"text": ""})
    assert empty.status_code == 422 and "请填写督办内容" in empty.content.decode()
    assert not Reminder.objects.exists()
    sent = client.post(reverse("policy:remind", args=[xm.pk]), {"text": "请加快推进"})
    assert sent.status_code == 302 and Reminder.objects.get().text == "请加快推进"
    client.force_login(w["users"]["city_reviewer"])
    assert "请加快推进" in client.get(reverse("policy:unit", args=[xm.unit_id])).content.decode()


def test_the_late_list_runs_a_fixed_number_of_queries(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    province = w["users"]["province_reviewer"]
    city = w["users"]["city_reviewer"]
    shares = list(
        Assignment.objects.filter(unit=_unit(CITIES, w), entity=w["xm"]).order_by("measure__order")
    )
    services.report_task_progress(shares[0].pk, "late", by=city, note="滞后")
    services.late_tasks(by=province, today=TODAY)  # the user's scope and permissions cached
    with CaptureQueriesContext(connection) as one:
        assert len(services.late_tasks(by=province, today=TODAY).tasks) == 1
    for s in shares[1:6]:
        services.report_task_progress(s.pk, "late", by=city, note="滞后")
    with CaptureQueriesContext(connection) as six:
        late = services.late_tasks(by=province, today=TODAY)
    assert len(late.tasks) == 6 and all(t.can_remind for t in late.tasks)
    assert len(six) == len(one)
