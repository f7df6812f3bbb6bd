"""The packs shipped with gaoxin: each passes check_pack with no errors and all its cases pass.
The cases (src/gaoxin/packs/<pack>/cases/*.yaml) are what prove the shipped packs right."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaoxin.commands.packs import shipped_packs
from gaoxin.engine.packs import check_pack, load_pack
from gaoxin.engine.packs.cases import discover, run_cases

PACKS = shipped_packs()
CASES = [pytest.param(d, f, id=f"{d.name}/{f.name}") for d in PACKS for f in discover(d)[1]]


def test_the_two_packs_are_shipped():
    assert {"fujian-2021", "gansu"} <= {d.name for d in PACKS}


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda d: d.name)
def test_shipped_pack_has_no_errors(pack_dir: Path):
    errors = [p for p in check_pack(pack_dir) if p.severity == "error"]
    assert errors == [], "\n".join(map(str, errors))


@pytest.mark.parametrize("pack_dir", PACKS, ids=lambda d: d.name)
def test_every_rule_has_a_case(pack_dir: Path):
    pack = load_pack(pack_dir)
    results = run_cases(pack_dir, discover(pack_dir)[1])
    covered = {e.rule for r in results for e in r.case.spec.expect}
    assert {r.id for r in pack.spec.rules} - covered == set()


@pytest.mark.parametrize(("pack_dir", "case_file"), CASES)
def test_shipped_cases_pass(pack_dir: Path, case_file: Path):
    results = run_cases(pack_dir, [case_file])
    assert results
    failed = [f"{r.where} {r.case.name}\n{r.diff()}" for r in results if not r.passed]
    assert failed == [], "\n\n".join(failed)
