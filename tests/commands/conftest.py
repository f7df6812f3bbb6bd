"""Small demo jurisdictions in the store for the command tests."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue


@pytest.fixture(scope="session")
def taizhou_synth():
    return synth.generate("taizhou", scale=0.2)


@pytest.fixture
def taizhou(db, taizhou_synth):
    sync_catalogue()
    load_jurisdiction(taizhou_synth, label="测试 taizhou")
    return taizhou_synth


@pytest.fixture(scope="session")
def gansu_synth():
    return synth.generate("gansu", scale=0.05)


@pytest.fixture
def gansu(db, gansu_synth):
    sync_catalogue()
    load_jurisdiction(gansu_synth, label="测试 gansu")
    return gansu_synth
