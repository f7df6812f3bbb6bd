# ruff: noqa: F811 (the gansu fixtures are imported, then named by each test)
"""The monitoring page (月监测/季分析) on the Gansu demo: places and periods picked by name, the
table as the service computes it (万元 with 2 decimals), who has not reported above it, and
the workbook made by a background job."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from django.urls import reverse

from gaoxin.engine.monitor import cell_text
from gaoxin.engine.periods import Period
from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from gaoxin.registry.models import Entity
from gaoxin.statistics.services import monitor
from tests.evaluation.conftest import gansu, gansu_synth, module_rows_gansu  # noqa: F401 (fixtures)
from tests.factories import user_in

pytestmark = pytest.mark.django_db
URL = "/statistics/monitor/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_province_user_picks_a_city_and_a_month_by_name_and_sees_the_services_numbers(
    gansu, client
):
    province = Entity.objects.get(kind="region", code="620000")
    user = user_in(province)
    client.force_login(user)
    html = client.get(URL).content.decode()
    # the pickers: places and periods by name, newest period first and chosen
    assert f'<option value="{province.pk}" selected>甘肃省</option>' in html
    assert "<option" in html and ">兰州市</option>" in html
    periods = html.split('id="monitor-period"')[1].split("</select>")[0]
    assert ">2025年第三季度</option>" in periods and ">2025年7月</option>" in periods
    first = periods.split("<option")[1]
    assert "selected" in first  # the newest period with data

    city = Entity.objects.get(kind="region", code="620100")
    html = client.get(URL, {"scope": city.pk, "period": "2025-07"}).content.decode()
    done = monitor(Period.parse("2025-07"), city, by=user)
    assert f"<h1>{done.title}</h1>" in html
    frame = done.table.frame
    total = frame.filter(pl.col("is_total"))
    revenue = [ind for ind in done.table.indicators if ind.code.startswith("revenue")][0]
    expected = cell_text(total[f"{revenue.code}__cumulative"][0], "value")
    assert "." in expected and len(expected.split(".")[1]) == 2  # 万元, 2 decimals
    row = html.split('<tr class="total">')[1].split("</tr>")[0]
    assert f'<td class="num">{expected}</td>' in row
    assert "累计（万元）" in html and "累计同比（%）" in html
    # in Chinese the page's headings are the workbook's and the CSV's, measure by measure
    head = html.split("<thead>")[1].split("</thead>")[0].split("</tr>")[1]
    measures = [h.split("·", 1)[1] for h in done.table.headers()[2:]]
    assert head.count('<th scope="col" class="num">') == len(measures)
    assert [c.split("</th>")[0] for c in head.split('class="num">')[1:]] == measures
    assert '<tr class="total"><th scope="row">合计</th>' in html
    names = frame.filter(~pl.col("is_total"))["zone_name"].to_list()
    assert names and all(n in html for n in names)
    assert "620100" not in html.split("<table")[1]  # no codes in the table, names only


def test_who_has_not_reported_is_listed_above_the_table(gansu, client):
    from gaoxin.statistics.choices import BatchKind
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations

    province = Entity.objects.get(kind="region", code="620000")
    reporting, *silent = list(
        Entity.objects.filter(kind="zone", path__startswith=province.path).order_by("code")
    )
    # one zone reports January 2026, before the others (whose figures end with 2025)
    batch = Batch.objects.create(kind=BatchKind.IMPORT, label="测试")
    revenue = Variable.objects.get(code="revenue")
    write_observations([(reporting.pk, revenue.pk, "2026-01", 1234.5)], batch)

    client.force_login(user_in(province))
    html = client.get(URL, {"scope": province.pk, "period": "2026-01"}).content.decode()
    above, table = html.split('<table class="data monitor-table">')
    listed = above.split('id="not-reported"')[1]
    assert f"未报送（{len(silent)} 个园区）" in listed and "待审核" not in listed
    assert all(z.name in listed for z in silent) and reporting.name not in listed


def test_a_quarter_gives_the_quarterly_table(gansu, client):
    zone = Entity.objects.get(code="620300P1")
    client.force_login(user_in(zone))
    html = client.get(URL, {"period": "2025Q3"}).content.decode()
    assert "季度分析表（2025年第三季度）" in html and zone.name in html
    scopes = html.split('id="monitor-scope"')[1].split("</select>")[0]
    assert scopes.count("<option") == 1  # a zone user: their zone only


def test_a_zone_user_asking_for_another_zone_or_its_city_gets_404(gansu, client):
    zone = Entity.objects.get(code="620300P1")
    other = Entity.objects.filter(kind="zone").exclude(pk=zone.pk).first()
    client.force_login(user_in(zone))
    for place in (other, zone.parent):
        assert client.get(URL, {"scope": place.pk, "period": "2025-07"}).status_code == 404
        response = client.post(
            reverse("statistics:monitor_download"), {"scope": place.pk, "period": "2025-07"}
        )
        assert response.status_code == 404
    assert not Job.objects.exists()


def test_download_excel_makes_the_workbook_in_a_job(gansu, client):
    zone = Entity.objects.get(code="620300P1")
    user = user_in(zone)
    client.force_login(user)
    page = client.get(URL, {"period": "2025-07"}).content.decode()
    assert "下载 Excel" in page and 'action="/statistics/monitor/download/"' in page
    response = client.post(
        reverse("statistics:monitor_download"), {"scope": zone.pk, "period": "2025-07"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED and job.scope == zone
    assert job.label == f"生成 {zone.name} 2025年7月 月度监测表"
    html = client.get(response["Location"]).content.decode()
    title = monitor(Period.parse("2025-07"), zone, by=user).title
    assert f"下载 {title}.xlsx" in html
    data = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert title in str(book.worksheets[0]["A1"].value)


def test_without_data_the_page_says_so(db, client):
    from tests import factories

    tree = factories.small_tree()
    client.force_login(user_in(tree["torch"]))
    html = client.get(URL).content.decode()
    assert "还没有月度或季度统计数据" in html and "<table" not in html


def test_the_page_shows_the_numbers_gaoxin_monitor_writes_for_the_same_data_version(
    gansu, client, tmp_path
):
    """The page (kept per data version, decision 041) and `gaoxin monitor --out x.csv` read
    the same analytics build: every zone row's cells on the page are the CSV's values printed
    as the page prints them, and the page names the data version the CLI read."""
    import html
    import re

    from typer.testing import CliRunner

    from gaoxin.cli import app
    from gaoxin.statistics import analytics

    province = Entity.objects.get(kind="region", code="620000")
    client.force_login(user_in(province))
    page = client.get(URL, {"period": "2025-12"}).content.decode()  # computed and kept
    page = client.get(URL, {"period": "2025-12"}).content.decode()  # read back
    out = tmp_path / "m.csv"
    done = CliRunner().invoke(app, ["monitor", "--period", "2025-12", "--out", str(out)])
    assert done.exit_code == 0, done.output
    csv = pl.read_csv(out, infer_schema_length=None)
    kinds = monitor(Period.parse("2025-12"), province, by=None).table.kinds()
    state = analytics.state()
    assert not state.stale and f"数据版本 {state.version}" in page
    shown = {
        html.unescape(name): [
            html.unescape(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells)
        ]
        for name, cells in re.findall(r'<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>', page)
    }
    assert len(shown) == csv.height > 2
    for row in csv.iter_rows():
        printed = [cell_text(v, k) for v, k in zip(row[2:], kinds[2:], strict=True)]
        assert shown[row[1]] == printed, row[1]
