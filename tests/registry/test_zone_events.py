"""A 批复's or 通报's decisions become dated zone events only when a person confirms them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.engine.problems import ProblemsError
from gaoxin.registry.models import ZoneStatusEvent
from gaoxin.registry.services import propose_zone_events, record_zone_events
from tests import factories

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).parents[1] / "fixtures" / "documents"
APPROVAL = DOCS / "round2" / "state-council-approval.txt"
BULLETIN = DOCS / "round2" / "province-evaluation-bulletin.txt"


@pytest.fixture
def tree():
    prov = factories.region("350000", "某省", "province")
    city = factories.region("350200", "岚江市", "city", prov)
    other = factories.region("350100", "青石市", "city", prov)
    lanjiang = factories.zone("350200P1", "岚江高新技术产业开发区", city)
    lanjiang.zone.approved_on = date(2005, 6, 1)
    lanjiang.zone.save()
    ZoneStatusEvent.objects.create(
        zone=lanjiang.zone, status="approved", date=date(2005, 6, 1), level="provincial"
    )
    qingshi = factories.zone("350100P1", "青石高新技术产业开发区", other)
    shimen = factories.zone("350100P2", "石门高新技术产业开发区", other)
    return {
        "city": city,
        "other": other,
        "lanjiang": lanjiang,
        "qingshi": qingshi,
        "shimen": shimen,
    }


def test_proposing_writes_nothing(tree):
    before = ZoneStatusEvent.objects.count()
    proposals = propose_zone_events(APPROVAL)
    [event] = proposals.events
    assert (event.zone_code, event.status, event.level) == ("350200P1", "upgraded", "national")
    assert ZoneStatusEvent.objects.count() == before
    tree["lanjiang"].zone.refresh_from_db()
    assert tree["lanjiang"].zone.level == "provincial"


def test_a_confirmed_upgrade_is_recorded_with_its_document_and_moves_the_level(tree):
    user = factories.user_in(tree["city"], "lanjiang-bureau")
    proposals = propose_zone_events(APPROVAL, by=user)
    [written] = record_zone_events(proposals, [1], by=user)
    assert (written.status, written.date, written.level) == (
        "upgraded",
        date(2012, 10, 26),
        "national",
    )
    assert written.document.startswith("国务院 国函〔2012〕168号《")
    assert written.recorded_by == user
    zone = tree["lanjiang"].zone
    zone.refresh_from_db()
    assert zone.level == "national" and zone.category == ""
    # the years before read provincial: the fact frame dates the level by these events
    from gaoxin.statistics.facts import registry_frames

    _, _, certs = registry_frames(None)
    rows = certs.filter(certs["entity"] == "350200P1").sort("granted_on")
    assert rows.select("level", "granted_on", "revoked_on").rows() == [
        ("provincial", date(2005, 6, 1), date(2012, 10, 26)),
        ("national", date(2012, 10, 26), None),
    ]
    # proposed again, it is listed as recorded and cannot be recorded twice
    [again] = propose_zone_events(APPROVAL, by=user).events
    assert again.problem == "登记册中已有该记录"
    with pytest.raises(ProblemsError, match="已有该记录"):
        record_zone_events(propose_zone_events(APPROVAL, by=user), [1], by=user)


def test_a_bad_choice_refuses_the_whole_call_and_writes_nothing(tree):
    proposals = propose_zone_events(BULLETIN)
    numbers = {e.zone_name: e.number for e in proposals.events if e.status == "evaluated"}
    before = ZoneStatusEvent.objects.count()
    with pytest.raises(ProblemsError) as caught:
        # 青石 is recordable; 临泉 is not in the registry; 99 was never proposed
        record_zone_events(proposals, [numbers["青石高新区"], numbers["临泉高新区"], 99])
    messages = [p.message for p in caught.value.problems]
    assert any("临泉高新区" in m and "登记册中没有" in m for m in messages)
    assert any("没有第99条" in m for m in messages)
    assert ZoneStatusEvent.objects.count() == before


def test_another_scopes_zone_reads_as_not_in_the_registry(tree):
    # a user of 岚江市 sees none of 青石市's zones: the bulletin's zones are all unknown to them
    user = factories.user_in(tree["city"], "lanjiang-only")
    proposals = propose_zone_events(BULLETIN, by=user)
    assert proposals.events and all(e.zone_code is None for e in proposals.events)
    with pytest.raises(ProblemsError):
        record_zone_events(proposals, [1], by=user)
    assert not ZoneStatusEvent.objects.filter(zone__entity__code__startswith="350100").exists()


def test_grades_commendation_and_warning_are_recorded_for_the_confirmed_numbers(tree):
    proposals = propose_zone_events(BULLETIN)
    chosen = [e.number for e in proposals.recordable]
    written = record_zone_events(proposals, chosen)
    got = sorted((w.zone.entity.code, w.status, w.note[:7]) for w in written)
    assert got == [
        ("350100P1", "commended", "对评价结果为优"),
        ("350100P1", "evaluated", "评价结果优秀："),
        ("350100P2", "evaluated", "评价结果不合格"),
        ("350100P2", "warned", "石门高新区连续"),
    ]
    assert {w.date for w in written} == {date(2024, 3, 12)}
    assert all(w.level == "" for w in written)


def test_the_command_lists_then_records_only_what_is_confirmed(tree):
    from gaoxin.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["zones", "events", str(APPROVAL)])
    assert listed.exit_code == 0, listed.output
    assert "升级" in listed.output and "未写入登记册" in listed.output
    assert not ZoneStatusEvent.objects.filter(status="upgraded").exists()
    recorded = runner.invoke(app, ["zones", "events", str(APPROVAL), "--record", "1"])
    assert recorded.exit_code == 0, recorded.output
    assert "已记录" in recorded.output
    assert ZoneStatusEvent.objects.filter(status="upgraded", level="national").count() == 1
    refused = runner.invoke(app, ["zones", "events", str(BULLETIN), "--record", "2"])
    assert refused.exit_code == 1 and "未记录任何事件" in refused.output


ROUND3_APPROVAL = DOCS / "round3" / "province-approval-numbered.txt"


def test_a_confirmed_rename_renames_the_zone_and_its_old_name_still_finds_it(tree):
    from gaoxin.registry.lookup import ranked, resolve
    from gaoxin.registry.models import Entity

    shiwan = factories.zone("350200P9", "石湾工业园区", tree["city"])
    user = factories.user_in(tree["city"], "lanjiang-renames")
    proposals = propose_zone_events(ROUND3_APPROVAL, by=user)
    [number] = [e.number for e in proposals.events if e.status == "renamed"]
    [written] = record_zone_events(proposals, [number], by=user)
    assert (written.name, written.previous_name, written.recorded_by) == (
        "石湾高新技术产业开发区",
        "石湾工业园区",
        user,
    )
    shiwan.refresh_from_db()
    assert shiwan.name == "石湾高新技术产业开发区"
    # the old name still finds it: the terminal's resolver, the admin's search, a later document
    assert resolve("石湾工业园区") == shiwan
    assert resolve("石湾工业园区", among=Entity.objects.within(tree["city"])) == shiwan
    assert list(ranked(Entity.objects.all(), "石湾工业")) == [shiwan]
    assert resolve("石湾高新区") == shiwan  # and the new name, in its short form


def test_a_later_document_naming_a_zone_by_its_old_name_finds_it(tree):
    from gaoxin.registry.services import save_zone_event

    shimen = tree["shimen"]
    save_zone_event(
        ZoneStatusEvent(
            zone=shimen.zone, status="renamed", date=date(2023, 1, 5), name="石门科学城"
        )
    )
    shimen.refresh_from_db()
    assert shimen.name == "石门科学城"
    # the 2024 bulletin still says 石门高新区
    warned = [e for e in propose_zone_events(BULLETIN).events if e.status == "warned"]
    assert [(e.zone_name, e.zone_code, e.problem) for e in warned] == [
        ("石门高新区", "350100P2", None)
    ]


def test_a_rename_without_a_new_name_or_to_the_same_name_is_refused_and_nothing_changes(tree):
    from gaoxin.registry.services import save_zone_event

    qingshi = tree["qingshi"]
    before = ZoneStatusEvent.objects.count()
    for name, message in (("", "请填写此后名称"), ("青石高新技术产业开发区", "与原名称相同")):
        with pytest.raises(ProblemsError, match=message):
            save_zone_event(
                ZoneStatusEvent(
                    zone=qingshi.zone, status="renamed", date=date(2023, 1, 5), name=name
                )
            )
    # a name on an event that is not a rename: the database constraint's message
    with pytest.raises(ProblemsError, match="只有更名记录改变高新区的名称"):
        save_zone_event(
            ZoneStatusEvent(zone=qingshi.zone, status="warned", date=date(2023, 1, 5), name="X")
        )
    qingshi.refresh_from_db()
    assert qingshi.name == "青石高新技术产业开发区"
    assert ZoneStatusEvent.objects.count() == before


def test_renames_follow_their_dates_and_deleting_the_last_gives_back_the_name(tree):
    from gaoxin.registry.services import delete_zone_event, save_zone_event

    qingshi = tree["qingshi"]

    def rename(day, name):
        return save_zone_event(
            ZoneStatusEvent(zone=qingshi.zone, status="renamed", date=day, name=name)
        )

    second = rename(date(2020, 1, 1), "青石科技城")
    first = rename(date(2015, 1, 1), "青石新区")  # recorded later, dated earlier
    qingshi.refresh_from_db()
    assert qingshi.name == "青石科技城"  # the latest by date
    assert (first.previous_name, second.previous_name) == (
        "青石高新技术产业开发区",
        "青石高新技术产业开发区",
    )
    delete_zone_event(second)
    qingshi.refresh_from_db()
    assert qingshi.name == "青石新区"
    delete_zone_event(first)
    qingshi.refresh_from_db()
    assert qingshi.name == "青石高新技术产业开发区"


def test_another_scopes_user_cannot_write_or_delete_a_zones_events(tree):
    from gaoxin.registry.services import delete_zone_event, save_zone_event
    from gaoxin.services import NotFound

    user = factories.user_in(tree["city"], "lanjiang-not-qingshi")
    event = ZoneStatusEvent(
        zone=tree["qingshi"].zone, status="upgraded", date=date(2020, 1, 1), level="national"
    )
    with pytest.raises(NotFound):
        save_zone_event(event, by=user)
    lanjiang_event = ZoneStatusEvent.objects.get(zone=tree["lanjiang"].zone)
    other = factories.user_in(tree["other"], "qingshi-not-lanjiang")
    with pytest.raises(NotFound):
        delete_zone_event(lanjiang_event, by=other)
    assert ZoneStatusEvent.objects.filter(zone=tree["qingshi"].zone).count() == 0
    assert ZoneStatusEvent.objects.filter(pk=lanjiang_event.pk).exists()
    tree["qingshi"].zone.refresh_from_db()
    assert tree["qingshi"].zone.level == "provincial"


def _events(*rows: dict) -> pl.DataFrame:
    """A shipped events frame (as ``load_zones`` takes it) from rows of zone_code, status, date
    and optional level, name, note."""
    return pl.DataFrame(
        [
            {"level": None, "name": None, "note": "", **r, "date": date.fromisoformat(r["date"])}
            for r in rows
        ],
        schema={
            "zone_code": pl.String,
            "status": pl.String,
            "date": pl.Date,
            "level": pl.String,
            "name": pl.String,
            "note": pl.String,
        },
    )


def test_events_written_in_bulk_move_the_zones_as_one_by_one_and_twice_write_nothing(tree):
    from gaoxin.registry.services import save_zone_events

    events = _events(
        {
            "zone_code": "350100P1",
            "status": "approved",
            "date": "2008-05-01",
            "level": "provincial",
        },
        {"zone_code": "350100P1", "status": "upgraded", "date": "2021-03-01", "level": "national"},
        {"zone_code": "350100P2", "status": "renamed", "date": "2023-01-05", "name": "石门科学城"},
        {"zone_code": "350100P2", "status": "renamed", "date": "2018-01-05", "name": "石门新区"},
        {
            "zone_code": "350200P1",
            "status": "approved",
            "date": "2005-06-01",
            "level": "provincial",
        },
    )
    written = save_zone_events(events)
    assert len(written) == 4  # 岚江's approval was recorded already: left as it is
    qingshi = tree["qingshi"].zone
    qingshi.refresh_from_db()
    assert (qingshi.level, qingshi.category, qingshi.approved_on) == (
        "national",
        "",  # only provincial zones are 认定类 or 创建类
        date(2008, 5, 1),
    )
    shimen = tree["shimen"]
    shimen.refresh_from_db()
    assert shimen.name == "石门科学城"
    renames = ZoneStatusEvent.objects.filter(zone=shimen.zone, status="renamed").order_by("date")
    assert [(e.previous_name, e.name) for e in renames] == [
        ("石门高新技术产业开发区", "石门新区"),  # each the name just before its date
        ("石门新区", "石门科学城"),
    ]
    before = ZoneStatusEvent.objects.count()
    assert save_zone_events(events) == []
    assert ZoneStatusEvent.objects.count() == before


BAD_EVENTS = [
    ({"status": "warned", "level": "national"}, "只有获批和升级记录改变高新区的级别"),
    ({"status": "renamed"}, "更名记录请填写此后名称"),
    ({"status": "renamed", "name": "青石高新技术产业开发区"}, "与原名称相同"),
    ({"status": "warned", "name": "青石科技城"}, "只有更名记录改变高新区的名称"),
    ({"status": "promoted"}, "promoted"),
    ({"status": "warned", "note": "说" * 301}, "300"),
]


@pytest.mark.parametrize("bad, message", BAD_EVENTS, ids=[m for _, m in BAD_EVENTS])
def test_a_bad_event_in_bulk_is_refused_at_its_row_as_one_by_one_and_nothing_changes(
    tree, bad, message
):
    from gaoxin.registry.services import save_zone_event, save_zone_events

    fields = {"level": "", "name": "", "note": "", **bad}
    with pytest.raises(ProblemsError) as one:
        save_zone_event(ZoneStatusEvent(zone=tree["qingshi"].zone, date=date(2023, 1, 5), **fields))
    before = list(ZoneStatusEvent.objects.values_list("id", "zone_id", "status", "date"))
    good = {
        "zone_code": "350100P2",
        "status": "renamed",
        "date": "2023-01-05",
        "name": "石门科学城",
    }
    with pytest.raises(ProblemsError) as bulk:
        save_zone_events(_events(good, {"zone_code": "350100P1", "date": "2023-01-05", **bad}))
    assert [(p.row, p.message) for p in bulk.value.problems] == [
        (2, p.message) for p in one.value.problems
    ]
    assert message in bulk.value.problems[0].message
    assert list(ZoneStatusEvent.objects.values_list("id", "zone_id", "status", "date")) == before
    tree["shimen"].refresh_from_db()
    assert tree["shimen"].name == "石门高新技术产业开发区"  # the good row was not written either


def test_the_same_event_twice_in_bulk_and_another_scopes_zone_are_refused(tree):
    from gaoxin.registry.services import save_zone_events
    from gaoxin.services import NotFound

    twice = {"zone_code": "350100P1", "status": "warned", "date": "2023-01-05"}
    with pytest.raises(ProblemsError, match="同一日期已有同类记录") as error:
        save_zone_events(_events(twice, twice))
    assert [p.row for p in error.value.problems] == [1, 2]
    user = factories.user_in(tree["city"], "lanjiang-bulk")
    with pytest.raises(NotFound, match="350100P1"):
        save_zone_events(
            _events(twice, {"zone_code": "350200P1", "status": "warned", "date": "2023-01-05"}),
            by=user,
        )
    assert not ZoneStatusEvent.objects.filter(status="warned").exists()
