"""gaoxin.awards.services called as the pages and the API call it: a user decides and reads
awards only within their scope; a scope outside it is refused and nothing is written."""

from __future__ import annotations

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from gaoxin.awards.models import AwardEntry
from gaoxin.awards.services import decide, explain
from gaoxin.cli import app
from gaoxin.engine.periods import Period
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from gaoxin.services import NotFound, OutOfScope
from tests.awards.test_cli import inputs_file
from tests.factories import submitted_return, user_in

pytestmark = pytest.mark.django_db
Y2024 = Period.parse("2024")


def xiamen_inputs(tmp_path, torch_rank: int = 50):
    f = tmp_path / "xiamen.csv"
    f.write_text(
        f"园区代码,名称,全国排名,上年全国排名\n350200N1,厦门火炬,{torch_rank},53\n",
        encoding="utf-8",
    )
    return f


@pytest.fixture
def pack():
    return find_pack("fujian-2021")


@pytest.fixture
def xiamen(loaded):
    return Entity.objects.get(kind="region", code="350200")


def test_a_city_user_decides_its_city_and_is_recorded_as_the_operator(
    loaded, pack, xiamen, tmp_path
):
    user = user_in(xiamen)
    d = decide(pack, Y2024, xiamen, by=user, inputs=xiamen_inputs(tmp_path))
    entries = AwardEntry.objects.all()
    assert d.recorded is not None and len(d.recorded.added) == entries.count() > 0
    assert {e.entity.path.startswith(xiamen.path) for e in entries} == {True}
    assert entries.get(rule="rank-promotion").amount_fen == 300_000_000
    assert {e.created_by_id for e in entries} == {user.pk}
    assert set(d.ids.values()) == set(entries.values_list("pk", flat=True))


@pytest.mark.parametrize("where", ["350000", None], ids=["province", "whole-store"])
def test_a_scope_beyond_the_users_is_refused_and_nothing_is_written(
    loaded, pack, xiamen, tmp_path, where
):
    user = user_in(xiamen)
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope) as refused:
        decide(pack, Y2024, scope, by=user, inputs=inputs_file(tmp_path))
    assert "不在您的数据范围（厦门市（350200））内" in str(refused.value)
    assert AwardEntry.objects.count() == 0


def test_a_user_without_a_scope_decides_nothing(loaded, pack, xiamen):
    nobody = get_user_model().objects.create_user("nobody")
    with pytest.raises(OutOfScope, match="尚未设定数据范围"):
        decide(pack, Y2024, xiamen, by=nobody)
    assert AwardEntry.objects.count() == 0


def test_a_city_run_leaves_the_other_cities_entries_standing(loaded, pack, xiamen, tmp_path):
    fujian_ = Entity.objects.get(kind="region", code="350000")
    decide(pack, Y2024, fujian_, by=None, inputs=inputs_file(tmp_path))
    fuzhou = AwardEntry.objects.get(rule="rank-promotion", entity__code="350100N1")
    # Xiamen re-ranked 51st: its award is corrected; Fuzhou's, outside the run, stands
    again = decide(pack, Y2024, xiamen, by=user_in(xiamen), inputs=xiamen_inputs(tmp_path, 51))
    assert again.recorded is not None
    assert [e.entity.code for e in again.recorded.reversals] == ["350200N1"]
    assert AwardEntry.objects.standing().filter(pk=fuzhou.pk).exists()


def test_explain_answers_within_the_users_scope_only(loaded, pack, xiamen, tmp_path):
    decide(pack, Y2024, None, by=None, inputs=inputs_file(tmp_path))
    own = AwardEntry.objects.get(rule="rank-promotion", entity__code="350200N1")
    other = AwardEntry.objects.get(rule="rank-promotion", entity__code="350100N1")
    user = user_in(xiamen)
    x = explain(own.pk, by=user)
    assert x.result == "300.00 万元" and x.kind == "核定"
    assert {i.name for i in x.inputs} >= {"rank", "rank_prev"}
    # another city's entry reads exactly as an entry that does not exist
    with pytest.raises(NotFound) as hidden:
        explain(other.pk, by=user)
    with pytest.raises(NotFound) as missing:
        explain(10**9, by=user)
    assert str(hidden.value) == f"台账中没有第 {other.pk} 号记录"
    assert str(missing.value) == f"台账中没有第 {10**9} 号记录"


def test_the_command_records_the_operator_given_by_name(loaded, xiamen, tmp_path):
    user = user_in(xiamen, "xm-bureau")
    args = ["awards", "--pack", "fujian-2021", "--period", "2024"]
    r = CliRunner().invoke(
        app,
        [*args, "--scope", "350200", "--by", "xm-bureau", "--inputs", str(xiamen_inputs(tmp_path))],
    )
    assert r.exit_code == 0, r.output
    assert set(AwardEntry.objects.values_list("created_by", flat=True)) == {user.pk}
    # beyond the user's city: refused in Chinese, nothing written
    r = CliRunner().invoke(app, [*args, "--scope", "350100", "--by", "xm-bureau"])
    assert r.exit_code == 1 and "不在您的数据范围" in r.output
    assert AwardEntry.objects.exclude(created_by=user).count() == 0
    r = CliRunner().invoke(app, [*args, "--by", "nobody-here"])
    assert r.exit_code == 2 and "找不到用户「nobody-here」" in r.output


def test_eligible_lists_the_users_city_and_refuses_beyond_it(loaded, pack, xiamen):
    from gaoxin.awards.services import eligible

    found = eligible(pack, Y2024, xiamen, by=user_in(xiamen))
    listed = set(found.qualified["entity"]) | set(found.possible["entity"])
    inside = set(Entity.objects.within(xiamen).values_list("code", flat=True))
    assert listed and listed <= inside
    with pytest.raises(OutOfScope):
        eligible(pack, Y2024, Entity.objects.get(code="350000"), by=user_in(xiamen, "xm2"))
    assert AwardEntry.objects.count() == 0


def test_the_missing_inputs_are_summed_per_rule_and_input(loaded, pack, xiamen):
    d = decide(pack, Y2024, xiamen, by=None, dry_run=True)
    und = d.undetermined.filter(pl.col("rule") == "rank-promotion")
    assert und.height > 0
    missing = {m.input: m for m in d.missing_inputs() if m.rule == "rank-promotion"}
    assert set(missing) == {"rank", "rank_prev"}
    for m in missing.values():
        assert m.entities == und.height and set(m.examples) <= set(und["entity"])
        assert m.label and m.source  # the pack's words for the input and where it comes from
    assert AwardEntry.objects.count() == 0


def test_awards_and_the_eligible_list_leave_out_values_under_review(loaded, pack):
    """Decision 041: awards and 免申即享 read the published analytics build. A technology
    transfer institution's 2024 年度技术交易额 on a return only submitted (not yet approved by the
    province) is left out: its award and its place on the list wait for the approval."""
    from gaoxin.awards.services import eligible
    from gaoxin.statistics import analytics

    fujian = Entity.objects.get(code="350000")

    def transfer(frame: pl.DataFrame) -> set[str]:
        return set(frame.filter(pl.col("rule") == "tech-transfer")["entity"])

    def listed() -> tuple[set[str], set[str]]:
        found = eligible(pack, Y2024, fujian, by=None)
        decided = decide(pack, Y2024, fujian, by=None, dry_run=True)
        return transfer(found.qualified), transfer(decided.ledger)

    qualified, awarded = listed()
    assert qualified and qualified == awarded
    institution = Entity.objects.get(code=sorted(qualified)[0])
    sub = submitted_return(
        institution, "tech_contract_turnover", "2024", "institution_tech_annual", "技术转移机构年报"
    )
    analytics.changed("review", ["2024"])
    assert listed() == (qualified - {institution.code}, awarded - {institution.code})
    sub.state = "province_approved"
    sub.save()
    analytics.changed("review", ["2024"])
    assert listed() == (qualified, awarded)
    assert AwardEntry.objects.count() == 0  # dry runs record nothing
