"""Evaluation runs: readers see published runs only; a province reviewer approves or returns."""

import pytest

from gaoxin.audit import Approval
from gaoxin.evaluation.models import EvaluationResult
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_run_is_published_once_approved(client, t, users):
    run = factories.evaluation_run(scope=t["xm"], title="厦门市高新区综合评价")
    EvaluationResult.objects.create(run=run, entity=t["torch"], score=87.654, rank=1, grade="优秀")
    client.force_login(users["city_reviewer"])
    assert "厦门市高新区综合评价" not in client.get("/evaluation/runs/").content.decode()
    assert client.get(f"/evaluation/runs/{run.pk}/").status_code == 404

    client.force_login(users["province_reviewer"])
    html = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "待审核" in html and "审定（发布）" in html and "87.65" in html
    client.post(f"/evaluation/runs/{run.pk}/review/", {"decision": "approve", "comment": "同意"})
    run.refresh_from_db()
    assert run.approval == Approval.APPROVED and run.review_comment == "同意"

    client.force_login(users["city_reviewer"])
    html = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "厦门火炬高技术产业开发区" in html and "已审定" in html and "审定（发布）" not in html


def test_another_provinces_run_is_404_for_reading_and_reviewing(client, t, users):
    run = factories.evaluation_run(scope=t["jx"])
    client.force_login(users["province_admin"])
    assert client.get(f"/evaluation/runs/{run.pk}/").status_code == 404
    response = client.post(f"/evaluation/runs/{run.pk}/review/", {"decision": "approve"})
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.approval == Approval.PENDING
