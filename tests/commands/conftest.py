"""Small demo jurisdictions in the store for the command tests: Taizhou here, Gansu shared with
the evaluation tests."""

import pytest

from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.evaluation.conftest import gansu, gansu_synth  # noqa: F401 (shared fixtures)


@pytest.fixture(scope="session")
def taizhou_synth():
    return synth.generate("taizhou", scale=0.2)


@pytest.fixture
def taizhou(db, taizhou_synth):
    sync_catalogue()
    load_jurisdiction(taizhou_synth, label="测试 taizhou")
    return taizhou_synth
