"""The pivot page and its service: scoped rows and totals for every role, ratio totals from their
parts, the printed workbook download, precise errors for what cannot be shown.

The world (tests.workplace): 福建省 > 厦门市 > 厦门火炬 (甲 100, 乙 50), 厦门海沧 (戊 30);
福州市 > 福州高新区 (丙 20); 江西省 > 南昌市 > 南昌高新区 (丁 10) — 2025 营业收入 in 万元;
R&D 2025: 甲 4, 丙 1 (the others did not report)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gaoxin.engine.periods import Period
from gaoxin.services import OutOfScope
from gaoxin.statistics import services
from gaoxin.statistics.models import Batch, Variable
from gaoxin.statistics.store import write_observations
from tests import factories, workplace

pytestmark = pytest.mark.django_db

URL = "/statistics/pivot/"
EXPORT = "/statistics/pivot/export.xlsx"


@pytest.fixture
def world():
    t = workplace.tree()
    t["e"] = factories.enterprise("厦门戊生物有限公司", t["haicang"])
    t["users"] = workplace.users(t)
    revenue = Variable.objects.get(code="revenue")
    rd = Variable.objects.get(code="rd_expenditure")
    values = [(t[k].pk, revenue.pk, "2025", v) for k, v in (("a", 100), ("b", 50), ("e", 30))]
    values += [(t["c"].pk, revenue.pk, "2025", 20), (t["d"].pk, revenue.pk, "2025", 10)]
    values += [(t["a"].pk, rd.pk, "2025", 4), (t["c"].pk, rd.pk, "2025", 1)]
    write_observations(values, Batch.objects.create(kind="manual", label="测试"))
    return t


def _query(**extra) -> dict:
    return {"indicator": ["revenue_total"], "period": ["2025"], "rows": "entity", **extra}


def test_province_page_totals_its_cities_and_recomputes_the_ratio(client, world):
    client.force_login(world["users"]["province_admin"])
    html = client.get(URL).content.decode()  # defaults: key money indicators, latest year
    assert "福建省高新区主要指标数据透视表（2025年）" in html
    assert "厦门市" in html and "福州市" in html and "南昌" not in html
    response = client.get(URL, _query(indicator=["revenue_total", "rd_intensity"], level="zone"))
    html = response.content.decode()
    assert "厦门火炬高技术产业开发区" in html and "福州高新技术产业开发区" in html
    table = response.context["table"]
    assert table.value(("合计",), ("营业收入",)) == 200.0  # 100 + 50 + 30 + 20
    # 100 × (4 + 1) / 200, not 4 % + 5 % summed over the zones that reported R&D
    assert table.value(("合计",), ("研发投入占营收比例",)) == pytest.approx(2.5)
    assert table.value(("厦门火炬高技术产业开发区",), ("研发投入占营收比例",)) == pytest.approx(
        100 * 4 / 150
    )
    assert "200.00" in html and "按公式由分子、分母的合计重算" in html
    # in Chinese the page's title and footnote are the workbook's (gaoxin.statistics.services)
    from gaoxin.engine.pivot import footnote

    result = response.context["result"]
    assert f'<h2 id="pivot-title">{result.title}</h2>' in html
    assert f'<p class="hint">{footnote(table)}</p>' in html
    assert '<th scope="row">合计</th>' in html and 'scope="col">高新区</th>' in html


def test_city_user_sees_only_its_zones_in_rows_and_totals(client, world):
    client.force_login(world["users"]["city_reviewer"])
    response = client.get(URL, _query(level="zone"))
    html = response.content.decode()
    assert "厦门火炬高技术产业开发区" in html and "厦门海沧高新技术产业园区" in html
    assert "福州" not in html and "南昌" not in html
    assert response.context["table"].value(("合计",), ("营业收入",)) == 180.0
    # another city's zone as the scope: refused by the picker, nothing of it shown
    other = client.get(URL, _query(level="zone", scope=world["fzz"].code)).content.decode()
    assert "请更正以下问题" in other and "福州高新技术产业开发区" not in other
    assert "福州丙软件有限公司" not in other
    # a level above the user's scope is not offered
    up = client.get(URL, _query(level="province")).content.decode()
    assert "请更正以下问题" in up and "福建省" not in up.split("</form>")[1]


def test_zone_user_sees_its_enterprises(client, world):
    client.force_login(world["users"]["zone_reporter"])
    response = client.get(URL, _query(indicator=["enterprise_rd_intensity"], level="enterprise"))
    html = response.content.decode()
    assert "厦门甲科技有限公司" in html and "厦门乙电子有限公司" in html
    assert "厦门戊生物有限公司" not in html
    table = response.context["table"]
    assert table.value(("厦门甲科技有限公司",), ("企业研发投入强度",)) == pytest.approx(4.0)
    assert table.value(("厦门乙电子有限公司",), ("企业研发投入强度",)) is None
    # 100 × 4 / (100 + 50): 乙's revenue counts, its R&D is missing (counted, not zero)
    assert table.value(("合计",), ("企业研发投入强度",)) == pytest.approx(100 * 4 / 150)
    # a zone indicator cannot be shown per enterprise: the page says which level to pick
    html = client.get(URL, _query(level="enterprise")).content.decode()
    assert "营业收入」按高新区计算，不能按企业展开" in html


def test_the_download_is_the_printed_table(client, world):
    client.force_login(world["users"]["city_reviewer"])
    response = client.get(EXPORT, _query(level="zone"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "厦门市高新区主要指标数据透视表（2025年）"
    assert "按高新区" in rows[1][0] and "数据版本" in rows[1][0]
    assert rows[2][:2] == ("高新区", "营业收入") and rows[3][:2] == ("单位", "万元")
    assert rows[4][:2] == ("合计", 180.0)
    assert {r[0] for r in rows[5:7]} == {"厦门火炬高技术产业开发区", "厦门海沧高新技术产业园区"}
    assert not any("福州" in str(v) for r in rows for v in r if v)


def test_what_cannot_be_shown_gets_the_error_summary_and_no_table(client, world):
    client.force_login(world["users"]["province_admin"])
    bad = _query(indicator=["revenue_total", "rd_intensity"], rows="entity,period", level="city")
    # both indicators but the indicator on no axis: columns take it, so this one is fine …
    assert client.get(URL, bad).context["table"] is not None
    wrong = _query(period=["2025", "2025-06"], rows="entity", level="city")
    response = client.get(URL, wrong)
    html = response.content.decode()
    assert "请更正以下问题" in html and "所选期间应为同一种" in html
    assert "table" not in response.context or response.context.get("table") is None
    assert client.get(EXPORT, wrong).status_code == 400
    below = _query(indicator=["city_rd_intensity"], level="zone")
    html = client.get(URL, below).content.decode()
    assert "不能按高新区展开" in html


def test_htmx_gets_the_page_part_it_swaps(client, world):
    client.force_login(world["users"]["province_admin"])
    html = client.get(URL, _query(level="city"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="pivot-page"' in html and "厦门市" in html


def test_the_service_refuses_another_scope(world):
    def revenue(scope, level, **filters):
        return services.pivot(
            [Period.parse("2025")],
            scope,
            by=world["users"]["city_reviewer"],
            indicators=["revenue_total"],
            rows=["entity"],
            columns=["indicator"],
            level=level,
            **filters,
        )

    with pytest.raises(OutOfScope):
        revenue(world["fj"], "city")
    result = revenue(world["xm"], "zone", zone_levels=["national"])
    assert result.table.row_headers == [("合计",), ("厦门火炬高技术产业开发区",)]
    with pytest.raises(services.ProblemsError, match="未知的行业代码「X99」"):
        revenue(world["xm"], "zone", industries=["X99"])
