"""The preview switch (decision 041): a province analyst may read data submitted and not yet
approved on the monitoring, pivot and dashboard pages, under a banner that says so; a city,
zone or read-only user is refused it; the published pages never show a value under review."""

import pytest
from django.test import Client

from tests.statistics.entry_fixtures import world  # noqa: F401 (fixture)
from tests.statistics.test_analytics import under_review  # noqa: F401 (fixture)

BANNER = "预览：含未审核数据"
PAGES = ("/statistics/monitor/", "/statistics/pivot/", "/dashboard/")


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def submitted(w):
    """厦门火炬's enterprises' 2025-12 revenue (10 and 20) submitted, not yet approved."""
    from gaoxin.statistics.approval import move, submission_for

    move(
        submission_for(w["enterprise_monthly"], w["torch"], "2025-12"),
        "submit",
        by=w["zone_reporter"],
    )


@pytest.mark.parametrize("who", ["city", "zone_reporter", "viewer"])
@pytest.mark.parametrize("url", PAGES)
def test_a_city_zone_or_read_only_user_cannot_preview(under_review, who, url):  # noqa: F811
    submitted(under_review)
    c = client_of(under_review[who])
    assert c.get(url, {"preview": "1"}).status_code == 403
    page = c.get(url)
    assert page.status_code == 200
    assert BANNER not in page.content.decode() and "preview=1" not in page.content.decode()


def monitor_total(c, **extra) -> str:
    """The monitoring page of 福建省 2025-12 and its 合计 row's cells."""
    page = c.get("/statistics/monitor/", {"period": "2025-12", **extra})
    assert page.status_code == 200
    return page.content.decode()


def test_the_published_monitor_leaves_values_under_review_out_and_the_preview_shows_them(
    under_review,  # noqa: F811
):
    submitted(under_review)
    c = client_of(under_review["province"])
    published = monitor_total(c)
    preview = monitor_total(c, preview="1")
    assert BANNER not in published and "预览未审核数据" in published  # the switch is offered
    assert BANNER in preview and 'name="preview" value="1"' in preview  # the picker keeps it
    # 福州's 30 alone is published; the preview adds 厦门火炬's 10 + 20 to the total
    assert "60.00" in preview and "60.00" not in published
    assert "monitor-download" not in preview  # the workbook job is of published data only


def test_the_pivot_preview_shows_values_under_review_and_its_export_says_so(
    under_review,  # noqa: F811
):
    submitted(under_review)
    c = client_of(under_review["province"])
    query = {"indicator": "revenue_total", "period": "2025-12", "level": "zone", "rows": "entity"}
    published = c.get("/statistics/pivot/", query).content.decode()
    preview = c.get("/statistics/pivot/", {**query, "preview": "1"}).content.decode()
    assert "厦门火炬" in published and BANNER not in published and "error-summary" not in published
    assert BANNER in preview and "含待审核数据（预览）" in preview
    assert "60.00" in preview and "60.00" not in published


def api(user) -> Client:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def test_the_zone_profile_previews_values_under_review(under_review):  # noqa: F811
    w = under_review
    submitted(w)
    url = f"/zones/{w['torch'].pk}/"
    c = client_of(w["province"])
    published = c.get(url).content.decode()
    preview = c.get(url, {"preview": "1"}).content.decode()
    # published, 厦门火炬 has no 2025 value yet (its only return is under review)
    assert BANNER not in published and "预览未审核数据" in published
    assert "所在年度没有统计数据" in published
    assert BANNER in preview and "所在年度没有统计数据" not in preview
    assert "30.00" in preview  # its two enterprises' 10 + 20


@pytest.mark.parametrize("who", ["city", "zone_reporter", "viewer"])
def test_only_a_province_analyst_may_preview_a_zone_profile(under_review, who):  # noqa: F811
    w = under_review
    url = f"/zones/{w['torch'].pk}/"
    c = client_of(w[who])
    assert c.get(url, {"preview": "1"}).status_code == 403
    page = c.get(url)
    assert page.status_code == 200 and "preview=1" not in page.content.decode()


def test_the_api_previews_the_monitoring_table_and_targets_for_a_province_analyst_only(
    under_review,  # noqa: F811
):
    w = under_review
    submitted(w)
    query = {"period": "2025-12", "indicators": "revenue_total"}
    province = api(w["province"])
    published = province.get("/api/v1/monitoring/", query)
    preview = province.get("/api/v1/monitoring/", {**query, "preview": "1"})
    assert published.status_code == 200 and preview.status_code == 200
    assert published.json()["preview"] is False and preview.json()["preview"] is True

    def total(response) -> float | None:
        rows = response.json()["rows"]
        column = next(c["key"] for c in response.json()["columns"] if "cumulative" in c["key"])
        return rows[0][column]  # the 合计 row first

    # 福州's 30 alone is published; the preview adds 厦门火炬's 10 + 20
    assert (total(published), total(preview)) == (pytest.approx(30), pytest.approx(60))
    for who in ("city", "zone_reporter", "viewer"):
        refused = api(w[who]).get("/api/v1/monitoring/", {**query, "preview": "1"})
        assert refused.status_code == 403, who
        assert api(w[who]).get("/api/v1/monitoring/", query).status_code != 403  # published
        targets = api(w[who]).get("/api/v1/targets/", {"pack": "fujian-2021", "preview": "1"})
        assert targets.status_code == 403, who


def test_a_kept_part_of_a_page_is_never_served_to_another_scope(under_review):  # noqa: F811
    """The zone profile's peers are drawn once per data version and scope (decision 048): the
    province's reviewer draws them first, with 福州高新区; the 厦门 city reviewer then opens the
    same profile and must not get that part."""
    w = under_review
    url = f"/zones/{w['torch'].pk}/"
    province = client_of(w["province"]).get(url).content.decode()
    assert w["fzz"].name in province
    city = client_of(w["city"]).get(url).content.decode()
    assert w["torch"].name in city and w["fzz"].name not in city
    again = client_of(w["province"]).get(url).content.decode()
    assert w["fzz"].name in again
