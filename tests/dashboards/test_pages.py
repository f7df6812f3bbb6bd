"""The dashboard and zone profile pages on demo data: their numbers are the monitoring
service's for the same data, a city user's map holds its zones only, another scope's place or
zone answers 404, and every chart's numbers are on the page as a table."""

import json
import re
import statistics

import pytest
from django.urls import reverse

from gaoxin.engine.periods import Period
from gaoxin.registry.models import Entity
from gaoxin.statistics.services import monitor

pytestmark = pytest.mark.django_db


def chart_spec(response, key: str) -> dict:
    html = response.content.decode()
    m = re.search(rf'<script id="chart-{key}-data" type="application/json">(.*?)</script>', html)
    assert m, f"no chart {key}"
    return json.loads(m.group(1))


def totals(period: str, code: str, by) -> dict:
    frame = monitor(Period.parse(period), Entity.objects.get(code=code), by=by).table.frame
    return frame.filter(frame["is_total"]).to_dicts()[0]


def test_the_province_dashboard_shows_the_monitoring_tables_numbers(client, people):
    user = people["province_admin"]
    client.force_login(user)
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    d = response.context["d"]
    assert d.place.level == "province" and d.period == "2025-12"
    row = totals(d.period, "350000", user)
    for f in d.figures:
        assert f.cumulative == pytest.approx(row[f"{f.code}__cumulative"], nan_ok=True)
        assert f.yoy == pytest.approx(row[f"{f.code}__yoy"], nan_ok=True)
    # the ranking is the monitoring table's, zone by zone
    frame = monitor(Period.parse(d.period), Entity.objects.get(code="350000"), by=user).table
    ranks = {
        r["zone"]: (r["revenue_total__rank"], r["revenue_total__rank_change"])
        for r in frame.frame.to_dicts()
        if not r["is_total"]
    }
    assert len(d.ranking) == len(ranks) == d.ranked_among > 5
    for r in d.ranking:
        assert (r.rank, r.rank_change) == tuple(int(x) for x in ranks[r.code])
    # the map shades the province's cities and points at its zones
    spec = chart_spec(response, "map")
    assert spec["map"] == "350000" and spec["focus"] is None
    assert {r["label"] for r in spec["regions"]} >= {"福州市", "厦门市"}
    # every zone reporting this year is a point (one without this month's value shows "—")
    assert {p["name"] for p in spec["points"]} >= {r.name for r in d.ranking}
    assert all(p["url"].startswith("/zones/") for p in spec["points"])
    body = response.content.decode()
    assert "万元" in body and "查看数据" in body and "下载图片" in body


def test_a_city_sees_its_totals_and_only_its_zones(client, people):
    user = people["city_reviewer"]
    client.force_login(user)
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    d = response.context["d"]
    assert d.place.level == "city"
    row = totals(d.period, "350100", user)
    revenue = next(f for f in d.figures if f.code == "revenue_total")
    assert revenue.cumulative == pytest.approx(row["revenue_total__cumulative"])
    assert revenue.yoy == pytest.approx(row["revenue_total__yoy"])
    fuzhou = {"福州高新技术产业开发区", "福清高新技术产业园区（示例）"}
    assert {r.name for r in d.ranking} == fuzhou
    # ranks are among the province's zones, not the city's two
    assert d.ranked_among > 5
    spec = chart_spec(response, "map")
    assert spec["focus"] == ["350100"]
    assert [r["label"] for r in spec["regions"]] == ["福州市"]
    assert {p["name"] for p in spec["points"]} == fuzhou
    body = response.content.decode()
    assert "厦门火炬" not in body and "泉州高新" not in body


def test_a_zone_dashboard_and_profile(client, people):
    user = people["zone_reporter"]
    client.force_login(user)
    d = client.get(reverse("dashboards:dashboard")).context["d"]
    assert d.place.level == "zone"
    province = monitor(Period.parse(d.period), Entity.objects.get(code="350000"), by=None)
    mine = province.table.frame.filter(province.table.frame["zone"] == "350100N1").to_dicts()[0]
    revenue = next(f for f in d.figures if f.code == "revenue_total")
    ranked = province.table.frame["revenue_total__rank"].drop_nulls().len()
    assert revenue.rank == mine["revenue_total__rank"] and revenue.rank_of == ranked > 5

    zone = Entity.objects.get(code="350100N1")
    response = client.get(reverse("dashboards:zone", args=[zone.pk]))
    assert response.status_code == 200
    p = response.context["p"]
    frame = province.table.frame.filter(~province.table.frame["is_total"])
    first = p.comparisons[0]
    assert first.median == pytest.approx(
        statistics.median(frame[f"{first.code}__cumulative"].drop_nulls().to_list())
    )
    assert first.value == pytest.approx(mine[f"{first.code}__cumulative"])
    # a zone user sees no other zone by name, on the dashboard or the profile
    assert [r.name for r in p.peers] == [zone.name]
    body = response.content.decode()
    assert "厦门火炬" not in body and "福清" not in body


def test_another_scopes_place_or_zone_is_not_found(client, people):
    xiamen_zone = Entity.objects.get(code="350200N1")
    xiamen = Entity.objects.get(code="350200")
    client.force_login(people["city_reviewer"])
    assert client.get(reverse("dashboards:zone", args=[xiamen_zone.pk])).status_code == 404
    url = reverse("dashboards:dashboard")
    assert client.get(url, {"place": xiamen.pk}).status_code == 404
    assert client.get(url, {"place": "abc"}).status_code == 404
    assert client.get(url, {"indicator": "no_such"}).status_code == 404
    client.force_login(people["province_admin"])
    response = client.get(url, {"place": xiamen.pk})
    assert response.status_code == 200 and response.context["d"].place.level == "city"
    assert client.get(reverse("dashboards:zone", args=[xiamen_zone.pk])).status_code == 200


def test_every_chart_has_its_numbers_as_a_table_and_no_inline_script(client, people):
    client.force_login(people["province_admin"])
    response = client.get(reverse("dashboards:dashboard"), {"indicator": "taxes_total"})
    body = response.content.decode()
    d = response.context["d"]
    assert d.indicator.code == "taxes_total"
    spec = chart_spec(response, "monthly")
    assert spec["series"][0]["values"] == d.this_year
    # the table under the chart holds the same numbers, 万元 with two decimals
    december = d.this_year[11]
    assert f"{december:,.2f}" in body
    scripts = re.findall(r"<script([^>]*)>", body)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
    assert 'style="' not in body


def test_no_data_is_said(client, db):
    from tests import factories, workplace

    t = workplace.tree()
    users = workplace.users(t)
    assert factories  # the tree has zones but no statistics
    client.force_login(users["province_admin"])
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    assert "还没有任何园区的月度统计数据" in response.content.decode()
