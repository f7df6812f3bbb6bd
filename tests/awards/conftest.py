"""The Fujian demo jurisdiction in the store (scale 0.05), for the award commands and services;
loaded once for each test module that uses it (tests/module_rows.py)."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.module_rows import module_rows


@pytest.fixture(scope="module")
def fujian():
    return synth.generate("fujian", scale=0.05)


@pytest.fixture(scope="module")
def module_rows_fujian(django_db_setup, django_db_blocker, fujian):
    def load():
        sync_catalogue()
        load_jurisdiction(fujian, label="测试 fujian")

    yield from module_rows(django_db_blocker, load)


@pytest.fixture
def loaded(module_rows_fujian, db, fujian):
    return fujian
