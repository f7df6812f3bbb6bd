"""`gaoxin user add | set-role | list`: a user set up with a role and a scope by name or code;
a refused set-up says precisely why in Chinese and creates nothing."""

import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from gaoxin.accounts.models import Profile
from gaoxin.cli import app
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
ENV = {"COLUMNS": "200"}


@pytest.fixture
def tree():
    return factories.small_tree()


def run(*args):
    return CliRunner().invoke(app, ["user", *args], env=ENV)


def nothing_created():
    return not User.objects.exists() and not Profile.objects.exists()


def test_add_a_zone_reporter_by_the_zones_short_name(tree):
    result = run(
        "add",
        "xm-torch",
        "--role",
        "园区填报员",
        "--scope",
        "厦门火炬高新区",
        "--password",
        "pw-123456",
    )
    assert result.exit_code == 0, result.output
    assert (
        "已新建用户 xm-torch：园区填报员，数据范围 厦门火炬高技术产业开发区（350200N1）"
        in result.output
    )
    user = User.objects.get(username="xm-torch")
    assert user.check_password("pw-123456") and not user.is_staff
    assert user.gaoxin_profile.scope == tree["torch"]
    assert user.gaoxin_profile.organisation == "厦门火炬高技术产业开发区"
    assert list(user.groups.values_list("name", flat=True)) == ["园区填报员"]


def test_add_by_code_and_role_code_generates_a_password(tree):
    result = run(
        "add",
        "xm",
        "--role",
        "city_reviewer",
        "--scope",
        "350200",
        "--organisation",
        "厦门市科技局",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("初始密码：")[1].split("（")[0].strip()
    user = User.objects.get(username="xm")
    assert user.check_password(password)
    assert user.gaoxin_profile.organisation == "厦门市科技局"


def test_ambiguous_scope_lists_the_candidates_and_creates_nothing(tree):
    result = run("add", "fz", "--role", "只读", "--scope", "福州", "--password", "pw-123456")
    assert result.exit_code == 2
    assert "「福州」按名称部分匹配对应多个主体" in result.output
    assert "福州市（行政区，350100）" in result.output
    assert "福州高新技术产业开发区（高新区，350100N1）" in result.output
    assert nothing_created()


def test_unknown_role_names_the_roles_and_creates_nothing(tree):
    result = run("add", "x", "--role", "审核员", "--scope", "350200", "--password", "pw-123456")
    assert result.exit_code == 2
    assert (
        "没有角色「审核员」：可选 系统管理员（admin）、省级管理员（province_admin）"
        in result.output
    )
    assert nothing_created()


def test_role_that_does_not_fit_the_scope_creates_nothing(tree):
    result = run("add", "x", "--role", "市级审核员", "--scope", "福建省", "--password", "pw-123456")
    assert result.exit_code == 2
    assert "市级审核员的数据范围应为设区市，「福建省」是省级行政区" in result.output
    assert nothing_created()


def test_unknown_scope_and_short_password_create_nothing(tree):
    result = run("add", "x", "--role", "只读", "--scope", "兰州", "--password", "pw-123456")
    assert result.exit_code == 2 and "找不到「兰州」" in result.output
    result = run("add", "x", "--role", "只读", "--scope", "350200", "--password", "short")
    assert result.exit_code == 2 and "密码不符合要求" in result.output
    assert nothing_created()


def test_an_existing_username_is_refused(tree):
    assert (
        run("add", "x", "--role", "只读", "--scope", "350200", "--password", "pw-123456").exit_code
        == 0
    )
    result = run("add", "x", "--role", "只读", "--scope", "350100", "--password", "pw-123456")
    assert result.exit_code == 2 and "用户名「x」已存在" in result.output
    assert User.objects.get(username="x").gaoxin_profile.scope == tree["xm"]


def test_set_role_and_list(tree):
    run("add", "x", "--role", "园区填报员", "--scope", "350200N1", "--password", "pw-123456")
    result = run("set-role", "x", "--role", "省级管理员", "--scope", "福建省")
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="x")
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["省级管理员"]
    # refused: the profile is left as it was
    result = run("set-role", "x", "--role", "市级审核员")
    assert result.exit_code == 2 and "「福建省」是省级行政区" in result.output
    assert User.objects.get(username="x").gaoxin_profile.role == "province_admin"
    result = run("set-role", "nobody", "--role", "只读")
    assert result.exit_code == 2 and "没有用户「nobody」" in result.output
    listing = run("list").output
    assert (
        "x" in listing and "省级管理员" in listing and "福建省" in listing and "可进入" in listing
    )
