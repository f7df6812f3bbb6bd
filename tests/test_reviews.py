"""Reviewing evaluation runs and award decisions (gaoxin.reviews, decision 026): a province
reviewer approves or returns, once, within their scope; only approved records are published."""

import pytest
from django.core.exceptions import PermissionDenied

from gaoxin import reviews
from gaoxin.audit import Approval
from gaoxin.awards.models import AwardEntry
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.services import NotFound
from tests import factories, workplace

pytestmark = pytest.mark.django_db


def test_approve_records_who_and_when_and_publishes(t, users):
    entry = workplace.award(t["torch"])
    assert not AwardEntry.objects.published().exists()
    reviews.review(AwardEntry, [entry.pk], "approve", by=users["province_reviewer"])
    entry.refresh_from_db()
    assert entry.approval == Approval.APPROVED
    assert entry.approved_by == users["province_reviewer"] and entry.approved_at is not None
    assert list(AwardEntry.objects.published()) == [entry]


def test_a_return_needs_a_comment_and_keeps_it(t, users):
    run = factories.evaluation_run(scope=t["fj"])
    with pytest.raises(reviews.ReviewRefused, match="退回时请填写退回意见"):
        reviews.review(EvaluationRun, [run.pk], "return", by=users["province_admin"], comment=" ")
    run.refresh_from_db()
    assert run.approval == Approval.PENDING and run.approved_by is None
    reviews.review(
        EvaluationRun, [run.pk], "return", by=users["province_admin"], comment="权重有误"
    )
    run.refresh_from_db()
    assert (run.approval, run.review_comment) == (Approval.RETURNED, "权重有误")
    assert not EvaluationRun.objects.published().exists()


def test_a_review_is_made_once(t, users):
    entry = workplace.award(t["torch"])
    reviews.review(AwardEntry, [entry.pk], "approve", by=users["province_reviewer"])
    with pytest.raises(reviews.ReviewRefused, match="已审定，不能再次审核"):
        reviews.review(AwardEntry, [entry.pk], "return", by=users["admin"], comment="改")
    entry.refresh_from_db()
    assert entry.approval == Approval.APPROVED and entry.review_comment == ""


def test_one_id_outside_the_scope_changes_nothing(t, users):
    mine, theirs = workplace.award(t["torch"]), workplace.award(t["ncz"])
    with pytest.raises(NotFound):
        reviews.review(AwardEntry, [mine.pk, theirs.pk], "approve", by=users["province_reviewer"])
    assert set(AwardEntry.objects.values_list("approval", flat=True)) == {Approval.PENDING}


@pytest.mark.parametrize("role", ["city_reviewer", "zone_reporter", "viewer"])
def test_only_province_reviewers_and_admins_review(t, users, role):
    entry = workplace.award(t["torch"])
    with pytest.raises(PermissionDenied):
        reviews.review(AwardEntry, [entry.pk], "approve", by=users[role])
    entry.refresh_from_db()
    assert entry.approval == Approval.PENDING
