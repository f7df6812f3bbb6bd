"""A user sees the subtree of their organisation, and a user with no scope sees nothing."""

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.models import Profile
from gaoxin.registry.models import Entity
from gaoxin.statistics.models import Observation
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def tree():
    return factories.observed_tree()


def user_in(scope, name="u"):
    user = User.objects.create_user(name, password="pw-123456", is_staff=True)
    Profile.objects.create(user=user, organisation="厦门火炬管委会", scope=scope, role="viewer")
    return user


def test_a_zone_committee_sees_its_zone(tree):
    user = user_in(tree["torch"])
    names = set(Entity.objects.restrict(user).values_list("name", flat=True))
    assert names == {"厦门火炬高技术产业开发区", "厦门甲科技有限公司", "厦门乙电子有限公司"}
    assert list(Observation.objects.restrict(user).values_list("entity__name", flat=True)) == [
        "厦门甲科技有限公司"
    ]


def test_a_provincial_division_sees_the_province(tree):
    user = user_in(tree["fj"])
    assert Entity.objects.restrict(user).count() == 8
    assert Observation.objects.restrict(user).count() == 2


def test_no_scope_sees_nothing_and_a_superuser_everything(tree):
    nobody = User.objects.create_user("nobody", password="pw-123456")
    assert not Entity.objects.restrict(nobody).exists()
    assert not Observation.objects.restrict(nobody).exists()
    root = User.objects.create_superuser("root", "r@example.org", "pw-123456")
    assert Entity.objects.restrict(root).count() == 8


def test_the_admin_lists_only_what_the_user_may_see(tree, client):
    from django.contrib.auth.models import Permission

    user = user_in(tree["torch"], "torch")
    user.is_staff = True  # not a role that reaches the admin: a staff account set by hand
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_entity", "view_observation"])
    )
    client.force_login(user)
    page = client.get("/admin/registry/entity/").content.decode()
    assert "厦门甲科技有限公司" in page and "福州丙软件有限公司" not in page
    page = client.get("/admin/gx_statistics/observation/").content.decode()
    assert "厦门甲科技有限公司" in page and "福州丙软件有限公司" not in page
