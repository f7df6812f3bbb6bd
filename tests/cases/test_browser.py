"""The issue's browser journey (Chromium): a provincial zone under 限期整改 opens its case on a
phone, uploads its plan (a plan without text is refused, the error summary at the top), the
city reviews it; the deadline passes with the zone still 较差, the next decision proposes 撤销,
and the province reads the case cited in the proposal's explanation. Runs with --browser-tests."""

import datetime as dt

import pytest

from gaoxin import reviews
from gaoxin.awards import services as awards
from gaoxin.awards.models import AwardEntry
from gaoxin.cases.models import Case
from gaoxin.engine import synth
from gaoxin.engine.periods import Period
from gaoxin.evaluation.services import evaluate
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.models import Batch, Variable
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests.factories import user_with
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-cases-2"


def _user(name, role, scope):
    return user_with(scope, role, name, password=PASSWORD)


@pytest.fixture
def ordered():
    """Sichuan's demo evaluated for 2023 and 2024; a provincial zone's 限期整改 published."""
    sync_catalogue()
    load_jurisdiction(synth.generate("sichuan", scale=0.05), label="测试 sichuan")
    for year in ("2023", "2024"):
        evaluate("sichuan", Period.parse(year), None, by=None)
    awards.decide(find_pack("sichuan"), Period.parse("2024"), None, by=None)
    entry = AwardEntry.objects.get(
        rule="evaluation-rectify", period="2024", entity__zone__level="provincial"
    )
    zone = entry.entity
    province = Entity.objects.get(pk=int(zone.path.strip("/").split("/")[0]))
    reviewer = _user("prov", "province_reviewer", province)
    _user("city", "city_reviewer", zone.parent)
    _user("zone", "zone_reporter", zone)
    reviews.review(AwardEntry, [entry.pk], "approve", by=reviewer)
    return Case.objects.get(entry=entry)


def login(page, live_server, username):  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_plan_review_deadline_and_revocation(live_server, page, ordered, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    case = ordered
    plan = tmp_path / "整改方案.pdf"
    plan.write_bytes(b"%PDF-1.4 rectification plan")

    # the zone, on a phone: its case in the list, a plan without text refused, then filed
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "zone")
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name=case.number).click()
    assert page.get_by_role("heading", level=1).text_content().endswith("限期整改")
    page.get_by_label("提交整改方案").check()
    page.get_by_role("button", name="提交").click()
    summary = page.locator(".error-summary")
    assert "请填写整改方案" in summary.text_content()
    assert summary.bounding_box()["y"] < page.locator("form.card").bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("提交整改方案").check()
    page.locator("#id_text").fill("一、成立整改专班；二、年内补齐研发投入短板")
    page.locator("#id_files").set_input_files(str(plan))
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("text=已完成「提交整改方案」")
    assert page.get_by_role("link", name="整改方案.pdf").is_visible()

    # the city reviews it
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "city")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_label("市级审核通过").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("text=已完成「市级审核通过」")
    assert "市级已审核" in page.locator("main").text_content()

    # the deadline passes with the zone still 较差 (a major safety accident reported for 2025,
    # graded 较差 by the veto); the next decision is made on the day after the deadline
    accident = Variable.objects.get(code="major_safety_accidents")
    write_observations(
        [(case.entity_id, accident.pk, "2025", 1)],
        Batch.objects.create(kind="manual", label="测试"),
    )
    evaluate("sichuan", Period.parse("2025"), None, by=None)
    awards.decide(
        find_pack("sichuan"),
        Period.parse("2025"),
        None,
        by=None,
        decided_on=case.deadline + dt.timedelta(days=1),
    )
    revoke = AwardEntry.objects.get(rule="revoke-after-rectification", entity=case.entity)

    # the province reads the proposal's explanation: it cites the case
    login(page, live_server, "prov")
    page.goto(f"{live_server.url}/awards/{revoke.pk}/")
    body = page.locator("main").text_content()
    assert f"整改案件 {case.number}" in body and "逾期未整改到位" in body
