"""The pack commands run over the region the pack applies to (``jurisdiction`` in pack.yaml)
unless ``--scope`` says otherwise, and say which: a Fujian document lists Fujian zones only."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gaoxin.awards.models import AwardEntry
from gaoxin.cli import app
from gaoxin.engine import reference, synth
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.registry import loading
from gaoxin.registry.models import Entity
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue
from tests.module_rows import module_rows

pytestmark = pytest.mark.django_db
runner = CliRunner()
AWARDS = ["awards", "--pack", "fujian-2021", "--period", "2024", "--dry-run"]


@pytest.fixture(scope="module")
def fujian():
    return synth.generate("fujian", scale=0.05)


@pytest.fixture(scope="module")
def module_rows_fujian(django_db_setup, django_db_blocker, fujian):
    def load():
        sync_catalogue()
        loading.load_regions(reference.regions())
        loading.load_zones(loading.reference_zones())
        load_jurisdiction(fujian, label="测试 fujian")

    yield from module_rows(django_db_blocker, load)


@pytest.fixture
def loaded(module_rows_fujian, db, fujian):
    """The store as `gaoxin init` + `gaoxin demo` leave it: every region and every zone of the
    reference list (Beijing's 110100N1 too), then the Fujian demo (loaded once for the module,
    tests/module_rows.py)."""
    return fujian


def undetermined_zones(args: list[str], tmp_path) -> set[str]:
    js = tmp_path / "ledger.json"
    r = runner.invoke(app, [*args, "--json", str(js)])
    assert r.exit_code == 0, r.output
    doc = json.loads(js.read_text(encoding="utf-8"))
    return {x["entity"] for x in doc["undetermined"] if x["rule"] == "rank-promotion"}


def test_awards_default_to_the_packs_region(loaded, tmp_path):
    r = runner.invoke(app, AWARDS)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "适用范围：福建省"
    fujian = Entity.objects.get(kind="region", code="350000")
    in_fujian = set(
        Entity.objects.within(fujian).filter(kind="zone").values_list("code", flat=True)
    )
    # rank-promotion reads the national rank, which nobody supplied: every national zone with
    # 2024 data is undetermined — by default those of Fujian only (codes 35xxxxN1).
    zones = undetermined_zones(AWARDS, tmp_path)
    assert zones and zones <= in_fujian
    assert all(z.startswith("35") for z in zones)
    # --scope 全国 is the whole store again, with a warning: Beijing's zone is back in the list
    everywhere = runner.invoke(app, [*AWARDS, "--scope", "全国"])
    out = everywhere.output.replace("\n", "")
    assert (
        "本次范围：全国" in out
        and "不在《促进高新技术产业开发区高质量发展实施方案》的适用范围（福建省）内" in out
    )
    wide = undetermined_zones([*AWARDS, "--scope", "全国"], tmp_path)
    assert "110100N1" in wide and zones < wide
    assert AwardEntry.objects.count() == 0


def test_a_scope_inside_the_region_is_used_without_a_warning(loaded, tmp_path):
    r = runner.invoke(app, [*AWARDS, "--scope", "350200"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "适用范围：福建省；本次范围：厦门市（--scope 350200）"
    assert "注意" not in r.output
    assert undetermined_zones([*AWARDS, "--scope", "350200"], tmp_path) == {"350200N1"}


def test_eligible_and_targets_say_their_scope(loaded):
    e = runner.invoke(app, ["eligible", "--pack", "fujian-2021", "--period", "2024"])
    assert e.exit_code == 0, e.output
    assert e.output.splitlines()[0] == "适用范围：福建省"
    t = runner.invoke(app, ["targets", "--pack", "national-14th-fyp"])
    assert t.exit_code == 0, t.output
    assert t.output.splitlines()[0] == "适用范围：全国"


def test_evaluate_defaults_to_the_packs_region_and_warns_outside_it(loaded):
    # the Gansu pack on a store holding Fujian only: 甘肃省 has no data, nothing is saved
    r = runner.invoke(app, ["evaluate", "--pack", "gansu", "--period", "2024"])
    assert r.output.splitlines()[0] == "适用范围：甘肃省", r.output
    assert r.exit_code != 0 and EvaluationRun.objects.count() == 0
    w = runner.invoke(app, ["evaluate", "--pack", "gansu", "--period", "2024", "--scope", "350000"])
    out = w.output.replace("\n", "")
    assert "不在政策包「gansu」的适用范围（甘肃省）内" in out, w.output
