"""A small Gansu demo in the store (12 zones, ~800 enterprises at scale 0.05, 2019-2025), loaded
once for each test module that uses it (tests/module_rows.py)."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.module_rows import demo_rows


@pytest.fixture(scope="session")
def gansu_synth():
    return synth.generate("gansu", scale=0.05)


@pytest.fixture(scope="module")
def module_rows_gansu(django_db_setup, django_db_blocker, gansu_synth):
    yield from demo_rows(django_db_blocker, gansu_synth, "gansu")


@pytest.fixture
def gansu(module_rows_gansu, db, gansu_synth):
    return gansu_synth


@pytest.fixture
def gansu_unshared(db, gansu_synth):
    """The demo loaded in the test's own transaction, for a test that counts on the ids that
    follow the demo's (a data version one more than the demo's last): on PostgreSQL the tests
    before it, sharing rows, use up ids that their rollback does not give back."""
    sync_catalogue()
    load_jurisdiction(gansu_synth, label="测试 gansu")
    return gansu_synth
