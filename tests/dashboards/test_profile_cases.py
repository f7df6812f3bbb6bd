"""A zone's history of actions (cases, decision 042) on its profile: its own cases, not
another zone's."""

import pytest
from django.urls import reverse

from gaoxin.cases import services
from gaoxin.cases.models import Case
from gaoxin.registry.models import Entity
from tests import workplace

pytestmark = pytest.mark.django_db


def test_the_profile_lists_the_zones_cases_only(client, people):
    zone = Entity.objects.get(code="350100N1")
    other = Entity.objects.filter(kind="zone").exclude(path__startswith=zone.parent.path).first()
    for e in (zone, other):
        workplace.award(
            e,
            rule="evaluation-summon",
            outcome="action",
            amount_fen=None,
            action="summon",
            approval="approved",
            text="评价考核结果较差，约谈",
        )
    services.sync()
    mine, theirs = Case.objects.get(entity=zone), Case.objects.get(entity=other)
    client.force_login(people["zone_reporter"])
    body = client.get(reverse("dashboards:zone", args=[zone.pk])).content.decode()
    assert "动态管理记录" in body and mine.number in body and "约谈" in body
    assert theirs.number not in body
