"""The status the ledger shows is read from columns every write keeps (decision 061): after each
write path — a report on a measure, on a unit's assignment, on a city's share, shares added when
the registry grows, an assignment added, moved or deleted in the admin — every measure's and
assignment's kept columns equal what its reports say (``with_reports``, the definition)."""

from __future__ import annotations

import datetime as dt

import pytest

from gaoxin.policy import services
from gaoxin.policy.ledger import expand_collectives, import_document, report_progress
from gaoxin.policy.models import Assignment, Measure, ProgressReport, ResponsibleUnit
from gaoxin.policy.models.progress import refresh_status
from tests import factories, workplace
from tests.policy.conftest import PACKS

pytestmark = pytest.mark.django_db

CITIES = "各设区市人民政府"
TODAY = dt.date(2026, 12, 3)


def _kept_is_read() -> None:
    """Every row: the kept columns equal the reports read now, nothing stale."""
    for model, columns in (
        (Measure, ("reported_status", "reported_on", "latest_note")),
        (Assignment, ("reported_status", "latest_note")),
    ):
        kept = set(model.objects.with_status(TODAY).values_list("pk", *columns))
        read = set(model.objects.with_reports().values_list("pk", *columns))
        assert kept == read, sorted(kept ^ read)


@pytest.fixture
def w():
    t = workplace.tree()
    users = workplace.users(t)
    document = import_document(PACKS / "fujian-2021/document.txt")
    cities = ResponsibleUnit.objects.get(name=CITIES, jurisdiction=t["fj"])
    parent = (
        Assignment.objects.filter(unit=cities, part_of__isnull=True)
        .order_by("measure__order")
        .first()
    )
    return {**t, "users": users, "doc": document, "parent": parent}


def test_every_write_path_keeps_the_status_the_reports_give(w):
    parent, admin = w["parent"], w["users"]["admin"]
    measure = parent.measure
    shares = {s.entity.code: s for s in parent.shares.select_related("entity")}
    assert set(shares) == {"350200", "350100"}  # 厦门市, 福州市
    other = measure.assignments.filter(part_of__isnull=True).exclude(pk=parent.pk).first()

    report_progress(other, "done", "已完成", reported_on=dt.date(2026, 4, 1))
    _kept_is_read()
    for code in shares:
        services.report_task_progress(shares[code].pk, "done", by=admin, note=f"{code}已完成")
        _kept_is_read()
    assert Assignment.objects.with_status(TODAY).get(pk=parent.pk).status == "done"

    # the registry grows: a third city gets an unreported share, the collective is not done
    factories.region("350500", "泉州市", "city", w["fj"])
    assert expand_collectives(w["doc"]) > 0
    _kept_is_read()
    assert Assignment.objects.with_status(TODAY).get(pk=parent.pk).status == "in_progress"

    # the admin deletes the new share (unreported): the collective is done again
    parent.shares.get(entity__code="350500").delete()
    _kept_is_read()
    assert Assignment.objects.with_status(TODAY).get(pk=parent.pk).status == "done"

    # a report filed directly (the admin's add form saves the model), on the measure as a whole
    ProgressReport.objects.create(
        measure=measure, status="late", note="复核滞后", reported_on=dt.date(2099, 1, 1)
    )
    _kept_is_read()
    row = Measure.objects.with_status(TODAY).get(pk=measure.pk)
    assert (row.status, row.latest_note) == ("late", "复核滞后")

    # the admin adds a unit to a measure with reports, and moves it to another measure
    unit = ResponsibleUnit.objects.create(name="新增单位", jurisdiction=w["fj"])
    added = Assignment.objects.create(measure=measure, unit=unit, role="lead", order=99)
    assert Assignment.objects.with_status(TODAY).get(pk=added.pk).reported_status == "late"
    _kept_is_read()
    added.measure = Measure.objects.exclude(pk=measure.pk).order_by("order").first()
    added.save()
    _kept_is_read()
    assert Assignment.objects.with_status(TODAY).get(pk=added.pk).reported_status is None


def test_refresh_mends_stale_rows_and_leaves_the_rest(w):
    measure = w["parent"].measure
    report_progress(measure, "done", "已完成", reported_on=dt.date(2026, 5, 1))
    assert refresh_status(Measure.objects.values_list("pk", flat=True)) == 0
    Measure.objects.filter(pk=measure.pk).update(kept_status=None, kept_note="错")
    Assignment.objects.filter(measure=measure).update(kept_status="late")
    assert Measure.objects.with_status(TODAY).get(pk=measure.pk).status != "done"
    rows = 1 + Assignment.objects.filter(measure=measure).count()
    assert refresh_status([measure.pk]) == rows
    _kept_is_read()
    assert Measure.objects.with_status(TODAY).get(pk=measure.pk).status == "done"


def test_the_ledger_reads_the_status_without_subqueries(w):
    """What made the pages slow: ~100 correlated subqueries per row (decision 061)."""
    for qs in (
        Measure.objects.with_status(TODAY).filter(status="late"),
        Assignment.objects.with_status(TODAY).filter(is_late=True),
    ):
        assert str(qs.query).count("SELECT") == 1


def test_the_ledger_pages_run_a_fixed_number_of_queries(client, w):
    """More units linked, more reports and more 滞后 shares: the same queries (the index
    once asked each linked unit's entity on its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from gaoxin.policy.ledger import link_unit

    client.force_login(w["users"]["province_reviewer"])
    cities = w["parent"].unit
    pages = [
        reverse("policy:ledger"),
        reverse("policy:late"),
        reverse("policy:unit", args=[cities.pk]),
    ]

    def count() -> list[int]:
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            found.append(len(q))
        return found

    def report_late(shares) -> None:
        for share in shares:
            services.report_task_progress(share.pk, "late", by=w["users"]["admin"], note="滞后")

    shares = list(Assignment.objects.filter(part_of__unit=cities).order_by("pk")[:6])
    link_unit(ResponsibleUnit.objects.get(name="省科技厅", jurisdiction=w["fj"]), w["fj"])
    report_late(shares[:1])  # one row on the late list (an empty page reads no rows)
    count()  # the user's scope and permissions cached
    few = count()
    for name in ("省发改委", "省财政厅", "省工信厅"):
        link_unit(ResponsibleUnit.objects.get(name=name, jurisdiction=w["fj"]), w["fj"])
    report_late(shares[1:])
    assert count() == few
