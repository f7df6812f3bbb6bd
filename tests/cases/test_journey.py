"""The journey of issue #12 on the Sichuan demo data, through the services the pages use: a
provincial zone graded 较差 is ordered 限期整改, uploads its plan, the city reviews it, the
deadline passes with the zone still 较差, and the next decision proposes 撤销 citing the case."""

import datetime as dt

import polars as pl
import pytest

from gaoxin import reviews
from gaoxin.awards import services as awards
from gaoxin.awards.models import AwardEntry
from gaoxin.cases import services
from gaoxin.cases.models import Case, CaseState
from gaoxin.engine import synth
from gaoxin.engine.periods import Period
from gaoxin.evaluation.models import EvaluationResult
from gaoxin.evaluation.services import evaluate
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from gaoxin.services import NotFound
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.models import Batch, Variable
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def _user(name, role, scope):
    return user_with(scope, role, name, password="pw-cases-1")


@pytest.fixture(scope="module")
def sichuan():
    return synth.generate("sichuan", scale=0.05)


def test_rectification_then_revocation_citing_the_case(sichuan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sync_catalogue()
    load_jurisdiction(sichuan, label="测试 sichuan")
    pack = find_pack("sichuan")
    for year in ("2023", "2024"):  # in order: each run imputes from the one before
        evaluate("sichuan", Period.parse(year), None, by=None)
    opened_on = dt.date(2025, 3, 2)
    first = awards.decide(pack, Period.parse("2024"), None, by=None, decided_on=opened_on)
    assert not first.ledger.filter(pl.col("rule") == "revoke-after-rectification").height
    # a provincial zone ordered 限期整改 for 2024 ...
    rectify = AwardEntry.objects.get(
        rule="evaluation-rectify", period="2024", entity__zone__level="provincial"
    )
    zone = rectify.entity
    poor = zone.code
    # ... still 较差 in 2025: the demo's quotas move grades from year to year, so the zone
    # reports a major safety accident (一票否决, graded 较差)
    accident = Variable.objects.get(code="major_safety_accidents")
    write_observations(
        [(zone.pk, accident.pk, "2025", 1)], Batch.objects.create(kind="manual", label="测试")
    )
    evaluate("sichuan", Period.parse("2025"), None, by=None)
    assert EvaluationResult.objects.get(run__period="2025", entity=zone).grade == "较差"
    province = Entity.objects.get(pk=int(zone.path.strip("/").split("/")[0]))
    reviewer = _user("prov", "province_reviewer", province)
    city = _user("city", "city_reviewer", zone.parent)
    reporter = _user("zone", "zone_reporter", zone)
    elsewhere = Entity.objects.filter(kind="zone").exclude(pk=zone.pk).first()
    other = _user("other", "zone_reporter", elsewhere)
    reviews.review(AwardEntry, [rectify.pk], "approve", by=reviewer)
    case = Case.objects.get(entry=rectify)
    assert case.state == CaseState.OPEN and case.deadline is not None

    # the zone sees its case, another zone does not; the zone files its plan, the city reviews
    assert services.listing(reporter).get() == case
    with pytest.raises(NotFound):
        services.get_case(case.pk, by=other)
    services.move(
        case.pk,
        "submit_plan",
        by=reporter,
        text="一、成立整改专班；二、补齐研发投入",
        files=[services.Upload("整改方案.pdf", b"%PDF-1.4 plan")],
    )
    services.move(case.pk, "city_approve", by=city)

    # before the deadline the case is not a failure: no revocation proposed
    early = awards.decide(
        pack, Period.parse("2025"), None, by=None, dry_run=True, decided_on=case.deadline
    )
    assert (
        poor
        not in early.ledger.filter(pl.col("rule") == "revoke-after-rectification")[
            "entity"
        ].to_list()
    )
    # the deadline passes with the zone still 较差 and the case not confirmed 整改到位
    late = awards.decide(
        pack, Period.parse("2025"), None, by=None, decided_on=case.deadline + dt.timedelta(days=1)
    )
    proposed = late.ledger.filter(pl.col("rule") == "revoke-after-rectification")
    assert proposed["entity"].to_list() == [poor]
    revoke = AwardEntry.objects.get(entity=zone, rule="revoke-after-rectification", period="2025")
    origin = awards.explain(revoke.pk, by=None).inputs
    cited = next(i.origin for i in origin if i.name == "rectification_failed")
    assert f"整改案件 {case.number}（2024，期限 {case.deadline:%Y-%m-%d}，逾期未整改到位）" in cited
    # published, the proposal opens its own case, waiting for the province's decision
    reviews.review(AwardEntry, [revoke.pk], "approve", by=reviewer)
    assert Case.objects.get(entry=revoke).state == CaseState.AWAITING
