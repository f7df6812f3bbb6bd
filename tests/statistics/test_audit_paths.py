"""Every change of a value leaves history, whatever the path (issue 15, item 6): the store's
writer is the only way in, the admin goes through it, every other ORM path is closed; an import
names its operator; a race ends in a retry message; a rule that cannot be checked is not saved."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from gaoxin.statistics import imports
from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import (
    Batch,
    Observation,
    ObservationChange,
    ValidationRule,
    Variable,
)
from gaoxin.statistics.models.observations import Unrecorded
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests import factories
from tests.statistics.test_imports import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    sync_catalogue()
    t = factories.small_tree()
    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1)], Batch.objects.create(kind="manual", label="x")
    )
    return t, revenue


@pytest.mark.parametrize(
    "path",
    [
        lambda: Observation.objects.update(value=9),
        lambda: Observation.objects.filter(period="2025").delete(),
        lambda: Observation.objects.bulk_update(
            [Observation(pk=Observation.objects.get().pk, value=9)], ["value"]
        ),
        lambda: Observation.objects.get().save(),
        lambda: Observation.objects.get().delete(),
    ],
    ids=["update", "delete", "bulk_update", "save", "instance delete"],
)
def test_no_orm_path_changes_a_value_without_history(stored, path):
    before = snapshot()
    with pytest.raises(Unrecorded, match="变更记录"), transaction.atomic():
        path()
    assert snapshot() == before


def test_the_admin_changes_no_value(stored):
    # The admin is read-only for values (they change through imports and data entry, which
    # write history); even a superuser gets no change, add or delete.
    user = get_user_model().objects.create_superuser("root", password="x")
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[Observation]
    obs = Observation.objects.get()
    assert not model_admin.has_change_permission(request, obs)
    assert not model_admin.has_delete_permission(request, obs)
    assert not model_admin.has_add_permission(request)


def test_a_command_line_import_names_the_os_user(stored, tmp_path, monkeypatch):
    t, _ = stored
    monkeypatch.setattr(imports, "_os_user", lambda: "zhangsan")
    f = tmp_path / "a.csv"
    f.write_text(f"统一社会信用代码,期间,营业收入（万元）\n{t['a'].code},2025,7\n", "utf-8")
    report = import_file(f)
    assert report.status == "committed"
    batch = Batch.objects.get(pk=report.batch_id)
    assert "操作系统用户 zhangsan" in batch.note
    assert "zhangsan" in ObservationChange.objects.order_by("id").last().reason


def test_a_write_race_ends_in_a_retry_message_and_nothing_written(stored, tmp_path, monkeypatch):
    t, _ = stored

    def lost_the_race(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: statistics_observation")

    monkeypatch.setattr(imports, "write_observations", lost_the_race)
    f = tmp_path / "a.csv"
    f.write_text(f"统一社会信用代码,期间,营业收入（万元）\n{t['a'].code},2025,7\n", "utf-8")
    before = snapshot()
    report = import_file(f)
    assert report.status == "rejected"
    assert [p.code for p in report.errors] == ["concurrent_write"]
    assert "重新导入" in report.errors[0].message
    assert snapshot() == before


def test_a_rule_that_cannot_be_checked_is_not_saved(stored):
    rule = ValidationRule(
        code="bad",
        name="坏规则",
        left="no_such_variable",
        operator="<=",
        right="revenue",
        entity_kind="enterprise",
    )
    with pytest.raises(ValidationError, match="无法检查"):
        rule.save()
    assert not ValidationRule.objects.filter(code="bad").exists()
    rule.left = "rd_expenditure"
    rule.save()
    assert ValidationRule.objects.filter(code="bad").exists()


def test_the_base_manager_is_guarded_too(stored):
    before = snapshot()
    with pytest.raises(Unrecorded), transaction.atomic():
        Observation._base_manager.update(value=9)
    assert snapshot() == before
