"""`gaoxin demo` puts its pack's policy document in the task ledger with a progress history
(decision 065): every measure the document's parser reads, the statuses of the plan in turn,
reported through the page's service by the units' demo users, the late list not empty; twice
is once; and a zone user or another province's user sees none of it where their scope says so.

The module loads the Fujian demo as ``gaoxin demo`` does (the reference regions and zones
first, as ``gaoxin init``; a small synthetic jurisdiction; the demo users), shared by its tests
(decision 050)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gaoxin.accounts.models import Profile
from gaoxin.commands import site
from gaoxin.engine import synth
from gaoxin.engine.documents import parse_file
from gaoxin.policy import services
from gaoxin.policy.demo import PLAN, load_demo_ledger, plan
from gaoxin.policy.models import (
    Assignment,
    Measure,
    PolicyDocument,
    ProgressReport,
    ResponsibleUnit,
    UnitLink,
)
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from gaoxin.services import NotFound
from tests.module_rows import module_rows
from tests.policy.conftest import PACKS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
MID, END = dt.date(2025, 7, 10), dt.date(2026, 1, 15)
User = get_user_model()


def _counts() -> dict[str, int]:
    return {
        "documents": PolicyDocument.objects.count(),
        "measures": Measure.objects.count(),
        "assignments": Assignment.objects.count(),
        "units": ResponsibleUnit.objects.count(),
        "links": UnitLink.objects.count(),
        "reports": ProgressReport.objects.count(),
    }


@pytest.fixture(scope="module")
def module_rows_demo_ledger(django_db_setup, django_db_blocker):
    def load():
        from gaoxin.accounts.demo import ensure_demo_users
        from gaoxin.accounts.roles import sync_roles
        from gaoxin.engine import reference
        from gaoxin.registry import loading
        from gaoxin.statistics.demo import load_jurisdiction
        from gaoxin.statistics.store import sync_catalogue

        sync_catalogue()
        loading.load_regions(reference.regions())
        loading.load_zones(loading.reference_zones())
        sync_roles()
        load_jurisdiction(synth.generate("fujian", scale=0.05), label="测试 fujian")
        ensure_demo_users()
        pack = find_pack(site.DEMO_PACKS["fujian"])
        first = load_demo_ledger(pack, today=TODAY)
        after_first = _counts()
        second = load_demo_ledger(pack, today=TODAY)
        return {"first": first, "second": second, "after_first": after_first}

    yield from module_rows(django_db_blocker, load)


@pytest.fixture
def demo(module_rows_demo_ledger, db):
    users = {u.username: u for u in User.objects.all()}
    return {**module_rows_demo_ledger, "users": users}


def _document():
    return PolicyDocument.objects.get()


def test_the_already_loaded_path_also_fills_the_ledger(monkeypatch):
    """A second `gaoxin demo` (the jurisdiction already loaded) still runs the ledger step,
    after the demo users who report it."""
    from gaoxin.statistics.models import Batch

    Batch.objects.create(kind="synthetic", label="演示 fujian seed=0 scale=1 2026-01-01")
    calls = []
    monkeypatch.setattr(site, "init", lambda quiet=False: None)
    for step in ("_build_analytics", "_demo_cases", "_demo_user"):
        monkeypatch.setattr(site, step, lambda step=step: calls.append(step))
    monkeypatch.setattr(site, "_demo_ledger", lambda j: calls.append(("_demo_ledger", j)))
    site.demo(jurisdiction="fujian", scale=1.0, seed=0, force=False)
    assert calls == ["_build_analytics", "_demo_cases", "_demo_user", ("_demo_ledger", "fujian")]


def test_every_measure_of_the_pack_document_is_in_the_ledger(demo):
    document = _document()
    parsed = parse_file(PACKS / "fujian-2021" / "document.txt")
    assert demo["first"].measures == len(parsed.measures) == document.measures.count() == 22
    assert document.jurisdiction.code == "350000"
    assert document.imported_by.username == "province_admin"
    # units.yaml applied: every unit a measure names can be reported for
    top = Assignment.objects.filter(measure__document=document, part_of__isnull=True)
    unlinked = top.filter(unit__entity__isnull=True).exclude(
        pk__in=Assignment.objects.filter(part_of__isnull=False).values("part_of")
    )
    assert not unlinked.exists()
    assert ResponsibleUnit.objects.get(name="省科技厅").entity.code == "350000"


def test_statuses_are_as_planned(demo):
    document = _document()
    status = dict(
        Measure.objects.with_status(TODAY).filter(document=document).values_list("pk", "status")
    )
    planned = plan(document)
    assert [status[m.pk] for m, _ in planned] == [s for _, s in planned]
    assert [s for _, s in planned] == [PLAN[i % len(PLAN)] for i in range(20)]
    # the two measures no unit is named for (总体思路, 发展目标) are not started
    assert sorted(set(status) - {m.pk for m, _ in planned}) == list(
        document.measures.filter(order__in=[1, 2]).values_list("pk", flat=True)
    )
    assert demo["first"].counts == {"not_started": 6, "in_progress": 8, "done": 4, "late": 4}
    by_number = {m.number: status[m.pk] for m in document.measures.all()}
    assert by_number["二（三）"] == "done" and by_number["二（五）"] == "late"
    # what a done measure went through: 推进中 at mid-year, then 已完成 after the year's end
    done = Measure.objects.get(document=document, path="二/（三）")
    assert set(done.reports.values_list("status", "reported_on")) == {
        ("in_progress", MID),
        ("done", END),
    }


def test_reports_are_filed_by_the_demo_users_of_their_units(demo):
    reports = ProgressReport.objects.select_related("assignment__unit", "assignment__entity")
    by_reporter = {}
    for r in reports:
        entity = r.assignment.reporting_entity_id
        by_reporter.setdefault(r.reported_by.username if r.reported_by else None, set()).add(entity)
    scopes = {u.user.username: u.scope_id for u in Profile.objects.select_related("user")}
    assert by_reporter["province_admin"] == {scopes["province_admin"]}
    assert by_reporter["city_reviewer"] == {scopes["city_reviewer"]}
    # the other cities' shares have no demo user: the operator at the terminal filed them
    assert scopes["province_admin"] not in by_reporter[None]
    assert scopes["city_reviewer"] not in by_reporter[None]
    assert {r.reported_on for r in reports} == {MID, END}
    assert all(r.note for r in reports)


def test_the_late_list_and_the_unit_page_show_the_history(demo):
    province = demo["users"]["province_admin"]
    late = services.late_tasks(by=province, today=TODAY)
    assert late.count == 4 and len(late.tasks) == 4
    assert {t.measure.number for t in late.tasks} == {
        "二（五）",
        "四（十）",
        "五（十五）",
        "七（二十）",
    }
    units = services.ledger_units(by=province, today=TODAY)
    assert sum(u.late for u in units) == 4 and any(u.mine for u in units)
    keji = ResponsibleUnit.objects.get(name="省科技厅")
    page = services.unit_tasks(keji.pk, by=province, today=TODAY)
    assert page.mine and {k for k, n in page.counts.items() if n} >= {"done", "in_progress"}


def test_a_second_run_changes_nothing(demo):
    assert demo["second"].reports == 0 and demo["second"].already_imported
    assert demo["second"].counts == demo["first"].counts
    assert _counts() == demo["after_first"]
    # the command's step, as the already-loaded path runs it, adds nothing either
    site._demo_ledger("fujian")
    assert _counts() == demo["after_first"]


def test_a_zone_user_and_another_province_see_none_of_it(demo, client):
    keji = ResponsibleUnit.objects.get(name="省科技厅")
    task = Assignment.objects.filter(unit=keji).order_by("pk").first()
    gansu = User.objects.create_user("gansu_admin", password="x")
    Profile.objects.create(
        user=gansu,
        organisation="甘肃省科技厅",
        scope=Entity.objects.get(kind="region", code="620000"),
        role="province_admin",
    )
    for user in (demo["users"]["zone_reporter"], gansu):
        assert services.ledger_units(by=user, today=TODAY) == []
        assert services.late_tasks(by=user, today=TODAY).count == 0
        with pytest.raises(NotFound):
            services.unit_tasks(keji.pk, by=user)
        with pytest.raises(NotFound):
            services.task_detail(task.pk, by=user)
        client.force_login(user)
        assert client.get(reverse("policy:unit", args=[keji.pk])).status_code == 404
        assert client.get(reverse("policy:task", args=[task.pk])).status_code == 404
        late = client.get(reverse("policy:late")).content.decode()
        assert "省科技厅" not in late
    # the city reviewer sees its own city's shares, not the province's departments; the two
    # 滞后 measures led by 各设区市人民政府 are late on the demo city's share
    city = demo["users"]["city_reviewer"]
    late = services.late_tasks(by=city, today=TODAY)
    assert [(t.measure.number, t.unit_label) for t in late.tasks] == [
        ("二（五）", "各设区市人民政府：厦门市"),
        ("五（十五）", "各设区市人民政府：厦门市"),
    ]
    assert {u.name for u in services.ledger_units(by=city, today=TODAY)} >= {"各设区市人民政府"}
    assert "省科技厅" not in {u.name for u in services.ledger_units(by=city, today=TODAY)}


def test_the_province_user_reads_the_pages_in_chinese(demo, client):
    client.force_login(demo["users"]["province_admin"])
    keji = ResponsibleUnit.objects.get(name="省科技厅")
    for url in (
        reverse("policy:ledger"),
        reverse("policy:late"),
        reverse("policy:unit", args=[keji.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "滞后" in page, url
        text = re.sub(r"<[^>]+>", " ", page)  # what the reader sees: no status codes
        assert not re.search(r"\b(not_started|in_progress|done|late)\b", text), url
    unit_page = client.get(reverse("policy:unit", args=[keji.pk])).content.decode()
    assert "已完成" in unit_page and "推进中" in unit_page
    # no shipped document states a deadline: the late list says so instead of an empty field
    late_page = client.get(reverse("policy:late")).content.decode()
    assert "完成时限：未写明" in late_page


def test_a_user_whose_units_are_all_their_own_gets_no_empty_table_of_others(demo, client):
    # the city reviewer reports for every unit in its scope: the table of the others says so
    # instead of showing its headers over no row
    city = demo["users"]["city_reviewer"]
    units = services.ledger_units(by=city, today=TODAY)
    assert units and all(u.mine for u in units)
    client.force_login(city)
    page = client.get(reverse("policy:ledger")).content.decode()
    assert "数据范围内的其他单位" in page
    assert "数据范围内没有其他责任单位。" in page
    # the province admin reports for its departments and sees the cities' units as others
    client.force_login(demo["users"]["province_admin"])
    page = client.get(reverse("policy:ledger")).content.decode()
    assert "数据范围内没有其他责任单位。" not in page
    assert "各设区市人民政府" in page
