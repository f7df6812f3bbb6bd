"""One scope rule for every scoped record (gaoxin.accounts.scoping): a row is in a scope when its
entity path starts with the scope's path, a superuser sees everything and a user without a
scope nothing — for entities, observations and their history, evaluation runs and results, and
award entries alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.models import Profile
from gaoxin.awards.models import AwardEntry
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
from gaoxin.registry.models import Entity
from gaoxin.statistics.models import Observation, ObservationChange
from tests.test_audit import stored_records

pytestmark = pytest.mark.django_db
User = get_user_model()

MODELS = [Entity, Observation, ObservationChange, EvaluationRun, EvaluationResult, AwardEntry]


@pytest.fixture
def records():
    return stored_records()


def in_xiamen(records, model) -> set[int]:
    """By hand: what lies under 厦门市 (福建省 > 厦门市 > 厦门火炬 > 甲, 乙)."""
    t = records["tree"]
    if model is Entity:
        return {t[k].pk for k in ("xm", "torch", "a", "b")}
    if model is Observation:
        return {Observation.objects.get(entity=t["a"]).pk}
    return {records[model][0].pk}  # the row of 甲 / of the run over 厦门 / of 厦门火炬


def pks(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_within_a_scope_is_its_subtree(records, model):
    t = records["tree"]
    everything = pks(model.objects.all())
    assert len(everything) == (8 if model is Entity else 2)
    assert pks(model.objects.within(t["xm"])) == in_xiamen(records, model)
    assert pks(model.objects.within(t["xm"].path)) == in_xiamen(records, model)
    assert pks(model.objects.within(t["fj"])) == everything  # the whole tree is in 福建
    assert pks(model.objects.within(None)) == everything
    assert pks(model.objects.within("/0/")) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_user_sees_their_scope_a_superuser_all_a_user_without_scope_nothing(records, model):
    t = records["tree"]
    xiamen = User.objects.create_user("xm")
    Profile.objects.create(user=xiamen, organisation="厦门市科技局", scope=t["xm"])
    nobody = User.objects.create_user("nobody")
    root = User.objects.create_superuser("root")
    assert pks(model.objects.restrict(xiamen)) == in_xiamen(records, model)
    assert pks(model.objects.restrict(nobody)) == set()
    assert pks(model.objects.restrict(root)) == pks(model.objects.all())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_admin_lists_only_the_users_scope(records, model, client):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    xiamen = User.objects.create_user("xm")
    Profile.objects.create(user=xiamen, organisation="厦门市科技局", scope=records["tree"]["xm"])
    xiamen.is_staff = True  # a staff account set by hand (no role at city level reaches the admin)
    xiamen.save()
    xiamen.user_permissions.add(Permission.objects.get(codename=f"view_{model._meta.model_name}"))
    client.force_login(xiamen)
    meta = model._meta
    page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert page.status_code == 200
    assert pks(page.context["cl"].queryset) == in_xiamen(records, model)
    hidden = (pks(model.objects.all()) - in_xiamen(records, model)).pop()
    page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[hidden]))
    assert page.status_code == 404  # another city's row: not found
