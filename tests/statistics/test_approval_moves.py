"""Approval up the tree: each move, who may make it where, and what every move leaves behind."""

import polars as pl
import pytest

from gaoxin.services import OutOfScope
from gaoxin.statistics.approval import (
    Refused,
    available,
    lock_problems,
    move,
    submission_for,
)
from gaoxin.statistics.models import SubmissionEvent
from tests.statistics.entry_fixtures import world  # noqa: F401

pytestmark = pytest.mark.django_db

DEC = "2025-12"


def submitted(world, zone="torch", reporter="zone_reporter"):  # noqa: F811
    s = submission_for(world["zone_monthly"], world[zone], DEC)
    move(s, "submit", by=world[reporter])
    return s


def actions(user, s):
    return [t.action for t in available(user, s)]


def test_the_whole_chain_appends_one_event_per_move(world):  # noqa: F811
    s = submitted(world)
    move(s, "city_return", by=world["city"], comment="出口总额偏高，请核实")
    move(s, "submit", by=world["zone_reporter"])
    move(s, "city_approve", by=world["city"])
    move(s, "province_approve", by=world["province"])
    assert s.locked
    move(s, "unlock", by=world["province_admin"], comment="统计局反馈营业收入口径更正")
    events = list(
        SubmissionEvent.objects.filter(submission=s).values_list("action", "from_state", "to_state")
    )
    assert events == [
        ("submit", "", "submitted"),
        ("city_return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("city_approve", "submitted", "city_approved"),
        ("province_approve", "city_approved", "province_approved"),
        ("unlock", "province_approved", "returned"),
    ]
    assert SubmissionEvent.objects.get(submission=s, action="city_return").by == world["city"]
    assert SubmissionEvent.objects.get(action="unlock").comment == "统计局反馈营业收入口径更正"


def test_returning_or_unlocking_needs_a_comment(world):  # noqa: F811
    s = submitted(world)
    with pytest.raises(Refused, match="意见"):
        move(s, "city_return", by=world["city"], comment="  ")
    move(s, "city_approve", by=world["city"])
    with pytest.raises(Refused, match="意见"):
        move(s, "province_return", by=world["province"])
    move(s, "province_approve", by=world["province"])
    with pytest.raises(Refused, match="原因"):
        move(s, "unlock", by=world["province_admin"])
    assert s.state == "province_approved"


def test_each_role_makes_only_its_own_moves(world):  # noqa: F811
    s = submitted(world)
    for user in ("zone_reporter", "province", "province_admin", "viewer"):
        with pytest.raises(Refused):
            move(s, "city_approve", by=world[user])
    assert actions(world["city"], s) == ["city_approve", "city_return"]
    move(s, "city_approve", by=world["city"])
    with pytest.raises(Refused):
        move(s, "province_approve", by=world["city"])
    assert actions(world["province"], s) == ["province_approve", "province_return"]
    move(s, "province_approve", by=world["province"])
    with pytest.raises(Refused, match="锁定"):
        move(s, "unlock", by=world["province"])  # a reviewer cannot unlock; the admin can
    assert actions(world["province_admin"], s) == ["unlock"]
    assert SubmissionEvent.objects.filter(submission=s).count() == 3


def test_a_city_reviewer_acts_only_inside_their_city(world):  # noqa: F811
    s = submitted(world)
    with pytest.raises(OutOfScope):
        move(s, "city_approve", by=world["other_city"])
    with pytest.raises(OutOfScope):
        move(s, "submit", by=world["other_reporter"])
    assert actions(world["other_city"], s) == []
    assert s.state == "submitted"


def test_where_no_city_lies_above_the_province_takes_the_city_step(world):  # noqa: F811
    s = submitted(world, zone="pt", reporter="pt_reporter")
    assert actions(world["province"], s) == ["city_approve", "city_return"]
    assert actions(world["city"], s) == []  # 厦门 reviews nothing outside 厦门
    move(s, "city_approve", by=world["province"])
    move(s, "province_approve", by=world["province"])
    assert s.state == "province_approved"
    # A zone with a city above: the province never takes the city's step.
    t = submitted(world)
    with pytest.raises(Refused):
        move(t, "city_approve", by=world["province"])


def test_an_import_into_a_locked_submission_is_named_at_its_row(world):  # noqa: F811
    s = submitted(world)
    move(s, "city_approve", by=world["city"])
    obs = pl.DataFrame(
        {
            "entity_id": [world["torch"].pk, world["torch"].pk, world["fzz"].pk],
            "entity_kind": ["zone", "zone", "zone"],
            "variable": ["revenue", "exports", "revenue"],
            "period": [DEC, DEC, DEC],
            "source_file": ["f.xlsx"] * 3,
            "sheet": ["填报"] * 3,
            "row": [3, 3, 4],
        }
    )
    assert lock_problems(obs) == []  # city-approved is not locked yet
    move(s, "province_approve", by=world["province"])
    (problem,) = lock_problems(obs)
    assert problem.row == 3 and problem.file == "f.xlsx" and "省级审定并锁定" in problem.message
    assert "厦门火炬" in problem.message
    other_period = obs.with_columns(pl.lit("2025-11").alias("period"))
    assert lock_problems(other_period) == []


def test_gaoxin_import_refuses_a_value_under_a_province_approved_return(world, tmp_path):  # noqa: F811
    from gaoxin.statistics.imports import import_file
    from gaoxin.statistics.models import Observation

    s = submitted(world)
    move(s, "city_approve", by=world["city"])
    move(s, "province_approve", by=world["province"])
    f = tmp_path / "zones.csv"
    f.write_text(f"高新区代码,期间,营业收入（万元）\n{world['torch'].code},2025-12,500\n", "utf-8")
    report = import_file(f)
    assert report.status == "rejected"
    (problem,) = report.errors
    assert problem.code == "submission_locked" and problem.row == 2
    assert not Observation.objects.exists()
    move(s, "unlock", by=world["province_admin"], comment="更正营业收入")
    assert import_file(f).status == "committed"


def test_the_admin_change_form_of_a_locked_value_is_read_only(world, client):  # noqa: F811
    from django.contrib.auth import get_user_model

    from gaoxin.statistics.models import Batch, Observation, Variable
    from gaoxin.statistics.store import write_observations

    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(world["torch"].pk, revenue.pk, DEC, 10)], Batch.objects.create(kind="manual", label="x")
    )
    obs = Observation.objects.get()
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "x")
    client.force_login(admin)
    url = f"/admin/gx_statistics/observation/{obs.pk}/change/"
    # values are read-only in the admin whatever their state (decision 022); locked or not
    assert b'name="_save"' not in client.get(url).content
    s = submitted(world)
    move(s, "city_approve", by=world["city"])
    move(s, "province_approve", by=world["province"])
    page = client.get(url).content
    assert b'name="_save"' not in page
    response = client.post(
        url,
        {
            "entity": world["torch"].pk,
            "variable": revenue.pk,
            "period": DEC,
            "value": "99",
            "batch": obs.batch_id,
        },
    )
    assert response.status_code == 403
    obs.refresh_from_db()
    assert obs.value == 10
