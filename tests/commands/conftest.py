"""Small demo jurisdictions in the store for the command tests: Taizhou here, Gansu shared with
the evaluation tests."""

import pytest

from gaoxin.engine import synth
from tests.evaluation.conftest import (  # noqa: F401 (shared fixtures)
    gansu,
    gansu_synth,
    module_rows_gansu,
)
from tests.module_rows import demo_rows


@pytest.fixture(scope="session")
def taizhou_synth():
    return synth.generate("taizhou", scale=0.2)


@pytest.fixture(scope="module")
def module_rows_taizhou(django_db_setup, django_db_blocker, taizhou_synth):
    yield from demo_rows(django_db_blocker, taizhou_synth, "taizhou")


@pytest.fixture
def taizhou(module_rows_taizhou, db, taizhou_synth):
    """The demo, loaded once for each test module that uses it (tests/module_rows.py)."""
    return taizhou_synth
