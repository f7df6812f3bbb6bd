"""The role table (gaoxin.accounts.roles): groups with their permissions, a profile's role
enforced through its group, ``can`` by role and scope, a role's scope level."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import translation

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.accounts.roles import (
    GROUP_NAMES,
    ROLE_ACTIONS,
    Action,
    can,
    check_role_scope,
    sync_roles,
)
from gaoxin.statistics.approval import MOVE_ACTION, TRANSITIONS
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def tree():
    return factories.small_tree()


def user_with(role, scope, name=None):
    user = User.objects.create_user(name or role, password="pw-123456")
    Profile.objects.create(user=user, organisation="单位", scope=scope, role=role)
    return User.objects.get(pk=user.pk)  # fresh: no permission cache


def test_group_names_are_the_roles_chinese_labels():
    with translation.override("zh-hans"):
        assert {r: str(Role(r).label) for r in Role} == GROUP_NAMES


def test_sync_roles_creates_six_groups_idempotently():
    first = sync_roles()
    assert set(first) == set(GROUP_NAMES.values())
    assert sync_roles() == first
    assert Group.objects.filter(name__in=GROUP_NAMES.values()).count() == 6
    reporter = Group.objects.get(name="园区填报员")
    codes = set(reporter.permissions.values_list("codename", flat=True))
    assert {"enter_data", "submit_data", "view_data", "add_observation", "view_entity"} <= codes
    assert not codes & {"review_city", "manage_users", "add_user", "change_reportingform"}


def test_the_approval_table_and_the_role_table_agree():
    for move in TRANSITIONS:
        needs = MOVE_ACTION[move.action]
        holders = {r for r, acts in ROLE_ACTIONS.items() if needs in acts} - {Role.ADMIN}
        assert holders == set(move.roles), move.action


def test_a_profile_puts_its_user_in_the_role_group_and_only_that(tree):
    user = user_with(Role.ZONE_REPORTER, tree["torch"])
    assert list(user.groups.values_list("name", flat=True)) == ["园区填报员"]
    assert user.has_perm("accounts.enter_data") and not user.has_perm("accounts.review_city")
    assert not user.is_staff
    profile = user.gaoxin_profile
    profile.role, profile.scope = Role.CITY_REVIEWER, tree["xm"]
    profile.save()
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["市级审核员"]
    assert user.has_perm("accounts.review_city") and not user.has_perm("accounts.enter_data")
    profile.delete()
    user = User.objects.get(pk=user.pk)
    assert not user.groups.exists() and not user.has_perm("accounts.view_data")


def test_staff_and_superuser_follow_the_role(tree):
    assert user_with(Role.PROVINCE_ADMIN, tree["fj"]).is_staff
    admin = user_with(Role.ADMIN, tree["fj"])
    assert admin.is_staff and admin.is_superuser
    for role, scope in [
        (Role.PROVINCE_REVIEWER, tree["fj"]),
        (Role.CITY_REVIEWER, tree["xm"]),
        (Role.ZONE_REPORTER, tree["torch"]),
        (Role.VIEWER, tree["xm"]),
    ]:
        user = user_with(role, scope)
        assert not user.is_staff and not user.is_superuser


def test_can_asks_role_and_scope(tree):
    reporter = user_with(Role.ZONE_REPORTER, tree["torch"])
    assert can(reporter, Action.ENTER, tree["a"])
    assert not can(reporter, Action.ENTER, tree["c"])  # another city's enterprise
    assert not can(reporter, Action.ENTER, tree["xm"])  # above its zone
    assert not can(reporter, Action.REVIEW_CITY)
    city = user_with(Role.CITY_REVIEWER, tree["xm"])
    assert can(city, Action.REVIEW_CITY, tree["torch"])
    assert not can(city, Action.REVIEW_CITY, tree["fzz"])
    assert not can(city, Action.ENTER, tree["a"])
    province = user_with(Role.PROVINCE_ADMIN, tree["fj"])
    assert can(province, Action.UNLOCK, tree["c"]) and can(province, Action.MANAGE_USERS)
    assert not can(user_with(Role.PROVINCE_REVIEWER, tree["fj"]), Action.UNLOCK)
    root = User.objects.create_superuser("root", "r@example.org", "pw-123456")
    assert can(root, Action.ADMIN, tree["c"])
    nobody = User.objects.create_user("nobody", password="pw-123456")
    assert not can(nobody, Action.VIEW)
    reporter.is_active = False
    assert not can(reporter, Action.VIEW, tree["a"])


@pytest.mark.parametrize(
    "role, key, error",
    [
        (Role.CITY_REVIEWER, "fj", "市级审核员的数据范围应为设区市，「福建省」是省级行政区"),
        (
            Role.CITY_REVIEWER,
            "torch",
            "市级审核员的数据范围应为设区市，「厦门火炬高技术产业开发区」是高新区",
        ),
        (
            Role.ZONE_REPORTER,
            "xm",
            "园区填报员的数据范围应为高新区（或其下的企业、机构），「厦门市」是设区市",
        ),
        (Role.PROVINCE_ADMIN, "xm", "省级管理员的数据范围应为省级行政区，「厦门市」是设区市"),
        (
            Role.PROVINCE_REVIEWER,
            "a",
            "省级审核员的数据范围应为省级行政区，「厦门甲科技有限公司」是企业",
        ),
    ],
)
def test_a_role_must_fit_its_scope_level(tree, role, key, error):
    with pytest.raises(ValidationError) as info:
        check_role_scope(role, tree[key])
    assert info.value.messages == [error]
    user = User.objects.create_user("u", password="pw-123456")
    with pytest.raises(ValidationError):
        Profile.objects.create(user=user, organisation="单位", scope=tree[key], role=role)
    assert not Profile.objects.exists() and not user.groups.exists()


def test_fitting_scopes_pass(tree):
    for role, key in [
        (Role.PROVINCE_ADMIN, "fj"),
        (Role.CITY_REVIEWER, "xm"),
        (Role.ZONE_REPORTER, "torch"),
        (Role.ZONE_REPORTER, "a"),
        (Role.VIEWER, "xm"),
        (Role.ADMIN, "a"),
    ]:
        check_role_scope(role, tree[key])


def test_only_province_level_roles_change_forms_and_rules(tree):
    editors = set()
    scopes = {
        Role.PROVINCE_ADMIN: "fj",
        Role.PROVINCE_REVIEWER: "fj",
        Role.CITY_REVIEWER: "xm",
        Role.ZONE_REPORTER: "torch",
        Role.VIEWER: "xm",
    }
    for role, key in scopes.items():
        user = user_with(role, tree[key])
        perms = [
            "gx_statistics.change_validationrule",
            "gx_statistics.change_reportingform",
            "policy.change_measure",
        ]
        if any(user.has_perm(p) for p in perms):
            assert all(user.has_perm(p) for p in perms)
            editors.add(role)
    assert editors == {Role.PROVINCE_ADMIN}


def test_sync_roles_brings_existing_users_into_their_groups(tree):
    user = user_with(Role.CITY_REVIEWER, tree["xm"])
    user.groups.clear()  # set up before the groups existed, or edited by hand
    User.objects.filter(pk=user.pk).update(is_staff=True)
    sync_roles()
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["市级审核员"]
    assert not user.is_staff
