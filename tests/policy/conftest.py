"""Shared fixtures of the task-ledger tests: evidence goes to a temporary MEDIA_ROOT."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "src/gaoxin/packs"
EXPECTED = ROOT / "tests/fixtures/documents"
DISTRICT = Path(__file__).resolve().parent / "fixtures/district-plan.txt"
SEEDS = ["fujian-2021", "taizhou-2024", "gansu", "national-14th-fyp", "sichuan"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
