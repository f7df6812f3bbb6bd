"""A small Gansu demo in the store (12 zones, ~800 enterprises at scale 0.05, 2019-2025)."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue


@pytest.fixture(scope="session")
def gansu_synth():
    return synth.generate("gansu", scale=0.05)


@pytest.fixture
def gansu(db, gansu_synth):
    sync_catalogue()
    load_jurisdiction(gansu_synth, label="测试 gansu")
    return gansu_synth
