"""The Fujian demo jurisdiction in the store (scale 0.05), for the award commands and services;
loaded once for each test module that uses it (tests/module_rows.py)."""

import pytest

from gaoxin.accounts.choices import Role
from gaoxin.engine import synth
from gaoxin.registry.models import Entity
from tests.factories import user_with
from tests.module_rows import demo_rows


@pytest.fixture(scope="module")
def fujian():
    return synth.generate("fujian", scale=0.05)


@pytest.fixture(scope="module")
def module_rows_fujian(django_db_setup, django_db_blocker, fujian):
    yield from demo_rows(django_db_blocker, fujian, "fujian")


@pytest.fixture
def loaded(module_rows_fujian, db, fujian):
    return fujian


@pytest.fixture
def province(loaded):
    """福建省, the demo's province."""
    return Entity.objects.get(kind="region", code="350000")


@pytest.fixture
def admin(province):
    """The province's administrator (who runs trials and decides awards)."""
    return user_with(province, Role.PROVINCE_ADMIN, "fj-admin")
