"""The completeness pages: scoped to the user, overdue rows in red, downloads, a period picker."""

import datetime as dt
from unittest import mock

import pytest

from tests import workplace

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    t = workplace.tree()
    return workplace.users(t)


@pytest.fixture(autouse=True)
def today():
    with mock.patch("gaoxin.statistics.completeness.today", return_value=dt.date(2026, 12, 20)):
        yield


def test_city_user_sees_their_city_only_with_overdue_in_red(client, users):
    client.force_login(users["city_reviewer"])
    html = client.get("/statistics/completeness/zone_monthly/2026-11/").content.decode()
    assert "高新区月度主要指标监测表（2026年11月）报送完成情况" in html
    assert "厦门火炬高技术产业开发区" in html and "厦门海沧高新技术产业园区" in html
    assert "福州" not in html and "南昌" not in html
    assert html.count('class="row-overdue"') == 2
    assert "已过截止日 5 天" in html


def test_index_lists_the_forms_due_and_the_picker_redirects(client, users):
    client.force_login(users["province_admin"])
    html = client.get("/statistics/completeness/").content.decode()
    assert "高新区年度发展情况表" in html and "2025年" in html
    response = client.get("/statistics/completeness/?form=zone_annual&period=2024")
    assert response.status_code == 302
    assert response["Location"] == "/statistics/completeness/zone_annual/2024/"


@pytest.mark.parametrize(
    "url",
    [
        "/statistics/completeness/zone_monthly/2026/",  # a year for a monthly form
        "/statistics/completeness/zone_monthly/2026年11月/",  # not the canonical code
        "/statistics/completeness/incubator_annual/2025/",  # assigned nowhere
        "/statistics/completeness/nope/2025/",
        "/statistics/completeness/zone_monthly/2026-11/download.pdf",
    ],
)
def test_wrong_form_period_or_format_is_404(client, users, url):
    client.force_login(users["province_admin"])
    assert client.get(url).status_code == 404


def test_downloads_are_scoped(client, users):
    client.force_login(users["city_reviewer"])
    response = client.get("/statistics/completeness/zone_monthly/2026-11/download.csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "厦门火炬高技术产业开发区" in text and "福州" not in text and "南昌" not in text
    xlsx = client.get("/statistics/completeness/zone_monthly/2026-11/download.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
