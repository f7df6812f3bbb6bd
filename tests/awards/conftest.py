"""The Fujian demo jurisdiction in the store (scale 0.05), for the award commands and services."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue


@pytest.fixture(scope="module")
def fujian():
    return synth.generate("fujian", scale=0.05)


@pytest.fixture
def loaded(fujian):
    sync_catalogue()
    load_jurisdiction(fujian, label="测试 fujian")
    return fujian
