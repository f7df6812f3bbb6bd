"""Who the monitoring table leaves out and why (decision 091), on the Fujian demo as `make run`
loads it: its reporting history recorded (the latest month's returns at every step of review),
the demo users' city and zone. A zone whose return waits for the province is 已报送、待审核,
never 未报送; the page, `gaoxin monitor`, its workbook and the API say the same words."""

import json

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from gaoxin.accounts.models import Profile
from gaoxin.cli import app
from gaoxin.engine import synth
from gaoxin.registry.models import Entity
from tests.module_rows import module_rows


@pytest.fixture(scope="session")
def fujian_synth():
    return synth.generate("fujian", scale=0.05, first_year=2023, last_year=2025)


@pytest.fixture(scope="module")
def module_rows_fujian_history(django_db_setup, django_db_blocker, fujian_synth):
    def load():
        from gaoxin.accounts.demo import demo_scopes
        from gaoxin.statistics.demo import load_jurisdiction, record_reporting_history
        from gaoxin.statistics.store import sync_catalogue, sync_forms

        sync_catalogue()
        sync_forms()
        load_jurisdiction(fujian_synth, label="测试 fujian")
        scopes = demo_scopes()
        record_reporting_history(keep_open=scopes["zone"], waiting=scopes["city"])
        return {k: v.pk for k, v in scopes.items()}

    yield from module_rows(django_db_blocker, load)


@pytest.fixture
def demo(module_rows_fujian_history, db):
    return {k: Entity.objects.get(pk=pk) for k, pk in module_rows_fujian_history.items()}


URL = "/statistics/monitor/"
#: Where the demo's December 2025 returns stand, zone by zone (gaoxin.statistics.demo):
QUANZHOU = "泉州高新技术产业开发区"  # both monthly returns approved by the city
JINJIANG = "晋江高新技术产业园区（示例）"  # submitted (泉州市)
ZHANGZHOU = "漳州高新技术产业开发区"  # returned by the city
NANPING = "南平高新技术产业园区（示例）"  # drafts only
YONGAN = "永安高新技术产业园区（示例）"  # returns approved, no December values
WAITING = "已报送、待审核（2 个园区）："
IN_REVIEW_LINE = (
    f"{WAITING}{JINJIANG}（已提交，2026年1月12日起待审核）、"
    f"{QUANZHOU}（市级已审核，2026年1月17日起待省级审定）。"
    "省级审定后计入本表；「预览未审核数据」可先查看其数值。"
)
RETURNED_LINE = (
    f"退回修改（1 个园区）：{ZHANGZHOU}（2026年1月14日市级退回）。待园区修改后重新提交。"
)
NOT_REPORTED_LINE = (
    f"未报送（2 个园区）：{NANPING}（仅有草稿）、{YONGAN}（报送已审定，但其中没有本期数据）。"
    "填报截止日 2026年1月10日 已过，已逾期。"
)


@pytest.fixture(autouse=True)
def after_the_deadline(monkeypatch):
    """Today is after December's deadlines (10 and 15 January 2026)."""
    import datetime as dt

    monkeypatch.setattr("gaoxin.statistics.completeness.today", lambda: dt.date(2026, 3, 2))


def user(code: str, role: str):
    scope = Entity.objects.get(code=code)
    u = get_user_model().objects.create_user(f"{role}-{code}", f"{code}@example.org", "pw-1")
    Profile.objects.create(user=u, organisation=scope.name, scope=scope, role=role)
    return u


def section(client, **params) -> str:
    html = client.get(URL, params).content.decode()
    return html.split('id="not-reported"')[1].split("</section>")[0]


def test_the_page_names_each_zone_by_where_its_returns_stand(demo, client):
    client.force_login(user("350000", "province_admin"))
    text = section(client, period="2025-12")
    assert "2025年12月未计入本表的园区：5 个（应报 12 个）" in text
    # the words of the terminal and the workbook, with the label in bold
    for line in (IN_REVIEW_LINE, RETURNED_LINE, NOT_REPORTED_LINE):
        label, rest = line.split("：", 1)
        assert f"<strong>{label}</strong>：{rest}" in text
    # 泉州 reported: its returns wait in the province's queue, it is not 未报送
    not_reported = text.split("<strong>未报送")[1].split("</li>")[0]
    assert QUANZHOU not in not_reported and JINJIANG not in not_reported


def test_a_quarter_leaves_out_the_zones_without_any_of_its_values(demo, client):
    """The zones in review have 2025Q4 values of their own (quarterly variables no return
    covers): only 永安 has none, its December returns approved without values."""
    client.force_login(user("350000", "province_admin"))
    text = section(client, period="2025Q4")
    assert "2025年第四季度未计入本表的园区：1 个（应报 12 个）" in text
    assert f"<strong>未报送（1 个园区）</strong>：{YONGAN}（报送已审定" in text


def test_the_preview_holds_the_returns_under_review(demo, client):
    client.force_login(user("350000", "province_admin"))
    text = section(client, period="2025-12", preview="1")
    assert "未计入本表的园区：3 个（应报 12 个）" in text
    assert QUANZHOU not in text and JINJIANG not in text
    assert ZHANGZHOU in text and NANPING in text


def test_a_city_user_sees_its_own_zones_only(demo, client):
    client.force_login(user("350500", "city_reviewer"))  # 泉州市: 泉州 and 晋江
    city = Entity.objects.get(code="350500")
    text = section(client, scope=city.pk, period="2025-12")
    assert "2025年12月未计入本表的园区：2 个（应报 2 个）" in text
    assert IN_REVIEW_LINE.split("：", 1)[1] in text
    for other in (ZHANGZHOU, NANPING, YONGAN, "未报送", "退回修改"):
        assert other not in text


def test_the_terminal_and_the_workbook_say_the_same(demo, tmp_path):
    out = tmp_path / "月监测.xlsx"
    result = CliRunner().invoke(
        app, ["monitor", "--period", "2025-12", "--out", str(out)], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    printed = result.output
    lines = [
        "2025年12月未计入本表的园区：5 个（应报 12 个）",
        NOT_REPORTED_LINE,
        IN_REVIEW_LINE,
        RETURNED_LINE,
    ]
    at = [printed.index(line) for line in lines]
    assert at == sorted(at) and at[-1] < printed.index("月度监测表（2025年12月）")
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        note = next(i for i, v in enumerate(cells) if v.startswith("注：按已报数据计算"))
        assert cells[note + 1 : note + 5] == lines


def test_the_api_gives_the_zones_and_the_same_lines(demo, client):
    client.force_login(user("350000", "province_admin"))
    body = client.get("/api/v1/monitoring/", {"period": "2025-12"}).json()
    assert body["expected"] == 12
    status = {z["name"]: (z["status"], z["state"]) for z in body["missing"]}
    assert status[QUANZHOU] == ("in_review", "city_approved")
    assert status[ZHANGZHOU] == ("returned", "returned")
    assert status[NANPING] == ("not_reported", "draft")
    assert IN_REVIEW_LINE in body["missing_lines"]


def test_the_dashboards_trends_say_how_many_zones_a_total_covers(demo, client):
    client.force_login(user("350000", "province_admin"))
    html = client.get("/dashboard/", {"period": "2025-12"}).content.decode()

    def spec(key):
        script = html.split(f'id="chart-{key}-data"')[1].split(">", 1)[1].split("</script>")[0]
        return json.loads(script)

    monthly = spec("monthly")["series"][0]  # 2025
    assert monthly["notes"][11] == "2025年12月：12 个园区中 7 个数据已审定"
    # 永安 has no monthly values since July 2024: every month says so, the note in one line
    assert monthly["notes"][0] == "2025年1月：12 个园区中 11 个数据已审定"
    assert (
        "注：2024年7月至12月：12 个园区中 11 个数据已审定；2025年1月至11月：12 个园区中 11 个数据已审定；"
        "2025年12月：12 个园区中 7 个数据已审定；其余园区的数据尚未审定或未报送，未计入合计。"
    ) in html
    yearly = spec("yearly")["series"][0]
    assert yearly["notes"][-1].startswith("2025年：12 个园区中 ")
    # a city's dashboard counts its own zones only (三明市: 三明, and 永安 without values)
    city = Entity.objects.get(code="350400")
    client.force_login(user("350400", "city_reviewer"))
    html = client.get("/dashboard/", {"place": city.pk, "period": "2025-12"}).content.decode()
    assert spec("monthly")["series"][0]["notes"][11] == "2025年12月：2 个园区中 1 个数据已审定"
    assert "12 个园区" not in html
