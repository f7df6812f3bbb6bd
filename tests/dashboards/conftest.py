"""A small Fujian demo in the store (12 zones in 9 cities, scale 0.05, 2023-2025) and one user
per level: the province, 福州市 (two zones) and 福州高新区."""

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.models import Profile
from gaoxin.engine import synth
from gaoxin.registry.models import Entity
from tests.module_rows import demo_rows


@pytest.fixture(scope="session")
def fujian_synth():
    return synth.generate("fujian", scale=0.05, first_year=2023, last_year=2025)


@pytest.fixture(scope="module")
def module_rows_fujian(django_db_setup, django_db_blocker, fujian_synth):
    yield from demo_rows(django_db_blocker, fujian_synth, "fujian")


@pytest.fixture
def fujian(module_rows_fujian, db, fujian_synth):
    """The demo, loaded once for each test module that uses it (tests/module_rows.py)."""
    return fujian_synth


@pytest.fixture
def people(fujian):
    """province_admin (福建省), city_reviewer (福州市), zone_reporter (福州高新区)."""
    User = get_user_model()
    out = {}
    for name, role, code in (
        ("province_admin", "province_admin", "350000"),
        ("city_reviewer", "city_reviewer", "350100"),
        ("zone_reporter", "zone_reporter", "350100N1"),
    ):
        scope = Entity.objects.get(code=code)
        user = User.objects.create_user(name, f"{name}@example.org", "pw-dash-1")
        Profile.objects.create(user=user, organisation=scope.name, scope=scope, role=role)
        out[name] = user
    return out
