"""The ledger page publishes approved entries only, by name and in 万元; reviewers approve or
return pending ones; another scope's entry answers 404."""

import pytest

from gaoxin.audit import Approval
from gaoxin.awards.models import AwardEntry
from tests import workplace

pytestmark = pytest.mark.django_db


def test_ledger_shows_published_entries_in_wan_with_rule_names(client, t, users):
    approved = workplace.award(t["torch"], amount_fen=1_234_567_800)
    approved.set_approval(Approval.APPROVED, users["province_reviewer"])
    workplace.award(t["torch"], rule="tech-city", amount_fen=5_000_000)  # pending
    client.force_login(users["viewer"])
    html = client.get("/awards/").content.decode()
    assert "国家级高新区争先晋位奖励" in html and "rank-promotion" not in html
    assert "1,234.57" in html and "合计金额：<strong>1,234.57</strong>" in html
    assert "科技城建设奖励" not in html  # not reviewed, not published
    assert client.get(f"/awards/{approved.pk}/").status_code == 200


def test_reviewer_approves_a_batch_and_returns_with_a_comment(client, t, users):
    a, b = workplace.award(t["torch"]), workplace.award(t["fzz"], rule="tech-city")
    client.force_login(users["province_reviewer"])
    html = client.get("/awards/review/").content.decode()
    assert "厦门火炬高技术产业开发区" in html and "福州高新技术产业开发区" in html
    response = client.post("/awards/review/", {"entry": [a.pk], "decision": "approve"})
    assert response.status_code == 302
    client.post("/awards/review/", {"entry": [b.pk], "decision": "return"})  # no comment
    b.refresh_from_db()
    assert b.approval == Approval.PENDING
    client.post(f"/awards/{b.pk}/review/", {"decision": "return", "comment": "期间不对"})
    a.refresh_from_db(), b.refresh_from_db()
    assert a.approval == Approval.APPROVED and a.approved_by == users["province_reviewer"]
    assert (b.approval, b.review_comment) == (Approval.RETURNED, "期间不对")


def test_other_scopes_and_other_roles_are_refused(client, t, users):
    theirs = workplace.award(t["ncz"])
    mine = workplace.award(t["torch"])
    client.force_login(users["province_reviewer"])
    assert client.get(f"/awards/{theirs.pk}/").status_code == 404
    response = client.post(f"/awards/{theirs.pk}/review/", {"decision": "approve"})
    assert response.status_code == 404
    client.force_login(users["city_reviewer"])
    assert client.get("/awards/review/").status_code == 403
    assert client.post(f"/awards/{mine.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.get(f"/awards/{mine.pk}/").status_code == 404  # pending: not published
    assert set(AwardEntry.objects.values_list("approval", flat=True)) == {Approval.PENDING}
