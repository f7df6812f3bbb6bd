"""The case pages and API as each role sees them (decision 042): the list and its filters, the
forms of the moves a user may make, a refused move changes nothing, /api/v1/cases/."""

import datetime as dt

import pytest
from django.urls import reverse

from gaoxin.cases import services
from gaoxin.cases.models import Case, CaseEvent, CaseState
from tests.workplace import action

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(t):
    mine = action(t["torch"], approval="approved", period="2023")
    theirs = action(t["haicang"], approval="approved", period="2023")
    services.sync([mine, theirs], on=dt.date(2024, 1, 10))  # deadline 2024-07-10: overdue
    return Case.objects.get(entry=mine), Case.objects.get(entry=theirs)


def test_the_list_filters_and_marks_overdue(client, users, cases):
    mine, theirs = cases
    client.force_login(users["city_reviewer"])
    body = client.get(reverse("cases:list"), {"overdue": "on"}).content.decode()
    assert mine.number in body and theirs.number in body and "已逾期" in body
    body = client.get(reverse("cases:list"), {"state": "passed"}).content.decode()
    assert mine.number not in body and "没有符合条件的案件" in body
    client.force_login(users["zone_reporter"])
    body = client.get(reverse("cases:list")).content.decode()
    assert mine.number in body and theirs.number not in body


def test_the_zone_sees_its_form_the_viewer_none(client, users, cases):
    mine, _ = cases
    client.force_login(users["zone_reporter"])
    body = client.get(reverse("cases:detail", args=[mine.pk])).content.decode()
    assert (
        "提交整改方案" in body
        and "上传整改材料" in body
        and 'enctype="multipart/form-data"' in body
    )
    client.force_login(users["viewer"])
    body = client.get(reverse("cases:detail", args=[mine.pk])).content.decode()
    assert 'name="action"' not in body and "办理过程" in body


def test_a_refused_move_shows_the_error_and_changes_nothing(client, users, cases):
    mine, _ = cases
    client.force_login(users["zone_reporter"])
    r = client.post(reverse("cases:detail", args=[mine.pk]), {"action": "submit_plan", "text": ""})
    assert r.status_code == 422 and "请更正以下问题" in r.content.decode()
    mine.refresh_from_db()
    assert mine.state == CaseState.OPEN and CaseEvent.objects.filter(case=mine).count() == 1
    # a move the role does not hold is not offered, and a forged POST is refused the same way
    r = client.post(reverse("cases:detail", args=[mine.pk]), {"action": "city_approve"})
    assert r.status_code == 422
    mine.refresh_from_db()
    assert mine.state == CaseState.OPEN


def test_the_api_lists_the_scopes_cases(client, users, cases):
    mine, theirs = cases
    client.force_login(users["zone_reporter"])
    data = client.get(reverse("api:cases")).json()
    assert [c["number"] for c in data["results"]] == [mine.number]
    one = client.get(reverse("api:case", args=[mine.pk])).json()
    assert one["action_name"] == "约谈" and one["overdue"] is True
    assert [e["action"] for e in one["events"]] == ["open"]
    assert client.get(reverse("api:case", args=[theirs.pk])).status_code == 404
