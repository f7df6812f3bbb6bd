"""Cases (decision 042): a published action opens its case with the pack's deadline; the case
moves through the table as the roles allow, in scope; the rules read its outcome."""

import datetime as dt

import pytest

from gaoxin import reviews
from gaoxin.awards.models import AwardEntry
from gaoxin.cases import services
from gaoxin.cases.models import Case, CaseEvent, CaseFile, CaseState
from gaoxin.services import NotFound
from tests.workplace import action

pytestmark = pytest.mark.django_db


def test_a_published_action_opens_its_case_with_the_packs_deadline(t, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = action(t["torch"])
    assert services.sync().opened == []  # pending: not published, no case
    reviews.review(AwardEntry, [entry.pk], "approve", by=users["province_reviewer"])
    case = Case.objects.get()
    assert case.entry == entry and case.entity == t["torch"] and case.state == CaseState.OPEN
    # fujian-2021 evaluation-summon: 6 months from the day the case opens
    assert case.deadline == services.deadline_of("fujian-2021", "evaluation-summon").due(
        case.opened_on
    )
    assert case.deadline > case.opened_on and "6 个月" in case.deadline_reading
    assert services.sync().opened == []  # idempotent
    assert [e.action for e in case.events.all()] == ["open"]


def test_an_action_without_deadline_is_noted_and_revoke_waits_for_the_province(t, users):
    commend = action(t["torch"], rule="evaluation-commend", act="commend", approval="approved")
    revoke = action(
        t["haicang"], rule="revoke-after-two-fails", act="revoke", approval="approved", pack="gansu"
    )
    services.sync(on=dt.date(2025, 4, 1))
    assert Case.objects.get(entry=commend).state == CaseState.NOTED
    c = Case.objects.get(entry=revoke)
    assert c.state == CaseState.AWAITING and c.deadline is None
    assert c.number == "2025-0002"


def test_the_rectification_moves_by_role_and_scope(t, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    action(t["torch"], approval="approved")
    services.sync()
    case = Case.objects.get()
    zone, city, prov = users["zone_reporter"], users["city_reviewer"], users["province_reviewer"]
    # the city cannot submit the zone's plan; a plan needs its text; a bad file changes nothing
    with pytest.raises(services.Refused, match="您不能「提交整改方案」"):
        services.move(case.pk, "submit_plan", by=city, text="方案")
    with pytest.raises(services.Refused, match="请填写整改方案"):
        services.move(case.pk, "submit_plan", by=zone, text=" ")
    with pytest.raises(services.Refused, match="文件类型不能上传"):
        services.move(
            case.pk, "submit_plan", by=zone, text="方案", files=[services.Upload("a.exe", b"x")]
        )
    assert CaseEvent.objects.count() == 1 and not CaseFile.objects.exists()
    services.move(
        case.pk,
        "submit_plan",
        by=zone,
        text="一、成立整改专班；二、三个月内补齐研发投入",
        files=[services.Upload("整改方案.pdf", b"%PDF-1.4 plan")],
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert CaseFile.objects.get().original_name == "整改方案.pdf"
    with pytest.raises(services.Refused, match="请至少选择一个文件"):
        services.move(case.pk, "add_evidence", by=zone, text="照片")
    services.move(
        case.pk,
        "add_evidence",
        by=zone,
        text="专班会议纪要",
        files=[services.Upload("纪要.jpg", b"jpg")],
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and CaseFile.objects.count() == 2
    with pytest.raises(services.Refused, match="请填写意见"):
        services.move(case.pk, "city_return", by=city)
    services.move(case.pk, "city_approve", by=city)
    services.move(case.pk, "province_fail", by=prov, text="研发投入仍未达标")
    case.refresh_from_db()
    assert case.state == CaseState.FAILED
    assert [e.action for e in case.events.all()] == [
        "open",
        "submit_plan",
        "add_evidence",
        "city_approve",
        "province_fail",
    ]


def test_another_zones_user_gets_404(t, users):
    action(t["haicang"], approval="approved")
    services.sync()
    case = Case.objects.get()
    with pytest.raises(NotFound):
        services.get_case(case.pk, by=users["zone_reporter"])
    with pytest.raises(NotFound):
        services.move(case.pk, "submit_plan", by=users["zone_reporter"], text="x")
    assert services.get_case(case.pk, by=users["city_reviewer"]) == case
    assert list(services.listing(users["zone_reporter"])) == []


def test_a_published_reversal_withdraws_the_case(t, users):
    entry = action(t["torch"], approval="approved")
    services.sync()
    reversal = action(
        t["torch"], kind="reversal", reverses=entry, approval="pending", text="冲销：重新核定"
    )
    reviews.review(AwardEntry, [reversal.pk], "approve", by=users["province_reviewer"])
    case = Case.objects.get()
    assert case.state == CaseState.WITHDRAWN
    assert services.cases_frame("fujian-2021").is_empty()


def test_the_frame_the_rules_read(t, users):
    action(t["torch"], approval="approved", period="2023")
    services.sync(on=dt.date(2024, 4, 1))
    frame = services.cases_frame("fujian-2021")
    assert frame.to_dicts() == [
        {
            "number": "2024-0001",
            "rule": "evaluation-summon",
            "entity": t["torch"].code,
            "period": "2023",
            "deadline": dt.date(2024, 10, 1),
            "outcome": None,
        }
    ]


def test_revocation_agreed_records_the_zones_revoked_event_through_the_zone_events_service(
    t, users
):
    from django.utils import timezone

    from gaoxin.registry.models import ZoneStatusEvent

    revoke = action(
        t["haicang"], rule="revoke-after-two-fails", act="revoke", approval="approved", pack="gansu"
    )
    services.sync()
    case = Case.objects.get(entry=revoke)
    province = users["province_reviewer"]
    # refused (no opinion): the case does not move and the zone has no revoked event
    with pytest.raises(services.Refused, match="请填写"):
        services.move(case.pk, "confirm_revoke", by=province, text="")
    assert not ZoneStatusEvent.objects.filter(status="revoked").exists()
    services.move(case.pk, "confirm_revoke", by=province, text="省政府同意撤销其省级高新区资格")
    event = ZoneStatusEvent.objects.get(status="revoked")
    assert (event.zone.entity, event.date, event.recorded_by, event.level) == (
        t["haicang"],
        timezone.localdate(),
        province,
        "",
    )
    assert case.number in event.document and event.note == "省政府同意撤销其省级高新区资格"


def test_revocation_declined_records_no_event(t, users):
    from gaoxin.registry.models import ZoneStatusEvent

    revoke = action(
        t["haicang"], rule="revoke-after-two-fails", act="revoke", approval="approved", pack="gansu"
    )
    services.sync()
    case = Case.objects.get(entry=revoke)
    services.move(case.pk, "decline_revoke", by=users["province_reviewer"], text="整改已到位")
    assert not ZoneStatusEvent.objects.filter(status="revoked").exists()
