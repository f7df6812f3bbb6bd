"""gaoxin.evaluation.services.evaluate as the pages and the API call it: a user evaluates within
their scope and is recorded as the operator; beyond it, refused with nothing written."""

import pytest

from gaoxin.engine.periods import Period
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
from gaoxin.evaluation.services import evaluate
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from tests.factories import user_in

pytestmark = pytest.mark.django_db
Y2025 = Period.parse("2025")


def test_a_province_user_evaluates_its_province(gansu):
    province = Entity.objects.get(kind="region", code="620000")
    user = user_in(province)
    done = evaluate("gansu", Y2025, province, by=user)
    assert done.run.created_by == user and done.run.scope == province
    assert done.unit_label == "高新区" and done.results.height == done.run.units > 0
    # every zone ranked lies in the province, in rank order
    assert all(e.startswith("62") for e in done.results["entity"])
    assert done.results["rank"].drop_nulls().is_sorted()


@pytest.mark.parametrize("where", ["620000", None], ids=["province", "whole-store"])
def test_a_zone_user_cannot_evaluate_beyond_its_zone(gansu, where):
    zone = Entity.objects.filter(kind="zone", code__startswith="6203").first()
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope, match="不在您的数据范围"):
        evaluate("gansu", Y2025, scope, by=user_in(zone))
    assert EvaluationRun.objects.count() == EvaluationResult.objects.count() == 0


def test_the_command_evaluates_as_the_user_given_by_name(gansu):
    from typer.testing import CliRunner

    from gaoxin.cli import app

    user = user_in(Entity.objects.get(kind="region", code="620000"), "gs-division")
    args = ["evaluate", "--pack", "gansu", "--period", "2025", "--by", "gs-division"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert EvaluationRun.objects.get().created_by == user
    r = CliRunner().invoke(app, [*args, "--scope", "全国"])
    assert r.exit_code == 1 and "不在您的数据范围" in r.output
    assert EvaluationRun.objects.count() == 1
