"""GET /api/v1/indicator-values/ (decision 071) on the Gansu demo: the catalogue's stored values
of the user's scope, the same as ``analytics.indicator_values`` gives for the same data version,
named and in the catalogue's unit, paged in a fixed order, each page saying which build it was
read from; a bad parameter is refused naming it and its value, with nothing read or built;
another scope's entity answers the API's 404."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from polars.testing import assert_frame_equal

from gaoxin.accounts.models import Profile
from gaoxin.accounts.services import api_token
from gaoxin.engine.analytics import INDICATOR_SCHEMA
from gaoxin.engine.indicators import default_indicators
from gaoxin.registry.models import Entity
from gaoxin.statistics import analytics
from gaoxin.statistics.models import Observation
from tests.evaluation.conftest import gansu, gansu_synth, module_rows_gansu  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicator-values/"
#: 张掖市: two zones (张掖, 民乐) and their enterprises
CITY = "620700"
STORED = list(INDICATOR_SCHEMA)


def user(code: str, role: str):
    """A user of ``role`` whose scope is the entity ``code``."""
    scope = Entity.objects.get(code=code)
    u = get_user_model().objects.create_user(f"{role}-{code}")
    Profile.objects.create(user=u, organisation=scope.name, scope=scope, role=role)
    return u


def api(u) -> Client:
    return Client(headers={"Authorization": f"Token {api_token(u.username).key}"})


def every_row(client: Client, query: dict) -> tuple[list[dict], dict]:
    """All rows of a query, following ``next`` page by page; with the first page's head."""
    first = client.get(URL, query)
    assert first.status_code == 200, first.content
    page = first.json()
    head = {k: v for k, v in page.items() if k != "results"}
    rows = list(page["results"])
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += page["results"]
    assert len(rows) == head["count"]
    return rows, head


def as_stored(rows: list[dict]) -> pl.DataFrame:
    """API rows as the stored columns, to compare with ``analytics.indicator_values``."""
    return pl.DataFrame(
        [{**{k: r[k] for k in STORED if k != "entity"}, "entity": r["entity_code"]} for r in rows],
        schema=INDICATOR_SCHEMA,
    ).select(STORED)


def by_key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("kind").cast(pl.String)).sort(
        "entity", "kind", "period", "indicator"
    )


def test_a_city_user_reads_its_city_zones_and_enterprises_as_stored(gansu):  # noqa: F811
    city = Entity.objects.get(code=CITY, kind="region")
    reader = user(CITY, "city_reviewer")
    periods = ["2025", "2025-06", "2025Q2"]
    rows, head = every_row(api(reader), {"periods": ",".join(periods), "limit": 1000})
    stored, state = analytics.indicator_values(city, by=reader, periods=periods)
    assert_frame_equal(by_key(as_stored(rows)), by_key(stored), check_dtypes=False)
    assert head["data_version"] == state.version == analytics.data_version()
    assert head["stale"] is False and head["preview"] is False
    assert head["data_note"] == state.text() and head["built_at"].endswith("+08:00")
    # its own city's row, its zones' and enterprises', nothing above it or beside it
    kinds = {r["kind"] for r in rows}
    assert kinds == {"city", "zone", "enterprise"}
    assert {r["entity_code"] for r in rows if r["kind"] == "city"} == {CITY}
    assert {r["entity_code"] for r in rows if r["kind"] == "zone"} == {"620700P1", "620700P2"}
    inside = dict(Entity.objects.within(city).values_list("code", "pk"))
    assert all(inside[r["entity_code"]] == r["entity"] for r in rows)
    # each row named from the registry and the catalogue
    names = dict(Entity.objects.within(city).values_list("code", "name"))
    catalogue = {i.code: i for i in default_indicators()}
    for r in rows:
        assert r["entity_name"] == names[r["entity_code"]]
        assert (r["indicator_name"], r["unit"]) == (
            catalogue[r["indicator"]].zh,
            catalogue[r["indicator"]].unit,
        )
    assert {r["period"] for r in rows} == set(periods)


def test_money_is_in_the_catalogues_wan_yuan_summed_from_the_stored_values(gansu):  # noqa: F811
    zone = Entity.objects.get(code="620700P1")
    rows, _ = every_row(
        api(user(CITY, "city_reviewer")),
        {"periods": "2025-06", "indicators": "revenue_total", "entity": zone.pk},
    )
    (row,) = rows
    firms = Observation.objects.filter(
        entity__path__startswith=zone.path,
        entity__kind="enterprise",
        variable__code="revenue",
        period="2025-06",
    ).values_list("value", flat=True)
    total = sum(firms, Decimal(0))
    assert row["unit"] == "万元" and row["entity_name"] == zone.name
    # the sum of the enterprises' values as stored (万元, decision 005's 分 are for awards)
    assert row["value"] == pytest.approx(float(total), rel=1e-12) and total > 0
    assert Observation.objects.filter(variable__code="revenue").first().variable.unit == "万元"


def test_pages_walk_the_rows_in_one_fixed_order(gansu):  # noqa: F811
    c = api(user(CITY, "city_reviewer"))
    query = {
        "periods": "2025-06,2025",
        "indicators": "revenue_total,rd_intensity,city_rd_intensity",
    }
    whole = c.get(URL, {**query, "limit": 1000}).json()
    paged, head = every_row(c, {**query, "limit": 3})
    # two zones × two zone indicators × two periods, and the city's own indicator twice
    assert paged == whole["results"] and head["count"] == whole["count"] == 10
    assert "offset=3" in head["next"] and head["previous"] is None
    # period first, then the catalogue's order of indicators, then province to enterprise
    order = [i.code for i in default_indicators()]
    keys = [(r["period"], order.index(r["indicator"])) for r in paged]
    assert keys == sorted(keys)
    beyond = c.get(URL, {**query, "offset": 10_000}).json()
    assert beyond["results"] == [] and beyond["count"] == whole["count"]


def test_entity_and_kind_narrow_the_rows(gansu):  # noqa: F811
    c = api(user(CITY, "city_reviewer"))
    zone = Entity.objects.get(code="620700P2")
    own = c.get(URL, {"periods": "2025", "entity": zone.pk, "limit": 1000}).json()["results"]
    assert own and {(r["entity_code"], r["kind"]) for r in own} == {("620700P2", "zone")}
    firms = c.get(URL, {"periods": "2025", "scope": zone.pk, "kind": "enterprise"}).json()
    inside = set(
        Entity.objects.within(zone).filter(kind="enterprise").values_list("code", flat=True)
    )
    assert firms["count"] > 0 and {r["entity_code"] for r in firms["results"]} <= inside
    assert {r["kind"] for r in firms["results"]} == {"enterprise"}
    mine = c.get(URL, {"periods": "2025", "kind": "city"}).json()["results"]
    assert {r["entity_code"] for r in mine} == {CITY}


def nothing_built() -> bool:
    return not (Path(settings.ANALYTICS_ROOT) / "current").exists()


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({}, "periods", "请给出期间 periods"),
        ({"periods": "2025-13"}, "periods", "「2025-13」"),
        ({"periods": "2025,2025Q5"}, "periods", "「2025Q5」"),
        ({"periods": "2025", "indicators": "revenue_total,no_such"}, "indicators", "「no_such」"),
        ({"periods": "2025", "kind": "planet"}, "kind", "「planet」"),
        ({"periods": "2025", "scope": 1, "entity": 1}, "entity", "只能给一个"),
        ({"periods": "2025", "entity": "x"}, "entity", "「x」"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it_and_nothing_is_read(
    gansu,  # noqa: F811
    query,
    field,
    words,
):
    version = analytics.data_version()
    answer = api(user(CITY, "city_reviewer")).get(URL, query)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "invalid" and body["problems"][0]["field"] == field
    assert words in body["detail"] and field in body["detail"]
    assert nothing_built() and analytics.data_version() == version


def test_another_scopes_entity_answers_like_a_missing_one(gansu):  # noqa: F811
    c = api(user("620700P1", "zone_reporter"))
    beside = Entity.objects.get(code="620700P2")  # the other zone of the same city
    above = Entity.objects.get(code=CITY, kind="region")
    firm = Entity.objects.filter(kind="enterprise", path__startswith=beside.path).first()
    answers = [
        c.get(URL, {"periods": "2025", name: pk})
        for name in ("scope", "entity")
        for pk in (beside.pk, above.pk, firm.pk, 987_654_321)
    ]
    assert {a.status_code for a in answers} == {404}
    assert all(
        a.json() == {"detail": "未找到，或不在您的数据范围内", "code": "not_found"} for a in answers
    )
    # and its own list holds only its zone and the zone's enterprises
    rows = c.get(URL, {"periods": "2025", "limit": 1000}).json()["results"]
    zone = Entity.objects.get(code="620700P1")
    inside = set(Entity.objects.within(zone).values_list("code", flat=True))
    assert rows and {r["entity_code"] for r in rows} <= inside


def test_the_preview_is_for_the_province_reviewers_only(gansu):  # noqa: F811
    province = Entity.objects.get(code="620000")
    reviewer = user("620000", "province_reviewer")
    answer = api(reviewer).get(URL, {"periods": "2025-06", "preview": "1", "kind": "province"})
    assert answer.status_code == 200 and answer.json()["preview"] is True
    stored, _ = analytics.indicator_values(province, by=reviewer, periods=["2025-06"], preview=True)
    expected = stored.filter(pl.col("kind") == "province")
    assert_frame_equal(
        by_key(as_stored(answer.json()["results"])), by_key(expected), check_dtypes=False
    )
    refused = api(user(CITY, "city_reviewer")).get(URL, {"periods": "2025", "preview": "1"})
    assert refused.status_code == 403 and "预览" in refused.json()["detail"]


def test_a_stale_build_is_read_and_said_to_be(gansu, settings):  # noqa: F811
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"  # neither a job nor a rebuild on read
    analytics.build()
    built = analytics.data_version()
    c = api(user(CITY, "city_reviewer"))
    zone = Entity.objects.get(code="620700P1")
    query = {"periods": "2025-06", "indicators": "revenue_total", "entity": zone.pk}
    before = c.get(URL, query).json()
    firm = Observation.objects.filter(
        entity__path__startswith=zone.path, variable__code="revenue", period="2025-06"
    ).first()
    revise(firm, firm.value + 1000)
    after = c.get(URL, query).json()
    assert after["stale"] is True and after["data_version"] == built
    # the revision's version: the next id, not built + 1 (PostgreSQL's sequence moves on with
    # the rolled-back writes of the tests before that share the demo's rows)
    assert after["latest_data_version"] == analytics.data_version() > built
    assert after["data_note"].endswith("数据已更新，分析表待重建")
    assert after["results"] == before["results"]  # the build it was read from, unchanged
    analytics.build()
    fresh = c.get(URL, query).json()
    assert fresh["stale"] is False and fresh["data_version"] == after["latest_data_version"]
    assert fresh["results"][0]["value"] == pytest.approx(before["results"][0]["value"] + 1000)


def test_an_indicator_without_monthly_values_is_named_with_the_reason(gansu):  # noqa: F811
    c = api(user(CITY, "city_reviewer"))
    query = {"periods": "2025-06,2025", "indicators": "enterprise_tax_per_mu,revenue_total"}
    page = c.get(URL, {**query, "limit": 1000}).json()
    left_out = analytics.not_computed()  # decision 072: land area is reported yearly
    assert left_out["month"]["enterprise_tax_per_mu"] == ("land_area",)
    assert page["not_computed"] == [
        {
            "indicator": "enterprise_tax_per_mu",
            "indicator_name": "企业亩均税收",
            "period_type": "month",
            "variables": ["land_area"],
            "note": "按年统计，无月度值（「用地面积」按年报送）",
        }
    ]
    periods = {(r["indicator"], r["period"]) for r in page["results"]}
    assert ("enterprise_tax_per_mu", "2025") in periods
    assert ("enterprise_tax_per_mu", "2025-06") not in periods
    assert {("revenue_total", "2025"), ("revenue_total", "2025-06")} <= periods
    # nothing to say of a year, nor of an indicator or a kind not asked for
    assert c.get(URL, {**query, "periods": "2025"}).json()["not_computed"] == []
    assert c.get(URL, {**query, "kind": "zone"}).json()["not_computed"] == []
    zone = Entity.objects.get(code="620700P1")
    assert c.get(URL, {**query, "entity": zone.pk}).json()["not_computed"] == []


def one_shot(reader, scope, periods: list[str], **narrow) -> pl.DataFrame:
    """The selection read whole and sorted at once, as every page did before decision 081."""
    from gaoxin.statistics.services import in_row_order

    stored, _ = analytics.indicator_values(scope, by=reader, periods=periods, **narrow)
    return in_row_order(stored.with_columns(pl.col("kind").cast(pl.String)))


@pytest.mark.parametrize(
    ("who", "query", "limit"),
    [
        (("620000", "province_reviewer"), {"periods": "2025,2025-06,2025Q2"}, 37),
        ((CITY, "city_reviewer"), {"periods": "2024,2025-06", "indicators": "revenue_total"}, 3),
        ((CITY, "city_reviewer"), {"periods": "2025", "kind": "enterprise"}, 4),
    ],
)
def test_pages_give_the_rows_of_the_whole_selection_sorted_at_once(gansu, who, query, limit):  # noqa: F811
    reader = user(*who)
    scope = Entity.objects.get(code=who[0], kind="region")
    # pages of odd sizes cross the groups of (period, indicator, kind) anywhere
    rows, head = every_row(api(reader), {**query, "limit": limit})
    periods = query["periods"].split(",")
    indicators = query["indicators"].split(",") if "indicators" in query else None
    expected = one_shot(reader, scope, periods, indicators=indicators)
    if "kind" in query:
        expected = expected.filter(pl.col("kind") == query["kind"])
    assert head["count"] == expected.height > limit
    assert_frame_equal(as_stored(rows), expected, check_dtypes=False)


def test_a_later_page_reads_only_its_groups_and_keeps_the_count(gansu, monkeypatch):  # noqa: F811
    from gaoxin.statistics import services

    reader = user(CITY, "city_reviewer")
    c = api(reader)
    query = {"periods": "2025,2025-06", "limit": 50}
    first = c.get(URL, query).json()
    counted, read = [], []
    monkeypatch.setattr(services, "_groups", lambda *a: counted.append(a))
    original = analytics.StoredIndicators.read
    monkeypatch.setattr(
        analytics.StoredIndicators,
        "read",
        lambda self, **kw: read.append(original(self, **kw)) or read[-1],
    )
    later = c.get(URL, {**query, "offset": 150}).json()
    assert not counted  # the groups were kept from the first page
    assert later["count"] == first["count"] and len(later["results"]) == 50
    assert len(read) == 1 and read[0].height < first["count"]
    city = Entity.objects.get(code=CITY, kind="region")
    expected = one_shot(reader, city, ["2025", "2025-06"]).slice(150, 50)
    assert_frame_equal(as_stored(later["results"]), expected, check_dtypes=False)


@pytest.mark.parametrize("limit", [29, 2])  # pages across groups; pages inside one group
def test_groups_the_files_do_not_hold_in_entity_order_are_sorted(gansu, monkeypatch, limit):  # noqa: F811
    reader = user(CITY, "city_reviewer")
    original = analytics.StoredIndicators.read
    monkeypatch.setattr(  # files holding the rows in another order than a whole build's
        analytics.StoredIndicators,
        "read",
        lambda self, **kw: original(self, **kw).sort(pl.col("entity").hash(7)),
    )
    rows, _ = every_row(api(reader), {"periods": "2025", "limit": limit})
    city = Entity.objects.get(code=CITY, kind="region")
    monkeypatch.setattr(analytics.StoredIndicators, "read", original)
    assert_frame_equal(as_stored(rows), one_shot(reader, city, ["2025"]), check_dtypes=False)


def test_an_enterprise_moved_out_of_the_scope_leaves_its_next_pages(gansu):  # noqa: F811
    """A move in the registry moves no data version: the kept groups are kept per the scope's
    entities too, so the next request counts and shows the scope as it is now."""
    zone = Entity.objects.get(code="620700P1")
    beside = Entity.objects.get(code="620700P2")
    c = api(user("620700P1", "zone_reporter"))
    query = {"periods": "2025", "kind": "enterprise", "limit": 1000}
    before = c.get(URL, query).json()
    firm = Entity.objects.get(code=before["results"][0]["entity_code"])
    Entity.objects.filter(pk=firm.pk).update(path=f"{beside.path}{firm.pk}/", parent=beside)
    after = c.get(URL, query).json()
    assert firm.code not in {r["entity_code"] for r in after["results"]}
    assert after["count"] == before["count"] - sum(
        r["entity_code"] == firm.code for r in before["results"]
    )
    assert after["data_version"] == before["data_version"]
    assert zone.path != beside.path
