"""The data-entry page and its htmx, review, history and Excel endpoints: thin faces over the
entry and approval services, 404 outside the user's scope."""

import io

import openpyxl
import pytest
from django.urls import reverse

from gaoxin.statistics import approval
from gaoxin.statistics.models import Observation, ObservationChange, SubmissionEvent
from tests.statistics.entry_fixtures import world  # noqa: F401

pytestmark = pytest.mark.django_db

DEC = "2025-12"


def url(world, name="statistics:entry", zone="torch", form="zone_monthly", period=DEC):  # noqa: F811
    return reverse(name, args=[world[form].code, world[zone].pk, period])


def as_user(client, user):
    client.force_login(user)
    return client


def full(world, value="10"):  # noqa: F811
    zone = world["torch"].pk
    return {
        f"v-{zone}-{fv.variable.code}": value
        for fv in world["zone_monthly"].form_variables.select_related("variable")
    }


def test_the_page_shows_units_in_headers_decimal_inputs_and_no_codes(world, client):  # noqa: F811
    html = as_user(client, world["zone_reporter"]).get(url(world)).content.decode()
    assert '营业收入<span class="unit">（万元）</span>' in html
    assert 'inputmode="decimal"' in html
    assert "未填报" in html and "保存草稿" in html and "提交审核" in html
    assert "审核通过" not in html and "解锁" not in html
    assert ">revenue<" not in html and "rd_not_above_revenue" not in html


def test_a_bad_value_is_shown_beside_its_cell_and_nothing_is_written(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    zone = world["torch"].pk
    data = {f"v-{zone}-revenue": "1000", f"v-{zone}-exports": "-50", "action": "save"}
    response = c.post(url(world), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "请更正以下问题" in html and f'href="#in-{zone}-exports"' in html
    assert "不小于0" in html.split(f'id="err-{zone}-exports"')[1].split("</span>")[0]
    assert 'value="-50"' in html  # what was typed stays in the input
    assert not Observation.objects.exists() and not ObservationChange.objects.exists()


def test_inline_check_answers_out_of_band_messages_and_writes_nothing(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    zone = world["torch"].pk
    data = {f"v-{zone}-industrial_value_added": "100", f"v-{zone}-exports": "abc"}
    html = c.post(
        url(world, "statistics:entry_check"), data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="entry-summary" hx-swap-oob="true"' in html
    err = html.split(f'id="err-{zone}-exports" hx-swap-oob="true">')[1].split("</span>")[0]
    assert "应填数字" in err
    assert f'id="err-{zone}-revenue" hx-swap-oob="true"></span>' in html  # cleared
    assert not Observation.objects.exists()


def test_save_then_submit_then_the_reviewers_see_exactly_their_moves(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    response = c.post(url(world), {**full(world), "action": "save"})
    assert response.status_code == 302
    assert Observation.objects.count() == len(full(world))
    response = c.post(url(world), {**full(world), "action": "submit"})
    assert response.status_code == 302
    page = c.get(url(world)).content.decode()
    assert "已提交" in page and 'name="v-' not in page  # read-only once submitted
    city = as_user(client, world["city"]).get(url(world)).content.decode()
    assert "审核通过" in city and "退回修改" in city and "审定" not in city.replace("审定）", "")
    response = client.post(
        url(world, "statistics:entry_move"), {"action": "city_return", "comment": ""}
    )
    assert response.status_code == 409 and "须填写意见" in response.content.decode()
    response = client.post(
        url(world, "statistics:entry_move"),
        {"action": "city_return", "comment": "出口总额请核实"},
    )
    assert response.status_code == 302
    page = as_user(client, world["zone_reporter"]).get(url(world)).content.decode()
    assert "已退回" in page and "出口总额请核实" in page and "厦门市科技局" in page
    assert 'name="v-' in page  # editable again
    assert client.post(url(world), {**full(world, "11"), "action": "submit"}).status_code == 302
    as_user(client, world["city"]).post(
        url(world, "statistics:entry_move"), {"action": "city_approve"}
    )
    province = as_user(client, world["province"]).get(url(world)).content.decode()
    assert ">审定<" in province and "解锁" not in province
    client.post(url(world, "statistics:entry_move"), {"action": "province_approve"})
    admin = as_user(client, world["province_admin"]).get(url(world)).content.decode()
    assert "省级已审定" in admin and "解锁原因" in admin
    locked = as_user(client, world["zone_reporter"]).get(url(world)).content.decode()
    assert "锁定" in locked and 'name="v-' not in locked
    response = client.post(url(world), {**full(world, "12"), "action": "save"})
    assert response.status_code == 409
    assert not Observation.objects.filter(value=12).exists()
    assert SubmissionEvent.objects.count() == 6


def test_a_submit_with_empty_required_cells_is_refused_per_cell(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    zone = world["torch"].pk
    response = c.post(url(world), {f"v-{zone}-revenue": "5", "action": "submit"})
    assert response.status_code == 422
    assert "未填写" in response.content.decode()
    assert not approval.submission_for(world["zone_monthly"], world["torch"], DEC).pk


def test_every_value_shows_its_history(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    zone = world["torch"].pk
    c.post(url(world), {f"v-{zone}-revenue": "1000", "action": "save"})
    c.post(url(world), {f"v-{zone}-revenue": "1200.5", "action": "save"})
    history = url(world, "statistics:entry_history") + f"?entity={zone}&variable=revenue"
    html = c.get(history, HTTP_HX_REQUEST="true").content.decode()
    assert "营业收入（万元）修改记录" in html
    assert "1,000.00" in html and "1,200.50" in html and "火炬填报员" in html and "手工录入" in html
    assert "<html" not in html  # a fragment for htmx; a whole page otherwise
    assert "<html" in c.get(history).content.decode()


def test_the_template_downloads_prefilled(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    zone = world["torch"].pk
    c.post(url(world), {f"v-{zone}-revenue": "1000", "action": "save"})
    response = c.get(url(world, "statistics:entry_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["填报"]
    assert [cell.value for cell in sheet[3][:4]] == [
        world["torch"].code,
        world["torch"].name,
        "2025年1-12月",
        1000,
    ]


def test_an_upload_with_a_bad_row_lists_problems_at_their_cells(world, client):  # noqa: F811
    c = as_user(client, world["zone_reporter"])
    book = openpyxl.load_workbook(
        io.BytesIO(c.get(url(world, "statistics:entry_template")).content)
    )
    sheet = book["填报"]
    headers = [cell.value for cell in sheet[2]]
    sheet.cell(row=3, column=headers.index("工业增加值（万元）") + 1, value=100)
    sheet.cell(row=3, column=headers.index("出口总额（万元）") + 1, value="一百")
    out = io.BytesIO()
    book.save(out)
    out.name = "月报.xlsx"
    out.seek(0)
    response = c.post(url(world, "statistics:entry_upload"), {"file": out})
    assert response.status_code == 422
    html = response.content.decode()
    assert "未写入任何数据" in html and "「出口总额（万元）」" in html and "一百" in html
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "statistics:entry",
        "statistics:entry_check",
        "statistics:entry_move",
        "statistics:entry_history",
        "statistics:entry_template",
        "statistics:entry_upload",
    ],
)
def test_another_scope_answers_404_on_every_url(world, client, name):  # noqa: F811
    target = url(world, name, zone="fzz")
    history = f"?entity={world['fzz'].pk}&variable=revenue"
    for user in ("zone_reporter", "city"):
        as_user(client, world[user])
        method = client.post if name.endswith(("check", "move", "upload")) else client.get
        assert method(target + history).status_code == 404, (user, name)
    # The submission of another city, once it exists, is no more visible.
    s = approval.submission_for(world["zone_monthly"], world["fzz"], DEC)
    approval.move(s, "submit", by=world["other_reporter"])
    as_user(client, world["city"])
    method = client.post if name.endswith(("check", "move", "upload")) else client.get
    assert (
        method(
            target + history, {"action": "city_approve"} if method == client.post else None
        ).status_code
        == 404
    )
    assert approval.submission_for(world["zone_monthly"], world["fzz"], DEC).state == "submitted"


def test_the_index_lists_a_reporters_forms(world, client):  # noqa: F811
    html = (
        as_user(client, world["zone_reporter"])
        .get(reverse("statistics:entry_index"))
        .content.decode()
    )
    assert "高新区月度主要指标监测表" in html and world["torch"].name in html
    assert world["fzz"].name not in html
