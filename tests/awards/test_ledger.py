"""The award ledger is append-only: recording again writes only reversals and new rows for what
changed, in one transaction, each row with its receipt."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gaoxin.awards.ledger import Receipt, record
from gaoxin.awards.models import AwardEntry, Frozen
from gaoxin.engine.facts import build_facts
from gaoxin.engine.packs import load_pack
from gaoxin.engine.packs.bindings import rules_frame
from gaoxin.engine.problems import ProblemsError
from gaoxin.engine.rules import run_rules
from tests import factories
from tests.engine.packs.test_bindings import CERTS, ENTITIES, HISTORY, OBS, PACKS

pytestmark = pytest.mark.django_db
RULES = ["new-hte", "new-sti", "national-project", "hte-growth-commend"]
DAY = date(2025, 3, 1)


@pytest.fixture
def registry():
    gs = factories.region("620000", "甘肃省", "province")
    lz = factories.region("620100", "兰州市", "city", gs)
    z1 = factories.zone("Z1", "甲高新区", lz)
    z2 = factories.zone("Z2", "乙高新区", lz)
    out = {"Z1": z1, "Z2": z2}
    for code, zone in (("E1", z1), ("E2", z1), ("E3", z1), ("E4", z2)):
        out[code] = factories.enterprise(f"{code}公司", zone, code=code)
    return out


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACKS / "gansu")


def run(pack, obs=OBS, certs=CERTS):
    facts = build_facts(ENTITIES, obs, certs)
    bound = rules_frame(pack, facts, "2024", HISTORY)
    out = run_rules(pack, bound.frame, "2024", rules=RULES)
    receipt = Receipt("gansu", "h" * 64, "gaoxin 0.1.0", facts.input_hash, bound.runs)
    return record(out, bound, receipt, "2024", decided_on=DAY)


def standing() -> dict[tuple[str, str], int | str | None]:
    return {
        (e.rule, e.entity.code): e.amount_fen if e.outcome == "money" else e.action
        for e in AwardEntry.objects.standing().select_related("entity")
    }


def test_first_record_writes_every_row_with_its_receipt(registry, pack):
    r = run(pack)
    # hte-growth-commend (逐年提升 since 2022) cannot be judged: the facts start in 2023
    assert (len(r.added), len(r.reversals), r.unchanged) == (4, 0, 0)
    assert standing() == {
        ("new-hte", "E1"): 20_000_000,  # 20 万元 in 分
        ("new-hte", "E2"): 20_000_000,
        ("new-sti", "E4"): 5_000_000,
        ("national-project", "E1"): 35_000_000,  # 10% × 350 万元
    }
    e = AwardEntry.objects.get(rule="national-project")
    assert (e.pack, e.pack_hash, e.period, e.decided_on, e.paid_in) == (
        "gansu",
        "h" * 64,
        "2024",
        DAY,
        2024,
    )
    assert e.evaluation_runs == [8, 9] and len(e.input_hash) == 64
    assert e.article and e.quote and e.text.startswith("依据《")
    assert e.trace["inputs"]["national_project_funds"] == 350.0
    assert e.trace["origins"]["national_project_funds"].endswith("批次 b-2024")
    assert e.entity == registry["E1"] and e.approval == "pending"


def test_recording_the_same_run_again_writes_nothing(registry, pack):
    run(pack)
    n = AwardEntry.objects.count()
    r = run(pack)
    assert (r.added, r.reversals, r.unchanged) == ([], [], 4)
    assert AwardEntry.objects.count() == n


def test_a_changed_amount_is_a_reversal_plus_a_new_row(registry, pack):
    run(pack)
    old = AwardEntry.objects.get(rule="national-project")
    revised = OBS.with_columns(
        value=pl.when((pl.col("entity") == "E1") & (pl.col("variable").str.starts_with("national")))
        .then(400.0)
        .otherwise(pl.col("value"))
    )
    r = run(pack, obs=revised)
    assert (len(r.added), len(r.reversals), r.unchanged) == (1, 1, 3)
    (rev,) = r.reversals
    assert (rev.kind, rev.reverses_id, rev.amount_fen) == ("reversal", old.pk, -35_000_000)
    assert standing()[("national-project", "E1")] == 40_000_000
    # the sum of every row of the rule is what stands: 35 − 35 + 40
    total = sum(e.amount_fen for e in AwardEntry.objects.filter(rule="national-project"))
    assert total == 40_000_000


def test_a_vanished_row_is_reversed_and_an_undetermined_one_stands(registry, pack):
    run(pack)
    # E2's certificate withdrawn from the data; E1's project funds no longer reported
    certs = CERTS.filter(pl.col("entity") != "E2")
    obs = OBS.filter(~((pl.col("entity") == "E1") & pl.col("variable").str.starts_with("national")))
    r = run(pack, obs=obs, certs=certs)
    assert sorted((e.rule, e.entity.code, e.amount_fen, e.action) for e in r.reversals) == [
        ("new-hte", "E2", -20_000_000, ""),
    ]
    assert ("new-hte", "E2") not in standing()
    assert standing()[("national-project", "E1")] == 35_000_000  # undetermined: untouched


def test_entries_are_never_edited_or_deleted(registry, pack):
    run(pack)
    e = AwardEntry.objects.get(rule="national-project")
    e.amount_fen = 1
    with pytest.raises(Frozen):
        e.save()
    with pytest.raises(Frozen):
        e.delete()
    with pytest.raises(Frozen):
        AwardEntry.objects.filter(pk=e.pk).update(amount_fen=1)
    with pytest.raises(Frozen):
        AwardEntry.objects.all().delete()
    assert AwardEntry.objects.get(pk=e.pk).amount_fen == 35_000_000
    e.set_approval("approved")
    assert AwardEntry.objects.get(pk=e.pk).approval == "approved"


def test_an_entity_missing_from_the_registry_records_nothing(registry, pack):
    registry["E4"].awards  # noqa: B018 (the relation exists)
    from gaoxin.registry.models import Entity

    Entity.objects.filter(code="E4").update(code="E4-renamed")
    with pytest.raises(ProblemsError) as e:
        run(pack)
    assert e.value.problems[0].value == "E4"
    assert AwardEntry.objects.count() == 0


def test_scope_goes_through_the_entity_path(registry, pack):
    run(pack)
    assert {e.entity.code for e in AwardEntry.objects.within(registry["Z2"])} == {"E4"}
