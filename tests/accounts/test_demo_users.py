"""`gaoxin demo` sets up one user per role over the demo jurisdiction, with real scopes read
from the store, and keeps demo / gaoxin-demo as the system administrator; twice is once."""

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.demo import PASSWORD, ensure_demo_users
from gaoxin.accounts.models import Profile
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def tree():
    t = factories.small_tree()
    # 福州 gets more enterprises than 厦门: the demo picks the busier city and its zone
    for n in range(3):
        factories.enterprise(f"福州{n}号有限公司", t["fzz"])
    gs = factories.region("620000", "甘肃省", "province")
    lz = factories.region("620100", "兰州市", "city", gs)
    factories.zone("620100N1", "兰州高新区", lz)
    return t


def test_one_user_per_role_with_real_scopes(tree):
    users = ensure_demo_users()
    assert [(u.username, u.role, u.scope) for u in users] == [
        ("demo", "系统管理员", "全部"),
        ("province_admin", "省级管理员", "福建省"),
        ("province_reviewer", "省级审核员", "福建省"),
        ("city_reviewer", "市级审核员", "福州市"),
        ("zone_reporter", "园区填报员", "福州高新技术产业开发区"),
        ("viewer", "只读", "福建省"),
    ]
    for u in users:
        assert User.objects.get(username=u.username).check_password(PASSWORD)
    demo = User.objects.get(username="demo")
    assert demo.is_superuser and not Profile.objects.filter(user=demo).exists()
    reporter = User.objects.get(username="zone_reporter")
    assert list(reporter.groups.values_list("name", flat=True)) == ["园区填报员"]
    assert reporter.gaoxin_profile.organisation == "福州高新技术产业开发区管委会"
    assert User.objects.get(username="province_admin").is_staff
    assert not User.objects.get(username="city_reviewer").is_staff


def test_twice_is_once(tree):
    first = ensure_demo_users()
    profile = Profile.objects.get(user__username="city_reviewer")
    profile.organisation = "改过"
    profile.save()
    assert ensure_demo_users() == first
    assert User.objects.count() == 6 and Profile.objects.count() == 5
    assert Profile.objects.get(user__username="city_reviewer").organisation == "福州市科技局"
