"""The demo opens a case for every action it publishes (issue #12: every action of every demo
pack has its case)."""

import pytest

from gaoxin.awards.models import AwardEntry
from gaoxin.cases.models import Case, CaseState
from gaoxin.commands import site
from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db


def test_every_published_action_of_the_demo_has_its_case():
    sync_catalogue()
    load_jurisdiction(synth.generate("sichuan", scale=0.05), label="测试 sichuan")
    site._demo_actions("sichuan")
    site._demo_cases()
    actions = AwardEntry.objects.filter(pack="sichuan", outcome="action", kind="award")
    assert actions.exists() and set(actions.values_list("approval", flat=True)) == {"approved"}
    assert set(Case.objects.values_list("entry_id", flat=True)) == set(
        actions.values_list("id", flat=True)
    )
    # money stays for the division to review
    assert not AwardEntry.objects.filter(outcome="money").exclude(approval="pending").exists()
    rectify = Case.objects.filter(action="rectify")
    assert rectify.exists() and {c.state for c in rectify} == {CaseState.OPEN}
    site._demo_cases()  # twice is once
    assert Case.objects.count() == actions.count()
