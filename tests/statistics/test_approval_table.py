"""The approval table: who may move a submission from where to where."""

from gaoxin.accounts.choices import Role
from gaoxin.statistics.approval import TRANSITIONS, allowed
from gaoxin.statistics.models import SubmissionState as S


def actions(state, role):
    return [t.action for t in allowed(state, role)]


def test_the_reporting_chain():
    assert actions(None, Role.ZONE_REPORTER) == ["save", "submit"]
    assert actions(S.SUBMITTED, Role.ZONE_REPORTER) == []
    assert actions(S.SUBMITTED, Role.CITY_REVIEWER) == ["city_approve", "city_return"]
    assert actions(S.CITY_APPROVED, Role.PROVINCE_REVIEWER) == [
        "province_approve",
        "province_return",
    ]
    assert actions(S.RETURNED, Role.ZONE_REPORTER) == ["save", "submit"]
    assert actions(S.PROVINCE_APPROVED, Role.PROVINCE_REVIEWER) == []
    assert actions(S.PROVINCE_APPROVED, Role.PROVINCE_ADMIN) == ["unlock"]


def test_viewers_move_nothing_and_every_return_needs_a_comment():
    assert all(Role.VIEWER not in t.roles for t in TRANSITIONS)
    for t in TRANSITIONS:
        assert t.needs_comment == (t.target == S.RETURNED)
