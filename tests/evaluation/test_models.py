"""Runs and results are frozen: no edit, no delete, by instance or by queryset; only the review
state moves. The newest completed run of a framework, period and scope is the current one."""

import pytest

from gaoxin.evaluation.choices import Approval, RunStatus
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun, Frozen
from gaoxin.registry.models import Entity
from tests import factories

pytestmark = pytest.mark.django_db


_run = factories.evaluation_run


@pytest.fixture
def zone():
    return Entity.objects.create(kind="zone", code="620100N1", name="兰州高新技术产业开发区")


def test_a_stored_run_cannot_be_edited_or_deleted(zone):
    run = _run()
    run.period = "2024"
    with pytest.raises(Frozen):
        run.save()
    with pytest.raises(Frozen):
        run.save(update_fields=["period", "approval"])
    with pytest.raises(Frozen):
        run.delete()
    with pytest.raises(Frozen):
        EvaluationRun.objects.filter(pk=run.pk).update(data_hash="d" * 64)
    with pytest.raises(Frozen):
        EvaluationRun.objects.filter(pk=run.pk).delete()
    stored = EvaluationRun.objects.get(pk=run.pk)
    assert (stored.period, stored.data_hash) == ("2025", "c" * 64)


def test_a_stored_result_cannot_be_edited_or_deleted(zone):
    run = _run()
    res = EvaluationResult.objects.create(run=run, entity=zone, score=80.5, rank=1, grade="优秀")
    res.score = 99.0
    with pytest.raises(Frozen):
        res.save()
    with pytest.raises(Frozen):
        res.delete()
    with pytest.raises(Frozen):
        EvaluationResult.objects.filter(pk=res.pk).update(grade="不合格")
    with pytest.raises(Frozen):
        run.results.all().delete()
    assert EvaluationResult.objects.get(pk=res.pk).score == 80.5


def test_only_the_review_state_moves(django_user_model):
    user = django_user_model.objects.create_user("reviewer")
    run = _run()
    assert run.approval == Approval.PENDING
    run.set_approval(Approval.APPROVED, user)
    stored = EvaluationRun.objects.get(pk=run.pk)
    assert stored.approval == Approval.APPROVED and stored.approved_by == user
    assert stored.approved_at is not None


def test_the_newest_completed_run_is_current(zone):
    old = _run()
    new = _run(data_hash="e" * 64)
    _run(status=RunStatus.FAILED)  # a failed run never becomes current
    _run(period="2024")
    _run(scope=zone)  # another scope
    assert EvaluationRun.objects.current("fw", "2025") == new
    assert new.is_current() and not old.is_current()
    assert EvaluationRun.objects.current("fw", "2025", zone).scope == zone
    assert EvaluationRun.objects.current("fw", "2023") is None


def test_runs_are_scoped_like_entities(zone):
    province = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    other = Entity.objects.create(kind="region", code="510000", name="四川省")
    zone.parent = province
    zone.save()
    _run(scope=zone)
    _run(scope=other)
    _run()
    assert list(EvaluationRun.objects.within(province).values_list("scope__code", flat=True)) == [
        "620100N1"
    ]
    assert EvaluationRun.objects.within(None).count() == 3


def test_results_are_scoped_by_the_units_place_and_the_users_scope(zone, django_user_model):
    from gaoxin.accounts.models import Profile

    province = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    zone.parent = province
    zone.save()
    elsewhere = Entity.objects.create(kind="zone", code="510100N1", name="成都高新技术产业开发区")
    run = _run()
    EvaluationResult.objects.create(run=run, entity=zone, score=1.0, rank=1)
    EvaluationResult.objects.create(run=run, entity=elsewhere, score=0.5, rank=2)
    gansu_user = django_user_model.objects.create_user("gansu")
    Profile.objects.create(user=gansu_user, organisation="甘肃省科技厅", scope=province)
    nobody = django_user_model.objects.create_user("nobody")
    admin = django_user_model.objects.create_superuser("admin")

    def codes(qs) -> list[str]:
        return sorted(qs.values_list("entity__code", flat=True))

    assert codes(EvaluationResult.objects.restrict(gansu_user)) == ["620100N1"]
    assert codes(EvaluationResult.objects.restrict(nobody)) == []
    assert codes(EvaluationResult.objects.restrict(admin)) == ["510100N1", "620100N1"]
