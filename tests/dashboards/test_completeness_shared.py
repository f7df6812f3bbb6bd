"""The reporting completeness on a dashboard (decision 060): computed once a minute for the
user's scope and narrowed to each place, so that a province's dashboard and each of its
cities' share one computation; a place counts its own zones only, and another user's scope
gets its own computation, never the province's."""

import datetime as dt
from unittest import mock

import pytest

from gaoxin.dashboards import services
from gaoxin.registry.models import Entity
from gaoxin.statistics import completeness as comp
from gaoxin.statistics.demo import assign_forms
from gaoxin.statistics.models import ReportingForm
from gaoxin.statistics.store import sync_forms

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 20)


def zones_in(code: str) -> set[str]:
    root = Entity.objects.get(code=code)
    return set(
        Entity.objects.filter(kind="zone", path__startswith=root.path).values_list(
            "name", flat=True
        )
    )


def expected(code: str, by) -> dict[str, tuple[int, set[str]]]:
    d = services.dashboard(Entity.objects.get(code=code), by=by, today=DAY)
    return {p.form_code: (p.expected, set(p.overdue)) for p in d.completeness}


def test_one_computation_for_the_scope_narrowed_to_each_place(people):
    sync_forms()
    assign_forms()  # the shipped forms, assigned to Fujian
    forms = ReportingForm.objects.filter(assignments__isnull=False).distinct().count()
    assert forms
    with mock.patch.object(comp, "completeness", wraps=comp.completeness) as computed:
        province = expected("350000", people["province_admin"])
        fuzhou = expected("350100", people["province_admin"])
        xiamen = expected("350200", people["province_admin"])
        assert computed.call_count == forms  # once for the province, not once per place
        by_city = expected("350100", people["city_reviewer"])
        assert computed.call_count == 2 * forms  # the city's reviewer: their own scope

    assert {n for n, _ in province.values()} == {len(zones_in("350000"))}
    assert {n for n, _ in fuzhou.values()} == {len(zones_in("350100"))} == {2}
    assert {n for n, _ in xiamen.values()} == {len(zones_in("350200"))}
    for code, (_, overdue) in fuzhou.items():
        assert overdue <= zones_in("350100")
        assert overdue == province[code][1] & zones_in("350100")
    assert any(overdue for _, overdue in province.values())  # a test that could fail
    assert by_city == fuzhou
