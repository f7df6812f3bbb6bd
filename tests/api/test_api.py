"""/api/v1/ as a system integrating with gaoxin uses it: a token from `gaoxin user token`, the
same answers as the pages (scope, published results, 万元), and writes through the data-entry
services that refuse a bad value precisely and change nothing."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle
from typer.testing import CliRunner

from gaoxin.accounts.services import UserSetupError, api_token
from gaoxin.audit import Approval
from gaoxin.cli import app
from gaoxin.statistics.models import Observation, ObservationChange, Submission, SubmissionEvent
from tests import workplace
from tests.statistics.entry_fixtures import world  # noqa: F401

pytestmark = pytest.mark.django_db
DEC = "2025-12"


def api(user) -> Client:
    """A client that calls as a system would: the token in the Authorization header."""
    key = api_token(user.username).key
    return Client(headers={"Authorization": f"Token {key}"})


def sheet_url(world, what: str = "") -> str:  # noqa: F811
    return f"/api/v1/submissions/zone_monthly/{world['torch'].pk}/{DEC}/{what}"


def snapshot():
    return (
        tuple(Observation.objects.order_by("id").values_list("entity_id", "variable_id", "value")),
        ObservationChange.objects.count(),
        SubmissionEvent.objects.count(),
    )


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_is_made_once_printed_again_and_rotated(world):  # noqa: F811
    first = api_token("torch")
    assert first.created and len(first.key) == 40
    again = api_token("torch")
    assert (again.key, again.created) == (first.key, False)
    rotated = api_token("torch", rotate=True)
    assert rotated.created and rotated.key != first.key
    old = Client(headers={"Authorization": f"Token {first.key}"}).get("/api/v1/me/")
    assert old.status_code == 401
    me = Client(headers={"Authorization": f"Token {rotated.key}"}).get("/api/v1/me/").json()
    assert me["username"] == "torch" and me["role"] == "zone_reporter"
    assert me["scope_name"] == "厦门火炬高技术产业开发区" and "enter_data" in me["actions"]


def test_no_token_for_an_unknown_user_or_one_without_a_scope(world):  # noqa: F811
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("nobody")
    with pytest.raises(UserSetupError, match="没有用户「ghost」"):
        api_token("ghost")
    with pytest.raises(UserSetupError, match="尚无角色和数据范围"):
        api_token("nobody")
    assert not Token.objects.exists()


def test_the_cli_prints_the_key_alone_for_a_script(world):  # noqa: F811
    runner = CliRunner()
    result = runner.invoke(app, ["user", "token", "torch"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key == Token.objects.get(user__username="torch").key
    rotated = runner.invoke(app, ["user", "token", "torch", "--rotate"])
    assert rotated.stdout.strip().splitlines()[-1] != key
    refused = runner.invoke(app, ["user", "token", "ghost"])
    assert refused.exit_code == 2 and "没有用户「ghost」" in refused.output


def test_without_a_token_the_api_answers_401_and_a_wrong_one_too(world):  # noqa: F811
    assert Client().get("/api/v1/entities/").status_code == 401
    bad = Client(headers={"Authorization": "Token " + "0" * 40}).get("/api/v1/entities/")
    assert bad.status_code == 401 and bad.json()["code"] == "authentication_failed"


def test_the_browser_session_works_too(world, client):  # noqa: F811
    client.force_login(world["city"])
    assert client.get("/api/v1/me/").json()["role"] == "city_reviewer"


def test_a_busy_client_is_throttled(world):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    c = api(world["viewer"])
    with mock.patch.object(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"}):
        codes = [c.get("/api/v1/forms/").status_code for _ in range(4)]
    cache.clear()
    assert codes == [200, 200, 200, 429]


# --- reading -------------------------------------------------------------------------------------


def test_entities_filter_by_level_parent_code_and_name(world):  # noqa: F811
    c = api(world["city"])  # 厦门市
    zones = c.get("/api/v1/entities/", {"level": "zone"}).json()
    assert [z["name"] for z in zones["results"]] == ["厦门火炬高技术产业开发区"]
    assert zones["count"] == 1 and zones["results"][0]["level"] == "zone"
    kids = c.get("/api/v1/entities/", {"parent": world["torch"].pk}).json()["results"]
    assert {k["name"] for k in kids} == {"厦门甲科技有限公司", "厦门乙电子有限公司"}
    assert c.get("/api/v1/entities/", {"code": "350100N1"}).json()["count"] == 0  # 福州: not mine
    assert c.get("/api/v1/entities/", {"name": "甲"}).json()["results"][0]["kind"] == "enterprise"
    bad = c.get("/api/v1/entities/", {"level": "planet"})
    assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "level"
    assert c.get("/api/v1/entities/", {"parent": "x"}).status_code == 400


def test_observations_are_decimals_with_units_filtered_by_period_range(world):  # noqa: F811
    from gaoxin.statistics.entry import save_values

    torch, user = world["torch"], world["zone_reporter"]
    for period, value in (("2025-10", "10.5"), ("2025-11", "20"), (DEC, "30.25")):
        save_values(world["zone_monthly"], torch, period, {(torch.pk, "revenue"): value}, by=user)
    c = api(world["viewer"])
    page = c.get(
        "/api/v1/observations/",
        {"variable": "revenue", "period_from": "2025-11", "period_to": "2025-12", "limit": 1},
    ).json()
    assert page["count"] == 2 and page["next"]
    row = page["results"][0]
    assert (row["period"], row["value"], row["unit"]) == (DEC, "30.250000", "万元")
    assert Decimal(row["value"]) == Decimal("30.25")
    assert c.get("/api/v1/observations/", {"period": "2025-10"}).json()["count"] == 1
    mixed = c.get("/api/v1/observations/", {"period_from": "2025", "period_to": "2025-12"})
    assert mixed.status_code == 400 and "同类期间" in mixed.json()["detail"]
    assert c.get("/api/v1/observations/", {"period": "yesterday"}).status_code == 400


def test_award_amounts_come_in_wan_and_in_fen_with_the_explanation(world):  # noqa: F811
    entry = workplace.award(world["torch"], amount_fen=1_234_567_800)
    pending = workplace.award(world["torch"], rule="tech-city")
    entry.set_approval(Approval.APPROVED, world["province"])
    reader = api(world["zone_reporter"])
    rows = reader.get("/api/v1/awards/").json()["results"]
    assert [r["id"] for r in rows] == [entry.pk]  # the pending one is not published
    assert rows[0]["amount_wan"] == "1234.57" and rows[0]["amount_fen"] == 1_234_567_800
    detail = reader.get(f"/api/v1/awards/{entry.pk}/").json()
    assert detail["explanation"]["result"] == "1,234.57 万元" or "1234.57" in detail["explanation"][
        "result"
    ].replace(",", "")
    assert reader.get(f"/api/v1/awards/{pending.pk}/").status_code == 404
    reviewer = api(world["province"])
    assert reviewer.get(f"/api/v1/awards/{pending.pk}/").json()["approval"] == "pending"


# --- writing through the data-entry services -------------------------------------------------------


def test_a_bad_value_is_refused_cell_by_cell_and_nothing_changes(world):  # noqa: F811
    torch = world["torch"].pk
    c = api(world["zone_reporter"])
    before = snapshot()
    answer = c.post(
        sheet_url(world, "values/"),
        {
            "values": [
                {"entity": torch, "variable": "revenue", "value": "1000"},
                {"entity": torch, "variable": "exports", "value": "-50"},
                {"entity": torch, "variable": "taxes_paid", "value": "abc"},
            ]
        },
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["detail"].startswith("2 处错误，未做任何修改")
    by_cell = {p["cells"][0]["variable"]: p["message"] for p in body["problems"]}
    assert "不小于0" in by_cell["exports"] and "应填数字" in by_cell["taxes_paid"]
    assert snapshot() == before
    # malformed bodies: 400 naming the field; an unknown column: 409 from the service
    missing = c.post(
        sheet_url(world, "values/"),
        {"values": [{"entity": torch}]},
        content_type="application/json",
    )
    assert missing.status_code == 400
    assert {p["field"] for p in missing.json()["problems"]} == {
        "values[0].variable",
        "values[0].value",
    }
    unknown = c.post(
        sheet_url(world, "values/"),
        {"values": [{"entity": torch, "variable": "nonsense", "value": "1"}]},
        content_type="application/json",
    )
    assert unknown.status_code == 409 and "nonsense" in unknown.json()["detail"]
    assert snapshot() == before


def test_save_submit_review_round_trip(world):  # noqa: F811
    torch = world["torch"].pk
    reporter, city = api(world["zone_reporter"]), api(world["city"])
    saved = reporter.post(
        sheet_url(world, "values/"),
        {"values": [{"entity": torch, "variable": "revenue", "value": "1,234.5"}]},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    assert saved.json() | {"warnings": []} == {
        "saved": True,
        "created": 1,
        "changed": 0,
        "state": "draft",
        "warnings": [],
    }
    sheet = reporter.get(sheet_url(world)).json()
    assert sheet["state"] == "draft" and sheet["editable"] and "submit" in sheet["moves"]
    assert {"entity": torch, "variable": "revenue", "value": "1234.500000"} in sheet["values"]
    # a reporter cannot approve its own return: refused, nothing moves
    refused = reporter.post(
        sheet_url(world, "moves/"), {"action": "city_approve"}, content_type="application/json"
    )
    assert refused.status_code == 409
    assert Submission.objects.get(entity_id=torch).state == "draft"
    # submitting needs every required value: the problems say which
    submit = reporter.post(
        sheet_url(world, "values/"), {"values": [], "submit": True}, content_type="application/json"
    )
    if submit.status_code == 422:
        assert all("未填写" in p["message"] for p in submit.json()["problems"])
        assert Submission.objects.get(entity_id=torch).state == "draft"
    else:
        assert submit.json()["state"] == "submitted"
        moved = city.post(
            sheet_url(world, "moves/"),
            {"action": "city_return", "comment": "请核实营业收入"},
            content_type="application/json",
        )
        assert moved.status_code == 200 and moved.json()["to_state"] == "returned"


def test_another_zones_sheet_is_not_found_and_not_written(world):  # noqa: F811
    fzz = world["fzz"].pk
    before = snapshot()
    answer = api(world["zone_reporter"]).post(
        f"/api/v1/submissions/zone_monthly/{fzz}/{DEC}/values/",
        {"values": [{"entity": fzz, "variable": "revenue", "value": "99999"}]},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert answer.json() == {"detail": "未找到，或不在您的数据范围内", "code": "not_found"}
    assert snapshot() == before


def test_an_address_that_is_no_endpoint_answers_the_apis_json_404(world):  # noqa: F811
    c = api(world["viewer"])
    for url in ("/api/v1/evaluation-runs/-1/results/", "/api/v1/nothing/", "/api/v1/jobs/x/"):
        answer = c.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", url
    assert Client().get("/api/v1/nothing/").status_code == 401
